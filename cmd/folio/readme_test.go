package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's options table")

// TestREADMEOptions holds the README's table of options to the formats'
// declarations (optionRows, which `folio formats --options` prints).
func TestREADMEOptions(t *testing.T) {
	const path = "../../README.md"
	const begin = "<!-- options: made by go test ./cmd/folio -run TestREADMEOptions -update -->\n"
	const end = "<!-- end of options -->\n"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no options table between %q and %q", path, begin, end)
	}
	var b strings.Builder
	b.WriteString("| format | option | type | default | what it does |\n|---|---|---|---|---|\n")
	cell := strings.NewReplacer("|", `\|`, "<", "&lt;").Replace
	code := func(s string) string {
		if s == "" {
			return "—"
		}
		return "`" + cell(s) + "`"
	}
	for _, r := range optionRows() {
		b.WriteString("| " + r[0] + " | " + code(r[1]) + " | " + code(r[2]) + " | " + code(r[3]) + " | " + cell(r[4]) + " |\n")
	}
	got := append(append(append([]byte{}, readme[:i+len(begin)]...), b.String()...), readme[j:]...)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, readme) {
		t.Errorf("the options table of %s differs from the formats' declarations (go test ./cmd/folio -run TestREADMEOptions -update, then git diff):\n%s", path, b.String())
	}
}
