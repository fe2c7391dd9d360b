package render

import (
	"strings"

	"github.com/foliorender/folio/render/html"
)

// Options: fragment=true, lang=TAG (a BCP 47 tag such as de-CH),
// landscape=true.
func init() {
	Register(Format{
		Name:      "html",
		MediaType: "text/html; charset=utf-8",
		Ext:       ".html",
		New: func(o Options) (Renderer, error) {
			r := o.Read("html")
			h := &html.Renderer{
				Fragment:  r.Bool("fragment", false),
				Lang:      r.String("lang", ""),
				Landscape: r.Bool("landscape", false),
			}
			if h.Lang != "" && !langTag(h.Lang) {
				r.fail("lang", h.Lang, "must be a language tag such as en or de-CH")
			}
			return h, r.Err()
		},
	})
}

// langTag reports whether s has the shape of a BCP 47 language tag:
// subtags of 1 to 8 letters or digits joined by hyphens.
func langTag(s string) bool {
	for part := range strings.SplitSeq(s, "-") {
		if len(part) == 0 || len(part) > 8 {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return false
			}
		}
	}
	return true
}
