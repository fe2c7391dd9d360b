package numfmt_test

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/numfmt/numfmttest"
)

var fuzzNumbers = []string{"0", "-0", "1234.5678", "-1234.5678", "1e-7", "-0.004", "1.7976931348623157e308", "45351.75", "-45351.75", "5e-324", "12345678901234567890.25"}

// FuzzParse checks that Parse never panics, rejects with a well-formed
// *SyntaxError, and that a code it accepts formats any number, time and
// text without panicking or failing outside its documented errors.
func FuzzParse(f *testing.F) {
	for _, c := range numfmttest.Cases {
		f.Add(c.Code)
	}
	for _, b := range numfmttest.BadCodes {
		f.Add(b.Code)
	}
	times := []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC), time.Date(9999, 12, 31, 12, 0, 0, 0, time.FixedZone("", -3600))}
	de, _ := numfmt.ParseLocale("de-CH")
	f.Fuzz(func(t *testing.T, code string) {
		c, err := numfmt.Parse(code)
		if err != nil {
			var se *numfmt.SyntaxError
			if !errors.As(err, &se) || se.Code != code || se.Offset < 0 || se.Offset > len(code) || se.Msg == "" {
				t.Fatalf("Parse(%q): %#v", code, err)
			}
			return
		}
		if c.String() != code {
			t.Fatalf("String() = %q, want %q", c.String(), code)
		}
		chars, ok := c.NumberChars(de)
		for _, n := range fuzzNumbers {
			s, err := c.Format(n, de)
			if err != nil && !(c.Kind() == numfmt.KindDateTime && errors.Is(err, numfmt.ErrRange)) {
				t.Fatalf("%q.Format(%s): %v", code, n, err)
			}
			if b, out := outside(s, chars); ok && out {
				t.Fatalf("%q.Format(%s) = %q: byte %#x is not in NumberChars %q", code, n, s, b, chars)
			}
		}
		for _, tm := range times {
			_, err := c.FormatTime(tm, nil)
			if (err != nil) != (c.Kind() != numfmt.KindDateTime) {
				t.Fatalf("%q.FormatTime(%v): %v", code, tm, err)
			}
		}
		c.FormatText("text")
	})
}

// validNumber reports whether s is a JSON number, by encoding/json.
func validNumber(s string) bool {
	var n json.Number
	if !json.Valid([]byte(s)) || json.Unmarshal([]byte(s), &n) != nil {
		return false
	}
	return s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && strings.TrimSpace(s) == s
}

// FuzzFormat checks that Format accepts exactly the JSON numbers, never
// fails on one below 1e1000 with a number code, and rounds as math/big.
func FuzzFormat(f *testing.F) {
	for _, c := range numfmttest.Cases {
		if c.Type == "number" {
			f.Add(c.Code, c.Value)
		}
	}
	for _, n := range fuzzNumbers {
		f.Add("#,##0.00;(#,##0.00)", n)
	}
	f.Add("0", "1e1000")
	f.Add("0", "01")
	fixed := numfmt.MustParse("0.000")
	f.Fuzz(func(t *testing.T, code, number string) {
		valid := validNumber(number)
		_, ferr := fixed.Format(number, nil)
		if valid != (ferr == nil || errors.Is(ferr, numfmt.ErrRange)) || !valid && !errors.Is(ferr, numfmt.ErrNumber) {
			t.Fatalf("Format(%q): %v, but encoding/json says valid=%v", number, ferr, valid)
		}
		if !valid {
			return
		}
		r, ok := new(big.Rat).SetString(number)
		small := ok && len(number) < 200 && !strings.ContainsAny(number, "eE")
		inRange := ferr == nil
		if small && inRange {
			got, _ := fixed.Format(number, nil)
			want := r.FloatString(3)
			if strings.Trim(want, "-0.") == "" {
				want = strings.TrimPrefix(want, "-")
			}
			if got != want {
				t.Fatalf("0.000 of %s = %q, want %q", number, got, want)
			}
		}
		c, err := numfmt.Parse(code)
		if err != nil {
			return
		}
		_, err = c.Format(number, nil)
		switch {
		case err == nil:
		case errors.Is(err, numfmt.ErrRange) && (!inRange || c.Kind() == numfmt.KindDateTime):
		default:
			t.Fatalf("%q.Format(%s): %v", code, number, err)
		}
	})
}
