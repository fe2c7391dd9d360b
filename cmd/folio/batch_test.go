package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
)

// TestConvertBatch runs `convert -d` on a folder of inputs: what it writes
// (each output the bytes of a single `convert -o` of its input, and no
// temporary file), its exit status and its standard error.
func TestConvertBatch(t *testing.T) {
	good, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := os.ReadFile("../../testdata/invalid/bad-date.json")
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"a.json": good, "b.json": good, "sub/c.json": good, "sub/a.json": good,
		"A.json": good, "bad.json": bad, "notes.txt": []byte("not json"),
	}
	const badLine = "<in>/bad.json: /elements/0/data/rows/0/cells/1/value: column \"B\" holds dates like 2006-01-02, not \"2024-02-30\"\n"
	for _, tt := range []struct {
		name   string
		args   []string // <in> is the inputs' folder, <out> a folder that does not exist yet
		code   int
		outDir string   // where the outputs go: <out> unless set
		outs   []string // the files in outDir afterwards; nil: outDir does not exist
		stderr string   // all of it, with <in> for the inputs' folder
	}{
		{"three files", []string{"-f", "csv", "-d", "<out>", "<in>/a.json", "<in>/b.json", "<in>/sub/c.json"}, 0, "",
			[]string{"a.csv", "b.csv", "c.csv"}, "converted 3 of 3 files\n"},
		{"flags after the files", []string{"<in>/a.json", "<in>/b.json", "--dir", "<out>", "--format", "md", "--jobs", "1"}, 0, "",
			[]string{"a.md", "b.md"}, "converted 2 of 2 files\n"},
		{"one bad among good", []string{"-f", "csv", "-d", "<out>", "<in>/a.json", "<in>/bad.json", "<in>/sub/c.json"}, 1, "",
			[]string{"a.csv", "c.csv"}, badLine + "converted 2 of 3 files, 1 failed\n"},
		{"bad and missing", []string{"-f", "json", "-d", "<out>", "-j", "1", "<in>/nope.json", "<in>/a.json", "<in>/bad.json", "<in>/notes.txt"}, 1, "",
			[]string{"a.json"}, "<in>/nope.json: no such file or directory\n" + badLine +
				"<in>/notes.txt: (document): invalid character 'o' in literal null (expecting 'u') (at byte 1)\n" +
				"converted 1 of 4 files, 3 failed\n"},
		{"quiet", []string{"-q", "-f", "csv", "-d", "<out>", "<in>/a.json"}, 0, "", []string{"a.csv"}, ""},
		{"quiet still tells failures", []string{"-q", "-f", "csv", "-d", "<out>", "<in>/bad.json"}, 1, "", []string{},
			badLine + "converted 0 of 1 file, 1 failed\n"},
		{"options", []string{"-f", "csv", "--opt", "bom=true", "-d", "<out>", "<in>/a.json"}, 0, "", []string{"a.csv"}, "converted 1 of 1 file\n"},
		{"glob", []string{"-f", "xlsx", "-d", "<out>", "<in>/[ab].json"}, 0, "", []string{"a.xlsx", "b.xlsx"}, "converted 2 of 2 files\n"},
		{"glob and a file", []string{"-f", "html", "-d", "<out>", "<in>/sub/*.json", "<in>/b.json"}, 0, "",
			[]string{"a.html", "b.html", "c.html"}, "converted 3 of 3 files\n"},
		{"missing OUTDIR is created", []string{"-f", "csv", "-d", "<out>/x/y", "<in>/a.json"}, 0, "<out>/x/y", []string{"a.csv"}, "converted 1 of 1 file\n"},
		{"OUTDIR is a file", []string{"-f", "csv", "-d", "<in>/a.json", "<in>/b.json"}, 1, "", nil, "folio convert: mkdir <in>/a.json: not a directory\n"},

		{"same output name", []string{"-f", "csv", "-d", "<out>", "<in>/a.json", "<in>/sub/a.json"}, 2, "", nil,
			"folio convert: <in>/a.json and <in>/sub/a.json would both be written to <out>/a.csv\n"},
		{"same name but for case", []string{"-f", "csv", "-d", "<out>", "<in>/a.json", "<in>/A.json"}, 2, "", nil,
			"folio convert: <in>/a.json and <in>/A.json would both be written to <out>/A.csv\n"},
		{"a file twice", []string{"-f", "csv", "-d", "<out>", "<in>/a.json", "<in>/b.json", "<in>/a.json"}, 2, "", nil, "folio convert: <in>/a.json is given twice\n"},
		{"output replaces its input", []string{"-f", "json", "-d", "<in>", "<in>/a.json"}, 2, "", nil,
			"folio convert: <in>/a.json would be replaced by its own conversion: give another OUTDIR\n"},
		{"glob matching nothing", []string{"-f", "csv", "-d", "<out>", "<in>/a.json", "<in>/*.xml"}, 2, "", nil, "folio convert: no file matches \"<in>/*.xml\"\n"},
		{"bad glob", []string{"-f", "csv", "-d", "<out>", "<in>/[.json"}, 2, "", nil, "folio convert: bad pattern \"<in>/[.json\": syntax error in pattern\n"},
		{"no format", []string{"-d", "<out>", "<in>/a.json"}, 2, "", nil, "folio convert: give --format with -d\n"},
		{"unknown format", []string{"-f", "docx", "-d", "<out>", "<in>/a.json"}, 2, "", nil,
			"folio convert: render: unknown format \"docx\" (known: csv, html, json, md, pdf, xlsx)\n"},
		{"unknown option", []string{"-f", "csv", "--opt", "x=1", "-d", "<out>", "<in>/a.json"}, 2, "", nil, "folio convert: render: csv: unknown option \"x\"\n"},
		{"no files", []string{"-f", "csv", "-d", "<out>"}, 2, "", nil, "folio convert: give the files to convert into <out>\n"},
		{"standard input", []string{"-f", "csv", "-d", "<out>", "-"}, 2, "", nil, "folio convert: standard input cannot be converted with -d: give files\n"},
		{"-o and -d", []string{"-f", "csv", "-d", "<out>", "-o", "x.csv", "<in>/a.json"}, 2, "", nil, "folio convert: give -o or -d, not both\n"},
		{"-j 0", []string{"-f", "csv", "-d", "<out>", "-j", "0", "<in>/a.json"}, 2, "", nil, "folio convert: -j must be at least 1, got 0\n"},
		{"-j without -d", []string{"-f", "csv", "-j", "2", "<in>/a.json"}, 2, "", nil, "folio convert: -j goes with -d OUTDIR\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			in, out := filepath.Join(root, "in"), filepath.Join(root, "out")
			for name, b := range inputs {
				os.MkdirAll(filepath.Dir(filepath.Join(in, name)), 0o755)
				if err := os.WriteFile(filepath.Join(in, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			sub := func(s string) string {
				return strings.NewReplacer("<in>", in, "<out>", out).Replace(s)
			}
			args := []string{"convert"}
			for _, a := range tt.args {
				args = append(args, sub(a))
			}
			code, stdout, stderr := runCLI(t, "", args...)
			if code != tt.code || stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", code, stdout, tt.code)
			}
			if want := sub(tt.stderr); stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
			}
			dir := out
			if tt.outDir != "" {
				dir = sub(tt.outDir)
			}
			entries, err := os.ReadDir(dir)
			if tt.outs == nil {
				if !os.IsNotExist(err) {
					t.Errorf("%s exists (%v), want nothing written", dir, err)
				}
				return
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if !slices.Equal(got, tt.outs) && !(len(got) == 0 && len(tt.outs) == 0) {
				t.Fatalf("files written %q, want %q (and no temporary file)", got, tt.outs)
			}
			// Each output is what a single convert -o writes.
			for _, name := range got {
				input := findInput(t, in, args, name)
				single := filepath.Join(root, "single-"+name)
				opts := optArgs(tt.args)
				if code, _, stderr := runCLI(t, "", append([]string{"convert", input, "-o", single}, opts...)...); code != 0 {
					t.Fatalf("single convert of %s: %s", input, stderr)
				}
				want, _ := os.ReadFile(single)
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || !bytes.Equal(b, want) {
					t.Errorf("%s: %d bytes (%v), want the %d of a single convert", name, len(b), err, len(want))
				}
				if st, _ := os.Stat(filepath.Join(dir, name)); st.Mode().Perm() != 0o644 {
					t.Errorf("%s: mode %v, want 0644", name, st.Mode().Perm())
				}
				if filepath.Ext(name) == ".csv" {
					recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
					if err != nil || len(recs) != 3 || recs[2][2] != "Workpack B" {
						t.Errorf("%s: %q, %v", name, recs, err)
					}
				}
			}
		})
	}
}

// findInput returns the input among args whose output is name.
func findInput(t *testing.T, in string, args []string, name string) string {
	t.Helper()
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	for _, a := range args {
		if strings.HasPrefix(a, in) && strings.TrimSuffix(filepath.Base(a), ".json") == stem {
			return a
		}
		if strings.ContainsAny(a, "*[") {
			m, _ := filepath.Glob(a)
			for _, a := range m {
				if strings.TrimSuffix(filepath.Base(a), ".json") == stem {
					return a
				}
			}
		}
	}
	t.Fatalf("no input for %s in %q", name, args)
	return ""
}

// optArgs returns the --format and --opt flags of args, for a single
// convert to compare with.
func optArgs(args []string) []string {
	var out []string
	for i, a := range args {
		switch a {
		case "-f", "--format", "--opt":
			out = append(out, a, args[i+1])
		}
	}
	return out
}

// TestConvertBatchJobs converts the same larger documents with -j 1 and
// -j 4: the same bytes, which are those of a single convert.
func TestConvertBatchJobs(t *testing.T) {
	root := t.TempDir()
	var ins []string
	for i := range 8 {
		doc := benchdoc.Bytes(500+300*i, 6)
		if i%2 == 1 {
			doc = benchdoc.NumbersBytes(500+300*i, 6)
		}
		name := filepath.Join(root, fmt.Sprintf("doc%d.json", i))
		if err := os.WriteFile(name, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, name)
	}
	for _, format := range []string{"xlsx", "csv"} {
		dirs := map[string]string{}
		for _, j := range []string{"1", "4"} {
			dirs[j] = filepath.Join(root, format+"-j"+j)
			args := append([]string{"convert", "-f", format, "-j", j, "-d", dirs[j]}, ins...)
			if code, _, stderr := runCLI(t, "", args...); code != 0 {
				t.Fatalf("-j %s: exit %d: %s", j, code, stderr)
			}
		}
		for i, in := range ins {
			name := fmt.Sprintf("doc%d.%s", i, format)
			single := filepath.Join(root, "single-"+name)
			if code, _, stderr := runCLI(t, "", "convert", in, "-o", single); code != 0 {
				t.Fatal(stderr)
			}
			want, _ := os.ReadFile(single)
			for j, dir := range dirs {
				if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, want) {
					t.Errorf("-j %s: %s differs from a single convert (%v)", j, name, err)
				}
			}
		}
	}
}

// TestConvertBatchCancelled: a batch whose context is done starts no file
// and writes nothing.
func TestConvertBatchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in, dir := t.TempDir(), t.TempDir()
	b, _ := os.ReadFile(seed)
	os.WriteFile(filepath.Join(in, "a.json"), b, 0o644)
	os.WriteFile(filepath.Join(in, "b.json"), b, 0o644)
	var out, errb bytes.Buffer
	code := run(ctx, []string{"convert", "-f", "csv", "-d", dir, filepath.Join(in, "*.json")}, nil, &out, &errb)
	if want := "converted 0 of 2 files, 2 not started: context canceled\n"; code != 1 || errb.String() != want {
		t.Errorf("exit %d, stderr %q, want 1 and %q", code, errb.String(), want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a cancelled batch left %s", entries[0].Name())
	}
}
