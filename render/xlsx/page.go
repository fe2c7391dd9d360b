package xlsx

import (
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/foliorender/folio/report"
)

// maxHeaderFooter is the longest print header or footer Excel holds, in
// UTF-16 units, codes included.
const maxHeaderFooter = 255

// setPrintFrame gives a worksheet the document's page header and footer
// lines as its print header (at the left) and footer (centred): {page} is
// Excel's &P, {pages} &N, {title} the title, and "&" is written "&&". A
// line longer than Excel holds is cut and ends with "…". The logo is not
// printed: an XLSX print header holds text and codes. It is called once
// per worksheet, before its stream is flushed, which writes the setting.
func (b *book) setPrintFrame(name string) error {
	if b.page == nil {
		return nil
	}
	header := printLine("&L", b.page.Header, b.title)
	footer := printLine("&C", b.page.Footer, b.title)
	if header == "" && footer == "" {
		return nil
	}
	return b.f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddHeader: header, OddFooter: footer})
}

// printLine returns t as an Excel header or footer section starting with
// the section code sec, or "" for no line.
func printLine(sec string, t *report.PageText, title string) string {
	if t == nil || len(t.Parts()) == 0 {
		return ""
	}
	// Tokens are cut whole, so no code loses its "&".
	var toks []string
	text := func(s string) {
		for _, r := range s {
			switch {
			case r == '&':
				toks = append(toks, "&&")
			case r < 0x20 || r == 0x7f:
				toks = append(toks, " ")
			default:
				toks = append(toks, string(r))
			}
		}
	}
	for _, p := range t.Parts() {
		switch p.Field {
		case report.PageLiteral:
			text(p.Text)
		case report.PageTitle:
			text(title)
		case report.PageNumber:
			toks = append(toks, "&P")
		case report.PageCount:
			toks = append(toks, "&N")
		}
	}
	units := func(s string) int { return len(utf16.Encode([]rune(s))) }
	n := units(sec)
	for _, tok := range toks {
		n += units(tok)
	}
	if n > maxHeaderFooter {
		for n > maxHeaderFooter-1 && len(toks) > 0 {
			n -= units(toks[len(toks)-1])
			toks = toks[:len(toks)-1]
		}
		toks = append(toks, "…")
	}
	return sec + strings.Join(toks, "")
}
