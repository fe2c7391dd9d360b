package render

import (
	"os"
	"strconv"

	"github.com/foliorender/folio/render/pdf"
)

func init() {
	font := func(key, what string) Option {
		return Option{Key: key, Type: String, Help: "a TrueType font file for " + what + ", tried before the Go font, character by character"}
	}
	Register(Format{
		Name:      "pdf",
		MediaType: "application/pdf",
		Ext:       ".pdf",
		Options: []Option{
			{Key: "page", Type: Enum, Values: []string{"A4", "Letter"}, Default: "A4", Help: "the page size"},
			{Key: "orientation", Type: Enum, Values: []string{"auto", "portrait", "landscape"}, Default: "auto",
				Help: "auto: portrait, and landscape for a table too wide for it"},
			{Key: "max-pages", Type: Int, Min: 1, Max: 1000000, Default: strconv.Itoa(pdf.DefaultMaxPages),
				Help: "fail past this many pages: a bound on the time and size of one render (memory does not grow with pages)"},
			{Key: "compress", Type: Bool, Default: "true", Help: "compress the page streams; false: plain text, for debugging"},
			font("font", "text"),
			font("font-bold", "bold text"),
			font("font-italic", "italic text"),
			font("font-bold-italic", "bold italic text"),
			font("font-mono", "code"),
		},
		New: func(o *OptionReader) (Renderer, error) {
			p := &pdf.Renderer{
				PageSize:     o.String("page"),
				Orientation:  o.String("orientation"),
				MaxPages:     o.Int("max-pages"),
				Uncompressed: !o.Bool("compress"),
			}
			if p.Orientation == "auto" {
				p.Orientation = pdf.Auto
			}
			for _, f := range []struct {
				key string
				dst *[]byte
			}{
				{"font", &p.Fonts.Regular},
				{"font-bold", &p.Fonts.Bold},
				{"font-italic", &p.Fonts.Italic},
				{"font-bold-italic", &p.Fonts.BoldItalic},
				{"font-mono", &p.Fonts.Mono},
			} {
				path := o.String(f.key)
				if path == "" {
					continue
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return nil, o.Fail(f.key, "cannot read the font: "+err.Error())
				}
				if err := pdf.CheckFont(data); err != nil {
					return nil, o.Fail(f.key, err.Error())
				}
				*f.dst = data
			}
			return p, nil
		},
	})
}
