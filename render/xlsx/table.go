package xlsx

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/foliorender/folio/report"
)

// A tableWriter writes one table's rows, continuing on a new worksheet
// with the header repeated when one is full.
type tableWriter struct {
	b       *book
	t       *report.Table
	keys    []styleKey // data cell style of each column
	styles  []int      // its id, 0 for none
	linked  []int      // the id of its style with a link, -1 until needed
	header  []cellValue
	names   []string // column names of its table objects
	vals    []cellValue
	hdrRow  int  // row of the header on the current worksheet
	filter  bool // the current worksheet part gets an autofilter
	table   bool // each worksheet part is a table object
	started bool
	look    []report.Row // rows read ahead, before started
}

// table writes t: on a worksheet of its own, or below what is on the one
// sheet.
func (b *book) table(t *report.Table) error {
	if len(t.Columns) > MaxColumns {
		return fmt.Errorf("%w: table %d has %d", ErrTooManyColumns, b.tables+1, len(t.Columns))
	}
	b.tables++
	if t.PageBreak == report.BreakBefore && len(b.pending) > 0 && b.oneSheet == nil {
		// The text held for this table comes before its page break: it
		// goes below the last table, or on a worksheet of its own.
		if err := b.flushPending(); err != nil {
			return err
		}
		b.heading = false
	}
	tw := &tableWriter{b: b, t: t, keys: make([]styleKey, len(t.Columns)), styles: make([]int, len(t.Columns)), linked: make([]int, len(t.Columns)), vals: make([]cellValue, len(t.Columns))}
	for i, c := range t.Columns {
		tw.keys[i] = dataStyle(c)
		tw.styles[i] = b.styleID(tw.keys[i])
		tw.linked[i] = -1
	}
	n := 0
	for row, err := range t.Rows() {
		if err != nil {
			return err
		}
		if n++; n%1000 == 0 {
			if err := b.ctx.Err(); err != nil {
				return err
			}
		}
		if !tw.started {
			tw.look = append(tw.look, row.Clone())
			if len(tw.look) < lookahead {
				continue
			}
			if err := tw.start(); err != nil {
				return err
			}
			continue
		}
		if err := tw.row(row); err != nil {
			return err
		}
	}
	if !tw.started {
		if err := tw.start(); err != nil {
			return err
		}
	}
	return tw.end()
}

// footer writes the table's footer rows below its rows (and outside its
// autofilter, so that sorting leaves them last): bold, with a rule above,
// numbers as numbers with their column's format, and the counts of the row
// of totals as whole numbers. No formulas: folio computes the totals.
func (tw *tableWriter) footer() error {
	b, t := tw.b, tw.t
	rows := t.FooterRows()
	if len(rows) == 0 {
		return nil
	}
	cols := t.FooterColumns()
	keys := make([]styleKey, len(cols))
	styles := make([]int, len(cols))
	for i, c := range cols {
		keys[i] = dataStyle(c)
		keys[i].footer = true
		styles[i] = b.style(keys[i])
	}
	for _, row := range rows {
		if b.cur.row >= maxRows {
			if err := b.continueSheet(0); err != nil {
				return err
			}
		}
		for i, v := range row.Cells {
			if i < len(cols) {
				mean := t.Footer == nil && cols[i].Total == report.TotalMean
				tw.vals[i] = b.cell(cols[i], keys[i], styles[i], nil, v, i+1, b.cur.row+1, mean)
			}
		}
		tw.widen(cols, row)
		if err := b.row(tw.vals); err != nil {
			return err
		}
	}
	return nil
}

// widen widens the columns of the current worksheet that the footer row
// would not fit, as fit does for the rows: the totals are known only after
// the rows, when the worksheet's widths are set already; the zip writer
// puts the new ones in their place (see sheetSplicer).
func (tw *tableWriter) widen(cols []report.Column, row report.Row) {
	b, s := tw.b, tw.b.cur
	if b.r.NoAutoFit {
		return
	}
	var shown []byte
	for i, v := range row.Cells {
		if i >= len(cols) || i >= len(s.widths) {
			break
		}
		w := fitWidth(cellWidth(cols[i], v, &shown) + 1) // bold
		cur := s.widths
		if wider := b.wider[s.path]; wider != nil {
			cur = wider
		}
		if w <= cur[i] {
			continue
		}
		if b.wider == nil {
			b.wider = map[string][]float64{}
		}
		if b.wider[s.path] == nil {
			b.wider[s.path] = slices.Clone(s.widths)
		}
		b.wider[s.path][i] = w
	}
}

// start places the table, now that its column widths can be fitted, and
// writes its header and the rows read ahead.
func (tw *tableWriter) start() error {
	b, t := tw.b, tw.t
	tw.started = true
	// A table object needs a data row (Excel shows an empty table with a
	// blank one, which the footer would take): a table without rows keeps
	// the autofilter. The rows read ahead are all there are when fewer
	// than lookahead.
	tw.table = !b.r.NoTables && !b.r.PlainHeader && len(t.Columns) > 0 && len(tw.look) > 0
	if tw.table {
		captions := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			captions[i] = c.Caption
		}
		tw.names = columnNames(captions)
	}
	var widths []float64
	if !b.r.NoAutoFit {
		widths = tw.fit()
	}
	caption := t.Caption
	if b.r.OneSheet {
		if b.oneSheet == nil {
			if err := b.oneSheetStart(widths); err != nil {
				return err
			}
		}
		b.cur = b.oneSheet
		tw.filter = !b.r.PlainHeader && !tw.table && !b.cur.filter && len(t.Columns) > 0
		if b.cur.row > 0 {
			b.cur.row++ // a blank row before each table
		}
	} else {
		if err := b.closeSheet(); err != nil {
			return err
		}
		name := b.names.take(caption, "Table "+strconv.Itoa(b.tables))
		if name == caption {
			caption = "" // the sheet's name says it
		}
		above := b.prefaceRows()
		if caption != "" {
			above++
		}
		frozen := 0
		if !b.r.PlainHeader && len(t.Columns) > 0 && above+1 <= maxFrozen {
			frozen = above + 1
		}
		s, err := b.newSheet(name, name, widths, frozen)
		if err != nil {
			return err
		}
		b.cur = s
		tw.filter = !b.r.PlainHeader && !tw.table && len(t.Columns) > 0
		if err := b.writeTitle(); err != nil {
			return err
		}
		for _, el := range b.pending {
			if err := b.writeText(el); err != nil {
				return err
			}
		}
		b.pending, b.pendingBytes, b.heading = nil, 0, false
		if b.cur.row > 0 {
			b.cur.row++ // a blank row before the table
		}
	}
	if caption != "" {
		if err := b.textRow(b.style(styleKey{kind: styleCaption}), caption); err != nil {
			return err
		}
	}
	if b.cur.row+2 > maxRows {
		if err := b.continueSheet(0); err != nil {
			return err
		}
	}
	if err := tw.writeHeader(); err != nil {
		return err
	}
	for _, row := range tw.look {
		if err := tw.row(row); err != nil {
			return err
		}
	}
	tw.look = nil
	return nil
}

// oneSheetStart starts the one worksheet of OneSheet mode and writes what
// came before the first table.
func (b *book) oneSheetStart(widths []float64) error {
	name := b.names.take(b.title, "Report")
	s, err := b.newSheet(name, name, widths, 0)
	if err != nil {
		return err
	}
	b.cur, b.oneSheet = s, s
	if err := b.writeTitle(); err != nil {
		return err
	}
	for _, el := range b.pending {
		if err := b.writeText(el); err != nil {
			return err
		}
	}
	b.pending, b.pendingBytes = nil, 0
	return nil
}

// writeHeader writes the header row. The header of a table object shows
// its column names (see columnNames), without the fill of other headers:
// the table style colours it.
func (tw *tableWriter) writeHeader() error {
	b := tw.b
	if tw.header == nil {
		tw.header = make([]cellValue, len(tw.t.Columns))
		kind := styleHeader
		if tw.table {
			kind = styleTableHeader
		}
		for i, c := range tw.t.Columns {
			v := c.Caption
			if s, changed := cellText(c.Caption); changed {
				v = s
			}
			if tw.table {
				v = tw.names[i]
			}
			style := 0
			if !b.r.PlainHeader {
				style = b.style(styleKey{kind: kind, align: headerAlign(c)})
			}
			tw.header[i] = textCell(v, style)
			if c.Caption == "" && !tw.table {
				tw.header[i] = cellValue{kind: cellEmpty, style: style}
			}
		}
	}
	if err := b.row(tw.header); err != nil {
		return err
	}
	tw.hdrRow = b.cur.row
	b.cur.headers = append(b.cur.headers, tw.hdrRow)
	b.cur.cols = max(b.cur.cols, len(tw.t.Columns))
	b.cur.gap = true
	return nil
}

// row writes one data row.
func (tw *tableWriter) row(row report.Row) error {
	b := tw.b
	if b.cur.row >= maxRows {
		if err := tw.endPart(); err != nil {
			return err
		}
		frozen := 0
		if !b.r.PlainHeader && len(tw.t.Columns) > 0 && !b.r.OneSheet {
			frozen = 1
		}
		if err := b.continueSheet(frozen); err != nil {
			return err
		}
		tw.filter = !b.r.PlainHeader && !tw.table && len(tw.t.Columns) > 0
		if err := tw.writeHeader(); err != nil {
			return err
		}
	}
	n := b.cur.row + 1
	for i, v := range row.Cells {
		tw.vals[i] = b.cell(tw.t.Columns[i], tw.keys[i], tw.styles[i], &tw.linked[i], v, i+1, n, false)
	}
	return b.row(tw.vals)
}

// cell returns the cell of v in column c, whose cells have the style key
// and its id style, at column col and row n of the current worksheet
// (linked, if not nil, keeps the id of key with a link, or -1); a
// cell with a link gets a hyperlink (see sheet.addLink). A footer cell
// keeps its style even when empty, so that its rule runs across the row.
// A number a spreadsheet would not keep exactly is text (see excelNumber),
// unless mean says it is a column's mean, rounded already (see
// roundedNumber). Text cells view v's bytes: the row is written before it
// moves on.
func (b *book) cell(c report.Column, key styleKey, style int, linked *int, v report.Value, col, n int, mean bool) cellValue {
	var x cellValue
	k := key
	switch v.Kind() {
	case report.KindNull:
		if !key.footer {
			return cellValue{}
		}
		x.kind = cellEmpty
	case report.KindBool:
		x = boolCell(v.BoolValue(), 0)
	case report.KindNumber:
		var ok bool
		if mean {
			var r any
			if r, ok = roundedNumber(v.Bytes()); ok {
				x, _ = toCell(r)
			}
		} else {
			x, ok = numberCell(v.Bytes())
		}
		if !ok {
			// Digits a spreadsheet would lose: the exact text, aligned as
			// numbers are, without the column's number format.
			x = textCell(unsafeString(v.Bytes()), 0)
			k.numFmt = ""
			if k.align == report.AlignAuto {
				k.align = report.AlignRight
			}
		}
	case report.KindString:
		if typ := c.Type; typ == report.TypeDate || typ == report.TypeDateTime {
			if d, err := report.ParseDate(typ, v); err == nil && inExcelRange(d) {
				x = cellValue{kind: cellTime, time: d}
				break
			}
		}
		if s, changed := cellText(v.Bytes()); changed {
			x = textCell(s, 0)
		} else {
			x = textCell(unsafeString(v.Bytes()), 0)
		}
		k = wrapped(k, v.Bytes())
	}
	if !v.IsNull() && len(b.cur.links.cells) < MaxLinks {
		b.link = c.AppendLink(b.link[:0], v)
		if len(b.link) > 0 && b.cur.addLink(col, n, b.link) {
			k.link = true
		}
	}
	if k != key {
		lk := key
		lk.link = true
		switch {
		case linked == nil || k != lk:
			style = b.styleID(k)
		case *linked >= 0:
			style = *linked // every linked cell of a linked column
		default:
			style = b.styleID(k)
			*linked = style
		}
	}
	if x.kind == cellEmpty && style == 0 {
		return cellValue{} // no style, no cell
	}
	x.style = style
	return x
}

// inExcelRange reports whether Excel can hold t as a date: whether the
// serial number written for its wall-clock time is at least 1 (1900-01-01)
// and, read to the millisecond as Excel and other readers do, before
// 2958466 (10000-01-01). Others are written as text. The serial is the
// float64 excelize writes, so a time in the last nanoseconds of 9999-12-31
// that rounds to 2958466 is text too.
func inExcelRange(t time.Time) bool {
	s := excelSerial(t)
	day := math.Floor(s)
	ms := math.Round((s - day) * msPerDay)
	return s >= 1 && (day < lastExcelDay || day == lastExcelDay && ms < msPerDay)
}

const (
	msPerDay     = 24 * 60 * 60 * 1000
	lastExcelDay = 2958465 // 9999-12-31
)

var (
	excelDay0     = time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC)
	excelLeapBug  = time.Date(1900, time.March, 1, 0, 0, 0, 0, time.UTC)
	excelSpanStep = 290 * 364 * 24 * time.Hour
)

// excelSerial returns the serial number excelize writes for t, computed as
// excelize's timeToExcelTime does (the same float64 operations), from t's
// wall-clock time in the 1900 date system. It is 0 before 1899-12-31.
func excelSerial(t time.Time) float64 {
	const day = 24 * time.Hour
	w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	if w.Before(excelDay0) {
		return 0
	}
	tt, diff, result := w, w.Sub(excelDay0), 0.0
	for diff >= excelSpanStep {
		result += float64(excelSpanStep / day)
		tt = tt.Add(-excelSpanStep)
		diff = tt.Sub(excelDay0)
	}
	rem := diff % day
	result += float64(diff-rem)/float64(day) + float64(rem)/float64(day)
	if !w.Before(excelLeapBug) { // Excel counts a 1900-02-29
		result++
	}
	return result
}

// endPart makes the table's part on the current worksheet, its header and
// data rows, a table object, or gives it its autofilter.
func (tw *tableWriter) endPart() error {
	b := tw.b
	if tw.table {
		b.addTable(tw.t.Caption, tw.names, tw.hdrRow, max(b.cur.row, tw.hdrRow+1))
		return nil
	}
	if !tw.filter {
		return nil
	}
	tw.filter = false
	b.cur.filter = true
	last := max(b.cur.row, tw.hdrRow)
	ref := "A" + strconv.Itoa(tw.hdrRow) + ":" + columnName(len(tw.t.Columns)) + strconv.Itoa(last)
	if err := b.f.AutoFilter(b.cur.name, ref, nil); err != nil {
		return err
	}
	fixFilterName(b.f, b.cur.name)
	relativeFilterRef(b.f, b.paths[len(b.paths)-1])
	return nil
}

// relativeFilterRef writes the autofilter range of the worksheet at path
// as Excel does, A1:C3, where excelize writes $A$1:$C$3. The worksheet
// type is excelize's own, so its exported fields are reached by reflection.
func relativeFilterRef(f *excelize.File, path string) {
	ws, ok := f.Sheet.Load(path)
	if !ok {
		return
	}
	v := reflect.ValueOf(ws)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	af := v.Elem().FieldByName("AutoFilter")
	if !af.IsValid() || af.Kind() != reflect.Pointer || af.IsNil() {
		return
	}
	if ref := af.Elem().FieldByName("Ref"); ref.IsValid() && ref.Kind() == reflect.String && ref.CanSet() {
		ref.SetString(strings.ReplaceAll(ref.String(), "$", ""))
	}
}

func (tw *tableWriter) end() error {
	if err := tw.endPart(); err != nil {
		return err
	}
	if err := tw.footer(); err != nil {
		return err
	}
	tw.b.cur.gap = true
	return nil
}

// fixFilterName quotes the sheet name in the hidden _xlnm._FilterDatabase
// name that excelize's AutoFilter defines: excelize writes 'name'!A1:B2
// without doubling an apostrophe inside the name, which Excel then reports
// as a broken name.
func fixFilterName(f *excelize.File, sheet string) {
	wb := f.WorkBook
	if wb == nil || wb.DefinedNames == nil {
		return
	}
	bad := "'" + sheet + "'!"
	good := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!"
	if bad == good {
		return
	}
	for i, dn := range wb.DefinedNames.DefinedName {
		if dn.Name == "_xlnm._FilterDatabase" && len(dn.Data) > len(bad) && dn.Data[:len(bad)] == bad {
			wb.DefinedNames.DefinedName[i].Data = good + dn.Data[len(bad):]
		}
	}
}

// maxFitColumns is how many columns of a table get fitted widths; the
// others keep Excel's default width.
const maxFitColumns = 256

// fit returns the column widths for the header and the rows read ahead.
func (tw *tableWriter) fit() []float64 {
	cols := tw.t.Columns
	if len(cols) > maxFitColumns {
		cols = cols[:maxFitColumns]
	}
	widths := make([]float64, len(cols))
	var shown []byte
	for i, c := range cols {
		w := textWidth(c.Caption)
		if tw.names != nil {
			w = textWidth(tw.names[i]) // the header shows the column's name
		}
		if !tw.b.r.PlainHeader {
			w += 2 // the autofilter button
		}
		switch c.Type {
		case report.TypeDate:
			w = max(w, 10)
		case report.TypeDateTime:
			w = max(w, 19)
		}
		for _, row := range tw.look {
			w = max(w, cellWidth(c, row.Cells[i], &shown))
		}
		if tw.t.Footer != nil { // known when it comes before the rows
			for _, row := range tw.t.Footer {
				w = max(w, cellWidth(c, row.Cells[i], &shown))
			}
		}
		widths[i] = fitWidth(w)
	}
	return tw.b.fitFields(widths)
}

// cellWidth estimates how many character widths the cell v of column c
// takes as a spreadsheet shows it: with the column's format code, the
// formatted text (in English; other locales' separators take as much
// room); a number of more digits than a spreadsheet keeps, written as
// text, in full. shown is scratch space.
func cellWidth(c report.Column, v report.Value, shown *[]byte) int {
	switch v.Kind() {
	case report.KindString:
		dated := c.Type == report.TypeDate || c.Type == report.TypeDateTime
		if dated && c.Format == nil {
			return 0 // the column's minimum fits the ISO date
		}
		if c.Format != nil {
			*shown = c.AppendText((*shown)[:0], v, nil)
			return textWidth(*shown)
		}
		return textWidth(v.Bytes())
	case report.KindNumber:
		if c.Format != nil {
			*shown = c.AppendText((*shown)[:0], v, nil)
			return textWidth(*shown)
		}
		if _, ok := numberCell(v.Bytes()); !ok {
			return len(v.Bytes())
		}
		return numberWidth(v.Bytes())
	case report.KindBool:
		return 5
	}
	return 0
}

// fitFields widens the first two columns, where the key figures held for
// the worksheet go (labels in A, values in B), to fit their labels and
// values as shown; it returns widths, grown to two columns if need be.
func (b *book) fitFields(widths []float64) []float64 {
	if b.r.NoAutoFit {
		return widths
	}
	var text []byte
	for _, el := range b.pending {
		f, ok := el.(*report.Fields)
		if !ok {
			continue
		}
		for len(widths) < 2 {
			widths = append(widths, minWidth)
		}
		for _, it := range f.Items {
			widths[0] = max(widths[0], fitWidth(textWidth(it.Label)+1)) // bold
			text = it.Column().AppendText(text[:0], it.Value, nil)
			widths[1] = max(widths[1], fitWidth(textWidth(text)+1))
		}
	}
	return widths
}

// prefaceRows returns how many rows the title (if not yet written) and the
// held-back text take above a table on a new worksheet, with the blank row
// before the table: the same rows that writeTitle and writeText use.
func (b *book) prefaceRows() int {
	rows, gap := 0, false
	if !b.titled && b.title != "" {
		rows, gap = 1, true
	}
	for _, el := range b.pending {
		switch el := el.(type) {
		case *report.Heading:
			if rows > 0 {
				rows++
			}
			gap = false
			rows++
		case *report.Paragraph:
			if gap {
				rows++
				gap = false
			}
			rows += len(paragraphLines(el))
		case *report.Fields:
			if rows > 0 {
				rows++
			}
			if el.Caption != "" {
				rows++
			}
			rows += len(el.Items)
			gap = true
		}
	}
	if rows > 0 {
		rows++
	}
	return rows
}

// addTable makes rows first to last of the current worksheet, the header
// and data rows of a table with the given column names, a table object
// named after caption.
func (b *book) addTable(caption string, names []string, first, last int) {
	t := &tablePart{
		id:   len(b.tableParts) + 1,
		name: b.tableNames.take(caption, "Table"+strconv.Itoa(b.tables)),
		ref:  "A" + strconv.Itoa(first) + ":" + columnName(len(names)) + strconv.Itoa(last),
		cols: names,
	}
	b.tableParts = append(b.tableParts, t)
	b.sheetTables[b.cur.path] = append(b.sheetTables[b.cur.path], t)
}
