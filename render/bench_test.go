package render_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
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
			convert(b, r, in, rows)
		})
	}
}

// BenchmarkRowCounts converts documents of 10,000, 100,000 and 1,000,000
// rows × 10 columns with every registered format, decoding included, to
// io.Discard, for the rows/s at each size: a cost that grows linearly
// shows the same rows/s at all three. A format's three sizes run one after
// the other, so that they see the machine alike. The inputs need about
// 260 MB of memory; run it with -benchtime of a few seconds, so that the
// smaller sizes run many times and first-run costs do not count.
func BenchmarkRowCounts(b *testing.B) {
	sizes := []int{10000, 100000, 1000000}
	ins := make([][]byte, len(sizes))
	for i, rows := range sizes {
		ins[i] = benchdoc.Bytes(rows, 10)
	}
	for _, f := range render.Formats() {
		for i, rows := range sizes {
			in := ins[i]
			b.Run(fmt.Sprintf("%s/rows=%d", f.Name, rows), func(b *testing.B) {
				var opts render.Options
				if f.Name == "pdf" {
					opts = render.Options{"max-pages": strconv.Itoa(rows/10 + 100)} // about 22 rows a page
				}
				r, err := f.NewRenderer(opts)
				if err != nil {
					b.Fatal(err)
				}
				convert(b, r, in, rows)
			})
		}
	}
}

// BenchmarkFixed converts a document of one 10-column row with every
// registered format: what a document costs before its rows (the part of
// BenchmarkRowCounts' 10,000-row figure that does not grow with rows).
func BenchmarkFixed(b *testing.B) {
	in := benchdoc.Bytes(1, 10)
	for _, f := range render.Formats() {
		b.Run(f.Name, func(b *testing.B) {
			r, err := f.NewRenderer(nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Render(context.Background(), io.Discard, report.Read(bytes.NewReader(in))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNumbers converts the same 100,000 rows (10,000 for PDF) × 10
// columns twice in each format, decoding included, to io.Discard: plain,
// and with what readers ask of numbers, the locale de-DE and a format, a
// total and a link template on every number column (4 of the 10; see
// benchdoc.NumberColumns). CSV writes values as given unless
// formatted=true, also measured. The two run one after the other for each
// format, so that they see the machine alike; compare their rows/s with
// benchstat over -count 6 or more.
func BenchmarkNumbers(b *testing.B) {
	const rows, pdfRows = 100000, 10000
	ins := map[bool][2][]byte{
		false: {benchdoc.Bytes(rows, 10), benchdoc.NumbersBytes(rows, 10)},
		true:  {benchdoc.Bytes(pdfRows, 10), benchdoc.NumbersBytes(pdfRows, 10)},
	}
	cases := []struct {
		name, format string
		opts         render.Options
	}{
		{"csv", "csv", nil},
		{"csv-formatted", "csv", render.Options{"formatted": "true"}},
		{"xlsx", "xlsx", nil},
		{"html", "html", nil},
		{"md", "md", nil},
		{"pdf", "pdf", render.Options{"max-pages": strconv.Itoa(pdfRows/10 + 100)}},
	}
	for _, c := range cases {
		f, err := render.Lookup(c.format)
		if err != nil {
			b.Fatal(err)
		}
		n := rows
		if c.format == "pdf" {
			n = pdfRows
		}
		for i, kind := range []string{"plain", "numbers"} {
			in := ins[c.format == "pdf"][i]
			b.Run(c.name+"/"+kind, func(b *testing.B) {
				r, err := f.NewRenderer(c.opts)
				if err != nil {
					b.Fatal(err)
				}
				convert(b, r, in, n)
			})
		}
	}
}

// convert decodes the document in, of rows rows, and renders it with r to
// io.Discard in b's loop, and reports its rows/s.
func convert(b *testing.B, r render.Renderer, in []byte, rows int) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Render(context.Background(), io.Discard, report.Read(bytes.NewReader(in))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
