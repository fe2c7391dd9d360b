package report

import (
	"encoding/json"
	"strconv"
	"strings"
	"unsafe"
)

// A Kind is the JSON type of a cell [Value].
type Kind uint8

const (
	KindNull   Kind = iota // null, and the zero Value
	KindString             // a JSON string
	KindNumber             // a JSON number, kept as its exact text
	KindBool               // true or false
)

var kindNames = [...]string{"null", "string", "number", "boolean"}

// String returns the kind's JSON name ("null", "string", "number",
// "boolean"), as error messages name a cell's type.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// A Value is one cell value: a string, a number, a boolean or null.
// The zero Value is null.
//
// Values read by [Read] alias a buffer that the decoder reuses for the next
// row: use them, or copy them with [Row.Clone], before the row iterator moves
// on. Values made by the constructors own their text.
//
// A Value may carry a link (a cell's "link"), an absolute http, https or
// mailto URL: see [Value.WithLink].
type Value struct {
	text []byte // string contents (unescaped) or number text; nil otherwise
	link string // the cell's link, or ""
	kind Kind
	b    bool
}

// Null is the null Value.
var Null = Value{}

// String returns a string Value. Its text is s, even if s is not valid UTF-8;
// renderers replace invalid bytes with U+FFFD.
func String(s string) Value {
	return Value{kind: KindString, text: unsafe.Slice(unsafe.StringData(s), len(s))}
}

// Bool returns a boolean Value.
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// Int returns a number Value holding n.
func Int(n int64) Value {
	return Value{kind: KindNumber, text: strconv.AppendInt(nil, n, 10)}
}

// Float returns a number Value holding f in its shortest exact form
// (0.1 is "0.1", 1e21 is "1e+21"). NaN and infinities have no JSON form and
// give Null.
func Float(f float64) Value {
	t := strconv.AppendFloat(nil, f, 'g', -1, 64)
	if f != f || len(t) > 0 && (t[len(t)-1] == 'f') {
		return Null
	}
	return Value{kind: KindNumber, text: t}
}

// Number returns a number Value holding the JSON number text s exactly as
// given, or false if s is not a JSON number within the range of float64.
func Number(s string) (Value, bool) {
	if !ValidNumber(s) {
		return Null, false
	}
	return Value{kind: KindNumber, text: []byte(s)}, true
}

// Kind reports the type of v.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// Text returns the string contents of a string Value, the exact number text
// of a number Value, "true" or "false" for a boolean and "" for null.
// It allocates; [Value.Bytes] does not.
func (v Value) Text() string {
	switch v.kind {
	case KindBool:
		if v.b {
			return "true"
		}
		return "false"
	default:
		return string(v.text)
	}
}

// String returns the same as [Value.Text], so a Value prints as its text.
func (v Value) String() string { return v.Text() }

var (
	trueBytes  = []byte("true")
	falseBytes = []byte("false")
)

// Bytes returns the text of v like [Value.Text] without copying. The bytes
// must not be modified, and for a decoded value they are valid only until the
// row iterator moves on.
func (v Value) Bytes() []byte {
	if v.kind == KindBool {
		if v.b {
			return trueBytes
		}
		return falseBytes
	}
	return v.text
}

// BoolValue reports the value of a boolean Value; it is false for others.
func (v Value) BoolValue() bool { return v.kind == KindBool && v.b }

// Float64 returns the value of a number Value as the nearest float64.
func (v Value) Float64() (float64, error) {
	return strconv.ParseFloat(unsafe.String(unsafe.SliceData(v.text), len(v.text)), 64)
}

// Link returns the cell's link, or "" if it has none. Like the text of a
// decoded value, it is valid only until the row iterator moves on.
func (v Value) Link() string { return v.link }

// WithLink returns v with the link url, which a cell shows as a hyperlink
// where its format can. Tables check links as they yield rows: a link that
// is not an absolute http, https or mailto URL (without spaces or control
// characters) is an error there.
func (v Value) WithLink(url string) Value {
	v.link = url
	return v
}

// Equal reports whether v and w are the same kind with the same text and
// link. Numbers compare by text: 1.0 and 1 differ, as they do in the input.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind || v.link != w.link {
		return false
	}
	if v.kind == KindBool {
		return v.b == w.b
	}
	return string(v.text) == string(w.text)
}

// generic returns v as a generic JSON value (for the Check option).
func (v Value) generic() any {
	switch v.kind {
	case KindString:
		return string(v.text)
	case KindNumber:
		return json.Number(v.text)
	case KindBool:
		return v.b
	}
	return nil
}

// Clone returns a copy of v that owns its text.
func (v Value) Clone() Value {
	if v.text != nil {
		v.text = append([]byte(nil), v.text...)
	}
	v.link = strings.Clone(v.link)
	return v
}

// ValidNumber reports whether s is a JSON number (RFC 8259 grammar) whose
// value fits a float64: "1e400" is a JSON number but not a valid report
// number, since no spreadsheet or PDF could show it.
func ValidNumber[T ~string | ~[]byte](s T) bool {
	return validNumberGrammar(s) && numberInRange(s)
}

func validNumberGrammar[T ~string | ~[]byte](s T) bool {
	i, n := 0, len(s)
	if i < n && s[i] == '-' {
		i++
	}
	switch {
	case i < n && s[i] == '0':
		i++
	case i < n && s[i] >= '1' && s[i] <= '9':
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < n && s[i] == '.' {
		i++
		j := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == n
}

// numberInRange reports whether a grammatical JSON number is finite as a
// float64. Plain integers and decimals without an exponent of up to 300
// digits are always in range, so the common case skips ParseFloat.
func numberInRange[T ~string | ~[]byte](s T) bool {
	hasExp := false
	for i := 0; i < len(s); i++ {
		if s[i] == 'e' || s[i] == 'E' {
			hasExp = true
			break
		}
	}
	if !hasExp && len(s) <= 300 {
		return true
	}
	_, err := strconv.ParseFloat(string(s), 64)
	return err == nil || !isRangeErr(err, string(s))
}

// isRangeErr reports whether err is an overflow; underflow to zero is fine.
func isRangeErr(err error, s string) bool {
	ne, ok := err.(*strconv.NumError)
	if !ok || ne.Err != strconv.ErrRange {
		return true
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f != 0
}
