package apidoc

import (
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"testing"
)

// documented are the packages, relative to the module root, whose every
// exported name needs a doc comment.
var documented = []string{"report", "render", "schema", "jobs", "server", "client"}

// exampled are the packages other services import, each with at least one
// Example that go test runs: one with an output comment.
var exampled = []string{"report", "render", "schema", "jobs", "server", "client", "numfmt", "artifact", "blob", "runner"}

// load returns the documentation of the package in dir, relative to the
// module root, for the build context of the test, with its examples.
func load(t *testing.T, dir string) *doc.Package {
	t.Helper()
	bp, err := build.ImportDir(filepath.Join("..", "..", dir), 0)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range slices.Concat(bp.GoFiles, bp.CgoFiles, bp.TestGoFiles, bp.XTestGoFiles) {
		f, err := parser.ParseFile(fset, filepath.Join(bp.Dir, name), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/foliorender/folio/"+dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDocComments checks that each exported name of the documented packages
// has a doc comment: a constant or variable one of its own, a line comment,
// or the comment of its group.
func TestDocComments(t *testing.T) {
	for _, dir := range documented {
		p := load(t, dir)
		missing := func(what string) { t.Errorf("%s: %s has no doc comment", dir, what) }
		if p.Doc == "" {
			missing("package " + p.Name)
		}
		values := func(vs []*doc.Value) {
			for _, v := range vs {
				if v.Doc != "" {
					continue
				}
				for _, s := range v.Decl.Specs {
					s := s.(*ast.ValueSpec)
					if s.Doc != nil || s.Comment != nil {
						continue
					}
					for _, n := range s.Names {
						if n.IsExported() {
							missing(n.Name)
						}
					}
				}
			}
		}
		funcs := func(fs []*doc.Func) {
			for _, f := range fs {
				if f.Doc == "" {
					name := f.Name
					if f.Recv != "" {
						name = "(" + f.Recv + ")." + name
					}
					missing(name)
				}
			}
		}
		values(p.Consts)
		values(p.Vars)
		funcs(p.Funcs)
		for _, typ := range p.Types {
			if typ.Doc == "" {
				missing("type " + typ.Name)
			}
			values(typ.Consts)
			values(typ.Vars)
			funcs(typ.Funcs)
			funcs(typ.Methods)
		}
	}
}

// TestExamples checks that each package other services import has an
// Example with output, which go test runs and checks.
func TestExamples(t *testing.T) {
	for _, dir := range exampled {
		p := load(t, dir)
		var all []*doc.Example
		all = append(all, p.Examples...)
		for _, f := range p.Funcs {
			all = append(all, f.Examples...)
		}
		for _, typ := range p.Types {
			all = append(all, typ.Examples...)
			for _, f := range slices.Concat(typ.Funcs, typ.Methods) {
				all = append(all, f.Examples...)
			}
		}
		if !slices.ContainsFunc(all, func(e *doc.Example) bool { return e.Output != "" || e.EmptyOutput }) {
			t.Errorf("%s has no Example with an output comment, which go test would run", dir)
		}
	}
}
