package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/foliorender/folio/report"
)

// The running header, in points: a band at headerTop holding the logo at
// the left and the header line at the right (at the left without a logo),
// a rule below it, and the body below the rule.
const (
	headerTop     = 22.0
	headerSize    = 8.0
	maxLogoHeight = 15 * mmPt // a tall logo is drawn narrower than its width
	mmPt          = 72 / 25.4
	ellipsis      = '…'
)

// pageFrame is what every page draws besides its body: the document's
// header line, logo and footer line.
type pageFrame struct {
	header, footer []report.PagePart // nil: none; footer nil: the default
	custom         bool              // the document gives a footer
	title          string
	logo           string  // fpdf image name, "" for none
	logoW, logoH   float64 // drawn size
	band           float64 // header band height; 0 without a header
	line           shaped  // scratch
}

// setPage prepares the page frame from the document's page member: it
// registers the logo with fpdf once (every page refers to the one image)
// and moves the body below the header.
func (d *docWriter) setPage(p *report.Page) error {
	c := d.c
	f := &c.frame
	f.title = d.title
	if p == nil {
		return nil
	}
	if p.Header != nil && len(p.Header.Parts()) > 0 {
		f.header = p.Header.Parts()
		f.band = headerSize * 1.25
	}
	if p.Footer != nil {
		f.footer, f.custom = p.Footer.Parts(), true
	}
	if l := p.Logo; l != nil {
		if err := d.registerLogo(l); err != nil {
			return err
		}
		f.band = max(f.band, f.logoH)
	}
	if f.band > 0 {
		c.bodyTop = max(marginTop, headerTop+f.band+14)
	}
	return nil
}

// registerLogo hands the logo's image to fpdf. A JPEG goes as it is; a
// PNG is decoded and encoded again as 8-bit, non-interlaced RGB(A), which
// is what fpdf's PNG reader takes (it refuses interlaced images, among
// others), so that every PNG the decoder accepts can be drawn.
func (d *docWriter) registerLogo(l *report.Logo) error {
	f := &d.c.frame
	data, typ := l.Data, "JPG"
	if l.Type == report.ImagePNG {
		img, err := png.Decode(bytes.NewReader(l.Data))
		if err != nil {
			return fmt.Errorf("pdf: logo: %w", err)
		}
		rgba := image.NewNRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
		var b bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, rgba); err != nil {
			return fmt.Errorf("pdf: logo: %w", err)
		}
		data, typ = b.Bytes(), "PNG"
	}
	f.logo = "logo"
	d.c.pdf.RegisterImageOptionsReader(f.logo, fpdf.ImageOptions{ImageType: typ}, bytes.NewReader(data))
	if err := d.c.pdf.Error(); err != nil {
		return fmt.Errorf("pdf: logo: %w", err)
	}
	f.logoW = l.DrawWidth() * mmPt
	f.logoH = f.logoW * float64(l.PixelHeight) / float64(l.PixelWidth)
	if f.logoH > maxLogoHeight {
		f.logoW, f.logoH = f.logoW*maxLogoHeight/f.logoH, maxLogoHeight
	}
	return nil
}

// frame draws the current page's header and footer.
func (c *canvas) drawFrame() {
	f := &c.frame
	if f.band > 0 {
		x, right := c.left(), false
		if f.logo != "" {
			c.pdf.ImageOptions(f.logo, c.left(), headerTop+(f.band-f.logoH)/2, f.logoW, f.logoH, false, fpdf.ImageOptions{}, 0, "")
			x, right = c.left()+f.logoW+12, true
		}
		if f.header != nil {
			c.pageLine(f.header, x, c.left()+c.width(), headerTop+f.band/2+headerSize/3, right, false)
		}
		c.hline(c.left(), headerTop+f.band+6, c.width(), 0.5)
	}
	switch {
	case !f.custom:
		c.footer()
	case len(f.footer) > 0:
		c.pageLine(f.footer, c.left(), c.left()+c.width(), c.h-marginBottom/2+footerSize/3, false, true)
	}
}

// pageLine draws a header or footer line between x0 and x1 with its
// baseline at y: aligned right, centred, or at the left. Text is drawn
// with the regular fonts, page numbers with the Go font, whose digits the
// digits of the page count; a line too long for the space ends with an
// ellipsis.
func (c *canvas) pageLine(parts []report.PagePart, x0, x1, y float64, right, centre bool) {
	f := &c.frame
	ch := c.fonts.chains[regular]
	digits := ch[len(ch)-1]
	rs, ws, fs := f.line.runes[:0], f.line.widths[:0], f.line.faces[:0]
	bad := 0
	for _, p := range parts {
		switch p.Field {
		case report.PageLiteral:
			rs, ws, fs = ch.shape([]byte(p.Text), rs, ws, fs, &bad)
		case report.PageTitle:
			rs, ws, fs = ch.shape([]byte(f.title), rs, ws, fs, &bad)
		case report.PageNumber:
			rs, ws, fs = chain{digits}.shape(strconv.AppendInt(nil, int64(c.pages), 10), rs, ws, fs, &bad)
		case report.PageCount:
			// A rune that no text becomes stands for the count, as wide
			// as the digits of the pages so far.
			n := len(strconv.Itoa(c.pages))
			rs, ws, fs = append(rs, aliasRune), append(ws, int16(n)*digits.width('0')), append(fs, digits)
			for _, r := range "0123456789" {
				digits.use(r)
			}
		}
	}
	for i, r := range rs {
		if r == '\n' { // one line: a line break in the title is a space
			rs[i], ws[i] = ' ', fs[i].width(' ')
		}
	}
	f.line.runes, f.line.widths, f.line.faces = rs, ws, fs
	var em int64
	for _, w := range ws {
		em += int64(w)
	}
	maxEm := int64((x1 - x0) * 1000 / headerSize)
	if em > maxEm {
		ef, ew := ch.find(ellipsis)
		if ef == nil {
			ef, ew = ch.find('.')
		}
		for len(rs) > 0 && em+int64(ew) > maxEm {
			em -= int64(ws[len(ws)-1])
			rs, ws, fs = rs[:len(rs)-1], ws[:len(ws)-1], fs[:len(fs)-1]
		}
		if ef != nil {
			r := ellipsis
			if ef.width(r) == missing {
				r = '.'
			}
			rs, ws, fs = append(rs, r), append(ws, ew), append(fs, ef)
			em += int64(ew)
		}
	}
	x := x0
	switch {
	case right:
		x = x1 - float64(em)*headerSize/1000
	case centre:
		x = (x0 + x1 - float64(em)*headerSize/1000) / 2
	}
	c.setFill("0.4 g")
	for i := 0; i < len(rs); {
		j := i + 1
		w := int64(ws[i])
		for j < len(rs) && fs[j] == fs[i] && rs[j] != aliasRune && rs[i] != aliasRune {
			w += int64(ws[j])
			j++
		}
		if rs[i] == aliasRune {
			// The text after the count goes in its form, to follow the
			// count's real width; a second count in the line is dropped.
			var after shaped
			for k := i + 1; k < len(rs); k++ {
				if rs[k] != aliasRune {
					after.runes, after.widths, after.faces = append(after.runes, rs[k]), append(after.widths, ws[k]), append(after.faces, fs[k])
				}
			}
			c.total(fs[i], headerSize, x, y, after)
			break
		}
		c.text(fs[i], headerSize, x, y, rs[i:j])
		x += float64(w) * headerSize / 1000
		i = j
	}
	c.endText()
}

// aliasRune stands for the page count in a shaped page line; shaping
// never yields it, since private-use characters are replaced.
const aliasRune = '\uE000'

// mark adds an outline entry (a bookmark) for text at the top of free
// space on the current page. level is the entry's depth wished for (0 for
// the title, then one per heading level), held to at most one below the
// last heading (or the title), as outlines nest: a heading is never put
// under a table. It returns the level given, or -1 when there is no text to
// mark. The entry is handed to fpdf at once, on its page, since pages are
// written out as they are completed (the fpdf carried in third_party/fpdf
// places a bookmark by its own page's height).
func (d *docWriter) mark(text string, level int) int {
	if strings.TrimSpace(text) == "" || d.c.pages == 0 {
		return -1
	}
	level = max(0, min(level, d.headLevel+1))
	d.c.pdf.Bookmark(utf16Text(metaText(text)), level, max(0, d.c.y-4))
	return level
}

// utf16Text returns s as UTF-16BE with a byte order mark, the form of a PDF
// text string for text outside Latin-1; s is in the Basic Multilingual
// Plane (see metaText).
func utf16Text(s string) string {
	b := []byte{0xFE, 0xFF}
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return string(b)
}
