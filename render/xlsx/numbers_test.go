package xlsx_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foliorender/folio/internal/golden"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/numfmt/numfmttest"
	"github.com/foliorender/folio/render/rendertest"
	"github.com/foliorender/folio/render/xlsx"
	"github.com/foliorender/folio/report"
)

// sheetLink is one hyperlink read back from a workbook's XML.
type sheetLink struct {
	Sheet, Ref, Target, Mode string
}

// readLinks returns the hyperlinks of every worksheet of out, read from
// the worksheets' <hyperlinks> and their .rels parts.
func readLinks(t *testing.T, out []byte) []sheetLink {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	var links []sheetLink
	for i := 1; ; i++ {
		name := fmt.Sprintf("xl/worksheets/sheet%d.xml", i)
		if _, err := zr.Open(name); err != nil {
			break
		}
		var ws struct {
			Links []struct {
				Ref string `xml:"ref,attr"`
				ID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
			} `xml:"hyperlinks>hyperlink"`
		}
		if err := xml.Unmarshal(entry(t, zr, name), &ws); err != nil {
			t.Fatal(err)
		}
		if len(ws.Links) == 0 {
			continue
		}
		var rels struct {
			Rels []struct {
				ID     string `xml:"Id,attr"`
				Type   string `xml:"Type,attr"`
				Target string `xml:"Target,attr"`
				Mode   string `xml:"TargetMode,attr"`
			} `xml:"Relationship"`
		}
		if err := xml.Unmarshal(entry(t, zr, fmt.Sprintf("xl/worksheets/_rels/sheet%d.xml.rels", i)), &rels); err != nil {
			t.Fatal(err)
		}
		byID := map[string]int{}
		for k, r := range rels.Rels {
			if strings.HasSuffix(r.Type, "/relationships/table") {
				continue // see summarizeTables
			}
			if !strings.HasSuffix(r.Type, "/relationships/hyperlink") {
				t.Errorf("relationship %s of type %s", r.ID, r.Type)
			}
			byID[r.ID] = k
		}
		for _, l := range ws.Links {
			k, ok := byID[l.ID]
			if !ok {
				t.Errorf("sheet %d!%s: relationship %q not found", i, l.Ref, l.ID)
				continue
			}
			links = append(links, sheetLink{Sheet: fmt.Sprint(i), Ref: l.Ref, Target: rels.Rels[k].Target, Mode: rels.Rels[k].Mode})
		}
	}
	return links
}

func linkTargets(t *testing.T, out []byte) []string {
	var targets []string
	for _, l := range readLinks(t, out) {
		if l.Mode != "External" {
			t.Errorf("%s!%s: TargetMode %q", l.Sheet, l.Ref, l.Mode)
		}
		targets = append(targets, l.Target)
	}
	return targets
}

func numbersDoc() *report.Document {
	return report.Read(strings.NewReader(rendertest.NumbersDocument))
}

// TestNumbersGolden keeps the numbers document's workbook: number formats,
// footer styles, link styles.
func TestNumbersGolden(t *testing.T) {
	out := render(t, &xlsx.Renderer{}, numbersDoc())
	s := summarize(t, out, 1000)
	got, _ := json.MarshalIndent(s, "", "  ")
	golden.Check(t, "numbers.json", append(got, '\n'))
	want := []sheetLink{
		{"1", "A4", "https://erp.example/orders/A-1", "External"},
		{"1", "A5", "mailto:sales@example.com", "External"},
		{"1", "A6", "https://erp.example/orders/C", "External"},
		{"2", "A3", "https://erp.example/stock", "External"},
	}
	if got := readLinks(t, out); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("links %v\nwant %v", got, want)
	}
}

// TestNumbersOpenpyxl has openpyxl read the numbers document's workbook:
// values stay numbers and dates, each with its column's code as its
// number_format; the footer rows are bold with a rule above; links are
// hyperlinks. And every code of numfmttest.Cases that a document can hold
// is a cell's number_format, as given.
func TestNumbersOpenpyxl(t *testing.T) {
	python := findPython(t)
	dir := t.TempDir()
	write := func(name string, doc *report.Document) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, render(t, &xlsx.Renderer{}, doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const amount, share, due, weight = `#,##0.00 "€";-#,##0.00 "€"`, "0.0%", "d. mmmm yyyy", `#,##0.000 "kg"`
	type cell [2]any
	cases := []map[string]any{{
		"file": write("numbers.xlsx", numbersDoc()), "readOnly": false, "sheets": []string{"Orders", "Stock"},
		"rows": map[string]int{"Orders": 7, "Stock": 3},
		"cells": map[string]map[string]cell{
			"Orders": {"B4": {"n", 1234.5}, "B5": {"n", -0.75}, "B6": {"n", 1000000}, "C4": {"n", 0.125}, "D4": {"d", "2024-03-05 00:00:00"},
				"A7": {"s", "Total"}, "B7": {"n", 1001233.75}, "C7": {"n", 0.3194333}, "D7": {"n", 2}},
			"Stock": {"B2": {"n", 12.5}, "A3": {"s", "Grand total"}, "B3": {"n", 98765.4321}},
		},
		"formats": map[string]map[string]string{
			"Orders": {"B4": amount, "B7": amount, "C5": share, "C7": share, "D4": due, "D6": due, "D7": "#,##0", "A4": "General"},
			"Stock":  {"B2": weight, "B3": weight},
		},
		"links": map[string]map[string]string{
			"Orders": {"A4": "https://erp.example/orders/A-1", "A5": "mailto:sales@example.com", "A6": "https://erp.example/orders/C"},
			"Stock":  {"A3": "https://erp.example/stock"},
		},
		"noLinks": map[string][]string{"Orders": {"A7", "B4"}, "Stock": {"A2"}},
		"footer":  map[string][]string{"Orders": {"A7", "B7", "C7", "D7"}, "Stock": {"A3", "B3"}},
	}}
	// Every code on a cell: a column per case.
	var cols []report.Column
	var cells []report.Value
	formats, aligns, texts := map[string]string{}, map[string]string{}, map[string]cell{}
	for _, tc := range numfmttest.Cases {
		code := numfmt.MustParse(tc.Code)
		typ := report.ColumnType(tc.Type)
		if typ != report.TypeDate && typ != report.TypeDateTime && code.HasDate() {
			continue
		}
		v := report.String(tc.Value)
		if typ == report.TypeNumber {
			v, _ = report.Number(tc.Value)
		}
		cols = append(cols, report.Column{Caption: fmt.Sprint(len(cols)), Type: typ, Format: code})
		cells = append(cells, v)
		ref := fmt.Sprintf("%s2", columnLetters(len(cols)))
		if tc.Type == "date" && tc.Value == "0001-01-01" {
			continue // before 1900: text, whose format openpyxl keeps too, but see TestDateEdges
		}
		if typ == report.TypeNumber && !xlsx.KeepsNumber(tc.Value) {
			// More digits than a spreadsheet keeps: the exact text,
			// right-aligned, without the code.
			texts[ref] = cell{"s", tc.Value}
			formats[ref] = "General"
			aligns[ref] = "right"
			continue
		}
		formats[ref] = tc.Code
	}
	if len(texts) == 0 {
		t.Error("no case has more digits than a spreadsheet keeps")
	}
	cases = append(cases, map[string]any{
		"file":     write("formats.xlsx", report.New("", report.NewTable("Formats", cols, report.RowsOf(report.Cells(cells...))))),
		"readOnly": false, "sheets": []string{"Formats"}, "formats": map[string]map[string]string{"Formats": formats},
		"aligns": map[string]map[string]string{"Formats": aligns}, "cells": map[string]map[string]cell{"Formats": texts},
	})
	if len(formats) < 100 {
		t.Errorf("only %d codes checked", len(formats))
	}
	spec := filepath.Join(dir, "cases.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(spec, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, filepath.Join("testdata", "check_openpyxl.py"), spec).CombinedOutput()
	t.Logf("openpyxl:\n%s", out)
	if err != nil {
		t.Fatalf("openpyxl check failed: %v", err)
	}
}

func columnLetters(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}

// TestLinksLimit links every row of a table longer than a worksheet's
// hyperlink limit: the first MaxLinks cells are hyperlinks, the others
// keep their value; targets that repeat share one relationship.
func TestLinksLimit(t *testing.T) {
	n := xlsx.MaxLinks + 5
	rows := func(yield func(report.Row, error) bool) {
		for i := range n {
			if !yield(report.Cells(report.Int(int64(i)), report.String("same").WithLink("https://x.example/same")), nil) {
				return
			}
		}
	}
	cols := []report.Column{{Caption: "N", Type: report.TypeNumber, Link: "https://x.example/n/{value}"}, {Caption: "S"}}
	out := render(t, &xlsx.Renderer{}, report.New("", report.NewTable("Links", cols, rows)))
	links := readLinks(t, out)
	if len(links) != xlsx.MaxLinks {
		t.Fatalf("%d hyperlinks, want %d", len(links), xlsx.MaxLinks)
	}
	// Row 1 is the header; links go row by row, two a row.
	last := links[len(links)-1]
	if want := fmt.Sprintf("B%d", xlsx.MaxLinks/2+1); last.Ref != want || last.Target != "https://x.example/same" {
		t.Errorf("last link %+v, want at %s", last, want)
	}
	if l := links[2]; l.Ref != "A3" || l.Target != "https://x.example/n/1" {
		t.Errorf("third link %+v", l)
	}
	zr, _ := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	rels := entry(t, zr, "xl/worksheets/_rels/sheet1.xml.rels")
	// One relationship per distinct target, then the table's.
	if got, want := bytes.Count(rels, []byte("/relationships/hyperlink")), xlsx.MaxLinks/2+1; got != want {
		t.Errorf("%d hyperlink relationships, want %d (the repeated target once)", got, want)
	}
	if want := fmt.Sprintf(`<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" Target="../tables/table1.xml"/></Relationships>`, xlsx.MaxLinks/2+2); !bytes.HasSuffix(rels, []byte(want)) {
		t.Errorf("relationships end %q, want the table's last", rels[max(0, len(rels)-200):])
	}
	sheet := entry(t, zr, "xl/worksheets/sheet1.xml")
	if !bytes.Contains(sheet, []byte(`</hyperlinks><pageMargins `)) || !bytes.Contains(sheet, fmt.Appendf(nil, `<tablePart r:id="rId%d"/>`, xlsx.MaxLinks/2+2)) {
		t.Errorf("worksheet ends %q, want hyperlinks before the print set-up and the table part's id after the links'", sheet[max(0, len(sheet)-400):])
	}
	checkOrder(t, "xl/worksheets/sheet1.xml", sheet)
	f := open(t, out)
	if v, _ := f.GetCellValue("Links", fmt.Sprintf("A%d", n+1)); v != fmt.Sprint(n-1) {
		t.Errorf("last row's value %q", v)
	}
}
