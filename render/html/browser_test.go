package html_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/report"
)

// chromium returns the path of a Chromium binary. Without one the test is
// skipped, or fails if FOLIO_REQUIRE_TOOLS=1.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
		t.Fatal("chromium not found (scripts/deps.sh installs it)")
	}
	t.Skip("chromium not found; set FOLIO_REQUIRE_TOOLS=1 to fail instead")
	return ""
}

// chromiumFlags are the flags of every headless run: no sandbox (tests
// may run as root), no GPU, and no network traffic of the browser's own.
func chromiumFlags(profile string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic",
		"--user-data-dir=" + profile}
}

// dumpDOM loads file in headless Chromium and returns the DOM it built,
// serialised after the page loaded.
func dumpDOM(t *testing.T, bin, file string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append(chromiumFlags(t.TempDir()), "--dump-dom", "file://"+file)
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", file, err, stderr.Bytes())
	}
	if stdout.Len() == 0 {
		t.Fatalf("chromium --dump-dom %s printed nothing\n%s", file, stderr.Bytes())
	}
	return stdout.Bytes()
}

// outDir returns the directory for the pages the browser test loads:
// $FOLIO_HTML_OUT if set (scripts/html-browser-check.sh keeps them there
// for screenshots), else a temporary directory.
func outDir(t *testing.T) string {
	if d := os.Getenv("FOLIO_HTML_OUT"); d != "" {
		d, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// wideDoc returns a document with a table of 40 columns of mixed types,
// for looking at how wide tables scroll on screen and print.
func wideDoc() *report.Document {
	const ncol, nrow = 40, 60
	cols := make([]report.Column, ncol)
	for c := range cols {
		cols[c].Caption = fmt.Sprintf("Column %d", c+1)
		switch c % 4 {
		case 1:
			cols[c].Type = report.TypeNumber
		case 2:
			cols[c].Type = report.TypeDate
		}
	}
	words := []string{"Straße", "Ωμέγα", "Москва", "東京", "Workpack A", "GVI", "Test Asset", "Überprüfung"}
	rows := func(yield func(report.Row, error) bool) {
		cells := make([]report.Value, ncol)
		for r := range nrow {
			for c := range cells {
				switch c % 4 {
				case 0:
					cells[c] = report.String(words[(r+c)%len(words)])
				case 1:
					cells[c] = report.Float(float64((r*7919+c*104729)%2000000-1000000) / 100)
				case 2:
					cells[c] = report.String(fmt.Sprintf("2024-%02d-%02d", 1+(r+c)%12, 1+(r*c)%28))
				default:
					cells[c] = report.Bool((r+c)%3 == 0)
				}
			}
			if !yield(report.Cells(cells...), nil) {
				return
			}
		}
	}
	return report.New("Wide report",
		&report.Paragraph{Runs: []report.Run{{Text: "A table of 40 columns and 60 rows. "}, {Text: "It scrolls *sideways* on screen; see [folio](https://example.com/folio).", Markdown: true}}},
		report.NewTable("Forty columns", cols, rows))
}

// TestBrowserDOM loads the seed example and the hostile sample in headless
// Chromium and checks the DOM it builds: no element, attribute or comment
// the renderer does not write, the same elements as Go's HTML parser reads,
// and every hostile string present as text.
func TestBrowserDOM(t *testing.T) {
	bin := chromium(t)
	dir := outDir(t)
	if err := os.WriteFile(filepath.Join(dir, "wide-landscape.html"), renderDoc(t, &html.Renderer{Landscape: true}, wideDoc()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		doc      func() *report.Document
		fragment bool
		texts    []string
	}{
		{"seed", func() *report.Document { return readDoc(t, "../../testdata/seed.json") }, false,
			[]string{"Table of Data", "Workpack B", "Report generated in 00:00:01"}},
		{"hostile", func() *report.Document { return readDoc(t, "testdata/hostile.json") }, false, hostile},
		{"hostile-fragment", func() *report.Document { return readDoc(t, "testdata/hostile.json") }, true, hostile},
		{"wide", wideDoc, false, []string{"Column 40", "Überprüfung", "2024-12-19", "sideways"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := renderDoc(t, &html.Renderer{Fragment: c.fragment}, c.doc())
			file := filepath.Join(dir, c.name+".html")
			if err := os.WriteFile(file, out, 0o644); err != nil {
				t.Fatal(err)
			}
			dom := dumpDOM(t, bin, file)
			if d := os.Getenv("FOLIO_HTML_OUT"); d != "" {
				if err := os.WriteFile(filepath.Join(dir, c.name+".dom.html"), dom, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := parse(t, dom)
			checkMarkup(t, got)
			// Go's parser, run on the output, builds the DOM the browser
			// built: the browser found nothing else in it.
			if g, w := elements(got), elements(parse(t, out)); !slices.Equal(g, w) {
				t.Errorf("the browser's elements differ from the parsed output's:\nbrowser %q\n parsed %q", g, w)
			}
			text := textOf(got)
			for _, s := range c.texts {
				if !strings.Contains(text, s) {
					t.Errorf("the browser's DOM lacks the text %q", s)
				}
			}
		})
	}
}
