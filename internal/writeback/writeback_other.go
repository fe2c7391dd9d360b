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
	f *os.File
}

func (w *Writer) Write(p []byte) (int, error) { return w.f.Write(p) }

// Stop does nothing here.
func (w *Writer) Stop() {}
