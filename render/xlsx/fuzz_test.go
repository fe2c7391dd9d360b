package xlsx

import (
	"bytes"
	"context"
	"testing"

	"github.com/xuri/excelize/v2"

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
