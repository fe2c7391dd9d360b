package jobstest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foliorender/folio/jobs"
)

// Shared is a store that several servers share: a jobs.Store with locks
// and node leases.
type Shared interface {
	jobs.Store
	jobs.Locker
	jobs.Leases
}

// RunShared runs the suite of stores that several servers share (locks
// and leases). open returns n handles on one new empty store, as n
// servers would open it, and closes them with t.Cleanup. A store that one
// process owns (jobs/sqlite) needs neither and does not run it.
func RunShared(t *testing.T, open func(t *testing.T, n int) []Shared) {
	tests := []struct {
		name string
		fn   func(*testing.T, func(t *testing.T, n int) []Shared)
	}{
		{"Lock", testLock},
		{"LockCanceled", testLockCanceled},
		{"Leases", testLeases},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func testLock(t *testing.T, open func(t *testing.T, n int) []Shared) {
	ctx := context.Background()
	s := open(t, 2)
	unlock, err := s[0].Lock(ctx, "render/1/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s[1].TryLock(ctx, "render/1/pdf"); ok || err != nil {
		t.Fatalf("TryLock of a held lock: %v, %v; want false", ok, err)
	}
	other, ok, err := s[1].TryLock(ctx, "render/1/csv")
	if !ok || err != nil {
		t.Fatalf("TryLock of another name: %v, %v", ok, err)
	}
	other()
	var got atomic.Bool
	done := make(chan error, 1)
	go func() {
		u, err := s[1].Lock(ctx, "render/1/pdf")
		if err == nil {
			got.Store(true)
			u()
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	if got.Load() {
		t.Fatal("a second holder took a held lock")
	}
	unlock()
	unlock() // a second call does nothing
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter did not get the lock 5 s after unlock")
	}
	// Given back: the first handle takes it again at once.
	u, ok, err := s[0].TryLock(ctx, "render/1/pdf")
	if !ok || err != nil {
		t.Fatalf("TryLock after both unlocked: %v, %v", ok, err)
	}
	u()
}

func testLockCanceled(t *testing.T, open func(t *testing.T, n int) []Shared) {
	s := open(t, 2)
	unlock, err := s[0].Lock(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s[1].Lock(ctx, "k"); err == nil {
		t.Fatal("Lock of a held lock returned before its context ended")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Lock returned %s after its context ended", d)
	}
	// The wait left nothing behind: the lock is still the first holder's,
	// and the second handle still works.
	if _, ok, _ := s[1].TryLock(context.Background(), "k"); ok {
		t.Error("the lock changed hands after a canceled wait")
	}
	if _, err := s[1].Get(context.Background(), 1); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("the store after a canceled wait: %v", err)
	}
}

func testLeases(t *testing.T, open func(t *testing.T, n int) []Shared) {
	ctx := context.Background()
	s := open(t, 2)
	if ls, err := s[0].Leases(ctx); err != nil || len(ls) != 0 {
		t.Fatalf("Leases of an empty store: %v, %v", ls, err)
	}
	if err := s[0].Renew(ctx, "a", "i1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s[1].Renew(ctx, "b", "i2", 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ls, err := s[1].Leases(ctx)
	if err != nil || len(ls) != 2 || ls[0].Node != "a" || ls[1].Node != "b" || ls[0].Instance != "i1" || ls[0].Expired || ls[1].Expired {
		t.Fatalf("Leases: %+v, %v", ls, err)
	}
	if d := ls[0].Expires.Sub(ls[0].Renewed); d != time.Hour {
		t.Errorf("a lease of 1h expires %s after its renewal", d)
	}
	time.Sleep(400 * time.Millisecond)
	ls, _ = s[0].Leases(ctx)
	if len(ls) != 2 || ls[0].Expired || !ls[1].Expired {
		t.Fatalf("after 400 ms: %+v; want b expired", ls)
	}
	if err := s[0].Forget(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	// Renewed by another process: the instance changes, the lease is live
	// again, and Forget leaves it.
	if err := s[0].Renew(ctx, "b", "i3", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s[0].Forget(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	ls, _ = s[1].Leases(ctx)
	if len(ls) != 2 || ls[1].Instance != "i3" || ls[1].Expired {
		t.Fatalf("after a renewal by i3 and Forget of live leases: %+v", ls)
	}
	if err := s[1].Renew(ctx, "b", "i3", time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if err := s[1].Forget(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := s[1].Release(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s[1].Release(ctx, "nobody"); err != nil {
		t.Errorf("Release of no lease: %v", err)
	}
	if ls, _ := s[0].Leases(ctx); len(ls) != 0 {
		t.Errorf("after Forget of an expired lease and Release: %+v", ls)
	}
}
