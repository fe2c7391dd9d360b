package pflate_test

import (
	"bytes"
	stdflate "compress/flate"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/flate"

	"github.com/foliorender/folio/internal/pflate"
)

// sheetXML returns n bytes of worksheet-like XML: rows of numbered cells,
// repetitive like a real sheet but never the same row twice.
func sheetXML(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"Straße", "Ωμέγα", "Москва", "東京", "Workpack A", "GVI"}
	var b bytes.Buffer
	for row := 1; b.Len() < n; row++ {
		fmt.Fprintf(&b, `<row r="%d">`, row)
		for c := range 10 {
			ref := string(rune('A'+c)) + strconv.Itoa(row)
			switch c % 3 {
			case 0:
				fmt.Fprintf(&b, `<c r="%s" t="str"><v>%s %d</v></c>`, ref, words[r.IntN(len(words))], r.IntN(100000))
			case 1:
				fmt.Fprintf(&b, `<c r="%s" s="3"><v>%d</v></c>`, ref, r.IntN(2000000)-1000000)
			default:
				fmt.Fprintf(&b, `<c r="%s" t="b"><v>%d</v></c>`, ref, r.IntN(2))
			}
		}
		b.WriteString(`</row>`)
	}
	return b.Bytes()[:n]
}

func random(n int) []byte {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// compress writes data to a Writer of workers in writes of chunk bytes.
func compress(t testing.TB, data []byte, workers, chunk int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := pflate.NewWriter(&out, 5, workers)
	if err != nil {
		t.Fatal(err)
	}
	for p := data; len(p) > 0; {
		k := min(chunk, len(p))
		n, err := w.Write(p[:k])
		if err != nil || n != k {
			t.Fatalf("Write: %d, %v; want %d, nil", n, err, k)
		}
		p = p[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// plain compresses data with one klauspost flate.Writer at level 5.
func plain(t testing.TB, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	fw, err := flate.NewWriter(&out, 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestWriter(t *testing.T) {
	const bs = pflate.BlockSize
	for _, c := range []struct {
		name  string
		data  []byte
		chunk int
	}{
		{"empty", nil, 1},
		{"tiny", []byte("<row/>"), 1 << 20},
		{"one block", sheetXML(bs), 32 << 10},
		{"one block and a byte", sheetXML(bs + 1), 32 << 10},
		{"many blocks", sheetXML(5*bs + bs/3), 32 << 10},
		{"exactly many blocks", sheetXML(4 * bs), 32 << 10},
		{"incompressible", random(3*bs + 17), 32 << 10},
		{"writes of 1 byte", sheetXML(2*bs + 5), 1},
		{"writes of 7 bytes across block ends", sheetXML(3*bs - 1), 7},
		{"one huge write", sheetXML(6*bs + 123), 6*bs + 123},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The reference: one worker, one write.
			want := compress(t, c.data, 1, max(len(c.data), 1))
			for _, workers := range []int{1, 4} {
				got := compress(t, c.data, workers, c.chunk)
				if !bytes.Equal(got, want) {
					t.Fatalf("%d workers, writes of %d: %d bytes differ from the %d of one worker and one write",
						workers, c.chunk, len(got), len(want))
				}
			}
			for name, r := range map[string]io.Reader{
				"compress/flate":           stdflate.NewReader(bytes.NewReader(want)),
				"klauspost/compress/flate": flate.NewReader(bytes.NewReader(want)),
			} {
				back, err := io.ReadAll(r)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !bytes.Equal(back, c.data) {
					t.Fatalf("%s inflates %d bytes, not the %d written", name, len(back), len(c.data))
				}
			}
			if len(c.data) <= bs {
				if p := plain(t, c.data); !bytes.Equal(want, p) {
					t.Errorf("one block: %d bytes, not the %d of a plain flate.Writer", len(want), len(p))
				}
			} else if len(want) >= len(c.data)/2 && c.name != "incompressible" {
				t.Errorf("%d bytes compressed to %d", len(c.data), len(want))
			}
		})
	}
}

// failAfter accepts n bytes, then fails.
type failAfter struct{ n int }

var errDisk = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errDisk
	}
	f.n -= len(p)
	return len(p), nil
}

// shortWriter accepts one byte less than it is given, without an error.
type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return max(len(p)-1, 0), nil }

func TestWriterDestinationError(t *testing.T) {
	data := sheetXML(6 * pflate.BlockSize)
	for _, c := range []struct {
		name string
		dst  io.Writer
		want error
	}{
		{"fails at once", &failAfter{0}, errDisk},
		{"fails in the third block", &failAfter{2*len(plain(t, data))/6 + 10}, errDisk},
		{"short write", shortWriter{}, io.ErrShortWrite},
	} {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/%d workers", c.name, workers), func(t *testing.T) {
				w, err := pflate.NewWriter(c.dst, 5, workers)
				if err != nil {
					t.Fatal(err)
				}
				var werr error
				for p := data; len(p) > 0 && werr == nil; p = p[min(len(p), 64<<10):] {
					_, werr = w.Write(p[:min(len(p), 64<<10)])
				}
				cerr := w.Close()
				if !errors.Is(cerr, c.want) {
					t.Errorf("Close: %v, want %v", cerr, c.want)
				}
				if werr != nil && !errors.Is(werr, c.want) {
					t.Errorf("Write: %v, want %v", werr, c.want)
				}
				if _, err := w.Write([]byte("x")); err == nil {
					t.Error("Write after Close: no error")
				}
			})
		}
	}
}

func TestNewWriterLevel(t *testing.T) {
	if _, err := pflate.NewWriter(io.Discard, 10, 1); err == nil {
		t.Error("level 10: no error")
	}
}

// BenchmarkWriter compresses 16 MiB of worksheet-like XML with one plain
// flate.Writer (what the XLSX archive used before) and with a Writer of
// one worker and of GOMAXPROCS, at level 5, reporting the compressed size.
func BenchmarkWriter(b *testing.B) {
	data := sheetXML(16 << 20)
	run := func(b *testing.B, newWriter func(io.Writer) (io.WriteCloser, error)) {
		b.SetBytes(int64(len(data)))
		var out countWriter
		cpu0 := cpuTime(b)
		for b.Loop() {
			out = 0
			w, err := newWriter(&out)
			if err != nil {
				b.Fatal(err)
			}
			for p := data; len(p) > 0; p = p[min(len(p), 32<<10):] {
				if _, err := w.Write(p[:min(len(p), 32<<10)]); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(out)/float64(len(data))*100, "%size")
		// CPU time is steadier than wall time on a shared machine.
		b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("plain", func(b *testing.B) {
		run(b, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, 5) })
	})
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers-%d", workers), func(b *testing.B) {
			run(b, func(w io.Writer) (io.WriteCloser, error) { return pflate.NewWriter(w, 5, workers) })
		})
	}
}

// cpuTime returns the user and system time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// TestCloseOpen joins streams left open by CloseOpen and one ended by
// Close, each compressed on its own: they inflate to the inputs in turn,
// and the bytes do not depend on the workers.
func TestCloseOpen(t *testing.T) {
	const bs = pflate.BlockSize
	parts := [][]byte{[]byte(`<?xml version="1.0"?><worksheet><sheetData>`), nil, sheetXML(3*bs + 99), sheetXML(bs), []byte(`</sheetData></worksheet>`)}
	join := func(workers int) []byte {
		var out bytes.Buffer
		for i, p := range parts {
			w, err := pflate.NewWriter(&out, 5, workers)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(p); err != nil {
				t.Fatal(err)
			}
			end := w.CloseOpen
			if i == len(parts)-1 {
				end = w.Close
			}
			if err := end(); err != nil {
				t.Fatal(err)
			}
		}
		return out.Bytes()
	}
	one := join(1)
	if four := join(4); !bytes.Equal(one, four) {
		t.Fatalf("4 workers: %d bytes differ from the %d of one", len(four), len(one))
	}
	want := bytes.Join(parts, nil)
	for name, r := range map[string]io.Reader{
		"compress/flate":           stdflate.NewReader(bytes.NewReader(one)),
		"klauspost/compress/flate": flate.NewReader(bytes.NewReader(one)),
	} {
		back, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(back, want) {
			t.Fatalf("%s inflates %d bytes, not the %d written", name, len(back), len(want))
		}
	}
	// Left open, a stream has no end: a reader runs out of input.
	var out bytes.Buffer
	w, _ := pflate.NewWriter(&out, 5, 1)
	w.Write(parts[0])
	if err := w.CloseOpen(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(stdflate.NewReader(&out)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("an open stream reads with %v, want io.ErrUnexpectedEOF", err)
	}
}
