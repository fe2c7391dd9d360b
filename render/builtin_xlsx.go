package render

import "github.com/foliorender/folio/render/xlsx"

func init() {
	Register(Format{
		Name:      "xlsx",
		MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Ext:       ".xlsx",
		Options: []Option{
			{Key: "sheets", Type: Enum, Values: []string{"table", "one"}, Default: "table", Help: "table: a worksheet per table; one: every table on one worksheet"},
			{Key: "header-style", Type: Bool, Default: "true", Help: "a bold, filled, frozen header row with an autofilter; false: a plain one"},
			{Key: "autofit", Type: Bool, Default: "true", Help: "fit column widths to the header and the first 100 rows; false: default widths"},
		},
		New: func(o *OptionReader) (Renderer, error) {
			return &xlsx.Renderer{
				OneSheet:    o.String("sheets") == "one",
				PlainHeader: !o.Bool("header-style"),
				NoAutoFit:   !o.Bool("autofit"),
			}, nil
		},
	})
}
