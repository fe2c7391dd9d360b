package artifact_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
)

func TestPool(t *testing.T) {
	p := artifact.NewPool(2)
	r1, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := p.Acquire(context.Background())
	if p.Busy() != 2 || p.Size() != 2 {
		t.Fatalf("busy %d size %d", p.Busy(), p.Size())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Acquire(ctx); !errors.Is(err, artifact.ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire on a full pool: %v, want ErrBusy and the deadline", err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := p.Acquire(context.Background())
		if err == nil {
			r()
		}
		got <- err
	}()
	for p.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	r1()
	r1() // a second release frees nothing more
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if p.Busy() != 1 {
		t.Errorf("busy %d after one release, a double release and a waiter's turn; want 1", p.Busy())
	}
	r2()
	if p.Busy() != 0 || p.Waiting() != 0 {
		t.Errorf("busy %d waiting %d at the end", p.Busy(), p.Waiting())
	}
}

type fn func(ctx context.Context, w io.Writer, doc *report.Document) error

func (f fn) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	return f(ctx, w, doc)
}

func format(f fn) render.Format {
	return render.Format{Name: "t", MediaType: "text/plain", Ext: ".t",
		New: func(*render.OptionReader) (render.Renderer, error) { return f, nil }}
}

// fullStore fails artifact writes with ENOSPC.
type fullStore struct{ blob.Store }

func (s fullStore) Create(ctx context.Context, key string) (blob.Writer, error) {
	w, err := s.Store.Create(ctx, key)
	return fullWriter{w}, err
}

type fullWriter struct{ blob.Writer }

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestRenderErrors(t *testing.T) {
	dir, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seed, err := os.ReadFile(filepath.Join("..", "testdata", "seed.json"))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := dir.Create(ctx, artifact.DocumentKey("r"))
	w.Write(seed)
	doc, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	j := &jobs.Job{ID: 7, RequestID: "r", Document: &doc}
	csv, _ := render.Lookup("csv")
	copyRows := fn(func(ctx context.Context, w io.Writer, d *report.Document) error {
		r, _ := csv.NewRenderer(nil)
		return r.Render(ctx, w, d)
	})
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		blobs     blob.Store
		f         fn
		permanent bool
		is        error
	}{
		{"renderer fails", ctx, dir, func(context.Context, io.Writer, *report.Document) error {
			return errors.New("too many pages")
		}, true, nil},
		{"renderer panics", ctx, dir, func(context.Context, io.Writer, *report.Document) error { panic("boom") }, true, nil},
		{"storage full", ctx, fullStore{dir}, copyRows, false, syscall.ENOSPC},
		{"canceled", canceled, dir, copyRows, false, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := artifact.Render(tc.ctx, tc.blobs, format(tc.f), j, nil)
			var re *artifact.RenderError
			if err == nil || errors.As(err, &re) != tc.permanent || tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v: permanent %v, want %v (and Is %v)", err, re != nil, tc.permanent, tc.is)
			}
			if _, err := dir.Open(ctx, artifact.Key(j.ID, format(tc.f))); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("an artifact was committed after a failed render: %v", err)
			}
		})
	}
	var seen []float64
	b, err := artifact.Render(ctx, dir, format(copyRows), j, func(p float64) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	f, _ := dir.Open(ctx, b.Key)
	defer f.Close()
	got, _ := io.ReadAll(f)
	sum := sha256.Sum256(got)
	r, _ := csv.NewRenderer(nil)
	var want bytes.Buffer
	r.Render(ctx, &want, report.Read(bytes.NewReader(seed)))
	if !bytes.Equal(got, want.Bytes()) || b.SHA256 != hex.EncodeToString(sum[:]) || b.Size != int64(len(got)) {
		t.Errorf("artifact %+v differs from a direct render", b)
	}
	if len(seen) == 0 || seen[len(seen)-1] != 1 {
		t.Errorf("progress %v: want it to reach 1", seen)
	}
}
