// Package postgres is a [jobs.Store] in PostgreSQL, for several folio
// servers sharing one job table. It passes the same suite (jobs/jobstest) as
// the embedded jobs/sqlite store.
//
// Text that users write is kept as bytea, so a NUL byte or invalid UTF-8
// comes back exactly as it went in (PostgreSQL text holds neither). Times
// are kept to the millisecond, like the SQLite store. Creates take a
// transaction-scoped advisory lock, so job IDs become visible in order and a
// client paging by ascending ID never sees a page shift under it. The schema
// is versioned in folio_migration and migrated by [Open] under an advisory
// lock, so servers starting together apply each migration once.
//
// Background rendering (package runner) runs on the SQLite store only.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a jobs.Store in PostgreSQL. Its methods are safe for concurrent
// use.
type Store struct {
	pool *pgxpool.Pool
}

var _ jobs.Store = (*Store)(nil)

// Advisory lock keys (an arbitrary prefix, "folio" in ASCII, then a number).
const (
	lockMigrate int64 = 0x666f6c696f_0001
	lockCreate  int64 = 0x666f6c696f_0002
)

var migrations = []string{
	`CREATE TABLE folio_job (
		id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		request_id  text             NOT NULL UNIQUE,
		entity      bytea            NOT NULL,
		status      text             NOT NULL,
		percent     double precision NOT NULL DEFAULT 0,
		operation   bytea            NOT NULL,
		created_at  timestamptz      NOT NULL,
		updated_at  timestamptz      NOT NULL,
		created_by  bytea            NOT NULL,
		error_count integer          NOT NULL DEFAULT 0,
		result      text             NOT NULL,
		summary     bytea            NOT NULL,
		details     bytea            NOT NULL, -- JSON
		formats     bytea            NOT NULL, -- JSON
		document    bytea,                     -- JSON, NULL until received
		artifacts   bytea            NOT NULL, -- JSON
		queue_id    bigint           NOT NULL DEFAULT 0
	);
	CREATE INDEX folio_job_created_by ON folio_job (created_by, id);
	CREATE INDEX folio_job_created_at ON folio_job (created_at);
	CREATE INDEX folio_job_updated_at ON folio_job (updated_at);`,
}

// SchemaVersion is the schema version Open brings a database to.
var SchemaVersion = len(migrations)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) and applies the migrations it lacks. The caller closes the Store.
func Open(ctx context.Context, dsn string) (*Store, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrating: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Close closes the connections.
func (s *Store) Close() error { s.pool.Close(); return nil }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockMigrate); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS folio_migration (
		version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	var have int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM folio_migration").Scan(&have); err != nil {
		return err
	}
	if have > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this folio's %d", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("version %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO folio_migration (version) VALUES ($1)", v); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

const columns = `id, request_id, entity, status, percent, operation, created_at, updated_at,
	created_by, error_count, result, summary, details, formats, document, artifacts, queue_id`

type detail struct{ Pointer, Message []byte }

func scan(row pgx.Row) (*jobs.Job, error) {
	var j jobs.Job
	var entity, operation, createdBy, summary, details, formats, document, artifacts []byte
	var status, result string
	err := row.Scan(&j.ID, &j.RequestID, &entity, &status, &j.PercentCompleted, &operation, &j.CreatedAt,
		&j.UpdatedAt, &createdBy, &j.ErrorCount, &result, &summary, &details, &formats, &document, &artifacts, &j.QueueID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, jobs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	j.Entity, j.Operation, j.CreatedBy, j.Summary = string(entity), string(operation), string(createdBy), string(summary)
	j.Status, j.Result = jobs.Status(status), jobs.Result(result)
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	var ds []detail
	if err := json.Unmarshal(details, &ds); err != nil {
		return nil, fmt.Errorf("postgres: job %d: details: %w", j.ID, err)
	}
	for _, d := range ds {
		j.Details = append(j.Details, jobs.Detail{Pointer: string(d.Pointer), Message: string(d.Message)})
	}
	if err := json.Unmarshal(formats, &j.Formats); err != nil {
		return nil, fmt.Errorf("postgres: job %d: formats: %w", j.ID, err)
	}
	if len(j.Formats) == 0 {
		j.Formats = nil
	}
	if document != nil {
		j.Document = new(jobs.Blob)
		if err := json.Unmarshal(document, j.Document); err != nil {
			return nil, fmt.Errorf("postgres: job %d: document: %w", j.ID, err)
		}
	}
	if err := json.Unmarshal(artifacts, &j.Artifacts); err != nil {
		return nil, fmt.Errorf("postgres: job %d: artifacts: %w", j.ID, err)
	}
	if len(j.Artifacts) == 0 {
		j.Artifacts = nil
	}
	return &j, nil
}

// values returns the mutable columns of j in the order entity, status,
// percent, operation, updated_at, error_count, result, summary, details,
// formats, document, artifacts, queue_id.
func values(j *jobs.Job) ([]any, error) {
	ds := make([]detail, len(j.Details))
	for i, d := range j.Details {
		ds[i] = detail{[]byte(d.Pointer), []byte(d.Message)}
	}
	details, err := json.Marshal(ds)
	if err != nil {
		return nil, err
	}
	f := j.Formats
	if f == nil {
		f = []string{}
	}
	formats, _ := json.Marshal(f)
	var document []byte
	if j.Document != nil {
		document, _ = json.Marshal(j.Document)
	}
	a := j.Artifacts
	if a == nil {
		a = map[string]jobs.Blob{}
	}
	artifacts, _ := json.Marshal(a)
	return []any{[]byte(j.Entity), string(j.Status), j.PercentCompleted, []byte(j.Operation), j.UpdatedAt,
		j.ErrorCount, string(j.Result), []byte(j.Summary), details, formats, document, artifacts, j.QueueID}, nil
}

func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// Create implements jobs.Store.
func (s *Store) Create(ctx context.Context, j *jobs.Job) error {
	c, err := j.ForCreate(now())
	if err != nil {
		return err
	}
	v, err := values(c)
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockCreate); err != nil {
		return err
	}
	err = tx.QueryRow(ctx, `INSERT INTO folio_job (entity, status, percent, operation, updated_at, error_count,
		result, summary, details, formats, document, artifacts, queue_id, request_id, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		append(v, c.RequestID, c.CreatedAt, []byte(c.CreatedBy))...).Scan(&c.ID)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			return fmt.Errorf("postgres: a job with request ID %q exists", c.RequestID)
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	*j = *c
	return nil
}

// Get implements jobs.Store.
func (s *Store) Get(ctx context.Context, id int64) (*jobs.Job, error) {
	return scan(s.pool.QueryRow(ctx, "SELECT "+columns+" FROM folio_job WHERE id = $1", id))
}

// GetByRequestID implements jobs.Store.
func (s *Store) GetByRequestID(ctx context.Context, requestID string) (*jobs.Job, error) {
	return scan(s.pool.QueryRow(ctx, "SELECT "+columns+" FROM folio_job WHERE request_id = $1", requestID))
}

// List implements jobs.Store. The count and the page come from one
// snapshot (a repeatable-read transaction).
func (s *Store) List(ctx context.Context, f jobs.Filter) (*jobs.Page, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.ID != 0 {
		add("id = $%d", f.ID)
	}
	if f.RequestID != "" {
		add("request_id = $%d", f.RequestID)
	}
	if f.CreatedBy != "" {
		add("created_by = $%d", []byte(f.CreatedBy))
	}
	for _, b := range []struct {
		t    time.Time
		cond string
	}{{f.CreatedFrom, "created_at >= $%d"}, {f.CreatedTo, "created_at <= $%d"},
		{f.UpdatedFrom, "updated_at >= $%d"}, {f.UpdatedTo, "updated_at <= $%d"}} {
		if !b.t.IsZero() {
			add(b.cond, b.t)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	p := &jobs.Page{Page: f.Page, PerPage: f.PerPage, Entries: []*jobs.Job{}}
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM folio_job"+cond, args...).Scan(&p.TotalEntries); err != nil {
		return nil, err
	}
	p.TotalPages = jobs.TotalPages(p.TotalEntries, p.PerPage)
	if (p.Page-1)*p.PerPage >= p.TotalEntries {
		return p, nil
	}
	n := len(args)
	rows, err := tx.Query(ctx, fmt.Sprintf("SELECT %s FROM folio_job%s ORDER BY id LIMIT $%d OFFSET $%d", columns, cond, n+1, n+2),
		append(args, p.PerPage, (p.Page-1)*p.PerPage)...)
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

// Update implements jobs.Store. The job's row is locked (SELECT … FOR
// UPDATE) from the read to the commit.
func (s *Store) Update(ctx context.Context, id int64, fn func(*jobs.Job) error) (*jobs.Job, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	before, err := scan(tx.QueryRow(ctx, "SELECT "+columns+" FROM folio_job WHERE id = $1 FOR UPDATE", id))
	if err != nil {
		return nil, err
	}
	j := before.Clone()
	if err := fn(j); err != nil {
		return nil, err
	}
	if !jobs.CanMove(before.Status, j.Status) {
		return nil, &jobs.TransitionError{From: before.Status, To: j.Status}
	}
	if err := j.Check(); err != nil {
		return nil, err
	}
	j.ID, j.RequestID, j.CreatedAt, j.CreatedBy = before.ID, before.RequestID, before.CreatedAt, before.CreatedBy
	j.UpdatedAt = now()
	if j.UpdatedAt.Before(before.UpdatedAt) {
		j.UpdatedAt = before.UpdatedAt
	}
	j.Result = jobs.ResultOf(j.Status)
	v, err := values(j)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE folio_job SET entity = $1, status = $2, percent = $3, operation = $4,
		updated_at = $5, error_count = $6, result = $7, summary = $8, details = $9, formats = $10, document = $11,
		artifacts = $12, queue_id = $13 WHERE id = $14`, append(v, id)...); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return j, nil
}
