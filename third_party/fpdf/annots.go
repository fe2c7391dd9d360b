// This file is folio's addition to fpdf (MIT, as the rest); see README.md.

package fpdf

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"unsafe"
)

// LinkURI is LinkString with the target given as bytes, which are not
// kept: like every URI link of a document that is not encrypted, the
// annotation is written when the link is made, into the page's list of
// annotations, and goes out with the page.
func (f *Fpdf) LinkURI(x, y, w, h float64, uri []byte) {
	if f.protect.encrypted {
		f.LinkString(x, y, w, h, string(uri))
		return
	}
	f.pageAnnots[f.page] = appendURIAnnot(f.pageAnnots[f.page], &f.annotNums, x*f.k, f.hPt-y*f.k, w*f.k, h*f.k, uri)
}

// float2Cache holds the text AppendNum gives recent values, by their bits:
// the link annotations of a page repeat their coordinates (the edges of a
// table's columns, the top and bottom of a row), and copying text is
// cheaper than making it.
type float2Cache [32]struct {
	bits uint64
	n    uint8 // the length of the text in s; 0 for an empty entry
	s    [16]byte
}

// append appends v as AppendNum does.
func (c *float2Cache) append(b []byte, v float64) []byte {
	bits := math.Float64bits(v)
	e := &c[bits*0x9e3779b97f4a7c15>>59]
	l := len(b)
	if e.n > 0 && e.bits == bits {
		// The whole entry is copied, in two moves, and b cut after its
		// text.
		b = slices.Grow(b, len(e.s))
		*(*[16]byte)(b[l : l+len(e.s)]) = e.s
		return b[:l+int(e.n)]
	}
	b = AppendNum(b, v)
	if n := len(b) - l; n <= len(e.s) {
		e.bits, e.n = bits, uint8(n)
		copy(e.s[:], b[l:])
	}
	return b
}

// AppendNum appends v rounded to two decimals, as AppendFloat2 does, but
// without the zeros a PDF number need not end in: 165.6, 40, 0 (not -0).
// Below a million it writes the digits once, from the integer of
// hundredths, instead of trimming AppendFloat2's: a page's content and
// its link rectangles have a few such numbers for every cell.
func AppendNum(b []byte, v float64) []byte {
	a := math.Abs(v)
	if !(a < 1e6) { // or NaN
		l := len(b)
		b = AppendFloat2(b, v)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
		if len(b)-l == 2 && b[l] == '-' && b[l+1] == '0' {
			b = append(b[:l], '0')
		}
		return b
	}
	u := hundredths(a)
	if u == 0 {
		return append(b, '0')
	}
	// At most "-1000000.99": 11 bytes, written from the end.
	var t [12]byte
	i := len(t)
	if f := u % 100; f != 0 {
		if f%10 == 0 {
			i -= 2
			t[i], t[i+1] = '.', byte('0'+f/10)
		} else {
			i -= 3
			t[i], t[i+1], t[i+2] = '.', digits2[2*f], digits2[2*f+1]
		}
	}
	n := u / 100
	for n >= 100 {
		q := n / 100
		r := n - 100*q
		i -= 2
		t[i], t[i+1] = digits2[2*r], digits2[2*r+1]
		n = q
	}
	if n >= 10 {
		i -= 2
		t[i], t[i+1] = digits2[2*n], digits2[2*n+1]
	} else {
		i--
		t[i] = byte('0' + n)
	}
	if math.Signbit(v) {
		i--
		t[i] = '-'
	}
	return append(b, t[i:]...)
}

// digits2 is the two digits of each number below 100.
const digits2 = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// appendURIAnnot appends the link annotation of a URI link (x, y the
// top-left corner, in points from the bottom-left of the page), its
// numbers through nums. It is written as compactly as PDF allows: there
// are 4 a row in a table with links, 60 % of the file's bytes when the
// annotations are not compressed. No space is needed around names,
// brackets and strings (ISO 32000-1 §7.2.2, delimiters), and /Type, which
// is optional for an annotation (§12.5.2, Table 164), is left out;
// /Border [0 0 0] stays, as readers draw a border without it.
func appendURIAnnot(b []byte, nums *float2Cache, x, y, wd, ht float64, uri []byte) []byte {
	b = appendLinkAnnotStart(b, nums, x, y, wd, ht)
	b = append(b, "/A<</S/URI/URI("...)
	b = appendEscaped(b, uri)
	return append(b, ")>>>>"...)
}

// appendPageLink appends the annotation of pl, a link made by Link or
// LinkString, as putpage and stmPage write it; hPt is the height of a
// page of the default size, in points, for a destination on a page whose
// size is not set yet.
func (f *Fpdf) appendPageLink(b []byte, pl linkType, hPt float64) []byte {
	b = appendLinkAnnotStart(b, &f.annotNums, pl.x, pl.y, pl.wd, pl.ht)
	if pl.link == 0 {
		b = append(b, "/A<</S/URI/URI"...)
		if f.protect.encrypted {
			b = append(b, f.textstring(pl.linkStr)...)
		} else { // textstring's bytes, not copied to a string
			b = append(b, '(')
			b = appendEscaped(b, stringBytes(pl.linkStr))
			b = append(b, ')')
		}
		return append(b, ">>>>"...)
	}
	l := f.links[pl.link]
	h := hPt
	if sz, ok := f.pageSizes[l.page]; ok {
		h = sz.Ht
	}
	b = append(b, "/Dest["...)
	b = strconv.AppendInt(b, int64(f.pageRef(l.page)), 10)
	b = append(b, " 0 R/XYZ 0 "...)
	b = AppendNum(b, h-l.y*f.k)
	return append(b, " null]>>"...)
}

// appendLinkAnnotStart appends the start of a link annotation, up to its
// action or destination.
func appendLinkAnnotStart(b []byte, nums *float2Cache, x, y, wd, ht float64) []byte {
	b = append(b, "<</Subtype/Link/Rect["...)
	b = nums.append(b, x)
	b = append(b, ' ')
	b = nums.append(b, y)
	b = append(b, ' ')
	b = nums.append(b, x+wd)
	b = append(b, ' ')
	b = nums.append(b, y-ht)
	return append(b, "]/Border[0 0 0]"...)
}

// appendEscaped appends s escaped as escape does, the runs between the
// bytes it escapes in one piece each. Eight bytes at a time are looked
// at up to the first that needs an escape: most URIs have none.
func appendEscaped(b []byte, s []byte) []byte {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if hasEscaped(binary.LittleEndian.Uint64(s[i:])) {
			break
		}
	}
	if i+8 > len(s) && len(s) >= 8 && !hasEscaped(binary.LittleEndian.Uint64(s[len(s)-8:])) {
		return append(b, s...) // the last eight bytes, which overlap those before
	}
	last := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c != '\\' && c != '(' && c != ')' && c != '\r' {
			continue
		}
		b = append(b, s[last:i]...)
		if c == '\r' {
			c = 'r'
		}
		b = append(b, '\\', c)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// stringBytes returns the bytes of s, which must not be changed.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// hasEscaped reports whether one of the eight bytes of x is one that
// appendEscaped escapes. A byte of y = x^(c*lo) is zero where x has c,
// and (y-lo)&^y&hi is not zero if and only if y has a zero byte.
func hasEscaped(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	p := (x | lo) ^ (')' * lo) // '(' is ')' but for the low bit
	q := x ^ ('\\' * lo)
	r := x ^ ('\r' * lo)
	return ((p-lo)&^p|(q-lo)&^q|(r-lo)&^r)&hi != 0
}

// AppendFloat2 appends v with two decimals to b, as
// strconv.AppendFloat(b, v, 'f', 2, 64) does (the same bytes), but faster
// for the numbers of a page: below a million, from integers.
func AppendFloat2(b []byte, v float64) []byte {
	a := math.Abs(v)
	if !(a < 1e6) { // or NaN
		return strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	u := hundredths(a)
	if math.Signbit(v) {
		b = append(b, '-')
	}
	n := 4 // digits and point: "0.00" at least
	for x := u / 1000; x > 0; x /= 10 {
		n++
	}
	l := len(b)
	b = slices.Grow(b, n)[:l+n]
	p := b[l:]
	for i := n - 1; i >= 0; i-- {
		if i == n-3 {
			p[i] = '.'
			continue
		}
		p[i] = byte('0' + u%10)
		u /= 10
	}
	return b
}

// hundredths returns a, from 0 to below 1e6, times 100 rounded to an
// integer as strconv rounds a to two decimals.
func hundredths(a float64) uint64 {
	// s is a*100 rounded, below 1e8: within 1.2e-8 of the exact product,
	// so only a fraction within that of 0.5 may round another way than
	// the exact one; then the product's rounding error, exact with FMA,
	// decides, and an exact tie goes to the even digit, as strconv does.
	s := a * 100
	u := uint64(s)              // truncated: s is positive
	d := (s - float64(u)) - 0.5 // exact from a fraction of 0.25 up
	if d > 1e-6 {
		u++
	} else if d >= -1e-6 {
		e := math.FMA(a, 100, -s)
		if d > -e || d == -e && u&1 == 1 {
			u++
		}
	}
	return u
}

// putBytes is put for bytes, which are copied.
func (f *Fpdf) putBytes(b []byte) {
	if f.state == 2 {
		f.pages[f.page].Write(b)
	} else {
		f.buffer.Write(b)
	}
}

// outBytes is out for bytes, which are copied.
func (f *Fpdf) outBytes(b []byte) {
	if f.state == 2 {
		must(f.pages[f.page].Write(b))
		must(f.pages[f.page].WriteString("\n"))
	} else {
		must(f.buffer.Write(b))
		must(f.buffer.WriteString("\n"))
	}
}
