package writeback

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteback writes through a Writer in pieces of several sizes
// and checks that the file holds every byte in order, that the writer
// asked for write-out as it went, and that Stop returns, twice.
func TestWriteback(t *testing.T) {
	for _, piece := range []int{1 << 10, 64 << 10, 3<<20 + 7, 20 << 20} {
		f, err := os.Create(filepath.Join(t.TempDir(), "out"))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, 3*Chunk+12345)
		for i := range want {
			want[i] = byte(i * 7 / 3)
		}
		w := Start(f)
		for rest := want; len(rest) > 0; {
			n := min(piece, len(rest))
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if w.written != int64(len(want)) || w.asked < Chunk || w.asked > w.written {
			t.Errorf("piece %d: written %d, asked up to %d", piece, w.written, w.asked)
		}
		w.Stop()
		w.Stop() // a second Stop does nothing
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("piece %d: the file differs from what was written (%d bytes, want %d)", piece, len(got), len(want))
		}
	}
}
