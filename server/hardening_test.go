package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/server"
)

// gauge counts renders running at once and keeps the highest count.
type gauge struct {
	now, peak, total atomic.Int64
}

func (g *gauge) enter() {
	g.total.Add(1)
	n := g.now.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (g *gauge) leave() { g.now.Add(-1) }

// gaugedFormat renders like csv after a pause of d, counting in g; it stops
// on ctx, and tells stopped when it did.
func gaugedFormat(name string, g *gauge, d time.Duration, stopped *atomic.Int64) render.Format {
	return render.Format{Name: name, MediaType: "text/x-" + name, Ext: "." + name,
		New: func(*render.OptionReader) (render.Renderer, error) {
			f, _ := render.Lookup("csv")
			r, err := f.NewRenderer(nil)
			return rendererFunc(func(ctx context.Context, w io.Writer, doc *report.Document) error {
				g.enter()
				defer g.leave()
				select {
				case <-time.After(d):
				case <-ctx.Done():
					if stopped != nil {
						stopped.Add(1)
					}
					return ctx.Err()
				}
				return r.Render(ctx, w, doc)
			}), err
		}}
}

type rendererFunc func(ctx context.Context, w io.Writer, doc *report.Document) error

func (f rendererFunc) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	return f(ctx, w, doc)
}

func get(url, token string) (int, http.Header, []byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, err
}

// TestRenderPool asks for 250 renders on download at once (50 jobs × 5
// formats): no more than the pool's size run at once, the downloads that
// wait longer than QueueWait get 503 with Retry-After, the others the
// same bytes as a direct render.
func TestRenderPool(t *testing.T) {
	var g gauge
	reg := registry{}
	var names []string
	for i := range 5 {
		f := gaugedFormat(fmt.Sprintf("g%d", i), &g, 40*time.Millisecond, nil)
		reg.extra = append(reg.extra, f)
		names = append(names, f.Name)
	}
	const pool = 2
	e := newEnv(t, server.Config{Formats: reg, Pool: artifact.NewPool(pool), QueueWait: 300 * time.Millisecond,
		UserRenders: 1000})
	var ids []int64
	for range 50 {
		ids = append(ids, id(e.post("alice-token", "", seed(t))))
	}
	want := renderDirect(t, "csv", seed(t))
	var ok, busy atomic.Int64
	var wg sync.WaitGroup
	for _, n := range ids {
		for _, name := range names {
			wg.Go(func() {
				code, h, body, err := get(fmt.Sprintf("%s/jobs/%d/content?format=%s", e.url, n, name), "alice-token")
				switch {
				case err != nil:
					t.Error(err)
				case code == 200:
					ok.Add(1)
					if !bytes.Equal(body, want) {
						t.Errorf("job %d %s: the download differs from a direct render", n, name)
					}
				case code == 503:
					busy.Add(1)
					if h.Get("Retry-After") == "" || !bytes.Contains(body, []byte(`"code":503`)) {
						t.Errorf("503 without Retry-After or the error body: %v %s", h, body)
					}
				default:
					t.Errorf("job %d %s: %d %s", n, name, code, body)
				}
			})
		}
	}
	wg.Wait()
	t.Logf("250 downloads: %d served, %d answered 503; at most %d renders at once, %d in all", ok.Load(), busy.Load(), g.peak.Load(), g.total.Load())
	if g.peak.Load() > pool {
		t.Errorf("%d renders ran at once; the pool has %d", g.peak.Load(), pool)
	}
	if busy.Load() == 0 || ok.Load() == 0 {
		t.Errorf("%d served, %d shed: want both", ok.Load(), busy.Load())
	}
	if g.total.Load() != ok.Load() {
		t.Errorf("%d renders for %d downloads served: a shed download rendered", g.total.Load(), ok.Load())
	}
}

// TestUserLimits: one user's uploads and renders on download are capped
// (429 with Retry-After); another user is not held up.
func TestUserLimits(t *testing.T) {
	var g gauge
	slow := gaugedFormat("slowg", &g, 500*time.Millisecond, nil)
	e := newEnv(t, server.Config{Formats: registry{extra: []render.Format{slow}}, UserUploads: 1, UserRenders: 1,
		Pool: artifact.NewPool(4)})
	a1, a2 := id(e.post("alice-token", "", seed(t))), id(e.post("alice-token", "", seed(t)))
	b1 := id(e.post("bob-token", "", seed(t)))

	first := make(chan int, 1)
	go func() {
		code, _, _, _ := get(fmt.Sprintf("%s/jobs/%d/content?format=slowg", e.url, a1), "alice-token")
		first <- code
	}()
	for g.now.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	r := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=slowg", a2), "alice-token", nil)
	msg, _ := r.errorBody(t, 429)
	if r.header.Get("Retry-After") == "" || !strings.Contains(msg, "at most 1 per user") {
		t.Errorf("second render of alice: %q, Retry-After %q", msg, r.header.Get("Retry-After"))
	}
	// The same render again joins the one running: not refused.
	if code, _, body, _ := get(fmt.Sprintf("%s/jobs/%d/content?format=slowg", e.url, a1), "alice-token"); code != 200 {
		t.Errorf("joining alice's running render: %d %s", code, body)
	}
	if code, _, body, _ := get(fmt.Sprintf("%s/jobs/%d/content?format=slowg", e.url, b1), "bob-token"); code != 200 {
		t.Errorf("bob while alice is at her limit: %d %s", code, body)
	}
	if code := <-first; code != 200 {
		t.Errorf("alice's first render: %d", code)
	}

	// An upload held open counts until it ends: once its job is being
	// received, another upload of alice's is refused.
	finish := holdUpload(t, e.url, "alice-token", seed(t))
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := e.store.List(context.Background(), jobs.Filter{Status: jobs.StatusRequestReceived})
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalEntries == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the held upload is not being received after 10 s (%d jobs receiving); it answered %d", p.TotalEntries, finish())
		}
		time.Sleep(10 * time.Millisecond)
	}
	r = e.do("POST", "/jobs", "alice-token", bytes.NewReader(seed(t)))
	if r.code != 429 || r.header.Get("Retry-After") == "" {
		t.Errorf("a second upload of alice while one is open: %d, Retry-After %q; want 429 with it", r.code, r.header.Get("Retry-After"))
	}
	if r := e.do("POST", "/jobs", "bob-token", bytes.NewReader(seed(t))); r.code != 202 {
		t.Errorf("bob's upload while alice's is open: %d", r.code)
	}
	if code := finish(); code != 202 {
		t.Errorf("the held upload: %d", code)
	}
	if r := e.do("POST", "/jobs", "alice-token", bytes.NewReader(seed(t))); r.code != 202 {
		t.Errorf("alice's upload after hers ended: %d", r.code)
	}
}

// TestPermanentFailure: a render that fails for a reason that will not
// change answers 422 with the reason, is remembered for the job and
// format, and is not run again.
func TestPermanentFailure(t *testing.T) {
	var tries atomic.Int64
	bad := render.Format{Name: "bad", MediaType: "text/x-bad", Ext: ".bad",
		New: func(*render.OptionReader) (render.Renderer, error) {
			return rendererFunc(func(context.Context, io.Writer, *report.Document) error {
				tries.Add(1)
				return errors.New("the document has more than 3 pages")
			}), nil
		}}
	e := newEnv(t, server.Config{Formats: registry{extra: []render.Format{bad}}})
	n := id(e.post("alice-token", "", seed(t)))
	for i := range 3 {
		r := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=bad", n), "alice-token", nil)
		msg, _ := r.errorBody(t, 422)
		if !strings.Contains(msg, "more than 3 pages") {
			t.Errorf("download %d: %q, want the reason", i, msg)
		}
	}
	if tries.Load() != 1 {
		t.Errorf("%d renders for 3 downloads, want 1", tries.Load())
	}
	j, _ := e.store.Get(context.Background(), n)
	if !strings.Contains(j.Failures["bad"], "more than 3 pages") || len(j.Tries) != 0 || j.Status != jobs.StatusComplete {
		t.Errorf("job after the failure: %s failures %v tries %v", j.Status, j.Failures, j.Tries)
	}
	if r := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=csv", n), "alice-token", nil); r.code != 200 {
		t.Errorf("another format of the job: %d", r.code)
	}
}

// TestAbandonedRender: a render on download stops when its only client
// leaves, and its try is given back.
func TestAbandonedRender(t *testing.T) {
	var g gauge
	var stopped atomic.Int64
	slow := gaugedFormat("slowg", &g, 10*time.Second, &stopped)
	e := newEnv(t, server.Config{Formats: registry{extra: []render.Format{slow}}})
	n := id(e.post("alice-token", "", seed(t)))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/jobs/%d/content?format=slowg", e.url, n), nil)
	req.Header.Set("Authorization", "Bearer alice-token")
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	for g.now.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	deadline := time.Now().Add(3 * time.Second)
	for stopped.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the render went on after its client left")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		j, _ := e.store.Get(context.Background(), n)
		if len(j.Tries) == 0 && len(j.Failures) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the client left: tries %v failures %v", j.Tries, j.Failures)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fullDisk is a blob store whose writes fail with ENOSPC while full is set.
type fullDisk struct {
	blob.Store
	full atomic.Bool
}

func (d *fullDisk) Create(ctx context.Context, key string) (blob.Writer, error) {
	w, err := d.Store.Create(ctx, key)
	if err != nil {
		return nil, err
	}
	return &fullWriter{w, d}, nil
}

type fullWriter struct {
	blob.Writer
	d *fullDisk
}

func (w *fullWriter) Write(p []byte) (int, error) {
	if w.d.full.Load() {
		return 0, fmt.Errorf("write blob: %w", syscall.ENOSPC)
	}
	return w.Writer.Write(p)
}

// TestStorageFull: with the storage full, an upload is answered 507 with
// Retry-After (the job is recorded as failed to receive, nothing else is
// lost), as is a download that needs a render; once space is back, both
// work.
func TestStorageFull(t *testing.T) {
	var disk *fullDisk
	e := newEnvWith(t, server.Config{}, func(d *blob.Dir) blob.Store { disk = &fullDisk{Store: d}; return disk })
	before := id(e.post("alice-token", "", seed(t)))
	disk.full.Store(true)
	r := e.do("POST", "/jobs", "alice-token", bytes.NewReader(seed(t)))
	msg, _ := r.errorBody(t, 507)
	if r.header.Get("Retry-After") == "" || !strings.Contains(msg, "storage is full") {
		t.Errorf("upload on a full disk: %q, Retry-After %q", msg, r.header.Get("Retry-After"))
	}
	p, err := e.store.List(context.Background(), jobs.Filter{})
	if err != nil || p.TotalEntries != 2 {
		t.Fatalf("jobs after the refused upload: %v, %v", p, err)
	}
	if j := p.Entries[1]; j.Status != jobs.StatusFailToReceive || !strings.Contains(j.Summary, "storage is full") {
		t.Errorf("the refused upload's job: %s %q", j.Status, j.Summary)
	}
	r = e.do("GET", fmt.Sprintf("/jobs/%d/content?format=csv", before), "alice-token", nil)
	r.errorBody(t, 507)
	if j, _ := e.store.Get(context.Background(), before); j.Status != jobs.StatusComplete || len(j.Tries) != 0 || len(j.Failures) != 0 {
		t.Errorf("the earlier job after a render on a full disk: %s tries %v failures %v", j.Status, j.Tries, j.Failures)
	}
	disk.full.Store(false)
	if r := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=csv", before), "alice-token", nil); r.code != 200 {
		t.Errorf("download once space is back: %d %s", r.code, r.body)
	}
	e.post("alice-token", "", seed(t))
}

func TestNotJSON(t *testing.T) {
	e := newEnv(t, server.Config{})
	for _, tc := range []struct {
		body string
		code int
	}{
		{"this is not JSON {", 422},
		{"trust me {", 422},
		{"nullify", 422},
		{"<html>", 422},
		{"\xef\xbb\xbf{}", 422},
		{"", 422},
		{"   \n ", 422},
		{"12abc", 422},
		{"true", 202},  // JSON, not a report: fails to receive
		{"null ", 202}, // same
		{"-1.5e3", 202},
		{`"text"`, 202},
		{"[1, 2]", 202},
		{`{"elements": []}`, 202},
		{" \t{\"elements\": [", 202}, // cut short: fails to receive
	} {
		r := e.do("POST", "/jobs", "alice-token", strings.NewReader(tc.body))
		if r.code != tc.code {
			t.Errorf("POST %q: %d, want %d (%s)", tc.body, r.code, tc.code, r.body)
			continue
		}
		if tc.code == 422 {
			r.errorBody(t, 422)
		}
	}
}

func TestDuplicateRequestID(t *testing.T) {
	e := newEnv(t, server.Config{})
	const rid = "0b7d1c4e-5a8f-4b9e-9c1d-2e3f4a5b6c7d"
	m := e.post("alice-token", "?request_id={"+strings.ToUpper(rid)+"}", seed(t))
	if m["request_id"] != rid {
		t.Errorf("request_id %v, want %s", m["request_id"], rid)
	}
	r := e.do("POST", "/jobs?request_id="+rid, "bob-token", bytes.NewReader(seed(t)))
	msg, _ := r.errorBody(t, 409)
	if !strings.Contains(msg, rid) {
		t.Errorf("duplicate request ID: %q", msg)
	}
	r = e.do("POST", "/jobs?request_id=not-a-uuid", "alice-token", bytes.NewReader(seed(t)))
	r.errorBody(t, 422)
}

// TestClientGone: a client that leaves is not logged as a server error.
func TestClientGone(t *testing.T) {
	var g gauge
	slow := gaugedFormat("slowg", &g, 10*time.Second, nil)
	var logs syncBuffer
	cfg := server.Config{Formats: registry{extra: []render.Format{slow}}}
	e2 := newEnvLogged(t, cfg, &logs)
	n := id(e2.post("alice-token", "", seed(t)))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/jobs/%d/content?format=slowg", e2.url, n), nil)
	req.Header.Set("Authorization", "Bearer alice-token")
	go func() {
		for g.now.Load() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Fatal("the download was answered")
	}
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(logs.String(), "status=499") {
		if time.Now().After(deadline) {
			t.Fatalf("no access line with status 499:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s := logs.String(); strings.Contains(s, "level=ERROR") || strings.Contains(s, "status=500") {
		t.Errorf("a client that left was logged as an error:\n%s", s)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newEnvLogged is newEnv with the server's log written to w.
func newEnvLogged(t *testing.T, cfg server.Config, w io.Writer) *env {
	cfg.Logger = slog.New(slog.NewTextHandler(w, nil))
	return newEnvWith(t, cfg, nil)
}

// holdUpload sends a POST /jobs of doc on its own connection, all but the
// last byte, and returns the function that sends the rest and returns the
// answer's status.
func holdUpload(t *testing.T, base, token string, doc []byte) (finish func() int) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", token, len(doc))
	c.Write(doc[:len(doc)-1])
	return func() int {
		defer c.Close()
		c.Write(doc[len(doc)-1:])
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
}
