package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/foliorender/folio/internal/golden"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/render/pdf"
	"github.com/foliorender/folio/render/rendertest"
	"github.com/foliorender/folio/report"
	"golang.org/x/image/font/sfnt"
)

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

// check runs qpdf --check on out.
func check(t *testing.T, out []byte) {
	t.Helper()
	f := writeTemp(t, out)
	cmd := exec.Command(tool(t, "qpdf"), "--check", f)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, b)
	}
}

func writeTemp(t *testing.T, out []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(f, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// pdftotext returns the text of out, after checking it with qpdf.
func pdftotext(t *testing.T, out []byte, args ...string) string {
	t.Helper()
	check(t, out)
	f := writeTemp(t, out)
	b, err := exec.Command(tool(t, "pdftotext"), append(append([]string{"-enc", "UTF-8"}, args...), f, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(b)
}

func renderPDF(t *testing.T, r *pdf.Renderer, doc *report.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, doc); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

func TestSuite(t *testing.T) {
	c := rendertest.Config{
		New:   func() rendertest.Renderer { return &pdf.Renderer{} },
		Text:  func(t *testing.T, out []byte) string { return pdftotext(t, out) },
		NoCJK: true,
		Links: uris,
	}
	rendertest.Run(t, c)
}

// TestFormats shows every case of numfmttest.Cases in a cell. pdftotext
// does not keep spaces exactly (and long values wrap), so spaces are not
// compared.
func TestFormats(t *testing.T) {
	rendertest.Formats(t, rendertest.Config{
		New:  func() rendertest.Renderer { return &pdf.Renderer{Fonts: cjkFonts(t)} },
		Text: func(t *testing.T, out []byte) string { return pdftotext(t, out) },
	}, func(s string) string {
		s = pageFooter.ReplaceAllString(s, "")
		return strings.Join(strings.Fields(s), "")
	})
}

var pageFooter = regexp.MustCompile(`Page \d+ of \d+`)

// TestNumbers checks formatted cells, right-aligned numbers, the footer
// (once, after the last row, bold) and link annotations.
func TestNumbers(t *testing.T) {
	out := renderPDF(t, &pdf.Renderer{}, report.Read(strings.NewReader(rendertest.NumbersDocument)))
	golden.Check(t, "numbers.pdf", out)
	// pdftotext -layout drops the narrow spaces of small type ("B 2" reads
	// "B2"), so spaces are not compared.
	nospace := func(s string) string { return strings.Join(strings.Fields(s), "") }
	want := []string{"Orders", "Order", "Amount", "Share", "Due",
		"A-1", "1.234,50 €", "12,5%", "5. März 2024", "B 2", "-0,75 €", "50,0%",
		"C", "1.000.000,00 €", "33,3%", "31. Dezember 2023", "Total", "1.001.233,75 €", "31,9%", "2",
		"Stock", "Bolts", "12,500 kg", "Grand total", "98.765,432 kg"}
	for i := range want {
		want[i] = nospace(want[i])
	}
	inOrder(t, nospace(pdftotext(t, out, "-layout")), want)
	if got, want := uris(t, out), []string{"https://erp.example/orders/A-1", "mailto:sales@example.com", "https://erp.example/orders/C", "https://erp.example/stock"}; !slices.Equal(got, want) {
		t.Errorf("links %q, want %q", got, want)
	}

	// A table over several pages, whose footer repeats a row's value: the
	// footer is on the last page only, after the last row, in bold (wider
	// than the same text in regular type), and numbers are right-aligned.
	amount := report.Column{Caption: "Amount", Type: report.TypeNumber, Format: numfmt.MustParse("#,##0.00")}
	n := 200
	rows := func(yield func(report.Row, error) bool) {
		for i := range n {
			if !yield(report.Cells(report.String(fmt.Sprintf("item%d", i)), report.Int(int64(1000+i))), nil) {
				return
			}
		}
	}
	tab := report.NewTable("Long", []report.Column{{Caption: "Item"}, amount}, rows)
	tab.Footer = []report.Row{report.Cells(report.String("Sum"), report.Int(1199))}
	out = renderPDF(t, &pdf.Renderer{}, report.New("", tab))
	ps := pages(pdftotext(t, out))
	if len(ps) < 3 {
		t.Fatalf("%d pages", len(ps))
	}
	for i, p := range ps {
		if got := strings.Count(p, "Sum"); got != map[bool]int{true: 1, false: 0}[i == len(ps)-1] {
			t.Errorf("page %d has the footer %d times", i+1, got)
		}
	}
	last := ps[len(ps)-1]
	if a, b := strings.Index(last, fmt.Sprintf("item%d", n-1)), strings.Index(last, "Sum"); a < 0 || b < a {
		t.Errorf("the footer is not after the last row")
	}
	// pdftohtml -xml names each text's font: the footer's is bold, the
	// row's with the same value regular.
	if got := boldness(t, out, "1,199.00"); !slices.Equal(got, []bool{false, true}) {
		t.Errorf("1,199.00 in a row and the footer: bold %v, want [false true]", got)
	}
	if got := boldness(t, out, "Sum"); !slices.Equal(got, []bool{true}) {
		t.Errorf("the footer's label: bold %v", got)
	}
	type box struct{ x0, x1 float64 }
	words := map[string][]box{}
	x := pdftotext(t, out, "-bbox")
	for _, m := range wordRE.FindAllStringSubmatch(x, -1) {
		x0, _ := strconv.ParseFloat(m[1], 64)
		x1, _ := strconv.ParseFloat(m[3], 64)
		words[m[5]] = append(words[m[5]], box{x0, x1})
	}
	if r0, r1 := words["1,000.00"], words["1,199.00"]; len(r0) != 1 || len(r1) != 2 || math.Abs(r0[0].x1-r1[0].x1) > 0.05 || math.Abs(r1[1].x1-r1[0].x1) > 0.05 {
		t.Errorf("numbers are not right-aligned: %v %v", r0, r1)
	}

	// French groups digits with U+202F, which the Go fonts lack: it is
	// drawn as a space, not as U+FFFD with a note about missing fonts.
	doc := report.New("", report.NewTable("", []report.Column{amount}, report.RowsOf(report.Cells(report.Float(1234567.891)))))
	if err := doc.SetLocale("fr-FR"); err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, renderPDF(t, &pdf.Renderer{}, doc))
	if strings.Contains(text, "\uFFFD") || !strings.Contains(nospace(text), "1234567,89") {
		t.Errorf("fr-FR: %q", text)
	}

	// A sum with more digits than the column was sized for, from its
	// first rows, is drawn whole on one line in smaller type, right-
	// aligned with the rows: a digit broken onto a line of its own would
	// read as another number.
	const many = 2000
	big := func(yield func(report.Row, error) bool) {
		for range many {
			if !yield(report.Cells(report.String("x"), report.Int(9999999)), nil) {
				return
			}
		}
	}
	sum := report.Column{Caption: "N", Type: report.TypeNumber, Format: numfmt.MustParse("#,##0"), Total: report.TotalSum}
	out = renderPDF(t, &pdf.Renderer{}, report.New("", report.NewTable("", []report.Column{{Caption: "Item"}, sum}, big)))
	type word struct{ x1, h float64 }
	found := map[string][]word{}
	for _, m := range wordRE.FindAllStringSubmatch(pdftotext(t, out, "-bbox"), -1) {
		y0, _ := strconv.ParseFloat(m[2], 64)
		x1, _ := strconv.ParseFloat(m[3], 64)
		y1, _ := strconv.ParseFloat(m[4], 64)
		found[m[5]] = append(found[m[5]], word{x1, y1 - y0})
	}
	total, row := found["19,999,998,000"], found["9,999,999"]
	if len(total) != 1 || len(row) != many {
		t.Fatalf("the sum %v (want it once, whole), %d rows", total, len(row))
	}
	if math.Abs(total[0].x1-row[0].x1) > 0.05 || total[0].h >= row[0].h {
		t.Errorf("the sum ends at %.2f, %.2f high; a row at %.2f, %.2f high", total[0].x1, total[0].h, row[0].x1, row[0].h)
	}
}

var textRE = regexp.MustCompile(`<text [^>]*font="(\d+)"[^>]*>(.*?)</text>`)
var fontRE = regexp.MustCompile(`<fontspec id="(\d+)"[^>]*family="([^"]*)"`)

// boldness returns, for each text of out that has the word s, whether its
// font is bold, read with pdftohtml -xml.
func boldness(t *testing.T, out []byte, s string) []bool {
	t.Helper()
	f := writeTemp(t, out)
	b, err := exec.Command(tool(t, "pdftohtml"), "-xml", "-stdout", "-i", "-q", f).Output()
	if err != nil {
		t.Fatalf("pdftohtml: %v", err)
	}
	bold := map[string]bool{}
	for _, m := range fontRE.FindAllStringSubmatch(string(b), -1) {
		bold[m[1]] = strings.Contains(strings.ToLower(m[2]), "bold")
	}
	var got []bool
	for _, m := range textRE.FindAllStringSubmatch(string(b), -1) {
		// pdftohtml joins the texts of a line in one font: "item1 1,199.00".
		txt := strings.NewReplacer("<b>", "", "</b>", "", "<i>", "", "</i>", "").Replace(m[2])
		if slices.Contains(strings.Fields(txt), s) {
			got = append(got, bold[m[1]])
		}
	}
	return got
}

func seed(t *testing.T) *report.Document {
	f, err := os.Open("../../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return report.Read(f)
}

// inOrder fails t unless every string of want appears in text, in order.
func inOrder(t *testing.T, text string, want []string) {
	t.Helper()
	norm := strings.Join(strings.Fields(text), " ")
	at := 0
	for _, w := range want {
		i := strings.Index(norm[at:], w)
		if i < 0 {
			t.Errorf("text lacks %q after offset %d:\n%s", w, at, norm)
			return
		}
		at += i + len(w)
	}
}

func TestSeed(t *testing.T) {
	out := renderPDF(t, &pdf.Renderer{}, seed(t))
	golden.Check(t, "seed.pdf", out)
	inOrder(t, pdftotext(t, out, "-layout"), []string{"Table of Data", "Asset", "Event Type", "Workpack",
		"Test Asset", "GVI", "Workpack A", "Test Asset", "GVI", "Workpack B", "Report generated in 00:00:01", "Page 1 of 1"})
}

func TestScripts(t *testing.T) {
	cols := []report.Column{{Caption: "Sprache"}, {Caption: "Text"}, {Caption: "Zahl", Type: report.TypeNumber}}
	var rows []report.Row
	for i, s := range rendertest.Scripts {
		lang, text, _ := strings.Cut(s, ": ")
		rows = append(rows, report.Cells(report.String(lang), report.String(text), report.Int(int64(i*1000+7))))
	}
	doc := report.New("Grüße — Ελληνικά — Кириллица",
		&report.Heading{Text: "Überschrift Ωμέγα Щука", Level: 1},
		report.NewTable("Tabelle Πίνακας Таблица", cols, report.RowsOf(rows...)),
		&report.Paragraph{Runs: []report.Run{{Text: "Straße Äpfel "}, {Text: "**fett** _kursiv_ `код` [Σύνδεσμος](https://example.com/x)", Markdown: true}}},
	)
	out := renderPDF(t, &pdf.Renderer{}, doc)
	golden.Check(t, "scripts.pdf", out)
	want := []string{"Grüße — Ελληνικά — Кириллица", "Überschrift Ωμέγα Щука", "Tabelle Πίνακας Таблица", "Sprache", "Text", "Zahl"}
	for i, s := range rendertest.Scripts {
		lang, text, _ := strings.Cut(s, ": ")
		want = append(want, lang, text, strconv.Itoa(i*1000+7))
	}
	want = append(want, "Straße Äpfel fett kursiv код Σύνδεσμος")
	inOrder(t, pdftotext(t, out, "-layout"), want)
	text := pdftotext(t, out)
	if strings.Contains(text, "**") || strings.Contains(text, "`") || strings.Contains(text, "](") {
		t.Errorf("Markdown syntax shows in the text:\n%s", text)
	}
	if strings.Contains(text, "\uFFFD") {
		t.Errorf("text has replacement characters:\n%s", text)
	}
}

func numbered(n int, cols ...string) *report.Table {
	c := make([]report.Column, len(cols))
	for i, s := range cols {
		c[i] = report.Column{Caption: s}
	}
	return report.NewTable("Numbered", c, func(yield func(report.Row, error) bool) {
		for i := range n {
			cells := make([]report.Value, len(cols))
			for j := range cells {
				cells[j] = report.String(fmt.Sprintf("r%dc%d", i, j))
			}
			cells[len(cells)-1] = report.Int(int64(i))
			if !yield(report.Cells(cells...), nil) {
				return
			}
		}
	})
}

// pages splits pdftotext output into pages.
func pages(text string) []string {
	p := strings.Split(text, "\f")
	if len(p) > 0 && strings.TrimSpace(p[len(p)-1]) == "" {
		p = p[:len(p)-1]
	}
	return p
}

func TestHeaderOnEveryPage(t *testing.T) {
	out := renderPDF(t, &pdf.Renderer{}, report.New("", numbered(300, "Alpha Header", "Beta Header", "Amount")))
	ps := pages(pdftotext(t, out))
	if len(ps) < 3 {
		t.Fatalf("%d pages, want at least 3", len(ps))
	}
	seen := 0
	for i, p := range ps {
		for _, h := range []string{"Alpha Header", "Beta Header", "Amount"} {
			if n := strings.Count(p, h); n != 1 {
				t.Errorf("page %d has %q %d times, want once", i+1, h, n)
			}
		}
		if want := fmt.Sprintf("Page %d of %d", i+1, len(ps)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		for _, f := range strings.Fields(p) {
			if strings.HasPrefix(f, "r") && strings.HasSuffix(f, "c0") {
				n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(f, "r"), "c0"))
				if err == nil {
					if n != seen {
						t.Fatalf("page %d: row %d after row %d", i+1, n, seen-1)
					}
					seen++
				}
			}
		}
	}
	if seen != 300 {
		t.Errorf("found %d rows, want 300", seen)
	}
}

var wordRE = regexp.MustCompile(`<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">([^<]*)</word>`)
var pageRE = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)

// boxes checks that every word of out lies inside its page and returns
// the words.
func boxes(t *testing.T, out []byte) []string {
	t.Helper()
	x := pdftotext(t, out, "-bbox")
	var words []string
	for _, pg := range strings.Split(x, "</page>") {
		m := pageRE.FindStringSubmatch(pg)
		if m == nil {
			continue
		}
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		for _, wm := range wordRE.FindAllStringSubmatch(pg, -1) {
			var v [4]float64
			for i := range v {
				v[i], _ = strconv.ParseFloat(wm[i+1], 64)
			}
			if v[0] < 0 || v[1] < 0 || v[2] > w || v[3] > h {
				t.Errorf("word %.20q at %v lies outside the %gx%g page", wm[5], v, w, h)
			}
			words = append(words, wm[5])
		}
	}
	return words
}

func TestLongWord(t *testing.T) {
	long := strings.Repeat("x", 2000)
	doc := report.New("", report.NewTable("Long", []report.Column{{Caption: "A"}, {Caption: "B"}},
		report.RowsOf(report.Cells(report.String(long), report.String("short")))),
		&report.Paragraph{Runs: []report.Run{{Text: "para " + long}}})
	out := renderPDF(t, &pdf.Renderer{}, doc)
	words := boxes(t, out)
	if got := strings.Count(strings.Join(words, ""), "x"); got != 4000 {
		t.Errorf("%d x characters in the text, want 4000", got)
	}
}

// TestEscapesInCells is TestEscapes in table cells and short paragraphs:
// ASCII parentheses and backslashes, and runes with one of those bytes in
// their two (Ĩ is 0x0128, ĩ 0x0129, Ŝ 0x015C), at the start, middle and end
// of a string, after plain ASCII and after other non-ASCII text.
func TestEscapesInCells(t *testing.T) {
	texts := []string{"(open", "close)", "a\\b", "f(x)", "Ü(ß)", "ĨĩŜ", "xĨy", "naïve (café) Ŝ\\"}
	doc := textsDoc("", "T", texts, func(int) bool { return false })
	words := strings.Join(boxes(t, renderPDF(t, &pdf.Renderer{}, doc)), " ")
	for _, s := range texts {
		for _, w := range strings.Fields(s) {
			if got, want := strings.Count(words, w), 2; got < want {
				t.Errorf("%q is in the text %d times, want %d (once in the table, once in a paragraph): %s", w, got, want, words)
			}
		}
	}
}

func TestTallRow(t *testing.T) {
	tall := strings.Repeat("line\n", 200)
	doc := report.New("", report.NewTable("Tall", []report.Column{{Caption: "A"}, {Caption: "B"}},
		report.RowsOf(report.Cells(report.String("first"), report.String("x")), report.Cells(report.String(tall), report.String("y")))))
	out := renderPDF(t, &pdf.Renderer{}, doc)
	words := boxes(t, out)
	n := 0
	for _, w := range words {
		if w == "line" {
			n++
		}
	}
	if n != 200 {
		t.Errorf("%d lines of the tall cell, want 200", n)
	}
}

func TestEmojiCJK(t *testing.T) {
	texts := append(append([]string{}, rendertest.CJK...), "emoji 😀👍🏽 𝔘", "\U0010FFFF \uE000nb")
	doc := textsDoc("😀 中文", "表", texts, func(i int) bool { return i%2 == 0 })
	text := pdftotext(t, renderPDF(t, &pdf.Renderer{}, doc))
	if !strings.Contains(text, "\uFFFD") || !strings.Contains(text, "printed as \uFFFD") {
		t.Errorf("missing characters are not shown as U+FFFD with a note:\n%s", text)
	}
	if !strings.Contains(text, "emoji") {
		t.Errorf("text lacks the Latin part:\n%s", text)
	}
}

// textsDoc returns a document titled title of a table, captioned caption,
// of one row with each of texts in a cell, and after it each of texts in a
// paragraph, the i-th as Markdown if markdown(i).
func textsDoc(title, caption string, texts []string, markdown func(int) bool) *report.Document {
	var cells []report.Value
	var cols []report.Column
	var paras []report.Element
	for i, s := range texts {
		cells = append(cells, report.String(s))
		cols = append(cols, report.Column{Caption: fmt.Sprint("C", i)})
		paras = append(paras, &report.Paragraph{Runs: []report.Run{{Text: s, Markdown: markdown(i)}}})
	}
	return report.New(title, append([]report.Element{report.NewTable(caption, cols, report.RowsOf(report.Cells(cells...)))}, paras...)...)
}

// cjkFont returns a CJK TrueType font and its path: $FOLIO_CJK_TTF, else
// Droid Sans Fallback or WenQuanYi Micro Hei where Debian puts them. It
// skips t without one, or fails it when FOLIO_REQUIRE_TOOLS=1.
func cjkFont(t *testing.T) ([]byte, string) {
	t.Helper()
	path := os.Getenv("FOLIO_CJK_TTF")
	if path == "" {
		for _, p := range []string{"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"} {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			t.Fatal("no CJK TrueType font: scripts/deps.sh installs fonts-droid-fallback")
		}
		t.Skip("no CJK TrueType font (set FOLIO_CJK_TTF)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := pdf.CheckFont(data); err != nil {
		t.Skipf("%s: %v", path, err)
	}
	return data, path
}

// cjkFonts returns Fonts with a CJK font tried first (see cjkFont).
func cjkFonts(t *testing.T) pdf.Fonts {
	data, _ := cjkFont(t)
	return pdf.Fonts{Regular: data}
}

func TestCJKFont(t *testing.T) {
	data, path := cjkFont(t)
	sf, err := sfnt.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	// The text must survive where the font has its characters, with the Go
	// fonts drawing the Latin and Greek characters a CJK font may lack.
	var want []string
	var buf sfnt.Buffer
	for _, s := range rendertest.CJK {
		has := true
		for _, r := range s {
			if gi, _ := sf.GlyphIndex(&buf, r); gi == 0 && r != ' ' {
				has = false
			}
		}
		if has {
			want = append(want, s)
		}
	}
	if len(want) == 0 {
		t.Skipf("%s has none of the CJK samples", path)
	}
	want = append(want, "Latin 123 Ελληνικά")
	doc := report.New(want[0], &report.Paragraph{Runs: []report.Run{{Text: strings.Join(want, " ")}}},
		report.NewTable("表 table", []report.Column{{Caption: "名称 name"}}, report.RowsOf(report.Cells(report.String(strings.Join(want, " "))))))
	text := pdftotext(t, renderPDF(t, &pdf.Renderer{Fonts: pdf.Fonts{Regular: data}}, doc))
	for _, s := range want {
		if n := strings.Count(text, s); n < 2 {
			t.Errorf("text has %q %d times, want it in the paragraph and the table:\n%s", s, n, text)
		}
	}
	if strings.Contains(text, "\uFFFD") {
		t.Errorf("text has replacement characters:\n%s", text)
	}
}

func TestBadFont(t *testing.T) {
	for _, data := range [][]byte{[]byte("OTTO............"), []byte("\x00\x01\x00\x00garbage.........")} {
		err := (&pdf.Renderer{Fonts: pdf.Fonts{Regular: data}}).Render(context.Background(), &bytes.Buffer{}, seed(t))
		if !errors.Is(err, pdf.ErrFont) {
			t.Errorf("Render with font %.8q = %v, want ErrFont", data, err)
		}
	}
}

func TestPageLimit(t *testing.T) {
	var buf bytes.Buffer
	err := (&pdf.Renderer{MaxPages: 3}).Render(context.Background(), &buf, report.New("", numbered(1000, "A", "B")))
	if !errors.Is(err, pdf.ErrPageLimit) {
		t.Fatalf("Render = %v, want ErrPageLimit", err)
	}
	// The pages before the limit are written; the file is unfinished.
	if out := buf.Bytes(); !bytes.HasPrefix(out, []byte("%PDF-")) || bytes.Contains(out, []byte("%%EOF")) {
		t.Errorf("Render wrote %d bytes on error, want the start of an unfinished file:\n%.200q", len(out), out)
	}
}

// TestStreaming checks that pages reach the writer as they are completed,
// not at the end, and that a failing writer stops the render at once.
func TestStreaming(t *testing.T) {
	const rows = 8000 // about 200 pages
	var buf bytes.Buffer
	var early int // bytes written when the last row is read
	table := report.NewTable("Streamed", []report.Column{{Caption: "A"}, {Caption: "B"}}, func(yield func(report.Row, error) bool) {
		for i := range rows {
			if i == rows-1 {
				early = buf.Len()
			}
			if !yield(report.Cells(report.String(fmt.Sprintf("row%05d", i)), report.Int(int64(i))), nil) {
				return
			}
		}
	})
	if err := (&pdf.Renderer{}).Render(context.Background(), &buf, report.New("Streamed", table)); err != nil {
		t.Fatal(err)
	}
	if early < buf.Len()/2 {
		t.Errorf("%d of %d bytes written before the last row, want most", early, buf.Len())
	}
	text := pdftotext(t, buf.Bytes())
	ps := pages(text)
	for i, p := range ps {
		if want := fmt.Sprintf("Page %d of %d", i+1, len(ps)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
	}
	if !strings.Contains(text, fmt.Sprintf("row%05d", rows-1)) {
		t.Errorf("the last row is missing:\n%s", text[max(0, len(text)-300):])
	}

	errDisk := errors.New("disk full")
	fw := &failWriter{limit: 20_000, err: errDisk}
	read := 0
	table = report.NewTable("Streamed", []report.Column{{Caption: "A"}}, func(yield func(report.Row, error) bool) {
		for i := range 1_000_000 {
			read++
			if !yield(report.Cells(report.Int(int64(i))), nil) {
				return
			}
		}
	})
	err := (&pdf.Renderer{MaxPages: 100_000}).Render(context.Background(), fw, report.New("", table))
	if !errors.Is(err, errDisk) || !strings.HasPrefix(err.Error(), "pdf: writing: ") {
		t.Fatalf("Render = %v, want pdf: writing: %v", err, errDisk)
	}
	if read > 20_000 {
		t.Errorf("Render read %d rows after the writer failed near row 1,000", read)
	}
}

// failWriter fails once limit bytes are written.
type failWriter struct {
	n, limit int
	err      error
}

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		return 0, w.err
	}
	w.n += len(p)
	return len(p), nil
}

func TestWideTable(t *testing.T) {
	var cols []string
	for i := range 30 {
		cols = append(cols, fmt.Sprintf("Column number %d", i))
	}
	out := renderPDF(t, &pdf.Renderer{}, report.New("Wide", numbered(120, cols...)))
	words := boxes(t, out)
	text := strings.Join(words, " ")
	for i := range 120 {
		for j := range 29 {
			if !strings.Contains(text, fmt.Sprintf("r%dc%d", i, j)) {
				t.Fatalf("text lacks cell r%dc%d", i, j)
			}
		}
	}
	ps := pages(pdftotext(t, out))
	first := regexp.MustCompile(`\br[0-9]+c0\b`)
	for i, p := range ps {
		if !first.MatchString(p) || !strings.Contains(p, "part ") {
			t.Errorf("page %d lacks the first column or the part label:\n%s", i+1, p)
		}
	}
}

// TestWideTableFormats checks that a table cut into column groups shows
// its first rows, read ahead to size the columns, as the rest: formatted
// and linked.
func TestWideTableFormats(t *testing.T) {
	cols := []report.Column{{Caption: "Item"}, {Caption: "Amount", Type: report.TypeNumber, Format: numfmt.MustParse("#,##0.00"), Link: "https://erp.example/a/{value}"}}
	for i := range 28 {
		cols = append(cols, report.Column{Caption: fmt.Sprintf("Column number %d", i)})
	}
	var rows []report.Row
	for i := range 3 {
		cells := []report.Value{report.String(fmt.Sprintf("item%d", i)), report.Int(int64(1234567 + i))}
		for j := range 28 {
			cells = append(cells, report.String(fmt.Sprintf("r%dc%d", i, j)))
		}
		rows = append(rows, report.Cells(cells...))
	}
	out := renderPDF(t, &pdf.Renderer{}, report.New("Wide", report.NewTable("T", cols, report.RowsOf(rows...))))
	text := pdftotext(t, out)
	for i := range 3 {
		if want := fmt.Sprintf("1,234,56%d.00", 7+i); !strings.Contains(text, want) {
			t.Errorf("text lacks %s:\n%s", want, text)
		}
	}
	if got, want := uris(t, out), []string{"https://erp.example/a/1234567", "https://erp.example/a/1234568", "https://erp.example/a/1234569"}; !slices.Equal(got, want) {
		t.Errorf("links %q, want %q", got, want)
	}
}

func TestLandscape(t *testing.T) {
	var cols []string
	for i := range 16 {
		cols = append(cols, fmt.Sprintf("Heading %d", i))
	}
	out := renderPDF(t, &pdf.Renderer{}, report.New("", numbered(5, cols...)))
	x := pdftotext(t, out, "-bbox")
	m := pageRE.FindStringSubmatch(x)
	if m == nil {
		t.Fatal("no page")
	}
	if w, _ := strconv.ParseFloat(m[1], 64); w < 800 {
		t.Errorf("page width %s, want landscape A4", m[1])
	}
	out = renderPDF(t, &pdf.Renderer{}, seed(t))
	if m := pageRE.FindStringSubmatch(pdftotext(t, out, "-bbox")); m == nil || m[1] != "595.280000" {
		t.Errorf("seed page = %v, want portrait A4", m)
	}
}

func TestLetterAndDate(t *testing.T) {
	date := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	out := renderPDF(t, &pdf.Renderer{PageSize: pdf.Letter, CreationDate: date}, seed(t))
	if m := pageRE.FindStringSubmatch(pdftotext(t, out, "-bbox")); m == nil || m[1] != "612.000000" || m[2] != "792.000000" {
		t.Errorf("page = %v, want Letter", m)
	}
	info, err := exec.Command(tool(t, "pdfinfo"), writeTemp(t, out)).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Creator:", "folio", "2024"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
}

func TestReplacedCount(t *testing.T) {
	var cols []report.Column
	var cells []report.Value
	for i := range 30 { // wide enough for column groups
		cols = append(cols, report.Column{Caption: fmt.Sprintf("Column heading %d", i)})
		cells = append(cells, report.String(fmt.Sprintf("value number %d", i)))
	}
	cells[0] = report.String("中 first column")
	cells[29] = report.String("last 😀")
	for _, tc := range []struct {
		name string
		doc  *report.Document
		want string
	}{
		{"Paragraph", report.New("", &report.Paragraph{Runs: []report.Run{{Text: "a😀b"}, {Text: "*中*", Markdown: true}}}), "Note: 2 characters"},
		{"Table", report.New("", report.NewTable("T", []report.Column{{Caption: "日"}}, report.RowsOf(report.Cells(report.String("x\x00y"))))), "Note: 2 characters"},
		{"Groups", report.New("", report.NewTable("T", cols, report.RowsOf(report.Cells(cells...)))), "Note: 2 characters"},
		{"None", report.New("", &report.Paragraph{Runs: []report.Run{{Text: "fine"}}}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := pdftotext(t, renderPDF(t, &pdf.Renderer{}, tc.doc))
			if tc.want == "" {
				if strings.Contains(text, "Note:") {
					t.Errorf("unexpected note:\n%s", text)
				}
				return
			}
			if !strings.Contains(strings.Join(strings.Fields(text), " "), tc.want) {
				t.Errorf("text lacks %q:\n%s", tc.want, text)
			}
		})
	}
}

func TestPanicBecomesError(t *testing.T) {
	doc := report.NewStream("", func(yield func(report.Element, error) bool) {
		panic("boom")
	})
	var buf bytes.Buffer
	err := (&pdf.Renderer{}).Render(context.Background(), &buf, doc)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("Render = %v, want an error from the panic", err)
	}
	if buf.Len() != 0 {
		t.Errorf("Render wrote %d bytes", buf.Len())
	}
}

func TestOptions(t *testing.T) {
	f, err := render.Lookup("pdf")
	if err != nil {
		t.Fatal(err)
	}
	if f.MediaType != "application/pdf" || f.Ext != ".pdf" {
		t.Errorf("format = %+v", f)
	}
	r, err := build(f, render.Options{"page": "letter", "orientation": "landscape", "max-pages": "7"})
	if err != nil {
		t.Fatal(err)
	}
	if p := r.(*pdf.Renderer); p.PageSize != "Letter" || p.Orientation != pdf.Landscape || p.MaxPages != 7 {
		t.Errorf("renderer = %+v", p)
	}
	bad := filepath.Join(t.TempDir(), "bad.ttf")
	os.WriteFile(bad, []byte("not a font at all"), 0o644)
	for _, o := range []render.Options{{"page": "A3"}, {"max-pages": "0"}, {"colour": "red"}, {"font": filepath.Join(t.TempDir(), "missing.ttf")}, {"font": bad}} {
		var oe *render.OptionError
		if _, err := build(f, o); !errors.As(err, &oe) {
			t.Errorf("New(%v) = %v, want an *OptionError", o, err)
		}
	}
}

func TestLinks(t *testing.T) {
	doc := report.New("", &report.Paragraph{Runs: []report.Run{{Text: "[good](https://example.com/a) [bad](javascript:alert(1)) <https://example.org/b>", Markdown: true}}})
	out := renderPDF(t, &pdf.Renderer{}, doc)
	text := pdftotext(t, out)
	inOrder(t, text, []string{"good", "bad", "https://example.org/b"})
	if links, want := uris(t, out), []string{"https://example.com/a", "https://example.org/b"}; !slices.Equal(links, want) {
		t.Errorf("links %q, want %q", links, want)
	}
	if bytes.Contains(out, []byte("javascript")) {
		t.Errorf("output has a javascript: link")
	}
}

// BenchmarkRender renders a 10,000-row, 10-column table like bench/gen's.
func BenchmarkRender(b *testing.B) {
	cols := make([]report.Column, 10)
	for i := range cols {
		cols[i] = report.Column{Caption: fmt.Sprintf("Column %d", i+1)}
	}
	words := []string{"Straße", "Ωμέγα", "Москва", "Workpack A", "GVI", "Test Asset", "Überprüfung"}
	const n = 10000
	rows := make([]report.Row, n)
	for i := range rows {
		cells := make([]report.Value, 10)
		for j := range cells {
			switch j % 5 {
			case 0:
				cells[j] = report.String(fmt.Sprintf("%s %d", words[(i+j)%len(words)], i))
			case 1:
				cells[j] = report.Int(int64(i*7919%2000000 - 1000000))
			case 2:
				cells[j] = report.Float(float64(i*104729%10000000) / 100)
			case 3:
				cells[j] = report.Bool(i%3 == 0)
			default:
				cells[j] = report.String(words[(i*j)%len(words)])
			}
		}
		rows[i] = report.Cells(cells...)
	}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		doc := report.New("Benchmark", report.NewTable("Data", cols, report.RowsOf(rows...)))
		if err := (&pdf.Renderer{}).Render(context.Background(), &buf, doc); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size), "bytes")
}

// FuzzRender checks that any text, as plain text, Markdown, captions and
// cells, renders without error or panic into a PDF that ends properly.
func FuzzRender(f *testing.F) {
	for _, s := range append(append(append([]string{}, rendertest.Strange...), rendertest.Scripts...), rendertest.CJK...) {
		f.Add(s, 3)
	}
	f.Add("**a** _b_ `c` [d](https://e) <f> &amp; \\* # h\n- l\n\n```\ncode\n```", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n%40 + 1
		if n < 1 {
			n = 1
		}
		cols := make([]report.Column, n)
		cells := make([]report.Value, n)
		for i := range cols {
			cols[i] = report.Column{Caption: s}
			cells[i] = report.String(s)
		}
		doc := report.New(s,
			&report.Heading{Text: s, Level: n%6 + 1},
			&report.Paragraph{Runs: []report.Run{{Text: s}, {Text: s, Markdown: true}}},
			report.NewTable(s, cols, report.RowsOf(report.Cells(cells...), report.Cells(cells...))))
		var buf bytes.Buffer
		if err := (&pdf.Renderer{}).Render(context.Background(), &buf, doc); err != nil {
			t.Fatalf("Render: %v", err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(buf.Bytes()), []byte("%%EOF")) {
			t.Fatalf("output is not a complete PDF")
		}
	})
}

func TestLongHeader(t *testing.T) {
	long := strings.Repeat("caption ", 400)
	out := renderPDF(t, &pdf.Renderer{}, report.New("", numbered(100, long, "B")))
	text := pdftotext(t, out)
	ps := pages(text)
	if len(ps) > 10 {
		t.Errorf("%d pages for 100 short rows", len(ps))
	}
	for i, p := range ps {
		if !strings.Contains(p, "caption…") {
			t.Errorf("page %d lacks the cut header ending in an ellipsis", i+1)
		}
	}
	inOrder(t, text, []string{"r0c0", "r99c0"})
}

func TestConcurrent(t *testing.T) {
	r := &pdf.Renderer{}
	want := renderPDF(t, r, report.New("", numbered(300, "A", "B", "C")))
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			err := r.Render(context.Background(), &buf, report.New("", numbered(300, "A", "B", "C")))
			if err == nil && !bytes.Equal(buf.Bytes(), want) {
				err = errors.New("output differs")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestEscapes checks characters whose UTF-16 bytes are the PDF string
// delimiters, the escape character or line ends.
func TestEscapes(t *testing.T) {
	s := "Ċċ Ĩĩ č ̍ (paren) \\back\\ ((( ))) ԍ"
	text := pdftotext(t, renderPDF(t, &pdf.Renderer{}, report.New("", &report.Paragraph{Runs: []report.Run{{Text: s}}})))
	if !strings.Contains(text, "Ċċ Ĩĩ č") || !strings.Contains(text, "(paren) \\back\\ ((( )))") {
		t.Errorf("text = %q, want %q", text, s)
	}
}

// TestKinds checks key figures read back as label and value on one line,
// values formatted and linked, and page breaks: the key figures and the
// last heading start pages of their own.
func TestKinds(t *testing.T) {
	out := renderPDF(t, &pdf.Renderer{}, report.Read(strings.NewReader(rendertest.KindsDocument)))
	golden.Check(t, "kinds.pdf", out)
	pages := strings.Split(strings.TrimSuffix(pdftotext(t, out, "-layout"), "\f"), "\f")
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3 (two page breaks)", len(pages))
	}
	if !strings.Contains(pages[0], "Kinds table") || strings.Contains(pages[0], "Kinds fields") {
		t.Errorf("page 1 does not end before the key figures:\n%s", pages[0])
	}
	lines := regexp.MustCompile(`Kinds label +kinds value|Kinds number +1,234\.50|Kinds link +kinds linked|Kinds flag +true`)
	if n := len(lines.FindAllString(pages[1], -1)); n != 4 {
		t.Errorf("page 2 shows %d of 4 items as label and value on a line:\n%s", n, pages[1])
	}
	if !strings.Contains(pages[2], "Kinds last heading") {
		t.Errorf("page 3 lacks the last heading:\n%s", pages[2])
	}
	if links := uris(t, out); !slices.Contains(links, "https://example.com/item") {
		t.Errorf("links %q lack the item's", links)
	}
}

// TestCellLinkURIs checks the URIs of cell links: an IRI's bytes outside
// ASCII percent-encoded, an ASCII link (a template's) as it is, with the
// characters a PDF string escapes, and a template's value percent-encoded
// (an exponent's "+").
func TestCellLinkURIs(t *testing.T) {
	cols := []report.Column{{Caption: "Item"}, {Caption: "Code", Type: report.TypeNumber, Link: "https://erp.example/items?id={value}"}}
	rows := []report.Row{
		report.Cells(report.String("Straße").WithLink("https://example.com/Straße?q=Ω"), report.Int(-7)),
		report.Cells(report.String("Paren").WithLink(`https://example.com/a(b)\c`), report.Int(8)),
		report.Cells(report.String("Exponent"), report.Float(1.5e21)),
	}
	want := []string{"https://example.com/Stra%C3%9Fe?q=%CE%A9", "https://erp.example/items?id=-7", `https://example.com/a(b)\c`, "https://erp.example/items?id=8", "https://erp.example/items?id=1.5e%2B21"}
	// The escaped characters at each place in the eight bytes fpdf looks
	// at together, and in the bytes after the last eight.
	for n := range 10 {
		for _, c := range []string{"(", ")", `\`} {
			link := "https://example.com/" + strings.Repeat("x", n) + c + "y"
			rows = append(rows, report.Cells(report.String("Escape"+c).WithLink(link), report.Int(int64(n))))
			want = append(want, link, "https://erp.example/items?id="+strconv.Itoa(n))
		}
	}
	out := renderPDF(t, &pdf.Renderer{}, report.New("", report.NewTable("Links", cols, report.RowsOf(rows...))))
	if got := uris(t, out); !slices.Equal(got, want) {
		t.Errorf("links %q, want %q", got, want)
	}
}

// TestFieldsKeepItems checks an item is never split across pages: after
// enough items to fill pages, each item's label and value share a page.
func TestFieldsKeepItems(t *testing.T) {
	var items []report.Field
	for i := range 120 {
		long := strings.Repeat(fmt.Sprintf("value%d ", i), 1+i%9*4)
		items = append(items, report.Field{Label: fmt.Sprintf("Label %d", i), Value: report.String(long)})
	}
	out := renderPDF(t, &pdf.Renderer{}, report.New("", &report.Fields{Caption: "Many", Items: items}))
	pages := strings.Split(strings.TrimSuffix(pdftotext(t, out), "\f"), "\f")
	if len(pages) < 3 {
		t.Fatalf("%d pages, want the items to fill at least 3", len(pages))
	}
	for i := range items {
		label, value := regexp.MustCompile(fmt.Sprintf(`Label %d\s`, i)), regexp.MustCompile(fmt.Sprintf(`value%d\s`, i))
		for p, text := range pages {
			if label.MatchString(text) != value.MatchString(text) {
				t.Errorf("item %d is split: page %d has its label or its value, not both", i, p+1)
			}
		}
	}
}

// build is f.NewRenderer without its Safe wrapper, to look at the
// renderer's fields.
func build(f render.Format, o render.Options) (render.Renderer, error) {
	r, err := f.ReadOptions(o)
	if err != nil {
		return nil, err
	}
	return f.New(r)
}

// TestTemplateLinkValue: a column's link template takes the cell's value
// as given, not as shown, whatever the format and locale.
func TestTemplateLinkValue(t *testing.T) {
	for _, tc := range []struct {
		name, column, value, want, notWant string
	}{
		{"grouped number", `{"caption":"N","type":"number","format":"#,##0","link":"https://erp.example/items/{value}"}`, `232872`,
			"https://erp.example/items/232872", "232.872"},
		{"currency", `{"caption":"N","type":"number","format":"\"€ \"#,##0.00","link":"https://erp.example/p?amount={value}"}`, `1234.5`,
			"https://erp.example/p?amount=1234.5", "1.234,50"},
		{"date", `{"caption":"D","type":"date","format":"d mmm yyyy","link":"https://erp.example/day/{value}"}`, `"2026-03-01"`,
			"https://erp.example/day/2026-03-01", "Mrz"},
		{"own link kept", `{"caption":"N","type":"number","format":"#,##0","link":"https://erp.example/items/{value}"}`, `232872, "link": "https://other.example/x"`,
			"https://other.example/x", "erp.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := `{"locale":"de-DE","elements":[{"type":"table","data":{"columns":[` + tc.column + `],"rows":[{"cells":[{"value":` + tc.value + `}]}]}}]}`
			out := renderPDF(t, &pdf.Renderer{}, report.Read(strings.NewReader(in)))
			links := uris(t, out)
			if len(links) != 1 || links[0] != tc.want {
				t.Errorf("links %q, want only %s", links, tc.want)
			}
			for _, l := range links {
				if strings.Contains(l, tc.notWant) {
					t.Errorf("link %s has %s", l, tc.notWant)
				}
			}
		})
	}
}
