package pdf

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTotalAfter draws "N pages" at the top of every page of a 12-page
// document, the text after the count flowing after its two digits, on
// portrait and landscape pages, and reads it back.
func TestTotalAfter(t *testing.T) {
	var buf bytes.Buffer
	d, err := (&Renderer{}).newDoc(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	c := d.c
	ch := c.fonts.chains[regular]
	fc := ch[len(ch)-1]
	for i := range 12 {
		if err := c.newPage(i%2 == 1); err != nil {
			t.Fatal(err)
		}
		bad := 0
		rs, ws, fs := ch.shape([]byte(" pages — Ωμέγα 統計"), nil, nil, nil, &bad)
		c.total(fc, 10, c.left(), marginTop, shaped{rs, ws, fs})
		c.used = true
	}
	if err := d.finish(); err != nil {
		t.Fatal(err)
	}
	if err := c.pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	if got := len(c.totals); got != 2 { // and the footer's
		t.Errorf("%d forms, want 2", got)
	}
	f := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"qpdf", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required: %v", tool, err)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	if b, err := exec.Command("qpdf", "--check", f).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, b)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f"), "\f")
	if len(pages) != 12 {
		t.Fatalf("%d pages, want 12", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, "12 pages — Ωμέγα") {
			t.Errorf("page %d: %q, want 12 pages — Ωμέγα", i+1, p)
		}
	}
}
