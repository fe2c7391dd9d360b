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

// tsv is a format defined outside folio.
type tsv struct{}

func (tsv) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if t, ok := el.(*report.Table); ok {
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
		New: func(o render.Options) (render.Renderer, error) { return tsv{}, o.Read("tsv").Err() },
	})
	f, _ := render.ByExt(".tsv")
	r, _ := f.NewRenderer(nil)
	doc := report.Read(strings.NewReader(`{"elements":[{"type":"table","data":{"columns":[{"caption":"a"},{"caption":"b"}],"rows":[{"cells":[{"value":1},{"value":"x"}]}]}}]}`))
	if err := r.Render(context.Background(), os.Stdout, doc); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1	x
}
