package numfmt

import "testing"

// TestPlainPath checks that the short paths of plain sections (appendShort
// and appendPlain) give the text and errors of the general one, for plain
// codes and for codes just outside them.
func TestPlainPath(t *testing.T) {
	codes := []struct {
		code  string
		plain bool // of the first section
	}{
		{"0", true},
		{"0.00", true},
		{"#,##0", true},
		{"#,##0.00", true},
		{"#,##0.000_);(#,##0.000)", true},
		{"00000", true},
		{"0,000.0", true},
		{"00,000,000", true},
		{"#,##0.0000", true},
		{"#", true},
		{"#.00", true},
		{"#,###", true},
		{"0.", true},
		{`"€ "#,##0.00;("€ "#,##0.00)`, true},
		{`#,##0.00 "kg"`, true},
		{`[$€-407] #,##0.00`, true},
		{`*x#,##0.00`, true},
		{"0.0#", false},
		{"0.?", false},
		{"?,??0", false},
		{"0#", false},
		{"0%", false},
		{"#,##0,", false},
		{"0.00E+00", false},
		{`0"-"00`, false},
		{"General", false},
	}
	values := []string{"0", "-0", "1", "-1", "0.5", "0.004", "0.005", "-0.005", "0.995", "9.995", "999.995", "1234.5678", "-1234.5678",
		"1e-7", "1e7", "-0.00", "0.0", "-0.0", "0.50", "1234.50", "-1234.5", "1000000.00", "12", "-12", "0.123", "-999999999999999999999.99",
		"007", "-", "1.", ".5", "1.5e", "", "--1", "1.2.3", "0x10", "1,5", "123456789012345678901234567890", "5e-324", "1.7976931348623157e308", "999999.9999", "100", "1000", "-1000000", "12.3e1",
		"12345", "123456", "-1234567", "12345678.9", "123456789", "1234567890.12", "-12345678901", "123456789012.5", "1234567890123",
		"12345678901234", "123456789012345.678", "1234567890123456", "12345678901234567", "123456789012345678", "1234567890123456789", "0.0001", "-0.00005",
		// Every count of integer digits, for the groups of three.
		"1234567", "12345678", "-12345678", "123456789", "1234567.8", "-1234567.8", "12345678.9", "1.2345678", "-0.1234567", "0.00000000",
		"123456789.12345678", "-1234567890123456.1234567", "1234567x", "12345678x", "-1234567.8x", "1234567.8e1", "12345678.5e1", "1234567.",
		"1.5e10", "0.0000000x", "12345678.1234567-", "1234567\x80", "\xff1234567", "123456789012345678901234567890.123456789"}
	for _, tag := range plainLocales {
		loc, err := ParseLocale(tag)
		if err != nil {
			t.Fatal(err)
		}
		for _, cc := range codes {
			c := MustParse(cc.code)
			if c.nums[0].plain != cc.plain {
				t.Errorf("%q: plain = %v, want %v", cc.code, c.nums[0].plain, cc.plain)
			}
			slow := general(cc.code)
			for _, v := range values {
				checkPlain(t, c, slow, v, loc)
			}
		}
	}
}

var plainLocales = []string{"en", "de-DE", "fr-CH", "de-AT", "fr"}

// general returns the code with its plain sections taken for general
// ones, so that it formats on the general path.
func general(code string) *Code {
	c := MustParse(code)
	for i := range c.nums {
		c.nums[i].plain = false
	}
	return c
}

func checkPlain(t *testing.T, c, slow *Code, v string, loc *Locale) {
	t.Helper()
	got, err1 := c.Format(v, loc)
	want, err2 := slow.Format(v, loc)
	if got != want || (err1 == nil) != (err2 == nil) {
		t.Errorf("%s %q %s: %q, %v; the general path gives %q, %v", loc.Tag, c, v, got, err1, want, err2)
	}
}

// FuzzPlainPath checks the short paths against the general one for any
// number text and plain codes of every shape.
func FuzzPlainPath(f *testing.F) {
	for _, v := range []string{"0", "-1234.5678", "999.995", "1234567890123456789", "1e7", "0.0001", "-0.00"} {
		f.Add(v, uint8(0), uint8(0))
	}
	codes := []string{"0", "0.00", "#,##0", "#,##0.00", "00000", "0,000.0", "00,000,000", "#", "#.00", "#,###", "0.",
		`"€ "#,##0.00;("€ "#,##0.00)`, `#,##0.00 "kg"`, `[$€-407] #,##0.00`, "#,##0.000_);(#,##0.000)", "#,##0.0000000000",
		`"EUR  "#,##0.0;"EUR -"#,##0.0 "debit"`, `"Total: "0.00" CHF"`, "#,##0.000"}
	var fast, slow []*Code
	for _, code := range codes {
		fast, slow = append(fast, MustParse(code)), append(slow, general(code))
	}
	var locs []*Locale
	for _, tag := range plainLocales {
		loc, err := ParseLocale(tag)
		if err != nil {
			f.Fatal(err)
		}
		locs = append(locs, loc)
	}
	f.Fuzz(func(t *testing.T, v string, code, loc uint8) {
		k := int(code) % len(codes)
		checkPlain(t, fast[k], slow[k], v, locs[int(loc)%len(locs)])
	})
}

// shapes returns number texts of every shape the short path reads, for
// every length from 1 to 18 bytes: a sign or none, each count of integer
// digits, no point or a point at each place; and each of them with a byte
// changed to one that is not a digit (a second point or sign, a letter, a
// control or a non-ASCII byte).
func shapes() []string {
	var out []string
	digits := "9081726354453627"
	for n := 1; n <= 18; n++ {
		for sign := 0; sign <= 1; sign++ {
			for dot := 0; dot <= n; dot++ {
				var b []byte
				if sign == 1 {
					b = append(b, '-')
				}
				for i := 0; len(b) < n; i++ {
					if i == dot && dot > 0 {
						b = append(b, '.')
						continue
					}
					b = append(b, digits[i%len(digits)])
				}
				out = append(out, string(b))
			}
		}
	}
	var bad []string
	for _, v := range out {
		for _, c := range []byte{'.', '-', '/', ':', 'e', 0x00, 0x7f, 0x80, 0x8a, 0xb0, 0xb9, 0xba, 0xca, 0xff} {
			for i := range len(v) {
				w := []byte(v)
				w[i] = c
				bad = append(bad, string(w))
			}
		}
	}
	return append(out, bad...)
}

// TestPlainShapes checks the short paths against the general one for
// numbers of every length and shape, and for texts one byte off them, with
// codes that group or not, with literal text and with more decimal places
// than the text has.
func TestPlainShapes(t *testing.T) {
	codes := []string{"0", "0.00", "#,##0", "#,##0.00", "#", "#.00", "0,000", "00000", "0.0000000",
		`"€ "#,##0.00;("€ "#,##0.00)`, "#,##0.000_);(#,##0.000)", "#,##0.0000000000000000000000",
		`"EUR  "#,##0.0;"EUR -"#,##0.0 "debit"`, `"Total: "0.00" CHF"`, `#,##0.00 "kg"`, "0.0", "#,##0.000", "0.0000"}
	values := shapes()
	for _, tag := range plainLocales {
		loc, err := ParseLocale(tag)
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range codes {
			c, slow := MustParse(code), general(code)
			for _, v := range values {
				checkPlain(t, c, slow, v, loc)
			}
		}
	}
}

// TestShortPathKeepsDst checks that the short path appends to what dst
// holds, whatever the bytes past its length, also when its guess at the
// text is wrong and it writes again (an exponent, a byte that is no digit,
// fewer decimal places than the code shows).
func TestShortPathKeepsDst(t *testing.T) {
	de, err := ParseLocale("de-DE")
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{"#,##0", `"€ "#,##0.00;("€ "#,##0.00)`, "0.000"}
	values := []string{"-956755", "78442.80", "1234567.5", "1e5", "12345x7", "-12.5.5", "0.5", "-0", "12345678901234567890.12", "1.2345"}
	for _, code := range codes {
		c, slow := MustParse(code), general(code)
		for _, v := range values {
			for _, spare := range []int{0, 3, 64} {
				dst := make([]byte, 5, 5+spare)
				copy(dst, "head:")
				for i := len(dst); i < cap(dst); i++ {
					dst[:cap(dst)][i] = 'x'
				}
				got, err1 := c.AppendFormat(dst, v, de)
				want, err2 := slow.AppendFormat([]byte("head:"), v, de)
				if string(got) != string(want) || (err1 == nil) != (err2 == nil) {
					t.Errorf("%q %q with %d bytes spare: %q, %v; the general path gives %q, %v", code, v, spare, got, err1, want, err2)
				}
			}
		}
	}
}
