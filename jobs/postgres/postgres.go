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
// [Store.SetHook] lets a job queue in the same database (River's
// riverpgxv5 driver) act in the transaction of every change. The Store is
// also a [jobs.Locker] (advisory locks) and keeps node leases
// ([jobs.Leases], in folio_node), for servers sharing the database.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/report"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a jobs.Store in PostgreSQL. Its methods are safe for concurrent
// use.
type Store struct {
	pool *pgxpool.Pool
	hook jobs.Hook[pgx.Tx]
}

var _ jobs.HookStore[pgx.Tx] = (*Store)(nil)

// SetHook implements jobs.HookStore: h runs in the transaction of every
// Create, Update and Delete. Call it before the Store is used.
func (s *Store) SetHook(h jobs.Hook[pgx.Tx]) { s.hook = h }

// Pool returns the connection pool, for a job queue that keeps its tables
// in the same database.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

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
	// 2: render bookkeeping (owner node, tries and failures by format) and
	// an index for the status filters.
	`ALTER TABLE folio_job ADD COLUMN owner bytea NOT NULL DEFAULT '';
	ALTER TABLE folio_job ADD COLUMN tries bytea NOT NULL DEFAULT '{}';
	ALTER TABLE folio_job ADD COLUMN failures bytea NOT NULL DEFAULT '{}';
	CREATE INDEX folio_job_status_updated ON folio_job (status, updated_at);`,
	// 3: node leases.
	`CREATE TABLE folio_node (
		node       text        PRIMARY KEY,
		instance   text        NOT NULL,
		started_at timestamptz NOT NULL DEFAULT now(),
		renewed_at timestamptz NOT NULL,
		expires_at timestamptz NOT NULL
	);`,
}

// SchemaVersion is the schema version Open brings a database to.
var SchemaVersion = len(migrations)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) and applies the migrations it lacks. The caller closes the Store.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is [Open] with a pool configuration (pgxpool.ParseConfig),
// for a caller that sizes the pool.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
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
	created_by, error_count, result, summary, details, formats, document, artifacts, queue_id,
	owner, tries, failures`

type detail struct{ Pointer, Message []byte }

func scan(row pgx.Row) (*jobs.Job, error) {
	var j jobs.Job
	var entity, operation, createdBy, summary, details, formats, document, artifacts []byte
	var owner, tries, failures []byte
	var status, result string
	err := row.Scan(&j.ID, &j.RequestID, &entity, &status, &j.PercentCompleted, &operation, &j.CreatedAt,
		&j.UpdatedAt, &createdBy, &j.ErrorCount, &result, &summary, &details, &formats, &document, &artifacts, &j.QueueID,
		&owner, &tries, &failures)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, jobs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	j.Entity, j.Operation, j.CreatedBy, j.Summary = string(entity), string(operation), string(createdBy), string(summary)
	j.Owner = string(owner)
	j.Status, j.Result = jobs.Status(status), jobs.Result(result)
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	var ds []detail
	if err := json.Unmarshal(details, &ds); err != nil {
		return nil, fmt.Errorf("postgres: job %d: details: %w", j.ID, err)
	}
	for _, d := range ds {
		j.Details = append(j.Details, report.Violation{Pointer: string(d.Pointer), Message: string(d.Message)})
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
	if err := json.Unmarshal(tries, &j.Tries); err != nil {
		return nil, fmt.Errorf("postgres: job %d: tries: %w", j.ID, err)
	}
	if len(j.Tries) == 0 {
		j.Tries = nil
	}
	var fs map[string][]byte
	if err := json.Unmarshal(failures, &fs); err != nil {
		return nil, fmt.Errorf("postgres: job %d: failures: %w", j.ID, err)
	}
	for f, why := range fs {
		if j.Failures == nil {
			j.Failures = map[string]string{}
		}
		j.Failures[f] = string(why)
	}
	return &j, nil
}

// values returns the mutable columns of j in the order entity, status,
// percent, operation, updated_at, error_count, result, summary, details,
// formats, document, artifacts, queue_id, owner, tries, failures.
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
	t := j.Tries
	if t == nil {
		t = map[string]int{}
	}
	tries, _ := json.Marshal(t)
	fs := map[string][]byte{} // bytes: the reasons quote documents
	for f, why := range j.Failures {
		fs[f] = []byte(why)
	}
	failures, _ := json.Marshal(fs)
	return []any{[]byte(j.Entity), string(j.Status), j.PercentCompleted, []byte(j.Operation), j.UpdatedAt,
		j.ErrorCount, string(j.Result), []byte(j.Summary), details, formats, document, artifacts, j.QueueID,
		[]byte(j.Owner), tries, failures}, nil
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
		result, summary, details, formats, document, artifacts, queue_id, owner, tries, failures,
		request_id, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		append(v, c.RequestID, c.CreatedAt, []byte(c.CreatedBy))...).Scan(&c.ID)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			return jobs.DuplicateRequestID(c.RequestID)
		}
		return err
	}
	if s.hook != nil {
		after := c.Clone()
		if err := s.hook(ctx, tx, nil, after); err != nil {
			return err
		}
		if after.QueueID != c.QueueID {
			c.QueueID = after.QueueID
			if _, err := tx.Exec(ctx, "UPDATE folio_job SET queue_id = $1 WHERE id = $2", c.QueueID, c.ID); err != nil {
				return err
			}
		}
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
	statuses := func(ss []jobs.Status) []string {
		var names []string
		for _, st := range ss {
			names = append(names, string(st))
		}
		return names
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.Unfinished {
		add("status = ANY($%d)", statuses(jobs.Unfinished()))
	}
	if !f.FinishedBefore.IsZero() {
		add("status = ANY($%d)", statuses(jobs.FinalStatuses()))
		add("updated_at < $%d", f.FinishedBefore)
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
	if f.Owner != "" {
		add("owner = $%d", []byte(f.Owner))
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

// Delete implements jobs.Store.
func (s *Store) Delete(ctx context.Context, id int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	before, err := scan(tx.QueryRow(ctx, "SELECT "+columns+" FROM folio_job WHERE id = $1 FOR UPDATE", id))
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM folio_job WHERE id = $1", id); err != nil {
		return err
	}
	if s.hook != nil {
		if err := s.hook(ctx, tx, before, nil); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
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
	v, err := values(j)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE folio_job SET entity = $1, status = $2, percent = $3, operation = $4,
		updated_at = $5, error_count = $6, result = $7, summary = $8, details = $9, formats = $10, document = $11,
		artifacts = $12, queue_id = $13, owner = $14, tries = $15, failures = $16 WHERE id = $17`, append(v, id)...); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return j, nil
}
