package pdf_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"
)

// fpdfDoc draws, with fpdf alone, pages in both orientations with text in
// an embedded subset font, links, bookmarks and a template, streamed to w
// if it is not nil.
func fpdfDoc(w *bytes.Buffer, pages int) *fpdf.Fpdf {
	f := fpdf.New("P", "pt", "A4", "")
	if w != nil {
		f.Stream(w)
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
	}
	return f
}

// TestFpdfStream checks third_party/fpdf's Stream: the same bytes as fpdf
// writes without it, most of them written before the document is closed.
func TestFpdfStream(t *testing.T) {
	var want bytes.Buffer
	if err := fpdfDoc(nil, 7).Output(&want); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	f := fpdfDoc(&got, 7)
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
	if !strings.Contains(text, "page 7 line 19: Grüße, Ωμέγα") {
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
