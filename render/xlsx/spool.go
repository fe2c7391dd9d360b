package xlsx

import (
	"bufio"
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"os"
)

// A rowSpool holds the rows of one worksheet, compressed as they are
// written: their XML is compressed in blocks (see compressor, on the cores
// there are) into a DEFLATE stream left open, so that at save the zip
// writer can put the worksheet's start before it and its end after it,
// each compressed on its own (see zipOut.writeSheet). The compressed bytes
// wait in memory up to maxSpoolMemory, then in a temporary file. The CRC-32
// and size of the XML are kept for the archive's directory.
//
// excelize's StreamWriter would instead keep the XML itself, over 16 MB
// of it in a temporary file (about 440 MB for a million rows of ten
// columns), to be read back and compressed when the workbook is saved.
type rowSpool struct {
	xml  []byte // rows not yet handed to zw
	zw   io.WriteCloser
	out  spill
	crc  uint32
	size int64 // bytes of XML
	err  error
}

// spoolChunk is how much row XML is gathered before it is compressed.
const spoolChunk = 64 << 10

// maxSpoolMemory is how many compressed bytes of a worksheet's rows stay in
// memory before they go to a temporary file (about 60,000 rows of ten
// columns); lowered by tests.
var maxSpoolMemory = 4 << 20

func newRowSpool(tmpDir string) *rowSpool {
	return &rowSpool{out: spill{dir: tmpDir}, xml: make([]byte, 0, spoolChunk+4096)}
}

// flush compresses the XML gathered so far.
func (s *rowSpool) flush() error {
	if s.err != nil || len(s.xml) == 0 {
		return s.err
	}
	if s.zw == nil {
		s.zw, s.err = openCompressor(&s.out)
		if s.err != nil {
			return s.err
		}
	}
	s.crc = crc32.Update(s.crc, crc32.IEEETable, s.xml)
	s.size += int64(len(s.xml))
	_, s.err = s.zw.Write(s.xml)
	s.xml = s.xml[:0]
	return s.err
}

// end compresses the rest of the rows and leaves the stream open.
func (s *rowSpool) end() error {
	if err := s.flush(); err != nil {
		return err
	}
	s.xml = nil
	if s.zw == nil {
		return nil
	}
	zw := s.zw
	s.zw = nil
	if err := zw.Close(); err != nil {
		s.err = err
		return err
	}
	s.err = s.out.end()
	return s.err
}

// remove deletes the temporary file, if any.
func (s *rowSpool) remove() {
	if s.zw != nil {
		s.zw.Close() // waits for the workers
		s.zw = nil
	}
	s.out.remove()
}

// A spill holds bytes in memory up to maxSpoolMemory, then in a temporary
// file in dir.
type spill struct {
	dir string
	mem []byte
	f   *os.File
	bw  *bufio.Writer
	n   int64
}

func (s *spill) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	if s.f == nil && len(s.mem)+len(p) <= maxSpoolMemory {
		s.mem = append(s.mem, p...)
		return len(p), nil
	}
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, "folio-xlsx-*.deflate")
		if err != nil {
			return 0, err
		}
		s.f, s.bw = f, bufio.NewWriterSize(f, 1<<16)
		if _, err := s.bw.Write(s.mem); err != nil {
			return 0, err
		}
		s.mem = nil
	}
	return s.bw.Write(p)
}

// end flushes what is buffered for the file.
func (s *spill) end() error {
	if s.bw == nil {
		return nil
	}
	return s.bw.Flush()
}

// reader reads the bytes back from the start.
func (s *spill) reader() (io.Reader, error) {
	if s.f == nil {
		return bytes.NewReader(s.mem), nil
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(s.f, 1<<16), nil
}

func (s *spill) remove() {
	s.mem = nil
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f, s.bw = nil, nil
	}
}

var errSpool = errors.New("xlsx: the rows of a worksheet were not all compressed")

// crc32Combine returns the CRC-32 (IEEE) of a followed by b from the
// CRC-32s of both and the length of b, as zlib's crc32_combine does: the
// CRC of a is carried over len(b) zero bytes by squaring the matrix of
// the operator that appends one zero bit.
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	var even, odd [32]uint32
	odd[0] = 0xedb88320 // the reversed polynomial
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four
	for {
		gf2Square(&even, &odd) // the first pass: one zero byte
		if lenB&1 != 0 {
			crcA = gf2Times(&even, crcA)
		}
		if lenB >>= 1; lenB == 0 {
			break
		}
		gf2Square(&odd, &even)
		if lenB&1 != 0 {
			crcA = gf2Times(&odd, crcA)
		}
		if lenB >>= 1; lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[32]uint32) {
	for n := range 32 {
		square[n] = gf2Times(mat, mat[n])
	}
}
