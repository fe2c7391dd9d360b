package server

import (
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openapiJSON []byte

// OpenAPI returns the OpenAPI 3.1 document (JSON) of the API a Server
// serves, CONTRACT.md section 4: every path, parameter, status, header and
// body. The Server serves it at GET /openapi.json, without a token, and
// `folio openapi` prints it. The slice is the caller's to keep or change.
func OpenAPI() []byte { return append([]byte(nil), openapiJSON...) }

// openapi is GET /openapi.json.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(openapiJSON)
}
