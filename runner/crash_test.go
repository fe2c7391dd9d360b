package runner_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/internal/pgtest"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/postgres"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/runner"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// The crash tests run the test binary itself as the server process: with
// childEnv set to a directory, TestMain runs a runner on the store and
// blobs in it instead of the tests (see child).
const (
	childEnv        = "FOLIO_RUNNER_CHILD"
	childWorkersEnv = "FOLIO_RUNNER_CHILD_WORKERS"
	crashExit       = 3 // the exit code of the crash renderer
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(child(dir))
	}
	code := pgtest.Main(m, "runner") // PostgreSQL for postgres_test.go
	gateways.Stop()
	os.Exit(code)
}

// crash reads the first rows of a table, works on them for 200 ms (other
// renders go on meanwhile), then kills the process, as an out-of-memory
// kill or a fatal runtime error would: nothing recovers.
type crash struct{}

func (crash) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if t, ok := el.(*report.Table); ok {
			n := 0
			for _, err := range t.Rows() {
				if err != nil {
					return err
				}
				if n++; n == 3 {
					time.Sleep(200 * time.Millisecond)
					fmt.Fprintln(os.Stderr, "crash: killing the process")
					os.Exit(crashExit)
				}
			}
		}
	}
	return errors.New("crash: the document has no table of 3 rows")
}

// With childDSNEnv set too, the server process is a node named
// childNodeEnv on that PostgreSQL database, with leases of childLease and
// its blobs in the directory shared with the other nodes (see childPG).
const (
	childDSNEnv  = "FOLIO_RUNNER_CHILD_DSN"
	childNodeEnv = "FOLIO_RUNNER_CHILD_NODE"
	childLease   = time.Second
	// childMaxAttempts is the nodes' MaxAttempts: two deaths, so that
	// two nodes each die of a poison job once.
	childMaxAttempts = 2
)

// childFormats are the formats of the tests and "crash".
func childFormats() registry {
	reg := maps.Clone(formats)
	reg["crash"] = render.Format{Name: "crash", MediaType: "text/plain", Ext: ".crash",
		New: func(*render.OptionReader) (render.Renderer, error) { return crash{}, nil }}
	return reg
}

// child is the server process of the crash tests: it renders the jobs of
// the store in dir with the formats of the tests and "crash", and exits 0
// when no job is unfinished (4 if some still are after 20 s).
func child(dir string) int {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if dsn := os.Getenv(childDSNEnv); dsn != "" {
		return childPG(ctx, log, dir, dsn, os.Getenv(childNodeEnv))
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "folio.db"))
	if err != nil {
		return childFail(log, err)
	}
	defer st.Close()
	bl, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		return childFail(log, err)
	}
	workers, _ := strconv.Atoi(os.Getenv(childWorkersEnv))
	r, err := runner.New(ctx, runner.Config[*sql.Tx]{
		Store: st, Driver: riversqlite.New(st.DB()), Blobs: bl, Formats: childFormats(),
		Exclusive: true, Workers: workers, PollInterval: 50 * time.Millisecond,
		CancelPoll: 50 * time.Millisecond, Logger: log,
	})
	if err != nil {
		return childFail(log, err)
	}
	return serveUntilDone(ctx, log, st, r)
}

// childPG is a node on the PostgreSQL database at dsn, one of several
// sharing it and the blobs in dir (as servers share a file system).
func childPG(ctx context.Context, log *slog.Logger, dir, dsn, node string) int {
	log = log.With("test_node", node)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		return childFail(log, err)
	}
	defer st.Close()
	bl, err := blob.NewSharedDir(filepath.Join(dir, "blobs"))
	if err != nil {
		return childFail(log, err)
	}
	workers, _ := strconv.Atoi(os.Getenv(childWorkersEnv))
	r, err := runner.New(ctx, runner.Config[pgx.Tx]{
		Store: st, Driver: riverpgxv5.New(st.Pool()), Blobs: bl, Formats: childFormats(),
		Node: node, Leases: st, Locker: st, Lease: childLease, MaxAttempts: childMaxAttempts,
		Workers: workers, PollInterval: 50 * time.Millisecond, CancelPoll: 50 * time.Millisecond, Logger: log,
	})
	if err != nil {
		return childFail(log, err)
	}
	return serveUntilDone(ctx, log, st, r)
}

func childFail(log *slog.Logger, err error) int {
	log.Error("child", "error", err)
	return 1
}

// serveUntilDone starts r, waits until st has no unfinished job, and stops
// r: it returns 0, or 4 if jobs are still unfinished after 20 s.
func serveUntilDone[TTx any](ctx context.Context, log *slog.Logger, st jobs.Store, r *runner.Runner[TTx]) int {
	if err := r.Start(ctx); err != nil {
		return childFail(log, err)
	}
	code := 0
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p, err := st.List(ctx, jobs.Filter{Unfinished: true, PerPage: 1})
		if err != nil {
			return childFail(log, err)
		}
		if p.TotalEntries == 0 {
			break
		}
		if time.Now().After(deadline) {
			log.Error("child: jobs still unfinished after 20 s", "jobs", p.TotalEntries)
			code = 4
			break
		}
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.Stop(sctx); err != nil {
		return childFail(log, err)
	}
	return code
}

// startChild starts the server process on e's directory with that many
// workers; its output goes to out.
func (e *env) startChild(t *testing.T, workers int, out *bytes.Buffer) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+e.dir, childWorkersEnv+"="+strconv.Itoa(workers))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// runChild runs the server process until it exits, at most 60 s, and
// returns its exit code.
func (e *env) runChild(t *testing.T, workers int) int {
	t.Helper()
	var out bytes.Buffer
	cmd := e.startChild(t, workers, &out)
	timer := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	code := cmd.ProcessState.ExitCode()
	if code != 0 && code != crashExit || testing.Verbose() {
		t.Logf("server process exited %d:\n%s", code, out.Bytes())
	}
	return code
}

// TestPoisonJob runs a job whose render kills the server process, between
// jobs that render well: the server is started again each time it dies,
// and the poison job is given up after MaxAttempts deaths while the other
// jobs complete.
func TestPoisonJob(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.newRunner(t, config{}) // River's tables and the hook that queues jobs
	doc := document(20)
	good1 := e.submit(t, doc, "csv", "json")
	poison := e.submit(t, doc, "csv", "crash")
	good2 := e.submit(t, doc, "json")

	const limit = runner.DefaultMaxAttempts
	deaths := 0
	start := time.Now()
	for starts := 1; ; starts++ {
		if starts > limit+3 {
			t.Fatalf("the server still crashes after %d starts", starts-1)
		}
		// One worker: each death is the poison job's alone.
		code := e.runChild(t, 1)
		if code == 0 {
			break
		}
		if code != crashExit {
			t.Fatalf("start %d: the server exited %d", starts, code)
		}
		deaths++
		j, err := e.store.Get(ctx, poison)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != jobs.StatusProcessing || j.Tries["crash"] != deaths || len(j.Failures) != 0 {
			t.Fatalf("after death %d: %s, tries %v, failures %v; want processing with %d crash tries",
				deaths, j.Status, j.Tries, j.Failures, deaths)
		}
		if deaths == limit {
			// The good jobs were not held back by the crash loop.
			for _, id := range []int64{good1, good2} {
				if g, _ := e.store.Get(ctx, id); g.Status != jobs.StatusComplete {
					t.Errorf("job %d is %s after %d deaths: the poison job holds it back", id, g.Status, deaths)
				}
			}
		}
	}
	t.Logf("%d deaths, then the poison job was given up, in %s", deaths, time.Since(start))
	if deaths != limit {
		t.Errorf("the server died %d times; want %d", deaths, limit)
	}

	j, err := e.store.Get(ctx, poison)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("rendering crash crashed the renderer %d times; it is not tried again", limit)
	if j.Status != jobs.StatusFailToProcess || j.Result != jobs.ResultFailure || j.Summary != want {
		t.Errorf("poison job: %s %s %q; want fail_to_process %q", j.Status, j.Result, j.Summary, want)
	}
	if len(j.Failures) != 1 || j.Failures["crash"] != want || len(j.Tries) != 0 || j.Owner != "" {
		t.Errorf("poison job: failures %v, tries %v, owner %q", j.Failures, j.Tries, j.Owner)
	}
	if got := e.artifactBytes(t, j.Artifacts["csv"]); !bytes.Equal(got, direct(t, "csv", doc)) {
		t.Error("the poison job's csv artifact differs from a direct render")
	}
	if state := e.queueState(t, j.QueueID); state != "cancelled" {
		t.Errorf("the poison job's queue entry is %s; want cancelled", state)
	}
	for id, formats := range map[int64][]string{good1: {"csv", "json"}, good2: {"json"}} {
		g := e.checkComplete(t, id, doc, formats...)
		if len(g.Tries) != 0 || len(g.Failures) != 0 {
			t.Errorf("job %d: tries %v, failures %v", id, g.Tries, g.Failures)
		}
	}
	e.checkNoneUnfinished(t)
}

// TestPoisonJobBesideOthers runs two poison jobs beside a job that renders
// well but slowly, with two workers: a death is charged to every render in
// progress, so the slow job gets a try counted for a death that was not its
// own. It then renders alone and completes; the poison jobs are given up.
func TestPoisonJobBesideOthers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.newRunner(t, config{})
	doc := document(40) // 0.8 s of slow rows
	slowJob := e.submit(t, doc, "slow")
	poison := []int64{e.submit(t, doc, "crash"), e.submit(t, doc, "crash")}

	const limit = runner.DefaultMaxAttempts
	deaths, beside := 0, 0
	for starts := 1; ; starts++ {
		if starts > 2*limit+3 {
			t.Fatalf("the server still crashes after %d starts", starts-1)
		}
		code := e.runChild(t, 2)
		if code == 0 {
			break
		}
		if code != crashExit {
			t.Fatalf("start %d: the server exited %d", starts, code)
		}
		deaths++
		s, err := e.store.Get(ctx, slowJob)
		if err != nil {
			t.Fatal(err)
		}
		if s.Tries["slow"] > 1 || s.Status.Final() && s.Status != jobs.StatusComplete {
			t.Fatalf("after death %d, the slow job is %s %q with tries %v: it is blamed for the poison jobs",
				deaths, s.Status, s.Summary, s.Tries)
		}
		if s.Tries["slow"] == 1 {
			beside++
		}
	}
	if beside == 0 {
		t.Fatal("the slow job never rendered beside a poison job")
	}
	if deaths != 2*limit {
		t.Errorf("the server died %d times; want %d", deaths, 2*limit)
	}
	want := fmt.Sprintf("rendering crash crashed the renderer %d times; it is not tried again", limit)
	for _, id := range poison {
		j, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != jobs.StatusFailToProcess || j.Summary != want || len(j.Tries) != 0 {
			t.Errorf("poison job %d: %s %q, tries %v; want fail_to_process %q", id, j.Status, j.Summary, j.Tries, want)
		}
	}
	if s := e.checkComplete(t, slowJob, doc, "slow"); len(s.Tries) != 0 || len(s.Failures) != 0 {
		t.Errorf("slow job: tries %v, failures %v", s.Tries, s.Failures)
	}
	e.checkNoneUnfinished(t)
}

// TestKilledMidRender kills the server process while it renders a job:
// the next process resumes the job and completes it.
func TestKilledMidRender(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.newRunner(t, config{})
	doc := document(75) // 1.5 s of slow rows
	id := e.submit(t, doc, "csv", "slow")

	var out bytes.Buffer
	cmd := e.startChild(t, 1, &out)
	e.wait(t, id, 30*time.Second, func(j *jobs.Job) bool {
		_, csv := j.Artifacts["csv"]
		return j.Status.Final() || csv && j.Tries["slow"] == 1
	})
	time.Sleep(200 * time.Millisecond) // into the slow render
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	j, err := e.store.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != jobs.StatusProcessing || j.Tries["slow"] != 1 {
		t.Fatalf("killed mid-render: %s %q, tries %v; want processing with a slow try (output:\n%s)",
			j.Status, j.Summary, j.Tries, out.Bytes())
	}

	if code := e.runChild(t, 1); code != 0 {
		t.Fatalf("the next server process exited %d", code)
	}
	j = e.checkComplete(t, id, doc, "csv", "slow")
	if len(j.Tries) != 0 || len(j.Failures) != 0 {
		t.Errorf("tries %v, failures %v; want none", j.Tries, j.Failures)
	}
	if tmp, _ := e.blobs.TempFiles(); len(tmp) != 0 {
		t.Errorf("temp files: %v", tmp)
	}
	e.checkNoneUnfinished(t)
}

// checkComplete checks that job id is complete with artifacts equal to
// direct renders of doc in formats, and returns it.
func (e *env) checkComplete(t *testing.T, id int64, doc []byte, formats ...string) *jobs.Job {
	t.Helper()
	j, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != jobs.StatusComplete || j.Result != jobs.ResultSuccess {
		t.Errorf("job %d: %s %s %q; want complete", id, j.Status, j.Result, j.Summary)
		return j
	}
	for _, name := range formats {
		b, ok := j.Artifacts[name]
		if !ok {
			t.Errorf("job %d: no %s artifact", id, name)
			continue
		}
		if got := e.artifactBytes(t, b); !bytes.Equal(got, direct(t, name, doc)) {
			t.Errorf("job %d: the %s artifact differs from a direct render", id, name)
		}
	}
	return j
}

// checkNoneUnfinished checks that no job of e is unfinished.
func (e *env) checkNoneUnfinished(t *testing.T) {
	t.Helper()
	p, err := e.store.List(context.Background(), jobs.Filter{Unfinished: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range p.Entries {
		t.Errorf("job %d is still %s (%s)", j.ID, j.Status, j.Summary)
	}
}

// queueState returns the state of River's entry with that ID.
func (e *env) queueState(t *testing.T, queueID int64) string {
	t.Helper()
	var state string
	if err := e.store.DB().QueryRow(`SELECT state FROM river_job WHERE id = ?`, queueID).Scan(&state); err != nil {
		t.Fatalf("River's entry %d: %v", queueID, err)
	}
	return state
}
