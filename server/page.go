package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"time"
)

// The jobs page: GET / is the page, /ui/jobs.js and /ui/jobs.css its
// script and stylesheet. They need no token: the page asks for one and
// sends it with each request it makes to the API.
//
//go:embed page/index.html page/jobs.js page/jobs.css
var pageFiles embed.FS

// PageCSP is the Content-Security-Policy of the jobs page and its files:
// the page loads its script and stylesheet from the server, talks to the
// server only, submits no form, and may not be framed.
const PageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
	"form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

// A page is a file of the jobs page, ready to serve.
type page struct {
	body        []byte
	contentType string
	etag        string // a strong validator: a hash of body
}

func newPage(body []byte, contentType string) page {
	sum := sha256.Sum256(body)
	return page{body, contentType, `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}
}

// newPages returns the jobs page, listing the formats of reg, and its
// files, by path.
func newPages(reg Registry) (map[string]page, error) {
	t, err := template.ParseFS(pageFiles, "page/index.html")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range reg.Formats() {
		names = append(names, f.Name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, struct{ Formats []string }{names}); err != nil {
		return nil, err
	}
	js, err := pageFiles.ReadFile("page/jobs.js")
	if err != nil {
		return nil, err
	}
	css, err := pageFiles.ReadFile("page/jobs.css")
	if err != nil {
		return nil, err
	}
	return map[string]page{
		"/":            newPage(b.Bytes(), "text/html; charset=utf-8"),
		"/ui/jobs.js":  newPage(js, "text/javascript; charset=utf-8"),
		"/ui/jobs.css": newPage(css, "text/css; charset=utf-8"),
	}, nil
}

// servePage serves p with the page's security headers. The files are
// small and change with the binary: no-cache makes the browser ask again,
// and the ETag (a hash of the file) lets it be told 304 Not Modified.
func servePage(p page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", p.contentType)
		h.Set("Content-Security-Policy", PageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", p.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(p.body))
	}
}
