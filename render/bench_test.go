package render_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
)

// BenchmarkRender converts a 100,000-row × 10-column JSON document with
// every registered format, decoding included, to io.Discard.
func BenchmarkRender(b *testing.B) {
	const rows = 100000
	in := benchdoc.Bytes(rows, 10)
	for _, f := range render.Formats() {
		b.Run(f.Name, func(b *testing.B) {
			r, err := f.NewRenderer(nil)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Render(context.Background(), io.Discard, report.Read(bytes.NewReader(in))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
