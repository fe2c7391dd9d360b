package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
)

// A batch is `folio convert -d`: its flags and arguments.
type batch struct {
	format, dir string
	jobs        int
	opts        render.Options
	quiet       bool
	args        []string
}

// A batchFile is one input of a batch and what became of it.
type batchFile struct {
	in, out string
	cr      countingReader // bytes and rows read, for the progress display
	started bool
	err     error
}

// convertBatch converts every input of b into b.dir, b.jobs at a time.
// Everything that can be checked before a file is read is checked first
// and is a usage error: the format and options, the inputs (patterns
// matching nothing), two inputs with the same output, an output that is
// its own input. Then each file is converted as a single `convert -o`
// would, to the same bytes, and a failure does not stop the others; the
// failures (the first violation of each) and a summary go to stderr at the
// end, in the order of the inputs.
func convertBatch(ctx context.Context, b batch, stderr io.Writer) int {
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "folio convert: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case b.format == "":
		return usageErr("give --format with -d")
	case b.jobs < 1:
		return usageErr("-j must be at least 1, got %d", b.jobs)
	case len(b.args) == 0:
		return usageErr("give the files to convert into %s", b.dir)
	}
	f, err := render.Lookup(b.format)
	if err != nil {
		return usageErr("%v", err)
	}
	if _, err := f.NewRenderer(b.opts); err != nil {
		return usageErr("%v", err)
	}
	ins, err := expand(b.args)
	if err != nil {
		return usageErr("%v", err)
	}
	files := make([]*batchFile, len(ins))
	byOut := map[string]string{}
	for i, in := range ins {
		out := filepath.Join(b.dir, outputName(in, f.Ext))
		// Compared without case: on Windows and macOS they are one file.
		key := strings.ToLower(out)
		if prev, ok := byOut[key]; ok {
			if prev == in {
				return usageErr("%s is given twice", in)
			}
			return usageErr("%s and %s would both be written to %s", prev, in, out)
		}
		byOut[key] = in
		if ost, err := os.Stat(out); err == nil {
			if ist, err := os.Stat(in); err == nil && os.SameFile(ist, ost) {
				return usageErr("%s would be replaced by its own conversion: give another OUTDIR", in)
			}
		}
		files[i] = &batchFile{in: in, out: out}
	}
	if err := os.MkdirAll(b.dir, 0o777); err != nil {
		fmt.Fprintf(stderr, "folio convert: %v\n", err)
		return exitInvalid
	}

	var done, failed atomic.Int64
	stopProgress := startBatchProgress(stderr, b.quiet, files, &done, &failed)
	next := make(chan *batchFile)
	var wg sync.WaitGroup
	for range min(b.jobs, len(files)) {
		wg.Go(func() {
			for bf := range next {
				bf.err = convertFile(ctx, f, b.opts, bf)
				if bf.err != nil {
					failed.Add(1)
				}
				done.Add(1)
			}
		})
	}
	for _, bf := range files {
		if ctx.Err() != nil {
			break
		}
		bf.started = true
		select {
		case next <- bf:
		case <-ctx.Done():
			bf.started = false
		}
	}
	close(next)
	wg.Wait()
	stopProgress()

	converted, notStarted := 0, 0
	for _, bf := range files {
		switch {
		case !bf.started:
			notStarted++
		case bf.err != nil:
			printFirstViolation(stderr, bf.in, bf.err)
		default:
			converted++
		}
	}
	summary := fmt.Sprintf("converted %d of %d files", converted, len(files))
	if len(files) == 1 {
		summary = fmt.Sprintf("converted %d of 1 file", converted)
	}
	if n := len(files) - converted - notStarted; n > 0 {
		summary += fmt.Sprintf(", %d failed", n)
	}
	if notStarted > 0 {
		summary += fmt.Sprintf(", %d not started: %v", notStarted, context.Cause(ctx))
	}
	if converted < len(files) || !b.quiet {
		fmt.Fprintln(stderr, summary)
	}
	if converted < len(files) {
		return exitInvalid
	}
	return exitOK
}

// convertFile converts bf.in to bf.out atomically, as `convert -o` does.
func convertFile(ctx context.Context, f render.Format, opts render.Options, bf *batchFile) error {
	r, err := f.NewRenderer(opts)
	if err != nil {
		return err
	}
	src, err := os.Open(bf.in)
	if err != nil {
		return unwrapPath(err)
	}
	defer src.Close()
	bf.cr.r = src
	doc := read(&bf.cr)
	return writeAtomic(ctx, bf.out, func(w io.Writer) error { return r.Render(ctx, w, doc) })
}

// outputName is the name of in's output with extension ext: its base name
// with ext for its extension ("a/q3.json" gives "q3.xlsx"; a name that is
// all extension, ".json", keeps it: ".json.xlsx").
func outputName(in, ext string) string {
	base := filepath.Base(in)
	if stem := strings.TrimSuffix(base, filepath.Ext(base)); stem != "" {
		base = stem
	}
	return base + ext
}

// expand returns args with each glob pattern (an argument with *, ? or [
// that names no file) replaced by the files it matches, sorted: a shell
// that does not expand them (Windows') passes them as they are.
func expand(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "-" {
			return nil, errors.New("standard input cannot be converted with -d: give files")
		}
		if !strings.ContainsAny(a, "*?[") {
			out = append(out, a)
			continue
		}
		if _, err := os.Lstat(a); err == nil {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(a)
		if err != nil {
			return nil, fmt.Errorf("bad pattern %q: %v", a, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("no file matches %q", a)
		}
		out = append(out, m...)
	}
	return out, nil
}

// printFirstViolation prints what made the conversion of name fail on one
// line: "NAME: POINTER: MESSAGE" for an invalid document (its first
// violation), else "NAME: ERROR".
func printFirstViolation(w io.Writer, name string, err error) {
	var v *report.Violation
	if errors.As(err, &v) {
		fmt.Fprintf(w, "%s: %s: %s\n", name, report.PointerString(v.Pointer), v.Message)
		return
	}
	fmt.Fprintf(w, "%s: %v\n", name, err)
}

// startBatchProgress shows files done of the total, failures, rows read and
// elapsed time on stderr while a batch runs, when stderr is a terminal,
// quiet is off and the batch lasts over a second. It returns a function
// that stops and clears the display.
func startBatchProgress(stderr io.Writer, quiet bool, files []*batchFile, done, failed *atomic.Int64) func() {
	f, ok := terminal(stderr)
	if quiet || !ok {
		return func() {}
	}
	return showProgress(f, func(el time.Duration) (string, bool) {
		if el < time.Second {
			return "", false
		}
		var rows int64
		for _, bf := range files {
			rows += bf.cr.rows.Load()
		}
		line := fmt.Sprintf("%d of %d files", done.Load(), len(files))
		if n := failed.Load(); n > 0 {
			line += fmt.Sprintf(" (%d failed)", n)
		}
		return fmt.Sprintf("%s · %s rows · %s rows/s · %s", line, count(rows), count(int64(float64(rows)/el.Seconds())), el.Round(100*time.Millisecond)), true
	})
}
