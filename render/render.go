package render

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// New returns a renderer configured by opts. It fails with an
	// *OptionError on an unknown key or a bad value.
	New func(opts Options) (Renderer, error)
}

// Options configure a renderer from text, as the CLI's --opt key=value and
// the server's query parameters give them. Go programs set the renderer's
// typed fields instead.
type Options map[string]string

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

// An OptionReader reads typed values from Options and remembers the first
// error, so a constructor reads every option and checks once.
type OptionReader struct {
	Format string
	opts   Options
	seen   map[string]bool
	err    error
}

// Read returns an OptionReader over o for the named format.
func (o Options) Read(format string) *OptionReader {
	return &OptionReader{Format: format, opts: o, seen: map[string]bool{}}
}

func (r *OptionReader) get(key string) (string, bool) {
	r.seen[key] = true
	v, ok := r.opts[key]
	return v, ok
}

func (r *OptionReader) fail(key, value, reason string) {
	if r.err == nil {
		r.err = &OptionError{Format: r.Format, Key: key, Value: value, Reason: reason}
	}
}

// Bool returns the option key as a boolean (true, false, 1, 0, yes, no, on,
// off), or def if it is not set.
func (r *OptionReader) Bool(key string, def bool) bool {
	v, ok := r.get(key)
	if !ok {
		return def
	}
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on", "":
		return true
	case "0", "false", "no", "off":
		return false
	}
	r.fail(key, v, "must be true or false")
	return def
}

// Int returns the option key as an integer within [lo, hi], or def.
func (r *OptionReader) Int(key string, def, lo, hi int) int {
	v, ok := r.get(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(key, v, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

// String returns the option key, or def. If choices are given, the value
// must be one of them.
func (r *OptionReader) String(key, def string, choices ...string) string {
	v, ok := r.get(key)
	if !ok {
		return def
	}
	if len(choices) > 0 && !slices.Contains(choices, v) {
		r.fail(key, v, "must be one of "+strings.Join(choices, ", "))
		return def
	}
	return v
}

// Err returns the first bad value, or else an error for a key that was
// never read: an unknown option.
func (r *OptionReader) Err() error {
	if r.err != nil {
		return r.err
	}
	keys := make([]string, 0, len(r.opts))
	for k := range r.opts {
		if !r.seen[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		slices.Sort(keys)
		return &OptionError{Format: r.Format, Key: keys[0], Reason: "unknown option"}
	}
	return nil
}

// ErrUnknownFormat is returned for a format name or extension that no
// registered Format has.
var ErrUnknownFormat = errors.New("render: unknown format")

var (
	mu      sync.RWMutex
	formats = map[string]Format{}
)

// Register adds f to the formats that Lookup, ByExt and Formats know. Like
// sql.Register, it panics if f.Name or f.Ext is taken, or if f has no name,
// media type, extension or constructor. It is safe for concurrent use.
func Register(f Format) {
	if f.Name == "" || f.MediaType == "" || !strings.HasPrefix(f.Ext, ".") || f.New == nil {
		panic("render: Register of an incomplete Format " + strconv.Quote(f.Name))
	}
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

// NewRenderer builds a renderer of f from opts. The renderer it returns
// turns a panic inside Render into an error, so one bad document cannot take
// down a server.
func (f Format) NewRenderer(opts Options) (Renderer, error) {
	r, err := f.New(opts)
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
