package xlsx

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxSheetName is Excel's limit on a sheet name, in UTF-16 code units.
const maxSheetName = 31

// sheetNames hands out worksheet names that Excel accepts: at most 31 UTF-16
// units, none of []:*?/\, no apostrophe at either end, no control characters,
// not empty, not "History", and unique within the workbook ignoring case.
// Excel, like excelize's GetSheetIndex and NewSheet, compares sheet names
// without regard to case, so names are kept by their case-folded form.
type sheetNames struct {
	used map[string]bool // folded names handed out
}

func newSheetNames() *sheetNames {
	return &sheetNames{used: map[string]bool{fold("History"): true}}
}

// take returns a unique sheet name made from want, or from fallback when
// want has nothing usable, with " (2)", " (3)" … appended on a clash.
func (n *sheetNames) take(want, fallback string) string {
	base := cleanSheetName(want)
	if base == "" {
		base = cleanSheetName(fallback)
	}
	if base == "" {
		base = "Sheet"
	}
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			suffix := " (" + strconv.Itoa(i) + ")"
			name = trimSheetName(truncUTF16(base, maxSheetName-len(suffix))) + suffix
		}
		if k := fold(name); !n.used[k] {
			n.used[k] = true
			return name
		}
	}
}

// cleanSheetName makes s acceptable as a sheet name, ignoring uniqueness.
// Invalid UTF-8 becomes U+FFFD, characters Excel forbids become look-alikes
// a reader recognises, control characters and runs of white space become one
// space, and the result is cut to 31 UTF-16 units without splitting a
// surrogate pair.
func cleanSheetName(s string) string {
	var b strings.Builder
	space := false
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch r {
		case '/', '\\', ':':
			r = '-'
		case '[':
			r = '('
		case ']':
			r = ')'
		case '*', '?':
			r = '_'
		case 0xFFFE, 0xFFFF:
			r = utf8.RuneError
		}
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return trimSheetName(truncUTF16(b.String(), maxSheetName))
}

// trimSheetName removes what a name may not start or end with.
func trimSheetName(s string) string {
	return strings.Trim(s, "' ")
}

// truncUTF16 returns the longest prefix of s that has at most n UTF-16
// units and does not split a rune.
func truncUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// utf16Len returns the length of s in UTF-16 units, as Excel counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// fold returns s with every rune replaced by the smallest rune it is
// equivalent to under simple case folding, so that two names are equal
// after fold exactly when strings.EqualFold says they are.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < m {
				m = f
			}
		}
		b.WriteRune(m)
	}
	return b.String()
}
