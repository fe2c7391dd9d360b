package render

import (
	"fmt"

	"github.com/foliorender/folio/render/csv"
	"github.com/foliorender/folio/render/json"
	"github.com/foliorender/folio/render/markdown"
)

// The built-in formats register here, one file each; their options are the
// renderers' fields, spelled as --opt keys.
func init() {
	Register(Format{
		Name: "json", MediaType: "application/json", Ext: ".json",
		New: func(o Options) (Renderer, error) {
			return &json.Renderer{}, o.Read("json").Err()
		},
	})
	Register(Format{
		Name: "csv", MediaType: "text/csv; charset=utf-8", Ext: ".csv",
		// Options: bom=true, formulas=keep|guard (default guard), table=N
		// (1-based), comma=; (one character), formatted=true, footer=true.
		New: func(o Options) (Renderer, error) {
			r := o.Read("csv")
			c := &csv.Renderer{
				BOM:       r.Bool("bom", false),
				Formulas:  r.String("formulas", "guard", "guard", "keep") == "keep",
				Table:     r.Int("table", 0, 0, 1<<30),
				Formatted: r.Bool("formatted", false),
				Footer:    r.Bool("footer", false),
			}
			if s := r.String("comma", ","); len([]rune(s)) != 1 {
				r.fail("comma", s, "must be one character")
			} else {
				c.Comma = []rune(s)[0]
			}
			if c.Comma == '"' || c.Comma == '\r' || c.Comma == '\n' {
				r.fail("comma", string(c.Comma), fmt.Sprintf("cannot be %q", c.Comma))
			}
			return c, r.Err()
		},
	})
	Register(Format{
		Name: "md", MediaType: "text/markdown; charset=utf-8", Ext: ".md",
		New: func(o Options) (Renderer, error) {
			return &markdown.Renderer{}, o.Read("md").Err()
		},
	})
}
