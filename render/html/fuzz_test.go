package html_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/report"
)

// fuzzDoc builds a document that puts each string where data can go.
func fuzzDoc(title, caption, column, cell, heading, plain, md string) *report.Document {
	cols := []report.Column{{Caption: column}, {Caption: "N", Type: report.TypeNumber}}
	row := report.Cells(report.String(cell), report.Int(1))
	return report.New(title,
		&report.Heading{Text: heading, Level: 3},
		report.NewTable(caption, cols, report.RowsOf(row, row)),
		&report.Paragraph{Runs: []report.Run{{Text: plain}}},
		&report.Paragraph{Runs: []report.Run{{Text: md, Markdown: true}}},
	)
}

// skeleton replaces every character of s but white space with "x": a
// document of skeletons has the same elements as the original if no data
// became markup (line breaks and blank strings make elements of their own).
func skeleton(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return r
		}
		return 'x'
	}, s)
}

// visible returns the text a parser reads back for s: s with what the
// renderer replaces replaced, and line breaks normalised as HTML does.
func visible(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\f' || r == '\r':
		case r < 0x20 || r >= 0x7f && r < 0xa0, r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(strings.ReplaceAll(b.String(), "\r\n", "\n"), "\r", "\n")
}

// FuzzNoMarkupFromData checks that no element, attribute or comment in the
// output comes from data: the output of any strings has the elements and
// attributes of their skeletons (but for the Markdown paragraph, which may
// hold the few elements Markdown makes), every string reads back as text,
// and the output is valid UTF-8.
func FuzzNoMarkupFromData(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, s, s, s, s, s, s)
	}
	f.Add("T", "", " ", "a\r\nb", "\x00", "x\xff", "[a](javascript:alert(1)) <b>x</b> *e* [b](https://example.com)")
	f.Add("", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, title, caption, column, cell, heading, plain, md string) {
		out := renderDoc(t, &html.Renderer{}, fuzzDoc(title, caption, column, cell, heading, plain, md))
		if !utf8.Valid(out) {
			t.Fatalf("output is not valid UTF-8")
		}
		doc := parse(t, out)
		checkMarkup(t, doc)

		ps := find(doc, atom.P)
		if len(ps) != 2 {
			t.Fatalf("%d paragraphs, want 2", len(ps))
		}
		for d := range ps[1].Descendants() {
			if d.Type == xhtml.ElementNode && !slices.Contains([]atom.Atom{atom.A, atom.Em, atom.Strong, atom.Code, atom.Br}, d.DataAtom) {
				t.Errorf("Markdown made a <%s>", d.Data)
			}
		}
		want := parse(t, renderDoc(t, &html.Renderer{}, fuzzDoc(skeleton(title), skeleton(caption), skeleton(column),
			skeleton(cell), skeleton(heading), skeleton(plain), "x")))
		if got, want := structure(doc), structure(want); !slices.Equal(got, want) {
			t.Fatalf("elements differ from the skeleton's:\n got %q\nwant %q", got, want)
		}

		pageTitle := title
		if strings.TrimSpace(pageTitle) == "" {
			pageTitle = heading
		}
		if strings.TrimSpace(pageTitle) == "" {
			pageTitle = "Report"
		}
		for _, c := range []struct {
			a    atom.Atom
			i    int
			want string
		}{
			{atom.Title, 0, pageTitle}, {atom.H3, 0, heading}, {atom.Th, 0, column},
			{atom.Td, 0, cell}, {atom.Td, 2, cell}, {atom.P, 0, plain},
		} {
			els := find(doc, c.a)
			if len(els) <= c.i {
				t.Fatalf("no <%s> %d", c.a, c.i)
			}
			if got := innerText(els[c.i]); got != visible(c.want) {
				t.Errorf("<%s> %d reads %q, want %q", c.a, c.i, got, visible(c.want))
			}
		}
		if strings.TrimSpace(title) != "" {
			if h := find(doc, atom.H1); len(h) != 1 || innerText(h[0]) != visible(title) {
				t.Errorf("<h1> does not read as the title")
			}
		}
		if strings.TrimSpace(caption) != "" {
			if c := find(doc, atom.Caption); len(c) != 1 || innerText(c[0]) != visible(caption) {
				t.Errorf("<caption> does not read as the caption")
			}
		}
	})
}

// structure lists the elements of a document outside its last paragraph
// (the Markdown one) with their attributes; the values of attributes that
// hold data are left out.
func structure(doc *xhtml.Node) []string {
	ps := find(doc, atom.P)
	md := ps[len(ps)-1]
	var keep []string
	for d := range doc.Descendants() {
		if d.Type != xhtml.ElementNode || isUnder(d, md) {
			continue
		}
		var b bytes.Buffer
		b.WriteString(d.Data)
		for _, a := range d.Attr {
			b.WriteString(" " + a.Key)
			if a.Key != "aria-label" || d.DataAtom == atom.Th {
				b.WriteString("=" + a.Val)
			}
		}
		keep = append(keep, b.String())
	}
	return keep
}

func isUnder(n, p *xhtml.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Parent == p {
			return true
		}
	}
	return false
}

// alnum returns the letters and digits of s, in order.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// FuzzMarkdownKeepsText checks that no text of a Markdown run is lost: the
// letters and digits of the run read back from the HTML, in order. Link
// syntax ("[") and character references ("&") are taken out of the input,
// as a link's target and a reference's name rightly do not show as text.
func FuzzMarkdownKeepsText(f *testing.F) {
	for _, s := range []string{
		"alpha\n\n\tbravo\n\n    charlie delta",
		"a\r\r    b\r\n\r\n\tc",
		"x\n\n    # h\n\n    - l\n\n    > q\n\n    ```\n    code\n    ```",
		"*em* **strong** `code` <https://example.com> <a@example.com> <b>x</b>",
		"1. one\n\n2) two\n\n---\n\n***\n\nt\n===\n\nu\n---",
		" \t\n\n\t \n",
	} {
		f.Add(s)
	}
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		md = strings.NewReplacer("[", "", "&", "").Replace(md)
		doc := report.New("", &report.Paragraph{Runs: []report.Run{{Text: md, Markdown: true}}})
		n := parse(t, renderDoc(t, &html.Renderer{}, doc))
		ps := find(n, atom.P)
		if len(ps) != 1 {
			t.Fatalf("%d paragraphs, want 1", len(ps))
		}
		if got, want := alnum(innerText(ps[0])), alnum(visible(md)); got != want {
			t.Errorf("Markdown %q reads back with letters and digits\n%q, want\n%q", md, got, want)
		}
	})
}

// FuzzLinks renders a linked cell of fuzzed text and URL and a number
// with a fuzzed format code, and requires one <a> to that URL around that
// text, the number shown as numfmt formats it with its exact value in
// data-value, and no markup from data.
func FuzzLinks(f *testing.F) {
	f.Add("Order 42", "https://erp.example/orders/42", `#,##0.00 "€"`, "1234.5")
	f.Add("<b>x</b>", "https://x.example/\"><script>", `"<i>"0`, "-0.5")
	f.Add("&amp;", "mailto:a@b?c=d&e='f'", "0.0%;(0.0%)", "1e-7")
	f.Fuzz(func(t *testing.T, text, link, code, num string) {
		c, err := numfmt.Parse(code)
		n, ok := report.Number(num)
		if !safeurl.Link(link) || !utf8.ValidString(link) || err != nil || !ok || c.Kind() == numfmt.KindDateTime && c.HasDate() || strings.ContainsFunc(code, func(r rune) bool { return r < 0x20 }) {
			return
		}
		cols := []report.Column{{Caption: "L"}, {Caption: "N", Type: report.TypeNumber, Format: c}}
		doc := report.New("", report.NewTable("", cols, report.RowsOf(report.Cells(report.String(text).WithLink(link), n))))
		out := renderDoc(t, &html.Renderer{}, doc)
		root := parse(t, out)
		checkMarkup(t, root)
		as := find(root, atom.A)
		if len(as) != 1 {
			t.Fatalf("%d <a>", len(as))
		}
		if href, _ := attr(as[0], "href"); href != link {
			t.Fatalf("href %q, want %q", href, link)
		}
		if got := innerText(as[0]); got != visible(text) {
			t.Fatalf("link text %q, want %q", got, visible(text))
		}
		tds := find(root, atom.Td)
		want, _ := c.Format(num, nil)
		if got := innerText(tds[1]); got != visible(want) {
			t.Fatalf("number %q, want %q", got, visible(want))
		}
		if v, _ := attr(tds[1], "data-value"); v != num {
			t.Fatalf("data-value %q, want %q", v, num)
		}
	})
}

// FuzzPage checks that no header, footer or title makes markup or ends the
// stylesheet: the page has one <style>, no element the renderer does not
// write, and the header line, filled, as its text.
func FuzzPage(f *testing.F) {
	f.Add("T", "{title} </style><script>x()</script>", "Page {page} of {pages}")
	f.Add("\"\\'", "{{ }} \\\" \u2028 é 東京", "")
	f.Fuzz(func(t *testing.T, title, header, footer string) {
		h, err := report.ParsePageText(header)
		if err != nil {
			return
		}
		ft, err := report.ParsePageText(footer)
		if err != nil {
			return
		}
		doc := report.New(title)
		if err := doc.SetPage(&report.Page{Header: h, Footer: ft}); err != nil {
			t.Fatal(err)
		}
		out := renderDoc(t, &html.Renderer{}, doc)
		n := parse(t, out)
		checkMarkup(t, n)
		framed := len(h.Parts())+len(ft.Parts()) > 0
		if s := find(n, atom.Style); len(s) != 1 || framed && !strings.HasSuffix(s[0].FirstChild.Data, "display: none; } }\n") {
			t.Fatalf("the stylesheet was cut short:\n%s", out)
		}
		if len(h.Parts()) > 0 {
			hs := find(n, atom.Header)
			if len(hs) != 1 {
				t.Fatalf("%d headers", len(hs))
			}
			if got, want := textOf(hs[0]), visible(h.Fill(title, "1", "1")); strings.TrimSpace(got) != strings.TrimSpace(want) && utf8.ValidString(title) {
				t.Errorf("header text %q, want %q", got, want)
			}
		}
	})
}
