package pdf_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/render/pdf"
	"github.com/foliorender/folio/report"
)

// BenchmarkDecodeAndRender renders a decoded document of 10,000 rows of 10
// columns like bench/gen's.
func BenchmarkDecodeAndRender(b *testing.B) { benchDecodeAndRender(b, benchdoc.Bytes(10000, 10)) }

// BenchmarkDecodeAndRenderNumbers is BenchmarkDecodeAndRender with a
// format, a total and a link template on every number column: 40,000 link
// annotations.
func BenchmarkDecodeAndRenderNumbers(b *testing.B) {
	benchDecodeAndRender(b, benchdoc.NumbersBytes(10000, 10))
}

func benchDecodeAndRender(b *testing.B, in []byte) {
	const n = 10000
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (&pdf.Renderer{}).Render(context.Background(), io.Discard, report.Read(bytes.NewReader(in))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
