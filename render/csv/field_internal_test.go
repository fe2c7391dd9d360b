package csv

import (
	"bufio"
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/numfmt/numfmttest"
	"github.com/foliorender/folio/report"
)

// fieldRef is field without its one-pass fast path: the UTF-8 check, the
// formula check and needsQuotes, each over the whole field.
func fieldRef(cw *writer, b []byte, guard bool) {
	if !utf8.Valid(b) {
		b = []byte(toValid(b))
	}
	prefix := guard && formulaLike(b)
	if !cw.needsQuotes(b) {
		if prefix {
			cw.w.WriteByte('\'')
		}
		cw.w.Write(b)
		return
	}
	cw.w.WriteByte('"')
	if prefix {
		cw.w.WriteByte('\'')
	}
	for {
		j := bytes.IndexByte(b, '"')
		if j < 0 {
			cw.w.Write(b)
			break
		}
		cw.w.Write(b[:j+1])
		cw.w.WriteByte('"')
		b = b[j+1:]
	}
	cw.w.WriteByte('"')
}

var fieldCases = []string{
	"", "plain", "a,b", "a;b", "a\tb", `say "hi"`, `"`, `""`, "a\r\nb", "\n", " lead", "\tlead", `\.`, `\.x`, `\`,
	"=1+2", "+1", "-12.5", "-1.234,50", "@x", "\u00a0nbsp", "\u3000ideo", "\u2028", "€ 1.234,50", "(€ 1.234,50)", "Straße",
	"x\u00a0", "\xff", "a\xffb,c", "\xe2\x82", "東京;\"x\"", "a|b", "é,é", "\u00a7", "trail ",
}

var fieldCommas = []rune{',', ';', '\t', '|', ' ', '§', '€', '東', '\\'}

func TestFieldAgainstRef(t *testing.T) {
	for _, comma := range fieldCommas {
		for _, s := range fieldCases {
			checkField(t, comma, s)
		}
	}
}

func FuzzFieldAgainstRef(f *testing.F) {
	for i, s := range fieldCases {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, s string, comma uint8) {
		checkField(t, fieldCommas[int(comma)%len(fieldCommas)], s)
	})
}

func checkField(t *testing.T, comma rune, s string) {
	t.Helper()
	for _, guard := range []bool{false, true} {
		var got, want bytes.Buffer
		cw, ref := newWriter(&got, comma, false), newWriter(&want, comma, false)
		cw.field([]byte(s), guard)
		fieldRef(ref, []byte(s), guard)
		cw.w.Flush()
		ref.w.Flush()
		if got.String() != want.String() {
			t.Fatalf("comma %q guard %v: field(%q) writes %q, want %q", comma, guard, s, got.String(), want.String())
		}
	}
}

// TestFormattedAgainstRef checks that a formatted number, written without
// checking its bytes when its column's code allows (column.known), is the
// field fieldRef writes for its text: for every code of numfmt's cases, in
// several locales, with every separator, for values of each sign, zero,
// rounding, huge and tiny, and one no code shows.
func TestFormattedAgainstRef(t *testing.T) {
	values := []string{"0", "-0", "1234.5678", "-1234.5678", "0.004", "-0.004", "1e-7", "-1.5E+3", "1.7976931348623157e308", "1e1000"}
	known := 0
	// Codes whose literal text makes the field quoted (a leading space of
	// either kind, the separator) or guarded (formula syntax).
	cases := append([]numfmttest.Case{
		{Code: `"="0`, Value: "5"}, {Code: `" "0`, Value: "-5"}, {Code: "\"\u3000\"0.0", Value: "5"},
		{Code: `0;-0" +1"`, Value: "-3"}, {Code: `"@"#,##0`, Value: "1234"}, {Code: `0" ;|,"`, Value: "7"},
	}, numfmttest.Cases...)
	for _, c := range cases {
		code := numfmt.MustParse(c.Code)
		for _, tag := range []string{c.Locale, "de-DE", "fr", "de-CH"} {
			loc, err := numfmt.ParseLocale(tag)
			if err != nil {
				t.Fatal(err)
			}
			for k, comma := range fieldCommas {
				var got, want bytes.Buffer
				cw, ref := newWriter(&got, comma, false), newWriter(&want, comma, false)
				if k%2 == 1 {
					// A buffer smaller than numberRoom: every number is
					// formatted past its end.
					cw.w = bufio.NewWriterSize(&got, 16)
				}
				col := cw.plan([]report.Column{{Type: report.TypeNumber, Format: code}}, true, loc)[0]
				if col.known {
					known++
				}
				for j, s := range append(values, c.Value) {
					v, ok := report.Number(s)
					if !ok {
						continue
					}
					got.Reset()
					want.Reset()
					i := j % 2 // the first field, or one after a separator
					cw.formatted(i, &col, v, loc)
					text := col.AppendText(nil, v, loc)
					guard := true
					if len(text) > 0 && (text[0] == '-' || text[0] == '+') && !bytes.ContainsAny(text[1:], "=+-*/^&|!()@<>:;\"") {
						guard = false
					}
					ref.sep(i)
					fieldRef(ref, text, guard)
					cw.w.Flush()
					ref.w.Flush()
					if got.String() != want.String() {
						t.Fatalf("%q %s comma %q field %d: %s writes %q, want %q", c.Code, tag, comma, i, s, got.String(), want.String())
					}
				}
			}
		}
	}
	if known == 0 {
		t.Fatal("no column's formatted numbers were known")
	}
}

// TestSpaceStartQuoted checks that a field starting with a space, ASCII or
// Unicode, is quoted with every separator, of one byte or several, and
// whether or not its UTF-8 is valid (a reader that trims leading space
// would lose it otherwise).
func TestSpaceStartQuoted(t *testing.T) {
	for _, comma := range fieldCommas {
		for _, s := range []string{" a", "\ta", "\u00a0a", "\u0085a", "\u1680a", "\u2000a", "\u200aa", "\u2028a", "\u2029a", "\u202fa", "\u205fa", "\u3000a", "\u3000a\xff"} {
			for _, guard := range []bool{false, true} {
				var out bytes.Buffer
				cw := newWriter(&out, comma, false)
				cw.field([]byte(s), guard)
				cw.w.Flush()
				if !bytes.HasPrefix(out.Bytes(), []byte(`"`)) {
					t.Errorf("comma %q: field(%q) writes %q, not quoted", comma, s, out.String())
				}
			}
		}
	}
}
