package xlsx

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// sheetDataEnd ends a worksheet's cells. Cell text is escaped (a < in it
// is &lt;), so its first occurrence is the real one.
const sheetDataEnd = "</sheetData>"

// worksheetEnd is how every worksheet excelize's StreamWriter writes ends.
const worksheetEnd = "</worksheet>"

// afterHyperlinks are the worksheet elements that may follow sheetData and
// that the schema (ECMA-376 Part 1, 18.3.1.99 CT_Worksheet) orders after
// hyperlinks, in that order: hyperlinks go before the first of them.
var afterHyperlinks = []string{
	"printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
	"customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
	"legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
	"webPublishItems", "tableParts", "extLst",
}

var (
	errNoSheetData = errors.New("xlsx: a worksheet has no " + sheetDataEnd + ", so its hyperlinks and tables cannot be added")
	errSheetEnd    = errors.New("xlsx: a worksheet does not end in " + worksheetEnd + ", so its hyperlinks and tables cannot be added")
)

// A sheetSplicer passes a worksheet's XML through and adds what folio
// writes itself, which excelize's StreamWriter cannot: the <hyperlinks>
// (see sheetLinks), the <tableParts> of its table objects (see
// tablePart), and column widths known only after the rows (a row of
// totals wider than them), which replace the <cols> written before the
// rows. The XML up to </sheetData> passes straight through, but for
// the few bytes that might begin that tag; the rest, a few elements
// excelize writes from its worksheet (autoFilter, the print set-up and
// whatever else is set on it), is held, and finish writes it with the
// hyperlinks before the first element the schema puts after them and the
// table parts before extLst or the closing tag, so that the elements stay
// in the order Excel requires.
type sheetSplicer struct {
	w       io.Writer
	links   *sheetLinks // nil for none
	tables  []*tablePart
	widths  []float64 // column widths to write over the <cols> excelize wrote, nil to keep them
	head    []byte    // the XML before <sheetData>, held while widths are due
	carry   []byte    // the last bytes of the XML, held: they may begin </sheetData>
	scratch []byte
	tail    []byte // from </sheetData> on, once it has come
	found   bool
}

func (s *sheetSplicer) Write(p []byte) (int, error) {
	if s.widths == nil {
		return s.body(p)
	}
	// The worksheet's start, up to <sheetData>, is a few elements: held
	// until it is whole, then written with the new widths.
	s.head = append(s.head, p...)
	at := bytes.Index(s.head, []byte("<sheetData"))
	if at < 0 {
		if len(s.head) > maxSheetHead {
			return 0, errSheetHead
		}
		return len(p), nil
	}
	head, rest, widths := s.head[:at], s.head[at:], s.widths
	s.head, s.widths = nil, nil
	start, end := indexElement(head, "cols"), bytes.Index(head, []byte("</cols>"))
	if start < 0 || end < start {
		return 0, errSheetHead
	}
	if _, err := s.w.Write(head[:start]); err != nil {
		return 0, err
	}
	if _, err := io.WriteString(s.w, colsXML(widths)); err != nil {
		return 0, err
	}
	if _, err := s.w.Write(head[end+len("</cols>"):]); err != nil {
		return 0, err
	}
	if _, err := s.body(rest); err != nil {
		return 0, err
	}
	return len(p), nil
}

// maxSheetHead bounds the XML held before a worksheet's <sheetData>: its
// properties, views and the <cols> of at most maxFitColumns columns.
const maxSheetHead = 1 << 20

var errSheetHead = errors.New("xlsx: a worksheet has no <cols> before its <sheetData>, so its column widths cannot be set")

// colsXML is the <cols> element of the column widths, equal neighbours as
// one range, as excelize's StreamWriter writes it.
func colsXML(widths []float64) string {
	b := []byte("<cols>")
	for lo := 1; lo <= len(widths); {
		hi := lo
		for hi < len(widths) && widths[hi] == widths[lo-1] {
			hi++
		}
		b = append(b, `<col min="`...)
		b = strconv.AppendInt(b, int64(lo), 10)
		b = append(b, `" max="`...)
		b = strconv.AppendInt(b, int64(hi), 10)
		b = append(b, `" width="`...)
		b = strconv.AppendFloat(b, widths[lo-1], 'f', -1, 64)
		b = append(b, `" customWidth="1"/>`...)
		lo = hi + 1
	}
	return string(append(b, "</cols>"...))
}

// body passes the worksheet's XML from <sheetData> on, holding its end.
func (s *sheetSplicer) body(p []byte) (int, error) {
	n := len(p)
	if s.found {
		s.tail = append(s.tail, p...)
		return n, nil
	}
	const m = len(sheetDataEnd)
	if len(s.carry) > 0 {
		// A tag that begins in carry ends within its next m-1 bytes.
		k := min(len(p), m-1)
		s.scratch = append(append(s.scratch[:0], s.carry...), p[:k]...)
		if i := bytes.Index(s.scratch, []byte(sheetDataEnd)); i >= 0 {
			s.found = true
			s.tail = append(append(s.tail, s.scratch[i:]...), p[k:]...)
			_, err := s.w.Write(s.scratch[:i])
			return n, err
		}
		if k < m-1 {
			// p is all in scratch: write all of it but what may begin the tag.
			out := max(len(s.scratch)-(m-1), 0)
			if _, err := s.w.Write(s.scratch[:out]); err != nil {
				return 0, err
			}
			s.carry = append(s.carry[:0], s.scratch[out:]...)
			return n, nil
		}
		if _, err := s.w.Write(s.carry); err != nil {
			return 0, err
		}
		s.carry = s.carry[:0]
	}
	if i := bytes.Index(p, []byte(sheetDataEnd)); i >= 0 {
		s.found = true
		s.tail = append(s.tail, p[i:]...)
		_, err := s.w.Write(p[:i])
		return n, err
	}
	out := max(len(p)-(m-1), 0)
	if _, err := s.w.Write(p[:out]); err != nil {
		return 0, err
	}
	s.carry = append(s.carry, p[out:]...)
	return n, nil
}

// finish writes the held end of the worksheet with the hyperlinks and
// table parts in their places.
func (s *sheetSplicer) finish() error {
	if !s.found {
		return errNoSheetData
	}
	tail := s.tail
	if !bytes.HasSuffix(tail, []byte(worksheetEnd)) {
		return errSheetEnd
	}
	hasLinks := s.links != nil && len(s.links.cells) > 0
	if hasLinks && indexElement(tail, "hyperlinks") >= 0 || len(s.tables) > 0 && indexElement(tail, "tableParts") >= 0 {
		return errors.New("xlsx: excelize wrote hyperlinks or table parts of a worksheet, which folio writes")
	}
	at := len(tail) - len(worksheetEnd) // where the table parts go
	if i := indexElement(tail, "extLst"); i >= 0 {
		at = i
	}
	hl := at // where the hyperlinks go
	for _, name := range afterHyperlinks {
		if i := indexElement(tail, name); i >= 0 && i < hl {
			hl = i
		}
	}
	if _, err := s.w.Write(tail[:hl]); err != nil {
		return err
	}
	if hasLinks {
		if err := writeHyperlinks(s.w, s.links); err != nil {
			return err
		}
	}
	if _, err := s.w.Write(tail[hl:at]); err != nil {
		return err
	}
	if len(s.tables) > 0 {
		first := 1
		if s.links != nil {
			first += len(s.links.urls)
		}
		if err := writeTableParts(s.w, s.tables, first); err != nil {
			return err
		}
	}
	_, err := s.w.Write(tail[at:])
	return err
}

// indexElement returns where the first element named name starts in the
// XML x, or -1.
func indexElement(x []byte, name string) int {
	for off := 0; ; {
		i := bytes.Index(x[off:], []byte("<"+name))
		if i < 0 {
			return -1
		}
		j := off + i + 1 + len(name)
		if j < len(x) && (x[j] == ' ' || x[j] == '>' || x[j] == '/') {
			return off + i
		}
		off = j
	}
}
