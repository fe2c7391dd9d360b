package report

import (
	"errors"
	"fmt"
	"iter"
	"slices"
)

// A Document is a report: an optional title and a sequence of elements.
//
// A Document made by [Read] is read once, lazily, in order: [Document.Elements]
// decodes elements as they are pulled, and each table's rows as they are
// pulled from [Table.Rows]. A Document made by [New] or [NewStream] yields the
// elements it was given. A Document is not safe for concurrent use.
type Document struct {
	title    string
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
				if t, ok := el.(*Table); ok {
					if err = t.check(); err != nil {
						yield(nil, err)
						return
					}
				}
			}
			if !yield(el, err) || err != nil {
				return
			}
		}
	}
}

// An Element is one part of a document: a [*Table], a [*Paragraph] or a
// [*Heading]. The set is closed; renderers switch on the type.
type Element interface {
	element()
}

func (*Table) element()     {}
func (*Paragraph) element() {}
func (*Heading) element()   {}

// A ColumnType declares what a column's cells hold. The empty type allows
// any value; a typed column allows its type and null.
type ColumnType string

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
}

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
	Caption string
	Columns []Column
	// Source is the table's sourceBusinessObject, the kind of record its rows
	// come from. A decoded table may name it after its rows; it is then set
	// once Rows is exhausted.
	Source string

	rows iter.Seq2[Row, error] // set for tables made by NewTable
	rr   *rowReader            // set for tables made by Read
	used bool
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
			if !yield(r, err) || err != nil {
				return
			}
			n++
		}
	}
}

// check validates the header of a table built in Go.
func (t *Table) check() error {
	for i, c := range t.Columns {
		if !slices.Contains(columnTypes, c.Type) {
			return &Violation{Pointer: fmt.Sprintf("/columns/%d/type", i), Message: fmt.Sprintf("unknown column type %q", clip(c.Type))}
		}
		if !slices.Contains(aligns, c.Align) {
			return &Violation{Pointer: fmt.Sprintf("/columns/%d/align", i), Message: fmt.Sprintf("unknown alignment %q", clip(c.Align))}
		}
	}
	return nil
}

func (t *Table) checkRow(n int, r Row) error {
	if len(r.Cells) != len(t.Columns) {
		return &Violation{Pointer: fmt.Sprintf("/rows/%d/cells", n), Message: cellCountMessage(len(r.Cells), len(t.Columns))}
	}
	for i, v := range r.Cells {
		if v.kind == KindNumber && !ValidNumber(v.text) {
			return &Violation{Pointer: fmt.Sprintf("/rows/%d/cells/%d/value", n, i), Message: fmt.Sprintf("%q is not a JSON number within the range of a float64", clip(v.text))}
		}
		if msg := typeMismatch(t.Columns[i], v); msg != "" {
			return &Violation{Pointer: fmt.Sprintf("/rows/%d/cells/%d/value", n, i), Message: msg}
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
	Text  string
	Level int
}

// A Violation is one way in which input is not a valid report document.
// It is the one type for such a pair everywhere: a job's details (package
// jobs) and the details of the server's error bodies carry it as
// {"pointer": …, "message": …}.
type Violation struct {
	Pointer string `json:"pointer"` // RFC 6901 JSON Pointer: "/elements/0/data/rows/5/cells"; "" is the whole document
	Message string `json:"message"` // a plain sentence: "row has 2 cells but the table has 3 columns"
}

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
