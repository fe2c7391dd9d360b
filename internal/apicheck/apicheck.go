// Package apicheck holds the answers of a folio server to its OpenAPI
// document (server.OpenAPI): tests wrap the handler they serve with
// [Checker.Handler], and every response the handler writes is validated,
// status, headers and body, by libopenapi-validator. A response that does
// not match is reported, so document and server cannot drift apart.
//
// Requests the document has no operation for are held to what its
// info.description promises: a path it does not list is answered 404, a
// method a listed path does not have 405 with an Allow header naming the
// path's methods (and HEAD with GET), both with the error body.
package apicheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/foliorender/folio/server"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/paths"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// MaxBody is the most of a response body a Checker keeps to validate; a
// longer body is reported as a problem.
const MaxBody = 64 << 20

// A Checker validates responses against the server's OpenAPI document. It
// is safe for concurrent use.
type Checker struct {
	v         validator.Validator
	model     *v3.Document
	opts      *config.ValidationOptions
	errSchema *base.Schema

	// Validated counts the responses of handlers checked (Check alone
	// does not count); Unanswered the requests whose client left before
	// the handler answered (nothing to check).
	Validated, Unanswered atomic.Int64
}

var (
	shared     *Checker
	sharedErr  error
	sharedOnce sync.Once
)

// Shared returns the one Checker of the process, built on first use.
func Shared() (*Checker, error) {
	sharedOnce.Do(func() { shared, sharedErr = New(server.OpenAPI()) })
	return shared, sharedErr
}

// New returns a Checker for the OpenAPI document doc. It fails if doc is
// not a valid OpenAPI 3.1 document.
func New(doc []byte) (*Checker, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("apicheck: %w", err)
	}
	m, err := d.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("apicheck: %w", err)
	}
	v, errs := validator.NewValidator(d, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("apicheck: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("apicheck: the document is not valid OpenAPI: %v", verrs)
	}
	c := &Checker{v: v, model: &m.Model, opts: config.NewValidationOptions()}
	if sp, ok := m.Model.Components.Schemas.Get("Error"); ok {
		c.errSchema = sp.Schema()
	}
	if c.errSchema == nil {
		return nil, fmt.Errorf("apicheck: the document has no components.schemas.Error")
	}
	return c, nil
}

// Handler returns h with every response it writes checked: report is
// called once per response that does not match, with what is wrong.
func (c *Checker) Handler(h http.Handler, report func(problem string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if !rec.wrote && r.Context().Err() != nil {
			c.Unanswered.Add(1) // the client left and nothing was sent
			return
		}
		if rec.header == nil { // nothing written: net/http sends 200, no body
			rec.snapshot(http.StatusOK)
		}
		if rec.over {
			report(fmt.Sprintf("%s %s: a body over %d bytes was not validated", r.Method, r.URL, MaxBody))
			return
		}
		c.Validated.Add(1)
		if problems := c.Check(r, rec.status, rec.header, rec.body.Bytes()); len(problems) > 0 {
			report(fmt.Sprintf("%s %s answered %d, which the OpenAPI document does not allow:\n\t%s\n\tbody: %.300s",
				r.Method, r.URL, rec.status, strings.Join(problems, "\n\t"), rec.body.Bytes()))
		}
	})
}

// Check validates one response to req and returns what is wrong with it,
// nothing if it matches the document.
func (c *Checker) Check(req *http.Request, status int, header http.Header, body []byte) []string {
	if req.Method == http.MethodHead {
		return []string{"HEAD is not described as an operation: apicheck cannot check it"}
	}
	res := &http.Response{StatusCode: status, Header: header.Clone(), Body: http.NoBody, Request: req}
	if len(body) > 0 {
		res.Body = readCloser{bytes.NewReader(body)}
		if res.Header.Get("Content-Type") == "" {
			res.Header.Set("Content-Type", http.DetectContentType(body)) // as net/http does
		}
	}
	item, errs, _ := paths.FindPath(req, c.model, c.opts)
	if item == nil || len(errs) > 0 {
		missingOp := item != nil && len(errs) > 0 && errs[0].ValidationSubType == helpers.ValidationMissingOperation
		return c.checkUndocumented(req, item, missingOp, status, header, body)
	}
	var problems []string
	if ok, verrs := c.v.ValidateHttpResponse(req, res); !ok {
		for _, e := range verrs {
			p := e.Message
			if e.Reason != "" {
				p += ": " + e.Reason
			}
			for _, f := range e.SchemaValidationErrors {
				p += fmt.Sprintf("; at %s: %s", f.FieldPath, f.Reason)
			}
			problems = append(problems, p)
		}
	}
	return problems
}

// checkUndocumented checks the answer to a request the document has no
// operation for: 404 for a path it does not list, 405 with Allow for a
// method the path does not have, each with the error body.
func (c *Checker) checkUndocumented(req *http.Request, item *v3.PathItem, missingOp bool, status int, header http.Header, body []byte) []string {
	var problems []string
	want := http.StatusNotFound
	if missingOp {
		want = http.StatusMethodNotAllowed
		var allow []string
		for m := range item.GetOperations().KeysFromOldest() {
			allow = append(allow, strings.ToUpper(m))
		}
		if slices.Contains(allow, "GET") {
			allow = append(allow, "HEAD")
		}
		slices.Sort(allow)
		var got []string
		for m := range strings.SplitSeq(header.Get("Allow"), ",") {
			if m = strings.TrimSpace(m); m != "" {
				got = append(got, m)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, allow) {
			problems = append(problems, fmt.Sprintf("Allow %q, want the path's methods %s", header.Get("Allow"), strings.Join(allow, ", ")))
		}
	}
	if status != want {
		return append(problems, fmt.Sprintf("the document has no operation %s %s: want %d, got %d", req.Method, req.URL.Path, want, status))
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		problems = append(problems, fmt.Sprintf("Content-Type %q, want application/json", ct))
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return append(problems, "the body is not JSON: "+err.Error())
	}
	sv := schema_validation.NewSchemaValidator()
	if ok, verrs := sv.ValidateSchemaObjectWithVersion(c.errSchema, v, 3.1); !ok {
		for _, e := range verrs {
			p := "the body is not the error body: " + e.Message
			for _, f := range e.SchemaValidationErrors {
				p += fmt.Sprintf("; at %s: %s", f.FieldPath, f.Reason)
			}
			problems = append(problems, p)
		}
	}
	if m, ok := v.(map[string]any); ok {
		if e, ok := m["error"].(map[string]any); ok && e["code"] != float64(status) {
			problems = append(problems, fmt.Sprintf("error.code %v, want %d", e["code"], status))
		}
	}
	return problems
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// recorder passes a response through and keeps its status, its header as
// sent, and its body.
type recorder struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
	wrote  bool
	over   bool
}

func (r *recorder) snapshot(status int) {
	if r.header == nil {
		r.status, r.header = status, r.ResponseWriter.Header().Clone()
	}
}

func (r *recorder) WriteHeader(code int) {
	if code >= 100 && code < 200 {
		r.ResponseWriter.WriteHeader(code) // informational: the answer comes later
		return
	}
	r.snapshot(code)
	r.wrote = true
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.snapshot(http.StatusOK)
	r.wrote = true
	if r.body.Len()+len(p) > MaxBody {
		r.over = true
	} else {
		r.body.Write(p)
	}
	return r.ResponseWriter.Write(p)
}

// Flush and Unwrap keep http.ResponseController working through the
// recorder (deadlines, flushes).
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
