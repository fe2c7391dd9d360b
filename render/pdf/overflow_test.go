package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/foliorender/folio/render/pdf"
	"github.com/foliorender/folio/report"
)

// TestWidthOverflow renders a word whose width in 1/1000 em (about 944
// per "W") is more than 2^31: it needs thousands of pages, so with a
// limit of 5 the render must fail with ErrPageLimit rather than fit the
// word on one line of one page.
func TestWidthOverflow(t *testing.T) {
	word := strings.Repeat("W", 2_300_000) + "END"
	docs := map[string]*report.Document{
		"cell": report.New("", report.NewTable("W", []report.Column{{Caption: "a"}},
			report.RowsOf(report.Cells(report.String(word))))),
		"paragraph": report.New("", &report.Paragraph{Runs: []report.Run{{Text: word + " END"}}}),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			err := (&pdf.Renderer{MaxPages: 5}).Render(context.Background(), &buf, doc)
			if !errors.Is(err, pdf.ErrPageLimit) {
				t.Fatalf("Render = %v (%d bytes), want ErrPageLimit", err, buf.Len())
			}
		})
	}
}
