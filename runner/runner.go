// Package runner renders jobs in the background: the formats a client asks
// for with POST /jobs?formats= are rendered by River workers
// (github.com/riverqueue/river) whose queue lives in the same database as
// the jobs. It imports no store: it works with any [jobs.HookStore] and the
// River driver of the same database (riversqlite for jobs/sqlite,
// riverpgxv5 for jobs/postgres), generic over their transaction type.
//
// A job's River entry is inserted in the same transaction that makes the
// job ready_to_process (the store's hook), so the two are committed
// together, and deleted in the transaction that deletes the job. River's
// rows are only the queue: folio's job is the record, and every change of
// it is a transition of package jobs.
//
// Work is idempotent: each artifact is written to a key fixed by job and
// format, committed whole, and recorded in the job as it completes, so a
// job that runs twice (a rescue after a crash, a retry) redoes at most the
// format it was rendering. A render that kills the process leaves its try
// counted in the job ([jobs.BeginRender]): after MaxAttempts such tries the
// format is given up and the job fails, so a poison job cannot crash-loop
// the server. Renders take a slot of the shared [artifact.Pool]; a render
// whose try is counted from a death takes them all
// ([artifact.Pool.AcquireAll]), since the process may have died of another
// render: a death while it renders alone is its own, so a format that was
// rendering beside a poison job has at most one try counted against it.
//
// With Exclusive set (one process owns the store: the embedded SQLite
// server, which locks its data directory), [Runner.Start] resumes the jobs
// a previous process left unfinished at once rather than waiting for
// River's rescuer. Servers sharing a store (jobs/postgres) use node leases
// instead ([Config].Leases): each renews its own every Lease/3, and the
// jobs of a node whose lease expired (it died) are resumed by another
// ([jobs.Reclaim]) a lease after its death, not River's Budget + 1 minute;
// Start touches only the jobs an earlier process of its own name left. A
// node that lost its lease (paused, cut off) stops its renders and
// records nothing of them: every transition checks the owner, and a
// worker whose entry was replaced changes nothing. The runner also sweeps, every SweepInterval: jobs whose
// queue entry River gave up are failed, and finished jobs past Retain are
// deleted with their documents, artifacts and queue entries.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/render"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Defaults of Config.
const (
	DefaultBudget        = 10 * time.Minute
	DefaultWorkers       = 2
	DefaultMaxAttempts   = 3
	DefaultRetain        = 7 * 24 * time.Hour
	DefaultSweepInterval = 5 * time.Minute
)

// queueAttempts is how many times River runs a job whose attempts return an
// error (storage full, an interrupted render): with River's default backoff
// of n^4 seconds after the nth failure, retries go on for about four hours.
// Tries that kill the process are counted by folio, against MaxAttempts.
const queueAttempts = 10

// A Registry finds a format by name.
type Registry interface {
	Lookup(name string) (render.Format, error)
}

type registered struct{}

func (registered) Lookup(name string) (render.Format, error) { return render.Lookup(name) }

// Config configures a Runner. Store, Driver and Blobs are required; Driver
// must be River's driver for Store's database.
type Config[TTx any] struct {
	Store  jobs.HookStore[TTx]
	Driver riverdriver.Driver[TTx]
	Blobs  blob.Store
	// Pool bounds the renders of the process; nil means a new Pool of
	// Workers slots. Give the server the same one.
	Pool *artifact.Pool
	// Formats finds the formats to render; nil means render.Lookup.
	Formats Registry
	// Node names this process in the jobs it renders; "" means
	// hostname-pid.
	Node string
	// Exclusive says this process is the only one using Store: Start then
	// resumes every unfinished job at once.
	Exclusive bool
	// Leases, for a store that several servers share (not Exclusive):
	// the node renews its lease every Lease/3, resumes the jobs of nodes
	// whose leases expired, and at Start only those that an earlier
	// process of its own name left. Node names must then be unique among
	// the running servers. nil: the jobs of a dead node wait for River's
	// rescuer (Budget + 1 minute).
	Leases jobs.Leases
	// Lease is how long a node is taken to be alive after it last renewed
	// its lease; 0 means DefaultLease.
	Lease time.Duration
	// Locker, if not nil, makes the servers sharing the store apply River's
	// migrations one at a time and sweep expired leases one at a time.
	Locker jobs.Locker
	// Budget is how long one job may render all its formats: River's
	// timeout for the job kind. 0 means DefaultBudget.
	Budget time.Duration
	// Workers is how many jobs render at once. 0 means DefaultWorkers.
	Workers int
	// MaxAttempts is how many renders of a format may be begun without
	// ending (each killed the process) before the format is given up and
	// the job fails. 0 means DefaultMaxAttempts.
	MaxAttempts int
	// Retain is how long a finished job is kept; <0 keeps jobs forever; 0
	// means DefaultRetain.
	Retain time.Duration
	// SweepInterval is how often the sweeper runs; 0 means
	// DefaultSweepInterval.
	SweepInterval time.Duration
	// UncommittedAge is how old an uncommitted blob write (a temporary
	// file, an incomplete S3 multipart upload: left by a process that
	// died while it wrote) must be before the sweeper removes it; 0 means
	// DefaultUncommittedAge. A write that takes longer than it would be
	// removed while it is being written.
	UncommittedAge time.Duration
	// PollInterval is how often idle workers look for new jobs (SQLite has
	// no notifications). 0 means 200 ms.
	PollInterval time.Duration
	// CancelPoll is how often a rendering worker checks whether its job was
	// canceled. 0 means 200 ms.
	CancelPoll time.Duration
	// RetryPolicy says when River runs again a job whose attempt returned an
	// error (storage full, an interrupted render); nil means River's
	// default, n^4 seconds after the nth failed attempt (1 s, 16 s, 81 s…).
	RetryPolicy river.ClientRetryPolicy
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// RenderArgs is the River job that renders one folio job.
type RenderArgs struct {
	JobID int64 `json:"job_id"`
}

// Kind implements river.JobArgs.
func (RenderArgs) Kind() string { return "folio_render" }

// Runner renders jobs in the background.
type Runner[TTx any] struct {
	cfg    Config[TTx]
	log    *slog.Logger
	client *river.Client[TTx]
	busy   atomic.Int64

	instance   string       // this process, in its lease
	base       time.Time    // leaseUntil counts from it (monotonic)
	leaseUntil atomic.Int64 // time.Duration since base
	stopLease  context.CancelFunc
	leased     sync.WaitGroup

	stopSweep context.CancelFunc
	swept     sync.WaitGroup
	stats     Stats
}

// Stats counts what the runner did since it started.
type Stats struct {
	Deleted     atomic.Int64 // jobs deleted past retention
	Orphans     atomic.Int64 // blobs deleted that no job named
	Uncommitted atomic.Int64 // uncommitted blob writes removed
	Resumed     atomic.Int64 // jobs queued again after their render stopped
	GaveUp      atomic.Int64 // jobs failed because the queue gave them up
	Rendered    atomic.Int64 // formats rendered
}

// New prepares a Runner: it applies River's migrations to the store's
// database and installs the store hook that queues jobs. Call Start to
// begin working.
func New[TTx any](ctx context.Context, cfg Config[TTx]) (*Runner[TTx], error) {
	if cfg.Store == nil || cfg.Driver == nil || cfg.Blobs == nil {
		return nil, errors.New("runner: Config needs Store, Driver and Blobs")
	}
	if cfg.Formats == nil {
		cfg.Formats = registered{}
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Pool == nil {
		cfg.Pool = artifact.NewPool(cfg.Workers)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Retain == 0 {
		cfg.Retain = DefaultRetain
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = DefaultSweepInterval
	}
	if cfg.UncommittedAge <= 0 {
		cfg.UncommittedAge = DefaultUncommittedAge
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	if cfg.CancelPoll <= 0 {
		cfg.CancelPoll = 200 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Node == "" {
		cfg.Node = DefaultNode()
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Leases != nil && cfg.Exclusive {
		return nil, errors.New("runner: Config has both Exclusive and Leases")
	}
	r := &Runner[TTx]{cfg: cfg, log: cfg.Logger, instance: newInstance(), base: time.Now()}
	if err := r.migrate(ctx); err != nil {
		return nil, err
	}
	// River deletes the entries it finalized past Retain: folio deletes a
	// job's current entry with the job, but a job resumed after a crash
	// leaves its earlier entries behind. A discarded entry stays until the
	// sweeper has seen it.
	retain, discarded := time.Duration(-1), time.Duration(-1) // -1: River keeps them
	if cfg.Retain > 0 {
		retain, discarded = cfg.Retain, max(cfg.Retain, 2*cfg.SweepInterval)
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker[TTx]{r: r}); err != nil {
		return nil, err
	}
	var id string
	if cfg.Leases != nil {
		// River records the client in the entries it runs: the sweeper
		// finds a dead node's entries by its name.
		id = cfg.Node
	}
	var err error
	r.client, err = river.NewClient(cfg.Driver, &river.Config{
		ID:                          id,
		Workers:                     workers,
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		JobTimeout:                  cfg.Budget,
		RescueStuckJobsAfter:        cfg.Budget + time.Minute,
		MaxAttempts:                 queueAttempts,
		RetryPolicy:                 cfg.RetryPolicy,
		FetchPollInterval:           cfg.PollInterval,
		FetchCooldown:               min(cfg.PollInterval, 100*time.Millisecond),
		CompletedJobRetentionPeriod: retain,
		CancelledJobRetentionPeriod: retain,
		DiscardedJobRetentionPeriod: discarded,
		Logger:                      quiet(cfg.Logger),
	})
	if err != nil {
		return nil, err
	}
	cfg.Store.SetHook(r.hook)
	return r, nil
}

// DefaultNode is the node name of a Config without one: hostname-pid.
func DefaultNode() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// migrate applies River's migrations, under the Locker's lock if there is
// one: rivermigrate takes none, and servers starting together would apply
// the same migration twice.
func (r *Runner[TTx]) migrate(ctx context.Context) error {
	if r.cfg.Locker != nil {
		unlock, err := r.cfg.Locker.Lock(ctx, lockRiverMigrate)
		if err != nil {
			return fmt.Errorf("runner: waiting for the migration lock: %w", err)
		}
		defer unlock()
	}
	m, err := rivermigrate.New(r.cfg.Driver, &rivermigrate.Config{Logger: quiet(r.cfg.Logger)})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("runner: migrating River's tables: %w", err)
	}
	return nil
}

// quiet passes River's warnings and errors on, not its info chatter.
func quiet(l *slog.Logger) *slog.Logger {
	return slog.New(levelFloor{l.Handler(), slog.LevelWarn}).With("component", "river")
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}
func (h levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(n), h.min}
}

// hook runs in the store's transactions: it queues a job that becomes
// ready_to_process without a queue entry, cancels the entry of a job
// canceled, and deletes the entry of a job deleted.
func (r *Runner[TTx]) hook(ctx context.Context, tx TTx, before, after *jobs.Job) error {
	switch {
	case after == nil:
		if before.QueueID != 0 {
			if _, err := r.client.JobDeleteTx(ctx, tx, before.QueueID); err != nil && !errors.Is(err, river.ErrNotFound) {
				return fmt.Errorf("runner: deleting the queue entry of job %d: %w", before.ID, err)
			}
		}
	case after.Status == jobs.StatusReadyToProcess && after.QueueID == 0:
		if before != nil && before.QueueID != 0 {
			// Resumed with a new entry: the old one (running on a node
			// that died) must not run it again. River cancels a running
			// entry when its worker returns, or its rescuer does.
			if _, err := r.client.JobCancelTx(ctx, tx, before.QueueID); err != nil && !errors.Is(err, river.ErrNotFound) {
				return fmt.Errorf("runner: canceling the old queue entry of job %d: %w", after.ID, err)
			}
		}
		res, err := r.client.InsertTx(ctx, tx, RenderArgs{JobID: after.ID}, &river.InsertOpts{MaxAttempts: queueAttempts})
		if err != nil {
			return fmt.Errorf("runner: queueing job %d: %w", after.ID, err)
		}
		after.QueueID = res.Job.ID
	case after.Status == jobs.StatusCanceled && before != nil && before.Status != jobs.StatusCanceled && before.QueueID != 0:
		if _, err := r.client.JobCancelTx(ctx, tx, before.QueueID); err != nil && !errors.Is(err, river.ErrNotFound) {
			return fmt.Errorf("runner: canceling job %d: %w", after.ID, err)
		}
	}
	return nil
}

// Start resumes the jobs a previous process left unfinished (every one
// with Exclusive; with Leases, those of an earlier process of this node's
// name, after its lease expired), starts the workers, the sweeper and, with
// Leases, the renewal of this node's lease.
func (r *Runner[TTx]) Start(ctx context.Context) error {
	if r.stopSweep != nil {
		return errors.New("runner: Start called twice")
	}
	if r.cfg.Leases != nil {
		if err := r.claim(ctx); err != nil {
			return err
		}
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r.stopLease = cancel
		r.leased.Go(func() { r.leaseLoop(lctx) })
	}
	if r.cfg.Exclusive {
		if err := r.reconcile(ctx, true); err != nil {
			return err
		}
	}
	if err := r.client.Start(ctx); err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.stopSweep = cancel
	r.swept.Go(func() {
		t := time.NewTicker(r.cfg.SweepInterval)
		defer t.Stop()
		for {
			if err := r.Sweep(sctx); err != nil && sctx.Err() == nil {
				r.log.Warn("sweep failed", "error", err)
			}
			select {
			case <-sctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return nil
}

// Stats returns the runner's counters.
func (r *Runner[TTx]) Stats() *Stats { return &r.stats }

// Pool returns the render pool.
func (r *Runner[TTx]) Pool() *artifact.Pool { return r.cfg.Pool }

// Node returns the name of this process in the jobs it renders.
func (r *Runner[TTx]) Node() string { return r.cfg.Node }

// unfinished returns every unfinished job, oldest first.
func (r *Runner[TTx]) unfinished(ctx context.Context) ([]*jobs.Job, error) {
	var all []*jobs.Job
	for page := 1; ; page++ {
		p, err := r.cfg.Store.List(ctx, jobs.Filter{Unfinished: true, Page: page, PerPage: jobs.MaxPerPage})
		if err != nil {
			return nil, err
		}
		all = append(all, p.Entries...)
		if page >= p.TotalPages {
			return all, nil
		}
	}
}

// reconcile brings unfinished jobs in line with their queue entries. At
// start (atStart, with Exclusive) every unfinished job is this process's
// to resume: uploads that were cut fail to receive, and jobs whose entry
// is still marked running (their process died) are queued again. At any
// time, a job whose entry River gave up (discarded) fails, and one whose
// entry is gone or ended without finishing the job is queued again.
func (r *Runner[TTx]) reconcile(ctx context.Context, atStart bool) error {
	list, err := r.unfinished(ctx)
	if err != nil {
		return err
	}
	live := map[string]bool{}
	if r.cfg.Leases != nil {
		ls, err := r.cfg.Leases.Leases(ctx)
		if err != nil {
			return err
		}
		for _, l := range ls {
			live[l.Node] = !l.Expired
		}
		live[r.cfg.Node] = true
	}
	for _, j := range list {
		if r.cfg.Leases != nil && j.Owner != "" && !live[j.Owner] {
			// A node with no live lease (its row gone, or expired and not
			// swept yet): what the lease sweep does.
			if got, err := jobs.Reclaim(ctx, r.cfg.Store, j.ID, j.Owner, 0, "resumed: its node "+j.Owner+" has no lease"); err == nil {
				if got.Status == jobs.StatusFailToReceive {
					r.dropUpload(ctx, got)
				}
				r.stats.Resumed.Add(1)
				r.log.Info("resuming job", "job", j.ID, "from_node", j.Owner, "why", "its node has no lease")
			} else if !errors.Is(err, jobs.ErrConflict) {
				return err
			}
			continue
		}
		if j.Status == jobs.StatusRequestReceived {
			if atStart {
				if _, err := jobs.Resume(ctx, r.cfg.Store, j.ID, "the server restarted"); err != nil && !errors.Is(err, jobs.ErrConflict) {
					return err
				} else if err == nil {
					r.dropUpload(ctx, j)
				}
			}
			continue
		}
		why := "resumed after a server restart"
		if j.QueueID != 0 {
			row, err := r.client.JobGet(ctx, j.QueueID)
			if err != nil && !errors.Is(err, river.ErrNotFound) {
				return err
			}
			if row != nil {
				switch row.State {
				case rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable, rivertype.JobStatePending:
					continue // River will run it
				case rivertype.JobStateRunning:
					if !atStart {
						continue
					}
					// Its process is gone: end the entry, queue a new one.
					if _, err := r.client.JobCancel(ctx, j.QueueID); err != nil && !errors.Is(err, river.ErrNotFound) {
						return err
					}
				case rivertype.JobStateDiscarded:
					why := "the queue gave up rendering it"
					if n := len(row.Errors); n > 0 {
						why += " after " + fmt.Sprint(n) + " attempts: " + row.Errors[n-1].Error
					}
					if _, err := jobs.Fail(ctx, r.cfg.Store, j.ID, j.Owner, why); err != nil && !errors.Is(err, jobs.ErrConflict) {
						return err
					}
					r.stats.GaveUp.Add(1)
					r.log.Warn("job failed: the queue gave it up", "job", j.ID)
					continue
				default:
					if !atStart && time.Since(j.UpdatedAt) < time.Minute {
						continue // its worker may be recording the end right now
					}
					why = "resumed: its queue entry ended without finishing it"
				}
			}
		}
		if _, err := jobs.Resume(ctx, r.cfg.Store, j.ID, why); err != nil && !errors.Is(err, jobs.ErrConflict) {
			return err
		}
		r.stats.Resumed.Add(1)
		r.log.Info("resuming job", "job", j.ID, "why", why)
	}
	return nil
}

// Sweep runs the sweeper once: it fails jobs River gave up, deletes
// finished jobs past retention (the job, its queue entry, its document and
// artifacts), and removes stale uncommitted blob writes. Start runs it
// every SweepInterval.
func (r *Runner[TTx]) Sweep(ctx context.Context) error {
	err := r.reconcile(ctx, false)
	if r.cfg.Retain > 0 {
		err = errors.Join(err, r.deleteExpired(ctx, time.Now().Add(-r.cfg.Retain)))
	}
	err = errors.Join(err, r.deleteOrphans(ctx, time.Now().Add(-OrphanAge)))
	n, uerr := r.cfg.Blobs.RemoveUncommitted(ctx, time.Now().Add(-r.cfg.UncommittedAge))
	err = errors.Join(err, uerr)
	if n > 0 {
		r.stats.Uncommitted.Add(int64(n))
		r.log.Info("removed uncommitted blob writes", "count", n, "older_than", r.cfg.UncommittedAge.String())
	}
	return err
}

// dropUpload deletes the document of j, an upload that was cut (its
// server died or restarted): stored whole before the cut, it is named by no
// job, and the orphan sweep keeps it since a job has its request ID.
func (r *Runner[TTx]) dropUpload(ctx context.Context, j *jobs.Job) {
	if err := r.cfg.Blobs.Delete(ctx, artifact.DocumentKey(j.RequestID)); err != nil {
		r.log.Warn("deleting the document of a cut upload", "job", j.ID, "error", err)
	}
}

// OrphanAge is how old a blob that no job names must be before the sweeper
// deletes it (a job's row is written before its blobs, so a younger one
// could only be the leftover of a job deleted moments ago);
// DefaultUncommittedAge is Config.UncommittedAge's default.
const (
	OrphanAge             = time.Hour
	DefaultUncommittedAge = 24 * time.Hour
)

// deleteOrphans deletes the documents and artifacts older than before
// whose job is gone (a crash between deleting a job and its blobs).
func (r *Runner[TTx]) deleteOrphans(ctx context.Context, before time.Time) error {
	var orphans []string
	for info, err := range r.cfg.Blobs.List(ctx, artifact.DocumentPrefix) {
		if err != nil {
			return err
		}
		rid := strings.TrimSuffix(strings.TrimPrefix(info.Key, artifact.DocumentPrefix), ".json")
		if info.ModTime.Before(before) {
			if _, err := r.cfg.Store.GetByRequestID(ctx, rid); errors.Is(err, jobs.ErrNotFound) {
				orphans = append(orphans, info.Key)
			}
		}
	}
	for info, err := range r.cfg.Blobs.List(ctx, artifact.ArtifactPrefix) {
		if err != nil {
			return err
		}
		idText, _, _ := strings.Cut(strings.TrimPrefix(info.Key, artifact.ArtifactPrefix), "/")
		id, perr := strconv.ParseInt(idText, 10, 64)
		if perr == nil && info.ModTime.Before(before) {
			if _, err := r.cfg.Store.Get(ctx, id); errors.Is(err, jobs.ErrNotFound) {
				orphans = append(orphans, info.Key)
			}
		}
	}
	for _, k := range orphans {
		if err := r.cfg.Blobs.Delete(ctx, k); err != nil {
			return err
		}
		r.stats.Orphans.Add(1)
	}
	if len(orphans) > 0 {
		r.log.Info("deleted blobs that no job names", "count", len(orphans))
	}
	return nil
}

func (r *Runner[TTx]) deleteExpired(ctx context.Context, before time.Time) error {
	for {
		p, err := r.cfg.Store.List(ctx, jobs.Filter{FinishedBefore: before, PerPage: 100})
		if err != nil {
			return err
		}
		if len(p.Entries) == 0 {
			return nil
		}
		for _, j := range p.Entries {
			if err := r.cfg.Store.Delete(ctx, j.ID); err != nil && !errors.Is(err, jobs.ErrNotFound) {
				return fmt.Errorf("runner: deleting job %d: %w", j.ID, err)
			}
			// The job is gone: its blobs are orphans now, removed here or,
			// after a crash, by the orphan sweep.
			var keys []string
			if j.Document != nil {
				keys = append(keys, j.Document.Key)
			} else {
				// An upload cut after its document was stored: the job
				// names none, the key is still the job's.
				keys = append(keys, artifact.DocumentKey(j.RequestID))
			}
			for _, b := range j.Artifacts {
				keys = append(keys, b.Key)
			}
			for _, k := range keys {
				if err := r.cfg.Blobs.Delete(ctx, k); err != nil {
					r.log.Warn("deleting a blob of an expired job", "job", j.ID, "key", k, "error", err)
				}
			}
			r.stats.Deleted.Add(1)
		}
		r.log.Info("deleted jobs past retention", "jobs", len(p.Entries), "retain", r.cfg.Retain.String())
	}
}

// Stop stops the sweeper and fetching jobs, and waits for the running
// ones; if ctx ends first, it cancels them (they run again at the next
// start, or on another node) and waits for them to return. With Leases it
// then releases this node's lease.
func (r *Runner[TTx]) Stop(ctx context.Context) error {
	if r.stopSweep != nil {
		r.stopSweep()
		r.swept.Wait()
	}
	err := r.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		r.log.Warn("shutdown: canceling running renders", "running", r.busy.Load())
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = r.client.StopAndCancel(cctx)
	}
	if r.stopLease != nil {
		r.stopLease()
		r.leased.Wait()
		if err == nil {
			// Every render has returned: no job is this node's any more.
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if rerr := r.cfg.Leases.Release(rctx, r.cfg.Node); rerr != nil {
				r.log.Warn("releasing the lease", "error", rerr)
			}
		}
	}
	return err
}

// Busy returns how many jobs are rendering now.
func (r *Runner[TTx]) Busy() int64 { return r.busy.Load() }

var (
	errCanceled = errors.New("runner: job canceled")
	// errStale ends the render of an entry the job no longer has: the job
	// was resumed with a new entry (its node's lease expired), maybe on
	// this very node. The worker then changes nothing: the job's owner
	// may be this node again, through the new entry.
	errStale = errors.New("runner: the job has a new queue entry")
)

// stale reports whether the worker's entry no longer runs the job: River
// canceled it (a Cancel, or a resume that replaced it) or the job names
// another entry.
func stale(ctx context.Context) bool {
	c := context.Cause(ctx)
	return errors.Is(c, errStale) || errors.Is(c, river.ErrJobCancelledRemotely)
}

type worker[TTx any] struct {
	river.WorkerDefaults[RenderArgs]
	r *Runner[TTx]
}

// Timeout is the render budget: finite, so River rescues a crashed attempt.
func (w *worker[TTx]) Timeout(*river.Job[RenderArgs]) time.Duration { return w.r.cfg.Budget }

// ended reports errors that mean the job is no longer this worker's to
// render: canceled, finished otherwise, or taken over by another node.
func ended(err error) bool {
	return errors.Is(err, jobs.ErrConflict) || errors.Is(err, jobs.ErrNotFound)
}

func (w *worker[TTx]) Work(ctx context.Context, job *river.Job[RenderArgs]) error {
	r := w.r
	r.busy.Add(1)
	defer r.busy.Add(-1)
	store, node, id := r.cfg.Store, r.cfg.Node, job.Args.JobID
	if !r.leaseValid() {
		// Other nodes may be resuming this node's jobs: take none now.
		return river.JobSnooze(r.cfg.Lease / 3)
	}
	if cur, err := store.Get(ctx, id); err == nil && cur.QueueID != 0 && cur.QueueID != job.ID {
		// The job was resumed with a new entry (its node died): this one
		// is stale, rescued by River after the node's death.
		r.log.Info("a stale queue entry: the job has another", "job", id, "entry", job.ID, "current", cur.QueueID)
		return river.JobCancel(fmt.Errorf("runner: queue entry %d is stale: job %d has entry %d", job.ID, id, cur.QueueID))
	}
	j, err := jobs.Start(ctx, store, id, node)
	if errors.Is(err, jobs.ErrNotFound) {
		return river.JobCancel(err)
	}
	if ended(err) {
		return nil // canceled, or finished by another attempt
	}
	if err != nil {
		return err
	}
	log := r.log.With("job", id, "attempt", job.Attempt, "node", node)
	log.Info("rendering", "formats", j.Formats)
	start := time.Now()

	// Stop promptly when the job is canceled: River tells a running job
	// only every 2 s on SQLite, so watch the job too.
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		t := time.NewTicker(r.cfg.CancelPoll)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
				if !r.leaseValid() {
					cancel(errLeaseLost)
					return
				}
				cur, err := store.Get(wctx, id)
				switch {
				case err != nil:
				case cur.QueueID != 0 && cur.QueueID != job.ID:
					cancel(errStale)
					return
				case cur.Status == jobs.StatusCanceled || cur.Owner != node:
					cancel(errCanceled)
					return
				}
			}
		}
	}()

	n := len(j.Formats)
	for i, name := range j.Formats {
		if b, ok := j.Artifacts[name]; ok {
			if f, err := r.cfg.Blobs.Open(wctx, b.Key); err == nil {
				f.Close()
				continue // rendered by an earlier attempt
			}
		}
		f, err := r.cfg.Formats.Lookup(name)
		if err != nil {
			_, ferr := jobs.FailFormat(ctx, store, id, node, name, fmt.Sprintf("format %s is not available: %v", name, err))
			return w.done(log, ferr, river.JobCancel(err))
		}
		acquire := r.cfg.Pool.Acquire
		if j.Tries[name] > 0 {
			// A process died while it rendered, maybe of another render:
			// it renders alone, so that a death now is its own.
			acquire = r.cfg.Pool.AcquireAll
		}
		release, err := acquire(wctx)
		if err != nil {
			if stale(wctx) {
				log.Info("stopped waiting for a render slot: the queue entry was canceled or replaced", "format", name)
				return river.JobCancel(context.Cause(wctx))
			}
			if errors.Is(context.Cause(wctx), errLeaseLost) {
				return w.interrupted(ctx, wctx, job, log, "", errLeaseLost)
			}
			if errors.Is(context.Cause(wctx), errCanceled) {
				log.Info("stopped waiting for a render slot: the job was canceled or taken over", "format", name)
				return nil
			}
			return w.interrupted(ctx, wctx, job, log, "", err)
		}
		_, err = jobs.BeginRender(ctx, store, id, node, name, r.cfg.MaxAttempts)
		var fe *jobs.FormatError
		if errors.As(err, &fe) {
			release()
			log.Warn("render given up", "format", name, "why", fe.Reason)
			return river.JobCancel(err)
		}
		if err != nil {
			release()
			return w.done(log, err, err)
		}
		var last float64
		lastAt := time.Now()
		progress := func(done float64) {
			p := min(0.99, (float64(i)+done)/float64(n))
			if p-last < 0.05 && time.Since(lastAt) < time.Second {
				return
			}
			last, lastAt = p, time.Now()
			if _, err := jobs.Progress(wctx, store, id, node, p); err != nil && !ended(err) && wctx.Err() == nil {
				log.Warn("recording progress", "error", err)
			}
		}
		blobs := r.cfg.Blobs
		if r.cfg.Leases != nil {
			blobs = fenced{blobs, func() error {
				if !r.leaseValid() {
					return errLeaseLost
				}
				cur, err := store.Get(wctx, id)
				if err == nil && (cur.Status != jobs.StatusProcessing || cur.Owner != node || cur.QueueID != job.ID) {
					err = jobs.ErrNotOwner
				}
				return err
			}}
		}
		rstart := time.Now()
		b, err := artifact.Render(wctx, blobs, f, j, progress)
		r.cfg.Pool.Observe(name, time.Since(rstart), b.Size, err)
		release()
		if err != nil {
			var re *artifact.RenderError
			switch {
			case stale(wctx):
				log.Info("render stopped: the queue entry was canceled or replaced", "format", name)
				return river.JobCancel(context.Cause(wctx))
			case errors.Is(context.Cause(wctx), errLeaseLost) || errors.Is(err, errLeaseLost):
				log.Warn("render stopped: this node's lease expired", "format", name)
				return w.interrupted(ctx, wctx, job, log, name, errLeaseLost)
			case errors.Is(context.Cause(wctx), errCanceled) || ended(err):
				log.Info("render stopped: the job was canceled or taken over", "format", name)
				jobs.EndRender(ctx, store, id, node, name)
				return nil
			case errors.Is(ctx.Err(), context.DeadlineExceeded):
				why := fmt.Sprintf("rendering took longer than the budget of %s", r.cfg.Budget)
				_, ferr := jobs.FailFormat(context.WithoutCancel(ctx), store, id, node, name, why)
				log.Warn("render failed", "format", name, "why", why)
				return w.done(log, ferr, river.JobCancel(err))
			case errors.As(err, &re):
				why := re.Error()
				_, ferr := jobs.FailFormat(ctx, store, id, node, name, why)
				log.Warn("render failed", "format", name, "why", why)
				return w.done(log, ferr, river.JobCancel(err))
			}
			return w.interrupted(ctx, wctx, job, log, name, err)
		}
		if j, err = jobs.AddArtifact(ctx, store, id, node, name, b); err != nil {
			return w.done(log, err, err)
		}
		r.stats.Rendered.Add(1)
		log.Info("format rendered", "format", name, "bytes", b.Size, "sha256", b.SHA256, "duration", time.Since(rstart))
	}
	if _, err := jobs.Complete(ctx, store, id, node); err != nil {
		return w.done(log, err, err)
	}
	log.Info("rendered", "formats", j.Formats, "duration", time.Since(start))
	return nil
}

// done returns ret, or nil when err says the job is no longer this
// worker's; a transition's err that is not is logged.
func (w *worker[TTx]) done(log *slog.Logger, err, ret error) error {
	if err == nil || ended(err) {
		if ended(ret) {
			return nil
		}
		return ret
	}
	log.Warn("recording the render", "error", err)
	return err
}

// interrupted handles a render stopped for a passing reason (a shutdown,
// storage full, a read error): the try of format is given back, and the
// job waits for River to run its entry again, with backoff; on the entry's
// last attempt the job fails instead.
func (w *worker[TTx]) interrupted(ctx, wctx context.Context, job *river.Job[RenderArgs], log *slog.Logger, format string, err error) error {
	store, node, id := w.r.cfg.Store, w.r.cfg.Node, job.Args.JobID
	bg := context.WithoutCancel(ctx)
	if format != "" {
		jobs.EndRender(bg, store, id, node, format)
	}
	if job.Attempt >= job.MaxAttempts {
		why := fmt.Sprintf("rendering was interrupted %d times; the last time: %v", job.Attempt, err)
		_, ferr := jobs.Fail(bg, store, id, node, why)
		log.Warn("render failed", "why", why)
		return w.done(log, ferr, river.JobCancel(err))
	}
	shutdown := ctx.Err() != nil
	why := "interrupted by a shutdown; it runs again at the next start"
	if w.r.cfg.Leases != nil {
		why = "interrupted by a shutdown; it runs again on another server or at the next start"
	}
	if !shutdown {
		why = fmt.Sprintf("interrupted (%v); tried again later", err)
		if Full(err) {
			why = "the storage is full; tried again later"
		}
	}
	log.Info("render interrupted", "format", format, "why", why, "error", err)
	if _, rerr := jobs.Requeue(bg, store, id, node, why); rerr != nil && !ended(rerr) {
		log.Warn("recording the interruption", "error", rerr)
	}
	if shutdown {
		// Not the job's fault: its entry is available again at once, for
		// another server (or the next start), without an attempt counted.
		return river.JobSnooze(0)
	}
	return err
}

// Full reports whether err says the storage is full: blob.ErrFull, or the
// system's error from a blob store that does not map it.
func Full(err error) bool {
	return errors.Is(err, blob.ErrFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
