package netlimit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tempFile returns an open file of size bytes: random ones if random, else
// a hole.
func tempFile(t *testing.T, size int64, random bool) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "artifact"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if random {
		_, err = io.CopyN(f, rand.NewChaCha8([32]byte{1}), size)
	} else {
		err = f.Truncate(size)
	}
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// stall sends a GET on a new connection to addr, reads the first bytes of
// the answer and stops reading. It returns the connection.
func stall(t *testing.T, addr string) net.Conn {
	t.Helper()
	c := dial(t, addr)
	io.WriteString(c, "GET /download HTTP/1.1\r\nHost: folio\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, make([]byte, 12)); err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return c
}

// checkClosed checks that the server closed c: what is left reads to an
// end, not to a timeout.
func checkClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, c); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Error("the stalled connection is still open")
	}
}

// A client that stops reading makes the handler's Write fail about idle
// after the buffers filled, and loses its connection.
func TestIdleWriterStalledWrite(t *testing.T) {
	t.Parallel()
	const idle = 300 * time.Millisecond
	type result struct {
		err     error
		written int64
		at      time.Time
	}
	out := make(chan result, 1)
	ln := listen(t)
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w = IdleWriter(w, idle)
		buf := make([]byte, 100<<10)
		var res result
		for {
			n, err := w.Write(buf)
			res.written += int64(n)
			if err != nil {
				res.err, res.at = err, time.Now()
				break
			}
		}
		out <- res
	}))
	c := stall(t, ln.Addr().String())
	stalled := time.Now()
	res := recv(t, out)
	if !errors.Is(res.err, os.ErrDeadlineExceeded) {
		t.Errorf("Write to a stalled client: %v, want os.ErrDeadlineExceeded", res.err)
	}
	// The buffers fill in milliseconds on loopback.
	if d := res.at.Sub(stalled); d < idle/2 || d > idle+3*time.Second {
		t.Errorf("Write failed %v after the client stopped reading, want about %v", d, idle)
	}
	t.Logf("%d bytes written before the cut", res.written)
	checkClosed(t, c)
}

// http.ServeContent, which copies with ReadFrom (sendfile), is cut off
// too.
func TestIdleWriterStalledServeContent(t *testing.T) {
	t.Parallel()
	const idle = 300 * time.Millisecond
	f := tempFile(t, 256<<20, false)
	returned := make(chan time.Time, 1)
	ln := NewListener(listen(t), 4) // its connections keep sendfile
	serve(t, ln, IdleWrites(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(io.ReaderFrom); !ok {
			t.Error("the ResponseWriter lost ReadFrom")
		}
		http.ServeContent(w, r, "", time.Time{}, f)
		returned <- time.Now()
	}), idle))
	c := stall(t, ln.Addr().String())
	stalled := time.Now()
	if d := recv(t, returned).Sub(stalled); d > idle+time.Second {
		t.Errorf("ServeContent returned %v after the client stopped reading, want about %v", d, idle)
	}
	checkClosed(t, c)
}

// slowSource is a ReadSeeker that yields at most 16 KiB per Read, each
// after a pause: a response that takes long to produce.
type slowSource struct {
	io.ReadSeeker
	pause time.Duration
}

func (s slowSource) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	return s.ReadSeeker.Read(p[:min(len(p), 16<<10)])
}

// slowLink is a ResponseWriter that passes data on at 32 KiB per pause, as
// a slow link would take it.
type slowLink struct {
	http.ResponseWriter
	pause time.Duration
}

func (l slowLink) Write(p []byte) (int, error) {
	time.Sleep(time.Duration(len(p)) * l.pause / (32 << 10))
	return l.ResponseWriter.Write(p)
}

func (l slowLink) Unwrap() http.ResponseWriter { return l.ResponseWriter }

// A response that takes many idle windows in all, but never one for a
// piece, is not cut off: not through ReadFrom (http.ServeContent of a slow
// source) nor through one large Write to a slow link. The client reads as
// fast as it can, so the kernel's buffers absorb any pause of the test.
func TestIdleWriterSlowSteadyResponse(t *testing.T) {
	t.Parallel()
	const idle = 300 * time.Millisecond
	const size = 1 << 20
	doc := make([]byte, size)
	rand.NewChaCha8([32]byte{2}).Read(doc)
	want := sha256.Sum256(doc)

	took := map[string]chan time.Duration{"/servecontent": make(chan time.Duration, 1), "/write": make(chan time.Duration, 1)}
	ln := listen(t)
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if r.URL.Path == "/write" {
			w = IdleWriter(slowLink{w, 30 * time.Millisecond}, idle) // 1 MiB in about 1 s
			w.Header().Set("Content-Length", fmt.Sprint(size))
			if n, err := w.Write(doc); err != nil {
				t.Errorf("one Write of 1 MiB to a slow link: %d bytes, %v", n, err)
			}
		} else {
			w = IdleWriter(w, idle)
			w.Header().Set("Content-Type", "application/octet-stream") // no sniffing
			http.ServeContent(w, r, "", time.Time{}, slowSource{bytes.NewReader(doc), 15 * time.Millisecond})
		}
		took[r.URL.Path] <- time.Since(start)
	}))

	for path, took := range took {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			resp, err := (&http.Client{Timeout: 30 * time.Second}).Get("http://" + ln.Addr().String() + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil || sha256.Sum256(got) != want {
				t.Errorf("got %d bytes, %v; not the document's %d", len(got), err, size)
			}
			// A single deadline for the whole response would have cut it.
			if d := recv(t, took); d <= 2*idle {
				t.Errorf("the handler wrote for %v, not longer than two idle windows: the test proves nothing", d)
			}
		})
	}
}

// IdleWrites gives the flush after the handler a fresh window, and the
// next request on the kept-alive connection starts without a deadline.
func TestIdleWritesFinalFlushAndKeepAlive(t *testing.T) {
	t.Parallel()
	const idle = 100 * time.Millisecond
	ln := listen(t)
	serve(t, ln, IdleWrites(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello") // buffered until the handler returns
		time.Sleep(2 * idle)
	}), idle))
	var reused []bool
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = append(reused, i.Reused) }}
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range 2 {
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace), "GET", "http://"+ln.Addr().String()+"/", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(got) != "hello" {
			t.Fatalf("request %d: %q, %v", i, got, err)
		}
		time.Sleep(2 * idle)
	}
	if len(reused) != 2 || !reused[1] {
		t.Errorf("connections reused: %v, want the second request on the first's connection", reused)
	}
}

// The wrapper keeps what ResponseController and type assertions find.
func TestIdleWriterInterfaces(t *testing.T) {
	t.Parallel()
	hijacked := make(chan net.Conn, 1)
	ln := listen(t)
	serve(t, ln, IdleWrites(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.URL.Path == "/hijack" {
			c, _, err := rc.Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			hijacked <- c
			return
		}
		if _, ok := w.(http.Flusher); !ok {
			t.Error("not an http.Flusher")
		}
		if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok || u.Unwrap() == w {
			t.Error("no Unwrap to the wrapped ResponseWriter")
		}
		for name, err := range map[string]error{
			"SetReadDeadline":  rc.SetReadDeadline(time.Now().Add(time.Minute)),
			"SetWriteDeadline": rc.SetWriteDeadline(time.Now().Add(time.Minute)),
			"EnableFullDuplex": rc.EnableFullDuplex(),
		} {
			if err != nil {
				t.Errorf("%s through the wrapper: %v", name, err)
			}
		}
		io.WriteString(w, "first")
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		<-r.Context().Done() // the client has read "first" and gone
	}), 250*time.Millisecond))

	// Flush reaches the client while the handler still runs.
	c := dial(t, ln.Addr().String())
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: folio\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(io.LimitReader(resp.Body, 5)); string(got) != "first" {
		t.Errorf("flushed %q, %v", got, err)
	}
	c.Close()

	// After Hijack the connection is the handler's: no deadline is set
	// on it when the handler returns.
	c = dial(t, ln.Addr().String())
	io.WriteString(c, "GET /hijack HTTP/1.1\r\nHost: folio\r\n\r\n")
	hc := recv(t, hijacked)
	defer hc.Close()
	time.Sleep(500 * time.Millisecond)
	if _, err := io.WriteString(hc, "HTTP/1.1 204 No Content\r\n\r\n"); err != nil {
		t.Fatalf("writing to the hijacked connection after the handler returned: %v", err)
	}
	resp, err = http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("answer on the hijacked connection: %v, %v", resp, err)
	}

	if w := IdleWriter(hideController{}, -1); w != (hideController{}) {
		t.Errorf("IdleWriter with a negative idle wrapped its ResponseWriter: %T", w)
	}
}
