package report_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/foliorender/folio/report"
)

// TestMessagesClipInput checks that a message quoting a long input value
// repeats only its first 80 characters, marked with "…", whole characters.
func TestMessagesClipInput(t *testing.T) {
	long := strings.Repeat("é", 100_000) // 200,000 bytes
	head := strings.Repeat("é", 80) + "…"
	digits := "1" + strings.Repeat("0", 100_000)
	tests := []struct {
		name, in, ptr, want string
	}{
		{"element type", `{"elements":[{"type":"` + long + `","data":{}}]}`,
			"/elements/0/type", `unknown element type "` + head + `"; the types are`},
		{"column type", table(`[{"caption":"A","type":"`+long+`"}]`, ``),
			"/elements/0/data/columns/0/type", `not "` + head + `"`},
		{"column align", table(`[{"caption":"A","align":"`+long+`"}]`, ``),
			"/elements/0/data/columns/0/align", `not "` + head + `"`},
		{"heading level", `{"elements":[{"type":"heading","data":{"text":"h","level":` + digits + `}}]}`,
			"/elements/0/data/level", "not " + digits[:80] + "…"},
		{"caption and date", table(`[{"caption":"`+long+`","type":"date"}]`, `{"cells":[{"value":"`+long+`"}]}`),
			"/elements/0/data/rows/0/cells/0/value", `column "` + head + `" holds dates like 2006-01-02, not "` + head + `"`},
		{"datetime", table(`[{"caption":"D","type":"datetime"}]`, `{"cells":[{"value":"`+long+`"}]}`),
			"/elements/0/data/rows/0/cells/0/value", `not "` + head + `"`},
		{"number out of range", table(`[{"caption":"N"}]`, `{"cells":[{"value":`+digits+`}]}`),
			"/elements/0/data/rows/0/cells/0/value", "the number " + digits[:80] + "… is out of range"},
		{"short values whole", `{"elements":[{"type":"chart","data":{}}]}`,
			"/elements/0/type", `unknown element type "chart"; the types are`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := collect(tt.in)
			if len(vs) != 1 {
				t.Fatalf("got %d violations, want 1:\n%s", len(vs), list(vs))
			}
			v := vs[0]
			if v.Pointer != tt.ptr || !strings.Contains(v.Message, tt.want) {
				t.Errorf("violation %s: %.300s\nwant %s: …%s…", v.Pointer, v.Message, tt.ptr, tt.want)
			}
			if len(v.Message) > 400 || !utf8.ValidString(v.Message) {
				t.Errorf("message of %d bytes (valid UTF-8: %v)", len(v.Message), utf8.ValidString(v.Message))
			}
		})
	}
}

// TestBuiltTableMessagesClip checks the same for tables built in Go: the
// header is checked as the document yields the table, rows as they are
// pulled.
func TestBuiltTableMessagesClip(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	firstErr := func(tab *report.Table) error {
		for el, err := range report.New("", tab).Elements() {
			if err != nil {
				return err
			}
			for _, err := range el.(*report.Table).Rows() {
				if err != nil {
					return err
				}
			}
		}
		return nil
	}
	tests := []struct {
		name string
		cols []report.Column
		rows []report.Row
		want string
	}{
		{"column type", []report.Column{{Caption: "A", Type: report.ColumnType(long)}}, nil,
			`/columns/0/type: unknown column type "` + long[:80] + `…"`},
		{"alignment", []report.Column{{Caption: "A", Align: report.Align(long)}}, nil,
			`/columns/0/align: unknown alignment "` + long[:80] + `…"`},
		{"date cell", []report.Column{{Caption: long, Type: report.TypeDate}}, []report.Row{report.Cells(report.String(long))},
			`/rows/0/cells/0/value: column "` + long[:80] + `…" holds dates like 2006-01-02, not "` + long[:80] + `…"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := firstErr(report.NewTable("T", tt.cols, report.RowsOf(tt.rows...)))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %.300v\nwant %s", err, tt.want)
			}
		})
	}
}
