package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A Client talks to one folio server with one bearer token. The zero value
// is not usable: call [New]. A Client is safe for concurrent use.
type Client struct {
	base    *url.URL
	token   string
	hc      *http.Client
	pollMin time.Duration
	pollMax time.Duration
	retries int
	sleep   func(ctx context.Context, d time.Duration) error // tests make time pass faster
}

// An Option configures a Client in [New].
type Option func(*Client)

// WithHTTPClient makes the Client send its requests with hc instead of
// http.DefaultClient (timeouts, proxies, TLS, instrumentation). Keep
// hc.Timeout zero or long: it bounds whole downloads; use the contexts of
// the calls for deadlines.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithPollInterval sets the backoff of [Client.Wait]: the first pause
// between two polls of jobStatus is first, each later one doubles, up to
// max; each pause is drawn between half of it and all of it (jitter).
// The defaults are 250ms and 5s.
func WithPollInterval(first, max time.Duration) Option {
	return func(c *Client) {
		if first > 0 {
			c.pollMin = first
		}
		if max >= c.pollMin {
			c.pollMax = max
		}
	}
}

// WithRetries sets how many times in a row a call retries after a failure
// that can pass: a lost connection, or an answer 429, 502, 503 or 504
// during [Client.Wait]; a dropped download in [Client.Download]; a lost
// answer to [Client.Post] with a request ID. A retry that makes progress
// starts the count again. The default is 5; 0 turns retries off.
func WithRetries(n int) Option {
	return func(c *Client) {
		if n >= 0 {
			c.retries = n
		}
	}
}

// New returns a Client of the server at baseURL (e.g.
// "http://localhost:8080", or a prefix where the API is mounted) that
// authenticates with token. It fails if baseURL is not an absolute http
// or https URL.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q is not an absolute http or https URL", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	c := &Client{base: u, token: token, hc: http.DefaultClient, pollMin: 250 * time.Millisecond,
		pollMax: 5 * time.Second, retries: 5, sleep: sleep}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Status is where a job is in its life, the status of a [Job].
type Status string

// The statuses of a job. StatusFailToReceive, StatusFailToProcess,
// StatusCanceled and StatusComplete are final.
const (
	StatusRequestReceived Status = "request_received"
	StatusFailToReceive   Status = "fail_to_receive"
	StatusReadyToProcess  Status = "ready_to_process"
	StatusProcessing      Status = "processing"
	StatusFailToProcess   Status = "fail_to_process"
	StatusCanceled        Status = "canceled"
	StatusComplete        Status = "complete"
)

// Final reports whether a job in status s will not change any more.
func (s Status) Final() bool {
	switch s {
	case StatusFailToReceive, StatusFailToProcess, StatusCanceled, StatusComplete:
		return true
	}
	return false
}

// A Job is a job entry of the API.
type Job struct {
	ID        int64  `json:"id"`
	RequestID string `json:"request_id"` // a UUID
	Entity    string `json:"entity"`     // "report"
	Status    Status `json:"status"`
	// PercentCompleted goes from 0 to 1 as the formats asked for are
	// rendered.
	PercentCompleted float64   `json:"percent_completed"`
	Operation        string    `json:"operation"` // "render"
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	CreatedBy        string    `json:"created_by"`
	// ErrorCount counts the document's violations; Details holds the
	// first 100.
	ErrorCount int      `json:"error_count"`
	Result     string   `json:"result"`  // "Success", "Failure" or "Pending"
	Summary    string   `json:"summary"` // a sentence about the job's state
	Details    []Detail `json:"details"`
	Formats    []string `json:"formats"` // the formats asked for ahead of download
}

// A Detail is one item of an error's details or a job's violations:
// a query parameter that failed validation (Parameter) or a problem in a
// document at a JSON Pointer (Pointer; "" is the whole document).
type Detail struct {
	Parameter string `json:"parameter,omitempty"`
	Pointer   string `json:"pointer,omitempty"`
	Message   string `json:"message"`
}

// ServerState is the numeric status of the jobStatus API.
type ServerState int

// The jobStatus states. folio reports 1, 3, 4 and 5: a canceled job is 5,
// like a failed one.
const (
	StateWaitingToStart ServerState = 1
	StateStarting       ServerState = 2
	StateRunning        ServerState = 3
	StateCompleted      ServerState = 4
	StateFailed         ServerState = 5
	StatePaused         ServerState = 6
)

// String returns the state's name in the jobStatus API: "Waiting to
// Start", "Running", "Completed" ….
func (s ServerState) String() string {
	switch s {
	case StateWaitingToStart:
		return "Waiting to Start"
	case StateStarting:
		return "Starting"
	case StateRunning:
		return "Running"
	case StateCompleted:
		return "Completed"
	case StateFailed:
		return "Failed"
	case StatePaused:
		return "Paused"
	}
	return "ServerState(" + strconv.Itoa(int(s)) + ")"
}

// A ServerJob is the answer of jobStatus.
type ServerJob struct {
	ID              int64       `json:"id"`
	PercentComplete int         `json:"percentComplete"` // 0 to 100
	Summary         string      `json:"summary"`
	Status          ServerState `json:"status"`
}

// An Error is an answer of the server that is not a success: its HTTP
// status, and the contract's error body when it has one (Code, Message,
// Details; Code is 0 and Message the start of the body otherwise).
// RetryAfter is the server's Retry-After, 0 without one.
type Error struct {
	Status     int
	Code       int
	Message    string
	Details    []Detail
	RetryAfter time.Duration
}

// Error returns the status, the message, the first details and the
// Retry-After, e.g. "folio: 422 Unprocessable Entity: invalid query
// parameters; per_page: Must be between 1 and 1000".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "folio: %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for i, d := range e.Details {
		if i == 3 {
			fmt.Fprintf(&b, " (and %d more)", len(e.Details)-3)
			break
		}
		where := d.Parameter
		if where == "" {
			where = d.Pointer
		}
		fmt.Fprintf(&b, "; %s: %s", where, d.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// A JobError is what [Client.Wait] returns for a job that ended without
// content: its document failed to receive (Job.Details has the
// violations), its rendering failed, or it was canceled.
type JobError struct {
	Job *Job
}

// Error says how the job ended and why (its summary).
func (e *JobError) Error() string {
	return fmt.Sprintf("folio: job %d ended %s: %s", e.Job.ID, e.Job.Status, e.Job.Summary)
}

// NewRequestID returns a random UUID (version 4) for [SubmitOptions].
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// SubmitOptions are the options of [Client.Post].
type SubmitOptions struct {
	// Formats are rendered ahead of download; without any, the job is
	// complete at once and formats are rendered on download.
	Formats []string
	// RequestID names the job (a UUID, see NewRequestID) so that posting
	// it again cannot make it twice: the server refuses a second job with
	// the same request ID, and Post then returns the job that has it.
	// With a RequestID and a doc that is an io.Seeker (a *bytes.Reader,
	// *strings.Reader, *os.File …), Post also retries by itself when the
	// answer is lost (the connection drops): the job is made once.
	RequestID string
}

// Submit posts doc, a report document (JSON), as a job, asking for formats
// to be rendered ahead of download. It returns the job as received: a
// document that is not valid still makes a job, with status
// StatusFailToReceive and its violations in Details (Wait returns a
// *JobError for it); a body that is not JSON at all is an *Error 422.
func (c *Client) Submit(ctx context.Context, doc io.Reader, formats ...string) (*Job, error) {
	return c.Post(ctx, doc, SubmitOptions{Formats: formats})
}

// Post is Submit with options: a request ID for retries that cannot make
// the job twice.
func (c *Client) Post(ctx context.Context, doc io.Reader, opts SubmitOptions) (*Job, error) {
	q := url.Values{}
	if len(opts.Formats) > 0 {
		q.Set("formats", strings.Join(opts.Formats, ","))
	}
	if opts.RequestID != "" {
		q.Set("request_id", opts.RequestID)
	}
	seeker, canRetry := doc.(io.Seeker)
	canRetry = canRetry && opts.RequestID != ""
	var start int64
	if canRetry {
		var err error
		if start, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			canRetry = false
		}
	}
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if _, err := seeker.Seek(start, io.SeekStart); err != nil {
				return nil, fmt.Errorf("client: rewinding the document to post it again: %w", err)
			}
		}
		req, err := c.request(ctx, http.MethodPost, "/jobs", q, doc)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		var j Job
		err = c.do(req, http.StatusAccepted, &j)
		var e *Error
		switch {
		case err == nil:
			return &j, nil
		case errors.As(err, &e) && e.Status == http.StatusConflict && opts.RequestID != "":
			// A job has this request ID already: ours, posted before.
			return c.JobByRequestID(ctx, opts.RequestID)
		case canRetry && e == nil && ctx.Err() == nil && attempt < c.retries:
			if err := c.sleep(ctx, c.backoff(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		return nil, err
	}
}

// Status returns the server job of jobStatus for job id: its state as a
// number and its percentage.
func (c *Client) Status(ctx context.Context, id int64) (*ServerJob, error) {
	req, err := c.request(ctx, http.MethodGet, "/icweb.dll/jobStatus", url.Values{"id": {strconv.FormatInt(id, 10)}}, nil)
	if err != nil {
		return nil, err
	}
	var sj ServerJob
	if err := c.do(req, http.StatusOK, &sj); err != nil {
		return nil, err
	}
	return &sj, nil
}

// Job returns the job entry of job id.
func (c *Client) Job(ctx context.Context, id int64) (*Job, error) {
	return c.job(ctx, strconv.FormatInt(id, 10))
}

// JobByRequestID returns the job entry of the job with that request ID.
func (c *Client) JobByRequestID(ctx context.Context, requestID string) (*Job, error) {
	return c.job(ctx, requestID)
}

func (c *Client) job(ctx context.Context, ref string) (*Job, error) {
	if ref == "" || strings.ContainsAny(ref, "/?#") {
		return nil, fmt.Errorf("client: %q is not a job's id or request ID", ref)
	}
	req, err := c.request(ctx, http.MethodGet, "/jobs/"+ref, nil, nil)
	if err != nil {
		return nil, err
	}
	var j Job
	if err := c.do(req, http.StatusOK, &j); err != nil {
		return nil, err
	}
	return &j, nil
}

// Cancel cancels job id and returns it, canceled. Canceling a canceled job
// again succeeds; a job that already completed or failed is an *Error 409.
func (c *Client) Cancel(ctx context.Context, id int64) (*Job, error) {
	req, err := c.request(ctx, http.MethodDelete, "/jobs/"+strconv.FormatInt(id, 10), nil, nil)
	if err != nil {
		return nil, err
	}
	var j Job
	if err := c.do(req, http.StatusOK, &j); err != nil {
		return nil, err
	}
	return &j, nil
}

// A Filter selects jobs for [Client.List]; its zero value selects all the
// jobs the token may see (a user's own; an administrator's, everyone's),
// the first page of 50.
type Filter struct {
	Page    int // from 1; 0 means 1
	PerPage int // 1 to 1000; 0 means 50
	ID      int64
	// RequestID and CreatedBy select by equality when not empty.
	RequestID string
	CreatedBy string
	// Times bound created_at and updated_at, inclusive, when not zero.
	CreatedFrom, CreatedTo time.Time
	UpdatedFrom, UpdatedTo time.Time
}

// A Page is one page of the list of jobs, by ascending id.
type Page struct {
	Page         int   `json:"page"`
	PerPage      int   `json:"per_page"`
	TotalPages   int   `json:"total_pages"`
	TotalEntries int   `json:"total_entries"`
	Entries      []Job `json:"entries"`
}

func (f Filter) query() url.Values {
	q := url.Values{}
	if f.Page != 0 {
		q.Set("page", strconv.Itoa(f.Page))
	}
	if f.PerPage != 0 {
		q.Set("per_page", strconv.Itoa(f.PerPage))
	}
	if f.ID != 0 {
		q.Set("id", strconv.FormatInt(f.ID, 10))
	}
	if f.RequestID != "" {
		q.Set("request_id", f.RequestID)
	}
	if f.CreatedBy != "" {
		q.Set("created_by", f.CreatedBy)
	}
	for name, t := range map[string]time.Time{"created_time_from": f.CreatedFrom, "created_time_to": f.CreatedTo,
		"updated_time_from": f.UpdatedFrom, "updated_time_to": f.UpdatedTo} {
		if !t.IsZero() {
			q.Set(name, t.UTC().Format(time.RFC3339Nano))
		}
	}
	return q
}

// List returns the page of jobs f selects. A bad filter (a page size over
// 1000) is an *Error 422 whose Details name the parameters.
func (c *Client) List(ctx context.Context, f Filter) (*Page, error) {
	req, err := c.request(ctx, http.MethodGet, "/jobs", f.query(), nil)
	if err != nil {
		return nil, err
	}
	var p Page
	if err := c.do(req, http.StatusOK, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// All returns the jobs f selects, from f.Page (or the first) to the last
// page, fetching each page as the loop reaches it. An error ends the
// sequence after it is yielded. Jobs are listed by ascending id, so jobs
// created meanwhile come at the end and none is seen twice.
func (c *Client) All(ctx context.Context, f Filter) iter.Seq2[*Job, error] {
	return func(yield func(*Job, error) bool) {
		if f.Page == 0 {
			f.Page = 1
		}
		for {
			p, err := c.List(ctx, f)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range p.Entries {
				if !yield(&p.Entries[i], nil) {
					return
				}
			}
			if len(p.Entries) == 0 || p.Page >= p.TotalPages {
				return
			}
			f.Page = p.Page + 1
		}
	}
}

// request makes a request of the API at path (not escaped) with query q.
// A *bytes.Reader or *strings.Reader body is sent with its length.
func (c *Client) request(ctx context.Context, method, path string, q url.Values, body io.Reader) (*http.Request, error) {
	u := *c.base
	u.Path += path
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// do sends req and decodes the JSON answer into v if its status is want;
// another status is an *Error.
func (c *Client) do(req *http.Request, want int, v any) error {
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		return responseError(res)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		return fmt.Errorf("client: %s %s: reading the answer: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// responseError reads the *Error of a response that is not a success.
func responseError(res *http.Response) *Error {
	e := &Error{Status: res.StatusCode, RetryAfter: retryAfter(res.Header.Get("Retry-After"), time.Now())}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	var body struct {
		Error *struct {
			Code    int      `json:"code"`
			Message string   `json:"message"`
			Details []Detail `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &body) == nil && body.Error != nil {
		e.Code, e.Message, e.Details = body.Error.Code, body.Error.Message, body.Error.Details
		return e
	}
	msg := strings.TrimSpace(string(bytes.ToValidUTF8(b, []byte("\uFFFD"))))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	e.Message = msg
	return e
}

// retryAfter reads a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(min(n, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
