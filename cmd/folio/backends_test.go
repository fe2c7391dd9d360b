package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/foliorender/folio/internal/pgtest"
	"github.com/foliorender/folio/internal/s3test"
)

// inProcess runs the serve command in-process with args and returns its
// base URL; the server stops at the end of the test.
func inProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := freeAddr(t)
	done := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		done <- runServe(ctx, append([]string{"--addr", addr, "--log-format", "text"}, args...), io.Discard, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("serve %v: exit %d\n%s", args, code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("serve %v did not stop", args)
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve %v exited %d:\n%s", args, code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve %v is not healthy:\n%s", args, stderr.String())
		}
	}
}

func call(t *testing.T, method, url string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer t1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// postAndWait posts the seed document asking for formats and waits until
// its job is complete.
func postAndWait(t *testing.T, base, formats string) int64 {
	t.Helper()
	seed, _ := os.ReadFile("../../testdata/seed.json")
	code, b := call(t, "POST", base+"/jobs?formats="+formats, seed)
	if code != 202 {
		t.Fatalf("POST: %d %s", code, b)
	}
	var id int64
	fmt.Sscanf(string(b[bytes.Index(b, []byte(`"id":`))+5:]), "%d", &id)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, st := call(t, "GET", fmt.Sprintf("%s/icweb.dll/jobStatus?id=%d", base, id), nil)
		if bytes.Contains(st, []byte(`"status":4`)) {
			return id
		}
		if bytes.Contains(st, []byte(`"status":5`)) || time.Now().After(deadline) {
			t.Fatalf("job %d: %s", id, st)
		}
	}
}

func seedRender(t *testing.T, format string) string {
	return freshRender(t, "../../testdata/seed.json", format)
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestServeSQLiteS3 runs one server on SQLite with its blobs in a bucket:
// the artifact is an object under the prefix, nothing is under --data but
// the database.
func TestServeSQLiteS3(t *testing.T) {
	g, prefix := gateway(t)
	for _, kv := range g.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("t1=alice\n"), 0o600)
	data := filepath.Join(dir, "data")
	base := inProcess(t, "--data", data, "--tokens-file", tokens, "--blobs", "s3://"+s3test.Bucket+"/"+prefix)
	id := postAndWait(t, base, "csv")
	code, b := call(t, "GET", fmt.Sprintf("%s/jobs/%d/content?format=csv", base, id), nil)
	if code != 200 || sha(b) != seedRender(t, "csv") {
		t.Errorf("csv: %d %q", code, b)
	}
	mc, _ := g.Client()
	if _, err := mc.StatObject(context.Background(), s3test.Bucket, fmt.Sprintf("%s/artifacts/%d/csv.csv", prefix, id), minio.StatObjectOptions{}); err != nil {
		t.Errorf("the artifact in the bucket: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "blobs")); !os.IsNotExist(err) {
		t.Errorf("a blobs directory under --data with --blobs: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "folio.db")); err != nil {
		t.Errorf("no database under --data: %v", err)
	}
}

// TestServePostgresFiles runs two servers on one PostgreSQL database and
// one --data directory: a job posted to one is downloaded from the other,
// and a format rendered on download is rendered once.
func TestServePostgresFiles(t *testing.T) {
	dsn := pgtest.Fresh(t)
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("t1=alice\n"), 0o600)
	data := filepath.Join(dir, "shared")
	a := inProcess(t, "--database", dsn, "--data", data, "--tokens-file", tokens, "--node", "pa")
	b := inProcess(t, "--database", dsn, "--data", data, "--tokens-file", tokens, "--node", "pb")
	id := postAndWait(t, a, "csv,json")
	for _, f := range []string{"csv", "json", "md"} {
		code, body := call(t, "GET", fmt.Sprintf("%s/jobs/%d/content?format=%s", b, id, f), nil)
		if code != 200 || sha(body) != seedRender(t, f) {
			t.Errorf("%s from the other server: %d %q", f, code, body)
		}
		code, body = call(t, "GET", fmt.Sprintf("%s/jobs/%d/content?format=%s", a, id, f), nil)
		if code != 200 || sha(body) != seedRender(t, f) {
			t.Errorf("%s from the first server: %d %q", f, code, body)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "folio.db")); !os.IsNotExist(err) {
		t.Errorf("a SQLite database under --data with --database: %v", err)
	}
}
