package xlsx

import (
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"testing"

	kflate "github.com/klauspost/compress/flate"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/report"
)

var benchWords = []string{"Straße", "Ωμέγα", "Москва", "東京", "Workpack A", "GVI"}

// benchDoc returns a table of n rows of 10 mixed columns like bench/gen's.
func benchDoc(n int) *report.Document {
	cols := make([]report.Column, 10)
	for i := range cols {
		cols[i] = report.Column{Caption: fmt.Sprintf("Column %d", i+1)}
	}
	words := benchWords
	row := report.Row{Cells: make([]report.Value, 10)}
	return report.New("Bench", report.NewTable("Data", cols, func(yield func(report.Row, error) bool) {
		for i := range n {
			for c := range 10 {
				switch c % 5 {
				case 0:
					row.Cells[c] = report.String(fmt.Sprintf("%s %d", words[(i+c)%len(words)], i))
				case 1:
					row.Cells[c] = report.Int(int64(i*7919%2000000 - 1000000))
				case 2:
					row.Cells[c] = report.Float(float64(i*31%10000000) / 100)
				case 3:
					row.Cells[c] = report.Bool(i%3 == 0)
				default:
					row.Cells[c] = report.String(words[i%len(words)])
				}
			}
			if !yield(row, nil) {
				return
			}
		}
	}))
}

type flusher interface {
	io.WriteCloser
	Flush() error
}

// flushCloser's Close ends the stream with a sync flush, leaving it open.
type flushCloser struct{ flusher }

func (f flushCloser) Close() error { return f.Flush() }

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkRender renders 50,000 rows x 10 columns with the DEFLATE of
// klauspost/compress and of the standard library, one writer for each
// entry (the default is klauspost's in blocks, see compressor), reporting
// rows/s and the output size.
func BenchmarkRender(b *testing.B) {
	const rows = 50000
	for _, c := range []struct {
		name string
		comp func(io.Writer) (io.WriteCloser, error)
	}{
		{"klauspost-5", func(w io.Writer) (io.WriteCloser, error) { return kflate.NewWriter(w, 5) }},
		{"klauspost-1", func(w io.Writer) (io.WriteCloser, error) { return kflate.NewWriter(w, 1) }},
		{"stdlib-5", func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, 5) }},
		{"stdlib-1", func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, 1) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			old, oldOpen := compressor, openCompressor
			compressor = c.comp
			openCompressor = func(w io.Writer) (io.WriteCloser, error) {
				zw, err := c.comp(w)
				if err != nil {
					return nil, err
				}
				return flushCloser{zw.(flusher)}, nil
			}
			defer func() { compressor, openCompressor = old, oldOpen }()
			var size int64
			for b.Loop() {
				var w countWriter
				if err := (&Renderer{}).Render(context.Background(), &w, benchDoc(rows)); err != nil {
					b.Fatal(err)
				}
				size = w.n
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(size)/(1<<20), "MB")
		})
	}
}

// BenchmarkDocument renders internal/benchdoc's 10,000-row document as
// folio convert decodes it, plain and with a format, a total and a link
// template on every number column (benchdoc.NumberColumns): what the
// numbers document costs beyond the plain one.
func BenchmarkDocument(b *testing.B) {
	const rows = 10000
	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"plain", benchdoc.Bytes(rows, 10)},
		{"numbers", benchdoc.NumbersBytes(rows, 10)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var w countWriter
				if err := (&Renderer{}).Render(context.Background(), &w, report.Read(bytes.NewReader(c.in))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
