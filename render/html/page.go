package html

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/foliorender/folio/report"
)

// The document's page member: a header (logo and header line) above the
// report and a footer line below it on screen, and, printed, the same in
// the page margin boxes of every page (@page @top-left and so on), where
// counter(page) and counter(pages) number the pages. A browser without
// margin boxes prints neither (see the package documentation).

// mmPx is CSS pixels per millimetre.
const mmPx = 96 / 25.4

// maxLogoMM is the tallest a logo is shown, in millimetres, as in PDF.
const maxLogoMM = 15.0

// logoSize returns the logo's drawn width and height in millimetres.
func logoSize(l *report.Logo) (w, h float64) {
	w = l.DrawWidth()
	h = w * float64(l.PixelHeight) / float64(l.PixelWidth)
	if h > maxLogoMM {
		w, h = w*maxLogoMM/h, maxLogoMM
	}
	return w, h
}

// dataURL returns the logo as a data: URL, which the page's
// Content-Security-Policy allows for images (img-src data:) and for
// nothing else.
func dataURL(l *report.Logo) string {
	return "data:" + l.Type + ";base64," + base64.StdEncoding.EncodeToString(l.Data)
}

// pageHeader writes the header above the report: the logo as an <img>
// (its alt text the document's title, or empty, marking it decorative,
// when there is none) and the header line, with {page} and {pages} as 1:
// on screen the report is one page.
func (s *state) pageHeader() {
	p := s.page
	if p == nil || (p.Logo == nil && (p.Header == nil || len(p.Header.Parts()) == 0)) {
		return
	}
	w := s.w
	w.raw("<header class=\"page-header\">")
	if l := p.Logo; l != nil {
		mw, mh := logoSize(l)
		w.raw(`<img class="logo" src="`)
		w.raw(s.logoURL)
		w.raw(`" alt="`)
		w.text(strings.TrimSpace(s.title))
		w.raw(`" width="` + strconv.Itoa(int(math.Round(mw*mmPx))) + `" height="` + strconv.Itoa(int(math.Round(mh*mmPx))) + `">`)
	}
	if p.Header != nil && len(p.Header.Parts()) > 0 {
		w.raw(`<span dir="auto">`)
		w.text(p.Header.Fill(s.title, "1", "1"))
		w.raw("</span>")
	}
	w.raw("</header>\n")
}

// pageFooter writes the footer line below the report.
func (s *state) pageFooter() {
	p := s.page
	if p == nil || p.Footer == nil || len(p.Footer.Parts()) == 0 {
		return
	}
	s.w.raw(`<footer class="page-footer" dir="auto">`)
	s.w.text(p.Footer.Fill(s.title, "1", "1"))
	s.w.raw("</footer>\n")
}

// pageCSS returns the print rules of a standalone document's page member:
// margin boxes holding the logo (as a background image from its data:
// URL), the header line and the footer line, and a rule hiding the
// on-screen header and footer, which the margin boxes replace.
func pageCSS(p *report.Page, title, logoURL string) string {
	if p == nil {
		return ""
	}
	header := p.Header != nil && len(p.Header.Parts()) > 0
	footer := p.Footer != nil && len(p.Footer.Parts()) > 0
	if !header && !footer && p.Logo == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("@page {")
	if header || p.Logo != nil {
		top := 20.0
		if p.Logo != nil {
			_, h := logoSize(p.Logo)
			top = max(top, h+10)
		}
		fmt.Fprintf(&b, " margin-top: %.1fmm;", top)
	}
	if footer {
		b.WriteString(" margin-bottom: 16mm;")
	}
	const font = " font: 8pt system-ui, -apple-system, \"Segoe UI\", \"Noto Sans\", sans-serif; color: #555;"
	textBox := "@top-left"
	if p.Logo != nil {
		w, _ := logoSize(p.Logo)
		fmt.Fprintf(&b, "\n\t@top-left { content: \"\"; width: %.1fmm; background: url(\"%s\") left center / contain no-repeat; }", w, logoURL)
		textBox = "@top-right"
	}
	if header {
		b.WriteString("\n\t" + textBox + " { content: ")
		cssContent(&b, p.Header, title)
		b.WriteString(";" + font + " }")
	}
	if footer {
		b.WriteString("\n\t@bottom-center { content: ")
		cssContent(&b, p.Footer, title)
		b.WriteString(";" + font + " }")
	}
	b.WriteString("\n}\n@media print { .folio .page-header, .folio .page-footer { display: none; } }\n")
	return b.String()
}

// cssContent writes t as the value of a CSS content property: strings for
// its text and title, counter(page) and counter(pages) for the numbers.
func cssContent(b *strings.Builder, t *report.PageText, title string) {
	for i, p := range t.Parts() {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch p.Field {
		case report.PageLiteral:
			cssString(b, p.Text)
		case report.PageTitle:
			cssString(b, title)
		case report.PageNumber:
			b.WriteString("counter(page)")
		case report.PageCount:
			b.WriteString("counter(pages)")
		}
	}
}

// cssString writes s as a quoted CSS string in which every character but
// ASCII letters, digits and spaces is a hex escape, so that no text can
// end the string, the rule or the <style> element. Each escape ends with a
// space, which CSS takes as part of it, so a space after it stays a space.
// Control characters, invalid UTF-8 and surrogates become U+FFFD.
func cssString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ':
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f || r == utf8.RuneError || r >= 0xD800 && r <= 0xDFFF {
				r = utf8.RuneError
			}
			fmt.Fprintf(b, "\\%X ", r)
		}
	}
	b.WriteByte('"')
}
