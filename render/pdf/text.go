package pdf

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// A span is one line of wrapped text: runes [start, end) of its text and
// their width in 1/1000 em, trailing spaces excluded.
type span struct {
	start, end int32
	em         int64
}

// wrap breaks runes, whose advances are widths, into lines of at most maxEm
// (1/1000 em), appending them to lines. It breaks after spaces and at line
// feeds; a word longer than a line is broken between characters, so no
// line is ever wider than maxEm unless one character is.
func wrap(runes []rune, widths []int16, maxEm int64, lines []span) []span {
	start, lastSpace := 0, -1
	var width int64
	line := func(end int) span {
		e := end
		for e > start && runes[e-1] == ' ' {
			e--
		}
		var em int64
		for _, w := range widths[start:e] {
			em += int64(w)
		}
		return span{int32(start), int32(e), em}
	}
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if r == '\n' {
			lines = append(lines, line(i))
			start, width, lastSpace = i+1, 0, -1
			continue
		}
		w := int64(widths[i])
		if r == ' ' {
			lastSpace = i
			width += w
			continue
		}
		if width+w > maxEm && i > start {
			if lastSpace >= start && hasText(runes[start:lastSpace]) {
				lines = append(lines, line(lastSpace))
				start = lastSpace + 1
				lastSpace = -1
				width = 0
				for _, w := range widths[start:i] {
					width += int64(w)
				}
				i-- // look at rune i again on the new line
				continue
			}
			lines = append(lines, line(i))
			start, width, lastSpace = i, 0, -1
		}
		width += w
	}
	return append(lines, line(len(runes)))
}

func hasText(rs []rune) bool {
	for _, r := range rs {
		if r != ' ' {
			return true
		}
	}
	return false
}

// A piece is a run of paragraph text in one style: a word, the spaces
// between words, or a line break.
type piece struct {
	faces  []*face
	runes  []rune
	widths []int16
	em     int64 // total width
	link   string
	space  bool
	brk    bool
	color  string // fill operator for the text
}

// inline is paragraph text being collected from runs.
type inline struct {
	set    *fontSet
	pieces []piece
	bad    int
}

// add appends text in style st, split into words and spaces, and where
// the face changes.
func (in *inline) add(st style, s []byte, link string) {
	var sh shaped
	sh.runes, sh.widths, sh.faces = in.set.chains[st].shape(s, nil, nil, nil, &in.bad)
	rs, ws, fs := sh.runes, sh.widths, sh.faces
	color := "0 g"
	if link != "" {
		color = "0.1 0.3 0.7 rg"
	}
	for i := 0; i < len(rs); {
		j := i
		switch rs[i] {
		case '\n':
			in.pieces = append(in.pieces, piece{brk: true})
			i++
			continue
		case ' ':
			for j < len(rs) && rs[j] == ' ' && fs[j] == fs[i] {
				j++
			}
		default:
			for j < len(rs) && rs[j] != ' ' && rs[j] != '\n' {
				j++
			}
		}
		p := piece{runes: rs[i:j], widths: ws[i:j], faces: fs[i:j], link: link, space: rs[i] == ' ', color: color}
		for _, w := range p.widths {
			p.em += int64(w)
		}
		in.pieces = append(in.pieces, p)
		i = j
	}
}

var markdown = goldmark.New()

// addMarkdown appends inline Markdown: emphasis, strong emphasis, code
// spans and links keep their style; other markup shows as its text, and raw
// HTML as the characters it is written with.
func (in *inline) addMarkdown(src string) {
	source := []byte(src)
	root := markdown.Parser().Parse(text.NewReader(source))
	var walk func(n ast.Node, st style, link string)
	walk = func(n ast.Node, st style, link string) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				v := c.Segment.Value(source)
				if !c.IsRaw() {
					v = unescape(v)
				}
				in.add(st, v, link)
				if c.HardLineBreak() {
					in.add(st, []byte("\n"), "")
				} else if c.SoftLineBreak() {
					in.add(st, []byte(" "), "")
				}
			case *ast.String:
				v := c.Value
				if !c.IsRaw() {
					v = unescape(v)
				}
				in.add(st, v, link)
			case *ast.Emphasis:
				next := italic
				if c.Level >= 2 {
					next = bold
				}
				if (next == bold && st == italic) || (next == italic && st == bold) || st == boldItalic {
					next = boldItalic
				}
				if st == mono {
					next = mono
				}
				walk(c, next, link)
			case *ast.CodeSpan:
				walk(c, mono, link)
			case *ast.Link:
				walk(c, st, safeURL(string(c.Destination)))
			case *ast.AutoLink:
				in.add(st, c.Label(source), safeURL(string(c.URL(source))))
			case *ast.RawHTML:
				for i := range c.Segments.Len() {
					seg := c.Segments.At(i)
					in.add(st, seg.Value(source), link)
				}
			case *ast.Image:
				walk(c, st, link)
			default:
				if c.Type() == ast.TypeBlock && c.PreviousSibling() != nil {
					in.add(st, []byte("\n"), "")
				}
				if c.Type() == ast.TypeBlock && c.Kind() != ast.KindParagraph && c.Kind() != ast.KindTextBlock && c.FirstChild() == nil {
					// Blocks without inline children (code blocks, HTML blocks,
					// thematic breaks) show their source lines.
					lines := c.Lines()
					for i := range lines.Len() {
						seg := lines.At(i)
						in.add(st, seg.Value(source), link)
					}
					continue
				}
				walk(c, st, link)
			}
		}
	}
	walk(root, regular, "")
}

// safeURL returns url if it is an http, https or mailto link, and ""
// otherwise: other schemes (javascript:, file:) and relative references
// get no link annotation; their text still shows.
func safeURL(url string) string {
	u := strings.ToLower(url)
	for _, p := range []string{"http://", "https://", "mailto:"} {
		if strings.HasPrefix(u, p) && utf8.ValidString(url) {
			return url
		}
	}
	return ""
}

func unescape(v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 && bytes.IndexByte(v, '&') < 0 {
		return v
	}
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// pline is a line of a paragraph: pieces [start, end) and its width.
type pline struct{ start, end int }

// breakLines wraps pieces into lines no wider than maxW points at size.
func breakLines(pieces []piece, maxW, size float64) ([]piece, []pline) {
	maxEm := int64(maxW * 1000 / size)
	var out []piece
	var lines []pline
	start := 0
	var width int64
	endLine := func() {
		e := len(out)
		for e > start && out[e-1].space {
			e--
		}
		lines = append(lines, pline{start, e})
		start = len(out)
		width = 0
	}
	for _, p := range pieces {
		switch {
		case p.brk:
			endLine()
			continue
		case p.space:
			if len(out) == start { // no spaces at the start of a line
				continue
			}
			out = append(out, p)
			width += p.em
			continue
		}
		if width+p.em > maxEm && len(out) > start {
			endLine()
		}
		// A word longer than the line is broken between characters.
		for p.em > maxEm && len(p.runes) > 1 {
			var em int64
			k := 0
			for k < len(p.runes) && (k == 0 || em+int64(p.widths[k]) <= maxEm) {
				em += int64(p.widths[k])
				k++
			}
			if k == len(p.runes) {
				break
			}
			head := p
			head.runes, head.widths, head.faces, head.em = p.runes[:k], p.widths[:k], p.faces[:k], em
			out = append(out, head)
			endLine()
			p.runes, p.widths, p.faces, p.em = p.runes[k:], p.widths[k:], p.faces[k:], p.em-em
		}
		out = append(out, p)
		width += p.em
	}
	if len(out) > start || len(lines) == 0 {
		endLine()
	}
	return out, lines
}

// paragraph draws pieces as wrapped lines in the body width, breaking pages
// between lines.
func (d *docWriter) paragraph(pieces []piece, size, leading float64) error {
	c := d.c
	if err := c.ensure(d.landscape()); err != nil {
		return err
	}
	out, lines := breakLines(pieces, c.width(), size)
	for _, ln := range lines {
		if err := c.need(leading, d.landscape()); err != nil {
			return err
		}
		x := c.left()
		base := c.y + (leading-size)/2 + size*0.8
		for i := ln.start; i < ln.end; i++ {
			p := out[i]
			w := float64(p.em) * size / 1000
			if !p.space {
				c.setFill(p.color)
				c.runs(p.faces, p.widths, size, x, base, p.runes)
				if p.link != "" {
					c.rect(x, base+size*0.12, w, size*0.06, p.color)
					c.pdf.LinkString(x, c.y, w, leading, p.link)
				}
			} else if p.link != "" && i > ln.start && out[i-1].link == p.link && i+1 < ln.end && out[i+1].link == p.link {
				c.rect(x, base+size*0.12, w, size*0.06, p.color)
			}
			x += w
		}
		c.endText()
		c.used = true
		c.y += leading
	}
	return nil
}
