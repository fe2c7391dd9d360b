package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/render/pdf"
	"github.com/foliorender/folio/report"
)

// TestLongParagraphStops renders a 1 MB paragraph with a limit of 2 pages:
// lines are drawn as the text is broken, so the render stops at the third
// page having allocated little, instead of laying out all ~170 pages
// first.
func TestLongParagraphStops(t *testing.T) {
	doc := report.New("", &report.Paragraph{Runs: []report.Run{{Text: strings.Repeat("word ", 200_000)}}})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var buf bytes.Buffer
	err := (&pdf.Renderer{MaxPages: 2}).Render(context.Background(), &buf, doc)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, pdf.ErrPageLimit) {
		t.Fatalf("Render = %v, want ErrPageLimit", err)
	}
	t.Logf("allocated %d KB", (after.TotalAlloc-before.TotalAlloc)>>10)
	const limit = 16 << 20
	if got := after.TotalAlloc - before.TotalAlloc; got > limit {
		t.Errorf("Render allocated %d MB, want at most %d MB", got>>20, limit>>20)
	}
}

// TestLongWordAcrossChunks checks that a word longer than the text shaped
// at a time is still broken into full lines: every line but the last has
// the same number of characters.
func TestLongWordAcrossChunks(t *testing.T) {
	word := strings.Repeat("x", 100_000)
	doc := report.New("", &report.Paragraph{Runs: []report.Run{{Text: "a " + word + " b"}}})
	text := pdftotext(t, renderPDF(t, &pdf.Renderer{}, doc))
	var lines []string
	for _, ln := range strings.Fields(text) {
		if strings.Trim(ln, "x") == "" {
			lines = append(lines, ln)
		}
	}
	if n := len(strings.Join(lines, "")); n != len(word) {
		t.Fatalf("%d x characters in the text, want %d", n, len(word))
	}
	for i, ln := range lines[:len(lines)-1] {
		if len(ln) != len(lines[0]) {
			t.Fatalf("line %d has %d characters, line 0 has %d", i, len(ln), len(lines[0]))
		}
	}
}

// TestLongInvalidText checks that text with no character boundary to cut
// it at (a long run of stray continuation bytes) is still shaped in
// chunks in linear time, each byte printed as a replacement character.
func TestLongInvalidText(t *testing.T) {
	doc := report.New("", &report.Paragraph{Runs: []report.Run{{Text: strings.Repeat("\x80", 1<<20)}}})
	start := time.Now()
	var buf bytes.Buffer
	err := (&pdf.Renderer{MaxPages: 2}).Render(context.Background(), &buf, doc)
	if !errors.Is(err, pdf.ErrPageLimit) {
		t.Fatalf("Render = %v, want ErrPageLimit", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Render took %v", d)
	}
}

// TestLongCellAllocations renders a 3 MB cell with a limit of 2 pages: its
// shaped text (14 bytes a character) is allocated once, not grown by
// appends to several times that.
func TestLongCellAllocations(t *testing.T) {
	doc := report.New("", report.NewTable("W", []report.Column{{Caption: "a"}},
		report.RowsOf(report.Cells(report.String(strings.Repeat("x", 3_000_000))))))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var buf bytes.Buffer
	err := (&pdf.Renderer{MaxPages: 2}).Render(context.Background(), &buf, doc)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, pdf.ErrPageLimit) {
		t.Fatalf("Render = %v, want ErrPageLimit", err)
	}
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d MB", got>>20)
	const limit = 100 << 20
	if got > limit {
		t.Errorf("Render allocated %d MB, want at most %d MB", got>>20, limit>>20)
	}
}
