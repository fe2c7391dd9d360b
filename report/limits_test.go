package report_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/foliorender/folio/internal/gendoc"
	"github.com/foliorender/folio/report"
)

// repeat returns n copies of s separated by commas.
func repeat(s string, n int) string {
	return strings.TrimSuffix(strings.Repeat(s+",", n), ",")
}

// cells returns a row of n cells.
func cells(n int) string { return `{"cells":[` + repeat(`{"value":1}`, n) + `]}` }

// heldRow is a row of 100 bytes.
const heldRow = `{"cells":[{"value":"` + "0123456789012345678901234567890123456789012345678901234567890123456789012345" + `"}]}`

func heldRows(n int) string { return repeat(heldRow, n) }

func TestLimits(t *testing.T) {
	cols := func(n int) string { return "[" + repeat(`{"caption":""}`, n) + "]" }
	runs := func(n int) string { return "[" + repeat(`{"value":"x"}`, n) + "]" }
	big := strings.Repeat("x", report.MaxHeader)
	tests := []struct {
		name string
		in   string
		want string // "pointer: message substring", or "" for a valid document
	}{
		{"columns at MaxColumns", table(cols(report.MaxColumns), cells(report.MaxColumns)), ""},
		{"columns past MaxColumns", table(cols(report.MaxColumns+1), ""),
			"/elements/0/data/columns/16384: a table may have at most 16384 columns (Excel's limit)"},
		{"columns past MaxColumns, type last", `{"elements":[{"data":{"columns":` + cols(report.MaxColumns+5) + `,"rows":[]},"type":"table"}]}`,
			"/elements/0/data/columns/16384: a table may have at most 16384 columns"},
		{"columns past MaxColumns that are not objects", table("["+repeat("1", report.MaxColumns+1)+"]", ""),
			"/elements/0/data/columns/16384: a table may have at most 16384 columns"},
		{"columns of a paragraph are not counted", `{"elements":[{"data":{"columns":` + cols(report.MaxColumns+1) + `,"text":[]},"type":"paragraph"}]}`, ""},
		{"runs at MaxRuns", `{"elements":[{"type":"paragraph","data":{"text":` + runs(report.MaxRuns) + `}}]}`, ""},
		{"runs past MaxRuns", `{"elements":[{"type":"paragraph","data":{"text":` + runs(report.MaxRuns+1) + `}}]}`,
			"/elements/0/data/text/16384: a paragraph may have at most 16384 text runs"},
		{"runs past MaxRuns, type last", `{"elements":[{"data":{"text":` + runs(report.MaxRuns+1) + `},"type":"paragraph"}]}`,
			"/elements/0/data/text/16384: a paragraph may have at most 16384 text runs"},
		{"runs of a table are not counted", `{"elements":[{"data":{"columns":[{"caption":"A"}],"text":` + runs(report.MaxRuns+1) + `,"rows":[]},"type":"table"}]}`, ""},
		{"header within MaxHeader", `{"elements":[{"type":"paragraph","data":{"text":[{"value":"` + big[:report.MaxHeader-100] + `"}]}}]}`, ""},
		{"header past MaxHeader in a run", `{"elements":[{"type":"paragraph","data":{"text":[{"value":"` + big + `"}]}}]}`,
			"/elements/0/data/text/0/value: the element is over 4 MiB without its rows"},
		{"header past MaxHeader in a caption", `{"elements":[{"type":"table","caption":"` + big + `","data":{"columns":[{"caption":"A"}],"rows":[]}}]}`,
			"/elements/0/caption: the element is over 4 MiB without its rows"},
		// Counted as compact JSON, the table has 52 bytes before its
		// columns and 316 in each.
		{"header past MaxHeader in column captions", table("["+repeat(`{"caption":"`+big[:300]+`"}`, report.MaxColumns)+"]", ""),
			"/elements/0/data/columns/13272/caption: the element is over 4 MiB"},
		{"unknown members do not count", `{"elements":[{"type":"heading","x":"` + big + `","data":{"text":"h","y":["` + big + `"]}}]}`, ""},
		{"header past MaxHeader after streamed rows", `{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[],"sourceBusinessObject":"` + big + `"},"caption":"late"}]}`,
			"/elements/0/data/sourceBusinessObject: the element is over 4 MiB without its rows"},
		{"title past MaxHeader", `{"title":"` + big + `","elements":[]}`, "/title: the title is over 4 MiB"},

		// Each held row takes its length and a comma; the array, its "[".
		{"held rows within MaxHeldRows", `{"elements":[{"data":{"columns":[{"caption":"A"}],"rows":[` + heldRows(report.MaxHeldRows/(len(heldRow)+1)-1) + `]},"type":"table"}]}`, ""},
		{"held rows past MaxHeldRows, type last", `{"elements":[{"data":{"columns":[{"caption":"A"}],"rows":[` + heldRows(report.MaxHeldRows/(len(heldRow)+1)+5) + `]},"type":"table"}]}`,
			fmt.Sprintf(`/elements/0/data/rows/%d: rows that come before the table's type are held in memory, and these pass 32 MiB: put "type" before "data" so that rows stream`, report.MaxHeldRows/(len(heldRow)+1))},
		{"held rows past MaxHeldRows, columns last", `{"elements":[{"type":"table","data":{"rows":[` + heldRows(report.MaxHeldRows/(len(heldRow)+1)+5) + `],"columns":[{"caption":"A"}]}}]}`,
			fmt.Sprintf(`/elements/0/data/rows/%d: rows that come before the table's columns are held in memory, and these pass 32 MiB: put "columns" before "rows" so that rows stream`, report.MaxHeldRows/(len(heldRow)+1))},
		{"held rows past MaxHeldRows, both last", `{"elements":[{"data":{"rows":[` + heldRows(report.MaxHeldRows/(len(heldRow)+1)+5) + `],"columns":[{"caption":"A"}]},"type":"table"}]}`,
			fmt.Sprintf(`/elements/0/data/rows/%d: rows that come before the table's type and columns are held in memory, and these pass 32 MiB: put "type" before "data", and "columns" before "rows" so that rows stream`, report.MaxHeldRows/(len(heldRow)+1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := collect(tt.in)
			var first *report.Violation
			err := firstError(tt.in)
			if err != nil && !errors.As(err, &first) {
				t.Fatalf("error %v, want a *report.Violation", err)
			}
			if tt.want == "" {
				if len(vs) > 0 || err != nil {
					t.Fatalf("got violations:\n%s", list(vs))
				}
				return
			}
			if len(vs) != 1 || first == nil || vs[0] != *first {
				t.Fatalf("got %d violations, want 1, the first that Read gives (%v):\n%s", len(vs), err, list(vs))
			}
			ptr, msg, _ := strings.Cut(tt.want, ": ")
			if vs[0].Pointer != ptr || !strings.Contains(vs[0].Message, msg) {
				t.Errorf("violation %s: %.200s\nwant %s", vs[0].Pointer, vs[0].Message, tt.want)
			}
		})
	}
}

// TestLimitDropsOnlyTheElement checks that, in reporting mode, decoding
// goes on after an element past a limit: the next element is read.
func TestLimitDropsOnlyTheElement(t *testing.T) {
	in := `{"elements":[{"type":"table","data":{"columns":[` + repeat(`{"caption":"c"}`, report.MaxColumns+10) +
		`],"rows":[{"cells":[]}]}},{"type":"heading","data":{"text":"after"}}]}`
	var vs []report.Violation
	doc := report.ReadWith(strings.NewReader(in), report.ReadOptions{Report: func(v report.Violation) { vs = append(vs, v) }})
	var got []string
	for el, err := range doc.Elements() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%T", el))
	}
	if len(got) != 1 || got[0] != "*report.Heading" || len(vs) != 1 || vs[0].Pointer != "/elements/0/data/columns/16384" {
		t.Errorf("elements %v, violations:\n%s", got, list(vs))
	}
}

// TestColumnsLimitMemory reads a table of 15 million columns (225 MB,
// produced as it is read) and checks that the decoder stops holding them at
// MaxColumns: it allocates a few MB, not gigabytes.
func TestColumnsLimitMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 225 MB")
	}
	if raceEnabled {
		t.Skip("allocates 4.6 MB under the race detector, 3.1 MB without: the bound is for the latter")
	}
	for _, tt := range []struct {
		name         string
		before       string // members of the element before data
		after        string // and after it
		limit, bytes uint64
	}{
		{"type first", `"type":"table",`, ``, 4 << 20, 0},
		{"type last", ``, `,"type":"table"`, 4 << 20, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parts := []gendoc.Part{
				gendoc.Text(`{"elements":[{` + tt.before + `"data":{"columns":[`),
				gendoc.Repeat(`{"caption":""}`, 15_000_000),
				gendoc.Text(`],"rows":[]}` + tt.after + `}]}`),
			}
			var err error
			total, heap := gendoc.Alloc(func() {
				for _, e := range report.Read(gendoc.Reader(parts...)).Elements() {
					if e != nil {
						err = e
						break
					}
				}
			})
			var v *report.Violation
			if !errors.As(err, &v) || v.Pointer != "/elements/0/data/columns/16384" {
				t.Fatalf("error = %v, want the MaxColumns violation", err)
			}
			t.Logf("%d MB of input: %.2f MB allocated, heap in use %+.2f MB", gendoc.Size(parts...)>>20, float64(total)/(1<<20), float64(heap)/(1<<20))
			if total > tt.limit {
				t.Errorf("reading 15,000,000 columns allocated %d bytes, want at most %d", total, tt.limit)
			}
		})
	}
}

// TestHeldRowsLimitMemory reads a table of 100 MB of rows (produced as they
// are read) that come before its type, and checks that the decoder stops
// holding them at MaxHeldRows.
func TestHeldRowsLimitMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100 MB")
	}
	parts := []gendoc.Part{
		gendoc.Text(`{"elements":[{"data":{"columns":[{"caption":"A"}],"rows":[`),
		gendoc.Repeat(heldRow, 1_000_000),
		gendoc.Text(`]},"type":"table"}]}`),
	}
	var err error
	total, heap := gendoc.Alloc(func() {
		for _, e := range report.Read(gendoc.Reader(parts...)).Elements() {
			if e != nil {
				err = e
				break
			}
		}
	})
	var v *report.Violation
	if want := fmt.Sprintf("/elements/0/data/rows/%d", report.MaxHeldRows/(len(heldRow)+1)); !errors.As(err, &v) || v.Pointer != want {
		t.Fatalf("error = %v, want the MaxHeldRows violation at %s", err, want)
	}
	t.Logf("%d MB of input: %.2f MB allocated, heap in use %+.2f MB", gendoc.Size(parts...)>>20, float64(total)/(1<<20), float64(heap)/(1<<20))
	if limit := uint64(report.MaxHeldRows + 4<<20); total > limit {
		t.Errorf("reading 100 MB of held rows allocated %d bytes, want at most %d", total, limit)
	}
}

// TestSpaceMemory reads documents with 64 MiB of space in one run, between
// rows and elsewhere, and checks that decoding does not hold it: space is
// not data.
func TestSpaceMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB")
	}
	space := gendoc.Part{Text: strings.Repeat(" ", 1<<16), N: 1 << 10}
	row := `{"cells":[{"value":"x"},{"value":1}]}`
	rows := strings.Repeat(row+",", 999) + row
	head := `{"elements":[{"type":"table","data":{"columns":[{"caption":"A"},{"caption":"B"}],"rows":[`
	const tail = `]}}]}`
	for _, tt := range []struct {
		name  string
		parts []gendoc.Part
		rows  int
	}{
		{"before the first row", []gendoc.Part{gendoc.Text(head), space, gendoc.Text(rows + "," + rows + tail)}, 2000},
		{"before a comma between rows", []gendoc.Part{gendoc.Text(head + rows), space, gendoc.Text("," + rows + tail)}, 2000},
		{"after a comma between rows", []gendoc.Part{gendoc.Text(head + rows + ","), space, gendoc.Text(rows + tail)}, 2000},
		{"after the last row", []gendoc.Part{gendoc.Text(head + rows + "," + rows), space, gendoc.Text(tail)}, 2000},
		{"within a row", []gendoc.Part{gendoc.Text(head + rows + `,{"cells":[{"value":"x"},`), space, gendoc.Text(`{"value":1}]},` + rows + tail)}, 2001},
		{"within a row for jsontext", []gendoc.Part{gendoc.Text(head + rows + `,{"x":1,"cells":[{"value":"x"},`), space, gendoc.Text(`{"value":1}]},` + rows + tail)}, 2001},
		{"between members", []gendoc.Part{gendoc.Text(`{"title":"T",`), space, gendoc.Text(head[1:] + rows + tail)}, 1000},
		{"within the columns", []gendoc.Part{gendoc.Text(head[:len(head)-len(`],"rows":[`)] + ","), space, gendoc.Text(`{"caption":"C"}],"rows":[{"cells":[{"value":1},{"value":2},{"value":3}]}` + tail)}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			var err error
			total, _ := gendoc.Alloc(func() {
				n, err = 0, nil
				for el, e := range report.Read(gendoc.Reader(tt.parts...)).Elements() {
					if e != nil {
						err = e
						break
					}
					for _, e := range el.(*report.Table).Rows() {
						if e != nil {
							err = e
							break
						}
						n++
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.rows {
				t.Errorf("%d rows, want %d", n, tt.rows)
			}
			t.Logf("%d MB of input, %d rows: %.2f MB allocated", gendoc.Size(tt.parts...)>>20, n, float64(total)/(1<<20))
			if total > 8<<20 {
				t.Errorf("allocated %d bytes, want at most 8 MiB", total)
			}
		})
	}
}
