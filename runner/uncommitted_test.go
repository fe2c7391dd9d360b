package runner_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob/s3"
	"github.com/foliorender/folio/internal/s3test"
	"github.com/foliorender/folio/runner"
)

// gateways is versitygw, for the tests that need S3.
var gateways s3test.Lazy

// TestSweepUncommittedS3: the sweeper aborts the incomplete multipart
// uploads under the store's prefix older than Config.UncommittedAge (what a
// server that died while it sent an artifact leaves in the bucket), and
// keeps a younger one (a write in progress) and those of another prefix.
func TestSweepUncommittedS3(t *testing.T) {
	gw, prefix := gateways.Get(t)
	ctx := context.Background()
	cfg := gw.Config(prefix)
	cfg.PartSize = s3.MinPartSize
	bl, err := s3.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := gw.Client()
	if err != nil {
		t.Fatal(err)
	}
	core := minio.Core{Client: mc}
	// A dead server's upload: begun, a part sent, never completed nor
	// aborted.
	left := func(object string) {
		id, err := core.NewMultipartUpload(ctx, s3test.Bucket, object, minio.PutObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		part := bytes.Repeat([]byte("x"), 1<<10)
		if _, err := core.PutObjectPart(ctx, s3test.Bucket, object, id, 1, bytes.NewReader(part), int64(len(part)), minio.PutObjectPartOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	dead := prefix + "/" + artifact.ArtifactPrefix + "1/xlsx.xlsx"
	other := prefix + "-other/" + artifact.ArtifactPrefix + "1/xlsx.xlsx"
	left(dead)
	left(other)
	// versitygw records when an upload began to the second. The young
	// upload below must stay younger than age until the sweep has listed
	// it, on however loaded a machine: the runner is made first, so that
	// only the write of one part and the sweep come between.
	const age = 4 * time.Second
	e := newEnv(t)
	r := e.newRunner(t, config{Blobs: bl, UncommittedAge: age, Retain: -1})
	time.Sleep(age + time.Second)
	// A write in progress: more than a part written, so its upload began.
	young := artifact.ArtifactPrefix + "2/pdf.pdf"
	w, err := bl.Create(ctx, young)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := w.Write(make([]byte, s3.MinPartSize+1)); err != nil {
		t.Fatal(err)
	}

	uploads := func(p string) []string {
		var out []string
		for u := range mc.ListIncompleteUploads(ctx, s3test.Bucket, p, true) {
			if u.Err != nil {
				t.Fatal(u.Err)
			}
			out = append(out, u.Key)
		}
		slices.Sort(out)
		return out
	}
	if got, want := uploads(prefix+"/"), []string{dead, prefix + "/" + young}; !slices.Equal(got, want) {
		t.Fatalf("incomplete uploads before the sweep: %v, want %v", got, want)
	}
	if err := r.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := uploads(prefix+"/"), []string{prefix + "/" + young}; !slices.Equal(got, want) {
		t.Errorf("incomplete uploads after the sweep: %v, want %v (the young one)", got, want)
	}
	if got := uploads(prefix + "-other/"); !slices.Equal(got, []string{other}) {
		t.Errorf("incomplete uploads of another prefix after the sweep: %v, want %v", got, []string{other})
	}
	if n := r.Stats().Uncommitted.Load(); n != 1 {
		t.Errorf("Stats().Uncommitted = %d, want 1", n)
	}
	// The write in progress goes on and commits.
	if _, err := w.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err != nil {
		t.Errorf("the young write after the sweep: %v", err)
	}
	// With the default age (a day), nothing of the other prefix's is old
	// enough.
	bo, err := s3.New(ctx, gw.Config(prefix+"-other"))
	if err != nil {
		t.Fatal(err)
	}
	r2 := e.newRunner(t, config{Blobs: bo, Retain: -1})
	if err := r2.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := uploads(prefix + "-other/"); !slices.Equal(got, []string{other}) {
		t.Errorf("after a sweep with the default age (%s): %v, want %v", runner.DefaultUncommittedAge, got, []string{other})
	}
	if got := uploads(prefix + "/"); len(got) != 0 {
		t.Errorf("incomplete uploads after the commit: %v", got)
	}
}
