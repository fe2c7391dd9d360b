// Package server is folio's HTTP job API (CONTRACT.md section 4) as an
// http.Handler that other Go services can mount: clients post report
// documents as jobs, list and follow them, and download their content in any
// registered format.
//
// The handler needs a [jobs.Store], a [blob.Store] for documents and
// artifacts, an [Authenticator] and a [Registry] of formats. Background
// rendering of the formats asked for with ?formats= is not its business: a
// job queue (package runner) picks up jobs the handler leaves
// ready_to_process. Formats not rendered ahead are rendered on the first
// download, once, and stored.
package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/internal/netlimit"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/schema"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Config.
const (
	DefaultMaxBodyBytes   = 256 << 20 // 256 MiB
	DefaultRenderTimeout  = 10 * time.Minute
	DefaultRetryAfter     = 2 * time.Second
	DefaultQueueWait      = 10 * time.Second
	DefaultUserUploads    = 4
	DefaultUserRenders    = 2
	DefaultMaxAttempts    = 3
	DefaultFullRetryAfter = time.Minute
	DefaultAbandonAfter   = 0.9
)

// Config is what a Server is made of. Store, Blobs and Auth are required.
type Config struct {
	Store jobs.Store
	Blobs blob.Store
	Auth  Authenticator
	// Formats is the registry of formats; nil means Registered.
	Formats Registry
	// MaxBodyBytes limits the document of POST /jobs; a larger one is
	// answered 413. 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RenderTimeout bounds the rendering of a format on download. 0 means
	// DefaultRenderTimeout.
	RenderTimeout time.Duration
	// RetryAfter is what a 409 for an unfinished job, a 429 and a 503 advise
	// to wait. 0 means DefaultRetryAfter.
	RetryAfter time.Duration
	// FullRetryAfter is what a 507 (storage full) advises to wait. 0 means
	// DefaultFullRetryAfter.
	FullRetryAfter time.Duration
	// Pool bounds the renders on download, shared with the background
	// renderer (runner.Runner.Pool); nil means a pool of 2.
	Pool *artifact.Pool
	// QueueWait is how long a download that needs a render waits for a
	// slot of Pool before it is answered 503. 0 means DefaultQueueWait.
	QueueWait time.Duration
	// MaxAttempts is how many renders of a format begun on download may
	// kill the process before the format is given up (422). 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// UserUploads and UserRenders cap one user's concurrent uploads and
	// downloads that need a render; beyond them: 429. 0 means
	// DefaultUserUploads and DefaultUserRenders.
	UserUploads, UserRenders int
	// Metrics, if not nil, receives the server's Prometheus series, and
	// GET /metrics serves MetricsGatherer (nil: prometheus.DefaultGatherer
	// when Metrics is the default registry, else Metrics if it is a
	// Gatherer). MetricsToken, if not empty, is the bearer token /metrics
	// requires.
	Metrics         prometheus.Registerer
	MetricsGatherer prometheus.Gatherer
	MetricsToken    string
	// Logger receives the access log (level Info) and errors; nil means
	// slog.Default().
	Logger *slog.Logger
	// Ready reports whether the server can serve, for GET /healthz. nil
	// means: the store answers Ping if it has one.
	Ready func(context.Context) error
	// Node names this server in the jobs it receives (jobs.Job.Owner,
	// while the document is received), for servers sharing a store.
	Node string
	// RenderLock, for servers sharing a store, makes a render on download
	// happen on one server at a time; nil for a single server.
	RenderLock RenderLock
}

// Server is the job API. It is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	flight  flights
	uploads perUser
	renders perUser
	stats   Stats
	metrics *metrics
}

// Stats counts what a Server did, for metrics.
type Stats struct {
	Shed429, Shed503, Full507 atomic.Int64
	Rendered, Abandoned       atomic.Int64 // renders on download done, and stopped because every client left
}

// Stats returns the server's counters.
func (s *Server) Stats() *Stats { return &s.stats }

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Blobs == nil || cfg.Auth == nil {
		return nil, errors.New("server: Config needs Store, Blobs and Auth")
	}
	cfg.Formats = cmpOr(cfg.Formats, Registered)
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RenderTimeout <= 0 {
		cfg.RenderTimeout = DefaultRenderTimeout
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	if cfg.FullRetryAfter <= 0 {
		cfg.FullRetryAfter = DefaultFullRetryAfter
	}
	if cfg.Pool == nil {
		cfg.Pool = artifact.NewPool(2)
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = DefaultQueueWait
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.UserUploads <= 0 {
		cfg.UserUploads = DefaultUserUploads
	}
	if cfg.UserRenders <= 0 {
		cfg.UserRenders = DefaultUserRenders
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Ready == nil {
		cfg.Ready = func(ctx context.Context) error {
			if p, ok := cfg.Store.(interface{ Ping(context.Context) error }); ok {
				return p.Ping(ctx)
			}
			return nil
		}
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	s.flight.m = map[string]*flight{}
	s.flight.timeout = cfg.RenderTimeout
	s.uploads = perUser{n: map[string]int{}, limit: cfg.UserUploads, what: "uploads"}
	s.renders = perUser{n: map[string]int{}, limit: cfg.UserRenders, what: "downloads that need a render"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	if cfg.Metrics != nil {
		m, err := newMetrics(s, cfg.Metrics)
		if err != nil {
			return nil, err
		}
		s.metrics = m
		g := cfg.MetricsGatherer
		if g == nil {
			if gg, ok := cfg.Metrics.(prometheus.Gatherer); ok {
				g = gg
			} else {
				g = prometheus.DefaultGatherer
			}
		}
		mux.Handle("GET /metrics", s.metricsHandler(g, cfg.MetricsToken))
	}
	mux.HandleFunc("GET /openapi.json", s.openapi)
	pages, err := newPages(cfg.Formats)
	if err != nil {
		return nil, err
	}
	mux.HandleFunc("GET /{$}", servePage(pages["/"]))
	mux.HandleFunc("GET /ui/jobs.js", servePage(pages["/ui/jobs.js"]))
	mux.HandleFunc("GET /ui/jobs.css", servePage(pages["/ui/jobs.css"]))
	mux.Handle("POST /jobs", s.auth(s.postJob))
	mux.Handle("GET /jobs", s.auth(s.listJobs))
	mux.Handle("GET /jobs/{id}", s.auth(s.getJob))
	mux.Handle("DELETE /jobs/{id}", s.auth(s.cancelJob))
	mux.Handle("GET /jobs/{id}/content", s.auth(s.jobContent))
	mux.Handle("GET /icweb.dll/jobStatus", s.auth(s.jobStatus))
	mux.Handle("GET /icweb.dll/jobContent", s.auth(s.jobContent))
	// Other methods on known paths: 405 with the contract's error body
	// (ServeMux's own 405 is plain text).
	for path, allow := range map[string]string{"/healthz": "GET, HEAD", "/openapi.json": "GET, HEAD", "/jobs": "GET, HEAD, POST",
		"/jobs/{id}": "GET, HEAD, DELETE", "/jobs/{id}/content": "GET, HEAD",
		"/icweb.dll/jobStatus": "GET, HEAD", "/icweb.dll/jobContent": "GET, HEAD",
		"/{$}": "GET, HEAD", "/ui/jobs.js": "GET, HEAD", "/ui/jobs.css": "GET, HEAD"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			s.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed; allowed: %s", r.Method, allow))
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	s.mux = mux
	return s, nil
}

func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// ServeHTTP serves the API and writes one access log line per request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	if s.metrics != nil {
		s.metrics.observe(r, rec.status, time.Since(start))
	}
	if rec.user == "" {
		if u, ok := r.Context().Value(userKey{}).(User); ok {
			rec.user = u.Name
		}
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.String("query", r.URL.RawQuery), slog.Int("status", rec.status),
		slog.Int64("bytes", rec.n), slog.Duration("duration", time.Since(start)),
		slog.String("user", rec.user), slog.String("remote", r.RemoteAddr))
}

type recorder struct {
	http.ResponseWriter
	status      int
	n           int64
	user        string
	wroteHeader bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(p)
	r.n += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type userKey struct{}

// UserFrom returns the user a request handled by the Server was
// authenticated as.
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(userKey{}).(User)
	return u, ok
}

func (s *Server) auth(h func(http.ResponseWriter, *http.Request, User)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.cfg.Auth.Authenticate(r)
		if err != nil {
			if !errors.Is(err, ErrNoCredentials) && !errors.Is(err, ErrInvalidToken) {
				err = fmt.Errorf("%w: %w", ErrInvalidToken, err)
			}
			s.writeError(w, r, err)
			return
		}
		if rec, ok := w.(*recorder); ok {
			rec.user = u.Name
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)), u)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Ready(ctx); err != nil {
		s.log.Error("health check failed", "error", err)
		s.writeError(w, r, &Error{Code: http.StatusServiceUnavailable, Message: "not ready: " + err.Error(),
			RetryAfter: s.cfg.RetryAfter})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Entry is a job as the API shows it: the eleven fields of the contract,
// then folio's summary (a sentence about the job's state), details (the
// document's violations when it failed to receive: pointer and message,
// the first 100) and formats (those asked for with ?formats=).
type Entry struct {
	ID               int64              `json:"id"`
	RequestID        string             `json:"request_id"`
	Entity           string             `json:"entity"`
	Status           jobs.Status        `json:"status"`
	PercentCompleted float64            `json:"percent_completed"`
	Operation        string             `json:"operation"`
	CreatedAt        string             `json:"created_at"`
	UpdatedAt        string             `json:"updated_at"`
	CreatedBy        string             `json:"created_by"`
	ErrorCount       int                `json:"error_count"`
	Result           jobs.Result        `json:"result"`
	Summary          string             `json:"summary"`
	Details          []report.Violation `json:"details"`
	Formats          []string           `json:"formats"`
}

// TimeLayout is how the API writes times: ISO 8601 in UTC with a numeric
// offset and milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000-07:00"

func entry(j *jobs.Job) Entry {
	e := Entry{ID: j.ID, RequestID: j.RequestID, Entity: j.Entity, Status: j.Status,
		PercentCompleted: j.PercentCompleted, Operation: j.Operation,
		CreatedAt: j.CreatedAt.UTC().Format(TimeLayout), UpdatedAt: j.UpdatedAt.UTC().Format(TimeLayout),
		CreatedBy: j.CreatedBy, ErrorCount: j.ErrorCount, Result: j.Result, Summary: j.Summary,
		Details: append([]report.Violation{}, j.Details...), Formats: append([]string{}, j.Formats...)}
	return e
}

// postJob receives a document: POST /jobs[?formats=a,b][&request_id=UUID].
func (s *Server) postJob(w http.ResponseWriter, r *http.Request, u User) {
	ctx := r.Context()
	q := r.URL.Query()
	var formats []string
	if v := q.Get("formats"); v != "" {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			f, err := s.cfg.Formats.Lookup(name)
			if err != nil {
				s.writeError(w, r, &Error{Code: 422, Message: "unknown format " + strconv.Quote(name),
					Details: []any{ParamDetail{"formats", "Must be a comma-separated list of " + names(s.cfg.Formats)}}})
				return
			}
			if !slices.Contains(formats, f.Name) {
				formats = append(formats, f.Name)
			}
		}
	}
	var requestID string
	if q.Has("request_id") {
		id, ok := parseRequestID(q.Get("request_id"))
		if !ok {
			s.writeError(w, r, &Error{Code: 422, Message: "invalid query parameters",
				Details: []any{ParamDetail{"request_id", "Must be a UUID"}}})
			return
		}
		requestID = id
	}
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		s.writeError(w, r, &http.MaxBytesError{Limit: limit})
		return
	}
	done, err := s.uploads.enter(u.Name, s.cfg.RetryAfter)
	if err != nil {
		s.stats.Shed429.Add(1)
		s.writeError(w, r, err)
		return
	}
	defer done()
	body := bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, limit), 64<<10)
	if err := looksLikeJSON(body); err != nil {
		s.writeError(w, r, err)
		return
	}
	j := &jobs.Job{Entity: "report", Operation: "render", Status: jobs.StatusRequestReceived, RequestID: requestID,
		CreatedBy: u.Name, Formats: formats, Summary: "receiving the document", Owner: s.cfg.Node}
	if err := s.cfg.Store.Create(ctx, j); err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err = s.receive(ctx, j, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/jobs/"+strconv.FormatInt(j.ID, 10))
	writeJSON(w, http.StatusAccepted, entry(j))
}

// looksLikeJSON answers 422 for a body that is empty or whose first token
// is not a JSON value's: '{', '[', a string, a number, true, false or
// null, followed by what may follow a value. A body that starts like JSON
// but is not a valid report document still makes a job, which fails to
// receive. It reads only what it peeks at.
func looksLikeJSON(body *bufio.Reader) error {
	notJSON := &Error{Code: 422, Message: "the request body is not JSON: send a report document"}
	for {
		b, err := body.ReadByte()
		if err == io.EOF {
			return &Error{Code: 422, Message: "the request body is empty: send a report document (JSON)"}
		}
		if err != nil {
			return err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case 0xEF: // a UTF-8 byte order mark
			return &Error{Code: 422, Message: "the request body is not JSON: it starts with a byte order mark"}
		}
		if err := body.UnreadByte(); err != nil {
			return err
		}
		switch b {
		case '{', '[', '"':
			return nil
		case 't', 'f', 'n':
			for _, lit := range []string{"true", "false", "null"} {
				if lit[0] != b {
					continue
				}
				p, err := body.Peek(len(lit) + 1)
				if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
					return err
				}
				if len(p) < len(lit) || string(p[:len(lit)]) != lit || len(p) > len(lit) && !endsToken(p[len(lit)]) {
					return notJSON
				}
				return nil
			}
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			p, err := body.Peek(64)
			if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
				return err
			}
			i := 0
			for i < len(p) && strings.IndexByte("-+.eE0123456789", p[i]) >= 0 {
				i++
			}
			if i == len(p) || endsToken(p[i]) {
				return nil // the decoder checks the number's grammar
			}
		}
		return notJSON
	}
}

// endsToken reports whether c may follow a JSON literal or number.
func endsToken(c byte) bool { return strings.IndexByte(" \t\r\n,]}:", c) >= 0 }

// receive streams body through the validator into the blob store and
// records the outcome in j with the transitions of package jobs.
func (s *Server) receive(ctx context.Context, j *jobs.Job, body io.Reader) (*jobs.Job, error) {
	bg := context.WithoutCancel(ctx)
	w, err := s.cfg.Blobs.Create(ctx, artifact.DocumentKey(j.RequestID))
	if err != nil {
		return nil, s.failReceive(bg, j, err, "the document could not be stored")
	}
	defer w.Abort()
	sink := &errWriter{w: w}
	tee := io.TeeReader(body, sink)
	verr := schema.Validate(tee)
	var ve *schema.ValidationError
	if verr == nil || errors.As(verr, &ve) {
		// Keep reading to the end: trailing whitespace, or the rest of an
		// invalid document, which is consumed so the client can read the
		// answer.
		if _, err = io.Copy(io.Discard, tee); err != nil {
			verr = err
		}
	}
	switch {
	case sink.err != nil:
		return nil, s.failReceive(bg, j, sink.err, "the document could not be stored")
	case ve != nil && verr == error(ve):
		return jobs.Reject(bg, s.cfg.Store, j.ID, ve.Violations, len(ve.Violations)+ve.More)
	case verr != nil:
		var mbe *http.MaxBytesError
		why := "the upload was interrupted"
		if errors.As(verr, &mbe) {
			why = fmt.Sprintf("the document is larger than the limit of %d bytes", mbe.Limit)
		} else if tooSlow(verr) {
			why = "the upload was slower than the server's minimum rate"
		}
		return nil, s.failReceive(bg, j, verr, why)
	}
	doc, err := w.Commit()
	if err != nil {
		return nil, s.failReceive(bg, j, err, "the document could not be stored")
	}
	return jobs.Receive(bg, s.cfg.Store, j.ID, doc)
}

// failReceive marks j failed to receive and returns err for the answer:
// the client's fault (413, 408, 400) or the server's (507, 500).
func (s *Server) failReceive(ctx context.Context, j *jobs.Job, err error, why string) error {
	if full(err) {
		why = "the server's storage is full"
	}
	if _, uerr := jobs.FailReceive(ctx, s.cfg.Store, j.ID, why); uerr != nil {
		s.log.Error("recording a failed upload", "job", j.ID, "error", uerr)
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), full(err):
		return err
	case tooSlow(err):
		return &Error{Code: http.StatusRequestTimeout, Message: why + ": " + err.Error()}
	case why == "the document could not be stored":
		return fmt.Errorf("storing the document of job %d: %w", j.ID, err)
	}
	s.log.Info("upload interrupted", "job", j.ID, "error", err)
	return &Error{Code: http.StatusBadRequest, Message: why}
}

// tooSlow reports a body cut for arriving too slowly (the read deadline of
// netlimit.MinRate, or of the http.Server).
func tooSlow(err error) bool {
	return errors.Is(err, netlimit.ErrTooSlow) || errors.Is(err, os.ErrDeadlineExceeded)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// perUser counts one kind of request in flight per user.
type perUser struct {
	mu    sync.Mutex
	n     map[string]int
	limit int
	what  string
}

// enter counts a request of user, or answers 429 when the user has limit
// in flight already. Call done when the request ends.
func (p *perUser) enter(user string, retry time.Duration) (done func(), err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n[user] >= p.limit {
		return nil, &Error{Code: http.StatusTooManyRequests, RetryAfter: retry,
			Message: fmt.Sprintf("too many %s at once: at most %d per user", p.what, p.limit)}
	}
	p.n[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.n[user]--; p.n[user] == 0 {
				delete(p.n, user)
			}
		})
	}, nil
}

// listJobs is GET /jobs.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request, u User) {
	q := r.URL.Query()
	var f jobs.Filter
	var bad []any
	fail := func(p, msg string) { bad = append(bad, ParamDetail{p, msg}) }
	intParam := func(name string, dst *int, lo, hi int) {
		if !q.Has(name) {
			return
		}
		n, err := strconv.Atoi(q.Get(name))
		switch {
		case err != nil:
			fail(name, "Must be a number")
		case n < lo || n > hi:
			fail(name, fmt.Sprintf("Must be between %d and %d", lo, hi))
		default:
			*dst = n
		}
	}
	intParam("page", &f.Page, 1, math.MaxInt32)
	intParam("per_page", &f.PerPage, 1, jobs.MaxPerPage)
	if q.Has("id") {
		id, err := strconv.ParseInt(q.Get("id"), 10, 64)
		if err != nil || id < 1 {
			fail("id", "Must be a number")
		} else {
			f.ID = id
		}
	}
	if q.Has("request_id") {
		id, ok := parseRequestID(q.Get("request_id"))
		if !ok {
			fail("request_id", "Must be a UUID")
		}
		f.RequestID = id
	}
	f.CreatedBy = q.Get("created_by")
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"created_time_from", &f.CreatedFrom}, {"created_time_to", &f.CreatedTo},
		{"updated_time_from", &f.UpdatedFrom}, {"updated_time_to", &f.UpdatedTo}} {
		if !q.Has(p.name) {
			continue
		}
		t, err := parseTime(q.Get(p.name))
		if err != nil {
			fail(p.name, "Must be an ISO 8601 time, e.g. 2016-05-30T05:13:26Z")
		}
		*p.dst = t
	}
	if len(bad) > 0 {
		s.writeError(w, r, &Error{Code: 422, Message: "invalid query parameters", Details: bad})
		return
	}
	if !u.Admin {
		if f.CreatedBy != "" && f.CreatedBy != u.Name {
			// Other users' jobs are not listed: the answer is an empty page.
			f.ID = -1
		}
		f.CreatedBy = u.Name
	}
	var p *jobs.Page
	var err error
	if f.ID == -1 {
		err = f.Normalize()
		p = &jobs.Page{Page: f.Page, PerPage: f.PerPage}
	} else {
		p, err = s.cfg.Store.List(r.Context(), f)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries := make([]Entry, 0, len(p.Entries))
	for _, j := range p.Entries {
		entries = append(entries, entry(j))
	}
	writeJSON(w, http.StatusOK, map[string]any{"page": p.Page, "per_page": p.PerPage,
		"total_pages": p.TotalPages, "total_entries": p.TotalEntries, "entries": entries})
}

// parseTime reads an ISO 8601 time: RFC 3339 with or without fractional
// seconds, a time without an offset (UTC), or a date (midnight UTC).
func parseTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 time: %q", v)
}

// parseRequestID returns the canonical (lowercase) form of a UUID given
// with or without braces.
func parseRequestID(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		v = v[1 : len(v)-1]
	}
	if len(v) != 36 {
		return "", false
	}
	for i := 0; i < 36; i++ {
		c := v[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "", false
			}
		} else if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	return strings.ToLower(v), true
}

// findJob resolves a job reference (numeric ID or request ID, with or
// without braces) and checks that u may see it. A malformed reference is
// reported as not found unless param names a query parameter (then 422).
func (s *Server) findJob(ctx context.Context, ref, param string, u User) (*jobs.Job, error) {
	var j *jobs.Job
	var err error
	trimmed := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(ref), "{"), "}")
	if id, perr := strconv.ParseInt(trimmed, 10, 64); perr == nil && id > 0 {
		j, err = s.cfg.Store.Get(ctx, id)
	} else if rid, ok := parseRequestID(ref); ok {
		j, err = s.cfg.Store.GetByRequestID(ctx, rid)
	} else if param != "" {
		msg := "Must be a job number or request ID"
		if ref == "" {
			msg = "Required"
		}
		return nil, &Error{Code: 422, Message: "invalid query parameters", Details: []any{ParamDetail{param, msg}}}
	} else {
		return nil, jobs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if !u.Admin && j.CreatedBy != u.Name {
		return nil, errForbidden
	}
	return j, nil
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request, u User) {
	j, err := s.findJob(r.Context(), r.PathValue("id"), "", u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, entry(j))
}

// cancelJob is DELETE /jobs/{id}: it answers 200 with the canceled job, or
// 409 for a job that finished otherwise.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request, u User) {
	j, err := s.findJob(r.Context(), r.PathValue("id"), "", u)
	if err == nil {
		j, err = jobs.Cancel(r.Context(), s.cfg.Store, j.ID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, entry(j))
}

// jobStatus is GET /icweb.dll/jobStatus?id=.
func (s *Server) jobStatus(w http.ResponseWriter, r *http.Request, u User) {
	j, err := s.findJob(r.Context(), r.URL.Query().Get("id"), "id", u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": j.ID, "percentComplete": int(math.Floor(j.PercentCompleted * 100)),
		"summary": j.Summary, "status": int(j.Status.ServerState())})
}

// jobContent is GET /icweb.dll/jobContent?id=[&format=] and GET
// /jobs/{id}/content.
func (s *Server) jobContent(w http.ResponseWriter, r *http.Request, u User) {
	ref, param := r.PathValue("id"), ""
	if r.URL.Path == "/icweb.dll/jobContent" {
		ref, param = r.URL.Query().Get("id"), "id"
	}
	j, err := s.findJob(r.Context(), ref, param, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := negotiate(s.cfg.Formats, r.URL.Query(), r.Header.Get("Accept"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case j.Status == jobs.StatusComplete && j.Document != nil:
	case j.Status == jobs.StatusComplete:
		s.writeError(w, r, errorf(http.StatusNotFound, "job %d has no content", j.ID))
		return
	case j.Status == jobs.StatusCanceled:
		s.writeError(w, r, errorf(http.StatusNotFound, "job %d was canceled: it has no content", j.ID))
		return
	case j.Status.Final():
		s.writeError(w, r, errorf(http.StatusNotFound, "job %d failed (%s): it has no content: %s", j.ID, j.Status, j.Summary))
		return
	default:
		s.writeError(w, r, &Error{Code: http.StatusConflict, RetryAfter: s.cfg.RetryAfter,
			Message: fmt.Sprintf("job %d is not finished yet (%s, %d%%)", j.ID, j.Status, int(j.PercentCompleted*100))})
		return
	}
	file, b, err := s.artifact(r.Context(), j, f, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer file.Close()
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Disposition", ContentDisposition("report"+f.Ext))
	h.Set("ETag", `"`+b.SHA256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-cache")
	http.ServeContent(w, r, "", file.ModTime(), file)
}

// artifact opens job j's artifact in format f, rendering and storing it
// first if it is not stored yet. Concurrent calls for the same job and
// format share one render, which takes a slot of the render pool (waiting
// at most QueueWait for one: 503), counts against the user's renders (429),
// and stops when every caller waiting for it has gone, unless it is nearly
// done. A format that can never be rendered is answered 422, from the
// job's record once known.
func (s *Server) artifact(ctx context.Context, j *jobs.Job, f render.Format, u User) (blob.File, jobs.Blob, error) {
	if b, ok := j.Artifacts[f.Name]; ok {
		file, err := s.cfg.Blobs.Open(ctx, b.Key)
		if err == nil {
			return file, b, nil
		}
		if !errors.Is(err, blob.ErrNotFound) {
			return nil, jobs.Blob{}, err
		}
		s.log.Warn("stored artifact missing: rendering it again", "job", j.ID, "format", f.Name)
	}
	if why, ok := j.Failures[f.Name]; ok {
		return nil, jobs.Blob{}, &jobs.FormatError{Format: f.Name, Reason: why}
	}
	// Starting a render counts against the user until it ends; joining
	// one that runs costs nothing more.
	start := func() (func(), error) { return s.renders.enter(u.Name, s.cfg.RetryAfter) }
	b, err := s.flight.do(ctx, fmt.Sprintf("%d/%s", j.ID, f.Name), start, func(rctx context.Context, progress func(float64)) (jobs.Blob, error) {
		return s.renderOnDemand(rctx, j.ID, f, j.Tries[f.Name] > 0, progress)
	})
	var e *Error
	switch {
	case errors.As(err, &e) && e.Code == http.StatusTooManyRequests:
		s.stats.Shed429.Add(1)
	case errors.Is(err, artifact.ErrBusy):
		s.stats.Shed503.Add(1)
	}
	if err != nil {
		return nil, jobs.Blob{}, err
	}
	file, err := s.cfg.Blobs.Open(ctx, b.Key)
	return file, b, err
}

// errAbandoned ends a render on download whose clients have all gone.
var errAbandoned = errors.New("server: every client waiting for the render has gone")

// renderOnDemand renders format f of job id for downloads. A suspect
// render (one whose try was counted before: the process may have died of
// it) takes every slot of the pool, so that if it kills the process again
// no other render is blamed for it.
func (s *Server) renderOnDemand(ctx context.Context, id int64, f render.Format, suspect bool, progress func(float64)) (jobs.Blob, error) {
	wctx, cancel := context.WithTimeoutCause(ctx, s.cfg.QueueWait, artifact.ErrBusy)
	acquire := s.cfg.Pool.Acquire
	if suspect {
		acquire = s.cfg.Pool.AcquireAll
	}
	release, err := acquire(wctx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return jobs.Blob{}, context.Cause(ctx)
		}
		return jobs.Blob{}, err
	}
	defer release()
	unlock, err := s.lockRender(ctx, id, f.Name)
	if err != nil {
		return jobs.Blob{}, err
	}
	defer unlock() // after the artifact is recorded: a server waiting reads it
	cur, err := s.cfg.Store.Get(ctx, id)
	if err != nil {
		return jobs.Blob{}, err
	}
	if b, ok := cur.Artifacts[f.Name]; ok && b.Key != "" {
		if file, err := s.cfg.Blobs.Open(ctx, b.Key); err == nil {
			file.Close()
			return b, nil
		}
	}
	bg := context.WithoutCancel(ctx)
	if _, err := jobs.BeginRender(ctx, s.cfg.Store, id, "", f.Name, s.cfg.MaxAttempts); err != nil {
		return jobs.Blob{}, err
	}
	start := time.Now()
	b, err := artifact.Render(ctx, s.cfg.Blobs, f, cur, progress)
	s.cfg.Pool.Observe(f.Name, time.Since(start), b.Size, err)
	var re *artifact.RenderError
	switch {
	case errors.As(err, &re) || errors.Is(err, context.DeadlineExceeded) && !errors.Is(context.Cause(ctx), errAbandoned):
		why := fmt.Sprintf("rendering took longer than the budget of %s", s.cfg.RenderTimeout)
		if re != nil {
			why = re.Err.Error()
		}
		if _, ferr := jobs.FailFormat(bg, s.cfg.Store, id, "", f.Name, why); ferr != nil {
			return jobs.Blob{}, ferr
		}
		s.log.Warn("render on download failed", "job", id, "format", f.Name, "why", why)
		return jobs.Blob{}, &jobs.FormatError{Format: f.Name, Reason: why}
	case err != nil:
		if _, eerr := jobs.EndRender(bg, s.cfg.Store, id, "", f.Name); eerr != nil {
			s.log.Warn("recording an interrupted render", "job", id, "error", eerr)
		}
		if errors.Is(context.Cause(ctx), errAbandoned) {
			s.stats.Abandoned.Add(1)
			s.log.Info("render on download stopped: every client left", "job", id, "format", f.Name)
		}
		return jobs.Blob{}, err
	}
	s.stats.Rendered.Add(1)
	s.log.Info("rendered on download", "job", id, "format", f.Name, "bytes", b.Size, "duration", time.Since(start))
	_, err = jobs.AddArtifact(bg, s.cfg.Store, id, "", f.Name, b)
	return b, err
}

// flights runs one function per key at a time; callers with the same key
// wait for the running one and share its result. The function's context
// ends at the render timeout, or when the last waiting caller has gone
// while its progress is below DefaultAbandonAfter.
type flights struct {
	mu      sync.Mutex
	m       map[string]*flight
	timeout time.Duration
}

type flight struct {
	done     chan struct{}
	b        jobs.Blob
	err      error
	waiters  int // guarded by flights.mu
	cancel   context.CancelCauseFunc
	progress atomic.Uint64 // math.Float64bits of the fraction done
}

// do runs fn for key, or waits for the run under way. start, called when
// a run begins, may refuse it; the function it returns is called when the
// run ends.
func (fs *flights) do(ctx context.Context, key string, start func() (func(), error), fn func(context.Context, func(float64)) (jobs.Blob, error)) (jobs.Blob, error) {
	fs.mu.Lock()
	f, ok := fs.m[key]
	if !ok {
		end, err := start()
		if err != nil {
			fs.mu.Unlock()
			return jobs.Blob{}, err
		}
		rctx, cancel := context.WithCancelCause(context.Background())
		f = &flight{done: make(chan struct{}), cancel: cancel}
		fs.m[key] = f
		go func() {
			defer func() {
				fs.mu.Lock()
				delete(fs.m, key)
				fs.mu.Unlock()
				cancel(nil)
				end()
				close(f.done)
			}()
			tctx, tcancel := context.WithTimeout(rctx, fs.timeout)
			defer tcancel()
			f.b, f.err = fn(tctx, func(p float64) { f.progress.Store(math.Float64bits(p)) })
		}()
	}
	f.waiters++
	fs.mu.Unlock()
	select {
	case <-f.done:
		return f.b, f.err
	case <-ctx.Done():
		fs.mu.Lock()
		f.waiters--
		if f.waiters == 0 && math.Float64frombits(f.progress.Load()) < DefaultAbandonAfter {
			f.cancel(errAbandoned)
		}
		fs.mu.Unlock()
		return jobs.Blob{}, ctx.Err()
	}
}
