package netlimit_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/foliorender/folio/internal/netlimit"
)

// A server with one connection slot: while it is taken, the next client
// is answered 503 at once.
func ExampleNewListener() {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ln := netlimit.NewListener(inner, 1)
	hold := make(chan struct{})
	srv := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-hold
	})}
	go srv.Serve(ln)
	defer srv.Close()

	first, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer first.Close()
	io.WriteString(first, "GET / HTTP/1.1\r\nHost: folio\r\n\r\n")
	for ln.Conns() < 1 {
		time.Sleep(time.Millisecond)
	}

	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, "Retry-After:", resp.Header.Get("Retry-After"))
	fmt.Print(string(body))
	fmt.Println("refused:", ln.Refused())
	close(hold)
	// Output:
	// 503 Service Unavailable Retry-After: 2
	// {"error":{"code":503,"message":"the server has too many open connections (1); retry after 2 seconds","details":[]}}
	// refused: 1
}

// A handler reads its body through MinRate and http.MaxBytesReader and
// answers a client that sends too slowly 408.
func ExampleMinRate() {
	rate := netlimit.Rate{Grace: 200 * time.Millisecond, MinBytesPerSec: 1024, Idle: time.Second}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := http.MaxBytesReader(w, netlimit.MinRate(w, r, rate), 256<<20)
		defer body.Close()
		_, err := io.Copy(io.Discard, body)
		switch {
		case errors.Is(err, netlimit.ErrTooSlow):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusRequestTimeout)
			fmt.Fprintf(w, `{"error":{"code":408,"message":%q,"details":[]}}`, "the request body arrived too slowly")
		case err != nil:
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	// A client that sends 10 bytes of a 1,000 byte body, then nothing.
	slow, send := io.Pipe()
	defer send.Close()
	go io.WriteString(send, "0123456789")
	req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/jobs", slow)
	req.ContentLength = 1000
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status)
	fmt.Print(string(text))
	// Output:
	// 408 Request Timeout
	// {"error":{"code":408,"message":"the request body arrived too slowly","details":[]}}
}
