// Package rendertest checks that a renderer keeps the promises every folio
// format makes: empty documents, non-ASCII text, strange runes, failing
// writers, cancelled contexts, errors deep inside a long table, the same
// bytes for the same input, and numbers shown as their format, locale,
// totals, footers and links say ([Formats] checks every case of
// numfmttest.Cases), and every kind of element shown ([Kinds]).
package rendertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/report"
)

// A Renderer is what the suite tests; every folio format's renderer is one.
type Renderer interface {
	Render(ctx context.Context, w io.Writer, doc *report.Document) error
}

// Config describes the format under test.
type Config struct {
	// New returns a renderer with default options.
	New func() Renderer
	// Text parses an output back and returns its visible text (cells,
	// captions, paragraphs), failing t if the output does not parse.
	Text func(t *testing.T, out []byte) string
	// NoCJK says the format's default fonts cannot show Chinese, Japanese
	// or Korean text, so the suite only checks that such text renders
	// without error, not that it survives.
	NoCJK bool
	// NoParagraphs says the format shows tables only (CSV): the suite does
	// not look for the text of paragraphs, headings, key figures, table
	// captions or the title in its output.
	NoParagraphs bool
	// NoPage says the format has no printed pages (Markdown, CSV): the
	// suite does not look for the text of the document's page header and
	// footer in its output.
	NoPage bool
	// Rows is the length of the long table used for the failing-writer,
	// cancellation and late-error checks; 0 means 20,000.
	Rows int
	// Raw says the format shows values as given, not formatted with their
	// column's format (CSV by default, JSON), so the suite looks for the
	// values' exact text.
	Raw bool
	// NoFooter says the format does not show tables' footers (CSV by
	// default).
	NoFooter bool
	// Links, if not nil, returns the targets of the hyperlinks in an
	// output, which the suite compares with the document's links.
	Links func(t *testing.T, out []byte) []string
}

// Scripts holds text in several scripts that must survive every format.
var Scripts = []string{
	"Grüße aus Köln: Straße, Maß, Äpfel",
	"Ελληνικά: Καλημέρα κόσμε",
	"Кириллица: Съешь же ещё этих мягких булок",
	"Français: déjà vu, naïve, cœur",
}

// CJK holds Chinese, Japanese and Korean text.
var CJK = []string{"中文报告", "日本語のレポート", "한국어 보고서"}

// Strange holds text that has broken renderers: control characters, runes
// outside the Basic Multilingual Plane, bidi overrides, combining marks,
// a non-character, markup and formula look-alikes, and a long word.
var Strange = []string{
	"nul\x00bell\x07esc\x1b",
	"emoji 😀👍🏽 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
	"bidi \u202eoverride\u202c and \u200bzero width",
	"combining a\u0301\u0300\u0302 alone: \u0301",
	"non-character \uffff and \ufffe",
	"<script>alert(1)</script> & \"quotes\" 'apos'",
	"=SUM(A1:A2)",
	"line\nbreak\r\nand\ttab",
	strings.Repeat("long", 600),
	"",
}

// Run runs the suite.
func Run(t *testing.T, c Config) {
	if c.Rows == 0 {
		c.Rows = 20000
	}
	t.Run("Empty", func(t *testing.T) { testEmpty(t, c) })
	t.Run("NonASCII", func(t *testing.T) { testNonASCII(t, c) })
	t.Run("Strange", func(t *testing.T) { testStrange(t, c) })
	t.Run("LongMarkdown", func(t *testing.T) { testLongMarkdown(t, c) })
	t.Run("FailingWriter", func(t *testing.T) { testFailingWriter(t, c) })
	t.Run("CancelledBefore", func(t *testing.T) { testCancelledBefore(t, c) })
	t.Run("CancelledDuring", func(t *testing.T) { testCancelledDuring(t, c) })
	t.Run("InvalidLate", func(t *testing.T) { testInvalidLate(t, c) })
	t.Run("RowError", func(t *testing.T) { testRowError(t, c) })
	t.Run("Deterministic", func(t *testing.T) { testDeterministic(t, c) })
	t.Run("Decoded", func(t *testing.T) { testDecoded(t, c) })
	t.Run("DecodedFailingWriter", func(t *testing.T) { testDecodedFailingWriter(t, c) })
	t.Run("DecodedCancelledDuring", func(t *testing.T) { testDecodedCancelledDuring(t, c) })
	t.Run("Numbers", func(t *testing.T) { Numbers(t, c) })
	t.Run("Kinds", func(t *testing.T) { Kinds(t, c) })
}

func render(t *testing.T, c Config, doc *report.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := c.New().Render(context.Background(), &buf, doc); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

// testEmpty renders documents with nothing to show: the output parses, a
// document without elements gives the same bytes whether built or
// decoded, and a table without rows still shows its header.
func testEmpty(t *testing.T, c Config) {
	built := render(t, c, report.New(""))
	decoded := render(t, c, report.Read(strings.NewReader(`{"elements":[]}`)))
	c.Text(t, built)
	if !bytes.Equal(built, decoded) {
		t.Errorf("a document without elements: %d bytes built, %d decoded; want the same bytes", len(built), len(decoded))
	}
	noRows := render(t, c, report.New("", report.NewTable("Empty", []report.Column{{Caption: "Header"}}, report.RowsOf())))
	if text := c.Text(t, noRows); !strings.Contains(text, "Header") {
		t.Errorf("a table without rows does not show its column's caption: text %q", text)
	}
}

// textTable returns a document with one table and one paragraph per text.
func textTable(texts []string) *report.Document {
	cols := make([]report.Column, len(texts))
	cells := make([]report.Value, len(texts))
	els := []report.Element{}
	for i, s := range texts {
		cols[i] = report.Column{Caption: fmt.Sprintf("C%d %.12s", i, s)}
		cells[i] = report.String(s)
		els = append(els, &report.Paragraph{Runs: []report.Run{{Text: s}}})
	}
	tab := report.NewTable(texts[0], cols, report.RowsOf(report.Cells(cells...), report.Cells(cells...)))
	return report.New(texts[0], append([]report.Element{tab}, els...)...)
}

func testNonASCII(t *testing.T, c Config) {
	texts := Scripts
	if !c.NoCJK {
		texts = append(append([]string{}, Scripts...), CJK...)
	} else {
		render(t, c, textTable(CJK)) // must not fail
	}
	got := norm(c.Text(t, render(t, c, textTable(texts))))
	for _, s := range texts {
		for _, word := range strings.Fields(s) {
			if !strings.Contains(got, norm(word)) {
				t.Errorf("output text lacks %q (from %q)", word, s)
			}
		}
	}
}

// norm folds whitespace so that wrapped text compares equal.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

func testStrange(t *testing.T, c Config) {
	out := render(t, c, textTable(Strange))
	got := c.Text(t, out)
	if !strings.Contains(got, "alert(1)") {
		t.Errorf("output text lacks the markup look-alike as text")
	}
	// Invalid UTF-8 from a Go program must not break the output either.
	c.Text(t, render(t, c, textTable([]string{"bad \xff\xfe utf-8", "ok"})))
}

// testLongMarkdown checks a Markdown run over report.MaxMarkdown is shown as
// plain text: its emphasis delimiters are text, not markup.
func testLongMarkdown(t *testing.T, c Config) {
	long := strings.Repeat("**b** ", report.MaxMarkdown/6+100)
	doc := report.New("", &report.Paragraph{Runs: []report.Run{{Text: long, Markdown: true}}},
		&report.Paragraph{Runs: []report.Run{{Text: "*short*", Markdown: true}}})
	got := c.Text(t, render(t, c, doc))
	if c.NoParagraphs {
		return
	}
	if !strings.Contains(got, "**b** **b** **b**") {
		t.Errorf("a Markdown run of %d bytes is not shown as plain text", len(long))
	}
}

// longTable returns a document with a table of n rows of mixed values.
func longTable(n int, rows func(yield func(report.Row, error) bool) bool) *report.Document {
	cols := []report.Column{{Caption: "Name"}, {Caption: "Amount", Type: report.TypeNumber}, {Caption: "Done", Type: report.TypeBoolean}, {Caption: "Note"}}
	seq := func(yield func(report.Row, error) bool) {
		if rows != nil {
			rows(yield)
			return
		}
		for i := range n {
			r := report.Cells(report.String(fmt.Sprintf("item %d", i)), report.Int(int64(i*7-50)), report.Bool(i%2 == 0), report.Null)
			if !yield(r, nil) {
				return
			}
		}
	}
	return report.New("Long", report.NewTable("Long table", cols, seq))
}

type failWriter struct {
	n int // bytes accepted before failing
}

var errWrite = errors.New("rendertest: disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	k := w.n
	w.n = 0
	return k, errWrite
}

func testFailingWriter(t *testing.T, c Config) {
	for _, after := range []int{0, 100, 10000} {
		t.Run(fmt.Sprint(after), func(t *testing.T) {
			err := c.New().Render(context.Background(), &failWriter{n: after}, longTable(c.Rows, nil))
			if !errors.Is(err, errWrite) {
				t.Fatalf("Render to a writer failing after %d bytes = %v, want an error wrapping %v", after, err, errWrite)
			}
		})
	}
}

func testCancelledBefore(t *testing.T, c Config) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.New().Render(ctx, io.Discard, longTable(c.Rows, nil))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Render with a cancelled context = %v, want context.Canceled", err)
	}
}

func testCancelledDuring(t *testing.T, c Config) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const at, slack = 1000, 10000
	pulled := 0
	doc := longTable(0, func(yield func(report.Row, error) bool) bool {
		for i := range at + slack + c.Rows {
			pulled = i
			if i == at {
				cancel()
			}
			if !yield(report.Cells(report.String("x"), report.Int(int64(i)), report.Bool(true), report.Null), nil) {
				return false
			}
		}
		return true
	})
	err := c.New().Render(ctx, io.Discard, doc)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Render cancelled after %d rows = %v, want context.Canceled", at, err)
	}
	if pulled > at+slack {
		t.Errorf("Render pulled %d rows after cancellation, want at most %d", pulled-at, slack)
	}
}

func testInvalidLate(t *testing.T, c Config) {
	n := c.Rows
	var b strings.Builder
	b.WriteString(`{"elements":[{"type":"table","caption":"T","data":{"columns":[{"caption":"A"},{"caption":"B"}],"rows":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if i == n-1 {
			fmt.Fprintf(&b, `{"cells":[{"value":%d}]}`, i)
			continue
		}
		fmt.Fprintf(&b, `{"cells":[{"value":%d},{"value":"row %d"}]}`, i, i)
	}
	b.WriteString(`]}}]}`)
	err := c.New().Render(context.Background(), io.Discard, report.Read(strings.NewReader(b.String())))
	var v *report.Violation
	if !errors.As(err, &v) {
		t.Fatalf("Render of a table whose last row is bad = %v, want a *report.Violation", err)
	}
	if want := fmt.Sprintf("/elements/0/data/rows/%d/cells", n-1); v.Pointer != want {
		t.Errorf("violation at %q, want %q", v.Pointer, want)
	}
}

var errRows = errors.New("rendertest: query failed")

func testRowError(t *testing.T, c Config) {
	doc := longTable(0, func(yield func(report.Row, error) bool) bool {
		for i := range 3000 {
			if !yield(report.Cells(report.String("x"), report.Int(int64(i)), report.Bool(true), report.Null), nil) {
				return false
			}
		}
		return yield(report.Row{}, errRows)
	})
	if err := c.New().Render(context.Background(), io.Discard, doc); !errors.Is(err, errRows) {
		t.Fatalf("Render with a failing row source = %v, want %v", err, errRows)
	}
}

func testDeterministic(t *testing.T, c Config) {
	mk := func() *report.Document { return textTable(append(append([]string{}, Scripts...), "12.50")) }
	a, b := render(t, c, mk()), render(t, c, mk())
	if !bytes.Equal(a, b) {
		t.Errorf("two renders of the same document differ (%d and %d bytes)", len(a), len(b))
	}
}

// longJSON returns longTable(n) as JSON, and the offset in it of every
// thousandth row.
func longJSON(n int) (string, []int) {
	var b strings.Builder
	var at []int
	b.WriteString(`{"title":"Long","elements":[{"type":"table","caption":"Long table","data":{"columns":[{"caption":"Name"},{"caption":"Amount","type":"number"},{"caption":"Done","type":"boolean"},{"caption":"Note"}],"rows":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if i%1000 == 0 {
			at = append(at, b.Len())
		}
		fmt.Fprintf(&b, `{"cells":[{"value":"item %d"},{"value":%d},{"value":%t},{"value":null}]}`, i, i*7-50, i%2 == 0)
	}
	b.WriteString(`]}}]}`)
	return b.String(), at
}

// noGoroutines fails t if more goroutines run than before, once those
// that are ending have ended: Render leaves none behind.
func noGoroutines(t *testing.T, before int) {
	t.Helper()
	for range 200 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Errorf("%d goroutines run after Render, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
}

// testDecoded renders a long decoded table with GOMAXPROCS 1 and 4: the
// same bytes, and the same as the table built in Go.
func testDecoded(t *testing.T, c Config) {
	in, _ := longJSON(c.Rows)
	var outs [2][]byte
	for k, procs := range []int{1, 4} {
		prev := runtime.GOMAXPROCS(procs)
		before := runtime.NumGoroutine()
		outs[k] = render(t, c, report.Read(strings.NewReader(in)))
		runtime.GOMAXPROCS(prev)
		noGoroutines(t, before)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Errorf("a decoded table of %d rows: %d bytes with GOMAXPROCS=1, %d with 4; want the same bytes", c.Rows, len(outs[0]), len(outs[1]))
	}
	if built := render(t, c, longTable(c.Rows, nil)); !bytes.Equal(built, outs[1]) {
		t.Errorf("a table of %d rows: %d bytes built, %d decoded; want the same bytes", c.Rows, len(built), len(outs[1]))
	}
}

func testDecodedFailingWriter(t *testing.T, c Config) {
	in, _ := longJSON(c.Rows)
	for _, after := range []int{0, 10000} {
		t.Run(fmt.Sprint(after), func(t *testing.T) {
			before := runtime.NumGoroutine()
			err := c.New().Render(context.Background(), &failWriter{n: after}, report.Read(strings.NewReader(in)))
			if !errors.Is(err, errWrite) {
				t.Fatalf("Render of a decoded table to a writer failing after %d bytes = %v, want an error wrapping %v", after, err, errWrite)
			}
			noGoroutines(t, before)
		})
	}
}

// cancelReader cancels once more than at bytes are read, and counts them.
type cancelReader struct {
	r      io.Reader
	at, n  int
	cancel func()
}

func (c *cancelReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n += n; c.n > c.at {
		c.cancel()
	}
	return n, err
}

// testDecodedCancelledDuring cancels the rendering of a decoded table once
// its row 1000 is read: Render stops within about 10,000 rows (what
// testCancelledDuring allows), with no goroutine left behind.
func testDecodedCancelledDuring(t *testing.T, c Config) {
	const at, slack = 1000, 10000
	in, rows := longJSON(at + slack + c.Rows)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := runtime.NumGoroutine()
	r := &cancelReader{r: strings.NewReader(in), at: rows[at/1000], cancel: cancel}
	err := c.New().Render(ctx, io.Discard, report.Read(r))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Render of a decoded table cancelled after %d rows = %v, want context.Canceled", at, err)
	}
	if limit := rows[(at+slack)/1000] + 256<<10; r.n > limit {
		t.Errorf("Render read %d bytes, more than the %d of %d rows after cancellation and a buffer", r.n, limit, slack)
	}
	noGoroutines(t, before)
}
