package render

import (
	"os"

	"github.com/foliorender/folio/render/pdf"
)

func init() {
	Register(Format{
		Name:      "pdf",
		MediaType: "application/pdf",
		Ext:       ".pdf",
		New: func(o Options) (Renderer, error) {
			r := o.Read("pdf")
			p := &pdf.Renderer{
				PageSize:     r.String("page", "A4", "A4", "a4", "Letter", "letter"),
				Orientation:  r.String("orientation", "", "auto", "portrait", "landscape"),
				MaxPages:     r.Int("max-pages", pdf.DefaultMaxPages, 1, 1000000),
				Uncompressed: !r.Bool("compress", true),
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
				path := r.String(f.key, "")
				if path == "" {
					continue
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return nil, &OptionError{Format: "pdf", Key: f.key, Value: path, Reason: "cannot read the font: " + err.Error()}
				}
				if err := pdf.CheckFont(data); err != nil {
					return nil, &OptionError{Format: "pdf", Key: f.key, Value: path, Reason: err.Error()}
				}
				*f.dst = data
			}
			return p, r.Err()
		},
	})
}
