package pdf

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/report"
)

// Table geometry, in points.
const (
	cellSize    = 8.5  // body and header type size
	cellLead    = 10.5 // line height in cells
	cellPadX    = 3.5
	cellPadY    = 2.5
	captionSize = 10.0
	minColumn   = 28.0  // narrowest column
	maxWordCol  = 136.0 // longest words wider than this are broken
	sampleRows  = 200   // rows read ahead to size the columns
	zebraFill   = "0.95 g"
	headerFill  = "0.86 g"
)

// A cell is the shaped, wrapped text of one table cell: runes
// [start, end) of the table's arena and its lines.
type cell struct {
	start, end int
	lines      []span
	link       string  // the cell's link annotation, if any
	sum        textSum // of the runes [start, end), as shaped
	// size is the size of the cell's text when it is not cellSize: a
	// footer's number wider than its column (a sum, known only after the
	// columns were sized) is drawn smaller on one line, never broken.
	size float64
}

// A group is the columns of a table that go on one page. Tables too wide
// for a landscape page are cut into groups that repeat the first column.
type group struct {
	cols   []int
	widths []float64
	maxEm  []int64 // the width of each column's text, in 1/1000 em (see newGroup)
	label  string  // names the columns of a group, "" for a single group
	heads  tableText
	headH  float64
	total  float64
}

// tableText is shaped text and its per-column cells.
type tableText struct {
	shaped
	cells []cell
}

type tableWriter struct {
	d         *docWriter
	t         *report.Table
	caption   string
	cols      []report.Column
	align     []byte // 'L', 'R' or 'C' per column
	groups    []*group
	cur       *group // the group being drawn
	landscape bool
	face      chain
	hface     chain
	row       tableText // the current row, shaped
	n         int       // rows drawn in the current group, for striping
	bad       *int

	// shows is set when a column has a format or a link template: cells
	// are then turned into the text they show (display) before they are
	// shaped, in arena, and their links are checked there, not in shape.
	shows bool
	// templates holds, for each column with a valid link template, its
	// pieces around each {value}: its links need no check.
	templates [][]string
	disp      []report.Value
	arena     []byte
	// footer is set while the footer rows are drawn: bold, not striped.
	footer bool

	// column groups only: rows waiting to be drawn, and their height in
	// each group
	block  []report.Row
	blockH []float64
	rowH   []float64
	// blockTop is the height taken above the first block's table
	blockTop float64
	// footers is how many rows at the end of the last block are footer rows
	footers int
}

func (d *docWriter) table(t *report.Table) error {
	tw := &tableWriter{d: d, t: t, caption: t.Caption, cols: t.Columns, bad: &d.bad}
	d.markNext = true // the caption goes in the outline
	defer func() { d.markNext = false }()
	tw.templates = make([][]string, len(t.Columns))
	for i, c := range t.Columns {
		tw.shows = tw.shows || c.Format != nil || c.Link != ""
		if c.Link != "" && safeurl.Template(c.Link) {
			tw.templates[i] = strings.Split(c.Link, "{value}")
		}
	}
	tw.face, tw.hface = d.c.fonts.chains[regular], d.c.fonts.chains[bold]
	if len(t.Columns) == 0 {
		for _, err := range t.Rows() {
			if err != nil {
				return err
			}
		}
		return d.tableCaption(t.Caption, "")
	}
	var sample []report.Row
	started := false
	n := 0
	for row, err := range t.Rows() {
		if err != nil {
			return err
		}
		n++
		if n%1000 == 0 {
			if err := d.ctx.Err(); err != nil {
				return err
			}
		}
		if !started {
			sample = append(sample, row.Clone())
			if len(sample) < sampleRows {
				continue
			}
			if err := tw.start(sample); err != nil {
				return err
			}
			started = true
			sample = nil
			continue
		}
		if err := tw.add(tw.display(tw.cols, row.Cells)); err != nil {
			return err
		}
	}
	if !started {
		if err := tw.start(sample); err != nil {
			return err
		}
	}
	return tw.end(t.FooterRows(), t.FooterColumns())
}

// display returns cells as the text they show: each formatted with its
// column's format in the document's locale (report.Column.AppendText, the
// text HTML and Markdown show), with its link (its own or its column's
// template) if it has one and it is valid. The values are valid until the
// next call.
func (tw *tableWriter) display(cols []report.Column, cells []report.Value) []report.Value {
	if !tw.shows && len(cols) > 0 && &cols[0] == &tw.cols[0] {
		return cells // a cell's own link is read from its value
	}
	body := len(cols) > 0 && &cols[0] == &tw.cols[0]
	tw.arena = tw.arena[:0]
	tw.disp = tw.disp[:0]
	for i, v := range cells {
		if i >= len(cols) || v.IsNull() {
			if v.Link() != "" && !safeurl.Link(v.Link()) {
				v = v.WithLink("")
			}
			tw.disp = append(tw.disp, v)
			continue
		}
		c := &cols[i] // not copied: there are ten cells a row
		// The link first: a template takes the value as given, not as
		// shown (232872, not 232.872). Earlier values keep the arena they
		// were cut from when it grows. A link from a valid template is
		// valid; any other is checked.
		link, checked := v.Link(), false
		if link == "" && c.Link != "" { // else the column gives none
			start := len(tw.arena)
			if body && tw.templates[i] != nil {
				tw.arena, checked = appendTemplate(tw.arena, tw.templates[i], v), true
			} else {
				tw.arena = c.AppendLink(tw.arena, v)
			}
			link = unsafe.String(unsafe.SliceData(tw.arena[start:]), len(tw.arena)-start)
		}
		if !checked && link != "" && !safeurl.Link(link) {
			link = ""
		}
		if c.Format != nil {
			start := len(tw.arena)
			tw.arena = c.AppendText(tw.arena, v, tw.d.loc)
			v = report.String(unsafe.String(unsafe.SliceData(tw.arena[start:]), len(tw.arena)-start))
		}
		tw.disp = append(tw.disp, v.WithLink(link))
	}
	return tw.disp
}

// appendTemplate appends the link of a template, split at each {value}
// into pieces, for v, as safeurl.Expand does.
func appendTemplate(dst []byte, pieces []string, v report.Value) []byte {
	// A JSON number's bytes are unreserved in a URL but for an exponent's
	// "+": such a value is copied as it is.
	plain := v.Kind() == report.KindNumber && bytes.IndexByte(v.Bytes(), '+') < 0
	dst = append(dst, pieces[0]...)
	for _, p := range pieces[1:] {
		if plain {
			dst = append(dst, v.Bytes()...)
		} else {
			dst = safeurl.AppendValue(dst, v.Bytes())
		}
		dst = append(dst, p...)
	}
	return dst
}

// tableCaption draws a table caption, keeping extra points below it on
// the same page.
func (d *docWriter) tableCaption(caption, label string) error {
	if caption == "" && label == "" {
		return nil
	}
	in, err := d.inline(captionSize, captionSize*1.35)
	if err != nil {
		return err
	}
	if d.markNext {
		d.mark(caption, d.headLevel+1)
		d.markNext = false
	}
	in.add(bold, []byte(caption), "")
	if label != "" {
		in.add(regular, []byte(label), "")
	}
	d.bad += in.bad
	return in.close()
}

// measureFooter widens the columns for the footer, which comes after the
// rows: the producer's footer when it is known already (given before the
// rows, or by a Go program), else the row of totals' label and, in columns
// of totals, the rows' widest text in bold (as the footer is drawn), in
// columns of sums with two more digits and a grouping separator.
func (tw *tableWriter) measureFooter(natural, word []int64) {
	t := tw.t
	var tt tableText
	if t.Footer != nil {
		cols := t.FooterColumns()
		for _, row := range t.Footer {
			tw.shape(tw.hface, &tt, tw.display(cols, row.Cells), nil)
			measure(&tt, natural, word)
		}
		return
	}
	_, digit := tw.face.find('0')
	_, bold := tw.hface.find('0')
	group := ","
	if tw.d.loc != nil {
		group = tw.d.loc.Group
	}
	tw.shape(tw.hface, &tt, []report.Value{report.String(group)}, nil)
	var sep int64
	for _, w := range tt.widths {
		sep += int64(w)
	}
	label := true
	for i, c := range t.Columns {
		switch {
		case c.Total != report.TotalNone:
			if digit > 0 {
				natural[i] = natural[i] * int64(bold) / int64(digit)
			}
			if c.Total == report.TotalSum {
				natural[i] += 2*int64(bold) + sep
			}
		case label:
			label = false
			cells := make([]report.Value, i+1)
			cells[i] = report.String(report.FooterLabel)
			tw.shape(tw.hface, &tt, cells, nil)
			n, w := make([]int64, i+1), make([]int64, i+1)
			measure(&tt, n, w)
			natural[i], word[i] = max(natural[i], n[i]), max(word[i], w[i])
		}
	}
}

// shape shapes the text of each value into tt, counting replaced
// characters in *bad unless bad is nil.
func (tw *tableWriter) shape(ch chain, tt *tableText, cells []report.Value, bad *int) {
	if bad == nil {
		bad = new(int)
	}
	tt.runes, tt.widths, tt.faces = tt.runes[:0], tt.widths[:0], tt.faces[:0]
	if cap(tt.cells) < len(cells) {
		tt.cells = make([]cell, len(cells))
	}
	tt.cells = tt.cells[:len(cells)]
	for i, v := range cells {
		start := len(tt.runes)
		var sum textSum
		if v.Kind() != report.KindNull {
			tt.runes, tt.widths, tt.faces, sum = ch.shapeText(v.Bytes(), tt.runes, tt.widths, tt.faces, bad)
		}
		tt.cells[i].start, tt.cells[i].end, tt.cells[i].sum = start, len(tt.runes), sum
		tt.cells[i].size = 0
		tt.cells[i].link = ""
		if l := v.Link(); l != "" && (tw.shows || safeurl.Link(l)) {
			tt.cells[i].link = l
		}
	}
}

// measure returns the widest line and the widest word of each cell of tt,
// in 1/1000 em.
func measure(tt *tableText, natural, word []int64) {
	for i, c := range tt.cells {
		var line, w int64
		for k := c.start; k < c.end; k++ {
			switch tt.runes[k] {
			case '\n':
				natural[i] = max(natural[i], line)
				word[i] = max(word[i], w)
				line, w = 0, 0
			case ' ':
				line += int64(tt.widths[k])
				word[i] = max(word[i], w)
				w = 0
			default:
				line += int64(tt.widths[k])
				w += int64(tt.widths[k])
			}
		}
		natural[i] = max(natural[i], line)
		word[i] = max(word[i], w)
	}
}

// start sizes the columns from the header and the sample rows, chooses the
// orientation and column groups, and draws the caption, the header and the
// sample.
func (tw *tableWriter) start(sample []report.Row) error {
	d, c := tw.d, tw.d.c
	nc := len(tw.cols)
	natural, word := make([]int64, nc), make([]int64, nc)
	hnatural, hword := make([]int64, nc), make([]int64, nc)
	captions := make([]report.Value, nc)
	for i, col := range tw.cols {
		captions[i] = report.String(col.Caption)
	}
	var head tableText
	tw.shape(tw.hface, &head, captions, tw.bad)
	measure(&head, hnatural, hword)
	numeric := make([]int, nc) // -1: not numeric
	for _, row := range sample {
		tw.shape(tw.face, &tw.row, tw.display(tw.cols, row.Cells), nil)
		measure(&tw.row, natural, word)
		for i, v := range row.Cells {
			switch {
			case v.Kind() == report.KindNumber:
				if numeric[i] >= 0 {
					numeric[i]++
				}
			case v.Kind() != report.KindNull:
				numeric[i] = -1
			}
		}
	}
	tw.measureFooter(natural, word)
	tw.align = make([]byte, nc)
	minW, maxW := make([]float64, nc), make([]float64, nc)
	for i, col := range tw.cols {
		switch {
		case col.Align == report.AlignRight:
			tw.align[i] = 'R'
		case col.Align == report.AlignCenter:
			tw.align[i] = 'C'
		case col.Align == report.AlignLeft:
			tw.align[i] = 'L'
		case col.Type == report.TypeNumber, col.Type == report.TypeAny && numeric[i] > 0:
			tw.align[i] = 'R'
		default:
			tw.align[i] = 'L'
		}
		pt := func(em int64) float64 { return float64(em)*cellSize/1000 + 2*cellPadX }
		minW[i] = min(max(pt(max(word[i], hword[i])), minColumn), maxWordCol)
		maxW[i] = max(pt(max(natural[i], hnatural[i])), minW[i])
	}
	// Headers stay on one line where the columns allow it.
	headMin := make([]float64, nc)
	for i := range nc {
		headMin[i] = min(max(minW[i], float64(hnatural[i])*cellSize/1000+2*cellPadX), max(maxWordCol, minW[i]))
	}
	// Orientation: portrait unless the columns cannot fit legibly, that
	// is unless their longest words do not fit, or their text would wrap
	// in many more rows than on a landscape page.
	tw.landscape = d.orient == Landscape
	if d.orient == Auto && nc > 1 {
		pw, lw := c.bodyWidth(false), c.bodyWidth(true)
		switch {
		case sum(minW) > pw:
			tw.landscape = true
		case sum(maxW) > pw && len(sample) > 0:
			p := tw.wrapped(sample, minW, headMin, maxW, pw)
			l := tw.wrapped(sample, minW, headMin, maxW, lw)
			tw.landscape = p*5 > len(sample) && l*2 < p
		}
	}
	avail := c.bodyWidth(tw.landscape)
	// Column groups: as many columns as fit at their natural widths (up
	// to maxWordCol), the first repeated in each.
	var groups [][]int
	if sum(minW) <= avail {
		groups = [][]int{seq(0, nc)}
	} else {
		pref := make([]float64, nc)
		for i := range nc {
			pref[i] = max(min(maxW[i], maxWordCol), headMin[i])
		}
		g := []int{0}
		w := pref[0]
		for i := 1; i < nc; i++ {
			if w+pref[i] > avail && len(g) > 1 {
				groups = append(groups, g)
				g, w = []int{0}, pref[0]
			}
			g = append(g, i)
			w += pref[i]
		}
		groups = append(groups, g)
	}
	for gi, cols := range groups {
		g := newGroup(cols, widths(cols, minW, headMin, maxW, avail))
		g.total = sum(g.widths)
		if len(groups) > 1 {
			g.label = fmt.Sprintf(" (columns %s of %d; part %d of %d)", ranges(cols), nc, gi+1, len(groups))
		}
		hv := make([]report.Value, len(cols))
		for j, ci := range cols {
			hv[j] = captions[ci]
		}
		tw.shape(tw.hface, &g.heads, hv, nil)
		tw.wrap(g, &g.heads)
		tw.cutHeader(g, int((c.bodyHeight(tw.landscape)/4-2*cellPadY)/cellLead))
		g.headH = rowHeight(&g.heads)
		tw.groups = append(tw.groups, g)
	}
	if len(tw.groups) > 1 {
		return tw.startGroups(sample)
	}
	g := tw.groups[0]
	// The caption stays with the header and the first row.
	first := 0.0
	if len(sample) > 0 {
		tw.shape(tw.face, &tw.row, tw.display(tw.cols, sample[0].Cells), nil)
		tw.wrap(g, &tw.row)
		first = min(rowHeight(&tw.row), c.bodyHeight(tw.landscape)/2)
	}
	capH := 0.0
	if tw.caption != "" {
		capH = captionSize * 1.35 * 2
	}
	if d.broken() || c.pages == 0 || c.landscape != tw.landscape {
		if err := c.newPage(tw.landscape); err != nil {
			return err
		}
	}
	if err := c.need(capH+g.headH+first, tw.landscape); err != nil {
		return err
	}
	if err := d.tableCaption(tw.caption, ""); err != nil {
		return err
	}
	c.y += 2
	tw.cur = g
	d.tab = tw
	if err := tw.header(); err != nil {
		return err
	}
	for _, row := range sample {
		if err := tw.add(tw.display(tw.cols, row.Cells)); err != nil {
			return err
		}
	}
	return nil
}

// end finishes the table, drawing its footer rows (formatted with cols)
// after the last row: once, not on every page, in bold below a rule.
func (tw *tableWriter) end(footer []report.Row, cols []report.Column) error {
	d := tw.d
	if len(tw.groups) > 1 {
		for _, row := range footer {
			tw.block = append(tw.block, report.Row{Cells: tw.display(cols, row.Cells)}.Clone())
		}
		tw.footers = len(footer)
		if len(tw.block) > 0 {
			if err := tw.flushBlock(); err != nil {
				return err
			}
		}
	} else if tw.cur != nil {
		if len(footer) > 0 {
			d.c.hline(d.c.left(), d.c.y, tw.cur.total, 0.5)
			tw.footer = true
			for _, row := range footer {
				if err := tw.draw(tw.cur, tw.display(cols, row.Cells)); err != nil {
					return err
				}
			}
			tw.footer = false
		}
		d.c.hline(d.c.left(), d.c.y, tw.cur.total, 0.5)
	}
	d.tab = nil
	d.c.y += 12
	return nil
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func seq(a, b int) []int {
	s := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		s = append(s, i)
	}
	return s
}

// ranges writes column numbers, one-based, as "1, 4–6".
func ranges(cols []int) string {
	var b strings.Builder
	for i := 0; i < len(cols); {
		j := i
		for j+1 < len(cols) && cols[j+1] == cols[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(cols[i] + 1))
		if j > i {
			b.WriteString("–" + strconv.Itoa(cols[j]+1))
		}
		i = j + 1
	}
	return b.String()
}

// widths sizes cols within avail, keeping headers on one line if they fit.
func widths(cols []int, minW, headMin, maxW []float64, avail float64) []float64 {
	var s float64
	for _, i := range cols {
		s += headMin[i]
	}
	if s <= avail {
		minW = headMin
	}
	return distribute(cols, minW, maxW, avail)
}

// wrapped returns how many sample rows would wrap a short value (one that
// would fit a column of maxWordCol) with all columns in a width of avail:
// prose wraps legibly, short values broken over lines do not.
func (tw *tableWriter) wrapped(sample []report.Row, minW, headMin, maxW []float64, avail float64) int {
	cols := seq(0, len(tw.cols))
	g := newGroup(cols, widths(cols, minW, headMin, maxW, avail))
	n := 0
	const short = int64(maxWordCol * 1000 / cellSize)
	for _, row := range sample {
		tw.shape(tw.face, &tw.row, tw.display(tw.cols, row.Cells), nil)
		tw.wrap(g, &tw.row)
		for _, cl := range tw.row.cells {
			if len(cl.lines) > 1 && cl.lines[0].em+cl.lines[1].em < short {
				n++
				break
			}
		}
	}
	return n
}

// distribute gives columns their natural widths if they fit in avail, and
// otherwise their minimum widths plus a share of the remaining space in
// proportion to how much more they would take.
func distribute(cols []int, minW, maxW []float64, avail float64) []float64 {
	out := make([]float64, len(cols))
	var smin, smax float64
	for _, i := range cols {
		smin += minW[i]
		smax += maxW[i]
	}
	for j, i := range cols {
		switch {
		case smax <= avail:
			out[j] = maxW[i]
		case smin >= avail:
			out[j] = minW[i] * avail / smin
		default:
			out[j] = minW[i] + (maxW[i]-minW[i])*(avail-smin)/(smax-smin)
		}
	}
	return out
}

// cutHeader keeps header cells to at most n lines, so that the header
// repeated on every page leaves room for rows: a longer caption ends its
// last line with "…".
func (tw *tableWriter) cutHeader(g *group, n int) {
	tt := &g.heads
	ell, ellW := tw.hface.find('…')
	dots := "…"
	if ell == nil {
		ell, ellW = tw.hface.find('.')
		dots = "..."
		ellW *= 3
	}
	for j := range tt.cells {
		cl := &tt.cells[j]
		if len(cl.lines) <= n {
			continue
		}
		cl.lines = cl.lines[:n]
		last := cl.lines[n-1]
		maxEm := int64((g.widths[j]-2*cellPadX)*1000/cellSize + 0.5)
		start := int32(len(tt.runes))
		end := last.end
		em := last.em
		for end > last.start && em+int64(ellW) > maxEm {
			end--
			em -= int64(tt.widths[end])
		}
		tt.runes = append(tt.runes, tt.runes[last.start:end]...)
		tt.widths = append(tt.widths, tt.widths[last.start:end]...)
		tt.faces = append(tt.faces, tt.faces[last.start:end]...)
		for _, r := range dots {
			w := ellW
			if dots == "..." {
				w /= 3
			}
			tt.runes = append(tt.runes, r)
			tt.widths = append(tt.widths, w)
			tt.faces = append(tt.faces, ell)
			em += int64(w)
		}
		cl.lines[n-1] = span{start, int32(len(tt.runes)), em}
		cl.sum.others = true // the dots may be another face's
	}
}

// newGroup returns the group of cols in widths, with the width of text
// each column has room for, once for all its rows.
func newGroup(cols []int, widths []float64) *group {
	g := &group{cols: cols, widths: widths, maxEm: make([]int64, len(widths))}
	for j, w := range widths {
		g.maxEm[j] = int64((w-2*cellPadX)*1000/cellSize + 0.5) // widths come from sums of these advances
	}
	return g
}

// wrap breaks each cell of tt into lines within g's column widths.
func (tw *tableWriter) wrap(g *group, tt *tableText) {
	for j := range g.cols {
		cl := &tt.cells[j]
		maxEm := g.maxEm[j]
		cl.lines = cl.lines[:0]
		// Fast path: one line; and a footer's number, which is never
		// broken (a digit on a line of its own reads as another number),
		// on one line at a smaller size if it is too wide.
		if em := cl.sum.em; !cl.sum.breaks && (em <= maxEm || tw.footer && tw.unbroken(g.cols[j])) {
			end := cl.end
			for end > cl.start && tt.runes[end-1] == ' ' {
				end--
				em -= int64(tt.widths[end])
			}
			cl.lines = append(cl.lines, span{int32(cl.start), int32(end), em})
			if em > maxEm && maxEm > 0 {
				cl.size = cellSize * float64(maxEm) / float64(em)
			}
			continue
		}
		cl.lines = wrap(tt.runes[cl.start:cl.end], tt.widths[cl.start:cl.end], maxEm, cl.lines)
		for k := range cl.lines {
			cl.lines[k].start += int32(cl.start)
			cl.lines[k].end += int32(cl.start)
		}
	}
}

// unbroken reports whether the footer's cells in column ci are numbers,
// which wrap does not break: the column has a total or holds numbers.
func (tw *tableWriter) unbroken(ci int) bool {
	col := tw.cols[ci]
	return col.Total != report.TotalNone || col.Type == report.TypeNumber
}

func rowLines(tt *tableText) int {
	n := 1
	for _, c := range tt.cells {
		n = max(n, len(c.lines))
	}
	return n
}

func rowHeight(tt *tableText) float64 {
	return float64(rowLines(tt))*cellLead + 2*cellPadY
}

// header draws the current group's header row.
func (tw *tableWriter) header() error {
	g := tw.cur
	c := tw.d.c
	c.rect(c.left(), c.y, g.total, g.headH, headerFill)
	tw.cells(g, &g.heads, tw.hface, 0, rowLines(&g.heads))
	c.y += g.headH
	tw.n = 0
	return nil
}

// linkColor is the fill of linked text, as in paragraphs.
const linkColor = "0.1 0.3 0.7 rg"

// cells draws lines [from, to) of the cells of tt in a row starting at y.
// A cell with a link is drawn in the link color, underlined, under a link
// annotation that covers the part of the cell drawn. The row's text is one
// text object: the underlines are drawn after it, as one path.
func (tw *tableWriter) cells(g *group, tt *tableText, ch chain, from, to int) {
	c := tw.d.c
	x := c.left()
	// The baseline of line li is top + float64(li-from)*cellLead + lead +
	// asc, summed in that order.
	top, asc := c.y+cellPadY, cellSize*ch[len(ch)-1].ascent
	const lead = (cellLead - cellSize) / 2
	for j, ci := range g.cols {
		w := g.widths[j]
		cl := &tt.cells[j]
		fill := "0 g"
		if cl.link != "" && from < len(cl.lines) {
			fill = linkColor
			// An ASCII link (a template's always is) goes to fpdf as it
			// is: LinkURI neither keeps nor changes the bytes.
			uri := unsafe.Slice(unsafe.StringData(cl.link), len(cl.link))
			if !safeurl.IsASCII(cl.link) {
				c.uri = safeurl.AppendASCII(c.uri[:0], cl.link)
				uri = c.uri
			}
			c.pdf.LinkURI(x, c.y, w, float64(to-from)*cellLead+2*cellPadY, uri)
		}
		c.setFill(fill)
		for li := from; li < to && li < len(cl.lines); li++ {
			ln := cl.lines[li]
			if ln.end <= ln.start {
				continue
			}
			size := cellSize
			if cl.size > 0 {
				size = cl.size
			}
			tx := x + cellPadX
			lw := float64(ln.em) * size / 1000
			switch tw.align[ci] {
			case 'R':
				tx = x + w - cellPadX - lw
			case 'C':
				tx = x + (w-lw)/2
			}
			base := top + float64(li-from)*cellLead + lead + asc
			if !cl.sum.others { // one face: one text run, ln.em wide
				c.text(tt.faces[ln.start], size, tx, base, tt.runes[ln.start:ln.end])
			} else {
				c.runs(tt.faces[ln.start:ln.end], tt.widths[ln.start:ln.end], size, tx, base, tt.runes[ln.start:ln.end])
			}
			if fill == linkColor {
				c.under = append(c.under, tx, base+size*0.12, lw)
			}
		}
		x += w
	}
	c.endText()
	c.underlines(cellSize*0.06, linkColor)
}

// add draws a row of the table, or collects it when the table has column
// groups.
func (tw *tableWriter) add(cells []report.Value) error {
	if len(tw.groups) > 1 {
		return tw.addBlock(cells)
	}
	return tw.draw(tw.cur, cells)
}

// draw lays out and draws a row of group g, on a new page if it does not
// fit, across pages if it is taller than a page.
func (tw *tableWriter) draw(g *group, cells []report.Value) error {
	c := tw.d.c
	var count *int // rows of column groups are counted in addBlock
	if len(tw.groups) == 1 {
		count = tw.bad
	}
	if len(g.cols) < len(cells) {
		sub := make([]report.Value, len(g.cols))
		for j, ci := range g.cols {
			sub[j] = cells[ci]
		}
		cells = sub
	}
	face := tw.face
	if tw.footer {
		face = tw.hface
	}
	tw.shape(face, &tw.row, cells, count)
	tw.wrap(g, &tw.row)
	lines := rowLines(&tw.row)
	h := float64(lines)*cellLead + 2*cellPadY
	if c.y+h > c.bottom() {
		if h <= c.bodyHeight(tw.landscape)-g.headH {
			if err := c.newPage(tw.landscape); err != nil {
				return err
			}
		}
	}
	for from := 0; from < lines; {
		room := int((c.bottom() - c.y - 2*cellPadY) / cellLead)
		if room < 1 {
			if err := c.newPage(tw.landscape); err != nil {
				return err
			}
			continue
		}
		to := min(from+room, lines)
		hh := float64(to-from)*cellLead + 2*cellPadY
		if tw.n%2 == 1 && !tw.footer {
			c.rect(c.left(), c.y, g.total, hh, zebraFill)
		}
		tw.cells(g, &tw.row, face, from, to)
		c.y += hh
		from = to
	}
	tw.n++
	return nil
}

// startGroups begins a table with column groups: rows are collected in a
// block until one more would overflow a page of some group, then the block
// is drawn once per group, each on its own pages.
func (tw *tableWriter) startGroups(sample []report.Row) error {
	tw.blockH = make([]float64, len(tw.groups))
	c := tw.d.c
	if tw.d.broken() || c.pages == 0 {
		if err := c.newPage(tw.landscape); err != nil {
			return err
		}
	}
	if tw.d.fresh(tw.landscape) {
		tw.blockTop = c.y - c.bodyTop // the first block shares a page with the title
	}
	for _, row := range sample {
		if err := tw.addBlock(tw.display(tw.cols, row.Cells)); err != nil {
			return err
		}
	}
	return nil
}

func (tw *tableWriter) addBlock(cells []report.Value) error {
	c := tw.d.c
	if cap(tw.rowH) < len(tw.groups) {
		tw.rowH = make([]float64, len(tw.groups))
	}
	full := false
	tw.shape(tw.face, &tw.row, cells, tw.bad) // counts replaced characters once
	for gi, g := range tw.groups {
		sub := make([]report.Value, len(g.cols))
		for j, ci := range g.cols {
			sub[j] = cells[ci]
		}
		tw.shape(tw.face, &tw.row, sub, nil)
		tw.wrap(g, &tw.row)
		h := rowHeight(&tw.row)
		tw.rowH[gi] = h
		if tw.blockH[gi]+h > c.bodyHeight(tw.landscape)-tw.blockTop-g.headH-3*captionSize*1.35 {
			full = true
		}
	}
	if full && len(tw.block) > 0 {
		if err := tw.flushBlock(); err != nil {
			return err
		}
	}
	tw.block = append(tw.block, report.Row{Cells: cells}.Clone())
	for gi := range tw.groups {
		tw.blockH[gi] += tw.rowH[gi]
	}
	return nil
}

func (tw *tableWriter) flushBlock() error {
	d, c := tw.d, tw.d.c
	for _, g := range tw.groups {
		d.tab = nil
		if !d.fresh(tw.landscape) {
			if err := c.newPage(tw.landscape); err != nil {
				return err
			}
		}
		if err := d.tableCaption(tw.caption, g.label); err != nil {
			return err
		}
		c.y += 2
		tw.cur = g
		d.tab = tw
		if err := tw.header(); err != nil {
			return err
		}
		body := len(tw.block) - tw.footers
		for k, row := range tw.block {
			if k == body {
				c.hline(c.left(), c.y, g.total, 0.5)
				tw.footer = true
			}
			if err := tw.draw(g, row.Cells); err != nil {
				return err
			}
		}
		tw.footer = false
		c.hline(c.left(), c.y, g.total, 0.5)
		c.used = true
	}
	tw.block = tw.block[:0]
	clear(tw.blockH)
	tw.blockTop = 0
	return nil
}
