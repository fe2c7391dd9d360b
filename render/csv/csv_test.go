package csv_test

import (
	"bytes"
	"context"
	stdcsv "encoding/csv"
	"github.com/foliorender/folio/internal/golden"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/render/csv"
	"github.com/foliorender/folio/render/rendertest"
	"github.com/foliorender/folio/report"
)

func render(t *testing.T, r *csv.Renderer, doc *report.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parse(t *testing.T, out []byte) [][]string {
	t.Helper()
	r := stdcsv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output does not parse as CSV: %v\n%s", err, out)
	}
	return recs
}

func seed(t *testing.T) *report.Document {
	f, err := os.Open("../../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return report.Read(f)
}

func TestSeed(t *testing.T) {
	out := render(t, &csv.Renderer{}, seed(t))
	golden.Check(t, "seed.csv", out)
	want := [][]string{{"Asset", "Event Type", "Workpack"}, {"Test Asset", "GVI", "Workpack A"}, {"Test Asset", "GVI", "Workpack B"}}
	if got := parse(t, out); !equal(got, want) {
		t.Errorf("parsed %q, want %q", got, want)
	}
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Error("records do not end in CRLF")
	}
}

func equal(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") || len(a[i]) != len(b[i]) {
			return false
		}
	}
	return true
}

func TestValues(t *testing.T) {
	n := func(s string) report.Value { v, _ := report.Number(s); return v }
	cells := []report.Value{
		report.String("=1+2"), report.String("+SUM(A1)"), report.String("-2+3"), report.String("@cmd"),
		report.String("\tindent"), report.String("\rreturn"), report.String("-12.5"), report.String("+3"),
		n("-12.5"), n("1e21"), n("0.10"), report.Bool(true), report.Null,
		report.String(`a "quoted", text`), report.String("two\nlines"), report.String(" lead"), report.String("Грüße 東京"),
	}
	want := []string{
		"'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd",
		"'\tindent", "'\rreturn", "-12.5", "+3",
		"-12.5", "1e21", "0.10", "true", "",
		`a "quoted", text`, "two\nlines", " lead", "Грüße 東京",
	}
	cols := make([]report.Column, len(cells))
	for i := range cols {
		cols[i].Caption = "c"
	}
	doc := func() *report.Document {
		return report.New("", report.NewTable("", cols, report.RowsOf(report.Cells(cells...))))
	}
	got := parse(t, render(t, &csv.Renderer{}, doc()))[1]
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d = %q, want %q", i, got[i], want[i])
		}
	}
	// With Formulas, text is written as it is.
	raw := parse(t, render(t, &csv.Renderer{Formulas: true}, doc()))[1]
	if raw[0] != "=1+2" || raw[4] != "\tindent" {
		t.Errorf("Formulas: cells %q %q", raw[0], raw[4])
	}
}

func TestOptions(t *testing.T) {
	two := func() *report.Document {
		return report.New("t",
			&report.Paragraph{Runs: []report.Run{{Text: "not in CSV"}}},
			report.NewTable("one", []report.Column{{Caption: "A"}}, report.RowsOf(report.Cells(report.Int(1)))),
			report.NewTable("two", []report.Column{{Caption: "B"}, {Caption: "C"}}, report.RowsOf(report.Cells(report.Int(2), report.Int(3)))),
		)
	}
	tests := []struct {
		name string
		r    csv.Renderer
		want [][]string
	}{
		{"all tables", csv.Renderer{}, [][]string{{"A"}, {"1"}, {"B", "C"}, {"2", "3"}}},
		{"second table", csv.Renderer{Table: 2}, [][]string{{"B", "C"}, {"2", "3"}}},
		{"semicolon", csv.Renderer{Table: 2, Comma: ';'}, nil},
		{"bom", csv.Renderer{Table: 1, BOM: true}, [][]string{{"A"}, {"1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, &tt.r, two())
			if tt.r.Comma == ';' {
				if string(out) != "B;C\r\n2;3\r\n" {
					t.Errorf("got %q", out)
				}
				return
			}
			if tt.r.BOM != bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
				t.Errorf("BOM %v, output starts %q", tt.r.BOM, out[:3])
			}
			if got := parse(t, out); !equal(got, tt.want) {
				t.Errorf("parsed %q, want %q", got, tt.want)
			}
		})
	}
	var buf bytes.Buffer
	if err := (&csv.Renderer{Table: 3}).Render(context.Background(), &buf, two()); err == nil {
		t.Error("Table: 3 of 2 tables gave no error")
	}
	if out := render(t, &csv.Renderer{}, report.New("only text", &report.Paragraph{Runs: []report.Run{{Text: "x"}}})); len(out) != 0 {
		t.Errorf("a report without tables gave %q, want empty output", out)
	}
}

func TestSuite(t *testing.T) {
	text := func(t *testing.T, out []byte) string {
		var b strings.Builder
		for _, rec := range parse(t, out) {
			for _, f := range rec {
				b.WriteString(f + " ")
			}
		}
		return b.String()
	}
	c := rendertest.Config{
		New:          func() rendertest.Renderer { return &csv.Renderer{} },
		NoParagraphs: true,
		Raw:          true,
		NoFooter:     true,
		Text:         text,
	}
	rendertest.Run(t, c)
	t.Run("NumbersFormatted", func(t *testing.T) {
		rendertest.Numbers(t, rendertest.Config{
			New:  func() rendertest.Renderer { return &csv.Renderer{Formatted: true, Footer: true} },
			Text: text,
		})
	})
	t.Run("NumbersFooter", func(t *testing.T) {
		rendertest.Numbers(t, rendertest.Config{
			New:  func() rendertest.Renderer { return &csv.Renderer{Footer: true} },
			Text: text,
			Raw:  true,
		})
	})
}

// TestNumbers reads the numbers document back: raw values by default, the
// formatted text and the footers with the options.
func TestNumbers(t *testing.T) {
	doc := func() *report.Document { return report.Read(strings.NewReader(rendertest.NumbersDocument)) }
	for _, tc := range []struct {
		name string
		r    *csv.Renderer
		want [][]string
	}{
		{"numbers.csv", &csv.Renderer{}, [][]string{
			{"Order", "Amount", "Share", "Due"},
			{"A-1", "1234.5", "0.125", "2024-03-05"},
			{"B 2", "-0.75", "0.5", ""},
			{"C", "1000000", "0.3333", "2023-12-31"},
			{},
			{"Item", "Weight"},
			{"Bolts", "12.5"},
		}},
		{"numbers-footer.csv", &csv.Renderer{Footer: true}, [][]string{
			{"Order", "Amount", "Share", "Due"},
			{"A-1", "1234.5", "0.125", "2024-03-05"},
			{"B 2", "-0.75", "0.5", ""},
			{"C", "1000000", "0.3333", "2023-12-31"},
			{"Total", "1001233.75", "0.3194333", "2"},
			{},
			{"Item", "Weight"},
			{"Bolts", "12.5"},
			{"Grand total", "98765.4321"},
		}},
		{"numbers-formatted.csv", &csv.Renderer{Formatted: true, Footer: true, Comma: ';'}, [][]string{
			{"Order", "Amount", "Share", "Due"},
			{"A-1", "1.234,50 €", "12,5%", "5. März 2024"},
			{"B 2", "-0,75 €", "50,0%", ""},
			{"C", "1.000.000,00 €", "33,3%", "31. Dezember 2023"},
			{"Total", "1.001.233,75 €", "31,9%", "2"},
			{},
			{"Item", "Weight"},
			{"Bolts", "12,500 kg"},
			{"Grand total", "98.765,432 kg"},
		}},
	} {
		out := render(t, tc.r, doc())
		golden.Check(t, tc.name, out)
		rd := stdcsv.NewReader(bytes.NewReader(out))
		rd.FieldsPerRecord = -1
		rd.Comma = ','
		if tc.r.Comma != 0 {
			rd.Comma = tc.r.Comma
		}
		got, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// encoding/csv skips the empty line between tables.
		want := slices.DeleteFunc(slices.Clone(tc.want), func(r []string) bool { return len(r) == 0 })
		if !equal(got, want) {
			t.Errorf("%s: %q\nwant %q", tc.name, got, want)
		}
		if !bytes.Contains(out, []byte("\r\n\r\n")) {
			t.Errorf("%s: no empty line between the tables", tc.name)
		}
	}
}

// TestFormattedGuard checks formatted text keeps the formula guard, but
// for a formatted number's sign.
func TestFormattedGuard(t *testing.T) {
	cols := []report.Column{
		{Caption: "N", Type: report.TypeNumber, Format: numfmt.MustParse(`#,##0.00 "€"`)},
		{Caption: "E", Type: report.TypeNumber, Format: numfmt.MustParse(`"=cmd|' /C calc'!A0 "0`)},
		{Caption: "S", Type: report.TypeString, Format: numfmt.MustParse(`@`)},
		{Caption: "D", Type: report.TypeNumber, Format: numfmt.MustParse(`[h]:mm`)},
		{Caption: "M", Type: report.TypeNumber, Format: numfmt.MustParse(`0;-0" +1"`)},
	}
	doc := report.New("", report.NewTable("", cols, report.RowsOf(
		report.Cells(report.Float(-1234.5), report.Int(1), report.String("=1+2"), report.Float(-0.5), report.Int(-3)))))
	got := parse(t, render(t, &csv.Renderer{Formatted: true}, doc))
	want := []string{"-1,234.50 €", "'=cmd|' /C calc'!A0 1", "'=1+2", "'-12:00", "'-3 +1"}
	if !slices.Equal(got[1], want) {
		t.Errorf("%q, want %q", got[1], want)
	}
}

// FuzzRoundtrip renders a table of fuzzed text and numbers and requires
// encoding/csv to read back every cell: text as given (or with the formula
// guard's apostrophe), numbers as their exact text.
func FuzzRoundtrip(f *testing.F) {
	f.Add("plain", "=cmd|' /C calc'!A0", "-1.5e3")
	f.Add("a,b\"c\r\nd", " lead", "0")
	f.Add("\uFEFFbom", "@", "12345678901234567890")
	f.Fuzz(func(t *testing.T, a, b, num string) {
		nv, ok := report.Number(num)
		if !ok {
			nv = report.Null
		}
		cols := []report.Column{{Caption: a}, {Caption: b}, {Caption: "n"}}
		doc := report.New("", report.NewTable("", cols, report.RowsOf(report.Cells(report.String(a), report.String(b), nv))))
		var buf bytes.Buffer
		if err := (&csv.Renderer{}).Render(context.Background(), &buf, doc); err != nil {
			t.Fatal(err)
		}
		recs := parse(t, buf.Bytes())
		if len(recs) != 2 || len(recs[1]) != 3 {
			t.Fatalf("got records %q", recs)
		}
		for i, s := range []string{a, b} {
			want := strings.ToValidUTF8(s, "\uFFFD")
			want = strings.ReplaceAll(want, "\r\n", "\n") // as encoding/csv reads quoted fields
			got := recs[1][i]
			if got != want && got != "'"+want {
				t.Errorf("text %q came back as %q", want, got)
			}
			if got == "'"+want && strings.TrimLeft(want, "=+-@\t\r") == want {
				t.Errorf("text %q was guarded without cause", want)
			}
			if len(got) > 0 && strings.ContainsRune("=+-@", rune(got[0])) && !isNumber(got) {
				t.Errorf("field %q starts like a formula", got)
			}
		}
		if ok && recs[1][2] != num {
			t.Errorf("number %q came back as %q", num, recs[1][2])
		}
	})
}

// numberRE matches what a spreadsheet reads as a plain signed number.
var numberRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$`)

func isNumber(s string) bool { return numberRE.MatchString(s) }

// TestKinds checks CSV writes the tables only: no key figures.
func TestKinds(t *testing.T) {
	out := render(t, &csv.Renderer{}, report.Read(strings.NewReader(rendertest.KindsDocument)))
	golden.Check(t, "kinds.csv", out)
	if bytes.Contains(out, []byte("Kinds label")) || !bytes.Contains(out, []byte("kinds cell")) {
		t.Errorf("output %q: want the table and no key figures", out)
	}
}
