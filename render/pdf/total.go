package pdf

import (
	"errors"
	"strconv"
	"unsafe"

	"codeberg.org/go-pdf/fpdf"
)

// A pageTotal shows the document's page count, in one face, size and
// colour, as a form XObject: an fpdf template, whose bytes fpdf takes only
// when the document is closed. Pages are written out as they are completed
// (fpdf's Stream), long before the count is known, so the count cannot be
// in their own content.
type pageTotal struct {
	id   string
	pdf  *fpdf.Fpdf
	fc   *face
	size float64
	fill string
}

type totalKey struct {
	fc   *face
	size float64
	fill string
}

// The form's box: room for twelve digits, its baseline a size above the
// bottom.
func (t *pageTotal) Size() (fpdf.PointType, fpdf.SizeType) {
	return fpdf.PointType{}, fpdf.SizeType{Wd: 12 * t.size, Ht: 2 * t.size}
}

func (t *pageTotal) ID() string { return t.id }

func (t *pageTotal) Bytes() []byte {
	b := append([]byte(t.fill), " BT "...)
	b = append(b, t.fc.res...)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, t.size, 'f', -1, 64)
	b = append(b, " Tf 0 "...)
	b = strconv.AppendFloat(b, t.size, 'f', -1, 64)
	b = append(b, " Td ("...)
	for _, r := range strconv.Itoa(t.pdf.PageCount()) {
		b = appendUTF16(b, r)
	}
	return append(b, ")Tj ET\n"...)
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
// starting at (x, y) in page space, in the current fill colour. fc must have
// the digits (c.fonts' Go fonts do), which total marks as used.
func (c *canvas) total(fc *face, size, x, y float64) {
	c.endText()
	if !fc.added {
		if err := c.fonts.register(fc); err != nil {
			if c.err == nil {
				c.err = err
			}
			return
		}
	}
	for r := '0'; r <= '9'; r++ {
		fc.use(r)
	}
	k := totalKey{fc, size, c.fill}
	t := c.totals[k]
	if t == nil {
		if c.totals == nil {
			c.totals = map[totalKey]*pageTotal{}
		}
		t = &pageTotal{id: "nb" + strconv.Itoa(len(c.totals)+1), pdf: c.pdf, fc: fc, size: size, fill: c.fill}
		c.totals[k] = t
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
