//go:build !linux

package writeback

import "os"

// Chunk is unused where sync_file_range is missing.
const Chunk = 8 << 20

// Start returns a Writer that writes to f: where sync_file_range is
// missing, the fsync at the end writes the whole file.
func Start(f *os.File) *Writer { return &Writer{f: f} }

// A Writer writes to its file.
type Writer struct {
	f              *os.File
	written, asked int64
}

func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	return n, err
}

// Stop does nothing here.
func (w *Writer) Stop() {}
