package html

import (
	"io"
	"unicode/utf8"
	"unsafe"

	"github.com/foliorender/folio/internal/safeurl"
)

// bufSize is the size of the pieces in which a writer hands its output to
// the underlying io.Writer: every Write but the last is a multiple of it,
// so that each starts at an offset that is a multiple of it. A file's page
// cache takes such writes in large pages; writes that start anywhere cost
// Linux about twice the system time (ext4, 64 KiB writes, 100 bytes more
// or not).
const bufSize = 64 << 10

// A writer buffers output and remembers the first write error, after which
// it writes nothing more.
type writer struct {
	w   io.Writer
	buf []byte
	err error
}

func newWriter(w io.Writer) *writer {
	return &writer{w: w, buf: make([]byte, 0, bufSize+4096)}
}

// flush hands the whole buffer to the underlying writer: at the end.
func (w *writer) flush() error {
	w.write(false)
	return w.err
}

// full hands the buffer's whole pieces of bufSize to the underlying
// writer once it holds one; what follows them, at most a few cells, is
// kept.
func (w *writer) full() {
	if len(w.buf) >= bufSize {
		w.write(true)
	}
}

// write hands the buffer to the underlying writer, only its whole pieces
// of bufSize if pieces is set, and keeps the rest. (Its arguments keep
// full, and so raw and text, small enough to be inlined.)
func (w *writer) write(pieces bool) {
	n := len(w.buf)
	if pieces {
		n = n / bufSize * bufSize
	}
	if w.err == nil && n > 0 {
		m, err := w.w.Write(w.buf[:n])
		if err == nil && m < n {
			err = io.ErrShortWrite
		}
		w.err = err
	}
	w.buf = w.buf[:copy(w.buf, w.buf[n:])]
}

// raw writes markup the renderer made; s never comes from data.
func (w *writer) raw(s string) {
	w.buf = append(w.buf, s...)
	w.full()
}

// text writes s escaped, for element content or a quoted attribute value.
func (w *writer) text(s string) {
	w.buf = appendEscaped(w.buf, s)
	w.full()
}

// unsafeString returns b as a string without copying; b must not change
// while the string is used.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// safeASCII holds the ASCII bytes that are written as they are: printable
// characters other than the five that HTML gives meaning, and the
// whitespace characters HTML allows (tab, line feed, form feed, carriage
// return).
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range "&<>\"'" {
		t[c] = false
	}
	for _, c := range "\t\n\f\r" {
		t[c] = true
	}
	return t
}()

// escapes holds the replacement of each ASCII byte that is not safe.
var escapes = func() (t [utf8.RuneSelf]string) {
	for c := range t {
		t[c] = "\uFFFD" // controls
	}
	t['&'], t['<'], t['>'], t['"'], t['\''] = "&amp;", "&lt;", "&gt;", "&#34;", "&#39;"
	return t
}()

const replacement = "\uFFFD"

// appendEscaped appends s to dst escaped for HTML text or a quoted attribute
// value. Invalid UTF-8, and the characters HTML does not allow in a document
// (controls other than whitespace, and noncharacters), become U+FFFD, so the
// output is well-formed UTF-8 and conforming HTML whatever s holds.
func appendEscaped(dst []byte, s string) []byte {
	for {
		i := cleanPrefix(s)
		dst = append(dst, s[:i]...)
		if i == len(s) {
			return dst
		}
		if c := s[i]; c < utf8.RuneSelf {
			dst = append(dst, escapes[c]...)
			s = s[i+1:]
			continue
		}
		size, _ := charAt(s, i)
		dst = append(dst, replacement...)
		s = s[i+size:]
	}
}

// cleanPrefix returns the length of the longest prefix of s that
// appendEscaped writes as it is: it ends before the first byte, or
// character, that appendEscaped replaces.
func cleanPrefix(s string) int {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !safeASCII[c] {
				return i
			}
			i++
			continue
		}
		// A two-byte sequence, U+0080 to U+07FF (Latin, Greek,
		// Cyrillic), of which U+0080 to U+009F are C1 controls and none is
		// a noncharacter, is checked here, the rest by charAt.
		if c >= 0xc2 && c < 0xe0 && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
			if c == 0xc2 && s[i+1] < 0xa0 {
				return i
			}
			i += 2
			continue
		}
		size, ok := charAt(s, i)
		if !ok {
			return i
		}
		i += size
	}
	return i
}

// charAt returns the size of the character that starts at s[i], a byte
// outside ASCII, and whether appendEscaped writes it as it is. Three-byte
// sequences (CJK, "€") are decoded here, to spare most text the call of
// the general decoder, which takes the rest: invalid bytes and four-byte
// sequences.
func charAt(s string, i int) (size int, ok bool) {
	if c := s[i]; c >= 0xe0 && c < 0xf0 && i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80 {
		if r := rune(c&0x0f)<<12 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f); r >= 0x800 && (r < 0xd800 || r > 0xdfff) {
			return 3, allowedRune(r, 3)
		}
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return n, allowedRune(r, n)
}

// unreservedURL holds the bytes that a link template's value keeps as they
// are: the unreserved characters of RFC 3986 (see safeurl.AppendValue).
var unreservedURL = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

// appendURLValue appends value as safeurl.AppendValue does, in place of a
// template's {value}, copying a value that needs no percent-encoding (a
// number's, but for an exponent's "+") in one go.
func appendURLValue(dst, value []byte) []byte {
	for _, c := range value {
		if !unreservedURL[c] {
			return safeurl.AppendValue(dst, value)
		}
	}
	return append(dst, value...)
}

// allowedRune reports whether the non-ASCII rune r, decoded from size
// bytes, may appear in an HTML document as it is.
func allowedRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1: // invalid UTF-8
		return false
	case r < 0xa0: // C1 controls
		return false
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe: // noncharacters
		return false
	}
	return true
}

// clean returns s with invalid UTF-8 and the characters HTML does not allow
// replaced by U+FFFD, as appendEscaped does, but without escaping markup
// characters: it prepares Markdown source and checks Markdown output.
func clean(s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] || escapes[c] != replacement {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRune(s[i:]); allowedRune(r, size) {
			i += size
			continue
		}
		return cleanFrom(s, i)
	}
	return s
}

func cleanFrom(s []byte, i int) []byte {
	out := append(make([]byte, 0, len(s)+8), s[:i]...)
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] || escapes[c] != replacement {
				out = append(out, c)
			} else {
				out = append(out, replacement...)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if allowedRune(r, size) {
			out = append(out, s[i:i+size]...)
		} else {
			out = append(out, replacement...)
		}
		i += size
	}
	return out
}
