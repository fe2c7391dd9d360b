package postgres_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/jobstest"
	"github.com/foliorender/folio/jobs/postgres"
	"github.com/jackc/pgx/v5"
)

// dsn is the private server's base URL, "" if none could be started.
var dsn, skipWhy string

// TestMain starts a private PostgreSQL (initdb and pg_ctl, as the postgres
// user when run as root) in a temporary directory, or uses FOLIO_POSTGRES_DSN.
func TestMain(m *testing.M) {
	if v := os.Getenv("FOLIO_POSTGRES_DSN"); v != "" {
		dsn = v
		os.Exit(m.Run())
	}
	stop, err := startPostgres()
	if err != nil {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			fmt.Fprintln(os.Stderr, "jobs/postgres: cannot start PostgreSQL (scripts/deps.sh installs it):", err)
			os.Exit(1)
		}
		skipWhy = err.Error()
	}
	code := m.Run()
	if stop != nil {
		stop()
	}
	os.Exit(code)
}

func binDir() (string, error) {
	for _, v := range []string{"17", "16", "15", "14"} {
		d := "/usr/lib/postgresql/" + v + "/bin"
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no initdb: install postgresql")
}

func startPostgres() (func(), error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pg-")
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		os.Chown(dir, uid, gid)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", name, err, out)
		}
		return nil
	}
	sock := filepath.Join(dir, "sock")
	if err := os.Mkdir(sock, 0o700); err == nil && cred != nil {
		os.Chown(sock, int(cred.Uid), int(cred.Gid))
	}
	if err := run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := run("pg_ctl", "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "pg.log"), "-w", "-t", "30", "start",
		"-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off", port, sock)); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	dsn = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return func() {
		if b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])); err == nil {
				syscall.Kill(pid, syscall.SIGINT)
				for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}
		os.RemoveAll(dir)
	}, nil
}

var dbSeq atomic.Int64

// fresh creates an empty database and returns its DSN.
func fresh(t *testing.T) string {
	t.Helper()
	if dsn == "" {
		// PostgreSQL is optional (scripts/deps.sh does not install it).
		t.Skipf("no PostgreSQL: %s", skipWhy)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("folio_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(dsn, "/postgres?", "/"+name+"?", 1)
}

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
