package xlsx_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/foliorender/folio/internal/golden"
	"github.com/foliorender/folio/render/xlsx"
	"github.com/foliorender/folio/report"
)

func TestPrintLine(t *testing.T) {
	long := strings.Repeat("ä&", 120)
	for _, c := range []struct{ in, title, want string }{
		{"Page {page} of {pages}", "", "&CPage &P of &N"},
		{"{title} & Co {{x}}", "R&D", "&CR&&D && Co {x}"},
		{"{page}1", "", "&C&P1"},
		{"", "", ""},
		{"{title}", "a\nb", "&Ca b"},
	} {
		pt, err := report.ParsePageText(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := xlsx.PrintLine("&C", pt, c.title); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
	pt, err := report.ParsePageText(strings.Repeat("ä&", 97) + "{page}")
	if err != nil {
		t.Fatal(err)
	}
	got := xlsx.PrintLine("&C", pt, long)
	if n := len(utf16.Encode([]rune(got))); n > 255 || !strings.HasSuffix(got, "…") || strings.HasSuffix(got, "&…") && !strings.HasSuffix(got, "&&…") {
		t.Errorf("a long line is %d UTF-16 units, ending %q", n, got[len(got)-12:])
	}
	pt, _ = report.ParsePageText("{title}")
	if got := xlsx.PrintLine("&L", pt, long); len(utf16.Encode([]rune(got))) > 255 || strings.Count(strings.ReplaceAll(got, "&&", ""), "&") != 1 {
		t.Errorf("a long title cut a code in two: %q", got)
	}
}

// TestPrintFrame checks every worksheet prints the document's header and
// footer, read back with excelize and found in the worksheet's XML after
// its data, where the schema puts it.
func TestPrintFrame(t *testing.T) {
	in := `{"title":"Sales & more","page":{"header":"{title} – {{internal}}","footer":"Page {page} of {pages}"},"elements":[
		{"type":"table","caption":"One","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":1}]}]}},
		{"type":"table","caption":"Two","data":{"columns":[{"caption":"B"}],"rows":[{"cells":[{"value":2}]}]}}]}`
	out := render(t, &xlsx.Renderer{}, report.Read(strings.NewReader(in)))
	f := open(t, out)
	sheets := f.GetSheetList()
	if len(sheets) != 2 {
		t.Fatalf("sheets %q", sheets)
	}
	var list strings.Builder
	for _, s := range sheets {
		hf, err := f.GetHeaderFooter(s)
		if err != nil || hf == nil {
			t.Fatalf("%s: header and footer %v, %v", s, hf, err)
		}
		fmt.Fprintf(&list, "%s\theader %q\tfooter %q\n", s, hf.OddHeader, hf.OddFooter)
		if hf.OddHeader != "&LSales && more – {internal}" || hf.OddFooter != "&CPage &P of &N" {
			t.Errorf("%s: header %q, footer %q", s, hf.OddHeader, hf.OddFooter)
		}
	}
	golden.Check(t, "page.txt", []byte(list.String()))
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		if !regexp.MustCompile(`</sheetData>.*<headerFooter><oddHeader>&amp;LSales &amp;&amp; more`).Match(b) {
			t.Errorf("%s has no headerFooter after its data:\n%.2000s", zf.Name, b)
		}
	}
	// Without a page member, no header or footer.
	plain := open(t, render(t, &xlsx.Renderer{}, report.Read(strings.NewReader(`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[]}}]}`))))
	if hf, _ := plain.GetHeaderFooter(plain.GetSheetList()[0]); hf != nil {
		t.Errorf("a document without a page prints %+v", hf)
	}
}

// TestFieldsWidths checks the columns that hold key figures are as wide as
// their labels and values, on a table's worksheet and on one of text only.
func TestFieldsWidths(t *testing.T) {
	fields := `{"type":"fields","data":{"items":[{"label":"A rather long label","value":98765.4,"format":"#,##0.00 \"EUR\""},{"label":"Run on","value":"2026-12-01","format":"d mmmm yyyy"}]}}`
	for _, in := range []string{
		`{"elements":[` + fields + `,{"type":"table","data":{"columns":[{"caption":"A"},{"caption":"B"}],"rows":[]}}]}`,
		`{"elements":[` + fields + `]}`,
	} {
		f := open(t, render(t, &xlsx.Renderer{}, report.Read(strings.NewReader(in))))
		sheet := f.GetSheetList()[0]
		for col, want := range map[string]float64{"A": float64(len("A rather long label")), "B": float64(len("1 December 2026"))} {
			w, err := f.GetColWidth(sheet, col)
			if err != nil || w < want {
				t.Errorf("%.40s: column %s is %v wide, want at least %v (%v)", in, col, w, want, err)
			}
		}
	}
}

// TestFormattedWidths: a column is fitted to its values as the spreadsheet
// shows them (formatted, or as text when a number has more digits than a
// spreadsheet keeps), and to a footer that comes before the rows.
func TestFormattedWidths(t *testing.T) {
	for _, tc := range []struct {
		name, column, cell, footer, shown string
	}{
		{"currency", `{"caption":"A","type":"number","format":"\"€ \"#,##0.00"}`, `1234567.5`, ``, "€ 1,234,567.50"},
		{"unit", `{"caption":"A","type":"number","format":"#,##0.000 \"kg\""}`, `98765.4321`, ``, "98,765.432 kg"},
		{"long date", `{"caption":"A","type":"date","format":"dddd, d mmmm yyyy"}`, `"2026-09-30"`, ``, "Wednesday, 30 September 2026"},
		{"digits kept as text", `{"caption":"A","type":"number"}`, `90071992547409931234`, ``, "90071992547409931234"},
		{"footer label", `{"caption":"A","type":"number"}`, `1`, `[{"cells":[{"value":"Total of the quarter"}]}]`, "Total of the quarter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			footer := ""
			if tc.footer != "" {
				footer = `"footer":` + tc.footer + `,`
			}
			in := `{"elements":[{"type":"table","data":{"columns":[` + tc.column + `],` + footer + `"rows":[{"cells":[{"value":` + tc.cell + `}]}]}}]}`
			f := open(t, render(t, &xlsx.Renderer{}, report.Read(strings.NewReader(in))))
			w, err := f.GetColWidth(f.GetSheetList()[0], "A")
			if want := float64(len([]rune(tc.shown))); err != nil || w < want {
				t.Errorf("column A is %v wide, want at least %v for %q (%v)", w, want, tc.shown, err)
			}
		})
	}
}

// TestTotalsWidths: a row of totals wider than the rows widens its columns
// after the fact, on every sheet layout; widths it fits are kept.
func TestTotalsWidths(t *testing.T) {
	var rows strings.Builder
	for i := range 150 {
		if i > 0 {
			rows.WriteByte(',')
		}
		rows.WriteString(`{"cells":[{"value":"item"},{"value":9999.99},{"value":1}]}`)
	}
	doc := `{"title":"T","elements":[{"type":"table","data":{"columns":[{"caption":"Item"},` +
		`{"caption":"Amount","type":"number","format":"#,##0.00","total":"sum"},{"caption":"N","type":"number","total":"count"}],"rows":[` + rows.String() + `]}}]}`
	for _, tc := range []struct {
		name string
		r    xlsx.Renderer
	}{{"sheet a table", xlsx.Renderer{}}, {"one sheet", xlsx.Renderer{OneSheet: true}}, {"no table objects", xlsx.Renderer{NoTables: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			f := open(t, render(t, &tc.r, report.Read(strings.NewReader(doc))))
			sheet := f.GetSheetList()[0]
			w, err := f.GetColWidth(sheet, "B")
			if want := float64(len("1,499,998.50")); err != nil || w < want {
				t.Errorf("column B is %v wide, want at least %v for its total (%v)", w, want, err)
			}
			if n, _ := f.GetColWidth(sheet, "C"); n != 6 { // the least width, which "150" fits
				t.Errorf("column C is %v wide, want the 6 fitted before the rows", n)
			}
			cells, err := f.GetRows(sheet)
			if err != nil || len(cells) < 2 || !slices.Equal(cells[len(cells)-1], []string{"Total", "1,499,998.50", "150"}) {
				t.Errorf("last rows %q (%v), want the totals", cells[max(len(cells)-2, 0):], err)
			}
		})
	}
}
