package pdf_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/render/pdf"
	"github.com/foliorender/folio/report"
)

// fpdfDoc draws, with fpdf alone, pages in both orientations with text in
// an embedded subset font, links, bookmarks and a template, streamed to w
// if it is not nil.
func fpdfDoc(w *bytes.Buffer, pages int) *fpdf.Fpdf { return fpdfDocStm(w, pages, false) }

// fpdfDocStm is fpdfDoc with object streams if objStreams is set, and
// then on each page an internal link to the first page and, if that is
// portrait, one to the page after it.
func fpdfDocStm(w *bytes.Buffer, pages int, objStreams bool) *fpdf.Fpdf {
	f := fpdf.New("P", "pt", "A4", "")
	if w != nil {
		f.Stream(w)
	}
	f.SetObjectStreams(objStreams)
	var next []int
	if objStreams {
		next = make([]int, pages+2) // by page, from 1
		for i := range next {
			next[i] = f.AddLink()
		}
	}
	f.SetCatalogSort(true)
	f.SetCreationDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	f.SetModificationDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	tpl := f.CreateTemplate(func(t *fpdf.Tpl) { t.SetFillColor(200, 0, 0); t.Rect(0, 0, 10, 10, "F") })
	for i := range pages {
		o := "P"
		if i%3 == 2 {
			o = "L"
		}
		f.AddPageFormat(o, fpdf.SizeType{Wd: 595.28, Ht: 841.89})
		f.SetFont("go", "", 12)
		f.Bookmark(fmt.Sprintf("Page %d", i+1), min(i%2, 1), 0)
		for j := range 20 {
			f.Text(40, float64(60+20*j), fmt.Sprintf("page %d line %d: Grüße, Ωμέγα", i+1, j))
			f.LinkString(40, float64(50+20*j), 100, 12, fmt.Sprintf("https://example.com/%d/%d", i, j))
		}
		f.UseTemplate(tpl)
		if objStreams {
			// A link must have its destination when its page is
			// complete, and a page not yet begun has the default size:
			// only portrait pages are linked forward.
			if i == 0 {
				f.SetLink(next[1], 30, 1)
			}
			if i+1 < pages && (i+1)%3 != 2 {
				f.SetLink(next[i+2], 40, i+2)
				f.Link(400, 30, 50, 10, next[i+2])
			}
			f.Link(400, 50, 50, 10, next[1])
		}
	}
	return f
}

// TestFpdfStream checks third_party/fpdf's Stream: the same bytes as fpdf
// writes without it, most of them written before the document is closed.
func TestFpdfStream(t *testing.T) {
	var want bytes.Buffer
	if err := fpdfDoc(nil, 20).Output(&want); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	f := fpdfDoc(&got, 20)
	early := got.Len()
	if err := f.Output(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("streamed document differs: %d bytes, want %d", got.Len(), want.Len())
	}
	if early < got.Len()/3 {
		t.Errorf("%d of %d bytes written before Output", early, got.Len())
	}
	text := pdftotext(t, got.Bytes())
	if !strings.Contains(text, "page 20 line 19: Grüße, Ωμέγα") {
		t.Errorf("text lacks the last line:\n%s", text)
	}
	if !bytes.Contains(got.Bytes(), []byte("/Type /Outlines")) || !bytes.Contains(got.Bytes(), []byte("/PageMode /UseOutlines")) {
		t.Errorf("bookmarks are missing")
	}

	// A page once written is final.
	f = fpdfDoc(&bytes.Buffer{}, 3)
	f.SetPage(1)
	if err := f.Error(); err == nil || !strings.Contains(err.Error(), "already written") {
		t.Errorf("SetPage(1) after streaming: error %v", err)
	}
	f = fpdfDoc(nil, 1)
	f.Stream(&bytes.Buffer{})
	if err := f.Error(); err == nil {
		t.Errorf("Stream after the first page: no error")
	}

	// An image with transparency after the header is written: PDF 1.4,
	// in the catalog.
	got.Reset()
	f = fpdfDoc(&got, 2)
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.NRGBA{R: 255, A: 128})
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	f.AddPage()
	f.RegisterImageOptionsReader("dot", fpdf.ImageOptions{ImageType: "PNG"}, &pngData)
	f.ImageOptions("dot", 40, 40, 20, 20, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	if err := f.Output(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got.Bytes(), []byte("%PDF-1.3")) || !bytes.Contains(got.Bytes(), []byte("/Version /1.4")) {
		t.Errorf("want a 1.3 header and /Version /1.4 in the catalog")
	}
	check(t, got.Bytes())
}

// TestFpdfObjectStreams checks third_party/fpdf's SetObjectStreams: the
// same bytes streamed or not, whatever GOMAXPROCS; PDF 1.5 with a
// cross-reference stream and no table; and, read back with qpdf, every
// link annotation, internal links to the next page (in another object
// stream from page 8 to 9) and to the first, and the bookmarks, with the
// pages' text.
func TestFpdfObjectStreams(t *testing.T) {
	const pages = 21 // two object streams of 8 pages and one of 5
	var want bytes.Buffer
	if err := fpdfDocStm(nil, pages, true).Output(&want); err != nil {
		t.Fatal(err)
	}
	for _, procs := range []int{1, 4} {
		prev := runtime.GOMAXPROCS(procs)
		var got bytes.Buffer
		err := fpdfDocStm(&got, pages, true).Output(&got)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("GOMAXPROCS=%d: streamed document differs: %d bytes, want %d", procs, got.Len(), want.Len())
		}
	}
	out := want.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-1.5")) || bytes.Contains(out, []byte("\ntrailer")) || !bytes.Contains(out, []byte("/Type/XRef")) {
		t.Errorf("want a 1.5 header, a cross-reference stream and no trailer")
	}
	if n := bytes.Count(out, []byte("/Type/ObjStm")); n != 3 {
		t.Errorf("%d object streams, want 3", n)
	}
	if links := linkAnnots(t, out); len(links) != 20*pages || links[len(links)-1].URI != fmt.Sprintf("https://example.com/%d/19", pages-1) {
		t.Errorf("%d URI links, want %d", len(links), 20*pages)
	}
	if text := pdftotext(t, out); !strings.Contains(text, fmt.Sprintf("page %d line 19: Grüße, Ωμέγα", pages)) {
		t.Errorf("text lacks the last line:\n%s", text)
	}

	b, err := exec.Command(tool(t, "qpdf"), "--json", "--json-key=pages", "--json-key=qpdf", "--json-key=outlines", writeTemp(t, out)).Output()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Pages []struct {
			Object string `json:"object"`
		} `json:"pages"`
		Outlines []struct {
			Title string `json:"title"`
			Page  int    `json:"destpageposfrom1"`
		} `json:"outlines"`
		Qpdf []json.RawMessage `json:"qpdf"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Pages) != pages || len(doc.Qpdf) != 2 {
		t.Fatalf("%d pages, want %d", len(doc.Pages), pages)
	}
	var objs map[string]struct {
		Value struct {
			Annots json.RawMessage `json:"/Annots"`
		} `json:"value"`
	}
	if err := json.Unmarshal(doc.Qpdf[1], &objs); err != nil {
		t.Fatal(err)
	}
	if len(doc.Outlines) == 0 || doc.Outlines[0].Title != "Page 1" || doc.Outlines[0].Page != 1 {
		t.Errorf("outlines %+v", doc.Outlines)
	}
	pageOf := map[string]int{}
	for i, p := range doc.Pages {
		pageOf[p.Object] = i + 1
	}
	for i, p := range doc.Pages {
		var annots []struct {
			Dest []any `json:"/Dest"`
		}
		if err := json.Unmarshal(objs["obj:"+p.Object].Value.Annots, &annots); err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		var dests []int
		for _, a := range annots {
			if len(a.Dest) > 0 {
				ref, _ := a.Dest[0].(string)
				dests = append(dests, pageOf[ref])
			}
		}
		want := []int{i + 2, 1}
		if i+1 == pages || (i+1)%3 == 2 {
			want = want[1:]
		}
		if !slices.Equal(dests, want) {
			t.Errorf("page %d: internal links to pages %v, want %v", i+1, dests, want)
		}
	}
}

// TestFpdfLinks checks third_party/fpdf's link annotations, which are
// written when the link is made: URI links (LinkString and LinkURI) and
// internal ones in the order they were made, the URI escaped, the same
// bytes as fpdf's own; and in an encrypted document, whose links fpdf
// writes at output, readable.
func TestFpdfLinks(t *testing.T) {
	links := func(f *fpdf.Fpdf) {
		f.AddPage()
		dest := f.AddLink()
		f.SetLink(dest, 100, 1)
		uri := []byte(`https://example.com/a(b)\c` + "\r")
		f.LinkString(10, 20, 30, 40, "https://example.com/1")
		f.Link(1, 2, 3, 4, dest)
		f.LinkURI(10.125, 20.375, 30, 40, uri)
		copy(uri, "XXXXX") // LinkURI keeps no reference
		f.LinkString(-0.001, 0, 1e7, 2, "mailto:a@example.com")
		// Numbers again (fpdf.float2Cache), and 0 after -0.
		f.LinkString(0, 20, 30, 40, "https://example.com/1")
	}
	f := fpdf.New("P", "pt", "A4", "")
	var out bytes.Buffer
	f.Stream(&out)
	links(f)
	if err := f.Output(&out); err != nil {
		t.Fatal(err)
	}
	check(t, out.Bytes())
	want := `/Annots [` +
		`<</Subtype/Link/Rect[10 821.89 40 781.89]/Border[0 0 0]/A<</S/URI/URI(https://example.com/1)>>>>` +
		`<</Subtype/Link/Rect[1 839.89 4 835.89]/Border[0 0 0]/Dest[3 0 R/XYZ 0 741.89 null]>>` +
		`<</Subtype/Link/Rect[10.12 821.51 40.12 781.51]/Border[0 0 0]/A<</S/URI/URI(https://example.com/a\(b\)\\c\r)>>>>` +
		`<</Subtype/Link/Rect[0 841.89 10000000 839.89]/Border[0 0 0]/A<</S/URI/URI(mailto:a@example.com)>>>>` +
		`<</Subtype/Link/Rect[0 821.89 30 781.89]/Border[0 0 0]/A<</S/URI/URI(https://example.com/1)>>>>` +
		"]\n"
	if !bytes.Contains(out.Bytes(), []byte(want)) {
		i := bytes.Index(out.Bytes(), []byte("/Annots"))
		t.Errorf("annotations:\n%s\nwant\n%s", out.Bytes()[i:min(i+len(want)+20, out.Len())], want)
	}

	// Encrypted: fpdf writes the links at output, in order, encrypting
	// their URIs with their page's object. (fpdf v0.12.0 continues one RC4
	// stream over an object's strings, so that readers decrypt only the
	// first one right; folio does not encrypt.)
	f = fpdf.New("P", "pt", "A4", "")
	f.SetProtection(0, "", "owner")
	links(f)
	out.Reset()
	if err := f.Output(&out); err != nil {
		t.Fatal(err)
	}
	dec := filepath.Join(t.TempDir(), "dec.pdf")
	if b, err := exec.Command(tool(t, "qpdf"), "--decrypt", writeTemp(t, out.Bytes()), dec).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --decrypt: %v\n%s", err, b)
	}
	plain, err := os.ReadFile(dec)
	if err != nil {
		t.Fatal(err)
	}
	if got := uris(t, plain); len(got) == 0 || got[0] != "https://example.com/1" {
		t.Errorf("encrypted document's links %q, want https://example.com/1 first", got)
	}
	if n := bytes.Count(plain, []byte("/Subtype /Link")); n != 5 {
		t.Errorf("encrypted document has %d link annotations, want 5", n)
	}
}

// TestProcs checks that the bytes do not depend on the number of
// processors: pages are compressed on another goroutine while the next is
// drawn.
func TestProcs(t *testing.T) {
	in := benchdoc.NumbersBytes(1500, 10)
	var outs [2][]byte
	for i, procs := range []int{1, 4} {
		prev := runtime.GOMAXPROCS(procs)
		var b bytes.Buffer
		err := (&pdf.Renderer{}).Render(context.Background(), &b, report.Read(bytes.NewReader(in)))
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = b.Bytes()
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Errorf("GOMAXPROCS=1 and 4 give different bytes: %d and %d", len(outs[0]), len(outs[1]))
	}
	check(t, outs[0])
}

var lengthRE = regexp.MustCompile(`/Length (\d+)`)

// TestFlateChecksums inflates every compressed stream of a table with
// links (page content, object streams of pages and their annotations, the
// fonts, the cross-reference stream) and of a small document with
// compress/zlib, which checks the Adler-32 checksum fpdf writes after the
// data (qpdf --check does not).
func TestFlateChecksums(t *testing.T) {
	for _, in := range [][]byte{benchdoc.NumbersBytes(400, 10), benchdoc.Bytes(3, 1)} {
		var out bytes.Buffer
		if err := (&pdf.Renderer{}).Render(context.Background(), &out, report.Read(bytes.NewReader(in))); err != nil {
			t.Fatal(err)
		}
		b := out.Bytes()
		const start = ">>\nstream\n"
		streams, large := 0, false
		for pos := 0; ; {
			i := bytes.Index(b[pos:], []byte(start))
			if i < 0 {
				break
			}
			i += pos
			dict := b[bytes.LastIndex(b[:i], []byte(" obj")):i]
			m := lengthRE.FindSubmatch(dict)
			if m == nil {
				t.Fatalf("a stream at %d without a length: %s", i, dict)
			}
			n, _ := strconv.Atoi(string(m[1]))
			data := b[i+len(start):]
			if len(data) < n {
				t.Fatalf("a stream of %d bytes at %d runs past the end", n, i)
			}
			data, pos = data[:n], i+len(start)+n
			if !bytes.Contains(dict, []byte("/FlateDecode")) {
				continue
			}
			streams++
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("stream at %d: %v", i, err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Errorf("stream at %d (%d bytes inflated): %v", i, len(plain), err)
			}
			large = large || len(plain) > 100000
		}
		if streams < 4 {
			t.Errorf("%d compressed streams, want 4 at least (a page, an object stream, a font, the cross-reference stream)", streams)
		}
		if len(in) > 50000 && !large {
			t.Errorf("no stream inflates to more than 100,000 bytes: the checksum is not checked over many of its blocks")
		}
	}
}
