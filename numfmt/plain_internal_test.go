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
		"007", "-", "1.", ".5", "1.5e", "", "--1", "1.2.3", "0x10", "1,5", "123456789012345678901234567890", "5e-324", "1.7976931348623157e308", "999999.9999", "100", "1000", "-1000000", "12.3e1"}
	for _, tag := range []string{"en", "de-DE", "fr-CH"} {
		loc, err := ParseLocale(tag)
		if err != nil {
			t.Fatal(err)
		}
		for _, cc := range codes {
			c := MustParse(cc.code)
			if c.nums[0].plain != cc.plain {
				t.Errorf("%q: plain = %v, want %v", cc.code, c.nums[0].plain, cc.plain)
			}
			slow := MustParse(cc.code)
			for i := range slow.nums {
				slow.nums[i].plain = false
			}
			for _, v := range values {
				got, err1 := c.Format(v, loc)
				want, err2 := slow.Format(v, loc)
				if got != want || (err1 == nil) != (err2 == nil) {
					t.Errorf("%s %q %s: %q, %v; the general path gives %q, %v", tag, cc.code, v, got, err1, want, err2)
				}
			}
		}
	}
}
