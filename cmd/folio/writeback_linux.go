package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// writebackChunk is how many bytes written to an output file make folio
// ask the kernel to start writing them to disk.
const writebackChunk = 8 << 20

// startWriteback returns a writer to f that has the kernel start writing
// f's pages to disk every writebackChunk bytes, on a goroutine of its own
// (sync_file_range without waiting), so that the disk works while the
// renderer does, and the fsync before the output is renamed into place
// has only the last pages left to wait for. By default Linux starts
// writing dirty pages only when they are a tenth of memory, so a large
// output would otherwise be written to disk, all of it, by that fsync.
// stop ends the goroutine; call it before f is synced or closed.
func startWriteback(f *os.File) (w io.Writer, stop func()) {
	raw, err := f.SyscallConn()
	if err != nil {
		return f, func() {}
	}
	wb := &writeback{f: f, ask: make(chan int64, 1), done: make(chan struct{})}
	go func() {
		defer close(wb.done)
		var from int64
		for end := range wb.ask {
			raw.Control(func(fd uintptr) {
				// Only a hint: an error leaves the pages to the fsync.
				unix.SyncFileRange(int(fd), from, end-from, unix.SYNC_FILE_RANGE_WRITE)
			})
			from = end
		}
	}()
	return wb, func() {
		close(wb.ask)
		<-wb.done
	}
}

// A writeback counts what is written to f and hands its goroutine the
// offsets to write out, never waiting for it: an offset it has not taken
// yet is taken with the next.
type writeback struct {
	f              *os.File
	written, asked int64
	ask            chan int64
	done           chan struct{}
}

func (w *writeback) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if w.written-w.asked >= writebackChunk {
		select {
		case w.ask <- w.written:
			w.asked = w.written
		default:
		}
	}
	return n, err
}
