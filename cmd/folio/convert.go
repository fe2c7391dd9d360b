package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/foliorender/folio/internal/writeback"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/schema"
)

const convertSynopsis = `folio convert [--format F] [-o OUT] [--opt KEY=VALUE]... [--quiet] [IN]
       folio convert --format F -d OUTDIR [-j N] [--opt KEY=VALUE]... [--quiet] IN...

Reads a report document from IN (default: standard input), checks it as it
reads, and writes it in format F (default: OUT's extension) to OUT (default:
standard output). OUT is written atomically: on any failure no file is left
at OUT.

With -d, converts every IN (a glob pattern such as 'in/*.json' is expanded
too) into OUTDIR, created if missing, as OUTDIR/NAME.EXT (IN's base name
with F's extension), N files at a time, each atomically; a failure does not
stop the others. Prints each failure and a summary to standard error; exit
status 1 if any failed.

'folio formats --options' lists the formats and their options.`

func runConvert(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("convert")
	format := fs.String("format", "", "output `format` (json, csv, md, ...); default: OUT's extension")
	fs.StringVar(format, "f", "", "shorthand for --format")
	out := fs.String("o", "", "output `file`; default: standard output")
	fs.StringVar(out, "output", "", "same as -o")
	opts := render.Options{}
	fs.Var(optFlag(opts), "opt", "renderer option `key=value` (repeatable)")
	quiet := fs.Bool("quiet", false, "show no progress (with -d: and no summary when all succeed)")
	fs.BoolVar(quiet, "q", false, "shorthand for --quiet")
	dir := fs.String("d", "", "convert every IN into `OUTDIR` (see above)")
	fs.StringVar(dir, "dir", "", "same as -d")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "with -d: convert `N` files at a time; default: the number of CPUs")
	fs.IntVar(jobs, "jobs", runtime.GOMAXPROCS(0), "same as -j")
	pos, code, ok := parse(fs, convertSynopsis, args, stdout, stderr)
	if !ok {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "folio convert: "+format+"\n", a...)
		return exitUsage
	}
	if *dir != "" {
		if *out != "" {
			return usageErr("give -o or -d, not both")
		}
		return convertBatch(ctx, batch{format: *format, dir: *dir, jobs: *jobs, opts: opts, quiet: *quiet, args: pos}, stderr)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["j"] || set["jobs"] {
		return usageErr("-j goes with -d OUTDIR")
	}
	if len(pos) > 1 {
		return usageErr("one input at most, got %d: %s", len(pos), strings.Join(pos, " "))
	}
	in := "-"
	if len(pos) == 1 {
		in = pos[0]
	}

	var f render.Format
	var err error
	switch {
	case *format != "":
		f, err = render.Lookup(*format)
	case *out != "" && *out != "-":
		if filepath.Ext(*out) == "" {
			return usageErr("cannot tell the format of %q: give --format", *out)
		}
		f, err = render.ByExt(filepath.Ext(*out))
	default:
		return usageErr("give --format when writing to standard output")
	}
	if err != nil {
		return usageErr("%v", err)
	}
	r, err := f.NewRenderer(opts)
	if err != nil {
		return usageErr("%v", err)
	}

	name := in
	var src io.Reader = stdin
	var size int64 = -1
	if in != "-" {
		file, err := os.Open(in)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", in, unwrapPath(err))
			return exitInvalid
		}
		defer file.Close()
		if st, err := file.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		src = file
	} else {
		name = "<stdin>"
	}

	cr := &countingReader{r: src}
	stopProgress := startProgress(stderr, *quiet, cr, size)
	doc := read(cr)
	if *out == "" || *out == "-" {
		err = r.Render(ctx, stdout, doc)
	} else {
		err = writeOutput(ctx, *out, func(w io.Writer) error { return r.Render(ctx, w, doc) })
	}
	stopProgress()
	if err != nil {
		var v *report.Violation
		if errors.As(err, &v) {
			printViolations(stderr, name, err)
		} else {
			fmt.Fprintf(stderr, "folio convert: %v\n", err)
		}
		return exitInvalid
	}
	return exitOK
}

// writeOutput writes path with write: atomically (see writeAtomic) for a
// regular file or a new one, through a symbolic link to its target, and
// directly to anything else that exists there (a device such as /dev/null,
// a pipe), which renaming would replace.
func writeOutput(ctx context.Context, path string, write func(io.Writer) error) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
		if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			if err := write(f); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}
	}
	return writeAtomic(ctx, path, write)
}

// writeAtomic calls write with a temporary file in path's directory and,
// when it succeeds and ctx is still live, syncs the file and renames it to
// path. On any failure the temporary file is removed and path is untouched.
func writeAtomic(ctx context.Context, path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := writeback.Start(tmp)
	err = write(w)
	w.Stop()
	if err != nil {
		return err
	}
	// A signal that came while the last element was written still counts.
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// read returns the document decoded from r and held to the schema, as
// schema.Read does, counting its rows in r.rows for the progress display.
func read(r *countingReader) *report.Document {
	return report.ReadWith(r, report.ReadOptions{Check: schema.Check, Rows: &r.rows})
}

// A countingReader counts the bytes read through it and, through [read],
// the rows decoded from them.
type countingReader struct {
	r    io.Reader
	n    atomic.Int64
	rows atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// startProgress shows bytes and rows read, rate and elapsed time on stderr while a
// conversion runs, when stderr is a terminal, quiet is off, and the input is
// large (over 8 MiB) or its size unknown and the conversion lasts over a
// second. It returns a function that stops and clears the display.
func startProgress(stderr io.Writer, quiet bool, cr *countingReader, size int64) func() {
	f, ok := terminal(stderr)
	if quiet || !ok || (size >= 0 && size < 8<<20) {
		return func() {}
	}
	return showProgress(f, func(el time.Duration) (string, bool) {
		if size < 0 && el < time.Second {
			return "", false
		}
		n := cr.n.Load()
		line := fmt.Sprintf("%s read", mib(n))
		if size > 0 {
			line = fmt.Sprintf("%s of %s (%.0f%%)", mib(n), mib(size), 100*float64(n)/float64(size))
		}
		return fmt.Sprintf("%s · %s rows · %s/s · %s", line, count(cr.rows.Load()), mib(int64(float64(n)/el.Seconds())), el.Round(100*time.Millisecond)), true
	})
}

// showProgress redraws line's text on f every 250 ms, while line says there
// is one to show for the time elapsed, until the returned function is
// called; that function clears the line and returns once drawing stopped.
func showProgress(f *os.File, line func(elapsed time.Duration) (string, bool)) func() {
	start := time.Now()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		shown := false
		for {
			select {
			case <-done:
				if shown {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			case now := <-tick.C:
				if text, ok := line(now.Sub(start)); ok {
					fmt.Fprintf(f, "\r\033[K%s", text)
					shown = true
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// terminal returns w as a file if it is a terminal.
func terminal(w io.Writer) (*os.File, bool) {
	f, ok := w.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// count writes n with thousands separators: 1,234,567.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
