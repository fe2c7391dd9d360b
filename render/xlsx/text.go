package xlsx

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/width"
)

// MaxCellChars is Excel's limit on the text of one cell, in UTF-16 units.
const MaxCellChars = 32767

// TruncatedMarker ends the text of a cell that was cut to [MaxCellChars].
const TruncatedMarker = "…[truncated]"

// cellText returns s as a cell can hold it, and whether it had to change.
// XML 1.0 cannot carry most C0 control characters, nor U+FFFE and U+FFFF:
// controls other than tab, line feed and carriage return become their
// Unicode "control picture" (U+0001 is shown as ␁), the two non-characters
// and invalid UTF-8 become U+FFFD. Text longer than Excel's 32,767 UTF-16
// units is cut, without splitting a surrogate pair, and ends with
// [TruncatedMarker].
func cellText[T ~string | ~[]byte](s T) (string, bool) {
	if clean(s) {
		return "", false
	}
	var b strings.Builder
	units := 0
	limit := MaxCellChars - utf16Len(TruncatedMarker)
	total := 0
	for i := 0; i < len(s); {
		r, size := decodeRune(s[i:])
		i += size
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
			r = 0x2400 + r
		case r == 0xFFFE || r == 0xFFFF:
			r = utf8.RuneError
		}
		n := utf16.RuneLen(r)
		total += n
		if units+n <= limit {
			units += n
			b.WriteRune(r)
		}
	}
	if total > MaxCellChars {
		b.WriteString(TruncatedMarker)
	}
	return b.String(), true
}

func decodeRune[T ~string | ~[]byte](s T) (rune, int) {
	if len(s) > 0 && s[0] < utf8.RuneSelf {
		return rune(s[0]), 1
	}
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	return utf8.DecodeRuneInString(string(s))
}

// clean reports whether s can be written as it is: valid UTF-8, no
// character XML 1.0 forbids, and short enough for any count of UTF-16 units
// to stay within the cell limit (a UTF-8 byte is at most one UTF-16 unit).
func clean[T ~string | ~[]byte](s T) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if len(s) <= MaxCellChars && ascii {
		return true
	}
	if ascii {
		return false
	}
	units := 0
	for i := 0; i < len(s); {
		r, size := decodeRune(s[i:])
		if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		units += utf16.RuneLen(r)
		i += size
	}
	return units <= MaxCellChars
}

// Width bounds of an auto-fitted column, in Excel's character units.
const (
	minWidth = 6
	maxWidth = 60
)

// textWidth estimates how many character widths s takes on screen: East
// Asian wide and fullwidth characters count two, combining marks none. For
// text of several lines it is the widest line.
func textWidth[T ~string | ~[]byte](s T) int {
	w, widest := 0, 0
	for i := 0; i < len(s); {
		r, size := decodeRune(s[i:])
		i += size
		switch {
		case r == '\n':
			widest, w = max(widest, w), 0
		case r < utf8.RuneSelf:
			w++
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0x200B:
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				w += 2
			default:
				w++
			}
		}
		if w > maxWidth {
			break
		}
	}
	return max(widest, w)
}

// numberWidth is the width of a number as Excel's General format shows it:
// at most 11 characters.
func numberWidth(text []byte) int {
	return min(len(text), 11)
}

// fitWidth turns a content width into a column width within bounds.
func fitWidth(w int) float64 {
	return float64(min(max(w+2, minWidth), maxWidth))
}

// excelNumber returns the cell value for the JSON number text: an int64 for
// an integer that fits, else a float64 rounded to Excel's 15 significant
// digits (excelize would otherwise cut the decimal text after 15 digits
// instead of rounding). It reports false, and no value, for a number that
// a spreadsheet cannot keep: one with more than 15 significant digits
// (9007199254740993, 0.1234567890123456789), which Excel and LibreOffice
// read into a float64 and show, and save, to 15 digits, or one below the
// smallest normal float64 (1e-320), which they round to zero. Such a number
// is written as text (see book.cell).
func excelNumber(text []byte) (any, bool) {
	c, ok := numberCell(text)
	if !ok {
		return nil, false
	}
	if c.kind == cellInt {
		return c.num, true
	}
	return c.float, true
}

// numberCell is excelNumber's value as a cell, without an interface.
func numberCell(text []byte) (cellValue, bool) {
	s := unsafeString(text)
	integer, digits, sig := true, 0, 0 // digits from the first non-zero one, to the last non-zero one
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits > 0 || c != '0' {
				digits++
				if c != '0' {
					sig = digits
				}
			}
		case c == '.':
			integer = false
		case c == 'e' || c == 'E':
			integer = false
			i = len(s) // the exponent's digits are not the number's
		}
	}
	if sig > 15 {
		return cellValue{}, false
	}
	if integer && digits <= 18 {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return cellValue{kind: cellInt, num: n}, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return cellValue{}, false // not reached for validated numbers
	}
	if f != 0 && math.Abs(f) < 0x1p-1022 {
		return cellValue{}, false
	}
	if !integer && strings.ContainsAny(s, "eE") {
		// Near the top of the float64 range, 15 digits round past it
		// (1.7976931348623157e308 to 1.79769313486232e308, +Inf): then the
		// nearest float64 stays.
		if r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64); err == nil {
			f = r
		}
	}
	if f == 0 {
		f = 0 // no negative zero
	}
	return cellValue{kind: cellFloat, float: f}, true
}

// roundedNumber is excelNumber for a value that is rounded already (the
// mean of a column, which has no exact decimal form): one with more than 15
// significant digits becomes the nearest float64, which the spreadsheet
// shows to 15, instead of text, so that the column's format still applies.
func roundedNumber(text []byte) (any, bool) {
	if x, ok := excelNumber(text); ok {
		return x, true
	}
	f, err := strconv.ParseFloat(unsafeString(text), 64)
	if err != nil {
		return nil, false // not reached for validated numbers
	}
	if r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64); err == nil {
		f = r
	}
	if f != 0 && math.Abs(f) < 0x1p-1022 {
		return nil, false
	}
	if f == 0 {
		f = 0 // no negative zero
	}
	return f, true
}

// unsafeString views b as a string without copying; b must not change while
// the string is in use.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
