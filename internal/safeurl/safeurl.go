// Package safeurl decides which link targets from report data folio keeps.
package safeurl

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unsafe"
)

// Safe reports whether a link may point at dest: a URL without a scheme
// (relative, or a fragment), or one whose scheme is http, https or mailto.
// It reads dest as browsers do, ignoring leading spaces and controls and
// tabs and newlines anywhere, and treats a colon before any slash, question
// mark or hash as the end of a scheme, so "java\tscript:" and
// " JavaScript:" are refused.
func Safe(dest []byte) bool {
	u := make([]byte, 0, len(dest))
	for _, c := range dest {
		if c != '\t' && c != '\n' && c != '\r' {
			u = append(u, c)
		}
	}
	u = bytes.TrimLeft(u, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	i := bytes.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true
	}
	switch strings.ToLower(string(u[:i])) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// LinkPattern is the rule of [Link] as a regular expression in the common
// subset of ECMA-262 and RE2, for the JSON Schema of cell links: an http or
// https URL with a host, or a mailto URL, without spaces or control
// characters.
const LinkPattern = `^(?:[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7F/?#]|[Mm][Aa][Ii][Ll][Tt][Oo]:[^\x00-\x20\x7F])[^\x00-\x20\x7F]*$`

// TemplatePattern is the rule of [Template] as a regular expression, like
// [LinkPattern].
const TemplatePattern = `^(?:[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7F/?#{]|[Mm][Aa][Ii][Ll][Tt][Oo]:[^\x00-\x20\x7F{])[^\x00-\x20\x7F]*$`

// Link reports whether s may be the target of a cell link: an absolute URL
// whose scheme is http or https (in any case) followed by "://" and a host,
// or mailto followed by at least one character, with no space, control
// character or DEL anywhere. Unlike [Safe], it refuses relative URLs: a
// report is read far from where it was made, and a spreadsheet would take a
// relative target for a file path. It is exactly [LinkPattern].
func Link(s string) bool { return link(s, false) }

// Template reports whether s may be a column's link template, in which
// "{value}" stands for each cell's value (see [Expand]): it is a [Link]
// whose host, or the first character after "mailto:", is not "{", so that
// no value can decide where the link leads. It is exactly [TemplatePattern].
func Template(s string) bool { return link(s, true) }

func link(s string, template bool) bool {
	rest := ""
	switch {
	case hasPrefixFold(s, "http://"):
		rest = s[len("http://"):]
	case hasPrefixFold(s, "https://"):
		rest = s[len("https://"):]
	case hasPrefixFold(s, "mailto:"):
		rest = s[len("mailto:"):]
		if rest == "" || template && rest[0] == '{' {
			return false
		}
		return noControl(rest)
	default:
		return false
	}
	if rest == "" {
		return false
	}
	switch rest[0] {
	case '/', '?', '#':
		return false
	case '{':
		if template {
			return false
		}
	}
	return noControl(rest)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// noControl reports whether s has no space, ASCII control character or DEL.
func noControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// Expand appends the link template tmpl to dst with each "{value}"
// replaced by value, percent-encoded so that it is one opaque piece of the
// URL: every byte but the unreserved characters of RFC 3986 (letters,
// digits, "-", ".", "_", "~") becomes %XX. A template that satisfies
// [Template] so gives a URL that satisfies [Link], whatever the value.
func Expand(dst []byte, tmpl string, value []byte) []byte {
	for {
		i := strings.Index(tmpl, "{value}")
		if i < 0 {
			return append(dst, tmpl...)
		}
		dst = append(dst, tmpl[:i]...)
		dst = AppendValue(dst, value)
		tmpl = tmpl[i+len("{value}"):]
	}
}

// AppendValue appends value percent-encoded as [Expand] puts it in place
// of "{value}": the result holds only unreserved characters and %XX.
func AppendValue(dst, value []byte) []byte {
	for _, c := range value {
		if unreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// IsASCII reports whether s is ASCII, so that [AppendASCII] would append
// it as it is; eight bytes at a time, as it is asked of every link a
// table draws.
func IsASCII(s string) bool {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			return false
		}
	}
	if i > 0 { // the last eight bytes, which overlap those before
		return binary.LittleEndian.Uint64(b[len(b)-8:])&0x8080808080808080 == 0
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return false
		}
	}
	return true
}

// AppendASCII appends the link s to dst with every byte outside ASCII
// percent-encoded, as an IRI becomes a URI (RFC 3987, 3.1): for formats
// whose link targets must be ASCII (PDF URI actions, XLSX relationships).
func AppendASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x80 {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}
