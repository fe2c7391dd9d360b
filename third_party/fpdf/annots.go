// This file is folio's addition to fpdf (MIT, as the rest); see README.md.

package fpdf

import (
	"math"
	"strconv"
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
	f.pageAnnots[f.page] = appendURIAnnot(f.pageAnnots[f.page], x*f.k, f.hPt-y*f.k, w*f.k, h*f.k, uri)
}

// appendURIAnnot appends the link annotation putpage writes for a URI link
// (x, y the top-left corner, in points from the bottom-left of the page),
// byte for byte.
func appendURIAnnot[S string | []byte](b []byte, x, y, wd, ht float64, uri S) []byte {
	b = append(b, "<</Type /Annot /Subtype /Link /Rect ["...)
	b = AppendFloat2(b, x)
	b = append(b, ' ')
	b = AppendFloat2(b, y)
	b = append(b, ' ')
	b = AppendFloat2(b, x+wd)
	b = append(b, ' ')
	b = AppendFloat2(b, y-ht)
	b = append(b, "] /Border [0 0 0] /A <</S /URI /URI ("...)
	b = appendEscaped(b, uri)
	return append(b, ")>>>>"...)
}

// appendEscaped appends s escaped as escape does.
func appendEscaped[S string | []byte](b []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '(', ')':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	return b
}

// AppendFloat2 appends v with two decimals to b, as
// strconv.AppendFloat(b, v, 'f', 2, 64) does (the same bytes), but faster
// for the numbers of a page: below a million, in integers, unless v is
// within a millionth of a cent of a tie, where strconv decides.
func AppendFloat2(b []byte, v float64) []byte {
	a := math.Abs(v)
	if !(a < 1e6) { // or NaN
		return strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	// a*100 is below 1e8, within 1.2e-8 of the exact product: a fraction
	// further than 1e-6 from 0.5 rounds the same way as the exact one.
	s := a * 100
	u := uint64(s) // truncated: s is positive
	frac := s - float64(u)
	if frac > 0.5-1e-6 && frac < 0.5+1e-6 {
		return strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	if frac > 0.5 {
		u++
	}
	if math.Signbit(v) {
		b = append(b, '-')
	}
	if u < 100 {
		return append(b, '0', '.', byte('0'+u/10), byte('0'+u%10))
	}
	var d [12]byte // u < 1e8 + 1: at most 9 digits and the point
	i := len(d)
	i--
	d[i] = byte('0' + u%10)
	u /= 10
	i--
	d[i] = byte('0' + u%10)
	u /= 10
	i--
	d[i] = '.'
	for u > 0 {
		i--
		d[i] = byte('0' + u%10)
		u /= 10
	}
	return append(b, d[i:]...)
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
