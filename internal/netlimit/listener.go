package netlimit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxConns is the connection limit folio serve suggests for
// --max-conns. A connection of the job API costs at most two descriptors
// outside the render pool (its socket and the blob file it uploads to or
// downloads from) and at most the 64 KiB buffer the server reads a body
// through, so 1024 connections need about 2,100 descriptors and 64 MiB at
// worst: under the 4096 hard descriptor limit of many hosts and containers,
// and far below the memory budget of the service. Clients of a job API post,
// poll and download; they do not hold connections for long, and a reverse
// proxy in front pools its own, so 1024 at once leaves room for many users.
const DefaultMaxConns = 1024

// DefaultRetryAfter is the Retry-After of a refused connection's answer.
const DefaultRetryAfter = 2 * time.Second

// DefaultRefuseTimeout is how long a refused connection may take at most.
const DefaultRefuseTimeout = time.Second

// maxRefusing is how many refused connections are answered at once; more
// are closed without an answer.
const maxRefusing = 64

// A Listener accepts at most a fixed number of connections of the listener
// it wraps at once. Each connection it returns holds a slot until its
// first Close, whoever calls it (net/http, or a handler that hijacked it).
//
// When every slot is taken, Accept does not leave clients waiting in the
// kernel's backlog: it accepts the connection and refuses it, then accepts
// the next. A refused connection is counted (see [Listener.Refused]) and
// answered, in a goroutine and within RefuseTimeout in all, like this: the
// Listener waits up to half of RefuseTimeout for the first bytes of the
// client's request (reading at most 4 KiB of it), writes a complete
// HTTP/1.1 answer
//
//	HTTP/1.1 503 Service Unavailable
//	Content-Type: application/json
//	X-Content-Type-Options: nosniff
//	Retry-After: 2
//	Connection: close
//	Content-Length: …
//
//	{"error":{"code":503,"message":"the server has too many open connections (1024); retry after 2 seconds","details":[]}}
//
// then ends its side of the connection (a TCP FIN), reads and discards what
// the client still sends (at most 256 KiB, until RefuseTimeout) so that
// closing does not reset the connection before the client has read the
// answer, and closes it. At most 64 refusals are in progress at once;
// connections refused beyond that are closed at once without an answer.
// The answer is plain HTTP/1.1: wrap the TCP listener, under any TLS.
//
// RetryAfter and RefuseTimeout may be set before the first Accept and not
// after. Accept, Close, Addr, Conns and Refused are safe for concurrent use.
type Listener struct {
	net.Listener // the wrapped listener; Close and Addr are its own

	// RetryAfter is the Retry-After of the answer to a refused connection,
	// rounded up to whole seconds. 0 means DefaultRetryAfter.
	RetryAfter time.Duration
	// RefuseTimeout bounds the time a refused connection is kept. 0 means
	// DefaultRefuseTimeout.
	RefuseTimeout time.Duration

	max      int64
	open     atomic.Int64
	refused  atomic.Int64
	refusing atomic.Int64

	answerOnce sync.Once
	answer     []byte
}

// NewListener returns a Listener that keeps at most maxConns connections
// of l open at once. It panics if maxConns is less than 1.
func NewListener(l net.Listener, maxConns int) *Listener {
	if maxConns < 1 {
		panic("netlimit: NewListener with maxConns < 1")
	}
	return &Listener{Listener: l, max: int64(maxConns)}
}

// Accept waits for and returns the next connection for which a slot is
// free, refusing (as described at [Listener]) those that arrive while none
// is. It returns the wrapped listener's error, if any.
//
// The returned net.Conn frees its slot on its first Close. It has the
// CloseWrite and ReadFrom methods of the connection it wraps (net/http
// uses them for lingering closes and sendfile), and NetConn returns that
// connection.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.take() {
			return &conn{Conn: c, l: l}, nil
		}
		l.refused.Add(1)
		l.refuse(c)
	}
}

// take takes a slot if one is free.
func (l *Listener) take() bool {
	for {
		n := l.open.Load()
		if n >= l.max {
			return false
		}
		if l.open.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Max returns the limit given to NewListener.
func (l *Listener) Max() int { return int(l.max) }

// Conns returns how many accepted connections are open: accepted and not
// yet closed. Refused connections are not among them.
func (l *Listener) Conns() int { return int(l.open.Load()) }

// Refused returns how many connections were refused since the Listener was
// made, answered or not.
func (l *Listener) Refused() int64 { return l.refused.Load() }

func (l *Listener) refuse(c net.Conn) {
	if l.refusing.Add(1) > maxRefusing {
		l.refusing.Add(-1)
		c.Close()
		return
	}
	answer := l.refusal()
	timeout := l.RefuseTimeout
	if timeout <= 0 {
		timeout = DefaultRefuseTimeout
	}
	go func() {
		defer l.refusing.Add(-1)
		defer c.Close()
		start := time.Now()
		end := start.Add(timeout)
		buf := make([]byte, 4<<10)
		// Answering before the request has arrived can make a client take
		// the answer for one to no request (Go's Transport does): wait for
		// its first bytes, briefly.
		c.SetReadDeadline(start.Add(timeout / 2))
		c.Read(buf)
		c.SetWriteDeadline(end)
		if _, err := c.Write(answer); err != nil {
			return
		}
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		c.SetReadDeadline(end)
		io.CopyBuffer(io.Discard, io.LimitReader(c, 256<<10), buf)
	}()
}

// refusal returns the answer to a refused connection.
func (l *Listener) refusal() []byte {
	l.answerOnce.Do(func() {
		ra := l.RetryAfter
		if ra <= 0 {
			ra = DefaultRetryAfter
		}
		secs := int64(math.Ceil(ra.Seconds()))
		unit := "seconds"
		if secs == 1 {
			unit = "second"
		}
		type errorBody struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Details []any  `json:"details"`
		}
		body, err := json.Marshal(map[string]errorBody{"error": {Code: 503,
			Message: fmt.Sprintf("the server has too many open connections (%d); retry after %d %s", l.max, secs, unit),
			Details: []any{}}})
		if err != nil {
			panic(err) // a struct of strings and ints
		}
		body = append(body, '\n')
		l.answer = fmt.Appendf(nil, "HTTP/1.1 503 Service Unavailable\r\n"+
			"Content-Type: application/json\r\n"+
			"X-Content-Type-Options: nosniff\r\n"+
			"Retry-After: %d\r\n"+
			"Connection: close\r\n"+
			"Content-Length: %s\r\n\r\n%s", secs, strconv.Itoa(len(body)), body)
	})
	return l.answer
}

// conn is an accepted connection holding a slot of l.
type conn struct {
	net.Conn
	l      *Listener
	closed atomic.Bool
}

// Close closes the connection; the first call frees its slot.
func (c *conn) Close() error {
	err := c.Conn.Close()
	if c.closed.CompareAndSwap(false, true) {
		c.l.open.Add(-1)
	}
	return err
}

// CloseWrite shuts down the writing side of the connection, if it has
// one (a TCP or Unix connection).
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// ReadFrom is the wrapped connection's, so that sendfile and splice keep
// working through it.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// NetConn returns the wrapped connection.
func (c *conn) NetConn() net.Conn { return c.Conn }
