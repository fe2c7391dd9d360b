package html

import (
	"bytes"
	"github.com/foliorender/folio/internal/safeurl"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// markdown converts the inline Markdown of paragraph runs. Only inline
// syntax is parsed (emphasis, strong, code spans, links, autolinks): every
// line is paragraph text, so "# x" or "- x" stay as written. Raw HTML is not
// recognised at all, so "<b>" shows as the text "<b>". Links keep their
// target only for http, https and mailto URLs or relative ones; any other
// scheme (javascript:, vbscript:, data:, file: …) loses the link and keeps
// its text. Images show their alternative text, so a report never loads a
// remote resource.
var markdown = goldmark.New(
	goldmark.WithParser(parser.NewParser(
		parser.WithBlockParsers(util.Prioritized(parser.NewParagraphParser(), 1000)),
		parser.WithInlineParsers(
			util.Prioritized(parser.NewCodeSpanParser(), 100),
			util.Prioritized(parser.NewLinkParser(), 200),
			util.Prioritized(parser.NewAutoLinkParser(), 300),
			util.Prioritized(parser.NewEmphasisParser(), 500),
		),
	)),
	goldmark.WithRenderer(renderer.NewRenderer(renderer.WithNodeRenderers(
		util.Prioritized(gmhtml.NewRenderer(), 1000),
		util.Prioritized(inlineRenderer{}, 100),
	))),
)

// inlineRenderer overrides goldmark's HTML renderer for the nodes whose
// output folio restricts.
type inlineRenderer struct{}

func (inlineRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindDocument, renderNothing)
	reg.Register(ast.KindParagraph, renderParagraph)
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindAutoLink, renderAutoLink)
	reg.Register(ast.KindImage, renderNothing) // its children, the alternative text, render as text
	reg.Register(ast.KindRawHTML, renderRawHTML)
}

func renderNothing(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	return ast.WalkContinue, nil
}

// renderParagraph writes the paragraphs of one run (separated by a blank
// line in the source) as lines of the folio paragraph that holds the run.
func renderParagraph(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering && n.PreviousSibling() != nil {
		w.WriteString("<br>")
	}
	return ast.WalkContinue, nil
}

func renderLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	href := util.URLEscape(n.Destination, true)
	if !safeURL(href) {
		return ast.WalkContinue, nil // the link text stays, as text
	}
	if !entering {
		w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	writeHref(w, href)
	if n.Title != nil {
		w.WriteString(` title="`)
		w.Write(appendEscaped(nil, string(n.Title)))
		w.WriteByte('"')
	}
	w.WriteByte('>')
	return ast.WalkContinue, nil
}

func renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	url, label := n.URL(source), n.Label(source)
	if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(url), []byte("mailto:")) {
		url = append([]byte("mailto:"), url...)
	}
	url = util.URLEscape(url, false)
	if !safeURL(url) {
		w.Write(appendEscaped(nil, string(label)))
		return ast.WalkContinue, nil
	}
	writeHref(w, url)
	w.WriteByte('>')
	w.Write(appendEscaped(nil, string(label)))
	w.WriteString("</a>")
	return ast.WalkContinue, nil
}

// writeHref opens a link to href, a URL that safeURL accepts.
func writeHref(w util.BufWriter, href []byte) {
	w.WriteString(`<a href="`)
	w.Write(appendEscaped(nil, string(href)))
	w.WriteByte('"')
}

// renderRawHTML writes raw HTML as text. The parser folio uses does not
// make RawHTML nodes; this is a second line of defence.
func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := node.(*ast.RawHTML).Segments
		for i := range segs.Len() {
			seg := segs.At(i)
			w.Write(appendEscaped(nil, string(seg.Value(source))))
		}
	}
	return ast.WalkSkipChildren, nil
}

// safeURL reports whether a link may point at dest (see safeurl.Safe).
func safeURL(dest []byte) bool { return safeurl.Safe(dest) }

// appendMarkdown appends the HTML of the inline Markdown src to dst.
// Markdown drops leading and trailing white space, but runs are joined as
// they are, so a space at either end of src is kept.
func appendMarkdown(dst []byte, src string) ([]byte, error) {
	body := strings.TrimSpace(src)
	if body != src && strings.TrimLeftFunc(src, unicode.IsSpace) != src {
		dst = append(dst, ' ')
	}
	var out bytes.Buffer
	if err := markdown.Convert(unindent(clean([]byte(body))), &out); err != nil {
		return dst, err
	}
	dst = append(dst, clean(bytes.TrimRight(out.Bytes(), "\n"))...)
	if body != "" && strings.TrimRightFunc(src, unicode.IsSpace) != src {
		dst = append(dst, ' ')
	}
	return dst, nil
}

// unindent removes the spaces and tabs that start each line of src. A line
// indented by four or more columns after a blank line opens an indented
// code block in Markdown; folio's parser has no code block parser, so
// goldmark would drop such a line. Within a paragraph leading white space
// is dropped anyway, so removing it changes nothing else.
func unindent(src []byte) []byte {
	out := src[:0:0]
	for len(src) > 0 {
		line := bytes.TrimLeft(src, " \t")
		i := bytes.IndexByte(line, '\n')
		if i < 0 {
			i = len(line) - 1
		}
		out = append(out, line[:i+1]...)
		src = line[i+1:]
	}
	return out
}
