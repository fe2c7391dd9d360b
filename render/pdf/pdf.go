package pdf

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/report"
)

// Page sizes.
const (
	A4     = "A4"
	Letter = "Letter"
)

// Orientations.
const (
	Auto      = ""          // portrait, landscape for tables too wide for it
	Portrait  = "portrait"  // always portrait
	Landscape = "landscape" // always landscape
)

// DefaultMaxPages is the page limit of a Renderer whose MaxPages is 0.
// Pages are written out as they are completed, so memory does not grow with
// them (see the package documentation); the limit bounds the time and the
// size of a file that nobody could read.
const DefaultMaxPages = 10000

// DefaultCreationDate is the creation and modification date written into
// documents when the Renderer's CreationDate is zero, so that the same input
// gives the same bytes.
var DefaultCreationDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// A Renderer writes a document as PDF. The zero value is ready to use: A4,
// portrait (landscape for tables that need it), the Go fonts, at most
// DefaultMaxPages pages. A Renderer may be used by several goroutines at
// once; its fields must not change while it renders.
type Renderer struct {
	// PageSize is A4 (the default when empty) or Letter.
	PageSize string
	// Orientation is Auto (the default), Portrait or Landscape.
	Orientation string
	// Fonts replaces the Go fonts, for example with a font that has CJK
	// characters. See [Fonts].
	Fonts Fonts
	// MaxPages limits the page count: a document that needs more fails
	// with an error wrapping ErrPageLimit. 0 means DefaultMaxPages.
	MaxPages int
	// CreationDate is written as the document's creation and modification
	// date; the zero value means DefaultCreationDate.
	CreationDate time.Time
	// Uncompressed leaves page content streams uncompressed, for reading
	// the PDF's source. Files are about five times larger.
	Uncompressed bool
}

// Render writes doc to w as one PDF. Each page is written as soon as it is
// complete, and the fonts and the rest at the end, so on error (from doc,
// ctx, the page limit or the fonts) w may hold the first pages of an
// unfinished file, as render.Renderer allows; an error writing to w is
// returned wrapped. Render does not close w. A panic inside the PDF library
// is returned as an error.
func (r *Renderer) Render(ctx context.Context, w io.Writer, doc *report.Document) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdf: internal error: %v", p)
		}
	}()
	if err := ctx.Err(); err != nil {
		return err
	}
	out := &outWriter{w: w}
	// Pages are a few kilobytes each: buffered, a file gets a write every
	// 30 or so of them rather than one or more each.
	bw := bufio.NewWriterSize(out, 64<<10)
	d, err := r.newDoc(ctx, bw)
	if err != nil {
		return err
	}
	err = d.document(doc)
	if err == nil {
		err = d.finish()
	}
	if err == nil {
		err = d.c.pdf.Output(bw)
	}
	bw.Flush()
	if out.err != nil {
		return fmt.Errorf("pdf: writing: %w", out.err)
	}
	return err
}

// outWriter is the destination of a render: it keeps the first error
// writing to w, which fpdf otherwise returns as its own.
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
	}
	return n, err
}

// docWriter is the state of one render.
type docWriter struct {
	ctx    context.Context
	r      *Renderer
	c      *canvas
	title  string
	orient string
	bad    int // characters replaced because no font could show them

	// the table being drawn, for repeating its header on new pages
	tab *tableWriter
	// the runs of a paragraph line drawn as one text run
	lineText shaped
	// loc is the document's locale, for formatted cells
	loc *numfmt.Locale
	// breakNext asks the next table to start a new page
	breakNext bool
	// headLevel is the outline level of the last heading; markNext asks
	// for the next caption drawn, a table's, to be marked.
	headLevel int
	markNext  bool
}

func (r *Renderer) newDoc(ctx context.Context, w io.Writer) (*docWriter, error) {
	var size fpdf.SizeType
	switch strings.ToLower(r.PageSize) {
	case "", "a4":
		size = fpdf.SizeType{Wd: 595.28, Ht: 841.89}
	case "letter":
		size = fpdf.SizeType{Wd: 612, Ht: 792}
	default:
		return nil, fmt.Errorf("pdf: unknown page size %q (want A4 or Letter)", r.PageSize)
	}
	switch r.Orientation {
	case Auto, Portrait, Landscape:
	default:
		return nil, fmt.Errorf("pdf: unknown orientation %q (want portrait or landscape)", r.Orientation)
	}
	fonts, err := newFontSet(r.Fonts)
	if err != nil {
		return nil, err
	}
	p := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "pt", Size: size})
	p.SetCompression(!r.Uncompressed)
	p.SetObjectStreams(true) // when compressed: most of a table with links is annotations
	p.SetCatalogSort(true)
	date := r.CreationDate
	if date.IsZero() {
		date = DefaultCreationDate
	}
	p.SetCreationDate(date)
	p.SetModificationDate(date)
	p.SetCreator("folio", true)
	p.SetProducer("folio", true)
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(marginX, marginTop, marginX)
	p.Stream(w)
	fonts.pdf = p
	maxPages := r.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	d := &docWriter{ctx: ctx, r: r, orient: r.Orientation}
	d.c = &canvas{pdf: p, fonts: fonts, size: size, maxPages: maxPages, buf: make([]byte, 0, 64<<10), bodyTop: marginTop}
	d.c.onPage = d.onPage
	return d, nil
}

// fresh reports whether the current page has the orientation and nothing
// on it but the page's title.
func (d *docWriter) fresh(landscape bool) bool {
	c := d.c
	return c.pages > 0 && c.landscape == landscape && c.y <= c.top
}

func (d *docWriter) landscape() bool { return d.orient == Landscape }

// onPage runs on every new page: it repeats the header of a table in
// progress.
func (d *docWriter) onPage() error {
	c := d.c
	if c.pages == 1 && d.title != "" {
		d.mark(d.title, 0)
		in, err := d.inline(18, 23)
		if err != nil {
			return err
		}
		in.add(bold, []byte(d.title), "")
		d.bad += in.bad
		if err := in.close(); err != nil {
			return err
		}
		c.y += 8
	}
	c.top = c.y
	if d.tab != nil {
		return d.tab.header()
	}
	return nil
}

func (d *docWriter) document(doc *report.Document) error {
	d.title = doc.Title()
	d.loc = doc.Locale()
	if d.title != "" {
		d.c.pdf.SetTitle(metaText(d.title), true)
		d.headLevel = 0
	} else {
		d.headLevel = -1
	}
	lang := "en"
	if d.loc != nil {
		lang = d.loc.Tag
	}
	if plainTag(lang) {
		d.c.pdf.SetLang(lang)
	}
	if err := d.setPage(doc.Page()); err != nil {
		return err
	}
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if err := d.ctx.Err(); err != nil {
			return err
		}
		if report.BlockOf(el).PageBreak == report.BreakBefore {
			if err := d.pageBreak(el); err != nil {
				return err
			}
		}
		if err := report.Visit(el, d); err != nil {
			return err
		}
	}
	return nil
}

// pageBreak starts a new page for el unless the page holds nothing but
// the title. A table starts its page itself (see tableWriter.start), in
// the orientation it needs.
func (d *docWriter) pageBreak(el report.Element) error {
	if t, ok := el.(*report.Table); ok && len(t.Columns) > 0 {
		d.breakNext = true
		return nil
	}
	c := d.c
	if c.pages > 0 && c.y > c.top {
		return c.newPage(d.landscape())
	}
	return nil
}

// broken reports whether a table must start a new page for its page
// break, and forgets the break.
func (d *docWriter) broken() bool {
	b := d.breakNext && d.c.pages > 0 && d.c.y > d.c.top
	d.breakNext = false
	return b
}

// Table, Paragraph and Heading make docWriter a report.Visitor.
func (d *docWriter) Table(t *report.Table) error         { return d.table(t) }
func (d *docWriter) Paragraph(p *report.Paragraph) error { return d.para(p) }
func (d *docWriter) Heading(h *report.Heading) error     { return d.heading(h) }

func (d *docWriter) para(p *report.Paragraph) error {
	in, err := d.inline(10, 13.5)
	if err != nil {
		return err
	}
	for _, r := range p.Runs {
		if in.err != nil {
			break
		}
		if r.IsMarkdown() {
			in.addMarkdown(r.Text)
		} else {
			in.add(regular, []byte(r.Text), "")
		}
	}
	d.bad += in.bad
	if err := in.close(); err != nil {
		return err
	}
	d.c.y += 6
	return nil
}

var headingSizes = [...]float64{15, 13, 11.5, 10.5, 10, 10}

func (d *docWriter) heading(h *report.Heading) error {
	lvl := min(max(h.Level, 1), 6)
	size := headingSizes[lvl-1]
	c := d.c
	if err := c.ensure(d.landscape()); err != nil {
		return err
	}
	if c.used {
		c.y += 8
	}
	// Keep the heading with two lines of what follows.
	if err := c.need(size*1.3+30, d.landscape()); err != nil {
		return err
	}
	in, err := d.inline(size, size*1.3)
	if err != nil {
		return err
	}
	base := 0
	if d.title != "" {
		base = 1
	}
	if l := d.mark(h.Text, base+lvl-1); l >= 0 {
		d.headLevel = l
	}
	in.add(bold, []byte(h.Text), "")
	d.bad += in.bad
	if err := in.close(); err != nil {
		return err
	}
	c.y += 4
	return nil
}

// finish notes replaced characters, ends the last page and readies fpdf's
// output.
func (d *docWriter) finish() error {
	if d.bad > 0 {
		rep := Replacement
		if fc, _ := d.c.fonts.chains[regular].find(rep); fc == nil {
			rep = '?'
		}
		msg := fmt.Sprintf("Note: %d %s that the document's font cannot show %s printed as %c. Supply a font that has them (Renderer.Fonts, or the font option).",
			d.bad, plural(d.bad, "character", "characters"), plural(d.bad, "is", "are"), rep)
		d.c.y += 6
		in, err := d.inline(8, 10.5)
		if err != nil {
			return err
		}
		in.add(italic, []byte(msg), "")
		if err := in.close(); err != nil {
			return err
		}
	}
	if err := d.c.ensure(d.landscape()); err != nil {
		return err
	}
	d.c.endPage()
	if d.c.err != nil {
		return d.c.err
	}
	if err := d.c.fonts.markUsed(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	if err := d.c.pdf.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}

// metaText returns s for the document information dictionary: valid
// UTF-8 in the Basic Multilingual Plane, which is what fpdf can encode.
func metaText(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF || r == utf8.RuneError || r < ' ' {
			return Replacement
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// plainTag reports whether a language tag holds only ASCII letters, digits
// and hyphens, so that it can go in the catalog's /Lang unescaped.
func plainTag(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
