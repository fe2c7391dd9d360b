package xlsx

import (
	"strings"

	"github.com/xuri/excelize/v2"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/foliorender/folio/report"
)

var md = goldmark.New()

// A span is a piece of paragraph text with its emphasis.
type span struct {
	text               string
	bold, italic, code bool
}

func (s span) plain() bool { return !s.bold && !s.italic && !s.code }

// paragraphSpans returns the text a paragraph shows, in spans: plain runs
// as they are, Markdown runs as the text they display with their strong
// (bold), emphasis (italic) and code spans. A link shows its text; raw
// HTML is dropped.
func paragraphSpans(p *report.Paragraph) []span {
	var spans []span
	for _, r := range p.Runs {
		if !r.IsMarkdown() {
			spans = append(spans, span{text: r.Text})
			continue
		}
		spans = markdownSpans(spans, r.Text)
	}
	return spans
}

func markdownSpans(spans []span, src string) []span {
	source := []byte(src)
	doc := md.Parser().Parse(text.NewReader(source))
	var cur span
	add := func(s string) {
		if s == "" {
			return
		}
		c := cur
		c.text = s
		if n := len(spans); n > 0 && spans[n-1].bold == c.bold && spans[n-1].italic == c.italic && spans[n-1].code == c.code {
			spans[n-1].text += s
			return
		}
		spans = append(spans, c)
	}
	first := true
	bold, italic, code := 0, 0, 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Type() == ast.TypeBlock && n.Kind() != ast.KindDocument {
			if entering && !first {
				add("\n")
			}
			first = false
			switch n.Kind() {
			case ast.KindCodeBlock, ast.KindFencedCodeBlock:
				if entering {
					lines := n.Lines()
					for i := 0; i < lines.Len(); i++ {
						seg := lines.At(i)
						add(string(seg.Value(source)))
					}
				}
				return ast.WalkSkipChildren, nil
			case ast.KindHTMLBlock:
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		}
		d := 1
		if !entering {
			d = -1
		}
		switch n := n.(type) {
		case *ast.Emphasis:
			if n.Level >= 2 {
				bold += d
			} else {
				italic += d
			}
		case *ast.CodeSpan:
			code += d
		case *ast.Text:
			if entering {
				cur = span{bold: bold > 0, italic: italic > 0, code: code > 0}
				add(string(n.Segment.Value(source)))
				if n.SoftLineBreak() || n.HardLineBreak() {
					add("\n")
				}
			}
		case *ast.String:
			if entering {
				cur = span{bold: bold > 0, italic: italic > 0, code: code > 0}
				add(string(n.Value))
			}
		case *ast.AutoLink:
			if entering {
				cur = span{bold: bold > 0, italic: italic > 0, code: code > 0}
				add(string(n.URL(source)))
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return spans
}

// paragraphText returns the text a paragraph shows.
func paragraphText(p *report.Paragraph) string {
	var b strings.Builder
	for _, s := range paragraphSpans(p) {
		b.WriteString(s.text)
	}
	return b.String()
}

// paragraphLines returns the lines of a paragraph, at least one, each as
// its spans.
func paragraphLines(p *report.Paragraph) [][]span {
	lines := [][]span{nil}
	for _, s := range paragraphSpans(p) {
		for {
			i := strings.IndexByte(s.text, '\n')
			if i < 0 {
				break
			}
			head := s
			head.text = strings.TrimSuffix(s.text[:i], "\r")
			last := len(lines) - 1
			if head.text != "" {
				lines[last] = append(lines[last], head)
			}
			lines = append(lines, nil)
			s.text = s.text[i+1:]
		}
		if s.text != "" {
			lines[len(lines)-1] = append(lines[len(lines)-1], s)
		}
	}
	return lines
}

// richRuns returns the cell value of a line of spans: plain text when no
// span has emphasis, else rich text runs.
func richRuns(line []span) any {
	var b strings.Builder
	plain := true
	for _, s := range line {
		b.WriteString(s.text)
		plain = plain && s.plain()
	}
	all := b.String()
	if clean, changed := cellText(all); changed {
		if plain || utf16Len(clean) != utf16Len(all) || strings.HasSuffix(clean, TruncatedMarker) {
			return clean // cut to the cell limit: plain text
		}
	}
	if plain {
		return all
	}
	runs := make([]excelize.RichTextRun, len(line))
	for i, s := range line {
		t := s.text
		if c, changed := cellText(t); changed {
			t = c
		}
		f := &excelize.Font{Family: fontFamily, Size: 11, Bold: s.bold, Italic: s.italic}
		if s.code {
			f.Family = codeFamily
		}
		runs[i] = excelize.RichTextRun{Text: t, Font: f}
	}
	return runs
}

// codeFamily is the font of Markdown code spans.
const codeFamily = "Consolas"
