package xlsx

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/report"
)

// FuzzRender renders any text as a caption, a column caption, a cell and a
// paragraph, and checks that excelize opens the workbook and reads the
// cell back as the renderer cleaned it.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "=SUM(A1)", "nul\x00", "_x0041_", "😀", "\xff", "a\r\nb", " lead", "'q'", "History"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cols := []report.Column{{Caption: s}, {Caption: "N", Type: report.TypeNumber}}
		doc := report.New(s, report.NewTable(s, cols, report.RowsOf(report.Cells(report.String(s), report.Int(1)))),
			&report.Paragraph{Runs: []report.Run{{Text: s}}}, &report.Paragraph{Runs: []report.Run{{Text: s, Markdown: true}}})
		var buf bytes.Buffer
		if err := (&Renderer{}).Render(context.Background(), &buf, doc); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("excelize cannot open the output: %v", err)
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) != 1 {
			t.Fatalf("sheets %q", sheets)
		}
		want, changed := cellText(s)
		if !changed {
			want = s
		}
		rows, err := x.GetRows(sheets[0])
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			if len(r) == 2 && r[1] == "1" {
				found = true
				// excelize trims nothing; a value of only white space
				// may come back as written.
				if r[0] != want {
					t.Fatalf("cell %q, want %q", r[0], want)
				}
			}
		}
		if !found {
			t.Fatalf("data row not found in %q", rows)
		}
	})
}

// FuzzLinks links a cell to a fuzzed URL and gives a number a fuzzed
// format code, and checks that the workbook opens, the hyperlink reads back
// through its relationship (percent-encoded outside ASCII) and the cell
// keeps the code as its number format.
func FuzzLinks(f *testing.F) {
	f.Add("https://erp.example/orders/42", `#,##0.00 "€"`)
	f.Add("mailto:a@b.example?subject=<&>\"'", "0.0%")
	f.Add("https://straße.example/ü", "[$€-407] #,##0.00;(#,##0.00)")
	f.Fuzz(func(t *testing.T, link, code string) {
		if !safeurl.Link(link) || !utf8.ValidString(link) || !utf8.ValidString(code) { // a document holds UTF-8
			return
		}
		c, err := numfmt.Parse(code)
		if err != nil || c.Kind() == numfmt.KindDateTime && c.HasDate() || strings.ContainsFunc(code, func(r rune) bool { return r < 0x20 }) {
			return // not a code a number column may have
		}
		cols := []report.Column{{Caption: "L"}, {Caption: "N", Type: report.TypeNumber, Format: c}}
		doc := report.New("", report.NewTable("T", cols, report.RowsOf(report.Cells(report.String("x").WithLink(link), report.Float(-1234.5)))))
		var buf bytes.Buffer
		if err := (&Renderer{}).Render(context.Background(), &buf, doc); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("excelize cannot open the output: %v", err)
		}
		defer x.Close()
		ok, target, err := x.GetCellHyperLink("T", "A2")
		if err != nil || !ok || target != string(safeurl.AppendASCII(nil, link)) {
			t.Fatalf("hyperlink %v %q %v, want %q", ok, target, err, link)
		}
		id, err := x.GetCellStyle("T", "B2")
		if err != nil {
			t.Fatal(err)
		}
		st, err := x.GetStyle(id)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != code {
			t.Fatalf("number format %v, want %q (%v)", st.CustomNumFmt, code, err)
		}
	})
}
