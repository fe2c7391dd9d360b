// Command folio converts report documents between formats, validates them
// and serves them over HTTP. Run `folio help` for usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/schema"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK      = 0
	exitInvalid = 1 // invalid input or a failed conversion
	exitUsage   = 2
)

const usage = `folio renders report documents (JSON) as JSON, CSV, Markdown, XLSX, PDF and HTML.

Usage:
  folio convert [--format F] [-o OUT] [--opt KEY=VALUE]... [--quiet] [IN]
  folio convert --format F -d OUTDIR [-j N] [--opt KEY=VALUE]... [--quiet] IN...
  folio validate FILE...
  folio schema
  folio formats [--options]
  folio serve [--addr :8080] [--data DIR] [--tokens-file F]
  folio openapi
  folio version

IN defaults to standard input and OUT to standard output; F defaults to
OUT's extension. Exit status: 0 success, 1 invalid input or failed
conversion, 2 usage error. Run 'folio COMMAND --help' for a command's flags.
`

// commands maps each subcommand to its function; serve.go adds serve,
// openapi.go openapi.
var commands = map[string]func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int{
	"convert":  runConvert,
	"validate": runValidate,
	"schema":   runSchema,
	"formats":  runFormats,
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "folio: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	return cmd(ctx, args[1:], stdin, stdout, stderr)
}

// newFlags returns a flag set that reports errors to its caller.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args allowing flags after positional arguments, as in
// `folio convert in.json -o out.xlsx`. It returns the positional arguments,
// or an exit status when parsing ends the command (help or a usage error).
func parse(fs *flag.FlagSet, synopsis string, args []string, stdout, stderr io.Writer) ([]string, int, bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(fs, synopsis, stdout)
				return nil, exitOK, false
			}
			fmt.Fprintf(stderr, "folio %s: %v\n", fs.Name(), err)
			printUsage(fs, synopsis, stderr)
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func printUsage(fs *flag.FlagSet, synopsis string, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\nFlags:\n", synopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// optFlag collects repeated --opt key=value flags.
type optFlag render.Options

func (o optFlag) String() string { return "" }

func (o optFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	o[k] = v
	return nil
}

// printViolations prints an error from reading a document: one line per
// violation, "NAME: POINTER: MESSAGE".
func printViolations(w io.Writer, name string, err error) {
	var ve *schema.ValidationError
	var v *report.Violation
	switch {
	case errors.As(err, &ve):
		for _, v := range ve.Violations {
			fmt.Fprintf(w, "%s: %s: %s\n", name, report.PointerString(v.Pointer), v.Message)
		}
		if ve.More > 0 {
			fmt.Fprintf(w, "%s: and %d more violations\n", name, ve.More)
		}
	case errors.As(err, &v):
		fmt.Fprintf(w, "%s: %s: %s\n", name, report.PointerString(v.Pointer), v.Message)
	default:
		fmt.Fprintf(w, "%s: %v\n", name, err)
	}
}

func runSchema(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	const synopsis = "folio schema\n\nPrints the JSON Schema (draft 2020-12) of the report document."
	fs := newFlags("schema")
	pos, code, ok := parse(fs, synopsis, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "folio schema: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if _, err := stdout.Write(schema.JSON()); err != nil {
		fmt.Fprintf(stderr, "folio schema: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

func runFormats(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	const synopsis = "folio formats [--options]\n\nLists the output formats: name, media type, extension; with --options, each\nformat's options instead (convert's --opt KEY=VALUE): key, type, default\nand what it does."
	fs := newFlags("formats")
	options := fs.Bool("options", false, "list the formats' options")
	pos, code, ok := parse(fs, synopsis, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "folio formats: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if *options {
		fmt.Fprintln(tw, "FORMAT\tOPTION\tTYPE\tDEFAULT\tDESCRIPTION")
		for _, row := range optionRows() {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
	} else {
		for _, f := range render.Formats() {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, f.MediaType, f.Ext)
		}
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "folio formats: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

// optionRows lists the options of every registered format, in the order
// each declares them: format, key, type, default ("" when none) and help.
// `folio formats --options` prints them and the README's table is made of
// them.
func optionRows() [][]string {
	var rows [][]string
	for _, f := range render.Formats() {
		for _, o := range f.Options {
			typ := string(o.Type)
			switch o.Type {
			case render.Enum:
				typ = strings.Join(o.Values, "|")
			case render.Int:
				typ = fmt.Sprintf("int %d-%d", o.Min, o.Max)
			}
			rows = append(rows, []string{f.Name, o.Key, typ, o.Default, o.Help})
		}
	}
	return rows
}

func runValidate(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const synopsis = "folio validate FILE...\n\nChecks each FILE (- for standard input) against the report schema and prints\nevery violation to standard error as FILE: POINTER: MESSAGE (the first 100\nper file). Exit status 0 when all are valid, 1 otherwise."
	fs := newFlags("validate")
	quiet := fs.Bool("quiet", false, "print nothing for valid files")
	pos, code, ok := parse(fs, synopsis, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "folio validate: no FILE given (use - for standard input)")
		printUsage(fs, synopsis, stderr)
		return exitUsage
	}
	status := exitOK
	for _, name := range pos {
		if err := validateFile(name, stdin); err != nil {
			printViolations(stderr, name, err)
			status = exitInvalid
			continue
		}
		if !*quiet {
			fmt.Fprintf(stdout, "%s: valid\n", name)
		}
	}
	return status
}

// validateFile validates the named file, or stdin for "-".
func validateFile(name string, stdin io.Reader) error {
	if name == "-" {
		return schema.Validate(stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return unwrapPath(err)
	}
	defer f.Close()
	return schema.Validate(f)
}

// unwrapPath drops the operation and path from an *os.PathError, whose
// path the caller prints already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
