package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeUsage(t *testing.T) {
	t.Setenv("FOLIO_TOKENS", "")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--help"}, exitOK, "Usage: folio serve"},
		{[]string{"serve", "--bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"serve", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"serve", "--max-body", "lots"}, exitUsage, "byte count"},
		{[]string{"serve", "--log-format", "xml"}, exitUsage, "json or text"},
		{[]string{"serve"}, exitUsage, "no tokens"},
		{[]string{"serve", "--tokens-file", filepath.Join(t.TempDir(), "missing")}, exitUsage, "no such file"},
		{[]string{"serve", "--database", "mysql://db/folio"}, exitUsage, "--database must be a URL postgres://"},
		{[]string{"serve", "--blobs", "/var/folio"}, exitUsage, "--blobs must be a URL s3://"},
		{[]string{"serve", "--node", "a b"}, exitUsage, "--node must be"},
		{[]string{"serve", "--node", strings.Repeat("n", 101)}, exitUsage, "--node must be"},
		{[]string{"serve", "--lease", "100ms"}, exitUsage, "--lease must be at least 1s"},
		{[]string{"serve", "--s3-path-style=maybe"}, exitUsage, "invalid boolean"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String()+stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d; output %q lacks %q", tc.args, code, tc.code, stdout.String()+stderr.String(), tc.want)
		}
	}
	bad := filepath.Join(t.TempDir(), "tokens")
	os.WriteFile(bad, []byte("# ok\nnot-an-entry\n"), 0o600)
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--tokens-file", bad}, nil, io.Discard, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "line 2") {
		t.Errorf("bad tokens file: exit %d, %q", code, stderr.String())
	}
}

// TestServeInProcess runs the serve command in-process and stops it by
// canceling its context, as SIGINT does.
func TestServeInProcess(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("# users\nt1=alice\nt2=root:admin\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	addr := freeAddr(t)
	var stderr bytes.Buffer
	go func() {
		done <- runServe(ctx, []string{"--addr", addr, "--data", filepath.Join(dir, "data"), "--tokens-file", tokens, "--log-format", "text"}, io.Discard, &stderr)
	}()
	base := "http://" + addr
	waitHealthy(t, base)
	seed, _ := os.ReadFile("../../testdata/seed.json")
	req, _ := http.NewRequest("POST", base+"/jobs?formats=csv", bytes.NewReader(seed))
	req.Header.Set("Authorization", "Bearer t1")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 202 {
		t.Fatalf("POST: %v %v", res, err)
	}
	res.Body.Close()
	// A second server on the same data directory is refused.
	if code := runServe(context.Background(), []string{"--addr", freeAddr(t), "--data", filepath.Join(dir, "data"), "--tokens-file", tokens}, io.Discard, io.Discard); code != exitInvalid {
		t.Errorf("a second server on the same data: exit %d, want 1", code)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// slowReader reads a response body slowly, like a client on a slow link.
func slowRead(r io.Reader, h io.Writer) (int64, error) {
	buf := make([]byte, 64<<10)
	var n int64
	for {
		m, err := r.Read(buf)
		h.Write(buf[:m])
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServeGracefulShutdown sends SIGTERM to the real server during a slow
// download: the download completes, then the server exits 0.
func TestServeGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "folio")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	docPath := filepath.Join(dir, "doc.json")
	writeBigDocument(t, docPath, 100_000)
	want := freshRender(t, docPath, "csv")
	srv := startServer(t, bin, filepath.Join(dir, "data"))
	doc, _ := os.Open(docPath)
	defer doc.Close()
	var entry map[string]any
	if code := srv.do(t, "POST", "/jobs?formats=csv", doc, &entry); code != 202 {
		t.Fatalf("POST: %d", code)
	}
	id := int64(entry["id"].(float64))
	for {
		var st map[string]any
		srv.do(t, "GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", id), nil, &st)
		if st["status"] == 4.0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	res := srv.get(t, fmt.Sprintf("/jobs/%d/content?format=csv", id))
	defer res.Body.Close()
	start := time.Now()
	srv.cmd.Process.Signal(os.Interrupt)
	h := sha256.New()
	n, err := slowRead(res.Body, h)
	if err != nil {
		t.Fatalf("download cut after %d bytes by the shutdown: %v", n, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("download after SIGTERM: %d bytes, SHA-256 %s, want %s", n, got, want)
	}
	t.Logf("%d bytes downloaded over %s after SIGTERM", n, time.Since(start).Round(time.Millisecond))
	select {
	case err := <-srv.done:
		if err != nil {
			t.Errorf("exit: %v\n%s", err, srv.log)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit")
	}
	// The download's access log line comes after the shutdown began: the
	// handler was still serving it.
	log := srv.log.String()
	down, served := strings.Index(log, "shutting down"), strings.Index(log, "path=/jobs/"+fmt.Sprint(id)+"/content")
	if down < 0 || served < down {
		t.Errorf("the download did not outlive the start of the shutdown:\n%s", log)
	}
	if _, err := http.Get(srv.base + "/healthz"); err == nil {
		t.Error("the server still answers after its exit")
	}
}

func freeAddr(t *testing.T) string {
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(t *testing.T, base string) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the server did not become healthy")
}

// TestServeSlowClients runs the server with tight limits: a body trickled
// byte by byte is cut off with 408 within the body rules, its job is
// recorded as failed to receive, and connections beyond --max-conns are
// answered 503 at once until one closes.
func TestServeSlowClients(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("t1=alice\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	addr := freeAddr(t)
	go func() {
		done <- runServe(ctx, []string{"--addr", addr, "--data", filepath.Join(dir, "data"), "--tokens-file", tokens,
			"--body-grace", "1s", "--min-body-rate", "1K", "--body-idle", "2s", "--max-conns", "4"}, io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + addr
	waitHealthy(t, base)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t1\r\nContent-Length: 1000\r\n\r\n{")
	start := time.Now()
	answered := make(chan *http.Response, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Error(err)
		}
		answered <- res
	}()
	var res *http.Response
trickle:
	for {
		select {
		case res = <-answered:
			break trickle
		case <-time.After(300 * time.Millisecond):
			c.Write([]byte(" "))
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("a body trickled at 3 bytes/s was not cut off in 10 s")
		}
	}
	took := time.Since(start)
	if res == nil || res.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("trickled body: %v, want 408", res)
	}
	if took > 4*time.Second {
		t.Errorf("the trickled body was cut after %s; the rules allow 1 s of grace", took)
	}
	t.Logf("trickled body cut off after %s", took.Round(time.Millisecond))
	req, _ := http.NewRequest("GET", base+"/jobs", nil)
	req.Header.Set("Authorization", "Bearer t1")
	lr, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Entries []struct{ Status, Summary string }
	}
	json.NewDecoder(lr.Body).Decode(&page)
	lr.Body.Close()
	if len(page.Entries) != 1 || page.Entries[0].Status != "fail_to_receive" || !strings.Contains(page.Entries[0].Summary, "slower") {
		t.Errorf("the trickled upload's job: %+v", page.Entries)
	}

	// Four idle connections take every slot.
	var held []net.Conn
	for range 4 {
		h, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, h)
	}
	// The server accepts them in its own time: ask until it refuses.
	var refused bool
	for end := time.Now().Add(5 * time.Second); !refused && time.Now().Before(end); {
		r, err := client.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		switch {
		case r.StatusCode == 200:
			// A held connection that met a slot not yet given back (the
			// trickled upload's) was refused: hold another instead.
			for i, h := range held {
				h.SetReadDeadline(time.Now().Add(time.Millisecond))
				if n, _ := h.Read(make([]byte, 1)); n > 0 {
					h.Close()
					if held[i], err = net.Dial("tcp", addr); err != nil {
						t.Fatal(err)
					}
				}
			}
			time.Sleep(20 * time.Millisecond)
		case r.StatusCode != 503 || r.Header.Get("Retry-After") == "" || !bytes.Contains(body, []byte(`"code":503`)):
			t.Fatalf("a connection beyond --max-conns: %d %v %s", r.StatusCode, r.Header, body)
		default:
			refused = true
		}
	}
	if !refused {
		t.Error("with --max-conns 4 and 4 connections open, a fifth was served")
	}
	for _, h := range held {
		h.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := client.Get(base + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the slots were not freed after the connections closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
