// Command htmlrun renders a report document from stdin to HTML on stdout
// through the html format of the render registry, for bench/html.sh until
// the folio command can do it.
//
//	go run ./bench/htmlrun < report.json > report.html
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
)

func main() {
	f, err := render.Lookup("html")
	if err == nil {
		var r render.Renderer
		if r, err = f.NewRenderer(nil); err == nil {
			err = r.Render(context.Background(), os.Stdout, report.Read(os.Stdin))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "htmlrun:", err)
		os.Exit(1)
	}
}
