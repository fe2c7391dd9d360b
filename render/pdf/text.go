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
	join   bool   // continues the word before it: no line break between them
	color  string // fill operator for the text
}

// inline is paragraph text being collected from runs. It is broken into
// lines as it comes and each line is drawn as soon as it is complete, so a
// long paragraph holds one line of pieces, not all of them, and stops at
// the page limit: text is shaped in chunks of at most chunkBytes, and
// pieces point into their chunk's shaped text.
type inline struct {
	d             *docWriter
	set           *fontSet
	bad           int
	err           error // from drawing a line; nothing more is drawn after it
	size, leading float64
	maxEm         int64   // line width in 1/1000 em
	line          []piece // the line being filled
	width         int64   // of line
	lines         int     // lines drawn
	lastWord      bool    // the last piece put was a word
	x             float64 // the left edge of the lines
	dry           bool    // lines are counted, not drawn
}

// chunkBytes is how much text is shaped at a time.
const chunkBytes = 16 << 10

// inline starts a paragraph at type size and line height leading, in the
// body width of the current page (starting one if there is none). Text
// goes in with add and addMarkdown, and close draws the last line.
func (d *docWriter) inline(size, leading float64) (*inline, error) {
	if err := d.c.ensure(d.landscape()); err != nil {
		return nil, err
	}
	return &inline{d: d, set: d.c.fonts, size: size, leading: leading, maxEm: int64(d.c.width() * 1000 / size), x: d.c.left()}, nil
}

// inlineAt starts text like inline in a column of width w at x. With dry
// set, lines are only counted (in lines), not drawn.
func (d *docWriter) inlineAt(size, leading, x, w float64, dry bool) (*inline, error) {
	in, err := d.inline(size, leading)
	if err != nil {
		return nil, err
	}
	in.x, in.maxEm, in.dry = x, int64(w*1000/size), dry
	return in, nil
}

// add appends text in style st, split into words and spaces, and where
// the face changes.
func (in *inline) add(st style, s []byte, link string) {
	for first := true; len(s) > 0 && in.err == nil; first = false {
		n := cut(s, chunkBytes)
		in.addChunk(st, s[:n], link, !first)
		s = s[n:]
	}
}

// cut returns where to end the next chunk of s, at most max bytes (unless
// s is shorter, and max > utf8.UTFMax): before the last word that starts
// in them, or else at a character boundary.
func cut(s []byte, max int) int {
	if len(s) <= max {
		return len(s)
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for i := max; i > 0; i-- {
		if isSpace(s[i-1]) && !isSpace(s[i]) {
			return i
		}
	}
	// A character starts at most utf8.UTFMax-1 bytes before max, unless
	// these are stray continuation bytes, each shaped on its own.
	for i := max; i > max-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) && !(s[i-1] == '\r' && s[i] == '\n') {
			return i
		}
	}
	return max
}

// addChunk adds the pieces of s; cont is set for the chunks of one text
// after the first, whose first word may continue the last one.
func (in *inline) addChunk(st style, s []byte, link string, cont bool) {
	var sh shaped
	sh.runes, sh.widths, sh.faces = in.set.chains[st].shape(s, nil, nil, nil, &in.bad)
	rs, ws, fs := sh.runes, sh.widths, sh.faces
	color := "0 g"
	if link != "" {
		color = "0.1 0.3 0.7 rg"
	}
	for i := 0; i < len(rs) && in.err == nil; {
		j := i
		switch rs[i] {
		case '\n':
			in.put(piece{brk: true})
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
		p.join = cont && i == 0 && !p.space && in.lastWord
		for _, w := range p.widths {
			p.em += int64(w)
		}
		in.put(p)
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

// put adds p to the line being filled, drawing the line first if p does
// not fit on it. A word longer than a line is broken between characters.
func (in *inline) put(p piece) {
	in.lastWord = !p.space && !p.brk
	switch {
	case in.err != nil:
		return
	case p.brk:
		in.endLine()
		return
	case p.space:
		if len(in.line) == 0 { // no spaces at the start of a line
			return
		}
		in.line = append(in.line, p)
		in.width += p.em
		return
	}
	maxEm := in.maxEm
	if in.width+p.em > maxEm && len(in.line) > 0 && (!p.join || in.width+int64(p.widths[0]) > maxEm) {
		in.endLine()
	}
	for in.err == nil && in.width+p.em > maxEm && len(p.runes) > 1 {
		var em int64
		k := 0
		for k < len(p.runes) && ((k == 0 && len(in.line) == 0) || in.width+em+int64(p.widths[k]) <= maxEm) {
			em += int64(p.widths[k])
			k++
		}
		if k == len(p.runes) {
			break
		}
		if k > 0 {
			head := p
			head.runes, head.widths, head.faces, head.em = p.runes[:k], p.widths[:k], p.faces[:k], em
			in.line = append(in.line, head)
		}
		in.endLine()
		p.runes, p.widths, p.faces, p.em = p.runes[k:], p.widths[k:], p.faces[k:], p.em-em
	}
	in.line = append(in.line, p)
	in.width += p.em
}

// close draws the last line: a paragraph takes at least one line. It
// returns the first error drawing.
func (in *inline) close() error {
	if len(in.line) > 0 || in.lines == 0 {
		in.endLine()
	}
	return in.err
}

// endLine draws the line being filled, without its trailing spaces, below
// the last one, breaking the page if it does not fit, and starts another.
func (in *inline) endLine() {
	if in.err != nil {
		return
	}
	line := in.line
	for len(line) > 0 && line[len(line)-1].space {
		line = line[:len(line)-1]
	}
	if !in.dry {
		in.err = in.d.drawLine(line, in.size, in.leading, in.x)
	}
	in.lines++
	if in.err == nil && in.lines%1000 == 0 {
		in.err = in.d.ctx.Err()
	}
	clear(in.line) // let the chunks of drawn text go
	in.line, in.width = in.line[:0], 0
}

// drawLine draws pieces as one line of a paragraph, on a new page unless
// it fits on this one. Pieces without a link go out as one text run, with
// the spaces between them, like a line of a table cell; a word with a link
// is drawn on its own, underlined, with its annotation.
func (d *docWriter) drawLine(line []piece, size, leading, x float64) error {
	c := d.c
	if err := c.need(leading, d.landscape()); err != nil {
		return err
	}
	base := c.y + (leading-size)/2 + size*0.8
	for i := 0; i < len(line); {
		p := line[i]
		if p.link == "" {
			lt := &d.lineText
			lt.runes, lt.widths, lt.faces = lt.runes[:0], lt.widths[:0], lt.faces[:0]
			var em int64
			j := i
			for ; j < len(line) && line[j].link == "" && line[j].color == p.color; j++ {
				q := line[j]
				lt.runes, lt.widths, lt.faces = append(lt.runes, q.runes...), append(lt.widths, q.widths...), append(lt.faces, q.faces...)
				em += q.em
			}
			c.setFill(p.color)
			c.runs(lt.faces, lt.widths, size, x, base, lt.runes)
			x += float64(em) * size / 1000
			i = j
			continue
		}
		w := float64(p.em) * size / 1000
		if !p.space {
			c.setFill(p.color)
			c.runs(p.faces, p.widths, size, x, base, p.runes)
			c.rect(x, base+size*0.12, w, size*0.06, p.color)
			c.pdf.LinkString(x, c.y, w, leading, p.link)
		} else if i > 0 && line[i-1].link == p.link && i+1 < len(line) && line[i+1].link == p.link {
			c.rect(x, base+size*0.12, w, size*0.06, p.color)
		}
		x += w
		i++
	}
	c.endText()
	c.used = true
	c.y += leading
	return nil
}
