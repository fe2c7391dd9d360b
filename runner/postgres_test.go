package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/internal/pgtest"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/postgres"
	"github.com/foliorender/folio/runner"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// The tests in this file run runners as nodes sharing one PostgreSQL
// database: each node has its own store (its own pool and hook), as
// separate servers would.

type pgEnv struct {
	dsn   string
	blobs *blob.Dir
	logs  syncLog
}

// syncLog collects the nodes' logs, shown when a test fails.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newPGEnv(t *testing.T) *pgEnv {
	dsn := pgtest.Fresh(t)
	bl, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &pgEnv{dsn: dsn, blobs: bl}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", e.logs.String())
		}
	})
	return e
}

func (e *pgEnv) store(t *testing.T) *postgres.Store {
	s, err := postgres.Open(context.Background(), e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type pgConfig = runner.Config[pgx.Tx]

// node makes a runner named name on a store of its own, not started. The
// store's Leases may be replaced with cfg.Leases.
func (e *pgEnv) node(t *testing.T, name string, cfg pgConfig) (*runner.Runner[pgx.Tx], *postgres.Store) {
	t.Helper()
	st := e.store(t)
	cfg.Store, cfg.Driver, cfg.Formats, cfg.Node, cfg.Locker = st, riverpgxv5.New(st.Pool()), formats, name, st
	if cfg.Leases == nil {
		cfg.Leases = st
	}
	if cfg.Blobs == nil {
		cfg.Blobs = e.blobs
	}
	if cfg.Lease == 0 {
		cfg.Lease = 600 * time.Millisecond
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	cfg.Logger = slog.New(slog.NewTextHandler(&e.logs, nil)).With("test_node", name)
	r, err := runner.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r, st
}

func start(t *testing.T, r *runner.Runner[pgx.Tx]) {
	t.Helper()
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Stop(ctx)
	})
}

// submit stores doc and a job asking for formats through s, as a server
// on that node does.
func (e *pgEnv) submit(t *testing.T, s jobs.Store, doc []byte, formats ...string) int64 {
	t.Helper()
	ctx := context.Background()
	j := &jobs.Job{Status: jobs.StatusRequestReceived, Entity: "report", Operation: "render", CreatedBy: "alice", Formats: formats}
	if err := s.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	w, _ := e.blobs.Create(ctx, artifact.DocumentKey(j.RequestID))
	w.Write(doc)
	b, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Receive(ctx, s, j.ID, b); err != nil {
		t.Fatal(err)
	}
	return j.ID
}

func waitJob(t *testing.T, s jobs.Store, id int64, d time.Duration, ok func(*jobs.Job) bool) *jobs.Job {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		j, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d: still %s %.2f owner %q (%s) after %s", id, j.Status, j.PercentCompleted, j.Owner, j.Summary, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *pgEnv) bytesOf(t *testing.T, b jobs.Blob) []byte {
	f, err := e.blobs.Open(context.Background(), b.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	buf.ReadFrom(f)
	return buf.Bytes()
}

// TestPostgresMigrateTogether starts four runners on an empty database at
// once: River's migrations run once, under the lock.
func TestPostgresMigrateTogether(t *testing.T) {
	e := newPGEnv(t)
	stores := []*postgres.Store{e.store(t), e.store(t), e.store(t), e.store(t)}
	var wg sync.WaitGroup
	errs := make([]error, len(stores))
	for i, st := range stores {
		wg.Go(func() {
			_, errs[i] = runner.New(context.Background(), pgConfig{Store: st, Driver: riverpgxv5.New(st.Pool()),
				Blobs: e.blobs, Locker: st, Leases: st, Node: fmt.Sprint("n", i), Logger: slog.New(slog.NewTextHandler(&e.logs, nil))})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := stores[0].Pool().QueryRow(context.Background(), "SELECT count(*) FROM river_migration").Scan(&n); err != nil || n == 0 {
		t.Errorf("river_migration: %d rows, %v", n, err)
	}
}

// TestPostgresShare renders jobs posted on two nodes: both nodes work,
// each job completes once, and Stop releases each node's lease.
func TestPostgresShare(t *testing.T) {
	e := newPGEnv(t)
	a, sa := e.node(t, "a", pgConfig{})
	b, sb := e.node(t, "b", pgConfig{})
	start(t, a)
	start(t, b)
	doc := document(20)
	var ids []int64
	for i := range 10 {
		s := sa
		if i%2 == 1 {
			s = sb
		}
		ids = append(ids, e.submit(t, s, doc, "csv", "json"))
	}
	for _, id := range ids {
		j := waitJob(t, sa, id, 20*time.Second, final)
		if j.Status != jobs.StatusComplete || j.Owner != "" {
			t.Errorf("job %d: %s owner %q %q", id, j.Status, j.Owner, j.Summary)
		}
	}
	if na, nb := a.Stats().Rendered.Load(), b.Stats().Rendered.Load(); na+nb != 20 {
		t.Errorf("formats rendered: %d on a, %d on b; want 20 in all", na, nb)
	}
	ls, err := sa.Leases(context.Background())
	if err != nil || len(ls) != 2 || ls[0].Node != "a" || ls[1].Node != "b" || ls[0].Expired || ls[1].Expired {
		t.Errorf("leases of two running nodes: %+v, %v", ls, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if ls, _ := sb.Leases(ctx); len(ls) != 1 || ls[0].Node != "b" {
		t.Errorf("leases after a stopped: %+v; want b's only", ls)
	}
}

// lyingLeases is a node's lease store that, once cut, reports renewals
// that never reach the database: the node believes it is alive while the
// others see it dead (a process paused, or cut off from the database,
// longer than its lease).
type lyingLeases struct {
	leaseStore
	cut atomic.Bool
}

// leaseStore is jobs.Leases under a name that is not one of its methods,
// to embed.
type leaseStore = jobs.Leases

func (l *lyingLeases) Renew(ctx context.Context, node, instance string, lease time.Duration) error {
	if l.cut.Load() {
		return nil
	}
	return l.leaseStore.Renew(ctx, node, instance, lease)
}

// failingLeases fails every renewal once cut.
type failingLeases struct {
	leaseStore
	cut atomic.Bool
}

func (l *failingLeases) Renew(ctx context.Context, node, instance string, lease time.Duration) error {
	if l.cut.Load() {
		return errors.New("connection refused")
	}
	return l.leaseStore.Renew(ctx, node, instance, lease)
}

// TestPostgresLeaseExpired renders a job on node a and lets its lease
// expire while a renders: b resumes the job, which completes once; a's
// worker stops and records nothing. When a believes it is alive (lying),
// what stops it is its queue entry replaced; when a sees its renewals
// fail, it stops by itself, and takes no job until it renews again.
func TestPostgresLeaseExpired(t *testing.T) {
	for _, tc := range []struct {
		name  string
		wrap  func(jobs.Leases) (jobs.Leases, func())
		stops string // the log line of a's worker stopping
	}{
		{"lying", func(l jobs.Leases) (jobs.Leases, func()) {
			w := &lyingLeases{leaseStore: l}
			return w, func() { w.cut.Store(true) }
		}, "render stopped: the queue entry was canceled or replaced"},
		{"failing", func(l jobs.Leases) (jobs.Leases, func()) {
			w := &failingLeases{leaseStore: l}
			return w, func() { w.cut.Store(true) }
		}, "render stopped: this node's lease expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPGEnv(t)
			sa := e.store(t)
			leases, cut := tc.wrap(sa)
			a, sa := e.node(t, "a", pgConfig{Leases: leases, CancelPoll: 50 * time.Millisecond})
			start(t, a)
			doc := document(100) // slow: 2 s
			id := e.submit(t, sa, doc, "slow")
			waitJob(t, sa, id, 10*time.Second, func(j *jobs.Job) bool { return j.Owner == "a" && j.PercentCompleted > 0.1 })
			b, sb := e.node(t, "b", pgConfig{})
			start(t, b)
			cutAt := time.Now()
			cut()
			j := waitJob(t, sb, id, 20*time.Second, final)
			t.Logf("complete %s after a's lease was cut", time.Since(cutAt).Round(time.Millisecond))
			if j.Status != jobs.StatusComplete || !bytes.Equal(e.bytesOf(t, j.Artifacts["slow"]), direct(t, "slow", doc)) {
				t.Fatalf("job: %s %q", j.Status, j.Summary)
			}
			// a's first attempt stopped, rendering nothing: the resumed job
			// is rendered once, by b, or by a through the new entry if a
			// believes it is alive (it is).
			na, nb := a.Stats().Rendered.Load(), b.Stats().Rendered.Load()
			if na+nb != 1 || tc.name == "failing" && nb != 1 {
				t.Errorf("rendered %d formats on a, %d on b; want 1 in all (on b when a knows its lease expired)", na, nb)
			}
			for deadline := time.Now().Add(2 * time.Second); a.Busy() != 0; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("a's worker still renders 2 s after the job completed on b")
				}
			}
			if !strings.Contains(e.logs.String(), tc.stops) {
				t.Errorf("no log line %q", tc.stops)
			}
			if j.Tries["slow"] != 0 {
				t.Errorf("tries %v after completing", j.Tries)
			}
		})
	}
}

// TestPostgresStartTouchesOwnJobsOnly starts nodes while another renders:
// their starts leave its job alone. A node restarted under the name of
// one that died waits for the dead one's lease; then its jobs (a render
// whose entry it had fetched, and an upload it was receiving) are
// resumed, by it or by the live node's lease sweep.
func TestPostgresStartTouchesOwnJobsOnly(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	// The live node's lease is long: what is tested is that the starts of
	// others leave its job alone, and a loaded machine can delay a renewal
	// of the default 600 ms past its end (the node then stops rendering).
	a, sa := e.node(t, "a", pgConfig{Lease: 5 * time.Second})

	// As a node x that died would leave them: a job it rendered, with its
	// entry running, an upload it received, and its lease.
	dead := e.submit(t, sa, document(5), "csv")
	if _, err := jobs.Start(ctx, sa, dead, "x"); err != nil {
		t.Fatal(err)
	}
	tag, err := sa.Pool().Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(),
		attempted_by = ARRAY['x'] WHERE id = (SELECT queue_id FROM folio_job WHERE id = $1)`, dead)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("marking the entry running on x: %v, %v", tag, err)
	}
	upload := &jobs.Job{Status: jobs.StatusRequestReceived, Entity: "report", Operation: "render", Owner: "x"}
	if err := sa.Create(ctx, upload); err != nil {
		t.Fatal(err)
	}
	w, _ := e.blobs.Create(ctx, artifact.DocumentKey(upload.RequestID)) // stored, not recorded
	w.Write(document(1))
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	renewed := time.Now() // the lease ends 700 ms after a moment after this
	if err := sa.Renew(ctx, "x", "the dead one", 700*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	start(t, a)
	doc := document(60)
	live := e.submit(t, sa, doc, "slow")
	waitJob(t, sa, live, 10*time.Second, func(j *jobs.Job) bool { return j.Owner == "a" && j.PercentCompleted > 0 })
	c, _ := e.node(t, "c", pgConfig{})
	start(t, c)
	x, sx := e.node(t, "x", pgConfig{})
	start(t, x)
	if waited := time.Since(renewed); waited < 700*time.Millisecond {
		t.Errorf("x started %s after the dead x renewed a lease of 700 ms; want after it expired", waited)
	}
	if j, _ := sa.Get(ctx, live); j.Owner != "a" || j.Status != jobs.StatusProcessing {
		t.Errorf("the live node's job after two starts: %s owner %q", j.Status, j.Owner)
	}
	if j := waitJob(t, sx, dead, 10*time.Second, final); j.Status != jobs.StatusComplete {
		t.Errorf("the dead x's job: %s %q", j.Status, j.Summary)
	}
	if j, _ := sx.Get(ctx, upload.ID); j.Status != jobs.StatusFailToReceive || j.Owner != "" {
		t.Errorf("the dead x's upload: %s owner %q", j.Status, j.Owner)
	}
	if _, err := e.blobs.Open(ctx, artifact.DocumentKey(upload.RequestID)); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("the dead x's upload's document: %v, want it deleted", err)
	}
	j := waitJob(t, sa, live, 10*time.Second, final)
	if j.Status != jobs.StatusComplete || !bytes.Equal(e.bytesOf(t, j.Artifacts["slow"]), direct(t, "slow", doc)) {
		t.Errorf("the live node's job: %s %q", j.Status, j.Summary)
	}
	if strings.Contains(e.logs.String(), fmt.Sprintf(`msg="resuming job" test_node=c job=%d `, live)) ||
		strings.Contains(e.logs.String(), fmt.Sprintf(`msg="resuming job" test_node=x job=%d `, live)) {
		t.Error("a starting node resumed the live node's job")
	}
	if n := a.Stats().Rendered.Load() + c.Stats().Rendered.Load() + x.Stats().Rendered.Load(); n != 2 {
		t.Errorf("%d formats rendered; want 2 (the live job's and the dead x's)", n)
	}
}

// TestPostgresNameTaken starts a node under the name of one that keeps
// renewing its lease: Start fails.
func TestPostgresNameTaken(t *testing.T) {
	e := newPGEnv(t)
	st := e.store(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			st.Renew(ctx, "twin", "the other", 300*time.Millisecond)
			time.Sleep(50 * time.Millisecond)
		}
	}()
	time.Sleep(100 * time.Millisecond)
	r, _ := e.node(t, "twin", pgConfig{})
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	err := r.Start(sctx)
	if err == nil {
		r.Stop(sctx)
		t.Fatal("Start under a name whose lease is being renewed: no error")
	}
	if !strings.Contains(err.Error(), "another running server is named twin") {
		t.Errorf("Start: %v", err)
	}
}

// TestPostgresSweepNoLease starts a node (which sweeps at once) beside a
// job owned by a node that has no lease at all (its row lost), its entry
// running: no lease expires, but the sweep resumes the job, which renders.
func TestPostgresSweepNoLease(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	a, sa := e.node(t, "a", pgConfig{})
	id := e.submit(t, sa, document(5), "csv")
	if _, err := jobs.Start(ctx, sa, id, "ghost"); err != nil {
		t.Fatal(err)
	}
	tag, err := sa.Pool().Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(),
		attempted_by = ARRAY['ghost'] WHERE id = (SELECT queue_id FROM folio_job WHERE id = $1)`, id)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("marking the entry running on ghost: %v, %v", tag, err)
	}
	start(t, a) // runs a sweep at once
	if j := waitJob(t, sa, id, 10*time.Second, final); j.Status != jobs.StatusComplete {
		t.Errorf("after the sweep: %s %q", j.Status, j.Summary)
	}
	if n := a.Stats().Resumed.Load(); n != 1 {
		t.Errorf("Resumed = %d, want 1", n)
	}
}

// A pgChild is a node process (see childPG) on e's database.
type pgChild struct {
	name string
	cmd  *exec.Cmd
	out  *syncLog
	done chan int // its exit code
}

// startNode starts the test binary as the node name on e's database and
// the blobs in dir, with one worker.
func (e *pgEnv) startNode(t *testing.T, dir, name string) *pgChild {
	t.Helper()
	c := &pgChild{name: name, out: &syncLog{}, done: make(chan int, 1)}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), childEnv+"="+dir, childWorkersEnv+"=1", childDSNEnv+"="+e.dsn, childNodeEnv+"="+name)
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.cmd.Wait()
		c.done <- c.cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("node %s:\n%s", name, c.out.String())
		}
	})
	return c
}

// TestPostgresPoisonAcrossNodes runs a job whose render kills the server
// process on two node processes sharing the database and the blobs: the
// node that takes it dies, the other resumes it once the dead one's lease
// expires and dies too, its try counted after the first; the first node,
// started again, resumes it from the second and gives it up at
// MaxAttempts ("crashed the renderer 2 times") instead of dying. A job
// that renders well completes meanwhile.
func TestPostgresPoisonAcrossNodes(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	bl, err := blob.NewSharedDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	e.blobs = bl
	_, st := e.node(t, "setup", pgConfig{}) // River's tables and the hook that queues jobs
	doc := document(20)
	poison := e.submit(t, st, doc, "csv", "crash")
	good := e.submit(t, st, doc, "json")

	began := time.Now()
	nodes := []*pgChild{e.startNode(t, dir, "a"), e.startNode(t, dir, "b")}
	// dies waits for one of nodes to die of the poison job, and checks
	// that it owned the job with tries crash tries counted.
	dies := func(tries int, nodes ...*pgChild) *pgChild {
		t.Helper()
		var dead *pgChild
		var code int
		select {
		case code = <-nodes[0].done:
			dead = nodes[0]
		case code = <-nodes[len(nodes)-1].done:
			dead = nodes[len(nodes)-1]
		case <-time.After(30 * time.Second):
			t.Fatalf("no node died of the poison job within 30 s (try %d)", tries)
		}
		if code != crashExit {
			t.Fatalf("node %s exited %d; want %d, a death of the poison job", dead.name, code, crashExit)
		}
		j, err := st.Get(ctx, poison)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != jobs.StatusProcessing || j.Owner != dead.name || j.Tries["crash"] != tries || len(j.Failures) != 0 {
			t.Fatalf("after %s died: %s on %q, tries %v, failures %v; want processing on %s with %d crash tries",
				dead.name, j.Status, j.Owner, j.Tries, j.Failures, dead.name, tries)
		}
		t.Logf("%s died of the poison job (try %d) %s after the start", dead.name, tries, time.Since(began).Round(time.Millisecond))
		return dead
	}
	first := dies(1, nodes...)
	other := nodes[0]
	if other == first {
		other = nodes[1]
	}
	// The live node resumes the dead one's job after its lease and dies
	// of it in turn.
	if second := dies(2, other); second != other {
		t.Fatalf("%s died twice", first.name)
	}
	resumed := func(c *pgChild, from string) bool {
		return regexp.MustCompile(fmt.Sprintf(`msg="resuming job" test_node=%s job=%d from_node=%s `, c.name, poison, from)).MatchString(c.out.String())
	}
	if !resumed(other, first.name) {
		t.Errorf("%s's log does not show it resuming job %d from %s", other.name, poison, first.name)
	}
	// Started again, the first node resumes the job from the second and
	// gives it up rather than dying.
	again := e.startNode(t, dir, first.name)
	select {
	case code := <-again.done:
		if code != 0 {
			t.Fatalf("%s, started again, exited %d; want 0 (the poison job given up, nothing left to do)", again.name, code)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s, started again, still runs after 30 s", again.name)
	}
	t.Logf("%s, started again, gave the job up %s after the start", again.name, time.Since(began).Round(time.Millisecond))
	if !resumed(again, other.name) {
		t.Errorf("%s's log does not show it resuming job %d from %s", again.name, poison, other.name)
	}

	j, err := st.Get(ctx, poison)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("rendering crash crashed the renderer %d times; it is not tried again", childMaxAttempts)
	if j.Status != jobs.StatusFailToProcess || j.Result != jobs.ResultFailure || j.Summary != want {
		t.Errorf("poison job: %s %s %q; want fail_to_process %q", j.Status, j.Result, j.Summary, want)
	}
	if len(j.Failures) != 1 || j.Failures["crash"] != want || len(j.Tries) != 0 || j.Owner != "" {
		t.Errorf("poison job: failures %v, tries %v, owner %q", j.Failures, j.Tries, j.Owner)
	}
	if got := e.bytesOf(t, j.Artifacts["csv"]); !bytes.Equal(got, direct(t, "csv", doc)) {
		t.Error("the poison job's csv artifact differs from a direct render")
	}
	g, err := st.Get(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if g.Status != jobs.StatusComplete || !bytes.Equal(e.bytesOf(t, g.Artifacts["json"]), direct(t, "json", doc)) {
		t.Errorf("the good job: %s %q, or its json differs from a direct render", g.Status, g.Summary)
	}
	ls, err := st.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 0 {
		t.Errorf("leases left: %+v", ls)
	}
}
