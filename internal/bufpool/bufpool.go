// Package bufpool lends the 64 KiB bufio.Writers that the text renderers
// (csv, json, markdown) write through, so that each document does not
// allocate and zero one of its own: for a small document that buffer was
// nearly all the memory it allocated.
package bufpool

import (
	"bufio"
	"io"
	"sync"
)

// Size is the size of a Writer's buffer.
const Size = 64 << 10

var pool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, Size) }}

// Get returns a Writer of Size bytes writing to w.
func Get(w io.Writer) *bufio.Writer {
	bw := pool.Get().(*bufio.Writer)
	bw.Reset(w)
	return bw
}

// Put gives bw back; it must not be used again. What it holds unflushed is
// dropped.
func Put(bw *bufio.Writer) {
	bw.Reset(nil)
	pool.Put(bw)
}
