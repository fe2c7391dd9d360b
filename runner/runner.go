// Package runner renders jobs in the background: the formats a client asks
// for with POST /jobs?formats= are rendered by River workers
// (github.com/riverqueue/river) whose queue lives in the same SQLite
// database as the jobs, through the store's single write connection.
//
// A job's River entry is inserted in the same transaction that makes the
// job ready_to_process (a [sqlite.Hook]), so the two are committed together;
// River's own rows are only the queue: folio's job table is the record
// (River's cleaner would delete finished rows after 24 h; folio turns it
// off, but does not rely on it).
//
// Work is idempotent: each artifact is written to a key fixed by job and
// format, committed by rename, and recorded in the job as it completes, so a
// job that runs twice (a rescue after a crash, a retry) redoes at most the
// format it was rendering. On [Runner.Start], jobs left unfinished by a
// previous process are resumed at once rather than waiting for River's
// rescuer: one process owns a data directory (the server takes a lock), so
// a River job still marked running then belongs to a dead process.
package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/internal/artifact"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/render"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Defaults of Config.
const (
	DefaultBudget      = 10 * time.Minute
	DefaultWorkers     = 2
	DefaultMaxAttempts = 3
)

// A Registry finds a format by name.
type Registry interface {
	Lookup(name string) (render.Format, error)
}

type registered struct{}

func (registered) Lookup(name string) (render.Format, error) { return render.Lookup(name) }

// Config configures a Runner. Store and Blobs are required.
type Config struct {
	Store *sqlite.Store
	Blobs blob.Store
	// Formats finds the formats to render; nil means render.Lookup.
	Formats Registry
	// Budget is how long one job may render all its formats: River's
	// timeout for the job kind. A crashed attempt is rescued by River once
	// Budget + 1 minute has passed since it began (Start resumes it sooner
	// on restart). 0 means DefaultBudget.
	Budget time.Duration
	// Workers is how many jobs render at once. 0 means DefaultWorkers.
	Workers int
	// MaxAttempts is how many times a job is tried when its attempts are
	// interrupted (a shutdown, a crash). 0 means DefaultMaxAttempts.
	MaxAttempts int
	// PollInterval is how often idle workers look for new jobs (SQLite has
	// no notifications). 0 means 200 ms.
	PollInterval time.Duration
	// CancelPoll is how often a rendering worker checks whether its job was
	// canceled. 0 means 200 ms.
	CancelPoll time.Duration
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
type Runner struct {
	cfg    Config
	log    *slog.Logger
	client *river.Client[*sql.Tx]
	busy   atomic.Int64
}

// New prepares a Runner: it applies River's migrations to the store's
// database and installs the store hook that queues jobs. Call Start to
// begin working.
func New(ctx context.Context, cfg Config) (*Runner, error) {
	if cfg.Store == nil || cfg.Blobs == nil {
		return nil, errors.New("runner: Config needs Store and Blobs")
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
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
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
	r := &Runner{cfg: cfg, log: cfg.Logger}
	drv := riversqlite.New(cfg.Store.DB())
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: quiet(cfg.Logger)})
	if err != nil {
		return nil, err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("runner: migrating River's tables: %w", err)
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{r: r}); err != nil {
		return nil, err
	}
	r.client, err = river.NewClient(drv, &river.Config{
		Workers:                     workers,
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		JobTimeout:                  cfg.Budget,
		RescueStuckJobsAfter:        cfg.Budget + time.Minute,
		MaxAttempts:                 cfg.MaxAttempts,
		FetchPollInterval:           cfg.PollInterval,
		FetchCooldown:               min(cfg.PollInterval, 100*time.Millisecond),
		CompletedJobRetentionPeriod: -1,
		CancelledJobRetentionPeriod: -1,
		DiscardedJobRetentionPeriod: -1,
		Logger:                      quiet(cfg.Logger),
	})
	if err != nil {
		return nil, err
	}
	cfg.Store.SetHook(r.hook)
	return r, nil
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
// ready_to_process (or is re-queued with QueueID 0), and cancels the queue
// entry of a job canceled.
func (r *Runner) hook(ctx context.Context, tx *sql.Tx, before, after *jobs.Job) error {
	switch {
	case after.Status == jobs.StatusReadyToProcess &&
		(before == nil || before.Status != jobs.StatusReadyToProcess || after.QueueID == 0):
		res, err := r.client.InsertTx(ctx, tx, RenderArgs{JobID: after.ID}, &river.InsertOpts{MaxAttempts: r.cfg.MaxAttempts})
		if err != nil {
			return fmt.Errorf("runner: queueing job %d: %w", after.ID, err)
		}
		_, err = tx.ExecContext(ctx, "UPDATE folio_job SET queue_id = ? WHERE id = ?", res.Job.ID, after.ID)
		return err
	case after.Status == jobs.StatusCanceled && before != nil && before.Status != jobs.StatusCanceled && before.QueueID != 0:
		if _, err := r.client.JobCancelTx(ctx, tx, before.QueueID); err != nil && !errors.Is(err, river.ErrNotFound) {
			return fmt.Errorf("runner: canceling job %d: %w", after.ID, err)
		}
	}
	return nil
}

// Start resumes the jobs a previous process left unfinished, then starts
// the workers. Jobs still receiving their document can't resume (the
// client's upload is gone): they fail to receive.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.resume(ctx); err != nil {
		return err
	}
	return r.client.Start(ctx)
}

func (r *Runner) resume(ctx context.Context) error {
	ids, err := r.cfg.Store.Unfinished(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		j, err := r.cfg.Store.Get(ctx, id)
		if err != nil {
			return err
		}
		if j.Status == jobs.StatusRequestReceived {
			_, err = r.cfg.Store.Update(ctx, id, func(j *jobs.Job) error {
				j.Status = jobs.StatusFailToReceive
				j.Summary = "the upload was interrupted by a server restart"
				return nil
			})
			if err != nil {
				return err
			}
			continue
		}
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
					// Its process is gone. Mark it canceled for River's rescuer.
					if _, err := r.client.JobCancel(ctx, j.QueueID); err != nil && !errors.Is(err, river.ErrNotFound) {
						return err
					}
				}
			}
		}
		_, err = r.cfg.Store.Update(ctx, id, func(j *jobs.Job) error {
			j.Status = jobs.StatusReadyToProcess
			j.QueueID = 0 // makes the hook queue it again
			j.Summary = "resumed after a server restart"
			return nil
		})
		if err != nil && !errors.Is(err, jobs.ErrFinished) {
			return err
		}
		r.log.Info("resuming job", "job", id)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones; if ctx ends
// first, it cancels them (they run again at the next start) and waits for
// them to return.
func (r *Runner) Stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		r.log.Warn("shutdown: canceling running renders", "running", r.busy.Load())
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = r.client.StopAndCancel(cctx)
	}
	return err
}

// Busy returns how many jobs are rendering now.
func (r *Runner) Busy() int64 { return r.busy.Load() }

var errCanceled = errors.New("runner: job canceled")

type worker struct {
	river.WorkerDefaults[RenderArgs]
	r *Runner
}

// Timeout is the render budget: finite, so River rescues a crashed attempt.
func (w *worker) Timeout(*river.Job[RenderArgs]) time.Duration { return w.r.cfg.Budget }

func (w *worker) Work(ctx context.Context, job *river.Job[RenderArgs]) error {
	r := w.r
	r.busy.Add(1)
	defer r.busy.Add(-1)
	store := r.cfg.Store
	id := job.Args.JobID
	j, err := store.Update(ctx, id, func(j *jobs.Job) error {
		if j.Status.Final() {
			return jobs.ErrFinished
		}
		j.Status = jobs.StatusProcessing
		j.Summary = "rendering " + strings.Join(j.Formats, ", ")
		return nil
	})
	if errors.Is(err, jobs.ErrFinished) {
		return nil // canceled, or finished by another attempt
	}
	if errors.Is(err, jobs.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	log := r.log.With("job", id, "attempt", job.Attempt)
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
				if cur, err := store.Get(wctx, id); err == nil && cur.Status == jobs.StatusCanceled {
					cancel(errCanceled)
					return
				}
			}
		}
	}()

	n := len(j.Formats)
	var last float64
	lastAt := time.Now()
	for i, name := range j.Formats {
		if b, ok := j.Artifacts[name]; ok {
			if f, err := r.cfg.Blobs.Open(wctx, b.Key); err == nil {
				f.Close()
				continue // rendered by an earlier attempt
			}
		}
		f, err := r.cfg.Formats.Lookup(name)
		if err != nil {
			return w.fail(id, log, fmt.Sprintf("format %s is not available: %v", name, err), err)
		}
		progress := func(done float64) {
			p := min(0.99, (float64(i)+done)/float64(n))
			if p-last < 0.05 && time.Since(lastAt) < time.Second {
				return
			}
			last, lastAt = p, time.Now()
			w.progress(wctx, id, p)
		}
		b, err := artifact.Render(wctx, r.cfg.Blobs, f, j, progress)
		if err != nil {
			switch {
			case errors.Is(context.Cause(wctx), errCanceled):
				log.Info("render canceled", "format", name)
				return nil
			case errors.Is(ctx.Err(), context.DeadlineExceeded):
				return w.fail(id, log, fmt.Sprintf("rendering took longer than the budget of %s", r.cfg.Budget), err)
			case ctx.Err() != nil:
				// Shutdown: River runs the job again at the next start.
				log.Info("render interrupted", "format", name, "error", err)
				if job.Attempt >= job.MaxAttempts {
					return w.fail(id, log, "rendering was interrupted too many times", err)
				}
				return err
			}
			return w.fail(id, log, fmt.Sprintf("rendering %s failed: %v", name, err), err)
		}
		j, err = store.Update(wctx, id, func(j *jobs.Job) error {
			if j.Status != jobs.StatusProcessing {
				return jobs.ErrFinished
			}
			if j.Artifacts == nil {
				j.Artifacts = map[string]jobs.Blob{}
			}
			j.Artifacts[name] = b
			j.PercentCompleted = min(0.99, float64(i+1)/float64(n))
			return nil
		})
		if errors.Is(err, jobs.ErrFinished) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	_, err = store.Update(ctx, id, func(j *jobs.Job) error {
		if j.Status != jobs.StatusProcessing {
			return jobs.ErrFinished
		}
		j.Status = jobs.StatusComplete
		j.PercentCompleted = 1
		j.Summary = "rendered " + strings.Join(j.Formats, ", ")
		return nil
	})
	if errors.Is(err, jobs.ErrFinished) {
		return nil
	}
	if err == nil {
		log.Info("rendered", "formats", j.Formats, "duration", time.Since(start))
	}
	return err
}

// progress records p, unless the job has left processing.
func (w *worker) progress(ctx context.Context, id int64, p float64) {
	_, err := w.r.cfg.Store.Update(ctx, id, func(j *jobs.Job) error {
		if j.Status != jobs.StatusProcessing || j.PercentCompleted >= p {
			return jobs.ErrFinished
		}
		j.PercentCompleted = p
		return nil
	})
	if err != nil && !errors.Is(err, jobs.ErrFinished) && ctx.Err() == nil {
		w.r.log.Warn("recording progress", "job", id, "error", err)
	}
}

// fail marks the job failed to process and tells River not to retry it: a
// render that failed on a valid document fails the same way again.
func (w *worker) fail(id int64, log *slog.Logger, why string, err error) error {
	log.Warn("render failed", "why", why)
	_, uerr := w.r.cfg.Store.Update(context.Background(), id, func(j *jobs.Job) error {
		if j.Status.Final() {
			return jobs.ErrFinished
		}
		j.Status = jobs.StatusFailToProcess
		j.Summary = why
		return nil
	})
	if uerr != nil && !errors.Is(uerr, jobs.ErrFinished) {
		return uerr
	}
	return river.JobCancel(err)
}
