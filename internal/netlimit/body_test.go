package netlimit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strings"
	"testing"
	"time"
)

// testRate is strict enough for tests to run fast.
var testRate = Rate{Grace: time.Second, MinBytesPerSec: 1 << 10, Idle: 2 * time.Second}

// outcome is what a handler saw of a request body.
type outcome struct {
	n       int64
	err     error
	elapsed time.Duration
}

// readingServer serves handlers that read their body through
// MinRate(wrap(w), r, rate), send the outcome on the returned channel and
// answer 408 to ErrTooSlow, 413 to *http.MaxBytesError, else 200 with the
// SHA-256 of the body.
func readingServer(t *testing.T, rate Rate, wrap func(http.ResponseWriter) http.ResponseWriter) (string, <-chan outcome) {
	t.Helper()
	out := make(chan outcome, 1)
	ln := listen(t)
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wrap != nil {
			w = wrap(w)
		}
		body := MinRate(w, r, rate)
		defer body.Close()
		start := time.Now()
		h := sha256.New()
		n, err := io.Copy(h, body)
		out <- outcome{n, err, time.Since(start)}
		var mbe *http.MaxBytesError
		switch {
		case errors.Is(err, ErrTooSlow):
			w.WriteHeader(http.StatusRequestTimeout)
		case errors.As(err, &mbe):
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		case err != nil:
			w.WriteHeader(http.StatusBadRequest)
		default:
			io.WriteString(w, hex.EncodeToString(h.Sum(nil)))
		}
	}))
	return ln.Addr().String(), out
}

// trickle writes one byte to c every interval until stop is called or a
// write fails.
func trickle(c net.Conn, every time.Duration, chunked bool) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		tick := time.NewTicker(every)
		defer tick.Stop()
		piece := "x"
		if chunked {
			piece = "1\r\nx\r\n"
		}
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := io.WriteString(c, piece); err != nil {
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// A body trickled at a byte every 300 ms is cut off once the grace period
// is over; the server sees ErrTooSlow and closes the connection after its
// answer.
func TestMinRateTrickleIsCutOff(t *testing.T) {
	t.Parallel()
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			t.Parallel()
			addr, out := readingServer(t, testRate, nil)
			c := dial(t, addr)
			head := "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 100000\r\n\r\n"
			if chunked {
				head = "POST /jobs HTTP/1.1\r\nHost: folio\r\nTransfer-Encoding: chunked\r\n\r\n"
			}
			io.WriteString(c, head)
			stop := trickle(c, 300*time.Millisecond, chunked)
			defer stop()

			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("no answer to a trickled body: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("status %s, want 408", resp.Status)
			}
			if rest, err := io.ReadAll(br); len(rest) > 0 || (err != nil && !errors.Is(err, io.EOF) && !isReset(err)) {
				t.Errorf("after the 408: %q, %v; want the connection closed", rest, err)
			}

			o := recv(t, out)
			if !errors.Is(o.err, ErrTooSlow) || !errors.Is(o.err, os.ErrDeadlineExceeded) {
				t.Fatalf("the handler read %d bytes and got %v, want ErrTooSlow wrapping os.ErrDeadlineExceeded", o.n, o.err)
			}
			if !strings.Contains(o.err.Error(), "under the minimum of 1024 bytes/s") {
				t.Errorf("error %q does not name the average rule", o.err)
			}
			if o.elapsed < 900*time.Millisecond || o.elapsed > 4*time.Second {
				t.Errorf("cut off after %v, want the 1s grace period", o.elapsed)
			}
		})
	}
}

// recv receives from ch, failing the test if nothing comes in 5 s.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("nothing received in 5s")
		panic("unreachable")
	}
}

func isReset(err error) bool { return strings.Contains(err.Error(), "connection reset") }

// A body that stops arriving is cut off after the idle window, long before
// the average rule would.
func TestMinRateIdle(t *testing.T) {
	t.Parallel()
	addr, out := readingServer(t, Rate{Grace: 10 * time.Second, MinBytesPerSec: 1, Idle: 400 * time.Millisecond}, nil)
	c := dial(t, addr)
	io.WriteString(c, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 100\r\n\r\n0123456789")
	o := recv(t, out)
	if !errors.Is(o.err, ErrTooSlow) || !errors.Is(o.err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %d bytes, %v; want ErrTooSlow", o.n, o.err)
	}
	if o.n != 10 || !strings.Contains(o.err.Error(), "no data for 400ms after 10 bytes") {
		t.Errorf("read %d bytes, error %q", o.n, o.err)
	}
	if o.elapsed < 350*time.Millisecond || o.elapsed > 3*time.Second {
		t.Errorf("cut off after %v, want the 400ms idle window", o.elapsed)
	}
}

// hideController hides the ResponseWriter's deadlines from MinRate.
type hideController struct{ http.ResponseWriter }

// Without read deadlines the rules are checked around each Read.
func TestMinRateWithoutDeadlines(t *testing.T) {
	t.Parallel()
	hide := func(w http.ResponseWriter) http.ResponseWriter { return hideController{w} }
	t.Run("average", func(t *testing.T) {
		t.Parallel()
		rate := Rate{Grace: 400 * time.Millisecond, MinBytesPerSec: 1 << 10, Idle: time.Second}
		addr, out := readingServer(t, rate, hide)
		c := dial(t, addr)
		io.WriteString(c, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 100000\r\n\r\n")
		stop := trickle(c, 100*time.Millisecond, false)
		defer stop()
		o := recv(t, out)
		if !errors.Is(o.err, ErrTooSlow) || !strings.Contains(o.err.Error(), "bytes/s") {
			t.Fatalf("got %d bytes, %v; want ErrTooSlow for the average", o.n, o.err)
		}
		if o.elapsed < 350*time.Millisecond || o.elapsed > 3*time.Second {
			t.Errorf("cut off after %v, want the first Read after the 400ms grace", o.elapsed)
		}
	})
	t.Run("idle", func(t *testing.T) {
		t.Parallel()
		rate := Rate{Grace: 10 * time.Second, MinBytesPerSec: 1, Idle: 300 * time.Millisecond}
		addr, out := readingServer(t, rate, hide)
		c := dial(t, addr)
		io.WriteString(c, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 100\r\n\r\n0123456789")
		time.Sleep(600 * time.Millisecond)
		io.WriteString(c, "0123456789")
		o := recv(t, out)
		if !errors.Is(o.err, ErrTooSlow) || !strings.Contains(o.err.Error(), "no data for 300ms") {
			t.Fatalf("got %d bytes, %v; want ErrTooSlow for the idle window", o.n, o.err)
		}
	})
}

// A fast upload of several megabytes passes, through http.MaxBytesReader
// on either side, and leaves the kept-alive connection alone.
func TestMinRateFastUpload(t *testing.T) {
	t.Parallel()
	rate := Rate{Grace: time.Second, MinBytesPerSec: 256 << 10, Idle: 2 * time.Second}
	type result struct {
		n   int64
		err error
	}
	out := make(chan result, 1)
	ln := listen(t)
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.ReadCloser
		if r.URL.Path == "/outside" { // MaxBytesReader over MinRate
			body = http.MaxBytesReader(w, MinRate(w, r, rate), 16<<20)
		} else { // MinRate over MaxBytesReader
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			body = MinRate(w, r, rate)
		}
		h := sha256.New()
		n, err := io.Copy(h, body)
		body.Close()
		out <- result{n, err}
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		case err != nil:
			w.WriteHeader(http.StatusBadRequest)
		default:
			io.WriteString(w, hex.EncodeToString(h.Sum(nil)))
		}
	}))

	var reused []bool
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = append(reused, i.Reused) }}
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(path string, doc []byte) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			"POST", "http://"+ln.Addr().String()+path, bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(got)
	}
	doc := make([]byte, 8<<20)
	rand.NewChaCha8([32]byte{}).Read(doc)
	sum := sha256.Sum256(doc)

	code, got := post("/outside", doc)
	o := recv(t, out)
	if o.err != nil || o.n != int64(len(doc)) || code != 200 || got != hex.EncodeToString(sum[:]) {
		t.Fatalf("8 MiB upload: handler read %d bytes, %v; answer %d %q", o.n, o.err, code, got)
	}
	code, got = post("/outside", doc[:3<<20])
	if o = recv(t, out); o.err != nil || code != 200 {
		t.Errorf("3 MiB upload on the kept-alive connection: %v, answer %d %q", o.err, code, got)
	}
	// Small enough to be sent whole before the 413 closes the connection.
	code, _ = post("/inside", doc[:100<<10])
	o = recv(t, out)
	var mbe *http.MaxBytesError
	if !errors.As(o.err, &mbe) || errors.Is(o.err, ErrTooSlow) || code != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KiB over a 64 KiB limit: %v, answer %d; want a *http.MaxBytesError and 413", o.err, code)
	}
	if len(reused) != 3 || reused[0] || !reused[1] {
		t.Errorf("connections reused: %v, want the second request on the first's connection", reused)
	}
}

// Reads after the end touch no deadline: net/http watches the connection
// for the client leaving then, and that must not time out and end the
// request's context while the handler works on.
func TestMinRateAfterEOF(t *testing.T) {
	t.Parallel()
	rate := Rate{Grace: 300 * time.Millisecond, MinBytesPerSec: 1 << 10, Idle: 300 * time.Millisecond}
	out := make(chan error, 1)
	ln := listen(t)
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := MinRate(w, r, rate)
		if got, err := io.ReadAll(body); string(got) != "0123456789" || err != nil {
			t.Errorf("read %q, %v", got, err)
		}
		if n, err := body.Read(make([]byte, 10)); n != 0 || err != io.EOF {
			t.Errorf("Read after the end: %d, %v", n, err)
		}
		time.Sleep(2 * rate.Idle)
		out <- r.Context().Err()
	}))
	c := dial(t, ln.Addr().String())
	io.WriteString(c, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 10\r\n\r\n0123456789")
	if err := recv(t, out); err != nil {
		t.Errorf("the request's context ended after the body was read: %v", err)
	}
}

// Closing the body before reading it, while the client trickles, does not
// wait for the client longer than the rule allows (net/http reads what is
// left of a small body, without a deadline of its own).
func TestMinRateCloseEarly(t *testing.T) {
	t.Parallel()
	closed := make(chan time.Duration, 1)
	ln := listen(t)
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := MinRate(w, r, Rate{Grace: 300 * time.Millisecond, MinBytesPerSec: 1 << 10, Idle: time.Second})
		start := time.Now()
		body.Close()
		closed <- time.Since(start)
		w.WriteHeader(http.StatusBadRequest)
	}))
	c := dial(t, ln.Addr().String())
	io.WriteString(c, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 1000\r\n\r\nx")
	stop := trickle(c, 100*time.Millisecond, false)
	defer stop()
	select {
	case d := <-closed:
		if d > 3*time.Second {
			t.Errorf("Close took %v, want at most the 300ms grace", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for the trickled body")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("answer after Close: %v, %v", resp, err)
	}
}

// Time the handler spends away from Read is not the client's.
func TestMinRateCountsOnlyWaiting(t *testing.T) {
	t.Parallel()
	out := make(chan error, 1)
	ln := listen(t)
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := MinRate(w, r, Rate{Grace: 300 * time.Millisecond, MinBytesPerSec: 1 << 10, Idle: time.Second})
		body.Read(make([]byte, 1))
		time.Sleep(500 * time.Millisecond) // longer than the grace, with 1 byte read
		// A byte at a time: every Read brings less than the pause would
		// have to be paid for.
		var err error
		for err == nil {
			_, err = body.Read(make([]byte, 1))
		}
		if err == io.EOF {
			err = nil
		}
		out <- err
	}))
	c := dial(t, ln.Addr().String())
	io.WriteString(c, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 1000\r\n\r\n"+strings.Repeat("x", 1000))
	if err := recv(t, out); err != nil {
		t.Errorf("a body sent at once, read after a pause: %v", err)
	}
}

// An answer given without reading the body reaches a client that
// trickles it, within the rule, and a fast client keeps its connection.
func TestMinRateReadsUnreadBody(t *testing.T) {
	t.Parallel()
	rate := Rate{Grace: 300 * time.Millisecond, MinBytesPerSec: 1 << 10, Idle: time.Second}
	ln := listen(t)
	serve(t, ln, MinRateReads(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized) // without a look at the body
	}), rate))
	answer := func(br *bufio.Reader) {
		t.Helper()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("answer %s", resp.Status)
		}
	}

	slow := dial(t, ln.Addr().String())
	io.WriteString(slow, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 100000\r\n\r\n")
	stop := trickle(slow, 100*time.Millisecond, false)
	defer stop()
	slow.SetReadDeadline(time.Now().Add(3 * time.Second))
	start := time.Now()
	br := bufio.NewReader(slow)
	answer(br)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the answer came after %v, want the 300ms grace", d)
	}
	if rest, err := io.ReadAll(br); len(rest) > 0 || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("after the answer: %q, %v; want the connection closed", rest, err)
	}

	fast := dial(t, ln.Addr().String())
	fast.SetReadDeadline(time.Now().Add(3 * time.Second))
	br = bufio.NewReader(fast)
	for range 2 {
		fmt.Fprintf(fast, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: 10000\r\n\r\n%s", strings.Repeat("x", 10000))
		answer(br) // the second on the same connection
	}
}

func TestMinRateNoBody(t *testing.T) {
	r, _ := http.NewRequest("GET", "/", nil)
	if b := MinRate(hideController{}, r, Rate{}); b != http.NoBody {
		t.Errorf("MinRate of a request without a body = %T, want http.NoBody", b)
	}
}
