package xlsx_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/foliorender/folio/render/xlsx"
	"github.com/foliorender/folio/report"
)

// findTool returns the path of a program the test needs, or skips the test
// (fails it when FOLIO_REQUIRE_TOOLS=1) when it is missing.
func findTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s not found (scripts/deps.sh installs %s)", name, pkg)
	}
	t.Skipf("%s not found (scripts/deps.sh installs %s)", name, pkg)
	return ""
}

// inventoryCols are the columns of the inventory table, whose header every
// printed page must repeat.
var inventoryCols = []report.Column{
	{Caption: "Item"}, {Caption: "Warehouse"}, {Caption: "Quantity", Type: report.TypeNumber, Total: report.TotalSum},
	{Caption: "Unit price", Type: report.TypeNumber}, {Caption: "Updated", Type: report.TypeDate}, {Caption: "Note"},
}

// inventoryDoc is a table of n rows under a title, a heading and a
// paragraph, with a row of totals.
func inventoryDoc(n int, locale string) *report.Document {
	rows := func(yield func(report.Row, error) bool) {
		for i := range n {
			price, _ := report.Number(fmt.Sprintf("%d.%02d", 3+i%40, i%100))
			if !yield(report.Cells(report.String(fmt.Sprintf("Part %04d", i+1)), report.String([]string{"North", "South", "East"}[i%3]),
				report.Int(int64(i%17+1)), price, report.String(fmt.Sprintf("2026-%02d-%02d", i%12+1, i%28+1)), report.String("checked")), nil) {
				return
			}
		}
	}
	doc := report.New("Inventory report", &report.Heading{Text: "Stock on hand", Level: 1},
		&report.Paragraph{Runs: []report.Run{{Text: "Counted at close of business."}}},
		report.NewTable("Inventory", inventoryCols, rows))
	if locale != "" {
		if err := doc.SetLocale(locale); err != nil {
			panic(err)
		}
	}
	return doc
}

// wideDoc is a table of 14 columns, wider than a page upright.
func wideDoc() *report.Document {
	cols := make([]report.Column, 14)
	cells := make([]report.Value, 14)
	for i := range cols {
		cols[i] = report.Column{Caption: fmt.Sprintf("Measure %d", i+1), Type: report.TypeNumber}
		cells[i] = report.Int(int64(1000 * i))
	}
	return report.New("", report.NewTable("Wide", cols, report.RowsOf(report.Row{Cells: cells}, report.Row{Cells: cells})))
}

// TestLibreOffice has LibreOffice open workbooks with table objects and
// print set-up and export them to PDF, and back to XLSX: the export must
// succeed (LibreOffice writes nothing for a file it cannot read), a
// 3-page table must show its header on every page, the paper and the
// orientation must be the ones set, and LibreOffice's own XLSX must keep
// the tables (as its database ranges) and the rows to repeat.
func TestLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("runs LibreOffice")
	}
	soffice := findTool(t, "soffice", "libreoffice-calc")
	pdftotext := findTool(t, "pdftotext", "poppler-utils")
	pdfinfo := findTool(t, "pdfinfo", "poppler-utils")
	dir := t.TempDir()
	type want struct {
		pages    int    // at least
		size     string // pdfinfo's page size of page 1
		header   []string
		tables   []string // name range, as LibreOffice writes them back
		titles   string   // print titles of the first sheet
		landscap bool
	}
	cases := map[string]struct {
		r    *xlsx.Renderer
		doc  *report.Document
		want want
	}{
		"seed":      {&xlsx.Renderer{}, seed(t), want{1, "595.3 x 841.9", []string{"Asset", "Workpack"}, []string{"Table_of_Data A1:C3"}, "$1:$1", false}},
		"inventory": {&xlsx.Renderer{}, inventoryDoc(150, ""), want{3, "595.3 x 841.9", []string{"Warehouse", "Unit price"}, []string{"Inventory A6:F156"}, "$6:$6", false}},
		"letter":    {&xlsx.Renderer{}, inventoryDoc(10, "en-US"), want{1, "612 x 792", []string{"Warehouse"}, []string{"Inventory A6:F16"}, "$6:$6", false}},
		"wide":      {&xlsx.Renderer{}, wideDoc(), want{1, "841.9 x 595.3", []string{"Measure 1", "Measure 14"}, []string{"Wide A1:N3"}, "$1:$1", true}},
		"numbers":   {&xlsx.Renderer{}, numbersDoc(), want{2, "595.3 x 841.9", nil, []string{"Orders A3:D6", "Stock A1:B2"}, "$3:$3", false}},
		"onesheet":  {&xlsx.Renderer{OneSheet: true}, report30(), want{1, "595.3 x 841.9", []string{"Name"}, nil, "", false}},
	}
	var files []string
	for name, c := range cases {
		path := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(path, render(t, c.r, c.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	profile := "-env:UserInstallation=file://" + filepath.Join(dir, "profile")
	for _, to := range []string{"pdf", "xlsx"} {
		out := filepath.Join(dir, to)
		args := append([]string{profile, "--headless", "--convert-to", to, "--outdir", out}, files...)
		cmd := exec.Command(soffice, args...)
		cmd.WaitDelay = time.Second
		done := make(chan error, 1)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("soffice --convert-to %s: %v\n%s", to, err, log.Bytes())
			}
		case <-time.After(5 * time.Minute):
			cmd.Process.Kill()
			t.Fatalf("soffice --convert-to %s: no answer in 5 minutes", to)
		}
		if bytes.Contains(bytes.ToLower(log.Bytes()), []byte("error")) || bytes.Contains(bytes.ToLower(log.Bytes()), []byte("repair")) {
			t.Errorf("soffice --convert-to %s said:\n%s", to, log.Bytes())
		}
	}
	pageSize := regexp.MustCompile(`Page size:\s+([0-9.]+) x ([0-9.]+) pts`)
	for name, c := range cases {
		pdf := filepath.Join(dir, "pdf", name+".pdf")
		info, err := exec.Command(pdfinfo, pdf).Output()
		if err != nil {
			t.Errorf("%s: LibreOffice exported no readable PDF: %v", name, err)
			continue
		}
		pages := 0
		if m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info); m != nil {
			pages, _ = strconv.Atoi(string(m[1]))
		}
		if pages < c.want.pages {
			t.Errorf("%s: %d pages, want at least %d", name, pages, c.want.pages)
		}
		if m := pageSize.FindSubmatch(info); m == nil || roundPts(m[1])+" x "+roundPts(m[2]) != c.want.size {
			t.Errorf("%s: page size %q, want %s", name, m, c.want.size)
		}
		// The header on every page: the rows to repeat (one sheet, of one
		// table each page but the one-sheet case, which has no print titles
		// and so only needs the header somewhere).
		for p := 1; p <= pages; p++ {
			text, err := exec.Command(pdftotext, "-layout", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), pdf, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range c.want.header {
				if !bytes.Contains(text, []byte(h)) && (c.want.titles != "" || p == 1) {
					t.Errorf("%s: page %d of %d lacks the header %q:\n%s", name, p, pages, h, text)
				}
			}
		}
		back, err := excelize.OpenFile(filepath.Join(dir, "xlsx", name+".xlsx"))
		if err != nil {
			t.Errorf("%s: LibreOffice's XLSX: %v", name, err)
			continue
		}
		first := back.GetSheetName(0)
		var tables []string
		for _, sheet := range back.GetSheetList() {
			ts, err := back.GetTables(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for _, tb := range ts {
				tables = append(tables, tb.Name+" "+tb.Range)
			}
		}
		if c.want.tables != nil && strings.Join(tables, ",") != strings.Join(c.want.tables, ",") {
			t.Errorf("%s: LibreOffice kept tables %q, want %q", name, tables, c.want.tables)
		}
		if name == "onesheet" && len(tables) != 30 {
			t.Errorf("%s: LibreOffice kept %d tables, want 30", name, len(tables))
		}
		titles := ""
		for _, dn := range back.GetDefinedName() {
			if dn.Name == "_xlnm.Print_Titles" && dn.Scope == first {
				titles = dn.RefersTo[strings.LastIndex(dn.RefersTo, "!")+1:]
			}
		}
		if titles != c.want.titles {
			t.Errorf("%s: LibreOffice kept print titles %q, want %q", name, titles, c.want.titles)
		}
		layout, err := back.GetPageLayout(first)
		if err != nil {
			t.Fatal(err)
		}
		if o := layout.Orientation; o == nil || (*o == "landscape") != c.want.landscap {
			t.Errorf("%s: LibreOffice kept orientation %v, want landscape %v", name, o, c.want.landscap)
		}
		back.Close()
	}
}

// roundPts rounds a page dimension from pdfinfo to one decimal, as the
// cases write them.
func roundPts(b []byte) string {
	f, _ := strconv.ParseFloat(string(b), 64)
	return strconv.FormatFloat(float64(int(f*10+0.5))/10, 'f', -1, 64)
}

// columnsDoc is a table of n number columns of Excel's default width.
func columnsDoc(n int) *report.Document {
	cols := make([]report.Column, n)
	cells := make([]report.Value, n)
	for i := range cols {
		cols[i] = report.Column{Caption: "c", Type: report.TypeNumber}
		cells[i] = report.Int(1)
	}
	return report.New("", report.NewTable("T", cols, report.RowsOf(report.Row{Cells: cells})))
}

// TestPrintSetup checks the paper, from the option or the locale, and the
// orientation, from the width of the columns.
func TestPrintSetup(t *testing.T) {
	withLocale := func(tag string) *report.Document { return inventoryDoc(3, tag) }
	const a4, letter = "paperSize=9 portrait", "paperSize=1 portrait"
	for _, c := range []struct {
		name string
		r    *xlsx.Renderer
		doc  *report.Document
		want string
	}{
		{"no locale", &xlsx.Renderer{}, withLocale(""), a4},
		{"en", &xlsx.Renderer{}, withLocale("en"), a4},
		{"en-US", &xlsx.Renderer{}, withLocale("en-US"), letter},
		{"fr-CA", &xlsx.Renderer{}, withLocale("fr-CA"), letter},
		{"es-MX", &xlsx.Renderer{}, withLocale("es-MX"), letter},
		{"en-GB", &xlsx.Renderer{}, withLocale("en-GB"), a4},
		{"de-DE", &xlsx.Renderer{}, withLocale("de-DE"), a4},
		{"A4 over en-US", &xlsx.Renderer{Paper: xlsx.A4}, withLocale("en-US"), a4},
		{"Letter", &xlsx.Renderer{Paper: "letter"}, withLocale(""), letter},
		{"wide", &xlsx.Renderer{}, wideDoc(), "paperSize=9 landscape"},
		// Ten columns of the default 64 pixels fit A4's 659 upright,
		// eleven do not; Letter's 682 takes ten as well.
		{"10 default columns", &xlsx.Renderer{NoAutoFit: true}, columnsDoc(10), a4},
		{"11 default columns", &xlsx.Renderer{NoAutoFit: true}, columnsDoc(11), "paperSize=9 landscape"},
		{"10 default columns, Letter", &xlsx.Renderer{NoAutoFit: true, Paper: xlsx.Letter}, columnsDoc(10), letter},
	} {
		s := summarize(t, render(t, c.r, c.doc), 0)
		for _, sh := range s.Sheets {
			if want := c.want + " fitToWidth=1 fitToHeight=0 fitToPage=true"; sh.Print != want {
				t.Errorf("%s: sheet %s prints %q, want %q", c.name, sh.Name, sh.Print, want)
			}
		}
	}
	err := (&xlsx.Renderer{Paper: "A3"}).Render(t.Context(), io.Discard, seed(t))
	if err == nil || !strings.Contains(err.Error(), "unknown paper") {
		t.Errorf("Paper A3: %v, want unknown paper", err)
	}
}
