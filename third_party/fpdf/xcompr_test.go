// This file is folio's addition to fpdf (MIT, as the rest); see README.md.

package fpdf

import (
	"bytes"
	stdadler "hash/adler32"
	"math/rand/v2"
	"testing"

	kzlib "github.com/klauspost/compress/zlib"
)

// TestCompress checks that compress gives the bytes of klauspost's zlib
// writer at BestSpeed, and adler32 hash/adler32's checksum, for lengths
// around adler32's eight bytes and its blocks, of bytes all 0xff (the
// largest sums) and of random ones.
func TestCompress(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var lens []int
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 8 * adlerWords, 16 * adlerWords, 1 << 20} {
		lens = append(lens, n, n+1, n+7, max(n-1, 0))
	}
	for range 50 {
		lens = append(lens, r.IntN(200000))
	}
	zw, _ := kzlib.NewWriterLevel(nil, kzlib.BestSpeed)
	for _, n := range lens {
		ff, rnd := bytes.Repeat([]byte{0xff}, n), make([]byte, n)
		for i := range rnd {
			rnd[i] = byte(r.IntN(256))
		}
		for _, data := range [][]byte{ff, rnd} {
			if got, want := adler32(data), stdadler.Checksum(data); got != want {
				t.Errorf("adler32 of %d bytes = %08x, want %08x", n, got, want)
			}
			var want bytes.Buffer
			zw.Reset(&want)
			zw.Write(data)
			zw.Close()
			mem := xmem.compress(data)
			if !bytes.Equal(mem.bytes(), want.Bytes()) {
				t.Errorf("compress of %d bytes differs from zlib's", n)
			}
			mem.release()
		}
	}
}
