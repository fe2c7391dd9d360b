package render

import "github.com/foliorender/folio/render/xlsx"

func init() {
	Register(Format{
		Name:      "xlsx",
		MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Ext:       ".xlsx",
		// Options: sheets=table|one (a worksheet per table, the default, or
		// all on one), header-style=false (plain header: no bold, fill,
		// frozen rows, table object or autofilter), autofit=false (default
		// column widths), tables=false (a bare autofilter instead of a table
		// object), table-style=NAME (one of Excel's built-in table styles,
		// TableStyleMedium2 by default), page=A4|Letter (the paper; by
		// default Letter for a locale whose region uses it, else A4).
		New: func(o Options) (Renderer, error) {
			r := o.Read("xlsx")
			x := &xlsx.Renderer{
				OneSheet:    r.String("sheets", "table", "table", "one") == "one",
				PlainHeader: !r.Bool("header-style", true),
				NoAutoFit:   !r.Bool("autofit", true),
				NoTables:    !r.Bool("tables", true),
				TableStyle:  r.String("table-style", ""),
			}
			switch r.String("page", "", "A4", "a4", "Letter", "letter") {
			case "A4", "a4":
				x.Paper = xlsx.A4
			case "Letter", "letter":
				x.Paper = xlsx.Letter
			}
			if x.TableStyle != "" && !xlsx.IsTableStyle(x.TableStyle) {
				r.fail("table-style", x.TableStyle, "must be one of Excel's built-in table styles: TableStyleLight1 to 21, TableStyleMedium1 to 28, TableStyleDark1 to 11")
			}
			return x, r.Err()
		},
	})
}
