package pdf_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"html"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/render/pdf"
	"github.com/foliorender/folio/report"
)

// A linkAnnot is a URI link annotation as a reader sees it: its page (from
// 1), its rectangle (llx, lly, urx, ury, normalised) and its URI.
type linkAnnot struct {
	Page int
	Rect [4]float64
	URI  string
}

// linkAnnots returns the URI link annotations of out, in page order and in
// each page's order, read with qpdf --json after qpdf --check: whatever
// the file's structure (annotations direct or indirect, in object streams
// or not), as a reader resolves it.
func linkAnnots(t *testing.T, out []byte) []linkAnnot {
	t.Helper()
	check(t, out)
	b, err := exec.Command(tool(t, "qpdf"), "--json", "--json-key=pages", "--json-key=qpdf", writeTemp(t, out)).Output()
	if err != nil {
		t.Fatalf("qpdf --json: %v", err)
	}
	var doc struct {
		Pages []struct {
			Object string `json:"object"`
		} `json:"pages"`
		Qpdf []json.RawMessage `json:"qpdf"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var objs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if len(doc.Qpdf) != 2 {
		t.Fatalf("qpdf --json: %d members in qpdf, want 2", len(doc.Qpdf))
	}
	if err := json.Unmarshal(doc.Qpdf[1], &objs); err != nil {
		t.Fatal(err)
	}
	// resolve follows v if it is a reference ("12 0 R") and unmarshals
	// the value into dst.
	resolve := func(v json.RawMessage, dst any) {
		t.Helper()
		var s string
		if json.Unmarshal(v, &s) == nil && refRE.MatchString(s) {
			o, ok := objs["obj:"+s]
			if !ok {
				t.Fatalf("no object %s", s)
			}
			v = o.Value
		}
		if err := json.Unmarshal(v, dst); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
	}
	var links []linkAnnot
	for i, p := range doc.Pages {
		var page map[string]json.RawMessage
		resolve(json.RawMessage(strconv.Quote(p.Object)), &page)
		var annots []json.RawMessage
		if a, ok := page["/Annots"]; ok {
			resolve(a, &annots)
		}
		for _, a := range annots {
			var annot map[string]json.RawMessage
			resolve(a, &annot)
			var subtype string
			resolve(annot["/Subtype"], &subtype)
			if subtype != "/Link" {
				t.Errorf("page %d: an annotation of subtype %q", i+1, subtype)
				continue
			}
			if _, ok := annot["/A"]; !ok {
				continue // an internal link, with /Dest
			}
			var action map[string]json.RawMessage
			resolve(annot["/A"], &action)
			var s, uri string
			resolve(action["/S"], &s)
			resolve(action["/URI"], &uri)
			if s != "/URI" {
				t.Errorf("page %d: a link with action %q", i+1, s)
				continue
			}
			var r []float64
			resolve(annot["/Rect"], &r)
			if len(r) != 4 {
				t.Fatalf("page %d: /Rect %v", i+1, r)
			}
			l := linkAnnot{Page: i + 1, Rect: [4]float64{min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])}}
			// qpdf shows a string as "u:" and its text or as "b:" and
			// its bytes in hex.
			switch {
			case strings.HasPrefix(uri, "u:"):
				l.URI = uri[2:]
			case strings.HasPrefix(uri, "b:"):
				h, err := hex.DecodeString(uri[2:])
				if err != nil {
					t.Fatal(err)
				}
				l.URI = string(h)
			default:
				t.Fatalf("page %d: /URI %q", i+1, uri)
			}
			links = append(links, l)
		}
	}
	return links
}

var refRE = regexp.MustCompile(`^\d+ \d+ R$`)

// uris returns the targets of the link annotations of out.
func uris(t *testing.T, out []byte) []string {
	t.Helper()
	var links []string
	for _, l := range linkAnnots(t, out) {
		links = append(links, l.URI)
	}
	return links
}

var hrefRE = regexp.MustCompile(`<a href="([^"]*)">`)

// TestLinkAnnots reads the link annotations of a table with link templates
// back with two readers: qpdf, for their URIs and rectangles, each over the
// text it links (the words pdftotext -bbox finds), and poppler's pdftohtml,
// which must find the same links.
func TestLinkAnnots(t *testing.T) {
	var out bytes.Buffer
	if err := (&pdf.Renderer{}).Render(context.Background(), &out, report.Read(bytes.NewReader(benchdoc.NumbersBytes(150, 10)))); err != nil {
		t.Fatal(err)
	}
	links := linkAnnots(t, out.Bytes())
	if len(links) < 4*140 {
		t.Fatalf("%d links, want about 4 a row of 150", len(links))
	}
	if links[len(links)-1].Page < 3 {
		t.Errorf("the last link is on page %d, want the table to fill 3 pages at least", links[len(links)-1].Page)
	}

	// Every rectangle covers a word, as pdftotext places it (from the top
	// of the page).
	b, err := exec.Command(tool(t, "pdftotext"), "-bbox", writeTemp(t, out.Bytes()), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	type word struct{ x, y float64 }
	var pages [][]word
	var height float64
	for _, line := range strings.Split(string(b), "\n") {
		if m := pageRE.FindStringSubmatch(line); m != nil {
			height, _ = strconv.ParseFloat(m[2], 64)
			pages = append(pages, nil)
		} else if m := wordRE.FindStringSubmatch(line); m != nil && len(pages) > 0 {
			var v [4]float64
			for i := range v {
				v[i], _ = strconv.ParseFloat(m[i+1], 64)
			}
			pages[len(pages)-1] = append(pages[len(pages)-1], word{(v[0] + v[2]) / 2, height - (v[1]+v[3])/2})
		}
	}
	for _, l := range links {
		if l.Page > len(pages) {
			t.Fatalf("a link on page %d of %d", l.Page, len(pages))
		}
		if !slices.ContainsFunc(pages[l.Page-1], func(w word) bool {
			return l.Rect[0] < w.x && w.x < l.Rect[2] && l.Rect[1] < w.y && w.y < l.Rect[3]
		}) {
			t.Errorf("the link to %s on page %d, %v, covers no word", l.URI, l.Page, l.Rect)
		}
		if !strings.HasPrefix(l.URI, "https://erp.example/") {
			t.Errorf("link to %q", l.URI)
		}
	}

	b, err = exec.Command(tool(t, "pdftohtml"), "-xml", "-stdout", "-i", "-q", writeTemp(t, out.Bytes())).Output()
	if err != nil {
		t.Fatalf("pdftohtml: %v", err)
	}
	var hrefs, want []string
	for _, m := range hrefRE.FindAllStringSubmatch(string(b), -1) {
		hrefs = append(hrefs, html.UnescapeString(m[1]))
	}
	for _, l := range links {
		want = append(want, l.URI)
	}
	slices.Sort(hrefs)
	slices.Sort(want)
	if hrefs = slices.Compact(hrefs); !slices.Equal(hrefs, slices.Compact(want)) {
		t.Errorf("pdftohtml finds %d links, qpdf %d", len(hrefs), len(want))
	}
}
