package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// runCLI runs the command in-process and returns its exit status, stdout
// and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const seed = "../../testdata/seed.json"

func TestConvertSeed(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args  []string
		file  string
		check func(t *testing.T, b []byte)
	}{
		{[]string{"convert", seed, "-o", "OUT"}, "out.csv", func(t *testing.T, b []byte) {
			recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil || len(recs) != 3 || recs[2][2] != "Workpack B" {
				t.Errorf("csv: %q, %v", recs, err)
			}
		}},
		{[]string{"convert", "-o", "OUT", seed}, "out.json", func(t *testing.T, b []byte) {
			var v struct{ Elements []map[string]any }
			if err := json.Unmarshal(b, &v); err != nil || len(v.Elements) != 2 {
				t.Errorf("json: %v, %d elements", err, len(v.Elements))
			}
		}},
		{[]string{"convert", "--format", "md", "--output", "OUT", seed}, "out.txt", func(t *testing.T, b []byte) {
			if !strings.Contains(string(b), "| Test Asset | GVI | Workpack A |") {
				t.Errorf("md: %s", b)
			}
		}},
		{[]string{"convert", "-f", "csv", "--opt", "bom=true", "-o", "OUT", seed}, "bom.csv", func(t *testing.T, b []byte) {
			if !bytes.HasPrefix(b, []byte("\uFEFFAsset,")) {
				t.Errorf("csv with BOM starts %q", b[:10])
			}
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			args := append([]string{}, tt.args...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = path
				}
			}
			code, _, stderr := runCLI(t, "", args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, b)
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", st.Mode().Perm())
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("%d files in the output folder, want 4 (no temporary files)", len(entries))
	}
}

func TestConvertStdio(t *testing.T) {
	in, _ := os.ReadFile(seed)
	code, out, stderr := runCLI(t, string(in), "convert", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "Asset,Event Type,Workpack\r\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	code, out, _ = runCLI(t, string(in), "convert", "--format", "json", "-")
	if code != 0 || !strings.Contains(out, `"Workpack B"`) {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"convert", seed},                              // no format for stdout
		{"convert", "--format", "docx", seed},          // unknown format
		{"convert", seed, "-o", "out.unknown"},         // unknown extension
		{"convert", seed, "-o", "noext"},               // no extension
		{"convert", "--opt", "nokey", seed},            // malformed option
		{"convert", "-f", "csv", "--opt", "x=1", seed}, // unknown option
		{"convert", "-f", "csv", "--opt", "bom=maybe", seed},
		{"convert", "-f", "csv", "a.json", "b.json"},
		{"convert", "--no-such-flag"},
		{"validate"},
		{"schema", "extra"},
		{"formats", "extra"},
	} {
		code, _, stderr := runCLI(t, "", args...)
		if code != 2 {
			t.Errorf("folio %s: exit %d, want 2 (stderr %q)", strings.Join(args, " "), code, stderr)
		}
		if stderr == "" {
			t.Errorf("folio %s: nothing on stderr", strings.Join(args, " "))
		}
	}
}

// TestHelp checks that help goes to standard output with exit 0: the
// program's lists every command, and each command's starts with its own
// synopsis and lists its flags.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		code, out, stderr := runCLI(t, "", args...)
		if code != 0 || stderr != "" || out != usage {
			t.Errorf("folio %s: exit %d, stderr %q, want 0 and the usage on stdout", args[0], code, stderr)
		}
		for name := range commands {
			if !strings.Contains(out, "\n  folio "+name) {
				t.Errorf("folio %s does not list the command %s:\n%s", args[0], name, out)
			}
		}
	}
	for _, tt := range []struct {
		args  []string
		flags []string // some of the flags its help must list
	}{
		{[]string{"convert", "--help"}, []string{"-format", "-o", "-opt", "-d", "-j", "-quiet"}},
		{[]string{"validate", "-h"}, []string{"-quiet"}},
		{[]string{"schema", "--help"}, nil},
		{[]string{"formats", "--help"}, []string{"-options"}},
		{[]string{"serve", "--help"}, []string{"-addr", "-data", "-tokens-file"}},
		{[]string{"openapi", "--help"}, nil},
		{[]string{"version", "--help"}, nil},
	} {
		code, out, stderr := runCLI(t, "", tt.args...)
		if code != 0 || stderr != "" || !strings.HasPrefix(out, "Usage: folio "+tt.args[0]) {
			t.Errorf("folio %s: exit %d, stderr %q, stdout %.80q; want 0 and its usage", strings.Join(tt.args, " "), code, stderr, out)
		}
		for _, f := range tt.flags {
			if !strings.Contains(out, "\n  "+f+" ") && !strings.Contains(out, "\n  "+f+"\n") {
				t.Errorf("folio %s does not list %s:\n%s", strings.Join(tt.args, " "), f, out)
			}
		}
	}
	// A usage error prints the usage on standard error, not standard output.
	if code, out, stderr := runCLI(t, "", "convert", "--no-such-flag"); code != 2 || out != "" || !strings.Contains(stderr, "Usage: folio convert") {
		t.Errorf("convert --no-such-flag: exit %d, stdout %q, stderr %.80q", code, out, stderr)
	}
}

func TestSchemaAndFormats(t *testing.T) {
	code, out, _ := runCLI(t, "", "schema")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["$schema"] == nil {
		t.Errorf("schema: exit %d, output %.100q", code, out)
	}
	code, out, _ = runCLI(t, "", "formats")
	for _, want := range []string{"csv   text/csv; charset=utf-8", "json  application/json", ".md"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("formats: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	// One line per declared option, after a heading.
	code, out, _ = runCLI(t, "", "formats", "--options")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 1+len(optionRows()) || !strings.HasPrefix(lines[0], "FORMAT  OPTION") {
		t.Fatalf("formats --options: exit %d, %d lines, want %d:\n%s", code, len(lines), 1+len(optionRows()), out)
	}
	for _, want := range [][]string{
		{"csv", "formulas", "guard|keep", "guard"},
		{"pdf", "max-pages", "int", "1-1000000"},
		{"xlsx", "autofit", "bool", "true"},
	} {
		found := false
		for _, l := range lines {
			found = found || slices.Equal(strings.Fields(l)[:4], want)
		}
		if !found {
			t.Errorf("formats --options has no line %q:\n%s", want, out)
		}
	}
}

func TestValidate(t *testing.T) {
	code, out, _ := runCLI(t, "", "validate", seed)
	if code != 0 || out != seed+": valid\n" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	code, _, stderr := runCLI(t, "", "validate", seed, "no-such-file.json")
	if code != 1 || !strings.Contains(stderr, "no-such-file.json: no such file") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, `{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[]},{"cells":[{"value":[]}]}]}}]}`, "validate", "-")
	want := "-: /elements/0/data/rows/0/cells: row has 0 cells but the table has 1 column\n-: /elements/0/data/rows/1/cells/0/value: a cell value must be a string, a number, a boolean or null, not an array\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
}

// TestInvalidDocuments runs every invalid document through validate (exit
// 1, its pointer on stderr) and convert -o (exit 1, no file, no temporary
// file, an existing file left as it was).
func TestInvalidDocuments(t *testing.T) {
	tsv, err := os.ReadFile("../../testdata/invalid/POINTERS.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(tsv)) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, ptr, _ := strings.Cut(strings.TrimSpace(line), "\t")
		t.Run(name, func(t *testing.T) {
			in := filepath.Join("../../testdata/invalid", name)
			code, _, stderr := runCLI(t, "", "validate", in)
			if code != 1 || !strings.HasPrefix(stderr, in+": "+ptr+": ") {
				t.Errorf("validate: exit %d, stderr %q, want a line for %s", code, stderr, ptr)
			}
			for _, ext := range []string{"csv", "json", "md"} {
				dir := t.TempDir()
				out := filepath.Join(dir, "out."+ext)
				code, _, stderr = runCLI(t, "", "convert", in, "-o", out)
				if code != 1 || !strings.Contains(stderr, ptr) {
					t.Errorf("convert to %s: exit %d, stderr %q", ext, code, stderr)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("convert to %s left %v", ext, entries[0].Name())
				}
				// An existing file is not touched by a failed conversion.
				os.WriteFile(out, []byte("old"), 0o644)
				runCLI(t, "", "convert", in, "-o", out)
				if b, _ := os.ReadFile(out); string(b) != "old" {
					t.Errorf("convert to %s replaced the existing file", ext)
				}
			}
		})
	}
}

func TestConvertCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"convert", seed, "-o", filepath.Join(dir, "x.csv")}, nil, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "context canceled") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("cancelled convert left %s", entries[0].Name())
	}
}

func TestConvertToFIFOAndSymlink(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- b
	}()
	if code, _, stderr := runCLI(t, "", "convert", seed, "-o", fifo); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b := <-got; !strings.HasPrefix(string(b), "Asset,Event Type") {
		t.Errorf("the pipe's reader got %q", b)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", st.Mode(), err)
	}

	target := filepath.Join(dir, "target.csv")
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "", "convert", seed, "-o", link); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced by a file")
	}
	if b, _ := os.ReadFile(target); !strings.HasPrefix(string(b), "Asset,") {
		t.Errorf("the link's target holds %q", b)
	}
}

func TestWriteAtomicCancelledAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out := filepath.Join(dir, "x.csv")
	err := writeAtomic(ctx, out, func(w io.Writer) error {
		io.WriteString(w, "complete output")
		cancel() // a signal after the renderer's last check
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("writeAtomic = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %s", entries[0].Name())
	}
}

// TestValidateManyFiles checks validate closes each file before the next:
// with few file descriptors to spare, many files still validate.
func TestValidateManyFiles(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	in, _ := os.ReadFile(seed)
	var names []string
	for i := range 60 {
		name := filepath.Join(dir, fmt.Sprintf("s%d.json", i))
		os.WriteFile(name, in, 0o644)
		names = append(names, name)
	}
	low := lim
	low.Cur = uint64(len(fds) + 20)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	code, _, stderr := runCLI(t, "", append([]string{"validate", "--quiet"}, names...)...)
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	if code != 0 {
		t.Errorf("exit %d: %.300s", code, stderr)
	}
}
