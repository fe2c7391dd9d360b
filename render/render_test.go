package render_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
)

func TestBuiltins(t *testing.T) {
	want := map[string][2]string{
		"json": {"application/json", ".json"},
		"csv":  {"text/csv; charset=utf-8", ".csv"},
		"md":   {"text/markdown; charset=utf-8", ".md"},
	}
	for name, w := range want {
		f, err := render.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if f.MediaType != w[0] || f.Ext != w[1] {
			t.Errorf("%s: %q %q, want %q %q", name, f.MediaType, f.Ext, w[0], w[1])
		}
		g, err := render.ByExt(strings.ToUpper(w[1][1:]))
		if err != nil || g.Name != name {
			t.Errorf("ByExt(%s) = %v, %v", w[1], g.Name, err)
		}
	}
	if _, err := render.Lookup("docx"); !errors.Is(err, render.ErrUnknownFormat) {
		t.Errorf("Lookup(docx) = %v", err)
	}
	if _, err := render.ByExt(".docx"); !errors.Is(err, render.ErrUnknownFormat) {
		t.Errorf("ByExt(.docx) = %v", err)
	}
}

func TestRegisterPanics(t *testing.T) {
	ok := func(render.Options) (render.Renderer, error) { return nil, nil }
	for name, f := range map[string]render.Format{
		"taken name":   {Name: "csv", MediaType: "x/y", Ext: ".csv2", New: ok},
		"taken ext":    {Name: "csv2", MediaType: "x/y", Ext: ".CSV", New: ok},
		"no ext":       {Name: "z", MediaType: "x/y", Ext: "z", New: ok},
		"no new":       {Name: "z", MediaType: "x/y", Ext: ".z"},
		"no mediatype": {Name: "z", Ext: ".z", New: ok},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			render.Register(f)
		})
	}
}

func TestOptions(t *testing.T) {
	f, _ := render.Lookup("csv")
	for opts, want := range map[string]string{
		"bom=yes":     "",
		"table=2":     "",
		"formulas=no": `option formulas="no": must be one of guard, keep`,
		"bom=2":       `option bom="2": must be true or false`,
		"colour=red":  `unknown option "colour"`,
		"table=-1":    "must be a whole number",
		"comma=;;":    "must be one character",
	} {
		k, v, _ := strings.Cut(opts, "=")
		_, err := f.NewRenderer(render.Options{k: v})
		var oe *render.OptionError
		if want == "" && err != nil || want != "" && (!errors.As(err, &oe) || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", opts, err, want)
		}
	}
}

type panicky struct{}

func (panicky) Render(context.Context, io.Writer, *report.Document) error { panic("bad rune") }

func TestSafe(t *testing.T) {
	err := render.Safe("x", panicky{}).Render(context.Background(), io.Discard, report.New(""))
	var pe *render.PanicError
	if !errors.As(err, &pe) || pe.Value != "bad rune" || len(pe.Stack) == 0 {
		t.Errorf("Render = %v, want a PanicError", err)
	}
}
