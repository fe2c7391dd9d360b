package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/foliorender/folio/numfmt"
	"github.com/go-json-experiment/json/jsontext"
)

// ReadOptions adjust [ReadWith].
type ReadOptions struct {
	// Report, when set, receives every violation, and decoding goes on past
	// those that leave the input readable: the element or row at fault is
	// dropped and the iterators yield only errors that end decoding (syntax
	// errors, a reader's error). When Report is nil, the first violation
	// ends decoding and is yielded as a [*Violation].
	Report func(Violation)

	// Check, when set, is called with each element, and then with the
	// document's own members, as a generic JSON value (map[string]any,
	// []any, string, json.Number, bool, nil) once they are read: what the
	// decoder read of them, which is the members the element's type uses
	// (unknown members, and those of other types of element, are skipped,
	// not held), with table rows left out (an empty array) and elements
	// left out of the document (an empty array). The generic value is built
	// from the decoded element, after the decoder's limits have applied.
	// The violations it returns count as the decoder's. It is not called for
	// an element in which the decoder found violations. The schema package
	// uses it to hold documents to the JSON Schema.
	Check func(pointer string, v any) []Violation

	// Rows, when set, is incremented for each table row decoded (footer
	// rows and rows with violations excepted), so that another goroutine
	// can show how far decoding has come.
	Rows *atomic.Int64
}

// Read returns a document that is decoded from r as it is read: see
// [Document.Elements]. Decoding is strict: r must hold one JSON object in
// UTF-8 with no duplicate member names, nesting no deeper than [MaxDepth],
// and nothing after it but whitespace; it must be a report as the JSON Schema
// describes, with one cell per column in every row. Unknown members are
// ignored. Numbers keep their exact text.
//
// Streaming holds when a document names its title, locale and page before its
// elements, and a table names its type, caption and columns before its
// rows, which is the order folio writes; a table's footer may come before
// or after its rows (it is held, and known once the rows are read). A table
// whose rows come before its type or columns has its rows held in memory
// until they are known, up to [MaxHeldRows]; a title, locale or page after the
// elements, or a caption after the rows of a table whose type and columns
// came first, is a violation, since renderers have already written the
// start of the output. What else the decoder holds is bounded too, by
// [MaxColumns], [MaxRuns] and [MaxHeader]: a document past a limit is
// invalid.
func Read(r io.Reader) *Document { return ReadWith(r, ReadOptions{}) }

// ReadWith is [Read] with options.
func ReadWith(r io.Reader, opts ReadOptions) *Document {
	src := &errReader{r: r}
	if !scanRows {
		return &Document{dec: &decoder{dec: jsontext.NewDecoder(src), src: src, opts: opts}}
	}
	f := &feed{src: src}
	d := &decoder{dec: jsontext.NewDecoder(f), src: src, feed: f, opts: opts}
	return &Document{dec: d}
}

// errReader remembers the reader's error, so that decoding reports it as
// the reader's, whatever jsontext wraps it in.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

type decoder struct {
	dec        *jsontext.Decoder
	src        *errReader
	feed       *feed // what dec reads src through: see scan.go
	opts       ReadOptions
	err        error  // the error that ended decoding
	title      scalar // the document's title as read
	lang       scalar // the document's locale as read
	locale     *numfmt.Locale
	page       *Page // the document's page member, when valid
	elems      bool  // the document has an elements member
	inElem     bool  // the elements array is open
	pro        bool  // prologue read
	nEl        int   // elements read
	halted     bool  // the consumer stopped the elements loop
	violations int   // violations reported so far
	scrap      []byte
	batches    []*batch // of pipelined rows (pipeline.go), made once
}

// fatal records err as the end of decoding.
func (d *decoder) fatal(err error) {
	if d.err == nil {
		d.err = err
	}
}

// violate records a violation. It reports whether decoding goes on.
func (d *decoder) violate(ptr, msg string) bool {
	if d.err != nil {
		return false
	}
	d.violations++
	if d.opts.Report != nil {
		d.opts.Report(Violation{Pointer: ptr, Message: msg})
		return true
	}
	d.fatal(&Violation{Pointer: ptr, Message: msg})
	return false
}

// readErr turns an error from jsontext into the decoder's error.
func (d *decoder) readErr(dec *jsontext.Decoder, err error) {
	var se *jsontext.SyntacticError
	switch {
	case d.src != nil && d.src.err != nil:
		d.fatal(fmt.Errorf("report: reading input: %w", d.src.err))
	case errors.As(err, &se) && !errors.Is(se.Err, io.ErrUnexpectedEOF):
		msg := strings.TrimPrefix(se.Err.Error(), "jsontext: ")
		ptr := wholeValuePointer(knownPointer(string(se.JSONPointer)), string(dec.StackPointer()))
		d.fatal(&Violation{Pointer: ptr, Message: fmt.Sprintf("%s (at byte %d)", msg, d.offset(dec, se.ByteOffset))})
	case errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF:
		d.fatal(&Violation{Pointer: string(dec.StackPointer()), Message: fmt.Sprintf("the document ends too early, at byte %d", d.endOffset(dec))})
	default:
		d.fatal(fmt.Errorf("report: reading input: %w", err))
	}
}

// knownPointer cuts a pointer from jsontext at its first empty member name:
// inside a value read whole, jsontext knows array indices but not member
// names ("/rows/1//0"), so the part before is all that is known.
func knownPointer(p string) string {
	if i := strings.Index(p, "//"); i >= 0 {
		p = p[:i]
	}
	return strings.TrimSuffix(p, "/")
}

// wholeValuePointer cuts the pointer p of an error inside a value read
// whole to that value, or the array element of it where the error is:
// within such a value jsontext takes member names from its buffer as they
// were before a refill it may have done since, so names past the value's
// own can be wrong ("/footer/0/a/2" for "/footer/0/0/2", depending on how
// the input arrived), while indices are counted. stack is the decoder's
// stack pointer, where the value began: the value is the next element of
// the array at stack's parent, or the first of the array at stack, or the
// value of the member stack names. The message's byte offset still says
// where the error is.
func wholeValuePointer(p, stack string) string {
	if strings.HasPrefix(p, stack+"/") { // the member's value, or the array's first element
		rest := p[len(stack)+1:]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		if strings.Trim(rest, "0123456789") != "" {
			return stack // a member name, as read
		}
		return stack + "/" + rest
	}
	parent := stack[:max(strings.LastIndexByte(stack, '/'), 0)]
	if !strings.HasPrefix(p, parent+"/") {
		return p
	}
	rest := p[len(parent)+1:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return parent + "/" + rest[:i]
	}
	return p
}

// peek returns the kind of the next token, or 0 after recording the error
// that prevents reading it.
func (d *decoder) peek(dec *jsontext.Decoder) jsontext.Kind {
	if d.err != nil {
		return 0
	}
	if k := dec.PeekKind(); k != 0 {
		return k
	}
	_, err := dec.ReadToken()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	d.readErr(dec, err)
	return 0
}

func (d *decoder) token(dec *jsontext.Decoder) bool {
	if d.err != nil {
		return false
	}
	tok, err := dec.ReadToken()
	if err != nil {
		d.readErr(dec, err)
		return false
	}
	if k := tok.Kind(); (k == '{' || k == '[') && dec.StackDepth() > MaxDepth {
		d.fatal(&Violation{Pointer: string(dec.StackPointer()), Message: fmt.Sprintf("nesting is deeper than %d levels", MaxDepth)})
		return false
	}
	return true
}

func (d *decoder) value(dec *jsontext.Decoder) (jsontext.Value, bool) {
	if d.err != nil {
		return nil, false
	}
	v, err := dec.ReadValue()
	if err != nil {
		d.readErr(dec, err)
		return nil, false
	}
	return v, true
}

// name reads an object member name.
func (d *decoder) name(dec *jsontext.Decoder) (string, bool) {
	raw, ok := d.value(dec)
	if !ok {
		return "", false
	}
	return unquote(raw), true
}

func unquote(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	b, _ := jsontext.AppendUnquote(nil, raw)
	return string(b)
}

// nameIs reports whether the raw member name equals s.
func (d *decoder) nameIs(raw []byte, s string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1:len(raw)-1]) == s
	}
	d.scrap, _ = jsontext.AppendUnquote(d.scrap[:0], raw)
	return string(d.scrap) == s
}

// skip reads past the next value, holding nesting to MaxDepth.
func (d *decoder) skip(dec *jsontext.Decoder) bool {
	switch d.peek(dec) {
	case 0:
		return false
	case '{', '[':
		depth := dec.StackDepth()
		for d.token(dec) {
			if dec.StackDepth() == depth {
				return true
			}
		}
		return false
	default:
		_, ok := d.value(dec)
		return ok
	}
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "nothing"
}

// prologue reads the document up to its elements.
func (d *decoder) prologue() {
	if d.pro {
		return
	}
	d.pro = true
	dec := d.dec
	switch k := dec.PeekKind(); k {
	case '{':
	case 0:
		if _, err := dec.ReadToken(); err == io.EOF {
			d.fatal(&Violation{Message: "the document is empty"})
		} else if err != nil {
			d.readErr(dec, err)
		}
		return
	default:
		if _, err := dec.ReadValue(); err != nil {
			d.readErr(dec, err)
			return
		}
		d.fatal(&Violation{Message: "the document must be a JSON object, not " + kindName(k)})
		return
	}
	d.token(dec)
	for d.peek(dec) != '}' && d.err == nil {
		name, _ := d.name(dec)
		switch {
		case name == "elements" && d.peek(dec) == '[':
			d.token(dec)
			d.inElem = true
			return
		case name == "elements":
			k := d.peek(dec)
			if !d.violate("/elements", "elements must be an array, not "+kindName(k)) || !d.skip(dec) {
				return
			}
			d.elems = true
		case name == "locale":
			if !d.readLocale(false) {
				return
			}
		case name == "page":
			if !d.readPage(false) {
				return
			}
		case name != "title":
			if !d.skip(dec) { // unknown: ignored, not held
				return
			}
		default:
			if !d.readTitle(false) {
				return
			}
		}
	}
	d.epilogue()
}

// readTitle reads the document's title, which is late after the elements.
// A title over MaxHeader is not held.
func (d *decoder) readTitle(late bool) bool {
	dec := d.dec
	s := scalar{kind: d.peek(dec)}
	switch s.kind {
	case 0:
		return false
	case '{', '[':
		if !d.skip(dec) {
			return false
		}
	default:
		raw, ok := d.value(dec)
		if !ok {
			return false
		}
		if len(raw) > MaxHeader {
			s.kind = 0
			d.violate("/title", fmt.Sprintf("the title is over %d MiB, more than folio holds in memory", MaxHeader>>20))
			break
		}
		s = scalarOf(raw)
	}
	d.title = s
	if late {
		d.violate("/title", "title must come before elements, since the document is read as a stream")
	}
	if s.kind != '"' && s.kind != 0 {
		d.violate("/title", "title must be a string, not "+kindName(s.kind))
	}
	return true
}

// readLocale reads the document's locale, which is late after the
// elements: renderers format cells with it as they stream.
func (d *decoder) readLocale(late bool) bool {
	dec := d.dec
	s := scalar{kind: d.peek(dec)}
	switch s.kind {
	case 0:
		return false
	case '{', '[':
		if !d.skip(dec) {
			return false
		}
	default:
		raw, ok := d.value(dec)
		if !ok {
			return false
		}
		if len(raw) > MaxHeader {
			d.violate("/locale", fmt.Sprintf("the locale is over %d MiB, more than folio holds in memory", MaxHeader>>20))
			return true
		}
		s = scalarOf(raw)
	}
	d.lang = s
	if late {
		d.violate("/locale", "locale must come before elements, since the document is read as a stream")
		return true
	}
	if s.kind != '"' {
		d.violate("/locale", "locale must be a string, not "+kindName(s.kind))
		return true
	}
	l, err := numfmt.ParseLocale(s.text)
	if err != nil || s.text == "" {
		d.violate("/locale", fmt.Sprintf("locale must be a BCP 47 language tag such as \"de-DE\", not %q", clip(s.text)))
		return true
	}
	d.locale = l
	return true
}

// epilogue reads the document after its elements and checks nothing follows.
func (d *decoder) epilogue() {
	dec := d.dec
	for d.peek(dec) != '}' && d.err == nil {
		name, _ := d.name(dec)
		switch name {
		case "title":
			if !d.readTitle(true) {
				return
			}
		case "locale":
			if !d.readLocale(true) {
				return
			}
		case "page":
			if !d.readPage(true) {
				return
			}
		default:
			if !d.skip(dec) { // unknown: ignored, not held
				return
			}
		}
	}
	if !d.token(dec) {
		return
	}
	if !d.elems {
		d.violate("", "the document has no elements member")
	} else if d.opts.Check != nil {
		top := map[string]any{"elements": []any{}}
		if d.title.kind != 0 {
			top["title"] = d.title.generic()
		}
		if d.lang.kind != 0 {
			top["locale"] = d.lang.generic()
		}
		if d.page != nil {
			top["page"] = d.page.generic()
		}
		for _, v := range d.opts.Check("", top) {
			d.violate(v.Pointer, v.Message)
		}
	}
	if _, err := dec.ReadToken(); err != io.EOF && d.err == nil {
		d.fatal(&Violation{Message: fmt.Sprintf("unexpected data after the document, at byte %d", d.offset(dec, dec.InputOffset()))})
	}
}

// elements runs the elements loop of Document.Elements.
func (d *decoder) elements(yield func(Element, error) bool) {
	d.prologue()
	if d.inElem {
		d.elems = true
		for d.peek(d.dec) != ']' && d.err == nil {
			if !d.element(d.nEl, yield) {
				break
			}
			d.nEl++
		}
		if d.err == nil && d.token(d.dec) {
			d.inElem = false
			d.epilogue()
		}
	}
	if d.err != nil && !d.halted {
		yield(nil, d.err)
	}
}

// typeMismatch says why v does not fit column c, or returns "".
func typeMismatch(c Column, v Value) string {
	if v.kind == KindNull || c.Type == TypeAny {
		return ""
	}
	want := KindString
	switch c.Type {
	case TypeNumber:
		want = KindNumber
	case TypeBoolean:
		want = KindBool
	}
	if v.kind != want {
		return fmt.Sprintf("column %q holds %s values, not %s", clip(c.Caption), c.Type, kindArticle(v.kind))
	}
	switch c.Type {
	case TypeDate:
		if !isDate(v.text) {
			return fmt.Sprintf("column %q holds dates like 2006-01-02, not %q", clip(c.Caption), clip(v.text))
		}
	case TypeDateTime:
		if _, err := time.Parse(time.RFC3339Nano, string(v.text)); err != nil {
			return fmt.Sprintf("column %q holds RFC 3339 date-times like 2006-01-02T15:04:05Z, not %q", clip(c.Caption), clip(v.text))
		}
	}
	return ""
}

func kindArticle(k Kind) string {
	switch k {
	case KindString:
		return "a string"
	case KindNumber:
		return "a number"
	case KindBool:
		return "a boolean"
	}
	return "null"
}

func isDate(b []byte) bool {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return false
	}
	_, err := time.Parse(time.DateOnly, string(b))
	return err == nil
}

// ParseDate parses the text of a date or datetime cell: a date is midnight
// UTC, a datetime keeps its offset.
func ParseDate(t ColumnType, v Value) (time.Time, error) {
	if t == TypeDate {
		return time.Parse(time.DateOnly, string(v.text))
	}
	return time.Parse(time.RFC3339Nano, string(v.text))
}

// A rowReader decodes the rows of one table.
type rowReader struct {
	d       *decoder
	dec     *jsontext.Decoder
	t       *Table
	base    string // "/elements/3/data/rows/"
	n       int    // index of the next row
	started bool
	done    bool
	tail    func() bool // reads the rest of the table's data after its rows
	footer  bool        // the rows are a footer: any value in any column, no totals
	// depthOffset is what the decoder's depth lacks of the document's:
	// 4 for rows held and read by a decoder of their own.
	depthOffset int
	atEnd       bool // the next token is the end of the rows
	maxRow      int  // the most arena bytes a row has taken
	arena       []byte
	refs        []ref
	links       []linkRef
	want        []Kind // the kind each column takes: see wantKinds
	row         Row
}

// ref locates a decoded value in the arena until the row is complete.
type ref struct {
	kind       Kind
	b          bool
	start, end int
}

func (r ref) value(arena []byte) Value {
	if r.kind == KindString || r.kind == KindNumber {
		return Value{kind: r.kind, text: arena[r.start:r.end:r.end]}
	}
	return Value{kind: r.kind, b: r.b}
}

// A linkRef locates a cell's link in the arena. Links are kept apart from
// the refs of values, so that rows without links cost nothing more.
type linkRef struct {
	cell, start, end int
}

// rows runs the loop of Table.Rows for a decoded table.
func (rr *rowReader) rows(yield func(Row, error) bool) {
	d := rr.d
	if rr.done && d.err == nil {
		return
	}
	if rr.pipelined() {
		rr.pipeline(yield)
		return
	}
	for {
		row, ok := rr.next()
		if !ok {
			break
		}
		if !yield(row, nil) {
			return
		}
	}
	if d.err != nil {
		yield(Row{}, d.err)
	}
}

// drain reads the rows the caller left, checking (and totalling) them.
func (rr *rowReader) drain() bool {
	if !rr.t.used {
		rr.t.used = true
		rr.t.startTotals()
	}
	for {
		if _, ok := rr.next(); !ok {
			return rr.d.err == nil
		}
	}
}

// finish reads the rest of the table's data once, so that members after
// the rows (sourceBusinessObject) are known when Rows is exhausted.
func (rr *rowReader) finish() bool {
	if rr.tail != nil {
		tail := rr.tail
		rr.tail = nil
		return tail()
	}
	return rr.d.err == nil
}

// next decodes the next valid row. It returns false at the end of the rows
// or when decoding must end (d.err is set).
func (rr *rowReader) next() (Row, bool) {
	row, ok := rr.step()
	if !ok && rr.atEnd {
		rr.end()
	}
	return row, ok
}

// end reads the end of the rows and what follows them in the table's data,
// once, and checks the totals.
func (rr *rowReader) end() {
	if rr.done {
		return
	}
	rr.done = true
	if rr.d.token(rr.dec) && rr.finish() {
		rr.checkTotals()
	}
}

// step is next without the end of the rows: at the end it sets rr.atEnd
// and returns false, leaving the end to [rowReader.end]. It touches only the
// row reader, its decoder and its table's totals, so that it can run on a
// goroutine of its own (see pipeline.go).
func (rr *rowReader) step() (Row, bool) {
	d, dec := rr.d, rr.dec
	if rr.atEnd || rr.done || d.err != nil {
		return Row{}, false
	}
	if !rr.started {
		rr.started = true
		if !d.token(dec) {
			return Row{}, false
		}
	}
	for {
		switch rr.peek() {
		case 0:
			return Row{}, false
		case ']':
			rr.atEnd = true
			return Row{}, false
		}
		valid, ok := rr.parse()
		rr.n++
		if !ok {
			return Row{}, false
		}
		if valid {
			if d.opts.Rows != nil && !rr.footer {
				d.opts.Rows.Add(1)
			}
			return rr.row, true
		}
	}
}

// checkTotals checks, at the end of the rows of a table without a footer,
// that its sums can be shown.
func (rr *rowReader) checkTotals() {
	t := rr.t
	if rr.footer || t.totals == nil || t.Footer != nil {
		return
	}
	if col, msg := t.totals.overflow(t.Columns); col >= 0 {
		rr.d.violate(strings.TrimSuffix(rr.base, "rows/")+"columns/"+strconv.Itoa(col)+"/total", msg)
	}
}

func (rr *rowReader) ptr(parts ...any) string {
	return rr.base + strconv.Itoa(rr.n) + fmt.Sprint(parts...)
}
