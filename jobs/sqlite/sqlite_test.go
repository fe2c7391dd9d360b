package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/jobstest"
	"github.com/foliorender/folio/jobs/sqlite"
)

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	jobstest.Run(t, func(t *testing.T) jobs.Store {
		return open(t, filepath.Join(t.TempDir(), "folio.db"))
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "folio.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	j := &jobs.Job{Status: jobs.StatusProcessing, CreatedBy: "alice"}
	if err := s.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path) // migrations already applied: none runs again
	got, err := s.Get(ctx, j.ID)
	if err != nil || got.CreatedBy != "alice" {
		t.Fatalf("after reopening: %v, %v", got, err)
	}
	p, err := s.List(ctx, jobs.Filter{Unfinished: true})
	if err != nil || len(p.Entries) != 1 || p.Entries[0].ID != j.ID {
		t.Errorf("Unfinished: %v, %v", p, err)
	}
	var n, v int
	if err := s.DB().QueryRow("SELECT count(*), max(version) FROM folio_migration").Scan(&n, &v); err != nil || n != sqlite.SchemaVersion || v != sqlite.SchemaVersion {
		t.Errorf("folio_migration: %d rows, version %d, %v", n, v, err)
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "busy_timeout": "5000"} {
		var got string
		if err := s.DB().QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", pragma, got, err, want)
		}
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

func TestHookRollback(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "folio.db"))
	fail := false
	s.SetHook(func(ctx context.Context, tx *sql.Tx, before, after *jobs.Job) error {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS seen (id INTEGER)"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO seen VALUES (?)", after.ID); err != nil {
			return err
		}
		after.QueueID = after.ID * 10 // stored with the change
		if fail {
			return sql.ErrTxDone
		}
		return nil
	})
	j := &jobs.Job{Status: jobs.StatusRequestReceived}
	if err := s.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, j.ID); j.QueueID != j.ID*10 || got.QueueID != j.ID*10 {
		t.Errorf("QueueID set by the hook: %d returned, %d stored; want %d", j.QueueID, got.QueueID, j.ID*10)
	}
	fail = true
	if _, err := s.Update(ctx, j.ID, func(j *jobs.Job) error { j.Status = jobs.StatusReadyToProcess; return nil }); err == nil {
		t.Fatal("a failing hook did not fail Update")
	}
	if got, _ := s.Get(ctx, j.ID); got.Status != jobs.StatusRequestReceived {
		t.Errorf("the update was kept despite the hook's error: %s", got.Status)
	}
	var n int
	s.DB().QueryRow("SELECT count(*) FROM seen").Scan(&n)
	if n != 1 {
		t.Errorf("hook rows: %d, want 1 (the failed one rolled back)", n)
	}
	if err := s.Create(ctx, &jobs.Job{Status: jobs.StatusRequestReceived}); err == nil {
		t.Error("a failing hook did not fail Create")
	}
	if p, _ := s.List(ctx, jobs.Filter{}); p.TotalEntries != 1 {
		t.Errorf("%d jobs after a failed Create, want 1", p.TotalEntries)
	}
}

func TestHookStore(t *testing.T) {
	jobstest.RunHook(t, func(t *testing.T) jobs.HookStore[*sql.Tx] {
		return open(t, filepath.Join(t.TempDir(), "folio.db"))
	})
}
