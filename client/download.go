package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Errors of [Client.Download].
var (
	// ErrContentChanged: a download was cut and, when resumed, the
	// server's content was no longer the same (another ETag). The bytes
	// already written are of the old content.
	ErrContentChanged = errors.New("client: the content changed while it was downloaded")
	// ErrCorrupt: the bytes downloaded do not have the SHA-256 the
	// server's ETag names, or not its length.
	ErrCorrupt = errors.New("client: the content downloaded does not match its ETag")
)

// Download streams the content of job id in format (a name such as
// "xlsx"; "" for the server's default, json) to w and returns how many
// bytes it wrote.
//
// When the connection drops during the body, Download asks for the rest
// with Range and If-Range on the content's ETag, up to WithRetries times
// in a row without progress, so w gets each byte once and in order: never
// a byte twice, and never bytes of another content (if the content
// changed, the error is ErrContentChanged). folio's ETag is the content's
// SHA-256, which Download checks at the end (ErrCorrupt).
//
// A job not finished yet is an *Error 409 with RetryAfter (Wait first); a
// failed or canceled one an *Error 404; a format that cannot be rendered
// for it an *Error 422. An error writing to w ends Download at once.
// Download does not close w.
func (c *Client) Download(ctx context.Context, id int64, format string, w io.Writer) (int64, error) {
	q := url.Values{}
	if format != "" {
		q.Set("format", format)
	}
	path := "/jobs/" + strconv.FormatInt(id, 10) + "/content"
	d := &download{w: w}
	failures := 0
	for {
		err := d.attempt(ctx, c, path, q)
		if err == nil {
			return d.n, d.verify()
		}
		var fatal *fatalError
		if errors.As(err, &fatal) || ctx.Err() != nil {
			if ctx.Err() != nil {
				return d.n, context.Cause(ctx)
			}
			return d.n, fatal.err
		}
		if d.progressed {
			failures = 0
		}
		if d.etag == "" || failures >= c.retries {
			return d.n, err
		}
		failures++
		if err := c.sleep(ctx, c.backoff(failures-1)); err != nil {
			return d.n, err
		}
	}
}

// fatalError ends a download: no retry can help.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

type download struct {
	w          io.Writer
	n          int64  // bytes written to w
	size       int64  // the content's length, -1 if not known
	etag       string // "" until the first answer
	sum        hash.Hash
	progressed bool // the last attempt wrote bytes
}

var sha256ETag = regexp.MustCompile(`^"[0-9a-f]{64}"$`)

// attempt asks for the content from byte d.n on and copies it to d.w. An
// error from reading the body (the connection dropped) can be retried;
// any other is a *fatalError.
func (d *download) attempt(ctx context.Context, c *Client, path string, q url.Values) error {
	d.progressed = false
	req, err := c.request(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return &fatalError{err}
	}
	req.Header.Del("Accept") // the format comes from format=, else the server's default
	// Offsets count the bytes of the content itself: no transparent gzip.
	req.Header.Set("Accept-Encoding", "identity")
	resuming := d.etag != ""
	if resuming {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", d.n))
		req.Header.Set("If-Range", d.etag)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		if !resuming {
			return &fatalError{err} // nothing started: the caller retries the call
		}
		return err
	}
	defer res.Body.Close()
	body := io.Reader(res.Body)
	switch {
	case !resuming && res.StatusCode == http.StatusOK:
		d.etag, d.size = res.Header.Get("ETag"), res.ContentLength
		if sha256ETag.MatchString(d.etag) {
			d.sum = sha256.New()
		}
	case resuming && res.StatusCode == http.StatusPartialContent:
		if err := d.checkRange(res); err != nil {
			return &fatalError{err}
		}
	case resuming && res.StatusCode == http.StatusOK:
		// The whole content again: if it is the same one (a server or a
		// proxy that ignored Range), skip what w has; else it changed.
		if res.Header.Get("ETag") != d.etag {
			return &fatalError{fmt.Errorf("%w: ETag %s, then %s", ErrContentChanged, d.etag, res.Header.Get("ETag"))}
		}
		if _, err := io.CopyN(io.Discard, body, d.n); err != nil {
			return err
		}
	case resuming && res.StatusCode == http.StatusRequestedRangeNotSatisfiable && d.size == d.n:
		return nil // everything was there; the cut came after the last byte
	default:
		return &fatalError{responseError(res)}
	}
	return d.copy(body)
}

// checkRange checks that a 206 answer starts at d.n and is of the same
// content.
func (d *download) checkRange(res *http.Response) error {
	if et := res.Header.Get("ETag"); et != "" && et != d.etag {
		return fmt.Errorf("%w: ETag %s, then %s", ErrContentChanged, d.etag, et)
	}
	cr := res.Header.Get("Content-Range")
	var first, last, size int64
	if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &first, &last, &size); err != nil || first != d.n ||
		(d.size >= 0 && size != d.size) {
		return fmt.Errorf("client: resuming at byte %d of %d, the server answered Content-Range %q", d.n, d.size, cr)
	}
	d.size = size
	return nil
}

// copy copies body to d.w, counting and hashing what it writes. A write
// error is fatal; a read error is returned for a retry.
func (d *download) copy(body io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			m, werr := d.w.Write(buf[:n])
			if d.sum != nil {
				d.sum.Write(buf[:m])
			}
			d.n += int64(m)
			if m > 0 {
				d.progressed = true
			}
			if werr == nil && m < n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return &fatalError{werr}
			}
		}
		if rerr == io.EOF {
			if d.size >= 0 && d.n < d.size {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// verify checks the length and the SHA-256 of what was written.
func (d *download) verify() error {
	if d.size >= 0 && d.n != d.size {
		return fmt.Errorf("%w: %d bytes, the server said %d", ErrCorrupt, d.n, d.size)
	}
	if d.sum != nil {
		if got := `"` + hex.EncodeToString(d.sum.Sum(nil)) + `"`; got != d.etag {
			return fmt.Errorf("%w: SHA-256 %s, ETag %s", ErrCorrupt, strings.Trim(got, `"`), d.etag)
		}
	}
	return nil
}
