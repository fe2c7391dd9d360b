package report

import (
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
)

// A Document is a report: an optional title and a sequence of elements.
//
// A Document made by [Read] is read once, lazily, in order: [Document.Elements]
// decodes elements as they are pulled, and each table's rows as they are
// pulled from [Table.Rows]. A Document made by [New] or [NewStream] yields the
// elements it was given. A Document is not safe for concurrent use.
type Document struct {
	title    string
	locale   *numfmt.Locale
	page     *Page
	elements iter.Seq2[Element, error]
	dec      *decoder // set for documents made by Read
	used     bool
}

// New returns a document holding title and elements.
func New(title string, elements ...Element) *Document {
	return NewStream(title, func(yield func(Element, error) bool) {
		for _, el := range elements {
			if !yield(el, nil) {
				return
			}
		}
	})
}

// NewStream returns a document whose elements are pulled from elements, so a
// Go program can produce a long report (for example a table per database
// query) without holding it. An error from elements ends the document with it.
func NewStream(title string, elements iter.Seq2[Element, error]) *Document {
	return &Document{title: title, elements: elements}
}

// Title returns the document title, or "" if it has none. For a document
// made by [Read] it decodes the input up to the elements; a decoding error
// found there is returned by [Document.Elements].
func (d *Document) Title() string {
	if d.dec != nil {
		d.dec.prologue()
		return d.dec.title.str()
	}
	return d.title
}

// Locale returns the document's locale (its "locale" member): the
// separators and names that formatted cells show (see [Column.Format]), and
// the language of the text. It is nil when the document names none, which
// means English ("en"). For a document made by [Read] it decodes the input
// up to the elements, as [Document.Title] does.
func (d *Document) Locale() *numfmt.Locale {
	if d.dec != nil {
		d.dec.prologue()
		return d.dec.locale
	}
	return d.locale
}

// SetLocale sets the locale of a document made by [New] or [NewStream] from
// a BCP 47 tag such as "de-DE" (see [numfmt.ParseLocale]); "" removes it. It
// returns an error for a malformed tag, and for a document made by [Read],
// whose locale is the input's.
func (d *Document) SetLocale(tag string) error {
	if d.dec != nil {
		return errors.New("report: SetLocale on a document made by Read")
	}
	if tag == "" {
		d.locale = nil
		return nil
	}
	l, err := numfmt.ParseLocale(tag)
	if err != nil {
		return err
	}
	d.locale = l
	return nil
}

// ErrConsumed is returned by an iterator of a streamed document that has
// already been read: a document, and each table's rows, can be read once.
var ErrConsumed = errors.New("report: already read (a streamed document can be read only once)")

// Elements returns an iterator over the document's elements. An error ends
// the sequence: for a document made by [Read] it is a [*Violation] for input
// that is not a valid report (with a JSON Pointer to the place), or the
// reader's error. Rows that a caller does not pull from a table are decoded,
// checked and dropped when the loop moves on.
func (d *Document) Elements() iter.Seq2[Element, error] {
	return func(yield func(Element, error) bool) {
		if d.used {
			yield(nil, ErrConsumed)
			return
		}
		d.used = true
		if d.dec != nil {
			d.dec.elements(yield)
			return
		}
		for el, err := range d.elements {
			if err == nil && el == nil {
				err = errors.New("report: nil element")
			}
			if err == nil {
				err = checkElement(el)
				if err != nil {
					yield(nil, err)
					return
				}
			}
			if !yield(el, err) || err != nil {
				return
			}
		}
	}
}

// An Element is one part of a document: a [*Table], a [*Paragraph], a
// [*Heading] or a [*Fields]. The set is closed; renderers handle each kind
// through a [Visitor]. Every element has a [Block], the members all kinds
// share.
type Element interface {
	accept(Visitor) error
	block() *Block
}

// A Block holds the members that every kind of element has. Each element
// type embeds it.
type Block struct {
	// PageBreak asks for a new page before the element (its "pageBreak"
	// member): see [PageBreak].
	PageBreak PageBreak
}

func (b *Block) block() *Block { return b }

// BlockOf returns the members that el shares with every kind of element.
func BlockOf(el Element) Block { return *el.block() }

// A PageBreak says where an element breaks the page.
type PageBreak string

const (
	BreakNone   PageBreak = ""       // the element follows on the same page when it fits
	BreakBefore PageBreak = "before" // the element starts a new page
)

// A Visitor has one method for each kind of [Element]. Every renderer
// implements it and hands each element to [Visit], so a new kind of element
// is a compile error in each renderer until the renderer handles it: no
// renderer can skip a kind it does not know.
type Visitor interface {
	Table(*Table) error
	Paragraph(*Paragraph) error
	Heading(*Heading) error
	Fields(*Fields) error
}

// Visit calls the method of v for el's kind and returns its error.
func Visit(el Element, v Visitor) error { return el.accept(v) }

func (t *Table) accept(v Visitor) error     { return v.Table(t) }
func (p *Paragraph) accept(v Visitor) error { return v.Paragraph(p) }
func (h *Heading) accept(v Visitor) error   { return v.Heading(h) }
func (f *Fields) accept(v Visitor) error    { return v.Fields(f) }

// A ColumnType declares what a column's cells hold. The empty type allows
// any value; a typed column allows its type and null.
type ColumnType string

// The column types, as the "type" member of a column names them.
const (
	TypeAny      ColumnType = ""
	TypeString   ColumnType = "string"
	TypeNumber   ColumnType = "number"
	TypeBoolean  ColumnType = "boolean"
	TypeDate     ColumnType = "date"     // strings in the form 2006-01-02
	TypeDateTime ColumnType = "datetime" // RFC 3339 strings, 2006-01-02T15:04:05Z07:00
)

// An Align is a column's horizontal alignment. The empty Align lets the
// renderer choose: right for number columns, left for the others.
type Align string

// The alignments, as the "align" member of a column names them; AlignAuto
// is the member left out.
const (
	AlignAuto   Align = ""
	AlignLeft   Align = "left"
	AlignCenter Align = "center"
	AlignRight  Align = "right"
)

// A Column describes one column of a table.
type Column struct {
	Caption string
	Type    ColumnType
	Align   Align

	// Format is the column's display format (its "format" member), an
	// Excel number-format code, or nil to show values as they are given.
	// Date and datetime columns take date/time codes; number, string and
	// untyped columns take number and text codes, and time codes without a
	// date ("[h]:mm:ss", which shows a number of days as a duration);
	// boolean columns none. A string goes through a code's text section. XLSX keeps
	// values as numbers and dates and gives the cells the code; the other
	// formats show the text [Column.AppendText] gives.
	Format *numfmt.Code

	// Total asks for the column's total in the table's footer: see
	// [Table.FooterRows].
	Total Total

	// Link is a URL template (the column's "link" member) that links every
	// non-null cell without a link of its own: "{value}" stands for the
	// cell's text, percent-encoded. It must satisfy the rule of a cell's
	// link with its host (or mailto address) not starting with "{value}",
	// so that no value decides where a link leads. See [Column.AppendLink].
	Link string
}

// A Total is the summary of a column that folio computes as rows stream
// past, exactly on the numbers' decimal text.
type Total string

// The totals, as the "total" member of a column names them; TotalNone, the
// member left out, asks for none.
const (
	TotalNone  Total = ""
	TotalSum   Total = "sum"   // the exact sum; 0 for no rows
	TotalCount Total = "count" // the number of non-null cells, in a column of any type
	TotalMin   Total = "min"   // the smallest number, as written; null for no rows
	TotalMax   Total = "max"   // the largest number, as written; null for no rows
	TotalMean  Total = "mean"  // the sum over the count (see numfmt.Total.Mean); null for no rows
)

// Numeric reports whether the column is declared to hold numbers.
func (c Column) Numeric() bool { return c.Type == TypeNumber }

// A Row is one row of a table: its cells, in column order, and the optional
// source key of the record it came from.
type Row struct {
	SourceKey Value // a string or number, or null
	Cells     []Value
}

// Clone returns a deep copy of r that stays valid after the row iterator
// moves on.
func (r Row) Clone() Row {
	c := Row{SourceKey: r.SourceKey.Clone(), Cells: make([]Value, len(r.Cells))}
	for i, v := range r.Cells {
		c.Cells[i] = v.Clone()
	}
	return c
}

// A Table is a captioned grid: columns and a stream of rows.
type Table struct {
	Block
	Caption string
	Columns []Column
	// Source is the table's sourceBusinessObject, the kind of record its rows
	// come from. A decoded table may name it after its rows; it is then set
	// once Rows is exhausted.
	Source string
	// Footer holds the table's footer rows (its data.footer) as given, with
	// one cell per column; their cells may hold any value, whatever the
	// column's type (a label such as "Total" in a number column). A decoded
	// table names its footer before or after its rows: it is set once Rows
	// is exhausted. A Footer that is not nil, even empty, replaces the row
	// of totals (see [Table.FooterRows]).
	Footer []Row

	rows   iter.Seq2[Row, error] // set for tables made by NewTable
	rr     *rowReader            // set for tables made by Read
	used   bool
	totals *totals // set while rows are totalled, for tables with a total column
}

// NewTable returns a table whose rows are pulled from rows. Each row must have
// one cell per column, and number Values must be valid numbers; a row that
// does not ends the rows with an error. An error from rows ends them too.
func NewTable(caption string, columns []Column, rows iter.Seq2[Row, error]) *Table {
	return &Table{Caption: caption, Columns: columns, rows: rows}
}

// RowsOf returns an iterator over rows, for building a [Table] from a slice.
func RowsOf(rows ...Row) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Cells returns a Row holding cells, a shorthand for building tables.
func Cells(cells ...Value) Row { return Row{Cells: cells} }

// Rows returns an iterator over the table's rows. The Row and its Values are
// reused between iterations: [Row.Clone] one to keep it. An error ends the
// sequence (see [Document.Elements]). Rows can be read once.
func (t *Table) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		if t.used {
			yield(Row{}, ErrConsumed)
			return
		}
		t.used = true
		t.startTotals()
		if t.rr != nil {
			t.rr.rows(yield)
			return
		}
		if t.rows == nil {
			return
		}
		n := 0
		for r, err := range t.rows {
			if err == nil {
				err = t.checkRow(n, r)
			}
			if err == nil && t.totals != nil {
				if i, terr := t.totals.add(r.Cells); terr != nil {
					err = &Violation{Pointer: fmt.Sprintf("/rows/%d/cells/%d/value", n, i), Message: totalMessage}
				}
			}
			if !yield(r, err) || err != nil {
				return
			}
			n++
		}
		if t.totals != nil && t.Footer == nil {
			if col, msg := t.totals.overflow(t.Columns); col >= 0 {
				yield(Row{}, &Violation{Pointer: fmt.Sprintf("/columns/%d/total", col), Message: msg})
			}
		}
	}
}

// checkElement validates an element built in Go.
func checkElement(el Element) error {
	if b := el.block().PageBreak; b != BreakNone && b != BreakBefore {
		return &Violation{Pointer: "/pageBreak", Message: pageBreakMessage}
	}
	switch el := el.(type) {
	case *Table:
		return el.check()
	case *Fields:
		return el.check()
	}
	return nil
}

const pageBreakMessage = `pageBreak must be "before"`

// check validates the header and footer of a table built in Go.
func (t *Table) check() error {
	for i, c := range t.Columns {
		if !slices.Contains(columnTypes, c.Type) {
			return &Violation{Pointer: fmt.Sprintf("/columns/%d/type", i), Message: fmt.Sprintf("unknown column type %q", clip(c.Type))}
		}
		if !slices.Contains(aligns, c.Align) {
			return &Violation{Pointer: fmt.Sprintf("/columns/%d/align", i), Message: fmt.Sprintf("unknown alignment %q", clip(c.Align))}
		}
		if c.Format != nil {
			if hasControl(c.Format.String()) {
				return &Violation{Pointer: fmt.Sprintf("/columns/%d/format", i), Message: controlMessage(c.Format.String())}
			}
			if msg := formatMismatch(c.Type, c.Format); msg != "" {
				return &Violation{Pointer: fmt.Sprintf("/columns/%d/format", i), Message: msg}
			}
		}
		if msg := totalMismatch(c.Type, c.Total); msg != "" {
			return &Violation{Pointer: fmt.Sprintf("/columns/%d/total", i), Message: msg}
		}
		if c.Link != "" && !safeurl.Template(c.Link) {
			return &Violation{Pointer: fmt.Sprintf("/columns/%d/link", i), Message: templateMessage(c.Link)}
		}
	}
	for k, r := range t.Footer {
		if err := t.checkCells("/footer/", k, r, false); err != nil {
			return err
		}
	}
	return nil
}

func (t *Table) checkRow(n int, r Row) error {
	return t.checkCells("/rows/", n, r, true)
}

// checkCells checks row n under at ("/rows/") or, with typed false, a
// footer row, whose cells may hold any value.
func (t *Table) checkCells(at string, n int, r Row, typed bool) error {
	if len(r.Cells) != len(t.Columns) {
		return &Violation{Pointer: fmt.Sprintf("%s%d/cells", at, n), Message: cellCountMessage(len(r.Cells), len(t.Columns))}
	}
	for i, v := range r.Cells {
		if v.kind == KindNumber && !ValidNumber(v.text) {
			return &Violation{Pointer: fmt.Sprintf("%s%d/cells/%d/value", at, n, i), Message: fmt.Sprintf("%q is not a JSON number within the range of a float64", clip(v.text))}
		}
		if typed {
			if msg := typeMismatch(t.Columns[i], v); msg != "" {
				return &Violation{Pointer: fmt.Sprintf("%s%d/cells/%d/value", at, n, i), Message: msg}
			}
		}
		if v.link != "" && !safeurl.Link(v.link) {
			return &Violation{Pointer: fmt.Sprintf("%s%d/cells/%d/link", at, n, i), Message: linkMessage(v.link)}
		}
	}
	return nil
}

var (
	columnTypes = []ColumnType{TypeAny, TypeString, TypeNumber, TypeBoolean, TypeDate, TypeDateTime}
	aligns      = []Align{AlignAuto, AlignLeft, AlignCenter, AlignRight}
)

func cellCountMessage(cells, cols int) string {
	return fmt.Sprintf("row has %d %s but the table has %d %s", cells, plural(cells, "cell", "cells"), cols, plural(cols, "column", "columns"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// A Paragraph is a block of text made of runs.
type Paragraph struct {
	Block
	Runs []Run
}

// A Run is a piece of paragraph text. A Markdown run holds inline Markdown
// (emphasis, strong, code spans, links); renderers that can show it do, the
// others show its text. Raw HTML in Markdown is never passed through.
type Run struct {
	Text     string
	Markdown bool
}

// MaxMarkdown is the longest run, in bytes, that renderers read as
// Markdown; a longer Markdown run is shown as plain text. Markdown parsing
// takes time that grows with the square of the length of some inputs (a
// 60 KB run of unmatched emphasis delimiters takes seconds in goldmark), and
// a parse cannot be cancelled, so this bounds what one run can cost.
const MaxMarkdown = 16 << 10

// IsMarkdown reports whether renderers should read r as Markdown: it is
// marked Markdown and no longer than [MaxMarkdown].
func (r Run) IsMarkdown() bool { return r.Markdown && len(r.Text) <= MaxMarkdown }

// Text returns the paragraph's runs joined as they appear.
func (p *Paragraph) Text() string {
	n := 0
	for _, r := range p.Runs {
		n += len(r.Text)
	}
	b := make([]byte, 0, n)
	for _, r := range p.Runs {
		b = append(b, r.Text...)
	}
	return string(b)
}

// A Heading is a section title of level 1 (highest) to 6.
type Heading struct {
	Block
	Text  string
	Level int
}

// A Fields element is a block of key figures: a caption and label/value
// items (a report's period, its filters, who ran it, a grand total).
type Fields struct {
	Block
	Caption string
	Items   []Field
}

// A Field is one item of a [Fields] element: a label and a value typed
// like a cell's (a string, a number, a boolean or null, with an optional
// link: see [Value.WithLink]), shown with an optional format.
type Field struct {
	Label string
	Value Value
	// Format is the item's display format, an Excel number-format code, or
	// nil. A number takes number and text codes, a date (2006-01-02) or
	// RFC 3339 datetime string takes date/time codes, another string goes
	// through a code's text section, a boolean or null is shown as given.
	Format *numfmt.Code
}

// Column returns the column that shows f's value as [Column.AppendText]
// and [Column.AppendLink] do: captioned with its label, with its format,
// and typed after its value (number for a number, date or datetime for a
// string in that form under a date/time code), so that a renderer shows
// an item as it would show a cell.
func (f Field) Column() Column {
	c := Column{Caption: f.Label, Format: f.Format}
	switch {
	case f.Value.kind == KindNumber:
		c.Type = TypeNumber
	case f.Value.kind == KindString && f.Format != nil && f.Format.Kind() == numfmt.KindDateTime:
		if isDate(f.Value.text) {
			c.Type = TypeDate
		} else if typeMismatch(Column{Type: TypeDateTime}, f.Value) == "" {
			c.Type = TypeDateTime
		}
	}
	return c
}

// check validates a Fields element built in Go.
func (f *Fields) check() error {
	for i, it := range f.Items {
		at := fmt.Sprintf("/data/items/%d", i)
		if it.Value.kind == KindNumber && !ValidNumber(it.Value.text) {
			return &Violation{Pointer: at + "/value", Message: fmt.Sprintf("%q is not a JSON number within the range of a float64", clip(it.Value.text))}
		}
		if it.Value.link != "" && !safeurl.Link(it.Value.link) {
			return &Violation{Pointer: at + "/link", Message: linkMessage(it.Value.link)}
		}
		if it.Format != nil && hasControl(it.Format.String()) {
			return &Violation{Pointer: at + "/format", Message: controlMessage(it.Format.String())}
		}
	}
	return nil
}

// A Violation is one way in which input is not a valid report document.
// It is the one type for such a pair everywhere: a job's details (package
// jobs) and the details of the server's error bodies carry it as
// {"pointer": …, "message": …}.
type Violation struct {
	Pointer string `json:"pointer"` // RFC 6901 JSON Pointer: "/elements/0/data/rows/5/cells"; "" is the whole document
	Message string `json:"message"` // a plain sentence: "row has 2 cells but the table has 3 columns"
}

// Error returns the violation as the CLI prints it, "pointer: message",
// with [PointerString]'s "(document)" for the empty pointer.
func (v *Violation) Error() string {
	return PointerString(v.Pointer) + ": " + v.Message
}

// PointerString returns p for printing: the empty pointer, which names the
// whole document, prints as "(document)".
func PointerString(p string) string {
	if p == "" {
		return "(document)"
	}
	return p
}
