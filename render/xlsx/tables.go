package xlsx

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tables are Excel table objects (ListObjects): the header row and the data
// rows of each table part on a worksheet, named, with filter buttons and a
// banded style. excelize's StreamWriter.AddTable allows one table per
// worksheet, takes the column names from the header cells as written (so
// an empty or repeated caption makes a table Excel repairs) and adds a
// relationship that folio's hyperlinks would then collide with. So folio
// writes the parts itself, as it does hyperlinks: each table is a part
// xl/tables/tableN.xml (N counting the workbook's tables from 1), its
// worksheet gets a <tableParts> element spliced in before </worksheet> (or
// before an extLst) and a relationship in the worksheet's .rels part after
// its hyperlinks', and [Content_Types].xml gets an Override per table as it
// passes through the zip writer (see zipOut).

// DefaultTableStyle is the table style of [Renderer.TableStyle] when it is
// empty: Excel's default for a new table, blue bands.
const DefaultTableStyle = "TableStyleMedium2"

// builtinTableStyle matches the names of Excel's built-in table styles, the
// only ones a workbook can name without defining them.
var builtinTableStyle = regexp.MustCompile(`^TableStyle(Light([1-9]|1[0-9]|2[01])|Medium([1-9]|1[0-9]|2[0-8])|Dark([1-9]|1[01]))$`)

// IsTableStyle reports whether name is one of Excel's built-in table
// styles, TableStyleLight1 to 21, TableStyleMedium1 to 28 and
// TableStyleDark1 to 11: the names [Renderer.TableStyle] takes.
func IsTableStyle(name string) bool { return builtinTableStyle.MatchString(name) }

// tableStyle returns the table style r names, or an error for a name that is
// not one of Excel's built-in styles.
func (r *Renderer) tableStyle() (string, error) {
	if r.TableStyle == "" {
		return DefaultTableStyle, nil
	}
	if !builtinTableStyle.MatchString(r.TableStyle) {
		return "", fmt.Errorf("xlsx: unknown table style %q (want one of Excel's built-in styles, TableStyleLight1-21, TableStyleMedium1-28 or TableStyleDark1-11)", r.TableStyle)
	}
	return r.TableStyle, nil
}

// A tablePart is one table object: a table's header and data rows on one
// worksheet.
type tablePart struct {
	id   int      // N of xl/tables/tableN.xml, from 1
	name string   // unique in the workbook (tableNames)
	ref  string   // "A3:C10": the header row and the data rows
	cols []string // column names: the header cells' text
}

// path returns the name of the table's part in the archive.
func (t *tablePart) path() string { return "xl/tables/table" + strconv.Itoa(t.id) + ".xml" }

// maxTableName bounds the part of a table name made from its caption,
// leaving room for a suffix within Excel's 255 characters.
const maxTableName = 240

// tableNames hands out table names that Excel accepts: a letter or an
// underscore first, then letters, digits, periods and underscores, not a
// cell reference in either style (A1, XFD1048576, R1C1, R, C), at most 255
// characters, and unique in the workbook ignoring case. Table names share
// the workbook's name space with defined names, of which folio defines only
// Excel's own (_xlnm.Print_Titles, _xlnm._FilterDatabase), which no table
// name can equal (a period never follows a leading underscore and "xlnm").
type tableNames struct {
	used map[string]bool // folded names handed out
}

// cellLike matches names Excel would read as a cell reference.
var cellLike = regexp.MustCompile(`^(?i:[a-z]{1,3}[0-9]+|[rc]|r[0-9]*c[0-9]*)$`)

// take returns a unique table name made from caption, or from fallback
// when the caption has no letter or digit, with "_2", "_3" … appended on a
// clash.
func (n *tableNames) take(caption, fallback string) string {
	base := cleanTableName(caption)
	if base == "" {
		base = cleanTableName(fallback)
	}
	if n.used == nil {
		n.used = map[string]bool{}
	}
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name += "_" + strconv.Itoa(i)
		}
		if k := fold(name); !n.used[k] {
			n.used[k] = true
			return name
		}
	}
}

// cleanTableName makes a table name of s, ignoring uniqueness: letters,
// marks and ASCII digits are kept, a run of anything else (spaces,
// punctuation) becomes one underscore, underscores at either end are
// dropped, and a name that does not start with a letter or that reads as a
// cell reference gets a leading underscore. It returns "" when s has no
// letter or digit.
func cleanTableName(s string) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || r >= '0' && r <= '9' || r == '.' || b.Len() > 0 && unicode.IsMark(r):
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
		if b.Len() >= maxTableName {
			break
		}
	}
	name := strings.Trim(b.String(), ".")
	if len(name) > maxTableName {
		name = name[:maxTableName]
		for !utf8.ValidString(name) {
			name = name[:len(name)-1]
		}
	}
	if name == "" {
		return ""
	}
	if first, _ := utf8.DecodeRuneInString(name); !unicode.IsLetter(first) || cellLike.MatchString(name) {
		name = "_" + name
	}
	return name
}

// columnNames returns the column names of a table object with the given
// header captions, as the header cells then show them: Excel wants them
// non-empty and unique ignoring case. As Excel names the columns of a new
// table, an empty (or all white space) caption becomes "Column" and its
// position, "Column3", and a caption already taken gets the smallest
// number from 2 that makes it unique, "Amount2", looking left to right.
func columnNames(captions []string) []string {
	names := make([]string, len(captions))
	used := make(map[string]bool, len(captions))
	for i, c := range captions {
		if s, changed := cellText(c); changed {
			c = s
		}
		if strings.TrimSpace(c) == "" {
			c = "Column" + strconv.Itoa(i+1)
		}
		name := c
		for n := 2; used[fold(name)]; n++ {
			name = c + strconv.Itoa(n)
		}
		used[fold(name)] = true
		names[i] = name
	}
	return names
}

// writeTable writes the part of table t with the table style style.
func writeTable(w io.Writer, t *tablePart, style string) error {
	bw := bufio.NewWriterSize(w, 16<<10)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="`)
	bw.WriteString(strconv.Itoa(t.id))
	bw.WriteString(`" name="`)
	writeAttr(bw, t.name)
	bw.WriteString(`" displayName="`)
	writeAttr(bw, t.name)
	bw.WriteString(`" ref="`)
	bw.WriteString(t.ref)
	bw.WriteString(`" totalsRowShown="0"><autoFilter ref="`)
	bw.WriteString(t.ref)
	bw.WriteString(`"/><tableColumns count="`)
	bw.WriteString(strconv.Itoa(len(t.cols)))
	bw.WriteString(`">`)
	for i, c := range t.cols {
		bw.WriteString(`<tableColumn id="`)
		bw.WriteString(strconv.Itoa(i + 1))
		bw.WriteString(`" name="`)
		writeXstring(bw, c)
		bw.WriteString(`"/>`)
	}
	bw.WriteString(`</tableColumns><tableStyleInfo name="`)
	bw.WriteString(style)
	bw.WriteString(`" showFirstColumn="0" showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>`)
	return bw.Flush()
}

// xstringEscape matches what writeXstring escapes: an escape sequence
// _xHHHH_ that is text, and tab, line feed and carriage return, which an
// attribute value would turn into spaces.
var xstringEscape = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_|[\t\n\r]`)

// writeXstring writes s as an ST_Xstring attribute value (ECMA-376 Part 1,
// 22.9.2.19), as Excel writes a column name: tab, line feed and carriage
// return as _x0009_, _x000a_, _x000d_, and text that reads as such an
// escape with its underscore escaped, _x005F_; then escaped for XML. A
// header cell holds the same text (excelize escapes a literal _xHHHH_ in
// it the same way), so the name and the cell agree.
func writeXstring(w *bufio.Writer, s string) {
	writeAttr(w, xstringEscape.ReplaceAllStringFunc(s, func(m string) string {
		switch m {
		case "\t":
			return "_x0009_"
		case "\n":
			return "_x000a_"
		case "\r":
			return "_x000d_"
		}
		return "_x005F_" + m[1:] // the underscore, escaped
	}))
}

// writeTableParts writes a worksheet's <tableParts>, whose relationships
// follow its hyperlinks' in its .rels part: rId(first), rId(first+1) ….
func writeTableParts(w io.Writer, tables []*tablePart, first int) error {
	bw := bufio.NewWriterSize(w, 4<<10)
	bw.WriteString(`<tableParts count="`)
	bw.WriteString(strconv.Itoa(len(tables)))
	bw.WriteString(`">`)
	for i := range tables {
		bw.WriteString(`<tablePart r:id="rId`)
		bw.WriteString(strconv.Itoa(first + i))
		bw.WriteString(`"/>`)
	}
	bw.WriteString(`</tableParts>`)
	return bw.Flush()
}

// tableContentTypes returns the Overrides that [Content_Types].xml needs
// for the tables.
func tableContentTypes(tables []*tablePart) string {
	var b strings.Builder
	for _, t := range tables {
		b.WriteString(`<Override PartName="/`)
		b.WriteString(t.path())
		b.WriteString(`" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>`)
	}
	return b.String()
}
