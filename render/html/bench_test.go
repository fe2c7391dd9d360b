package html_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/report"
)

// BenchmarkDecodeAndRender renders a decoded document of 10,000 rows of 10
// columns like bench/gen's.
func BenchmarkDecodeAndRender(b *testing.B) { benchDecodeAndRender(b, benchdoc.Bytes(10000, 10)) }

// BenchmarkDecodeAndRenderNumbers is BenchmarkDecodeAndRender with a
// format, a total and a link template on every number column.
func BenchmarkDecodeAndRenderNumbers(b *testing.B) {
	benchDecodeAndRender(b, benchdoc.NumbersBytes(10000, 10))
}

func benchDecodeAndRender(b *testing.B, in []byte) {
	const n = 10000
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := (&html.Renderer{}).Render(context.Background(), io.Discard, report.Read(bytes.NewReader(in))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRender renders 10,000 rows built in Go: the renderer's own cost.
func BenchmarkRender(b *testing.B) {
	cols := []report.Column{{Caption: "A"}, {Caption: "B", Type: report.TypeNumber}, {Caption: "C"}, {Caption: "D", Type: report.TypeBoolean}}
	benchRender(b, "", cols, report.Cells(report.String("Straße <b> & Ωμέγα"), report.Int(-123456), report.String("東京 Workpack A"), report.Bool(true)))
}

// BenchmarkRenderNumbers is BenchmarkRender with number columns formatted
// in de-DE and linked by templates, as benchdoc.NumberColumns has them.
func BenchmarkRenderNumbers(b *testing.B) {
	cols := []report.Column{
		{Caption: "A"},
		{Caption: "B", Type: report.TypeNumber, Format: numfmt.MustParse("#,##0"), Link: "https://erp.example/items/{value}"},
		{Caption: "C", Type: report.TypeNumber, Format: numfmt.MustParse(`"€ "#,##0.00;("€ "#,##0.00)`), Link: "https://erp.example/amounts?v={value}"},
		{Caption: "D", Type: report.TypeBoolean},
	}
	amount, _ := report.Number("-78442.80")
	benchRender(b, "de-DE", cols, report.Cells(report.String("Straße <b> & Ωμέγα"), report.Int(-123456), amount, report.Bool(true)))
}

func benchRender(b *testing.B, locale string, cols []report.Column, row report.Row) {
	const n = 10000
	b.ReportAllocs()
	for b.Loop() {
		rows := func(yield func(report.Row, error) bool) {
			for range n {
				if !yield(row, nil) {
					return
				}
			}
		}
		doc := report.New("", report.NewTable("T", cols, rows))
		doc.SetLocale(locale)
		if err := (&html.Renderer{}).Render(context.Background(), io.Discard, doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
