package client_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/client"
	"github.com/foliorender/folio/internal/apicheck"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/runner"
	"github.com/foliorender/folio/server"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

const tokens = "alice-token=alice\nbob-token=bob\nroot-token=root:admin\n"

// TestMain runs the tests, then says how many of the server's responses
// were validated against the OpenAPI document.
func TestMain(m *testing.M) {
	code := m.Run()
	if c, err := apicheck.Shared(); err == nil {
		fmt.Printf("openapi: %d responses of the server validated against server/openapi.json\n", c.Validated.Load())
	}
	os.Exit(code)
}

// folio is a real folio server in the test process: the handler of
// `folio serve` over SQLite and a blob directory, with the background
// renderer if asked for. Every response it writes is validated against
// the OpenAPI document.
type folio struct {
	url     string
	handler http.Handler
	store   *sqlite.Store
}

func startFolio(t *testing.T, cfg server.Config, withRunner bool) *folio {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bl, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := server.ParseTokens(strings.NewReader(tokens))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Store, cfg.Blobs, cfg.Auth, cfg.Logger = st, bl, auth, quiet
	if withRunner {
		r, err := runner.New(context.Background(), runner.Config[*sql.Tx]{Store: st, Driver: riversqlite.New(st.DB()),
			Blobs: bl, Exclusive: true, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			r.Stop(ctx)
		})
		cfg.Pool = r.Pool()
	}
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	chk, err := apicheck.Shared()
	if err != nil {
		t.Fatal(err)
	}
	f := &folio{handler: chk.Handler(h, func(p string) { t.Error(p) }), store: st}
	ts := httptest.NewServer(f.handler)
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

func newClient(t *testing.T, url, token string, opts ...client.Option) *client.Client {
	t.Helper()
	opts = append([]client.Option{client.WithPollInterval(10*time.Millisecond, 100*time.Millisecond)}, opts...)
	c, err := client.New(url, token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func seed(t *testing.T) []byte {
	b, err := os.ReadFile("../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bigDoc is a valid document of n rows.
func bigDoc(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"elements": [{"type": "table", "caption": "Big", "data": {"columns": [{"caption": "N"}, {"caption": "Text"}], "rows": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"cells": [{"value": %d}, {"value": "row %d of the big table, ünïcödé"}]}`, i, i)
	}
	b.WriteString(`]}}]}`)
	return b.Bytes()
}

// get fetches path from the server directly, as the reference.
func get(t *testing.T, url, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %d, %v", url, res.StatusCode, err)
	}
	return b
}

func TestSubmitWaitDownload(t *testing.T) {
	f := startFolio(t, server.Config{}, true)
	c := newClient(t, f.url, "alice-token")
	ctx := context.Background()
	job, err := c.Submit(ctx, bytes.NewReader(bigDoc(500)), "csv", "xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if job.ID < 1 || job.Status != client.StatusReadyToProcess || job.CreatedBy != "alice" || len(job.RequestID) != 36 ||
		strings.Join(job.Formats, ",") != "csv,xlsx" || job.CreatedAt.IsZero() {
		t.Errorf("submitted: %+v", job)
	}
	done, err := c.Wait(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != client.StatusComplete || done.Result != "Success" || done.PercentCompleted != 1 {
		t.Errorf("after Wait: %+v", done)
	}
	st, err := c.Status(ctx, job.ID)
	if err != nil || st.Status != client.StateCompleted || st.PercentComplete != 100 || st.Status.String() != "Completed" {
		t.Errorf("Status: %+v, %v", st, err)
	}
	for _, format := range []string{"csv", "xlsx", "md", ""} {
		var buf bytes.Buffer
		n, err := c.Download(ctx, job.ID, format, &buf)
		path := fmt.Sprintf("%s/jobs/%d/content", f.url, job.ID)
		if format != "" {
			path += "?format=" + format
		}
		want := get(t, path, "alice-token")
		if err != nil || n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("Download %q: %d bytes, %v; want the %d bytes the server serves", format, n, err, len(want))
		}
	}
	got, err := c.Job(ctx, job.ID)
	if err != nil || got.ID != job.ID || got.RequestID != job.RequestID || got.Status != client.StatusComplete {
		t.Errorf("Job: %+v, %v", got, err)
	}
	if got, err := c.JobByRequestID(ctx, "{"+strings.ToUpper(job.RequestID)+"}"); err != nil || got.ID != job.ID {
		t.Errorf("JobByRequestID: %+v, %v", got, err)
	}
}

// cutter is a proxy in front of a folio server that cuts the connection
// of the first answer it relays to a content request after limit bytes
// of the body; it passes everything else through, and keeps the Range and
// If-Range of each content request.
type cutter struct {
	backend string
	limit   int64
	cut     atomic.Bool
	mu      sync.Mutex
	ranges  [][2]string
	// change, if set, rewrites the ETag of answers after the cut.
	change bool
}

func (p *cutter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.backend+r.URL.RequestURI(), r.Body)
	req.Header = r.Header.Clone()
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	content := strings.HasSuffix(r.URL.Path, "/content")
	if content {
		p.mu.Lock()
		p.ranges = append(p.ranges, [2]string{r.Header.Get("Range"), r.Header.Get("If-Range")})
		p.mu.Unlock()
	}
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	if p.change && p.cut.Load() && content {
		w.Header().Set("ETag", `"`+strings.Repeat("0", 64)+`"`)
	}
	w.WriteHeader(res.StatusCode)
	if content && res.StatusCode == 200 && p.cut.CompareAndSwap(false, true) {
		io.CopyN(w, res.Body, p.limit)
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-body
	}
	io.Copy(w, res.Body)
}

func TestDownloadResumes(t *testing.T) {
	f := startFolio(t, server.Config{}, false)
	ctx := context.Background()
	direct := newClient(t, f.url, "alice-token")
	job, err := direct.Submit(ctx, bytes.NewReader(bigDoc(3000)))
	if err != nil {
		t.Fatal(err)
	}
	want := get(t, fmt.Sprintf("%s/jobs/%d/content?format=csv", f.url, job.ID), "alice-token")
	etag := ""
	{
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/jobs/%d/content?format=csv", f.url, job.ID), nil)
		req.Header.Set("Authorization", "Bearer alice-token")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		etag = res.Header.Get("ETag")
	}
	const limit = 10007
	if len(want) < 5*limit {
		t.Fatalf("the content is only %d bytes", len(want))
	}

	p := &cutter{backend: f.url, limit: limit}
	proxy := httptest.NewServer(p)
	defer proxy.Close()
	var buf bytes.Buffer
	n, err := newClient(t, proxy.URL, "alice-token").Download(ctx, job.ID, "csv", &buf)
	if err != nil {
		t.Fatalf("Download through a connection cut at byte %d: %v", limit, err)
	}
	if !p.cut.Load() {
		t.Fatal("the proxy did not cut the connection")
	}
	if n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("resumed download: %d bytes, differs from the %d bytes of the content", n, len(want))
	}
	wantRanges := [][2]string{{"", ""}, {fmt.Sprintf("bytes=%d-", limit), etag}}
	if fmt.Sprint(p.ranges) != fmt.Sprint(wantRanges) {
		t.Errorf("requests' Range and If-Range: %q, want %q", p.ranges, wantRanges)
	}

	// If the content changed in between, nothing of the new one is
	// written: w has exactly the bytes before the cut.
	p = &cutter{backend: f.url, limit: limit, change: true}
	proxy2 := httptest.NewServer(p)
	defer proxy2.Close()
	buf.Reset()
	n, err = newClient(t, proxy2.URL, "alice-token").Download(ctx, job.ID, "csv", &buf)
	if !errors.Is(err, client.ErrContentChanged) || n != limit || !bytes.Equal(buf.Bytes(), want[:limit]) {
		t.Errorf("changed content: %d bytes, %v; want %d bytes and ErrContentChanged", n, err, limit)
	}

	// Without retries, the cut is the error.
	p = &cutter{backend: f.url, limit: limit}
	proxy3 := httptest.NewServer(p)
	defer proxy3.Close()
	buf.Reset()
	n, err = newClient(t, proxy3.URL, "alice-token", client.WithRetries(0)).Download(ctx, job.ID, "csv", &buf)
	if err == nil || n != limit {
		t.Errorf("no retries: %d bytes, %v; want %d and an error", n, err, limit)
	}
}

// failingWriter fails after n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestDownloadWriterFails(t *testing.T) {
	f := startFolio(t, server.Config{}, false)
	c := newClient(t, f.url, "alice-token")
	ctx := context.Background()
	job, err := c.Submit(ctx, bytes.NewReader(bigDoc(3000)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.Download(ctx, job.ID, "csv", &failingWriter{n: 5000})
	if err == nil || err.Error() != "disk full" || n != 5000 {
		t.Errorf("a failing writer: %d, %v", n, err)
	}
}

func TestWaitHonoursRetryAfter(t *testing.T) {
	f := startFolio(t, server.Config{}, true)
	var mu sync.Mutex
	var polls []time.Time
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/icweb.dll/jobStatus" {
			mu.Lock()
			polls = append(polls, time.Now())
			first := len(polls) == 1
			mu.Unlock()
			if first {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"error":{"code":503,"message":"every renderer is busy; try again later","details":[]}}`)
				return
			}
		}
		f.handler.ServeHTTP(w, r)
	}))
	defer front.Close()
	c := newClient(t, front.URL, "alice-token")
	ctx := context.Background()
	job, err := c.Submit(ctx, bytes.NewReader(seed(t)), "csv")
	if err != nil {
		t.Fatal(err)
	}
	done, err := c.Wait(ctx, job.ID)
	if err != nil || done.Status != client.StatusComplete {
		t.Fatalf("Wait: %+v, %v", done, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(polls) < 2 {
		t.Fatalf("%d polls", len(polls))
	}
	if gap := polls[1].Sub(polls[0]); gap < time.Second {
		t.Errorf("the poll after a 503 with Retry-After: 1 came after %s", gap)
	}
	for i := 2; i < len(polls); i++ {
		if gap := polls[i].Sub(polls[i-1]); gap >= time.Second {
			t.Errorf("poll %d came %s after the one before: the backoff is 10ms to 100ms", i, gap)
		}
	}
}

func TestWaitRetriesLostConnections(t *testing.T) {
	f := startFolio(t, server.Config{}, false)
	var polls atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/icweb.dll/jobStatus" && polls.Add(1) <= 2 {
			panic(http.ErrAbortHandler) // the connection drops twice
		}
		f.handler.ServeHTTP(w, r)
	}))
	defer front.Close()
	ctx := context.Background()
	// A connection is never reused, so net/http does not retry a GET by
	// itself: each drop reaches the client.
	hc := client.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
	c := newClient(t, front.URL, "alice-token", hc)
	job, err := c.Submit(ctx, bytes.NewReader(seed(t)))
	if err != nil {
		t.Fatal(err)
	}
	if done, err := c.Wait(ctx, job.ID); err != nil || done.Status != client.StatusComplete || polls.Load() != 3 {
		t.Errorf("Wait through two lost connections: %v after %d polls", err, polls.Load())
	}
	polls.Store(0)
	if _, err := newClient(t, front.URL, "alice-token", hc, client.WithRetries(1)).Wait(ctx, job.ID); err == nil || polls.Load() != 2 {
		t.Errorf("Wait with one retry through two lost connections: %v after %d polls", err, polls.Load())
	}
}

func TestWaitStopsOnContext(t *testing.T) {
	f := startFolio(t, server.Config{}, false) // no runner: a job with formats stays ready_to_process
	c := newClient(t, f.url, "alice-token")
	job, err := c.Submit(context.Background(), bytes.NewReader(seed(t)), "csv")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Wait(ctx, job.ID); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("Wait on a job that does not move: %v after %s", err, time.Since(start))
	}
}

func TestWaitJobError(t *testing.T) {
	f := startFolio(t, server.Config{}, false)
	c := newClient(t, f.url, "alice-token")
	ctx := context.Background()
	bad := `{"elements": [{"type": "table", "data": {"columns": [{"caption": "A"}], "rows": [{"cells": []}]}}]}`
	job, err := c.Submit(ctx, strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Wait(ctx, job.ID)
	var je *client.JobError
	if !errors.As(err, &je) || je.Job.Status != client.StatusFailToReceive || got != je.Job {
		t.Fatalf("Wait on an invalid document: %v", err)
	}
	if len(je.Job.Details) != 1 || je.Job.Details[0].Pointer != "/elements/0/data/rows/0/cells" || je.Job.ErrorCount != 1 {
		t.Errorf("violations: %+v (%d)", je.Job.Details, je.Job.ErrorCount)
	}

	job, err = c.Submit(ctx, bytes.NewReader(seed(t)), "csv")
	if err != nil {
		t.Fatal(err)
	}
	canceled, err := c.Cancel(ctx, job.ID)
	if err != nil || canceled.Status != client.StatusCanceled {
		t.Fatalf("Cancel: %+v, %v", canceled, err)
	}
	if _, err := c.Wait(ctx, job.ID); !errors.As(err, &je) || je.Job.Status != client.StatusCanceled {
		t.Errorf("Wait on a canceled job: %v", err)
	}
}

func TestTypedErrors(t *testing.T) {
	f := startFolio(t, server.Config{UserUploads: 1}, false)
	ctx := context.Background()
	c := newClient(t, f.url, "alice-token")
	job, err := c.Submit(ctx, bytes.NewReader(seed(t)))
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := c.Submit(ctx, bytes.NewReader(seed(t)), "csv")
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, err error, status int, param string, retry time.Duration) {
		t.Helper()
		var e *client.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %v, want a *client.Error", name, err)
			return
		}
		if e.Status != status || e.Code != status || e.Message == "" || e.RetryAfter != retry {
			t.Errorf("%s: %+v, want status and code %d, a message, Retry-After %s", name, e, status, retry)
		}
		if param != "" && (len(e.Details) != 1 || e.Details[0].Parameter != param || e.Details[0].Message == "") {
			t.Errorf("%s: details %+v, want the parameter %s", name, e.Details, param)
		}
		if !strings.Contains(e.Error(), fmt.Sprint(status)) {
			t.Errorf("%s: Error() = %q", name, e.Error())
		}
	}
	_, err = newClient(t, f.url, "wrong-token").List(ctx, client.Filter{})
	check("a wrong token", err, 401, "", 0)
	_, err = c.Job(ctx, 999)
	check("an unknown job", err, 404, "", 0)
	_, err = newClient(t, f.url, "bob-token").Job(ctx, job.ID)
	check("another user's job", err, 403, "", 0)
	_, err = c.Download(ctx, job.ID, "docx", io.Discard)
	check("an unknown format", err, 422, "format", 0)
	_, err = c.List(ctx, client.Filter{PerPage: 5000})
	check("a page of 5000", err, 422, "per_page", 0)
	_, err = c.Submit(ctx, strings.NewReader("hello"))
	check("a body that is not JSON", err, 422, "", 0)
	_, err = c.Download(ctx, waiting.ID, "csv", io.Discard)
	check("a job not finished", err, 409, "", 2*time.Second)

	// An upload held open: a second one of the same user is 429.
	pr, pw := io.Pipe()
	held := make(chan error, 1)
	go func() {
		_, err := c.Submit(ctx, pr)
		held <- err
	}()
	doc := seed(t)
	pw.Write(doc[:10])
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		// The server has the held upload once its job is being received.
		p, err := f.store.List(ctx, jobs.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Entries[len(p.Entries)-1].Status == jobs.StatusRequestReceived {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the held upload did not reach the server")
		}
	}
	_, err = c.Submit(ctx, bytes.NewReader(doc))
	check("a second upload at once", err, 429, "", 2*time.Second)
	pw.Write(doc[10:])
	pw.Close()
	if err := <-held; err != nil {
		t.Errorf("the held upload: %v", err)
	}
}

func TestList(t *testing.T) {
	f := startFolio(t, server.Config{}, false)
	ctx := context.Background()
	alice, bob := newClient(t, f.url, "alice-token"), newClient(t, f.url, "bob-token")
	var ids []int64
	for i := range 5 {
		c := alice
		if i%2 == 1 {
			c = bob
		}
		j, err := c.Submit(ctx, bytes.NewReader(seed(t)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
		time.Sleep(5 * time.Millisecond)
	}
	p, err := alice.List(ctx, client.Filter{PerPage: 2})
	if err != nil || p.Page != 1 || p.PerPage != 2 || p.TotalEntries != 3 || p.TotalPages != 2 || len(p.Entries) != 2 ||
		p.Entries[0].ID != ids[0] || p.Entries[1].ID != ids[2] {
		t.Errorf("alice's first page: %+v, %v", p, err)
	}
	root := newClient(t, f.url, "root-token")
	var all []int64
	for j, err := range root.All(ctx, client.Filter{PerPage: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, j.ID)
	}
	if fmt.Sprint(all) != fmt.Sprint(ids) {
		t.Errorf("All: %v, want %v", all, ids)
	}
	first, _ := root.Job(ctx, ids[1])
	for _, tc := range []struct {
		f    client.Filter
		want []int64
	}{
		{client.Filter{CreatedBy: "bob"}, []int64{ids[1], ids[3]}},
		{client.Filter{ID: ids[2]}, []int64{ids[2]}},
		{client.Filter{RequestID: first.RequestID}, []int64{ids[1]}},
		{client.Filter{CreatedFrom: first.CreatedAt}, ids[1:]},
		{client.Filter{CreatedTo: first.CreatedAt}, ids[:2]},
		{client.Filter{UpdatedFrom: first.UpdatedAt, UpdatedTo: first.UpdatedAt}, []int64{ids[1]}},
		{client.Filter{Page: 2, PerPage: 3}, ids[3:]},
	} {
		var got []int64
		for j, err := range root.All(ctx, tc.f) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, j.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%+v: %v, want %v", tc.f, got, tc.want)
		}
	}
	// Breaking out of All stops it.
	n := 0
	for range root.All(ctx, client.Filter{PerPage: 1}) {
		if n++; n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("break after 2: %d", n)
	}
}

// loser is a proxy that relays the first POST to the server, then drops
// the connection instead of the answer.
type loser struct {
	backend string
	posts   atomic.Int64
}

func (p *loser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.backend+r.URL.RequestURI(), r.Body)
	req.Header = r.Header.Clone()
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	if r.Method == "POST" && p.posts.Add(1) == 1 {
		io.Copy(io.Discard, res.Body)
		panic(http.ErrAbortHandler) // the job is made; its answer is lost
	}
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	io.Copy(w, res.Body)
}

func TestPostRequestID(t *testing.T) {
	f := startFolio(t, server.Config{}, false)
	ctx := context.Background()
	p := &loser{backend: f.url}
	proxy := httptest.NewServer(p)
	defer proxy.Close()
	c := newClient(t, proxy.URL, "alice-token")
	rid := client.NewRequestID()
	job, err := c.Post(ctx, bytes.NewReader(seed(t)), client.SubmitOptions{RequestID: rid, Formats: []string{"csv"}})
	if err != nil {
		t.Fatalf("Post whose first answer was lost: %v", err)
	}
	if job.RequestID != rid || p.posts.Load() != 2 {
		t.Errorf("job %+v after %d posts, want request ID %s after 2", job, p.posts.Load(), rid)
	}
	page, err := f.store.List(ctx, jobs.Filter{})
	if err != nil || page.TotalEntries != 1 || page.Entries[0].ID != job.ID {
		t.Errorf("jobs on the server: %+v, %v; want one", page, err)
	}
	// Posting it again returns the same job.
	again, err := newClient(t, f.url, "alice-token").Post(ctx, bytes.NewReader(seed(t)), client.SubmitOptions{RequestID: rid})
	if err != nil || again.ID != job.ID {
		t.Errorf("the same request ID again: %+v, %v", again, err)
	}
	// Without a request ID nothing is retried: the lost answer is the error.
	p2 := &loser{backend: f.url}
	proxy2 := httptest.NewServer(p2)
	defer proxy2.Close()
	if _, err := newClient(t, proxy2.URL, "alice-token").Submit(ctx, bytes.NewReader(seed(t))); err == nil || p2.posts.Load() != 1 {
		t.Errorf("a lost answer without a request ID: %v after %d posts", err, p2.posts.Load())
	}
	if id := client.NewRequestID(); len(id) != 36 || id[14] != '4' || id == rid {
		t.Errorf("NewRequestID: %s", id)
	}
}

func TestNew(t *testing.T) {
	for _, bad := range []string{"", "localhost:8080", "ftp://x", "http://", "://x"} {
		if _, err := client.New(bad, "t"); err == nil {
			t.Errorf("New(%q): no error", bad)
		}
	}
	f := startFolio(t, server.Config{}, false)
	// A base URL with a trailing slash works the same.
	c := newClient(t, f.url+"/", "alice-token")
	if _, err := c.List(context.Background(), client.Filter{}); err != nil {
		t.Error(err)
	}
}
