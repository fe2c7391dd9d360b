// Package pgtest starts a private PostgreSQL server for tests: initdb and
// pg_ctl in a temporary directory (as the postgres user when run as root),
// on a free loopback port, with fsync off. Tests that need a server call
// [Main] from TestMain and [Fresh] for an empty database of their own.
package pgtest

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

	"github.com/jackc/pgx/v5"
)

// dsn is the server's base URL, "" if none could be started; skipWhy
// says why.
var dsn, skipWhy string

// Main runs the tests of m with a private server, or with the one that
// FOLIO_POSTGRES_DSN names, and returns the exit code for os.Exit. Without
// PostgreSQL the tests that call Fresh skip, or the run fails when
// FOLIO_REQUIRE_TOOLS=1 (as CI sets); pkg names the package in that
// message.
func Main(m *testing.M, pkg string) int {
	if v := os.Getenv("FOLIO_POSTGRES_DSN"); v != "" {
		dsn = v
		return m.Run()
	}
	u, stop, err := Start()
	if err != nil {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			fmt.Fprintf(os.Stderr, "%s: cannot start PostgreSQL (scripts/deps.sh installs it): %v\n", pkg, err)
			return 1
		}
		skipWhy = err.Error()
	}
	dsn = u
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	return m.Run()
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

// Start starts a private server (as Main does) and returns its URL and a
// function that stops it and removes its directory. It is for programs
// other than tests, such as benchmarks.
func Start() (string, func(), error) {
	bin, err := binDir()
	if err != nil {
		return "", nil, err
	}
	// Not t.TempDir: its root-owned 0700 parent keeps the postgres user out.
	dir, err := os.MkdirTemp("", "pg-")
	if err != nil {
		return "", nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return "", nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		os.Chown(dir, uid, gid)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
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
		return "", nil, err
	}
	if err := run("pg_ctl", "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "pg.log"), "-w", "-t", "30", "start",
		"-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=300", port, sock)); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return u, func() {
		// SIGINT is a fast shutdown; the pid file's first line is the
		// postmaster's pid.
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

var seq atomic.Int64

// Fresh creates an empty database and returns its URL. It skips t when no
// server could be started.
func Fresh(t testing.TB) string {
	t.Helper()
	if dsn == "" {
		t.Skipf("no PostgreSQL: %s", skipWhy)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("folio_test_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(dsn, "/postgres?", "/"+name+"?", 1)
}
