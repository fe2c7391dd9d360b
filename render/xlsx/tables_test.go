package xlsx

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestTableNames(t *testing.T) {
	var n tableNames
	for _, c := range []struct{ caption, fallback, want string }{
		{"Sales 2024", "Table1", "Sales_2024"},
		{"sales 2024", "Table2", "sales_2024_2"}, // names ignore case
		{"  Orders: open / closed!  ", "T", "Orders_open_closed"},
		{"2024 sales", "T", "_2024_sales"}, // a digit cannot start a name
		{"A1", "T", "_A1"},                 // a cell reference
		{"xfd1048576", "T", "_xfd1048576"}, // the last cell
		{"R1C1", "T", "_R1C1"},             // R1C1 style
		{"rc", "T", "_rc"},
		{"R", "T", "_R"},
		{"c", "T", "_c"},
		{"ABCD1", "T", "ABCD1"},           // four letters are no column
		{"v1.2 draft", "T", "v1.2_draft"}, // periods stay
		{"...", "Table9", "Table9"},       // nothing usable
		{"", "Table10", "Table10"},
		{"Table10", "T", "Table10_2"},       // taken by the fallback
		{"Données été", "T", "Données_été"}, // letters of any script
		{"हिन्दी", "T", "हिन्दी"},           // marks within a word
		{"_xlnm.Print_Titles", "T", "xlnm.Print_Titles"},
	} {
		if got := n.take(c.caption, c.fallback); got != c.want {
			t.Errorf("take(%q) = %q, want %q", c.caption, got, c.want)
		}
	}
	long := n.take(strings.Repeat("é", 300), "T")
	if len([]rune(long)) > 255 || !strings.HasPrefix(long, "éé") {
		t.Errorf("long caption gave %d characters", len([]rune(long)))
	}
	if again := n.take(strings.Repeat("é", 300), "T"); again != long+"_2" || len([]rune(again)) > 255 {
		t.Errorf("long caption again gave %q", again)
	}
}

func TestColumnNames(t *testing.T) {
	got := columnNames([]string{"Amount", "", "amount", "Amount", " ", "Amount2", "ctl\x01", "Column2"})
	want := []string{"Amount", "Column2", "amount2", "Amount3", "Column5", "Amount22", "ctl\u2401", "Column22"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("columnNames = %q, want %q", got, want)
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	tp := &tablePart{id: 3, name: "Q&A", ref: "B2:C5", cols: []string{"a\nb", `"x"<y>`, "_x0041_"}}
	if err := writeTable(&b, tp, "TableStyleLight9"); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="3" name="Q&amp;A" displayName="Q&amp;A" ref="B2:C5" totalsRowShown="0">` +
		`<autoFilter ref="B2:C5"/><tableColumns count="3"><tableColumn id="1" name="a_x000a_b"/><tableColumn id="2" name="&quot;x&quot;&lt;y&gt;"/>` +
		`<tableColumn id="3" name="_x005F_x0041_"/></tableColumns>` +
		`<tableStyleInfo name="TableStyleLight9" showFirstColumn="0" showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>`
	if b.String() != want {
		t.Errorf("table part\n got %s\nwant %s", b.String(), want)
	}
}

// TestSheetSplicer feeds worksheets through the splicer in pieces of every
// size, so that </sheetData> is split at every place: hyperlinks go after
// sheetData and autoFilter and before the print set-up, table parts before
// extLst or the end.
func TestSheetSplicer(t *testing.T) {
	links := &sheetLinks{cells: []linkCell{{1, 2}}, targets: []int{0}, urls: []string{"https://x.example/"}}
	tables := []*tablePart{{id: 1}, {id: 2}}
	cells := `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lt;/sheetData&gt;</t></is></c></row></sheetData>`
	for _, c := range []struct {
		name, tail, want string
		links            *sheetLinks
		tables           []*tablePart
	}{
		{"links", `<autoFilter ref="A1:B2"></autoFilter>`, `<autoFilter ref="A1:B2"></autoFilter>` + hl, links, nil},
		{"print", `<pageMargins left="0.7"></pageMargins><pageSetup fitToHeight="0"></pageSetup>`,
			hl + `<pageMargins left="0.7"></pageMargins><pageSetup fitToHeight="0"></pageSetup>` + tp2, links, tables},
		{"headerFooter", `<headerFooter><oddHeader>&amp;P</oddHeader></headerFooter>`,
			hl + `<headerFooter><oddHeader>&amp;P</oddHeader></headerFooter>` + tp2, links, tables},
		{"extLst", `<pageSetup/><extLst><ext uri="x"></ext></extLst>`, `<pageSetup/>` + tp1 + `<extLst><ext uri="x"></ext></extLst>`, nil, tables},
		{"tables only", ``, tp1, nil, tables},
	} {
		in := cells + c.tail + `</worksheet>`
		want := cells + c.want + `</worksheet>`
		for size := 1; size <= len(in); size++ {
			var out bytes.Buffer
			s := &sheetSplicer{w: &out, links: c.links, tables: c.tables}
			for i := 0; i < len(in); i += size {
				if _, err := s.Write([]byte(in[i:min(i+size, len(in))])); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.finish(); err != nil {
				t.Fatalf("%s, pieces of %d: %v", c.name, size, err)
			}
			if out.String() != want {
				t.Fatalf("%s, pieces of %d:\n got %s\nwant %s", c.name, size, out.String(), want)
			}
		}
	}
	for _, bad := range []string{`<worksheet><sheetData></sheetData>`, `<worksheet></worksheet>`} {
		s := &sheetSplicer{w: bufio.NewWriter(&bytes.Buffer{}), tables: tables}
		s.Write([]byte(bad))
		if err := s.finish(); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

const (
	hl  = `<hyperlinks><hyperlink ref="A2" r:id="rId1"/></hyperlinks>`
	tp1 = `<tableParts count="2"><tablePart r:id="rId1"/><tablePart r:id="rId2"/></tableParts>`
	tp2 = `<tableParts count="2"><tablePart r:id="rId2"/><tablePart r:id="rId3"/></tableParts>`
)
