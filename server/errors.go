package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/schema"
)

// An Error is an answer with an HTTP status and the body
// {"error": {"code": Code, "message": Message, "details": Details}}.
type Error struct {
	Code    int
	Message string
	Details []any // ParamDetail, report.Violation, or anything JSON
	// RetryAfter, if positive, is sent as the Retry-After header (whole
	// seconds, rounded up): a retry after it can succeed.
	RetryAfter time.Duration
}

// Error returns the status and the message, "404 job not found", for logs;
// the client gets the JSON body.
func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Message) }

// A ParamDetail names a query parameter that failed validation.
type ParamDetail struct {
	Parameter string `json:"parameter"`
	Message   string `json:"message"`
}

func errorf(code int, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

var errForbidden = errors.New("server: another user's job")

// full reports whether err says the storage is full: blob.ErrFull, or the
// system's error from a blob store that does not map it.
func full(err error) bool {
	return errors.Is(err, blob.ErrFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// toError maps an error to the answer: the one place that decides statuses.
func (s *Server) toError(err error) *Error {
	var e *Error
	var mbe *http.MaxBytesError
	var ve *schema.ValidationError
	var fe *jobs.FormatError
	switch {
	case errors.As(err, &e):
		return e
	case full(err):
		return &Error{Code: http.StatusInsufficientStorage, Message: "the server's storage is full; try again later",
			RetryAfter: s.cfg.FullRetryAfter}
	case errors.Is(err, artifact.ErrBusy):
		return &Error{Code: http.StatusServiceUnavailable, Message: "every renderer is busy; try again later",
			RetryAfter: s.cfg.RetryAfter}
	case errors.As(err, &fe):
		return errorf(http.StatusUnprocessableEntity, "this job cannot be rendered as %s: %s", fe.Format, fe.Reason)
	case errors.Is(err, ErrNoCredentials):
		return errorf(http.StatusUnauthorized, "authentication required: send Authorization: Bearer TOKEN")
	case errors.Is(err, ErrInvalidToken):
		return errorf(http.StatusUnauthorized, "invalid token")
	case errors.Is(err, errForbidden):
		return errorf(http.StatusForbidden, "this job belongs to another user")
	case errors.Is(err, jobs.ErrNotFound):
		return errorf(http.StatusNotFound, "job not found")
	case errors.Is(err, jobs.ErrConflict):
		return errorf(http.StatusConflict, "%s", trimPkg(err.Error()))
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "request body larger than the limit of %d bytes", mbe.Limit)
	case errors.As(err, &ve):
		e := errorf(http.StatusUnprocessableEntity, "invalid document: %d problems", len(ve.Violations)+ve.More)
		for _, v := range ve.Violations {
			e.Details = append(e.Details, v)
		}
		return e
	case errors.Is(err, render.ErrUnknownFormat):
		return errorf(http.StatusUnprocessableEntity, "%s", trimPkg(err.Error()))
	case errors.Is(err, blob.ErrNotFound):
		return errorf(http.StatusNotFound, "stored content not found")
	case errors.Is(err, context.DeadlineExceeded):
		return errorf(http.StatusServiceUnavailable, "the request took too long")
	}
	return errorf(http.StatusInternalServerError, "internal error")
}

func trimPkg(s string) string {
	for _, p := range []string{"jobs: conflict: ", "jobs: ", "render: "} {
		if len(s) > len(p) && s[:len(p)] == p {
			return s[len(p):]
		}
	}
	return s
}

// statusClientGone is the access log's status of a request whose client
// went away before the answer (nginx's 499): nothing was answered.
const statusClientGone = 499

// writeError answers r with err mapped by toError. A 500 is logged as an
// error, a 503 or 507 as a warning; the error's text is not shown to the
// client. A request whose
// client has gone is not answered and not logged as an error (but one cut
// for a body too slow is answered 408: its client may still read).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := s.toError(err)
	if r.Context().Err() != nil && e.Code != http.StatusRequestTimeout {
		if rec, ok := w.(*recorder); ok {
			rec.status = statusClientGone
		}
		return
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	switch e.Code {
	case http.StatusRequestTimeout:
		w.Header().Set("Connection", "close")
	case http.StatusUnauthorized:
		challenge := `Bearer realm="folio"`
		if errors.Is(err, ErrInvalidToken) {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	case http.StatusInternalServerError:
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", e.Code), slog.String("error", err.Error()))
	case http.StatusServiceUnavailable, http.StatusInsufficientStorage:
		if e.Code == http.StatusInsufficientStorage {
			s.stats.Full507.Add(1)
		}
		// Expected under load or a full disk: the operator's warning, not an error.
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "request shed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", e.Code), slog.String("error", err.Error()))
	}
	details := e.Details
	if details == nil {
		details = []any{}
	}
	writeJSON(w, e.Code, map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message, "details": details}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		b = []byte(`{"error":{"code":500,"message":"internal error","details":[]}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}
