package html

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/report"
	"golang.org/x/text/language"
)

// A Renderer writes a document as HTML. The zero value writes a standalone
// HTML5 document with an embedded stylesheet. A Renderer is safe for
// concurrent use if its fields are not changed meanwhile.
type Renderer struct {
	// Fragment writes only the report, a <div class="folio"> with no
	// <html>, <head> or stylesheet, for embedding in another page. The page
	// styles it with [CSS], whose rules all apply inside .folio.
	Fragment bool
	// Lang is the language of the report's text, a BCP 47 tag such as "en"
	// or "de-CH", written as the lang attribute of the document (or of the
	// fragment's div). Empty takes the document's locale, and when it has
	// none, "en" for a standalone document (a page needs a language, for
	// screen readers and hyphenation) and no attribute for a fragment, which
	// inherits the page's. A value with characters other than ASCII
	// letters, digits and hyphens is not written, and the default applies.
	// A language written right to left (its script, given as in "az-Arab"
	// or the likely one of the language: Arabic, Hebrew, Thaana, Syriac,
	// N'Ko, Adlam …) adds dir="rtl" beside the lang.
	Lang string
	// Landscape makes a standalone document print on landscape pages, for
	// wide tables. A table too wide for the page is squeezed to fit, never
	// cut off, but many columns print in small, broken-up text either way.
	Landscape bool
}

//go:embed style.css
var css string

// CSS returns the stylesheet a standalone document embeds. Its rules apply
// to elements inside an element of class "folio", so a page that embeds
// fragments can include it without restyling its own content.
func CSS() string { return css }

// landscapeCSS is added to the stylesheet by [Renderer.Landscape].
const landscapeCSS = "@media print { @page { size: landscape; } }\n"

// csp returns the Content-Security-Policy of a standalone document whose
// stylesheet is style: it loads nothing and runs no script, whatever the
// document holds; only the embedded stylesheet applies.
func csp(style string) string {
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
}

var (
	cssLandscape = css + landscapeCSS
	cspPortrait  = csp(css)
	cspLandscape = csp(cssLandscape)
)

// checkEvery is how many rows pass between checks of ctx and of the writer.
const checkEvery = 1000

// Render writes doc to w as HTML. It reads doc once, in order, writing each
// row as it is pulled, and returns the first error from doc, w or ctx. It
// does not close w. Every string from the document is escaped; Markdown runs
// are rendered as described in the package documentation.
func (r *Renderer) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	bw := newWriter(w)
	s := state{ctx: ctx, w: bw, lang: cleanLang(r.Lang), fragment: r.Fragment, landscape: r.Landscape, title: doc.Title(), loc: doc.Locale(), page: doc.Page()}
	if s.page != nil && s.page.Logo != nil {
		s.logoURL = dataURL(s.page.Logo)
	}
	if s.lang == "" && s.loc != nil {
		s.lang = cleanLang(s.loc.Tag)
	}
	if s.lang == "" && !s.fragment {
		s.lang = "en"
	}
	s.rtl = rightToLeft(s.lang)
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !s.started {
			s.start(el)
		}
		if err := report.Visit(el, &s); err != nil {
			return err
		}
		if err := bw.writeErr(); err != nil {
			return err
		}
	}
	if !s.started {
		s.start(nil)
	}
	s.end()
	return bw.flush()
}

// Table, Paragraph and Heading make state a report.Visitor.
func (s *state) Table(t *report.Table) error         { return s.table(s.ctx, t) }
func (s *state) Paragraph(p *report.Paragraph) error { return s.paragraph(p) }
func (s *state) Heading(h *report.Heading) error     { s.heading(h); return nil }

// Fields writes key figures as a description list, the caption above it,
// each value shown as a table cell is (formatted, with its link).
func (s *state) Fields(f *report.Fields) error {
	w := s.w
	w.raw(`<div class="fields` + breakClass(f.Block) + `">`)
	if strings.TrimSpace(f.Caption) != "" {
		w.raw(`<p class="caption" dir="auto">`)
		w.text(f.Caption)
		w.raw("</p>")
	}
	w.raw("\n<dl>\n")
	for _, it := range f.Items {
		w.raw(`<div><dt dir="auto">`)
		w.text(it.Label)
		w.raw("</dt>")
		col := newColumn(it.Column(), s.loc)
		col.td, col.num = `<dd dir="auto"`+">", `<dd class="num"`
		col.end = "</dd>"
		col.finish()
		s.cell(&col, it.Value)
		w.raw("</div>\n")
	}
	w.raw("</dl>\n</div>\n")
	return nil
}

// breakClass returns the class, after a space, of an element that starts
// a printed page.
func breakClass(b report.Block) string {
	if b.PageBreak == report.BreakBefore {
		return " break"
	}
	return ""
}

// writeErr returns the first write error. The buffer is written as it
// fills (see writer.full), never in part, which would leave the writes
// that follow at offsets that are not multiples of bufSize.
func (w *writer) writeErr() error { return w.err }

type state struct {
	ctx       context.Context
	w         *writer
	lang      string
	rtl       bool // lang is written right to left
	fragment  bool
	landscape bool
	title     string
	started   bool
	tables    int
	cols      []column
	loc       *numfmt.Locale
	page      *report.Page // the document's page member, or nil
	logoURL   string       // the logo's data: URL
	text      []byte       // scratch: a cell's formatted text
	link      []byte       // scratch: a cell's link
}

// cleanLang returns lang if it is a plausible language tag, else "".
func cleanLang(lang string) string {
	if len(lang) > 64 {
		return ""
	}
	for _, c := range lang {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return ""
		}
	}
	return lang
}

// start writes what comes before the first element. The page title is the
// document title, else the first element's heading text or table caption,
// else "Report".
func (s *state) start(first report.Element) {
	s.started = true
	w := s.w
	if s.fragment {
		w.raw(`<div class="folio"`)
		s.langAttr()
		w.raw(">\n")
		s.pageHeader()
	} else {
		title := s.title
		if strings.TrimSpace(title) == "" {
			switch el := first.(type) {
			case *report.Heading:
				title = el.Text
			case *report.Table:
				title = el.Caption
			}
		}
		if strings.TrimSpace(title) == "" {
			title = "Report"
		}
		w.raw("<!DOCTYPE html>\n<html")
		s.langAttr()
		w.raw(">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"")
		style, policy := css, cspPortrait
		if s.landscape {
			style, policy = cssLandscape, cspLandscape
		}
		if page := pageCSS(s.page, s.title, s.logoURL); page != "" {
			style += page
			policy = csp(style)
		}
		if s.logoURL != "" {
			policy += "; img-src data:"
		}
		w.raw(policy)
		w.raw("\">\n<title>")
		w.text(title)
		w.raw("</title>\n<style>")
		w.raw(style)
		w.raw("</style>\n</head>\n<body class=\"folio\">\n")
		s.pageHeader()
		w.raw("<main>\n")
	}
	if strings.TrimSpace(s.title) != "" {
		w.raw(`<h1 class="title" dir="auto">`)
		w.text(s.title)
		w.raw("</h1>\n")
	}
}

func (s *state) langAttr() {
	if s.lang != "" {
		s.w.raw(` lang="`)
		s.w.raw(s.lang)
		s.w.raw(`"`)
	}
	if s.rtl {
		s.w.raw(` dir="rtl"`)
	}
}

// rtlScripts are the scripts (ISO 15924) written right to left.
var rtlScripts = map[string]bool{"Adlm": true, "Arab": true, "Hebr": true, "Mand": true, "Nkoo": true,
	"Rohg": true, "Samr": true, "Syrc": true, "Thaa": true, "Yezi": true}

// rightToLeft reports whether lang is written right to left: its script
// subtag, else the script CLDR gives its language, is one of rtlScripts.
func rightToLeft(lang string) bool {
	if lang == "" {
		return false
	}
	t, err := language.Parse(lang)
	if err != nil {
		return false
	}
	script, conf := t.Script()
	return conf != language.No && rtlScripts[script.String()]
}

func (s *state) end() {
	if s.fragment {
		s.pageFooter()
		s.w.raw("</div>\n")
	} else {
		s.w.raw("</main>\n")
		s.pageFooter()
		s.w.raw("</body>\n</html>\n")
	}
}

func (s *state) heading(h *report.Heading) {
	level := min(max(h.Level, 1), 6)
	tag := strconv.Itoa(level)
	s.w.raw("<h" + tag + ` dir="auto"`)
	if h.PageBreak == report.BreakBefore {
		s.w.raw(` class="break"`)
	}
	s.w.raw(">")
	s.w.text(h.Text)
	s.w.raw("</h" + tag + ">\n")
}

func (s *state) paragraph(p *report.Paragraph) error {
	w := s.w
	w.raw(`<p dir="auto"`)
	if p.PageBreak == report.BreakBefore {
		w.raw(` class="break"`)
	}
	w.raw(">")
	for _, run := range p.Runs {
		if run.IsMarkdown() {
			var err error
			if w.buf, err = appendMarkdown(w.buf, run.Text); err != nil {
				return fmt.Errorf("html: markdown: %w", err)
			}
			w.full()
			continue
		}
		// Line breaks in plain text are kept.
		text := run.Text
		for {
			i := strings.IndexAny(text, "\r\n")
			if i < 0 {
				break
			}
			w.text(text[:i])
			w.raw("<br>")
			if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			text = text[i+1:]
		}
		w.text(text)
	}
	w.raw("</p>\n")
	return nil
}

// A column holds the markup that opens the cells of one column.
type column struct {
	report.Column
	td   string // for text, booleans and null
	num  string // for numbers
	end  string // the cell's end, when not "</td>"
	date bool   // a date or datetime column: strings are wrapped in <time>
	// footer is set for the cells of a footer, which may hold any value:
	// only strings that are dates are wrapped in <time>.
	footer bool
	// linkedNumber is set when the column has a format whose numbers are
	// clean and a valid link template with one {value}.
	linkedNumber bool
	// clean is set when the formatted text of every number in the column
	// is valid UTF-8 that needs no escaping (see report.Column.NumberChars), so
	// that it is written without being checked.
	clean bool
	// href holds, for a valid link template, its pieces around each
	// {value}, escaped for an attribute: a cell's link is then written
	// without being expanded, checked and escaped apart (the value's
	// percent-encoding needs no escaping, and a valid template gives a
	// valid link).
	href []string
	// The markup of a cell joined into as few pieces as it can be, so
	// that a cell is written in few appends: the opening of a formatted
	// number up to its data-value; that of a cell of each kind, with the
	// template's first piece when it has one; and the pieces after each
	// {value}, the last with the end of the <a> tag.
	numValue             string // <td class="num" data-value="
	valueOpen, valueLink string // after the data-value: "> and "><a href="…
	numLink, tdLink      string // <td class="num"><a href="…, <td><a href="…
	hrefRest             []string
	close, closeLink     string // </td> or c.end, and </a> before it
}

// newColumn makes the markup of column c, whose values are formatted in
// the locale loc.
func newColumn(c report.Column, loc *numfmt.Locale) column {
	align := alignClass(c.Align)
	col := column{Column: c, td: "<td" + classAttr(align) + ">", num: "<td" + classAttr("num", align),
		date: c.Type == report.TypeDate || c.Type == report.TypeDateTime}
	if chars, ok := c.NumberChars(loc); ok {
		col.clean = cleanPrefix(chars) == len(chars)
	}
	if c.Numeric() {
		col.td = col.num + ">"
	}
	if c.Link != "" && safeurl.Template(c.Link) {
		for _, p := range strings.Split(c.Link, "{value}") {
			col.href = append(col.href, string(appendEscaped(nil, p)))
		}
	}
	col.finish()
	return col
}

// finish joins the column's markup into the pieces that cell writes.
func (col *column) finish() {
	col.numValue = col.num + ` data-value="`
	col.valueOpen = `">`
	col.close = "</td>"
	if col.end != "" {
		col.close = col.end
	}
	col.closeLink = "</a>" + col.close
	if col.href == nil {
		return
	}
	const rel = `" rel="noopener noreferrer">`
	a := `<a href="` + col.href[0]
	col.hrefRest = append([]string(nil), col.href[1:]...)
	if n := len(col.hrefRest); n > 0 {
		col.hrefRest[n-1] += rel
	} else { // a template without {value}
		a += rel
	}
	col.linkedNumber = col.Format != nil && col.clean && len(col.hrefRest) == 1
	col.valueLink = `">` + a
	col.numLink = col.num + ">" + a
	col.tdLink = col.td + a
}

func alignClass(a report.Align) string {
	switch a {
	case report.AlignLeft, report.AlignCenter, report.AlignRight:
		return string(a)
	}
	return ""
}

func classAttr(classes ...string) string {
	var b []string
	for _, c := range classes {
		if c != "" {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return ""
	}
	return ` class="` + strings.Join(b, " ") + `"`
}

func (s *state) table(ctx context.Context, t *report.Table) error {
	w := s.w
	s.tables++
	label := t.Caption
	if strings.TrimSpace(label) == "" {
		label = "Table " + strconv.Itoa(s.tables)
	}
	// The scrolling wrapper is a focusable, labelled region so that keyboard
	// users can scroll a wide table.
	w.raw(`<div class="table` + breakClass(t.Block) + `" role="region" tabindex="0" aria-label="`)
	w.text(label)
	w.raw("\">\n<table>\n")
	if strings.TrimSpace(t.Caption) != "" {
		w.raw(`<caption dir="auto">`)
		w.text(t.Caption)
		w.raw("</caption>\n")
	}
	s.cols = s.cols[:0]
	w.raw("<thead>\n<tr>")
	for i, c := range t.Columns {
		align := alignClass(c.Align)
		th := classAttr(align)
		if c.Numeric() {
			th = classAttr("num", align)
		}
		s.cols = append(s.cols, newColumn(c, s.loc))
		if strings.TrimSpace(c.Caption) == "" {
			// An empty header cell still names its column for screen readers.
			th += ` aria-label="Column ` + strconv.Itoa(i+1) + `"`
		}
		w.raw(`<th scope="col"` + th + ">")
		w.text(c.Caption)
		w.raw("</th>")
	}
	w.raw("</tr>\n</thead>\n<tbody>\n")
	n := 0
	for row, err := range t.Rows() {
		if err != nil {
			return err
		}
		if n++; n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := w.writeErr(); err != nil {
				return err
			}
		}
		w.raw("<tr>")
		for i, v := range row.Cells {
			if i >= len(s.cols) {
				break // Rows checks the cell count; this keeps a bad row harmless
			}
			s.cell(&s.cols[i], v)
		}
		w.raw("</tr>\n")
	}
	w.raw("</tbody>\n")
	if footer := t.FooterRows(); len(footer) > 0 {
		s.cols = s.cols[:0]
		for _, c := range t.FooterColumns() {
			col := newColumn(c, s.loc)
			col.footer = true
			s.cols = append(s.cols, col)
		}
		w.raw("<tfoot>\n")
		for _, row := range footer {
			w.raw("<tr>")
			for i, v := range row.Cells {
				if i < len(s.cols) {
					s.cell(&s.cols[i], v)
				}
			}
			w.raw("</tr>\n")
		}
		w.raw("</tfoot>\n")
	}
	w.raw("</table>\n</div>\n")
	return nil
}

// cell writes one cell: its formatted text (see report.Column.AppendText),
// a formatted number's exact value in data-value, a date's in <time>, and
// the cell's link, if it has one, as <a href>.
func (s *state) cell(c *column, v report.Value) {
	w := s.w
	formatted := c.Format != nil && v.Kind() != report.KindNull
	// A column's link template links the cell with the value in it,
	// unless the cell has a link of its own.
	templated := v.Link() == "" && c.href != nil && v.Kind() != report.KindNull
	switch {
	case v.Kind() == report.KindNumber && formatted:
		if c.linkedNumber && v.Link() == "" && bytes.IndexByte(v.Bytes(), '+') < 0 {
			// The cells of a formatted number column with a link
			// template of one {value}, as the cases below write them,
			// in one run.
			w.buf = append(w.buf, c.numValue...)
			w.buf = append(w.buf, v.Bytes()...)
			w.buf = append(w.buf, c.valueLink...)
			w.buf = append(w.buf, v.Bytes()...)
			w.buf = append(w.buf, c.hrefRest[0]...)
			w.buf = c.AppendText(w.buf, v, s.loc)
			w.buf = append(w.buf, c.closeLink...)
			w.full()
			return
		}
		// A number Value's text is a valid JSON number (report.Number
		// checks it), which holds no character that needs escaping.
		w.buf = append(w.buf, c.numValue...)
		w.buf = append(w.buf, v.Bytes()...)
		if templated {
			w.buf = append(w.buf, c.valueLink...)
		} else {
			w.buf = append(w.buf, c.valueOpen...)
		}
	case v.Kind() == report.KindNumber && templated:
		w.buf = append(w.buf, c.numLink...)
	case v.Kind() == report.KindNumber:
		w.buf = append(w.buf, c.num...)
		w.buf = append(w.buf, '>')
	case templated:
		w.buf = append(w.buf, c.tdLink...)
	default:
		w.buf = append(w.buf, c.td...)
	}
	linked := templated
	switch {
	case templated && v.Kind() == report.KindNumber && bytes.IndexByte(v.Bytes(), '+') < 0:
		// A JSON number's bytes are unreserved in a URL but for an
		// exponent's "+".
		for _, p := range c.hrefRest {
			w.buf = append(w.buf, v.Bytes()...)
			w.buf = append(w.buf, p...)
		}
	case templated:
		for _, p := range c.hrefRest {
			w.buf = appendURLValue(w.buf, v.Bytes())
			w.buf = append(w.buf, p...)
		}
	case v.Link() != "" || c.Link != "":
		s.link = c.AppendLink(s.link[:0], v)
		if linked = len(s.link) > 0 && safeurl.Link(unsafeString(s.link)); linked {
			w.buf = append(w.buf, `<a href="`...)
			w.buf = appendEscaped(w.buf, unsafeString(s.link))
			w.buf = append(w.buf, `" rel="noopener noreferrer">`...)
		}
	}
	switch {
	case v.Kind() == report.KindString && c.date && (!c.footer || isDate(v)):
		text := v.Bytes()
		if formatted {
			s.text = c.AppendText(s.text[:0], v, s.loc)
			text = s.text
		}
		w.buf = append(w.buf, `<time datetime="`...)
		w.buf = appendEscaped(w.buf, unsafeString(v.Bytes()))
		w.buf = append(w.buf, `">`...)
		w.buf = appendEscaped(w.buf, unsafeString(text))
		w.buf = append(w.buf, "</time>"...)
	case v.Kind() == report.KindBool || v.Kind() == report.KindNull:
		w.buf = append(w.buf, v.Bytes()...)
	case formatted && c.clean && v.Kind() == report.KindNumber:
		w.buf = c.AppendText(w.buf, v, s.loc)
	case formatted:
		// The text is formatted in place, and escaped only from the
		// first byte that needs it (none, as a rule).
		n := len(w.buf)
		w.buf = c.AppendText(w.buf, v, s.loc)
		if i := n + cleanPrefix(unsafeString(w.buf[n:])); i < len(w.buf) {
			s.text = append(s.text[:0], w.buf[i:]...)
			w.buf = appendEscaped(w.buf[:i], unsafeString(s.text))
		}
	case v.Kind() == report.KindNumber:
		w.buf = append(w.buf, v.Bytes()...) // a JSON number, as above
	default:
		w.buf = appendEscaped(w.buf, unsafeString(v.Bytes()))
	}
	if linked {
		w.buf = append(w.buf, c.closeLink...)
	} else {
		w.buf = append(w.buf, c.close...)
	}
	w.full()
}

func isDate(v report.Value) bool {
	_, err := numfmt.ParseTime(unsafeString(v.Bytes()))
	return err == nil
}
