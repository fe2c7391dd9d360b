package json_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"github.com/foliorender/folio/internal/golden"
	"os"
	"strings"
	"testing"

	"github.com/foliorender/folio/render/json"
	"github.com/foliorender/folio/render/rendertest"
	"github.com/foliorender/folio/report"
)

func render(doc *report.Document) ([]byte, error) {
	var buf bytes.Buffer
	err := (&json.Renderer{}).Render(context.Background(), &buf, doc)
	return buf.Bytes(), err
}

// dump writes a document's model as text, reading it fully, so two
// documents can be compared.
func dump(doc *report.Document) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "title %q\n", doc.Title())
	if l := doc.Locale(); l != nil {
		fmt.Fprintf(&b, "locale %q\n", l.Tag)
	}
	if p := doc.Page(); p != nil {
		for _, t := range []*report.PageText{p.Header, p.Footer} {
			if t != nil {
				fmt.Fprintf(&b, "page text %q\n", t.String())
			} else {
				b.WriteString("page text none\n")
			}
		}
		if l := p.Logo; l != nil {
			fmt.Fprintf(&b, "logo %s width %v %dx%d sha256 %x\n", l.Type, l.Width, l.PixelWidth, l.PixelHeight, sha256.Sum256(l.Data))
		}
	}
	for el, err := range doc.Elements() {
		if err != nil {
			return "", err
		}
		switch el := el.(type) {
		case *report.Table:
			fmt.Fprintf(&b, "table %q\n", el.Caption)
			for _, c := range el.Columns {
				format := "-"
				if c.Format != nil {
					format = c.Format.String()
				}
				fmt.Fprintf(&b, " column %q %q %q format %q total %q link %q\n", c.Caption, c.Type, c.Align, format, c.Total, c.Link)
			}
			row := func(r report.Row) {
				fmt.Fprintf(&b, " key %v:%q", r.SourceKey.Kind(), r.SourceKey.Text())
				for _, v := range r.Cells {
					fmt.Fprintf(&b, " %v:%q", v.Kind(), v.Text())
					if v.Link() != "" {
						fmt.Fprintf(&b, "<%q>", v.Link())
					}
				}
				b.WriteByte('\n')
			}
			for r, err := range el.Rows() {
				if err != nil {
					return "", err
				}
				row(r)
			}
			if el.Footer != nil {
				fmt.Fprintf(&b, " footer of %d\n", len(el.Footer))
			}
			for _, r := range el.FooterRows() {
				row(r)
			}
			fmt.Fprintf(&b, " source %q\n", el.Source)
		case *report.Paragraph:
			for _, r := range el.Runs {
				fmt.Fprintf(&b, "run %v %q\n", r.Markdown, r.Text)
			}
		case *report.Heading:
			fmt.Fprintf(&b, "heading %d %q\n", el.Level, el.Text)
		case *report.Fields:
			fmt.Fprintf(&b, "fields %q\n", el.Caption)
			for _, it := range el.Items {
				format := "-"
				if it.Format != nil {
					format = it.Format.String()
				}
				fmt.Fprintf(&b, " item %q %v:%q format %q link %q\n", it.Label, it.Value.Kind(), it.Value.Text(), format, it.Value.Link())
			}
		default:
			return "", fmt.Errorf("unknown element %T", el)
		}
		if pb := report.BlockOf(el).PageBreak; pb != report.BreakNone {
			fmt.Fprintf(&b, " pageBreak %q\n", pb)
		}
	}
	return b.String(), nil
}

func TestSeed(t *testing.T) {
	in, err := os.ReadFile("../../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := render(report.Read(bytes.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "seed.json", out)
	// Parse back with encoding/json: same data as the seed.
	var a, b any
	if err := stdjson.Unmarshal(in, &a); err != nil {
		t.Fatal(err)
	}
	if err := stdjson.Unmarshal(out, &b); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	ja, _ := stdjson.Marshal(a)
	jb, _ := stdjson.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("output holds other data than the seed:\n%s\n%s", ja, jb)
	}
	mustRoundtrip(t, in)
}

// roundtrip checks that in, rendered and decoded again, gives an equal
// document, and that rendering is a fixpoint. It reports whether in was a
// valid document: for an invalid one there is nothing to check.
func roundtrip(t *testing.T, in []byte) bool {
	t.Helper()
	want, err := dump(report.Read(bytes.NewReader(in)))
	if err != nil {
		return false
	}
	out, err := render(report.Read(bytes.NewReader(in)))
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	got, err := dump(report.Read(bytes.NewReader(out)))
	if err != nil {
		t.Fatalf("output does not decode: %v\n%s", err, out)
	}
	if got != want {
		t.Fatalf("round trip changed the document:\nwant %s\ngot  %s", want, got)
	}
	again, _ := render(report.Read(bytes.NewReader(out)))
	if !bytes.Equal(again, out) {
		t.Fatalf("rendering the output again changed it")
	}
	return true
}

// mustRoundtrip is roundtrip for a document that must be valid.
func mustRoundtrip(t *testing.T, in []byte) {
	t.Helper()
	if !roundtrip(t, in) {
		_, err := dump(report.Read(bytes.NewReader(in)))
		t.Fatalf("the document is invalid, so nothing was checked: %v\n%s", err, in)
	}
}

func TestRoundtrip(t *testing.T) {
	for _, in := range []string{
		`{"title":"T \u2028 \"q\"","elements":[{"type":"heading","data":{"text":"H","level":3}},{"type":"paragraph","data":{"text":[{"value":"*a*","markdown":true},{"value":"\u0000"}]}}]}`,
		`{"elements":[{"data":{"rows":[{"sourceKey":"k","cells":[{"value":1.50},{"value":null},{"value":true}]}],"columns":[{"caption":"N","type":"number","align":"center"},{"caption":"X"},{"caption":"B","type":"boolean"}]},"type":"table","caption":"late type"}]}`,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":-0}]},{"cells":[{"value":1.7976931348623157E+308}]},{"cells":[{"value":4.9e-324}]}]}}]}`,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":123456789012345678901234567890e-5}]}],"sourceBusinessObject":"Late"}}]}`,
		numbersDoc,
		`{"page":{"footer":"","logo":{"data":"` + rendertest.KindsLogo + `","type":"image/png","width":1.50}},"elements":[]}`,
		`{"page":{"header":"{{}}"},"elements":[]}`,
		`{"locale":"fr_ch","elements":[{"type":"table","data":{"columns":[{"caption":"A","total":"count"}],"rows":[],"footer":[]}}]}`,
		`{"elements":[{"data":{"footer":[{"sourceKey":1,"cells":[{"value":"f","link":"https://x.example/\u00fc"}]}],"rows":[{"cells":[{"value":"r"}]}],"columns":[{"caption":"A","link":"mailto:x{value}"}]},"type":"table"}]}`,
	} {
		mustRoundtrip(t, []byte(in))
	}
	// A number past float64 is not a document to round-trip: it is refused
	// where it stands.
	_, err := render(report.Read(strings.NewReader(`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":-0}]},{"cells":[{"value":1E+400}]}]}}]}`)))
	var v *report.Violation
	if !errors.As(err, &v) || v.Pointer != "/elements/0/data/rows/1/cells/0/value" || !strings.Contains(v.Message, "out of range") {
		t.Errorf("1E+400: %v, want a violation at its cell", err)
	}
}

// numbersDoc has every member of numbers: a locale, formats, totals, link
// templates, cell links and a footer after the rows.
const numbersDoc = `{"title":"N","locale":"de-DE","elements":[{"type":"table","caption":"Orders","data":{"columns":[
	{"caption":"Order","link":"https://erp.example/orders/{value}"},
	{"caption":"Amount","type":"number","format":"#,##0.00 \"€\";-#,##0.00 \"€\"","total":"sum","align":"right"},
	{"caption":"Due","type":"date","format":"dd.mm.yyyy","total":"count"}],
	"rows":[{"sourceKey":42,"cells":[{"value":"42"},{"value":1234.50},{"value":"2024-02-29"}]},
	        {"cells":[{"value":"43","link":"mailto:orders@example.com?subject=43"},{"value":-0.5},{"value":null}]}],
	"footer":[{"cells":[{"value":"Sum","link":"https://erp.example/sum"},{"value":1234.00},{"value":1}]}],
	"sourceBusinessObject":"Order"}},
	{"type":"table","data":{"columns":[{"caption":"N","type":"number","total":"mean","format":"0.0%"}],"rows":[{"cells":[{"value":0.5}]}]}}]}`

// TestNumbers checks the new members survive: in the output, and after a
// second decoding.
func TestNumbers(t *testing.T) {
	out, err := render(report.Read(strings.NewReader(numbersDoc)))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "numbers.json", out)
	for _, want := range []string{`"locale":"de-DE"`, `"format":"#,##0.00 \"€\";-#,##0.00 \"€\""`, `"total":"sum"`, `"link":"https://erp.example/orders/{value}"`,
		`"link":"mailto:orders@example.com?subject=43"`, `"footer":[`, `{"value":1234.00}`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %s", want)
		}
	}
	if bytes.Count(out, []byte(`"footer"`)) != 1 {
		t.Error("the row of totals of the second table was written as a footer")
	}
	mustRoundtrip(t, []byte(numbersDoc))
}

func TestSuite(t *testing.T) {
	c := rendertest.Config{
		New: func() rendertest.Renderer { return &json.Renderer{} },
		Raw: true,
		Text: func(t *testing.T, out []byte) string {
			s, err := dump(report.Read(bytes.NewReader(out)))
			if err != nil {
				t.Fatalf("output does not decode: %v", err)
			}
			var unq strings.Builder
			for _, f := range strings.Fields(s) { // undo %q for the text checks
				var u string
				if _, err := fmt.Sscanf(f, "%q", &u); err == nil {
					unq.WriteString(u + " ")
				} else {
					unq.WriteString(f + " ")
				}
			}
			return unq.String() + s
		},
	}
	rendertest.Run(t, c)
}

func FuzzRoundtrip(f *testing.F) {
	seed, _ := os.ReadFile("../../testdata/seed.json")
	f.Add(string(seed))
	f.Add(`{"title":"t","elements":[{"type":"table","caption":"c","data":{"columns":[{"caption":"a","type":"date"}],"rows":[{"cells":[{"value":"2024-02-29"}]}]}}]}`)
	f.Add(numbersDoc)
	f.Add(rendertest.KindsDocument)
	f.Fuzz(func(t *testing.T, in string) {
		roundtrip(t, []byte(in))
	})
}

// TestKinds checks key figures and page breaks survive a round trip.
func TestKinds(t *testing.T) {
	out, err := render(report.Read(strings.NewReader(rendertest.KindsDocument)))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "kinds.json", out)
	for _, want := range []string{`"page":{"header":"Kinds header {title}","footer":"Kinds page footer {page}/{pages} {{x}}","logo":{"type":"image/png","width":20,"data":"` + rendertest.KindsLogo + `"}},"elements"`, `{"type":"fields","pageBreak":"before","caption":"Kinds fields"`, `{"label":"Kinds number","value":1234.5,"format":"#,##0.00"}`, `"link":"https://example.com/item"`, `{"label":"Kinds none","value":null}`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %s", want)
		}
	}
	roundtrip(t, []byte(rendertest.KindsDocument))
}
