package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/foliorender/folio/internal/apicheck"
	"github.com/foliorender/folio/internal/browsertest"
	"github.com/foliorender/folio/server"
	"github.com/prometheus/client_golang/prometheus"
)

// TestMain runs the tests, then says how many of the server's responses
// were validated against the OpenAPI document.
func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Close()
	if c, err := apicheck.Shared(); err == nil {
		fmt.Printf("openapi: %d responses of the server validated against server/openapi.json (%d requests not answered: the client had left)\n",
			c.Validated.Load(), c.Unanswered.Load())
	}
	os.Exit(code)
}

// checked wraps h so that every response it writes is validated against
// the OpenAPI document; one that does not match fails t. newEnv serves
// every test server through it, so the do, get and raw-connection helpers
// are all covered.
func checked(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	c, err := apicheck.Shared()
	if err != nil {
		t.Fatal(err)
	}
	return c.Handler(h, func(problem string) { t.Error(problem) })
}

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t, server.Config{Metrics: prometheus.NewRegistry()})
	r := e.do("GET", "/openapi.json", "", nil)
	if r.code != 200 || r.header.Get("Content-Type") != "application/json" || !bytes.Equal(r.body, server.OpenAPI()) {
		t.Fatalf("GET /openapi.json: %d %q, %d bytes (document: %d)", r.code, r.header.Get("Content-Type"), len(r.body), len(server.OpenAPI()))
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("document: %v, openapi %q", err, doc.OpenAPI)
	}
	// Every path of the document is served, and no other: each answers
	// something other than "no such endpoint".
	for path := range doc.Paths {
		p := strings.ReplaceAll(path, "{id}", "1")
		if r := e.do("GET", p, "alice-token", nil); r.code == 404 && strings.Contains(string(r.body), "no such endpoint") {
			t.Errorf("%s is in the document but not served", path)
		}
	}
	if len(doc.Paths) != 11 {
		t.Errorf("%d paths in the document, want the API's 11", len(doc.Paths))
	}
	r = e.do("POST", "/openapi.json", "", nil)
	r.errorBody(t, 405)
	if r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("405 Allow %q", r.header.Get("Allow"))
	}
	if c := server.OpenAPI(); &c[0] == &server.OpenAPI()[0] {
		t.Error("OpenAPI returns the same slice twice")
	}
}

// TestOpenAPICatchesDrift feeds the checker responses that break the
// document in one way each: it must find every one, and accept the
// correct ones.
func TestOpenAPICatchesDrift(t *testing.T) {
	c, err := apicheck.Shared()
	if err != nil {
		t.Fatal(err)
	}
	jh := func(kv ...string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	errBody := func(code int) string {
		return fmt.Sprintf(`{"error":{"code":%d,"message":"m","details":[]}}`, code)
	}
	const job = `{"id":1,"request_id":"3b0c9d11-8cd6-4896-9ba3-1c2f4f2b56eb","entity":"report","status":"complete",
		"percent_completed":1,"operation":"render","created_at":"2026-11-24T23:17:20.923+00:00",
		"updated_at":"2026-11-24T23:17:20.929+00:00","created_by":"alice","error_count":0,"result":"Success",
		"summary":"s","details":[],"formats":[]}`
	etag := `"` + strings.Repeat("ab", 32) + `"`
	tests := []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
		ok                 bool
	}{
		{"a job", "GET", "/jobs/1", 200, jh(), job, true},
		{"a job without summary", "GET", "/jobs/1", 200, jh(), strings.Replace(job, `"summary":"s",`, "", 1), false},
		{"a job with an extra field", "GET", "/jobs/1", 200, jh(), strings.Replace(job, `"summary":"s",`, `"summary":"s","x":1,`, 1), false},
		{"a job with a time without milliseconds", "GET", "/jobs/1", 200, jh(), strings.Replace(job, "20.923+00:00", "20+00:00", 1), false},
		{"a job with an unknown status", "GET", "/jobs/1", 200, jh(), strings.Replace(job, `"complete"`, `"done"`, 1), false},
		{"a 404", "GET", "/jobs/1", 404, jh(), errBody(404), true},
		{"a 404 whose code says 500", "GET", "/jobs/1", 404, jh(), errBody(500), false},
		{"an error without details", "GET", "/jobs/1", 404, jh(), `{"error":{"code":404,"message":"m"}}`, false},
		{"a detail that is neither kind", "GET", "/jobs", 422, jh(), `{"error":{"code":422,"message":"m","details":[{"field":"x","message":"m"}]}}`, false},
		{"a parameter detail", "GET", "/jobs", 422, jh(), `{"error":{"code":422,"message":"m","details":[{"parameter":"page","message":"Must be a number"}]}}`, true},
		{"an undocumented status", "GET", "/jobs", 418, jh(), errBody(418), false},
		{"a 401 without WWW-Authenticate", "GET", "/jobs", 401, jh(), errBody(401), false},
		{"a 401", "GET", "/jobs", 401, jh("WWW-Authenticate", `Bearer realm="folio"`), errBody(401), true},
		{"a 429 without Retry-After", "POST", "/jobs", 429, jh(), errBody(429), false},
		{"a 429", "POST", "/jobs", 429, jh("Retry-After", "2"), errBody(429), true},
		{"a 202 without Location", "POST", "/jobs", 202, jh(), job, false},
		{"a 409 of an unfinished job without Retry-After", "GET", "/jobs/1/content", 409, jh(), errBody(409), false},
		{"a jobStatus with state 2", "GET", "/icweb.dll/jobStatus?id=1", 200, jh(), `{"id":1,"percentComplete":0,"summary":"","status":2}`, false},
		{"a jobStatus with percent 1.5", "GET", "/icweb.dll/jobStatus?id=1", 200, jh(), `{"id":1,"percentComplete":1.5,"summary":"","status":3}`, false},
		{"a jobStatus", "GET", "/icweb.dll/jobStatus?id=1", 200, jh(), `{"id":1,"percentComplete":50,"summary":"","status":3}`, true},
		{"content without ETag", "GET", "/jobs/1/content", 200, http.Header{"Content-Type": {"text/csv; charset=utf-8"},
			"Content-Disposition": {`attachment; filename="report.csv"`}}, "a,b\n", false},
		{"content", "GET", "/jobs/1/content", 200, http.Header{"Content-Type": {"text/csv; charset=utf-8"}, "Etag": {etag},
			"Content-Disposition": {`attachment; filename="report.csv"`}}, "a,b\n", true},
		{"a 304 without ETag", "GET", "/jobs/1/content", 304, http.Header{}, "", false},
		{"a 405 with the wrong Allow", "PUT", "/jobs", 405, jh("Allow", "GET, POST"), errBody(405), false},
		{"a 405", "PUT", "/jobs", 405, jh("Allow", "GET, HEAD, POST"), errBody(405), true},
		{"an unknown path answered 200", "GET", "/nowhere", 200, jh(), `{}`, false},
		{"an unknown path answered 404 in plain text", "GET", "/nowhere", 404, http.Header{"Content-Type": {"text/plain"}}, "404 page not found", false},
		{"an unknown path", "GET", "/nowhere", 404, jh(), errBody(404), true},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		problems := c.Check(req, tc.status, tc.header, []byte(tc.body))
		if tc.ok && len(problems) > 0 {
			t.Errorf("%s: rejected: %v", tc.name, problems)
		}
		if !tc.ok && len(problems) == 0 {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// TestContentPreconditions: the answers of http.ServeContent that the
// other tests do not meet: 412, 416, several ranges, If-Range with the
// ETag, If-Modified-Since.
func TestContentPreconditions(t *testing.T) {
	e := newEnv(t, server.Config{})
	path := fmt.Sprintf("/jobs/%d/content?format=csv", id(e.post("alice-token", "", seed(t))))
	full := e.do("GET", path, "alice-token", nil)
	etag, lastMod := full.header.Get("ETag"), full.header.Get("Last-Modified")
	if full.code != 200 || etag == "" || lastMod == "" {
		t.Fatalf("download: %d, ETag %q, Last-Modified %q", full.code, etag, lastMod)
	}
	if r := e.do("GET", path, "alice-token", nil, "If-Match", `"other"`); r.code != 412 {
		t.Errorf("If-Match another ETag: %d", r.code)
	}
	if r := e.do("GET", path, "alice-token", nil, "If-Match", etag); r.code != 200 {
		t.Errorf("If-Match its ETag: %d", r.code)
	}
	if r := e.do("GET", path, "alice-token", nil, "Range", "bytes=100000-"); r.code != 416 || r.header.Get("Content-Range") == "" {
		t.Errorf("a range past the end: %d, Content-Range %q", r.code, r.header.Get("Content-Range"))
	}
	r := e.do("GET", path, "alice-token", nil, "Range", "bytes=0-1,4-5")
	if r.code != 206 || !strings.HasPrefix(r.header.Get("Content-Type"), "multipart/byteranges") {
		t.Errorf("two ranges: %d %q", r.code, r.header.Get("Content-Type"))
	}
	r = e.do("GET", path, "alice-token", nil, "Range", "bytes=3-", "If-Range", etag)
	if r.code != 206 || !bytes.Equal(r.body, full.body[3:]) {
		t.Errorf("If-Range with its ETag: %d %q", r.code, r.body)
	}
	if r := e.do("GET", path, "alice-token", nil, "If-Modified-Since", lastMod); r.code != 304 || r.header.Get("ETag") != etag {
		t.Errorf("If-Modified-Since: %d, ETag %q", r.code, r.header.Get("ETag"))
	}
}
