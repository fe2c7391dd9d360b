package numfmt_test

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/foliorender/folio/numfmt"
)

func total(t testing.TB, values ...string) *numfmt.Total {
	t.Helper()
	var tot numfmt.Total
	for _, v := range values {
		if err := tot.Add(v); err != nil {
			t.Fatalf("Add(%q): %v", v, err)
		}
	}
	return &tot
}

func TestTotal(t *testing.T) {
	for _, c := range []struct {
		values              []string
		sum, min, max, mean string
	}{
		{[]string{"0.1", "0.2"}, "0.3", "0.1", "0.2", "0.15"},
		{[]string{"1.5", "2.25"}, "3.75", "1.5", "2.25", "1.875"},
		{[]string{"1.10", "2.20"}, "3.30", "1.10", "2.20", "1.65"},
		{[]string{"1.00", "2.00"}, "3.00", "1.00", "2.00", "1.50"},
		{[]string{"1", "1", "2"}, "4", "1", "2", "1.333"},
		{[]string{"2", "1", "1"}, "4", "1", "2", "1.333"},
		{[]string{"-1", "-1", "-2"}, "-4", "-2", "-1", "-1.333"},
		{[]string{"0.5", "-0.5"}, "0.0", "-0.5", "0.5", "0.0"},
		{[]string{"-0", "0.00"}, "0.00", "0", "0", "0.00"},
		{[]string{"1.5e3", "1e-7", "-2E+2"}, "1300.0000001", "-200", "1500", "433.3333333667"},
		{[]string{"9223372036854775807", "9223372036854775807"}, "18446744073709551614", "9223372036854775807", "9223372036854775807", "9223372036854775807"},
		{[]string{"-9223372036854775808", "-1"}, "-9223372036854775809", "-9223372036854775808", "-1", "-4611686018427387904.5"},
		{[]string{"0.000000000000000001", "1"}, "1.000000000000000001", "0.000000000000000001", "1", "0.5000000000000000005"},
		{[]string{"0.0000000000000000001", "1"}, "1.0000000000000000001", "0.0000000000000000001", "1", "0.50000000000000000005"},
		{[]string{"12345678901234567890.25", "0.75"}, "12345678901234567891.00", "0.75", "12345678901234567890.25", "6172839450617283945.50"},
		{[]string{"1e308", "-1e308", "5"}, "5", "-1" + strings.Repeat("0", 308), "1" + strings.Repeat("0", 308), "1.667"},
		{[]string{"1e-400"}, "0." + strings.Repeat("0", 399) + "1", "0." + strings.Repeat("0", 399) + "1", "0." + strings.Repeat("0", 399) + "1", "0." + strings.Repeat("0", 399) + "1"},
	} {
		tot := total(t, c.values...)
		min, _ := tot.Min()
		max, _ := tot.Max()
		mean, _ := tot.Mean()
		if tot.Count() != int64(len(c.values)) || tot.Sum() != c.sum || min != c.min || max != c.max || mean != c.mean {
			t.Errorf("%v: count %d sum %s min %s max %s mean %s; want sum %s min %s max %s mean %s",
				c.values, tot.Count(), tot.Sum(), min, max, mean, c.sum, c.min, c.max, c.mean)
		}
	}
}

func TestTotalEmpty(t *testing.T) {
	var tot numfmt.Total
	if tot.Sum() != "0" || tot.Count() != 0 {
		t.Errorf("empty: sum %s count %d", tot.Sum(), tot.Count())
	}
	if _, ok := tot.Min(); ok {
		t.Error("empty Min is ok")
	}
	if _, ok := tot.Max(); ok {
		t.Error("empty Max is ok")
	}
	if _, ok := tot.Mean(); ok {
		t.Error("empty Mean is ok")
	}
}

func TestTotalErrors(t *testing.T) {
	tot := total(t, "1.5")
	for text, want := range map[string]error{
		"": numfmt.ErrNumber, "abc": numfmt.ErrNumber, "1.": numfmt.ErrNumber, "01": numfmt.ErrNumber, "1e": numfmt.ErrNumber,
		"1e1000": numfmt.ErrRange, "1e-1001": numfmt.ErrRange, "0." + strings.Repeat("1", 1001): numfmt.ErrRange,
	} {
		if err := tot.Add(text); !errors.Is(err, want) {
			t.Errorf("Add(%.20q) = %v, want %v", text, err, want)
		}
	}
	if tot.Count() != 1 || tot.Sum() != "1.5" {
		t.Errorf("after errors: count %d sum %s", tot.Count(), tot.Sum())
	}
}

// rng is a small deterministic generator for test data.
type rng uint64

func (r *rng) next() uint64 {
	*r ^= *r << 13
	*r ^= *r >> 7
	*r ^= *r << 17
	return uint64(*r)
}

// TestTotalAgainstRat adds values of every shape, in and out of the int64
// fast path, and checks each result against math/big.Rat.
func TestTotalAgainstRat(t *testing.T) {
	r := rng(7)
	for round := 0; round < 300; round++ {
		n := 1 + int(r.next()%40)
		values := make([]string, n)
		for i := range values {
			digits := 1 + int(r.next()%22)
			var b strings.Builder
			for k := 0; k < digits; k++ {
				b.WriteByte(byte('0' + r.next()%10))
			}
			text := strings.TrimLeft(b.String(), "0")
			if text == "" {
				text = "0"
			}
			// Put the point anywhere: 123.45, 0.0012345, 12345.
			if places := int(r.next() % 21); places > 0 {
				if places < len(text) {
					text = text[:len(text)-places] + "." + text[len(text)-places:]
				} else {
					text = "0." + strings.Repeat("0", places-len(text)) + text
				}
			}
			if r.next()%5 == 0 {
				text += "e" + strconv.Itoa(int(r.next()%41)-20)
			}
			if r.next()%2 == 0 {
				text = "-" + text
			}
			values[i] = text
		}
		checkAgainstRat(t, values)
	}
}

// ratColumns are columns at the edges of Total's fast paths (the int64
// sum of values of one scale, Add's own path of eight and sixteen bytes,
// parseShort's 18 digits), each checked against math/big.Rat.
var ratColumns = [][]string{
	// 18 digits fit the int64 path, 19 do not; sums that carry out of it.
	{"999999999999999999", "1", "999999999999999999", "-999999999999999999"},
	{"1000000000000000000", "-1", "1"},
	{"9999999999999999.99", "0.01", "9999999999999999.99", "0.01"},
	{"99999999.99", "0.01", "-99999999.99", "-0.01"},
	{"9223372036854775807", "-9223372036854775808", "1"},
	{"4611686018427387904", "4611686018427387904", "-1"},
	{"-4611686018427387904", "-4611686018427387904", "-1"},
	// Negative zeros, which add nothing and are no smaller than 0.
	{"-0", "0", "-0"},
	{"-0.00", "1.50", "-0.00", "-1.50"},
	{"-0.0", "-0e5", "0.00"},
	// Exponents, which move the point either way.
	{"1.50e0", "15e-1", "150E-2", "0.015e2", "1E1"},
	{"1e18", "1e-18", "-1e18"},
	{"1e17", "1e17", "1e17", "1e17", "1e17", "1e17", "1e17", "1e17", "1e17", "1e17"},
	{"123456789012345678e2", "1e-20", "-1"},
	// Leading zeros of the fraction are not significant digits.
	{"0.000000000000000001", "0.000000000000000009", "-0.00000000000000001"},
	{"0.1234567890123456789", "0.0000000000000000001"},
	// Lengths around the 8 and 16 bytes of Add's own path.
	{"1234567", "12345678", "-1234567", "-12345678", "123456789"},
	{"12345.67", "-12345.67", "123456.78", "-123456.78", "1234567.89"},
	{"12345678901234.56", "-1234567890123.45", "123456789012345.67"},
	{"1.0", "-1.0", "10.0", "-10.0", "0.1", "-0.1"},
}

func TestTotalRatColumns(t *testing.T) {
	for _, values := range ratColumns {
		checkAgainstRat(t, values)
	}
}

// jsonNumber matches a JSON number (RFC 8259) whose exponent has at most
// three digits, so that math/big.Rat parses it quickly.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$`)

// FuzzTotalAgainstRat adds the fuzzed values to a Total and checks the
// count, sum, minimum, maximum and mean against math/big.Rat. Values that
// are not JSON numbers must fail and leave the total as it was; so must
// values of 1e1000 or more or with more than 1000 decimal places.
func FuzzTotalAgainstRat(f *testing.F) {
	for _, values := range ratColumns {
		f.Add(strings.Join(values, " "))
	}
	f.Add("0.1 0.2 x 01 1. .5 -")
	f.Fuzz(func(t *testing.T, in string) {
		var values []string
		var tot numfmt.Total
		for _, v := range strings.Fields(in) {
			if len(v) > 80 {
				continue
			}
			if !jsonNumber.MatchString(v) {
				if err := tot.Add(v); err == nil && !strings.ContainsAny(v, "eE") {
					t.Fatalf("Add(%q) took a text that is not a JSON number", v)
				}
				continue
			}
			if err := tot.Add(v); err != nil {
				if !errors.Is(err, numfmt.ErrRange) {
					t.Fatalf("Add(%q): %v", v, err)
				}
				continue
			}
			values = append(values, v)
		}
		if len(values) > 0 {
			checkAgainstRat(t, values)
		}
	})
}

// checkAgainstRat adds values, which the Total must take, and checks its
// results against math/big.Rat: the sum, minimum and maximum exactly, the
// sum with as many decimal places as the value with most, and the mean
// rounded as Total.Mean says.
func checkAgainstRat(t *testing.T, values []string) {
	t.Helper()
	var tot numfmt.Total
	sum := new(big.Rat)
	var min, max *big.Rat
	scale := 0
	for _, text := range values {
		v, ok := new(big.Rat).SetString(text)
		if !ok {
			t.Fatalf("bad test number %q", text)
		}
		if err := tot.Add(text); err != nil {
			t.Fatalf("Add(%q): %v", text, err)
		}
		sum.Add(sum, v)
		if min == nil || v.Cmp(min) < 0 {
			min = v
		}
		if max == nil || v.Cmp(max) > 0 {
			max = v
		}
		scale = max2(scale, scaleOf(text))
	}
	check := func(what, got string, want *big.Rat) {
		t.Helper()
		g, ok := new(big.Rat).SetString(got)
		if !ok || g.Cmp(want) != 0 {
			t.Fatalf("%q: %s = %s, want %s", values, what, got, want.FloatString(30))
		}
	}
	n := len(values)
	if tot.Count() != int64(n) {
		t.Fatalf("%q: count %d", values, tot.Count())
	}
	check("sum", tot.Sum(), sum)
	if got := tot.Sum(); decimals(got) != scale {
		t.Fatalf("%q: sum %s has %d decimals, want %d", values, got, decimals(got), scale)
	}
	gotMin, _ := tot.Min()
	gotMax, _ := tot.Max()
	check("min", gotMin, min)
	check("max", gotMax, max)
	mean, _ := tot.Mean()
	exact := new(big.Rat).Quo(sum, big.NewRat(int64(n), 1))
	p := scale + len(strconv.Itoa(2*n)) + 2
	if want := trimZeros(exact.FloatString(p), scale); mean != want && !(strings.TrimLeft(want, "-0.") == "" && strings.TrimLeft(mean, "-0.") == "" && decimals(mean) == decimals(want)) {
		t.Fatalf("%q: mean = %s, want %s", values, mean, want)
	}
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// scaleOf returns the decimal places of a JSON number's value as written.
func scaleOf(text string) int {
	mant, exp, _ := strings.Cut(strings.ToLower(text), "e")
	s := decimals(mant)
	if exp != "" {
		e, _ := strconv.Atoi(exp)
		s -= e
	}
	return max2(s, 0)
}

func decimals(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

func trimZeros(s string, keep int) string {
	for decimals(s) > keep && strings.HasSuffix(s, "0") {
		s = s[:len(s)-1]
	}
	s = strings.TrimSuffix(s, ".")
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// TestMeanFormatsLikeExactMean checks the documented promise: formatting
// the mean with a code showing no more than its sum's decimals plus two
// gives the same text as rounding the exact mean.
func TestMeanFormatsLikeExactMean(t *testing.T) {
	r := rng(99)
	codes := map[int]*numfmt.Code{0: numfmt.MustParse("0"), 1: numfmt.MustParse("0.0"), 2: numfmt.MustParse("0.00"), 3: numfmt.MustParse("0.000"), 4: numfmt.MustParse("0.0000")}
	for round := 0; round < 3000; round++ {
		var tot numfmt.Total
		sum := new(big.Rat)
		n := 1 + int(r.next()%12)
		for i := 0; i < n; i++ {
			cents := int64(r.next()%2000) - 1000
			text := new(big.Rat).SetFrac64(cents, 100).FloatString(2)
			tot.Add(text)
			sum.Add(sum, big.NewRat(cents, 100))
		}
		mean, _ := tot.Mean()
		exact := new(big.Rat).Quo(sum, big.NewRat(int64(n), 1))
		for places, code := range codes {
			got, err := code.Format(mean, nil)
			want := exact.FloatString(places)
			if strings.Trim(want, "-0.") == "" {
				want = strings.TrimPrefix(want, "-") // a shown zero has no sign
			}
			if err != nil || got != want {
				t.Fatalf("mean %s (exact %s) with %s = %q, want %q", mean, exact.FloatString(20), code, got, want)
			}
		}
	}
}

// TestTotalMillion sums a million two-decimal amounts and checks the sum
// and the mean to the cent against an independent math/big computation.
func TestTotalMillion(t *testing.T) {
	const n = 1_000_000
	r := rng(2024)
	var tot numfmt.Total
	cents := new(big.Int)
	var c big.Int
	for i := 0; i < n; i++ {
		v := int64(r.next()%20_000_000_00) - 10_000_000_00 // ±10 million
		text := fmt.Sprintf("%d.%02d", v/100, abs(v%100))
		if v < 0 && v > -100 {
			text = "-" + text
		}
		if err := tot.Add(text); err != nil {
			t.Fatal(err)
		}
		// Independently: the text without its point is the cents.
		c.SetString(strings.Replace(text, ".", "", 1), 10)
		cents.Add(cents, &c)
	}
	want := new(big.Rat).SetFrac(cents, big.NewInt(100)).FloatString(2)
	if got := tot.Sum(); got != want {
		t.Errorf("sum = %s, want %s", got, want)
	}
	exact := new(big.Rat).SetFrac(cents, big.NewInt(100*n))
	wantMean := trimZeros(exact.FloatString(2+len("2000000")+2), 2)
	if got, _ := tot.Mean(); got != wantMean {
		t.Errorf("mean = %s, want %s", got, wantMean)
	}
	if got, _ := numfmt.MustParse("#,##0.00").Format(wantMean, nil); got != mustFormat(t, "#,##0.00", exact.FloatString(2)) {
		t.Errorf("formatted mean %s differs from the exact mean rounded", got)
	}
}

func mustFormat(t *testing.T, code, text string) string {
	t.Helper()
	s, err := numfmt.MustParse(code).Format(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestTotalAddDoesNotAllocate(t *testing.T) {
	var tot numfmt.Total
	values := []string{"1234.56", "-0.01", "1e-7", "99999999.99", "-5", "1.5E3"}
	allocs := testing.AllocsPerRun(1000, func() {
		for _, v := range values {
			tot.Add(v)
		}
	})
	if allocs != 0 {
		t.Errorf("Add: %v allocations per run", allocs)
	}
}
