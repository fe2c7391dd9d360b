package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/server"
)

// registry is the built-in formats plus test formats.
type registry struct{ extra []render.Format }

func (r registry) Lookup(name string) (render.Format, error) {
	for _, f := range r.extra {
		if f.Name == strings.ToLower(name) {
			return f, nil
		}
	}
	return render.Lookup(name)
}

func (r registry) Formats() []render.Format {
	all := append(render.Formats(), r.extra...)
	slices.SortFunc(all, func(a, b render.Format) int { return strings.Compare(a.Name, b.Name) })
	return all
}

// counted renders like csv and counts its renders.
var renders atomic.Int64

type countingRenderer struct{ r render.Renderer }

func (c countingRenderer) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	renders.Add(1)
	time.Sleep(50 * time.Millisecond) // long enough for concurrent requests to pile up
	return c.r.Render(ctx, w, doc)
}

var testFormats = registry{extra: []render.Format{{
	Name: "counted", MediaType: "text/x-counted", Ext: ".cnt",
	New: func(*render.OptionReader) (render.Renderer, error) {
		f, _ := render.Lookup("csv")
		r, err := f.NewRenderer(nil)
		return countingRenderer{r}, err
	},
}, {
	Name: "ünï", MediaType: "text/x-unicode", Ext: ".ünï",
	New: func(*render.OptionReader) (render.Renderer, error) {
		f, _ := render.Lookup("csv")
		return f.NewRenderer(nil)
	},
}}}

type env struct {
	t     *testing.T
	url   string
	store *sqlite.Store
	blobs *blob.Dir
}

const tokens = "alice-token=alice, bob-token=bob\n# the administrator\nroot-token==root:admin\n"

func newEnv(t *testing.T, cfg server.Config) *env {
	t.Helper()
	return newEnvWith(t, cfg, nil)
}

// newEnvWith is newEnv with the blob store wrap makes of the directory
// store, if wrap is not nil.
func newEnvWith(t *testing.T, cfg server.Config, wrap func(*blob.Dir) blob.Store) *env {
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
	cfg.Store, cfg.Blobs, cfg.Auth = st, bl, auth
	if wrap != nil {
		cfg.Blobs = wrap(bl)
	}
	if cfg.Formats == nil {
		cfg.Formats = testFormats
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(checked(t, h))
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, store: st, blobs: bl}
}

type resp struct {
	code   int
	header http.Header
	body   []byte
}

func (e *env) do(method, path, token string, body io.Reader, hdr ...string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, b}
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

// errorBody checks the contract's error body and returns its message and
// details.
func (r resp) errorBody(t *testing.T, code int) (string, []any) {
	t.Helper()
	if r.code != code {
		t.Fatalf("status %d, want %d; body %s", r.code, code, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q", ct)
	}
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok || len(m) != 1 {
		t.Fatalf("error body %s: want {\"error\": {...}}", r.body)
	}
	if e["code"] != float64(code) {
		t.Errorf("error.code %v, want %d", e["code"], code)
	}
	msg, ok := e["message"].(string)
	if !ok || msg == "" {
		t.Errorf("error.message %v", e["message"])
	}
	details, ok := e["details"].([]any)
	if !ok {
		t.Errorf("error.details %v: want an array", e["details"])
	}
	return msg, details
}

func seed(t *testing.T) []byte {
	b, err := os.ReadFile("../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	timeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$`)
)

var entryKeys = []string{"id", "request_id", "entity", "status", "percent_completed", "operation",
	"created_at", "updated_at", "created_by", "error_count", "result"}

func checkEntry(t *testing.T, m map[string]any) {
	t.Helper()
	for _, k := range entryKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("entry lacks %q: %v", k, m)
		}
	}
	if id, ok := m["id"].(float64); !ok || id < 1 || id != float64(int64(id)) {
		t.Errorf("id %v is not a positive integer", m["id"])
	}
	if s, _ := m["request_id"].(string); !uuidRE.MatchString(s) {
		t.Errorf("request_id %v is not a UUID", m["request_id"])
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if s, _ := m[k].(string); !timeRE.MatchString(s) {
			t.Errorf("%s %v is not ISO 8601 with an offset", k, m[k])
		}
	}
	if p, ok := m["percent_completed"].(float64); !ok || p < 0 || p > 1 {
		t.Errorf("percent_completed %v", m["percent_completed"])
	}
	if !slices.Contains([]string{"Success", "Failure", "Pending"}, m["result"].(string)) {
		t.Errorf("result %v", m["result"])
	}
	if !jobs.Status(m["status"].(string)).Valid() {
		t.Errorf("status %v", m["status"])
	}
}

func (e *env) post(token, query string, body []byte) map[string]any {
	e.t.Helper()
	r := e.do("POST", "/jobs"+query, token, bytes.NewReader(body))
	if r.code != http.StatusAccepted {
		e.t.Fatalf("POST /jobs%s: %d %s", query, r.code, r.body)
	}
	m := r.json(e.t)
	checkEntry(e.t, m)
	if loc := r.header.Get("Location"); loc != fmt.Sprintf("/jobs/%d", int64(m["id"].(float64))) {
		e.t.Errorf("Location %q for job %v", loc, m["id"])
	}
	return m
}

func id(m map[string]any) int64 { return int64(m["id"].(float64)) }

func TestAuth(t *testing.T) {
	e := newEnv(t, server.Config{})
	for _, path := range []string{"/jobs", "/jobs/1", "/jobs/1/content", "/icweb.dll/jobStatus?id=1", "/icweb.dll/jobContent?id=1"} {
		r := e.do("GET", path, "", nil)
		r.errorBody(t, 401)
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="folio"` {
			t.Errorf("%s without a token: WWW-Authenticate %q", path, got)
		}
		r = e.do("GET", path, "wrong-token", nil)
		r.errorBody(t, 401)
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="folio", error="invalid_token"` {
			t.Errorf("%s with a wrong token: WWW-Authenticate %q", path, got)
		}
	}
	r := e.do("GET", "/jobs", "", nil, "Authorization", "Basic YWxpY2U6eA==")
	r.errorBody(t, 401)
	e.do("POST", "/jobs", "", strings.NewReader("{}")).errorBody(t, 401)
	e.do("DELETE", "/jobs/1", "", nil).errorBody(t, 401)
	// A token with '=' in it (the last '=' separates the user).
	if r := e.do("GET", "/jobs", "root-token=", nil); r.code != 200 {
		t.Errorf("token with '=': %d", r.code)
	}
	if r := e.do("GET", "/healthz", "", nil); r.code != 200 || r.json(t)["status"] != "ok" {
		t.Errorf("healthz: %d %s", r.code, r.body)
	}
}

func TestParseTokens(t *testing.T) {
	tk, err := server.ParseTokens(strings.NewReader("# c\n\n a=alice , b=bob:admin\nc==carol\n"))
	if err != nil || tk.Len() != 3 {
		t.Fatalf("%v, %d tokens", err, tk.Len())
	}
	for _, bad := range []string{"a", "=alice", "a=", "a=alice,a=bob", "a b=alice", "a=:admin"} {
		if _, err := server.ParseTokens(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseTokens(%q): no error", bad)
		}
	}
	for tok, want := range map[string]server.User{"a": {Name: "alice"}, "b": {Name: "bob", Admin: true}, "c=": {Name: "carol"}} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "bearer "+tok)
		if u, err := tk.Authenticate(r); err != nil || u != want {
			t.Errorf("token %q: %v, %v", tok, u, err)
		}
	}
}

func TestPostJob(t *testing.T) {
	e := newEnv(t, server.Config{})
	// A valid document with no formats to render ahead is complete at once.
	m := e.post("alice-token", "", seed(t))
	if m["status"] != "complete" || m["result"] != "Success" || m["error_count"] != 0.0 || m["created_by"] != "alice" ||
		m["entity"] != "report" || m["operation"] != "render" || m["percent_completed"] != 1.0 {
		t.Errorf("valid document: %v", m)
	}
	j, err := e.store.Get(context.Background(), id(m))
	if err != nil || j.Document == nil {
		t.Fatalf("stored job %+v, %v", j, err)
	}
	sum := sha256.Sum256(seed(t))
	if j.Document.SHA256 != hex.EncodeToString(sum[:]) || j.Document.Size != int64(len(seed(t))) {
		t.Errorf("stored document %+v", j.Document)
	}
	// With formats, it waits for the background worker.
	m = e.post("alice-token", "?formats=csv,JSON,csv", seed(t))
	if m["status"] != "ready_to_process" || m["result"] != "Pending" || fmt.Sprint(m["formats"]) != "[csv json]" {
		t.Errorf("with formats: %v", m)
	}

	// An invalid document makes a failed job listing its violations.
	bad := `{"elements": [{"type": "table", "data": {"columns": [{"caption": "A"}, {"caption": "B"}],
		"rows": [{"cells": [{"value": 1}]}, {"cells": [{"value": 1}, {"value": 2}]}, {"cells": []}]}}, {"type": "chart"}]}`
	m = e.post("bob-token", "", []byte(bad))
	if m["status"] != "fail_to_receive" || m["result"] != "Failure" || m["error_count"].(float64) < 3 {
		t.Errorf("invalid document: %v", m)
	}
	details, _ := m["details"].([]any)
	if len(details) != int(m["error_count"].(float64)) {
		t.Fatalf("details %v for error_count %v", details, m["error_count"])
	}
	d0 := details[0].(map[string]any)
	if d0["pointer"] != "/elements/0/data/rows/0/cells" || d0["message"] == "" {
		t.Errorf("first detail %v", d0)
	}
	if !strings.Contains(m["summary"].(string), "/elements/0/data/rows/0/cells") {
		t.Errorf("summary %q", m["summary"])
	}
	again := e.do("GET", fmt.Sprintf("/jobs/%d", id(m)), "bob-token", nil).json(t)
	if fmt.Sprint(again["details"]) != fmt.Sprint(m["details"]) {
		t.Errorf("GET shows details %v, POST showed %v", again["details"], m["details"])
	}
	// JSON that is not a report document is still a job.
	m = e.post("bob-token", "", []byte(`[1, 2]`))
	if m["status"] != "fail_to_receive" {
		t.Errorf("a JSON array: %v", m)
	}
	m = e.post("bob-token", "", []byte(`{"elements": [`))
	if m["status"] != "fail_to_receive" {
		t.Errorf("truncated JSON: %v", m)
	}

	// Not JSON at all: 422, and no job.
	before, _ := e.store.List(context.Background(), jobs.Filter{})
	for _, body := range []string{"", "   ", "hello", "<xml/>", "\xef\xbb\xbf{}"} {
		e.do("POST", "/jobs", "alice-token", strings.NewReader(body)).errorBody(t, 422)
	}
	_, det := e.do("POST", "/jobs?formats=csv,nope", "alice-token", bytes.NewReader(seed(t))).errorBody(t, 422)
	if len(det) != 1 || det[0].(map[string]any)["parameter"] != "formats" {
		t.Errorf("unknown format details %v", det)
	}
	after, _ := e.store.List(context.Background(), jobs.Filter{})
	if after.TotalEntries != before.TotalEntries {
		t.Errorf("rejected posts made %d jobs", after.TotalEntries-before.TotalEntries)
	}
}

// chunked hides the length of a body, so the limit is found while reading.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestPostTooLarge(t *testing.T) {
	e := newEnv(t, server.Config{MaxBodyBytes: 1000})
	big := []byte(`{"elements": [{"type": "paragraph", "data": {"text": [{"value": "` + strings.Repeat("x", 2000) + `"}]}}]}`)
	msg, _ := e.do("POST", "/jobs", "alice-token", bytes.NewReader(big)).errorBody(t, 413)
	if !strings.Contains(msg, "1000") {
		t.Errorf("413 message %q does not give the limit", msg)
	}
	e.do("POST", "/jobs", "alice-token", chunked{bytes.NewReader(big)}).errorBody(t, 413)
	p, _ := e.store.List(context.Background(), jobs.Filter{})
	if p.TotalEntries != 1 || p.Entries[0].Status != jobs.StatusFailToReceive || !strings.Contains(p.Entries[0].Summary, "limit") {
		t.Errorf("the streamed oversize post left %+v", p.Entries)
	}
	if tmp, _ := e.blobs.TempFiles(); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
	e.post("alice-token", "", seed(t)) // under the limit
}

func TestListJobs(t *testing.T) {
	e := newEnv(t, server.Config{})
	var all []map[string]any
	for i, tok := range []string{"alice-token", "bob-token", "alice-token", "alice-token", "bob-token"} {
		if i > 0 {
			time.Sleep(5 * time.Millisecond)
		}
		all = append(all, e.post(tok, "", seed(t)))
	}
	list := func(token, query string) map[string]any {
		t.Helper()
		r := e.do("GET", "/jobs"+query, token, nil)
		if r.code != 200 {
			t.Fatalf("GET /jobs%s: %d %s", query, r.code, r.body)
		}
		return r.json(t)
	}
	ids := func(m map[string]any) (out []int64) {
		for _, x := range m["entries"].([]any) {
			checkEntry(t, x.(map[string]any))
			out = append(out, id(x.(map[string]any)))
		}
		return out
	}
	pick := func(idx ...int) (out []int64) {
		for _, i := range idx {
			out = append(out, id(all[i]))
		}
		return out
	}
	m := list("root-token=", "")
	for k, want := range map[string]float64{"page": 1, "per_page": 50, "total_pages": 1, "total_entries": 5} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if len(m) != 5 {
		t.Errorf("list keys: %v", m)
	}
	created := func(i int) string { return all[i]["created_at"].(string) }
	tests := []struct {
		token, query string
		want         []int64
		pages        float64
	}{
		{"root-token=", "", pick(0, 1, 2, 3, 4), 1},
		{"alice-token", "", pick(0, 2, 3), 1},
		{"alice-token", "?created_by=bob", nil, 0},
		{"alice-token", "?created_by=alice", pick(0, 2, 3), 1},
		{"root-token=", "?created_by=bob", pick(1, 4), 1},
		{"root-token=", "?per_page=2", pick(0, 1), 3},
		{"root-token=", "?per_page=2&page=3", pick(4), 3},
		{"root-token=", "?per_page=2&page=4", nil, 3},
		{"root-token=", fmt.Sprintf("?id=%d", id(all[3])), pick(3), 1},
		{"bob-token", fmt.Sprintf("?id=%d", id(all[3])), nil, 0},
		{"root-token=", "?request_id=" + all[2]["request_id"].(string), pick(2), 1},
		{"root-token=", "?request_id={" + strings.ToUpper(all[2]["request_id"].(string)) + "}", pick(2), 1},
		{"root-token=", "?created_time_from=" + created(2), pick(2, 3, 4), 1},
		{"root-token=", "?created_time_to=" + created(2), pick(0, 1, 2), 1},
		{"root-token=", "?created_time_from=" + created(1) + "&created_time_to=" + created(3) + "&created_by=alice", pick(2, 3), 1},
		{"root-token=", "?updated_time_from=" + all[4]["updated_at"].(string), pick(4), 1},
		{"root-token=", "?updated_time_to=" + all[0]["updated_at"].(string), pick(0), 1},
		{"root-token=", "?created_time_from=2016-05-30T05:13:26Z", pick(0, 1, 2, 3, 4), 1},
		{"root-token=", "?created_time_to=2016-05-30T05:13:26Z", nil, 0},
		{"root-token=", "?created_time_to=2016-05-30", nil, 0},
	}
	for _, tc := range tests {
		tc.query = strings.ReplaceAll(tc.query, "+", "%2B")
		m := list(tc.token, tc.query)
		if got := ids(m); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: %v, want %v", tc.token, tc.query, got, tc.want)
		}
		if m["total_pages"] != tc.pages {
			t.Errorf("%s %s: total_pages %v, want %v", tc.token, tc.query, m["total_pages"], tc.pages)
		}
	}
	for _, tc := range []struct{ query, param string }{
		{"?page=abc", "page"}, {"?page=0", "page"}, {"?per_page=x", "per_page"}, {"?per_page=0", "per_page"},
		{"?per_page=1001", "per_page"}, {"?id=seven", "id"}, {"?request_id=nope", "request_id"},
		{"?created_time_from=yesterday", "created_time_from"}, {"?created_time_to=2016-13-01", "created_time_to"},
		{"?updated_time_from=5", "updated_time_from"}, {"?updated_time_to=x", "updated_time_to"},
	} {
		_, det := e.do("GET", "/jobs"+tc.query, "alice-token", nil).errorBody(t, 422)
		if len(det) != 1 || det[0].(map[string]any)["parameter"] != tc.param {
			t.Errorf("%s: details %v, want parameter %s", tc.query, det, tc.param)
		}
	}
	if _, det := e.do("GET", "/jobs?page=x&per_page=y", "alice-token", nil).errorBody(t, 422); len(det) != 2 {
		t.Errorf("two bad parameters: details %v", det)
	}
	if _, det := e.do("GET", "/jobs?page=x", "alice-token", nil).errorBody(t, 422); det[0].(map[string]any)["message"] != "Must be a number" {
		t.Errorf("details %v", det)
	}
}

func TestJobAndCancel(t *testing.T) {
	e := newEnv(t, server.Config{})
	done := e.post("alice-token", "", seed(t))
	waiting := e.post("alice-token", "?formats=csv", seed(t))
	path := fmt.Sprintf("/jobs/%d", id(done))
	if r := e.do("GET", path, "alice-token", nil); r.code != 200 {
		t.Errorf("own job: %d", r.code)
	} else {
		checkEntry(t, r.json(t))
	}
	e.do("GET", path, "bob-token", nil).errorBody(t, 403)
	if r := e.do("GET", path, "root-token=", nil); r.code != 200 {
		t.Errorf("admin: %d", r.code)
	}
	if r := e.do("GET", "/jobs/"+done["request_id"].(string), "alice-token", nil); r.code != 200 || id(r.json(t)) != id(done) {
		t.Errorf("by request_id: %d", r.code)
	}
	e.do("GET", "/jobs/999", "alice-token", nil).errorBody(t, 404)
	e.do("GET", "/jobs/abc", "alice-token", nil).errorBody(t, 404)
	e.do("GET", "/nowhere", "alice-token", nil).errorBody(t, 404)
	for _, c := range [][2]string{{"PUT", "/jobs"}, {"POST", path}, {"PATCH", path + "/content"}, {"POST", "/icweb.dll/jobStatus"}} {
		r := e.do(c[0], c[1], "alice-token", nil)
		r.errorBody(t, 405)
		if r.header.Get("Allow") == "" {
			t.Errorf("%s %s: no Allow header", c[0], c[1])
		}
	}

	wpath := fmt.Sprintf("/jobs/%d", id(waiting))
	e.do("DELETE", wpath, "bob-token", nil).errorBody(t, 403)
	r := e.do("DELETE", wpath, "alice-token", nil)
	if r.code != 200 || r.json(t)["status"] != "canceled" || r.json(t)["result"] != "Failure" {
		t.Errorf("cancel: %d %s", r.code, r.body)
	}
	if r := e.do("DELETE", wpath, "root-token=", nil); r.code != 200 {
		t.Errorf("cancel again: %d %s", r.code, r.body)
	}
	e.do("DELETE", path, "alice-token", nil).errorBody(t, 409)
	e.do("DELETE", "/jobs/999", "alice-token", nil).errorBody(t, 404)
}

func TestJobStatus(t *testing.T) {
	e := newEnv(t, server.Config{})
	done := e.post("alice-token", "", seed(t))
	waiting := e.post("alice-token", "?formats=csv", seed(t))
	failed := e.post("alice-token", "", []byte(`{"elements": 1}`))
	rid := done["request_id"].(string)
	for _, ref := range []string{fmt.Sprint(id(done)), rid, "{" + rid + "}", strings.ToUpper(rid), "%7B" + rid + "%7D"} {
		r := e.do("GET", "/icweb.dll/jobStatus?id="+ref, "alice-token", nil)
		if r.code != 200 {
			t.Fatalf("jobStatus?id=%s: %d %s", ref, r.code, r.body)
		}
		m := r.json(t)
		if len(m) != 4 || m["id"] != float64(id(done)) || m["percentComplete"] != 100.0 || m["status"] != 4.0 {
			t.Errorf("jobStatus?id=%s: %v", ref, m)
		}
		if _, ok := m["summary"].(string); !ok {
			t.Errorf("summary %v", m["summary"])
		}
	}
	for _, c := range []struct {
		m    map[string]any
		want float64
	}{{waiting, 1}, {failed, 5}} {
		m := e.do("GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", id(c.m)), "alice-token", nil).json(t)
		if m["status"] != c.want || m["percentComplete"] != 0.0 {
			t.Errorf("jobStatus of a %s job: %v", c.m["status"], m)
		}
	}
	e.do("DELETE", fmt.Sprintf("/jobs/%d", id(waiting)), "alice-token", nil)
	if m := e.do("GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", id(waiting)), "alice-token", nil).json(t); m["status"] != 5.0 {
		t.Errorf("canceled job: %v", m)
	}
	e.do("GET", "/icweb.dll/jobStatus?id=999", "alice-token", nil).errorBody(t, 404)
	e.do("GET", "/icweb.dll/jobStatus?id=00000000-0000-4000-8000-000000000000", "alice-token", nil).errorBody(t, 404)
	e.do("GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", id(done)), "bob-token", nil).errorBody(t, 403)
	for _, q := range []string{"", "?id=", "?id=abc"} {
		_, det := e.do("GET", "/icweb.dll/jobStatus"+q, "alice-token", nil).errorBody(t, 422)
		if len(det) != 1 || det[0].(map[string]any)["parameter"] != "id" {
			t.Errorf("jobStatus%s: details %v", q, det)
		}
	}
}

// renderDirect renders the seed document with a registered format.
func renderDirect(t *testing.T, name string, doc []byte) []byte {
	f, err := testFormats.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, report.Read(bytes.NewReader(doc))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJobContent(t *testing.T) {
	e := newEnv(t, server.Config{})
	done := e.post("alice-token", "", seed(t))
	n := id(done)
	tests := []struct {
		path, accept, format string
	}{
		{fmt.Sprintf("/icweb.dll/jobContent?id=%d", n), "", "json"},
		{fmt.Sprintf("/jobs/%d/content", n), "", "json"},
		{fmt.Sprintf("/icweb.dll/jobContent?id={%s}", done["request_id"]), "", "json"},
		{fmt.Sprintf("/icweb.dll/jobContent?id=%d&format=csv", n), "", "csv"},
		{fmt.Sprintf("/jobs/%d/content?format=MD", n), "application/json", "md"},
		{fmt.Sprintf("/jobs/%d/content", n), "text/csv", "csv"},
		{fmt.Sprintf("/jobs/%d/content", n), "text/markdown;q=0.5, text/csv;q=0.9", "csv"},
		{fmt.Sprintf("/jobs/%d/content", n), "image/png;q=1, application/*;q=0.8", "json"},
		{fmt.Sprintf("/jobs/%d/content", n), "text/*;q=0.5, text/csv", "csv"},
		{fmt.Sprintf("/jobs/%d/content", n), "*/*", "json"},
		{fmt.Sprintf("/jobs/%d/content", n), "application/xml, */*;q=0.1", "json"},
		{fmt.Sprintf("/icweb.dll/jobContent?id=%d", n), "text/markdown", "md"},
	}
	for _, tc := range tests {
		r := e.do("GET", tc.path, "alice-token", nil, "Accept", tc.accept)
		if r.code != 200 {
			t.Errorf("%s (Accept %q): %d %s", tc.path, tc.accept, r.code, r.body)
			continue
		}
		f, _ := testFormats.Lookup(tc.format)
		if ct := r.header.Get("Content-Type"); ct != f.MediaType {
			t.Errorf("%s (Accept %q): Content-Type %q, want %q", tc.path, tc.accept, ct, f.MediaType)
		}
		if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="report`+f.Ext+`"` {
			t.Errorf("%s: Content-Disposition %q", tc.path, cd)
		}
		want := renderDirect(t, tc.format, seed(t))
		if !bytes.Equal(r.body, want) {
			t.Errorf("%s: content differs from a direct render:\n%s\nwant\n%s", tc.path, r.body, want)
		}
		sum := sha256.Sum256(want)
		if et := r.header.Get("ETag"); et != `"`+hex.EncodeToString(sum[:])+`"` {
			t.Errorf("%s: ETag %q", tc.path, et)
		}
	}
	cpath := fmt.Sprintf("/jobs/%d/content?format=csv", n)
	r := e.do("GET", cpath, "alice-token", nil)
	etag := r.header.Get("ETag")
	if r := e.do("GET", cpath, "alice-token", nil, "If-None-Match", etag); r.code != 304 || len(r.body) != 0 {
		t.Errorf("If-None-Match: %d", r.code)
	}
	if r := e.do("GET", cpath, "alice-token", nil, "Range", "bytes=2-5"); r.code != 206 || string(r.body) != string(renderDirect(t, "csv", seed(t))[2:6]) ||
		r.header.Get("Content-Range") == "" {
		t.Errorf("Range: %d %q %q", r.code, r.body, r.header.Get("Content-Range"))
	}
	if r := e.do("GET", cpath, "alice-token", nil, "Range", "bytes=0-1", "If-Range", `"other"`); r.code != 200 {
		t.Errorf("If-Range with another ETag: %d", r.code)
	}
	// A non-ASCII extension gets filename*.
	r = e.do("GET", fmt.Sprintf("/jobs/%d/content?format=%s", n, "%C3%BCn%C3%AF"), "alice-token", nil)
	_, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
	if r.code != 200 || err != nil || params["filename"] != "report.ünï" {
		t.Errorf("non-ASCII name: %d %q %v", r.code, r.header.Get("Content-Disposition"), err)
	}

	// Errors.
	_, det := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=docx", n), "alice-token", nil).errorBody(t, 422)
	if len(det) != 1 || det[0].(map[string]any)["parameter"] != "format" {
		t.Errorf("unknown format= details %v", det)
	}
	e.do("GET", fmt.Sprintf("/jobs/%d/content", n), "alice-token", nil, "Accept", "application/xml").errorBody(t, 406)
	e.do("GET", fmt.Sprintf("/icweb.dll/jobContent?id=%d", n), "alice-token", nil, "Accept", "image/*, application/json;q=0").errorBody(t, 406)
	e.do("GET", "/jobs/999/content", "alice-token", nil).errorBody(t, 404)
	e.do("GET", "/icweb.dll/jobContent?id=999", "alice-token", nil).errorBody(t, 404)
	e.do("GET", "/icweb.dll/jobContent", "alice-token", nil).errorBody(t, 422)
	e.do("GET", fmt.Sprintf("/jobs/%d/content", n), "bob-token", nil).errorBody(t, 403)
	if r := e.do("GET", fmt.Sprintf("/jobs/%d/content", n), "root-token=", nil); r.code != 200 {
		t.Errorf("admin download: %d", r.code)
	}

	waiting := e.post("alice-token", "?formats=csv", seed(t))
	r = e.do("GET", fmt.Sprintf("/jobs/%d/content", id(waiting)), "alice-token", nil)
	r.errorBody(t, 409)
	if ra := r.header.Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After %q", ra)
	}
	e.do("DELETE", fmt.Sprintf("/jobs/%d", id(waiting)), "alice-token", nil)
	if msg, _ := e.do("GET", fmt.Sprintf("/jobs/%d/content", id(waiting)), "alice-token", nil).errorBody(t, 404); !strings.Contains(msg, "canceled") {
		t.Errorf("canceled job: %q", msg)
	}
	failed := e.post("alice-token", "", []byte(`{"elements": 1}`))
	if msg, _ := e.do("GET", fmt.Sprintf("/icweb.dll/jobContent?id=%d", id(failed)), "alice-token", nil).errorBody(t, 404); !strings.Contains(msg, "failed") {
		t.Errorf("failed job: %q", msg)
	}
}

// TestRenderOnce downloads a format not rendered ahead from many clients
// at once: it is rendered once, stored, and everyone gets the same bytes.
func TestRenderOnce(t *testing.T) {
	e := newEnv(t, server.Config{})
	n := id(e.post("alice-token", "", seed(t)))
	renders.Store(0)
	var wg sync.WaitGroup
	bodies := make([][]byte, 10)
	for i := range bodies {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/jobs/%d/content?format=counted", e.url, n), nil)
			req.Header.Set("Authorization", "Bearer alice-token")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			bodies[i], _ = io.ReadAll(res.Body)
			if res.StatusCode != 200 {
				t.Errorf("download %d: %d %s", i, res.StatusCode, bodies[i])
			}
		})
	}
	wg.Wait()
	if got := renders.Load(); got != 1 {
		t.Errorf("%d renders for 10 concurrent downloads, want 1", got)
	}
	for i, b := range bodies {
		if !bytes.Equal(b, bodies[0]) || len(b) == 0 {
			t.Errorf("download %d differs", i)
		}
	}
	j, _ := e.store.Get(context.Background(), n)
	if _, ok := j.Artifacts["counted"]; !ok {
		t.Errorf("artifact not recorded: %+v", j.Artifacts)
	}
	e.do("GET", fmt.Sprintf("/jobs/%d/content?format=counted", n), "alice-token", nil)
	if got := renders.Load(); got != 1 {
		t.Errorf("a stored artifact was rendered again (%d renders)", got)
	}
}

func TestHealthzDown(t *testing.T) {
	e := newEnv(t, server.Config{Ready: func(context.Context) error { return io.ErrClosedPipe }})
	r := e.do("GET", "/healthz", "", nil)
	msg, _ := r.errorBody(t, 503)
	if !strings.Contains(msg, "not ready") || r.header.Get("Retry-After") == "" {
		t.Errorf("healthz with a failing store: %q, Retry-After %q", msg, r.header.Get("Retry-After"))
	}
}
