package runner_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/runner"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// slow writes each row's cells, sleeping per row; it stops on ctx.
type slow struct{ perRow time.Duration }

func (s slow) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if t, ok := el.(*report.Table); ok {
			for row, err := range t.Rows() {
				if err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(s.perRow):
				}
				for _, c := range row.Cells {
					fmt.Fprintf(w, "%s;", c.Text())
				}
				fmt.Fprintln(w)
			}
		}
	}
	return nil
}

type registry map[string]render.Format

func (r registry) Lookup(name string) (render.Format, error) {
	if f, ok := r[name]; ok {
		return f, nil
	}
	return render.Lookup(name)
}

var formats = registry{
	"slow": {Name: "slow", MediaType: "text/plain", Ext: ".slow",
		New: func(*render.OptionReader) (render.Renderer, error) { return slow{20 * time.Millisecond}, nil }},
	"broken": {Name: "broken", MediaType: "text/plain", Ext: ".broken",
		New: func(*render.OptionReader) (render.Renderer, error) { return nil, errors.New("broken on purpose") }},
}

type env struct {
	store *sqlite.Store
	blobs *blob.Dir
	dir   string
}

func newEnv(t *testing.T) *env {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bl, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return &env{st, bl, dir}
}

type config = runner.Config[*sql.Tx]

// newRunner makes a runner on e's store, not started.
func (e *env) newRunner(t *testing.T, cfg config) *runner.Runner[*sql.Tx] {
	t.Helper()
	cfg.Store, cfg.Driver, cfg.Formats, cfg.Exclusive = e.store, riversqlite.New(e.store.DB()), formats, true
	if cfg.Blobs == nil {
		cfg.Blobs = e.blobs
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	r, err := runner.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) runner(t *testing.T, cfg config) *runner.Runner[*sql.Tx] {
	t.Helper()
	r := e.newRunner(t, cfg)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func stop(t *testing.T, r *runner.Runner[*sql.Tx]) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// document is a table of n rows.
func document(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"title": "T", "elements": [{"type": "table", "data": {"columns": [{"caption": "A"}, {"caption": "B"}], "rows": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"cells": [{"value": "r%d"}, {"value": %d}]}`, i, i)
	}
	b.WriteString(`]}}]}`)
	return []byte(b.String())
}

// submit stores doc and a job asking for formats, as POST /jobs does.
func (e *env) submit(t *testing.T, doc []byte, formats ...string) int64 {
	t.Helper()
	ctx := context.Background()
	j := &jobs.Job{Status: jobs.StatusRequestReceived, Entity: "report", Operation: "render", CreatedBy: "alice", Formats: formats}
	if err := e.store.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	w, _ := e.blobs.Create(ctx, artifact.DocumentKey(j.RequestID))
	w.Write(doc)
	b, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Receive(ctx, e.store, j.ID, b); err != nil {
		t.Fatal(err)
	}
	return j.ID
}

func (e *env) wait(t *testing.T, id int64, d time.Duration, ok func(*jobs.Job) bool) *jobs.Job {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		j, err := e.store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d: still %s %.2f (%s) after %s", id, j.Status, j.PercentCompleted, j.Summary, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func final(j *jobs.Job) bool { return j.Status.Final() }

func direct(t *testing.T, name string, doc []byte) []byte {
	f, err := formats.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.NewRenderer(nil)
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, report.Read(bytes.NewReader(doc))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (e *env) artifactBytes(t *testing.T, b jobs.Blob) []byte {
	f, err := e.blobs.Open(context.Background(), b.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, _ := io.ReadAll(f)
	return out
}

func TestRender(t *testing.T) {
	e := newEnv(t)
	r := e.runner(t, config{})
	defer stop(t, r)
	doc := document(50)
	// The slow format comes first: the share done while it runs (a third)
	// lasts a second, so polling sees it however loaded the machine is.
	id := e.submit(t, doc, "slow", "csv", "json")
	var seen []float64
	j := e.wait(t, id, 20*time.Second, func(j *jobs.Job) bool {
		if len(seen) == 0 || seen[len(seen)-1] != j.PercentCompleted {
			seen = append(seen, j.PercentCompleted)
		}
		return final(j)
	})
	if j.Status != jobs.StatusComplete || j.Result != jobs.ResultSuccess || j.PercentCompleted != 1 {
		t.Fatalf("job: %s %s %v %s", j.Status, j.Result, j.PercentCompleted, j.Summary)
	}
	between := 0
	for i, p := range seen {
		if p > 0 && p < 1 {
			between++
		}
		if i > 0 && p < seen[i-1] {
			t.Errorf("progress went back: %v", seen)
		}
	}
	if between < 1 {
		t.Errorf("progress seen: %v: want steps between 0 and 1", seen)
	}
	for _, name := range []string{"csv", "json", "slow"} {
		b, ok := j.Artifacts[name]
		if !ok {
			t.Fatalf("no %s artifact: %+v", name, j.Artifacts)
		}
		if got := e.artifactBytes(t, b); !bytes.Equal(got, direct(t, name, doc)) {
			t.Errorf("%s artifact differs from a direct render", name)
		}
	}
	if tmp, _ := e.blobs.TempFiles(); len(tmp) != 0 {
		t.Errorf("temp files: %v", tmp)
	}
}

func TestCancelRunning(t *testing.T) {
	e := newEnv(t)
	r := e.runner(t, config{})
	defer stop(t, r)
	id := e.submit(t, document(1000), "slow") // 20 s if not stopped
	e.wait(t, id, 10*time.Second, func(j *jobs.Job) bool { return j.Status == jobs.StatusProcessing && r.Busy() == 1 })
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if _, err := jobs.Cancel(context.Background(), e.store, id); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for r.Busy() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the render did not stop within 3 s of the cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("render stopped %s after the cancel", time.Since(start))
	j, _ := e.store.Get(context.Background(), id)
	if j.Status != jobs.StatusCanceled || len(j.Artifacts) != 0 {
		t.Errorf("after cancel: %s, artifacts %v", j.Status, j.Artifacts)
	}
	if tmp, _ := e.blobs.TempFiles(); len(tmp) != 0 {
		t.Errorf("temp files: %v", tmp)
	}
}

func TestFailures(t *testing.T) {
	e := newEnv(t)
	r := e.runner(t, config{Budget: 500 * time.Millisecond})
	defer stop(t, r)
	broken := e.submit(t, document(3), "csv", "broken")
	slowJob := e.submit(t, document(1000), "slow")
	missing := e.submit(t, document(3), "nosuchformat")
	for id, want := range map[int64]string{broken: "broken on purpose", slowJob: "budget", missing: "not available"} {
		j := e.wait(t, id, 20*time.Second, final)
		if j.Status != jobs.StatusFailToProcess || j.Result != jobs.ResultFailure || !strings.Contains(j.Summary, want) {
			t.Errorf("job %d: %s %s %q, want fail_to_process with %q", id, j.Status, j.Result, j.Summary, want)
		}
	}
}

// TestResumeAfterShutdown stops a runner mid-render: the job is rendered by
// the next runner on the same database.
func TestResumeAfterShutdown(t *testing.T) {
	e := newEnv(t)
	r := e.runner(t, config{})
	doc := document(100)
	id := e.submit(t, doc, "csv", "slow")
	e.wait(t, id, 10*time.Second, func(j *jobs.Job) bool { return j.PercentCompleted > 0.5 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	r.Stop(ctx) // the render does not end in time: it is canceled
	cancel()
	j, _ := e.store.Get(context.Background(), id)
	if j.Status.Final() {
		t.Fatalf("the job finished before the shutdown (%s): make it slower", j.Status)
	}
	if _, ok := j.Artifacts["csv"]; !ok {
		t.Errorf("csv was not recorded before the shutdown: %+v", j.Artifacts)
	}
	r2 := e.runner(t, config{})
	defer stop(t, r2)
	j = e.wait(t, id, 30*time.Second, final)
	if j.Status != jobs.StatusComplete {
		t.Fatalf("after resuming: %s %s", j.Status, j.Summary)
	}
	if got := e.artifactBytes(t, j.Artifacts["slow"]); !bytes.Equal(got, direct(t, "slow", doc)) {
		t.Error("the resumed artifact differs from a direct render")
	}
}

// TestResumeOrphan resumes a job whose River entry is still marked running
// by a process that died, and one whose upload was cut by the crash.
func TestResumeOrphan(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// A runner that never starts queues the job.
	e.newRunner(t, config{})
	id := e.submit(t, document(5), "csv")
	// As if a dead process had fetched the job: River's row is running.
	res, err := e.store.DB().Exec(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = datetime('now')
		WHERE id = (SELECT queue_id FROM folio_job WHERE id = ?)`, id)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("marking River's job running: %v, %d rows", err, n)
	}
	if _, err := e.store.Update(ctx, id, func(j *jobs.Job) error { j.Status = jobs.StatusProcessing; return nil }); err != nil {
		t.Fatal(err)
	}
	cut := &jobs.Job{Status: jobs.StatusRequestReceived, CreatedBy: "bob"}
	if err := e.store.Create(ctx, cut); err != nil {
		t.Fatal(err)
	}
	// Its document was stored whole before the crash, not recorded.
	w, _ := e.blobs.Create(ctx, artifact.DocumentKey(cut.RequestID))
	w.Write(document(1))
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := e.runner(t, config{})
	defer stop(t, r)
	j := e.wait(t, id, 10*time.Second, final)
	if j.Status != jobs.StatusComplete {
		t.Fatalf("orphan: %s %s", j.Status, j.Summary)
	}
	t.Logf("orphan resumed in %s", time.Since(start))
	if c, _ := e.store.Get(ctx, cut.ID); c.Status != jobs.StatusFailToReceive {
		t.Errorf("interrupted upload: %s", c.Status)
	}
	if _, err := e.blobs.Open(ctx, artifact.DocumentKey(cut.RequestID)); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("the interrupted upload's document: %v, want it deleted", err)
	}
}
