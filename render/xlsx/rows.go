package xlsx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// folio writes the <row> elements of its worksheets itself, byte for byte
// as excelize's StreamWriter.SetRow writes them for the values folio has
// (stream.go and cell.go of excelize v2.11: writeCell, setCellValFunc,
// trimCellValue, bstrMarshal, formatCellFloat, setCellTime): SetRow
// builds a struct, several strings and an interface value for every cell,
// escapes text through encoding/xml and a regular expression, and was
// about half the CPU time of a large workbook. TestRowsAsExcelize
// compares the two over a table of tricky values.

// A cellKind is what a cellValue holds; the zero value is no cell at all
// (a nil value, which SetRow skips).
type cellKind uint8

const (
	cellSkip  cellKind = iota
	cellEmpty          // a cell element without a value: a styled blank
	cellBool
	cellInt
	cellFloat
	cellString
	cellTime
	cellRich
)

// A cellValue is one cell of a row, as folio would have handed it to
// SetRow (nil, a bool, int64, float64, string or []byte, time.Time,
// []excelize.RichTextRun, each maybe in an excelize.Cell with a style),
// without boxing each in an interface.
type cellValue struct {
	kind  cellKind
	style int // 0 for none
	num   int64
	float float64
	text  string // cellString; may view the bytes of the row being written
	time  time.Time
	runs  []excelize.RichTextRun
}

// Constructors of cell values.
func boolCell(b bool, style int) cellValue {
	c := cellValue{kind: cellBool, style: style}
	if b {
		c.num = 1
	}
	return c
}

func textCell(s string, style int) cellValue {
	return cellValue{kind: cellString, style: style, text: s}
}

// toCell returns the cell value of v, one of the values SetRow takes that
// folio uses.
func toCell(v any) (cellValue, error) {
	style := 0
	styled := false
	if c, ok := v.(excelize.Cell); ok {
		if c.Formula != "" {
			return cellValue{}, errors.New("xlsx: a formula cell") // folio writes none
		}
		style, v, styled = max(c.StyleID, 0), c.Value, true
	}
	switch v := v.(type) {
	case nil:
		if styled {
			return cellValue{kind: cellEmpty, style: style}, nil
		}
		return cellValue{}, nil
	case bool:
		return boolCell(v, style), nil
	case int:
		return cellValue{kind: cellInt, style: style, num: int64(v)}, nil
	case int64:
		return cellValue{kind: cellInt, style: style, num: v}, nil
	case float64:
		return cellValue{kind: cellFloat, style: style, float: v}, nil
	case string:
		return textCell(v, style), nil
	case []byte:
		return textCell(string(v), style), nil
	case time.Time:
		return cellValue{kind: cellTime, style: style, time: v}, nil
	case []excelize.RichTextRun:
		return cellValue{kind: cellRich, style: style, runs: v}, nil
	}
	return cellValue{}, fmt.Errorf("xlsx: a cell value of type %T", v)
}

// A rowWriter appends the XML of rows.
type rowWriter struct {
	f         *excelize.File
	dateStyle int      // excelize's style for a time without one, once made
	cols      []string // column letters, "A" at 0, as far as used
	scratch   []byte
	row       []byte // the digits of the row being written
}

// appendRow appends row n, its first cell in column A, to dst.
func (w *rowWriter) appendRow(dst []byte, n int, cells []cellValue) ([]byte, error) {
	w.row = strconv.AppendInt(w.row[:0], int64(n), 10)
	dst = append(dst, `<row r="`...)
	dst = append(dst, w.row...)
	dst = append(dst, `">`...)
	for i := range cells {
		c := &cells[i]
		if c.kind == cellSkip {
			continue
		}
		var err error
		if dst, err = w.appendCell(dst, i+1, c); err != nil {
			return append(dst, `</row>`...), err
		}
	}
	return append(dst, `</row>`...), nil
}

// column returns the letters of column col.
func (w *rowWriter) column(col int) string {
	for len(w.cols) < col {
		w.cols = append(w.cols, columnName(len(w.cols)+1))
	}
	return w.cols[col-1]
}

func (w *rowWriter) appendCell(dst []byte, col int, c *cellValue) ([]byte, error) {
	if col > MaxColumns {
		return dst, excelize.ErrColumnNumber
	}
	style := c.style
	typ, text := "", ""
	var value []byte // <v>, escaped (numbers need no escaping)
	switch c.kind {
	case cellBool:
		typ = "b"
		value = append(w.scratch[:0], byte('0'+c.num))
	case cellInt:
		value = strconv.AppendInt(w.scratch[:0], c.num, 10)
	case cellFloat:
		if math.IsNaN(c.float) || math.IsInf(c.float, 0) {
			typ, text = "inlineStr", fmt.Sprint(c.float)
			break
		}
		value = appendCellFloat(w.scratch[:0], c.float)
	case cellString:
		typ, text = "inlineStr", c.text
	case cellTime:
		// setCellTime: the serial of the wall-clock time, with excelize's
		// date style when the cell has none; before 1900, the time as
		// RFC 3339 text.
		_, offset := c.time.Zone()
		t := c.time.Add(time.Duration(offset) * time.Second)
		if s := excelSerial(c.time); s > 0 {
			value = strconv.AppendFloat(w.scratch[:0], s, 'f', -1, 64)
			if style == 0 {
				if w.dateStyle == 0 {
					id, err := w.f.NewStyle(&excelize.Style{NumFmt: 22})
					if err != nil {
						return dst, err
					}
					w.dateStyle = id
				}
				style = w.dateStyle
			}
		} else {
			// setCellDefault keeps this text as it is: no escaping.
			dst = appendCellStart(dst, w.column(col), w.row, style, "inlineStr")
			dst = append(dst, `<is><t>`...)
			dst = t.AppendFormat(dst, time.RFC3339Nano)
			return append(dst, `</t></is></c>`...), nil
		}
	case cellRich:
		typ = "inlineStr"
	}
	dst = appendCellStart(dst, w.column(col), w.row, style, typ)
	w.scratch = value[:0]
	if len(value) > 0 {
		dst = append(dst, `<v>`...)
		dst = append(dst, value...)
		dst = append(dst, `</v>`...)
	}
	switch {
	case typ == "inlineStr" && c.kind != cellRich:
		dst = appendInlineText(dst, text)
	case c.kind == cellRich:
		var err error
		if dst, err = appendRichText(dst, c.runs); err != nil {
			return dst, err
		}
	}
	return append(dst, `</c>`...), nil
}

// appendCellStart appends <c r="A1" s="1" t="b">.
func appendCellStart(dst []byte, col string, row []byte, style int, typ string) []byte {
	dst = append(dst, `<c r="`...)
	dst = append(dst, col...)
	dst = append(dst, row...)
	dst = append(dst, '"')
	if style != 0 {
		dst = append(dst, ` s="`...)
		dst = strconv.AppendInt(dst, int64(style), 10)
		dst = append(dst, '"')
	}
	if typ != "" {
		dst = append(dst, ` t="`...)
		dst = append(dst, typ...)
		dst = append(dst, '"')
	}
	return append(dst, '>')
}

// appendCellFloat appends f as excelize's formatCellFloat does with
// automatic precision: the shortest decimal text, its digits past the
// 15th significant one cut (not rounded) or, before the point, zeroed.
func appendCellFloat(dst []byte, f float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
	if math.Abs(f) == math.MaxFloat64 {
		return dst
	}
	const maxPrec = 15
	str := dst[start:]
	decimal := -1
	for i, c := range str {
		if c == '.' {
			decimal = i
			break
		}
	}
	significant := 0
	for idx := 0; idx < len(str); idx++ {
		if str[idx] < '0' || str[idx] > '9' || significant == 0 && str[idx] == '0' {
			continue
		}
		significant++
		if significant <= maxPrec {
			continue
		}
		if decimal >= 0 && idx > decimal {
			cut := idx
			if cut > 0 && str[cut-1] == '.' {
				cut--
			}
			return dst[:start+cut]
		}
		if decimal < 0 {
			decimal = len(str)
		}
		for ; idx < decimal; idx++ {
			str[idx] = '0'
		}
		return dst[:start+decimal]
	}
	return dst
}

// appendInlineText appends <is><t>s</t></is> as setInlineStr writes it:
// s cut to Excel's 32,767 UTF-16 units, xml:space="preserve" when it
// starts or ends with white space, escaped as encoding/xml.EscapeText does
// but for line feeds, which stay, and then with a literal _xHHHH_ escaped
// as _x005F_xHHHH_ (bstrMarshal).
func appendInlineText(dst []byte, s string) []byte {
	if len(s) > excelize.TotalCellChars && utf16Len(s) > excelize.TotalCellChars {
		s = truncateUTF16(s, excelize.TotalCellChars)
	}
	dst = append(dst, `<is><t`...)
	if s != "" && (isXMLSpace(s[0]) || isXMLSpace(s[len(s)-1])) {
		dst = append(dst, ` xml:space="preserve"`...)
	}
	dst = append(dst, '>')
	start := len(dst)
	dst = appendEscaped(dst, s)
	if strings.Contains(unsafeString(dst[start:]), "_x") {
		marshalled := bstrMarshal(string(dst[start:]))
		dst = append(dst[:start], marshalled...)
	}
	return append(dst, `</t></is>`...)
}

func isXMLSpace(c byte) bool { return c == '\t' || c == '\n' || c == '\r' || c == ' ' }

// appendEscaped appends s escaped as encoding/xml.EscapeText escapes it,
// but for line feeds, which trimCellValue puts back.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plainText[c] {
			i++
			continue
		}
		var esc string
		width := 1
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				esc = "&#34;"
			case '\'':
				esc = "&#39;"
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '\t':
				esc = "&#x9;"
			case '\r':
				esc = "&#xD;"
			case '\n':
			default:
				if c < 0x20 {
					esc = "\uFFFD"
				}
			}
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && width == 1 || !inCharacterRange(r) {
				esc = "\uFFFD"
			}
		}
		i += width
		if esc == "" {
			continue
		}
		dst = append(dst, s[last:i-width]...)
		dst = append(dst, esc...)
		last = i
	}
	return append(dst, s[last:]...)
}

// plainText marks the bytes appendEscaped passes as they are without a
// look: ASCII but for the escaped characters and controls other than the
// line feed.
var plainText = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"'&<>` {
		t[c] = false
	}
	t['\n'] = true
	return t
}()

// inCharacterRange reports whether XML 1.0 allows r (encoding/xml's
// isInCharacterRange).
func inCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// truncateUTF16 cuts s to at most n UTF-16 units, as excelize's
// truncateUTF16Units does (an invalid byte counting as one).
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		if units += utf16.RuneLen(r); units > n {
			return s[:i]
		}
	}
	return s
}

// bstrMarshal is excelize's (lib.go, BSD-3-Clause): it escapes the
// underscore of each literal _xHHHH_ as _x005F_, and drops one whose four
// digits name a surrogate. Text rarely holds _x, so the regular
// expressions run only then.
func bstrMarshal(s string) (result string) {
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			if match[1]+6 <= l && bstrEscapeExp.MatchString(s[match[1]:match[1]+6]) {
				_, err := strconv.Unquote(`"\u` + s[match[1]+1:match[1]+5] + `"`)
				if err == nil {
					result += subStr + "x005F" + subStr
					continue
				}
			}
			result += subStr + "x005F_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			if _, err := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`); err == nil {
				result += "_x005F" + subStr
				continue
			}
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}

var (
	bstrExp       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapeExp = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

// The rich text of a cell, as excelize marshals its xlsxR runs (the
// fields of xlsxRPr that the fonts of folio's runs set, in its order).
type (
	richRun struct {
		XMLName xml.Name `xml:"r"`
		RPr     *richProps
		T       *richText `xml:"t"`
	}
	richText struct {
		XMLName xml.Name `xml:"t"`
		Space   xml.Attr `xml:"space,attr,omitempty"`
		Val     string   `xml:",chardata"`
	}
	richProps struct {
		XMLName xml.Name   `xml:"rPr"`
		RFont   *richAttr  `xml:"rFont"`
		Family  *richAttr  `xml:"family"`
		B       *richAttr  `xml:"b"`
		I       *richAttr  `xml:"i"`
		Color   *richColor `xml:"color"`
		Sz      *richAttr  `xml:"sz"`
	}
	richAttr struct {
		Val string `xml:"val,attr"`
	}
	richColor struct{}
)

var errRichFont = errors.New("xlsx: a rich text run with a font property folio does not write")

// appendRichText appends the <is> of rich text runs as setRichText and
// writeCell write it, for runs whose fonts set at most a family, a size,
// bold and italic.
func appendRichText(dst []byte, runs []excelize.RichTextRun) ([]byte, error) {
	total := 0
	rs := make([]richRun, 0, len(runs))
	for _, r := range runs {
		total += utf16Len(r.Text)
		if total > excelize.TotalCellChars {
			return dst, excelize.ErrCellCharsLength
		}
		text := r.Text
		if utf16Len(text) > excelize.TotalCellChars {
			text = truncateUTF16(text, excelize.TotalCellChars)
		}
		t := &richText{Val: bstrMarshal(text)}
		if text != "" && (isXMLSpace(text[0]) || isXMLSpace(text[len(text)-1])) {
			t.Space = xml.Attr{Name: xml.Name{Space: "http://www.w3.org/XML/1998/namespace", Local: "space"}, Value: "preserve"}
		}
		run := richRun{T: t}
		if f := r.Font; f != nil {
			if f.Strike || f.Underline != "" || f.VertAlign != "" || f.Color != "" || f.ColorTheme != nil ||
				f.ColorTint != 0 || f.Charset != nil || f.ColorIndexed < 0 || f.ColorIndexed > len(excelize.IndexedColorMapping)+1 {
				return dst, errRichFont
			}
			p := &richProps{Family: &richAttr{Val: "2"}, Color: &richColor{}}
			if f.Family != "" {
				p.RFont = &richAttr{Val: f.Family}
			}
			if f.Bold {
				p.B = &richAttr{Val: "1"}
			}
			if f.Italic {
				p.I = &richAttr{Val: "1"}
			}
			if f.Size >= excelize.MinFontSize {
				p.Sz = &richAttr{Val: strconv.FormatFloat(f.Size, 'g', -1, 64)}
			}
			run.RPr = p
		}
		rs = append(rs, run)
	}
	if len(rs) == 0 {
		return dst, nil
	}
	is, err := xml.Marshal(rs)
	if err != nil {
		return dst, err
	}
	dst = append(dst, `<is>`...)
	dst = append(dst, is...)
	return append(dst, `</is>`...), nil
}
