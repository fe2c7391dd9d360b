// Package csv renders a report as RFC 4180 CSV in UTF-8.
//
// Each table is written as a header row of column captions followed by its
// rows; several tables are separated by one empty line, or [Renderer.Table]
// picks one. Captions, titles, headings and paragraphs are not written, so a
// report with no table gives an empty file. Records end in CRLF; fields that
// hold a comma, a quote, a line break or leading space are quoted.
//
// Numbers are written exactly as the document gives them, booleans as true
// and false, null as an empty field: CSV is for machines, so a column's
// format and the document's locale do not apply unless [Renderer.Formatted]
// asks for the text people see. A table's footer (the producer's, or the
// row of totals) is not written unless [Renderer.Footer] asks for it, so
// that a table is strictly rows of data. Links are not written: CSV has no
// hyperlinks (the JSON format keeps them). A text cell that a spreadsheet
// would run as a formula (one that starts with =, +, -, @, a tab or a
// carriage return and is not itself a plain number) gets a leading
// apostrophe, as OWASP advises; [Renderer.Formulas] turns that off.
package csv

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/foliorender/folio/internal/bufpool"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/report"
)

// A Renderer writes CSV. The zero value is ready to use.
type Renderer struct {
	// BOM starts the output with a UTF-8 byte order mark, which some
	// spreadsheet programs need to read UTF-8.
	BOM bool
	// Formulas writes text cells as they are, even those a spreadsheet
	// would run as formulas. Only for consumers that are not spreadsheets.
	Formulas bool
	// Table writes only the Table-th table (1-based); 0 writes them all.
	Table int
	// Comma is the field separator; 0 means ','. It must not be a quote,
	// CR, LF or the Unicode replacement character.
	Comma rune
	// Formatted writes the cells of columns with a format as the text
	// people see (report.Column.AppendText, in the document's locale: the
	// text of HTML, PDF and Markdown) instead of their values. Such text
	// gets the formula guard unless it is a formatted number with no
	// formula syntax after its sign ("-1.234,50 €" is written as it is).
	Formatted bool
	// Footer writes each table's footer rows after its rows: the
	// producer's footer, or the row of totals.
	Footer bool
}

// checkEvery is how many rows pass between context checks.
const checkEvery = 4096

// Render writes doc as CSV to w.
func (r *Renderer) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	comma := r.Comma
	if comma == 0 {
		comma = ','
	}
	if comma == '"' || comma == '\r' || comma == '\n' || comma == utf8.RuneError || !utf8.ValidRune(comma) {
		return fmt.Errorf("csv: invalid separator %q", comma)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cw := newWriter(w, comma, r.Formulas)
	defer bufpool.Put(cw.w)
	var loc *numfmt.Locale
	if r.Formatted {
		loc = doc.Locale()
	}
	if r.BOM {
		cw.w.WriteString("\uFEFF")
	}
	tw := &tables{ctx: ctx, r: r, cw: cw, loc: loc}
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if err := report.Visit(el, tw); err != nil {
			return err
		}
	}
	n := tw.n
	if r.Table > n {
		return fmt.Errorf("csv: table %d asked for, but the report has %d", r.Table, n)
	}
	return cw.w.Flush()
}

// tables writes the tables of a document: CSV has no place for the other
// kinds of element, which it leaves out.
type tables struct {
	ctx context.Context
	r   *Renderer
	cw  *writer
	loc *numfmt.Locale
	n   int // tables seen
}

// Paragraph leaves a paragraph out.
func (tw *tables) Paragraph(*report.Paragraph) error { return nil }

// Fields leaves key figures out: like paragraphs, they are not table rows.
func (tw *tables) Fields(*report.Fields) error { return nil }

// Heading leaves a heading out.
func (tw *tables) Heading(*report.Heading) error { return nil }

// Table writes a table: its captions row, its rows and, with Footer, its
// footer rows.
func (tw *tables) Table(t *report.Table) error {
	ctx, r, cw, loc := tw.ctx, tw.r, tw.cw, tw.loc
	tw.n++
	if r.Table != 0 && tw.n != r.Table {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if tw.n > 1 && r.Table == 0 {
		cw.w.WriteString("\r\n")
	}
	for i, c := range t.Columns {
		cw.text(i, c.Caption)
	}
	cw.w.WriteString("\r\n")
	rows := 0
	cols := cw.plan(t.Columns, r.Formatted, loc)
	for row, err := range t.Rows() {
		if err != nil {
			return err
		}
		for i, v := range row.Cells {
			if i < len(cols) && cols[i].code != nil {
				cw.formatted(i, &cols[i], v, loc)
			} else {
				cw.value(i, v)
			}
		}
		cw.w.WriteString("\r\n")
		if rows++; rows%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := cw.err(); err != nil {
				return err
			}
		}
	}
	if r.Footer {
		rows := t.FooterRows()
		fcols := cw.plan(t.FooterColumns(), r.Formatted, loc)
		for _, row := range rows {
			for i, v := range row.Cells {
				if i < len(fcols) && fcols[i].code != nil {
					cw.formatted(i, &fcols[i], v, loc)
				} else {
					cw.value(i, v)
				}
			}
			cw.w.WriteString("\r\n")
		}
	}
	return cw.err()
}

type writer struct {
	w        *bufio.Writer
	comma    []byte
	simple   bool // comma is one byte
	formulas bool
	scratch  []byte
	class    [256]uint8 // what each byte asks of a field: quoteByte, quoteChar, nonASCII
	numClass [256]uint8 // what each byte is in a formatted number: numComma, numSyntax
}

// newWriter returns a writer of fields separated by comma, a valid
// separator, to w.
func newWriter(w io.Writer, comma rune, formulas bool) *writer {
	cw := &writer{w: bufpool.Get(w), formulas: formulas}
	cw.comma = utf8.AppendRune(nil, comma)
	cw.simple = comma < utf8.RuneSelf
	cw.class['"'] = quoteByte | quoteChar
	cw.class['\r'], cw.class['\n'] = quoteByte, quoteByte
	if cw.simple {
		cw.class[comma] = quoteByte
	}
	for c := utf8.RuneSelf; c < len(cw.class); c++ {
		cw.class[c] = nonASCII
	}
	for c, syntax := range formulaSyntax {
		if syntax {
			cw.numClass[c] = numSyntax
		}
	}
	if cw.simple {
		cw.numClass[comma] |= numComma
	}
	return cw
}

// The classes of bytes in a field.
const (
	quoteByte = 1 << iota // the field is quoted: '"', CR, LF, a one-byte comma
	quoteChar             // '"', doubled inside quotes
	nonASCII              // the field's UTF-8 is checked, and its first character
)

// The classes of bytes in a formatted number (see writer.number).
const (
	numComma  = 1 << iota // the one-byte comma
	numSyntax             // formula syntax (formulaSyntax)
)

// err returns the sticky write error, if any.
func (cw *writer) err() error {
	_, err := cw.w.Write(nil)
	return err
}

func (cw *writer) sep(i int) {
	switch {
	case i == 0:
	case cw.simple:
		cw.w.WriteByte(cw.comma[0]) // a third of Write's instructions
	default:
		cw.w.Write(cw.comma)
	}
}

func (cw *writer) value(i int, v report.Value) {
	cw.sep(i)
	switch v.Kind() {
	case report.KindNull:
	case report.KindString:
		cw.field(v.Bytes(), !cw.formulas)
	default:
		cw.w.Write(v.Bytes())
	}
}

// A column is what the writer needs of a table's column.
type column struct {
	report.Column
	code *numfmt.Code // the format, when cells are written formatted; else nil
	// known is set when the formatted text of every number in the column
	// is valid UTF-8 that holds no quote, CR or LF (see report.Column's
	// NumberChars), so that the field's bytes need not be checked.
	known bool
}

// plan returns the columns of cols to write, with formatted set when cells
// are formatted in loc.
func (cw *writer) plan(cols []report.Column, formatted bool, loc *numfmt.Locale) []column {
	plan := make([]column, len(cols))
	for i, c := range cols {
		plan[i].Column = c
		if !formatted || c.Format == nil {
			continue
		}
		plan[i].code = c.Format
		if chars, ok := c.NumberChars(loc); ok && cw.simple && !strings.ContainsAny(chars, "\"\r\n") {
			plan[i].known = true
		}
	}
	return plan
}

// formatted writes v as the text column c shows in locale loc.
func (cw *writer) formatted(i int, c *column, v report.Value, loc *numfmt.Locale) {
	if c.known && v.Kind() == report.KindNumber {
		cw.number(i, c, v, loc)
		return
	}
	cw.sep(i)
	if v.IsNull() {
		return
	}
	cw.scratch = c.AppendText(cw.scratch[:0], v, loc)
	cw.field(cw.scratch, cw.guard(v, cw.scratch))
}

// guard reports whether the formatted text of v gets the formula guard.
func (cw *writer) guard(v report.Value, text []byte) bool {
	if cw.formulas {
		return false
	}
	if v.Kind() != report.KindNumber || len(text) == 0 || text[0] != '-' && text[0] != '+' {
		return true
	}
	// A formatted number's sign starts no formula unless formula syntax
	// follows it (a code's literal text could hold some).
	for _, c := range text[1:] {
		if formulaSyntax[c] {
			return true
		}
	}
	return false
}

// numberRoom is the room number makes in the buffer before formatting
// into it: more than the text of any number in a usual format.
const numberRoom = 128

// number writes the number v of a known column (see column.known)
// formatted. It formats the number into the buffered writer's free space,
// after room for the separator and an opening quote, and hands the field
// back to it from there, so that the text is not copied on the way. When
// the buffer is nearly full it formats into scratch instead: flushing
// early would leave the writes that follow at offsets that are not
// multiples of the buffer's size, which costs a file's page cache more.
func (cw *writer) number(i int, c *column, v report.Value, loc *numfmt.Locale) {
	b := cw.w.AvailableBuffer()
	scratch := cap(b) < numberRoom
	if scratch {
		b = cw.scratch[:0]
	}
	const pre = 2 // the separator and the quote
	b = append(b, cw.comma[0], '"')
	b = c.AppendText(b, v, loc)
	if scratch {
		cw.scratch = b[:0] // keeps what it grew to
	}
	text := b[pre:]
	// One pass over the text finds the comma, which quotes the field (the
	// column's text holds no quote, CR or LF), and formula syntax after
	// its first byte, without which a sign starts no formula.
	var class uint8
	if len(text) > 0 {
		class = cw.numClass[text[0]] & numComma
		for _, c := range text[1:] {
			class |= cw.numClass[c]
		}
	}
	quote := class&numComma != 0 || quoteStart(text)
	// cw.guard, with the formula syntax after the first byte found above.
	guard := !cw.formulas && (len(text) == 0 || text[0] != '-' && text[0] != '+' || class&numSyntax != 0)
	if guard && formulaLike(text) {
		// The apostrophe goes before the text: rare enough to copy it.
		cw.scratch = append(cw.scratch[:0], text...)
		cw.sep(i)
		cw.quoted(cw.scratch, quote, 0, true)
		return
	}
	from := 1 // where the field starts in b: at the quote
	if quote {
		b = append(b, '"')
	} else {
		b[1] = b[0] // the separator moves up to just before the text
		from = pre
	}
	if i > 0 {
		from-- // the separator goes first
	}
	cw.w.Write(b[from:])
}

// formulaSyntax holds the characters of formula syntax that make a
// formatted number with a sign a formula: =+-*/^&|!()@<>:;".
var formulaSyntax = func() (t [256]bool) {
	for _, c := range []byte("=+-*/^&|!()@<>:;\"") {
		t[c] = true
	}
	return t
}()

func (cw *writer) text(i int, s string) {
	cw.sep(i)
	cw.scratch = append(cw.scratch[:0], s...)
	cw.field(cw.scratch, !cw.formulas)
}

// field writes one text field, quoted when needed.
func (cw *writer) field(b []byte, guard bool) {
	// One pass over the bytes finds what the field asks for: most fields
	// are ASCII that needs no quotes.
	var class uint8
	for _, c := range b {
		class |= cw.class[c]
	}
	if !cw.simple || class&nonASCII != 0 && !utf8.Valid(b) {
		cw.slow(b, guard)
		return
	}
	cw.write(b, class, guard)
}

// slow writes a field that is not valid UTF-8, or any with a comma of
// several bytes.
func (cw *writer) slow(b []byte, guard bool) {
	if !utf8.Valid(b) {
		b = []byte(toValid(b))
	}
	cw.quoted(b, cw.needsQuotes(b), quoteChar, guard)
}

// write writes the field b, valid UTF-8, with a one-byte comma; class
// holds what its bytes ask for (quoteByte and quoteChar).
func (cw *writer) write(b []byte, class uint8, guard bool) {
	cw.quoted(b, class&quoteByte != 0 || quoteStart(b), class, guard)
}

// quoteStart reports whether the field b is quoted whatever bytes it holds:
// it starts with a space (ASCII or Unicode) or is \. (a line PostgreSQL's
// COPY reads as the end of data).
func quoteStart(b []byte) bool {
	return len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] >= 0xc2 && b[0] <= 0xe3 && spaceStart(b)) || string(b) == `\.`
}

// quoted writes the field b, in quotes if quote is set, doubling its quote
// characters if class has quoteChar.
func (cw *writer) quoted(b []byte, quote bool, class uint8, guard bool) {
	prefix := guard && formulaLike(b)
	if !quote {
		if prefix {
			cw.w.WriteByte('\'')
		}
		cw.w.Write(b)
		return
	}
	cw.w.WriteByte('"')
	if prefix {
		cw.w.WriteByte('\'')
	}
	for class&quoteChar != 0 {
		j := bytes.IndexByte(b, '"')
		if j < 0 {
			break
		}
		cw.w.Write(b[:j+1])
		cw.w.WriteByte('"')
		b = b[j+1:]
	}
	cw.w.Write(b)
	cw.w.WriteByte('"')
}

// needsQuotes reports whether the field b is quoted: it holds a quote, a
// line break or the comma, or starts with a space (ASCII or Unicode) or is
// \. (a line PostgreSQL's COPY reads as the end of data).
func (cw *writer) needsQuotes(b []byte) bool {
	if quoteStart(b) {
		return true
	}
	for _, c := range b {
		switch c {
		case '"', '\r', '\n':
			return true
		}
		if cw.simple && c == cw.comma[0] {
			return true
		}
	}
	return !cw.simple && bytesContains(b, cw.comma)
}

// spaceStart reports whether b starts with a Unicode space, which is
// quoted, as encoding/csv does; their UTF-8 starts with a byte from 0xc2
// to 0xe3.
func spaceStart(b []byte) bool {
	r, _ := utf8.DecodeRune(b)
	return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000
}

func bytesContains(b, sub []byte) bool {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return true
		}
	}
	return false
}

// formulaLike reports whether a spreadsheet would treat text b as a formula:
// it starts with =, +, -, @, tab or CR, and is not a plain number such as
// -12.5 or +3, which a spreadsheet reads as that number.
func formulaLike(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	switch b[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		return !plainNumber(b[1:])
	}
	return false
}

// plainNumber reports whether b is digits with an optional fraction and
// exponent, the rest of a signed number.
func plainNumber(b []byte) bool {
	i, n, digits := 0, len(b), 0
	for i < n && b[i] >= '0' && b[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < n && b[i] == '.' {
		i++
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < n && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == n
}

func toValid(b []byte) string {
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
