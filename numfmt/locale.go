package numfmt

import (
	"errors"
	"fmt"

	"golang.org/x/text/language"
)

//go:generate sh -c "go run ./internal/cldrgen -numbers $CLDR_NUMBERS -dates $CLDR_DATES > locale_data.go"

// A Locale holds what a format code's output depends on besides the code:
// the separators that replace the code's invariant "." and "," and the names
// used by date codes. [ParseLocale] fills one from the built-in CLDR table;
// a program may also build its own. A nil *Locale means English ("en").
type Locale struct {
	// Tag is the BCP 47 tag the locale was asked for, e.g. "de-AT", even
	// when its data comes from a parent ("de"); a page's lang can use it.
	Tag string

	Decimal string // shown for the code's ".": "," in de
	Group   string // shown for the code's grouping ",": "." in de, "\u202f" in fr

	Months       [12]string // mmmm: "January" … "December"
	MonthsAbbr   [12]string // mmm: "Jan" … "Dec"
	MonthsNarrow [12]string // mmmmm: "J" … "D"
	Days         [7]string  // dddd, Sunday first: "Sunday" … "Saturday"
	DaysAbbr     [7]string  // ddd, Sunday first: "Sun" … "Sat"
	AM, PM       string     // AM/PM: "AM", "PM"
}

// english is the locale used for a nil *Locale.
var english = func() *Locale {
	l := *cldrLocales["en"]
	l.Tag = "en"
	return &l
}()

// ErrLocale is returned, wrapped, by [ParseLocale] for a tag that is not
// well-formed BCP 47.
var ErrLocale = errors.New("numfmt: malformed locale tag")

// ParseLocale returns the locale for a BCP 47 tag (case and "_" or "-" as
// separator do not matter). The empty tag and "und" mean English.
//
// The data comes from CLDR (see [CLDRVersion]): the tag itself if the table
// has it, else its CLDR parents in turn (de-LU → de, en-AU → en-001, pt-AO
// → pt-PT), else its base language (zh-TW → zh), else English. Tags whose
// CLDR data is the default content of their language, such as en-US, de-DE,
// fr-FR or pt-BR, use the language's data, as CLDR does. A well-formed tag
// with unknown subtags falls back the same way with the subtags it knows
// ("de-ZY" → de), and one with an unknown language is English ("xx",
// "zz-DE"). A malformed tag ("12", "de--DE") is an error wrapping
// [ErrLocale].
//
// Each call returns a new Locale that the caller may change.
func ParseLocale(tag string) (*Locale, error) {
	data := cldrLocales["en"]
	name := "en"
	if tag != "" {
		t, err := language.Parse(tag)
		var ve language.ValueError
		switch {
		case err == nil:
			name = t.String()
		case errors.As(err, &ve):
			name = tag
		default:
			return nil, fmt.Errorf("%w %q", ErrLocale, tag)
		}
		data = lookup(t)
	}
	l := *data
	l.Tag = name
	return &l, nil
}

func lookup(t language.Tag) *Locale {
	for p := t; ; p = p.Parent() {
		if d, ok := cldrLocales[p.String()]; ok {
			return d
		}
		if p.IsRoot() {
			break
		}
	}
	if b, conf := t.Base(); conf == language.Exact {
		if d, ok := cldrLocales[b.String()]; ok {
			return d
		}
	}
	return cldrLocales["en"]
}

func orEnglish(l *Locale) *Locale {
	if l == nil {
		return english
	}
	return l
}
