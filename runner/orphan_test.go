package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/jobs"
)

// TestOrphans: blobs that no job names (a crash between deleting a job and
// its blobs) are deleted once older than runner.OrphanAge; blobs of jobs
// that exist, and young orphans, are kept.
func TestOrphans(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.newRunner(t, config{Retain: -1})
	kept := e.submit(t, document(3)) // a job with its document
	k, _ := e.store.Get(ctx, kept)
	put := func(key string, age time.Duration) {
		w, err := e.blobs.Create(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
		if _, err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		if err := os.Chtimes(filepath.Join(e.dir, "blobs", filepath.FromSlash(key)), old, old); err != nil {
			t.Fatal(err)
		}
	}
	put(artifact.DocumentKey("00000000-0000-4000-8000-000000000001"), 2*time.Hour) // orphan
	put(artifact.DocumentKey("00000000-0000-4000-8000-000000000002"), time.Minute) // young orphan
	put(artifact.ArtifactPrefix+"999/csv.csv", 2*time.Hour)                        // orphan
	put(artifact.ArtifactPrefix+itoa(kept)+"/csv.csv", 2*time.Hour)                // its job exists
	if err := os.Chtimes(filepath.Join(e.dir, "blobs", filepath.FromSlash(k.Document.Key)), time.Now().Add(-3*time.Hour), time.Now().Add(-3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := r.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var left []string
	for info, err := range e.blobs.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, info.Key)
	}
	slices.Sort(left)
	want := []string{artifact.ArtifactPrefix + itoa(kept) + "/csv.csv",
		artifact.DocumentKey("00000000-0000-4000-8000-000000000002"), k.Document.Key}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("blobs after the sweep:\n got %v\nwant %v", left, want)
	}
	if n := r.Stats().Orphans.Load(); n != 2 {
		t.Errorf("Stats().Orphans = %d, want 2", n)
	}
	if j, err := e.store.Get(ctx, kept); err != nil || j.Status != jobs.StatusComplete || j.Document == nil {
		t.Errorf("the job that was kept: %v, %v", j, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
