package pdf_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"codeberg.org/go-pdf/fpdf"
)

// TestAppendFloat2 checks that fpdf.AppendFloat2, which writes the numbers
// of content streams and link rectangles, gives strconv's bytes: at ties
// and near them, at the edges of its fast path and past them, and for
// random page coordinates and widths of text.
func TestAppendFloat2(t *testing.T) {
	for _, v := range float2Values() {
		want := strconv.AppendFloat([]byte("x"), v, 'f', 2, 64)
		if got := fpdf.AppendFloat2([]byte("x"), v); string(got) != string(want) {
			t.Errorf("AppendFloat2(%v) = %s, want %s", v, got, want)
		}
	}
}

// TestAppendNum checks that fpdf.AppendNum gives strconv's two decimals
// without their trailing zeros (and "0" for a negative that rounds to
// zero), for the values of TestAppendFloat2.
func TestAppendNum(t *testing.T) {
	for _, v := range float2Values() {
		want := strconv.AppendFloat(nil, v, 'f', 2, 64)
		if bytes.IndexByte(want, '.') >= 0 {
			want = bytes.TrimRight(want, "0")
			want = bytes.TrimSuffix(want, []byte("."))
		}
		if string(want) == "-0" {
			want = []byte("0")
		}
		want = append([]byte("x"), want...)
		if got := fpdf.AppendNum([]byte("x"), v); string(got) != string(want) {
			t.Errorf("AppendNum(%v) = %s, want %s", v, got, want)
		}
	}
}

// float2Values returns the values TestAppendFloat2 and TestAppendNum
// check.
func float2Values() []float64 {
	vals := []float64{
		0, math.Copysign(0, -1), 0.001, -0.001, 0.004999, 0.005, 0.015, 0.125, 0.375, -0.125, 1.005, 2.675,
		10.115, 595.28, 841.89, 0.1, 0.05, 10, 100, 9.995, 99.995, -99.995, 1234.5, -12.345, 999999.994, 999999.995, 999999.996, 1e6, -1e6, 1e6 + 0.005,
		123456789.125, 1e300, -1e-300, math.SmallestNonzeroFloat64, math.MaxFloat64,
		math.Inf(1), math.Inf(-1), math.NaN(), math.Nextafter(0.125, 1), math.Nextafter(0.125, 0),
	}
	for k := range 20000 {
		// Decimal ties (inexact in binary), exact ties, and their neighbours.
		for _, v := range []float64{float64(2*k+1) / 200, float64(2*k+1) / 8, float64(k) * 8.5 / 1000} {
			vals = append(vals, v, -v, math.Nextafter(v, 0), math.Nextafter(v, 1e9))
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		vals = append(vals, (r.Float64()-0.2)*1000, float64(r.IntN(2000000))/1000-1000, float64(r.IntN(100000))/8)
	}
	return vals
}
