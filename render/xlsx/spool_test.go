package xlsx

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestCRC32Combine checks the CRC-32 of two pieces combined against the
// CRC-32 of the whole.
func TestCRC32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ a, b int }{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {3, 7}, {100, 1 << 16}, {1 << 20, 12345}, {7, 3<<20 + 1}} {
		data := make([]byte, c.a+c.b)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		a, b := data[:c.a], data[c.a:]
		got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(data); got != want {
			t.Errorf("%d+%d bytes: %08x, want %08x", c.a, c.b, got, want)
		}
	}
}
