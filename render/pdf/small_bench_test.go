package pdf_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/foliorender/folio/render/pdf"
	"github.com/foliorender/folio/report"
)

// BenchmarkSeed renders the seed example: the fixed cost of a small report.
func BenchmarkSeed(b *testing.B) {
	data, err := os.ReadFile("../../testdata/seed.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := (&pdf.Renderer{}).Render(context.Background(), &buf, report.Read(bytes.NewReader(data))); err != nil {
			b.Fatal(err)
		}
	}
}
