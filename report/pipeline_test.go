package report_test

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/internal/gendoc"
	"github.com/foliorender/folio/report"
)

// pipeDoc builds a document of tables whose row i has cells "r<i>" (with an
// escape every 7th row and a long text every 1000th, so rows vary in size),
// i and a boolean; bad maps a row index to the JSON of a row put in its place.
type pipeTable struct {
	rows   int
	bad    map[int]string
	held   bool   // data.rows before data.columns: the rows are held
	total  bool   // the number column has a total
	footer string // data.footer after the rows, as JSON
	after  string // JSON members of data after the rows
}

func pipeRow(i int) string {
	s := fmt.Sprintf("r%d", i)
	switch {
	case i%1000 == 999:
		s += strings.Repeat("x", 70<<10) // past a batch's arena
	case i%7 == 3:
		s += `\"\u00e9`
	}
	link := ""
	if i%5 == 0 {
		link = fmt.Sprintf(`,"link":"https://example.com/%d"`, i)
	}
	return fmt.Sprintf(`{"sourceKey":%d,"cells":[{"value":"%s"%s},{"value":%d},{"value":%t}]}`, i, s, link, i, i%2 == 0)
}

func pipeJSON(tables ...pipeTable) string {
	var b strings.Builder
	b.WriteString(`{"title":"Pipe","elements":[`)
	for k, t := range tables {
		if k > 0 {
			b.WriteString(`,{"type":"paragraph","data":{"text":[{"value":"between"}]}},`)
		}
		total := ""
		if t.total {
			total = `,"total":"sum"`
		}
		cols := `"columns":[{"caption":"S","type":"string"},{"caption":"N","type":"number"` + total + `},{"caption":"B","type":"boolean"}]`
		b.WriteString(`{"type":"table","caption":"T","data":{`)
		if !t.held {
			b.WriteString(cols + ",")
		}
		b.WriteString(`"rows":[`)
		for i := range t.rows {
			if i > 0 {
				b.WriteByte(',')
			}
			if r, ok := t.bad[i]; ok {
				b.WriteString(r)
			} else {
				b.WriteString(pipeRow(i))
			}
		}
		b.WriteString("]")
		if t.held {
			b.WriteString("," + cols)
		}
		if t.footer != "" {
			b.WriteString(`,"footer":` + t.footer)
		}
		b.WriteString(t.after + "}}")
	}
	b.WriteString("]}")
	return b.String()
}

// pipeRun reads in, breaking out of a table's rows after stop rows (when
// stop >= 0) and out of the elements after the first table when halt is
// set, and returns what the caller saw. Each row is checked against
// pipeRow, so that a row overwritten before the caller moved past it shows.
func pipeRun(t *testing.T, r io.Reader, stop int, halt bool) []string {
	t.Helper()
	var seen []string
	for el, err := range report.Read(r).Elements() {
		if err != nil {
			seen = append(seen, "error "+err.Error())
			break
		}
		tb, ok := el.(*report.Table)
		if !ok {
			seen = append(seen, "element")
			continue
		}
		n := 0
		for row, err := range tb.Rows() {
			if err != nil {
				seen = append(seen, fmt.Sprintf("rows error after %d: %v", n, err))
				break
			}
			if len(row.Cells) != 3 || row.SourceKey.Text() != fmt.Sprint(n) || row.Cells[1].Text() != fmt.Sprint(n) && row.Cells[1].Text() != "1e308" ||
				row.Cells[0].Text() != rowText(n) || row.Cells[2].BoolValue() != (n%2 == 0) ||
				row.Cells[0].Link() != link(n) {
				seen = append(seen, fmt.Sprintf("row %d wrong: %q %v", n, row.SourceKey.Text(), row.Cells))
			}
			n++
			if n == stop && stop > 0 {
				break
			}
		}
		var footer []string
		for _, f := range tb.FooterRows() {
			for _, c := range f.Cells {
				footer = append(footer, c.Text())
			}
		}
		seen = append(seen, fmt.Sprintf("table: %d rows, footer %q, source %q", n, footer, tb.Source))
		if halt {
			break
		}
	}
	return seen
}

func link(i int) string {
	if i%5 == 0 {
		return fmt.Sprintf("https://example.com/%d", i)
	}
	return ""
}

// rowText is the text of row i's first cell.
func rowText(i int) string {
	s := fmt.Sprintf("r%d", i)
	switch {
	case i%1000 == 999:
		s += strings.Repeat("x", 70<<10)
	case i%7 == 3:
		s += `"é`
	}
	return s
}

// TestPipeline checks that the rows of decoded tables are the same, with
// the same errors at the same places, whether they are decoded on the
// caller's goroutine (GOMAXPROCS=1) or on one of their own (4), and that no
// goroutine outlives the loop. In want, # stands for a number
// and * for any text.
func TestPipeline(t *testing.T) {
	const cells = "row has 1 cell but the table has 3 columns"
	short := `{"cells":[{"value":"x"}]}`
	num := func(i int, n string) string {
		return strings.Replace(pipeRow(i), fmt.Sprintf(`{"value":%d}`, i), `{"value":`+n+`}`, 1)
	}
	table := func(n int) string { return fmt.Sprintf(`table: %d rows, footer [], source ""`, n) }
	total := `/elements/2/data/columns/1/total: the sum of column "N", 2000*…, is beyond the range of a float64 (±1.8e308), which no spreadsheet or PDF could show`
	precise := "/elements/0/data/rows/1800/cells/1/value: the number has more than 1000 decimal places, more than folio totals exactly"
	rowsErr := func(n int, at, msg string) []string {
		return []string{fmt.Sprintf("rows error after %d: %s: %s", n, at, msg), table(n), "error " + at + ": " + msg}
	}
	tests := []struct {
		name   string
		tables []pipeTable
		failAt int // bytes after which the reader fails; 0: never
		stop   int // rows after which the caller breaks; 0: never
		halt   bool
		want   []string
	}{
		{name: "rows", tables: []pipeTable{{rows: 3000}}, want: []string{table(3000)}},
		{name: "zero rows", tables: []pipeTable{{rows: 0}}, want: []string{table(0)}},
		{name: "one batch", tables: []pipeTable{{rows: 300}}, want: []string{table(300)}},
		{name: "many tables", tables: manyTables(40), want: manyTablesSeen(40)},
		{name: "footer and source after the rows", tables: []pipeTable{{rows: 2000, footer: `[{"cells":[{"value":"F"},{"value":1},{"value":null}]}]`, after: `,"sourceBusinessObject":"Order"`}},
			want: []string{`table: 2000 rows, footer ["F" "1" ""], source "Order"`}},
		{name: "totals", tables: []pipeTable{{rows: 2500, total: true}}, want: []string{`table: 2500 rows, footer ["Total" "3123750" ""], source ""`}},
		{name: "held rows", tables: []pipeTable{{rows: 2500, held: true}, {rows: 1500}}, want: []string{table(2500), "element", table(1500)}},
		{name: "break then continue", tables: []pipeTable{{rows: 3000}, {rows: 1200}}, stop: 700, want: []string{table(700), "element", table(700)}},
		{name: "break at once", tables: []pipeTable{{rows: 3000}, {rows: 10}}, stop: 1, want: []string{table(1), "element", table(1)}},
		{name: "break then halt", tables: []pipeTable{{rows: 3000}, {rows: 10}}, stop: 600, halt: true, want: []string{table(600)}},
		{name: "break then a violation", tables: []pipeTable{{rows: 3000, bad: map[int]string{2500: short}}}, stop: 100,
			want: []string{table(100), "error /elements/0/data/rows/2500/cells: " + cells}},
		{name: "break then a held violation", tables: []pipeTable{{rows: 3000, held: true, bad: map[int]string{2500: short}}}, stop: 1000,
			want: []string{table(1000), "error /elements/0/data/rows/2500/cells: " + cells}},
		{name: "violation at row 0", tables: []pipeTable{{rows: 3000, bad: map[int]string{0: short}}}, want: rowsErr(0, "/elements/0/data/rows/0/cells", cells)},
		{name: "violation mid-batch", tables: []pipeTable{{rows: 3000, bad: map[int]string{700: `{"cells":[{"value":"x"},{"value":"seven"},{"value":true}]}`}}},
			want: rowsErr(700, "/elements/0/data/rows/700/cells/1/value", `column "N" holds number values, not a string`)},
		{name: "violation at a batch's last row", tables: []pipeTable{{rows: 3000, bad: map[int]string{511: short}}}, want: rowsErr(511, "/elements/0/data/rows/511/cells", cells)},
		{name: "violation at a batch's first row", tables: []pipeTable{{rows: 3000, bad: map[int]string{512: short}}}, want: rowsErr(512, "/elements/0/data/rows/512/cells", cells)},
		{name: "violation in the last row", tables: []pipeTable{{rows: 3000, bad: map[int]string{2999: short}}}, want: rowsErr(2999, "/elements/0/data/rows/2999/cells", cells)},
		{name: "violation in a held row", tables: []pipeTable{{rows: 3000, held: true, bad: map[int]string{1500: short}}}, want: rowsErr(1500, "/elements/0/data/rows/1500/cells", cells)},
		{name: "syntax error", tables: []pipeTable{{rows: 3000, bad: map[int]string{1500: `{"cells":[}`}}},
			want: rowsErr(1500, "/elements/0/data/rows/1500", "invalid character '}' after array element (expecting ',' or ']') (at byte #)")},
		{name: "total out of range", tables: []pipeTable{{rows: 1, total: true}, {rows: 3000, total: true, bad: map[int]string{1000: num(1000, "1e308"), 2000: num(2000, "1e308")}}},
			want: append([]string{`table: 1 rows, footer ["Total" "0" ""], source ""`, "element"}, fmt.Sprintf("rows error after 3000: %s", total), `table: 3000 rows, footer ["Total" "2*" ""], source ""`, "error "+total)},
		{name: "total too precise", tables: []pipeTable{{rows: 3000, total: true, bad: map[int]string{1800: num(1800, "0."+strings.Repeat("0", 1000)+"1")}}},
			want: []string{"rows error after 1800: " + precise, `table: 1800 rows, footer ["Total" "1619100" ""], source ""`, "error " + precise}},
		{name: "read error", tables: []pipeTable{{rows: 3000}}, failAt: 300 << 10, want: []string{"rows error after #: report: reading input: connection reset", `table: # rows, footer [], source ""`, "error report: reading input: connection reset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pipeJSON(tt.tables...)
			var runs [2][]string
			for k, procs := range []int{1, 4} {
				prev := runtime.GOMAXPROCS(procs)
				before := runtime.NumGoroutine()
				var r io.Reader = strings.NewReader(in)
				if tt.failAt > 0 {
					r = &failAfter{r: r, n: tt.failAt}
				}
				runs[k] = pipeRun(t, r, tt.stop, tt.halt)
				noGoroutines(t, before)
				runtime.GOMAXPROCS(prev)
			}
			if !slices.Equal(runs[0], runs[1]) {
				t.Errorf("GOMAXPROCS=1 saw\n%s\nGOMAXPROCS=4 saw\n%s", strings.Join(runs[0], "\n"), strings.Join(runs[1], "\n"))
			}
			if !seenMatch(tt.want, runs[1]) {
				t.Errorf("saw\n%s\nwant\n%s", strings.Join(runs[1], "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// seenMatch reports whether got is want, with # in want matching a
// number and * any text.
func seenMatch(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		re := regexp.MustCompile("^" + strings.NewReplacer("#", "[0-9]+", `\*`, ".*").Replace(regexp.QuoteMeta(w)) + "$")
		if !re.MatchString(got[i]) {
			return false
		}
	}
	return true
}

func manyTables(n int) []pipeTable {
	ts := make([]pipeTable, n)
	for i := range ts {
		ts[i] = pipeTable{rows: i * 31 % 1300}
	}
	return ts
}

func manyTablesSeen(n int) []string {
	var seen []string
	for i, t := range manyTables(n) {
		if i > 0 {
			seen = append(seen, "element")
		}
		seen = append(seen, fmt.Sprintf(`table: %d rows, footer [], source ""`, t.rows))
	}
	return seen
}

// noGoroutines fails t if more goroutines run than before, once those that
// are ending have ended.
func noGoroutines(t *testing.T, before int) {
	t.Helper()
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Errorf("%d goroutines run, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
}

// TestPipelineRuns checks that the rows of a long table are decoded on a
// goroutine of their own when GOMAXPROCS allows, and not otherwise, and
// that one that stops (a panic in the caller's loop) leaves none behind.
func TestPipelineRuns(t *testing.T) {
	in := pipeJSON(pipeTable{rows: 3000})
	for _, procs := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			before := runtime.NumGoroutine()
			var running bool
			func() {
				defer func() {
					if v := recover(); v != "stop" {
						t.Errorf("recovered %v, want the loop's panic", v)
					}
				}()
				for el := range report.Read(strings.NewReader(in)).Elements() {
					n := 0
					for range el.(*report.Table).Rows() {
						if n++; n == 1500 {
							buf := make([]byte, 1<<20)
							running = bytes.Contains(buf[:runtime.Stack(buf, true)], []byte("report.(*pipe).run"))
							panic("stop")
						}
					}
				}
			}()
			if running != (procs > 1) {
				t.Errorf("with GOMAXPROCS=%d, a goroutine decodes rows: %t", procs, running)
			}
			noGoroutines(t, before)
		})
	}
}

// TestPipelineAllocs checks that pipelined rows cost no allocation each.
func TestPipelineAllocs(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"elements":[{"type":"table","data":{"columns":[{"caption":"S"},{"caption":"N","type":"number"}],"rows":[`)
	for i := range 20000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"cells":[{"value":"row %d"},{"value":%d}]}`, i, i)
	}
	b.WriteString(`]}}]}`)
	in := b.String()
	for _, procs := range []int{1, 4} {
		prev := runtime.GOMAXPROCS(procs)
		allocs := testing.AllocsPerRun(3, func() {
			for el, err := range report.Read(strings.NewReader(in)).Elements() {
				if err != nil {
					t.Fatal(err)
				}
				for _, err := range el.(*report.Table).Rows() {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
		})
		runtime.GOMAXPROCS(prev)
		if allocs > 200 {
			t.Errorf("GOMAXPROCS=%d: %.0f allocations for 20,000 rows, want no more than 200", procs, allocs)
		}
	}
}

// TestPipelineBatchesKept reads a document of 10,000 rows twice on two
// cores: the second read takes the first's batches from the pool, so it
// allocates under 1 MiB (2.5 MB, most of it the batches of 10,000 rows of
// ten cells, when each document grew its own; 74 to 675 KB with the pool).
func TestPipelineBatchesKept(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation bounds do not hold under the race detector, which CI runs with -short")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // the pool lasts until a collection
	in := benchdoc.Bytes(10000, 10)
	read := func() {
		rows := 0
		for e, err := range report.Read(bytes.NewReader(in)).Elements() {
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range e.(*report.Table).Rows() {
				if err != nil {
					t.Fatal(err)
				}
				rows++
			}
		}
		if rows != 10000 {
			t.Fatalf("read %d rows, want 10000", rows)
		}
	}
	first, _ := gendoc.Alloc(read)
	second, _ := gendoc.Alloc(read)
	t.Logf("allocated %d bytes reading the document, then %d", first, second)
	if second > 1<<20 {
		t.Errorf("the second read allocated %d bytes (the first %d): its batches were not kept", second, first)
	}
}
