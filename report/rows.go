package report

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/go-json-experiment/json/jsontext"
)

// Rows are the bulk of a report, so they take a fast path: jsontext reads
// and validates each row object whole in one call (syntax, UTF-8,
// surrogates, duplicate names), and a walker over those validated bytes
// picks out the cells without further validation of the JSON itself. Rows
// streamed from the document take a faster path still, where they can: see
// scan.go.

// parse decodes one row into rr.row. valid is false for a row with a
// violation; ok is false when decoding must end.
func (rr *rowReader) parse() (valid, ok bool) {
	d, dec := rr.d, rr.dec
	if f := d.feed; f != nil && f.rr == rr {
		if valid, ok, handled := f.parse(rr); handled {
			return valid, ok
		}
	}
	if k := d.peek(dec); k != '{' {
		return false, d.violate(rr.ptr(), "row must be an object, not "+kindName(k)) && d.skip(dec)
	}
	depth := dec.StackDepth() + rr.depthOffset
	raw, ok := d.value(dec)
	if !ok {
		// Inside a value read whole, jsontext knows indices but not member
		// names ("/rows/5//1"): point at the row, the message has the byte.
		if v, isV := d.err.(*Violation); isV && strings.HasPrefix(v.Pointer, rr.ptr()+"/") {
			v.Pointer = rr.ptr()
		}
		return false, false
	}
	w := walker{b: raw, depth: depth, rr: rr}
	return w.row()
}

// peek returns the kind of the next row, or 0 after recording the error
// that prevents reading it.
func (rr *rowReader) peek() jsontext.Kind {
	if f := rr.d.feed; f != nil && rr.d.err == nil {
		if k := f.peekRow(rr); k != 0 {
			return k
		}
	}
	return rr.d.peek(rr.dec)
}

// A walker reads a row object that jsontext has validated.
type walker struct {
	b     []byte
	i     int
	depth int // nesting depth of the container the walker is in
	rr    *rowReader
}

func (w *walker) ws() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// next moves to the next member or element, past a comma. It reports false
// at the end of the container, which it consumes.
func (w *walker) next() bool {
	w.ws()
	switch w.b[w.i] {
	case '}', ']':
		w.i++
		w.depth--
		return false
	case ',':
		w.i++
		w.ws()
	}
	return true
}

// name reads a member name and its colon.
func (w *walker) name() []byte {
	n := w.str()
	w.ws()
	w.i++ // ':'
	w.ws()
	return n
}

// str returns the quoted string at w.i and moves past it.
func (w *walker) str() []byte {
	start := w.i
	w.i++
	for {
		k := w.i + bytes.IndexByte(w.b[w.i:], '"')
		n := 0
		for m := k - 1; m > start && w.b[m] == '\\'; m-- {
			n++
		}
		w.i = k + 1
		if n%2 == 0 {
			return w.b[start:w.i]
		}
	}
}

// scalarEnd moves past a number or literal.
func (w *walker) scalarEnd() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return
		}
		w.i++
	}
}

// skip moves past a value, holding nesting to MaxDepth. It reports false,
// with the violation recorded, for a value nested too deep.
func (w *walker) skip(ptr func() string) bool {
	switch w.b[w.i] {
	case '"':
		w.str()
	case '{', '[':
		n := 0
		for {
			switch w.b[w.i] {
			case '"':
				w.str()
				continue
			case '{', '[':
				n++
				if w.depth+n > MaxDepth {
					w.rr.d.fatal(&Violation{Pointer: ptr(), Message: fmt.Sprintf("nesting is deeper than %d levels", MaxDepth)})
					return false
				}
			case '}', ']':
				n--
			}
			w.i++
			if n == 0 {
				return true
			}
		}
	default:
		w.scalarEnd()
	}
	return true
}

// rawKind names the kind of the value whose first byte is c.
func rawKind(c byte) string {
	if c == '-' || c >= '0' && c <= '9' {
		c = '0'
	}
	return kindName(jsontext.Kind(c))
}

func (w *walker) row() (valid, ok bool) {
	rr := w.rr
	d := rr.d
	rr.arena, rr.refs, rr.links = rr.arena[:0], rr.refs[:0], rr.links[:0]
	w.i++ // '{'
	w.depth++
	valid = true
	hasCells := false
	key := ref{}
	for w.next() {
		name := w.name()
		switch {
		case d.nameIs(name, "cells"):
			hasCells = true
			if c := w.b[w.i]; c != '[' {
				valid = false
				if !d.violate(rr.ptr("/cells"), "cells must be an array, not "+rawKind(c)) || !w.skip(func() string { return rr.ptr("/cells") }) {
					return false, false
				}
				continue
			}
			w.i++
			w.depth++
			for w.next() {
				c, cv, ok := w.cell()
				if !ok {
					return false, false
				}
				valid = valid && cv
				rr.refs = append(rr.refs, c)
			}
		case d.nameIs(name, "sourceKey"):
			k := w.b[w.i]
			var good bool
			key, good, ok = w.scalar("/sourceKey")
			if !ok {
				return false, false
			}
			if good && (k == 't' || k == 'f') {
				if !d.violate(rr.ptr("/sourceKey"), "sourceKey must be a string, a number or null, not a boolean") {
					return false, false
				}
				good = false
			}
			valid = valid && good
		default:
			if !w.skip(func() string { return rr.ptr("/" + escapePointer(unquote(name))) }) {
				return false, false
			}
		}
	}
	if !hasCells {
		return false, d.violate(rr.ptr(), "row has no cells member")
	}
	if !valid {
		return false, true
	}
	return rr.complete(key)
}

// complete checks the row read into rr.refs against the table and makes
// rr.row of it.
func (rr *rowReader) complete(key ref) (valid, ok bool) {
	d := rr.d
	cols := rr.t.Columns
	if len(rr.refs) != len(cols) {
		return false, d.violate(rr.ptr("/cells"), cellCountMessage(len(rr.refs), len(cols)))
	}
	if rr.want == nil {
		rr.want = wantKinds(cols, rr.footer)
	}
	want := rr.want[:len(rr.refs)]
	cells := rr.row.Cells[:0]
	for i, r := range rr.refs {
		v := r.value(rr.arena)
		if w := want[i]; w != KindNull && v.kind != KindNull && v.kind != w {
			if msg := typeMismatch(cols[i], v); msg != "" {
				return false, d.violate(rr.ptr("/cells/", i, "/value"), msg)
			}
		}
		cells = append(cells, v)
	}
	for _, l := range rr.links {
		cells[l.cell].link = unsafe.String(&rr.arena[l.start], l.end-l.start)
	}
	rr.row = Row{SourceKey: key.value(rr.arena), Cells: cells}
	if t := rr.t.totals; t != nil && !rr.footer {
		if i, err := t.add(cells); err != nil {
			return false, d.violate(rr.ptr("/cells/", i, "/value"), totalMessage)
		}
	}
	return true, true
}

// kindText is the kind wantKinds gives a date or datetime column: no
// value has it, so that every value but null is checked in full.
const kindText Kind = 0x80

// wantKinds returns, for each column, the kind of the values it takes, for
// complete to check a value against without a call: KindNull for a column
// that takes any (and for a footer's, which take any value), kindText for
// one whose strings must also be dates. A value of another kind goes to
// typeMismatch, which words the violation.
func wantKinds(cols []Column, footer bool) []Kind {
	want := make([]Kind, len(cols))
	if footer {
		return want
	}
	for i, c := range cols {
		switch c.Type {
		case TypeAny:
			want[i] = KindNull
		case TypeNumber:
			want[i] = KindNumber
		case TypeBoolean:
			want[i] = KindBool
		case TypeDate, TypeDateTime:
			want[i] = kindText
		default:
			want[i] = KindString
		}
	}
	return want
}

// cell reads one cell object.
func (w *walker) cell() (c ref, valid, ok bool) {
	rr := w.rr
	d := rr.d
	i := len(rr.refs)
	if k := w.b[w.i]; k != '{' {
		ptr := func() string { return rr.ptr("/cells/", i) }
		return ref{}, false, d.violate(ptr(), "cell must be an object with a value member, not "+rawKind(k)) && w.skip(ptr)
	}
	w.i++
	w.depth++
	has := false
	valid = true
	for w.next() {
		name := w.name()
		if d.nameIs(name, "value") {
			has = true
			var cv bool
			c, cv, ok = w.scalar("/cells/", i, "/value")
			if !ok {
				return ref{}, false, false
			}
			valid = valid && cv
		} else if d.nameIs(name, "link") {
			lv, ok := w.link(i)
			if !ok {
				return ref{}, false, false
			}
			valid = valid && lv
		} else if !w.skip(func() string { return rr.ptr("/cells/", i, "/"+escapePointer(unquote(name))) }) {
			return ref{}, false, false
		}
	}
	if !has {
		return ref{}, false, d.violate(rr.ptr("/cells/", i), "cell has no value member")
	}
	return c, valid, true
}

// link reads the link of cell i into the arena and checks it.
func (w *walker) link(i int) (valid, ok bool) {
	rr := w.rr
	ptr := func() string { return rr.ptr("/cells/", i, "/link") }
	if k := w.b[w.i]; k != '"' {
		return false, rr.d.violate(ptr(), "link must be a string, not "+rawKind(k)) && w.skip(ptr)
	}
	raw := w.str()
	start := len(rr.arena)
	if bytes.IndexByte(raw, '\\') < 0 {
		rr.arena = append(rr.arena, raw[1:len(raw)-1]...)
	} else {
		rr.arena, _ = jsontext.AppendUnquote(rr.arena, raw)
	}
	s := rr.arena[start:]
	if !safeurl.Link(unsafe.String(unsafe.SliceData(s), len(s))) {
		return false, rr.d.violate(ptr(), linkMessage(string(s)))
	}
	rr.links = append(rr.links, linkRef{cell: i, start: start, end: len(rr.arena)})
	return true, true
}

// scalar decodes a string, number, boolean or null into the arena.
func (w *walker) scalar(where ...any) (c ref, valid, ok bool) {
	rr := w.rr
	switch k := w.b[w.i]; k {
	case '{', '[':
		ptr := func() string { return rr.ptr(where...) }
		return ref{}, false, rr.d.violate(ptr(), "a cell value must be a string, a number, a boolean or null, not "+rawKind(k)) && w.skip(ptr)
	case '"':
		raw := w.str()
		start := len(rr.arena)
		if bytes.IndexByte(raw, '\\') < 0 {
			rr.arena = append(rr.arena, raw[1:len(raw)-1]...)
		} else {
			rr.arena, _ = jsontext.AppendUnquote(rr.arena, raw)
		}
		return ref{kind: KindString, start: start, end: len(rr.arena)}, true, true
	case 't':
		w.i += 4
		return ref{kind: KindBool, b: true}, true, true
	case 'f':
		w.i += 5
		return ref{kind: KindBool}, true, true
	case 'n':
		w.i += 4
		return ref{}, true, true
	}
	start := w.i
	w.scalarEnd()
	raw := w.b[start:w.i]
	if !numberInRange(raw) {
		return ref{}, false, rr.d.violate(rr.ptr(where...), fmt.Sprintf("the number %s is out of range (beyond ±1.8e308)", clip(raw)))
	}
	s := len(rr.arena)
	rr.arena = append(rr.arena, raw...)
	return ref{kind: KindNumber, start: s, end: len(rr.arena)}, true, true
}

// escapePointer escapes a member name for a JSON Pointer (RFC 6901).
func escapePointer(s string) string {
	if !bytes.ContainsAny([]byte(s), "~/") {
		return s
	}
	var b bytes.Buffer
	for _, c := range []byte(s) {
		switch c {
		case '~':
			b.WriteString("~0")
		case '/':
			b.WriteString("~1")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
