package rendertest

import (
	"strings"
	"testing"

	"github.com/foliorender/folio/report"
)

// KindsDocument is the document of the suite's Kinds check: every kind of
// element, each with the members it may have, and the document's own
// members. Its texts are unique, so that a renderer that drops an element,
// or a part of one, is found out.
const KindsDocument = `{"title":"Kinds title","locale":"en-GB",
"page":{"header":"Kinds header {title}","footer":"Kinds page footer {page}/{pages} {{x}}",
	"logo":{"type":"image/png","width":20,"data":"` + KindsLogo + `"}},
"elements":[
{"type":"heading","data":{"text":"Kinds heading","level":2}},
{"type":"paragraph","data":{"text":[{"value":"Kinds paragraph "},{"value":"**kinds markdown**","markdown":true}]}},
{"type":"table","caption":"Kinds table","data":{"sourceBusinessObject":"Task","columns":[
	{"caption":"Kinds column","link":"https://example.com/{value}"},
	{"caption":"Kinds amount","type":"number","format":"0.00","total":"sum"}],
	"rows":[{"sourceKey":1,"cells":[{"value":"kinds cell","link":"https://example.com/cell"},{"value":2.5}]}],
	"footer":[{"cells":[{"value":"kinds footer"},{"value":null}]}]}},
{"type":"fields","caption":"Kinds fields","pageBreak":"before","data":{"items":[
	{"label":"Kinds label","value":"kinds value"},
	{"label":"Kinds number","value":1234.5,"format":"#,##0.00"},
	{"label":"Kinds link","value":"kinds linked","link":"https://example.com/item"},
	{"label":"Kinds flag","value":true},
	{"label":"Kinds none","value":null}]}},
{"type":"heading","pageBreak":"before","data":{"text":"Kinds last heading","level":6}}
]}`

// KindsLogo is the logo of [KindsDocument], a 12 × 4 pixel PNG in base64.
const KindsLogo = "iVBORw0KGgoAAAANSUhEUgAAAAwAAAAEAQMAAACA6EzJAAAABlBMVEUOa3jypjsgEkNlAAAAEUlEQVR42mLgZ4AjQAAAAP//AZIAPdRxIgEAAAAASUVORK5CYII="

// Kinds checks that the renderer shows every element of [KindsDocument]:
// the text each kind of element shows must be in the output's text. A
// format that shows tables only (NoParagraphs) must show the tables' text
// and may leave out the rest. A format with pages (not NoPage) must show
// the page's header and footer text.
func Kinds(t *testing.T, c Config) {
	want := &shown{tablesOnly: c.NoParagraphs}
	for el, err := range report.Read(strings.NewReader(KindsDocument)).Elements() {
		if err != nil {
			t.Fatalf("KindsDocument: %v", err)
		}
		if err := report.Visit(el, want); err != nil {
			t.Fatalf("KindsDocument: %v", err)
		}
	}
	for _, k := range []string{"table", "paragraph", "heading", "fields"} {
		if !want.seen[k] {
			t.Fatalf("KindsDocument has no %s element", k)
		}
	}
	got := norm(c.Text(t, render(t, c, report.Read(strings.NewReader(KindsDocument)))))
	if !c.NoParagraphs && !strings.Contains(got, "Kinds title") {
		t.Errorf("output text lacks the title %q", "Kinds title")
	}
	if !c.NoPage && !c.NoParagraphs {
		for _, s := range []string{"Kinds header", "Kinds page footer"} {
			if !strings.Contains(got, s) {
				t.Errorf("output text lacks the page's %q", s)
			}
		}
	}
	for _, s := range want.texts {
		if !strings.Contains(got, norm(s)) {
			t.Errorf("output text lacks %q", s)
		}
	}
}

// shown collects the text each element of a document must show. As a
// report.Visitor it has a method for each kind of element, so a new kind
// does not compile here until the suite knows what it shows.
type shown struct {
	tablesOnly bool
	texts      []string
	seen       map[string]bool
}

func (s *shown) see(kind string) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[kind] = true
}

func (s *shown) Table(t *report.Table) error {
	s.see("table")
	if !s.tablesOnly {
		s.texts = append(s.texts, t.Caption) // CSV has no place for it
	}
	for _, c := range t.Columns {
		s.texts = append(s.texts, c.Caption)
	}
	for row, err := range t.Rows() {
		if err != nil {
			return err
		}
		for _, v := range row.Cells {
			if v.Kind() == report.KindString {
				s.texts = append(s.texts, v.Text())
			}
		}
	}
	return nil
}

func (s *shown) Paragraph(p *report.Paragraph) error {
	s.see("paragraph")
	if !s.tablesOnly {
		for _, r := range p.Runs {
			s.texts = append(s.texts, strings.Trim(r.Text, "* "))
		}
	}
	return nil
}

func (s *shown) Fields(f *report.Fields) error {
	s.see("fields")
	if !s.tablesOnly {
		s.texts = append(s.texts, f.Caption)
		for _, it := range f.Items {
			s.texts = append(s.texts, it.Label)
			if it.Value.Kind() == report.KindString {
				s.texts = append(s.texts, it.Value.Text())
			}
		}
	}
	return nil
}

func (s *shown) Heading(h *report.Heading) error {
	s.see("heading")
	if !s.tablesOnly {
		s.texts = append(s.texts, h.Text)
	}
	return nil
}
