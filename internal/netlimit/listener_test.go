package netlimit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// listen returns a TCP listener on loopback, closed when the test ends.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// serve serves h on ln until the test ends.
func serve(t *testing.T, ln net.Listener, h http.Handler) {
	t.Helper()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond until it holds or d has passed.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkRefusal reads a refusal from br and checks it is the 503 of the
// contract.
func checkRefusal(t *testing.T, br *bufio.Reader, max int) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the refusal: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Proto != "HTTP/1.1" {
		t.Errorf("status %s %q, want HTTP/1.1 503", resp.Proto, resp.Status)
	}
	if got := resp.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2", got)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
	if !resp.Close { // ReadResponse takes "Connection: close" out of the header
		t.Error("no Connection: close")
	}
	var body struct {
		Error struct {
			Code    int
			Message string
			Details []any
		}
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the refusal's body: %v", err)
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("refusal body %q: %v", raw, err)
	}
	if body.Error.Code != 503 || !strings.Contains(body.Error.Message, fmt.Sprintf("(%d)", max)) ||
		body.Error.Details == nil || len(body.Error.Details) != 0 {
		t.Errorf("refusal body %s", raw)
	}
}

func TestListenerRefusesWhenFull(t *testing.T) {
	ln := NewListener(listen(t), 2)
	ln.RefuseTimeout = 4 * time.Second // a refusal that waited for the request would take 2 s
	held := make(chan struct{})
	release := make(chan struct{})
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			held <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		io.WriteString(w, "served "+r.URL.Path)
	}))
	addr := ln.Addr().String()
	request := func(c net.Conn, path string) {
		t.Helper()
		if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: folio\r\n\r\n", path); err != nil {
			t.Fatal(err)
		}
	}

	c1, c2 := dial(t, addr), dial(t, addr)
	request(c1, "/hold")
	request(c2, "/hold")
	<-held
	<-held
	if n := ln.Conns(); n != 2 {
		t.Fatalf("Conns() = %d with two held, want 2", n)
	}

	c3 := dial(t, addr)
	start := time.Now()
	request(c3, "/")
	br := bufio.NewReader(c3)
	checkRefusal(t, br, 2)
	if d := time.Since(start); d > 1800*time.Millisecond {
		t.Errorf("the refusal took %v", d)
	}
	c3.SetReadDeadline(time.Now().Add(2 * time.Second))
	if rest, err := io.ReadAll(br); err != nil || len(rest) > 0 {
		t.Errorf("after the refusal: %q, %v; want the connection closed", rest, err)
	}
	if n := ln.Refused(); n != 1 {
		t.Errorf("Refused() = %d, want 1", n)
	}

	// A client that sends its body after the answer has come is read to
	// the end (up to 256 KiB) rather than reset while it sends.
	c5 := dial(t, addr)
	fmt.Fprintf(c5, "POST /jobs HTTP/1.1\r\nHost: folio\r\nContent-Length: %d\r\n\r\n", 200<<10)
	checkRefusal(t, bufio.NewReader(c5), 2)
	chunk := []byte(strings.Repeat("x", 4<<10))
	for i := range 50 {
		if _, err := c5.Write(chunk); err != nil {
			t.Fatalf("writing the body after the refusal, at %d KiB: %v", 4*i, err)
		}
		time.Sleep(time.Millisecond)
	}

	// Go's client gets the 503 as an answer, not as a broken connection.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("http.Client on a full server: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("http.Client on a full server: %s, Retry-After %q", resp.Status, resp.Header.Get("Retry-After"))
	}
	if n, c := ln.Refused(), ln.Conns(); n != 3 || c != 2 {
		t.Errorf("Refused() = %d, Conns() = %d; want 3, 2", n, c)
	}

	// One held connection goes away: its slot serves a new client.
	c1.Close()
	waitFor(t, 2*time.Second, "the closed connection's slot is not free", func() bool { return ln.Conns() == 1 })
	c4 := dial(t, addr)
	request(c4, "/again")
	resp, err = http.ReadResponse(bufio.NewReader(c4), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(got) != "served /again" {
		t.Errorf("after a slot was freed: %s %q", resp.Status, got)
	}

	close(release)
	c2.Close()
	c4.Close()
	waitFor(t, 2*time.Second, "slots still taken after every client left", func() bool { return ln.Conns() == 0 })
}

// A client that sends nothing gets the answer after half the refuse
// timeout.
func TestListenerRefusesSilentClient(t *testing.T) {
	ln := NewListener(listen(t), 1)
	ln.RefuseTimeout = 600 * time.Millisecond
	accepted := make(chan net.Conn)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			t.Error(err)
			close(accepted)
			return
		}
		accepted <- c
		ln.Accept() // refuses the next, returns when ln is closed
	}()
	dial(t, ln.Addr().String())
	if c, ok := <-accepted; ok {
		defer c.Close()
	}
	c := dial(t, ln.Addr().String())
	start := time.Now()
	checkRefusal(t, bufio.NewReader(c), 1)
	if d := time.Since(start); d < 250*time.Millisecond || d > 2*time.Second {
		t.Errorf("the refusal of a silent client came after %v, want about 300ms", d)
	}
}

func TestListenerCloseFreesOnce(t *testing.T) {
	ln := NewListener(listen(t), 1)
	accept := func() net.Conn {
		t.Helper()
		dial(t, ln.Addr().String())
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := accept()
	if n := ln.Conns(); n != 1 {
		t.Fatalf("Conns() = %d after Accept", n)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err == nil {
		t.Error("the second Close did not report the closed connection")
	}
	if n := ln.Conns(); n != 0 {
		t.Fatalf("Conns() = %d after two Close calls, want 0", n)
	}
	c = accept()
	if n := ln.Conns(); n != 1 {
		t.Fatalf("Conns() = %d after a second Accept", n)
	}
	if _, ok := c.(interface{ CloseWrite() error }); !ok {
		t.Error("the accepted connection hides CloseWrite")
	}
	if nc, ok := c.(interface{ NetConn() net.Conn }); !ok {
		t.Error("no NetConn")
	} else if _, ok := nc.NetConn().(*net.TCPConn); !ok {
		t.Errorf("NetConn() is a %T", nc.NetConn())
	}
	c.Close()
	if n := ln.Conns(); n != 0 {
		t.Fatalf("Conns() = %d after Close", n)
	}
}

// Clients that come and go in every way leave no slot taken.
func TestListenerSlotsDoNotLeak(t *testing.T) {
	const max = 4
	ln := NewListener(listen(t), max)
	serve(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hijack" {
			c, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			c.Close()
			return
		}
		io.WriteString(w, "ok")
	}))
	addr := ln.Addr().String()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 30 {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				c.SetDeadline(time.Now().Add(5 * time.Second))
				switch (g + i) % 5 {
				case 0: // gone at once
				case 1: // a request, read to the end of its answer
					fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: folio\r\n\r\n")
					if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				case 2: // half a request
					io.WriteString(c, "GET / HTTP/1.1\r\nHo")
				case 3: // a request asking to close, read until the server does
					fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: folio\r\nConnection: close\r\n\r\n")
					io.Copy(io.Discard, c)
				case 4: // a handler that hijacks the connection
					fmt.Fprintf(c, "GET /hijack HTTP/1.1\r\nHost: folio\r\n\r\n")
					io.Copy(io.Discard, c)
				}
				c.Close()
			}
		})
	}
	wg.Wait()
	waitFor(t, 5*time.Second, "slots still taken after every client left", func() bool { return ln.Conns() == 0 })

	// And all the slots are there: max clients held at once are served.
	for range max {
		c := dial(t, addr)
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: folio\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("with %d slots free: %s", max, resp.Status)
		}
	}
	if n := ln.Conns(); n != max {
		t.Errorf("Conns() = %d with %d clients kept alive", n, max)
	}
}
