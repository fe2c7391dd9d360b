package xlsx

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/foliorender/folio/report"
)

func TestSheetNames(t *testing.T) {
	long := strings.Repeat("x", 40)
	emoji := strings.Repeat("a", 30) + "😀"
	n := newSheetNames()
	for _, c := range []struct{ want, got string }{
		{"Data", n.take("Data", "T")},
		{"data (2)", n.take("data", "T")},
		{"DATA (3)", n.take("DATA", "T")},
		{"History (2)", n.take("History", "T")},
		{"history (3)", n.take("history", "T")},
		{"Table 6", n.take("", "Table 6")},
		{"Table 7", n.take(" \t ", "Table 7")},
		{strings.Repeat("x", 31), n.take(long, "T")},
		{strings.Repeat("x", 27) + " (2)", n.take(long, "T")},
		{strings.Repeat("a", 30), n.take(emoji, "T")},
		{"Q1-Q2- (draft)__", n.take("Q1/Q2: [draft]*?", "T")},
		{"quoted", n.take("'quoted'", "T")},
		{"Bob's data", n.take("Bob's data", "T")},
		{"tab here", n.take("tab\there\x00", "T")},
		{"Data (2) (2)", n.take("Data (2)", "T")},
		{"bad \uFFFD", n.take("bad \xff", "T")},
		{"Ärger", n.take("Ärger", "T")},
		{"äRGER (2)", n.take("äRGER", "T")},
		{"Report", n.take("''", "Report")},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
		if err := validSheetName(c.got); err != "" {
			t.Errorf("%q: %s", c.got, err)
		}
	}
}

// validSheetName returns what is wrong with name for Excel, or "".
func validSheetName(name string) string {
	switch {
	case name == "":
		return "empty"
	case utf16Len(name) > 31:
		return "longer than 31 UTF-16 units"
	case strings.ContainsAny(name, `[]:*?/\`):
		return "has a forbidden character"
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return "starts or ends with an apostrophe"
	case !utf8.ValidString(name):
		return "invalid UTF-8"
	case strings.EqualFold(name, "History"):
		return "reserved"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "has a control character"
		}
	}
	return ""
}

func FuzzSheetName(f *testing.F) {
	for _, s := range []string{"Data", "", "'a'", "History", strings.Repeat("😀", 20), "a/b\\c[d]e:f*g?h", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := newSheetNames()
		a, b := n.take(s, "Table"), n.take(s, "Table")
		for _, name := range []string{a, b} {
			if err := validSheetName(name); err != "" {
				t.Fatalf("take(%q) = %q: %s", s, name, err)
			}
		}
		if strings.EqualFold(a, b) {
			t.Fatalf("take(%q) twice gave %q and %q", s, a, b)
		}
	})
}

func TestCellText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
		{"nul\x00bell\x07esc\x1b", "nul\u2400bell\u2407esc\u241b"},
		{"non \uffff \ufffe", "non \ufffd \ufffd"},
		{"bad \xff", "bad \ufffd"},
		{"Grüße 中文 😀", "Grüße 中文 😀"},
	} {
		got, changed := cellText(c.in)
		if !changed {
			got = c.in
		}
		if got != c.want {
			t.Errorf("cellText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	got, _ := cellText(strings.Repeat("é", 40000))
	if utf16Len(got) != MaxCellChars || !strings.HasSuffix(got, TruncatedMarker) {
		t.Errorf("long text: %d units, ends %q", utf16Len(got), got[len(got)-20:])
	}
	if s, changed := cellText(strings.Repeat("a", MaxCellChars)); changed {
		t.Errorf("text of exactly the limit was changed to %d units", utf16Len(s))
	}
}

func TestTextWidth(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"abc", 3}, {"中文报告", 8}, {"ｆｕｌｌ", 8}, {"a\u0301b", 2}, {"short\nlonger line", 11}, {"한국어", 6},
	} {
		if got := textWidth(c.in); got != c.want {
			t.Errorf("textWidth(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestExcelNumber(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    any // nil: written as text
		rounded any // from roundedNumber
	}{
		{"12", int64(12), int64(12)}, {"-0", int64(0), int64(0)}, {"12.50", 12.5, 12.5}, {"0.1", 0.1, 0.1}, {"1e3", 1000.0, 1000.0},
		{"123456789012345", int64(123456789012345), int64(123456789012345)},
		{"999999999999999000", int64(999999999999999000), int64(999999999999999000)}, // 15 significant digits
		{"100000000000000000000", 1e20, 1e20}, {"-1.5e-300", -1.5e-300, -1.5e-300},
		{"9007199254740992", nil, 9007199254740990.0}, {"12345678901234567", nil, 12345678901234600.0},
		{"123456789012345678901", nil, 1.23456789012346e20}, {"0.1234567890123456789", nil, 0.123456789012346},
		{"0.30000000000000004", nil, 0.3}, {"2.9999999999999996", nil, 3.0}, {"-0.0", 0.0, 0.0},
		{"1.2345678901234567e5", nil, 123456.789012346},
		{"1e-320", nil, nil}, {"2.2250738585072014e-308", nil, nil}, {"2.2250738585072e-308", nil, nil}, // below the smallest normal
		{"1.7976931348623157e308", nil, 1.7976931348623157e308}, {"-1.7976931348623157e308", nil, -1.7976931348623157e308}, // 15 digits would round to ±Inf
		{"1.79769313486231e308", 1.79769313486231e308, 1.79769313486231e308},
	} {
		got, ok := excelNumber([]byte(c.in))
		if got != c.want || ok != (c.want != nil) {
			t.Errorf("excelNumber(%s) = %#v, %v, want %#v", c.in, got, ok, c.want)
		}
		got, ok = roundedNumber([]byte(c.in))
		if got != c.rounded || ok != (c.rounded != nil) {
			t.Errorf("roundedNumber(%s) = %#v, %v, want %#v", c.in, got, ok, c.rounded)
		}
	}
}

func TestParagraphText(t *testing.T) {
	p := &report.Paragraph{Runs: []report.Run{
		{Text: "Plain **not bold** "},
		{Text: "Some **bold**, *em*, `code`, a [link](http://example.com), <b>raw</b> and <http://auto.example>.", Markdown: true},
	}}
	want := "Plain **not bold** Some bold, em, code, a link, raw and http://auto.example."
	if got := paragraphText(p); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
