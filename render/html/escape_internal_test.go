package html

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/numfmt/numfmttest"
	"github.com/foliorender/folio/report"
)

// escapedRef is appendEscaped without its fast paths: every non-ASCII
// sequence through the general UTF-8 decoder.
func escapedRef(s string) string {
	var dst []byte
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[last:i]...)
			dst = append(dst, escapes[c]...)
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !allowedRune(r, size) {
			dst = append(dst, s[last:i]...)
			dst = append(dst, replacement...)
			last = i + size
		}
		i += size
	}
	return string(append(dst, s[last:]...))
}

// escapeCases are texts at the edges of appendEscaped's fast paths.
var escapeCases = []string{
	"", "plain", "a<b>&\"'c", "Straße Ωμέγα Москва 東京 € 1.234,50", "\u00a0\u00ff\u0100\u07ff\u0800\uffef",
	"\u0080", "\u009f", "\u00a0", "\ufdcf\ufdd0\ufdef\ufdf0", "\ufffd\ufffe\uffff", "\U0001f600\U0001fffe\U0010ffff",
	"\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x7f", "\xc2\xc0", "\xdf\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xe0\xa0\x80",
	"\xed\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xee\x80\x80", "\xef\xbf", "\xe2\x82", "\xe2\x82\xacx", "x\xe2\x82",
	"\xf0\x9f\x98", "\xf4\x90\x80\x80", "\xff\xfe", "\x00\x01\t\n\f\r\x7f", "ab\xe2\x82\xac\xe2\x82",
}

func TestEscapedAgainstRef(t *testing.T) {
	for _, s := range escapeCases {
		checkEscaped(t, s)
	}
	// Every two- and three-byte sequence, and each of them cut short.
	var b [3]byte
	for c0 := 0x80; c0 < 0x100; c0++ {
		for c1 := 0x70; c1 < 0xd0; c1++ {
			b[0], b[1] = byte(c0), byte(c1)
			checkEscaped(t, string(b[:2]))
			for _, c2 := range []byte{0x20, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0} {
				b[2] = c2
				checkEscaped(t, string(b[:3]))
			}
		}
	}
}

func FuzzEscapedAgainstRef(f *testing.F) {
	for _, s := range escapeCases {
		f.Add(s)
	}
	f.Fuzz(checkEscaped)
}

func checkEscaped(t *testing.T, s string) {
	t.Helper()
	want := escapedRef(s)
	if got := string(appendEscaped([]byte("x"), s)); got != "x"+want {
		t.Fatalf("appendEscaped(%q) = %q, want %q", s, got, "x"+want)
	}
	// cleanPrefix: s may be escaped from there on, and it is all of s
	// exactly when escaping changes nothing.
	n := cleanPrefix(s)
	if n < 0 || n > len(s) || s[:n]+escapedRef(s[n:]) != want || (n == len(s)) != (want == s) {
		t.Fatalf("cleanPrefix(%q) = %d, escaped %q", s, n, want)
	}
}

// urlValues are link template values: numbers, which need no encoding
// but for "+", and text.
var urlValues = []string{"", "0", "-1234.50", "1e+7", "1E-7", "abc", "A-Z_a.z~09", "a b", "Straße", "%", "{value}", "\x00\xff"}

func TestURLValueAgainstSafeurl(t *testing.T) {
	for _, v := range urlValues {
		checkURLValue(t, v)
	}
}

func FuzzURLValueAgainstSafeurl(f *testing.F) {
	for _, v := range urlValues {
		f.Add(v)
	}
	f.Fuzz(checkURLValue)
}

func checkURLValue(t *testing.T, v string) {
	t.Helper()
	if got, want := string(appendURLValue([]byte("x"), []byte(v))), string(safeurl.AppendValue([]byte("x"), []byte(v))); got != want {
		t.Fatalf("appendURLValue(%q) = %q, want %q", v, got, want)
	}
}

// TestCleanColumns checks that a column marked clean formats every number
// as text that escaping leaves as it is: for every code of numfmt's cases
// and codes with markup characters, in several locales, for values of each
// sign, zero, rounding, huge and tiny, and one no code shows.
func TestCleanColumns(t *testing.T) {
	values := []string{"0", "-0", "1234.5678", "-1234.5678", "0.004", "-0.004", "1e-7", "-1.5E+3", "1.7976931348623157e308", "1e1000"}
	codes := []string{`"<b>"0`, `0" & "`, `0\'`, `\"0.00`}
	for _, c := range numfmttest.Cases {
		codes = append(codes, c.Code)
	}
	clean, dirty := 0, 0
	for _, code := range codes {
		for _, tag := range []string{"", "de-DE", "fr", "de-CH"} {
			loc, err := numfmt.ParseLocale(tag)
			if err != nil {
				t.Fatal(err)
			}
			col := newColumn(report.Column{Type: report.TypeNumber, Format: numfmt.MustParse(code)}, loc)
			if !col.clean {
				dirty++
				continue
			}
			clean++
			for _, s := range values {
				v, _ := report.Number(s)
				text := col.AppendText(nil, v, loc)
				if esc := appendEscaped(nil, string(text)); string(esc) != string(text) {
					t.Errorf("%q %s: %s is %q, escaped %q", code, tag, s, text, esc)
				}
			}
		}
	}
	if clean == 0 || dirty == 0 {
		t.Errorf("%d clean columns and %d others, want some of each", clean, dirty)
	}
}

// TestLinkedNumbers checks that a cell of a formatted number column with a
// link template, written in one run (column.linkedNumber), is the cell the
// general cases write: for templates with {value} at the end, inside and
// twice, cells with links of their own, nulls, and exponents with "+".
func TestLinkedNumbers(t *testing.T) {
	loc, err := numfmt.ParseLocale("de-DE")
	if err != nil {
		t.Fatal(err)
	}
	values := []report.Value{report.Int(-232872), report.Float(0.5), report.Null, report.Bool(true), report.String("x&y")}
	for _, s := range []string{"1e+21", "-1.5E+3", "1e-7", "-78442.80"} {
		v, _ := report.Number(s)
		values = append(values, v, v.WithLink("https://own.example/?a=1&b=2"))
	}
	linked := 0
	for _, code := range []string{"#,##0", `"€ "#,##0.00;("€ "#,##0.00)`, `"<b>"0`} {
		for _, link := range []string{"https://erp.example/items/{value}", "https://erp.example/a?v={value}&x=1", "https://erp.example/{value}/{value}", "https://erp.example/none"} {
			col := newColumn(report.Column{Type: report.TypeNumber, Format: numfmt.MustParse(code), Link: link}, loc)
			if col.linkedNumber {
				linked++
			}
			general := col
			general.linkedNumber = false
			for _, v := range values {
				var got, want bytes.Buffer
				s := state{w: newWriter(&got), loc: loc}
				s.cell(&col, v)
				s.w.flush()
				ref := state{w: newWriter(&want), loc: loc}
				ref.cell(&general, v)
				ref.w.flush()
				if got.String() != want.String() {
					t.Errorf("%q %q %q: %s, want %s", code, link, v.Bytes(), got.String(), want.String())
				}
			}
		}
	}
	if linked == 0 {
		t.Error("no column was linkedNumber")
	}
	var got bytes.Buffer
	s := state{w: newWriter(&got), loc: loc}
	col := newColumn(report.Column{Type: report.TypeNumber, Format: numfmt.MustParse("#,##0"), Link: "https://erp.example/items/{value}"}, loc)
	s.cell(&col, report.Int(232872))
	s.w.flush()
	if want := `<td class="num" data-value="232872"><a href="https://erp.example/items/232872" rel="noopener noreferrer">232.872</a></td>`; got.String() != want {
		t.Errorf("got %s, want %s", got.String(), want)
	}
}
