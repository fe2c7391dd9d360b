package numfmt_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/foliorender/folio/numfmt"
)

func BenchmarkFormat(b *testing.B) {
	de, _ := numfmt.ParseLocale("de-DE")
	for _, bc := range []struct{ code, value string }{
		{"#,##0.00", "1234567.891"},
		{"#,##0", "-110423"},
		{"#,##0", "-110423.47"}, // rounded to a whole number
		{`"€ "#,##0.00;("€ "#,##0.00)`, "-78442.80"},
		{"0.0%", "0.1234"},
		{"$#,##0.00;($#,##0.00);\"-\"", "-1234.5"},
		{"0.00E+00", "1.7976931348623157e308"},
		{"General", "12345678901234567890.25"},
		{"dd.mm.yyyy hh:mm", "45351.75"},
	} {
		c := numfmt.MustParse(bc.code)
		b.Run(bc.code, func(b *testing.B) {
			buf := make([]byte, 0, 512)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = c.AppendFormat(buf[:0], bc.value, de); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFormatString(b *testing.B) {
	c := numfmt.MustParse("#,##0.00")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Format("1234567.891", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormatTime(b *testing.B) {
	c := numfmt.MustParse("dddd, d mmmm yyyy hh:mm:ss")
	tm := time.Date(2024, 2, 29, 13, 5, 9, 0, time.UTC)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = c.AppendFormatTime(buf[:0], tm, nil)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := numfmt.Parse(`_($* #,##0.00_);_($* (#,##0.00);_($* "-"??_);_(@_)`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTotalAdd adds two-decimal amounts, one per op: the cost of a
// total per cell of a table.
func BenchmarkTotalAdd(b *testing.B) {
	values := make([]string, 1<<16)
	r := rng(1)
	for i := range values {
		v := int64(r.next()%2_000_000_00) - 1_000_000_00
		values[i] = fmt.Sprintf("%d.%02d", v/100, abs(v%100))
	}
	b.Run("int64", func(b *testing.B) {
		var t numfmt.Total
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			t.Add(values[i&(len(values)-1)])
			i++
		}
	})
	b.Run("big", func(b *testing.B) {
		var t numfmt.Total
		t.Add("1e30") // the sum has left int64
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			t.Add(values[i&(len(values)-1)])
			i++
		}
	})
}

// BenchmarkTotalMillion is one total over a million-row column.
func BenchmarkTotalMillion(b *testing.B) {
	values := make([]string, 1_000_000)
	r := rng(3)
	for i := range values {
		v := int64(r.next()%2_000_000_00) - 1_000_000_00
		values[i] = fmt.Sprintf("%d.%02d", v/100, abs(v%100))
	}
	b.ReportAllocs()
	for b.Loop() {
		var t numfmt.Total
		for _, v := range values {
			t.Add(v)
		}
		t.Sum()
		t.Mean()
	}
}

// BenchmarkFormatColumn formats a column of varied values, one per op, as
// the number columns of bench/gen's document have them in de-DE: whole
// numbers from -1,000,000 to 999,999 with "#,##0", and amounts of two
// decimals from 0 to 99,999.99 with a currency code. Unlike
// BenchmarkFormat, the lengths vary from value to value, as in a report.
func BenchmarkFormatColumn(b *testing.B) {
	de, _ := numfmt.ParseLocale("de-DE")
	ints, amounts := make([]string, 1<<12), make([]string, 1<<12)
	r := rng(5)
	for i := range ints {
		ints[i] = fmt.Sprint(int64(r.next()%2_000_000) - 1_000_000)
		v := r.next() % 10_000_000
		amounts[i] = fmt.Sprintf("%d.%02d", v/100, v%100)
	}
	for _, bc := range []struct {
		code   string
		values []string
	}{
		{"#,##0", ints},
		{`"€ "#,##0.00;("€ "#,##0.00)`, amounts},
	} {
		c := numfmt.MustParse(bc.code)
		b.Run(bc.code, func(b *testing.B) {
			buf := make([]byte, 0, 64)
			i := 0
			for b.Loop() {
				buf, _ = c.AppendFormat(buf[:0], bc.values[i&(len(bc.values)-1)], de)
				i++
			}
		})
	}
}
