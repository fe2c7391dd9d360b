package report_test

import (
	"strings"
	"testing"

	"github.com/foliorender/folio/report"
)

func TestFieldsDecode(t *testing.T) {
	in := `{"elements":[{"type":"fields","caption":"Parameters","pageBreak":"before","data":{"items":[
		{"label":"Period","value":"2026-11"},
		{"label":"Total","value":1234.5,"format":"#,##0.00"},
		{"label":"Site","value":"x","link":"https://a.example/","extra":{"a":[1]}},
		{"label":"Ok","value":true},
		{"label":"None","value":null}]}},
		{"data":{"items":[{"label":"Late type","value":1}]},"pageBreak":"before","type":"fields"}]}`
	var got []*report.Fields
	for el, err := range report.Read(strings.NewReader(in)).Elements() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, el.(*report.Fields))
	}
	if len(got) != 2 {
		t.Fatalf("got %d elements, want 2", len(got))
	}
	f := got[0]
	if f.Caption != "Parameters" || f.PageBreak != report.BreakBefore || len(f.Items) != 5 {
		t.Fatalf("got %+v", f)
	}
	want := []struct {
		label, text, link, format string
		kind                      report.Kind
	}{
		{"Period", "2026-11", "", "", report.KindString},
		{"Total", "1234.5", "", "#,##0.00", report.KindNumber},
		{"Site", "x", "https://a.example/", "", report.KindString},
		{"Ok", "true", "", "", report.KindBool},
		{"None", "", "", "", report.KindNull},
	}
	for i, w := range want {
		it := f.Items[i]
		format := ""
		if it.Format != nil {
			format = it.Format.String()
		}
		if it.Label != w.label || it.Value.Text() != w.text || it.Value.Link() != w.link || it.Value.Kind() != w.kind || format != w.format {
			t.Errorf("item %d = %q %q %q %v %q, want %+v", i, it.Label, it.Value.Text(), it.Value.Link(), it.Value.Kind(), format, w)
		}
	}
	if g := got[1]; g.PageBreak != report.BreakBefore || g.Items[0].Label != "Late type" {
		t.Errorf("second element = %+v", g)
	}
}

func TestFieldsViolations(t *testing.T) {
	for _, c := range []struct{ in, ptr, msg string }{
		{`{"type":"fields","data":{}}`, "/elements/0/data", "fields data has no items member"},
		{`{"type":"fields","data":{"items":{}}}`, "/elements/0/data/items", "items must be an array, not an object"},
		{`{"type":"fields","data":{"items":[1]}}`, "/elements/0/data/items/0", "item must be an object, not a number"},
		{`{"type":"fields","data":{"items":[{"value":1}]}}`, "/elements/0/data/items/0", "item has no label member"},
		{`{"type":"fields","data":{"items":[{"label":2,"value":1}]}}`, "/elements/0/data/items/0/label", "label must be a string, not a number"},
		{`{"type":"fields","data":{"items":[{"label":"a"}]}}`, "/elements/0/data/items/0", "item has no value member"},
		{`{"type":"fields","data":{"items":[{"label":"a","value":1},{"label":"b","value":[]}]}}`, "/elements/0/data/items/1/value", "not an array"},
		{`{"type":"fields","data":{"items":[{"label":"a","value":1e400}]}}`, "/elements/0/data/items/0/value", "float64"},
		{`{"type":"fields","data":{"items":[{"label":"a","value":1,"format":"[bad"}]}}`, "/elements/0/data/items/0/format", `format "[bad"`},
		{`{"type":"fields","data":{"items":[{"label":"a","value":1,"format":7}]}}`, "/elements/0/data/items/0/format", "format must be a string"},
		{`{"type":"fields","data":{"items":[{"label":"a","value":1,"link":"javascript:x"}]}}`, "/elements/0/data/items/0/link", "link"},
		{`{"type":"fields","caption":1,"data":{"items":[]}}`, "/elements/0/caption", "caption must be a string"},
		{`{"type":"paragraph","pageBreak":"after","data":{"text":[]}}`, "/elements/0/pageBreak", `pageBreak must be "before", not "after"`},
		{`{"type":"heading","pageBreak":true,"data":{"text":"h"}}`, "/elements/0/pageBreak", `pageBreak must be "before", not a boolean`},
		{`{"type":"table","pageBreak":"before","data":{"columns":[{"caption":"A"}],"rows":[]}}`, "", ""},
		{`{"data":{"columns":[{"caption":"A"}],"rows":[]},"pageBreak":"before","type":"table"}`, "", ""},
		{`{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[]},"pageBreak":"before"}`, "/elements/0/pageBreak", "pageBreak must come before data.rows"},
		{`{"type":"table","pageBreak":"later","data":{"columns":[{"caption":"A"}],"rows":[]}}`, "/elements/0/pageBreak", `pageBreak must be "before"`},
		{`{"type":"fields","data":{"items":[{"label":"a","value":1,"x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}]}}`, "/elements/0/data/items/0", "nesting is deeper"},
	} {
		var err error
		for _, e := range report.Read(strings.NewReader(`{"elements":[` + c.in + `]}`)).Elements() {
			if e != nil {
				err = e
			}
		}
		if c.ptr == "" && c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v, want no error", c.in, err)
			}
			continue
		}
		v, ok := err.(*report.Violation)
		if !ok || v.Pointer != c.ptr || !strings.Contains(v.Message, c.msg) {
			t.Errorf("%s: %v, want %s: …%s…", c.in, err, c.ptr, c.msg)
		}
	}
}
