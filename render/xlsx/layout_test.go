package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	folio "github.com/foliorender/folio/render"
	"github.com/foliorender/folio/render/xlsx"
	"github.com/foliorender/folio/report"
)

func TestThirtyTables(t *testing.T) {
	out := render(t, &xlsx.Renderer{}, report30())
	f := open(t, out)
	if got := f.GetSheetList(); !slices.Equal(got, wantSheets30) {
		t.Fatalf("sheets:\n got %q\nwant %q", got, wantSheets30)
	}
	tableNames, printTitles := map[string]bool{}, map[string]string{}
	for i, name := range wantSheets30 {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		// Title (first sheet), blank, heading, paragraph, blank, [caption], header, rows.
		want := []string{}
		if i == 0 {
			want = append(want, "Thirty tables", "")
		}
		want = append(want, fmt.Sprintf("Section %d", i+1), "About "+strings.ToValidUTF8(captions30[i], ""), "")
		if name != captions30[i] && captions30[i] != "" {
			want = append(want, "caption")
		}
		want = append(want, "Name")
		hdr := len(want)
		for j := range i + 1 {
			want = append(want, fmt.Sprintf("t%d r%d", i, j))
		}
		if i == len(wantSheets30)-1 {
			want = append(want, "", "The end.")
		}
		var got []string
		for _, r := range rows {
			if len(r) == 0 {
				got = append(got, "")
			} else {
				got = append(got, r[0])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d rows %q, want %d %q", name, len(got), got, len(want), want)
			continue
		}
		if want[hdr-1] != "Name" || got[hdr-1] != "Name" {
			t.Errorf("%s: header not at row %d: %q", name, hdr, got)
		}
		panes, _ := f.GetPanes(name)
		if !panes.Freeze || panes.YSplit != hdr {
			t.Errorf("%s: frozen %v at %d, want the header row %d", name, panes.Freeze, panes.YSplit, hdr)
		}
		typ, _ := f.GetCellType(name, fmt.Sprintf("B%d", hdr+1))
		if typ != excelize.CellTypeUnset { // a number
			t.Errorf("%s: B%d is %v, want a number", name, hdr+1, typeName(typ))
		}
		tables, _ := f.GetTables(name)
		if want := fmt.Sprintf("A%d:C%d", hdr, hdr+i+1); len(tables) != 1 || tables[0].Range != want {
			t.Errorf("%s: tables %+v, want one over %s", name, tables, want)
		} else if tables[0].Name != tableName30[i] {
			t.Errorf("%s: table %s, want %s", name, tables[0].Name, tableName30[i])
		} else if !tableNames[strings.ToLower(tables[0].Name)] {
			tableNames[strings.ToLower(tables[0].Name)] = true
		} else {
			t.Errorf("%s: table name %s taken", name, tables[0].Name)
		}
		printTitles[name] = fmt.Sprintf("$%d:$%d", hdr, hdr)
	}
	// Every sheet repeats its header row on printed pages, named with the
	// sheet's name quoted.
	names := f.GetDefinedName()
	if len(names) != len(wantSheets30) {
		t.Errorf("%d defined names, want print titles on each sheet", len(names))
	}
	for _, dn := range names {
		if want := "'" + strings.ReplaceAll(dn.Scope, "'", "''") + "'!" + printTitles[dn.Scope]; dn.Name != "_xlnm.Print_Titles" || dn.RefersTo != want {
			t.Errorf("name %s %q of %q, want print titles %q", dn.Name, dn.RefersTo, dn.Scope, want)
		}
	}
	// Worksheet entries come in sheet order, whatever order excelize has.
	zr, _ := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	for i := range wantSheets30 {
		if want := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1); zr.File[i].Name != want {
			t.Fatalf("entry %d is %s, want %s", i, zr.File[i].Name, want)
		}
	}
}

func TestDeterministicManySheets(t *testing.T) {
	first := render(t, &xlsx.Renderer{}, report30())
	for range 5 {
		if again := render(t, &xlsx.Renderer{}, report30()); !bytes.Equal(first, again) {
			t.Fatal("two renders of the same 30-table report differ")
		}
	}
}

func TestOptions(t *testing.T) {
	t.Run("OneSheet", func(t *testing.T) {
		out := render(t, &xlsx.Renderer{OneSheet: true}, report30())
		f := open(t, out)
		if got := f.GetSheetList(); !slices.Equal(got, []string{"Thirty tables"}) {
			t.Fatalf("sheets %q, want one named after the title", got)
		}
		rows, _ := f.GetRows("Thirty tables")
		text := visibleText(t, out)
		for i, c := range captions30 {
			if strings.TrimSpace(c) != "" && !strings.Contains(text, strings.ToValidUTF8(strings.Fields(c)[0], "\ufffd")) {
				t.Errorf("caption %q missing", c)
			}
			if !strings.Contains(text, fmt.Sprintf("t%d r%d", i, i)) {
				t.Errorf("last row of table %d missing", i)
			}
		}
		if n := strings.Count(text, "Name\tValue\tOk"); n != 30 {
			t.Errorf("%d header rows, want 30", n)
		}
		if panes, _ := f.GetPanes("Thirty tables"); panes.Freeze {
			t.Error("one sheet of many tables has frozen rows")
		}
		// A table object each, and no print titles: a sheet repeats one
		// set of rows, which would be wrong above the other tables.
		if len(f.GetDefinedName()) != 0 {
			t.Errorf("defined names %v, want none", f.GetDefinedName())
		}
		tables, _ := f.GetTables("Thirty tables")
		if len(tables) != 30 {
			t.Errorf("%d tables, want 30", len(tables))
		}
		// Their ranges follow one another without overlapping, each from
		// its header row.
		last := 0
		for i, tb := range tables {
			var first, end int
			if _, err := fmt.Sscanf(tb.Range, "A%d:C%d", &first, &end); err != nil || first <= last || end != first+i+1 {
				t.Errorf("table %d over %s (after row %d), want A:C from its header over its %d rows", i, tb.Range, last, i+1)
			}
			if v, _ := f.GetCellValue("Thirty tables", fmt.Sprintf("A%d", first)); v != "Name" {
				t.Errorf("table %d starts at %q, want its header", i, v)
			}
			last = end
		}
		if len(rows) < 30*3 {
			t.Errorf("only %d rows", len(rows))
		}
		summarize(t, out, 0) // checks the tables' parts
	})
	t.Run("NoTables", func(t *testing.T) {
		out := render(t, &xlsx.Renderer{NoTables: true}, seed(t))
		s := summarize(t, out, 3)
		if sh := s.Sheets[0]; sh.Filter != "A1:C3" || sh.Tables != nil || sh.Frozen == "" || !strings.Contains(sh.Cells[0], "fill=DDEBF7") {
			t.Errorf("sheet %+v, want the styled, frozen header and a bare autofilter", sh)
		}
		if want := "_xlnm._FilterDatabase@Table of Data='Table of Data'!$A$1:$C$3 _xlnm.Print_Titles@Table of Data='Table of Data'!$1:$1"; strings.Join(s.DefinedNames, " ") != want {
			t.Errorf("defined names %q, want %q", s.DefinedNames, want)
		}
		one := render(t, &xlsx.Renderer{NoTables: true, OneSheet: true}, report30())
		if n := len(open(t, one).GetDefinedName()); n != 1 {
			t.Errorf("one sheet without tables: %d defined names, want the first table's filter only", n)
		}
	})
	t.Run("TableStyle", func(t *testing.T) {
		s := summarize(t, render(t, &xlsx.Renderer{TableStyle: "TableStyleLight9"}, seed(t)), 0)
		if got := s.Sheets[0].Tables; len(got) != 1 || !strings.Contains(got[0], " TableStyleLight9 ") {
			t.Errorf("tables %q, want TableStyleLight9", got)
		}
		for _, bad := range []string{"TableStyleMedium29", "Fancy", "tablestylelight1"} {
			err := (&xlsx.Renderer{TableStyle: bad}).Render(context.Background(), io.Discard, seed(t))
			if err == nil || !strings.Contains(err.Error(), "unknown table style") {
				t.Errorf("TableStyle %q: %v, want unknown table style", bad, err)
			}
		}
	})
	t.Run("PlainHeader", func(t *testing.T) {
		out := render(t, &xlsx.Renderer{PlainHeader: true}, seed(t))
		s := summarize(t, out, 3)
		// No table either; the header row still repeats on printed pages.
		if s.Sheets[0].Frozen != "" || s.Sheets[0].Filter != "" || s.Sheets[0].Tables != nil || len(s.DefinedNames) != 1 {
			t.Errorf("plain header still frozen %q, filtered %q or a table %q (names %q)", s.Sheets[0].Frozen, s.Sheets[0].Filter, s.Sheets[0].Tables, s.DefinedNames)
		}
		if !strings.HasSuffix(s.Sheets[0].Cells[0], " -") {
			t.Errorf("plain header cell styled: %s", s.Sheets[0].Cells[0])
		}
	})
	t.Run("NoAutoFit", func(t *testing.T) {
		s := summarize(t, render(t, &xlsx.Renderer{NoAutoFit: true}, seed(t)), 3)
		if len(s.Sheets[0].Widths) != 0 {
			t.Errorf("widths %v, want none", s.Sheets[0].Widths)
		}
	})
	t.Run("Registry", func(t *testing.T) {
		f, err := folio.Lookup("xlsx")
		if err != nil {
			t.Fatal(err)
		}
		if f.MediaType != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || f.Ext != ".xlsx" {
			t.Errorf("format %+v", f)
		}
		r, err := build(f, folio.Options{"sheets": "one", "header-style": "false", "autofit": "off", "tables": "false", "table-style": "TableStyleDark1", "page": "letter"})
		if err != nil {
			t.Fatal(err)
		}
		if x := r.(*xlsx.Renderer); !x.OneSheet || !x.PlainHeader || !x.NoAutoFit || !x.NoTables || x.TableStyle != "TableStyleDark1" || x.Paper != xlsx.Letter {
			t.Errorf("options gave %+v", x)
		}
		if d, _ := build(f, nil); *d.(*xlsx.Renderer) != (xlsx.Renderer{}) {
			t.Errorf("default options gave %+v", d)
		}
		for _, o := range []folio.Options{{"sheets": "two"}, {"autofit": "maybe"}, {"colour": "red"}, {"table-style": "Fancy"}, {"page": "A3"}} {
			var oe *folio.OptionError
			if _, err := build(f, o); !errors.As(err, &oe) {
				t.Errorf("New(%v) = %v, want an *OptionError", o, err)
			}
		}
	})
	t.Run("Created", func(t *testing.T) {
		r := &xlsx.Renderer{Created: xlsx.DefaultCreated.AddDate(20, 0, 0)}
		props, _ := open(t, render(t, r, seed(t))).GetDocProps()
		if props.Created != "2020-01-01T00:00:00Z" || props.Modified != props.Created {
			t.Errorf("created %q modified %q", props.Created, props.Modified)
		}
	})
}

// TestTableColumns gives a table captions that cannot all be column names
// as they are: the header shows the names the table object has.
func TestTableColumns(t *testing.T) {
	captions := []string{"", "Amount", "amount", "Line\nbreak", "_x0041_", "Tab\there", "Column1", "ctl\x01"}
	cols := make([]report.Column, len(captions))
	cells := make([]report.Value, len(captions))
	for i, c := range captions {
		cols[i] = report.Column{Caption: c}
		cells[i] = report.String("v")
	}
	out := render(t, &xlsx.Renderer{}, report.New("", report.NewTable("Q1 2026", cols, report.RowsOf(report.Row{Cells: cells}))))
	s := summarize(t, out, 100)
	want := `[1 Q1_2026 A1:H2 TableStyleMedium2 ["Column1" "Amount" "amount2" "Line\nbreak" "_x0041_" "Tab\there" "Column12" "ctl␁"]]`
	if got := fmt.Sprint(s.Sheets[0].Tables); got != want {
		t.Errorf("tables %s\nwant %s", got, want)
	}
	zr, _ := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	part := string(entry(t, zr, "xl/tables/table1.xml"))
	for _, w := range []string{`name="Line_x000a_break"`, `name="_x005F_x0041_"`, `name="Tab_x0009_here"`} {
		if !strings.Contains(part, w) {
			t.Errorf("table part lacks %s: %s", w, part)
		}
	}
	if s.Sheets[0].Widths["1-1"] == "" {
		t.Errorf("widths %v, want the first column fitted to its name", s.Sheets[0].Widths)
	}
}

func TestTooManyColumns(t *testing.T) {
	cols := make([]report.Column, xlsx.MaxColumns+1)
	var w bytes.Buffer
	err := (&xlsx.Renderer{TempDir: t.TempDir()}).Render(context.Background(), &w,
		report.New("", report.NewTable("Wide", cols, report.RowsOf())))
	if !errors.Is(err, xlsx.ErrTooManyColumns) || w.Len() != 0 {
		t.Fatalf("Render of %d columns = %v with %d bytes written, want ErrTooManyColumns and nothing", len(cols), err, w.Len())
	}
	// The limit itself is fine.
	out := render(t, &xlsx.Renderer{}, report.New("", report.NewTable("Widest", cols[:xlsx.MaxColumns],
		report.RowsOf(report.Row{Cells: make([]report.Value, xlsx.MaxColumns)}))))
	// A table object's columns all have names, so the empty captions are
	// numbered as Excel numbers them.
	s := summarize(t, out, 0)
	if len(s.Sheets[0].Tables) != 1 || !strings.HasPrefix(s.Sheets[0].Tables[0], "1 Widest A1:XFD2 ") {
		t.Errorf("tables %.100q, want one over A1:XFD2", s.Sheets[0].Tables)
	}
	if v, _ := open(t, out).GetCellValue("Widest", "XFD1"); v != "Column16384" {
		t.Errorf("XFD1 = %q, want Column16384", v)
	}
}

func TestRowOverflow(t *testing.T) {
	defer xlsx.SetMaxRows(10)()
	out := render(t, &xlsx.Renderer{}, longDoc(25))
	f := open(t, out)
	if got, want := f.GetSheetList(), []string{"Long", "Long (2)", "Long (3)"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	next := 0
	for _, name := range f.GetSheetList() {
		rows, _ := f.GetRows(name)
		if len(rows) == 0 || rows[0][0] != "Name" {
			t.Fatalf("%s does not start with the header: %q", name, rows)
		}
		if len(rows) > 10 {
			t.Errorf("%s has %d rows, over the limit", name, len(rows))
		}
		for _, r := range rows[1:] {
			if want := fmt.Sprintf("item %d", next); r[0] != want {
				t.Fatalf("%s: %q, want %q", name, r[0], want)
			}
			next++
		}
		panes, _ := f.GetPanes(name)
		if !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: header not frozen", name)
		}
	}
	if next != 25 {
		t.Errorf("%d rows in all, want 25", next)
	}
}

// TestTempFiles checks that temporary files are removed on success and on
// every error path, with a table whose compressed rows are too many to be
// kept in memory (lowered to 64 KiB for the test).
func TestTempFiles(t *testing.T) {
	const rows = 30000
	defer xlsx.SetMaxSpoolMemory(64 << 10)()
	errRows := errors.New("rows failed")
	for _, c := range []struct {
		name string
		w    io.Writer
		doc  func() *report.Document
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"OK", &peekDir{}, func() *report.Document { return longDoc(rows) }, nil, nil},
		{"Writer", &failAfter{n: 1000}, func() *report.Document { return longDoc(rows) }, nil, errFull},
		{"WriterManySheets", &failAfter{n: 20000}, report30, nil, errFull},
		{"ManySheets", io.Discard, report30, nil, nil},
		{"RowError", io.Discard, func() *report.Document {
			cols := []report.Column{{Caption: "A"}}
			return report.New("", report.NewTable("T", cols, func(yield func(report.Row, error) bool) {
				for i := range rows {
					if !yield(report.Cells(report.String(strings.Repeat("x", 100)+fmt.Sprint(i))), nil) {
						return
					}
				}
				yield(report.Row{}, errRows)
			}))
		}, nil, errRows},
		{"Cancel", io.Discard, func() *report.Document {
			return longDoc(rows)
		}, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-ctx.Done() }()
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if p, ok := c.w.(*peekDir); ok {
				p.dir = dir
			}
			ctx := context.Background()
			doc := c.doc()
			if c.ctx != nil {
				var cancel context.CancelFunc
				ctx, cancel = c.ctx()
				// Cancel once the renderer is well into the table.
				doc = cancelAfter(longDoc(rows), rows-1000, cancel)
			}
			err := (&xlsx.Renderer{TempDir: dir}).Render(ctx, c.w, doc)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Render = %v, want %v", err, c.want)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
			if p, ok := c.w.(*peekDir); ok && len(p.seen) == 0 {
				t.Errorf("no temporary file in %s while writing: the test proves nothing", dir)
			}
		})
	}
}

// cancelAfter returns doc's single table with cancel called after n rows.
func cancelAfter(doc *report.Document, n int, cancel context.CancelFunc) *report.Document {
	var tab *report.Table
	for el := range doc.Elements() {
		tab = el.(*report.Table)
	}
	i := 0
	return report.New("", report.NewTable(tab.Caption, tab.Columns, func(yield func(report.Row, error) bool) {
		for r, err := range tab.Rows() {
			if i++; i == n {
				cancel()
			}
			if !yield(r, err) {
				return
			}
		}
	}))
}

var errFull = errors.New("disk full")

type failAfter struct{ n int }

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	k := w.n
	w.n = 0
	return k, errFull
}

// TestOpenpyxl has openpyxl, an independent reader, open the seed example,
// the 30-table report, a report of formula-like strings and a 200,000-row
// table in read-only mode, and check sheet names, row counts and cell types.
func TestOpenpyxl(t *testing.T) {
	python := findPython(t)
	dir := t.TempDir()
	write := func(name string, r *xlsx.Renderer, doc *report.Document) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, render(t, r, doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	type cell [2]any
	type tcase struct {
		File     string                     `json:"file"`
		ReadOnly bool                       `json:"readOnly"`
		Sheets   []string                   `json:"sheets"`
		Rows     map[string]int             `json:"rows"`
		Cells    map[string]map[string]cell `json:"cells"`
		Frozen   bool                       `json:"frozen"`
		Filtered bool                       `json:"filtered"`
		Tables   map[string][][]any         `json:"tables,omitempty"`
		Print    map[string][]any           `json:"print,omitempty"`
	}
	rows30 := map[string]int{}
	cells30 := map[string]map[string]cell{}
	tables30 := map[string][][]any{}
	print30 := map[string][]any{}
	for i, name := range wantSheets30 {
		hdr := 4 // heading, paragraph, blank, header
		if i == 0 {
			hdr += 2 // title, blank
		}
		if name != captions30[i] && captions30[i] != "" {
			hdr++ // caption
		}
		n := hdr + i + 1
		if i == len(wantSheets30)-1 {
			n += 2
		}
		rows30[name] = n
		tables30[name] = [][]any{{tableName30[i], fmt.Sprintf("A%d:C%d", hdr, hdr+i+1), "TableStyleMedium2", []string{"Name", "Value", "Ok"}}}
		print30[name] = []any{"portrait", "9", fmt.Sprintf("$%d:$%d", hdr, hdr)}
		cells30[name] = map[string]cell{
			fmt.Sprintf("A%d", hdr):   {"s", "Name"},
			fmt.Sprintf("B%d", hdr+1): {"n", i * 100},
			fmt.Sprintf("C%d", hdr+1): {"b", true},
		}
	}
	// Title, blank, heading, paragraph, blank, header (the caption is the
	// sheet's name), rows.
	formulaCells := map[string]cell{"A1": {"s", "=TITLE()"}, "A3": {"s", "=HEADING()"}, "A4": {"s", "=PARAGRAPH()"}, "A6": {"s", "=Caption"}}
	for i, s := range formulaLike {
		formulaCells[fmt.Sprintf("A%d", 7+i)] = cell{"s", s}
		formulaCells[fmt.Sprintf("B%d", 7+i)] = cell{"s", s + " again"}
	}
	const long = 200000
	cases := []tcase{
		{File: write("seed.xlsx", &xlsx.Renderer{}, seed(t)), Sheets: []string{"Table of Data"}, Rows: map[string]int{"Table of Data": 5},
			Cells:  map[string]map[string]cell{"Table of Data": {"A1": {"s", "Asset"}, "C3": {"s", "Workpack B"}, "A5": {"s", "Report generated in 00:00:01"}}},
			Frozen: true, Tables: map[string][][]any{"Table of Data": {{"Table_of_Data", "A1:C3", "TableStyleMedium2", []string{"Asset", "Event Type", "Workpack"}}}},
			Print: map[string][]any{"Table of Data": {"portrait", "9", "$1:$1"}}},
		{File: write("seed-autofilter.xlsx", &xlsx.Renderer{NoTables: true}, seed(t)), Sheets: []string{"Table of Data"}, Rows: map[string]int{"Table of Data": 5},
			Frozen: true, Filtered: true, Tables: map[string][][]any{"Table of Data": {}}},
		{File: write("seed-ro.xlsx", &xlsx.Renderer{}, seed(t)), ReadOnly: true, Sheets: []string{"Table of Data"}, Rows: map[string]int{"Table of Data": 5}},
		{File: write("thirty.xlsx", &xlsx.Renderer{}, report30()), Sheets: wantSheets30, Rows: rows30, Cells: cells30, Frozen: true, Tables: tables30, Print: print30},
		{File: write("formulas.xlsx", &xlsx.Renderer{}, formulaDoc()), Sheets: []string{"=Formulas"}, Rows: map[string]int{"=Formulas": 6 + len(formulaLike)},
			Cells: map[string]map[string]cell{"=Formulas": formulaCells}},
		// openpyxl shows date cells (numbers with a date format) as type d.
		// It does not decode the _x005F_ escape in inline strings (Excel and
		// excelize do), so the text _x0041_ is not checked here.
		{File: write("typed.xlsx", &xlsx.Renderer{}, typedDoc()), Sheets: []string{"Types"},
			Cells: map[string]map[string]cell{"Types": {"B4": {"n", 12.5}, "B5": {"n", -7}, "C4": {"b", true}, "A4": {"s", "=SUM(A1:A2)"},
				"D4": {"d", "2024-02-29 00:00:00"}, "E5": {"d", "2024-03-01 13:45:30"}, "A7": {"s", "ctl\u2401\u241f"}}}},
		// Date edges: numbers at Excel's first and last day, text past them
		// (openpyxl would fail to read a serial past 9999-12-31).
		{File: write("edges.xlsx", &xlsx.Renderer{}, dateEdgeDoc()), Sheets: []string{"Edges"}, Rows: map[string]int{"Edges": 1 + len(dateEdges)},
			Cells: map[string]map[string]cell{"Edges": {"A2": {"d", "1900-01-01 00:00:00"}, "B3": {"d", "1900-01-01 00:00:00"},
				"A4": {"s", "1899-12-31"}, "B4": {"s", "1899-12-31T23:59:59.999999999Z"},
				"A5": {"d", "9999-12-31 00:00:00"}, "B5": {"d", "9999-12-31 23:59:59.999000"}, "B6": {"d", "9999-12-31 23:59:59"},
				"B7": {"s", "9999-12-31T23:59:59.9996Z"}, "B8": {"s", "9999-12-31T23:59:59.999999999+14:00"}}}},
		{File: write("long.xlsx", &xlsx.Renderer{}, longDoc(long)), ReadOnly: true, Sheets: []string{"Long"}, Rows: map[string]int{"Long": long + 1},
			Cells: map[string]map[string]cell{"Long": {"A200001": {"s", "item 199999"}, "B200001": {"n", 199999}, "C200001": {"b", false}}}},
	}
	spec := filepath.Join(dir, "cases.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(spec, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join("testdata", "check_openpyxl.py"), spec)
	out, err := cmd.CombinedOutput()
	t.Logf("openpyxl:\n%s", out)
	if err != nil {
		t.Fatalf("openpyxl check failed: %v", err)
	}
}

// findPython returns a python3 that can import openpyxl: the first on PATH,
// else Debian's, whose python3-openpyxl a PATH python3 from elsewhere does
// not see.
func findPython(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import openpyxl").Run() == nil {
			return path
		}
	}
	if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
		t.Fatal("python3 with openpyxl not found (apt-get install python3-openpyxl)")
	}
	t.Skip("python3 with openpyxl not found")
	return ""
}

// TestRowLimit writes a table one row longer than a worksheet holds: the
// last row goes to a second worksheet under a repeated header.
func TestRowLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,048,576 rows")
	}
	const n = xlsx.MaxRows // one header row + MaxRows-1 data rows fill a sheet
	out := render(t, &xlsx.Renderer{}, longDoc(n))
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"Long", "Long (2)"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	rows, err := f.GetRows("Long (2)")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Name", "Amount", "Done"}, {fmt.Sprintf("item %d", n-1), fmt.Sprint(n - 1), "FALSE"}}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("second sheet %q, want %q", rows, want)
	}
	last := fmt.Sprintf("A%d", xlsx.MaxRows)
	if v, _ := f.GetCellValue("Long", last); v != fmt.Sprintf("item %d", n-2) {
		t.Errorf("Long!%s = %q, want item %d", last, v, n-2)
	}
}

// TestPreface checks the rows above a table: title, heading, a paragraph of
// three lines, each on its own row, and the header frozen below them; and
// that a cell with a line break wraps.
func TestPreface(t *testing.T) {
	cols := []report.Column{{Caption: "Note"}, {Caption: "N", Type: report.TypeNumber}}
	doc := report.New("Title",
		&report.Heading{Text: "Heading", Level: 1},
		&report.Paragraph{Runs: []report.Run{{Text: "one\r\ntwo\nthree"}}},
		&report.Paragraph{},
		report.NewTable("T", cols, report.RowsOf(report.Cells(report.String("a\nb"), report.Int(1)))))
	out := render(t, &xlsx.Renderer{}, doc)
	f := open(t, out)
	rows, _ := f.GetRows("T")
	var col []string
	for _, r := range rows {
		col = append(col, strings.Join(r, "|"))
	}
	want := []string{"Title", "", "Heading", "one", "two", "three", "", "", "Note|N", "a\nb|1"}
	if !slices.Equal(col, want) {
		t.Fatalf("rows %q, want %q", col, want)
	}
	panes, _ := f.GetPanes("T")
	if !panes.Freeze || panes.YSplit != 9 {
		t.Errorf("frozen %v at %d, want the header row 9", panes.Freeze, panes.YSplit)
	}
	id, _ := f.GetCellStyle("T", "A10")
	st, _ := f.GetStyle(id)
	if st == nil || st.Alignment == nil || !st.Alignment.WrapText {
		t.Errorf("cell with a line break does not wrap: %+v", st)
	}
}

// peekDir is a writer that lists the files in dir at its first write.
type peekDir struct {
	dir  string
	seen []os.DirEntry
	done bool
}

func (p *peekDir) Write(b []byte) (int, error) {
	if !p.done {
		p.done = true
		p.seen, _ = os.ReadDir(p.dir)
	}
	return len(b), nil
}

// TestMarkdownRichText checks that strong, emphasis and code in Markdown
// runs become bold, italic and monospaced rich text runs.
func TestMarkdownRichText(t *testing.T) {
	doc := report.New("", &report.Paragraph{Runs: []report.Run{
		{Text: "Plain *not markdown* "},
		{Text: "**bold** and *italic* and `code`\nsecond **line**", Markdown: true},
	}})
	f := open(t, render(t, &xlsx.Renderer{}, doc))
	sheet := f.GetSheetList()[0]
	runs, err := f.GetCellRichText(sheet, "A1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs {
		s := r.Text
		if r.Font != nil {
			if r.Font.Bold {
				s += "/b"
			}
			if r.Font.Italic {
				s += "/i"
			}
			if r.Font.Family == "Consolas" {
				s += "/code"
			}
		}
		got = append(got, s)
	}
	want := []string{"Plain *not markdown* ", "bold/b", " and ", "italic/i", " and ", "code/code"}
	if !slices.Equal(got, want) {
		t.Errorf("runs %q, want %q", got, want)
	}
	if v, _ := f.GetCellValue(sheet, "A2"); v != "second line" {
		t.Errorf("A2 = %q, want the paragraph's second line", v)
	}
}

// build is f.NewRenderer without its Safe wrapper, to look at the
// renderer's fields.
func build(f folio.Format, o folio.Options) (folio.Renderer, error) {
	r, err := f.ReadOptions(o)
	if err != nil {
		return nil, err
	}
	return f.New(r)
}
