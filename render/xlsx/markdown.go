package xlsx

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/foliorender/folio/report"
)

var md = goldmark.New()

// paragraphText returns the text a paragraph shows: its runs joined, with
// the inline Markdown of Markdown runs turned into the text it displays (a
// link shows its text; raw HTML is dropped).
func paragraphText(p *report.Paragraph) string {
	var b strings.Builder
	for _, r := range p.Runs {
		if !r.Markdown {
			b.WriteString(r.Text)
			continue
		}
		markdownText(&b, r.Text)
	}
	return b.String()
}

func markdownText(b *strings.Builder, src string) {
	source := []byte(src)
	doc := md.Parser().Parse(text.NewReader(source))
	first := true
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Kind() == ast.KindParagraph || n.Type() == ast.TypeBlock && n.Kind() != ast.KindDocument {
			if entering && !first {
				b.WriteByte('\n')
			}
			first = false
			if n.Kind() == ast.KindCodeBlock || n.Kind() == ast.KindFencedCodeBlock {
				if entering {
					lines := n.Lines()
					for i := 0; i < lines.Len(); i++ {
						seg := lines.At(i)
						b.Write(seg.Value(source))
					}
				}
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			b.Write(n.Segment.Value(source))
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte('\n')
			}
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.URL(source))
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}
