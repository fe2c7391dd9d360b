package report_test

import (
	"bytes"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/report"
)

// BenchmarkRead decodes a 100,000-row × 10-column document, pulling every
// row; b.SetBytes makes the figure MB/s of JSON.
func BenchmarkRead(b *testing.B) {
	in := benchdoc.Bytes(100000, 10)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for el, err := range report.Read(bytes.NewReader(in)).Elements() {
			if err != nil {
				b.Fatal(err)
			}
			if t, ok := el.(*report.Table); ok {
				for _, err := range t.Rows() {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
		}
		if n != 100000 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
