package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/foliorender/folio/server"
)

func TestOpenAPI(t *testing.T) {
	code, out, stderr := runCLI(t, "", "openapi")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !bytes.Equal([]byte(out), server.OpenAPI()) {
		t.Errorf("folio openapi prints %d bytes, not the server's document (%d bytes)", len(out), len(server.OpenAPI()))
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.OpenAPI != "3.1.0" || doc.Paths["/jobs"] == nil {
		t.Errorf("not the OpenAPI 3.1 document: %v, openapi %q", err, doc.OpenAPI)
	}
	if code, _, stderr := runCLI(t, "", "openapi", "extra"); code != exitUsage || !strings.Contains(stderr, "unexpected argument") {
		t.Errorf("openapi extra: exit %d, %q", code, stderr)
	}
	if code, out, _ := runCLI(t, "", "openapi", "--help"); code != 0 || !strings.Contains(out, "Usage: folio openapi") {
		t.Errorf("openapi --help: exit %d, %q", code, out)
	}
	if _, out, _ := runCLI(t, "", "help"); !strings.Contains(out, "folio openapi") {
		t.Errorf("the usage does not list openapi:\n%s", out)
	}
}
