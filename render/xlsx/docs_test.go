package xlsx_test

import (
	"fmt"
	"strings"

	"github.com/foliorender/folio/report"
)

// captions30 are the captions of a 30-table report: clashes (also by
// case and with generated suffixes), over-long ones, illegal characters,
// apostrophes, the reserved name, control characters and empty ones.
var captions30 = []string{
	"Data", "data", "DATA", "Data (2)", "History", "history", "", "",
	strings.Repeat("Quarterly revenue by region ", 3), strings.Repeat("Quarterly revenue by region ", 3),
	strings.Repeat("a", 30) + "😀", "Q1/Q2: [draft]*?", "'quoted'", "Bob's data", "tab\there\x00",
	"Sheet1", "Table 7", "Ärger", "äRGER", "中文报告中文报告中文报告中文报告中文报告中文报告中文报告中文报告",
	"a\\b", "x:y", "?", "*", "[]", "''", " ", "Résumé", "résumé", "Last",
}

// wantSheets30 are the sheet names the 30 tables get, in order.
var wantSheets30 = []string{
	"Data", "data (2)", "DATA (3)", "Data (2) (2)", "History (2)", "history (3)", "Table 7", "Table 8",
	"Quarterly revenue by region Qua", "Quarterly revenue by region (2)",
	strings.Repeat("a", 30), "Q1-Q2- (draft)__", "quoted", "Bob's data", "tab here",
	"Sheet1", "Table 7 (2)", "Ärger", "äRGER (2)", "中文报告中文报告中文报告中文报告中文报告中文报告中文报告中文报",
	"a-b", "x-y", "_", "_ (2)", "()", "Table 26", "Table 27", "Résumé", "résumé (2)", "Last",
}

// tableName30 are the names the 30 tables' table objects get, in order.
var tableName30 = []string{
	"Data", "data_2", "DATA_3", "Data_2_2", "History", "history_2", "Table7", "Table8",
	strings.Repeat("_Quarterly_revenue_by_region", 3)[1:], strings.Repeat("_Quarterly_revenue_by_region", 3)[1:] + "_2",
	strings.Repeat("a", 30), "Q1_Q2_draft", "quoted", "Bob_s_data", "tab_here",
	"Sheet1", "Table_7", "Ärger", "äRGER_2", "中文报告中文报告中文报告中文报告中文报告中文报告中文报告中文报告",
	"a_b", "x_y", "Table23", "Table24", "Table25", "Table26", "Table27", "Résumé", "résumé_2", "Last",
}

// report30 returns the 30-table report; table i has i+1 rows of a text,
// a number and a boolean column, with a heading and a paragraph before it.
func report30() *report.Document {
	var els []report.Element
	for i, c := range captions30 {
		els = append(els, &report.Heading{Text: fmt.Sprintf("Section %d", i+1), Level: 2},
			&report.Paragraph{Runs: []report.Run{{Text: "About " + c}}})
		cols := []report.Column{{Caption: "Name"}, {Caption: "Value", Type: report.TypeNumber}, {Caption: "Ok", Type: report.TypeBoolean}}
		var rows []report.Row
		for j := range i + 1 {
			rows = append(rows, report.Cells(report.String(fmt.Sprintf("t%d r%d", i, j)), report.Int(int64(i*100+j)), report.Bool(j%2 == 0)))
		}
		els = append(els, report.NewTable(c, cols, report.RowsOf(rows...)))
	}
	els = append(els, &report.Paragraph{Runs: []report.Run{{Text: "The end."}}})
	return report.New("Thirty tables", els...)
}

// formulaLike are strings a spreadsheet could take for formulas.
var formulaLike = []string{
	"=SUM(A1:A2)", "=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0",
	"-", "+", "=", "@", " =1", "\t=1", "=A1*2",
}

// formulaDoc returns a report full of formula-like strings, in cells,
// captions, headings and paragraphs.
func formulaDoc() *report.Document {
	cols := []report.Column{{Caption: "=Caption"}, {Caption: "Text", Type: report.TypeString}}
	var rows []report.Row
	for _, s := range formulaLike {
		rows = append(rows, report.Cells(report.String(s), report.String(s+" again")))
	}
	return report.New("=TITLE()",
		&report.Heading{Text: "=HEADING()", Level: 1},
		&report.Paragraph{Runs: []report.Run{{Text: "=PARAGRAPH()"}}},
		report.NewTable("=Formulas", cols, report.RowsOf(rows...)))
}

// longDoc returns one table of n rows of a text, a number and a boolean.
func longDoc(n int) *report.Document {
	cols := []report.Column{{Caption: "Name"}, {Caption: "Amount", Type: report.TypeNumber}, {Caption: "Done", Type: report.TypeBoolean}}
	rows := func(yield func(report.Row, error) bool) {
		for i := range n {
			if !yield(report.Cells(report.String(fmt.Sprintf("item %d", i)), report.Int(int64(i)), report.Bool(i%2 == 0)), nil) {
				return
			}
		}
	}
	return report.New("", report.NewTable("Long", cols, rows))
}
