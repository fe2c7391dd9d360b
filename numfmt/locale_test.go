package numfmt_test

import (
	"errors"
	"testing"

	"github.com/foliorender/folio/numfmt"
)

func TestParseLocale(t *testing.T) {
	for _, bad := range []string{"12", "de--DE", " en", "en-", "toolonglanguage"} {
		if l, err := numfmt.ParseLocale(bad); !errors.Is(err, numfmt.ErrLocale) {
			t.Errorf("ParseLocale(%q) = %v, %v; want ErrLocale", bad, l, err)
		}
	}
	same := func(a, b *numfmt.Locale) bool {
		return a.Decimal == b.Decimal && a.Group == b.Group && a.Months == b.Months && a.MonthsAbbr == b.MonthsAbbr &&
			a.Days == b.Days && a.DaysAbbr == b.DaysAbbr && a.AM == b.AM && a.PM == b.PM
	}
	must := func(tag string) *numfmt.Locale {
		l, err := numfmt.ParseLocale(tag)
		if err != nil {
			t.Fatalf("ParseLocale(%q): %v", tag, err)
		}
		return l
	}
	for tag, data := range map[string]string{
		"": "en", "und": "en", "en-US": "en", "EN_us": "en", "xx": "en", "zz-DE": "en",
		"de-DE": "de", "de-LU": "de", "de-ZY": "de", "de-DE-u-nu-arab": "de",
		"en-AU": "en-001", "en-IN": "en-001", "pt-BR": "pt", "pt-AO": "pt-PT",
		"zh-CN": "zh", "zh-TW": "zh", "fr-BE": "fr", "es-MX": "es", "sv-FI": "sv",
	} {
		if !same(must(tag), must(data)) {
			t.Errorf("ParseLocale(%q) does not have %s's data", tag, data)
		}
	}
	if same(must("de-AT"), must("de")) || same(must("en-GB"), must("en")) || same(must("fr-CH"), must("fr")) {
		t.Error("a regional locale has its language's data")
	}
	if got := must("en_us").Tag; got != "en-US" {
		t.Errorf("Tag = %q, want en-US", got)
	}
	if got := must("").Tag; got != "en" {
		t.Errorf("Tag of \"\" = %q, want en", got)
	}
	// Each call returns a Locale of its own.
	must("de").Decimal = "X"
	if must("de").Decimal != "," {
		t.Error("changing a returned Locale changed the table")
	}
}

// TestLocaleData pins the CLDR values a reader sees first.
func TestLocaleData(t *testing.T) {
	for tag, want := range map[string][2]string{
		"en": {".", ","}, "de": {",", "."}, "de-CH": {".", "'"}, "de-AT": {",", "\u00a0"},
		"fr": {",", "\u202f"}, "fr-CH": {",", "'"}, "it": {",", "."}, "es": {",", "."},
		"nl": {",", "."}, "pt": {",", "."}, "pl": {",", "\u00a0"}, "sv": {",", "\u00a0"},
		"ja": {".", ","}, "zh": {".", ","},
	} {
		l, _ := numfmt.ParseLocale(tag)
		if l.Decimal != want[0] || l.Group != want[1] {
			t.Errorf("%s: decimal %q group %q, want %q %q", tag, l.Decimal, l.Group, want[0], want[1])
		}
		for i, m := range l.Months {
			if m == "" || l.MonthsAbbr[i] == "" || l.MonthsNarrow[i] == "" {
				t.Errorf("%s: month %d has no name", tag, i+1)
			}
		}
		for i, d := range l.Days {
			if d == "" || l.DaysAbbr[i] == "" {
				t.Errorf("%s: day %d has no name", tag, i)
			}
		}
	}
	if numfmt.CLDRVersion == "" {
		t.Error("no CLDR version")
	}
}
