package render

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/foliorender/folio/report"
)

// A Renderer writes a document in one format. Render reads doc once, in
// order, and returns the first error from doc, w or ctx. It does not close w.
// On error, w may hold part of the output: callers render to a temporary
// file or buffer and publish it only when Render returns nil.
type Renderer interface {
	Render(ctx context.Context, w io.Writer, doc *report.Document) error
}

// A Format is a registered output format.
type Format struct {
	Name      string // "csv"
	MediaType string // "text/csv; charset=utf-8"
	Ext       string // ".csv"
	// Options declares the options New reads: the one list that the CLI's
	// --opt, `folio formats --options`, the README and the OpenAPI
	// document show.
	Options []Option
	// New returns a renderer configured by opts, which hold a value for
	// every declared option: the one given, checked against its
	// declaration, or the default. New may reject a value for a reason
	// the declaration cannot state with opts.Fail.
	New func(opts *OptionReader) (Renderer, error)
}

// Options configure a renderer from text, as the CLI's --opt key=value
// gives them. Go programs set the renderer's typed fields instead.
type Options map[string]string

// An OptionType is the type of an option's value, as text.
type OptionType string

// The types of options.
const (
	Bool   OptionType = "bool"   // true or false (also 1, 0, yes, no, on, off; empty is true)
	Int    OptionType = "int"    // a whole number from Option.Min to Option.Max
	String OptionType = "string" // any text that Option.Check accepts
	Enum   OptionType = "enum"   // one of Option.Values, in any case
)

// An Option declares an option of a [Format].
type Option struct {
	Key      string     // "bom": lower-case letters, digits and hyphens
	Type     OptionType // Bool, Int, String or Enum
	Default  string     // the value when the option is not given, as text ("false", "10000", "guard"); may be empty for a String
	Values   []string   // Enum: the values, as New receives them
	Min, Max int        // Int: the range
	Help     string     // one line: "start with a UTF-8 byte order mark (for Excel)"
	// Check, if set, checks a value of the option's type further and
	// returns why it is not accepted ("must be one character"), or "".
	Check func(value string) string
}

// An OptionError reports an option a format does not accept.
type OptionError struct {
	Format, Key, Value string
	Reason             string // "unknown option", "must be true or false"
}

// Error returns "render: FORMAT: unknown option "KEY"", or the option with
// its value and the reason it was refused.
func (e *OptionError) Error() string {
	if e.Reason == "unknown option" {
		return fmt.Sprintf("render: %s: unknown option %q", e.Format, e.Key)
	}
	return fmt.Sprintf("render: %s: option %s=%q: %s", e.Format, e.Key, e.Value, e.Reason)
}

// parse returns the value of o for text v, as New reads it (an Enum's in
// the case of its declaration, a Bool's as "true" or "false"), or the
// reason v is not one.
func (o *Option) parse(v string) (string, string) {
	switch o.Type {
	case Bool:
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on", "":
			return "true", ""
		case "0", "false", "no", "off":
			return "false", ""
		}
		return "", "must be true or false"
	case Int:
		n, err := strconv.Atoi(v)
		if err != nil || n < o.Min || n > o.Max {
			return "", fmt.Sprintf("must be a whole number from %d to %d", o.Min, o.Max)
		}
		v = strconv.Itoa(n)
	case Enum:
		i := slices.IndexFunc(o.Values, func(w string) bool { return strings.EqualFold(v, w) })
		if i < 0 {
			return "", "must be one of " + strings.Join(o.Values, ", ")
		}
		v = o.Values[i]
	}
	if o.Check != nil {
		if why := o.Check(v); why != "" {
			return "", why
		}
	}
	return v, ""
}

// checkOptions panics if the declarations of f are not usable: a key
// that is empty, malformed or declared twice, an unknown type, an Enum
// without values, an Int range that is empty, a default missing (only a
// String may have none) or refused by its own option, help missing or
// longer than a line.
func checkOptions(f Format) {
	seen := map[string]bool{}
	for i := range f.Options {
		o := &f.Options[i]
		bad := func(why string) {
			panic(fmt.Sprintf("render: format %s: option %q: %s", f.Name, o.Key, why))
		}
		if o.Key == "" || strings.Trim(o.Key, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			bad("a key is lower-case letters, digits and hyphens")
		}
		if seen[o.Key] {
			bad("declared twice")
		}
		seen[o.Key] = true
		switch {
		case o.Type != Bool && o.Type != Int && o.Type != String && o.Type != Enum:
			bad("unknown type " + strconv.Quote(string(o.Type)))
		case o.Type == Enum && len(o.Values) == 0:
			bad("an enum needs values")
		case o.Type == Int && o.Min > o.Max:
			bad("an empty range")
		case o.Help == "" || strings.ContainsAny(o.Help, "\r\n"):
			bad("help must be one line")
		}
		if o.Type != String && o.Default == "" {
			bad("only a string may have no default")
		}
		if o.Default != "" {
			if _, why := o.parse(o.Default); why != "" {
				bad("default " + strconv.Quote(o.Default) + " " + why)
			}
		}
	}
}

// An OptionReader holds a format's options as [Format.ReadOptions] parsed
// them, for its New to read by type. Reading a key the format does not
// declare, or as another type, panics: the format is wrong, not its user.
type OptionReader struct {
	format string
	decl   []Option
	vals   map[string]string
}

// ReadOptions checks opts against f.Options and returns them with the
// defaults of those not given. An undeclared key is an *OptionError
// "unknown option"; a value its declaration refuses, an *OptionError with
// the reason ("must be true or false"). When several are wrong, the
// first key in sorted order is reported.
func (f Format) ReadOptions(opts Options) (*OptionReader, error) {
	r := &OptionReader{format: f.Name, decl: f.Options, vals: make(map[string]string, len(f.Options))}
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		i := slices.IndexFunc(f.Options, func(o Option) bool { return o.Key == k })
		if i < 0 {
			return nil, &OptionError{Format: f.Name, Key: k, Reason: "unknown option"}
		}
		v, why := f.Options[i].parse(opts[k])
		if why != "" {
			return nil, &OptionError{Format: f.Name, Key: k, Value: opts[k], Reason: why}
		}
		r.vals[k] = v
	}
	for _, o := range f.Options {
		if _, ok := r.vals[o.Key]; !ok {
			v := o.Default
			if v != "" {
				v, _ = o.parse(v) // checked by Register
			}
			r.vals[o.Key] = v
		}
	}
	return r, nil
}

func (r *OptionReader) get(key string, types ...OptionType) string {
	i := slices.IndexFunc(r.decl, func(o Option) bool { return o.Key == key })
	if i < 0 || !slices.Contains(types, r.decl[i].Type) {
		panic(fmt.Sprintf("render: format %s reads option %q as %v, which it does not declare", r.format, key, types))
	}
	return r.vals[key]
}

// Bool returns the value of the Bool option key.
func (r *OptionReader) Bool(key string) bool { return r.get(key, Bool) == "true" }

// Int returns the value of the Int option key.
func (r *OptionReader) Int(key string) int {
	n, _ := strconv.Atoi(r.get(key, Int))
	return n
}

// String returns the value of the String or Enum option key.
func (r *OptionReader) String(key string) string { return r.get(key, String, Enum) }

// Fail returns an *OptionError for the value of option key with reason:
// for what New finds wrong that a declaration cannot say (a font file
// that cannot be read).
func (r *OptionReader) Fail(key, reason string) error {
	return &OptionError{Format: r.format, Key: key, Value: r.get(key, Bool, Int, String, Enum), Reason: reason}
}

// ErrUnknownFormat is returned for a format name or extension that no
// registered Format has.
var ErrUnknownFormat = errors.New("render: unknown format")

var (
	mu      sync.RWMutex
	formats = map[string]Format{}
)

// Register adds f to the formats that Lookup, ByExt and Formats know. Like
// sql.Register, it panics if f.Name or f.Ext is taken, if f has no name,
// media type, extension or constructor, or if its Options are not usable
// (a key declared twice, a default its option refuses). It is safe for
// concurrent use.
func Register(f Format) {
	if f.Name == "" || f.MediaType == "" || !strings.HasPrefix(f.Ext, ".") || f.New == nil {
		panic("render: Register of an incomplete Format " + strconv.Quote(f.Name))
	}
	checkOptions(f)
	mu.Lock()
	defer mu.Unlock()
	for _, g := range formats {
		if g.Name == f.Name {
			panic("render: Register called twice for format " + f.Name)
		}
		if strings.EqualFold(g.Ext, f.Ext) {
			panic("render: extension " + f.Ext + " of format " + f.Name + " is taken by " + g.Name)
		}
	}
	formats[f.Name] = f
}

// Lookup returns the format registered under name (case-insensitive).
func Lookup(name string) (Format, error) {
	mu.RLock()
	defer mu.RUnlock()
	if f, ok := formats[strings.ToLower(name)]; ok {
		return f, nil
	}
	return Format{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownFormat, name, strings.Join(names(), ", "))
}

// ByExt returns the format whose extension is ext (".xlsx" or "xlsx",
// case-insensitive).
func ByExt(ext string) (Format, error) {
	if !strings.HasPrefix(ext, ".") {
		ext = "." + ext
	}
	mu.RLock()
	defer mu.RUnlock()
	for _, f := range formats {
		if strings.EqualFold(f.Ext, ext) {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("%w: no format has extension %q (known: %s)", ErrUnknownFormat, ext, strings.Join(names(), ", "))
}

func names() []string {
	n := make([]string, 0, len(formats))
	for k := range formats {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}

// Formats returns the registered formats sorted by name.
func Formats() []Format {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Format, 0, len(formats))
	for _, n := range names() {
		out = append(out, formats[n])
	}
	return out
}

// NewRenderer builds a renderer of f from opts, read by [Format.ReadOptions]:
// it fails with an *OptionError on an unknown key or a bad value. The
// renderer it returns turns a panic inside Render into an error, so one
// bad document cannot take down a server.
func (f Format) NewRenderer(opts Options) (Renderer, error) {
	o, err := f.ReadOptions(opts)
	if err != nil {
		return nil, err
	}
	r, err := f.New(o)
	if err != nil {
		return nil, err
	}
	return Safe(f.Name, r), nil
}

// Safe returns a Renderer that calls r and turns a panic into an error that
// names the format.
func Safe(name string, r Renderer) Renderer { return safe{name, r} }

type safe struct {
	name string
	r    Renderer
}

func (s safe) Render(ctx context.Context, w io.Writer, doc *report.Document) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Format: s.name, Value: p, Stack: debug.Stack()}
		}
	}()
	return s.r.Render(ctx, w, doc)
}

// A PanicError is a panic inside a renderer, turned into an error by the
// renderer [Safe] returns.
type PanicError struct {
	Format string
	Value  any
	Stack  []byte
}

// Error names the format and the panic's value; the stack stays in Stack,
// for logs, out of messages that reach users.
func (e *PanicError) Error() string {
	return fmt.Sprintf("render: %s renderer failed: %v", e.Format, e.Value)
}
