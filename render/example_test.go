package render_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
)

// tsv is a format defined outside folio; header is its one option.
type tsv struct{ header bool }

func (r tsv) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if t, ok := el.(*report.Table); ok {
			if r.header {
				captions := make([]string, len(t.Columns))
				for i, c := range t.Columns {
					captions[i] = c.Caption
				}
				fmt.Fprintln(w, strings.Join(captions, "\t"))
			}
			for row, err := range t.Rows() {
				if err != nil {
					return err
				}
				cells := make([]string, len(row.Cells))
				for i, v := range row.Cells {
					cells[i] = v.Text()
				}
				fmt.Fprintln(w, strings.Join(cells, "\t"))
			}
		}
	}
	return ctx.Err()
}

func ExampleRegister() {
	render.Register(render.Format{
		Name: "tsv", MediaType: "text/tab-separated-values; charset=utf-8", Ext: ".tsv",
		// Declared options are checked before New runs, and listed by
		// folio formats --options.
		Options: []render.Option{
			{Key: "header", Type: render.Bool, Default: "false", Help: "write the column captions first"},
		},
		New: func(o *render.OptionReader) (render.Renderer, error) { return tsv{header: o.Bool("header")}, nil },
	})
	f, _ := render.ByExt(".tsv")
	const in = `{"elements":[{"type":"table","data":{"columns":[{"caption":"a"},{"caption":"b"}],"rows":[{"cells":[{"value":1},{"value":"x"}]}]}}]}`
	for _, opts := range []render.Options{nil, {"header": "yes"}, {"header": "maybe"}, {"heading": "true"}} {
		r, err := f.NewRenderer(opts) // what --opt KEY=VALUE gives
		if err != nil {
			fmt.Println(err)
			continue
		}
		if err := r.Render(context.Background(), os.Stdout, report.Read(strings.NewReader(in))); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// 1	x
	// a	b
	// 1	x
	// render: tsv: option header="maybe": must be true or false
	// render: tsv: unknown option "heading"
}
