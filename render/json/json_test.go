package json_test

import (
	"bytes"
	"context"
	stdjson "encoding/json"
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
	for el, err := range doc.Elements() {
		if err != nil {
			return "", err
		}
		switch el := el.(type) {
		case *report.Table:
			fmt.Fprintf(&b, "table %q %+v\n", el.Caption, el.Columns)
			for r, err := range el.Rows() {
				if err != nil {
					return "", err
				}
				fmt.Fprintf(&b, " key %v:%q", r.SourceKey.Kind(), r.SourceKey.Text())
				for _, v := range r.Cells {
					fmt.Fprintf(&b, " %v:%q", v.Kind(), v.Text())
				}
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, " source %q\n", el.Source)
		case *report.Paragraph:
			for _, r := range el.Runs {
				fmt.Fprintf(&b, "run %v %q\n", r.Markdown, r.Text)
			}
		case *report.Heading:
			fmt.Fprintf(&b, "heading %d %q\n", el.Level, el.Text)
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
	roundtrip(t, in)
}

// roundtrip checks that in, rendered and decoded again, gives an equal
// document, and that rendering is a fixpoint.
func roundtrip(t *testing.T, in []byte) {
	t.Helper()
	want, err := dump(report.Read(bytes.NewReader(in)))
	if err != nil {
		return // invalid input: nothing to round-trip
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
}

func TestRoundtrip(t *testing.T) {
	for _, in := range []string{
		`{"title":"T \u2028 \"q\"","elements":[{"type":"heading","data":{"text":"H","level":3}},{"type":"paragraph","data":{"text":[{"value":"*a*","markdown":true},{"value":"\u0000"}]}}]}`,
		`{"elements":[{"data":{"rows":[{"sourceKey":"k","cells":[{"value":1.50},{"value":null},{"value":true}]}],"columns":[{"caption":"N","type":"number","align":"center"},{"caption":"X"},{"caption":"B","type":"boolean"}]},"type":"table","caption":"late type"}]}`,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":-0}]},{"cells":[{"value":1E+400}]}]}}]}`,
		`{"elements":[{"type":"table","data":{"columns":[{"caption":"A"}],"rows":[{"cells":[{"value":123456789012345678901234567890e-5}]}],"sourceBusinessObject":"Late"}}]}`,
	} {
		roundtrip(t, []byte(in))
	}
}

func TestSuite(t *testing.T) {
	rendertest.Run(t, rendertest.Config{
		New: func() rendertest.Renderer { return &json.Renderer{} },
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
	})
}

func FuzzRoundtrip(f *testing.F) {
	seed, _ := os.ReadFile("../../testdata/seed.json")
	f.Add(string(seed))
	f.Add(`{"title":"t","elements":[{"type":"table","caption":"c","data":{"columns":[{"caption":"a","type":"date"}],"rows":[{"cells":[{"value":"2024-02-29"}]}]}}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		roundtrip(t, []byte(in))
	})
}
