package render_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
)

// TestBuiltins checks the six formats of the contract (section 2) are
// registered with their media types and extensions, found by name and by
// extension in any case, each builds a renderer with its default options,
// and no other format is registered.
func TestBuiltins(t *testing.T) {
	want := map[string][2]string{
		"json": {"application/json", ".json"},
		"csv":  {"text/csv; charset=utf-8", ".csv"},
		"xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
		"pdf":  {"application/pdf", ".pdf"},
		"html": {"text/html; charset=utf-8", ".html"},
		"md":   {"text/markdown; charset=utf-8", ".md"},
	}
	for name, w := range want {
		f, err := render.Lookup(strings.ToUpper(name))
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != name || f.MediaType != w[0] || f.Ext != w[1] {
			t.Errorf("%s: %q %q %q, want %q %q", name, f.Name, f.MediaType, f.Ext, w[0], w[1])
		}
		for _, ext := range []string{w[1], strings.ToUpper(w[1][1:])} {
			if g, err := render.ByExt(ext); err != nil || g.Name != name {
				t.Errorf("ByExt(%s) = %v, %v", ext, g.Name, err)
			}
		}
		if r, err := f.NewRenderer(nil); err != nil || r == nil {
			t.Errorf("%s: NewRenderer(nil) = %v, %v", name, r, err)
		}
	}
	var names []string
	for _, f := range render.Formats() {
		names = append(names, f.Name)
	}
	// ExampleRegister may have added tsv when the examples ran first.
	names = slices.DeleteFunc(names, func(n string) bool { return n == "tsv" })
	if !slices.Equal(names, []string{"csv", "html", "json", "md", "pdf", "xlsx"}) {
		t.Errorf("Formats() = %v, want the six built-in ones sorted", names)
	}
	if _, err := render.Lookup("docx"); !errors.Is(err, render.ErrUnknownFormat) {
		t.Errorf("Lookup(docx) = %v", err)
	}
	if _, err := render.ByExt(".docx"); !errors.Is(err, render.ErrUnknownFormat) {
		t.Errorf("ByExt(.docx) = %v", err)
	}
}

func TestRegisterPanics(t *testing.T) {
	ok := func(*render.OptionReader) (render.Renderer, error) { return nil, nil }
	opt := func(o render.Option) render.Format {
		return render.Format{Name: "z", MediaType: "x/y", Ext: ".z", New: ok, Options: []render.Option{o}}
	}
	for name, f := range map[string]render.Format{
		"taken name":       {Name: "csv", MediaType: "x/y", Ext: ".csv2", New: ok},
		"taken ext":        {Name: "csv2", MediaType: "x/y", Ext: ".CSV", New: ok},
		"no ext":           {Name: "z", MediaType: "x/y", Ext: "z", New: ok},
		"no new":           {Name: "z", MediaType: "x/y", Ext: ".z"},
		"no mediatype":     {Name: "z", Ext: ".z", New: ok},
		"option key":       opt(render.Option{Key: "Big", Type: render.Bool, Default: "false", Help: "h"}),
		"option type":      opt(render.Option{Key: "k", Type: "float", Default: "1", Help: "h"}),
		"enum no values":   opt(render.Option{Key: "k", Type: render.Enum, Help: "h"}),
		"bad default":      opt(render.Option{Key: "k", Type: render.Int, Min: 1, Max: 9, Default: "0", Help: "h"}),
		"bool no default":  opt(render.Option{Key: "k", Type: render.Bool, Help: "h"}),
		"enum bad default": opt(render.Option{Key: "k", Type: render.Enum, Values: []string{"a"}, Default: "b", Help: "h"}),
		"checked default":  opt(render.Option{Key: "k", Type: render.String, Default: "x", Help: "h", Check: func(string) string { return "no" }}),
		"no help":          opt(render.Option{Key: "k", Type: render.Bool, Default: "true"}),
		"two-line help":    opt(render.Option{Key: "k", Type: render.Bool, Default: "true", Help: "a\nb"}),
		"declared twice": {Name: "z", MediaType: "x/y", Ext: ".z", New: ok, Options: []render.Option{
			{Key: "k", Type: render.Bool, Default: "true", Help: "h"}, {Key: "k", Type: render.Bool, Default: "true", Help: "h"}}},
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

// TestOptions gives each built-in format's options good and bad values:
// a bad one is an *OptionError with the declaration's reason, and nothing
// is built; an undeclared key is "unknown option".
func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		format, opt string
		want        string // "" for accepted
	}{
		{"csv", "bom=yes", ""},
		{"csv", "bom=", ""},
		{"csv", "table=2", ""},
		{"csv", "comma=;", ""},
		{"csv", "formulas=KEEP", ""},
		{"csv", "formulas=no", `render: csv: option formulas="no": must be one of guard, keep`},
		{"csv", "bom=2", `render: csv: option bom="2": must be true or false`},
		{"csv", "colour=red", `render: csv: unknown option "colour"`},
		{"csv", "table=-1", `render: csv: option table="-1": must be a whole number from 0 to 1073741824`},
		{"csv", "comma=;;", `render: csv: option comma=";;": must be one character`},
		{"csv", `comma="`, `render: csv: option comma="\"": cannot be '"'`},
		{"json", "bom=true", `render: json: unknown option "bom"`},
		{"md", "x=1", `render: md: unknown option "x"`},
		{"xlsx", "sheets=one", ""},
		{"xlsx", "sheets=two", `render: xlsx: option sheets="two": must be one of table, one`},
		{"xlsx", "autofit=maybe", `render: xlsx: option autofit="maybe": must be true or false`},
		{"pdf", "page=letter", ""},
		{"pdf", "page=A3", `render: pdf: option page="A3": must be one of A4, Letter`},
		{"pdf", "max-pages=0", `render: pdf: option max-pages="0": must be a whole number from 1 to 1000000`},
		{"pdf", "font=/nonexistent/font.ttf", `render: pdf: option font="/nonexistent/font.ttf": cannot read the font: open /nonexistent/font.ttf: no such file or directory`},
		{"html", "lang=de-CH", ""},
		{"html", "lang=en_US", `render: html: option lang="en_US": must be a language tag such as en or de-CH`},
		{"html", "landscape=2", `render: html: option landscape="2": must be true or false`},
	} {
		f, err := render.Lookup(tt.format)
		if err != nil {
			t.Fatal(err)
		}
		k, v, _ := strings.Cut(tt.opt, "=")
		r, err := f.NewRenderer(render.Options{k: v})
		var oe *render.OptionError
		switch {
		case tt.want == "" && (err != nil || r == nil):
			t.Errorf("%s %s: %v, want a renderer", tt.format, tt.opt, err)
		case tt.want != "" && (!errors.As(err, &oe) || err.Error() != tt.want || r != nil):
			t.Errorf("%s %s: %v, want %q", tt.format, tt.opt, err, tt.want)
		}
	}
}

// TestOptionReader reads the declarations of a format: defaults for what
// is not given, values canonical (an enum's case, a bool's spelling), and
// a panic for a key read that is not declared.
func TestOptionReader(t *testing.T) {
	f := render.Format{Name: "t", Options: []render.Option{
		{Key: "on", Type: render.Bool, Default: "yes", Help: "h"},
		{Key: "n", Type: render.Int, Min: -5, Max: 5, Default: "3", Help: "h"},
		{Key: "mode", Type: render.Enum, Values: []string{"Fast", "slow"}, Default: "slow", Help: "h"},
		{Key: "s", Type: render.String, Help: "h"},
	}}
	for _, tt := range []struct {
		opts render.Options
		on   bool
		n    int
		mode string
		s    string
	}{
		{nil, true, 3, "slow", ""},
		{render.Options{"on": "off", "n": "-5", "mode": "FAST", "s": "x y"}, false, -5, "Fast", "x y"},
		{render.Options{"n": "+4", "on": "1"}, true, 4, "slow", ""},
	} {
		r, err := f.ReadOptions(tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if on, n, mode, s := r.Bool("on"), r.Int("n"), r.String("mode"), r.String("s"); on != tt.on || n != tt.n || mode != tt.mode || s != tt.s {
			t.Errorf("%v: %v %v %q %q, want %v %v %q %q", tt.opts, on, n, mode, s, tt.on, tt.n, tt.mode, tt.s)
		}
	}
	r, _ := f.ReadOptions(nil)
	if err := r.Fail("n", "is odd"); err.Error() != `render: t: option n="3": is odd` {
		t.Errorf("Fail: %v", err)
	}
	for name, read := range map[string]func(){
		"undeclared": func() { r.Bool("off") },
		"as Int":     func() { r.Int("on") },
		"as Bool":    func() { r.Bool("mode") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("reading %s did not panic", name)
				}
			}()
			read()
		}()
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
