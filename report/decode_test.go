package report_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/foliorender/folio/report"
)

// collect reads a whole document in reporting mode and returns every
// violation, the fatal error included.
func collect(in string) []report.Violation {
	var vs []report.Violation
	doc := report.ReadWith(strings.NewReader(in), report.ReadOptions{Report: func(v report.Violation) { vs = append(vs, v) }})
	for _, err := range doc.Elements() {
		if err != nil {
			var v *report.Violation
			if errors.As(err, &v) {
				vs = append(vs, *v)
			} else {
				vs = append(vs, report.Violation{Message: err.Error()})
			}
		}
	}
	return vs
}

// firstError reads a whole document, pulling every row, and returns the
// first error.
func firstError(in string) error { return firstErrorOf(strings.NewReader(in)) }

func table(cols, rows string) string {
	return `{"elements":[{"type":"table","caption":"T","data":{"columns":` + cols + `,"rows":[` + rows + `]}}]}`
}

const cols2 = `[{"caption":"A"},{"caption":"B"}]`

func TestViolations(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // "pointer: message substring"
	}{
		{"valid", table(cols2, `{"cells":[{"value":"x"},{"value":1}]}`), nil},
		{"several bad rows", table(cols2, `{"cells":[{"value":1}]},{"cells":[{"value":1},{"value":2}]},{"cells":[{"value":{}},{"value":2}]},{"cells":[]}`), []string{
			"/elements/0/data/rows/0/cells: row has 1 cell but the table has 2 columns",
			"/elements/0/data/rows/2/cells/0/value: not an object",
			"/elements/0/data/rows/3/cells: row has 0 cells",
		}},
		{"bad elements continue", `{"elements":[{"type":"x","data":{}},{"type":"heading","data":{"text":1}},{"type":"heading","data":{"text":"ok"}},5]}`, []string{
			`/elements/0/type: unknown element type "x"`,
			"/elements/1/data/text: heading text must be a string, not a number",
			"/elements/3: element must be an object, not a number",
		}},
		{"syntax error ends", `{"elements":[{"type":"x","data":{}},{"type": }]}`, []string{
			`/elements/0/type: unknown element type`,
			"/elements/1/type: invalid character '}'",
		}},
		{"late caption", `{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[]},"caption":"late"}]}`, []string{
			"/elements/0/caption: caption must come before data.rows",
		}},
		{"typed columns", table(`[{"caption":"N","type":"number"},{"caption":"D","type":"datetime"}]`,
			`{"cells":[{"value":1.5},{"value":"2024-05-30T05:13:26Z"}]},{"cells":[{"value":null},{"value":null}]},{"cells":[{"value":true},{"value":"2024-05-30"}]}`), []string{
			`/elements/0/data/rows/2/cells/0/value: column "N" holds number values, not a boolean`,
		}},
		{"every column type", table(`[{"caption":"S","type":"string"},{"caption":"N","type":"number"},{"caption":"B","type":"boolean"},{"caption":"D","type":"date"},{"caption":"T","type":"datetime"},{"caption":"A"}]`,
			`{"cells":[{"value":"x"},{"value":-1.50},{"value":false},{"value":"2024-02-29"},{"value":"2024-05-30T05:13:26.5+02:00"},{"value":true}]},`+
				`{"cells":[{"value":null},{"value":null},{"value":null},{"value":null},{"value":null},{"value":null}]},`+
				`{"cells":[{"value":1},{"value":1},{"value":true},{"value":"2024-02-29"},{"value":"2024-05-30T05:13:26Z"},{"value":"x"}]},`+
				`{"cells":[{"value":"x"},{"value":"1"},{"value":true},{"value":"2024-02-29"},{"value":"2024-05-30T05:13:26Z"},{"value":1}]},`+
				`{"cells":[{"value":"x"},{"value":1},{"value":"true"},{"value":"2024-02-29"},{"value":"2024-05-30T05:13:26Z"},{"value":1}]},`+
				`{"cells":[{"value":"x"},{"value":1},{"value":true},{"value":"2024-02-30"},{"value":"2024-05-30T05:13:26Z"},{"value":1}]},`+
				`{"cells":[{"value":"x"},{"value":1},{"value":true},{"value":20240229},{"value":"2024-05-30T05:13:26Z"},{"value":1}]},`+
				`{"cells":[{"value":"x"},{"value":1},{"value":true},{"value":"2024-02-29"},{"value":"2024-05-30"},{"value":1}]},`+
				`{"cells":[{"value":"x"},{"value":1},{"value":true},{"value":"2024-02-29"},{"value":false},{"value":1}]},`+
				`{"cells":[{"value":true},{"value":1},{"value":true},{"value":"2024-02-29"},{"value":"2024-05-30T05:13:26Z"},{"value":null}]}`), []string{
			`/elements/0/data/rows/2/cells/0/value: column "S" holds string values, not a number`,
			`/elements/0/data/rows/3/cells/1/value: column "N" holds number values, not a string`,
			`/elements/0/data/rows/4/cells/2/value: column "B" holds boolean values, not a string`,
			`/elements/0/data/rows/5/cells/3/value: column "D" holds dates like 2006-01-02, not "2024-02-30"`,
			`/elements/0/data/rows/6/cells/3/value: column "D" holds date values, not a number`,
			`/elements/0/data/rows/7/cells/4/value: column "T" holds RFC 3339 date-times like 2006-01-02T15:04:05Z, not "2024-05-30"`,
			`/elements/0/data/rows/8/cells/4/value: column "T" holds datetime values, not a boolean`,
			`/elements/0/data/rows/9/cells/0/value: column "S" holds string values, not a boolean`,
		}},
		{"a footer's cells take any value", `{"elements":[{"type":"table","data":{"columns":[{"caption":"N","type":"number"},{"caption":"D","type":"date"}],` +
			`"rows":[{"cells":[{"value":1},{"value":"2024-02-29"}]}],"footer":[{"cells":[{"value":"Total"},{"value":3}]},{"cells":[{"value":true},{"value":"2024-02-30"}]}]}}]}`, nil},
		{"unknown members ignored", `{"x":{"deep":[1,2,{"a":null}]},"elements":[{"type":"table","extra":1,"data":{"columns":[{"caption":"A","width":3}],"rows":[{"cells":[{"value":1,"style":"b"}],"meta":[]}],"more":true}}]}`, nil},
		{"rows not an array", `{"elements":[{"data":{"columns":[{"caption":"A"}],"rows":{"cells":[]}},"type":"table"}]}`, []string{
			"/elements/0/data/rows: rows must be an array, not an object",
		}},
		{"members of other element types are not read", `{"elements":[{"type":"paragraph","caption":{},"data":{"text":[],"level":"x","columns":5,"rows":{}}},{"type":"heading","data":{"text":"h","columns":[1],"sourceBusinessObject":[]}}]}`, nil},
		{"rows before columns", `{"elements":[{"data":{"rows":[{"cells":[{"value":1}]},{"cells":[]}],"columns":[{"caption":"A"}]},"type":"table"}]}`, []string{
			"/elements/0/data/rows/1/cells: row has 0 cells but the table has 1 column",
		}},
		{"depth", `{"elements":[],"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, []string{
			"/x" + strings.Repeat("/0", report.MaxDepth-1) + ": nesting is deeper than 64 levels",
		}},
		{"depth in a cell", table(`[{"caption":"A"}]`, `{"cells":[{"value":1,"x~/":`+strings.Repeat("[", 57)+strings.Repeat("]", 57)+`}]}`), []string{
			"/elements/0/data/rows/0/cells/0/x~0~1: nesting is deeper than 64 levels",
		}},
		{"depth in a cell at MaxDepth is fine", table(`[{"caption":"A"}]`, `{"cells":[{"value":1,"x":`+strings.Repeat("[", 56)+strings.Repeat("]", 56)+`}]}`), nil},
		{"depth in held rows", `{"elements":[{"type":"table","data":{"rows":[{"cells":[{"value":1}],"x":` + strings.Repeat("{\"a\":", 59) + "1" + strings.Repeat("}", 59) + `}],"columns":[{"caption":"A"}]}}]}`, []string{
			"/elements/0/data/rows/0/x: nesting is deeper than 64 levels",
		}},
		{"syntax error in held rows", `{"elements":[{"data":{"rows":[{"cells":[{"value":1}]},{"cells":[{"value":"\udc00"}]}],"columns":[{"caption":"n"}]},"type":"table"}]}`, []string{
			"/elements/0/data/rows/1: invalid surrogate pair",
		}},
		{"syntax error in a row", table(cols2, `{"cells":[{"value":1},{"value":2}]},{"cells":[{"value":1},{"value":tru}]}`), []string{
			"/elements/0/data/rows/1: invalid character",
		}},
		{"depth at MaxDepth is fine", `{"elements":[],"x":` + strings.Repeat("[", report.MaxDepth-1) + strings.Repeat("]", report.MaxDepth-1) + `}`, nil},
		{"heading level", `{"elements":[{"type":"heading","data":{"text":"h","level":2.0}},{"type":"heading","data":{"text":"h","level":0}}]}`, []string{
			"/elements/1/data/level: level must be a whole number from 1 to 6, not 0",
		}},
		{"empty", ``, []string{"(document): the document is empty"}},
		{"trailing", `{"elements":[]} {}`, []string{"(document): unexpected data after the document"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d violations, want %d:\n%s", len(got), len(tt.want), list(got))
			}
			for i, w := range tt.want {
				ptr, msg, _ := strings.Cut(w, ": ")
				if report.PointerString(got[i].Pointer) != ptr || !strings.Contains(got[i].Message, msg) {
					t.Errorf("violation %d = %s, want %s", i, got[i].Error(), w)
				}
			}
		})
	}
}

func list(vs []report.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("\t" + v.Error() + "\n")
	}
	return b.String()
}

// A reader that fails after giving n bytes shows that rows are yielded as
// they are decoded, not after the whole input is read.
type failAfter struct {
	r io.Reader
	n int
}

var errBroken = errors.New("connection reset")

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errBroken
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func TestStreaming(t *testing.T) {
	var b strings.Builder
	for i := range 100000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"cells":[{"value":%d},{"value":"row %d"}]}`, i, i)
	}
	in := table(cols2, b.String())
	doc := report.Read(&failAfter{r: strings.NewReader(in), n: len(in) / 2})
	rows := 0
	var last error
	for el, err := range doc.Elements() {
		if err != nil {
			last = err
			break
		}
		for r, err := range el.(*report.Table).Rows() {
			if err != nil {
				last = err
				break
			}
			if got, want := r.Cells[0].Text(), fmt.Sprint(rows); got != want {
				t.Fatalf("row %d holds %s", rows, got)
			}
			rows++
		}
	}
	if !errors.Is(last, errBroken) {
		t.Errorf("error = %v, want the reader's error", last)
	}
	if rows < 40000 || rows >= 100000 {
		t.Errorf("got %d rows before the reader failed half way, want about 50,000", rows)
	}
}

func TestNumbersKeepText(t *testing.T) {
	nums := []string{"0", "-0", "1.0", "1e2", "1E+2", "-12.50", "123456789012345678901234567890", "0.1000000000000000055511151231257827", "1e-400", "1.7976931348623157e308"}
	var rows []string
	for _, n := range nums {
		rows = append(rows, `{"sourceKey":`+n+`,"cells":[{"value":`+n+`}]}`)
	}
	doc := report.Read(strings.NewReader(table(`[{"caption":"N","type":"number"}]`, strings.Join(rows, ","))))
	i := 0
	for el, err := range doc.Elements() {
		if err != nil {
			t.Fatal(err)
		}
		for r, err := range el.(*report.Table).Rows() {
			if err != nil {
				t.Fatal(err)
			}
			if r.Cells[0].Kind() != report.KindNumber || r.Cells[0].Text() != nums[i] || r.SourceKey.Text() != nums[i] {
				t.Errorf("number %s came back as %v %q, key %q", nums[i], r.Cells[0].Kind(), r.Cells[0].Text(), r.SourceKey.Text())
			}
			i++
		}
	}
	if i != len(nums) {
		t.Errorf("read %d rows, want %d", i, len(nums))
	}
}

func TestStringsUnescaped(t *testing.T) {
	in := table(`[{"caption":"\u00c4\u0041"}]`, `{"cells":[{"value":"a\"b\\c\n\u00e9\ud83d\ude00\u0000"}]}`)
	doc := report.Read(strings.NewReader(in))
	for el, err := range doc.Elements() {
		if err != nil {
			t.Fatal(err)
		}
		tab := el.(*report.Table)
		if tab.Columns[0].Caption != "ÄA" {
			t.Errorf("caption = %q", tab.Columns[0].Caption)
		}
		for r, err := range tab.Rows() {
			if err != nil {
				t.Fatal(err)
			}
			if got, want := r.Cells[0].Text(), "a\"b\\c\né😀\x00"; got != want {
				t.Errorf("cell = %q, want %q", got, want)
			}
		}
	}
}

func TestUnreadRowsAreChecked(t *testing.T) {
	in := `{"elements":[` +
		`{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":1}]},{"cells":[]}]}},` +
		`{"type":"heading","data":{"text":"after"}}]}`
	doc := report.Read(strings.NewReader(in))
	var err error
	var seen []string
	for el, e := range doc.Elements() {
		if e != nil {
			err = e
			break
		}
		seen = append(seen, fmt.Sprintf("%T", el))
	}
	var v *report.Violation
	if !errors.As(err, &v) || v.Pointer != "/elements/0/data/rows/1/cells" {
		t.Errorf("error = %v, want the violation in the unread rows", err)
	}
	if len(seen) != 1 {
		t.Errorf("elements seen = %v, want only the table", seen)
	}
}

func TestReadOnce(t *testing.T) {
	doc := report.Read(strings.NewReader(table(cols2, `{"cells":[{"value":1},{"value":2}]}`)))
	var tab *report.Table
	for el, err := range doc.Elements() {
		if err != nil {
			t.Fatal(err)
		}
		tab = el.(*report.Table)
		for _, err := range tab.Rows() {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, err := range tab.Rows() {
		if !errors.Is(err, report.ErrConsumed) {
			t.Errorf("second Rows = %v, want ErrConsumed", err)
		}
	}
	for _, err := range doc.Elements() {
		if !errors.Is(err, report.ErrConsumed) {
			t.Errorf("second Elements = %v, want ErrConsumed", err)
		}
	}
}

func TestTitle(t *testing.T) {
	doc := report.Read(strings.NewReader(`{"title":"Q3 \u00dcbersicht","elements":[]}`))
	if got := doc.Title(); got != "Q3 Übersicht" {
		t.Errorf("Title = %q", got)
	}
	for _, err := range doc.Elements() {
		t.Errorf("unexpected %v", err)
	}
}

func TestBuiltTables(t *testing.T) {
	bad, _ := report.Number("1e400")
	tests := []struct {
		name string
		rows []report.Row
		want string
	}{
		{"ok", []report.Row{report.Cells(report.String("a"), report.Int(1))}, ""},
		{"count", []report.Row{report.Cells(report.String("a"))}, "/rows/0/cells: row has 1 cell but the table has 2 columns"},
		{"type", []report.Row{report.Cells(report.String("a"), report.String("1"))}, `/rows/0/cells/1/value: column "N" holds number values, not a string`},
		{"number", []report.Row{report.Cells(report.String("a"), bad)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := report.NewTable("t", []report.Column{{Caption: "S"}, {Caption: "N", Type: report.TypeNumber}}, report.RowsOf(tt.rows...))
			var got string
			for _, err := range tab.Rows() {
				if err != nil {
					got = err.Error()
				}
			}
			if got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
	if _, ok := report.Number("1e400"); ok {
		t.Error("Number accepted 1e400")
	}
	if v := report.Float(0.1); v.Text() != "0.1" {
		t.Errorf("Float(0.1) = %s", v.Text())
	}
}

func TestValidNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-0": true, "1.5e-3": true, "1E9": true, "123": true,
		"": false, "01": false, "+1": false, ".5": false, "1.": false, "1e": false, "NaN": false, "0x10": false, "1e400": false, "-1e309": false,
	} {
		if got := report.ValidNumber(s); got != want {
			t.Errorf("ValidNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(table(cols2, `{"sourceKey":"k","cells":[{"value":"x"},{"value":-1.5e3}]}`))
	f.Add(`{"title":"t","elements":[{"type":"paragraph","data":{"text":[{"value":"*a*","markdown":true}]}},{"type":"heading","data":{"text":"h","level":3}}]}`)
	f.Add(`{"elements":[{"data":{"rows":[{"cells":[{"value":null}]}],"columns":[{"caption":"A","type":"boolean"}]},"type":"table"}]}`)
	f.Add(`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","type":"date"}],"rows":[{"cells":[{"value":"2024-01-31"}]}]}}]} `)
	f.Add(`{"locale":"de-CH","elements":[{"type":"table","data":{"columns":[{"caption":"A","link":"https://x/{value}"},{"caption":"N","type":"number","format":"#,##0.00;(0.00)","total":"sum"},{"caption":"D","type":"date","format":"d mmm yyyy","total":"count"}],"rows":[{"cells":[{"value":"x","link":"mailto:a@b"},{"value":-1.5},{"value":"2024-02-29"}]}],"footer":[{"cells":[{"value":"T"},{"value":"n/a"},{"value":null,"link":"https://y"}]}]}}]}`)
	f.Add(`{"elements":[{"data":{"footer":[{"cells":[{"value":1}]}],"rows":[{"cells":[{"value":2}]}],"columns":[{"caption":"N","type":"number","total":"mean","format":"0.0%"}]},"type":"table"}],"locale":"fr"}`)
	f.Add(`{"title":"t","page":{"header":"{title} {{x}}","footer":"{page}/{pages}","logo":{"type":"image/png","width":20,"data":"iVBORw0KGgoAAAANSUhEUgAAAAwAAAAEAQMAAACA6EzJAAAABlBMVEUOa3jypjsgEkNlAAAAEUlEQVR42mLgZ4AjQAAAAP//AZIAPdRxIgEAAAAASUVORK5CYII="}},"elements":[]}`)
	f.Fuzz(func(t *testing.T, in string) {
		// Neither mode may panic, and both must agree on validity.
		errFast := firstError(in)
		vs := collect(in)
		if (errFast == nil) != (len(vs) == 0) {
			t.Fatalf("fail-fast error %v but collected %d violations:\n%s", errFast, len(vs), list(vs))
		}
		var v *report.Violation
		if errFast != nil && errors.As(errFast, &v) && len(vs) > 0 && vs[0] != *v {
			t.Fatalf("first violation differs: fail-fast %v, collected %v", v, vs[0])
		}
		// The row scanner must find what jsontext and the walker find.
		agreeWithJSONText(t, in)
	})
}

func TestIsMarkdown(t *testing.T) {
	for _, tt := range []struct {
		r    report.Run
		want bool
	}{
		{report.Run{Text: "*a*", Markdown: true}, true},
		{report.Run{Text: "*a*"}, false},
		{report.Run{Text: strings.Repeat("x", report.MaxMarkdown), Markdown: true}, true},
		{report.Run{Text: strings.Repeat("x", report.MaxMarkdown+1), Markdown: true}, false},
	} {
		if got := tt.r.IsMarkdown(); got != tt.want {
			t.Errorf("IsMarkdown of %d bytes (Markdown %v) = %v", len(tt.r.Text), tt.r.Markdown, got)
		}
	}
}

// TestUnknownMembersNotHeld checks that members folio does not know are
// skipped without being held: decoding megabytes of them allocates little.
func TestUnknownMembersNotHeld(t *testing.T) {
	big := "[" + strings.Repeat(`{"k":[1,2,"three"]},`, 200000) + "0]" // 4 MB
	in := `{"x":` + big + `,"elements":[{"type":"table","y":` + big + `,"data":{"z":` + big +
		`,"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":1}]}]}}],"w":` + big + `}`
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := firstError(in); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Errorf("decoding %d MB of unknown members allocated %d MB", len(in)>>20, alloc>>20)
	}
}

// TestRowsCounter checks ReadOptions.Rows counts every valid row decoded,
// read or skipped, held or streamed, and no footer row or invalid row.
func TestRowsCounter(t *testing.T) {
	row := `{"cells":[{"value":1},{"value":2}]}`
	for _, tt := range []struct {
		name, in string
		report   bool
		want     int64
	}{
		{"streamed", table(cols2, row+","+row+","+row), false, 3},
		{"rows before columns", `{"elements":[{"data":{"rows":[` + row + `,` + row + `],"columns":` + cols2 + `},"type":"table"}]}`, false, 2},
		{"footer", `{"elements":[{"type":"table","data":{"columns":` + cols2 + `,"rows":[` + row + `],"footer":[` + row + `]}}]}`, false, 1},
		{"two tables", `{"elements":[{"type":"table","data":{"columns":` + cols2 + `,"rows":[` + row + `]}},{"type":"table","data":{"columns":` + cols2 + `,"rows":[` + row + `,` + row + `]}}]}`, false, 3},
		{"invalid row dropped", table(cols2, row+`,{"cells":[]},`+row), true, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			opts := report.ReadOptions{Rows: &n}
			if tt.report {
				opts.Report = func(report.Violation) {}
			}
			// The rows are left unread: they are decoded as the loop moves on.
			for _, err := range report.ReadWith(strings.NewReader(tt.in), opts).Elements() {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := n.Load(); got != tt.want {
				t.Errorf("Rows = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestSyntaxErrorPointerWhateverTheReads: a syntax error inside a value
// read whole (a footer, a row) has the same pointer and message however
// the input arrives. jsontext takes the member names of its pointer from
// a buffer it may have refilled since ("/footer/0/a/2" for
// "/footer/0/0/2" in about a quarter of the ways of reading this input),
// so the pointer stops at the value, or the element of it, where the
// error is.
func TestSyntaxErrorPointerWhateverTheReads(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"footer", `{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":1}]}],` +
			`"footer":[{"cells":[{"value":2}]},{"cells":[{},{"a":""},{"b":null,"0":"000000000"0]}]}}]}`, "/elements/0/data/footer/1"},
		{"row", table(cols2, `{"cells":[{"value":1},{"value":2}]},{"cells":[{"value":1},{"value":"x"0}]}`), "/elements/0/data/rows/1"},
		{"first row", table(cols2, `{"cells":[{"value":1},{"value":"x"0}]}`), "/elements/0/data/rows/0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var whole *report.Violation
			if err := firstError(tc.in); !errors.As(err, &whole) || whole.Pointer != tc.want {
				t.Fatalf("whole: %v, want a violation at %s", err, tc.want)
			}
			for n := 1; n < 90; n++ {
				got := firstErrorOf(&chunks{strings.NewReader(tc.in), n})
				var v *report.Violation
				if !errors.As(got, &v) || *v != *whole {
					t.Errorf("read %d bytes at a time: %v, want %v", n, got, whole)
				}
			}
		})
	}
}
