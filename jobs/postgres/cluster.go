package postgres

import (
	"context"
	"errors"
	"hash/fnv"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	_ jobs.Locker = (*Store)(nil)
	_ jobs.Leases = (*Store)(nil)
)

// lockClass is the first key of folio's named locks, in PostgreSQL's
// two-key advisory lock space ("foli" in ASCII); the second is a hash of
// the name. Advisory locks of one bigint key (River's, and the store's own
// migration and create locks) are another space, so they never meet.
const lockClass int32 = 0x666f6c69

func lockKey(key string) int32 {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int32(h.Sum32())
}

// Lock implements jobs.Locker with a session advisory lock
// (pg_advisory_lock) on a connection of the pool, held until unlock: it
// takes a connection from the pool for as long. Names are hashed to 32
// bits; two names that collide only wait for each other. When ctx ends
// while it waits, the connection is closed, which ends the wait on the
// server too.
func (s *Store) Lock(ctx context.Context, key string) (func(), error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, $2)", lockClass, lockKey(key)); err != nil {
		drop(conn)
		return nil, err
	}
	return unlocker(conn, key), nil
}

// TryLock implements jobs.Locker with pg_try_advisory_lock.
func (s *Store) TryLock(ctx context.Context, key string) (func(), bool, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", lockClass, lockKey(key)).Scan(&ok); err != nil {
		drop(conn)
		return nil, false, err
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return unlocker(conn, key), true, nil
}

// unlocker returns the function that releases the lock held on conn and
// gives conn back; if the unlock fails, conn is closed, which releases
// every lock it holds.
func unlocker(conn *pgxpool.Conn, key string) func() {
	done := false
	return func() {
		if done {
			return
		}
		done = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1, $2)", lockClass, lockKey(key)).Scan(&ok); err != nil || !ok {
			drop(conn)
			return
		}
		conn.Release()
	}
}

// drop closes conn rather than give it back to the pool: its session may
// hold or be waiting for a lock.
func drop(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c := conn.Hijack()
	c.Close(ctx)
}

// Renew implements jobs.Leases: the lease ends lease after the database's
// now().
func (s *Store) Renew(ctx context.Context, node, instance string, lease time.Duration) error {
	if node == "" {
		return errors.New("postgres: Renew of a lease with no node name")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO folio_node (node, instance, renewed_at, expires_at)
		VALUES ($1, $2, now(), now() + $3::interval)
		ON CONFLICT (node) DO UPDATE SET instance = $2, renewed_at = now(), expires_at = now() + $3::interval,
			started_at = CASE WHEN folio_node.instance = $2 THEN folio_node.started_at ELSE now() END`,
		node, instance, lease)
	return err
}

// Leases implements jobs.Leases.
func (s *Store) Leases(ctx context.Context) ([]jobs.Lease, error) {
	rows, err := s.pool.Query(ctx, `SELECT node, instance, renewed_at, expires_at, expires_at < now()
		FROM folio_node ORDER BY node`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jobs.Lease
	for rows.Next() {
		var l jobs.Lease
		if err := rows.Scan(&l.Node, &l.Instance, &l.Renewed, &l.Expires, &l.Expired); err != nil {
			return nil, err
		}
		l.Renewed, l.Expires = l.Renewed.UTC(), l.Expires.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// Release implements jobs.Leases.
func (s *Store) Release(ctx context.Context, node string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM folio_node WHERE node = $1", node)
	return err
}

// Forget implements jobs.Leases.
func (s *Store) Forget(ctx context.Context, node string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM folio_node WHERE node = $1 AND expires_at < now()", node)
	return err
}
