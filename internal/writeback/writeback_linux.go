package writeback

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// Chunk is how many bytes written make a Writer ask the kernel to start
// writing them to disk.
const Chunk = 8 << 20

// Start returns a Writer to f that has the kernel start writing f's pages
// to disk every Chunk bytes, on a goroutine of its own (sync_file_range
// without waiting), so that the disk works while the caller computes. By
// default Linux starts writing dirty pages only when they are a tenth of
// memory, so a large file would otherwise be written to disk, all of it,
// by the fsync at its end. Call Stop before f is synced or closed.
func Start(f *os.File) *Writer {
	w := &Writer{f: f}
	raw, err := f.SyscallConn()
	if err != nil {
		return w
	}
	w.ask, w.done = make(chan int64, 1), make(chan struct{})
	go func() {
		defer close(w.done)
		var from int64
		for end := range w.ask {
			raw.Control(func(fd uintptr) {
				// Only a hint: an error leaves the pages to the fsync.
				unix.SyncFileRange(int(fd), from, end-from, unix.SYNC_FILE_RANGE_WRITE)
			})
			from = end
		}
	}()
	return w
}

// A Writer writes to its file and hands its goroutine the offsets to write
// out, never waiting for it: an offset it has not taken yet is taken with
// the next.
type Writer struct {
	f              *os.File
	written, asked int64
	ask            chan int64 // nil when the file has no descriptor to hint
	done           chan struct{}
	stop           sync.Once
}

func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if w.ask != nil && w.written-w.asked >= Chunk {
		select {
		case w.ask <- w.written:
			w.asked = w.written
		default:
		}
	}
	return n, err
}

// Stop ends the goroutine and waits for it. It may be called more than
// once.
func (w *Writer) Stop() {
	w.stop.Do(func() {
		if w.ask != nil {
			close(w.ask)
			<-w.done
		}
	})
}
