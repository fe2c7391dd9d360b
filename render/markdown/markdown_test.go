package markdown_test

import (
	"bytes"
	"context"
	"github.com/foliorender/folio/internal/golden"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/render/markdown"
	"github.com/foliorender/folio/render/rendertest"
	"github.com/foliorender/folio/report"
)

func render(t *testing.T, doc *report.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (&markdown.Renderer{}).Render(context.Background(), &buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// page is a Markdown output read back: converted to HTML by goldmark (GFM)
// and parsed.
type page struct {
	root  *html.Node
	cells [][]string // each table row's cell texts, header rows included
	tags  []string   // every element name in the body
}

// allowed are the elements the renderer itself makes; any other element
// came from data.
var allowed = []string{"html", "head", "body", "h1", "h2", "h3", "h4", "h5", "h6", "p", "strong", "em", "code", "a", "br", "table", "thead", "tbody", "tr", "th", "td"}

func read(t *testing.T, md []byte) page {
	t.Helper()
	var out bytes.Buffer
	// Unsafe: raw HTML passes through, so any that escaped the renderer
	// shows up as an element.
	gm := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := gm.Convert(md, &out); err != nil {
		t.Fatal(err)
	}
	root, err := html.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	p := page{root: root}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			p.tags = append(p.tags, n.Data)
			if n.Data == "tr" {
				var row []string
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode {
						row = append(row, text(c))
					}
				}
				p.cells = append(p.cells, row)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return p
}

// text returns a node's text, with <br> as a newline.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.Data == "br":
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func TestSeed(t *testing.T) {
	f, err := os.Open("../../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := render(t, report.Read(f))
	golden.Check(t, "seed.md", out)
	p := read(t, out)
	want := [][]string{{"Asset", "Event Type", "Workpack"}, {"Test Asset", "GVI", "Workpack A"}, {"Test Asset", "GVI", "Workpack B"}}
	if !slices.EqualFunc(p.cells, want, slices.Equal) {
		t.Errorf("table cells %q, want %q", p.cells, want)
	}
	body := text(p.root)
	for _, s := range []string{"Table of Data", "Report generated in 00:00:01"} {
		if !strings.Contains(body, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

var hostile = []string{
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"a | b | c",
	`back\slash\`,
	"*not emphasis* _nor this_ **nor** `code`",
	"[link](javascript:alert(1)) ![img](x.png)",
	"<!-- comment -->",
	"# not a heading",
	"- not a list",
	"1. not a list",
	"> not a quote",
	"line one\nline two",
	"&amp; &lt;entity&gt; &#x41;",
	"~~strike~~ $math$",
	"http://example.com www.example.com",
	"---",
	"    four spaces",
	"```",
	"trailing #",
	"<https://example.com>",
}

func TestHostileCells(t *testing.T) {
	cols := make([]report.Column, len(hostile))
	cells := make([]report.Value, len(hostile))
	for i, s := range hostile {
		cols[i] = report.Column{Caption: s}
		cells[i] = report.String(s)
	}
	doc := report.New(hostile[0], report.NewTable(hostile[1], cols, report.RowsOf(report.Cells(cells...))))
	out := render(t, doc)
	golden.Check(t, "hostile.md", out)
	p := read(t, out)
	if len(p.cells) != 2 {
		t.Fatalf("got %d table rows, want 2:\n%s", len(p.cells), out)
	}
	for r := range 2 {
		for i, s := range hostile {
			if got := p.cells[r][i]; got != expected(s) {
				t.Errorf("row %d cell %d = %q, want %q", r, i, got, s)
			}
		}
	}
	for _, tag := range p.tags {
		if !slices.Contains(allowed, tag) || tag == "a" || tag == "em" || tag == "code" {
			t.Errorf("data became a <%s> element", tag)
		}
	}
}

func TestHostileParagraphs(t *testing.T) {
	var els []report.Element
	for _, s := range hostile {
		els = append(els, &report.Paragraph{Runs: []report.Run{{Text: s}}}, &report.Heading{Text: s, Level: 2})
	}
	out := render(t, report.New("", els...))
	p := read(t, out)
	for _, tag := range p.tags {
		if !slices.Contains([]string{"html", "head", "body", "p", "h2", "br"}, tag) {
			t.Errorf("data became a <%s> element", tag)
		}
	}
	body := text(p.root)
	for _, s := range hostile {
		for _, w := range strings.Fields(s) {
			if !strings.Contains(body, w) {
				t.Errorf("text %q lost from %q", w, s)
			}
		}
	}
}

func TestMarkdownRuns(t *testing.T) {
	doc := report.New("", &report.Paragraph{Runs: []report.Run{
		{Text: "Total: "},
		{Text: "**42** items, see [the guide](https://example.com/guide) and `a<b`; <b>raw</b> &copy;", Markdown: true},
	}})
	out := render(t, doc)
	p := read(t, out)
	want := []string{"html", "head", "body", "p", "strong", "a", "code"}
	if !slices.Equal(p.tags, want) {
		t.Errorf("elements %v, want %v\n%s", p.tags, want, out)
	}
	if got := text(p.root); !strings.Contains(got, "<b>raw</b> &copy;") || !strings.Contains(got, "a<b") {
		t.Errorf("raw HTML or code lost: %q", got)
	}
}

func TestAlignment(t *testing.T) {
	doc := report.New("", report.NewTable("", []report.Column{{Caption: "N", Type: report.TypeNumber}, {Caption: "C", Align: report.AlignCenter}, {Caption: "L"}},
		report.RowsOf(report.Cells(report.Int(-5), report.String("x"), report.Null))))
	out := string(render(t, doc))
	if !strings.Contains(out, "| ---: | :---: | --- |") {
		t.Errorf("alignment row missing:\n%s", out)
	}
}

func TestSuite(t *testing.T) {
	c := rendertest.Config{
		New: func() rendertest.Renderer { return &markdown.Renderer{} },
		Text: func(t *testing.T, out []byte) string {
			return text(read(t, out).root)
		},
		Links:  links,
		NoPage: true,
	}
	rendertest.Run(t, c)
}

// links returns the targets of the links goldmark reads in out.
func links(t *testing.T, out []byte) []string {
	var hrefs []string
	for n := range read(t, out).root.Descendants() {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					hrefs = append(hrefs, a.Val)
				}
			}
		}
	}
	return hrefs
}

// TestFormats shows every case of numfmttest.Cases in a cell. Pipe tables
// trim a cell's spaces, so padding (" $1,234.50 ") is not compared.
func TestFormats(t *testing.T) {
	rendertest.Formats(t, rendertest.Config{
		New:  func() rendertest.Renderer { return &markdown.Renderer{} },
		Text: func(t *testing.T, out []byte) string { return text(read(t, out).root) },
	}, strings.TrimSpace)
}

// TestNumbers reads formatted cells, links and the bold footer back.
func TestNumbers(t *testing.T) {
	out := render(t, report.Read(strings.NewReader(rendertest.NumbersDocument)))
	golden.Check(t, "numbers.md", out)
	p := read(t, out)
	want := [][]string{
		{"Order", "Amount", "Share", "Due"},
		{"A-1", "1.234,50 €", "12,5%", "5. März 2024"},
		{"B 2", "-0,75 €", "50,0%", ""},
		{"C", "1.000.000,00 €", "33,3%", "31. Dezember 2023"},
		{"Total", "1.001.233,75 €", "31,9%", "2"},
		{"Item", "Weight"},
		{"Bolts", "12,500 kg"},
		{"Grand total", "98.765,432 kg"},
	}
	if len(p.cells) != len(want) {
		t.Fatalf("cells %q", p.cells)
	}
	for i := range want {
		if !slices.Equal(p.cells[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i, p.cells[i], want[i])
		}
	}
	// The footer rows are bold, cell by cell; the others are not.
	strong := 0
	for n := range p.root.Descendants() {
		if n.Type == html.ElementNode && n.Data == "strong" && n.Parent.Data == "td" {
			strong++
		}
	}
	if strong != 6 {
		t.Errorf("%d bold cells, want the 6 non-empty cells of the footers", strong)
	}
	for _, tag := range p.tags {
		if !slices.Contains(allowed, tag) {
			t.Errorf("output holds <%s>", tag)
		}
	}
}

// TestLinkDestinations checks URLs holding Markdown punctuation come back
// whole, and that a link's text stays text.
func TestLinkDestinations(t *testing.T) {
	urls := []string{
		"https://x.example/a_(b)*c*|d&copy;e<f>[g]`h`\\i",
		"https://x.example/%5B?q=a%20b#frag",
		"mailto:a+b@example.com?subject=Hi%20there&body=x",
		"https://straße.example/ü",
	}
	var rows []report.Row
	for _, u := range urls {
		rows = append(rows, report.Cells(report.String("*t* [x](y) | z").WithLink(u)))
	}
	out := render(t, report.New("", report.NewTable("", []report.Column{{Caption: "A"}}, report.RowsOf(rows...))))
	// goldmark percent-encodes what it writes to href: compare decoded.
	got := links(t, out)
	if len(got) != len(urls) {
		t.Fatalf("links %q\n%s", got, out)
	}
	for i := range urls {
		g, err1 := url.PathUnescape(got[i])
		w, err2 := url.PathUnescape(urls[i])
		if err1 != nil || err2 != nil || g != w {
			t.Errorf("link %d: %q, want %q", i, got[i], urls[i])
		}
	}
	for _, row := range read(t, out).cells[1:] {
		if row[0] != "*t* [x](y) | z" {
			t.Errorf("link text %q", row[0])
		}
	}
}

// FuzzCells renders fuzzed text as a caption, a header and a cell, and
// requires goldmark to read back a table whose cells hold exactly that text
// and no element made from it.
func FuzzCells(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		doc := report.New("", report.NewTable(s, []report.Column{{Caption: s}, {Caption: "x"}}, report.RowsOf(report.Cells(report.String(s), report.Int(1)))))
		out := render(t, doc)
		p := read(t, out)
		want := expected(s)
		if len(p.cells) != 2 || len(p.cells[1]) != 2 || p.cells[1][0] != want || p.cells[0][0] != want {
			t.Fatalf("cells %q, want %q in the first column\n%s", p.cells, want, out)
		}
		for _, tag := range p.tags {
			if !slices.Contains([]string{"html", "head", "body", "p", "strong", "br", "table", "thead", "tbody", "tr", "th", "td"}, tag) {
				t.Fatalf("data became a <%s> element\n%s", tag, out)
			}
		}
	})
}

// expected is the text a cell holding s shows: control characters become
// U+FFFD, tabs spaces, CR LF and CR line breaks, NUL U+FFFD (as CommonMark
// does), and leading and trailing spaces go, as in every GFM table cell.
func expected(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteRune(' ')
		case r == '\n':
			b.WriteRune('\n')
		case r < 0x20 || r == 0x7f || r == 0:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), " ")
}

// runElements renders one Markdown run as a paragraph and returns the
// elements goldmark makes of the output, and the output.
func runElements(t *testing.T, run string) ([]string, []byte) {
	t.Helper()
	out := render(t, report.New("", &report.Paragraph{Runs: []report.Run{{Text: run, Markdown: true}}}))
	p := read(t, out)
	return p.tags[3:], out // past html, head, body
}

func TestMarkdownRunSyntax(t *testing.T) {
	tests := []struct {
		run  string
		want []string // elements after html, head, body
	}{
		{"x ` <img src=x onerror=alert(1)> ``", []string{"p"}},
		{"x \\`<img src=x onerror=alert(1)>`", []string{"p"}},
		{"`a` <script>alert(1)</script> ``b``", []string{"p", "code", "code"}},
		{"**bold** start", []string{"p", "strong"}},
		{"`code` start", []string{"p", "code"}},
		{"*em* and _em_", []string{"p", "em", "em"}},
		{"# not a heading", []string{"p"}},
		{"- not a list", []string{"p"}},
		{"* not a list", []string{"p"}},
		{"1. not a list", []string{"p"}},
		{"12) not a list", []string{"p"}},
		{"> not a quote", []string{"p"}},
		{"---", []string{"p"}},
		{"***", []string{"p"}},
		{"```", []string{"p"}},
		{"line\n===", []string{"p", "br"}},
		{"line\n---", []string{"p", "br"}},
		{"a\x00b", []string{"p"}},
		{"[ok](https://example.com/a) and [rel](b.html)", []string{"p", "a", "a"}},
		{"[x](javascript:alert(1)) and [ok](https://example.com)", []string{"p"}},
		{"[x](JavaScript:alert(1))", []string{"p"}},
		{"![i](data:image/png;base64,AAAA)", []string{"p"}},
		{"[x][r]\n\n[r]: vbscript:msgbox", []string{"p", "br", "br"}},
	}
	for _, tt := range tests {
		got, out := runElements(t, tt.run)
		if !slices.Equal(got, tt.want) {
			t.Errorf("run %q: elements %v, want %v\n%s", tt.run, got, tt.want, out)
		}
		if bytes.ContainsRune(out, 0) {
			t.Errorf("run %q: NUL in the output", tt.run)
		}
	}
}

// FuzzMarkdownRuns requires that a Markdown run, whatever it holds, makes
// only inline Markdown elements and no raw HTML.
func FuzzMarkdownRuns(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("x ` <img src=x onerror=alert(1)> ``")
	f.Add("**a** `b` [c](https://d) ![e](f) <b>g</b> &amp;")
	f.Add("[x](javascript:alert(1)) [y]( java\tscript:1) <javascript:alert(1)>")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > report.MaxMarkdown {
			return
		}
		got, out := runElements(t, s)
		for _, tag := range got {
			if !slices.Contains([]string{"p", "strong", "em", "code", "a", "img", "del", "br"}, tag) {
				t.Fatalf("run %q made a <%s> element\n%s", s, tag, out)
			}
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			for _, a := range n.Attr {
				if (a.Key == "href" || a.Key == "src") && !safeurl.Safe([]byte(a.Val)) {
					t.Fatalf("run %q made a link to %q\n%s", s, a.Val, out)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(read(t, out).root)
	})
}

// TestLinkAcrossRuns checks a link that only forms when runs are joined is
// held to the same rule as one inside a run.
func TestLinkAcrossRuns(t *testing.T) {
	for _, runs := range [][]report.Run{
		{{Text: "[x](", Markdown: true}, {Text: "javascript:alert(1))"}},
		{{Text: "[x]", Markdown: true}, {Text: "(javascript:alert(1))", Markdown: true}},
	} {
		out := render(t, report.New("", &report.Paragraph{Runs: runs}))
		p := read(t, out)
		if slices.Contains(p.tags, "a") {
			t.Errorf("runs %+v made a link:\n%s", runs, out)
		}
		if got := text(p.root); !strings.Contains(got, "javascript:alert(1)") {
			t.Errorf("runs %+v lost text: %q", runs, got)
		}
	}
}

// FuzzLinks renders a linked cell with fuzzed text and URL, and requires
// goldmark to read back one link to that URL around that text, and no
// element made from either.
func FuzzLinks(f *testing.F) {
	f.Add("Order 42", "https://erp.example/orders/42")
	f.Add("*t* [x](y)", "https://x.example/a_(b)*c*|d&copy;e<f>[g]`h`\\i")
	f.Add("a|b", "mailto:x@y?a=1&b=2")
	f.Fuzz(func(t *testing.T, s, u string) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		if !safeurl.Link(u) || !utf8.ValidString(u) || strings.TrimSpace(s) == "" {
			return
		}
		doc := report.New("", report.NewTable("", []report.Column{{Caption: "A"}}, report.RowsOf(report.Cells(report.String(s).WithLink(u)))))
		out := render(t, doc)
		p := read(t, out)
		got := links(t, out)
		if len(got) != 1 {
			t.Fatalf("links %q\n%s", got, out)
		}
		g, err1 := url.PathUnescape(got[0])
		w, err2 := url.PathUnescape(u)
		if err1 == nil && err2 == nil && g != w {
			t.Fatalf("link %q, want %q\n%s", got[0], u, out)
		}
		if want := expected(s); len(p.cells) != 2 || p.cells[1][0] != want {
			t.Fatalf("cells %q, want %q\n%s", p.cells, want, out)
		}
		for _, tag := range p.tags {
			if !slices.Contains(allowed, tag) {
				t.Fatalf("output holds <%s>\n%s", tag, out)
			}
		}
	})
}

// TestKinds reads key figures back as a two-column table, values
// formatted as cells, and finds nothing of the page member: Markdown has
// no pages and shows no logo.
func TestKinds(t *testing.T) {
	out := render(t, report.Read(strings.NewReader(rendertest.KindsDocument)))
	golden.Check(t, "kinds.md", out)
	for _, s := range []string{"Kinds header", "Kinds page footer", "data:", "iVBOR"} {
		if strings.Contains(string(out), s) {
			t.Errorf("output holds %q of the page member", s)
		}
	}
	p := read(t, out)
	want := [][]string{
		{"", ""},
		{"Kinds label", "kinds value"},
		{"Kinds number", "1,234.50"},
		{"Kinds link", "kinds linked"},
		{"Kinds flag", "true"},
		{"Kinds none", ""},
	}
	var got [][]string
	for i, row := range p.cells {
		if len(row) > 0 && row[0] == "" {
			got = p.cells[i:]
			break
		}
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("key figures read back as %q, want %q", got, want)
	}
}

// templateAgainstOwn renders numbers in a column with link template tmpl
// and format code, and the same cells each with the expanded link as its
// own: a template's links are written from its pieces, escaped once, and
// a cell's own link is escaped whole, and the two must agree byte for
// byte.
func templateAgainstOwn(t *testing.T, tmpl, code, locale string, values []string) {
	t.Helper()
	var templated, own []report.Row
	for _, s := range values {
		v, ok := report.Number(s)
		if !ok {
			t.Fatalf("%q is not a number", s)
		}
		templated = append(templated, report.Cells(v))
		own = append(own, report.Cells(v.WithLink(string(safeurl.Expand(nil, tmpl, []byte(s))))))
	}
	col := report.Column{Caption: "N", Type: report.TypeNumber}
	if code != "" {
		f, err := numfmt.Parse(code)
		if err != nil {
			t.Fatal(err)
		}
		col.Format = f
	}
	doc := func(link string, rows []report.Row) *report.Document {
		c := col
		c.Link = link
		d := report.New("", report.NewTable("", []report.Column{c}, report.RowsOf(rows...)))
		d.SetLocale(locale)
		return d
	}
	a, b := render(t, doc(tmpl, templated)), render(t, doc("", own))
	if !bytes.Equal(a, b) {
		t.Fatalf("template %q, code %q: with the template\n%s\nwith each cell's own link\n%s", tmpl, code, a, b)
	}
	if got := links(t, a); len(got) != len(values) {
		t.Fatalf("links %q\n%s", got, a)
	}
	// Each cell reads back as its formatted text: what Markdown would
	// read as syntax in it was escaped.
	loc, err := numfmt.ParseLocale(locale)
	if err != nil {
		t.Fatal(err)
	}
	cells := read(t, a).cells
	for i, row := range templated {
		want := strings.TrimSpace(string(col.AppendText(nil, row.Cells[0], loc)))
		if got := cells[i+1][0]; got != want {
			t.Errorf("code %q, value %s: cell %q, want %q\n%s", code, values[i], got, want, a)
		}
	}
	p := read(t, a)
	for _, tag := range p.tags {
		if !slices.Contains(allowed, tag) {
			t.Errorf("code %q: output holds <%s>\n%s", code, tag, a)
		}
	}
}

// TestTemplateLinks checks templates whose literal text Markdown escapes,
// values percent-encoding changes (an exponent's "+") and formats whose
// text inline escapes (clean or not) against cells with their own links.
func TestTemplateLinks(t *testing.T) {
	values := []string{"0", "-177", "78442.80", "1.5e+3", "7E-2", "-0", "123456789012345678"}
	for _, c := range []struct{ tmpl, code, locale string }{
		{"https://erp.example/items/{value}", "#,##0", "de-DE"},
		{"https://erp.example/amounts?v={value}", `"€ "#,##0.00;("€ "#,##0.00)`, "de-DE"},
		{"https://e.x/a_(b)&c={value}&d=[{value}]*`|<>\\", "#,##0.00", "en"},
		{"mailto:x{value}@e.x", `"*www."0`, "fr-CH"},
		{"https://e.x/{value}", `0.0 "http://"`, "en"},
		{"https://e.x/n/{value}", "", "en"},
		{"https://e.x/fixed", "0", "en"},
		{"https://e.x/{value}", `"**"0"**"`, "en"},
		{"https://e.x/{value}", `"<i>"0" \"`, "en"},
		{"https://e.x/{value}", `"[x](y) "0`, "de-DE"},
	} {
		templateAgainstOwn(t, c.tmpl, c.code, c.locale, values)
	}
}

// FuzzTemplateLinks is TestTemplateLinks with fuzzed literal text around
// the value, and a fuzzed number.
func FuzzTemplateLinks(f *testing.F) {
	f.Add("items/", "?x=(1)&y", "-110423")
	f.Add("a_b*", "", "1.5e+3")
	f.Fuzz(func(t *testing.T, before, after, num string) {
		tmpl := "https://erp.example/" + before + "{value}" + after
		if _, ok := report.Number(num); !ok || !safeurl.Template(tmpl) || !utf8.ValidString(tmpl) {
			return
		}
		templateAgainstOwn(t, tmpl, "#,##0.00", "de-DE", []string{num})
	})
}
