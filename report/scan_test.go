package report_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/foliorender/folio/report"
)

// A verdict is all that reading a document tells: the first error with
// every row pulled, and every violation collected.
type verdict struct {
	first     string
	collected []report.Violation
	scanned   int // rows the row scanner read, collecting
}

func read(in string, src func(string) io.Reader) verdict {
	var v verdict
	if err := firstErrorOf(src(in)); err != nil {
		v.first = err.Error()
		var p *report.Violation
		if errors.As(err, &p) {
			v.first = p.Pointer + ": " + p.Message
		}
	}
	doc := report.ReadWith(src(in), report.ReadOptions{Report: func(x report.Violation) { v.collected = append(v.collected, x) }})
	for el, err := range doc.Elements() {
		if err != nil {
			var p *report.Violation
			if errors.As(err, &p) {
				v.collected = append(v.collected, *p)
			} else {
				v.collected = append(v.collected, report.Violation{Message: err.Error()})
			}
		}
		if t, ok := el.(*report.Table); ok {
			for range t.Rows() {
			}
		}
	}
	v.scanned = report.ScannedRows(doc)
	return v
}

// firstErrorOf reads a whole document from r, pulling every row, and
// returns the first error.
func firstErrorOf(r io.Reader) error {
	for el, err := range report.Read(r).Elements() {
		if err != nil {
			return err
		}
		if t, ok := el.(*report.Table); ok {
			for _, err := range t.Rows() {
				if err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// chunks gives at most n bytes a read.
type chunks struct {
	r io.Reader
	n int
}

func (c *chunks) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// sources are the readers the scanner is held to jsontext with: one byte
// a read starts the scanner at every row and ends its buffer at every byte.
var sources = []struct {
	name string
	r    func(string) io.Reader
}{
	{"whole", func(s string) io.Reader { return strings.NewReader(s) }},
	{"bytes", func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) }},
	{"3", func(s string) io.Reader { return &chunks{strings.NewReader(s), 3} }},
	{"61", func(s string) io.Reader { return &chunks{strings.NewReader(s), 61} }},
	{"4096", func(s string) io.Reader { return &chunks{strings.NewReader(s), 4096} }},
}

// agreeWithJSONText checks that in reads the same with the row scanner as
// without it, from every source. It returns the verdict without, read
// whole.
func agreeWithJSONText(t *testing.T, in string) verdict {
	t.Helper()
	var whole verdict
	long := longSpaceRun(in)
	for i, s := range sources {
		var want verdict
		if i == 0 || !long {
			restore := report.SetScanRows(false)
			want = read(in, s.r)
			restore()
			if want.scanned != 0 {
				t.Fatalf("the scanner read %d rows while off", want.scanned)
			}
		} else {
			// jsontext alone holds space between tokens and copies what
			// it holds at each read: seconds for a long run of space in
			// short reads. The scanner's reads are held to its verdict
			// on the whole input.
			want = whole
		}
		if i == 0 {
			whole = want
		}
		got := read(in, s.r)
		if i == 0 && fmt.Sprint(got) != fmt.Sprint(verdict{want.first, want.collected, got.scanned}) {
			t.Errorf("read whole: %v\nwithout the scanner\n%v", got, want)
		}
		if !sameMessage(got.first, want.first) {
			t.Errorf("%s: first error\n%s\nwithout the scanner\n%s", s.name, got.first, want.first)
		}
		same := len(got.collected) == len(want.collected)
		for k := 0; same && k < len(got.collected); k++ {
			same = got.collected[k].Pointer == want.collected[k].Pointer && sameMessage(got.collected[k].Message, want.collected[k].Message)
		}
		if !same {
			t.Errorf("%s: violations\n%s\nwithout the scanner\n%s", s.name, list(got.collected), list(want.collected))
		}
	}
	return whole
}

// longSpaceRun reports whether in has a run of more than 16 KiB of
// whitespace.
func longSpaceRun(in string) bool {
	run := 0
	for i := 0; i < len(in); i++ {
		switch in[i] {
		case ' ', '\t', '\n', '\r':
			if run++; run > 16<<10 {
				return true
			}
		default:
			run = 0
		}
	}
	return false
}

// sameMessage reports whether a and b are the same message, but for the
// input jsontext quotes in some, which is what it has buffered of it: less
// when its buffer ends within the quote, as it may with any reader. The
// same holds for the character of "invalid character '…'": with only the
// first byte of a multi-byte character buffered, jsontext quotes that
// byte ('\xc9') where with the whole character it quotes the character.
func sameMessage(a, b string) bool {
	if a == b || sameCharacter(a, b) || sameCharacter(b, a) {
		return true
	}
	pa, pb := strings.Split(a, "`"), strings.Split(b, "`")
	if len(pa) != 3 || len(pb) != 3 || pa[0] != pb[0] || pa[2] != pb[2] {
		return false
	}
	return strings.HasPrefix(pa[1], pb[1]) || strings.HasPrefix(pb[1], pa[1])
}

// sameCharacter reports whether a and b are the same "invalid character"
// message but for the character, which in b is the first byte of a's, as
// jsontext quotes a character it has only that byte of.
func sameCharacter(a, b string) bool {
	const lead = "invalid character '"
	i, j := strings.Index(a, lead), strings.Index(b, lead)
	if i < 0 || i != j || a[:i] != b[:j] {
		return false
	}
	ra, rb := a[i+len(lead):], b[j+len(lead):]
	r, n := utf8.DecodeRuneInString(ra)
	if r == utf8.RuneError || n < 2 || !strings.HasPrefix(ra[n:], "'") {
		return false
	}
	byteQuote := fmt.Sprintf("\\x%02x'", ra[0])
	return strings.HasPrefix(rb, byteQuote) && ra[n:] == rb[len(byteQuote)-1:]
}

const scanCols = `[{"caption":"A"},{"caption":"B"}]`

// rowsAround puts row between valid rows, enough of them that jsontext's
// buffer ends before row.
func rowsAround(row string) string {
	ok := `{"sourceKey":7,"cells":[{"value":"Ωμέγα 東京"},{"value":-12.5e-3}]}`
	return strings.Repeat(ok+",\n", 120) + row + ",\n" + strings.Repeat(ok+",", 3) + ok
}

func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// longSpace is a run of space longer than the feed's first buffer and
// than what it gives jsontext of a run (spaceKeep).
var longSpace = strings.Repeat(" ", 66000)

// The rows array is at depth 5, a row at 6 and a cell at 8.
var scanRowCases = []struct {
	name  string
	row   string
	valid bool
}{
	{"plain", `{"cells":[{"value":1},{"value":"x"}]}`, true},
	{"sourceKey first", `{"sourceKey":"k","cells":[{"value":-0},{"value":1.5E+10}]}`, true},
	{"sourceKey last", `{"cells":[{"value":true},{"value":false}],"sourceKey":null}`, true},
	{"spaces", " { \"cells\" : [ { \"value\" : 1 } , { \"value\" : null } ] , \"sourceKey\" : 2 } ", true},
	{"tabs and newlines", "{\t\"cells\"\n:\r[\n{\"value\"\t:\t1\r\n}\t,{\n\"value\":2}\n]\n}", true},
	{"escapes", `{"cells":[{"value":"a\u0062\n\"\\\/\b\f\r\t"},{"value":"\ud83d\ude00 \u00e9"}]}`, true},
	{"utf-8", `{"cells":[{"value":"Ωμέγα 東京 😀 naïve café"},{"value":"ß"}]}`, true},
	{"long strings", `{"cells":[{"value":"` + strings.Repeat("abcdefgh", 40) + `"},{"value":"` + strings.Repeat("ü", 99) + `"}]}`, true},
	{"link", `{"cells":[{"value":"x","link":"https://a.example/?q=1"},{"link":"mailto:a@b.example","value":2}]}`, true},
	// Runs of space longer than the buffers, between rows (before and
	// after a comma) and within one, which is then longer than a buffer.
	{"long space around", longSpace + `{"cells":[{"value":1},{"value":2}]}` + strings.ReplaceAll(longSpace, " ", "\n"), true},
	{"long space in a row", `{"cells":[{"value":1},` + longSpace + `{"value":2}]}`, true},
	{"long space in a string", `{"cells":[{"value":"` + longSpace + `"},{"value":2}]}`, true},
	{"long space in a row for jsontext", `{"x":1,"cells":[{"value":1},` + longSpace + `{"value":2}]}`, true},
	{"escaped link", `{"cells":[{"value":"x","link":"https:\/\/a.example\/"},{"value":2}]}`, true},
	{"numbers", `{"cells":[{"value":0.5},{"value":-9007199254740993123.000e-2}]}`, true},
	{"large exponent", `{"cells":[{"value":1e308},{"value":1e-400}]}`, true},
	{"unknown members", `{"x":[1,{"y":null}],"cells":[{"value":1,"z":{}},{"value":2}],"w":"v"}`, true},
	{"nesting at MaxDepth in a row", `{"x":` + nested(report.MaxDepth-6) + `,"cells":[{"value":1},{"value":2}]}`, true},
	{"nesting at MaxDepth in a cell", `{"cells":[{"value":1,"x":` + nested(report.MaxDepth-8) + `},{"value":2}]}`, true},

	{"nesting over MaxDepth in a row", `{"x":` + nested(report.MaxDepth-5) + `,"cells":[{"value":1},{"value":2}]}`, false},
	{"nesting over MaxDepth in a cell", `{"cells":[{"value":1,"x":` + nested(report.MaxDepth-7) + `},{"value":2}]}`, false},
	{"invalid UTF-8 in a value", "{\"cells\":[{\"value\":\"a\xffb\"},{\"value\":2}]}", false},
	{"truncated UTF-8 in a value", "{\"cells\":[{\"value\":\"a\xc3\"},{\"value\":2}]}", false},
	{"overlong UTF-8", "{\"cells\":[{\"value\":\"\xc0\xaf\"},{\"value\":2}]}", false},
	{"UTF-8 surrogate", "{\"cells\":[{\"value\":\"\xed\xa0\x80\"},{\"value\":2}]}", false},
	{"invalid UTF-8 in a name", "{\"cells\xff\":[],\"cells\":[{\"value\":1},{\"value\":2}]}", false},
	{"invalid UTF-8 in a cell's name", "{\"cells\":[{\"value\":1,\"\xfe\":0},{\"value\":2}]}", false},
	{"invalid UTF-8 in a link", "{\"cells\":[{\"value\":1,\"link\":\"https://a/\xff\"},{\"value\":2}]}", false},
	{"lone high surrogate", `{"cells":[{"value":"\ud800"},{"value":2}]}`, false},
	{"lone low surrogate", `{"cells":[{"value":"\udc00"},{"value":2}]}`, false},
	{"reversed surrogates", `{"cells":[{"value":"\udc00\ud800"},{"value":2}]}`, false},
	{"high surrogate and a letter", `{"cells":[{"value":"\ud800\u0041"},{"value":2}]}`, false},
	{"surrogate in a name", `{"\ud800":1,"cells":[{"value":1},{"value":2}]}`, false},
	{"bad hex", `{"cells":[{"value":"\u12g4"},{"value":2}]}`, false},
	{"bad escape", `{"cells":[{"value":"\x"},{"value":2}]}`, false},
	{"control byte", "{\"cells\":[{\"value\":\"a\x01\"},{\"value\":2}]}", false},
	{"raw tab", "{\"cells\":[{\"value\":\"a\tb\"},{\"value\":2}]}", false},
	{"duplicate cells", `{"cells":[{"value":1},{"value":2}],"cells":[{"value":1},{"value":2}]}`, false},
	{"duplicate cells escaped", `{"cells":[{"value":1},{"value":2}],"\u0063ells":[{"value":1},{"value":2}]}`, false},
	{"duplicate sourceKey", `{"sourceKey":1,"cells":[{"value":1},{"value":2}],"sourceKey":2}`, false},
	{"duplicate value", `{"cells":[{"value":1,"value":2},{"value":2}]}`, false},
	{"duplicate value escaped", `{"cells":[{"value":1,"\u0076alue":2},{"value":2}]}`, false},
	{"duplicate link", `{"cells":[{"value":1,"link":"https://a","link":"https://b"},{"value":2}]}`, false},
	{"duplicate unknown", `{"a":1,"\u0061":2,"cells":[{"value":1},{"value":2}]}`, false},
	{"01", `{"cells":[{"value":01},{"value":2}]}`, false},
	{"-01", `{"cells":[{"value":-01},{"value":2}]}`, false},
	{"1.", `{"cells":[{"value":1.},{"value":2}]}`, false},
	{".5", `{"cells":[{"value":.5},{"value":2}]}`, false},
	{"-", `{"cells":[{"value":-},{"value":2}]}`, false},
	{"1e", `{"cells":[{"value":1e},{"value":2}]}`, false},
	{"1e+", `{"cells":[{"value":1e+},{"value":2}]}`, false},
	{"+1", `{"cells":[{"value":+1},{"value":2}]}`, false},
	{"1.5.3", `{"cells":[{"value":1.5.3},{"value":2}]}`, false},
	{"0x10", `{"cells":[{"value":0x10},{"value":2}]}`, false},
	{"1e400", `{"cells":[{"value":1e400},{"value":2}]}`, false},
	{"-1e400", `{"cells":[{"value":-1e400},{"value":2}]}`, false},
	{"sourceKey 1e999", `{"sourceKey":1e999,"cells":[{"value":1},{"value":2}]}`, false},
	{"NaN", `{"cells":[{"value":NaN},{"value":2}]}`, false},
	{"tru", `{"cells":[{"value":tru},{"value":2}]}`, false},
	{"nul", `{"cells":[{"value":nul},{"value":2}]}`, false},
	{"True", `{"cells":[{"value":True},{"value":2}]}`, false},
	{"falsey", `{"cells":[{"value":falsey},{"value":2}]}`, false},
	{"missing colon", `{"cells" [{"value":1},{"value":2}]}`, false},
	{"missing comma", `{"cells":[{"value":1} {"value":2}]}`, false},
	{"trailing comma in cells", `{"cells":[{"value":1},{"value":2},]}`, false},
	{"trailing comma in row", `{"cells":[{"value":1},{"value":2}],}`, false},
	{"trailing comma in cell", `{"cells":[{"value":1,},{"value":2}]}`, false},
	{"single quotes", `{'cells':[{"value":1},{"value":2}]}`, false},
	{"empty row", `{}`, false},
	{"array row", `[1,2]`, false},
	{"string row", `"row"`, false},
	{"number row", `1`, false},
	{"null row", `null`, false},
	{"cells object", `{"cells":{"value":1}}`, false},
	{"cells string", `{"cells":"x"}`, false},
	{"cell number", `{"cells":[1,{"value":2}]}`, false},
	{"cell without value", `{"cells":[{},{"value":2}]}`, false},
	{"cell with only a link", `{"cells":[{"link":"https://a"},{"value":2}]}`, false},
	{"value array", `{"cells":[{"value":[1]},{"value":2}]}`, false},
	{"value object", `{"cells":[{"value":{"a":1}},{"value":2}]}`, false},
	{"sourceKey true", `{"sourceKey":true,"cells":[{"value":1},{"value":2}]}`, false},
	{"sourceKey object", `{"sourceKey":{},"cells":[{"value":1},{"value":2}]}`, false},
	{"bad link", `{"cells":[{"value":1,"link":"javascript:alert(1)"},{"value":2}]}`, false},
	{"link number", `{"cells":[{"value":1,"link":5},{"value":2}]}`, false},
	{"too few cells", `{"cells":[{"value":1}]}`, false},
	{"too many cells", `{"cells":[{"value":1},{"value":2},{"value":3}]}`, false},
	{"no cells", `{"sourceKey":1}`, false},
	{"empty cells", `{"cells":[]}`, false},
	{"two commas", `{"cells":[{"value":1},{"value":2}]},`, false},
	{"no comma between rows", `{"cells":[{"value":1},{"value":2}]} {"cells":[{"value":1},{"value":2}]}`, false},
	{"unclosed row", `{"cells":[{"value":1},{"value":2}]`, false},
	{"extra close", `{"cells":[{"value":1},{"value":2}]}}`, false},
	{"garbage", `{"cells":[{"value":1},{"value":2}]}#`, false},
	{"garbage after long space", `{"cells":[{"value":1},{"value":2}]}` + longSpace + `#`, false},
	{"garbage after a comma and long space", `{"cells":[{"value":1},{"value":2}]},` + longSpace + `#`, false},
	{"garbage after long space in a row for jsontext", `{"x":1,"cells":[{"value":1},` + longSpace + `#]}`, false},
}

func TestScannerAgreesWithJSONText(t *testing.T) {
	for _, tt := range scanRowCases {
		t.Run(tt.name, func(t *testing.T) {
			for _, in := range []string{table(scanCols, tt.row), table(scanCols, rowsAround(tt.row))} {
				v := agreeWithJSONText(t, in)
				if valid := len(v.collected) == 0; valid != tt.valid {
					t.Errorf("valid %v, want %v:\n%s", valid, tt.valid, list(v.collected))
				}
				if (v.first == "") != tt.valid {
					t.Errorf("first error %q", v.first)
				}
			}
		})
	}
}

// TestScannerReadsRows checks the scanner does read rows (the agreement
// would hold as well without it), from every source, and keeps the text.
func TestScannerReadsRows(t *testing.T) {
	in := table(`[{"caption":"A"},{"caption":"N","type":"number","total":"sum"},{"caption":"D","type":"date"}]`,
		strings.Repeat(`{"sourceKey":"k\"1","cells":[{"value":"a\u00e9\\","link":"https://x/"},{"value":-1.50},{"value":"2024-02-29"}]},`, 999)+
			`{"cells":[{"value":null},{"value":1e2},{"value":null}]}`)
	for _, s := range sources {
		doc := report.Read(s.r(in))
		var n int
		for el, err := range doc.Elements() {
			if err != nil {
				t.Fatal(err)
			}
			tb := el.(*report.Table)
			for row, err := range tb.Rows() {
				if err != nil {
					t.Fatal(err)
				}
				if n < 999 {
					if got := fmt.Sprintf("%s %s|%s|%s|%s", row.SourceKey.Text(), row.Cells[0].Text(), row.Cells[0].Link(), row.Cells[1].Text(), row.Cells[2].Text()); got != `k"1 aé\|https://x/|-1.50|2024-02-29` {
						t.Fatalf("%s: row %d reads %s", s.name, n, got)
					}
				}
				n++
			}
			if foot := tb.FooterRows(); len(foot) != 1 || foot[0].Cells[1].Text() != "-1398.50" {
				t.Errorf("%s: totals %v", s.name, foot)
			}
		}
		if n != 1000 {
			t.Errorf("%s: %d rows", s.name, n)
		}
		if got := report.ScannedRows(doc); got < 900 {
			t.Errorf("%s: the scanner read %d of 1000 rows", s.name, got)
		}
	}
}

// TestScannerTruncated cuts a document at every byte of its rows.
func TestScannerTruncated(t *testing.T) {
	row := `{"sourceKey":"é","cells":[{"value":"a\u00e9","link":"https://x/"},{"value":-1.5e3}]}`
	in := table(scanCols, strings.Repeat(row+",", 60)+row+", "+row)
	from := strings.LastIndex(in, row+",")
	for i := from; i <= len(in); i++ {
		agreeWithJSONText(t, in[:i])
	}
}

// TestScannerTruncatedAfterSpace cuts a document in and after long runs of
// space, between rows and between other tokens, which the feed does not
// hold or give jsontext whole: the offsets of the error are the input's.
func TestScannerTruncatedAfterSpace(t *testing.T) {
	row := `{"cells":[{"value":"x"},{"value":1}]}`
	space := longSpace
	rows := strings.Repeat(row+",", 200) + row
	for i, in := range []string{
		table(scanCols, rows+","+space+row),
		table(scanCols, rows+space+","+space+row),
		`{"title":"T",` + space + `"elements":[{"type":"table","data":{"columns":` + scanCols + `,` + space + `"rows":[` + rows + `]}}]}`,
	} {
		last := strings.LastIndex(in, space)
		for _, cut := range []int{last + 1, last + len(space) + 1, len(in) - 1} {
			t.Run(fmt.Sprintf("%d/%d", i, cut), func(t *testing.T) {
				v := agreeWithJSONText(t, in[:cut])
				if !strings.Contains(v.first, "ends too early") {
					t.Errorf("first error %q", v.first)
				}
			})
		}
	}
}

// TestScannerLongRowInShortReads reads a row far longer than a read: the
// scanner parses it again only once its end has come, not at every read.
func TestScannerLongRowInShortReads(t *testing.T) {
	long := strings.Repeat("ab", 1<<18) // half of maxScanRow
	in := table(scanCols, strings.Repeat(`{"cells":[{"value":"x"},{"value":1}]},`, 200)+`{"cells":[{"value":"`+long+`"},{"value":2}]}`)
	for _, s := range sources {
		doc := report.Read(s.r(in))
		rows := 0
		for el, err := range doc.Elements() {
			if err != nil {
				t.Fatal(err)
			}
			for row, err := range el.(*report.Table).Rows() {
				if err != nil {
					t.Fatal(err)
				}
				if rows == 200 && row.Cells[0].Text() != long {
					t.Errorf("%s: the long cell reads %d bytes", s.name, len(row.Cells[0].Text()))
				}
				rows++
			}
		}
		if rows != 201 {
			t.Errorf("%s: %d rows", s.name, rows)
		}
		if got := report.RowParses(doc); got > 2*rows {
			t.Errorf("%s: the scanner began to parse a row %d times for %d rows", s.name, got, rows)
		}
	}
}

// TestScannerReaderError fails the reader at every byte of the last rows.
func TestScannerReaderError(t *testing.T) {
	row := `{"cells":[{"value":"x"},{"value":1}]}`
	in := table(scanCols, strings.Repeat(row+",", 80)+row)
	for n := len(in) - 3*len(row); n <= len(in); n++ {
		restore := report.SetScanRows(false)
		want := read(in, func(s string) io.Reader { return &failAfter{strings.NewReader(s), n} })
		restore()
		got := read(in, func(s string) io.Reader { return &failAfter{strings.NewReader(s), n} })
		if got.first != want.first || fmt.Sprint(got.collected) != fmt.Sprint(want.collected) {
			t.Errorf("failing after %d bytes: %q %v, want %q %v", n, got.first, got.collected, want.first, want.collected)
		}
	}
}

// TestScannerOffsets checks byte offsets after rows the scanner read, which
// jsontext did not see.
func TestScannerOffsets(t *testing.T) {
	rows := strings.Repeat(`{"cells":[{"value":"x"},{"value":1}]},`, 200) + `{"cells":[{"value":"x"},{"value":1}]}`
	for _, in := range []string{
		table(scanCols, rows) + ` x`,
		table(scanCols, rows) + `}`,
		`{"elements":[{"type":"table","data":{"columns":` + scanCols + `,"rows":[` + rows + `],"rows":[]}}]}`,
		`{"elements":[{"type":"table","data":{"columns":` + scanCols + `,"rows":[` + rows + `]}},{"type":"table","data":{"columns":` + scanCols + `,"rows":[` + rows + `]}}],"x":tru}`,
		`{"elements":[{"type":"table","data":{"columns":` + scanCols + `,"rows":[` + rows + `,{"cells":[{"value":1},{"value":2}]}x]}}]}`,
		`{"elements":[{"type":"table","data":{"columns":` + scanCols + `,"rows":[` + rows + `,{"cells":[{"value":1}]},` + rows + `,{"cells":[{"value":01}]}]}}]}`,
	} {
		v := agreeWithJSONText(t, in)
		if !strings.Contains(v.first, "at byte ") && !strings.Contains(v.first, "rows/") {
			t.Errorf("first error %q", v.first)
		}
	}
}

// TestScannerStartsAgain checks the scanner takes the rows up again after
// each row it hands back to jsontext.
func TestScannerStartsAgain(t *testing.T) {
	ok := `{"cells":[{"value":"x"},{"value":1}]}`
	back := `{"cells":[{"value":"x"},{"value":1}],"extra":[1]}` // valid, but for jsontext
	bad := `{"cells":[{"value":"x"}]}`                          // read by the scanner, found wrong
	var rows []string
	for i := range 1000 {
		switch i % 100 {
		case 37:
			rows = append(rows, back)
		case 71:
			rows = append(rows, bad)
		default:
			rows = append(rows, ok)
		}
	}
	in := table(scanCols, strings.Join(rows, ","))
	for _, s := range sources {
		v := read(in, s.r)
		if len(v.collected) != 10 || v.collected[0].Pointer != "/elements/0/data/rows/71/cells" {
			t.Errorf("%s: violations\n%s", s.name, list(v.collected))
		}
		if v.scanned < 950 {
			t.Errorf("%s: the scanner read %d of 1000 rows", s.name, v.scanned)
		}
	}
	agreeWithJSONText(t, in)
}

func TestSameMessage(t *testing.T) {
	const tail = ` at start of string (expecting '"') (at byte 73)`
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"invalid character 'ɶ'" + tail, `invalid character '\xc9'` + tail, true},
		{`invalid character '\xc9'` + tail, "invalid character 'ɶ'" + tail, true},
		{"invalid character 'ɶ'" + tail, `invalid character '\xc8'` + tail, false},
		{"invalid character 'ɶ'" + tail, `invalid character '\xc9' at start of value`, false},
		{"invalid character 'x'" + tail, `invalid character '\x78'` + tail, false},
		{"/a: invalid character 'ɶ'" + tail, `/b: invalid character '\xc9'` + tail, false},
		{"invalid string `ab`", "invalid string `a`", true},
		{"invalid string `ab`", "invalid string `b`", false},
	} {
		if got := sameMessage(tt.a, tt.b); got != tt.want {
			t.Errorf("sameMessage(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// FuzzSpace puts a run of whitespace of up to 20,000 bytes, five times
// what jsontext is given of one (spaceKeep), into a document at any place,
// in a string or between tokens: the scanner and the space the feed lets
// go of must leave the verdict, the violations and their offsets as
// jsontext alone gives them. (Longer runs are in the scanner's tests.)
func FuzzSpace(f *testing.F) {
	rows := strings.Repeat(`{"cells":[{"value":"a b"},{"value":1}]},`, 300) + `{"cells":[{"value":"x"},{"value":2}]}`
	f.Add(table(scanCols, rows), uint32(len(table(scanCols, rows))-400), uint32(19000), byte(0))
	f.Add(table(scanCols, rows), uint32(20), uint32(5000), byte(1))
	f.Add(table(scanCols, rows+",#"), uint32(len(table(scanCols, rows))-10), uint32(16000), byte(2))
	f.Fuzz(func(t *testing.T, in string, at, n uint32, kind byte) {
		if len(in) == 0 {
			return
		}
		ws := strings.Repeat(string(" \n\t\r"[kind%4]), int(n%20000))
		i := int(at % uint32(len(in)+1))
		agreeWithJSONText(t, in[:i]+ws+in[i:])
	})
}
