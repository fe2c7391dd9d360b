package numfmt

import (
	"math"
	"math/big"
	"strings"
	"testing"
)

// shortValues are numbers in and just outside parseShort's reach, and
// texts that are no numbers at all.
var shortValues = []struct {
	text  string
	short bool // parseShort takes it
}{
	{"0", true},
	{"-0", true},
	{"0.00", true},
	{"-0.00", true},
	{"1", true},
	{"-1234.50", true},
	{"78442.80", true},
	{"0.05", true},
	{"0.000000000000000001", false}, // 19 digits with the zeros: parseSmallSlow
	{"0.00000000000000001", true},
	{"123456789012345678", true},
	{"-123456789012345678", true},
	{"1234567890123456789", false},
	{"999999999999999999", true},
	{"99999999999999999.9", true},
	{"9223372036854775807", false},
	{"12345678901234567890123", false},
	{"1.5e3", false},
	{"1E-7", false},
	{"12.3e1", false},
	{"01", false},
	{"-01.5", false},
	{"00", false},
	{"", false},
	{"-", false},
	{"1.", false},
	{".5", false},
	{"-.5", false},
	{"1.2.3", false},
	{"+1", false},
	{"1,5", false},
	{"0x10", false},
	{" 1", false},
	{"1 ", false},
	{"--1", false},
	{"1e", false},
	{"١٢", false},
}

// TestParseShort checks that parseShort takes the numbers it should and
// gives for each what parseSmallSlow gives.
func TestParseShort(t *testing.T) {
	for _, c := range shortValues {
		got, ok := parseShort(c.text)
		if ok != c.short {
			t.Errorf("parseShort(%q) ok = %v, want %v", c.text, ok, c.short)
		}
		checkShort(t, c.text, got, ok)
	}
}

// FuzzParseShort checks parseShort against parseSmallSlow on any text.
func FuzzParseShort(f *testing.F) {
	for _, c := range shortValues {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, ok := parseShort(text)
		checkShort(t, text, got, ok)
	})
}

func checkShort(t *testing.T, text string, got num, ok bool) {
	t.Helper()
	want, wok := parseSmallSlow(text)
	if ok && (!wok || got != want) {
		t.Errorf("parseShort(%q) = %+v; parseSmallSlow gives %+v, %v", text, got, want, wok)
	}
	if v, vok := parseSmall(text); vok != wok || v != want {
		t.Errorf("parseSmall(%q) = %+v, %v; parseSmallSlow gives %+v, %v", text, v, vok, want, wok)
	}
}

// scaledValues are numbers in and just outside the reach of Add's own
// path at the scale given (16 bytes, 7 decimal places, exactly the scale),
// and texts that are no numbers at all.
var scaledValues = []struct {
	text  string
	scale int
}{
	{"0", 0},
	{"-0", 0},
	{"7", 0},
	{"-110423", 0},
	{"12345678", 0},
	{"123456789", 0},
	{"1234567890123456", 0},
	{"-999999999999999", 0},
	{"-9999999999999999", 0}, // 17 bytes
	{"12345678901234567", 0},
	{"0.00", 2},
	{"-0.00", 2},
	{"1.50", 2},
	{"-1234.50", 2},
	{"78442.80", 2},
	{"99999.99", 2},
	{"-1234567.89", 2},
	{"1234567890123.78", 2},
	{"12345678901234.56", 2}, // 17 bytes,
	{"123456789.123456", 6},
	{"1234567890.123456", 6}, // 17 bytes
	{"0.1234567", 7},
	{"0.12345678", 8},
	{"1.5", 2},
	{"1.500", 2},
	{"150", 2},
	{"1.50", 0},
	{"1.50", 1},
	{"-.50", 2},
	{".50", 2},
	{"-", 0},
	{"", 0},
	{"", 2},
	{"01", 0},
	{"00.50", 2},
	{"-01.50", 2},
	{"1.5e", 2},
	{"1e50", 2},
	{"1.2.3", 1},
	{"1..5", 1},
	{"1:50", 2},
	{"1./0", 2},
	{"1.5/", 2},
	{"12a4", 0},
	{"1234567:", 0},
	{"/1234567", 0},
	{"+1", 0},
	{"--1", 0},
	{" 1", 0},
	{"1 ", 0},
	{"1\xff", 0},
	{"\xb0\xb1", 0},
	{"12345678\xba", 0},
	{"\x3a2345678", 0},
	{"١٢", 0},
}

// TestTotalScaled checks Add's own path, for a value of the sum's scale,
// against addRef.
func TestTotalScaled(t *testing.T) {
	for _, c := range scaledValues {
		checkScaled(t, c.text, c.scale)
	}
}

// FuzzTotalScaled checks Add's own path against addRef on any text and
// scale.
func FuzzTotalScaled(f *testing.F) {
	for _, c := range scaledValues {
		f.Add(c.text, uint8(c.scale))
	}
	f.Fuzz(func(t *testing.T, text string, scale uint8) {
		checkScaled(t, text, int(scale%20))
	})
}

// checkScaled adds text to a Total of values of the scale, which Add's own
// path takes if text is of that scale too, and to one of addRef.
func checkScaled(t *testing.T, text string, scale int) {
	t.Helper()
	zero := "0"
	if scale > 0 {
		zero += "." + strings.Repeat("0", scale)
	}
	for _, first := range []string{zero, "-1" + zero[1:]} {
		// Within the reach of Add's own path, the Total is ready for it.
		var tot Total
		if err := tot.Add(first); err != nil || scale <= 7 && !tot.same {
			t.Fatalf("Add(%q) = %v, same = %v", first, err, tot.same)
		}
		checkTotal(t, []string{first, text})
	}
}

// addRef is Total.Add without its fast path: every value parsed by
// parseSmall (or parseBig), added by addSum and compared by cmp.
func addRef(t *Total, text string) error {
	v, ok := parseSmall(text)
	if !ok {
		var err error
		if v, err = parseBig(text); err != nil {
			return err
		}
	}
	t.n++
	t.addSum(v)
	if t.n == 1 || t.cmp(v, t.min) < 0 {
		t.min = v
	}
	if t.n == 1 || t.cmp(v, t.max) > 0 {
		t.max = v
	}
	return nil
}

// totalSeqs are columns of values for the fast path of Total.Add and its
// edges: scales that change, sums that leave int64, values that do not fit.
var totalSeqs = [][]string{
	{"1.50", "-2.25", "3.00", "-0.01", "0.00"},
	{"5", "3", "9", "-7", "9", "-7"},
	{"1.5", "2.25", "1.5", "0.75"},
	{"2.25", "1.5", "3.125", "-3.125"},
	{"999999999999999999", "999999999999999999", "1", "-5"},
	{"-999999999999999999", "-999999999999999999", "-1"},
	{"9223372036854775807", "1", "-1"},
	{"1.00", "12345678901234567890.00", "1.00", "-1.00"},
	{"0.1", "1e-7", "0.2", "0.3"},
	{"1e400", "1.00", "2.00"},
	{"0.01", "0.02", "x", "0.03", "01", "0.04"},
	{"-1234567.89", "1234567.89", "0.01", "-0.01", "1234567890123456.78", "-1234567890123456.78"},
	{"1.50", "2.5", "3.00", "1.005", "-7.50"},
	{"12", "1234567890123456", "-1234567890123456", "12345678901234567", "1"},
	{"9999999999999999.99", "9999999999999999.99", "9999999999999999.99", "9999999999999999.99", "9999999999999999.99",
		"9999999999999999.99", "9999999999999999.99", "9999999999999999.99", "9999999999999999.99", "9999999999999999.99", "-0.01"},
	{"-9999999999999999", "-9999999999999999", "1e30", "-9999999999999999"},
	{"0.1234567", "0.0000001", "0.1", "0.9999999", "0.12345678", "0.00000001"},
	{"999999999999.99", "999999999999.99", "-1", "-999999999999999", "-999999999999999"},
}

func TestTotalFastPath(t *testing.T) {
	for _, seq := range totalSeqs {
		checkTotal(t, seq)
	}
}

// FuzzTotalFastPath checks Total.Add against addRef on columns of values
// made from the fuzzed numbers.
func FuzzTotalFastPath(f *testing.F) {
	for _, seq := range totalSeqs {
		f.Add(strings.Join(seq, " "))
	}
	f.Fuzz(func(t *testing.T, values string) {
		checkTotal(t, strings.Fields(values))
	})
}

func checkTotal(t *testing.T, values []string) {
	t.Helper()
	var got, want Total
	for _, v := range values {
		err1, err2 := got.Add(v), addRef(&want, v)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q: Add(%q) = %v, the reference %v", values, v, err1, err2)
		}
	}
	gmin, _ := got.Min()
	wmin, _ := want.Min()
	gmax, _ := got.Max()
	wmax, _ := want.Max()
	gmean, _ := got.Mean()
	wmean, _ := want.Mean()
	if got.Count() != want.Count() || got.Sum() != want.Sum() || gmin != wmin || gmax != wmax || gmean != wmean {
		t.Fatalf("%q: count %d sum %s min %s max %s mean %s; the reference %d %s %s %s %s",
			values, got.Count(), got.Sum(), gmin, gmax, gmean, want.Count(), want.Sum(), wmin, wmax, wmean)
	}
}

// TestAdd64 checks add64's overflow against math/big at the edges of int64.
func TestAdd64(t *testing.T) {
	edges := []int64{math.MinInt64, math.MinInt64 + 1, -1 << 62, -2, -1, 0, 1, 2, 1 << 62, math.MaxInt64 - 1, math.MaxInt64}
	for _, a := range edges {
		for _, b := range edges {
			s, overflow := add64(a, b)
			exact := new(big.Int).Add(big.NewInt(a), big.NewInt(b))
			if want := !exact.IsInt64(); overflow != want || !overflow && s != exact.Int64() {
				t.Errorf("add64(%d, %d) = %d, %v; want %s, overflow %v", a, b, s, overflow, exact, want)
			}
		}
	}
}
