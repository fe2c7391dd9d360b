package xlsx

import (
	"bufio"
	"io"
	"path"
	"strconv"
	"unsafe"

	"github.com/foliorender/folio/internal/safeurl"
)

// MaxLinks is the most hyperlinks a worksheet holds: Excel's limit
// (65,530). Linked cells past it on one worksheet show their value
// without a link.
const MaxLinks = 65530

// Hyperlinks are real worksheet hyperlinks: a <hyperlink ref="B2"
// r:id="rId1"/> in the worksheet and a relationship of type hyperlink with
// TargetMode="External" in the worksheet's .rels part, as Excel writes
// them, not HYPERLINK() formulas. excelize's StreamWriter has no way to
// add them: its SetCellHyperLink works on the in-memory worksheet, and
// costs time that grows with the square of the number of links (each call
// scans every earlier link and relationship). So folio keeps each
// worksheet's links itself (sheetLinks) as rows stream past, and its own
// zip writer (zipOut) adds them as the archive is written: the
// <hyperlinks> element is spliced into the worksheet's XML after sheetData
// and autoFilter, before the print set-up, where the schema orders it (see
// sheetSplicer), and the .rels entry is written after the worksheets. The worksheet element already declares the r
// namespace, and the package's content types cover .rels parts by their
// extension.

// sheetLinks are the hyperlinks of one worksheet. A link costs a cell
// (two int32s) and an index; a distinct target also one string, the map
// key and, when it is ASCII (the common case), the relationship's target
// too.
type sheetLinks struct {
	cells   []linkCell     // the linked cells, in order
	targets []int          // the index in urls of each link's target
	urls    []string       // distinct targets, ASCII: one relationship each
	ids     map[string]int // index in urls by target as given
}

// A linkCell is a linked cell's column and row, from 1; its reference
// ("B2") is written only with the <hyperlinks> element.
type linkCell struct{ col, row int32 }

// addLink records a hyperlink from the cell at column col and row n to
// target, which must satisfy safeurl.Link. It reports false, recording
// nothing, when the worksheet has MaxLinks already or target is not a
// link folio writes.
func (s *sheet) addLink(col, n int, target []byte) bool {
	l := s.links
	if len(l.cells) >= MaxLinks || !safeurl.Link(unsafe.String(unsafe.SliceData(target), len(target))) {
		return false
	}
	id, ok := l.ids[string(target)]
	if !ok {
		id = len(l.urls)
		key := string(target)
		u := key
		if !safeurl.IsASCII(key) {
			u = string(safeurl.AppendASCII(nil, key))
		}
		l.urls = append(l.urls, u)
		l.ids[key] = id
	}
	l.cells = append(l.cells, linkCell{int32(col), int32(n)})
	l.targets = append(l.targets, id)
	return true
}

// relsPath returns the name of the relationships part of the worksheet
// entry name: xl/worksheets/_rels/sheet1.xml.rels.
func relsPath(name string) string {
	dir, file := path.Split(name)
	return dir + "_rels/" + file + ".rels"
}

// writeHyperlinks writes the <hyperlinks> element of l.
func writeHyperlinks(w io.Writer, l *sheetLinks) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	bw.WriteString("<hyperlinks>")
	var buf []byte
	name, last := "", int32(0) // the letters of column last
	for i, c := range l.cells {
		if c.col != last {
			name, last = columnName(int(c.col)), c.col
		}
		buf = append(buf[:0], `<hyperlink ref="`...)
		buf = append(buf, name...)
		buf = strconv.AppendInt(buf, int64(c.row), 10)
		buf = append(buf, `" r:id="rId`...)
		buf = strconv.AppendInt(buf, int64(l.targets[i]+1), 10)
		buf = append(buf, `"/>`...)
		bw.Write(buf)
	}
	bw.WriteString("</hyperlinks>")
	return bw.Flush()
}

// writeRels writes the relationships part of a worksheet with links l (nil
// for none) and table objects tables: one external hyperlink relationship
// per distinct target, rId1 …, then one per table.
func writeRels(w io.Writer, l *sheetLinks, tables []*tablePart) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	n := 0
	if l != nil {
		var buf []byte
		for _, u := range l.urls {
			n++
			buf = append(buf[:0], `<Relationship Id="rId`...)
			buf = strconv.AppendInt(buf, int64(n), 10)
			buf = append(buf, `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="`...)
			buf = appendAttr(buf, u)
			buf = append(buf, `" TargetMode="External"/>`...)
			bw.Write(buf)
		}
	}
	for _, t := range tables {
		n++
		bw.WriteString(`<Relationship Id="rId`)
		bw.WriteString(strconv.Itoa(n))
		bw.WriteString(`" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" Target="../tables/table`)
		bw.WriteString(strconv.Itoa(t.id))
		bw.WriteString(`.xml"/>`)
	}
	bw.WriteString("</Relationships>")
	return bw.Flush()
}

// appendAttr appends s escaped for a quoted XML attribute value. A link
// has no control characters (safeurl.Link) and is ASCII
// (safeurl.AppendASCII).
func appendAttr(dst []byte, s string) []byte {
	start := 0 // s[start:i] is still to append
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\'':
			esc = "&apos;"
		default:
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, esc...)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// writeAttr writes s escaped for a quoted XML attribute value, as
// appendAttr appends it.
func writeAttr(w *bufio.Writer, s string) {
	w.Write(appendAttr(w.AvailableBuffer(), s))
}
