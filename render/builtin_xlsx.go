package render

import "github.com/foliorender/folio/render/xlsx"

func init() {
	Register(Format{
		Name:      "xlsx",
		MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Ext:       ".xlsx",
		// Options: sheets=table|one (a worksheet per table, the default, or
		// all on one), header-style=false (plain header: no bold, fill,
		// frozen rows or autofilter), autofit=false (default column widths).
		New: func(o Options) (Renderer, error) {
			r := o.Read("xlsx")
			x := &xlsx.Renderer{
				OneSheet:    r.String("sheets", "table", "table", "one") == "one",
				PlainHeader: !r.Bool("header-style", true),
				NoAutoFit:   !r.Bool("autofit", true),
			}
			return x, r.Err()
		},
	})
}
