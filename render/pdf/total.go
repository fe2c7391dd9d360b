package pdf

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unsafe"

	"codeberg.org/go-pdf/fpdf"
)

// A pageTotal shows the document's page count, in one face, size and
// colour, followed by text that is the same on every page that shows it,
// as a form XObject: an fpdf template, whose bytes fpdf takes only when the
// document is closed. Pages are written out as they are completed (fpdf's
// Stream), long before the count is known, so the count cannot be in their
// own content; the text after it is in the form so that it follows the
// count's real width.
type pageTotal struct {
	id    string
	pdf   *fpdf.Fpdf
	fc    *face
	size  float64
	fill  string
	after shaped
	width float64 // of after, in points
}

// The form's box: room for twelve digits and the text after them, its
// baseline a size above the bottom.
func (t *pageTotal) Size() (fpdf.PointType, fpdf.SizeType) {
	return fpdf.PointType{}, fpdf.SizeType{Wd: 12*t.size + t.width, Ht: 2 * t.size}
}

func (t *pageTotal) ID() string { return t.id }

func (t *pageTotal) Bytes() []byte {
	b := append([]byte(t.fill), " BT "...)
	tf := func(fc *face) {
		b = append(b, fc.res...)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, t.size, 'f', -1, 64)
		b = append(b, " Tf "...)
	}
	tf(t.fc)
	b = append(b, "0 "...)
	b = strconv.AppendFloat(b, t.size, 'f', -1, 64)
	b = append(b, " Td ("...)
	for _, r := range strconv.Itoa(t.pdf.PageCount()) {
		b = appendUTF16(b, r)
	}
	b = append(b, ")Tj "...)
	a := t.after
	for i := 0; i < len(a.runes); {
		if i == 0 || a.faces[i] != a.faces[i-1] {
			tf(a.faces[i])
		}
		b = append(b, '(')
		j := i
		for ; j < len(a.runes) && a.faces[j] == a.faces[i]; j++ {
			b = appendUTF16(b, a.runes[j])
		}
		b = append(b, ")Tj "...)
		i = j
	}
	return append(b, "ET\n"...)
}

var errTotalSerialize = errors.New("pdf: a page total cannot be serialized")

func (t *pageTotal) Images() map[string]*fpdf.ImageInfoType { return nil }
func (t *pageTotal) Templates() []fpdf.Template             { return nil }
func (t *pageTotal) NumPages() int                          { return 1 }
func (t *pageTotal) FromPage(int) (fpdf.Template, error)    { return t, nil }
func (t *pageTotal) FromPages() []fpdf.Template             { return []fpdf.Template{t} }
func (t *pageTotal) Serialize() ([]byte, error)             { return nil, errTotalSerialize }
func (t *pageTotal) GobEncode() ([]byte, error)             { return nil, errTotalSerialize }
func (t *pageTotal) GobDecode([]byte) error                 { return errTotalSerialize }

// total draws the document's page count with fc at size, its baseline
// starting at (x, y) in page space, in the current fill colour, followed by
// after (shaped at the same size), which flows after the count's digits
// whatever their number: text after a {pages}. fc must have the digits
// (c.fonts' Go fonts do). Each distinct fc, size, colour and after is one
// form in the file, so after should not change from page to page.
func (c *canvas) total(fc *face, size, x, y float64, after shaped) {
	c.endText()
	for i := -1; i < len(after.faces); i++ { // fc, then the faces of after
		f := fc
		if i >= 0 {
			f = after.faces[i]
		}
		if !f.added {
			if err := c.fonts.register(f); err != nil {
				if c.err == nil {
					c.err = err
				}
				return
			}
		}
	}
	for r := '0'; r <= '9'; r++ {
		fc.use(r)
	}
	key := c.totalKey[:0]
	key = fmt.Appendf(key, "%s %g %s", fc.res, size, c.fill)
	for i, r := range after.runes {
		after.faces[i].use(r)
		key = fmt.Appendf(key, " %s %c", after.faces[i].res, r)
	}
	c.totalKey = key
	t := c.totals[string(key)]
	if t == nil {
		if c.totals == nil {
			c.totals = map[string]*pageTotal{}
		}
		var em int64
		for _, w := range after.widths {
			em += int64(w)
		}
		t = &pageTotal{id: "nb" + strconv.Itoa(len(c.totals)+1), pdf: c.pdf, fc: fc, size: size, fill: c.fill, width: float64(em) * size / 1000,
			after: shaped{runes: slices.Clone(after.runes), widths: slices.Clone(after.widths), faces: slices.Clone(after.faces)}}
		c.totals[string(key)] = t
	}
	c.flush()
	corner, box := t.Size()
	// fpdf places a template from the top of a portrait page (its
	// SizeType's height), whatever the orientation.
	corner.X = x
	corner.Y = c.size.Ht - box.Ht - (c.h - y - size)
	c.pdf.UseTemplateScaled(t, corner, box)
}

// flush hands the content drawn so far to fpdf.
func (c *canvas) flush() {
	if len(c.buf) == 0 {
		return
	}
	// RawWriteStr copies the bytes into fpdf's page buffer before returning.
	c.pdf.RawWriteStr(unsafe.String(unsafe.SliceData(c.buf), len(c.buf)))
	c.buf = c.buf[:0]
}
