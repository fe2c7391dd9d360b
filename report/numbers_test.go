package report_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/report"
)

// readTable decodes in, pulls the first table's rows (cloned) and returns
// the table, its rows and the first error.
func readTable(in string) (*report.Document, *report.Table, []report.Row, error) {
	doc := report.Read(strings.NewReader(in))
	var tab *report.Table
	var rows []report.Row
	for el, err := range doc.Elements() {
		if err != nil {
			return doc, tab, rows, err
		}
		if t, ok := el.(*report.Table); ok && tab == nil {
			tab = t
			for r, err := range t.Rows() {
				if err != nil {
					return doc, tab, rows, err
				}
				rows = append(rows, r.Clone())
			}
		}
	}
	return doc, tab, rows, nil
}

func rowTexts(rows []report.Row) string {
	var b strings.Builder
	for _, r := range rows {
		for i, v := range r.Cells {
			if i > 0 {
				b.WriteByte('|')
			}
			if v.IsNull() {
				b.WriteString("null")
			} else {
				b.WriteString(v.Text())
			}
			if v.Link() != "" {
				b.WriteString("<" + v.Link() + ">")
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestColumnMembers(t *testing.T) {
	in := `{"locale":"de-DE","elements":[{"type":"table","data":{"columns":[
		{"caption":"Order","link":"https://erp.example/orders/{value}"},
		{"caption":"Amount","type":"number","format":"#,##0.00 \"€\"","total":"sum"},
		{"caption":"Due","type":"date","format":"dd.mm.yyyy","total":"count"}],
		"rows":[{"cells":[{"value":"A/1"},{"value":1234.5},{"value":"2024-02-29"}]},
		        {"cells":[{"value":"B 2","link":"mailto:b@example.com"},{"value":-0.25},{"value":null}]}]}}]}`
	doc, tab, rows, err := readTable(in)
	if err != nil {
		t.Fatal(err)
	}
	if l := doc.Locale(); l == nil || l.Tag != "de-DE" || l.Decimal != "," {
		t.Fatalf("Locale() = %+v", l)
	}
	c := tab.Columns
	if c[1].Format == nil || c[1].Format.String() != `#,##0.00 "€"` || c[1].Total != report.TotalSum {
		t.Errorf("column 1 = %+v", c[1])
	}
	if c[2].Format == nil || c[2].Format.Kind() != numfmt.KindDateTime || c[2].Total != report.TotalCount {
		t.Errorf("column 2 = %+v", c[2])
	}
	loc := doc.Locale()
	var got []string
	for _, r := range rows {
		for i, v := range r.Cells {
			got = append(got, string(c[i].AppendText(nil, v, loc))+" <"+string(c[i].AppendLink(nil, v))+">")
		}
	}
	want := []string{
		"A/1 <https://erp.example/orders/A%2F1>", "1.234,50 € <>", "29.02.2024 <>",
		"B 2 <mailto:b@example.com>", "-0,25 € <>", " <>",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cells:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := rowTexts(tab.FooterRows()); got != "Total|1234.25|1\n" {
		t.Errorf("footer %q", got)
	}
	fc := tab.FooterColumns()
	if fc[0].Link != "" || fc[2].Format != report.CountFormat || fc[2].Type != report.TypeNumber || fc[1].Format != c[1].Format {
		t.Errorf("footer columns %+v", fc)
	}
	if s := fc[1].AppendText(nil, tab.FooterRows()[0].Cells[1], loc); string(s) != "1.234,25 €" {
		t.Errorf("formatted sum %q", s)
	}
}

// TestFooterOrders reads the same table with its members in every order:
// the footer is known once the rows are read, and rows stream when type
// and columns come first.
func TestFooterOrders(t *testing.T) {
	cols := `"columns":[{"caption":"A"},{"caption":"N","type":"number","total":"max"}]`
	rows := `"rows":[{"cells":[{"value":"x"},{"value":2}]},{"cells":[{"value":"y"},{"value":10.50}]}]`
	footer := `"footer":[{"cells":[{"value":"Sum","link":"https://x.example/"},{"value":"n/a"}]}]`
	for _, tc := range []struct {
		data   string
		typeAt string // "first" or "last"
		want   string
	}{
		{cols + "," + rows, "first", "Total|10.50\n"},
		{cols + "," + rows + "," + footer, "first", "Sum<https://x.example/>|n/a\n"},
		{cols + "," + footer + "," + rows, "first", "Sum<https://x.example/>|n/a\n"},
		{footer + "," + cols + "," + rows, "first", "Sum<https://x.example/>|n/a\n"},
		{rows + "," + footer + "," + cols, "first", "Sum<https://x.example/>|n/a\n"},
		{footer + "," + rows + "," + cols, "last", "Sum<https://x.example/>|n/a\n"},
		{rows + "," + cols, "last", "Total|10.50\n"},
		{cols + "," + rows + `,"footer":[]`, "first", ""},
	} {
		el := `"type":"table","data":{` + tc.data + `}`
		if tc.typeAt == "last" {
			el = `"data":{` + tc.data + `},"type":"table"`
		}
		_, tab, got, err := readTable(`{"elements":[{` + el + `}]}`)
		if err != nil {
			t.Errorf("%s: %v", tc.data, err)
			continue
		}
		if rowTexts(got) != "x|2\ny|10.50\n" {
			t.Errorf("%s: rows %q", tc.data, rowTexts(got))
		}
		if f := rowTexts(tab.FooterRows()); f != tc.want {
			t.Errorf("%s: footer %q, want %q", tc.data, f, tc.want)
		}
	}
}

func TestTotals(t *testing.T) {
	cols := `[{"caption":"N","type":"number","total":"sum"},{"caption":"Min","type":"number","total":"min"},
		{"caption":"Max","type":"number","total":"max"},{"caption":"Mean","type":"number","total":"mean"},
		{"caption":"Count","total":"count"},{"caption":"Label"}]`
	for _, tc := range []struct {
		rows, want string
	}{
		{``, "0|null|null|null|0|Total\n"},
		{`{"cells":[{"value":0.1},{"value":0.1},{"value":0.1},{"value":0.1},{"value":"a"},{"value":1}]},
		  {"cells":[{"value":0.2},{"value":0.2},{"value":0.2},{"value":0.2},{"value":null},{"value":1}]}`, "0.3|0.1|0.2|0.15|1|Total\n"},
		{`{"cells":[{"value":1.10},{"value":-1.5e3},{"value":1e2},{"value":1},{"value":false},{"value":1}]},
		  {"cells":[{"value":null},{"value":-1500},{"value":99.99},{"value":1},{"value":0},{"value":1}]},
		  {"cells":[{"value":2.20},{"value":3},{"value":null},{"value":2},{"value":""},{"value":1}]}`, "3.30|-1500|100|1.333|3|Total\n"},
		{`{"cells":[{"value":9007199254740993},{"value":1},{"value":1},{"value":1},{"value":1},{"value":1}]},
		  {"cells":[{"value":9223372036854775807},{"value":1},{"value":1},{"value":1},{"value":1},{"value":1}]}`, "9232379236109516800|1|1|1|2|Total\n"},
	} {
		_, tab, _, err := readTable(table(cols, tc.rows))
		if err != nil {
			t.Fatal(err)
		}
		if got := rowTexts(tab.FooterRows()); got != tc.want {
			t.Errorf("rows %s: footer %q, want %q", tc.rows, got, tc.want)
		}
	}
	// Every column has a total: no label.
	_, tab, _, err := readTable(table(`[{"caption":"C","total":"count"}]`, `{"cells":[{"value":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := rowTexts(tab.FooterRows()); got != "1\n" {
		t.Errorf("footer %q", got)
	}
	// A table without totals has no footer.
	_, tab, _, _ = readTable(table(cols2, `{"cells":[{"value":1},{"value":2}]}`))
	if f := tab.FooterRows(); f != nil {
		t.Errorf("footer %v", f)
	}
}

// TestTotalsOfUnreadRows checks rows a caller does not pull still count.
func TestTotalsOfUnreadRows(t *testing.T) {
	doc := report.Read(strings.NewReader(`{"elements":[{"type":"table","data":{"columns":[{"caption":"N","type":"number","total":"sum"}],
		"rows":[{"cells":[{"value":1}]},{"cells":[{"value":2}]}]}},{"type":"heading","data":{"text":"h"}}]}`))
	var tab *report.Table
	for el, err := range doc.Elements() {
		if err != nil {
			t.Fatal(err)
		}
		if t, ok := el.(*report.Table); ok {
			tab = t
		}
	}
	if got := rowTexts(tab.FooterRows()); got != "3\n" {
		t.Errorf("footer %q", got)
	}
}

func TestNewViolations(t *testing.T) {
	num := `{"caption":"N","type":"number"`
	for _, tc := range []struct{ in, want string }{
		{table(`[`+num+`,"format":"0 kg"}]`, ``), `/elements/0/data/columns/0/format: format "0 kg": the letter k must be quoted`},
		{table(`[`+num+`,"format":"[<100]0;0"}]`, ``), `/elements/0/data/columns/0/format: format "[<100]0;0": conditions`},
		{table(`[`+num+`,"format":"dd.mm.yyyy hh:mm"}]`, ``), `/elements/0/data/columns/0/format: "dd.mm.yyyy hh:mm" is a date code`},
		{table(`[`+num+`,"format":"[h]:mm"},{"caption":"S","type":"string","format":"hh:mm:ss"}]`, ``), ``},
		{table(`[{"caption":"D","type":"datetime","format":"@"}]`, ``), `/elements/0/data/columns/0/format: a datetime column needs a date/time code`},
		{table(`[{"caption":"B","type":"boolean","format":"0"}]`, ``), `/elements/0/data/columns/0/format: a boolean column takes no format`},
		{table(`[{"caption":"U","format":"yyyy"}]`, ``), `/elements/0/data/columns/0/format: "yyyy" is a date code, for columns of type date or datetime, and this column is untyped`},
		{table(`[{"caption":"U","format":["0"]}]`, ``), `/elements/0/data/columns/0/format: format must be a string, not an array`},
		{table(`[{"caption":"U","format":"*\u0001"}]`, ``), `/elements/0/data/columns/0/format: format "*\x01" holds a control character`},
		{table(`[{"caption":"U","total":"mean"}]`, ``), `/elements/0/data/columns/0/total: total "mean" needs a number column ("type": "number"); an untyped column can have only "count"`},
		{table(`[{"caption":"U","total":null}]`, ``), `/elements/0/data/columns/0/total: total must be one of sum, count, min, max and mean, not null`},
		{table(`[{"caption":"U","link":"http://{value}"}]`, ``), `/elements/0/data/columns/0/link: a link template must be`},
		{table(`[{"caption":"U","link":1}]`, ``), `/elements/0/data/columns/0/link: link must be a string, not a number`},
		{table(cols2, `{"cells":[{"value":1,"link":"https://x"},{"value":2,"link":["https://x"]}]}`), `/elements/0/data/rows/0/cells/1/link: link must be a string, not an array`},
		{table(cols2, `{"cells":[{"value":1,"link":"https://x"},{"value":2,"link":" https://x"}]}`), `/elements/0/data/rows/0/cells/1/link: a link must be an absolute http, https or mailto URL`},
		{table(cols2, `{"cells":[{"value":1,"link":"https:\/\/x\u0000"},{"value":2}]}`), `/elements/0/data/rows/0/cells/0/link: a link must be`},
		{table(`[`+num+`,"total":"sum"}]`, `{"cells":[{"value":1e308}]},{"cells":[{"value":1e308}]}`), `/elements/0/data/columns/0/total: the sum of column "N", 200000000000000000000`},
		{table(`[`+num+`,"total":"min"}]`, `{"cells":[{"value":0.`+strings.Repeat("0", 1000)+`1}]}`), `/elements/0/data/rows/0/cells/0/value: the number has more than 1000 decimal places`},
		{`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[],"footer":[{"cells":[]}]}}]}`, `/elements/0/data/footer/0/cells: row has 0 cells but the table has 1 column`},
		{`{"elements":[{"type":"table","data":{"footer":[{"cells":[{"value":{}}]}],"columns":[{"caption":"A"}],"rows":[]}}]}`, `/elements/0/data/footer/0/cells/0/value: a cell value must be`},
		{`{"locale":["de"],"elements":[]}`, `/locale: locale must be a string, not an array`},
		{`{"locale":"","elements":[]}`, `/locale: locale must be a BCP 47 language tag`},
		{`{"locale":"12","elements":[]}`, `/locale: locale must be a BCP 47 language tag such as "de-DE", not "12"`},
	} {
		err := firstError(tc.in)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%.120s: %v", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%.120s:\ngot  %v\nwant %s…", tc.in, err, tc.want)
		}
		if vs := collect(tc.in); len(vs) != 1 {
			t.Errorf("%.120s: %d violations collected: %s", tc.in, len(vs), list(vs))
		}
	}
	// A sum beyond float64 does not matter when the producer gives a footer.
	if err := firstError(`{"elements":[{"type":"table","data":{"columns":[{"caption":"N","type":"number","total":"sum"}],"rows":[{"cells":[{"value":1e308}]},{"cells":[{"value":1e308}]}],"footer":[]}}]}`); err != nil {
		t.Error(err)
	}
}

func TestBuiltTableChecks(t *testing.T) {
	num := report.Column{Caption: "N", Type: report.TypeNumber}
	bad := func(c report.Column, footer []report.Row, rows ...report.Row) error {
		tab := report.NewTable("", []report.Column{c}, report.RowsOf(rows...))
		tab.Footer = footer
		for el, err := range report.New("", tab).Elements() {
			if err != nil {
				return err
			}
			for _, err := range el.(*report.Table).Rows() {
				if err != nil {
					return err
				}
			}
		}
		return nil
	}
	withFormat := num
	withFormat.Format = numfmt.MustParse("yyyy")
	withTotal := report.Column{Caption: "S", Total: report.TotalSum}
	withLink := report.Column{Caption: "L", Link: "javascript:{value}"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{bad(withFormat, nil), `/columns/0/format: "yyyy" is a date code`},
		{bad(withTotal, nil), `/columns/0/total: total "sum" needs a number column`},
		{bad(report.Column{Caption: "X", Total: "median"}, nil), `/columns/0/total: total must be one of`},
		{bad(withLink, nil), `/columns/0/link: a link template must be`},
		{bad(num, nil, report.Cells(report.Int(1).WithLink("ftp://x"))), `/rows/0/cells/0/link: a link must be`},
		{bad(num, []report.Row{report.Cells()}), `/footer/0/cells: row has 0 cells`},
		{bad(num, []report.Row{report.Cells(report.String("x").WithLink("data:x"))}), `/footer/0/cells/0/link: a link must be`},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.want) {
			t.Errorf("got %v, want %s…", tc.err, tc.want)
		}
	}
	// Totals of a table built in Go; a string in its footer's number column is fine.
	sum := num
	sum.Total = report.TotalMean
	tab := report.NewTable("", []report.Column{{Caption: "L"}, sum}, report.RowsOf(
		report.Cells(report.String("a"), report.Float(0.1)), report.Cells(report.String("b"), report.Float(0.2))))
	if err := bad(num, []report.Row{report.Cells(report.String("Total"))}); err != nil {
		t.Error(err)
	}
	for _, err := range tab.Rows() {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := rowTexts(tab.FooterRows()); got != "Total|0.15\n" {
		t.Errorf("footer %q", got)
	}
}

func TestSetLocale(t *testing.T) {
	doc := report.New("")
	if doc.Locale() != nil {
		t.Error("a new document has a locale")
	}
	if err := doc.SetLocale("fr-CH"); err != nil || doc.Locale().Tag != "fr-CH" || doc.Locale().Group != "'" {
		t.Errorf("SetLocale: %v, %+v", err, doc.Locale())
	}
	if err := doc.SetLocale("--"); err == nil {
		t.Error("SetLocale accepted --")
	}
	if err := report.Read(strings.NewReader(`{"elements":[]}`)).SetLocale("de"); err == nil {
		t.Error("SetLocale on a decoded document")
	}
}

// TestExactTotalsOfAMillionRows sums and averages a million generated
// two-decimal amounts through the decoder and the row of totals, and
// compares with the exact decimal sum computed with math/big.
func TestExactTotalsOfAMillionRows(t *testing.T) {
	n := 1000000
	if testing.Short() {
		n = 50000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var in strings.Builder
	in.WriteString(`{"elements":[{"type":"table","data":{"columns":[{"caption":"Item"},{"caption":"Amount","type":"number","total":"sum"},{"caption":"Mean","type":"number","total":"mean","format":"#,##0.00"}],"rows":[`)
	want := new(big.Int) // the sum in cents
	for i := range n {
		if i > 0 {
			in.WriteByte(',')
		}
		cents := rng.Int64N(200000000) - 50000000 // -500,000.00 to 1,500,000.00
		want.Add(want, big.NewInt(cents))
		a := fmt.Sprintf("%d.%02d", cents/100, abs(cents%100))
		if cents < 0 && cents > -100 {
			a = "-" + a
		}
		fmt.Fprintf(&in, `{"cells":[{"value":"i%d"},{"value":%s},{"value":%s}]}`, i, a, a)
	}
	in.WriteString(`]}}]}`)
	_, tab, _, err := readTable(in.String())
	if err != nil {
		t.Fatal(err)
	}
	f := tab.FooterRows()
	if len(f) != 1 {
		t.Fatalf("%d footer rows", len(f))
	}
	sum := new(big.Rat).SetFrac(want, big.NewInt(100))
	if got := f[0].Cells[1].Text(); got != sum.FloatString(2) {
		t.Errorf("sum %s, want %s", got, sum.FloatString(2))
	}
	mean := new(big.Rat).Quo(sum, big.NewRat(int64(n), 1))
	gotMean, ok := new(big.Rat).SetString(f[0].Cells[2].Text())
	if !ok {
		t.Fatalf("mean %q", f[0].Cells[2].Text())
	}
	// The mean is rounded at 2 + 7 + 2 decimal places (see numfmt.Total.Mean).
	if d := new(big.Rat).Sub(gotMean, mean); d.Abs(d).Cmp(big.NewRat(1, 2e11)) > 0 {
		t.Errorf("mean %s, exact %s", f[0].Cells[2].Text(), mean.FloatString(15))
	}
	// Formatted with 0.00, the mean reads as the exact mean rounded half away from zero.
	exact := roundHalfAway(mean, 2)
	if got := string(tab.FooterColumns()[2].AppendText(nil, f[0].Cells[2], nil)); strings.ReplaceAll(got, ",", "") != exact {
		t.Errorf("formatted mean %s, want %s", got, exact)
	}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// roundHalfAway rounds r to d decimal places, half away from zero.
func roundHalfAway(r *big.Rat, d int) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil)
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	neg := x.Sign() < 0
	x.Abs(x)
	x.Add(x, big.NewRat(1, 2))
	q := new(big.Int).Quo(x.Num(), x.Denom())
	if neg {
		q.Neg(q)
	}
	return new(big.Rat).SetFrac(q, scale).FloatString(d)
}
