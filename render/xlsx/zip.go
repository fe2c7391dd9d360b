package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
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
// zipOut puts them in sheet order: an entry that comes early is spooled,
// uncompressed, to a temporary file until its turn.
//
// zipOut also adds the worksheets' hyperlinks and table objects, which
// excelize's StreamWriter cannot write (see sheetLinks and tablePart):
// into each worksheet's XML as it passes (see sheetSplicer), as .rels
// entries and table parts after the worksheets, and as content types of
// the tables in [Content_Types].xml.
type zipOut struct {
	zw      *zip.Writer
	dst     *stickyWriter
	sheets  []string // worksheet entries, in the order they belong
	next    int      // index in sheets of the next one to write
	spooled map[string]*os.File
	spool   *bufio.Writer // the entry being spooled, if any
	tmpDir  string
	links   map[string]*sheetLinks // hyperlinks by worksheet entry
	widths  map[string][]float64   // column widths set after the rows, by worksheet entry
	splice  *sheetSplicer          // the worksheet entry being written, if it gets links or tables

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

// maxDeflateWorkers bounds the cores compressing one archive, and with
// them its memory (about 2.5 MB a worker). Eight compress over 1 GB/s of
// worksheet XML, at which compression is a small part of a conversion
// whose XML is built on one core.
const maxDeflateWorkers = 8

func newZipOut(w io.Writer, sheets []string, tmpDir string) *zipOut {
	dst := &stickyWriter{w: w}
	zw := zip.NewWriter(dst)
	zw.RegisterCompressor(zip.Deflate, compressor)
	return &zipOut{zw: zw, dst: dst, sheets: sheets, spooled: map[string]*os.File{}, tmpDir: tmpDir}
}

// Create starts the entry name.
func (z *zipOut) Create(name string) (io.Writer, error) {
	if err := z.endSpool(); err != nil {
		return nil, err
	}
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
	i := slices.Index(z.sheets, name)
	switch {
	case i < 0:
		// Worksheets come first: whatever is still spooled goes now.
		if err := z.drain(true); err != nil {
			return nil, err
		}
		if name == contentTypes && len(z.allTables) > 0 {
			z.types = &bytes.Buffer{}
			return z.types, nil
		}
	case i == z.next:
		z.next++
	case i > z.next:
		f, err := os.CreateTemp(z.tmpDir, "folio-xlsx-*.xml")
		if err != nil {
			return nil, err
		}
		z.spooled[name] = f
		z.spool = bufio.NewWriterSize(f, 1<<16)
		return z.spool, nil
	}
	w, err := z.zw.Create(name)
	if err != nil || i < 0 {
		return w, err
	}
	if z.spliced(name) {
		z.splice = z.splicer(w, name)
		return z.splice, nil
	}
	return w, nil
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
	return l != nil && len(l.refs) > 0 || len(z.tables[sheet]) > 0
}

// endEntry finishes the entry being written: a worksheet gets its links
// and tables, the content types those of the tables.
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
	if z.splice == nil {
		return nil
	}
	s := z.splice
	z.splice = nil
	return s.finish()
}

// AddFS adds the files of fsys; excelize does not call it when saving.
func (z *zipOut) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }

// Close writes what is left, the relationships of worksheets with links
// or tables, the tables' parts, and the archive's central directory. It
// does not close the destination.
func (z *zipOut) Close() error {
	if err := z.endSpool(); err != nil {
		return err
	}
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

func (z *zipOut) endSpool() error {
	if z.spool == nil {
		return nil
	}
	err := z.spool.Flush()
	z.spool = nil
	return err
}

// drain writes spooled worksheets that are next in order; with all, every
// spooled worksheet, in order, even past one that never came.
func (z *zipOut) drain(all bool) error {
	for z.next < len(z.sheets) {
		name := z.sheets[z.next]
		f, ok := z.spooled[name]
		if !ok && !all {
			return nil
		}
		z.next++
		if !ok {
			continue
		}
		delete(z.spooled, name)
		err := z.copyEntry(name, f)
		f.Close()
		os.Remove(f.Name())
		if err != nil {
			return err
		}
	}
	return nil
}

// copyEntry copies the spooled worksheet entry f into the archive as name,
// adding its links and tables, if any.
func (z *zipOut) copyEntry(name string, f *os.File) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w, err := z.zw.Create(name)
	if err != nil {
		return err
	}
	if !z.spliced(name) {
		_, err = io.Copy(w, f)
		return err
	}
	s := z.splicer(w, name)
	if _, err := io.Copy(s, f); err != nil {
		return err
	}
	return s.finish()
}

// cleanup removes spool files left by an error.
func (z *zipOut) cleanup() {
	for name, f := range z.spooled {
		f.Close()
		os.Remove(f.Name())
		delete(z.spooled, name)
	}
}

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
