package pdf

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"codeberg.org/go-pdf/fpdf"
)

// ErrPageLimit is returned, wrapped, when a document needs more pages than
// the renderer's MaxPages.
var ErrPageLimit = errors.New("pdf: page limit reached")

// Page geometry and type sizes, in points.
const (
	marginX      = 40.0
	marginTop    = 40.0
	marginBottom = 46.0
	footerSize   = 8.0
)

// canvas draws pages. It writes each page's content stream itself, with few
// operators and no per-cell graphics state, into a buffer that goes to fpdf
// in one piece when the page ends: fpdf holds every page until Output, so
// the page's bytes are the cost of the document.
type canvas struct {
	pdf      *fpdf.Fpdf
	fonts    *fontSet
	size     fpdf.SizeType // portrait page size
	maxPages int

	pages     int
	landscape bool // orientation of the current page
	w, h      float64
	y         float64 // the top of free space on the current page
	top       float64 // y below the page's title, if any
	used      bool    // something is drawn on the current page

	buf      []byte
	uri      []byte // a link's URI, for fpdf
	face     *face  // font selected in the content stream
	fsize    float64
	fill     string // non-stroking colour operator in effect
	inText   bool
	under    []float64 // underlines to draw after the text: x, y, w of each
	nums     numCache  // the text of recent numbers (num)
	tx, ty   float64   // text line origin inside a text object
	onPage   func() error
	foot     shaped
	totals   map[string]*pageTotal // by face, size, colour and text after
	totalKey []byte
	frame    pageFrame // the header and footer of every page
	// bodyTop is where the body starts on a page: below the header, if
	// the document has one.
	bodyTop float64
	err     error // from registering a font
}

// shaped is text ready to draw: runes, their advances (1/1000 em) and
// their faces.
type shaped struct {
	runes  []rune
	widths []int16
	faces  []*face
}

func (c *canvas) bottom() float64 { return c.h - marginBottom }
func (c *canvas) left() float64   { return marginX }
func (c *canvas) width() float64  { return c.w - 2*marginX }

// bodyHeight is the height available on a fresh page.
func (c *canvas) bodyHeight(landscape bool) float64 {
	h := c.size.Ht
	if landscape {
		h = c.size.Wd
	}
	return h - marginBottom - c.bodyTop
}

func (c *canvas) bodyWidth(landscape bool) float64 {
	w := c.size.Wd
	if landscape {
		w = c.size.Ht
	}
	return w - 2*marginX
}

// newPage ends the current page and starts another.
func (c *canvas) newPage(landscape bool) error {
	if c.pages >= c.maxPages {
		return fmt.Errorf("%w: the document needs more than %d pages (MaxPages, option max-pages)", ErrPageLimit, c.maxPages)
	}
	c.endPage()
	o := "P"
	c.w, c.h = c.size.Wd, c.size.Ht
	if landscape {
		o = "L"
		c.w, c.h = c.h, c.w
	}
	c.pdf.AddPageFormat(o, c.size) // writes out the page before
	if err := c.pdf.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	c.pages++
	c.landscape = landscape
	c.y = c.bodyTop
	c.used = false
	c.face, c.fsize, c.fill, c.inText = nil, 0, "0 g", false
	if c.onPage != nil {
		return c.onPage()
	}
	return nil
}

// endPage draws the header and footer and hands the page's content to
// fpdf.
func (c *canvas) endPage() {
	if c.pages == 0 {
		return
	}
	c.endText()
	c.drawFrame()
	c.flush()
}

// footer writes the default footer, "Page N of M", M as a page total.
func (c *canvas) footer() {
	ch := c.fonts.chains[regular]
	fc := ch[len(ch)-1] // the Go font: it has the digits of the total
	bad := 0
	n := strconv.Itoa(c.pages)
	rs, ws, _ := chain{fc}.shape([]byte("Page "+n+" of "), c.foot.runes[:0], c.foot.widths[:0], c.foot.faces[:0], &bad)
	c.foot.runes, c.foot.widths = rs, ws
	var em int64
	for _, w := range ws {
		em += int64(w)
	}
	prefix := em
	em += int64(len(n)) * int64(fc.width('0')) // as many digits in the total
	x := (c.w - float64(em)*footerSize/1000) / 2
	y := c.h - marginBottom/2 + footerSize/3
	c.setFill("0.4 g")
	c.text(fc, footerSize, x, y, rs)
	c.total(fc, footerSize, x+float64(prefix)*footerSize/1000, y, shaped{})
}

// ensure makes sure there is a page to draw on.
func (c *canvas) ensure(landscape bool) error {
	if c.pages == 0 {
		return c.newPage(landscape)
	}
	return nil
}

// need starts a new page unless h points fit below y on this one.
func (c *canvas) need(h float64, landscape bool) error {
	if err := c.ensure(landscape); err != nil {
		return err
	}
	if c.y+h > c.bottom() && c.used {
		return c.newPage(landscape)
	}
	return nil
}

// A numCache holds the text num made of recent numbers, by their bits: a
// page repeats its numbers (the edges of columns, the advance from one
// cell's text to the next, the heights of rows and rules), and copying
// text is cheaper than making it.
type numCache [64]struct {
	bits uint64
	n    uint8 // the length of the text in s; 0 for an empty entry
	s    [16]byte
}

// num appends v and a space to the content stream: v with at most two
// decimals, without trailing zeros.
func (c *canvas) num(v float64) {
	bits := math.Float64bits(v)
	e := &c.nums[bits*0x9e3779b97f4a7c15>>58]
	l := len(c.buf)
	if e.n > 0 && e.bits == bits {
		// The whole entry is copied, in two moves, and the buffer cut
		// after its text.
		c.buf = slices.Grow(c.buf, len(e.s))
		*(*[16]byte)(c.buf[l : l+len(e.s)]) = e.s
		c.buf = c.buf[:l+int(e.n)]
		return
	}
	c.formatNum(v)
	if n := len(c.buf) - l; n <= len(e.s) {
		e.bits, e.n = bits, uint8(n)
		copy(e.s[:], c.buf[l:])
	}
}

func (c *canvas) formatNum(v float64) {
	c.buf = append(fpdf.AppendNum(c.buf, v), ' ')
}

func (c *canvas) setFill(op string) {
	if c.fill != op {
		c.buf = append(c.buf, op...)
		c.buf = append(c.buf, ' ')
		c.fill = op
	}
}

// rect fills a rectangle given by its top-left corner, in page space.
func (c *canvas) rect(x, y, w, h float64, fill string) {
	c.endText()
	c.setFill(fill)
	c.num(x)
	c.num(c.h - y - h)
	c.num(w)
	c.num(h)
	c.buf = append(c.buf, "re f\n"...)
	c.used = true
}

// underlines fills, in fill, a rectangle of height h for each (x, y, w)
// of c.under (its top-left corner and width, in page space), as one path,
// and empties c.under. Text is drawn before its underlines so that a row's
// text, and the colour changes in it, stay in one text object.
func (c *canvas) underlines(h float64, fill string) {
	if len(c.under) == 0 {
		return
	}
	c.endText()
	c.setFill(fill)
	for i := 0; i+2 < len(c.under); i += 3 {
		c.num(c.under[i])
		c.num(c.h - c.under[i+1] - h)
		c.num(c.under[i+2])
		c.num(h)
		c.buf = append(c.buf, "re\n"...)
	}
	c.buf = append(c.buf, "f\n"...)
	c.under = c.under[:0]
	c.used = true
}

// line strokes a horizontal rule.
func (c *canvas) hline(x, y, w, width float64) {
	c.endText()
	c.buf = append(c.buf, "0.6 G "...)
	c.num(width)
	c.buf = append(c.buf, "w "...)
	c.num(x)
	c.num(c.h - y)
	c.buf = append(c.buf, "m "...)
	c.num(x + w)
	c.num(c.h - y)
	c.buf = append(c.buf, "l S\n"...)
}

// runs shows rs, shaped with faces, as one text run per face from x.
func (c *canvas) runs(faces []*face, widths []int16, size, x, y float64, rs []rune) {
	for i := 0; i < len(rs); {
		j := i + 1
		em := int64(widths[i])
		for j < len(rs) && faces[j] == faces[i] {
			em += int64(widths[j])
			j++
		}
		c.text(faces[i], size, x, y, rs[i:j])
		x += float64(em) * size / 1000
		i = j
	}
}

// text shows rs (already shaped for fc) with its baseline at (x, y), in
// page space.
func (c *canvas) text(fc *face, size, x, y float64, rs []rune) {
	if !c.inText {
		c.buf = append(c.buf, "BT "...)
		c.inText = true
		c.tx, c.ty = 0, 0
	}
	if !fc.added {
		if err := c.fonts.register(fc); err != nil {
			if c.err == nil {
				c.err = err
			}
			return
		}
	}
	if c.face != fc || c.fsize != size {
		c.buf = append(c.buf, fc.res...)
		c.buf = append(c.buf, ' ')
		c.num(size)
		c.buf = append(c.buf, "Tf "...)
		c.face, c.fsize = fc, size
	}
	py := c.h - y
	c.num(x - c.tx)
	c.num(py - c.ty)
	c.tx, c.ty = x, py
	b := slices.Grow(append(c.buf, "Td ("...), 2*len(rs)+4)
	n := len(b)
	end := n + 2*len(rs)
	out := b[n:end] // each rune takes two bytes unless escaped
	for i, r := range rs {
		o := out[2*i : 2*i+2 : 2*i+2]
		if uint32(r) < 0x80 && !escaped[byte(r)] {
			fc.drawnASCII[r] = true
			o[0], o[1] = 0, byte(r)
			continue
		}
		fc.use(r)
		if hi, lo := byte(r>>8), byte(r); !escaped[hi] && !escaped[lo] {
			o[0], o[1] = hi, lo
			continue
		}
		// An escape makes the string longer: the rest is appended.
		b = b[:n+2*i]
		for _, r := range rs[i:] {
			fc.use(r)
			b = appendUTF16(b, r)
		}
		end = len(b)
		break
	}
	c.buf = append(b[:end], ")Tj\n"...)
	c.used = true
}

func (c *canvas) endText() {
	if c.inText {
		c.buf = append(c.buf, "ET\n"...)
		c.inText = false
	}
}

// escaped is the bytes escaped in a PDF literal string.
var escaped = [256]bool{'(': true, ')': true, '\\': true, '\r': true}

// appendUTF16 appends r as a big-endian UTF-16 code unit escaped for a PDF
// literal string; r is in the Basic Multilingual Plane.
func appendUTF16(b []byte, r rune) []byte {
	for _, x := range [2]byte{byte(r >> 8), byte(r)} {
		switch x {
		case '(', ')', '\\':
			b = append(b, '\\', x)
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, x)
		}
	}
	return b
}
