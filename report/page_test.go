package report_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/foliorender/folio/report"
)

// testPNG returns a w × h PNG.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 16, 8))
	img.Set(3, 3, color.White)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombPNG returns a PNG whose header claims w × h pixels and whose data is
// a few bytes: DecodeConfig believes it, a full decode would allocate it.
func bombPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func pageDoc(page string) string { return `{"title":"T","page":` + page + `,"elements":[]}` }

func TestPageDecode(t *testing.T) {
	logo, err := os.ReadFile("../testdata/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	doc := report.Read(strings.NewReader(pageDoc(`{"header":"{title} {{draft}}","footer":"Page {page} of {pages}","other":[1],
		"logo":{"data":"` + b64(logo) + `","type":"image/png","width":25.5}}`)))
	p := doc.Page()
	for _, err := range doc.Elements() {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p == nil || p.Header == nil || p.Footer == nil || p.Logo == nil {
		t.Fatalf("page = %+v", p)
	}
	if got := p.Header.Fill("Sales", "3", "9"); got != "Sales {draft}" {
		t.Errorf("header = %q", got)
	}
	if got := p.Header.String(); got != "{title} {{draft}}" {
		t.Errorf("header source = %q", got)
	}
	if got := p.Footer.Fill("Sales", "3", "9"); got != "Page 3 of 9" {
		t.Errorf("footer = %q", got)
	}
	want := []report.PagePart{{Text: "Page "}, {Field: report.PageNumber}, {Text: " of "}, {Field: report.PageCount}}
	if got := p.Footer.Parts(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("footer parts = %+v", got)
	}
	l := p.Logo
	if l.Type != report.ImagePNG || !bytes.Equal(l.Data, logo) || l.Width != 25.5 || l.PixelWidth != 240 || l.PixelHeight != 80 {
		t.Errorf("logo = %v %d bytes %v %dx%d", l.Type, len(l.Data), l.Width, l.PixelWidth, l.PixelHeight)
	}
	jp := report.Read(strings.NewReader(pageDoc(`{"footer":"","logo":{"data":"` + b64(testJPEG(t)) + `","type":"image/jpeg"}}`))).Page()
	if jp == nil || jp.Logo.DrawWidth() != report.DefaultLogoWidth || jp.Footer == nil || jp.Footer.Fill("", "", "") != "" || jp.Header != nil {
		t.Errorf("jpeg page = %+v", jp)
	}
	if p := report.Read(strings.NewReader(`{"elements":[]}`)).Page(); p != nil {
		t.Errorf("no page member: Page() = %+v", p)
	}
}

func TestPageViolations(t *testing.T) {
	good := b64(testPNG(t, 4, 4))
	for _, c := range []struct{ in, ptr, msg string }{
		{pageDoc(`7`), "/page", "page must be an object, not a number"},
		{`{"elements":[],"page":{}}`, "/page", "page must come before elements"},
		{pageDoc(`{"header":1}`), "/page/header", "header must be a string, not a number"},
		{pageDoc(`{"header":"{date}"}`), "/page/header", `unknown placeholder "{date}" at byte 0`},
		{pageDoc(`{"footer":"a { b"}`), "/page/footer", "a lone { at byte 2"},
		{pageDoc(`{"footer":"a } b"}`), "/page/footer", "a lone } at byte 2; write }} for a brace"},
		{pageDoc(`{"footer":"{{page}"}`), "/page/footer", "a lone } at byte 6"},
		{pageDoc(`{"footer":"line\nbreak"}`), "/page/footer", "control character"},
		{pageDoc(`{"header":"` + strings.Repeat("é", report.MaxPageText+1) + `"}`), "/page/header", "201 characters long"},
		{pageDoc(`{"logo":"x"}`), "/page/logo", "logo must be an object, not a string"},
		{pageDoc(`{"logo":{"type":"image/png"}}`), "/page/logo", "logo has no data member"},
		{pageDoc(`{"logo":{"data":"` + good + `"}}`), "/page/logo", "logo has no type member"},
		{pageDoc(`{"logo":{"data":"` + good + `","type":"image/gif"}}`), "/page/logo/type", `must be "image/png" or "image/jpeg", not "image/gif"`},
		{pageDoc(`{"logo":{"data":"` + good + `","type":"image/jpeg"}}`), "/page/logo/data", "is not a JPEG image (its type says image/jpeg)"},
		{pageDoc(`{"logo":{"data":"` + good + `","type":"image/png","width":0}}`), "/page/logo/width", "above 0 and at most 100, not 0"},
		{pageDoc(`{"logo":{"data":"` + good + `","type":"image/png","width":"30mm"}}`), "/page/logo/width", "width must be a number, not a string"},
		{pageDoc(`{"logo":{"data":"` + good + `","type":"image/png","width":1e400}}`), "/page/logo/width", "not 1e400"},
		{pageDoc(`{"logo":{"data":"not base64!","type":"image/png"}}`), "/page/logo/data", "not standard base64"},
		{pageDoc(`{"logo":{"data":"` + b64(testPNG(t, 4, 4)[:60]) + `","type":"image/png"}}`), "/page/logo/data", "not a valid PNG image"},
		{pageDoc(`{"logo":{"data":"` + b64(testJPEG(t)[:40]) + `","type":"image/jpeg"}}`), "/page/logo/data", "not a valid JPEG image"},
		{pageDoc(`{"logo":{"data":"` + b64(bombPNG(100000, 100000)) + `","type":"image/png"}}`), "/page/logo/data", "100000 × 100000 pixels; a logo may have at most 4194304 pixels"},
		{pageDoc(`{"logo":{"data":"` + b64(bombPNG(2048, 2048)) + `","type":"image/png"}}`), "/page/logo/data", "not a valid PNG image"},
		{pageDoc(`{"logo":{"data":"` + strings.Repeat("A", 2<<20) + `","type":"image/png"}}`), "/page/logo/data", "more than the 1048576 bytes (1 MiB)"},
		{pageDoc(`{"logo":{"data":"` + good + `","type":"image/png","x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}}`), "/page/logo", "nesting is deeper than 64 levels"},
	} {
		doc := report.Read(strings.NewReader(c.in))
		if p := doc.Page(); p != nil {
			t.Errorf("%.80s: Page() = %+v, want nil", c.in, p)
		}
		var err error
		for _, e := range doc.Elements() {
			err = e
		}
		v, ok := err.(*report.Violation)
		if !ok || v.Pointer != c.ptr || !strings.Contains(v.Message, c.msg) {
			t.Errorf("%.80s:\n got %v\nwant %s: …%s…", c.in, err, c.ptr, c.msg)
		}
	}
}

func TestParsePageText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"{title}", "T"},
		{"{{title}}", "{title}"},
		{"{{{page}}}", "{1}"},
		{"p. {page}/{pages} – {title}", "p. 1/2 – T"},
		{"}}{{", "}{"},
	} {
		pt, err := report.ParsePageText(c.in)
		if err != nil {
			t.Errorf("ParsePageText(%q): %v", c.in, err)
			continue
		}
		if got := pt.Fill("T", "1", "2"); got != c.want || pt.String() != c.in {
			t.Errorf("ParsePageText(%q) fills to %q (source %q), want %q", c.in, got, pt.String(), c.want)
		}
	}
	for _, in := range []string{"{", "}", "{Title}", "{page", "{{page}", "{ page }", "tab\there", "{}"} {
		if _, err := report.ParsePageText(in); err == nil {
			t.Errorf("ParsePageText(%q) succeeded", in)
		}
	}
}

func TestSetPage(t *testing.T) {
	doc := report.New("T")
	if err := doc.SetPage(&report.Page{Logo: &report.Logo{Type: report.ImagePNG, Data: []byte("junk")}}); err == nil || !strings.Contains(err.Error(), "/page/logo/data") {
		t.Errorf("SetPage with a bad logo: %v", err)
	}
	l, err := report.NewLogo(report.ImagePNG, testPNG(t, 3, 2), 12)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.SetPage(&report.Page{Logo: l}); err != nil || doc.Page().Logo.PixelWidth != 3 {
		t.Errorf("SetPage: %v", err)
	}
	if err := report.Read(strings.NewReader(`{"elements":[]}`)).SetPage(nil); err == nil {
		t.Error("SetPage on a decoded document succeeded")
	}
}

// FuzzLogo checks that no image data panics the decoder or escapes its
// checks: whatever the bytes, a logo is accepted only when Go's image
// packages decode it within the limits.
func FuzzLogo(f *testing.F) {
	f.Add(testPNG(f, 4, 4), false)
	f.Add(testJPEG(f), true)
	f.Add(bombPNG(100000, 100000), false)
	f.Add(bombPNG(64, 64), false)
	logo, _ := os.ReadFile("../testdata/logo.png")
	f.Add(logo, false)
	f.Fuzz(func(t *testing.T, data []byte, isJPEG bool) {
		typ := "image/png"
		if isJPEG {
			typ = "image/jpeg"
		}
		doc := report.Read(strings.NewReader(pageDoc(`{"logo":{"data":"` + b64(data) + `","type":"` + typ + `"}}`)))
		p := doc.Page()
		for range doc.Elements() {
		}
		if p == nil {
			return
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > report.MaxLogoPixels {
			t.Fatalf("accepted a logo that DecodeConfig says is %v, %v", cfg, err)
		}
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("accepted a logo that does not decode: %v", err)
		}
	})
}
