package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/foliorender/folio/internal/pgtest"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/jobstest"
	"github.com/foliorender/folio/jobs/postgres"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, "jobs/postgres")) }

func fresh(t *testing.T) string { return pgtest.Fresh(t) }

func open(t *testing.T, d string) *postgres.Store {
	s, err := postgres.Open(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	jobstest.Run(t, func(t *testing.T) jobs.Store { return open(t, fresh(t)) })
}

func TestMigrateTwice(t *testing.T) {
	d := fresh(t)
	ctx := context.Background()
	// Two servers starting together apply the migrations once.
	errc := make(chan error, 2)
	for range 2 {
		go func() {
			s, err := postgres.Open(ctx, d)
			if err == nil {
				s.Close()
			}
			errc <- err
		}()
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	s := open(t, d)
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	conn, _ := pgx.Connect(ctx, d)
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM folio_migration").Scan(&n); err != nil || n != postgres.SchemaVersion {
		t.Errorf("folio_migration: %d rows, %v", n, err)
	}
}

func TestHookStore(t *testing.T) {
	jobstest.RunHook(t, func(t *testing.T) jobs.HookStore[pgx.Tx] { return open(t, fresh(t)) })
}

func TestShared(t *testing.T) {
	jobstest.RunShared(t, func(t *testing.T, n int) []jobstest.Shared {
		d := fresh(t)
		var out []jobstest.Shared
		for range n {
			out = append(out, open(t, d))
		}
		return out
	})
}

// TestLockDiesWithItsHolder ends the session that holds a lock, as the
// death of its process does: the lock is free at once, and the holder's
// unlock does no harm.
func TestLockDiesWithItsHolder(t *testing.T) {
	d := fresh(t)
	a, b := open(t, d), open(t, d)
	ctx := context.Background()
	unlock, err := a.Lock(ctx, "render/7/pdf")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminating the holder's session: %d sessions, %v", n, err)
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u, err := b.Lock(lctx, "render/7/pdf")
	if err != nil {
		t.Fatalf("the lock of a dead session: %v", err)
	}
	unlock()
	if _, ok, _ := a.TryLock(ctx, "render/7/pdf"); ok {
		t.Error("the dead holder's unlock freed the new holder's lock")
	}
	u()
	if err := a.Ping(ctx); err != nil {
		t.Errorf("the store after its lock's session died: %v", err)
	}
}
