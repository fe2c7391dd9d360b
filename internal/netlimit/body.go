package netlimit

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// ErrTooSlow is the error of a request body that broke its [Rate]: the
// client's fault, answered 408 Request Timeout.
var ErrTooSlow = errors.New("netlimit: request body too slow")

// Defaults of [Rate], chosen for bodies of up to 256 MiB sent over slow
// links. 1 KiB/s (8 kbit/s) is below the uplink of any link in common use
// (GPRS sends 2 to 5 KiB/s), so no real client is cut off, however large
// its document, while a body trickled at a byte every 5 seconds is cut off
// after 10 seconds. At the floor a 256 MiB body may take up to 73 hours: the
// floor does not bound how long an upload takes (the body limit and the
// per-user upload cap bound what a client may hold) but makes a client that
// trickles pay 1 KiB/s for every connection it keeps. The 10 s grace covers slow start and a few round
// trips of a high-latency link (100 Continue included) before the average
// means anything; the 30 s idle window rides out a radio handover or five
// lost retransmissions (TCP backs off 1+2+4+8+16 s) but frees a connection
// whose client vanished without closing it.
const (
	DefaultGrace          = 10 * time.Second
	DefaultMinBytesPerSec = 1 << 10
	DefaultReadIdle       = 30 * time.Second
)

// A Rate is the slowest a request body may arrive. Time counts only while
// the handler waits in Read on the body, not while it does something else,
// so a server that is slow to read is not blamed on the client. With t the
// time spent waiting in Read so far and n the bytes received:
//
//   - Idle: a Read that waits Idle without receiving a byte fails.
//   - Average: once t exceeds Grace, n must stay at least
//     MinBytesPerSec × t; the Read during which it falls below fails.
//
// A zero field takes its default (DefaultGrace, DefaultMinBytesPerSec,
// DefaultReadIdle); a negative Idle or MinBytesPerSec turns that rule off.
type Rate struct {
	Grace          time.Duration
	MinBytesPerSec int64
	Idle           time.Duration
}

func (r Rate) withDefaults() Rate {
	if r.Grace <= 0 {
		r.Grace = DefaultGrace
	}
	if r.MinBytesPerSec == 0 {
		r.MinBytesPerSec = DefaultMinBytesPerSec
	}
	if r.Idle == 0 {
		r.Idle = DefaultReadIdle
	}
	return r
}

// MinRate returns r's body, failing with an error that wraps ErrTooSlow
// (and os.ErrDeadlineExceeded) when it arrives slower than rate allows. The
// handler reads and closes the returned body instead of r.Body; r is left
// as it is. It composes with http.MaxBytesReader on either side: a
// *http.MaxBytesError and ErrTooSlow pass through each other unchanged.
//
// Each Read sets the connection's read deadline (an HTTP/2 stream's, on
// HTTP/2) through [http.ResponseController] on w, to when the rule of the
// next Read would be broken, so a Read blocked on a client that sends
// nothing is interrupted in time. If w cannot set read deadlines, nothing
// interrupts a Read: the average is checked before each Read and the idle
// window when each Read returns. After a failure every Read
// returns the same error and the read deadline is left in the past, so
// net/http does not wait for the rest of the body and closes the connection
// after the answer. After io.EOF no deadline is touched (net/http clears
// it and watches the connection for the client going away). Close, before
// the end of the body, lets net/http discard what is left (up to 256 KiB)
// under the same rule, then clears the deadline; the next request on a
// kept-alive connection starts with net/http's own deadlines.
//
// The body is not safe for concurrent use: Read and Close must not be
// called at the same time.
func MinRate(w http.ResponseWriter, r *http.Request, rate Rate) io.ReadCloser {
	if r.Body == nil || r.Body == http.NoBody {
		return http.NoBody
	}
	return &body{rc: r.Body, ctl: http.NewResponseController(w), rate: rate.withDefaults()}
}

// MinRateReads returns a handler that serves h with the body of each
// request read through [MinRate](w, r, rate), and closes that body when h
// returns. Closing it matters for answers given without reading the body
// (a 401, a 405): net/http reads what is left of a small body (up to 256
// KiB) before it sends such an answer, with no deadline of its own, so a
// client trickling its body holds the connection and never gets the
// answer; closed here, the rest is read under rate, and a client too slow
// for it gets the answer on a connection that is then closed. A handler
// that flushes a long answer before reading the body should close r.Body
// first. It is not for handlers that hijack the connection.
func MinRateReads(h http.Handler, rate Rate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		body := MinRate(w, r, rate)
		defer body.Close()
		r = r.WithContext(r.Context())
		r.Body = body
		h.ServeHTTP(w, r)
	})
}

type body struct {
	rc     io.ReadCloser
	ctl    *http.ResponseController
	rate   Rate
	noDL   bool          // the ResponseWriter cannot set read deadlines
	n      int64         // bytes received
	waited time.Duration // time spent waiting in Read
	err    error         // sticky: io.EOF or the ErrTooSlow error
	closed bool
}

// forever is a budget without a deadline.
const forever = time.Duration(1<<63 - 1)

// budget returns how much longer the next Read may wait and which rule
// would break then: idle or not.
func (b *body) budget() (time.Duration, bool) {
	left, idle := forever, false
	if b.rate.Idle > 0 {
		left, idle = b.rate.Idle, true
	}
	if r := b.rate.MinBytesPerSec; r > 0 {
		// The waiting time n bytes pay for: n/r seconds, at least Grace.
		allowed := b.rate.Grace
		if secs := b.n / r; secs < int64(forever/time.Second) {
			allowed = max(allowed, time.Duration(secs)*time.Second+time.Duration(b.n%r)*time.Second/time.Duration(r))
		} else {
			allowed = forever
		}
		if avg := allowed - b.waited; avg < left {
			left, idle = avg, false
		}
	}
	return left, idle
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 || b.closed {
		return b.rc.Read(p)
	}
	left, idle := b.budget()
	if left <= 0 {
		return 0, b.fail(idle, os.ErrDeadlineExceeded)
	}
	start := time.Now()
	b.setDeadline(start, left)
	n, err := b.rc.Read(p)
	wait := time.Since(start)
	b.waited += wait
	b.n += int64(n)
	switch {
	case err == io.EOF:
		b.err = io.EOF
	case errors.Is(err, os.ErrDeadlineExceeded):
		return n, b.fail(idle, err)
	case err == nil && b.noDL && b.rate.Idle > 0 && wait > b.rate.Idle:
		// Nothing interrupted the Read: judge it now that it is over. (The
		// average is judged before each Read.)
		return n, b.fail(true, os.ErrDeadlineExceeded)
	}
	return n, err
}

// setDeadline sets the read deadline to now+left, or none if left is
// forever.
func (b *body) setDeadline(now time.Time, left time.Duration) {
	if b.noDL {
		return
	}
	var dl time.Time
	if left != forever {
		dl = now.Add(left)
	}
	if err := b.ctl.SetReadDeadline(dl); errors.Is(err, http.ErrNotSupported) {
		b.noDL = true
	}
}

// fail makes the body fail for good with an error wrapping ErrTooSlow and
// cause, and puts the read deadline in the past.
func (b *body) fail(idle bool, cause error) error {
	if idle {
		b.err = fmt.Errorf("%w: no data for %v after %d bytes: %w", ErrTooSlow, b.rate.Idle, b.n, cause)
	} else {
		b.err = fmt.Errorf("%w: %d bytes in %v, under the minimum of %d bytes/s: %w",
			ErrTooSlow, b.n, b.waited.Round(time.Millisecond), b.rate.MinBytesPerSec, cause)
	}
	if !b.noDL {
		b.ctl.SetReadDeadline(time.Unix(1, 0))
	}
	return b.err
}

func (b *body) Close() error {
	if b.closed {
		return b.rc.Close()
	}
	b.closed = true
	if b.err != nil {
		return b.rc.Close()
	}
	// net/http reads what is left, up to 256 KiB, under the same rule.
	left, _ := b.budget()
	if left <= 0 {
		left = time.Nanosecond
	}
	b.setDeadline(time.Now(), left)
	err := b.rc.Close()
	if !b.noDL {
		b.ctl.SetReadDeadline(time.Time{})
	}
	return err
}
