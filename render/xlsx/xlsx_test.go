package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/foliorender/folio/internal/golden"
	"io"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/foliorender/folio/render/rendertest"
	"github.com/foliorender/folio/render/xlsx"
	"github.com/foliorender/folio/report"
)

// TestRendertest runs the suite. Cells are read with their raw values: a
// workbook keeps numbers and dates, and the reader's spreadsheet formats
// them with the cells' codes in its own locale.
func TestRendertest(t *testing.T) {
	c := rendertest.Config{
		New:   func() rendertest.Renderer { return &xlsx.Renderer{} },
		Text:  visibleText,
		Raw:   true,
		Links: linkTargets,
	}
	rendertest.Run(t, c)
}

// visibleText returns the text of every cell of every sheet, numbers as
// their values.
func visibleText(t *testing.T, out []byte) string {
	t.Helper()
	f := open(t, out)
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		b.WriteString(sheet + "\n")
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			b.WriteString(strings.Join(row, "\t") + "\n")
		}
		hf, err := f.GetHeaderFooter(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if hf != nil {
			b.WriteString(hf.OddHeader + "\n" + hf.OddFooter + "\n")
		}
	}
	return b.String()
}

func open(t *testing.T, out []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("excelize cannot open the output: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func render(t *testing.T, r *xlsx.Renderer, doc *report.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, doc); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

func seed(t *testing.T) *report.Document {
	t.Helper()
	b, err := os.ReadFile("../../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	return report.Read(bytes.NewReader(b))
}

// A summary is what a workbook shows, for golden files: sheets, cells with
// their types and styles, panes, filters and widths.
type summary struct {
	Sheets       []sheetSummary    `json:"sheets"`
	DefinedNames []string          `json:"definedNames,omitempty"`
	Properties   map[string]string `json:"properties"`
	Entries      []string          `json:"entries"`
}

type sheetSummary struct {
	Name      string            `json:"name"`
	Dimension string            `json:"dimension,omitempty"`
	Frozen    string            `json:"frozen,omitempty"`
	Filter    string            `json:"autoFilter,omitempty"`
	Tables    []string          `json:"tables,omitempty"`
	Print     string            `json:"print,omitempty"`
	Widths    map[string]string `json:"widths,omitempty"`
	Cells     []string          `json:"cells"`
}

// relsNS is the namespace of relationship ids.
const relsNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

// tableXML is the part of a table object the summary reads.
type tableXML struct {
	ID          int    `xml:"id,attr"`
	Name        string `xml:"name,attr"`
	DisplayName string `xml:"displayName,attr"`
	Ref         string `xml:"ref,attr"`
	AutoFilter  struct {
		Ref string `xml:"ref,attr"`
	} `xml:"autoFilter"`
	Columns []struct {
		ID   int    `xml:"id,attr"`
		Name string `xml:"name,attr"`
	} `xml:"tableColumns>tableColumn"`
	Style struct {
		Name string `xml:"name,attr"`
		Rows string `xml:"showRowStripes,attr"`
	} `xml:"tableStyleInfo"`
}

// relsXML is a relationships part.
type relsXML struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// worksheetOrder is the order of a worksheet's elements (ECMA-376 Part 1,
// 18.3.1.99 CT_Worksheet), which Excel insists on.
var worksheetOrder = []string{
	"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
	"sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
	"customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
	"hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
	"customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
	"legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
}

// checkOrder fails unless the worksheet's elements come in the schema's
// order, each at most once (conditionalFormatting aside, which may repeat).
func checkOrder(t *testing.T, name string, sheet []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(sheet))
	depth, last, prev := 0, -1, ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			i := slices.Index(worksheetOrder, tok.Name.Local)
			switch {
			case i < 0:
				t.Errorf("%s: unknown worksheet element <%s>", name, tok.Name.Local)
			case i < last || i == last && tok.Name.Local != "conditionalFormatting":
				t.Errorf("%s: <%s> after <%s>, against the schema's order", name, tok.Name.Local, prev)
			}
			last, prev = i, tok.Name.Local
		case xml.EndElement:
			depth--
		}
	}
}

// sheetXML is the part of a worksheet's XML the summary reads directly.
type sheetXML struct {
	Dimension *struct {
		Ref string `xml:"ref,attr"`
	} `xml:"dimension"`
	AutoFilter *struct {
		Ref string `xml:"ref,attr"`
	} `xml:"autoFilter"`
	Cols []struct {
		Min   int     `xml:"min,attr"`
		Max   int     `xml:"max,attr"`
		Width float64 `xml:"width,attr"`
	} `xml:"cols>col"`
	FitToPage *struct {
		Fit string `xml:"fitToPage,attr"`
	} `xml:"sheetPr>pageSetUpPr"`
	PageSetup *struct {
		Paper  string `xml:"paperSize,attr"`
		Orient string `xml:"orientation,attr"`
		Width  string `xml:"fitToWidth,attr"`
		Height string `xml:"fitToHeight,attr"`
	} `xml:"pageSetup"`
	TableParts []struct {
		RID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
	} `xml:"tableParts>tablePart"`
}

func summarize(t *testing.T, out []byte, maxCells int) summary {
	t.Helper()
	f := open(t, out)
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	var s summary
	for _, e := range zr.File {
		s.Entries = append(s.Entries, e.Name)
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	s.Properties = map[string]string{"title": props.Title, "creator": props.Creator, "created": props.Created, "modified": props.Modified}
	for _, dn := range f.GetDefinedName() {
		s.DefinedNames = append(s.DefinedNames, fmt.Sprintf("%s@%s=%s", dn.Name, dn.Scope, dn.RefersTo))
	}
	for i, name := range f.GetSheetList() {
		ss := sheetSummary{Name: name}
		var sx sheetXML
		path := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		sheetBytes := entry(t, zr, path)
		if err := xml.Unmarshal(sheetBytes, &sx); err != nil {
			t.Fatal(err)
		}
		checkOrder(t, path, sheetBytes)
		ss.Tables = summarizeTables(t, zr, f, name, path, sx)
		if sx.FitToPage != nil && sx.PageSetup != nil {
			p := sx.PageSetup
			ss.Print = fmt.Sprintf("paperSize=%s %s fitToWidth=%s fitToHeight=%s fitToPage=%s", p.Paper, p.Orient, p.Width, p.Height, sx.FitToPage.Fit)
		} else {
			t.Errorf("%s: no print set-up (pageSetUpPr %v, pageSetup %v)", name, sx.FitToPage, sx.PageSetup)
		}
		if sx.Dimension != nil {
			ss.Dimension = sx.Dimension.Ref
		}
		if sx.AutoFilter != nil {
			ss.Filter = sx.AutoFilter.Ref
		}
		for _, c := range sx.Cols {
			if ss.Widths == nil {
				ss.Widths = map[string]string{}
			}
			ss.Widths[fmt.Sprintf("%d-%d", c.Min, c.Max)] = fmt.Sprint(c.Width)
		}
		panes, err := f.GetPanes(name)
		if err != nil {
			t.Fatal(err)
		}
		if panes.Freeze {
			ss.Frozen = fmt.Sprintf("ySplit=%d topLeft=%s", panes.YSplit, panes.TopLeftCell)
		}
		rows, err := f.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		r := 0
		for rows.Next() {
			r++
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for c, v := range cols {
				if len(ss.Cells) >= maxCells {
					break
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r)
				typ, _ := f.GetCellType(name, ref)
				if v == "" && typ == excelize.CellTypeUnset {
					continue
				}
				if typ == excelize.CellTypeUnset {
					typ = number
				}
				ss.Cells = append(ss.Cells, fmt.Sprintf("%s %s %q %s", ref, typeName(typ), v, styleOf(t, f, name, ref)))
			}
		}
		rows.Close()
		s.Sheets = append(s.Sheets, ss)
	}
	return s
}

// summarizeTables describes the table objects of the worksheet at path,
// found through its relationships as a reader finds them, and checks that
// their parts are whole: a content type, the filter over the table, column
// names that are the header cells' text, unique and not empty, and what
// excelize reads back.
func summarizeTables(t *testing.T, zr *zip.Reader, f *excelize.File, sheet, path string, sx sheetXML) []string {
	t.Helper()
	if len(sx.TableParts) == 0 {
		return nil
	}
	if sx.AutoFilter != nil {
		t.Errorf("%s: a worksheet autofilter as well as table objects", sheet)
	}
	var rels relsXML
	dir, file := path[:strings.LastIndex(path, "/")+1], path[strings.LastIndex(path, "/")+1:]
	if err := xml.Unmarshal(entry(t, zr, dir+"_rels/"+file+".rels"), &rels); err != nil {
		t.Fatal(err)
	}
	types := string(entry(t, zr, "[Content_Types].xml"))
	read, err := f.GetTables(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != len(sx.TableParts) {
		t.Errorf("%s: excelize reads %d tables, want %d", sheet, len(read), len(sx.TableParts))
	}
	var out []string
	for i, tp := range sx.TableParts {
		target := ""
		for _, r := range rels.Rels {
			if r.ID == tp.RID && r.Type == relsNS+"/table" {
				target = r.Target
			}
		}
		if !strings.HasPrefix(target, "../tables/") {
			t.Fatalf("%s: table part %s has target %q", sheet, tp.RID, target)
		}
		part := "xl/" + strings.TrimPrefix(target, "../")
		if !strings.Contains(types, `PartName="/`+part+`" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"`) {
			t.Errorf("%s: no content type for %s", sheet, part)
		}
		var tx tableXML
		if err := xml.Unmarshal(entry(t, zr, part), &tx); err != nil {
			t.Fatal(err)
		}
		if tx.Name != tx.DisplayName || tx.AutoFilter.Ref != tx.Ref || tx.Style.Rows != "1" {
			t.Errorf("%s: table %+v: name and display name, filter and ref must agree, rows banded", part, tx)
		}
		if i < len(read) && (read[i].Name != tx.Name || read[i].Range != tx.Ref) {
			t.Errorf("%s: excelize reads table %s %s, want %s %s", part, read[i].Name, read[i].Range, tx.Name, tx.Ref)
		}
		cells := strings.Split(tx.Ref, ":")
		col, row, err := excelize.CellNameToCoordinates(cells[0])
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(tx.Columns))
		seen := map[string]bool{}
		for j, c := range tx.Columns {
			c.Name = unescapeXstring(c.Name)
			ref, _ := excelize.CoordinatesToCellName(col+j, row)
			v, _ := f.GetCellValue(sheet, ref)
			if c.ID != j+1 || c.Name == "" || seen[strings.ToLower(c.Name)] || v != c.Name {
				t.Errorf("%s: column %d %q (header cell %q): ids count from 1, names are the header cells' text, unique", part, c.ID, c.Name, v)
			}
			seen[strings.ToLower(c.Name)] = true
			names[j] = c.Name
		}
		out = append(out, fmt.Sprintf("%d %s %s %s %q", tx.ID, tx.Name, tx.Ref, tx.Style.Name, names))
	}
	return out
}

// unescapeXstring decodes the _xHHHH_ escapes of an ST_Xstring, as Excel
// reads a column name.
func unescapeXstring(s string) string {
	return xstringEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[2:6], 16, 16)
		return string(rune(n))
	})
}

var xstringEscape = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

func entry(t *testing.T, zr *zip.Reader, name string) []byte {
	t.Helper()
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("entry %s: %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func typeName(t excelize.CellType) string {
	return map[excelize.CellType]string{
		excelize.CellTypeUnset: "unset", excelize.CellTypeBool: "bool", excelize.CellTypeDate: "date",
		excelize.CellTypeError: "error", excelize.CellTypeFormula: "formula", excelize.CellTypeInlineString: "inlineStr",
		excelize.CellTypeNumber: "number", excelize.CellTypeSharedString: "sharedStr",
	}[t]
}

// styleOf describes a cell's style: bold, size, fill, alignment, format.
func styleOf(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		return "-"
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	if st.Font != nil {
		if st.Font.Bold {
			parts = append(parts, "bold")
		}
		if st.Font.Size != 0 {
			parts = append(parts, fmt.Sprintf("size=%g", st.Font.Size))
		}
		if st.Font.Underline != "" {
			parts = append(parts, "underline="+st.Font.Underline)
		}
		if st.Font.Color != "" {
			parts = append(parts, "color="+st.Font.Color)
		}
	}
	if len(st.Fill.Color) > 0 {
		parts = append(parts, "fill="+strings.Join(st.Fill.Color, ","))
	}
	for _, b := range st.Border {
		parts = append(parts, "border-"+b.Type)
	}
	if st.Alignment != nil && st.Alignment.Horizontal != "" {
		parts = append(parts, "align="+st.Alignment.Horizontal)
	}
	if st.CustomNumFmt != nil {
		parts = append(parts, "format="+*st.CustomNumFmt)
	}
	return strings.Join(parts, ",")
}

func TestSeedGolden(t *testing.T) {
	out := render(t, &xlsx.Renderer{}, seed(t))
	s := summarize(t, out, 1000)
	got, _ := json.MarshalIndent(s, "", "  ")
	golden.Check(t, "seed.json", append(got, '\n'))
	sh := s.Sheets
	if len(sh) != 1 || sh[0].Name != "Table of Data" {
		t.Fatalf("sheets = %+v, want one named after the caption", sh)
	}
	if sh[0].Frozen != "ySplit=1 topLeft=A2" || fmt.Sprint(sh[0].Tables) != `[1 Table_of_Data A1:C3 TableStyleMedium2 ["Asset" "Event Type" "Workpack"]]` {
		t.Errorf("frozen %q tables %q, want the header row frozen and a table over A1:C3", sh[0].Frozen, sh[0].Tables)
	}
	if sh[0].Print != "paperSize=9 portrait fitToWidth=1 fitToHeight=0 fitToPage=true" || fmt.Sprint(s.DefinedNames) != "[_xlnm.Print_Titles@Table of Data='Table of Data'!$1:$1]" {
		t.Errorf("print %q, defined names %q, want A4 upright fitted to the width, the header repeated", sh[0].Print, s.DefinedNames)
	}
	if sh[0].Dimension != "" {
		t.Errorf("stale dimension %q left in the worksheet", sh[0].Dimension)
	}
	f := open(t, out)
	rows, _ := f.GetRows("Table of Data")
	want := [][]string{{"Asset", "Event Type", "Workpack"}, {"Test Asset", "GVI", "Workpack A"}, {"Test Asset", "GVI", "Workpack B"}, nil, {"Report generated in 00:00:01"}}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("rows = %q, want %q", rows, want)
	}
}

// typedDoc has a table with every kind of value and column type.
func typedDoc() *report.Document {
	cols := []report.Column{
		{Caption: "Text"}, {Caption: "Amount", Type: report.TypeNumber}, {Caption: "Done", Type: report.TypeBoolean},
		{Caption: "Day", Type: report.TypeDate}, {Caption: "At", Type: report.TypeDateTime}, {Caption: "Right", Align: report.AlignRight},
	}
	num := func(s string) report.Value { v, _ := report.Number(s); return v }
	rows := []report.Row{
		report.Cells(report.String("=SUM(A1:A2)"), num("12.50"), report.Bool(true), report.String("2024-02-29"), report.String("2024-03-01T13:45:30Z"), report.String("r")),
		report.Cells(report.String("+1"), num("-7"), report.Bool(false), report.Null, report.String("2024-03-01T13:45:30+02:00"), report.Null),
		report.Cells(report.String("-x"), num("0.1"), report.Null, report.String("1899-12-31"), report.Null, report.String("@me")),
		report.Cells(report.String("ctl\x01\x1f"), num("12345678901234567"), report.Null, report.Null, report.Null, report.String("_x0041_")),
		report.Cells(report.String(strings.Repeat("x", 40000)), num("1e300"), report.Null, report.Null, report.Null, report.String("bad \xff")),
		report.Cells(report.Null, num("0.30000000000000004"), report.Null, report.Null, report.Null, report.String("😀"+strings.Repeat("😀", 20000))),
	}
	return report.New("Typed", report.NewTable("Types", cols, report.RowsOf(rows...)))
}

func TestTypedCells(t *testing.T) {
	out := render(t, &xlsx.Renderer{}, typedDoc())
	f := open(t, out)
	sheet := f.GetSheetList()[0]
	if sheet != "Types" {
		t.Fatalf("sheet %q", sheet)
	}
	// The title is on the first row, a blank row, then the table.
	if v, _ := f.GetCellValue(sheet, "A1"); v != "Typed" {
		t.Errorf("A1 = %q, want the title", v)
	}
	long := strings.Repeat("x", xlsx.MaxCellChars-len([]rune(xlsx.TruncatedMarker))) + xlsx.TruncatedMarker
	emoji := strings.Repeat("😀", (xlsx.MaxCellChars-len([]rune(xlsx.TruncatedMarker)))/2) + xlsx.TruncatedMarker
	for _, c := range []struct {
		ref  string
		typ  excelize.CellType
		want string
	}{
		{"A3", excelize.CellTypeInlineString, "Text"},
		{"A4", excelize.CellTypeInlineString, "=SUM(A1:A2)"},
		{"A5", excelize.CellTypeInlineString, "+1"},
		{"A6", excelize.CellTypeInlineString, "-x"},
		{"F6", excelize.CellTypeInlineString, "@me"},
		{"A7", excelize.CellTypeInlineString, "ctl\u2401\u241f"},
		{"F7", excelize.CellTypeInlineString, "_x0041_"},
		{"A8", excelize.CellTypeInlineString, long},
		{"F8", excelize.CellTypeInlineString, "bad \ufffd"},
		{"F9", excelize.CellTypeInlineString, emoji},
		{"A9", excelize.CellTypeUnset, ""},
		{"B4", number, "12.5"},
		{"B5", number, "-7"},
		{"B6", number, "0.1"},
		{"B7", excelize.CellTypeInlineString, "12345678901234567"}, // more digits than a spreadsheet keeps: text
		{"B8", number, "1" + strings.Repeat("0", 300)},
		{"B9", excelize.CellTypeInlineString, "0.30000000000000004"},
		{"C4", excelize.CellTypeBool, "1"},
		{"C5", excelize.CellTypeBool, "0"},
		{"C6", excelize.CellTypeUnset, ""},
		{"D4", number, "45351"},                             // 2024-02-29
		{"E4", number, "45352.57326388889"},                 // 2024-03-01 13:45:30
		{"E5", number, "45352.57326388889"},                 // wall-clock time kept
		{"D6", excelize.CellTypeInlineString, "1899-12-31"}, // before Excel's first date
	} {
		typ, err := f.GetCellType(sheet, c.ref)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := f.GetCellValue(sheet, c.ref, excelize.Options{RawCellValue: true})
		if typ == excelize.CellTypeUnset && v != "" {
			typ = number // a cell without a type attribute is a number
		}
		if typ != c.typ || v != c.want && !(len(v) > 40 && v == c.want) {
			if len(v) > 40 {
				v = fmt.Sprintf("%d chars ending %q", len(v), v[len(v)-20:])
			}
			t.Errorf("%s: %s %q, want %s %.40q", c.ref, typeName(typ), v, typeName(c.typ), c.want)
		}
	}
	// A surrogate pair is not split, so the cell may end one unit short.
	if n := len([]rune(mustValue(t, f, sheet, "F9"))) + strings.Count(mustValue(t, f, sheet, "F9"), "😀"); n != xlsx.MaxCellChars-1 {
		t.Errorf("truncated emoji cell has %d UTF-16 units, want %d", n, xlsx.MaxCellChars-1)
	}
	// Dates are shown as dates.
	if v, _ := f.GetCellValue(sheet, "D4"); v != "2024-02-29" {
		t.Errorf("D4 shows %q", v)
	}
	if v, _ := f.GetCellValue(sheet, "E5"); v != "2024-03-01 13:45:30" {
		t.Errorf("E5 shows %q", v)
	}
	// No cell is a formula.
	zr, _ := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if x := entry(t, zr, "xl/worksheets/sheet1.xml"); bytes.Contains(x, []byte("<f>")) || bytes.Contains(x, []byte("<f ")) {
		t.Error("a cell was written as a formula")
	}
	s := summarize(t, out, 40)
	got, _ := json.MarshalIndent(s, "", "  ")
	golden.Check(t, "typed.json", append(got, '\n'))
}

// number stands for excelize's type of a numeric cell, which has no type
// attribute: CellTypeUnset with a value.
const number = excelize.CellTypeNumber

func mustValue(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dateEdges are date and datetime cells at the edges of Excel's dates,
// 1900-01-01 (serial 1) to 9999-12-31 (serial 2958465), for a date column
// and a datetime column, with the raw cell value each must have: a number
// for a date Excel can hold, else the text as given.
var dateEdges = []struct{ date, wantDate, datetime, wantDatetime string }{
	{"1900-01-01", "1", "1900-01-01T00:00:00Z", "1"},
	{"1900-01-01", "1", "1900-01-01T00:00:00-14:00", "1"}, // wall-clock time kept
	{"1899-12-31", "1899-12-31", "1899-12-31T23:59:59.999999999Z", "1899-12-31T23:59:59.999999999Z"},
	{"9999-12-31", "2958465", "9999-12-31T23:59:59.999Z", "2958465.9999999884"},
	{"9999-12-31", "2958465", "9999-12-31T23:59:59Z", "2958465.999988426"},
	// Past the last millisecond of 9999-12-31 as Excel and openpyxl read
	// the serial, and past the last float64 serial before 2958466.
	{"9999-12-31", "2958465", "9999-12-31T23:59:59.9996Z", "9999-12-31T23:59:59.9996Z"},
	{"9999-12-31", "2958465", "9999-12-31T23:59:59.999999999+14:00", "9999-12-31T23:59:59.999999999+14:00"},
}

func dateEdgeDoc() *report.Document {
	cols := []report.Column{{Caption: "Day", Type: report.TypeDate}, {Caption: "At", Type: report.TypeDateTime}}
	var rows []report.Row
	for _, e := range dateEdges {
		rows = append(rows, report.Cells(report.String(e.date), report.String(e.datetime)))
	}
	return report.New("", report.NewTable("Edges", cols, report.RowsOf(rows...)))
}

// TestDateEdges checks that dates and datetimes are numbers exactly when
// their serial, read to the millisecond, is a day of Excel's calendar, and
// text otherwise.
func TestDateEdges(t *testing.T) {
	f := open(t, render(t, &xlsx.Renderer{}, dateEdgeDoc()))
	for i, e := range dateEdges {
		for col, want := range map[string]string{"A": e.wantDate, "B": e.wantDatetime} {
			ref := fmt.Sprintf("%s%d", col, i+2)
			typ, err := f.GetCellType("Edges", ref)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := f.GetCellValue("Edges", ref, excelize.Options{RawCellValue: true})
			wantTyp := excelize.CellTypeInlineString
			if _, err := strconv.ParseFloat(want, 64); err == nil {
				wantTyp = excelize.CellTypeUnset // a number has no type attribute
			}
			if typ != wantTyp || v != want {
				t.Errorf("%s: %s %q, want %s %q", ref, typeName(typ), v, typeName(wantTyp), want)
			}
		}
	}
}

// TestExcelSerial checks that the serial the range check computes is the
// one excelize writes, for datetimes spread over Excel's calendar.
func TestExcelSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// A day inside the edges, so that no offset moves the wall clock out.
	first := time.Date(1900, 1, 2, 0, 0, 0, 0, time.UTC).Unix()
	last := time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC).Unix()
	var rows []report.Row
	var times []time.Time
	for range 2000 {
		tm := time.Unix(first+rng.Int64N(last-first), rng.Int64N(1e9)).In(time.FixedZone("", (rng.IntN(57)-28)*30*60))
		times = append(times, tm)
		rows = append(rows, report.Cells(report.String(tm.Format(time.RFC3339Nano))))
	}
	doc := report.New("", report.NewTable("T", []report.Column{{Caption: "At", Type: report.TypeDateTime}}, report.RowsOf(rows...)))
	f := open(t, render(t, &xlsx.Renderer{}, doc))
	for i, tm := range times {
		ref := fmt.Sprintf("A%d", i+2)
		v, _ := f.GetCellValue("T", ref, excelize.Options{RawCellValue: true})
		if !xlsx.InExcelRange(tm) {
			t.Errorf("%s out of range", tm.Format(time.RFC3339Nano))
		}
		if want := strconv.FormatFloat(xlsx.ExcelSerial(tm), 'f', -1, 64); v != want {
			t.Errorf("%s (%s) = %q, want serial %s", ref, tm.Format(time.RFC3339Nano), v, want)
		}
	}
}

// TestKinds reads key figures back: label/value rows above the next
// table, or after the last one, values typed and formatted as cells, and
// the elements with a page break on worksheets of their own.
func TestKinds(t *testing.T) {
	out := render(t, &xlsx.Renderer{}, report.Read(strings.NewReader(rendertest.KindsDocument)))
	s := summarize(t, out, 1000)
	got, _ := json.MarshalIndent(s, "", "  ")
	golden.Check(t, "kinds.json", append(got, '\n'))
	f := open(t, out)
	sheets := f.GetSheetList()
	last := sheets[len(sheets)-1]
	rows, err := f.GetRows(last)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) < 2 || !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, []string{"Kinds number", "1,234.50"}) }) {
		t.Fatalf("sheets %q, last %q rows %q: want the key figures after the table's worksheet", sheets, last, rows)
	}
	var at string
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Kinds number" {
			at = fmt.Sprintf("B%d", i+1)
		}
	}
	raw, _ := f.GetCellValue(last, at, excelize.Options{RawCellValue: true})
	typ, _ := f.GetCellType(last, at)
	if raw != "1234.5" || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("the number item is %q of type %v, want the number 1234.5", raw, typ)
	}
}
