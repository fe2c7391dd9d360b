package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
	"github.com/go-json-experiment/json/jsontext"
)

// Elements are decoded into typed values as they are read, never into
// generic maps: what the input holds is known only when the element ends
// (its type may come last), so the decoder keeps every member it reads
// (type, caption, data's columns, sourceBusinessObject, text and level) in
// a head, with the kind of a value that has the wrong kind and the first
// fault found among columns and text runs, and converts the head to an
// element once it is known.

// A scalar is a member value the decoder holds. A string or a number keeps
// its text; of an object or array, which no held member may be, only the
// kind is kept, and the value is skipped, not held.
type scalar struct {
	kind jsontext.Kind // 0 when the member is absent
	text string        // a string's contents, a number's text
}

// scalarOf makes a scalar of a raw JSON value that is not an object or
// array. A string equal to one of known is that string, not a copy.
func scalarOf(raw jsontext.Value, known ...string) scalar {
	s := scalar{kind: raw.Kind()}
	switch s.kind {
	case '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			for _, k := range known {
				if string(raw[1:len(raw)-1]) == k {
					s.text = k
					return s
				}
			}
		}
		s.text = unquote(raw)
	case '0':
		s.text = string(raw)
	}
	return s
}

// str returns the text of a string scalar, and "" for anything else.
func (s scalar) str() string {
	if s.kind == '"' {
		return s.text
	}
	return ""
}

// describe quotes a string, gives a number's text and names the kind of
// anything else.
func (s scalar) describe() string {
	switch s.kind {
	case '"':
		return strconv.Quote(clip(s.text))
	case '0':
		return clip(s.text)
	}
	return kindName(s.kind)
}

// generic returns the scalar as a generic JSON value, for the Check option:
// an empty object or array stands for one that was skipped.
func (s scalar) generic() any {
	switch s.kind {
	case '"':
		return s.text
	case '0':
		return json.Number(s.text)
	case 't':
		return true
	case 'f':
		return false
	case '{':
		return map[string]any{}
	case '[':
		return []any{}
	}
	return nil
}

// A head holds what the decoder read of an element besides its rows.
type head struct {
	typ, caption scalar
	data         jsontext.Kind // the kind of data: '{', or 0 when absent
	columns      jsontext.Kind // the kind of data.columns, 0 when absent
	cols         []Column
	colFault     *Violation // the first column at fault
	source       scalar
	text         scalar // kind '[' for runs
	runs         []Run
	runFault     *Violation // the first text run at fault
	level        scalar
	rows         jsontext.Kind // the kind of data.rows, 0 when absent
	footerKind   jsontext.Kind // the kind of data.footer, 0 when absent
	footerRaw    []byte        // data.footer's compact JSON text, until the columns are known
	footer       []Row         // data.footer's valid rows, once parsed
	pageBreak    scalar
	itemsKind    jsontext.Kind // the kind of data.items, 0 when absent
	itemsRaw     []byte        // data.items's compact JSON text
	items        []Field       // data.items, once converted
}

// typeName returns the element's type once it is known to be a string; it
// reports false while the type is not known.
func (h *head) typeName() (string, bool) {
	return h.typ.str(), h.typ.kind != 0
}

// The members an element's head holds.
const (
	mType = iota
	mCaption
	mData
	mColumns
	mSource
	mText
	mLevel
	mRows
	mFooter
	mItems
	mPageBreak
)

var memberNames = [...]string{"type", "caption", "data", "columns", "sourceBusinessObject", "text", "level", "rows", "footer", "items", "pageBreak"}

// member returns which held member the raw name is, or -1.
func (d *decoder) member(raw []byte) int {
	for i, n := range memberNames {
		if d.nameIs(raw, n) {
			return i
		}
	}
	return -1
}

// An elemReader reads one element.
type elemReader struct {
	d        *decoder
	dec      *jsontext.Decoder
	base     string // "/elements/3"
	h        head
	streamed *Table    // the table whose rows were streamed
	rows     *heldRows // rows held until the header is known
	held     int       // bytes of the head, counted as compact JSON
	bad      bool      // a violation was found in this element
	rejected bool      // the header was converted and found invalid
	limited  bool      // a limit was passed: the rest is skipped, the element dropped
}

func (e *elemReader) violate(ptr, msg string) bool {
	e.bad = true
	return e.d.violate(ptr, msg)
}

// limit records a violation of a limit: nothing more of the element is
// held, what is left of it is skipped, and it is dropped.
func (e *elemReader) limit(ptr, msg string) bool {
	e.limited = true
	return e.violate(ptr, msg)
}

// hold counts n more bytes of the head against MaxHeader. It reports
// whether they fit; past the limit it records the violation, at the value
// just read.
func (e *elemReader) hold(n int) bool {
	if e.limited {
		return false
	}
	if e.held += n; e.held <= MaxHeader {
		return true
	}
	e.limit(string(e.dec.StackPointer()), fmt.Sprintf("the element is over %d MiB without its rows, more than folio holds in memory for one element; shorten it, or split long text into several paragraphs", MaxHeader>>20))
	return false
}

// wants reports whether the element's head holds member m: those the
// element's type reads, and all while the type is not known. An element of
// an unknown type, or past a limit, is dropped, so nothing more of it is
// held.
func (e *elemReader) wants(m int) bool {
	if e.limited {
		return false
	}
	typ, known := e.h.typeName()
	if !known {
		return true
	}
	switch typ {
	case "table":
		return m == mCaption || m == mData || m == mColumns || m == mSource || m == mRows || m == mFooter
	case "paragraph":
		return m == mData || m == mText
	case "heading":
		return m == mData || m == mText || m == mLevel
	case "fields":
		return m == mCaption || m == mData || m == mItems
	}
	return false
}

// fault records a fault of a column or text run if it is the first.
func fault(f **Violation, ptr func() string, msg string) {
	if *f == nil {
		*f = &Violation{Pointer: ptr(), Message: msg}
	}
}

// element reads element i and yields it. It returns false when the loop must
// end: after an error (in d.err) or when yield says stop.
func (d *decoder) element(i int, yield func(Element, error) bool) bool {
	dec := d.dec
	e := &elemReader{d: d, dec: dec, base: "/elements/" + strconv.Itoa(i)}
	if k := d.peek(dec); k != '{' {
		return k != 0 && d.violate(e.base, "element must be an object, not "+kindName(k)) && d.skip(dec)
	}
	d.token(dec)
	for d.peek(dec) != '}' {
		if d.err != nil {
			return false
		}
		raw, ok := d.value(dec)
		if !ok {
			return false
		}
		m := d.member(raw)
		switch {
		case e.limited || m != mType && m != mPageBreak && (m != mCaption && m != mData || !e.wants(m)):
			if !d.skip(dec) { // unknown, or not read for this type: not held
				return false
			}
		case m == mData:
			if k := d.peek(dec); k != '{' {
				e.h.data = k
				if !d.skip(dec) {
					return false
				}
				continue
			}
			e.h.data = '{'
			if !e.data(len(raw), yield) {
				return false
			}
		default:
			s, ok := e.scalar(len(raw))
			if !ok {
				return false
			}
			if m == mType {
				e.h.typ = s
				continue
			}
			if m == mPageBreak {
				e.h.pageBreak = s
				if e.streamed != nil && !e.violate(e.base+"/pageBreak", "pageBreak must come before data.rows, since rows are read as a stream") {
					return false
				}
				continue
			}
			e.h.caption = s
			if e.streamed != nil && !e.limited && !e.violate(e.base+"/caption", "caption must come before data.rows, since rows are read as a stream") {
				return false
			}
		}
	}
	if !d.token(dec) {
		return false
	}
	if e.limited {
		return d.err == nil // dropped, reported
	}
	if e.streamed != nil || e.rejected {
		return e.check()
	}
	before := e.bad
	el, ok := d.convert(e.base, &e.h, e.violate)
	if !ok {
		return false
	}
	converted := el != nil && e.bad == before
	if t, isTable := el.(*Table); isTable && converted && !e.footer(t) {
		return false
	}
	if !e.check() {
		return false
	}
	if !converted {
		return true // dropped, reported
	}
	t, isTable := el.(*Table)
	if !isTable && e.rows != nil && !d.skip(jsontext.NewDecoder(e.rows.reader())) {
		return false // held rows of a non-table: checked for depth
	}
	if isTable {
		if e.rows == nil {
			return e.violate(e.base+"/data", "table data has no rows member")
		}
		t.rr = &rowReader{d: d, dec: jsontext.NewDecoder(e.rows.reader()), t: t, base: e.base + "/data/rows/", depthOffset: 4}
	}
	if !yield(el, nil) {
		d.halted = true
		return false
	}
	if isTable {
		return t.rr.drain()
	}
	return true
}

// scalar reads the value of a held member that must be a string, a number,
// a boolean or null; name is the length of its raw name. Past MaxHeader it
// is not held, and its kind is 0.
func (e *elemReader) scalar(name int, known ...string) (scalar, bool) {
	d, dec := e.d, e.dec
	switch k := d.peek(dec); k {
	case 0:
		return scalar{}, false
	case '{', '[':
		if !d.skip(dec) {
			return scalar{}, false
		}
		if !e.hold(name + 4) {
			return scalar{}, d.err == nil
		}
		return scalar{kind: k}, true
	}
	raw, ok := d.value(dec)
	if !ok {
		return scalar{}, false
	}
	if !e.hold(name + len(raw) + 2) {
		return scalar{}, d.err == nil
	}
	return scalarOf(raw, known...), true
}

// data reads an element's data object, streaming the rows of a table whose
// header is known, and holding them otherwise.
func (e *elemReader) data(name int, yield func(Element, error) bool) bool {
	d, dec := e.d, e.dec
	d.token(dec)
	e.hold(name + 4)
	for d.peek(dec) != '}' {
		if d.err != nil {
			return false
		}
		raw, ok := d.value(dec)
		if !ok {
			return false
		}
		m := d.member(raw)
		if m != mRows || d.peek(dec) != '[' {
			if !e.dataMember(m, len(raw)) {
				return false
			}
			continue
		}
		e.h.rows = '['
		typ, typed := e.h.typeName()
		switch {
		case e.limited || typed && typ != "table":
			if !d.skip(dec) { // rows of a non-table: an unknown member
				return false
			}
		case typed && e.h.columns != 0:
			before := e.bad
			el, ok := d.convert(e.base, &e.h, e.violate)
			t, _ := el.(*Table)
			if !ok || t == nil || e.bad != before {
				e.rejected = true
				if d.err != nil || !d.skip(dec) {
					return false
				}
				break
			}
			t.rr = &rowReader{d: d, dec: dec, t: t, base: e.base + "/data/rows/", tail: e.tail}
			e.streamed = t
			if !e.footer(t) {
				return false
			}
			if !yield(t, nil) {
				d.halted = true
				return false
			}
			// The row reader reads the rest of data, its end included.
			return t.rr.drain() && t.rr.finish()
		default:
			if !e.holdRows() {
				return false
			}
		}
	}
	return d.token(dec)
}

// holdRows reads rows that come before the table's header is known and
// holds them, up to MaxHeldRows.
func (e *elemReader) holdRows() bool {
	d, dec := e.d, e.dec
	d.token(dec)
	h := &heldRows{}
	h.write([]byte("["))
	for i := 0; ; i++ {
		switch d.peek(dec) {
		case 0:
			return false
		case ']':
			h.write([]byte("]"))
			e.rows = h
			return d.token(dec)
		}
		raw, ok := d.value(dec)
		if !ok {
			// As in a streamed row (see rowReader.parse), point at the row.
			row := e.base + "/data/rows/" + strconv.Itoa(i)
			if v, isV := d.err.(*Violation); isV && strings.HasPrefix(v.Pointer, row+"/") {
				v.Pointer = row
			}
			return false
		}
		if h.n+1+len(raw) > MaxHeldRows {
			e.limit(e.base+"/data/rows/"+strconv.Itoa(i), e.heldRowsMessage())
			return d.endArray(dec)
		}
		if i > 0 {
			h.write([]byte(","))
		}
		h.write(raw)
	}
}

// heldRowsMessage says that held rows passed MaxHeldRows, and which members
// to move so that they stream.
func (e *elemReader) heldRowsMessage() string {
	what, fix := "type and columns", `put "type" before "data", and "columns" before "rows"`
	if _, typed := e.h.typeName(); typed {
		what, fix = "columns", `put "columns" before "rows"`
	} else if e.h.columns != 0 {
		what, fix = "type", `put "type" before "data"`
	}
	return fmt.Sprintf("rows that come before the table's %s are held in memory, and these pass %d MiB: %s so that rows stream", what, MaxHeldRows>>20, fix)
}

// heldRows are the rows of a table held until its header is known: the JSON
// text of the rows array, in chunks, so that holding more never copies what
// is held.
type heldRows struct {
	chunks [][]byte
	n      int // bytes held
}

// heldChunk is the size of the chunks of held rows. The first doubles as it
// fills, so that a few rows cost little; the others are made whole.
const heldChunk = 1 << 20

func (h *heldRows) write(p []byte) {
	h.n += len(p)
	for len(p) > 0 {
		last := len(h.chunks) - 1
		if last < 0 || len(h.chunks[last]) == heldChunk {
			var c []byte
			if last >= 0 {
				c = make([]byte, 0, heldChunk)
			}
			h.chunks = append(h.chunks, c)
			last++
		}
		c := h.chunks[last]
		k := min(len(p), heldChunk-len(c))
		if len(c)+k > cap(c) {
			c = append(make([]byte, 0, min(heldChunk, max(2*cap(c), len(c)+k, 512))), c...)
		}
		h.chunks[last] = append(c, p[:k]...)
		p = p[k:]
	}
}

// reader returns a reader of the held rows.
func (h *heldRows) reader() io.Reader {
	rs := make([]io.Reader, len(h.chunks))
	for i, c := range h.chunks {
		rs[i] = bytes.NewReader(c)
	}
	return io.MultiReader(rs...)
}

// tail reads the members of data after streamed rows, and its end.
func (e *elemReader) tail() bool {
	d, dec := e.d, e.dec
	for d.peek(dec) != '}' {
		if d.err != nil {
			return false
		}
		raw, ok := d.value(dec)
		if !ok || !e.dataMember(d.member(raw), len(raw)) {
			return false
		}
	}
	return d.token(dec)
}

// dataMember reads member m of data, other than rows to stream or hold;
// name is the length of its raw name.
func (e *elemReader) dataMember(m, name int) bool {
	d, dec := e.d, e.dec
	if m < mColumns || m == mPageBreak || !e.wants(m) {
		return d.skip(dec) // unknown: ignored, not held
	}
	switch m {
	case mRows: // not an array
		e.h.rows = d.peek(dec)
		return d.skip(dec)
	case mFooter:
		return e.readFooter(name)
	case mItems:
		return e.readItems(name)
	case mColumns:
		if e.h.columns = d.peek(dec); e.h.columns != '[' {
			return d.skip(dec)
		}
		return e.columns(name)
	case mText:
		if typ, _ := e.h.typeName(); d.peek(dec) == '[' && typ != "heading" {
			e.h.text = scalar{kind: '['}
			return e.runs(name)
		}
	}
	s, ok := e.scalar(name)
	if !ok {
		return false
	}
	switch m {
	case mSource:
		e.h.source = s
		if e.streamed != nil && !e.limited {
			if s.kind != '"' && !e.violate(e.base+"/data/sourceBusinessObject", "sourceBusinessObject must be a string, not "+kindName(s.kind)) {
				return false
			}
			e.streamed.Source = s.str()
		}
	case mText:
		e.h.text = s
	case mLevel:
		e.h.level = s
	}
	return true
}

// readFooter reads data.footer, holding its text until the table's columns
// are known (counted against MaxHeader as compact JSON), and parses it at
// once when they are.
func (e *elemReader) readFooter(name int) bool {
	d, dec := e.d, e.dec
	if e.h.footerKind = d.peek(dec); e.h.footerKind != '[' {
		if e.streamed != nil && !e.limited && e.h.footerKind != 0 && !e.violate(e.base+"/data/footer", "footer must be an array of rows, not "+kindName(e.h.footerKind)) {
			return false
		}
		return d.skip(dec)
	}
	raw, ok := e.holdArray(name)
	if !ok || raw == nil {
		return ok
	}
	e.h.footerRaw = raw
	if e.streamed != nil {
		return e.footer(e.streamed)
	}
	return true
}

// readItems reads data.items, holding its text (counted against MaxHeader
// as compact JSON) until the element's type is known.
func (e *elemReader) readItems(name int) bool {
	d, dec := e.d, e.dec
	if e.h.itemsKind = d.peek(dec); e.h.itemsKind != '[' {
		return d.skip(dec)
	}
	raw, ok := e.holdArray(name)
	if raw != nil {
		e.h.itemsRaw = raw
	}
	return ok
}

// holdArray reads the array at the decoder and returns a copy of it as
// compact JSON, counted against MaxHeader with its member name (name bytes
// long); nil when the head is limited or would hold too much. ok is false
// when decoding must end.
func (e *elemReader) holdArray(name int) (raw jsontext.Value, ok bool) {
	d := e.d
	v, ok := d.value(e.dec)
	if !ok {
		return nil, false
	}
	if e.limited {
		return nil, true
	}
	v = append(jsontext.Value(nil), v...)
	if err := v.Compact(); err != nil {
		d.fatal(err)
		return nil, false
	}
	if !e.hold(name + len(v) + 1) {
		return nil, d.err == nil
	}
	return v, true
}

// parseItems parses the items of a fields element from their compact JSON
// text, at (the pointer of data.items). It returns the first violation, or
// nil.
func parseItems(at string, raw []byte) ([]Field, *Violation) {
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	bad := func(ptr, msg string) ([]Field, *Violation) { return nil, &Violation{Pointer: ptr, Message: msg} }
	if _, err := dec.ReadToken(); err != nil {
		return bad(at, err.Error())
	}
	items := []Field{}
	for j := 0; dec.PeekKind() != ']'; j++ {
		ptr := at + "/" + strconv.Itoa(j)
		if k := dec.PeekKind(); k != '{' {
			if msg := skipDeep(dec, ptr); msg != "" {
				return bad(ptr, msg)
			}
			return bad(ptr, "item must be an object, not "+kindName(k))
		}
		dec.ReadToken()
		var label, value, format, link jsontext.Value
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return bad(ptr, err.Error())
			}
			var dst *jsontext.Value
			switch tok.String() {
			case "label":
				dst = &label
			case "value":
				dst = &value
			case "format":
				dst = &format
			case "link":
				dst = &link
			default:
				if msg := skipDeep(dec, ptr); msg != "" {
					return bad(ptr, msg)
				}
				continue
			}
			if k := dec.PeekKind(); k == '{' || k == '[' {
				if msg := skipDeep(dec, ptr); msg != "" {
					return bad(ptr, msg)
				}
				*dst = jsontext.Value{byte(k)}
				continue
			}
			v, err := dec.ReadValue()
			if err != nil {
				return bad(ptr, err.Error())
			}
			*dst = append(jsontext.Value(nil), v...)
		}
		dec.ReadToken()
		var f Field
		switch {
		case label == nil:
			return bad(ptr, "item has no label member")
		case label.Kind() != '"':
			return bad(ptr+"/label", "label must be a string, not "+kindName(label.Kind()))
		}
		f.Label = unquote(label)
		switch k := value.Kind(); {
		case value == nil:
			return bad(ptr, "item has no value member")
		case k == '"':
			f.Value = String(unquote(value))
		case k == '0':
			if !ValidNumber(value) {
				return bad(ptr+"/value", fmt.Sprintf("%q is not a JSON number within the range of a float64", clip(string(value))))
			}
			f.Value = Value{kind: KindNumber, text: value}
		case k == 't' || k == 'f':
			f.Value = Bool(k == 't')
		case k == 'n':
		default:
			return bad(ptr+"/value", "a value must be a string, a number, a boolean or null, not "+kindName(k))
		}
		if format != nil {
			if format.Kind() != '"' {
				return bad(ptr+"/format", "format must be a string, not "+kindName(format.Kind()))
			}
			text := unquote(format)
			if hasControl(text) {
				return bad(ptr+"/format", controlMessage(text))
			}
			code, err := numfmt.Parse(text)
			if err != nil {
				msg := err.Error()
				var se *numfmt.SyntaxError
				if errors.As(err, &se) {
					msg = se.Msg
				}
				return bad(ptr+"/format", fmt.Sprintf("format %q: %s", clip(text), msg))
			}
			f.Format = code
		}
		if link != nil {
			if link.Kind() != '"' {
				return bad(ptr+"/link", "link must be a string, not "+kindName(link.Kind()))
			}
			l := unquote(link)
			if !safeurl.Link(l) {
				return bad(ptr+"/link", linkMessage(l))
			}
			f.Value = f.Value.WithLink(l)
		}
		items = appendDoubling(items, f)
	}
	return items, nil
}

// itemsDepth is the depth of data.items in the document, which a decoder
// of the items alone lacks.
const itemsDepth = 4

// skipDeep skips the next value of an items decoder, holding its nesting
// to MaxDepth; it returns a message when the value nests deeper.
func skipDeep(dec *jsontext.Decoder, at string) string {
	depth := dec.StackDepth()
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return err.Error()
		}
		if k := tok.Kind(); (k == '{' || k == '[') && dec.StackDepth()+itemsDepth > MaxDepth {
			return fmt.Sprintf("nesting is deeper than %d levels", MaxDepth)
		}
		if dec.StackDepth() == depth {
			return ""
		}
	}
}

// footer parses the footer held in the head into t.Footer: its valid rows,
// each checked like a row but for the column types, since a footer's cells
// may hold anything (a label in a number column). A footer with a
// violation keeps its valid rows, and the element is not held to the
// schema.
func (e *elemReader) footer(t *Table) bool {
	d := e.d
	raw := e.h.footerRaw
	if raw == nil {
		return d.err == nil
	}
	e.h.footerRaw = nil
	before := d.violations
	rr := &rowReader{d: d, dec: jsontext.NewDecoder(bytes.NewReader(raw)), t: t, base: e.base + "/data/footer/", depthOffset: 4, footer: true}
	rows := []Row{}
	for {
		row, ok := rr.next()
		if !ok {
			break
		}
		rows = append(rows, row.Clone())
	}
	if d.violations != before {
		e.bad = true
	}
	t.Footer, e.h.footer = rows, rows
	return d.err == nil
}

// endArray reads up to and past the end of an array.
func (d *decoder) endArray(dec *jsontext.Decoder) bool {
	for {
		switch d.peek(dec) {
		case 0:
			return false
		case ']':
			return d.token(dec)
		}
		if !d.skip(dec) {
			return false
		}
	}
}

// columns reads a table's columns into the head, up to MaxColumns; name is
// the length of the raw member name.
func (e *elemReader) columns(name int) bool {
	return readList(e, name, MaxColumns, &e.h.colFault, "/data/columns/",
		fmt.Sprintf("a table may have at most %d columns (Excel's limit), and this one has more", MaxColumns),
		e.column, &e.h.cols)
}

// readList reads the array of a head member whose raw name is name bytes
// long, reading its items with item into *list. Past max items, the
// message msg is the fault (at base+at+index) and the rest is skipped.
func readList[T any](e *elemReader, name, max int, f **Violation, at, msg string, item func(int) (T, bool), list *[]T) bool {
	d, dec := e.d, e.dec
	d.token(dec)
	e.hold(name + 4)
	for j := 0; ; j++ {
		switch d.peek(dec) {
		case 0:
			return false
		case ']':
			return d.token(dec)
		}
		if j == max {
			e.tooMany(f, at+strconv.Itoa(j), msg)
			return d.endArray(dec)
		}
		v, ok := item(j)
		if !ok {
			return false
		}
		if e.limited {
			return d.endArray(dec)
		}
		*list = appendDoubling(*list, v)
	}
}

// appendDoubling appends v to s, doubling its capacity when it is full, so
// that growing it to n items allocates about 2n, not the 5n that append's
// gentler growth of large slices comes to.
func appendDoubling[T any](s []T, v T) []T {
	if len(s) == cap(s) {
		s = slices.Grow(s, max(len(s), 8))
	}
	return append(s, v)
}

// tooMany records that an array of columns or runs has more items than its
// limit allows, at the first item past it (at, after the element's pointer);
// the rest are skipped. While the element's type is
// not known, the array may be a member that its type does not read, so it
// is the array's fault, reported if the type reads it; once the type is
// known, it is a violation now.
func (e *elemReader) tooMany(f **Violation, at, msg string) {
	ptr := func() string { return e.base + at }
	if _, known := e.h.typeName(); known {
		e.limit(ptr(), msg)
		return
	}
	fault(f, ptr, msg)
}

// column reads column j, recording the first fault of the table's columns.
func (e *elemReader) column(j int) (Column, bool) {
	d, dec := e.d, e.dec
	ptr := func() string { return e.base + "/data/columns/" + strconv.Itoa(j) }
	if k := d.peek(dec); k != '{' {
		fault(&e.h.colFault, ptr, "column must be an object, not "+kindName(k))
		return Column{}, d.skip(dec)
	}
	d.token(dec)
	e.hold(3)
	var caption, typ, align, format, total, link scalar
	for d.peek(dec) != '}' {
		if d.err != nil {
			return Column{}, false
		}
		raw, ok := d.value(dec)
		if !ok {
			return Column{}, false
		}
		var dst *scalar
		switch {
		case d.nameIs(raw, "caption"):
			dst = &caption
		case d.nameIs(raw, "type"):
			dst = &typ
		case d.nameIs(raw, "align"):
			dst = &align
		case d.nameIs(raw, "format"):
			dst = &format
		case d.nameIs(raw, "total"):
			dst = &total
		case d.nameIs(raw, "link"):
			dst = &link
		default:
			if !d.skip(dec) { // unknown: ignored, not held
				return Column{}, false
			}
			continue
		}
		if *dst, ok = e.scalar(len(raw), columnNames...); !ok {
			return Column{}, false
		}
	}
	if !d.token(dec) {
		return Column{}, false
	}
	c := Column{Caption: caption.str(), Type: ColumnType(typ.str()), Align: Align(align.str())}
	switch {
	case caption.kind == 0:
		fault(&e.h.colFault, ptr, "column has no caption member")
	case caption.kind != '"':
		fault(&e.h.colFault, func() string { return ptr() + "/caption" }, "caption must be a string, not "+kindName(caption.kind))
	}
	if typ.kind != 0 && (typ.kind != '"' || c.Type == TypeAny || !isColumnType(c.Type)) {
		fault(&e.h.colFault, func() string { return ptr() + "/type" }, "column type must be one of string, number, boolean, date and datetime, not "+typ.describe())
	}
	if align.kind != 0 && (align.kind != '"' || c.Align == AlignAuto || !isAlign(c.Align)) {
		fault(&e.h.colFault, func() string { return ptr() + "/align" }, "align must be one of left, center and right, not "+align.describe())
	}
	if format.kind != 0 {
		at := func() string { return ptr() + "/format" }
		if format.kind != '"' {
			fault(&e.h.colFault, at, "format must be a string, not "+kindName(format.kind))
		} else if hasControl(format.text) {
			fault(&e.h.colFault, at, controlMessage(format.text))
		} else if code, err := numfmt.Parse(format.text); err != nil {
			msg := err.Error()
			var se *numfmt.SyntaxError
			if errors.As(err, &se) {
				msg = se.Msg
			}
			fault(&e.h.colFault, at, fmt.Sprintf("format %q: %s", clip(format.text), msg))
		} else if msg := formatMismatch(c.Type, code); msg != "" && isColumnType(c.Type) {
			fault(&e.h.colFault, at, msg)
		} else {
			c.Format = code
		}
	}
	if total.kind != 0 {
		c.Total = Total(total.str())
		at := func() string { return ptr() + "/total" }
		switch {
		case total.kind != '"' || c.Total == TotalNone || !isTotal(c.Total):
			fault(&e.h.colFault, at, "total must be one of sum, count, min, max and mean, not "+total.describe())
		case isColumnType(c.Type):
			if msg := totalMismatch(c.Type, c.Total); msg != "" {
				fault(&e.h.colFault, at, msg)
			}
		}
	}
	if link.kind != 0 {
		at := func() string { return ptr() + "/link" }
		switch {
		case link.kind != '"':
			fault(&e.h.colFault, at, "link must be a string, not "+kindName(link.kind))
		case !safeurl.Template(link.text):
			fault(&e.h.colFault, at, templateMessage(link.text))
		default:
			c.Link = link.text
		}
	}
	return c, true
}

func isTotal(t Total) bool {
	switch t {
	case TotalSum, TotalCount, TotalMin, TotalMax, TotalMean:
		return true
	}
	return false
}

// columnNames are the column types and alignments, which column members
// take without a copy of their own.
var columnNames = []string{"string", "number", "boolean", "date", "datetime", "left", "center", "right", "sum", "count", "min", "max", "mean"}

// runs reads a paragraph's text runs into the head, up to MaxRuns; name is
// the length of the raw member name.
func (e *elemReader) runs(name int) bool {
	return readList(e, name, MaxRuns, &e.h.runFault, "/data/text/",
		fmt.Sprintf("a paragraph may have at most %d text runs, and this one has more; split it into several paragraphs", MaxRuns),
		e.run, &e.h.runs)
}

// run reads text run j, recording the first fault of the paragraph's runs.
func (e *elemReader) run(j int) (Run, bool) {
	d, dec := e.d, e.dec
	ptr := func() string { return e.base + "/data/text/" + strconv.Itoa(j) }
	if k := d.peek(dec); k != '{' {
		fault(&e.h.runFault, ptr, "text run must be an object, not "+kindName(k))
		return Run{}, d.skip(dec)
	}
	d.token(dec)
	e.hold(3)
	var value, markdown scalar
	for d.peek(dec) != '}' {
		if d.err != nil {
			return Run{}, false
		}
		raw, ok := d.value(dec)
		if !ok {
			return Run{}, false
		}
		var dst *scalar
		switch {
		case d.nameIs(raw, "value"):
			dst = &value
		case d.nameIs(raw, "markdown"):
			dst = &markdown
		default:
			if !d.skip(dec) { // unknown: ignored, not held
				return Run{}, false
			}
			continue
		}
		if *dst, ok = e.scalar(len(raw)); !ok {
			return Run{}, false
		}
	}
	if !d.token(dec) {
		return Run{}, false
	}
	switch {
	case value.kind == 0:
		fault(&e.h.runFault, ptr, "text run has no value member")
	case value.kind != '"':
		fault(&e.h.runFault, func() string { return ptr() + "/value" }, "text value must be a string, not "+kindName(value.kind))
	}
	if markdown.kind != 0 && markdown.kind != 't' && markdown.kind != 'f' {
		fault(&e.h.runFault, func() string { return ptr() + "/markdown" }, "markdown must be a boolean, not "+kindName(markdown.kind))
	}
	return Run{Text: value.str(), Markdown: markdown.kind == 't'}, true
}

// check runs the Check option on an element without violations.
func (e *elemReader) check() bool {
	d := e.d
	if d.opts.Check == nil || e.bad {
		return d.err == nil
	}
	for _, v := range d.opts.Check(e.base, e.h.generic()) {
		if !e.violate(v.Pointer, v.Message) {
			return false
		}
	}
	return d.err == nil
}

// generic returns the head of a valid element as a generic JSON value, for
// the Check option: the members its type reads, as they were read (members
// of other types of element, which the schema does not constrain, are left
// out), and rows as an empty array.
func (h *head) generic() map[string]any {
	el := map[string]any{"type": h.typ.generic()}
	data := map[string]any{}
	el["data"] = data
	put := func(m map[string]any, name string, s scalar) {
		if s.kind != 0 {
			m[name] = s.generic()
		}
	}
	put(el, "pageBreak", h.pageBreak)
	switch h.typ.text {
	case "table":
		put(el, "caption", h.caption)
		put(data, "sourceBusinessObject", h.source)
		cols := make([]any, len(h.cols))
		for j, c := range h.cols {
			m := map[string]any{"caption": c.Caption}
			if c.Type != TypeAny {
				m["type"] = string(c.Type)
			}
			if c.Align != AlignAuto {
				m["align"] = string(c.Align)
			}
			if c.Format != nil {
				m["format"] = c.Format.String()
			}
			if c.Total != TotalNone {
				m["total"] = string(c.Total)
			}
			if c.Link != "" {
				m["link"] = c.Link
			}
			cols[j] = m
		}
		data["columns"] = cols
		if h.rows != 0 {
			data["rows"] = []any{}
		}
		if h.footer != nil {
			rows := make([]any, len(h.footer))
			for k, r := range h.footer {
				cells := make([]any, len(r.Cells))
				for j, v := range r.Cells {
					c := map[string]any{"value": v.generic()}
					if v.link != "" {
						c["link"] = v.link
					}
					cells[j] = c
				}
				m := map[string]any{"cells": cells}
				if !r.SourceKey.IsNull() {
					m["sourceKey"] = r.SourceKey.generic()
				}
				rows[k] = m
			}
			data["footer"] = rows
		}
	case "paragraph":
		runs := make([]any, len(h.runs))
		for j, r := range h.runs {
			m := map[string]any{"value": r.Text}
			if r.Markdown {
				m["markdown"] = true
			}
			runs[j] = m
		}
		data["text"] = runs
	case "heading":
		put(data, "text", h.text)
		put(data, "level", h.level)
	case "fields":
		put(el, "caption", h.caption)
		items := make([]any, len(h.items))
		for j, f := range h.items {
			m := map[string]any{"label": f.Label, "value": f.Value.generic()}
			if f.Format != nil {
				m["format"] = f.Format.String()
			}
			if l := f.Value.link; l != "" {
				m["link"] = l
			}
			items[j] = m
		}
		data["items"] = items
	}
	return el
}

// convert builds an element from its head. It returns a nil element for an
// invalid one, and false if decoding must end. The checks come in a fixed
// order, and only the first that fails is reported.
func (d *decoder) convert(base string, h *head, violate func(string, string) bool) (Element, bool) {
	switch h.typ.kind {
	case 0:
		return nil, violate(base, "element has no type member")
	case '"':
	default:
		return nil, violate(base+"/type", "type must be a string, not "+kindName(h.typ.kind))
	}
	name := h.typ.text
	switch name {
	case "table", "paragraph", "heading", "fields":
	default:
		return nil, violate(base+"/type", fmt.Sprintf("unknown element type %q; the types are table, paragraph, heading and fields", clip(name)))
	}
	switch h.data {
	case 0:
		return nil, violate(base, name+" element has no data member")
	case '{':
	default:
		return nil, violate(base+"/data", "data must be an object, not "+kindName(h.data))
	}
	good := true
	fail := func(ptr, msg string) {
		if good {
			good = violate(ptr, msg)
		}
		good = false
	}
	failAt := func(v *Violation) { fail(v.Pointer, v.Message) }
	var blk Block
	if pb := h.pageBreak; pb.kind != 0 {
		if pb.kind != '"' || PageBreak(pb.text) != BreakBefore {
			fail(base+"/pageBreak", pageBreakMessage+", not "+pb.describe())
		} else {
			blk.PageBreak = BreakBefore
		}
	}
	switch name {
	case "table":
		t := &Table{Block: blk, Caption: h.caption.str(), Source: h.source.str()}
		if k := h.caption.kind; k != 0 && k != '"' {
			fail(base+"/caption", "caption must be a string, not "+kindName(k))
		}
		if k := h.source.kind; k != 0 && k != '"' {
			fail(base+"/data/sourceBusinessObject", "sourceBusinessObject must be a string, not "+kindName(k))
		}
		switch {
		case h.columns == 0:
			fail(base+"/data", "table data has no columns member")
		case h.columns != '[':
			fail(base+"/data/columns", "columns must be an array, not "+kindName(h.columns))
		case h.colFault != nil:
			failAt(h.colFault)
		case len(h.cols) == 0:
			fail(base+"/data/columns", "a table needs at least one column")
		default:
			t.Columns = h.cols
		}
		if h.rows != 0 && h.rows != '[' {
			fail(base+"/data/rows", "rows must be an array, not "+kindName(h.rows))
		}
		if h.footerKind != 0 && h.footerKind != '[' {
			fail(base+"/data/footer", "footer must be an array of rows, not "+kindName(h.footerKind))
		}
		if !good {
			return nil, d.err == nil
		}
		return t, true
	case "paragraph":
		p := &Paragraph{Block: blk}
		switch {
		case h.text.kind == 0:
			fail(base+"/data", "paragraph data has no text member")
		case h.text.kind != '[':
			fail(base+"/data/text", "text must be an array of runs, not "+kindName(h.text.kind))
		case h.runFault != nil:
			failAt(h.runFault)
		default:
			p.Runs = h.runs
		}
		if !good {
			return nil, d.err == nil
		}
		return p, true
	case "fields":
		f := &Fields{Block: blk, Caption: h.caption.str()}
		if k := h.caption.kind; k != 0 && k != '"' {
			fail(base+"/caption", "caption must be a string, not "+kindName(k))
		}
		switch {
		case h.itemsKind == 0:
			fail(base+"/data", "fields data has no items member")
		case h.itemsKind != '[':
			fail(base+"/data/items", "items must be an array, not "+kindName(h.itemsKind))
		default:
			items, v := parseItems(base+"/data/items", h.itemsRaw)
			if v != nil {
				failAt(v)
			}
			f.Items, h.items = items, items
		}
		if !good {
			return nil, d.err == nil
		}
		return f, true
	default: // heading
		hd := &Heading{Block: blk, Level: 1}
		switch {
		case h.text.kind == 0:
			fail(base+"/data", "heading data has no text member")
		case h.text.kind != '"':
			fail(base+"/data/text", "heading text must be a string, not "+kindName(h.text.kind))
		default:
			hd.Text = h.text.text
		}
		if lv := h.level; lv.kind != 0 {
			f, err := strconv.ParseFloat(lv.text, 64)
			if lv.kind != '0' || err != nil || f != math.Trunc(f) || f < 1 || f > 6 {
				fail(base+"/data/level", "level must be a whole number from 1 to 6, not "+lv.describe())
			} else {
				hd.Level = int(f)
			}
		}
		if !good {
			return nil, d.err == nil
		}
		return hd, true
	}
}

func isColumnType(t ColumnType) bool {
	for _, c := range columnTypes {
		if c == t {
			return true
		}
	}
	return false
}

func isAlign(a Align) bool {
	for _, c := range aligns {
		if c == a {
			return true
		}
	}
	return false
}
