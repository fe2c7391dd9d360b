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
		New: func(*OptionReader) (Renderer, error) { return &json.Renderer{}, nil },
	})
	Register(Format{
		Name: "csv", MediaType: "text/csv; charset=utf-8", Ext: ".csv",
		Options: []Option{
			{Key: "bom", Type: Bool, Default: "false", Help: "start with a UTF-8 byte order mark, for Excel"},
			{Key: "formulas", Type: Enum, Values: []string{"guard", "keep"}, Default: "guard",
				Help: "guard: a ' before text a spreadsheet would run as a formula; keep: write it as it is"},
			{Key: "table", Type: Int, Min: 0, Max: 1 << 30, Default: "0", Help: "write only the N-th table (1-based); 0: every table"},
			{Key: "comma", Type: String, Default: ",", Help: "the field separator, one character", Check: checkComma},
			{Key: "formatted", Type: Bool, Default: "false", Help: "write the cells of formatted columns as the text people see"},
			{Key: "footer", Type: Bool, Default: "false", Help: "write each table's footer (or row of totals) after its rows"},
		},
		New: func(o *OptionReader) (Renderer, error) {
			return &csv.Renderer{
				BOM:       o.Bool("bom"),
				Formulas:  o.String("formulas") == "keep",
				Table:     o.Int("table"),
				Comma:     []rune(o.String("comma"))[0],
				Formatted: o.Bool("formatted"),
				Footer:    o.Bool("footer"),
			}, nil
		},
	})
	Register(Format{
		Name: "md", MediaType: "text/markdown; charset=utf-8", Ext: ".md",
		New: func(*OptionReader) (Renderer, error) { return &markdown.Renderer{}, nil },
	})
}

// checkComma accepts one character that can separate CSV fields.
func checkComma(s string) string {
	r := []rune(s)
	switch {
	case len(r) != 1:
		return "must be one character"
	case r[0] == '"' || r[0] == '\r' || r[0] == '\n':
		return fmt.Sprintf("cannot be %q", r[0])
	}
	return ""
}
