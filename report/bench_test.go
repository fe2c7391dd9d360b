package report_test

import (
	"bytes"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/report"
)

// BenchmarkRead decodes a 100,000-row × 10-column document, pulling every
// row; b.SetBytes makes the figure MB/s of JSON.
func BenchmarkRead(b *testing.B) { benchRead(b, benchdoc.Bytes(100000, 10)) }

// BenchmarkReadNumbers is BenchmarkRead with a format, a total and a link
// template on every number column (benchdoc.NumberColumns): the totals are
// computed and the row of totals made.
func BenchmarkReadNumbers(b *testing.B) { benchRead(b, benchdoc.NumbersBytes(100000, 10)) }

func benchRead(b *testing.B, in []byte) {
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
				t.FooterRows()
			}
		}
		if n != 100000 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
