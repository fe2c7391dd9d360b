package xlsx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/foliorender/folio/report"
)

// Excel's hard limits on a worksheet.
const (
	MaxRows    = 1048576 // rows on a worksheet, header included
	MaxColumns = 16384   // columns on a worksheet
)

// maxRows is MaxRows, lowered by tests.
var maxRows = MaxRows

// ErrTooManyColumns is returned, before anything is written, for a table
// with more columns than a worksheet has.
var ErrTooManyColumns = errors.New("xlsx: table has more columns than a worksheet can hold (16,384)")

// DefaultCreated is the creation and modification time written into the
// document properties when [Renderer.Created] is zero, so that the same
// document always gives the same bytes.
var DefaultCreated = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// A Renderer writes a document as an XLSX workbook (Office Open XML
// spreadsheet) with excelize's StreamWriter: memory stays flat however long
// the tables are, since rows are compressed as they are written, into
// temporary files, and the archive is compressed straight into the
// destination. The zero value is ready to use:
// a worksheet per table, styled header, fitted columns.
//
// The layout is documented in the package documentation.
type Renderer struct {
	// OneSheet puts every table on one worksheet, one below the other, with
	// a blank row between blocks, instead of a worksheet per table. Only the
	// first table on it then gets the autofilter (a worksheet has one), and
	// no rows are frozen.
	OneSheet bool
	// PlainHeader writes header rows as plain cells: not bold, no fill, no
	// frozen rows and no autofilter.
	PlainHeader bool
	// NoAutoFit leaves columns at Excel's default width instead of fitting
	// them to the header and the first 100 rows of the table.
	NoAutoFit bool
	// NoTables gives each table a bare autofilter, as a range of cells,
	// instead of making it an Excel table object. Only the first table on
	// a worksheet then gets one (a worksheet has one).
	NoTables bool
	// TableStyle is the style of the table objects, one of Excel's
	// built-in ones ("TableStyleLight9"); "" means [DefaultTableStyle].
	// Another name makes Render fail before anything is written.
	TableStyle string
	// Paper is the paper the sheets print on, [A4] or [Letter]; "" means
	// Letter when the document's locale names a region that uses it (en-US,
	// en-CA, es-MX and the others CLDR lists), else A4. Another name makes
	// Render fail before anything is written.
	Paper string
	// Created is the creation and modification time written into the
	// document properties; zero means [DefaultCreated].
	Created time.Time
	// TempDir is where the compressed rows of a worksheet wait, past the
	// first 4 MiB, before they go into the output; "" means the system's
	// default directory. The files are removed before Render returns,
	// whatever happens.
	TempDir string
}

// lookahead is how many rows of a table are read before its worksheet is
// started, to fit the column widths: excelize's StreamWriter needs them
// before the first row.
const lookahead = 100

// maxFrozen is the lowest header row that is frozen: a header further down
// (below a long preamble of headings and paragraphs) would freeze most of
// the window.
const maxFrozen = 12

// maxPending bounds the text held back for the next table's worksheet;
// beyond it the text goes where the next table cannot be awaited.
const maxPending = 1 << 20

// Render writes doc to w as an XLSX workbook. Nothing is written to w
// before the whole document has been read: on error, w holds nothing or a
// part of the archive. It returns the first error from doc, w or ctx, or
// [ErrTooManyColumns]. It does not close w.
func (r *Renderer) Render(ctx context.Context, w io.Writer, doc *report.Document) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	style, err := r.tableStyle()
	if err != nil {
		return err
	}
	paper, err := r.paper(doc.Locale())
	if err != nil {
		return err
	}
	f := excelize.NewFile(excelize.Options{TmpDir: r.TempDir})
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("xlsx: removing temporary files: %w", cerr)
		}
	}()
	b := &book{r: r, ctx: ctx, f: f, names: newSheetNames(), styles: map[styleKey]int{}, links: map[string]*sheetLinks{},
		tableStyle: style, paper: paper, sheetTables: map[string][]*tablePart{}, spools: map[string]*rowSpool{}}
	b.rows.f = f
	defer func() {
		for _, s := range b.spools {
			s.remove()
		}
	}()
	b.title = doc.Title()
	b.page = doc.Page()
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := report.Visit(el, b); err != nil {
			return err
		}
	}
	if err := b.end(); err != nil {
		return err
	}
	return b.write(w)
}

// A book is the workbook being written.
type book struct {
	r      *Renderer
	ctx    context.Context
	f      *excelize.File
	names  *sheetNames
	styles map[styleKey]int
	paths  []string // worksheet entries, in order
	cur    *sheet   // the worksheet being written, if any
	// wider holds, by worksheet entry, the column widths of worksheets
	// whose footer rows needed wider columns than those set before the
	// rows (see tableWriter.widen).
	wider  map[string][]float64
	title  string
	titled bool         // the title has been written
	page   *report.Page // the document's page member, or nil

	pending      []report.Element // headings and paragraphs for the next table
	pendingBytes int
	heading      bool // a heading came after the current table
	tables       int
	oneSheet     *sheet                 // in OneSheet mode, once started
	links        map[string]*sheetLinks // hyperlinks by worksheet entry
	link         []byte                 // scratch: a cell's link

	tableStyle  string
	tableNames  tableNames
	tableParts  []*tablePart            // every table object, in order
	sheetTables map[string][]*tablePart // table objects by worksheet entry
	paper       string                  // A4 or Letter

	rows   rowWriter
	spools map[string]*rowSpool // the rows of each worksheet entry
}

// A sheet is one worksheet being streamed.
type sheet struct {
	name   string
	base   string // the name continuation sheets are numbered from
	path   string // its entry in the archive
	sw     *excelize.StreamWriter
	row    int  // rows used
	filter bool // has its autofilter
	gap    bool // a blank row is due before the next block
	widths []float64
	links  *sheetLinks
	spool  *rowSpool // its rows, which folio writes (see rowWriter)

	cols    int   // columns of the widest table on it
	headers []int // rows of the header rows of its tables
}

// newSheet starts a worksheet named name, with column widths and, when
// frozen > 0, rows 1 to frozen frozen.
func (b *book) newSheet(name, base string, widths []float64, frozen int) (*sheet, error) {
	if len(b.paths) == 0 {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	// excelize names worksheet entries by sheet id, which here is the
	// sheet's position.
	path := "xl/worksheets/sheet" + strconv.Itoa(len(b.paths)+1) + ".xml"
	b.paths = append(b.paths, path)
	// Without this, the stream keeps the template's <dimension ref="A1"/>
	// and readers that trust it (openpyxl's read-only mode) see one cell.
	if err := b.f.SetSheetDimension(name, ""); err != nil {
		return nil, err
	}
	// The stream writes sheetPr first, so the property that makes the
	// print set-up's fit to width apply is set now (see pageSetup).
	fit := true
	if err := b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	if err := b.setPrintFrame(name); err != nil {
		return nil, err
	}
	// excelize keeps the columns in the reverse order of the calls (and
	// Excel wants them ascending), flattening earlier ranges on each call:
	// set them last to first, equal neighbours as one range.
	for hi := len(widths); hi > 0; {
		lo := hi
		for lo > 1 && widths[lo-2] == widths[hi-1] {
			lo--
		}
		if err := sw.SetColWidth(lo, hi, widths[hi-1]); err != nil {
			return nil, err
		}
		hi = lo - 1
	}
	if frozen > 0 {
		top := "A" + strconv.Itoa(frozen+1)
		if err := sw.SetPanes(&excelize.Panes{
			Freeze: true, YSplit: frozen, TopLeftCell: top, ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
		}); err != nil {
			return nil, err
		}
	}
	links := &sheetLinks{ids: map[string]int{}}
	if b.links == nil {
		b.links = map[string]*sheetLinks{}
	}
	b.links[path] = links
	spool := newRowSpool(b.r.TempDir)
	b.spools[path] = spool
	return &sheet{name: name, base: base, path: path, sw: sw, widths: widths, links: links, spool: spool}, nil
}

// closeSheet ends the current worksheet.
func (b *book) closeSheet() error {
	if b.cur == nil {
		return nil
	}
	s := b.cur
	b.cur = nil
	if err := b.pageSetup(s); err != nil {
		return err
	}
	if err := s.sw.Flush(); err != nil {
		return err
	}
	return s.spool.end()
}

// row writes cells on the next row of the current worksheet. The stream
// writer gets none: its XML has an empty sheetData, where the zip writer
// puts the rows (see zipOut.writeSheet).
func (b *book) row(cells []cellValue) error {
	s := b.cur
	s.row++
	sp := s.spool
	var err error
	if sp.xml, err = b.rows.appendRow(sp.xml, s.row, cells); err != nil {
		return err
	}
	if len(sp.xml) >= spoolChunk {
		return sp.flush()
	}
	return nil
}

// textRow writes one text cell on the next row, continuing on a new
// worksheet when this one is full.
func (b *book) textRow(style int, text string) error {
	if b.cur.row >= maxRows {
		if err := b.continueSheet(0); err != nil {
			return err
		}
	}
	if s, changed := cellText(text); changed {
		text = s
	}
	return b.row([]cellValue{textCell(text, style)})
}

// richRow writes a paragraph line, plain or rich text, on the next row,
// continuing on a new worksheet when this one is full.
func (b *book) richRow(v any) error {
	if b.cur.row >= maxRows {
		if err := b.continueSheet(0); err != nil {
			return err
		}
	}
	c, err := toCell(v)
	if err != nil {
		return err
	}
	return b.row([]cellValue{c})
}

// continueSheet replaces the full current worksheet with the next one of
// the same base name, with the same widths.
func (b *book) continueSheet(frozen int) error {
	old := b.cur
	if err := b.closeSheet(); err != nil {
		return err
	}
	name := b.names.take(old.base, old.base)
	s, err := b.newSheet(name, old.base, old.widths, frozen)
	if err != nil {
		return err
	}
	b.cur = s
	if b.oneSheet == old {
		b.oneSheet = s
	}
	return nil
}

// Table, Paragraph, Heading and Fields make book a report.Visitor.
func (b *book) Table(t *report.Table) error         { return b.table(t) }
func (b *book) Paragraph(p *report.Paragraph) error { return b.text(p) }
func (b *book) Heading(h *report.Heading) error     { return b.text(h) }
func (b *book) Fields(f *report.Fields) error       { return b.text(f) }

// text handles a paragraph, heading or key figures. In a worksheet per
// table, text that follows a table before any heading goes below that
// table; a heading or key figures, an element with a page break, and what
// follows them wait for the next table and go above it on its worksheet,
// or, at the end of the document, below the last table.
func (b *book) text(el report.Element) error {
	_, isHeading := el.(*report.Heading)
	if _, isFields := el.(*report.Fields); isFields {
		isHeading = true
	}
	if b.oneSheet != nil {
		return b.writeText(el)
	}
	if isHeading || report.BlockOf(el).PageBreak == report.BreakBefore && b.cur != nil {
		b.heading = true
	}
	if b.cur != nil && !b.heading {
		return b.writeText(el)
	}
	b.pending = append(b.pending, el)
	b.pendingBytes += textLen(el)
	if b.pendingBytes > maxPending {
		return b.flushPending()
	}
	return nil
}

// flushPending writes the held-back text where it can go now: below the
// current table, or on a worksheet of its own.
func (b *book) flushPending() error {
	if b.cur == nil {
		if err := b.textSheet(); err != nil {
			return err
		}
	}
	for _, el := range b.pending {
		if err := b.writeText(el); err != nil {
			return err
		}
	}
	b.pending, b.pendingBytes = nil, 0
	return nil
}

// textSheet starts a worksheet for text only, named after the title.
func (b *book) textSheet() error {
	name := b.names.take(b.title, "Report")
	s, err := b.newSheet(name, name, b.fitFields(nil), 0)
	if err != nil {
		return err
	}
	b.cur = s
	if b.r.OneSheet {
		b.oneSheet = s
	}
	return b.writeTitle()
}

func (b *book) writeTitle() error {
	if b.titled || b.title == "" {
		return nil
	}
	b.titled = true
	if err := b.textRow(b.style(styleKey{kind: styleTitle}), b.title); err != nil {
		return err
	}
	b.cur.gap = true
	return nil
}

// writeText writes a paragraph or heading on the current worksheet.
func (b *book) writeText(el report.Element) error {
	switch el := el.(type) {
	case *report.Heading:
		if b.cur.row > 0 {
			b.cur.row++ // a blank row before a heading
		}
		b.cur.gap = false
		return b.textRow(b.style(styleKey{kind: styleHeading, level: el.Level}), el.Text)
	case *report.Paragraph:
		if b.cur.gap {
			b.cur.row++
			b.cur.gap = false
		}
		// A line of its own for each line of the paragraph: a cell shows a
		// line break only when it wraps, and wrapping would keep the text
		// within the first column instead of running on to the right.
		for _, line := range paragraphLines(el) {
			if err := b.richRow(richRuns(line)); err != nil {
				return err
			}
		}
		return nil
	case *report.Fields:
		return b.writeFields(el)
	}
	return nil
}

// writeFields writes key figures on the current worksheet, after a blank
// row: the caption, then a row per item, its label in bold in the first
// column and its value in the second, typed and formatted as a cell of a
// column with the item's format, with its link.
func (b *book) writeFields(f *report.Fields) error {
	if b.cur.row > 0 {
		b.cur.row++
	}
	b.cur.gap = false
	if f.Caption != "" {
		if err := b.textRow(b.style(styleKey{kind: styleCaption}), f.Caption); err != nil {
			return err
		}
	}
	label := b.style(styleKey{kind: styleLabel})
	for _, it := range f.Items {
		if b.cur.row >= maxRows {
			if err := b.continueSheet(0); err != nil {
				return err
			}
		}
		text := it.Label
		if s, changed := cellText(it.Label); changed {
			text = s
		}
		col := it.Column()
		key := dataStyle(col)
		value := b.cell(col, key, b.styleID(key), nil, it.Value, 2, b.cur.row+1, false)
		if err := b.row([]cellValue{textCell(text, label), value}); err != nil {
			return err
		}
	}
	b.cur.gap = true
	return nil
}

// end places the text still held back and makes sure the workbook has a
// worksheet.
func (b *book) end() error {
	if b.oneSheet == nil && slices.ContainsFunc(b.pending, func(el report.Element) bool {
		return report.BlockOf(el).PageBreak == report.BreakBefore
	}) {
		// Text with a page break goes on a worksheet of its own.
		if err := b.closeSheet(); err != nil {
			return err
		}
	}
	if len(b.pending) > 0 || b.cur == nil && b.oneSheet == nil && len(b.paths) == 0 {
		if err := b.flushPending(); err != nil {
			return err
		}
	}
	return b.closeSheet()
}

func textLen(el report.Element) int {
	switch el := el.(type) {
	case *report.Heading:
		return len(el.Text) + 64
	case *report.Paragraph:
		n := 64
		for _, r := range el.Runs {
			n += len(r.Text)
		}
		return n
	case *report.Fields:
		n := 64 + len(el.Caption)
		for _, it := range el.Items {
			n += 64 + len(it.Label) + len(it.Value.Bytes()) + len(it.Value.Link())
		}
		return n
	}
	return 0
}

// cellName returns the reference of a cell, "A1" for (1, 1).
func cellName(col, row int) string {
	if col == 1 {
		return "A" + strconv.Itoa(row)
	}
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// columnName returns the letters of a column, "A" for 1.
func columnName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// write saves the workbook to w.
func (b *book) write(w io.Writer) error {
	created := b.r.Created
	if created.IsZero() {
		created = DefaultCreated
	}
	stamp := created.UTC().Format(time.RFC3339)
	title, _ := cellText(b.title)
	if title == "" {
		title = b.title
	}
	if err := b.f.SetDocProps(&excelize.DocProperties{
		Title: strings.ToValidUTF8(title, "\uFFFD"), Creator: "folio",
		Created: stamp, Modified: stamp,
	}); err != nil {
		return err
	}
	if err := b.f.SetAppProps(&excelize.AppProperties{Application: "folio"}); err != nil {
		return err
	}
	// The first sheet is the active one already. (SetActiveSheet would
	// parse every flushed worksheet back into memory.)
	z := newZipOut(w, b.paths)
	z.links, z.widths, z.rows = b.links, b.wider, b.spools
	z.tables, z.allTables, z.tableStyle = b.sheetTables, b.tableParts, b.tableStyle
	defer z.cleanup()
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	if t := theme(); t != nil {
		// Written as it is, instead of marshalled again.
		b.f.Theme = nil
		b.f.Pkg.Store(themePart, t)
	}
	// excelize hands its own buffer to the function above; zipOut ignores it
	// and writes to w, so the buffer stays empty.
	err := b.f.Write(io.Discard)
	if z.dst.err != nil {
		return fmt.Errorf("xlsx: %w", z.dst.err)
	}
	return err
}

// themePart is the workbook's theme, which folio never changes.
const themePart = "xl/theme/theme1.xml"

// theme returns the theme part as excelize writes that of a new workbook
// (or nil if it writes none): excelize parses it in NewFile and marshals it
// again in Write, about a tenth of the time of a small workbook, so it is
// marshalled once.
var theme = sync.OnceValue(func() []byte {
	f := excelize.NewFile()
	parts := partsWriter{}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return parts })
	if err := f.Write(io.Discard); err != nil {
		return nil
	}
	if b := parts[themePart]; b != nil {
		return b.Bytes()
	}
	return nil
})

// partsWriter is an excelize.ZipWriter that keeps each part's bytes.
type partsWriter map[string]*bytes.Buffer

func (p partsWriter) Create(name string) (io.Writer, error) {
	b := &bytes.Buffer{}
	p[name] = b
	return b, nil
}

func (p partsWriter) AddFS(fs.FS) error { return nil }
func (p partsWriter) Close() error      { return nil }
