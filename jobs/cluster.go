package jobs

import (
	"context"
	"time"
)

// Several servers may share one store (jobs/postgres). Each is a node with
// a name of its own; what they need of the store beyond a [Store] is
// below: locks that every node sees ([Locker]), and node leases
// ([Leases]), so that the jobs of a node that died are found and resumed
// ([Reclaim]) while the other nodes' jobs are left alone. A store that one
// process owns (jobs/sqlite, whose directory is locked) needs neither.

// A Locker takes locks that every process sharing the store sees. A lock
// is the process's until it calls unlock or dies: a node that dies holding
// one does not keep it. Its methods are safe for concurrent use.
type Locker interface {
	// Lock waits for the lock named key and takes it. It fails when ctx
	// ends first. The caller must call unlock.
	Lock(ctx context.Context, key string) (unlock func(), err error)
	// TryLock takes the lock named key if no one holds it: ok is false if
	// someone does.
	TryLock(ctx context.Context, key string) (unlock func(), ok bool, err error)
}

// A Lease says until when a node is taken to be alive. Times are the
// store's, so the nodes' clocks need not agree.
type Lease struct {
	Node     string
	Instance string    // the process holding the name now (see [Leases].Renew)
	Renewed  time.Time // the last renewal
	Expires  time.Time
	Expired  bool // Expires is past by the store's clock
}

// Leases keeps the leases of the nodes sharing a store: each node renews
// its own while it runs; a node whose lease has expired is taken to be
// dead, and its jobs are resumed by the others. Its methods are safe for
// concurrent use.
type Leases interface {
	// Renew records that node is alive for lease from now, by the store's
	// clock, in the process instance (a random token each process picks:
	// two processes renewing one name show as the instance changing).
	Renew(ctx context.Context, node, instance string, lease time.Duration) error
	// Leases returns every lease, expired or not, by node name.
	Leases(ctx context.Context) ([]Lease, error)
	// Release removes node's lease: it stopped. Releasing a lease that
	// does not exist is no error.
	Release(ctx context.Context, node string) error
	// Forget removes node's lease if it has expired (its jobs were
	// resumed): a node that renewed it meanwhile keeps it.
	Forget(ctx context.Context, node string) error
}
