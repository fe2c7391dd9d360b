package report

import (
	"fmt"
	"unicode/utf8"
	"unsafe"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
)

// FooterLabel is the text of the row of totals that folio adds to a table
// with a total column and no footer of its own, in the first column that
// has no total (when every column has one, the row has no label).
const FooterLabel = "Total"

// CountFormat is the format of a count in the row of totals: a whole
// number, grouped, whatever the column's own format (a count of amounts is
// not an amount).
var CountFormat = numfmt.MustParse("#,##0")

// AppendText appends to dst the text a reader sees for v in column c: v
// formatted with c.Format in the locale loc (nil is English), or v's text
// as given when the column has no format. Null is "", booleans "true" and
// "false". A number takes a number or text code; a string in a date or
// datetime column with a date/time code is shown as that date; another
// string goes through the code's text section, if it has one. A value the
// code cannot show (a date before year 1) is shown as given. PDF, HTML,
// Markdown and formatted CSV all show this text, so a value reads the same
// in each.
func (c Column) AppendText(dst []byte, v Value, loc *numfmt.Locale) []byte {
	// Small enough to be inlined, so that a call does not copy the Column;
	// and the Value is passed in pieces, so that every argument of
	// appendText fits a register.
	return appendText(dst, c.Format, v.kind, v.b, unsafe.String(unsafe.SliceData(v.text), len(v.text)), loc)
}

// NumberChars returns a string that holds every byte AppendText can write
// for a number of column c in the locale loc (numfmt's [numfmt.Code.NumberChars],
// and the bytes of a JSON number, which a number the code cannot show is
// written as), and true when c has a number format and every such text is
// valid UTF-8: a renderer can then check the string once per column
// instead of each text. It returns "" and false otherwise.
func (c Column) NumberChars(loc *numfmt.Locale) (string, bool) {
	if c.Format == nil {
		return "", false
	}
	chars, ok := c.Format.NumberChars(loc)
	chars += "0123456789+-.eE"
	if !ok || !utf8.ValidString(chars) {
		return "", false
	}
	return chars, true
}

// appendText is AppendText for a column of the format code (nil for
// none) and a value of the kind, boolean b and text s.
func appendText(dst []byte, code *numfmt.Code, kind Kind, b bool, s string, loc *numfmt.Locale) []byte {
	switch {
	case kind == KindBool:
		if b {
			return append(dst, trueBytes...)
		}
		return append(dst, falseBytes...)
	case code == nil || kind == KindNull:
		return append(dst, s...)
	}
	n := len(dst)
	if kind == KindNumber {
		// On an error AppendFormat returns dst as it was, grown or not:
		// out[:n], unlike dst, need not be kept across the call.
		out, err := code.AppendFormat(dst, s, loc)
		if err != nil {
			out = append(out[:n], s...)
		}
		return out
	}
	if code.Kind() != numfmt.KindDateTime {
		return append(dst, code.FormatText(s)...)
	}
	if t, err := numfmt.ParseTime(s); err == nil {
		if out, err := code.AppendFormatTime(dst, t, loc); err == nil {
			return out
		}
	}
	return append(dst[:n], s...)
}

// AppendLink appends to dst the link of cell v in column c: the cell's own
// link, else the column's template expanded with the cell's text (see
// [Column.Link]); it appends nothing when the cell has no link, and for a
// null cell without a link of its own. A link appended always satisfies
// the rule of cell links: an absolute http, https or mailto URL without
// spaces or control characters.
func (c Column) AppendLink(dst []byte, v Value) []byte {
	if v.link != "" {
		return append(dst, v.link...)
	}
	if c.Link == "" || v.kind == KindNull {
		return dst
	}
	return safeurl.Expand(dst, c.Link, v.Bytes())
}

// FooterRows returns the rows a renderer shows in the table's footer, after
// its rows: [Table.Footer] when it is not nil, else, when a column has a
// [Total], one row of totals computed exactly as the rows streamed past
// (with [FooterLabel] in the first column without a total, and null in the
// others), else nil. Call it once Rows is exhausted: a decoded table may
// name its footer after its rows, and totals are complete only then. Format
// the cells with [Table.FooterColumns].
func (t *Table) FooterRows() []Row {
	if t.Footer != nil {
		return t.Footer
	}
	if !t.hasTotal() {
		return nil
	}
	t.startTotals()
	if t.totals.footer == nil {
		t.totals.footer = []Row{t.totals.row(len(t.Columns))}
	}
	return t.totals.footer
}

// FooterColumns returns the columns with which a renderer formats the
// cells of [Table.FooterRows]: the table's columns without link templates
// (a footer cell links only with a link of its own) and, in the row of
// totals, the columns of counts as whole numbers formatted with
// [CountFormat].
func (t *Table) FooterColumns() []Column {
	cols := make([]Column, len(t.Columns))
	computed := t.Footer == nil
	for i, c := range t.Columns {
		c.Link = ""
		if computed && c.Total == TotalCount {
			c.Type, c.Format = TypeNumber, CountFormat
		}
		cols[i] = c
	}
	return cols
}

func (t *Table) hasTotal() bool {
	for _, c := range t.Columns {
		if c.Total != TotalNone {
			return true
		}
	}
	return false
}

// startTotals makes the table's accumulators if a column has a total.
func (t *Table) startTotals() {
	if t.totals != nil || !t.hasTotal() {
		return
	}
	ts := &totals{cols: make([]colTotal, 0, 1)}
	for i, c := range t.Columns {
		if c.Total != TotalNone {
			ts.cols = append(ts.cols, colTotal{col: i, kind: c.Total})
		}
	}
	t.totals = ts
}

// totals accumulate a table's column totals.
type totals struct {
	cols   []colTotal
	footer []Row // the row of totals, once made
}

type colTotal struct {
	col  int
	kind Total
	n    int64        // non-null cells, for count
	t    numfmt.Total // for sum, min, max and mean
}

// totalMessage is the violation of a number that a total cannot hold.
const totalMessage = "the number has more than 1000 decimal places, more than folio totals exactly"

// add adds a row's cells. It returns the column of a number that a total
// cannot hold, with the error.
func (ts *totals) add(cells []Value) (int, error) {
	for k := range ts.cols {
		c := &ts.cols[k]
		v := &cells[c.col]
		switch {
		case v.kind == KindNull:
		case c.kind == TotalCount:
			c.n++
		case v.kind == KindNumber:
			if err := c.t.Add(unsafe.String(unsafe.SliceData(v.text), len(v.text))); err != nil {
				return c.col, err
			}
		}
	}
	return 0, nil
}

// overflow returns a column whose sum is beyond a float64, which no
// spreadsheet or PDF could show, with a message; or -1.
func (ts *totals) overflow(cols []Column) (int, string) {
	for k := range ts.cols {
		c := &ts.cols[k]
		if c.kind != TotalSum {
			continue
		}
		if s := c.t.Sum(); !ValidNumber(s) {
			return c.col, fmt.Sprintf("the sum of column %q, %s, is beyond the range of a float64 (±1.8e308), which no spreadsheet or PDF could show", clip(cols[c.col].Caption), clip(s))
		}
	}
	return -1, ""
}

// row makes the row of totals of a table of n columns.
func (ts *totals) row(n int) Row {
	cells := make([]Value, n)
	has := make([]bool, n)
	for k := range ts.cols {
		c := &ts.cols[k]
		has[c.col] = true
		var s string
		ok := true
		switch c.kind {
		case TotalCount:
			cells[c.col] = Int(c.n)
			continue
		case TotalSum:
			s = c.t.Sum()
		case TotalMin:
			s, ok = c.t.Min()
		case TotalMax:
			s, ok = c.t.Max()
		case TotalMean:
			s, ok = c.t.Mean()
		}
		if ok {
			cells[c.col] = Value{kind: KindNumber, text: []byte(s)}
		}
	}
	for i := range cells {
		if !has[i] {
			cells[i] = String(FooterLabel)
			break
		}
	}
	return Row{Cells: cells}
}

// formatMismatch says why a column of type typ cannot have the format
// code, or returns "".
func formatMismatch(typ ColumnType, code *numfmt.Code) string {
	k := code.Kind()
	switch typ {
	case TypeBoolean:
		return "a boolean column takes no format"
	case TypeDate, TypeDateTime:
		if k != numfmt.KindDateTime {
			return fmt.Sprintf("a %s column needs a date/time code such as \"dd.mm.yyyy\", not the %s code %q", typ, k, clip(code.String()))
		}
	default:
		// A time code without a date ("[h]:mm", "hh:mm:ss") shows a number
		// as a duration in days; one with a date would show an amount as
		// a date.
		if k == numfmt.KindDateTime && code.HasDate() {
			what := "untyped"
			if typ != TypeAny {
				what = "of type " + string(typ)
			}
			return fmt.Sprintf("%q is a date code, for columns of type date or datetime, and this column is %s (a time code without a date, such as \"[h]:mm\", shows a number of days as a duration)", clip(code.String()), what)
		}
	}
	return ""
}

// hasControl reports whether a format code holds a C0 control character,
// which XML, and so a spreadsheet's number format, cannot carry.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

func controlMessage(code string) string {
	return fmt.Sprintf("format %q holds a control character, which a spreadsheet's number format cannot", clip(code))
}

// totalMismatch says why a column of type typ cannot have the total, or
// returns "".
func totalMismatch(typ ColumnType, t Total) string {
	switch t {
	case TotalNone, TotalCount:
		return ""
	case TotalSum, TotalMin, TotalMax, TotalMean:
		if typ == TypeNumber {
			return ""
		}
		what := "an untyped column"
		if typ != TypeAny {
			what = "a column of type " + string(typ)
		}
		return fmt.Sprintf("total %q needs a number column (\"type\": \"number\"); %s can have only \"count\"", t, what)
	}
	return fmt.Sprintf("total must be one of sum, count, min, max and mean, not %q", clip(t))
}

func linkMessage(s string) string {
	return fmt.Sprintf("a link must be an absolute http, https or mailto URL without spaces or control characters, not %q", clip(s))
}

func templateMessage(s string) string {
	return fmt.Sprintf("a link template must be an absolute http, https or mailto URL without spaces or control characters, whose host or address does not start with {value}, not %q", clip(s))
}
