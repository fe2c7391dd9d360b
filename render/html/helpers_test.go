package html_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/report"
)

func renderDoc(t testing.TB, r *html.Renderer, doc *report.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, doc); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

func readDoc(t testing.TB, path string) *report.Document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return report.Read(bytes.NewReader(data))
}

// parse parses a standalone document.
func parse(t testing.TB, out []byte) *xhtml.Node {
	t.Helper()
	n, err := xhtml.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return n
}

// parseFragment parses a fragment as the content of a <div>.
func parseFragment(t testing.TB, out []byte) []*xhtml.Node {
	t.Helper()
	ns, err := xhtml.ParseFragment(bytes.NewReader(out), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return ns
}

// find returns the elements under n with tag a, in document order.
func find(n *xhtml.Node, a atom.Atom) []*xhtml.Node {
	var out []*xhtml.Node
	for d := range n.Descendants() {
		if d.Type == xhtml.ElementNode && d.DataAtom == a {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *xhtml.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// textOf returns the text of n as a reader sees it: <br> is a line break,
// block elements and cells end with one.
func textOf(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch n.Type {
		case xhtml.TextNode:
			s := n.Data
			if p := n.PrevSibling; p != nil && p.DataAtom == atom.Br {
				s = strings.TrimPrefix(s, "\n") // a line break in the source after <br> is not seen
			}
			b.WriteString(s)
			return
		case xhtml.ElementNode:
			switch n.DataAtom {
			case atom.Style, atom.Script, atom.Head:
				return
			case atom.Br:
				b.WriteByte('\n')
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == xhtml.ElementNode {
			switch n.DataAtom {
			case atom.P, atom.Td, atom.Th, atom.Tr, atom.Caption, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				b.WriteByte('\n')
			}
		}
	}
	walk(n)
	return b.String()
}

// innerText is textOf for the content of n, without the line break that
// ends a block.
func innerText(n *xhtml.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// allowed lists the elements the renderer writes and the attributes each
// may have. Anything else in the output came from data.
var allowed = map[atom.Atom][]string{
	atom.Html: {"lang", "dir"}, atom.Head: nil, atom.Body: {"class"},
	atom.Meta:  {"charset", "name", "content", "http-equiv"},
	atom.Title: nil, atom.Style: nil, atom.Main: nil,
	atom.Div: {"class", "role", "tabindex", "aria-label", "lang", "dir"},
	atom.H1:  {"class", "dir"}, atom.H2: {"class", "dir"}, atom.H3: {"class", "dir"}, atom.H4: {"class", "dir"}, atom.H5: {"class", "dir"}, atom.H6: {"class", "dir"},
	atom.P: {"class", "dir"}, atom.Br: nil,
	atom.Dl: nil, atom.Dt: {"dir"}, atom.Dd: {"class", "dir", "data-value"}, atom.Em: nil, atom.Strong: nil, atom.Code: nil,
	atom.A:     {"href", "title", "rel"},
	atom.Table: nil, atom.Caption: {"dir"}, atom.Thead: nil, atom.Tbody: nil, atom.Tfoot: nil, atom.Tr: nil,
	atom.Th: {"scope", "class", "aria-label"}, atom.Td: {"class", "data-value"}, atom.Time: {"datetime"},
	atom.Header: {"class"}, atom.Footer: {"class", "dir"}, atom.Span: {"dir"},
	atom.Img: {"class", "src", "alt", "width", "height"},
}

// checkMarkup fails t for any node under n that the renderer does not
// write: an unknown element or attribute, a comment, a link to a scheme
// other than http, https and mailto, an attribute value that is not one the
// renderer writes.
func checkMarkup(t testing.TB, n *xhtml.Node) {
	t.Helper()
	for d := range n.Descendants() {
		switch d.Type {
		case xhtml.CommentNode:
			t.Errorf("output holds a comment %q", d.Data)
		case xhtml.ElementNode:
			keys, ok := allowed[d.DataAtom]
			if !ok || d.Namespace != "" {
				t.Errorf("output holds a <%s> element", d.Data)
				continue
			}
			for _, a := range d.Attr {
				if !slices.Contains(keys, a.Key) || a.Namespace != "" {
					t.Errorf("output holds <%s %s=%q>", d.Data, a.Key, a.Val)
				}
				if err := checkAttr(d, a); err != nil {
					t.Errorf("<%s %s=%q>: %v", d.Data, a.Key, a.Val, err)
				}
			}
		}
	}
}

func checkAttr(n *xhtml.Node, a xhtml.Attribute) error {
	switch a.Key {
	case "href":
		u := strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, a.Val)
		u = strings.TrimLeft(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
		if i := strings.IndexAny(u, ":/?#"); i >= 0 && u[i] == ':' {
			if s := strings.ToLower(u[:i]); s != "http" && s != "https" && s != "mailto" {
				return fmt.Errorf("link scheme %q", s)
			}
		}
	case "class":
		for c := range strings.FieldsSeq(a.Val) {
			if !slices.Contains([]string{"folio", "table", "title", "num", "left", "center", "right", "fields", "caption", "break", "page-header", "page-footer", "logo"}, c) {
				return fmt.Errorf("class %q", c)
			}
		}
	case "src":
		if !strings.HasPrefix(a.Val, "data:image/png;base64,") && !strings.HasPrefix(a.Val, "data:image/jpeg;base64,") {
			return fmt.Errorf("src %.40q is not a data: URL of a PNG or JPEG", a.Val)
		}
	case "width", "height":
		if n, err := strconv.Atoi(a.Val); err != nil || n <= 0 {
			return fmt.Errorf("%s %q", a.Key, a.Val)
		}
	case "rel":
		if a.Val != "noopener noreferrer" {
			return fmt.Errorf("rel %q", a.Val)
		}
	case "data-value":
		if !report.ValidNumber(a.Val) {
			return fmt.Errorf("data-value %q is not a number", a.Val)
		}
	case "dir":
		if a.Val != "auto" {
			return fmt.Errorf("dir %q", a.Val)
		}
	case "scope":
		if a.Val != "col" {
			return fmt.Errorf("scope %q", a.Val)
		}
	case "role":
		if a.Val != "region" {
			return fmt.Errorf("role %q", a.Val)
		}
	case "tabindex":
		if a.Val != "0" {
			return fmt.Errorf("tabindex %q", a.Val)
		}
	case "http-equiv":
		if a.Val != "Content-Security-Policy" {
			return fmt.Errorf("http-equiv %q", a.Val)
		}
	case "content":
		if v, _ := attr(n, "http-equiv"); v != "" && !strings.HasPrefix(a.Val, "default-src 'none'; style-src 'sha256-") {
			return fmt.Errorf("policy %q", a.Val)
		}
	}
	return nil
}

// elements returns the tag names and attributes of the elements under n,
// in document order, one line each: two parses agree on structure when
// their elements are equal.
func elements(n *xhtml.Node) []string {
	var out []string
	for d := range n.Descendants() {
		if d.Type != xhtml.ElementNode {
			continue
		}
		var b strings.Builder
		b.WriteString(d.Data)
		attrs := slices.Clone(d.Attr)
		slices.SortFunc(attrs, func(a, b xhtml.Attribute) int { return strings.Compare(a.Key, b.Key) })
		for _, a := range attrs {
			fmt.Fprintf(&b, " %s=%q", a.Key, a.Val)
		}
		out = append(out, b.String())
	}
	return out
}

// recorder is a testing.TB that records errors instead of failing, to
// check that checkMarkup catches what it must.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckMarkupCatches(t *testing.T) {
	for _, bad := range []string{
		`<p><img src=x onerror=alert(1)></p>`,
		`<p><script>alert(1)</script></p>`,
		`<table><tr><td onclick="alert(1)">x</td></tr></table>`,
		`<p><a href=" JavaScript:alert(1)">x</a></p>`,
		`<p><a href="data:text/html,x">x</a></p>`,
		`<p><!-- comment --></p>`,
		`<p><svg onload=alert(1)></svg></p>`,
		`<table><tr><td class="num evil">x</td></tr></table>`,
		`<div class="table" role="button">x</div>`,
	} {
		r := &recorder{TB: t}
		checkMarkup(r, parse(t, []byte(bad)))
		if len(r.errs) == 0 {
			t.Errorf("checkMarkup passes %s", bad)
		}
	}
	r := &recorder{TB: t}
	checkMarkup(r, parse(t, []byte(`<p><a href="https://example.com/">x</a> <em>e</em></p><table><tr><td class="num right">1</td></tr></table>`)))
	if len(r.errs) != 0 {
		t.Errorf("checkMarkup fails good markup: %q", r.errs)
	}
}
