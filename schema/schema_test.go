package schema_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/foliorender/folio/internal/safeurl"
	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/schema"
)

func TestSchemaIsValidJSON(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal(schema.JSON(), &v); err != nil {
		t.Fatal(err)
	}
	if v["$schema"] != "https://json-schema.org/draft/2020-12/schema" || v["$id"] != schema.URL {
		t.Errorf("$schema = %v, $id = %v", v["$schema"], v["$id"])
	}
}

func TestSeedIsValid(t *testing.T) {
	b, err := os.ReadFile("../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if vs := schema.CheckDocument(v); len(vs) > 0 {
		t.Fatalf("the schema rejects the seed: %v", vs)
	}
}

// TestInvalidDocuments checks every document under testdata/invalid gives
// the listed pointer as its first violation.
func TestInvalidDocuments(t *testing.T) {
	tsv, err := os.ReadFile("../testdata/invalid/POINTERS.tsv")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(tsv)) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, ptr, _ := strings.Cut(strings.TrimSpace(line), "\t")
		n++
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("../testdata/invalid", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			err = schema.Validate(f)
			var ve *schema.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a ValidationError", err)
			}
			if got := report.PointerString(ve.Violations[0].Pointer); got != ptr {
				t.Errorf("first violation %s, want pointer %s", ve.Violations[0].Error(), ptr)
			}
		})
	}
	if n < 20 {
		t.Errorf("only %d invalid documents", n)
	}
}

func TestCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[`)
	for i := range 250 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"cells":[]}`)
	}
	b.WriteString(`]}}]}`)
	var ve *schema.ValidationError
	if err := schema.Validate(strings.NewReader(b.String())); !errors.As(err, &ve) {
		t.Fatalf("Validate = %v", err)
	}
	if len(ve.Violations) != schema.MaxViolations || ve.More != 150 {
		t.Errorf("got %d violations and %d more, want %d and 150", len(ve.Violations), ve.More, schema.MaxViolations)
	}
	if !strings.Contains(ve.Error(), "and 249 more") {
		t.Errorf("Error() = %q", ve.Error())
	}
}

// rowCases are rows checked by both the decoder's Go checks and the
// schema's row definition, in a table of two untyped columns.
var rowCases = []string{
	`{"cells":[{"value":"a"},{"value":1}]}`,
	`{"sourceKey":7,"cells":[{"value":null},{"value":true}]}`,
	`{"sourceKey":"k-1","cells":[{"value":false},{"value":-0.5e-3}]}`,
	`{"sourceKey":null,"cells":[{"value":""},{"value":"x","extra":{}}],"more":[1]}`,
	`{"sourceKey":true,"cells":[{"value":"a"},{"value":1}]}`,
	`{"sourceKey":{},"cells":[{"value":"a"},{"value":1}]}`,
	`{"sourceKey":[1],"cells":[{"value":"a"},{"value":1}]}`,
	`{"cells":[{"value":{}},{"value":1}]}`,
	`{"cells":[{"value":[]},{"value":1}]}`,
	`{"cells":[{"value":"a"},{}]}`,
	`{"cells":[{"v":"a"},{"value":1}]}`,
	`{"cells":["a",1]}`,
	`{"cells":[null,{"value":1}]}`,
	`{"cells":{"value":1}}`,
	`{"cells":"a,b"}`,
	`{"cells":null}`,
	`{"Cells":[{"value":"a"},{"value":1}]}`,
	`{}`,
	`[]`,
	`"row"`,
	`null`,
	`42`,
	`{"cells":[{"value":"Order 42","link":"https://erp.example/orders/42"},{"value":1,"link":"mailto:a@example.com"}]}`,
	`{"cells":[{"value":"a","link":"javascript:alert(1)"},{"value":1}]}`,
	`{"cells":[{"value":"a","link":"/relative"},{"value":1}]}`,
	`{"cells":[{"value":"a","link":"https://a b"},{"value":1}]}`,
	`{"cells":[{"value":"a","link":"HTTPS://x"},{"value":1,"link":7}]}`,
	`{"cells":[{"value":"a","link":null},{"value":1}]}`,
	`{"cells":[{"value":"a","link":""},{"value":1}]}`,
}

// headerCases are documents whose new members (locale, format, total,
// link templates, footers) both the decoder and the schema judge.
var headerCases = []string{
	`{"title":"T","page":{"header":"{title} {{x}}","footer":"Page {page} of {pages}"},"elements":[]}`,
	`{"page":{"footer":""},"elements":[]}`,
	`{"page":{},"elements":[]}`,
	`{"page":[],"elements":[]}`,
	`{"page":"x","elements":[]}`,
	`{"page":{"header":7},"elements":[]}`,
	`{"page":{"header":"{date}"},"elements":[]}`,
	`{"page":{"header":"{Page}"},"elements":[]}`,
	`{"page":{"header":"a { b"},"elements":[]}`,
	`{"page":{"header":"a } b"},"elements":[]}`,
	`{"page":{"header":"{{page}"},"elements":[]}`,
	`{"page":{"header":"}}}"},"elements":[]}`,
	`{"page":{"header":"tab\there"},"elements":[]}`,
	`{"page":{"footer":"` + strings.Repeat("ü", report.MaxPageText) + `"},"elements":[]}`,
	`{"page":{"footer":"` + strings.Repeat("ü", report.MaxPageText+1) + `"},"elements":[]}`,
	`{"page":{"header":"x","extra":{"a":1}},"elements":[]}`,
	`{"page":{"logo":{"type":"image/png"}},"elements":[]}`,
	`{"page":{"logo":{"data":"` + logoB64 + `"}},"elements":[]}`,
	`{"page":{"logo":{"data":"` + logoB64 + `","type":"image/png"}},"elements":[]}`,
	`{"page":{"logo":{"data":"` + logoB64 + `","type":"image/png","width":40}},"elements":[]}`,
	`{"page":{"logo":{"data":"` + logoB64 + `","type":"image/png","width":0}},"elements":[]}`,
	`{"page":{"logo":{"data":"` + logoB64 + `","type":"image/png","width":100.5}},"elements":[]}`,
	`{"page":{"logo":{"data":"` + logoB64 + `","type":"image/png","width":"4cm"}},"elements":[]}`,
	`{"page":{"logo":{"data":"` + logoB64 + `","type":"image/gif"}},"elements":[]}`,
	`{"page":{"logo":{"data":7,"type":"image/png"}},"elements":[]}`,
	`{"page":{"logo":"` + logoB64 + `"},"elements":[]}`,
	`{"elements":[{"type":"fields","caption":"P","data":{"items":[{"label":"a","value":"x"},{"label":"b","value":1.5,"format":"0.00"},{"label":"c","value":true,"link":"https://e.example/"},{"label":"d","value":null}]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[]}}]}`,
	`{"elements":[{"type":"fields","data":{}}]}`,
	`{"elements":[{"type":"fields","data":{"items":{}}}]}`,
	`{"elements":[{"type":"fields","caption":[],"data":{"items":[]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[{"label":"a"}]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[{"value":1}]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[{"label":1,"value":1}]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[{"label":"a","value":{}}]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[7]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[{"label":"a","value":1,"format":"\u0001"}]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[{"label":"a","value":1,"format":3}]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[{"label":"a","value":1,"link":"ftp://x"}]}}]}`,
	`{"elements":[{"type":"fields","data":{"items":[{"label":"a","value":1,"link":"https://x","other":[1]}]}}]}`,
	`{"elements":[{"type":"paragraph","pageBreak":"before","data":{"text":[]}}]}`,
	`{"elements":[{"type":"heading","pageBreak":"after","data":{"text":"h"}}]}`,
	`{"elements":[{"type":"fields","pageBreak":1,"data":{"items":[]}}]}`,
	`{"elements":[{"type":"table","pageBreak":"before","data":{"columns":[{"caption":"A"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","pageBreak":null,"data":{"columns":[{"caption":"A"}],"rows":[]}}]}`,
	`{"locale":"de-DE","elements":[]}`,
	`{"locale":"","elements":[]}`,
	`{"locale":7,"elements":[]}`,
	`{"locale":"de--DE","elements":[]}`,
	`{"locale":"xx","elements":[]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","type":"number","format":"#,##0.00","total":"sum"}],"rows":[{"cells":[{"value":1.5}]}]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","format":7}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","format":"0 kg"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","format":"*\u0001"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","format":"\"\t\"0"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","type":"date","format":"dd.mm.yyyy"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","type":"date","format":"0.00"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","total":"count"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","total":"sum"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","type":"string","total":"mean"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","type":"number","total":"average"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","type":"number","total":1}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","link":"https://erp/orders/{value}"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","link":"https://{value}"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","link":"mailto:{value}"}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","link":false}],"rows":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"},{"caption":"B","type":"number"}],"rows":[],"footer":[{"cells":[{"value":"Total"},{"value":"n/a","link":"https://x"}]}]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[],"footer":[]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[],"footer":{}}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[],"footer":[{"cells":[{"value":{}}]}]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[],"footer":[{"cells":[{"value":"a","link":"ftp://x"}]}]}}]}`,
	`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[],"footer":[{"sourceKey":true,"cells":[{"value":"a"}]}]}}]}`,
	`{"elements":[{"type":"paragraph","data":{"text":[],"footer":7}}]}`,
}

// logoB64 is testdata/logo.png in base64.
var logoB64 = func() string {
	b, err := os.ReadFile("../testdata/logo.png")
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}()

// logoFails reports whether the decoder refuses a logo the schema may
// accept: data that is not an image of its type within the limits.
func logoFails(logo any) bool {
	m, _ := logo.(map[string]any)
	data, ok := m["data"].(string)
	typ, _ := m["type"].(string)
	if !ok || (typ != report.ImagePNG && typ != report.ImageJPEG) {
		return false // the schema decides
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return true
	}
	_, err = report.NewLogo(typ, b, 0)
	return err != nil
}

// TestRowAgreement shows the decoder's fast path and the schema give the
// same verdict on each row.
func TestRowAgreement(t *testing.T) {
	valid := 0
	for _, row := range rowCases {
		fast := fastVerdict(row)
		var v any
		dec := json.NewDecoder(strings.NewReader(row))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		slow := len(schema.CheckRow("", v)) == 0
		if fast != slow {
			t.Errorf("row %s: decoder says valid=%v, schema says valid=%v", row, fast, slow)
		}
		if fast {
			valid++
		}
	}
	if valid == 0 || valid == len(rowCases) {
		t.Errorf("%d of %d rows valid: the cases do not test both verdicts", valid, len(rowCases))
	}
}

// fastVerdict reports whether the decoder accepts row in a table of as many
// untyped columns as the row has cells, so that only the rules the schema
// can express decide.
func fastVerdict(row string) bool {
	cols := 2
	var probe struct{ Cells []json.RawMessage }
	if json.Unmarshal([]byte(row), &probe) == nil && probe.Cells != nil {
		cols = max(1, len(probe.Cells))
	}
	colJSON := strings.Repeat(`{"caption":"c"},`, cols)
	doc := `{"elements":[{"type":"table","data":{"columns":[` + colJSON[:len(colJSON)-1] + `],"rows":[` + row + `]}}]}`
	err := schema.Validate(strings.NewReader(doc))
	if err == nil {
		return true
	}
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			if strings.Contains(v.Message, "cells but the table has") || strings.Contains(v.Message, "cell but the table has") {
				continue // the column count is not the row's fault here
			}
			return false
		}
		return true
	}
	return false
}

// canonical writes v as JSON in the member order folio streams (title
// and page before elements; type, caption, pageBreak and data first;
// columns before rows), so that order rules never decide the verdict.
func canonical(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		rank := map[string]int{"title": 0, "locale": 0, "page": 0, "type": 1, "caption": 2, "pageBreak": 2, "columns": 3, "data": 4, "elements": 5, "rows": 6}
		sort.Slice(keys, func(i, j int) bool {
			ri, ok := rank[keys[i]]
			if !ok {
				ri = 9
			}
			rj, ok := rank[keys[j]]
			if !ok {
				rj = 9
			}
			if ri != rj {
				return ri < rj
			}
			return keys[i] < keys[j]
		})
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			canonical(b, v[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			canonical(b, e)
		}
		b.WriteByte(']')
	default:
		vb, _ := json.Marshal(v)
		b.Write(vb)
	}
}

// beyondSchema reports whether the document breaks a rule the schema cannot
// express: cell counts, typed columns, numbers beyond float64, nesting
// deeper than report.MaxDepth. The decoder's byte limits are beyond it too,
// but fuzzed documents stay far below report.MaxHeader, and canonical puts
// columns and type first, so that no rows are held (report.MaxHeldRows).
func beyondSchema(doc any) bool {
	if depth(doc) > report.MaxDepth {
		return true
	}
	m, _ := doc.(map[string]any)
	if page, ok := m["page"].(map[string]any); ok && logoFails(page["logo"]) {
		return true
	}
	if tag, ok := m["locale"].(string); ok && tag != "" {
		if _, err := numfmt.ParseLocale(tag); err != nil {
			return true
		}
	}
	els, _ := m["elements"].([]any)
	for _, e := range els {
		el, _ := e.(map[string]any)
		data, _ := el["data"].(map[string]any)
		if items, _ := data["items"].([]any); el["type"] == "fields" {
			for _, it := range items {
				im, _ := it.(map[string]any)
				if code, ok := im["format"].(string); ok && numfmtFails(code) || bigNumber(im["value"]) {
					return true
				}
			}
		}
		if el["type"] != "table" || data == nil {
			continue
		}
		cols, _ := data["columns"].([]any)
		rows, _ := data["rows"].([]any)
		footer, _ := data["footer"].([]any)
		sums := false
		for _, c := range cols {
			if cm, ok := c.(map[string]any); ok {
				typ, typed := cm["type"]
				if typed && len(rows) > 0 {
					return true // the cells of a typed column
				}
				if code, ok := cm["format"].(string); ok && !formatFits(typ, code) {
					return true
				}
				sums = sums || cm["total"] == "sum" || cm["total"] == "mean"
			}
		}
		if sums && len(rows) > 0 {
			return true // totals: a sum beyond float64, a number with 1000 decimals
		}
		for _, r := range footer {
			rm, _ := r.(map[string]any)
			cells, ok := rm["cells"].([]any)
			if ok && len(cells) != len(cols) || bigNumber(rm["sourceKey"]) {
				return true
			}
			for _, c := range cells {
				if cm, ok := c.(map[string]any); ok && bigNumber(cm["value"]) {
					return true
				}
			}
		}
		for _, r := range rows {
			rm, _ := r.(map[string]any)
			if bigNumber(rm["sourceKey"]) {
				return true
			}
			cells, ok := rm["cells"].([]any)
			if ok && len(cells) != len(cols) {
				return true
			}
			for _, c := range cells {
				if cm, ok := c.(map[string]any); ok && bigNumber(cm["value"]) {
					return true
				}
			}
		}
	}
	return false
}

// formatFits reports whether the decoder accepts code as the format of a
// column of type typ (nil when untyped): a code numfmt parses, of a kind
// that suits the type.
func formatFits(typ any, code string) bool {
	c, err := numfmt.Parse(code)
	if err != nil {
		return false
	}
	switch typ {
	case "boolean":
		return false
	case "date", "datetime":
		return c.Kind() == numfmt.KindDateTime
	}
	return c.Kind() != numfmt.KindDateTime || !c.HasDate()
}

// numfmtFails reports whether numfmt rejects code.
func numfmtFails(code string) bool {
	_, err := numfmt.Parse(code)
	return err != nil
}

func bigNumber(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return err != nil && math.IsInf(f, 0)
}

func depth(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	case []any:
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}

// agree checks the decoder and the schema give the same verdict on in,
// and reports whether both found it valid.
func agree(t *testing.T, in []byte) bool {
	var v any
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	if dec.Decode(&v) != nil || dec.More() {
		return false // not one JSON value: the schema has nothing to say
	}
	var b bytes.Buffer
	canonical(&b, v)
	if beyondSchema(v) {
		return false
	}
	slow := schema.CheckDocument(v)
	err := schema.Validate(bytes.NewReader(b.Bytes()))
	var ve *schema.ValidationError
	if err != nil && !errors.As(err, &ve) {
		t.Fatalf("Validate(%s) = %v", b.Bytes(), err)
	}
	if (err == nil) != (len(slow) == 0) {
		t.Fatalf("verdicts differ on %s:\ndecoder: %v\nschema: %v", b.Bytes(), err, slow)
	}
	// Read a byte at a time, the decoder's row scanner reads every row it
	// can: its verdict must be the same.
	err1 := schema.Validate(iotest.OneByteReader(bytes.NewReader(b.Bytes())))
	var ve1 *schema.ValidationError
	if (err1 == nil) != (err == nil) || err1 != nil && (!errors.As(err1, &ve1) || !sameViolations(ve1, ve)) {
		t.Fatalf("verdicts differ on %s read a byte at a time:\n%v\nread whole:\n%v", b.Bytes(), err1, err)
	}
	return err == nil
}

// sameViolations reports whether a and b hold the same violations, but for
// the input jsontext quotes in some messages, which is what it has buffered
// of it: less when its buffer ends within the quote.
func sameViolations(a, b *schema.ValidationError) bool {
	if a.More != b.More || len(a.Violations) != len(b.Violations) {
		return false
	}
	for i, va := range a.Violations {
		vb := b.Violations[i]
		if va.Pointer != vb.Pointer {
			return false
		}
		pa, pb := strings.Split(va.Message, "`"), strings.Split(vb.Message, "`")
		if va.Message != vb.Message && (len(pa) != 3 || len(pb) != 3 || pa[0] != pb[0] || pa[2] != pb[2] ||
			!strings.HasPrefix(pa[1], pb[1]) && !strings.HasPrefix(pb[1], pa[1])) {
			return false
		}
	}
	return true
}

func TestDocumentAgreement(t *testing.T) {
	// Each of these is within the schema (beyondSchema is false), so both
	// validators judge it; they expect the verdict marked.
	judged := map[string]bool{
		`{"elements":[]}`: true,
		`{"elements":[{"type":"heading","data":{"text":"h","level":6}}]}`:                                  true,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","align":"right"}],"rows":[]}}]}`:   true,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","align":"justify"}],"rows":[]}}]}`: false,
		`{"elements":[{"type":"heading","data":{"text":"h","level":1.5}}]}`:                                false,
		`{"title":1,"elements":[]}`: false,
		`{"elements":{}}`:           false,
	}
	for d, want := range judged {
		var v any
		if err := json.Unmarshal([]byte(d), &v); err != nil || beyondSchema(v) {
			t.Fatalf("%s: %v, or beyond the schema: the case judges nothing", d, err)
		}
		if got := agree(t, []byte(d)); got != want {
			t.Errorf("%s: valid %v, want %v", d, got, want)
		}
	}
	docs := []string{
		`{"elements":[]}`,
		`{"title":1,"elements":[]}`,
		`{"elements":{}}`,
		`[]`,
		`{"elements":[{"type":"paragraph","data":{"text":[{"value":"a","markdown":"yes"}]}}]}`,
		`{"elements":[{"type":"paragraph","data":{"text":[{"value":"a","markdown":true},{}]}}]}`,
		`{"elements":[{"type":"heading","data":{"text":"h","level":1.5}}]}`,
		`{"elements":[{"type":"heading","data":{"text":"h","level":6}}]}`,
		`{"elements":[{"type":"heading","data":{}}]}`,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","align":"justify"}],"rows":[]}}]}`,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A","align":"right"}],"rows":[]}}]}`,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}]}}]}`,
		`{"elements":[{"type":"table","data":{"rows":[]}}]}`,
		`{"elements":[{"type":"table","caption":7,"data":{"columns":[{"caption":"A"}],"rows":[]}}]}`,
		`{"elements":[{"type":"table","data":{"sourceBusinessObject":1,"columns":[{"caption":"A"}],"rows":[]}}]}`,
		`{"elements":[{"type":"table","data":[]}]}`,
		`{"elements":[{"type":null,"data":{}}]}`,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":{}}}]}`,
	}
	for _, r := range rowCases {
		docs = append(docs, `{"elements":[{"type":"table","data":{"columns":[{"caption":"A"},{"caption":"B"}],"rows":[`+r+`]}}]}`)
		docs = append(docs, `{"elements":[{"type":"table","data":{"columns":[{"caption":"A"},{"caption":"B"}],"rows":[],"footer":[`+r+`]}}]}`)
	}
	inSchema := 0
	for _, d := range headerCases {
		var v any
		if err := json.Unmarshal([]byte(d), &v); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if !beyondSchema(v) {
			inSchema++
		}
	}
	if inSchema < len(headerCases)*2/3 {
		t.Errorf("only %d of %d header cases are within the schema", inSchema, len(headerCases))
	}
	docs = append(docs, headerCases...)
	valid := 0
	for _, d := range docs {
		if agree(t, []byte(d)) {
			valid++
		}
	}
	if valid == 0 || valid == len(docs) {
		t.Errorf("%d of %d documents valid: the cases do not test both verdicts", valid, len(docs))
	}
	seed, err := os.ReadFile("../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	if !agree(t, seed) {
		t.Error("the seed is not valid, or beyond the schema")
	}
}

// FuzzAgreement requires the streaming validator and the JSON Schema to
// give the same verdict on every document whose validity the schema can
// decide.
func FuzzAgreement(f *testing.F) {
	seed, _ := os.ReadFile("../testdata/seed.json")
	f.Add(seed)
	for _, r := range rowCases {
		f.Add([]byte(`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"},{"caption":"B"}],"rows":[` + r + `]}}]}`))
	}
	f.Add([]byte(`{"title":"t","elements":[{"type":"heading","data":{"text":"h","level":2}},{"type":"paragraph","data":{"text":[{"value":"*x*","markdown":true}]}}]}`))
	for _, r := range rowCases {
		f.Add([]byte(`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"},{"caption":"B"}],"rows":[],"footer":[` + r + `]}}]}`))
	}
	for _, d := range headerCases {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		agree(t, in)
	})
}

func ExampleValidate() {
	doc := `{"elements":[{"type":"table","data":{"columns":[{"caption":"A"},{"caption":"B"}],"rows":[
		{"cells":[{"value":1},{"value":2}]},
		{"cells":[{"value":3}]},
		{"cells":[{"value":{"x":1}},{"value":4}]}]}}]}`
	err := schema.Validate(strings.NewReader(doc))
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Printf("%s: %s\n", v.Pointer, v.Message)
		}
	}
	// Output:
	// /elements/0/data/rows/1/cells: row has 1 cell but the table has 2 columns
	// /elements/0/data/rows/2/cells/0/value: a cell value must be a string, a number, a boolean or null, not an object
}

// TestLinkPatterns checks the schema's link patterns are the Go rules'.
func TestLinkPatterns(t *testing.T) {
	var s struct {
		Defs struct {
			Column struct {
				Properties struct{ Link struct{ Pattern string } }
			}
			Cell struct {
				Properties struct{ Link struct{ Pattern string } }
			}
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.JSON(), &s); err != nil {
		t.Fatal(err)
	}
	if got := s.Defs.Cell.Properties.Link.Pattern; got != safeurl.LinkPattern {
		t.Errorf("cell link pattern %q, want safeurl.LinkPattern %q", got, safeurl.LinkPattern)
	}
	if got := s.Defs.Column.Properties.Link.Pattern; got != safeurl.TemplatePattern {
		t.Errorf("column link pattern %q, want safeurl.TemplatePattern %q", got, safeurl.TemplatePattern)
	}
}
