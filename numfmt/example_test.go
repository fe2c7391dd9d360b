package numfmt_test

import (
	"fmt"
	"time"

	"github.com/foliorender/folio/numfmt"
)

func Example() {
	code, err := numfmt.Parse(`#,##0.00 "kg";(#,##0.00 "kg");"-"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, tag := range []string{"en-US", "de-DE", "fr-CH"} {
		loc, err := numfmt.ParseLocale(tag)
		if err != nil {
			fmt.Println(err)
			return
		}
		pos, _ := code.Format("1234567.125", loc)
		neg, _ := code.Format("-0.5", loc)
		zero, _ := code.Format("0", loc)
		fmt.Printf("%s: %s | %s | %s\n", tag, pos, neg, zero)
	}

	date := numfmt.MustParse("dddd d mmmm yyyy, hh:mm")
	de, _ := numfmt.ParseLocale("de-DE")
	s, _ := date.FormatTime(time.Date(2024, 2, 29, 18, 30, 0, 0, time.UTC), de)
	fmt.Println(s)

	_, err = numfmt.Parse("# ?/?")
	fmt.Println(err)
	// Output:
	// en-US: 1,234,567.13 kg | (0.50 kg) | -
	// de-DE: 1.234.567,13 kg | (0,50 kg) | -
	// fr-CH: 1'234'567,13 kg | (0,50 kg) | -
	// Donnerstag 29 Februar 2024, 18:30
	// numfmt: format code "# ?/?": fractions such as # ?/? are not supported
}

func ExampleTotal() {
	var t numfmt.Total
	for _, v := range []string{"0.1", "0.2", "19.99", "-5"} {
		if err := t.Add(v); err != nil {
			fmt.Println(err)
			return
		}
	}
	min, _ := t.Min()
	max, _ := t.Max()
	mean, _ := t.Mean()
	fmt.Println(t.Count(), t.Sum(), min, max, mean)
	// Output: 4 15.29 -5 19.99 3.8225
}
