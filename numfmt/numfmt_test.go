package numfmt_test

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/numfmt/numfmttest"
)

// format formats a case's value as a renderer would for its column type.
func format(t testing.TB, c numfmttest.Case) (string, error) {
	t.Helper()
	code, err := numfmt.Parse(c.Code)
	if err != nil {
		return "", err
	}
	loc, err := numfmt.ParseLocale(c.Locale)
	if err != nil {
		return "", err
	}
	switch c.Type {
	case "number":
		return code.Format(c.Value, loc)
	case "date", "datetime":
		tm, err := numfmt.ParseTime(c.Value)
		if err != nil {
			return "", err
		}
		return code.FormatTime(tm, loc)
	case "string":
		return code.FormatText(c.Value), nil
	}
	return "", fmt.Errorf("unknown type %q", c.Type)
}

func TestCases(t *testing.T) {
	if len(numfmttest.Cases) < 40 {
		t.Fatalf("only %d cases", len(numfmttest.Cases))
	}
	for _, c := range numfmttest.Cases {
		got, err := format(t, c)
		if err != nil {
			t.Errorf("%q %s %s %q: %v", c.Code, c.Locale, c.Type, c.Value, err)
			continue
		}
		if got != c.Want {
			t.Errorf("%q %s %s %q = %q, want %q", c.Code, c.Locale, c.Type, c.Value, got, c.Want)
		}
	}
}

func TestBadCodes(t *testing.T) {
	for _, b := range numfmttest.BadCodes {
		c, err := numfmt.Parse(b.Code)
		var se *numfmt.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, %v; want a *SyntaxError", b.Code, c, err)
			continue
		}
		if se.Unsupported != b.Unsupported {
			t.Errorf("Parse(%q): Unsupported = %v, want %v (%s)", b.Code, se.Unsupported, b.Unsupported, se.Msg)
		}
		if se.Code != b.Code || se.Offset < 0 || se.Offset > len(b.Code) || se.Msg == "" {
			t.Errorf("Parse(%q): %+v", b.Code, se)
		}
		if !strings.Contains(err.Error(), se.Msg) {
			t.Errorf("Parse(%q): Error() %q lacks the message", b.Code, err)
		}
	}
}

func TestSyntaxErrorMessages(t *testing.T) {
	for code, want := range map[string]string{
		"# ?/?":        "fractions such as # ?/? are not supported",
		"[<100]0":      "conditions such as [<100] are not supported",
		"0.00.0":       "at most one decimal point",
		"0 kg":         `the letter k must be quoted ("k") or escaped (\k)`,
		"yyy":          "write the year as yy or yyyy, not yyy",
		"\"abc":        "no closing quote",
		"0;0;0;@;0":    "at most four sections",
		"0.0 yyyy":     "cannot mix date/time parts and number parts",
		"[$-F800]dddd": "[$-F800] and [$-F400] are not supported",
		"0%%":          "more than one % is not supported",
		"0;@;0":        "@ may appear only in the last section",
		"[Purple]0":    "[Purple] is not a color",
		"0 1":          `the digit 1 must be quoted ("1") or escaped (\1)`,
		"##0.0E+0":     "exactly one digit placeholder before the decimal point",
		"":             "the format code is empty",
		"h:mm:ss.0000": "at most three digits",
	} {
		_, err := numfmt.Parse(code)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", code, err, want)
		}
	}
}

func TestKind(t *testing.T) {
	for _, c := range []struct {
		code       string
		kind       numfmt.Kind
		date, time bool
	}{
		{"General", numfmt.KindNumber, false, false},
		{"#,##0.00;(#,##0.00);\"-\";@", numfmt.KindNumber, false, false},
		{"\"n/a\"", numfmt.KindNumber, false, false},
		{"@", numfmt.KindText, false, false},
		{"\"Ref \"@", numfmt.KindText, false, false},
		{"yyyy-mm-dd", numfmt.KindDateTime, true, false},
		{"dd.mm.yyyy hh:mm", numfmt.KindDateTime, true, true},
		{"h:mm AM/PM", numfmt.KindDateTime, false, true},
		{"[h]:mm:ss", numfmt.KindDateTime, false, true},
		{"mm", numfmt.KindDateTime, true, false},
		{"mm:ss", numfmt.KindDateTime, false, true},
		{"yyyy-mm-dd;;\"none\"", numfmt.KindDateTime, true, false},
	} {
		code, err := numfmt.Parse(c.code)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.code, err)
			continue
		}
		if code.Kind() != c.kind || code.HasDate() != c.date || code.HasTime() != c.time {
			t.Errorf("Parse(%q): kind %v date %v time %v, want %v %v %v", c.code, code.Kind(), code.HasDate(), code.HasTime(), c.kind, c.date, c.time)
		}
		if code.String() != c.code {
			t.Errorf("String() = %q, want %q", code.String(), c.code)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	num := numfmt.MustParse("0.00")
	date := numfmt.MustParse("yyyy-mm-dd")
	for _, c := range []struct {
		code *numfmt.Code
		text string
		want error
	}{
		{num, "", numfmt.ErrNumber},
		{num, "1.", numfmt.ErrNumber},
		{num, ".5", numfmt.ErrNumber},
		{num, "01", numfmt.ErrNumber},
		{num, "+1", numfmt.ErrNumber},
		{num, "1e", numfmt.ErrNumber},
		{num, "NaN", numfmt.ErrNumber},
		{num, "1 ", numfmt.ErrNumber},
		{num, "1e1000", numfmt.ErrRange},
		{num, "-9.9e999999999999999999999", numfmt.ErrRange},
		{date, "2958466", numfmt.ErrRange}, // 10000-01-01
		{date, "-693594", numfmt.ErrRange}, // year 0
		{date, "1e300", numfmt.ErrRange},
	} {
		_, err := c.code.Format(c.text, nil)
		if !errors.Is(err, c.want) {
			t.Errorf("%s.Format(%q) = %v, want %v", c.code, c.text, err, c.want)
		}
	}
	if _, err := num.FormatTime(time.Now(), nil); !errors.Is(err, numfmt.ErrKind) {
		t.Errorf("FormatTime with a number code: %v", err)
	}
	if _, err := date.FormatTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), nil); !errors.Is(err, numfmt.ErrRange) {
		t.Errorf("FormatTime of year 10000: %v", err)
	}
	// The edges that are in range.
	for text, want := range map[string]string{"2958465.99999": "9999-12-31", "-693593": "0001-01-01", "1e-300": "1899-12-30", "-1e-300": "1899-12-29"} {
		if got, err := date.Format(text, nil); err != nil || got != want {
			t.Errorf("yyyy-mm-dd of %s = %q, %v; want %q", text, got, err, want)
		}
	}
}

// TestRoundingAgainstBig checks fixed-point rounding against math/big's
// FloatString, which rounds half away from zero too.
func TestRoundingAgainstBig(t *testing.T) {
	codes := []string{"0", "0.0", "0.00", "0.000000"}
	seed := uint64(1)
	next := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for i := 0; i < 20000; i++ {
		// Numbers like -123.4565, 5e-3, 98765.4321e2 with many ties.
		mant := fmt.Sprint(next() % 10000000)
		text := mant
		if k := int(next() % 8); k > 0 && k < len(mant) {
			text = mant[:len(mant)-k] + "." + mant[len(mant)-k:]
		}
		if next()%4 == 0 {
			text += fmt.Sprintf("e%d", int(next()%9)-4)
		}
		if next()%2 == 0 {
			text = "-" + text
		}
		r, ok := new(big.Rat).SetString(text)
		if !ok {
			t.Fatalf("bad test number %q", text)
		}
		for places, code := range []int{0, 1, 2, 6} {
			want := r.FloatString(code)
			if strings.Trim(want, "-0.") == "" {
				want = strings.TrimPrefix(want, "-") // no minus on a shown zero
			}
			got, err := numfmt.MustParse(codes[places]).Format(text, nil)
			if err != nil || got != want {
				t.Fatalf("%s of %s = %q, %v; want %q", codes[places], text, got, err, want)
			}
		}
	}
}

func TestGeneralIsExact(t *testing.T) {
	g := numfmt.MustParse("General")
	for _, text := range []string{"0", "-0", "1", "0.1", "1e-7", "-1.5E+3", "123456789012345678901234567890.0987654321", "1e308", "4.9e-324", "1e-400", "7e-1001"} {
		got, err := g.Format(text, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := new(big.Rat).SetString(text)
		back, ok := new(big.Rat).SetString(got)
		if !ok || back.Cmp(want) != 0 || strings.ContainsAny(got, "eE") && !strings.HasSuffix(text, "e-1001") {
			t.Errorf("General of %s = %q", text, got)
		}
	}
}

func TestFormatDoesNotAllocate(t *testing.T) {
	de, _ := numfmt.ParseLocale("de-DE")
	buf := make([]byte, 0, 64)
	for _, code := range []string{"#,##0.00", "0.0%", "0.00E+00", "General", "$#,##0.00;($#,##0.00);\"-\""} {
		c := numfmt.MustParse(code)
		allocs := testing.AllocsPerRun(100, func() {
			buf, _ = c.AppendFormat(buf[:0], "-1234567.891", de)
		})
		if allocs != 0 {
			t.Errorf("AppendFormat with %q: %v allocations", code, allocs)
		}
	}
}

func TestFormatTimeLocation(t *testing.T) {
	c := numfmt.MustParse("yyyy-mm-dd hh:mm")
	zone := time.FixedZone("", 14*3600)
	tm := time.Date(2024, 12, 31, 22, 0, 0, 0, time.UTC)
	if got, _ := c.FormatTime(tm.In(zone), nil); got != "2025-01-01 12:00" {
		t.Errorf("in +14:00: %q", got)
	}
	if got, _ := c.FormatTime(tm, nil); got != "2024-12-31 22:00" {
		t.Errorf("in UTC: %q", got)
	}
}

func TestParseTime(t *testing.T) {
	for _, s := range []string{"2024-02-29", "2024-02-29T10:00:00Z", "2024-02-29T10:00:00.123+02:00"} {
		if _, err := numfmt.ParseTime(s); err != nil {
			t.Errorf("ParseTime(%q): %v", s, err)
		}
	}
	for _, s := range []string{"2023-02-29", "2024-02-29T10:00:00", "29.02.2024", ""} {
		if _, err := numfmt.ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) succeeded", s)
		}
	}
}

// TestSerialAgainstRat checks serial dates, in the int64 and the math/big
// paths, against math/big.Rat and the time package.
func TestSerialAgainstRat(t *testing.T) {
	clockCode := numfmt.MustParse("yyyy-mm-dd hh:mm:ss")
	elapsed := numfmt.MustParse("[s]")
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	seed := uint64(5)
	next := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for i := 0; i < 20000; i++ {
		days := int64(next()%3_000_000) - 20000
		frac := fmt.Sprint(next())
		frac = frac[:1+next()%uint64(len(frac))] // 1 to 20 decimals
		if next()%3 == 0 {
			frac += fmt.Sprint(next()) // beyond 18 digits: the big path
		}
		text := fmt.Sprintf("%d.%s", days, frac)
		if days < 0 || days == 0 && next()%2 == 0 {
			text = "-" + strings.TrimPrefix(text, "-")
		}
		r, _ := new(big.Rat).SetString(text)
		x := new(big.Rat).Mul(r, big.NewRat(86400, 1))
		floor := new(big.Int).Div(x.Num(), x.Denom()) // Euclidean: floor for a positive divisor
		sec := floor.Int64()
		want := epoch.Add(time.Duration(sec%86400)*time.Second).AddDate(0, 0, int(sec/86400))
		if sec%86400 < 0 {
			want = epoch.AddDate(0, 0, int(sec/86400)-1).Add(time.Duration(86400+sec%86400) * time.Second)
		}
		got, err := clockCode.Format(text, nil)
		if want.Year() < 1 || want.Year() > 9999 {
			if err == nil {
				t.Fatalf("%s: %q, want ErrRange", text, got)
			}
			continue
		}
		if w := want.Format("2006-01-02 15:04:05"); err != nil || got != w {
			t.Fatalf("%s = %q, %v; want %q", text, got, err, w)
		}
		abs := new(big.Rat).Abs(x)
		abs.Add(abs, big.NewRat(1, 2))
		rounded := new(big.Int).Quo(abs.Num(), abs.Denom())
		w := rounded.String()
		if x.Sign() < 0 && rounded.Sign() != 0 {
			w = "-" + w
		}
		if got, err := elapsed.Format(text, nil); err != nil || got != w {
			t.Fatalf("[s] of %s = %q, %v; want %q", text, got, err, w)
		}
	}
}

// TestNumberChars checks that every byte of a formatted number is in the
// code's NumberChars, for each number case's code with the case's value and
// others (signs, zero, rounding, huge and tiny), and that date/time codes
// report none.
func TestNumberChars(t *testing.T) {
	values := []string{"0", "-0", "1234.5678", "-1234.5678", "0.004", "-0.004", "1e-7", "1.7976931348623157e308", "-5e-324", "999.995"}
	for _, c := range numfmttest.Cases {
		code := numfmt.MustParse(c.Code)
		loc, err := numfmt.ParseLocale(c.Locale)
		if err != nil {
			t.Fatal(err)
		}
		chars, ok := code.NumberChars(loc)
		if ok != (code.Kind() != numfmt.KindDateTime) {
			t.Errorf("%q: NumberChars ok = %v for a %s code", c.Code, ok, code.Kind())
		}
		if !ok || c.Type != "number" {
			continue
		}
		for _, v := range append(values, c.Value) {
			s, err := code.Format(v, loc)
			if err != nil {
				t.Fatalf("%q %s %s: %v", c.Code, c.Locale, v, err)
			}
			if !utf8.ValidString(chars) {
				t.Errorf("%q %s: NumberChars %q is not valid UTF-8", c.Code, c.Locale, chars)
			}
			if b, ok := outside(s, chars); ok {
				t.Errorf("%q %s %s = %q: byte %#x is not in NumberChars %q", c.Code, c.Locale, v, s, b, chars)
			}
		}
	}
}

// outside returns a byte of s that is not in chars, and whether there is
// one.
func outside(s, chars string) (byte, bool) {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(chars, s[i]) < 0 {
			return s[i], true
		}
	}
	return 0, false
}

// TestNumberCharsInvalid checks that literal text that is not valid UTF-8
// makes NumberChars invalid, even where two such literals would join into
// a valid character.
func TestNumberCharsInvalid(t *testing.T) {
	for _, code := range []string{"0\"\xe2\x82\"", "\"\xe2\"0\"\x82\xac\""} {
		chars, ok := numfmt.MustParse(code).NumberChars(nil)
		if !ok || utf8.ValidString(chars) {
			t.Errorf("%q: NumberChars = %q, %v; want invalid UTF-8", code, chars, ok)
		}
	}
}
