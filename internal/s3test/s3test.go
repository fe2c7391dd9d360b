// Package s3test runs versitygw (github.com/versity/versitygw, installed
// by scripts/deps.sh) for tests: a real S3 server over a POSIX directory,
// on a free loopback port, with test credentials and a test bucket.
package s3test

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/foliorender/folio/blob/s3"
)

// The test gateway's credentials and bucket.
const (
	AccessKey = "folio-test"
	SecretKey = "folio-test-secret"
	Bucket    = "folio-test"
)

// Find returns the path of the versitygw binary: $FOLIO_VERSITYGW, else
// the one in go env GOBIN or GOPATH/bin, where scripts/deps.sh installs
// its pinned version, else versitygw on PATH.
func Find() (string, error) {
	if p := os.Getenv("FOLIO_VERSITYGW"); p != "" {
		return p, nil
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(string(out), "\n")
		if lines[0] != "" {
			dirs = append(dirs, lines[0])
		} else if len(lines) > 1 && lines[1] != "" {
			dirs = append(dirs, filepath.Join(filepath.SplitList(lines[1])[0], "bin"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("no versitygw in %s or on PATH (scripts/deps.sh installs it)", strings.Join(dirs, ", "))
}

// Version returns the module version the binary was built from.
func Version(bin string) string {
	if bi, err := buildinfo.ReadFile(bin); err == nil {
		return bi.Main.Version
	}
	return "unknown"
}

// A Gateway is a versitygw process serving a POSIX directory.
type Gateway struct {
	Endpoint string // http://127.0.0.1:PORT

	cmd    *exec.Cmd
	out    syncBuffer
	exited chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Output returns what the gateway wrote to its stdout and stderr.
func (g *Gateway) Output() string { return g.out.String() }

// Start starts bin on a free loopback port, serving root (which must
// exist) with the test credentials, and creates the test bucket. wrap, if
// not empty, is a command line that runs the gateway's (such as unshare
// and a shell that mounts a file system first): the gateway's arguments
// follow it. On Linux the gateway dies with the calling process.
func Start(bin, root string, wrap ...string) (*Gateway, error) {
	var lastErr error
	for range 3 { // another process may take the port between Close and the gateway's listen
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := ln.Addr().String()
		ln.Close()
		args := append(wrap, bin, "--port", addr, "--quiet", "posix", root)
		g := &Gateway{Endpoint: "http://" + addr, exited: make(chan struct{})}
		g.cmd = exec.Command(args[0], args[1:]...)
		g.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+AccessKey, "ROOT_SECRET_KEY="+SecretKey)
		g.cmd.Stdout = &g.out
		g.cmd.Stderr = &g.out
		g.cmd.SysProcAttr = procAttr()
		if err := g.cmd.Start(); err != nil {
			return nil, err
		}
		go func() { g.cmd.Wait(); close(g.exited) }()
		if lastErr = g.ready(); lastErr == nil {
			return g, nil
		}
		g.Stop()
	}
	return nil, lastErr
}

// ready waits until the gateway answers, then creates the bucket.
func (g *Gateway) ready() error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-g.exited:
			return fmt.Errorf("versitygw exited: %s", strings.TrimSpace(g.out.String()))
		default:
		}
		res, err := http.Get(g.Endpoint + "/")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw does not answer on %s: %v", g.Endpoint, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c, err := g.Client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.MakeBucket(ctx, Bucket, minio.MakeBucketOptions{}); err != nil {
		return fmt.Errorf("creating the bucket: %w", err)
	}
	return nil
}

// Client returns a minio-go client of the gateway, for tests that look at
// the bucket beneath a store.
func (g *Gateway) Client() (*minio.Client, error) {
	return minio.New(strings.TrimPrefix(g.Endpoint, "http://"), &minio.Options{
		Creds:        credentials.NewStaticV4(AccessKey, SecretKey, ""),
		BucketLookup: minio.BucketLookupPath,
	})
}

// Stop stops the gateway: SIGTERM, then SIGKILL after 10 s.
func (g *Gateway) Stop() {
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(10 * time.Second):
		g.cmd.Process.Kill()
		<-g.exited
	}
}

// Config returns the configuration of a store under prefix in the test
// bucket.
func (g *Gateway) Config(prefix string) s3.Config {
	return s3.Config{
		Bucket:          Bucket,
		Prefix:          prefix,
		Endpoint:        g.Endpoint,
		PathStyle:       true,
		AccessKeyID:     AccessKey,
		SecretAccessKey: SecretKey,
	}
}

// Env returns the environment variables that configure folio serve's
// --blobs s3://… for the gateway (CONTRACT.md section 4).
func (g *Gateway) Env() []string {
	return []string{"FOLIO_S3_ENDPOINT=" + g.Endpoint, "FOLIO_S3_PATH_STYLE=true", "FOLIO_S3_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + AccessKey, "AWS_SECRET_ACCESS_KEY=" + SecretKey}
}

// A Lazy is a package's test gateway, started at the first test that asks
// for it: a package whose tests need S3 only in some of them declares one,
// and calls Stop from TestMain after the tests.
type Lazy struct {
	once sync.Once
	gw   *Gateway
	dir  string
	err  error
	seq  atomic.Int64
}

// Get returns the gateway, started at the first call, and a prefix of the
// test bucket of the caller's own. It skips t without versitygw, or fails
// it when FOLIO_REQUIRE_TOOLS=1 (as CI sets).
func (l *Lazy) Get(t testing.TB) (*Gateway, string) {
	t.Helper()
	l.once.Do(func() {
		var bin string
		if bin, l.err = Find(); l.err != nil {
			return
		}
		if l.dir, l.err = os.MkdirTemp("", "folio-s3-"); l.err != nil {
			return
		}
		l.gw, l.err = Start(bin, l.dir)
	})
	if l.err != nil {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			t.Fatalf("versitygw (scripts/deps.sh installs it): %v", l.err)
		}
		t.Skipf("no S3 server: %v", l.err)
	}
	return l.gw, fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), l.seq.Add(1))
}

// Stop stops the gateway, if it was started, and removes its directory.
func (l *Lazy) Stop() {
	if l.gw != nil {
		l.gw.Stop()
	}
	if l.dir != "" {
		os.RemoveAll(l.dir)
	}
}
