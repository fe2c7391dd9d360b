package pdf_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/foliorender/folio/internal/golden"
	"github.com/foliorender/folio/render/pdf"
	"github.com/foliorender/folio/report"
)

func logoB64(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// pagedDoc is a titled document of about three pages: a heading, a table
// of rows rows, a second heading and a second table, with page.
func pagedDoc(page string, rows int) string {
	var b strings.Builder
	b.WriteString(`{"title":"Quarterly «report»","locale":"de-DE",`)
	if page != "" {
		b.WriteString(`"page":` + page + `,`)
	}
	b.WriteString(`"elements":[{"type":"heading","data":{"text":"Overview","level":1}},
		{"type":"table","caption":"Orders","data":{"columns":[{"caption":"Order"},{"caption":"Amount","type":"number","format":"#,##0.00"}],"rows":[`)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"cells":[{"value":"order %d"},{"value":%d.5}]}`, i, i)
	}
	b.WriteString(`]}},{"type":"heading","data":{"text":"Details","level":2}},
		{"type":"table","caption":"Returns","data":{"columns":[{"caption":"R"}],"rows":[{"cells":[{"value":"r1"}]}]}},
		{"type":"heading","data":{"text":"Notes","level":3}}]}`)
	return b.String()
}

// TestPageFrame checks the header, the logo and the footer on every page,
// read back with pdftotext and pdfimages.
func TestPageFrame(t *testing.T) {
	page := `{"header":"{title} – confidential {{draft}}","footer":"Seite {page} von {pages}","logo":{"type":"image/png","width":30,"data":"` + logoB64(t) + `"}}`
	out := renderPDF(t, &pdf.Renderer{}, report.Read(strings.NewReader(pagedDoc(page, 110))))
	golden.Check(t, "page.pdf", out)
	pages := strings.Split(strings.TrimSuffix(pdftotext(t, out, "-layout"), "\f"), "\f")
	if len(pages) < 3 {
		t.Fatalf("%d pages, want 3 or more", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, "Quarterly «report» – confidential {draft}") {
			t.Errorf("page %d lacks the header:\n%s", i+1, p)
		}
		if want := fmt.Sprintf("Seite %d von %d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks the footer %q:\n%s", i+1, want, p)
		}
		if strings.Contains(p, "Page ") {
			t.Errorf("page %d has the default footer too", i+1)
		}
	}
	// One image object, drawn on every page.
	list, err := exec.Command(tool(t, "pdfimages"), "-list", writeTemp(t, out)).Output()
	if err != nil {
		t.Fatal(err)
	}
	var objs []string
	for _, line := range strings.Split(string(list), "\n") {
		f := strings.Fields(line)
		if len(f) > 11 && f[2] == "image" {
			if f[3] != "240" || f[4] != "80" {
				t.Errorf("image %s × %s, want the 240 × 80 logo", f[3], f[4])
			}
			if f[0] != fmt.Sprint(len(objs)+1) {
				t.Errorf("image %d is on page %s", len(objs), f[0])
			}
			objs = append(objs, f[10])
		}
	}
	if len(objs) != len(pages) {
		t.Fatalf("pdfimages lists %d logos, want one on each of %d pages:\n%s", len(objs), len(pages), list)
	}
	for i, o := range objs {
		if o != objs[0] {
			t.Errorf("the logo of page %d is object %s, not %s: the image is stored more than once", i+1, o, objs[0])
		}
	}
	// The body starts below the header: the title is not under it.
	if strings.Index(pages[0], "Quarterly «report»\n") < strings.Index(pages[0], "confidential") {
		t.Errorf("the title comes before the header line:\n%s", pages[0])
	}
}

// TestPageFooters checks the default footer, an empty footer and a header
// without logo.
func TestPageFooters(t *testing.T) {
	for _, c := range []struct {
		page    string
		want    []string
		notWant []string
	}{
		{``, []string{"Page 1 of 3", "Page 3 of 3"}, []string{"confidential"}},
		{`{"header":"only {page}"}`, []string{"only 1", "only 3", "Page 2 of 3"}, nil},
		{`{"footer":""}`, nil, []string{"Page 1"}},
		{`{"footer":"` + strings.Repeat("long footer ", 16) + `{page}"}`, []string{"long footer long footer", "…"}, []string{"{page}"}},
	} {
		text := pdftotext(t, renderPDF(t, &pdf.Renderer{}, report.Read(strings.NewReader(pagedDoc(c.page, 110)))))
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("page %s: text lacks %q", c.page, w)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(text, w) {
				t.Errorf("page %s: text has %q", c.page, w)
			}
		}
	}
}

// TestOutline reads the outline back with qpdf: the title, the headings
// by level and the tables' captions, in document order, each pointing at
// its page, and the catalog's language from the locale.
func TestOutline(t *testing.T) {
	out := renderPDF(t, &pdf.Renderer{}, report.Read(strings.NewReader(pagedDoc("", 110))))
	b, err := exec.Command(tool(t, "qpdf"), "--json", writeTemp(t, out)).Output()
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Title string  `json:"title"`
		Page  int     `json:"destpageposfrom1"`
		Kids  []entry `json:"kids"`
		Dest  []any   `json:"dest"`
	}
	var doc struct {
		Outlines []entry `json:"outlines"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(es []entry, depth int)
	walk = func(es []entry, depth int) {
		for _, e := range es {
			got = append(got, fmt.Sprintf("%d %s p%d", depth, e.Title, e.Page))
			walk(e.Kids, depth+1)
		}
	}
	walk(doc.Outlines, 0)
	want := []string{"0 Quarterly «report» p1", "1 Overview p1", "2 Orders p1", "2 Details p3", "3 Returns p3", "3 Notes p3"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("outline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(string(out), "/Lang (de-DE)") {
		t.Error("the catalog has no /Lang (de-DE)")
	}
}

// FuzzLogo checks that every image the decoder accepts as a logo is drawn:
// fpdf takes it (a PNG is stored again as 8-bit RGB), and nothing panics.
func FuzzLogo(f *testing.F) {
	logo, _ := os.ReadFile("../../testdata/logo.png")
	f.Add(logo, false)
	jpg, _ := base64.StdEncoding.DecodeString("/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==")
	f.Add(jpg, true)
	f.Fuzz(func(t *testing.T, data []byte, isJPEG bool) {
		typ := report.ImagePNG
		if isJPEG {
			typ = report.ImageJPEG
		}
		l, err := report.NewLogo(typ, data, 20)
		if err != nil {
			return
		}
		doc := report.New("T", &report.Paragraph{Runs: []report.Run{{Text: "p"}}})
		if err := doc.SetPage(&report.Page{Logo: l}); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := (&pdf.Renderer{}).Render(context.Background(), &buf, doc); err != nil {
			t.Fatalf("Render with an accepted logo: %v", err)
		}
		if !bytes.HasSuffix(bytes.TrimSpace(buf.Bytes()), []byte("%%EOF")) {
			t.Fatal("output is not a complete PDF")
		}
	})
}

// TestOutlineOrientation checks that an outline entry on a portrait page
// points near the top of it when the last page is landscape (fpdf places
// every bookmark by the last page's height).
func TestOutlineOrientation(t *testing.T) {
	var cols, cells []string
	for i := range 16 {
		cols = append(cols, fmt.Sprintf(`{"caption":"Column number %d"}`, i))
		cells = append(cells, `{"value":"a longer value of a wide table"}`)
	}
	in := `{"elements":[{"type":"heading","data":{"text":"Portrait"}},{"type":"paragraph","data":{"text":[{"value":"p"}]}},
		{"type":"table","caption":"Wide","data":{"columns":[` + strings.Join(cols, ",") + `],"rows":[{"cells":[` + strings.Join(cells, ",") + `]}]}}]}`
	out := renderPDF(t, &pdf.Renderer{}, report.Read(strings.NewReader(in)))
	b, err := exec.Command(tool(t, "qpdf"), "--json", writeTemp(t, out)).Output()
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Title string  `json:"title"`
		Page  int     `json:"destpageposfrom1"`
		Dest  []any   `json:"dest"`
		Kids  []entry `json:"kids"`
	}
	var doc struct {
		Outlines []entry `json:"outlines"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Outlines) != 1 || doc.Outlines[0].Title != "Portrait" || len(doc.Outlines[0].Kids) != 1 || doc.Outlines[0].Kids[0].Title != "Wide" || doc.Outlines[0].Kids[0].Page != 2 {
		t.Fatalf("outline %+v, want Portrait on page 1 and under it Wide on page 2", doc.Outlines)
	}
	if y, _ := doc.Outlines[0].Dest[3].(float64); y < 780 || y > 841.89 {
		t.Errorf("the portrait page's entry points at y = %v, want near the top of 842", y)
	}
	if y, _ := doc.Outlines[0].Kids[0].Dest[3].(float64); y < 520 || y > 595.28 {
		t.Errorf("the landscape page's entry points at y = %v, want near the top of 595", y)
	}
}
