package render

import (
	"strings"

	"github.com/foliorender/folio/render/html"
)

func init() {
	Register(Format{
		Name:      "html",
		MediaType: "text/html; charset=utf-8",
		Ext:       ".html",
		Options: []Option{
			{Key: "fragment", Type: Bool, Default: "false", Help: `a <div class="folio"> to embed instead of a whole page`},
			{Key: "lang", Type: String, Help: "the page's language (a BCP 47 tag: en, de-CH); default: the document's locale, else en",
				Check: func(s string) string {
					if s != "" && !langTag(s) {
						return "must be a language tag such as en or de-CH"
					}
					return ""
				}},
			{Key: "landscape", Type: Bool, Default: "false", Help: "print on landscape pages"},
		},
		New: func(o *OptionReader) (Renderer, error) {
			return &html.Renderer{
				Fragment:  o.Bool("fragment"),
				Lang:      o.String("lang"),
				Landscape: o.Bool("landscape"),
			}, nil
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
