package html_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html/atom"

	"github.com/foliorender/folio/internal/golden"
	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/report"
)

// pagedJSON is a titled document with a header, a footer and a logo, and a
// table of rows rows. The header holds markup and a string end, which
// must stay text in the page and in its stylesheet.
func pagedJSON(t *testing.T, rows int) string {
	t.Helper()
	logo, err := os.ReadFile("../../testdata/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"title":"Quarterly <report>","page":{"header":"{title} \" </style><script>x()</script> \\ {{draft}}","footer":"Page {page} of {pages}","logo":{"type":"image/png","width":30,"data":"` +
		base64.StdEncoding.EncodeToString(logo) + `"}},"elements":[{"type":"table","caption":"Orders","data":{"columns":[{"caption":"Order"},{"caption":"Amount","type":"number"}],"rows":[`)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"cells":[{"value":"order %d"},{"value":%d}]}`, i, i)
	}
	b.WriteString(`]}}]}`)
	return b.String()
}

// TestPage checks the page member: the logo as an <img> from a data: URL
// that the Content-Security-Policy allows (img-src data: and nothing else
// more), the header and footer lines as text, and the print stylesheet's
// margin boxes, escaped.
func TestPage(t *testing.T) {
	out := renderDoc(t, &html.Renderer{}, report.Read(strings.NewReader(pagedJSON(t, 3))))
	golden.Check(t, "page.html", out)
	n := parse(t, out)
	checkMarkup(t, n)
	var policy string
	for _, m := range find(n, atom.Meta) {
		if v, _ := attr(m, "http-equiv"); v == "Content-Security-Policy" {
			policy, _ = attr(m, "content")
		}
	}
	style := find(n, atom.Style)[0].FirstChild.Data
	sum := sha256.Sum256([]byte(style))
	if want := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'; img-src data:"; policy != want {
		t.Errorf("policy %q, want %q", policy, want)
	}
	if len(find(n, atom.Script)) != 0 || strings.Count(string(out), "</style>") != 1 {
		t.Error("the header's markup escaped its text")
	}
	imgs := find(n, atom.Img)
	if len(imgs) != 1 {
		t.Fatalf("%d images, want the logo", len(imgs))
	}
	src, _ := attr(imgs[0], "src")
	alt, _ := attr(imgs[0], "alt")
	w, _ := attr(imgs[0], "width")
	h, _ := attr(imgs[0], "height")
	if !strings.HasPrefix(src, "data:image/png;base64,iVBOR") || alt != "Quarterly <report>" || w != "113" || h != "38" {
		t.Errorf("logo: src %.30q alt %q size %s × %s", src, alt, w, h)
	}
	header := textOf(find(n, atom.Header)[0])
	if want := `Quarterly <report> " </style><script>x()</script> \ {draft}`; !strings.Contains(header, want) {
		t.Errorf("header %q lacks %q", header, want)
	}
	if footer := textOf(find(n, atom.Footer)[0]); footer != "Page 1 of 1" {
		t.Errorf("footer %q: the screen is one page", footer)
	}
	for _, want := range []string{"@top-left { content: \"\"; width: 30.0mm; background: url(\"data:image/png;base64,iVBOR",
		`@top-right { content: "Quarterly \3C report\3E " " \22  \3C \2F style\3E \3C script\3E x\28 \29 \3C \2F script\3E  \5C  \7B draft\7D "`,
		`@bottom-center { content: "Page " counter(page) " of " counter(pages);`,
		".folio .page-header, .folio .page-footer { display: none; }"} {
		if !strings.Contains(style, want) {
			t.Errorf("stylesheet lacks %s", want)
		}
	}
	// Without a logo, no images are allowed.
	plain := renderDoc(t, &html.Renderer{}, report.Read(strings.NewReader(`{"page":{"footer":"f"},"elements":[]}`)))
	if strings.Contains(string(plain), "img-src") || strings.Contains(string(plain), "<header") {
		t.Error("a page without a logo allows images or has a header")
	}
}

// TestBrowserPrint prints a three-page table with a header, footer and logo
// in headless Chromium and reads the PDF back: every page carries the
// logo, the header line and its own page number in the margin boxes, and
// the on-screen header and footer are not printed as well.
func TestBrowserPrint(t *testing.T) {
	bin := chromium(t)
	dir := outDir(t)
	file := filepath.Join(dir, "page.html")
	if err := os.WriteFile(file, renderDoc(t, &html.Renderer{}, report.Read(strings.NewReader(pagedJSON(t, 110)))), 0o644); err != nil {
		t.Fatal(err)
	}
	pdfFile := filepath.Join(dir, "page.pdf")
	args := append(chromiumFlags(t.TempDir()), "--no-pdf-header-footer", "--print-to-pdf="+pdfFile, "file://"+file)
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("chromium --print-to-pdf: %v\n%s", err, b)
	}
	text, err := exec.Command(tool(t, "pdftotext"), "-enc", "UTF-8", pdfFile, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimSuffix(string(text), "\f"), "\f")
	if len(pages) < 3 {
		t.Fatalf("%d printed pages, want 3 or more", len(pages))
	}
	for i, p := range pages {
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); strings.Count(p, want) != 1 {
			t.Errorf("page %d has %q %d times, want once:\n%s", i+1, want, strings.Count(p, want), p)
		}
		if want := `Quarterly <report> " </style><script>x()</script> \ {draft}`; strings.Count(p, want) != 1 {
			t.Errorf("page %d has the header line %q %d times, want once:\n%s", i+1, want, strings.Count(p, want), p)
		}
	}
	list, err := exec.Command(tool(t, "pdfimages"), "-list", pdfFile).Output()
	if err != nil {
		t.Fatal(err)
	}
	onPage := map[string]int{}
	for _, line := range strings.Split(string(list), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[2] == "image" && f[3] == "240" && f[4] == "80" {
			onPage[f[0]]++
		}
	}
	for i := range pages {
		if n := onPage[fmt.Sprint(i+1)]; n != 1 {
			t.Errorf("page %d shows the logo %d times, want once", i+1, n)
		}
	}
}

// tool returns the path of an external program, skipping the test when it
// is missing unless FOLIO_REQUIRE_TOOLS=1.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}
