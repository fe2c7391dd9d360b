package html_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"testing"

	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/report"
)

// benchJSON returns a decoded-document input of n rows like bench/gen's.
func benchJSON(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"title":"Bench","elements":[{"type":"table","caption":"Data","data":{"columns":[`)
	for c := range 10 {
		if c > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"caption":"Column %d"}`, c+1)
	}
	b.WriteString(`],"rows":[`)
	words := []string{"Straße", "Ωμέγα", "Москва", "東京", "Workpack A", "GVI & <co>"}
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"cells":[`)
		for c := range 10 {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"value":`)
			switch c % 5 {
			case 0, 4:
				b.WriteString(strconv.Quote(words[(i+c)%len(words)] + " " + strconv.Itoa(i)))
			case 1:
				b.WriteString(strconv.Itoa(i*7 - 1000))
			case 2:
				b.WriteString(strconv.FormatFloat(float64(i)/100, 'f', 2, 64))
			default:
				b.WriteString(strconv.FormatBool(i%2 == 0))
			}
			b.WriteByte('}')
		}
		b.WriteString("]}")
	}
	b.WriteString("]}}]}")
	return b.Bytes()
}

// BenchmarkDecodeAndRender renders a decoded document of 10,000 rows.
func BenchmarkDecodeAndRender(b *testing.B) {
	const n = 10000
	in := benchJSON(n)
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
	const n = 10000
	cols := []report.Column{{Caption: "A"}, {Caption: "B", Type: report.TypeNumber}, {Caption: "C"}, {Caption: "D", Type: report.TypeBoolean}}
	row := report.Cells(report.String("Straße <b> & Ωμέγα"), report.Int(-123456), report.String("東京 Workpack A"), report.Bool(true))
	b.ReportAllocs()
	for b.Loop() {
		rows := func(yield func(report.Row, error) bool) {
			for range n {
				if !yield(row, nil) {
					return
				}
			}
		}
		if err := (&html.Renderer{}).Render(context.Background(), io.Discard, report.New("", report.NewTable("T", cols, rows))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
