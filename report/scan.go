package report

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/go-json-experiment/json/jsontext"
)

// The rows of a table streamed from the document take a faster path still:
// a scanner made for rows of the shape folio writes,
// {"sourceKey":…,"cells":[{"value":…,"link":…},…]}, reads them straight from
// the input in one pass, checking the JSON as it goes (UTF-8, escapes and
// surrogates, names, number grammar) and the row as the walker does. It
// accepts only rows it can prove valid: at anything else (a violation, a
// member it does not know, a name with an escape, the end of the input, a
// reader's error) it hands the input back to jsontext at the start of that
// row, and the row takes the path above, so that every violation is found,
// and worded and placed, exactly as there.
//
// jsontext reads the input through a feed, which is how the two share it.
// The scanner starts only where jsontext has nothing of the input buffered
// (the feed lets jsontext read no further than the end of a row), and reads
// on from the feed's own buffer. When it hands back, jsontext is given, in
// place of the rows the scanner read, a 0 for each (so that its count of
// array elements, and so its pointers, stay right) and then the input as it
// is; the feed's shift, added to jsontext's byte offsets, makes up for the
// bytes it did not see. At the end of the rows jsontext is given none: the
// count is not needed once the array is closed.

// scanRows is false only in tests, which compare the scanner's verdicts
// with jsontext's.
var scanRows = true

// A feed is the reader jsontext reads the document through, and the
// scanner's buffer.
type feed struct {
	src  *errReader
	buf  []byte
	r    int   // buf[:r] is read, by jsontext or the scanner
	base int64 // the input offset of buf[0]
	eof  bool  // src has reported an error or the end

	// limit, when above 0, is the offset jsontext may not read past: the
	// end of a row, where the scanner is to start.
	limit int64
	// jsontext is given fillN zeros, with a comma before each but
	// perhaps the first (fillComma), and a space after the last when
	// what follows could go on with it as one number (fillSpace), before
	// the rest of the input.
	fillN     int
	fillComma bool
	fillSpace bool
	shift     int64 // what to add to jsontext's byte offsets, with dropped's

	// What jsontext has been given, as squeeze follows it.
	given    int64 // bytes, and so jsontext's input offset
	inString bool  // they end inside a string
	escaped  bool  // just after a backslash in it
	space    int   // in a run of space between tokens this long
	drops    []drop
	gap      gap // the last space dropSpace let go of

	// The scanner's state while it reads the rows of rr.
	rr       *rowReader
	off      *rowReader // the table the scanner gave up on
	aligning *rowReader // the table the limit is set for
	entry    int64      // where the scanner started
	keep     int        // buf index after the last row the scanner accepted
	m        int        // rows the scanner accepted since it started
	scanned  int        // rows the scanner accepted in all
	parses   int        // rows the scanner began to parse, the same row again counted again
	comma    bool       // a comma is due before the next row
	entryCom bool       // jsontext expected a comma where the scanner started
}

const feedMin = 64 << 10

// Read gives jsontext the input, squeezed (see squeeze).
func (f *feed) Read(p []byte) (int, error) {
	for {
		n, err := f.read(p)
		k := f.squeeze(p[:n])
		if k > 0 || n == 0 || err != nil {
			return k, err
		}
	}
}

// spaceKeep is how much of a run of space between tokens jsontext is
// given: the rest of the run is left out. jsontext holds what it has been
// given since the last token it read, so that space between tokens, unlike
// space between rows (see dropSpace), would otherwise be held whole.
const spaceKeep = 4 << 10

// A drop is where squeeze left out space: from jsontext's offset at on,
// the input's offsets are total more than jsontext's (the total of the
// drops up to this one).
type drop struct{ at, total int64 }

// squeeze leaves out of b, the next bytes jsontext is given, each byte of
// space past the first spaceKeep of a run between tokens (outside
// strings), and returns how many bytes are left, moved to the start of
// b. It follows the strings in what jsontext is given: a string's bytes are
// data, whatever they are.
func (f *feed) squeeze(b []byte) int {
	w := 0
	for _, c := range b {
		switch {
		case f.inString:
			switch {
			case f.escaped:
				f.escaped = false
			case c == '\\':
				f.escaped = true
			case c == '"':
				f.inString = false
			}
		case isSpace(c):
			if f.space++; f.space > spaceKeep {
				at := f.given + int64(w)
				if k := len(f.drops) - 1; k >= 0 && f.drops[k].at == at {
					f.drops[k].total++
				} else {
					total := int64(1)
					if k >= 0 {
						total += f.drops[k].total
					}
					f.drops = append(f.drops, drop{at, total})
				}
				continue
			}
		default:
			f.space = 0
			f.inString = c == '"'
		}
		b[w] = c
		w++
	}
	f.given += int64(w)
	return w
}

// dropped returns how many bytes of the input squeeze left out before
// jsontext's offset off.
func (f *feed) dropped(off int64) int64 {
	k := sort.Search(len(f.drops), func(k int) bool { return f.drops[k].at > off })
	if k == 0 {
		return 0
	}
	return f.drops[k-1].total
}

func (f *feed) read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if f.fillN > 0 || f.fillSpace {
		n := 0
		for n < len(p) && (f.fillN > 0 || f.fillSpace) {
			if f.fillN == 0 {
				p[n] = ' '
				n++
				f.fillSpace = false
				continue
			}
			if f.fillComma {
				p[n] = ','
				n++
				f.fillComma = false
				continue
			}
			p[n] = '0'
			n++
			f.fillN--
			f.fillComma = true
		}
		return n, nil
	}
	if f.r < len(f.buf) {
		end := len(f.buf)
		if f.limit > 0 {
			if l := int(f.limit - f.base); l > f.r && l < end {
				end = l
			} else if l <= f.r {
				f.limit, f.aligning = 0, nil // jsontext wants more than the row: let it read on
			}
		}
		n := copy(p, f.buf[f.r:end])
		f.r += n
		return n, nil
	}
	f.limit, f.aligning = 0, nil
	if f.eof {
		return f.src.Read(p)
	}
	// Nothing buffered: jsontext reads the input straight.
	f.base += int64(len(f.buf))
	f.buf, f.r = f.buf[:0], 0
	n, err := f.src.Read(p)
	f.base += int64(n)
	return n, err
}

// fill reads more input into buf, keeping buf[keep:]. It reports false at
// the end of the input or on a reader's error.
func (f *feed) fill(keep int) bool {
	if f.eof {
		return false
	}
	if keep > 0 {
		n := copy(f.buf, f.buf[keep:])
		f.buf = f.buf[:n]
		f.base += int64(keep)
		f.r -= keep
		f.keep -= keep
	}
	if cap(f.buf)-len(f.buf) < cap(f.buf)/2 || cap(f.buf) < feedMin {
		b := make([]byte, len(f.buf), max(2*cap(f.buf), feedMin))
		copy(b, f.buf)
		f.buf = b
	}
	for {
		n, err := f.src.Read(f.buf[len(f.buf):cap(f.buf)])
		f.buf = f.buf[:len(f.buf)+n]
		if err != nil {
			f.eof = true
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// offset turns a byte offset of jsontext's into the input's.
func (d *decoder) offset(dec *jsontext.Decoder, off int64) int64 {
	if d.feed != nil && dec == d.dec {
		return off + d.feed.shift + d.feed.dropped(off)
	}
	return off
}

// peekRow returns '{' when the scanner is to read the next row of rr, and 0
// when jsontext is.
func (f *feed) peekRow(rr *rowReader) jsontext.Kind {
	if f.rr != rr && !f.start(rr) {
		return 0
	}
	for {
		i := f.r
		b := f.buf
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i < len(b) && f.comma {
			if b[i] != ',' {
				break
			}
			i++
			for i < len(b) && isSpace(b[i]) {
				i++
			}
		}
		if i < len(b) {
			if b[i] != '{' {
				break
			}
			f.r = i
			return '{'
		}
		f.dropSpace()
		if !f.fill(f.keep) {
			break
		}
	}
	f.handBack(rr)
	return 0
}

// dropSpace lets go of the space the buffer holds after the last row the
// scanner accepted, which is all it holds past f.keep but for a comma, so
// that space between rows is not held, however long. jsontext reads on
// from f.keep when the rows are handed back, and needs the comma: the
// space before it goes, and the space after it by moving the comma to the
// end of the buffer, in place of the last byte of space, so that the next
// look is at new bytes only. The bytes after the comma are then where
// they were in the input, and so are jsontext's offsets of them; the
// comma is not (an error jsontext places at it is off by the space let
// go of), nor the end of the rows jsontext was not given, which it gives
// as the end of what it has read when the input ends after them, and
// which endOffset puts back where a row was accepted before the space.
func (f *feed) dropSpace() {
	end := len(f.buf)
	from := f.base + int64(f.keep)
	if from == f.gap.to {
		from = f.gap.from // more of the same run of space
	}
	c := -1
	if f.comma {
		c = bytes.IndexByte(f.buf[f.keep:end], ',')
	}
	if c < 0 {
		f.keep = end
	} else {
		f.buf[end-1] = ','
		f.keep = end - 1
	}
	f.r = f.keep
	if to := f.base + int64(f.keep); to != from {
		f.gap = gap{from, to}
	}
}

// A gap is space that dropSpace let go of, from the input offset from, the
// end of a row or of what jsontext had read, to to, where jsontext reads
// on.
type gap struct{ from, to int64 }

// endOffset is offset for the end of what jsontext has read
// (InputOffset).
func (d *decoder) endOffset(dec *jsontext.Decoder) int64 {
	off := d.offset(dec, dec.InputOffset())
	if f := d.feed; f != nil && dec == d.dec && f.gap.to > 0 && off == f.gap.to {
		return f.gap.from
	}
	return off
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// start starts the scanner on the rows of rr where jsontext has nothing
// buffered, or sets the limit that brings jsontext there. It reports
// whether the scanner started.
func (f *feed) start(rr *rowReader) bool {
	if f.off == rr || rr.dec != rr.d.dec || rr.d.err != nil || f.fillN > 0 || f.fillSpace {
		return false
	}
	un := rr.dec.UnreadBuffer()
	if skipSpace(un, 0) == len(un) {
		f.limit, f.aligning = 0, nil
		f.rr, f.entry, f.keep, f.m = rr, f.base+int64(f.r), f.r, 0
		f.comma = rr.n > 0
		f.entryCom = f.comma
		return true
	}
	if f.aligning == rr && f.limit > 0 {
		return false // jsontext is reading up to the limit
	}
	f.aligning = nil
	// Find the end of the row jsontext has begun to buffer, or of the
	// next one, and let jsontext read no further.
	var sk skim
	r := sk.scan(un)
	for r == skimRow {
		un = un[sk.n:]
		r = sk.scan(un)
	}
	if r != skimMore {
		f.off = rr // the rows end in jsontext's buffer, or a row is odd
		return false
	}
	i := f.r
	for {
		switch sk.scan(f.buf[i:]) {
		case skimRow:
			f.limit = f.base + int64(i+sk.n)
			f.aligning = rr
			return false
		case skimEnd, skimOdd:
			f.off = rr
			return false
		}
		scanned := len(f.buf) - f.r
		if sk.depth == 0 && scanned >= feedMin {
			// Only space and commas since the row jsontext has begun:
			// jsontext is to read them, and the scanner to try again
			// after them, so that they are not held.
			f.limit = f.base + int64(len(f.buf))
			f.aligning = rr
			return false
		}
		if !f.fill(f.r) {
			f.off = rr
			return false
		}
		i = f.r + scanned
	}
}

// handBack gives the input back to jsontext after the last row the scanner
// accepted.
func (f *feed) handBack(rr *rowReader) {
	d := rr.d
	f.rr = nil
	f.r = f.keep
	read := f.base + int64(f.keep) - f.entry
	// At the end of the rows, no zeros: jsontext reads on from "]".
	end := false
	if i := skipSpace(f.buf, f.keep); i < len(f.buf) && f.buf[i] == ']' {
		end = true
	}
	n := f.m
	if end {
		n = 0
	}
	// A space after the zeros when what follows could go on with the last
	// of them as one number (a broken document: "}.5" after a row).
	next := skipSpace(f.buf, f.keep)
	space := n > 0 && next < len(f.buf) && strings.IndexByte("0123456789.eE+-", f.buf[next]) >= 0
	given := 0
	if n > 0 {
		given = 2*n - 1
		if f.entryCom {
			given++
		}
		if space {
			given++
		}
	}
	f.shift += read - int64(given)
	f.fillN, f.fillComma, f.fillSpace = n, f.entryCom, space
	// jsontext is to read the row handed back, and no more, so that the
	// scanner can start again after it.
	var sk skim
	if !end && sk.scan(f.buf[f.keep:]) == skimRow {
		f.limit, f.aligning = f.base+int64(f.keep+sk.n), rr
	}
	for range n {
		if err := rr.dec.SkipValue(); err != nil {
			d.readErr(rr.dec, err)
			return
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// A skim follows the structure of rows without checking it, to find
// where one ends.
type skim struct {
	depth int
	str   bool
	esc   bool
	n     int // where the row ended
}

const (
	skimMore = iota // b ended in or between rows
	skimRow         // a row ended at n
	skimEnd         // the rows end
	skimOdd         // a row that is not an object or array
)

// scan scans b, which follows what the skim has seen, up to the end of a
// row.
func (s *skim) scan(b []byte) int {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if s.str {
			switch {
			case s.esc:
				s.esc = false
			case c == '\\':
				s.esc = true
			case c == '"':
				s.str = false
			}
			continue
		}
		switch c {
		case '"':
			if s.depth == 0 {
				return skimOdd
			}
			s.str = true
		case '{', '[':
			s.depth++
		case '}', ']':
			if s.depth == 0 {
				return skimEnd
			}
			s.depth--
			if s.depth == 0 {
				s.n = i + 1
				return skimRow
			}
		case ' ', '\t', '\n', '\r', ',':
		default:
			if s.depth == 0 {
				return skimOdd
			}
		}
	}
	return skimMore
}

// Results of the scanner's reading of a row.
const (
	rowOK   = iota // the row is read
	rowMore        // the buffer ends within the row
	rowBack        // the row is for jsontext to read
)

// parse reads the row at f.r into rr, as rowReader.parse does. handled is
// false when the row is for jsontext to read, the input handed back.
func (f *feed) parse(rr *rowReader) (valid, ok, handled bool) {
	var sk skim
	seen := 0 // the bytes of the row, from f.r, that sk has seen
	for {
		f.parses++
		key, i, res := f.row(rr, f.buf, f.r)
		switch res {
		case rowOK:
			f.r, f.keep = i, i
			f.m++
			f.scanned++
			f.comma = true
			valid, ok = rr.complete(key)
			return valid, ok, true
		case rowMore:
			if f.fillRow(&sk, &seen) {
				continue
			}
		}
		f.handBack(rr)
		return false, false, false
	}
}

// maxScanRow is the longest row the scanner holds: a longer one is handed
// back to jsontext, so that the feed's buffer stays bounded. (jsontext
// holds such a row whole, but for what squeeze leaves out of its runs of
// space.)
const maxScanRow = 1 << 20

// fillRow reads on until the buffer holds the end of the row at f.r, as a
// skim of the bytes that came since the last call finds it (or finds that
// what follows is no row, for parse to say), so that a row that comes in
// many short reads is parsed twice, not once a read: parsing it again at
// each read took time of the square of its length. sk and seen carry the
// skim from one call to the next. It reports false when the input ends
// first, the reader fails or the row is longer than maxScanRow.
func (f *feed) fillRow(sk *skim, seen *int) bool {
	for {
		if len(f.buf)-f.r > maxScanRow {
			return false
		}
		if !f.fill(f.keep) {
			return false
		}
		if sk.scan(f.buf[f.r+*seen:]) != skimMore {
			return true
		}
		*seen = len(f.buf) - f.r
	}
}

// row reads the row object at b[i] into rr.arena, rr.refs and rr.links. It
// returns the row's sourceKey and the index after the row.
func (f *feed) row(rr *rowReader, b []byte, i int) (key ref, end, res int) {
	rr.arena, rr.refs, rr.links = rr.arena[:0], rr.refs[:0], rr.links[:0]
	i++ // '{'
	hasCells, hasKey := false, false
	for {
		i = skipSpace(b, i)
		if i+2 > len(b) {
			return ref{}, 0, rowMore
		}
		if b[i] != '"' {
			return ref{}, 0, rowBack // "}" too: a row needs cells
		}
		// The names a row may have, unescaped.
		var n int
		switch {
		case hasPrefix(b[i+1:], `cells"`):
			n = len(`"cells"`)
			if hasCells {
				return ref{}, 0, rowBack
			}
			hasCells = true
		case hasPrefix(b[i+1:], `sourceKey"`):
			n = len(`"sourceKey"`)
			if hasKey {
				return ref{}, 0, rowBack
			}
			hasKey = true
		default:
			if len(b)-i < len(`"sourceKey"`) {
				return ref{}, 0, rowMore
			}
			return ref{}, 0, rowBack
		}
		i = skipSpace(b, i+n)
		if i >= len(b) {
			return ref{}, 0, rowMore
		}
		if b[i] != ':' {
			return ref{}, 0, rowBack
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return ref{}, 0, rowMore
		}
		if n == len(`"cells"`) {
			if i, res = f.cells(rr, b, i); res != rowOK {
				return ref{}, 0, res
			}
		} else {
			if c := b[i]; c == 't' || c == 'f' {
				return ref{}, 0, rowBack
			}
			if key, i, res = scanScalar(rr, b, i); res != rowOK {
				return ref{}, 0, res
			}
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return ref{}, 0, rowMore
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			if !hasCells {
				return ref{}, 0, rowBack
			}
			return key, i + 1, rowOK
		default:
			return ref{}, 0, rowBack
		}
	}
}

// hasPrefix is strings.HasPrefix for a buffer and a constant.
func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

// cells reads the cells array at b[i].
func (f *feed) cells(rr *rowReader, b []byte, i int) (int, int) {
	if b[i] != '[' {
		return 0, rowBack
	}
	i = skipSpace(b, i+1)
	if i >= len(b) {
		return 0, rowMore
	}
	if b[i] == ']' {
		return i + 1, rowOK
	}
	for {
		if b[i] != '{' {
			return 0, rowBack
		}
		i++
		cell := len(rr.refs)
		hasValue, hasLink := false, false
		var v ref
		for {
			i = skipSpace(b, i)
			if i+2 > len(b) {
				return 0, rowMore
			}
			if b[i] != '"' {
				return 0, rowBack // "}" too: a cell needs a value
			}
			var res int
			switch {
			case len(b)-i > 8 && binary.LittleEndian.Uint64(b[i:]) == valueColon && !hasValue:
				// {"value":… as folio writes it, in one load.
				hasValue = true
				if v, i, res = scanScalar(rr, b, i+8); res != rowOK {
					return 0, res
				}
			case hasPrefix(b[i+1:], `value"`):
				if hasValue {
					return 0, rowBack
				}
				hasValue = true
				if i = colon(b, i+len(`"value"`)); i < 0 {
					return 0, -i
				}
				if v, i, res = scanScalar(rr, b, i); res != rowOK {
					return 0, res
				}
			case hasPrefix(b[i+1:], `link"`):
				if hasLink {
					return 0, rowBack
				}
				hasLink = true
				if i = colon(b, i+len(`"link"`)); i < 0 {
					return 0, -i
				}
				if b[i] != '"' {
					return 0, rowBack
				}
				start := len(rr.arena)
				if rr.arena, i, res = scanString(rr.arena, b, i); res != rowOK {
					return 0, res
				}
				s := rr.arena[start:]
				if !safeurl.Link(unsafe.String(unsafe.SliceData(s), len(s))) {
					return 0, rowBack
				}
				rr.links = append(rr.links, linkRef{cell: cell, start: start, end: len(rr.arena)})
			default:
				if len(b)-i < len(`"value"`) {
					return 0, rowMore
				}
				return 0, rowBack
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return 0, rowMore
			}
			if b[i] == ',' {
				i++
				continue
			}
			if b[i] != '}' || !hasValue {
				return 0, rowBack
			}
			i++
			break
		}
		rr.refs = append(rr.refs, v)
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, rowMore
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
			if i >= len(b) {
				return 0, rowMore
			}
		case ']':
			return i + 1, rowOK
		default:
			return 0, rowBack
		}
	}
}

// valueColon is `"value":` as a little-endian word.
var valueColon = binary.LittleEndian.Uint64([]byte(`"value":`))

// colon moves past the colon after a name, at b[i], and the space around
// it, to the value. It returns -rowMore or -rowBack when it cannot.
func colon(b []byte, i int) int {
	i = skipSpace(b, i)
	if i >= len(b) {
		return -rowMore
	}
	if b[i] != ':' {
		return -rowBack
	}
	i = skipSpace(b, i+1)
	if i >= len(b) {
		return -rowMore
	}
	return i
}

// scanScalar reads the string, number, boolean or null at b[i] into the
// arena.
func scanScalar(rr *rowReader, b []byte, i int) (ref, int, int) {
	switch b[i] {
	case '"':
		start := len(rr.arena)
		var res int
		if rr.arena, i, res = scanString(rr.arena, b, i); res != rowOK {
			return ref{}, 0, res
		}
		return ref{kind: KindString, start: start, end: len(rr.arena)}, i, rowOK
	case 't':
		if len(b)-i < 4 {
			return ref{}, 0, rowMore
		}
		if string(b[i:i+4]) != "true" {
			return ref{}, 0, rowBack
		}
		return ref{kind: KindBool, b: true}, i + 4, rowOK
	case 'f':
		if len(b)-i < 5 {
			return ref{}, 0, rowMore
		}
		if string(b[i:i+5]) != "false" {
			return ref{}, 0, rowBack
		}
		return ref{kind: KindBool}, i + 5, rowOK
	case 'n':
		if len(b)-i < 4 {
			return ref{}, 0, rowMore
		}
		if string(b[i:i+4]) != "null" {
			return ref{}, 0, rowBack
		}
		return ref{}, i + 4, rowOK
	}
	end, exp, res := scanNumber(b, i)
	if res != rowOK {
		return ref{}, 0, res
	}
	raw := b[i:end]
	if (exp || len(raw) > 300) && !numberInRange(raw) {
		return ref{}, 0, rowBack
	}
	s := len(rr.arena)
	rr.arena = append(rr.arena, raw...)
	return ref{kind: KindNumber, start: s, end: len(rr.arena)}, end, rowOK
}

// scanNumber returns the end of the JSON number at b[i]: -?(0|[1-9][0-9]*)
// (\.[0-9]+)?([eE][+-]?[0-9]+)?, and whether it has an exponent. A number
// is not over until a byte that cannot be in it, so one that reaches the
// end of b needs more.
func scanNumber(b []byte, i int) (end int, exp bool, res int) {
	if b[i] == '-' {
		i++
		if i >= len(b) {
			return 0, false, rowMore
		}
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		i = digits(b, i+1)
	default:
		return 0, false, rowBack
	}
	if i >= len(b) {
		return 0, false, rowMore
	}
	if b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			if j >= len(b) {
				return 0, false, rowMore
			}
			return 0, false, rowBack
		}
		i = j
		if i >= len(b) {
			return 0, false, rowMore
		}
	}
	if b[i] == 'e' || b[i] == 'E' {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			if j >= len(b) {
				return 0, true, rowMore
			}
			return 0, true, rowBack
		}
		i = j
		if i >= len(b) {
			return 0, true, rowMore
		}
		exp = true
	}
	return i, exp, rowOK
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special returns a word with the high bit set in the first of its bytes
// that is '"', '\\', a control byte or one of 0x80 and above (bytes after
// the first may be flagged falsely, from borrows).
func special(w uint64) uint64 {
	q := w ^ (lsb * '"')
	s := w ^ (lsb * '\\')
	return ((q-lsb)&^q | (s-lsb)&^s | (w-lsb*0x20)&^w | w) & msb
}

// scanString appends the string at b[i], unescaped, to dst and returns the
// index after it. It hands back a string with invalid UTF-8, a control
// byte or an invalid escape: jsontext words those.
func scanString(dst, b []byte, i int) ([]byte, int, int) {
	start := i + 1
	j := start
	for {
		for j+8 <= len(b) {
			if m := special(binary.LittleEndian.Uint64(b[j:])); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		for j < len(b) && b[j] >= 0x20 && b[j] != '"' && b[j] != '\\' && b[j] < utf8.RuneSelf {
			j++
		}
		if j >= len(b) {
			return dst, 0, rowMore
		}
		switch c := b[j]; {
		case c == '"':
			return append(dst, b[start:j]...), j + 1, rowOK
		case c == '\\':
			return unescape(dst, b, i, j)
		case c < 0x20:
			return dst, 0, rowBack
		case c >= 0xc2 && c <= 0xdf && j+1 < len(b) && b[j+1]&0xc0 == 0x80:
			j += 2 // two bytes, as in most European text
		default:
			r, n := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && n <= 1 {
				if !utf8.FullRune(b[j:]) {
					return dst, 0, rowMore
				}
				return dst, 0, rowBack
			}
			j += n
		}
	}
}

// unescape appends the string at b[i], which has an escape at b[j], to dst.
func unescape(dst, b []byte, i, j int) ([]byte, int, int) {
	for j < len(b) {
		switch b[j] {
		case '\\':
			j += 2
			continue
		case '"':
			s := len(dst)
			out, err := jsontext.AppendUnquote(dst, b[i:j+1])
			if err != nil {
				return dst[:s], 0, rowBack
			}
			return out, j + 1, rowOK
		}
		j++
	}
	return dst, 0, rowMore
}
