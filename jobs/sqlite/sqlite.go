// Package sqlite is the embedded [jobs.Store]: one SQLite database file,
// through the pure-Go driver modernc.org/sqlite (no cgo).
//
// The database runs in WAL mode with synchronous=FULL, so a committed change
// of a job survives a crash of the process or of the machine. Writes go
// through a single connection (SQLite has one writer; one connection in the
// process means no SQLITE_BUSY between its own writers) and reads through a
// small pool of read-only connections, which WAL lets run beside the writer.
// The schema is versioned: [Open] applies the migrations a database lacks, in
// order, each in its own transaction, and records them in folio_migration.
//
// The write connection is shared: [Store.DB] gives it to a job queue (River)
// that keeps its tables in the same file, and [Store.SetHook] lets the queue
// act in the transaction of each Create, Update and Delete, so a job's
// record and its queue entry are committed together.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/report"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is a jobs.Store in a SQLite database. Its methods are safe for
// concurrent use.
type Store struct {
	w, r *sql.DB
	hook jobs.Hook[*sql.Tx]
}

var _ jobs.HookStore[*sql.Tx] = (*Store)(nil)

// DSN returns the connection string folio uses for the database file path:
// WAL, busy_timeout 5 s, synchronous=FULL, foreign keys on, and
// transactions that take the write lock when they begin.
func DSN(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Open opens (creating it if needed) the database file at path and applies
// the migrations it lacks. The caller closes the Store.
func Open(ctx context.Context, path string) (*Store, error) {
	w, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: migrating %s: %w", path, err)
	}
	// Readers begin deferred transactions: an immediate one would take the
	// write lock.
	r, err := sql.Open("sqlite", strings.TrimSuffix(DSN(path), "&_txlock=immediate")+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	return &Store{w: w, r: r}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// DB returns the write connection pool (one connection), for a job queue
// that keeps its tables in the same database. Never use it while a
// transaction of the Store is open, e.g. in a Hook.
func (s *Store) DB() *sql.DB { return s.w }

// SetHook implements jobs.HookStore: h runs in the transaction of every
// Create, Update and Delete. Call it before the Store is used.
func (s *Store) SetHook(h jobs.Hook[*sql.Tx]) { s.hook = h }

// Ping checks that the database answers and can write: it records the
// time in folio_health, synced like every commit.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, "INSERT OR REPLACE INTO folio_health (id, checked_at) VALUES (1, ?)", time.Now().UnixMilli())
	return err
}

// migrations are applied in order; migration i brings the schema to
// version i+1. Never edit one that has shipped: add another.
var migrations = []string{
	`CREATE TABLE folio_job (
		id          INTEGER PRIMARY KEY AUTOINCREMENT,
		request_id  TEXT    NOT NULL UNIQUE,
		entity      BLOB    NOT NULL,
		status      TEXT    NOT NULL,
		percent     REAL    NOT NULL DEFAULT 0,
		operation   BLOB    NOT NULL,
		created_at  INTEGER NOT NULL, -- Unix milliseconds
		updated_at  INTEGER NOT NULL,
		created_by  BLOB    NOT NULL,
		error_count INTEGER NOT NULL DEFAULT 0,
		result      TEXT    NOT NULL,
		summary     BLOB    NOT NULL DEFAULT '',
		details     BLOB    NOT NULL DEFAULT '[]', -- JSON
		formats     BLOB    NOT NULL DEFAULT '[]', -- JSON
		document    BLOB,                          -- JSON, NULL until received
		artifacts   BLOB    NOT NULL DEFAULT '{}', -- JSON
		queue_id    INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX folio_job_created_by ON folio_job (created_by, id);
	CREATE INDEX folio_job_created_at ON folio_job (created_at);
	CREATE INDEX folio_job_updated_at ON folio_job (updated_at);
	CREATE INDEX folio_job_status ON folio_job (status) WHERE status IN ('request_received', 'ready_to_process', 'processing');`,
	// 2: render bookkeeping (owner node, tries and failures by format), an
	// index the status filter can use, and the health check's row.
	`ALTER TABLE folio_job ADD COLUMN owner    BLOB NOT NULL DEFAULT '';
	ALTER TABLE folio_job ADD COLUMN tries    BLOB NOT NULL DEFAULT '{}'; -- JSON
	ALTER TABLE folio_job ADD COLUMN failures BLOB NOT NULL DEFAULT '{}'; -- JSON
	DROP INDEX folio_job_status;
	CREATE INDEX folio_job_status_updated ON folio_job (status, updated_at);
	CREATE TABLE folio_health (id INTEGER PRIMARY KEY, checked_at INTEGER NOT NULL);`,
}

// SchemaVersion is the schema version Open brings a database to.
var SchemaVersion = len(migrations)

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS folio_migration (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	var have int
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM folio_migration").Scan(&have); err != nil {
		return err
	}
	if have > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this folio's %d", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			tx.Rollback()
			return fmt.Errorf("version %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO folio_migration (version, applied_at) VALUES (?, ?)", v, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Text columns that hold what users write are BLOBs, so a NUL byte or
// invalid UTF-8 comes back exactly as it went in.
const columns = `id, request_id, entity, status, percent, operation, created_at, updated_at,
	created_by, error_count, result, summary, details, formats, document, artifacts, queue_id,
	owner, tries, failures`

type row struct {
	j                                    jobs.Job
	entity, operation, createdBy, summ   []byte
	details, formats, document, artifact []byte
	owner, tries, failures               []byte
	created, updated                     int64
	status, result                       string
}

func scan(sc interface{ Scan(...any) error }) (*jobs.Job, error) {
	var r row
	err := sc.Scan(&r.j.ID, &r.j.RequestID, &r.entity, &r.status, &r.j.PercentCompleted, &r.operation,
		&r.created, &r.updated, &r.createdBy, &r.j.ErrorCount, &r.result, &r.summ, &r.details,
		&r.formats, &r.document, &r.artifact, &r.j.QueueID, &r.owner, &r.tries, &r.failures)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, jobs.ErrNotFound
		}
		return nil, err
	}
	j := r.j
	j.Entity, j.Operation, j.CreatedBy, j.Summary = string(r.entity), string(r.operation), string(r.createdBy), string(r.summ)
	j.Owner = string(r.owner)
	j.Status, j.Result = jobs.Status(r.status), jobs.Result(r.result)
	j.CreatedAt, j.UpdatedAt = time.UnixMilli(r.created).UTC(), time.UnixMilli(r.updated).UTC()
	var details []detail
	if err := json.Unmarshal(r.details, &details); err != nil {
		return nil, fmt.Errorf("sqlite: job %d: details: %w", j.ID, err)
	}
	for _, d := range details {
		j.Details = append(j.Details, report.Violation{Pointer: string(d.Pointer), Message: string(d.Message)})
	}
	if err := json.Unmarshal(r.formats, &j.Formats); err != nil {
		return nil, fmt.Errorf("sqlite: job %d: formats: %w", j.ID, err)
	}
	if r.document != nil {
		j.Document = new(jobs.Blob)
		if err := json.Unmarshal(r.document, j.Document); err != nil {
			return nil, fmt.Errorf("sqlite: job %d: document: %w", j.ID, err)
		}
	}
	if err := json.Unmarshal(r.artifact, &j.Artifacts); err != nil {
		return nil, fmt.Errorf("sqlite: job %d: artifacts: %w", j.ID, err)
	}
	if err := json.Unmarshal(r.tries, &j.Tries); err != nil {
		return nil, fmt.Errorf("sqlite: job %d: tries: %w", j.ID, err)
	}
	var failures map[string][]byte
	if err := json.Unmarshal(r.failures, &failures); err != nil {
		return nil, fmt.Errorf("sqlite: job %d: failures: %w", j.ID, err)
	}
	for f, why := range failures {
		if j.Failures == nil {
			j.Failures = map[string]string{}
		}
		j.Failures[f] = string(why)
	}
	if len(j.Artifacts) == 0 {
		j.Artifacts = nil
	}
	if len(j.Tries) == 0 {
		j.Tries = nil
	}
	if len(j.Formats) == 0 {
		j.Formats = nil
	}
	return &j, nil
}

// detail keeps violation text as bytes: JSON strings would replace invalid
// UTF-8.
type detail struct {
	Pointer, Message []byte
}

func args(j *jobs.Job) ([]any, error) {
	details := make([]detail, len(j.Details))
	for i, d := range j.Details {
		details[i] = detail{[]byte(d.Pointer), []byte(d.Message)}
	}
	dj, err := json.Marshal(details)
	if err != nil {
		return nil, err
	}
	formats := j.Formats
	if formats == nil {
		formats = []string{}
	}
	fj, err := json.Marshal(formats)
	if err != nil {
		return nil, err
	}
	var doc []byte
	if j.Document != nil {
		if doc, err = json.Marshal(j.Document); err != nil {
			return nil, err
		}
	}
	art := j.Artifacts
	if art == nil {
		art = map[string]jobs.Blob{}
	}
	aj, err := json.Marshal(art)
	if err != nil {
		return nil, err
	}
	tries := j.Tries
	if tries == nil {
		tries = map[string]int{}
	}
	tj, err := json.Marshal(tries)
	if err != nil {
		return nil, err
	}
	failures := map[string][]byte{} // bytes: the reasons quote documents
	for f, why := range j.Failures {
		failures[f] = []byte(why)
	}
	fl, err := json.Marshal(failures)
	if err != nil {
		return nil, err
	}
	return []any{[]byte(j.Entity), string(j.Status), j.PercentCompleted, []byte(j.Operation),
		j.UpdatedAt.UnixMilli(), j.ErrorCount, string(j.Result), []byte(j.Summary), dj, fj, doc, aj, j.QueueID,
		[]byte(j.Owner), tj, fl}, nil
}

// now is the store's clock, at the millisecond precision it keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// Create implements jobs.Store.
func (s *Store) Create(ctx context.Context, j *jobs.Job) error {
	c, err := j.ForCreate(now())
	if err != nil {
		return err
	}
	a, err := args(c)
	if err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO folio_job (entity, status, percent, operation, updated_at,
		error_count, result, summary, details, formats, document, artifacts, queue_id, owner, tries, failures,
		request_id, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append(a, c.RequestID, c.CreatedAt.UnixMilli(), []byte(c.CreatedBy))...)
	if err != nil {
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			return jobs.DuplicateRequestID(c.RequestID)
		}
		return err
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if s.hook != nil {
		after := c.Clone()
		if err := s.hook(ctx, tx, nil, after); err != nil {
			return err
		}
		if after.QueueID != c.QueueID {
			c.QueueID = after.QueueID
			if _, err := tx.ExecContext(ctx, "UPDATE folio_job SET queue_id = ? WHERE id = ?", c.QueueID, c.ID); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	*j = *c
	return nil
}

// Get implements jobs.Store.
func (s *Store) Get(ctx context.Context, id int64) (*jobs.Job, error) {
	return scan(s.r.QueryRowContext(ctx, "SELECT "+columns+" FROM folio_job WHERE id = ?", id))
}

// GetByRequestID implements jobs.Store.
func (s *Store) GetByRequestID(ctx context.Context, requestID string) (*jobs.Job, error) {
	return scan(s.r.QueryRowContext(ctx, "SELECT "+columns+" FROM folio_job WHERE request_id = ?", requestID))
}

// List implements jobs.Store. The count and the page are read in one
// transaction, so they agree.
func (s *Store) List(ctx context.Context, f jobs.Filter) (*jobs.Page, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	var where []string
	var a []any
	add := func(cond string, v any) { where = append(where, cond); a = append(a, v) }
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.Unfinished {
		where = append(where, "status IN ("+inList(jobs.Unfinished(), &a)+")")
	}
	if !f.FinishedBefore.IsZero() {
		where = append(where, "status IN ("+inList(jobs.FinalStatuses(), &a)+")")
		add("updated_at < ?", f.FinishedBefore.UnixMilli())
	}
	if f.ID != 0 {
		add("id = ?", f.ID)
	}
	if f.RequestID != "" {
		add("request_id = ?", f.RequestID)
	}
	if f.CreatedBy != "" {
		add("created_by = ?", []byte(f.CreatedBy))
	}
	if f.Owner != "" {
		add("owner = ?", []byte(f.Owner))
	}
	for _, b := range []struct {
		t    time.Time
		cond string
	}{{f.CreatedFrom, "created_at >= ?"}, {f.CreatedTo, "created_at <= ?"},
		{f.UpdatedFrom, "updated_at >= ?"}, {f.UpdatedTo, "updated_at <= ?"}} {
		if !b.t.IsZero() {
			ms := b.t.UnixMilli()
			if strings.HasSuffix(b.cond, ">= ?") && b.t.After(time.UnixMilli(ms)) {
				ms++ // times are kept in whole milliseconds
			}
			add(b.cond, ms)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p := &jobs.Page{Page: f.Page, PerPage: f.PerPage, Entries: []*jobs.Job{}}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM folio_job"+cond, a...).Scan(&p.TotalEntries); err != nil {
		return nil, err
	}
	p.TotalPages = jobs.TotalPages(p.TotalEntries, p.PerPage)
	if (p.Page-1)*p.PerPage >= p.TotalEntries {
		return p, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+columns+" FROM folio_job"+cond+" ORDER BY id LIMIT ? OFFSET ?",
		append(a, p.PerPage, (p.Page-1)*p.PerPage)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scan(rows)
		if err != nil {
			return nil, err
		}
		p.Entries = append(p.Entries, j)
	}
	return p, rows.Err()
}

// inList appends the statuses to *a and returns their placeholders.
func inList(statuses []jobs.Status, a *[]any) string {
	q := make([]string, len(statuses))
	for i, st := range statuses {
		q[i] = "?"
		*a = append(*a, string(st))
	}
	return strings.Join(q, ", ")
}

// Delete implements jobs.Store.
func (s *Store) Delete(ctx context.Context, id int64) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	before, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM folio_job WHERE id = ?", id))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM folio_job WHERE id = ?", id); err != nil {
		return err
	}
	if s.hook != nil {
		if err := s.hook(ctx, tx, before, nil); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Update implements jobs.Store.
func (s *Store) Update(ctx context.Context, id int64, fn func(*jobs.Job) error) (*jobs.Job, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	before, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM folio_job WHERE id = ?", id))
	if err != nil {
		return nil, err
	}
	j, err := before.ForUpdate(fn, now())
	if err != nil {
		return nil, err
	}
	if s.hook != nil {
		after := j.Clone()
		if err := s.hook(ctx, tx, before, after); err != nil {
			return nil, err
		}
		j.QueueID = after.QueueID
	}
	a, err := args(j)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE folio_job SET entity = ?, status = ?, percent = ?, operation = ?,
		updated_at = ?, error_count = ?, result = ?, summary = ?, details = ?, formats = ?, document = ?,
		artifacts = ?, queue_id = ?, owner = ?, tries = ?, failures = ? WHERE id = ?`, append(a, id)...); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return j, nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns nil if it answers
// ok.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("sqlite: integrity check: %s", res)
	}
	return nil
}
