package xlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheetDataOf returns what excelize's StreamWriter writes inside
// <sheetData> for rows, each a row of SetRow values starting in column A,
// numbered from 1, and the file, to write the same rows with a rowWriter.
func sheetDataOf(t *testing.T, rows [][]any) (string, *excelize.File) {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		if err := sw.SetRow(cellName(1, i+1), row); err != nil {
			t.Fatalf("row %d: SetRow: %v", i+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	x, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(x)
	start, end := strings.Index(s, "<sheetData>"), strings.Index(s, "</sheetData>")
	if start < 0 || end < start {
		t.Fatalf("no sheetData in %q", s)
	}
	return s[start+len("<sheetData>") : end], f
}

// TestRowsAsExcelize writes rows of tricky values with folio's row writer
// and with excelize's StreamWriter.SetRow: the XML is the same, byte for
// byte.
func TestRowsAsExcelize(t *testing.T) {
	long := strings.Repeat("abcd", 9000)                  // over the cell limit
	longWide := strings.Repeat("😀", 16380) + "abcdefghij" // at the limit in UTF-16 units
	texts := []string{
		"", " ", "   ", " lead", "trail ", "\tx", "x\t", "x\n", "\ry", "a\nb", "a\r\nb", "in side",
		`<&>"'`, "&amp;", "&#xA;", "]]>", "=SUM(A1)", "0123", "1e5", "-0", "TRUE",
		"_x0041_", "_x005F_x0041_", "_x005F_", "_x005F_x", "a_x00zz_b", "_xD800_", "_x005f_xdfff_", "__x0041__", "_X0041_", "x_x0041_x0042_",
		"\x01", "a\x00b", "\x1f", "\x7f", "\u0085", "\uFFFE", "\uFFFF", "\uFFFD", "\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"😀", "Straße", "東京", "Ωμέγα", "\u200b", "e\u0301",
		long, longWide, longWide + "x", " " + long,
	}
	var rows [][]any
	for _, s := range texts {
		cleaned, changed := cellText(s)
		if !changed {
			cleaned = s
		}
		rows = append(rows,
			[]any{s, []byte(s), excelize.Cell{StyleID: 4, Value: s}},
			[]any{nil, cleaned, excelize.Cell{StyleID: 2, Value: []byte(cleaned)}})
	}
	floats := []float64{0, 1, -1, 0.1, -2.5, 1.5e-7, 0.000001234, 1234567.891, 123456789012345678, 1e15, 1e16, 1e21, 1e300,
		-1e300, 1e-300, 5e-324, 2.2250738585072014e-308, math.MaxFloat64, -math.MaxFloat64, 0.1 + 0.2, 1.0 / 3, 2.0 / 3 * 1e10,
		123456789.123456789, 9007199254740993, math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}
	for _, x := range floats {
		rows = append(rows, []any{x, excelize.Cell{StyleID: 3, Value: x}})
	}
	for _, n := range []int64{0, 1, -1, 42, math.MaxInt64, math.MinInt64, 1e15} {
		rows = append(rows, []any{n, excelize.Cell{StyleID: 5, Value: n}, int(n)})
	}
	rows = append(rows,
		[]any{true, false, excelize.Cell{StyleID: 6, Value: true}, excelize.Cell{Value: false}},
		[]any{nil, nil, excelize.Cell{StyleID: 7}, excelize.Cell{}, nil},
		[]any{},
		[]any{nil},
	)
	plus5 := time.FixedZone("+5", 5*3600)
	minus8 := time.FixedZone("-8", -8*3600)
	for _, d := range []time.Time{
		time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 2, 28, 23, 59, 59, 999999999, time.UTC),
		time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(1899, 12, 30, 12, 0, 0, 0, time.UTC),
		time.Date(1800, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 13, 45, 30, 500000000, time.UTC),
		time.Date(2024, 2, 29, 13, 45, 30, 0, plus5),
		time.Date(1900, 1, 1, 3, 0, 0, 0, minus8),
		time.Date(9999, 12, 31, 23, 59, 59, 999000000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
	} {
		rows = append(rows, []any{d, excelize.Cell{StyleID: 8, Value: d}})
	}
	font := func(family string, bold, italic bool) *excelize.Font {
		return &excelize.Font{Family: family, Size: 11, Bold: bold, Italic: italic}
	}
	rows = append(rows,
		[]any{[]excelize.RichTextRun{
			{Text: "plain ", Font: font(fontFamily, false, false)},
			{Text: "bold", Font: font(fontFamily, true, false)},
			{Text: " italic ", Font: font(fontFamily, false, true)},
			{Text: "both", Font: font(fontFamily, true, true)},
			{Text: "code <&>\"'", Font: font(codeFamily, false, false)},
			{Text: "_x0041_ a\nb\tc\r", Font: font(codeFamily, true, true)},
			{Text: "no font"},
			{Text: "", Font: &excelize.Font{}},
		}},
		[]any{excelize.Cell{StyleID: 9, Value: []excelize.RichTextRun{{Text: "x", Font: font(fontFamily, true, false)}}}, []excelize.RichTextRun{}},
	)

	want, f := sheetDataOf(t, rows)
	got := appendRows(t, &rowWriter{f: f}, rows)
	if string(got) == want {
		return
	}
	// Name the first row that differs.
	gotRows, wantRows := strings.SplitAfter(string(got), "</row>"), strings.SplitAfter(want, "</row>")
	for i := range min(len(gotRows), len(wantRows)) {
		if gotRows[i] != wantRows[i] {
			g, w := gotRows[i], wantRows[i]
			if len(g) > 600 || len(w) > 600 {
				k := 0
				for k < len(g) && k < len(w) && g[k] == w[k] {
					k++
				}
				g, w = g[max(k-100, 0):min(k+200, len(g))], w[max(k-100, 0):min(k+200, len(w))]
			}
			t.Fatalf("row %d (%q):\n got %s\nwant %s", i+1, rows[i], g, w)
		}
	}
	t.Fatalf("%d rows, excelize %d", len(gotRows), len(wantRows))
}

// FuzzRowsAsExcelize compares the row writer with SetRow for any text,
// as it is and as folio cleans it, plain and in a rich text run, and for
// any float.
func FuzzRowsAsExcelize(f *testing.F) {
	for _, s := range []string{"", " a", "_x0041_", "_x005F_xD800_", "a\r\n\x00\xff", "😀", `<&>"'`} {
		f.Add(s, 1.5)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		cleaned, changed := cellText(s)
		if !changed {
			cleaned = s
		}
		if 2*utf16Len(cleaned) > excelize.TotalCellChars {
			t.Skip("two runs of it are more than a cell holds: SetRow fails")
		}
		font := &excelize.Font{Family: codeFamily, Size: 11, Bold: true}
		rows := [][]any{
			{s, []byte(s), excelize.Cell{StyleID: 3, Value: s}, x},
			{cleaned, []excelize.RichTextRun{{Text: cleaned, Font: font}, {Text: cleaned}}},
		}
		want, file := sheetDataOf(t, rows)
		got := appendRows(t, &rowWriter{f: file}, rows)
		if string(got) != want {
			t.Fatalf("got\n%q\nwant\n%q", got, want)
		}
	})
}

// appendRows writes rows, numbered from 1, with w, as folio's cells.
func appendRows(t *testing.T, w *rowWriter, rows [][]any) []byte {
	t.Helper()
	var got []byte
	for i, row := range rows {
		cells := make([]cellValue, len(row))
		for j, v := range row {
			c, err := toCell(v)
			if err != nil {
				t.Fatal(err)
			}
			cells[j] = c
		}
		var err error
		if got, err = w.appendRow(got, i+1, cells); err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
	}
	return got
}
