package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/foliorender/folio/internal/browsertest"
	"github.com/foliorender/folio/render/html"
	"github.com/foliorender/folio/render/rendertest"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/server"
)

// axePath is axe-core's script, which scripts/deps.sh installs.
const axePath = "../.tools/axe-core/node_modules/axe-core/axe.min.js"

// axeSource returns axe-core's script. Without it t is skipped, or fails
// if FOLIO_REQUIRE_TOOLS=1.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(axePath)
	if err != nil {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			t.Fatalf("axe-core: %v (scripts/deps.sh installs it)", err)
		}
		t.Skipf("axe-core not installed (%v); run scripts/deps.sh, or set FOLIO_REQUIRE_TOOLS=1 to fail instead", err)
	}
	return string(b)
}

// An axeViolation is one rule that failed, with the nodes it failed on.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun injects axe-core into the tab's page and returns the violations
// of the WCAG 2.1 A and AA rules.
func axeRun(t *testing.T, ctx context.Context, axe string) []axeViolation {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
	.then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary.replace(/\s+/g, " "))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	return v
}

// checkAxe runs axe-core on the tab's page in the light and the dark
// colour scheme and fails t on a serious or critical violation; lesser
// ones are logged.
func checkAxe(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	for _, scheme := range []string{"light", "dark"} {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range axeRun(t, ctx, axe) {
			msg := fmt.Sprintf("%s (%s): axe %s %s: %s\n\t%s", what, scheme, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "\n\t"))
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
	}
}

// TestAccessibility runs axe-core (WCAG 2.1 A/AA) in headless Chromium on
// the standalone pages folio's html renderer writes, for the seed, a
// document with every element kind, formats, links and a footer, the
// numbers document of rendertest and a right-to-left document, and on the
// jobs page signed out and signed in with a completed and a rejected job.
// No page may have a serious or critical violation.
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	ctx := browsertest.Tab(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	docs := []struct {
		name string
		doc  func() *report.Document
		r    html.Renderer
	}{
		{"seed", fileDoc(t, "../testdata/seed.json"), html.Renderer{}},
		{"every-kind", fileDoc(t, "testdata/every-kind.json"), html.Renderer{}},
		{"every-kind-landscape", fileDoc(t, "testdata/every-kind.json"), html.Renderer{Landscape: true, Lang: "en-GB"}},
		{"numbers", func() *report.Document { return report.Read(strings.NewReader(rendertest.NumbersDocument)) }, html.Renderer{}},
		{"rtl", fileDoc(t, "testdata/rtl.json"), html.Renderer{}},
	}
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			var b strings.Builder
			if err := d.r.Render(context.Background(), &b, d.doc()); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, d.name+".html")
			if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			do(t, ctx, chromedp.Navigate("file://"+file))
			checkAxe(t, ctx, axe, d.name+".html")
		})
	}

	// The check can fail: the seed's page without its lang, and with an
	// input without a label, under the renderer's own CSP.
	t.Run("without-lang", func(t *testing.T) {
		var b strings.Builder
		if err := (&html.Renderer{}).Render(context.Background(), &b, fileDoc(t, "../testdata/seed.json")()); err != nil {
			t.Fatal(err)
		}
		page := strings.Replace(strings.Replace(b.String(), `<html lang="en">`, "<html>", 1), "</main>", "<input></main>", 1)
		file := filepath.Join(dir, "without-lang.html")
		if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.Navigate("file://"+file))
		found := map[string]string{}
		for _, v := range axeRun(t, ctx, axe) {
			found[v.ID] = v.Impact
		}
		if found["html-has-lang"] != "serious" || found["label"] != "critical" {
			t.Errorf("axe found %v on a page without lang and with an unlabelled input", found)
		}
	})

	t.Run("jobs-page", func(t *testing.T) {
		e := newEnv(t, server.Config{})
		complete := id(e.post("alice-token", "", seed(t))) // complete at once: formats render on download
		rejected := id(e.post("alice-token", "", []byte(`{"elements": [{"type": "chart"}]}`)))
		deadline := time.Now().Add(20 * time.Second)
		for e.do("GET", fmt.Sprintf("/jobs/%d", complete), "alice-token", nil).json(t)["status"] != "complete" {
			if time.Now().After(deadline) {
				t.Fatal("the seed's job did not complete")
			}
			time.Sleep(50 * time.Millisecond)
		}
		do(t, ctx, chromedp.Navigate(e.url+"/"), chromedp.WaitVisible(chromedp.ID("token")))
		checkAxe(t, ctx, axe, "the jobs page, signed out")
		do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), "wrong-token"), chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)))
		waitFor(t, ctx, "the refusal", `document.getElementById("signin-error").textContent !== ""`)
		checkAxe(t, ctx, axe, "the jobs page, a token refused")
		eval[chromedp.Void](t, ctx, `document.getElementById("token").value = ""`)
		do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), "alice-token"), chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)))
		waitFor(t, ctx, "the jobs", fmt.Sprintf(`document.querySelector("#job-%d .download button") !== null && document.querySelector("#job-%d details") !== null`, complete, rejected))
		eval[chromedp.Void](t, ctx, fmt.Sprintf(`document.querySelector("#job-%d details").open = true`, rejected))
		checkAxe(t, ctx, axe, "the jobs page, signed in")
		do(t, ctx, chromedp.EmulateViewport(390, 844)) // a phone: the table scrolls sideways
		checkAxe(t, ctx, axe, "the jobs page, signed in, narrow")
	})
}

// fileDoc returns a function that reads the document in path.
func fileDoc(t *testing.T, path string) func() *report.Document {
	return func() *report.Document {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return report.Read(f)
	}
}
