// Package gendoc makes documents too large to hold as readers that produce
// them as they are read, for tests of what decoding holds, and a measure of
// what a piece of code allocates.
package gendoc

import (
	"io"
	"runtime"
)

// A Part is text repeated N times, the copies separated by Sep.
type Part struct {
	Text, Sep string
	N         int
}

// Text is a Part of one copy of s.
func Text(s string) Part { return Part{Text: s, N: 1} }

// Repeat is a Part of n copies of s separated by commas.
func Repeat(s string, n int) Part { return Part{Text: s, Sep: ",", N: n} }

// A reader produces its parts in order, one copy at a time.
type reader struct {
	parts []Part
	i     int    // copies of parts[0] begun
	left  string // what is left of the separator or copy being written
	text  bool   // the copy follows the separator in left
}

// Reader returns a reader of the parts in order. It holds one copy of a
// part at a time, so the document it produces can be any size.
func Reader(parts ...Part) io.Reader { return &reader{parts: parts} }

// Size returns how many bytes Reader(parts...) produces.
func Size(parts ...Part) int64 {
	var n int64
	for _, p := range parts {
		if p.N > 0 {
			n += int64(p.N)*int64(len(p.Text)) + int64(p.N-1)*int64(len(p.Sep))
		}
	}
	return n
}

func (r *reader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		if r.left == "" {
			if len(r.parts) == 0 {
				break
			}
			p := r.parts[0]
			switch {
			case r.text:
				r.left, r.text = p.Text, false
			case r.i >= p.N:
				r.parts, r.i = r.parts[1:], 0
				continue
			case r.i > 0 && p.Sep != "":
				r.left, r.text = p.Sep, true
				r.i++
			default:
				r.left = p.Text
				r.i++
			}
			if r.left == "" {
				continue
			}
		}
		k := copy(b[n:], r.left)
		n += k
		r.left = r.left[k:]
	}
	if n == 0 && len(b) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// Alloc runs f and returns the bytes allocated meanwhile (runtime.MemStats
// TotalAlloc, so garbage counts) and how much the heap in use grew.
func Alloc(f func()) (total uint64, heapGrowth int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, int64(after.HeapInuse) - int64(before.HeapInuse)
}
