// Package safeurl decides which link targets from report data folio keeps.
package safeurl

import (
	"bytes"
	"strings"
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
