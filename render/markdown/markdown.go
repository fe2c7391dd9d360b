// Package markdown renders a report as CommonMark with GitHub-flavoured pipe
// tables.
//
// A column with a format shows the formatted text in the document's locale
// (report.Column.AppendText: the text HTML and PDF show), escaped like any
// text; a cell with a link (its own, or its column's template) is
// [text](url), the URL's Markdown punctuation backslash-escaped. A table's
// footer (the producer's, or the row of totals) is its last rows, in bold.
//
// The title is a level-1 heading and headings keep their level. A table's
// caption is a bold line above it; number columns are right-aligned. Data
// never becomes markup: in captions, cells, headings and plain text every
// character that Markdown could read as syntax (\ ` * _ [ ] < > | ~ & # and
// friends) is escaped with a backslash, and line breaks inside a cell become
// <br>. Markdown runs are passed through as Markdown, except that < and &
// outside code spans are escaped so raw HTML in them stays text.
package markdown

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/foliorender/folio/internal/bufpool"
	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/report"
)

// A Renderer writes Markdown. The zero value is ready to use.
type Renderer struct{}

const checkEvery = 4096

// Render writes doc as Markdown to w.
func (r *Renderer) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m := &md{ctx: ctx, w: bufpool.Get(w), loc: doc.Locale()}
	defer bufpool.Put(m.w)
	if t := doc.Title(); t != "" {
		m.w.WriteString("# ")
		m.inline([]byte(t), false)
		m.w.WriteString("\n")
		m.blocks++
	}
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if m.blocks > 0 {
			m.w.WriteByte('\n')
		}
		m.blocks++
		if err := report.Visit(el, m); err != nil {
			return err
		}
		if _, err := m.w.Write(nil); err != nil {
			return err
		}
	}
	return m.w.Flush()
}

type md struct {
	ctx    context.Context
	w      *bufio.Writer
	blocks int
	loc    *numfmt.Locale
	text   []byte   // scratch: a cell's formatted text
	link   []byte   // scratch: a cell's link
	cols   []column // the columns of the table being written
}

// A column is a table column with what its cells need worked out once.
type column struct {
	*report.Column
	// clean is set when the formatted text of every number in the column
	// holds no byte that inline would escape or replace (see report.Column's
	// NumberChars), so that it is written as it is.
	clean bool
	// dest holds, for a valid link template, its pieces around each
	// {value}, escaped as writeDestination escapes a URL: a number's
	// link is then written from them and its text, which percent-encoding
	// leaves as it is (but for an exponent's "+") and which needs no
	// escaping, without being expanded, checked and escaped apart. A valid
	// template gives a valid link whatever the value (safeurl.Expand).
	dest []string
}

// noColumn is the column of a cell past a row's columns.
var noColumn = column{Column: &report.Column{}}

// columns returns the columns of cols, in m.cols.
func (m *md) columns(cols []report.Column) []column {
	m.cols = m.cols[:0]
	for i := range cols {
		c := column{Column: &cols[i]}
		if chars, ok := c.NumberChars(m.loc); ok {
			c.clean = !strings.ContainsFunc(chars, func(r rune) bool {
				// What inline escapes or replaces, and ':' and 'w', which
				// it escapes in some contexts (:// and www.).
				return r < 0x20 || r == 0x7f || strings.ContainsRune("\\`*_[]<>|~&#$@:w", r)
			})
		}
		if c.Link != "" && safeurl.Template(c.Link) {
			for _, p := range strings.Split(c.Link, "{value}") {
				// writeDestination escapes byte by byte: the pieces
				// can be escaped apart.
				var b bytes.Buffer
				bw := bufio.NewWriter(&b)
				writeDestination(bw, []byte(p))
				bw.Flush()
				c.dest = append(c.dest, b.String())
			}
		}
		m.cols = append(m.cols, c)
	}
	return m.cols
}

// Heading writes a heading as an ATX heading.
func (m *md) Heading(h *report.Heading) error {
	m.w.WriteString(strings.Repeat("#", max(1, min(6, h.Level))))
	m.w.WriteByte(' ')
	m.inline([]byte(h.Text), false)
	m.w.WriteByte('\n')
	return nil
}

// Paragraph writes a paragraph.
func (m *md) Paragraph(p *report.Paragraph) error {
	m.paragraph(p)
	return nil
}

// Fields writes key figures as a pipe table of two columns, labels in bold
// and values shown as cells are, under the caption in bold. The header
// row, which a pipe table needs, is empty.
func (m *md) Fields(f *report.Fields) error {
	w := m.w
	if c := strings.TrimSpace(strings.ToValidUTF8(f.Caption, "\uFFFD")); c != "" {
		w.WriteString("**")
		m.inline([]byte(c), true)
		w.WriteString("**\n\n")
	}
	if len(f.Items) == 0 {
		w.WriteString("&nbsp;\n") // a block without items keeps its place
		return nil
	}
	w.WriteString("| | |\n| --- | --- |\n")
	for _, it := range f.Items {
		w.WriteByte('|')
		m.cell(&noColumn, report.String(it.Label), true)
		m.cell(&m.columns([]report.Column{it.Column()})[0], it.Value, false)
		w.WriteByte('\n')
	}
	return nil
}

// Table writes a table as a pipe table.
func (m *md) Table(t *report.Table) error { return m.table(m.ctx, t) }

func (m *md) paragraph(p *report.Paragraph) {
	var b []byte
	mdBytes := 0
	for _, r := range p.Runs {
		b = append(b, r.Text...)
		if r.IsMarkdown() {
			mdBytes += len(r.Text)
		}
	}
	if strings.TrimSpace(string(b)) == "" {
		m.w.WriteString("&nbsp;\n") // an empty paragraph keeps its place
		return
	}
	// Markdown runs are written as Markdown when their links are safe in
	// the paragraph as written (runs are joined, so a link can span them),
	// and their total stays within report.MaxMarkdown, which bounds the
	// parse that checks them.
	if mdBytes > 0 && mdBytes <= report.MaxMarkdown {
		var buf bytes.Buffer
		tmp := &md{w: bufio.NewWriter(&buf)}
		tmp.runs(p, true)
		tmp.w.Flush()
		if safeLinks(buf.Bytes()) {
			m.w.Write(buf.Bytes())
			return
		}
	}
	m.runs(p, false)
}

// runs writes a paragraph's runs and its line end; Markdown runs as
// Markdown if markdown is set, else as plain text.
func (m *md) runs(p *report.Paragraph, markdown bool) {
	start := true
	for _, r := range p.Runs {
		if markdown && r.IsMarkdown() {
			m.markdown(r.Text, &start)
		} else {
			m.plain(r.Text, &start)
		}
	}
	m.w.WriteByte('\n')
}

// plain writes plain paragraph text: line breaks become hard breaks and
// every line is escaped, including block syntax at its start.
func (m *md) plain(s string, start *bool) {
	m.lines(s, start, func(line string, _ bool) { m.inline([]byte(line), false) })
}

// markdown writes a Markdown run with raw HTML and entities neutralised
// outside code spans, control characters replaced, and block syntax at a
// line start escaped, so the run stays inline.
func (m *md) markdown(s string, start *bool) {
	m.lines(strings.ToValidUTF8(s, "\uFFFD"), start, func(line string, first bool) {
		if first {
			if at := blockStart(line); at >= 0 {
				m.w.WriteString(line[:at])
				m.w.WriteByte('\\')
				line = line[at:]
			}
		}
		m.inlineMarkdown(line)
	})
}

// lines writes the lines of paragraph text s with write, joined by hard
// breaks. A line that starts a paragraph line (*start) loses its leading
// white space, is skipped if empty, and is passed with first set.
func (m *md) lines(s string, start *bool, write func(line string, first bool)) {
	for i, line := range splitLines(s) {
		if i > 0 {
			m.w.WriteString("\\\n")
			*start = true
		}
		first := *start
		if first {
			line = strings.TrimLeft(line, " \t")
			if line == "" {
				continue
			}
			*start = false
		}
		write(line, first)
	}
}

// inlineMarkdown writes one line of a Markdown run. Backslash escapes and
// code spans (a backtick run closed by one of the same length) are copied as
// they are; every other <, & and | is escaped, as are backticks that open
// no code span.
func (m *md) inlineMarkdown(line string) {
	w := m.w
	for j := 0; j < len(line); {
		c := line[j]
		switch {
		case c == '\\' && j+1 < len(line) && isPunct(line[j+1]):
			w.WriteString(line[j : j+2])
			j += 2
			continue
		case c == '`':
			k := j
			for k < len(line) && line[k] == '`' {
				k++
			}
			if end := closingRun(line, k, k-j); end >= 0 {
				w.WriteString(line[j:end])
				j = end
				continue
			}
			for ; j < k; j++ {
				w.WriteString("\\`")
			}
			continue
		case c == '<' || c == '&' || c == '|':
			w.WriteByte('\\')
		case c < 0x20 || c == 0x7f:
			w.WriteString("\uFFFD")
			j++
			continue
		}
		w.WriteByte(c)
		j++
	}
}

// closingRun returns the index just past a run of exactly n backticks in
// line at or after from, or -1.
func closingRun(line string, from, n int) int {
	for i := from; i < len(line); {
		if line[i] != '`' {
			i++
			continue
		}
		k := i
		for k < len(line) && line[k] == '`' {
			k++
		}
		if k-i == n {
			return k
		}
		i = k
	}
	return -1
}

func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// blockStart returns where a backslash keeps a line from opening a block
// (ATX heading, list item, block quote, thematic break, setext underline,
// code fence), or -1 if the line opens none.
func blockStart(line string) int {
	spaceAfter := func(i int) bool { return i == len(line) || line[i] == ' ' || line[i] == '\t' }
	run := func(c byte) int { // how many c the line holds, if it holds only c and spaces
		n := 0
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case c:
				n++
			case ' ', '\t':
			default:
				return 0
			}
		}
		return n
	}
	switch c := line[0]; c {
	case '>':
		return 0
	case '#':
		n := 0
		for n < len(line) && line[n] == '#' {
			n++
		}
		if n <= 6 && spaceAfter(n) {
			return 0
		}
	case '-', '+', '*', '_', '=':
		if c != '_' && c != '=' && spaceAfter(1) || run(c) >= 3 || c == '=' && run(c) >= 1 || c == '-' && run(c) >= 1 {
			return 0
		}
	case '~': // a backtick fence is escaped by inlineMarkdown, or is a code span
		if len(line) >= 3 && line[1] == c && line[2] == c {
			return 0
		}
	default:
		i := 0
		for i < len(line) && i < 10 && line[i] >= '0' && line[i] <= '9' {
			i++
		}
		if i > 0 && i <= 9 && i < len(line) && (line[i] == '.' || line[i] == ')') && spaceAfter(i+1) {
			return i
		}
	}
	return -1
}

// linkParser reads Markdown runs as GitHub does, to find their links.
var linkParser = goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser()

// safeLinks reports whether every link, image and autolink in the Markdown
// b points at a safe target (see safeurl.Safe). A paragraph with an unsafe
// one (javascript:, data:, vbscript: …) is written as plain text, since
// Markdown viewers differ in what they drop.
func safeLinks(b []byte) bool {
	safe := true
	ast.Walk(linkParser.Parse(text.NewReader(b)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest []byte
		switch n := n.(type) {
		case *ast.Link:
			dest = n.Destination
		case *ast.Image:
			dest = n.Destination
		case *ast.AutoLink:
			dest = n.URL(b)
		default:
			return ast.WalkContinue, nil
		}
		if !safeurl.Safe(dest) {
			safe = false
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return safe
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

// inline writes text with Markdown syntax escaped. In a table cell, line
// breaks become <br>; elsewhere they become spaces.
func (m *md) inline(b []byte, cell bool) {
	w := m.w
	if !utf8.Valid(b) {
		b = []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	if len(b) > 0 && !cell {
		// Block syntax at the start of a line: 1. item, 2) item, - item.
		i := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i > 0 && i < len(b) && (b[i] == '.' || b[i] == ')') {
			w.Write(b[:i])
			w.WriteByte('\\')
			b = b[i:]
		} else if b[0] == '-' || b[0] == '+' || b[0] == '=' {
			w.WriteByte('\\')
		}
	}
	start := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		var rep string
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '#', '$', '@':
			w.Write(b[start:i])
			w.WriteByte('\\')
			w.WriteByte(c)
			start = i + 1
			continue
		case ':', '.':
			// Keep GFM from turning http://… and www.… into links.
			if c == ':' && i+2 < len(b) && b[i+1] == '/' && b[i+2] == '/' ||
				c == '.' && i >= 3 && string(b[i-3:i]) == "www" && (i == 3 || !isAlnum(b[i-4])) {
				w.Write(b[start:i])
				w.WriteByte('\\')
				w.WriteByte(c)
				start = i + 1
			}
			continue
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				w.Write(b[start:i])
				start = i + 1
				continue
			}
			rep = "\n"
		case '\n':
			rep = "\n"
		case '\t':
			rep = " "
		default:
			if c < 0x20 || c == 0x7f {
				rep = "\uFFFD" // control characters have no Markdown form
			} else {
				continue
			}
		}
		w.Write(b[start:i])
		if rep == "\n" {
			if cell {
				w.WriteString("<br>")
			} else {
				w.WriteByte(' ')
			}
		} else {
			w.WriteString(rep)
		}
		start = i + 1
	}
	w.Write(b[start:])
}

func (m *md) table(ctx context.Context, t *report.Table) error {
	w := m.w
	// Emphasis needs no space inside its delimiters.
	if c := strings.TrimSpace(strings.ToValidUTF8(t.Caption, "\uFFFD")); c != "" {
		w.WriteString("**")
		m.inline([]byte(c), true)
		w.WriteString("**\n\n")
	}
	w.WriteByte('|')
	for _, c := range t.Columns {
		w.WriteByte(' ')
		m.inline([]byte(c.Caption), true)
		w.WriteString(" |")
	}
	w.WriteString("\n|")
	for _, c := range t.Columns {
		switch {
		case c.Align == report.AlignCenter:
			w.WriteString(" :---: |")
		case c.Align == report.AlignRight || c.Align == report.AlignAuto && c.Type == report.TypeNumber:
			w.WriteString(" ---: |")
		default:
			w.WriteString(" --- |")
		}
	}
	w.WriteByte('\n')
	n := 0
	cols := m.columns(t.Columns)
	for row, err := range t.Rows() {
		if err != nil {
			return err
		}
		m.row(cols, row, false)
		if n++; n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := w.Write(nil); err != nil {
				return err
			}
		}
	}
	// A footer is the table's last rows, in bold: pipe tables have no footer.
	if footer := t.FooterRows(); len(footer) > 0 {
		cols := m.columns(t.FooterColumns())
		for _, row := range footer {
			m.row(cols, row, true)
		}
	}
	return nil
}

// row writes a table row: each cell's formatted text (see
// report.Column.AppendText), as a link when it has one; in bold for a
// footer row.
func (m *md) row(cols []column, row report.Row, bold bool) {
	w := m.w
	w.WriteByte('|')
	for i, v := range row.Cells {
		c := &noColumn
		if i < len(cols) {
			c = &cols[i]
		}
		m.cell(c, v, bold)
	}
	w.WriteByte('\n')
}

// cell writes a cell of a pipe table and the pipe after it.
func (m *md) cell(c *column, v report.Value, bold bool) {
	w := m.w
	w.WriteByte(' ')
	text := v.Bytes()
	if c.Format != nil && !v.IsNull() {
		m.text = c.AppendText(m.text[:0], v, m.loc)
		text = m.text
	}
	// A column's link template links the cell with the value in it,
	// unless the cell has a link of its own.
	templated := c.dest != nil && v.Link() == "" && v.Kind() == report.KindNumber &&
		bytes.IndexByte(v.Bytes(), '+') < 0
	linked := templated
	if !templated {
		m.link = c.AppendLink(m.link[:0], v)
		linked = len(m.link) > 0 && safeurl.Link(unsafe.String(unsafe.SliceData(m.link), len(m.link)))
	}
	if bold || linked {
		// Emphasis needs no space inside its delimiters, and a pipe
		// table trims a cell's spaces but not a link text's.
		text = bytes.Trim(text, " \t")
		linked = linked && len(text) > 0
	}
	if bold && len(text) > 0 {
		w.WriteString("**")
	}
	if linked {
		w.WriteByte('[')
	}
	if v.Kind() == report.KindNumber && (c.Format == nil || c.clean) || v.Kind() == report.KindBool {
		w.Write(text) // a JSON number, clean formatted text or a boolean: nothing to escape
	} else {
		m.inline(text, true)
	}
	if linked {
		w.WriteString("](")
		if templated {
			w.WriteString(c.dest[0])
			for _, p := range c.dest[1:] {
				w.Write(v.Bytes())
				w.WriteString(p)
			}
		} else {
			writeDestination(w, m.link)
		}
		w.WriteByte(')')
	}
	if bold && len(text) > 0 {
		w.WriteString("**")
	}
	w.WriteString(" |")
}

// writeDestination writes a link's URL as a Markdown link destination:
// the ASCII punctuation that Markdown or a pipe table could read ( \ ( ) <
// > | [ ] * _ ` ) is backslash-escaped, which CommonMark undoes in
// destinations, and & is written &amp; (goldmark reads an escaped \&copy;
// as ©). The URL has no spaces or controls (safeurl.Link).
func writeDestination(w *bufio.Writer, u []byte) {
	start := 0
	for i, c := range u {
		if c == '&' {
			w.Write(u[start:i])
			w.WriteString("&amp;")
			start = i + 1
		} else if destEscaped[c] {
			w.Write(u[start:i])
			w.WriteByte('\\')
			w.WriteByte(c)
			start = i + 1
		}
	}
	w.Write(u[start:])
}

// destEscaped marks the bytes writeDestination backslash-escapes.
var destEscaped = func() (t [256]bool) {
	for _, c := range []byte("\\()<>|[]*_`") {
		t[c] = true
	}
	return t
}()

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
