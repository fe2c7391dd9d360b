package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"runtime"
	"slices"

	"github.com/foliorender/folio/internal/pflate"
)

// zipOut is the archive writer excelize saves the workbook through (see
// excelize's SetZipWriter). excelize's own Write and WriteTo first build the
// whole archive in a bytes.Buffer; zipOut instead compresses each entry
// straight into the destination, so memory stays flat however large the
// worksheets are.
//
// excelize keeps stream-written worksheets in a map and so creates their
// entries in a random order. For the same bytes from the same document,
// zipOut puts them in sheet order: an entry that comes early is held until
// its turn. excelize writes only the start and end of each worksheet
// (folio writes the rows, see rowSpool), so what it holds is small.
//
// zipOut puts each worksheet's rows, compressed already, between the
// start and the end of its XML (see writeSheet), and adds the worksheets'
// hyperlinks and table objects, which excelize's StreamWriter cannot write
// (see sheetLinks and tablePart): into each worksheet's XML (see
// sheetSplicer), as .rels entries and table parts after the worksheets,
// and as content types of the tables in [Content_Types].xml.
type zipOut struct {
	zw     *zip.Writer
	dst    *stickyWriter
	sheets []string // worksheet entries, in the order they belong
	next   int      // index in sheets of the next one to write
	held   map[string]*bytes.Buffer
	links  map[string]*sheetLinks // hyperlinks by worksheet entry
	widths map[string][]float64   // column widths set after the rows, by worksheet entry
	rows   map[string]*rowSpool   // the rows of each worksheet entry

	tables     map[string][]*tablePart // table objects by worksheet entry
	allTables  []*tablePart            // every table object, in order
	tableStyle string
	types      *bytes.Buffer // [Content_Types].xml, held to add the tables' types
}

// contentTypes is the entry that names the content type of every part.
const contentTypes = "[Content_Types].xml"

// compressor makes the DEFLATE writer of each entry: klauspost/compress's
// at level 5 (see the package benchmark for the standard library's), on
// GOMAXPROCS cores, at most maxDeflateWorkers, in blocks of a megabyte
// (see internal/pflate). An entry of up to one block, every one but the
// worksheets of large tables, gets the bytes of one plain flate.Writer,
// compressed on the caller's goroutine; the blocks of larger ones do not
// depend on the number of cores, so neither do the bytes.
var compressor = func(out io.Writer) (io.WriteCloser, error) {
	return pflate.NewWriter(out, 5, min(runtime.GOMAXPROCS(0), maxDeflateWorkers))
}

// openCompressor is compressor for the start and the rows of a worksheet,
// whose stream more DEFLATE data follows: its Close ends the output with a
// sync flush and leaves the stream open (see pflate.Writer.CloseOpen).
var openCompressor = func(out io.Writer) (io.WriteCloser, error) {
	w, err := pflate.NewWriter(out, 5, min(runtime.GOMAXPROCS(0), maxDeflateWorkers))
	if err != nil {
		return nil, err
	}
	return leftOpen{w}, nil
}

type leftOpen struct{ *pflate.Writer }

func (w leftOpen) Close() error { return w.CloseOpen() }

// maxDeflateWorkers bounds the cores compressing one archive, and with
// them its memory (about 2.5 MB a worker). Eight compress over 1 GB/s of
// worksheet XML, at which compression is a small part of a conversion
// whose XML is built on one core.
const maxDeflateWorkers = 8

func newZipOut(w io.Writer, sheets []string) *zipOut {
	dst := &stickyWriter{w: w}
	zw := zip.NewWriter(dst)
	zw.RegisterCompressor(zip.Deflate, compressor)
	return &zipOut{zw: zw, dst: dst, sheets: sheets, held: map[string]*bytes.Buffer{}}
}

// Create starts the entry name.
func (z *zipOut) Create(name string) (io.Writer, error) {
	if err := z.endEntry(); err != nil {
		return nil, err
	}
	if err := z.drain(false); err != nil {
		return nil, err
	}
	for _, sheet := range z.sheets {
		if z.ownRels(sheet) && name == relsPath(sheet) {
			return nil, errors.New("xlsx: excelize wrote relationships for " + sheet + ", whose hyperlinks and tables folio writes")
		}
	}
	if i := slices.Index(z.sheets, name); i >= z.next {
		// Held until its turn, which may be now: see drain.
		buf := &bytes.Buffer{}
		z.held[name] = buf
		return buf, nil
	}
	// Worksheets come first: whatever is still held goes now.
	if err := z.drain(true); err != nil {
		return nil, err
	}
	if name == contentTypes && len(z.allTables) > 0 {
		z.types = &bytes.Buffer{}
		return z.types, nil
	}
	return z.zw.Create(name)
}

// spliced reports whether the worksheet entry sheet passes through a
// sheetSplicer: whether it gets relationships or column widths.
func (z *zipOut) spliced(sheet string) bool { return z.ownRels(sheet) || z.widths[sheet] != nil }

func (z *zipOut) splicer(w io.Writer, sheet string) *sheetSplicer {
	return &sheetSplicer{w: w, links: z.links[sheet], tables: z.tables[sheet], widths: z.widths[sheet]}
}

// ownRels reports whether folio writes the relationships of the worksheet
// entry sheet: whether it has hyperlinks or tables.
func (z *zipOut) ownRels(sheet string) bool {
	l := z.links[sheet]
	return l != nil && len(l.cells) > 0 || len(z.tables[sheet]) > 0
}

// endEntry finishes the entry being written: the content types get those
// of the tables.
func (z *zipOut) endEntry() error {
	if z.types != nil {
		types := z.types.Bytes()
		z.types = nil
		end := bytes.LastIndex(types, []byte("</Types>"))
		if end < 0 {
			return errors.New("xlsx: " + contentTypes + " does not end in </Types>, so the tables' content types cannot be added")
		}
		w, err := z.zw.Create(contentTypes)
		if err != nil {
			return err
		}
		if _, err := w.Write(types[:end]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, tableContentTypes(z.allTables)); err != nil {
			return err
		}
		_, err = w.Write(types[end:])
		return err
	}
	return nil
}

// AddFS adds the files of fsys; excelize does not call it when saving.
func (z *zipOut) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }

// Close writes what is left, the relationships of worksheets with links
// or tables, the tables' parts, and the archive's central directory. It
// does not close the destination.
func (z *zipOut) Close() error {
	if err := z.endEntry(); err != nil {
		return err
	}
	if err := z.drain(true); err != nil {
		return err
	}
	for _, sheet := range z.sheets {
		if !z.ownRels(sheet) {
			continue
		}
		w, err := z.zw.Create(relsPath(sheet))
		if err != nil {
			return err
		}
		if err := writeRels(w, z.links[sheet], z.tables[sheet]); err != nil {
			return err
		}
	}
	for _, t := range z.allTables {
		w, err := z.zw.Create(t.path())
		if err != nil {
			return err
		}
		if err := writeTable(w, t, z.tableStyle); err != nil {
			return err
		}
	}
	if err := z.zw.Close(); err != nil {
		return err
	}
	return z.dst.err
}

// drain writes held worksheets that are next in order; with all, every
// held worksheet, in order, even past one that never came.
func (z *zipOut) drain(all bool) error {
	for z.next < len(z.sheets) {
		name := z.sheets[z.next]
		buf, ok := z.held[name]
		if !ok && !all {
			return nil
		}
		z.next++
		if !ok {
			continue
		}
		delete(z.held, name)
		if err := z.writeSheet(name, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

var errSheetRows = errors.New("xlsx: excelize wrote rows of a worksheet whose rows folio writes")

// writeSheet writes the worksheet entry name: x, the XML excelize wrote for
// it, with its links and tables (see sheetSplicer) and its rows. The rows
// are compressed already (see rowSpool), as a DEFLATE stream left open;
// the XML before them is compressed on its own and left open too, the XML
// after them on its own to the end of the stream, and the three are
// written one after the other as the entry's data, the CRC-32 of the
// whole combined from theirs.
func (z *zipOut) writeSheet(name string, x []byte) error {
	if z.spliced(name) {
		var out bytes.Buffer
		s := z.splicer(&out, name)
		if _, err := s.Write(x); err != nil {
			return err
		}
		if err := s.finish(); err != nil {
			return err
		}
		x = out.Bytes()
	}
	rows := z.rows[name]
	if rows == nil || rows.size == 0 {
		w, err := z.zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(x)
		return err
	}
	if rows.zw != nil || rows.err != nil {
		return errSpool
	}
	at := bytes.Index(x, []byte("<sheetData>"))
	if at < 0 {
		return errNoSheetData
	}
	at += len("<sheetData>")
	if !bytes.HasPrefix(x[at:], []byte(sheetDataEnd)) {
		return errSheetRows
	}
	head, tail := x[:at], x[at:]
	headZ, err := deflate(head, openCompressor)
	if err != nil {
		return err
	}
	tailZ, err := deflate(tail, compressor)
	if err != nil {
		return err
	}
	crc := crc32.ChecksumIEEE(head)
	crc = crc32Combine(crc, rows.crc, rows.size)
	crc = crc32Combine(crc, crc32.ChecksumIEEE(tail), int64(len(tail)))
	w, err := z.zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64:   uint64(len(headZ)) + uint64(rows.out.n) + uint64(len(tailZ)),
		UncompressedSize64: uint64(len(head)) + uint64(rows.size) + uint64(len(tail)),
		CreatorVersion:     20, ReaderVersion: 20, // as Create sets them
	})
	if err != nil {
		return err
	}
	if _, err := w.Write(headZ); err != nil {
		return err
	}
	r, err := rows.out.reader()
	if err != nil {
		return err
	}
	if n, err := io.Copy(w, r); err != nil {
		return err
	} else if n != rows.out.n {
		return fmt.Errorf("xlsx: %d bytes of the compressed rows of %s read back, %d written", n, name, rows.out.n)
	}
	rows.remove()
	_, err = w.Write(tailZ)
	return err
}

// deflate returns x compressed by a writer of newWriter.
func deflate(x []byte, newWriter func(io.Writer) (io.WriteCloser, error)) ([]byte, error) {
	var out bytes.Buffer
	w, err := newWriter(&out)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(x); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// cleanup drops worksheets still held after an error.
func (z *zipOut) cleanup() { clear(z.held) }

// stickyWriter passes writes to w and remembers the first error, which it
// returns for every later write, so the error of the destination reaches
// Render's caller whatever excelize does with it.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	s.err = err
	return n, err
}
