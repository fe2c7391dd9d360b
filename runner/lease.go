package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// DefaultLease is how long a node is taken to be alive after it last
// renewed its lease (Config.Lease). River's rescuer takes a crashed
// attempt back only after the budget and a minute (11 minutes by
// default); a node's lease moves its jobs 20 times sooner.
const DefaultLease = 30 * time.Second

// The lock that one node at a time holds to resume the jobs of nodes
// whose leases expired, and the one River's migrations run under.
const (
	lockLeaseSweep   = "folio/lease-sweep"
	lockRiverMigrate = "folio/river-migrate"
)

// errLeaseLost ends a render whose node could not renew its lease in
// time: other nodes may have resumed its job.
var errLeaseLost = errors.New("runner: this node's lease expired")

func newInstance() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// leaseValid reports whether this node's lease is safely unexpired: it was
// last renewed less than a lease (minus a tenth, for the store's clock and
// the renewal's round trip) before now. Without Leases it is always true.
func (r *Runner[TTx]) leaseValid() bool {
	if r.cfg.Leases == nil {
		return true
	}
	return time.Since(r.base) < time.Duration(r.leaseUntil.Load())-r.cfg.Lease/10
}

// renew renews this node's lease; on success the lease is valid until a
// lease after the renewal was sent.
func (r *Runner[TTx]) renew(ctx context.Context) error {
	sent := time.Since(r.base)
	rctx, cancel := context.WithTimeout(ctx, r.cfg.Lease/3)
	defer cancel()
	if err := r.cfg.Leases.Renew(rctx, r.cfg.Node, r.instance, r.cfg.Lease); err != nil {
		return err
	}
	r.leaseUntil.Store(int64(sent + r.cfg.Lease))
	return nil
}

// claim takes this node's name: it waits for the lease of an earlier
// process of the same name (one that crashed) to expire, resumes the jobs
// that process left, and renews the lease. It fails if another process
// keeps renewing the name.
func (r *Runner[TTx]) claim(ctx context.Context) error {
	var seen time.Time
	for {
		ls, err := r.cfg.Leases.Leases(ctx)
		if err != nil {
			return fmt.Errorf("runner: reading the node leases: %w", err)
		}
		var mine *jobs.Lease
		for i := range ls {
			if ls[i].Node == r.cfg.Node {
				mine = &ls[i]
			}
		}
		if mine == nil || mine.Expired || mine.Instance == r.instance {
			break
		}
		if seen.IsZero() {
			seen = mine.Expires
			r.log.Warn("another process has this node's name: waiting for its lease to expire",
				"node", r.cfg.Node, "expires", mine.Expires)
		} else if mine.Expires.After(seen) {
			return fmt.Errorf("runner: another running server is named %s (its lease was renewed at %s): give each server its own --node",
				r.cfg.Node, mine.Renewed.Format(time.RFC3339))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(r.cfg.Lease/10, time.Second)):
		}
	}
	if _, err := r.reclaim(ctx, r.cfg.Node, "resumed after a server restart"); err != nil {
		return err
	}
	if err := r.renew(ctx); err != nil {
		return fmt.Errorf("runner: renewing the lease of node %s: %w", r.cfg.Node, err)
	}
	return nil
}

// leaseLoop renews the lease every Lease/3 and resumes the jobs of nodes
// whose leases expired, until ctx ends.
func (r *Runner[TTx]) leaseLoop(ctx context.Context) {
	t := time.NewTicker(r.cfg.Lease / 3)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := r.renew(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			if !failing || !r.leaseValid() {
				r.log.Warn("renewing the lease failed", "node", r.cfg.Node, "error", err, "lease_valid", r.leaseValid())
			}
			failing = true
			continue
		}
		if failing {
			r.log.Info("the lease is renewed again", "node", r.cfg.Node)
			failing = false
		}
		if err := r.sweepLeases(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("resuming the jobs of expired nodes", "error", err)
		}
	}
}

// sweepLeases resumes the jobs of every node whose lease expired, then
// forgets its lease. With a Locker, one node at a time does it.
func (r *Runner[TTx]) sweepLeases(ctx context.Context) error {
	if r.cfg.Locker != nil {
		unlock, ok, err := r.cfg.Locker.TryLock(ctx, lockLeaseSweep)
		if err != nil || !ok {
			return err
		}
		defer unlock()
	}
	ls, err := r.cfg.Leases.Leases(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, l := range ls {
		if !l.Expired || l.Node == r.cfg.Node {
			continue
		}
		n, err := r.reclaim(ctx, l.Node, fmt.Sprintf("resumed: node %s stopped renewing its lease", l.Node))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.log.Warn("a node's lease expired: its jobs were resumed", "dead_node", l.Node, "jobs", n,
			"last_renewed", l.Renewed, "expired", l.Expires)
		errs = append(errs, r.cfg.Leases.Forget(ctx, l.Node))
	}
	return errors.Join(errs...)
}

// reclaim resumes the jobs of node (see [jobs.Reclaim]): those it owns
// (rendering, or receiving their document), and those whose queue entry
// it took without starting them. It returns how many it resumed.
func (r *Runner[TTx]) reclaim(ctx context.Context, node, why string) (int, error) {
	var ids []int64
	for page := 1; ; page++ {
		p, err := r.cfg.Store.List(ctx, jobs.Filter{Unfinished: true, Owner: node, Page: page, PerPage: jobs.MaxPerPage})
		if err != nil {
			return 0, err
		}
		for _, j := range p.Entries {
			ids = append(ids, j.ID)
		}
		if page >= p.TotalPages {
			break
		}
	}
	type target struct{ id, entry int64 }
	var ts []target
	for _, id := range ids {
		ts = append(ts, target{id, 0})
	}
	params := river.NewJobListParams().States(rivertype.JobStateRunning).Kinds(RenderArgs{}.Kind()).First(10000)
	res, err := r.client.JobList(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("runner: listing running queue entries: %w", err)
	}
	for _, row := range res.Jobs {
		if n := len(row.AttemptedBy); n == 0 || row.AttemptedBy[n-1] != node {
			continue
		}
		var args RenderArgs
		if err := json.Unmarshal(row.EncodedArgs, &args); err != nil {
			continue
		}
		ts = append(ts, target{args.JobID, row.ID})
	}
	n := 0
	for _, t := range ts {
		j, err := jobs.Reclaim(ctx, r.cfg.Store, t.id, node, t.entry, why)
		if errors.Is(err, jobs.ErrConflict) || errors.Is(err, jobs.ErrNotFound) {
			continue // moved on: finished, or resumed already
		}
		if err != nil {
			return n, err
		}
		n++
		r.stats.Resumed.Add(1)
		r.log.Info("resuming job", "job", t.id, "from_node", node, "status", j.Status, "why", why)
		if j.Status == jobs.StatusFailToReceive {
			r.dropUpload(ctx, j)
		}
	}
	return n, nil
}

// fenced is the blob store a render ahead writes its artifact through when
// nodes share the store: Commit first checks that the node's lease is
// valid and the job still its own, so a node that lost its job (a pause
// longer than its lease) does not replace what the new owner wrote.
type fenced struct {
	blob.Store
	check func() error
}

func (f fenced) Create(ctx context.Context, key string) (blob.Writer, error) {
	w, err := f.Store.Create(ctx, key)
	if err != nil {
		return nil, err
	}
	return fencedWriter{w, f.check}, nil
}

type fencedWriter struct {
	blob.Writer
	check func() error
}

func (w fencedWriter) Commit() (jobs.Blob, error) {
	if err := w.check(); err != nil {
		w.Writer.Abort()
		return jobs.Blob{}, err
	}
	return w.Writer.Commit()
}
