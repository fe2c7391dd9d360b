package render

import "github.com/foliorender/folio/render/xlsx"

func init() {
	Register(Format{
		Name:      "xlsx",
		MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Ext:       ".xlsx",
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
