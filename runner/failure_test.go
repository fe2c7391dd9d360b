package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/riverqueue/river/rivertype"
)

// refusals counts the renders of the "refuse" format.
var refusals atomic.Int64

// refuse reads the whole document, then fails as a page limit does: the
// document is valid, but this format can never render it.
type refuse struct{}

func (refuse) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	refusals.Add(1)
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if t, ok := el.(*report.Table); ok {
			for _, err := range t.Rows() {
				if err != nil {
					return err
				}
			}
		}
	}
	return errors.New("the document needs more pages than the limit of 1")
}

func init() {
	formats["refuse"] = render.Format{Name: "refuse", MediaType: "text/plain", Ext: ".refuse",
		New: func(*render.OptionReader) (render.Renderer, error) { return refuse{}, nil }}
}

// soon is a retry policy that runs a failed attempt again after d.
type soon time.Duration

func (d soon) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Duration(d)) }

// queueEntry is River's row of a job.
type queueEntry struct {
	State    string
	Attempt  int
	Errors   int
	MaxTries int
}

func (e *env) queueEntry(t *testing.T, id int64) queueEntry {
	t.Helper()
	var q queueEntry
	err := e.store.DB().QueryRow(`SELECT state, attempt, coalesce(json_array_length(errors), 0), max_attempts
		FROM river_job WHERE id = (SELECT queue_id FROM folio_job WHERE id = ?)`, id).Scan(&q.State, &q.Attempt, &q.Errors, &q.MaxTries)
	if err != nil {
		t.Fatalf("River's entry of job %d: %v", id, err)
	}
	return q
}

// settledEntry waits until River's entry of job id is not running (its
// worker has returned) and returns it.
func (e *env) settledEntry(t *testing.T, id int64) queueEntry {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		q := e.queueEntry(t, id)
		if q.State != "running" {
			return q
		}
		if time.Now().After(deadline) {
			t.Fatalf("River's entry of job %d is still running after 5 s: %+v", id, q)
		}
	}
}

// TestDiscarded fails a processing job whose River entry River gave up.
func TestDiscarded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.newRunner(t, config{})
	id := e.submit(t, document(5), "csv")
	other := e.submit(t, document(5), "csv")
	if _, err := jobs.Start(ctx, e.store, id, "dead-node"); err != nil {
		t.Fatal(err)
	}
	// As River leaves an entry whose last attempt failed.
	errs, _ := json.Marshal([]rivertype.AttemptError{{At: time.Now(), Attempt: 10, Error: "disk I/O error"}})
	res, err := e.store.DB().Exec(`UPDATE river_job SET state = 'discarded', attempt = max_attempts,
		attempted_at = datetime('now'), finalized_at = datetime('now'), errors = jsonb(?)
		WHERE id = (SELECT queue_id FROM folio_job WHERE id = ?)`, string(errs), id)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("discarding River's entry: %v, %d rows", err, n)
	}
	if err := r.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	j, err := e.store.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	const want = "the queue gave up rendering it after 1 attempts: disk I/O error"
	if j.Status != jobs.StatusFailToProcess || j.Result != jobs.ResultFailure || j.Summary != want || j.Owner != "" {
		t.Errorf("job: %s %s %q owner %q; want fail_to_process %q", j.Status, j.Result, j.Summary, j.Owner, want)
	}
	if n := r.Stats().GaveUp.Load(); n != 1 {
		t.Errorf("GaveUp = %d; want 1", n)
	}
	// The job whose entry is waiting is left to River.
	if o, _ := e.store.Get(ctx, other); o.Status != jobs.StatusReadyToProcess {
		t.Errorf("the other job is %s; want ready_to_process", o.Status)
	}
	p, err := e.store.List(ctx, jobs.Filter{Unfinished: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range p.Entries {
		if u.Status == jobs.StatusProcessing {
			t.Errorf("job %d is still processing", u.ID)
		}
	}
}

// TestRetention sweeps with Retain 1h: the jobs that finished before are
// deleted with their queue entries, documents and artifacts; nothing else
// is.
func TestRetention(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.newRunner(t, config{Retain: time.Hour})
	csv, err := formats.Lookup("csv")
	if err != nil {
		t.Fatal(err)
	}
	const node = "n1"
	// rendered starts job id and renders its csv artifact.
	rendered := func(id int64) {
		j, err := jobs.Start(ctx, e.store, id, node)
		if err != nil {
			t.Fatal(err)
		}
		b, err := artifact.Render(ctx, e.blobs, csv, j, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jobs.AddArtifact(ctx, e.store, id, node, "csv", b); err != nil {
			t.Fatal(err)
		}
	}
	doc := document(5)
	complete := func() int64 {
		id := e.submit(t, doc, "csv")
		rendered(id)
		if _, err := jobs.Complete(ctx, e.store, id, node); err != nil {
			t.Fatal(err)
		}
		return id
	}
	oldComplete := complete()
	oldFailed := e.submit(t, doc, "csv", "refuse")
	rendered(oldFailed)
	if _, err := jobs.FailFormat(ctx, e.store, oldFailed, node, "refuse", "too many pages"); err != nil {
		t.Fatal(err)
	}
	oldCanceled := e.submit(t, doc, "csv")
	if _, err := jobs.Cancel(ctx, e.store, oldCanceled); err != nil {
		t.Fatal(err)
	}
	oldOnDownload := e.submit(t, doc) // complete at once; formats render on download
	recent := complete()
	oldReady := e.submit(t, doc, "csv")
	oldProcessing := e.submit(t, doc, "csv")
	rendered(oldProcessing)
	oldReceiving := &jobs.Job{Status: jobs.StatusRequestReceived, CreatedBy: "bob"}
	if err := e.store.Create(ctx, oldReceiving); err != nil {
		t.Fatal(err)
	}
	expired := []int64{oldComplete, oldFailed, oldCanceled, oldOnDownload}
	kept := []int64{recent, oldReady, oldProcessing, oldReceiving.ID}

	now := time.Now()
	for _, id := range append(slices.Clone(expired), oldReady, oldProcessing, oldReceiving.ID) {
		e.age(t, id, now.Add(-2*time.Hour))
	}
	e.age(t, recent, now.Add(-50*time.Minute))

	// what returns the jobs, queue entries and blobs that ids should have.
	what := func(ids []int64) (jobIDs, queueIDs []int64, keys []string) {
		for _, id := range ids {
			j, err := e.store.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			jobIDs = append(jobIDs, id)
			if j.QueueID != 0 {
				queueIDs = append(queueIDs, j.QueueID)
			}
			if j.Document != nil {
				keys = append(keys, j.Document.Key)
			}
			for _, b := range j.Artifacts {
				keys = append(keys, b.Key)
			}
		}
		slices.Sort(jobIDs)
		slices.Sort(queueIDs)
		slices.Sort(keys)
		return jobIDs, queueIDs, keys
	}
	allJobs, allQueue, allKeys := what(append(slices.Clone(expired), kept...))
	keptJobs, keptQueue, keptKeys := what(kept)
	if len(allQueue) != 6 || len(allKeys) != 11 {
		t.Fatalf("set-up: %d queue entries, %d blobs; want 6 and 11", len(allQueue), len(allKeys))
	}
	e.checkStored(t, "before the sweep", allJobs, allQueue, allKeys)

	if err := r.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	e.checkStored(t, "after the sweep", keptJobs, keptQueue, keptKeys)
	if n := r.Stats().Deleted.Load(); n != int64(len(expired)) {
		t.Errorf("Deleted = %d; want %d", n, len(expired))
	}
	for _, id := range kept {
		if j, _ := e.store.Get(ctx, id); j.Status == jobs.StatusFailToReceive || j.Status == jobs.StatusFailToProcess {
			t.Errorf("kept job %d was changed: %s %q", id, j.Status, j.Summary)
		}
	}
}

// TestRetentionOfCutUpload expires a job whose upload was cut after its
// document was stored: the job names no document, the document goes with
// the job all the same.
func TestRetentionOfCutUpload(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.newRunner(t, config{Retain: time.Hour})
	j := &jobs.Job{Status: jobs.StatusRequestReceived, CreatedBy: "bob"}
	if err := e.store.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	w, _ := e.blobs.Create(ctx, artifact.DocumentKey(j.RequestID))
	w.Write(document(1))
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.FailReceive(ctx, e.store, j.ID, "the upload was cut"); err != nil {
		t.Fatal(err)
	}
	e.age(t, j.ID, time.Now().Add(-2*time.Hour))
	if err := r.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Get(ctx, j.ID); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("the expired job: %v", err)
	}
	if _, err := e.blobs.Open(ctx, artifact.DocumentKey(j.RequestID)); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("its document: %v, want it deleted", err)
	}
}

// TestRetentionOfLeftEntries checks that River deletes, past Retain, the
// queue entries a resumed job left behind (folio deletes only a job's
// current entry, with the job).
func TestRetentionOfLeftEntries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.newRunner(t, config{Retain: time.Hour})
	ids := []int64{e.submit(t, document(5), "csv"), e.submit(t, document(5), "csv")}
	var left []int64
	for _, id := range ids {
		j, _ := e.store.Get(ctx, id)
		left = append(left, j.QueueID)
		// As after a crash: the job is queued again with a new entry.
		if _, err := jobs.Resume(ctx, e.store, id, "resumed after a server restart"); err != nil {
			t.Fatal(err)
		}
	}
	// The entries left behind ended as River's rescuer ends them: one two
	// hours ago, one ten minutes ago.
	for i, ago := range []time.Duration{2 * time.Hour, 10 * time.Minute} {
		at := time.Now().Add(-ago).UTC().Format("2006-01-02 15:04:05.000")
		if _, err := e.store.DB().Exec(`UPDATE river_job SET state = 'cancelled', finalized_at = ? WHERE id = ?`, at, left[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer stop(t, r)
	for _, id := range ids {
		e.wait(t, id, 10*time.Second, final)
	}
	count := func(id int64) (n int) {
		e.store.DB().QueryRow(`SELECT count(*) FROM river_job WHERE id = ?`, id).Scan(&n)
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); count(left[0]) != 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("River's entry %d, ended two hours ago, is still there 10 s after the start", left[0])
		}
	}
	if count(left[1]) != 1 {
		t.Errorf("River's entry %d, ended ten minutes ago, was deleted", left[1])
	}
}

// age sets the last update of job id to at.
func (e *env) age(t *testing.T, id int64, at time.Time) {
	t.Helper()
	if _, err := e.store.DB().Exec(`UPDATE folio_job SET updated_at = ? WHERE id = ?`, at.UnixMilli(), id); err != nil {
		t.Fatal(err)
	}
}

// checkStored checks that e holds exactly those jobs, River entries and
// blobs (every file under the blob directory but its temporary ones).
func (e *env) checkStored(t *testing.T, when string, jobIDs, queueIDs []int64, keys []string) {
	t.Helper()
	ids := func(table string) []int64 {
		rows, err := e.store.DB().Query(`SELECT id FROM ` + table + ` ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		return ids
	}
	if got := ids("folio_job"); !slices.Equal(got, jobIDs) {
		t.Errorf("%s: folio_job rows %v; want %v", when, got, jobIDs)
	}
	if got := ids("river_job"); !slices.Equal(got, queueIDs) {
		t.Errorf("%s: river_job rows %v; want %v", when, got, queueIDs)
	}
	root := filepath.Join(e.dir, "blobs")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".tmp" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	if !slices.Equal(files, keys) {
		t.Errorf("%s: blobs %v; want %v", when, files, keys)
	}
}

// fullBlobs is a blob store whose artifact writes fail with ENOSPC while
// full is set.
type fullBlobs struct {
	*blob.Dir
	full   atomic.Bool
	failed atomic.Int64
}

func (s *fullBlobs) Create(ctx context.Context, key string) (blob.Writer, error) {
	w, err := s.Dir.Create(ctx, key)
	if err != nil || !strings.HasPrefix(key, artifact.ArtifactPrefix) {
		return w, err
	}
	return &fullWriter{w, s, key}, nil
}

type fullWriter struct {
	blob.Writer
	s   *fullBlobs
	key string
}

func (w *fullWriter) Write(p []byte) (int, error) {
	if w.s.full.Load() {
		w.s.failed.Add(1)
		return 0, &os.PathError{Op: "write", Path: w.key, Err: syscall.ENOSPC}
	}
	return w.Writer.Write(p)
}

// TestStorageFull renders a job while the storage is full: it waits, with
// its try given back, and completes once there is room.
func TestStorageFull(t *testing.T) {
	e := newEnv(t)
	blobs := &fullBlobs{Dir: e.blobs}
	blobs.full.Store(true)
	r := e.runner(t, config{Blobs: blobs, RetryPolicy: soon(200 * time.Millisecond), PollInterval: 50 * time.Millisecond})
	defer stop(t, r)
	doc := document(20)
	id := e.submit(t, doc, "csv")
	const why = "the storage is full; tried again later"
	j := e.wait(t, id, 10*time.Second, func(j *jobs.Job) bool {
		return j.Status.Final() || j.Status == jobs.StatusReadyToProcess && j.Summary == why
	})
	if j.Status != jobs.StatusReadyToProcess || len(j.Tries) != 0 || len(j.Failures) != 0 || len(j.Artifacts) != 0 {
		t.Fatalf("while full: %s %q, tries %v, failures %v, artifacts %v; want ready_to_process, no try",
			j.Status, j.Summary, j.Tries, j.Failures, j.Artifacts)
	}
	if blobs.failed.Load() == 0 {
		t.Fatal("no artifact write failed")
	}
	blobs.full.Store(false)
	e.wait(t, id, 10*time.Second, final)
	j = e.checkComplete(t, id, doc, "csv")
	if len(j.Tries) != 0 || len(j.Failures) != 0 {
		t.Errorf("tries %v, failures %v; want none", j.Tries, j.Failures)
	}
	if q := e.settledEntry(t, id); q.Attempt < 2 || q.State != "completed" {
		t.Errorf("River's entry: %+v; want completed after 2 attempts or more", q)
	}
	if tmp, _ := e.blobs.TempFiles(); len(tmp) != 0 {
		t.Errorf("temp files: %v", tmp)
	}
}

// TestStorageFullGivesUp keeps the storage full: the job fails when its
// queue entry has no attempt left. The deadline is generous: ten attempts,
// each a River fetch, take seconds on a loaded machine under the race
// detector.
func TestStorageFullGivesUp(t *testing.T) {
	e := newEnv(t)
	blobs := &fullBlobs{Dir: e.blobs}
	blobs.full.Store(true)
	r := e.runner(t, config{Blobs: blobs, RetryPolicy: soon(10 * time.Millisecond), PollInterval: 20 * time.Millisecond})
	defer stop(t, r)
	id := e.submit(t, document(5), "csv")
	start := time.Now()
	j := e.wait(t, id, 90*time.Second, final)
	t.Logf("failed in %s: %s", time.Since(start), j.Summary)
	q := e.settledEntry(t, id)
	if j.Status != jobs.StatusFailToProcess || !strings.Contains(j.Summary, "interrupted 10 times") ||
		!strings.Contains(j.Summary, syscall.ENOSPC.Error()) {
		t.Errorf("job: %s %q; want fail_to_process, interrupted 10 times by a full storage", j.Status, j.Summary)
	}
	if len(j.Tries) != 0 || j.Owner != "" {
		t.Errorf("tries %v, owner %q", j.Tries, j.Owner)
	}
	if q.State != "cancelled" || q.Attempt != q.MaxTries {
		t.Errorf("River's entry: %+v; want cancelled at its last attempt", q)
	}
	if n := blobs.failed.Load(); n != int64(q.MaxTries) {
		t.Errorf("%d failed artifact writes; want one per attempt (%d)", n, q.MaxTries)
	}
	e.checkNoneUnfinished(t)
}

// TestRenderFails renders a format that can never render the document: the
// job fails at the first attempt, which River does not retry.
func TestRenderFails(t *testing.T) {
	e := newEnv(t)
	r := e.runner(t, config{RetryPolicy: soon(10 * time.Millisecond), PollInterval: 20 * time.Millisecond})
	defer stop(t, r)
	refusals.Store(0)
	id := e.submit(t, document(5), "csv", "refuse")
	j := e.wait(t, id, 10*time.Second, final)
	const why = "rendering refuse: the document needs more pages than the limit of 1"
	if j.Status != jobs.StatusFailToProcess || j.Summary != why || j.Failures["refuse"] != why || len(j.Failures) != 1 {
		t.Errorf("job: %s %q, failures %v; want fail_to_process %q", j.Status, j.Summary, j.Failures, why)
	}
	if len(j.Tries) != 0 {
		t.Errorf("tries %v; want none", j.Tries)
	}
	// A retry would have run by now.
	time.Sleep(300 * time.Millisecond)
	if q := e.settledEntry(t, id); q.State != "cancelled" || q.Attempt != 1 {
		t.Errorf("River's entry: %+v; want cancelled after 1 attempt", q)
	}
	if n := refusals.Load(); n != 1 {
		t.Errorf("rendered %d times; want 1", n)
	}
}

// TestCancelWaitingForSlot cancels a job whose worker waits for a render
// slot, or gives it to another node: the worker stops waiting and ends its
// attempt, and the job stays as the test left it.
func TestCancelWaitingForSlot(t *testing.T) {
	for _, tc := range []struct {
		name  string
		leave func(context.Context, jobs.Store, int64) (*jobs.Job, error)
		ok    func(*jobs.Job) bool
	}{
		{"canceled", jobs.Cancel, func(j *jobs.Job) bool { return j.Status == jobs.StatusCanceled }},
		{"taken over", func(ctx context.Context, s jobs.Store, id int64) (*jobs.Job, error) {
			return jobs.Start(ctx, s, id, "other-node")
		}, func(j *jobs.Job) bool { return j.Status == jobs.StatusProcessing && j.Owner == "other-node" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			pool := artifact.NewPool(1)
			release, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			r := e.runner(t, config{Pool: pool, CancelPoll: 50 * time.Millisecond,
				RetryPolicy: soon(10 * time.Millisecond), PollInterval: 20 * time.Millisecond})
			defer stop(t, r)
			id := e.submit(t, document(5), "csv")
			e.wait(t, id, 10*time.Second, func(j *jobs.Job) bool { return j.Status == jobs.StatusProcessing && pool.Waiting() == 1 })
			start := time.Now()
			if _, err := tc.leave(ctx, e.store, id); err != nil {
				t.Fatal(err)
			}
			for r.Busy() != 0 || pool.Waiting() != 0 {
				if time.Since(start) > 2*time.Second {
					t.Fatalf("the worker still waits for a slot 2 s later (busy %d, waiting %d)", r.Busy(), pool.Waiting())
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Logf("the worker returned after %s", time.Since(start))
			release()
			time.Sleep(300 * time.Millisecond) // a retry would have run by now
			// The attempt ended the entry: it is not retried.
			if q := e.settledEntry(t, id); q.Attempt != 1 || q.State != "cancelled" && q.State != "completed" {
				t.Errorf("River's entry: %+v; want ended after 1 attempt", q)
			}
			j, err := e.store.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.ok(j) || len(j.Artifacts) != 0 || len(j.Tries) != 0 {
				t.Errorf("job: %s owner %q %q, artifacts %v, tries %v", j.Status, j.Owner, j.Summary, j.Artifacts, j.Tries)
			}
		})
	}
}
