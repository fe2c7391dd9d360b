// Package s3 is a [blob.Store] in a bucket of an S3-compatible object store
// (Amazon S3, versitygw, Ceph, Garage, MinIO …), on minio-go.
//
// A blob is an object at the store's prefix plus its key, written straight
// to that name: S3 shows an object only once its PUT or multipart upload
// completes, so nothing half-written is ever visible. A Writer holds the
// blob in memory up to one part (8 MiB by default) and sends it with one
// PUT at Commit; a bigger blob becomes a multipart upload whose parts are
// sent while the next one fills, so a Writer holds at most two parts (16
// MiB) at any size. Commit completes the upload; Abort, a failed Write or
// a cancelled context aborts it, and [Store.RemoveUncommitted] aborts those
// that a crash left behind.
//
// A File reads with ranged GETs, each pinned to the object's ETag, so
// Seek, ReadAt and http.ServeContent's Range requests fetch what they read
// (in windows of 1 MiB, doubling to 64 MiB as reading goes on in order),
// and a blob replaced while open fails to read rather than mixing bytes.
package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
)

// Part sizes of multipart uploads.
const (
	DefaultPartSize = 8 << 20
	MinPartSize     = 5 << 20 // S3's minimum for every part but the last
	maxParts        = 10000   // S3's maximum parts per upload
)

// Config configures a Store.
type Config struct {
	Bucket    string
	Prefix    string // the folder in the bucket, such as "folio"; "" for the whole bucket
	Endpoint  string // the server's URL, such as "http://127.0.0.1:7070"; "" for Amazon S3
	Region    string // "" lets the client find it out (Amazon) or use us-east-1
	PathStyle bool   // address the bucket in the path, not the host name

	AccessKeyID, SecretAccessKey, SessionToken string

	// PartSize is the size of the parts of multipart uploads (default
	// DefaultPartSize, at least MinPartSize). A blob may have 10,000
	// parts: 78 GiB at 8 MiB.
	PartSize int64

	// Transport, if not nil, makes the HTTP requests.
	Transport http.RoundTripper
}

// A Store is a blob.Store in a bucket. Its methods are safe for concurrent
// use. It treats everything under its prefix as its own:
// RemoveUncommitted aborts every old incomplete upload there.
type Store struct {
	c        minio.Core
	bucket   string
	prefix   string // "" or ending in "/"
	partSize int64
}

var _ blob.Store = (*Store)(nil)

// New returns a Store for cfg, having checked that its bucket exists and
// that the credentials are accepted.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: no bucket")
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		if blob.CheckKey(prefix) != nil {
			return nil, fmt.Errorf("s3: invalid prefix %q", cfg.Prefix)
		}
		prefix += "/"
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return nil, errors.New("s3: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	partSize := cfg.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < MinPartSize || partSize > 5<<30 {
		return nil, fmt.Errorf("s3: part size %d is not between 5 MiB and 5 GiB", partSize)
	}
	host, secure := "s3.amazonaws.com", true
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("s3: the endpoint %q is not a URL such as http://127.0.0.1:7070", cfg.Endpoint)
		}
		host, secure = u.Host, u.Scheme == "https"
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	s := &Store{c: minio.Core{Client: c}, bucket: cfg.Bucket, prefix: prefix, partSize: partSize}
	if err := s.Ping(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// FromURL returns a Store for a URL s3://BUCKET/PREFIX, configured from
// the environment that getenv reads (os.Getenv, usually): FOLIO_S3_ENDPOINT,
// FOLIO_S3_REGION, FOLIO_S3_PATH_STYLE (true or false) and the credentials
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
func FromURL(ctx context.Context, rawURL string, getenv func(string) string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("s3: %q is not a URL s3://BUCKET/PREFIX", rawURL)
	}
	cfg := Config{
		Bucket:          u.Host,
		Prefix:          u.Path,
		Endpoint:        getenv("FOLIO_S3_ENDPOINT"),
		Region:          getenv("FOLIO_S3_REGION"),
		AccessKeyID:     getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    getenv("AWS_SESSION_TOKEN"),
	}
	if v := getenv("FOLIO_S3_PATH_STYLE"); v != "" {
		if cfg.PathStyle, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("s3: FOLIO_S3_PATH_STYLE=%q is neither true nor false", v)
		}
	}
	return New(ctx, cfg)
}

// Ping checks that the bucket exists and the credentials are accepted.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3: bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("s3: no bucket %s", s.bucket)
	}
	return nil
}

// wrap names the operation and key in err and marks the errors callers
// tell apart: a missing object is blob.ErrNotFound, a full server
// blob.ErrFull.
func (s *Store) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrFull) {
		return err
	}
	e := fmt.Errorf("s3: %s %s: %w", op, key, err)
	r := minio.ToErrorResponse(err)
	switch {
	case r.Code == minio.NoSuchKey:
		return fmt.Errorf("%w: %s", blob.ErrNotFound, key)
	case r.StatusCode == http.StatusInsufficientStorage,
		r.Code == "InsufficientStorage", // versitygw's ENOSPC
		r.Code == "XMinioStorageFull",
		r.Code == "QuotaExceeded": // versitygw's EDQUOT, Ceph's quotas
		return blob.Full(e)
	}
	return e
}

func (s *Store) object(key string) string { return s.prefix + key }

// Create implements blob.Store.
func (s *Store) Create(ctx context.Context, key string) (blob.Writer, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	return &writer{s: s, ctx: ctx, cancel: cancel, key: key, h: sha256.New()}, nil
}

// A writer fills buf; when it is full and more comes, buf becomes a part,
// sent by a goroutine while the next part fills spare.
type writer struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelFunc
	key    string
	h      hash.Hash
	n      int64

	buf, spare []byte
	uploadID   string
	parts      []minio.CompletePart
	pending    chan partResult // the part being sent, or nil

	err  error // the first error, after which the upload is aborted
	done bool
}

type partResult struct {
	part minio.CompletePart
	err  error
}

var errDone = errors.New("s3: Write or Commit after Commit or Abort")

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errDone
	}
	if w.err != nil {
		return 0, w.err
	}
	if err := w.ctx.Err(); err != nil {
		return 0, w.fail("writing", err)
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == int(w.s.partSize) {
			if err := w.send(); err != nil {
				return n, err
			}
		}
		k := min(len(p), int(w.s.partSize)-len(w.buf))
		if len(w.buf)+k > cap(w.buf) {
			// Double (append grows large slices by a quarter, which
			// allocates five parts' worth on the way to one part).
			b := make([]byte, len(w.buf), min(max(2*cap(w.buf), len(w.buf)+k, 32<<10), int(w.s.partSize)))
			copy(b, w.buf)
			w.buf = b
		}
		w.buf = append(w.buf, p[:k]...)
		w.h.Write(p[:k])
		w.n += int64(k)
		n += k
		p = p[k:]
	}
	return n, nil
}

// send starts sending buf as the next part, once the part before is sent.
func (w *writer) send() error {
	if err := w.wait(); err != nil {
		return w.fail("uploading", err)
	}
	if len(w.parts) == maxParts {
		return w.fail("writing", fmt.Errorf("more than %d parts of %d bytes", maxParts, w.s.partSize))
	}
	if w.uploadID == "" {
		id, err := w.s.c.NewMultipartUpload(w.ctx, w.s.bucket, w.s.object(w.key), minio.PutObjectOptions{})
		if err != nil {
			return w.fail("starting an upload of", err)
		}
		w.uploadID = id
	}
	s, ctx, object, id := w.s, w.ctx, w.s.object(w.key), w.uploadID
	part, num, ch := w.buf, len(w.parts)+1, make(chan partResult, 1)
	w.pending = ch
	go func() {
		sum := sha256.Sum256(part) // signed, so the server checks the part
		op, err := s.c.PutObjectPart(ctx, s.bucket, object, id, num, bytes.NewReader(part), int64(len(part)),
			minio.PutObjectPartOptions{Sha256Hex: hex.EncodeToString(sum[:]), DisableContentSha256: true})
		ch <- partResult{minio.CompletePart{PartNumber: num, ETag: op.ETag}, err}
	}()
	if w.spare == nil {
		w.spare = make([]byte, 0, w.s.partSize)
	}
	w.buf, w.spare = w.spare[:0], part
	return nil
}

// wait waits for the part being sent.
func (w *writer) wait() error {
	if w.pending == nil {
		return nil
	}
	r := <-w.pending
	w.pending = nil
	if r.err != nil {
		return r.err
	}
	w.parts = append(w.parts, r.part)
	return nil
}

// fail records the writer's first error and aborts the upload.
func (w *writer) fail(op string, err error) error {
	if w.err == nil {
		w.err = w.s.wrap(op, w.key, err)
		w.abort()
	}
	return w.err
}

// abortWait is how long abort lets the part being sent finish.
const abortWait = 30 * time.Second

// abort waits for the part being sent, aborts the upload, and frees the
// buffers. It lets the part finish rather than cancel it: a server may
// still store a part whose client has gone, after the abort, and so bring
// the upload back (versitygw does). An upload that cannot be aborted now
// is left to RemoveUncommitted.
func (w *writer) abort() error {
	if w.pending != nil {
		t := time.AfterFunc(abortWait, w.cancel)
		w.wait()
		t.Stop()
	}
	w.cancel()
	w.buf, w.spare = nil, nil
	if w.uploadID == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), time.Minute)
	defer cancel()
	err := w.s.c.AbortMultipartUpload(ctx, w.s.bucket, w.s.object(w.key), w.uploadID)
	w.uploadID = ""
	if minio.ToErrorResponse(err).Code == minio.NoSuchUpload {
		return nil // RemoveUncommitted aborted it
	}
	return w.s.wrap("aborting the upload of", w.key, err)
}

func (w *writer) Commit() (jobs.Blob, error) {
	if w.done {
		return jobs.Blob{}, errDone
	}
	w.done = true
	if w.err != nil {
		return jobs.Blob{}, w.err
	}
	if err := w.ctx.Err(); err != nil {
		return jobs.Blob{}, w.fail("committing", err)
	}
	sum := hex.EncodeToString(w.h.Sum(nil))
	if w.uploadID == "" {
		// One PUT, signed with the blob's SHA-256, which the server checks.
		_, err := w.s.c.PutObject(w.ctx, w.s.bucket, w.s.object(w.key), bytes.NewReader(w.buf), int64(len(w.buf)), "", sum,
			minio.PutObjectOptions{DisableContentSha256: true})
		w.cancel()
		w.buf = nil
		if err != nil {
			return jobs.Blob{}, w.s.wrap("committing", w.key, err)
		}
	} else {
		if err := w.send(); err != nil {
			return jobs.Blob{}, err
		}
		if err := w.wait(); err != nil {
			return jobs.Blob{}, w.fail("uploading", err)
		}
		if err := w.ctx.Err(); err != nil {
			return jobs.Blob{}, w.fail("committing", err)
		}
		if _, err := w.s.c.CompleteMultipartUpload(w.ctx, w.s.bucket, w.s.object(w.key), w.uploadID, w.parts, minio.PutObjectOptions{}); err != nil {
			return jobs.Blob{}, w.fail("committing", err)
		}
		w.cancel()
		w.buf, w.spare, w.parts = nil, nil, nil
	}
	return jobs.Blob{Key: w.key, Size: w.n, SHA256: sum}, nil
}

func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.err != nil {
		return nil // aborted already
	}
	return w.abort()
}

// Open implements blob.Store. ctx governs the File's reads too: they fail
// once it is done.
func (s *Store) Open(ctx context.Context, key string) (blob.File, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, err
	}
	info, err := s.c.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{})
	if err != nil {
		return nil, s.wrap("opening", key, err)
	}
	return &file{s: s, ctx: ctx, key: key, size: info.Size, mod: info.LastModified, etag: info.ETag}, nil
}

// Read windows: the first GET after a Seek asks for minWindow bytes, and
// each one that follows in order for twice as many, up to maxWindow.
const (
	minWindow = 1 << 20
	maxWindow = 64 << 20
)

// A file is a blob.File over ranged GETs. It is not a minio.Object: in
// minio-go v7.4.1 a ReadAt that reaches the end leaves the Object answering
// io.EOF to every later Read (which http.ServeContent's Seek and Read after
// a ReadAt would meet), and an Object fetches from its offset to the end.
type file struct {
	s    *Store
	ctx  context.Context
	key  string
	size int64
	mod  time.Time
	etag string

	mu      sync.Mutex
	off     int64
	body    io.ReadCloser // yields the bytes from bodyOff to bodyEnd
	bodyOff int64
	bodyEnd int64
	window  int64
	closed  bool
}

func (f *file) Size() int64        { return f.size }
func (f *file) ModTime() time.Time { return f.mod }

// get returns the bytes from..to-1 of the object as it was opened.
func (f *file) get(from, to int64) (io.ReadCloser, error) {
	var opts minio.GetObjectOptions
	if err := opts.SetMatchETag(f.etag); err != nil {
		return nil, err
	}
	if err := opts.SetRange(from, to-1); err != nil {
		return nil, err
	}
	rc, _, _, err := f.s.c.GetObject(f.ctx, f.s.bucket, f.s.object(f.key), opts)
	if r := minio.ToErrorResponse(err); r.StatusCode == http.StatusPreconditionFailed {
		return nil, fmt.Errorf("s3: %s was replaced while open", f.key)
	}
	return rc, f.s.wrap("reading", f.key, err)
}

func (f *file) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, os.ErrClosed
	}
	if f.off >= f.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if f.body == nil || f.bodyOff != f.off || f.bodyOff == f.bodyEnd {
		if f.body != nil && f.bodyOff == f.off {
			f.window = min(2*f.window, maxWindow) // going on in order
		} else {
			f.window = minWindow
		}
		f.closeBody()
		end := min(f.off+f.window, f.size)
		rc, err := f.get(f.off, end)
		if err != nil {
			return 0, err
		}
		f.body, f.bodyOff, f.bodyEnd = rc, f.off, end
	}
	n, err := f.body.Read(p[:min(int64(len(p)), f.bodyEnd-f.bodyOff)])
	f.off += int64(n)
	f.bodyOff += int64(n)
	if err == io.EOF && f.bodyOff < f.bodyEnd {
		err = io.ErrUnexpectedEOF
	}
	if err == io.EOF {
		err = nil
	}
	if err != nil {
		f.closeBody()
		return n, f.s.wrap("reading", f.key, err)
	}
	return n, nil
}

func (f *file) closeBody() {
	if f.body != nil {
		f.body.Close()
		f.body = nil
	}
}

// ReadAt makes one ranged GET.
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if closed {
		return 0, os.ErrClosed
	}
	if off < 0 {
		return 0, errors.New("s3: ReadAt at a negative offset")
	}
	if off >= f.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), f.size-off)
	if want == 0 {
		return 0, nil
	}
	rc, err := f.get(off, off+want)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, p[:want])
	if err != nil {
		return n, f.s.wrap("reading", f.key, err)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *file) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, os.ErrClosed
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.size
	default:
		return 0, errors.New("s3: Seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("s3: Seek to a negative offset")
	}
	f.off = offset
	return offset, nil
}

func (f *file) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return os.ErrClosed
	}
	f.closed = true
	f.closeBody()
	return nil
}

// Delete implements blob.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	err := s.c.RemoveObject(ctx, s.bucket, s.object(key), minio.RemoveObjectOptions{})
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return nil
	}
	return s.wrap("deleting", key, err)
}

// List implements blob.Store, in key order. Objects under the prefix whose
// names are not valid keys are skipped.
func (s *Store) List(ctx context.Context, prefix string) iter.Seq2[blob.Info, error] {
	return func(yield func(blob.Info, error) bool) {
		if err := blob.CheckPrefix(prefix); err != nil {
			yield(blob.Info{}, err)
			return
		}
		if err := ctx.Err(); err != nil {
			yield(blob.Info{}, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for o := range s.c.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.object(prefix), Recursive: true}) {
			if o.Err != nil {
				yield(blob.Info{}, s.wrap("listing", strconv.Quote(prefix), o.Err))
				return
			}
			key, ok := strings.CutPrefix(o.Key, s.prefix)
			if !ok || blob.CheckKey(key) != nil {
				continue
			}
			if !yield(blob.Info{Key: key, Size: o.Size, ModTime: o.LastModified}, nil) {
				return
			}
		}
	}
}

// RemoveUncommitted implements blob.Store: it aborts the multipart uploads
// under the store's prefix that were initiated before the time given.
// Writes of one part or less have not reached the server before Commit,
// so there is nothing of theirs to remove.
func (s *Store) RemoveUncommitted(ctx context.Context, before time.Time) (int, error) {
	n := 0
	var keyMarker, idMarker string
	for {
		res, err := s.c.ListMultipartUploads(ctx, s.bucket, s.prefix, keyMarker, idMarker, "", 1000)
		if err != nil {
			return n, s.wrap("listing the uploads under", strconv.Quote(s.prefix), err)
		}
		for _, u := range res.Uploads {
			if !u.Initiated.Before(before) {
				continue
			}
			err := s.c.AbortMultipartUpload(ctx, s.bucket, u.Key, u.UploadID)
			if minio.ToErrorResponse(err).Code == minio.NoSuchUpload {
				continue // completed or aborted meanwhile
			}
			if err != nil {
				return n, s.wrap("aborting the upload of", u.Key, err)
			}
			n++
		}
		if !res.IsTruncated || (res.NextKeyMarker == keyMarker && res.NextUploadIDMarker == idMarker) {
			return n, nil
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}
