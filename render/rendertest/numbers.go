package rendertest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/numfmt/numfmttest"
	"github.com/foliorender/folio/report"
)

// NumbersDocument is the document of the suite's Numbers check: a locale
// (de-DE), formatted number, percent and date columns with totals, a link
// template, a cell link, a row of totals and, in a second table, a footer
// given by the producer before its rows.
const NumbersDocument = `{"title":"Numbers","locale":"de-DE","elements":[
{"type":"table","caption":"Orders","data":{"columns":[
	{"caption":"Order","link":"https://erp.example/orders/{value}"},
	{"caption":"Amount","type":"number","format":"#,##0.00 \"€\";-#,##0.00 \"€\"","total":"sum"},
	{"caption":"Share","type":"number","format":"0.0%","total":"mean"},
	{"caption":"Due","type":"date","format":"d. mmmm yyyy","total":"count"}],
	"rows":[
	{"cells":[{"value":"A-1"},{"value":1234.5},{"value":0.125},{"value":"2024-03-05"}]},
	{"cells":[{"value":"B 2","link":"mailto:sales@example.com"},{"value":-0.75},{"value":0.5},{"value":null}]},
	{"cells":[{"value":"C"},{"value":1000000},{"value":0.3333},{"value":"2023-12-31"}]}]}},
{"type":"table","caption":"Stock","data":{"footer":[{"cells":[{"value":"Grand total","link":"https://erp.example/stock"},{"value":98765.4321}]}],
	"columns":[{"caption":"Item"},{"caption":"Weight","type":"number","format":"#,##0.000 \"kg\""}],
	"rows":[{"cells":[{"value":"Bolts"},{"value":12.5}]}]}}]}`

// numbersShown is the text NumbersDocument shows in a format that
// formats values: cells, the row of totals and the producer's footer.
var numbersShown = []string{
	"1.234,50 €", "-0,75 €", "1.000.000,00 €", "12,5%", "50,0%", "33,3%", "5. März 2024", "31. Dezember 2023",
	"Total", "1.001.233,75 €", "31,9%",
	"12,500 kg", "Grand total", "98.765,432 kg",
}

// numbersRaw is the text of NumbersDocument's number cells as given (a
// raw format may write dates as it likes: XLSX as serial numbers).
var numbersRaw = []string{"1234.5", "-0.75", "1000000", "0.125", "0.3333", "12.5"}

// numbersFooter is the footers' text as given.
var numbersFooter = []string{"1001233.75", "Grand total", "98765.4321"}

// numbersLinks are the links of NumbersDocument.
var numbersLinks = []string{
	"https://erp.example/orders/A-1", "mailto:sales@example.com", "https://erp.example/orders/C", "https://erp.example/stock",
}

// Numbers checks that the renderer shows [NumbersDocument] as its formats,
// locale, totals, footers and links say.
func Numbers(t *testing.T, c Config) {
	out := render(t, c, report.Read(strings.NewReader(NumbersDocument)))
	got := norm(c.Text(t, out))
	want, absent := numbersShown, numbersRaw[:3]
	if c.Raw {
		want, absent = numbersRaw, []string{"1.234,50", "5. März 2024"}
	}
	if !c.NoFooter && c.Raw {
		want = append(slices.Clip(want), numbersFooter...)
	}
	if c.NoFooter {
		absent = append(slices.Clip(absent), "1001233.75", "1.001.233,75 €", "Grand total")
		want = slices.DeleteFunc(slices.Clone(want), func(s string) bool {
			return s == "Total" || s == "1.001.233,75 €" || s == "31,9%" || s == "Grand total" || s == "98.765,432 kg"
		})
	}
	for _, s := range want {
		if !strings.Contains(got, norm(s)) {
			t.Errorf("output text lacks %q", s)
		}
	}
	for _, s := range absent {
		if strings.Contains(got, norm(s)) {
			t.Errorf("output text has %q", s)
		}
	}
	if c.Links == nil {
		return
	}
	links := c.Links(t, out)
	wantLinks := numbersLinks
	if c.NoFooter {
		wantLinks = wantLinks[:3]
	}
	for _, l := range wantLinks {
		if !slices.Contains(links, l) {
			t.Errorf("output lacks the link %s (has %q)", l, links)
		}
	}
	for _, l := range links {
		if !slices.Contains(wantLinks, l) {
			t.Errorf("output has the link %q, which the document does not", l)
		}
	}
}

// Formats checks that the renderer shows each value of [numfmttest.Cases]
// as its expected text, the same text in every format: one document per
// locale, one table per case, captioned with a marker ("[[c12]]"), with one
// column (whose caption is empty) and one row, and a last paragraph
// "[[end]]"; the text between a case's marker and the next "[[" must be the
// expected text. normalize, if not nil, is applied to that text, with line
// breaks at either end trimmed, and to the expected text before they are
// compared (a format whose text extraction does not keep spaces exactly,
// such as PDF's, removes them). Cases that a document cannot hold (a date
// code on a number column) are skipped; at least 40 must run.
func Formats(t *testing.T, c Config, normalize func(string) string) {
	if normalize == nil {
		normalize = func(s string) string { return s }
	}
	byLocale := map[string][]int{}
	var locales []string
	for i, tc := range numfmttest.Cases {
		if _, ok := byLocale[tc.Locale]; !ok {
			locales = append(locales, tc.Locale)
		}
		byLocale[tc.Locale] = append(byLocale[tc.Locale], i)
	}
	ran := 0
	for _, tag := range locales {
		var els []report.Element
		var cases []int
		for _, i := range byLocale[tag] {
			tc := numfmttest.Cases[i]
			code := numfmt.MustParse(tc.Code)
			typ := report.ColumnType(tc.Type)
			if typ != report.TypeDate && typ != report.TypeDateTime && code.HasDate() {
				continue // a date code on a number column is a violation
			}
			v := report.String(tc.Value)
			if typ == report.TypeNumber {
				var ok bool
				if v, ok = report.Number(tc.Value); !ok {
					t.Fatalf("case %d: %q is not a number", i, tc.Value)
				}
			}
			cols := []report.Column{{Type: typ, Format: code}}
			els = append(els, report.NewTable(fmt.Sprintf("[[c%d]]", i), cols, report.RowsOf(report.Cells(v))))
			cases = append(cases, i)
		}
		els = append(els, &report.Paragraph{Runs: []report.Run{{Text: "[[end]]"}}})
		doc := report.New("", els...)
		if err := doc.SetLocale(tag); err != nil && tag != "" {
			t.Fatal(err)
		}
		text := c.Text(t, render(t, c, doc))
		for _, i := range cases {
			tc := numfmttest.Cases[i]
			_, after, ok := strings.Cut(text, fmt.Sprintf("[[c%d]]", i))
			shown, _, ok2 := strings.Cut(after, "[[")
			if !ok || !ok2 {
				t.Errorf("case %d (%q, %s, %s): markers not found", i, tc.Code, tc.Locale, tc.Value)
				continue
			}
			shown = strings.Trim(shown, "\n")
			if normalize(shown) != normalize(tc.Want) {
				t.Errorf("%q in %q of %s %s shows %q, want %q", tc.Code, tc.Locale, tc.Type, tc.Value, shown, tc.Want)
			}
			ran++
		}
	}
	if ran < 40 {
		t.Errorf("only %d cases ran", ran)
	}
}
