package html_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/foliorender/folio/internal/golden"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/render/rendertest"
	"github.com/foliorender/folio/report"
)

func TestSuite(t *testing.T) {
	for _, fragment := range []bool{false, true} {
		t.Run(fmt.Sprintf("Fragment=%v", fragment), func(t *testing.T) {
			c := rendertest.Config{
				New:   func() rendertest.Renderer { return &html.Renderer{Fragment: fragment} },
				Links: links,
				Text: func(t *testing.T, out []byte) string {
					if !utf8.Valid(out) {
						t.Errorf("output is not valid UTF-8")
					}
					if fragment {
						var b strings.Builder
						for _, n := range parseFragment(t, out) {
							checkMarkup(t, n)
							b.WriteString(textOf(n))
						}
						return b.String()
					}
					n := parse(t, out)
					checkMarkup(t, n)
					return textOf(n)
				},
			}
			rendertest.Run(t, c)
		})
	}
}

// links returns the targets of an output's <a> elements.
func links(t *testing.T, out []byte) []string {
	var hrefs []string
	for _, a := range find(parse(t, out), atom.A) {
		href, _ := attr(a, "href")
		hrefs = append(hrefs, href)
	}
	return hrefs
}

// TestFormats shows every case of numfmttest.Cases in a cell.
func TestFormats(t *testing.T) {
	rendertest.Formats(t, rendertest.Config{
		New:  func() rendertest.Renderer { return &html.Renderer{} },
		Text: func(t *testing.T, out []byte) string { return textOf(parse(t, out)) },
	}, nil)
}

// TestNumbers checks the markup of formatted cells, footers and links, and
// the page's language from the document's locale.
func TestNumbers(t *testing.T) {
	out := renderDoc(t, &html.Renderer{}, report.Read(strings.NewReader(rendertest.NumbersDocument)))
	golden.Check(t, "numbers.html", out)
	n := parse(t, out)
	checkMarkup(t, n)
	if lang, _ := attr(find(n, atom.Html)[0], "lang"); lang != "de-DE" {
		t.Errorf("lang %q, want the locale de-DE", lang)
	}
	tables := find(n, atom.Table)
	if len(tables) != 2 {
		t.Fatalf("%d tables", len(tables))
	}
	var cells []string
	for _, td := range find(find(tables[0], atom.Tbody)[0], atom.Td) {
		v, _ := attr(td, "data-value")
		cells = append(cells, innerText(td)+"|"+v)
	}
	want := []string{
		"A-1|", "1.234,50 €|1234.5", "12,5%|0.125", "5. März 2024|",
		"B 2|", "-0,75 €|-0.75", "50,0%|0.5", "|",
		"C|", "1.000.000,00 €|1000000", "33,3%|0.3333", "31. Dezember 2023|",
	}
	if !slices.Equal(cells, want) {
		t.Errorf("cells %q\nwant %q", cells, want)
	}
	if times := find(tables[0], atom.Time); len(times) != 2 {
		t.Errorf("%d <time>", len(times))
	} else if dt, _ := attr(times[0], "datetime"); dt != "2024-03-05" {
		t.Errorf("<time datetime=%q>", dt)
	}
	as := find(tables[0], atom.A)
	if len(as) != 3 || innerText(as[1]) != "B 2" {
		t.Fatalf("links %v", as)
	}
	for _, a := range as {
		if rel, _ := attr(a, "rel"); rel != "noopener noreferrer" {
			t.Errorf("rel %q", rel)
		}
	}
	// The footers: the row of totals after the rows, the producer's footer.
	for i, want := range [][]string{{"Total", "1.001.233,75 €", "31,9%", "2"}, {"Grand total", "98.765,432 kg"}} {
		foot := find(tables[i], atom.Tfoot)
		if len(foot) != 1 {
			t.Fatalf("table %d: %d <tfoot>", i, len(foot))
		}
		var got []string
		for _, td := range find(foot[0], atom.Td) {
			got = append(got, innerText(td))
		}
		if !slices.Equal(got, want) {
			t.Errorf("table %d footer %q, want %q", i, got, want)
		}
		if next := foot[0].PrevSibling; next == nil || next.PrevSibling == nil {
			t.Errorf("table %d: <tfoot> is not after the body", i)
		}
	}
	if a := find(find(tables[1], atom.Tfoot)[0], atom.A); len(a) != 1 {
		t.Errorf("the footer's link: %d <a>", len(a))
	}
	// The option wins over the locale; a fragment without either has no lang.
	out = renderDoc(t, &html.Renderer{Lang: "fr-CH"}, report.Read(strings.NewReader(rendertest.NumbersDocument)))
	if lang, _ := attr(find(parse(t, out), atom.Html)[0], "lang"); lang != "fr-CH" {
		t.Errorf("lang %q, want fr-CH", lang)
	}
	out = renderDoc(t, &html.Renderer{Fragment: true}, report.New(""))
	if strings.Contains(string(out), "lang=") {
		t.Errorf("a fragment without a locale has a lang: %s", out)
	}
}

// TestDir: a language written right to left, by its script subtag or the
// likely script of the language, adds dir="rtl"; others have no dir.
func TestDir(t *testing.T) {
	for _, c := range []struct {
		lang     string
		fragment bool
		want     string
	}{
		{"ar-EG", false, "rtl"}, {"he", false, "rtl"}, {"fa-IR", false, "rtl"}, {"ur", true, "rtl"},
		{"az-Arab", false, "rtl"}, {"dv", false, "rtl"}, {"yi", false, "rtl"},
		{"en", false, ""}, {"de-CH", false, ""}, {"az", false, ""}, {"ku-Latn", false, ""},
		{"sr-Cyrl", false, ""}, {"ja", false, ""}, {"x-bogus-tag-that-is-long", false, ""}, {"", true, ""},
	} {
		out := renderDoc(t, &html.Renderer{Lang: c.lang, Fragment: c.fragment}, report.New(""))
		el := atom.Html
		if c.fragment {
			el = atom.Div
		}
		n := find(parse(t, out), el)[0]
		if dir, _ := attr(n, "dir"); dir != c.want {
			t.Errorf("lang %q: dir %q, want %q", c.lang, dir, c.want)
		}
	}
	// From the document's locale.
	doc := report.New("تقرير")
	if err := doc.SetLocale("ar-EG"); err != nil {
		t.Fatal(err)
	}
	if out := renderDoc(t, &html.Renderer{}, doc); !strings.Contains(string(out), `<html lang="ar-EG" dir="rtl">`) {
		t.Errorf("an Arabic document's page: %.200s", out)
	}
}

func TestSeed(t *testing.T) {
	out := renderDoc(t, &html.Renderer{}, readDoc(t, "../../testdata/seed.json"))
	golden.Check(t, "seed.html", out)
	if !bytes.HasPrefix(out, []byte("<!DOCTYPE html>\n")) {
		t.Errorf("output does not start with the HTML5 doctype")
	}
	doc := parse(t, out)
	checkMarkup(t, doc)

	metas := find(doc, atom.Meta)
	var charset, viewport bool
	for _, m := range metas {
		if v, _ := attr(m, "charset"); v == "utf-8" {
			charset = true
		}
		if v, _ := attr(m, "name"); v == "viewport" {
			viewport = true
		}
	}
	if !charset || !viewport {
		t.Errorf("head lacks charset (%v) or viewport (%v) meta", charset, viewport)
	}
	if titles := find(doc, atom.Title); len(titles) != 1 || textOf(titles[0]) != "Table of Data" {
		t.Errorf("title elements %d, want one saying %q (the first caption, for a document without title)", len(titles), "Table of Data")
	}
	if styles := find(doc, atom.Style); len(styles) != 1 || styles[0].FirstChild == nil ||
		!strings.Contains(styles[0].FirstChild.Data, "@media print") || !strings.Contains(styles[0].FirstChild.Data, "prefers-color-scheme: dark") {
		t.Errorf("want one <style> with a print and a dark style")
	}
	if n := len(find(doc, atom.H1)); n != 0 {
		t.Errorf("a document without title has %d <h1>", n)
	}

	tables := find(doc, atom.Table)
	if len(tables) != 1 {
		t.Fatalf("%d tables, want 1", len(tables))
	}
	tab := tables[0]
	if c := find(tab, atom.Caption); len(c) != 1 || textOf(c[0]) != "Table of Data\n" {
		t.Errorf("caption: %d, want one saying Table of Data", len(c))
	}
	wrap := tab.Parent
	if cls, _ := attr(wrap, "class"); cls != "table" {
		t.Errorf("table is inside <%s class=%q>, want the scrolling div", wrap.Data, cls)
	}
	if l, _ := attr(wrap, "aria-label"); l != "Table of Data" {
		t.Errorf("scrolling region label %q", l)
	}
	var heads []string
	for _, th := range find(tab, atom.Th) {
		if th.Parent.Parent.DataAtom != atom.Thead {
			t.Errorf("<th> outside <thead>")
		}
		if s, _ := attr(th, "scope"); s != "col" {
			t.Errorf("<th> has scope %q", s)
		}
		heads = append(heads, textOf(th))
	}
	if want := []string{"Asset\n", "Event Type\n", "Workpack\n"}; !slices.Equal(heads, want) {
		t.Errorf("header cells %q, want %q", heads, want)
	}
	var rows [][]string
	for _, tb := range find(tab, atom.Tbody) {
		for _, tr := range find(tb, atom.Tr) {
			var cells []string
			for _, td := range find(tr, atom.Td) {
				cells = append(cells, strings.TrimSuffix(textOf(td), "\n"))
			}
			rows = append(rows, cells)
		}
	}
	want := [][]string{{"Test Asset", "GVI", "Workpack A"}, {"Test Asset", "GVI", "Workpack B"}}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	ps := find(doc, atom.P)
	if len(ps) != 1 || textOf(ps[0]) != "Report generated in 00:00:01\n" {
		t.Errorf("paragraphs: want one saying Report generated in 00:00:01")
	}
}

func TestFragment(t *testing.T) {
	out := renderDoc(t, &html.Renderer{Fragment: true, Lang: "en"}, readDoc(t, "../../testdata/seed.json"))
	golden.Check(t, "seed-fragment.html", out)
	z := xhtml.NewTokenizer(bytes.NewReader(out))
	for tt := z.Next(); tt != xhtml.ErrorToken; tt = z.Next() {
		switch tt {
		case xhtml.DoctypeToken:
			t.Errorf("fragment has a doctype")
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			switch tok := z.Token(); tok.DataAtom {
			case atom.Html, atom.Head, atom.Body, atom.Title, atom.Style, atom.Meta:
				t.Errorf("fragment has a <%s>", tok.Data)
			}
		}
	}
	if z.Err() != io.EOF {
		t.Fatal(z.Err())
	}
	ns := parseFragment(t, out)
	if len(ns) < 1 || ns[0].DataAtom != atom.Div {
		t.Fatalf("fragment does not start with a div")
	}
	if cls, _ := attr(ns[0], "class"); cls != "folio" {
		t.Errorf("fragment div class %q, want folio", cls)
	}
	if lang, _ := attr(ns[0], "lang"); lang != "en" {
		t.Errorf("fragment div lang %q, want en", lang)
	}
	if n := len(find(ns[0], atom.Td)); n != 6 {
		t.Errorf("fragment has %d cells, want 6", n)
	}
}

// TestTypes checks column types and alignment: numbers are marked and
// right-aligned, Align overrides, dates are <time> elements.
func TestTypes(t *testing.T) {
	cols := []report.Column{
		{Caption: "Name"},
		{Caption: "Amount", Type: report.TypeNumber},
		{Caption: "Centered", Type: report.TypeNumber, Align: report.AlignCenter},
		{Caption: "Any"},
		{Caption: "Day", Type: report.TypeDate},
		{Caption: "At", Type: report.TypeDateTime, Align: report.AlignRight},
		{Caption: "Done", Type: report.TypeBoolean},
		{Caption: " "},
	}
	d := func(s string) report.Value { return report.String(s) }
	doc := report.New("Typed & titled",
		&report.Heading{Text: "Section <1>", Level: 2},
		report.NewTable("", cols, report.RowsOf(
			report.Cells(d("a"), report.Int(-12), report.Float(0.5), report.Int(3), d("2024-02-29"), d("2024-02-29T10:30:00+01:00"), report.Bool(true), report.Null),
			report.Cells(d("b\nc"), report.Null, report.Int(1e6), d("text"), report.Null, report.Null, report.Bool(false), d("z")),
		)),
		&report.Paragraph{Runs: []report.Run{{Text: "one\ntwo\r\nthree "}, {Text: "**bold** `x<y`", Markdown: true}}},
	)
	out := renderDoc(t, &html.Renderer{Lang: "de-CH"}, doc)
	golden.Check(t, "types.html", out)
	n := parse(t, out)
	checkMarkup(t, n)
	if lang, _ := attr(find(n, atom.Html)[0], "lang"); lang != "de-CH" {
		t.Errorf("html lang %q", lang)
	}
	if h := find(n, atom.H1); len(h) != 1 || textOf(h[0]) != "Typed & titled\n" {
		t.Errorf("want one <h1> with the title")
	}
	if h := find(n, atom.H2); len(h) != 1 || textOf(h[0]) != "Section <1>\n" {
		t.Errorf("want one <h2> with the heading")
	}
	if c := find(n, atom.Caption); len(c) != 0 {
		t.Errorf("a table without caption has a <caption>")
	}
	if l, _ := attr(find(n, atom.Table)[0].Parent, "aria-label"); l != "Table 1" {
		t.Errorf("region label of a table without caption %q, want Table 1", l)
	}
	class := func(n *xhtml.Node) string { c, _ := attr(n, "class"); return c }
	var thClass []string
	for _, th := range find(n, atom.Th) {
		thClass = append(thClass, class(th))
	}
	if want := []string{"", "num", "num center", "", "", "right", "", ""}; !slices.Equal(thClass, want) {
		t.Errorf("header classes %q, want %q", thClass, want)
	}
	ths := find(n, atom.Th)
	if l, _ := attr(ths[7], "aria-label"); l != "Column 8" {
		t.Errorf("a column without caption has the header label %q, want Column 8", l)
	}
	if _, ok := attr(ths[0], "aria-label"); ok {
		t.Errorf("a column with a caption has a header label")
	}
	trs := find(find(n, atom.Tbody)[0], atom.Tr)
	var tdClass [][]string
	for _, tr := range trs {
		var cs []string
		for _, td := range find(tr, atom.Td) {
			cs = append(cs, class(td))
		}
		tdClass = append(tdClass, cs)
	}
	want := [][]string{
		{"", "num", "num center", "num", "", "right", "", ""},
		{"", "num", "num center", "", "", "right", "", ""},
	}
	if !slices.EqualFunc(tdClass, want, slices.Equal) {
		t.Errorf("cell classes %q, want %q", tdClass, want)
	}
	times := find(n, atom.Time)
	var dts []string
	for _, tm := range times {
		v, _ := attr(tm, "datetime")
		dts = append(dts, v+"="+textOf(tm))
	}
	if want := []string{"2024-02-29=2024-02-29", "2024-02-29T10:30:00+01:00=2024-02-29T10:30:00+01:00"}; !slices.Equal(dts, want) {
		t.Errorf("time elements %q, want %q", dts, want)
	}
	p := find(n, atom.P)[0]
	if got, want := textOf(p), "one\ntwo\nthree bold x<y\n"; got != want {
		t.Errorf("paragraph text %q, want %q", got, want)
	}
	if len(find(p, atom.Br)) != 2 || len(find(p, atom.Strong)) != 1 || len(find(p, atom.Code)) != 1 {
		t.Errorf("paragraph lacks its line breaks or Markdown elements")
	}
}

// hostile lists the data of testdata/hostile.json that must show as text.
var hostile = []string{
	"</title><script>alert(1)</script><title>",
	"<h1 onclick=alert(1)>heading</h1><script>alert(1)</script>",
	"</caption><script>alert(1)</script><!-- caption -->",
	"\"><svg onload=alert(1)>",
	"<img src=x onerror=alert(1)>",
	"</th></tr></thead><script>alert(1)</script>",
	"<script>alert(1)</script>",
	"' onmouseover='alert(1)",
	"</td></tr></tbody></table><script>alert(1)</script>",
	"</table><img src=x onerror=alert(1)>",
	"<!-- comment -->",
	"--><script>alert(1)</script>",
	"</style><script>alert(1)</script>",
	"<![CDATA[<script>alert(1)</script>]]>",
	"&lt;script&gt;alert(1)&lt;/script&gt;",
	"<iframe src=\"javascript:alert(1)\"></iframe>",
	"<b onclick=alert(1)>bold?</b>",
	// Markdown runs: the links that are refused keep their text
	"javascript link", "upper case", "vbscript link", "data link", "entity link",
	"javascript:alert(1)", "image alt", "<script>alert(1)</script> <img src=x onerror=alert(1)>",
	"emphasis", "a safe link",
}

func TestHostile(t *testing.T) {
	for _, fragment := range []bool{false, true} {
		t.Run(fmt.Sprintf("Fragment=%v", fragment), func(t *testing.T) {
			out := renderDoc(t, &html.Renderer{Fragment: fragment}, readDoc(t, "testdata/hostile.json"))
			var roots []*xhtml.Node
			if fragment {
				roots = parseFragment(t, out)
			} else {
				golden.Check(t, "hostile.html", out)
				roots = []*xhtml.Node{parse(t, out)}
				title := find(roots[0], atom.Title)
				if len(title) != 1 || textOf(title[0]) != hostile[0] {
					t.Errorf("<title> does not hold the title as text")
				}
			}
			var text strings.Builder
			for _, n := range roots {
				checkMarkup(t, n)
				text.WriteString(textOf(n))
			}
			for _, s := range hostile {
				if !strings.Contains(text.String(), s) {
					t.Errorf("output text lacks %q", s)
				}
			}
			var links []string
			for _, n := range roots {
				for _, a := range find(n, atom.A) {
					href, _ := attr(a, "href")
					links = append(links, textOf(a)+" -> "+href)
				}
			}
			if want := []string{"a safe link -> https://example.com/?a=1&b=2"}; !slices.Equal(links, want) {
				t.Errorf("links %q, want %q", links, want)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{" *spaced* ", " <em>spaced</em> "},
		{"*em* **strong** `a<b`", "<em>em</em> <strong>strong</strong> <code>a&lt;b</code>"},
		{"[x](https://example.com/a?b=1&c=2)", `<a href="https://example.com/a?b=1&amp;c=2">x</a>`},
		{`[x](/relative "Title")`, `<a href="/relative" title="Title">x</a>`},
		{"[x](#frag)", `<a href="#frag">x</a>`},
		{"[mail](mailto:a@example.com)", `<a href="mailto:a@example.com">mail</a>`},
		{"<https://example.com>", `<a href="https://example.com">https://example.com</a>`},
		{"<a@example.com>", `<a href="mailto:a@example.com">a@example.com</a>`},
		{"[x](javascript:alert(1))", "x"},
		{"[x](JAVASCRIPT:alert(1))", "x"},
		{"[x]( javascript:alert(1))", "x"},
		{"[x](java&#9;script:alert(1))", "x"},
		{"[x](<java\tscript:alert(1)>)", "x"},
		{"[x](vbscript:msgbox)", "x"},
		{"[x](data:text/html,<script>alert(1)</script>)", "x"},
		{"[x](data:image/png;base64,AAAA)", "x"},
		{"[x](file:///etc/passwd)", "x"},
		{"<javascript:alert(1)>", "javascript:alert(1)"},
		{"![alt *text*](https://example.com/x.png)", "alt <em>text</em>"},
		{"<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"},
		{"<!-- c -->", "&lt;!-- c --&gt;"},
		{"# not a heading", "# not a heading"},
		{"- not a list", "- not a list"},
		{"one\n\ntwo", "one<br>two"},
		// Indented lines after a blank line would be code blocks, which
		// folio does not parse: they stay as text.
		{"alpha\n\n\tbravo\n\n    charlie delta", "alpha<br>bravo<br>charlie delta"},
		{"a\n\n        *b*\n  \t  c", "a<br><em>b</em>\nc"},
		{"a  \nb", "a<br>\nb"},
		{"&lt;x&gt; &amp;", "&lt;x&gt; &amp;"},
		{"bad \xff utf-8 \x00 nul", "bad \uFFFD utf-8 \uFFFD nul"},
	} {
		doc := report.New("", &report.Paragraph{Runs: []report.Run{{Text: c.in, Markdown: true}}})
		out := string(renderDoc(t, &html.Renderer{Fragment: true}, doc))
		got := strings.TrimSuffix(strings.TrimPrefix(out, "<div class=\"folio\">\n<p dir=\"auto\">"), "</p>\n</div>\n")
		if got != c.want {
			t.Errorf("Markdown %q\n got %q\nwant %q", c.in, got, c.want)
		}
		for _, n := range parseFragment(t, []byte(out)) {
			checkMarkup(t, n)
		}
	}
}

// TestInvalidText checks that invalid UTF-8, controls and noncharacters from
// Go callers are replaced wherever text goes.
func TestInvalidText(t *testing.T) {
	bad := "a\xffb\x00c\x01d\u0085e\uFFFEf\x7fg\xed\xa0\x80h"
	want := "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFD\uFFFD\uFFFDh"
	doc := report.New(bad, &report.Heading{Text: bad, Level: 9},
		report.NewTable(bad, []report.Column{{Caption: bad}}, report.RowsOf(report.Cells(report.String(bad)))),
		&report.Paragraph{Runs: []report.Run{{Text: bad}}})
	out := renderDoc(t, &html.Renderer{Lang: "\"><script>"}, doc)
	if !utf8.Valid(out) {
		t.Fatalf("output is not valid UTF-8")
	}
	n := parse(t, out)
	checkMarkup(t, n)
	if lang, _ := attr(find(n, atom.Html)[0], "lang"); lang != "en" {
		t.Errorf("lang %q: an invalid language tag was written, or the default was not", lang)
	}
	for _, a := range []atom.Atom{atom.Title, atom.H1, atom.H6, atom.Caption, atom.Th, atom.Td, atom.P} {
		els := find(n, a)
		if len(els) != 1 {
			t.Errorf("%d <%s>, want 1", len(els), a)
			continue
		}
		if got := innerText(els[0]); got != want {
			t.Errorf("<%s> text %q, want %q", a, got, want)
		}
	}
}

func TestRegistered(t *testing.T) {
	f, err := render.Lookup("html")
	if err != nil {
		t.Fatal(err)
	}
	if f.MediaType != "text/html; charset=utf-8" || f.Ext != ".html" {
		t.Errorf("registered as %q %q", f.MediaType, f.Ext)
	}
	r, err := build(f, render.Options{"fragment": "true", "lang": "fr", "landscape": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	if h, ok := r.(*html.Renderer); !ok || !h.Fragment || h.Lang != "fr" || !h.Landscape {
		t.Errorf("options fragment=true lang=fr landscape=yes gave %#v", r)
	}
	r, err = build(f, nil)
	if h, ok := r.(*html.Renderer); err != nil || !ok || *h != (html.Renderer{}) {
		t.Errorf("no options gave %#v, %v; want the zero Renderer", r, err)
	}
	for _, opts := range []render.Options{{"fragment": "maybe"}, {"landscape": "2"}, {"lang": "en_US"}, {"lang": "x\"y"}, {"colour": "red"}} {
		var oe *render.OptionError
		if _, err := build(f, opts); !errors.As(err, &oe) {
			t.Errorf("New(%v) = %v, want an *OptionError", opts, err)
		}
	}
}

// TestStreaming checks that rows reach the writer while later rows have
// not been pulled yet, and that allocations do not grow with the rows.
func TestStreaming(t *testing.T) {
	w := &countWriter{}
	const n = 100000
	var writtenAtHalf int
	rows := func(yield func(report.Row, error) bool) {
		for i := range n {
			if i == n/2 {
				writtenAtHalf = w.n
			}
			if !yield(report.Cells(report.String("cell text"), report.Int(int64(i))), nil) {
				return
			}
		}
	}
	doc := report.New("", report.NewTable("T", []report.Column{{Caption: "A"}, {Caption: "B", Type: report.TypeNumber}}, rows))
	if err := (&html.Renderer{}).Render(context.Background(), w, doc); err != nil {
		t.Fatal(err)
	}
	if writtenAtHalf < w.n/3 {
		t.Errorf("%d of %d bytes written when half the rows were pulled", writtenAtHalf, w.n)
	}
	allocs := func(rows int) float64 {
		row := report.Cells(report.String("cell <text>"), report.Int(42))
		return testing.AllocsPerRun(5, func() {
			doc := report.New("", report.NewTable("T", []report.Column{{Caption: "A"}, {Caption: "B", Type: report.TypeNumber}},
				func(yield func(report.Row, error) bool) {
					for range rows {
						if !yield(row, nil) {
							return
						}
					}
				}))
			if err := (&html.Renderer{}).Render(context.Background(), io.Discard, doc); err != nil {
				t.Fatal(err)
			}
		})
	}
	if small, big := allocs(100), allocs(20000); big > small+10 {
		t.Errorf("allocations grow with rows: %v for 100 rows, %v for 20000", small, big)
	}
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestCSP checks that the Content-Security-Policy allows the embedded
// stylesheet by its hash, with and without Landscape, and nothing else.
func TestCSP(t *testing.T) {
	for _, landscape := range []bool{false, true} {
		n := parse(t, renderDoc(t, &html.Renderer{Landscape: landscape}, readDoc(t, "../../testdata/seed.json")))
		var policy string
		for _, m := range find(n, atom.Meta) {
			if v, _ := attr(m, "http-equiv"); v == "Content-Security-Policy" {
				policy, _ = attr(m, "content")
			}
		}
		style := find(n, atom.Style)[0].FirstChild.Data
		sum := sha256.Sum256([]byte(style))
		want := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
		if policy != want {
			t.Errorf("Landscape=%v: policy %q, want %q", landscape, policy, want)
		}
		if got := strings.Contains(style, "size: landscape"); got != landscape {
			t.Errorf("Landscape=%v: stylesheet sets landscape pages: %v", landscape, got)
		}
	}
}

// TestPageTitle checks the <title> of a standalone document: the document
// title, else the heading or caption of the first element, else "Report".
// The page is streamed, so elements after the first are not looked at.
func TestPageTitle(t *testing.T) {
	para := &report.Paragraph{Runs: []report.Run{{Text: "intro"}}}
	heading := &report.Heading{Text: "Sales 2026", Level: 2}
	table := func(caption string) *report.Table {
		return report.NewTable(caption, []report.Column{{Caption: "A"}}, report.RowsOf(report.Cells(report.String("a"))))
	}
	for _, c := range []struct {
		name string
		doc  *report.Document
		want string
	}{
		{"title", report.New("Annual", heading, table("Orders")), "Annual"},
		{"blank title, heading first", report.New(" ", heading, table("Orders")), "Sales 2026"},
		{"caption first", report.New("", table("Orders"), heading), "Orders"},
		{"blank caption first", report.New("", table(""), heading), "Report"},
		{"paragraph first", report.New("", para, heading, table("Orders")), "Report"},
		{"empty", report.New(""), "Report"},
	} {
		t.Run(c.name, func(t *testing.T) {
			titles := find(parse(t, renderDoc(t, &html.Renderer{}, c.doc)), atom.Title)
			if len(titles) != 1 {
				t.Fatalf("%d <title>, want 1", len(titles))
			}
			if got := textOf(titles[0]); got != c.want {
				t.Errorf("<title> reads %q, want %q", got, c.want)
			}
		})
	}
}

// TestKinds checks key figures are a description list, values formatted
// and linked as cells, and elements with a page break carry its class.
func TestKinds(t *testing.T) {
	out := renderDoc(t, &html.Renderer{}, report.Read(strings.NewReader(rendertest.KindsDocument)))
	golden.Check(t, "kinds.html", out)
	n := parse(t, out)
	checkMarkup(t, n)
	var got []string
	for _, d := range find(n, atom.Dl) {
		for _, e := range append(find(d, atom.Dt), find(d, atom.Dd)...) {
			got = append(got, textOf(e))
		}
	}
	want := []string{"Kinds label", "Kinds number", "Kinds link", "Kinds flag", "Kinds none", "kinds value", "1,234.50", "kinds linked", "true", ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dl holds %q, want %q", got, want)
	}
	breaks := 0
	for d := range n.Descendants() {
		if c, _ := attr(d, "class"); slices.Contains(strings.Fields(c), "break") {
			breaks++
		}
	}
	if breaks != 2 {
		t.Errorf("%d elements with a page break, want 2", breaks)
	}
	if !strings.Contains(html.CSS(), ".folio .break { break-before: page; }") {
		t.Error("the stylesheet has no page break rule")
	}
}

// TestLinkTemplates checks the href of cells linked by a column's template
// against the expanded template, parsed back, for templates with
// characters HTML escapes, several {value}s and non-ASCII text, and for
// values of every kind; a cell's own link wins over the template.
func TestLinkTemplates(t *testing.T) {
	templates := []string{
		"https://erp.example/items/{value}",
		"https://erp.example/q?a=1&b={value}&c='{value}'",
		`https://straße.example/ü/{value}?x="<>"`,
		"mailto:someone@example.com?subject={value}",
		"https://erp.example/static",
	}
	values := []report.Value{report.Int(-42), report.Float(1.5e-7), report.Float(1.5e21), report.String("a b&c/ü"), report.Bool(true), report.Null,
		report.String("x").WithLink("https://own.example/?a=1&b=2")}
	for _, tmpl := range templates {
		cols := []report.Column{{Caption: "T", Link: tmpl}}
		var rows []report.Row
		for _, v := range values {
			rows = append(rows, report.Cells(v))
		}
		out := renderDoc(t, &html.Renderer{}, report.New("", report.NewTable("", cols, report.RowsOf(rows...))))
		got := links(t, out)
		var want []string
		for _, v := range values {
			switch {
			case v.Link() != "":
				want = append(want, v.Link())
			case !v.IsNull():
				want = append(want, string(safeurl.Expand(nil, tmpl, v.Bytes())))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", tmpl, got, want)
		}
	}
}

// build is f.NewRenderer without its Safe wrapper, to look at the
// renderer's fields.
func build(f render.Format, o render.Options) (render.Renderer, error) {
	r, err := f.ReadOptions(o)
	if err != nil {
		return nil, err
	}
	return f.New(r)
}
