package html_test

import (
	"context"
	"os"

	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/report"
)

// A fragment for embedding in a page that includes html.CSS(). Data is
// escaped; a Markdown run keeps its emphasis and safe links and loses
// links to other schemes.
func ExampleRenderer_fragment() {
	doc := report.New("",
		report.NewTable("Stock <check>", []report.Column{{Caption: "Item"}, {Caption: "Count", Type: report.TypeNumber}},
			report.RowsOf(report.Cells(report.String("<b>Bolts</b>"), report.Int(1200)))),
		&report.Paragraph{Runs: []report.Run{
			{Text: "See *the* [manual](https://example.com/m) "},
			{Text: "See *the* [manual](https://example.com/m), not [this](javascript:alert(1)).", Markdown: true},
		}},
	)
	r := &html.Renderer{Fragment: true, Lang: "en"}
	if err := r.Render(context.Background(), os.Stdout, doc); err != nil {
		panic(err)
	}
	// Output:
	// <div class="folio" lang="en">
	// <div class="table" role="region" tabindex="0" aria-label="Stock &lt;check&gt;">
	// <table>
	// <caption dir="auto">Stock &lt;check&gt;</caption>
	// <thead>
	// <tr><th scope="col">Item</th><th scope="col" class="num">Count</th></tr>
	// </thead>
	// <tbody>
	// <tr><td>&lt;b&gt;Bolts&lt;/b&gt;</td><td class="num">1200</td></tr>
	// </tbody>
	// </table>
	// </div>
	// <p dir="auto">See *the* [manual](https://example.com/m) See <em>the</em> <a href="https://example.com/m">manual</a>, not this.</p>
	// </div>
}
