package csv_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/render/csv"
	"github.com/foliorender/folio/report"
)

// BenchmarkRender converts a 10,000-row × 10-column document, decoding
// included, to io.Discard: plain, and with a format, a total and a link
// template on every number column (benchdoc.NumbersBytes), as values and
// with Formatted.
func BenchmarkRender(b *testing.B) {
	const rows = 10000
	plain, numbers := benchdoc.Bytes(rows, 10), benchdoc.NumbersBytes(rows, 10)
	for _, bc := range []struct {
		name string
		in   []byte
		r    csv.Renderer
	}{
		{"plain", plain, csv.Renderer{}},
		{"numbers", numbers, csv.Renderer{}},
		{"plain-formatted", plain, csv.Renderer{Formatted: true}},
		{"numbers-formatted", numbers, csv.Renderer{Formatted: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.r.Render(context.Background(), io.Discard, report.Read(bytes.NewReader(bc.in))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
