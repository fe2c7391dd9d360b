package s3_test

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
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/foliorender/folio/blob/s3"
)

// The test gateway's credentials and bucket.
const (
	accessKey = "folio-test"
	secretKey = "folio-test-secret"
	bucket    = "folio-test"
)

// findGateway returns the path of the versitygw binary: $FOLIO_VERSITYGW,
// else the one in go env GOBIN or GOPATH/bin, where scripts/deps.sh
// installs its pinned version, else versitygw on PATH.
func findGateway() (string, error) {
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

// gatewayVersion returns the module version the binary was built from.
func gatewayVersion(bin string) string {
	if bi, err := buildinfo.ReadFile(bin); err == nil {
		return bi.Main.Version
	}
	return "unknown"
}

// A gateway is a versitygw process serving a POSIX directory.
type gateway struct {
	cmd      *exec.Cmd
	endpoint string // http://127.0.0.1:PORT
	stderr   bytes.Buffer
	exited   chan struct{}
}

// startGateway starts bin on a free loopback port, serving root (which must
// exist) with the test credentials, and creates the test bucket. wrap, if
// not empty, is a command line that runs the gateway's (such as unshare
// and a shell that mounts a file system first): the gateway's arguments
// follow it.
func startGateway(bin, root string, wrap ...string) (*gateway, error) {
	var lastErr error
	for range 3 { // another process may take the port between Close and the gateway's listen
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := ln.Addr().String()
		ln.Close()
		args := append(wrap, bin, "--port", addr, "--quiet", "posix", root)
		g := &gateway{endpoint: "http://" + addr, exited: make(chan struct{})}
		g.cmd = exec.Command(args[0], args[1:]...)
		g.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+accessKey, "ROOT_SECRET_KEY="+secretKey)
		g.cmd.Stdout = &g.stderr
		g.cmd.Stderr = &g.stderr
		g.cmd.SysProcAttr = procAttr()
		if err := g.cmd.Start(); err != nil {
			return nil, err
		}
		go func() { g.cmd.Wait(); close(g.exited) }()
		if lastErr = g.ready(); lastErr == nil {
			return g, nil
		}
		g.stop()
	}
	return nil, lastErr
}

// ready waits until the gateway answers, then creates the bucket.
func (g *gateway) ready() error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-g.exited:
			return fmt.Errorf("versitygw exited: %s", strings.TrimSpace(g.stderr.String()))
		default:
		}
		res, err := http.Get(g.endpoint + "/")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw does not answer on %s: %v", g.endpoint, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c, err := minio.New(strings.TrimPrefix(g.endpoint, "http://"), &minio.Options{
		Creds:        credentials.NewStaticV4(accessKey, secretKey, ""),
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
		return fmt.Errorf("creating the bucket: %w", err)
	}
	return nil
}

func (g *gateway) stop() {
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(10 * time.Second):
		g.cmd.Process.Kill()
		<-g.exited
	}
}

// config returns the configuration of a store under prefix in the test
// bucket of g.
func (g *gateway) config(prefix string) s3.Config {
	return s3.Config{
		Bucket:          bucket,
		Prefix:          prefix,
		Endpoint:        g.endpoint,
		PathStyle:       true,
		AccessKeyID:     accessKey,
		SecretAccessKey: secretKey,
	}
}
