// Copyright ©2021 The go-pdf Authors. All rights reserved.
// Use of this source code is governed by a MIT-style
// license that can be found in the LICENSE file.

package fpdf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"sync"

	kflate "github.com/klauspost/compress/flate"
)

var xmem = xmempool{
	Pool: sync.Pool{
		New: func() any {
			var m membuffer
			return &m
		},
	},
}

type xmempool struct{ sync.Pool }

// folio: zwriters holds DEFLATE writers at BestSpeed for compress:
// klauspost/compress's, which take about 0.6 of the CPU time of the
// standard library's at the same level for the same size on page content
// (a few kilobytes of text operators a page). compress writes the zlib
// header and checksum itself, as klauspost's zlib writer does (the same
// bytes), but with adler32, which takes less than half the time of
// hash/adler32's.
var zwriters = sync.Pool{
	New: func() any {
		zw, err := kflate.NewWriter(nil, kflate.BestSpeed)
		if err != nil {
			panic(fmt.Errorf("could not create flate writer: %w", err))
		}
		return zw
	},
}

// zlibHeader is the header of a zlib stream (RFC 1950) of DEFLATE's
// window at BestSpeed: CINFO 7, CM 8, FLEVEL 0 (the fastest), and FCHECK.
var zlibHeader = [2]byte{0x78, 0x01}

func (pool *xmempool) compress(data []byte) *membuffer {
	mem := pool.Get().(*membuffer)
	buf := &mem.buf
	buf.Grow(len(data))

	// folio: reuse flate writers; a new one allocates about 1 MB.
	zw := zwriters.Get().(*kflate.Writer)
	defer zwriters.Put(zw)
	buf.Write(zlibHeader[:])
	zw.Reset(buf)
	_, err := zw.Write(data)
	if err != nil {
		panic(fmt.Errorf("could not zlib-compress slice: %w", err))
	}

	err = zw.Close()
	if err != nil {
		panic(fmt.Errorf("could not close zlib writer: %w", err))
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], adler32(data))
	buf.Write(sum[:])
	return mem
}

// adlerWords is how many 8-byte words adler32 adds up in 16-bit lanes
// before it reduces its sums: the four lanes of a word's pairs of bytes
// added up, and their sum, stay below 2¹⁶ (4·2·255·32).
const adlerWords = 32

// adler32 returns the Adler-32 checksum of p (RFC 1950), as
// hash/adler32.Checksum does, eight bytes at a time. Over n bytes b₀…bₙ₋₁,
// s1 grows by their sum and s2 by n·s1 + Σ (n−i)·bᵢ; for n = 8m, bytes
// bᵢ = the byte k of word j (i = 8j+k), that is 8·Σⱼ (m−j)·Sⱼ − Σₖ k·Tₖ,
// with Sⱼ the sum of word j's bytes and Tₖ the sum of the bytes k of the
// words. Σⱼ (m−j)·Sⱼ is r, the sum over the words of the running total
// of the S's. The even bytes of the words are added up in the four 16-bit
// lanes of even, the odd ones in odd, with no carry from one lane to the
// next; the running total is the sum of the lanes of even+odd, which the
// top lane of its product with 0x0001000100010001 is.
func adler32(p []byte) uint32 {
	const mod = 65521
	const m8 = 0x00ff00ff00ff00ff
	const ones = 0x0001000100010001
	s1, s2 := uint64(1), uint64(0)
	for len(p) >= 8 {
		n := min(len(p)/8, adlerWords)
		q := p[:8*n]
		var even, odd, r uint64
		for i := 0; i < len(q)-7; i += 8 {
			x := binary.LittleEndian.Uint64(q[i:])
			even += x & m8
			odd += x >> 8 & m8
			r += (even + odd) * ones >> 48
		}
		lanes := func(x uint64, w0, w1, w2, w3 uint64) uint64 {
			return x&0xffff*w0 + x>>16&0xffff*w1 + x>>32&0xffff*w2 + x>>48*w3
		}
		weighted := lanes(even, 0, 2, 4, 6) + lanes(odd, 1, 3, 5, 7)
		s2 = (s2 + uint64(8*n)*s1 + 8*r - weighted) % mod
		s1 = (s1 + (even+odd)*ones>>48) % mod
		p = p[8*n:]
	}
	for _, c := range p {
		s1 += uint64(c)
		s2 += s1
	}
	return uint32(s2%mod<<16 | s1%mod)
}

func (pool *xmempool) uncompress(data []byte) (*membuffer, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}

	mem := pool.Get().(*membuffer)
	mem.buf.Reset()

	_, err = mem.buf.ReadFrom(zr)
	if err != nil {
		mem.release()
		return nil, err
	}

	return mem, nil
}

type membuffer struct {
	buf bytes.Buffer
}

func (mem *membuffer) bytes() []byte { return mem.buf.Bytes() }
func (mem *membuffer) release() {
	mem.buf.Reset()
	xmem.Put(mem)
}

func (mem *membuffer) copy() []byte {
	src := mem.bytes()
	dst := make([]byte, len(src))
	copy(dst, src)
	return dst
}
