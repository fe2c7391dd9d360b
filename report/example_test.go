package report_test

import (
	"fmt"
	"strings"

	"github.com/foliorender/folio/report"
)

func ExampleRead() {
	in := `{"title":"Weekly","elements":[
		{"type":"table","caption":"Open tasks","data":{"columns":[{"caption":"Task"},{"caption":"Hours","type":"number"}],
		 "rows":[{"cells":[{"value":"Inspect"},{"value":2.50}]},{"cells":[{"value":"Repair"},{"value":null}]}]}}]}`
	doc := report.Read(strings.NewReader(in))
	fmt.Println(doc.Title())
	for el, err := range doc.Elements() {
		if err != nil {
			fmt.Println(err)
			return
		}
		if t, ok := el.(*report.Table); ok {
			for row, err := range t.Rows() {
				if err != nil {
					fmt.Println(err)
					return
				}
				fmt.Println(row.Cells[0], row.Cells[1].Kind(), row.Cells[1])
			}
		}
	}
	// Output:
	// Weekly
	// Inspect number 2.50
	// Repair null
}

func ExampleNewTable() {
	// Rows can come from anything that yields them, such as a sql.Rows loop.
	rows := func(yield func(report.Row, error) bool) {
		for i, name := range []string{"Kiel", "Zürich"} {
			if !yield(report.Cells(report.String(name), report.Int(int64(i+1))), nil) {
				return
			}
		}
	}
	t := report.NewTable("Sites", []report.Column{{Caption: "Site"}, {Caption: "Rank", Type: report.TypeNumber}}, rows)
	for el, err := range report.New("Sites", t).Elements() {
		if err != nil {
			fmt.Println(err)
			return
		}
		for row, err := range el.(*report.Table).Rows() {
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Println(row.Cells[0], row.Cells[1])
		}
	}
	// Output:
	// Kiel 1
	// Zürich 2
}
