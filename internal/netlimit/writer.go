package netlimit

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultWriteIdle is the idle window of [IdleWriter] that folio serve
// suggests. A client that has not taken 32 KiB in a minute has stopped
// reading: 60 s rides out the retransmission back-off of a bad link and a
// paused download (which resumes with a Range request), and cuts off a
// client that went away without closing its connection a minute after the
// kernel's buffers filled.
const DefaultWriteIdle = 60 * time.Second

// writePiece is the most handed to the connection under one deadline.
const writePiece = 32 << 10

var copyBufs = sync.Pool{New: func() any { b := make([]byte, writePiece); return &b }}

// IdleWriter returns w with a deadline on every write to the client: before
// it hands each piece of at most 32 KiB to the connection (in Write,
// ReadFrom, Flush and WriteHeader), it sets the write deadline, through
// [http.ResponseController], to now + idle. A client that stops reading is
// cut off once the kernel's socket buffers between it and the server are
// full and idle has passed: the Write fails, net/http closes the connection
// (an HTTP/2 server resets only the stream). A client that reads slowly but
// steadily, taking 32 KiB per idle window or more, is never cut off however
// long the response; whatever the handler sets with SetWriteDeadline is
// replaced at the next write.
//
// The returned ResponseWriter has Flush and FlushError (so it is an
// http.Flusher and ResponseController.Flush goes through it), Hijack (after
// which it touches no deadline), ReadFrom, which keeps the connection's
// sendfile when w has it (so io.Copy and http.ServeContent get deadlines
// too), and Unwrap, for the rest of what ResponseController does. An idle
// of 0 means DefaultWriteIdle; a negative one returns w unchanged. If w
// cannot set write deadlines, writes go through without.
//
// The deadline set before the last write is left in place: it bounds the
// flush net/http does after the handler returns. net/http (HTTP/1.1) clears
// the write deadline after each response, so the next request on a
// kept-alive connection starts without one. A handler that keeps busy
// longer than idle after its last write should use [IdleWrites], or Flush
// before it returns.
//
// Like any ResponseWriter, it is not safe for concurrent use.
func IdleWriter(w http.ResponseWriter, idle time.Duration) http.ResponseWriter {
	if idle < 0 {
		return w
	}
	return newIdleWriter(w, idle)
}

// IdleWrites returns a handler that serves h through [IdleWriter](w, idle)
// and, when h returns, gives the flush net/http does then a fresh window of
// idle on HTTP/1 (an HTTP/2 stream's end is flow-controlled by the stream
// itself). An idle of 0 means DefaultWriteIdle; a negative one returns h.
func IdleWrites(h http.Handler, idle time.Duration) http.Handler {
	if idle < 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iw := newIdleWriter(w, idle)
		h.ServeHTTP(iw, r)
		if r.ProtoMajor == 1 {
			iw.extend()
		}
	})
}

func newIdleWriter(w http.ResponseWriter, idle time.Duration) *idleWriter {
	if idle == 0 {
		idle = DefaultWriteIdle
	}
	return &idleWriter{rw: w, ctl: http.NewResponseController(w), idle: idle}
}

type idleWriter struct {
	rw       http.ResponseWriter
	ctl      *http.ResponseController
	idle     time.Duration
	noDL     bool // w cannot set write deadlines
	hijacked bool
}

// extend sets the write deadline to now + idle.
func (w *idleWriter) extend() {
	if w.noDL || w.hijacked {
		return
	}
	if err := w.ctl.SetWriteDeadline(time.Now().Add(w.idle)); errors.Is(err, http.ErrNotSupported) {
		w.noDL = true
	}
}

func (w *idleWriter) Header() http.Header { return w.rw.Header() }

func (w *idleWriter) WriteHeader(code int) {
	w.extend() // a 1xx answer is written at once
	w.rw.WriteHeader(code)
}

func (w *idleWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		w.extend()
		return w.rw.Write(p)
	}
	n := 0
	for len(p) > 0 {
		piece := p[:min(len(p), writePiece)]
		w.extend()
		m, err := w.rw.Write(piece)
		n += m
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

// ReadFrom copies src to the response in pieces of at most 32 KiB, each
// under a fresh deadline, through w's own ReadFrom when it has one.
func (w *idleWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := w.rw.(io.ReaderFrom)
	if !ok {
		buf := copyBufs.Get().(*[]byte)
		defer copyBufs.Put(buf)
		return io.CopyBuffer(writeOnly{w}, src, *buf)
	}
	// Keep an *io.LimitedReader of an *os.File one level deep, as
	// sendfile wants it.
	lr, limited := src.(*io.LimitedReader)
	if !limited {
		lr = &io.LimitedReader{R: src, N: 1<<63 - 1}
	}
	var total int64
	for lr.N > 0 {
		size := min(lr.N, writePiece)
		w.extend()
		n, err := rf.ReadFrom(&io.LimitedReader{R: lr.R, N: size})
		total += n
		lr.N -= n
		if err != nil || n < size {
			return total, err
		}
	}
	return total, nil
}

// writeOnly hides ReadFrom from io.CopyBuffer.
type writeOnly struct{ io.Writer }

func (w *idleWriter) Flush() { w.FlushError() }

func (w *idleWriter) FlushError() error {
	w.extend()
	return w.ctl.Flush()
}

func (w *idleWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := w.ctl.Hijack()
	if err == nil {
		w.hijacked = true
	}
	return c, brw, err
}

func (w *idleWriter) Unwrap() http.ResponseWriter { return w.rw }
