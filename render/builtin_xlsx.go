package render

import "github.com/foliorender/folio/render/xlsx"

func init() {
	Register(Format{
		Name:      "xlsx",
		MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Ext:       ".xlsx",
		Options: []Option{
			{Key: "sheets", Type: Enum, Values: []string{"table", "one"}, Default: "table", Help: "table: a worksheet per table; one: every table on one worksheet"},
			{Key: "header-style", Type: Bool, Default: "true", Help: "a bold, frozen header row in a table object or autofilter; false: a plain one"},
			{Key: "autofit", Type: Bool, Default: "true", Help: "fit column widths to the header and the first 100 rows; false: default widths"},
			{Key: "tables", Type: Bool, Default: "true", Help: "each table an Excel table object; false: a bare autofilter"},
			{Key: "table-style", Type: String, Default: "TableStyleMedium2", Help: "the table objects' style, one of Excel's built-in table styles",
				Check: func(v string) string {
					if !xlsx.IsTableStyle(v) {
						return "must be one of Excel's built-in table styles: TableStyleLight1 to 21, TableStyleMedium1 to 28, TableStyleDark1 to 11"
					}
					return ""
				}},
			{Key: "page", Type: Enum, Values: []string{"auto", "A4", "Letter"}, Default: "auto", Help: "the paper; auto: Letter for a locale whose region uses it, else A4"},
		},
		New: func(o *OptionReader) (Renderer, error) {
			x := &xlsx.Renderer{
				OneSheet:    o.String("sheets") == "one",
				PlainHeader: !o.Bool("header-style"),
				NoAutoFit:   !o.Bool("autofit"),
				NoTables:    !o.Bool("tables"),
			}
			if s := o.String("table-style"); s != "TableStyleMedium2" {
				x.TableStyle = s
			}
			switch o.String("page") {
			case "A4":
				x.Paper = xlsx.A4
			case "Letter":
				x.Paper = xlsx.Letter
			}
			return x, nil
		},
	})
}
