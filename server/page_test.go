package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/foliorender/folio/internal/browsertest"
	"github.com/foliorender/folio/runner"
	"github.com/foliorender/folio/schema"
	"github.com/foliorender/folio/server"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/xuri/excelize/v2"
)

// TestPageServed: the page and its files, with the page's headers, and
// the formats of the registry as the page's choices.
func TestPageServed(t *testing.T) {
	e := newEnv(t, server.Config{})
	for _, c := range []struct{ path, ctype, has string }{
		{"/", "text/html; charset=utf-8", `<script src="/ui/jobs.js" defer></script>`},
		{"/ui/jobs.js", "text/javascript; charset=utf-8", `sessionStorage`},
		{"/ui/jobs.css", "text/css; charset=utf-8", `progress`},
	} {
		r := e.do("GET", c.path, "", nil)
		if r.code != 200 || r.header.Get("Content-Type") != c.ctype || !strings.Contains(string(r.body), c.has) {
			t.Errorf("GET %s: %d %q, body has %q: %v", c.path, r.code, r.header.Get("Content-Type"), c.has, strings.Contains(string(r.body), c.has))
		}
		for k, v := range map[string]string{"Content-Security-Policy": server.PageCSP, "X-Content-Type-Options": "nosniff",
			"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := r.header.Get(k); got != v {
				t.Errorf("GET %s: %s %q, want %q", c.path, k, got, v)
			}
		}
		etag := r.header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
			t.Errorf("GET %s: ETag %q", c.path, etag)
			continue
		}
		if again := e.do("GET", c.path, "", nil, "If-None-Match", etag); again.code != 304 || len(again.body) != 0 {
			t.Errorf("GET %s If-None-Match %s: %d, %d bytes, want 304 and none", c.path, etag, again.code, len(again.body))
		}
		if other := e.do("GET", c.path, "", nil, "If-None-Match", `"other"`); other.code != 200 || !bytes.Equal(other.body, r.body) {
			t.Errorf("GET %s with a stale ETag: %d, want 200 and the file", c.path, other.code)
		}
	}
	if js, css := e.do("GET", "/ui/jobs.js", "", nil), e.do("GET", "/ui/jobs.css", "", nil); js.header.Get("ETag") == css.header.Get("ETag") {
		t.Errorf("jobs.js and jobs.css share the ETag %s", js.header.Get("ETag"))
	}
	body := string(e.do("GET", "/", "", nil).body)
	for _, f := range testFormats.Formats() {
		if !strings.Contains(body, fmt.Sprintf(`value="%s"`, f.Name)) {
			t.Errorf("the page offers no format %q", f.Name)
		}
	}
	for _, p := range []string{"/", "/ui/jobs.js"} {
		r := e.do("POST", p, "", nil)
		r.errorBody(t, 405)
		if r.header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST %s: Allow %q", p, r.header.Get("Allow"))
		}
	}
	e.do("GET", "/ui/other.js", "", nil).errorBody(t, 404)
}

// withRunner starts a background renderer for e's store, stopped when t
// ends.
func withRunner(t *testing.T, e *env, reg server.Registry) {
	t.Helper()
	r, err := runner.New(context.Background(), runner.Config[*sql.Tx]{Store: e.store, Driver: riversqlite.New(e.store.DB()),
		Blobs: e.blobs, Formats: reg, Exclusive: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Stop(ctx)
	})
}

// pageOut returns the directory for the page's screenshots:
// $FOLIO_PAGE_OUT if set, else a temporary directory.
func pageOut(t *testing.T) string {
	if d := os.Getenv("FOLIO_PAGE_OUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// watch records what a tab does: the requests it sends, console errors
// and warnings, uncaught exceptions, and Content-Security-Policy
// violations (a listener the tab adds to every document, before the
// page's own script). The tab saves downloads in a directory.
type watch struct {
	mu        sync.Mutex
	requests  []*network.Request
	problems  []string
	downloads map[string]string // guid → state
	names     map[string]string // guid → suggested file name
}

func watchTab(t *testing.T, ctx context.Context, downloads string) *watch {
	t.Helper()
	w := &watch{downloads: map[string]string{}, names: map[string]string{}}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.Type == chromedp.ConsoleException {
				w.mu.Lock()
				w.problems = append(w.problems, fmt.Sprintf("%s: %s (%s)", m.Type, m.Text, m.URL))
				w.mu.Unlock()
			}
		}
	}()
	err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok {
			w.mu.Lock()
			w.requests = append(w.requests, ev.Request)
			w.mu.Unlock()
		}
	})
	if err == nil {
		err = chromedp.ListenBrowser(ctx, func(ev any) {
			w.mu.Lock()
			defer w.mu.Unlock()
			switch ev := ev.(type) {
			case *browser.EventDownloadWillBegin:
				w.names[ev.GUID] = ev.SuggestedFilename
				w.downloads[ev.GUID] = "started"
			case *browser.EventDownloadProgress:
				w.downloads[ev.GUID] = string(ev.State)
			}
		})
	}
	if err == nil {
		_, err = chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, EventsEnabled: new(true)})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`})
	}
	if err == nil {
		err = chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900))
	}
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// do runs steps in the tab, failing t on an error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval returns the value of the expression js in the tab.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls the expression js in the page until it is true.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !eval[bool](t, ctx, js) {
		if time.Now().After(deadline) {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("waiting for %s: timed out; the page:\n%.4000s", what, html)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// jobRow is what the page shows of a job.
type jobRow struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	Progress float64  `json:"progress"`
	Percent  string   `json:"percent"`
	Buttons  []string `json:"buttons"`
}

const rowJS = `(() => { const r = document.querySelector(%q); if (!r) return null;
	return {id: r.id, status: r.querySelector(".badge").textContent, progress: r.querySelector("progress").value,
		percent: r.querySelector(".percent").textContent,
		buttons: [...r.querySelectorAll(".download button")].map((b) => b.textContent)}; })()`

// TestPageInBrowser uses the jobs page in headless Chromium as a person
// would: sign in, upload a document with the file input, watch its bar
// reach 100 %, download two formats (the bytes are the server's), upload
// an invalid document and read its violations, cancel a job. No URL the
// page requests holds the token, the API requests carry it as a header,
// and the page runs with no CSP violation, console error or exception.
func TestPageInBrowser(t *testing.T) {
	reg := registry{extra: append(testFormats.extra, slowFormat)}
	e := newEnv(t, server.Config{Formats: reg})
	withRunner(t, e, reg)
	ctx := browsertest.Tab(t)
	downloads := t.TempDir()
	w := watchTab(t, ctx, downloads)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out := pageOut(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "orders.json")
	if err := os.WriteFile(good, bigDoc(100), 0o644); err != nil { // 1 s of slow rendering
		t.Fatal(err)
	}
	const hostile = `<img src=x onerror="document.title='owned'">`
	bad := filepath.Join(dir, "broken.json")
	badDoc := `{"elements": [{"type": "table", "caption": "T", "data": {"columns": [{"caption": "A"}, {"caption": "B"}],
		"rows": [{"cells": [{"value": 1}]}, {"cells": [{"value": 1}, {"value": 2}, {"value": 3}]}]}},
		{"type": "` + strings.ReplaceAll(hostile, `"`, `\"`) + `"}]}`
	if err := os.WriteFile(bad, []byte(badDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	var ve *schema.ValidationError
	if err := schema.Validate(strings.NewReader(badDoc)); !errors.As(err, &ve) || len(ve.Violations) < 3 {
		t.Fatalf("the invalid document: %v", err)
	}

	// Sign in: a wrong token first.
	do(t, ctx, chromedp.Navigate(e.url+"/"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), "wrong-token"), chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)))
	waitFor(t, ctx, "the refusal", `document.getElementById("signin-error").textContent.includes("not accepted")`)
	time.Sleep(100 * time.Millisecond)
	// That 401 is the one error the console may show.
	w.mu.Lock()
	w.problems = slices.DeleteFunc(w.problems, func(p string) bool { return strings.Contains(p, "status of 401") })
	w.mu.Unlock()
	eval[chromedp.Void](t, ctx, `document.getElementById("token").value = ""`)
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), "alice-token"),
		chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("app")))
	if stored := eval[string](t, ctx, `sessionStorage.getItem("folio-token")`); stored != "alice-token" {
		t.Fatalf("sessionStorage: %q", stored)
	}
	waitFor(t, ctx, "the empty list", `!document.getElementById("jobs-empty").hidden`)

	// Upload a document, rendering slow and csv ahead.
	do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{good}),
		chromedp.Click(chromedp.CSS(`input[name="format"][value="slow"]`)), chromedp.Click(chromedp.CSS(`input[name="format"][value="csv"]`)),
		chromedp.Click(chromedp.ID("upload")))
	waitFor(t, ctx, "the receipt", `document.getElementById("upload-result").textContent.includes("received as job #1")`)
	var seen []float64
	var row *jobRow
	deadline := time.Now().Add(30 * time.Second)
	for {
		row = eval[*jobRow](t, ctx, fmt.Sprintf(rowJS, "#job-1"))
		if row != nil {
			if len(seen) == 0 || seen[len(seen)-1] != row.Progress {
				seen = append(seen, row.Progress)
			}
			if row.Status == "Completed" && len(row.Buttons) > 0 { // the entry shown afresh
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job 1 did not complete on the page: %+v, progress seen %v", row, seen)
		}
		time.Sleep(40 * time.Millisecond)
	}
	t.Logf("progress bar values seen: %v", seen)
	if row.Progress != 100 || row.Percent != "100 %" || seen[0] >= 100 || !slices.Equal(row.Buttons, formatNames(reg)) {
		t.Errorf("completed row %+v, progress seen %v: want a bar from below 100 to 100 and a button per format %v", row, seen, formatNames(reg))
	}
	waitFor(t, ctx, "the announcement", `document.getElementById("announce").textContent !== ""`)
	if announced := eval[string](t, ctx, `document.getElementById("announce").textContent`); announced != "Job 1 completed." {
		t.Errorf("aria-live announced %q", announced)
	}

	// Download csv (rendered ahead) and xlsx (rendered on download).
	for _, f := range []string{"csv", "xlsx"} {
		do(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#job-1 button[aria-label="Download job 1 as %s"]`, f))))
		name := "report-1." + f
		waitFor(t, ctx, "the download of "+f, fmt.Sprintf(`document.querySelector("#job-1 .msg").textContent === "Saved %s"`, name))
		got := waitDownload(t, w, downloads, name)
		want := e.do("GET", "/jobs/1/content?format="+f, "alice-token", nil).body
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the browser saved %d bytes, the server sends %d", name, len(got), len(want))
		}
		switch f {
		case "csv":
			recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
			if err != nil || len(recs) != 101 || recs[100][0] != "99" {
				t.Errorf("%s: %d records, %v", name, len(recs), err)
			}
		case "xlsx":
			x, err := excelize.OpenReader(bytes.NewReader(got))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			v, err := x.GetCellValue(x.GetSheetName(0), "A101")
			if err != nil || v != "99" {
				t.Errorf("%s: A101 %q, %v", name, v, err)
			}
			x.Close()
		}
	}

	// An invalid document: its violations, with their pointers, as text.
	do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{bad}), chromedp.Click(chromedp.ID("upload")))
	waitFor(t, ctx, "the rejection", `document.querySelector("#upload-result .violations") !== null`)
	items := eval[[]string](t, ctx, `[...document.querySelectorAll("#upload-result .violations li")].map((li) => li.textContent)`)
	var want []string
	for _, v := range ve.Violations {
		want = append(want, v.Pointer+" "+v.Message)
	}
	if !slices.Equal(items, want) {
		t.Errorf("violations shown:\n%q\nwant\n%q", items, want)
	}
	if imgs := eval[int](t, ctx, `document.querySelectorAll("main img").length`); imgs != 0 || !strings.Contains(strings.Join(items, "\n"), `<img src=x onerror=`) {
		t.Errorf("the hostile type is not shown as text: %d img elements, violations %q", imgs, items)
	}
	waitFor(t, ctx, "the rejected job in the list", `document.querySelector("#job-2 .badge")?.textContent === "Rejected"`)

	// Cancel a job that renders for 3 s (the formats chosen stay chosen).
	long := filepath.Join(dir, "long.json")
	if err := os.WriteFile(long, bigDoc(300), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{long}), chromedp.Click(chromedp.ID("upload")))
	waitFor(t, ctx, "the cancel button", `document.querySelector('#job-3 button[aria-label="Cancel job 3"]') !== null`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#job-3 button[aria-label="Cancel job 3"]`)))
	waitFor(t, ctx, "the canceled job", `document.querySelector("#job-3 .badge")?.textContent === "Canceled"`)
	if st := e.do("GET", "/jobs/3", "alice-token", nil).json(t)["status"]; st != "canceled" {
		t.Errorf("job 3 is %v after Cancel", st)
	}

	eval[chromedp.Void](t, ctx, `document.querySelector("#job-2 details").open = true`)
	for _, scheme := range []string{"light", "dark"} {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		if err != nil {
			t.Fatal(err)
		}
		// The whole page: a window as tall as it.
		do(t, ctx, chromedp.EmulateViewport(1280, int64(max(900, eval[int](t, ctx, `document.documentElement.scrollHeight`)))))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "jobs-page-"+scheme+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	do(t, ctx, chromedp.EmulateViewport(390, int64(max(844, eval[int](t, ctx, `document.documentElement.scrollHeight`)))))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("on a phone the page is %d px wide, wider than its 390 px", w)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "jobs-page-narrow.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	t.Logf("screenshots in %s", out)

	// What the tab sent: no URL has the token; the API requests carry it.
	w.mu.Lock()
	var authorized int
	for _, r := range w.requests {
		if strings.Contains(r.URL, "alice-token") || strings.Contains(r.URL, "wrong-token") {
			t.Errorf("a URL holds the token: %s", r.URL)
		}
		if u, err := url.Parse(r.URL); err == nil && (strings.HasPrefix(u.Path, "/jobs") || strings.HasPrefix(u.Path, "/icweb.dll/")) {
			var auth any
			for k, v := range r.Headers {
				if strings.EqualFold(k, "Authorization") {
					auth = v
				}
			}
			if auth != "Bearer alice-token" && auth != "Bearer wrong-token" {
				t.Errorf("%s %s without the token: %v", r.Method, r.URL, r.Headers)
			}
			authorized++
		}
	}
	if authorized < 5 {
		t.Errorf("%d requests to the API seen", authorized)
	}
	for _, p := range w.problems {
		t.Errorf("the page: %s", p)
	}
	w.mu.Unlock()
	if v := eval[[]string](t, ctx, `window.__csp`); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
	if n := eval[int](t, ctx, `localStorage.length + document.cookie.length`); n != 0 {
		t.Errorf("localStorage or cookies used: %d", n)
	}
	// The listener catches a violation: an inline style is refused.
	eval[chromedp.Void](t, ctx, `document.head.append(Object.assign(document.createElement("style"), {textContent: "body{color:red}"}))`)
	waitFor(t, ctx, "the violation of an inline style", `window.__csp.length > 0`)

	// Signing out forgets the token.
	do(t, ctx, chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("signin")))
	if n := eval[int](t, ctx, `sessionStorage.length`); n != 0 {
		t.Errorf("after signing out, sessionStorage holds %d items", n)
	}
}

func formatNames(reg server.Registry) []string {
	var names []string
	for _, f := range reg.Formats() {
		names = append(names, f.Name)
	}
	return names
}

// waitDownload waits for the browser to save name in dir and returns its
// bytes.
func waitDownload(t *testing.T, w *watch, dir, name string) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w.mu.Lock()
		done := false
		for guid, n := range w.names {
			if n == name && w.downloads[guid] == "completed" {
				done = true
			}
		}
		w.mu.Unlock()
		if done {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("download of %s did not complete: %v %v", name, w.names, w.downloads)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPageDropAndPages: a document dropped on the drop zone is uploaded,
// and the list pages through 25 jobs newest first, 20 a page.
func TestPageDropAndPages(t *testing.T) {
	e := newEnv(t, server.Config{})
	for range 24 {
		e.post("alice-token", "", seed(t)) // complete at once
	}
	ctx := browsertest.Tab(t)
	w := watchTab(t, ctx, t.TempDir())
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	do(t, ctx, chromedp.Navigate(e.url+"/"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), "alice-token"), chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)))
	ids := func() []string {
		return eval[[]string](t, ctx, `[...document.querySelectorAll("#jobs tbody tr")].map((r) => r.id)`)
	}
	jobs := func(from, to int) []string {
		var s []string
		for i := from; i >= to; i-- {
			s = append(s, fmt.Sprintf("job-%d", i))
		}
		return s
	}
	waitFor(t, ctx, "the list", `document.querySelectorAll("#jobs tbody tr").length === 20`)
	if got := ids(); !slices.Equal(got, jobs(24, 5)) {
		t.Errorf("first page: %v", got)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("older")))
	waitFor(t, ctx, "the older page", `document.querySelectorAll("#jobs tbody tr").length === 4`)
	if got, info := ids(), eval[string](t, ctx, `document.getElementById("page-info").textContent`); !slices.Equal(got, jobs(4, 1)) || info != "Jobs 21–24 of 24" {
		t.Errorf("older page: %v, %q", got, info)
	}
	if !eval[bool](t, ctx, `document.getElementById("older").disabled && !document.getElementById("newer").disabled`) {
		t.Error("on the last page, Older is not disabled or Newer is")
	}

	// Drop the seed on the drop zone, then upload: the list goes back to
	// the newest page.
	seedPath, err := filepath.Abs("../testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	at := eval[[]float64](t, ctx, `(() => { const r = document.getElementById("drop").getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	data := &input.DragData{Items: []*input.DragDataItem{}, Files: []string{seedPath}, DragOperationsMask: 1}
	for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
		if _, err := chromedp.Call(ctx, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: at[0], Y: at[1], Data: data}); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
	}
	if name := eval[string](t, ctx, `document.getElementById("file").files[0]?.name ?? ""`); name != "seed.json" {
		t.Fatalf("after the drop the file input holds %q", name)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("upload")))
	waitFor(t, ctx, "the receipt", `document.getElementById("upload-result").textContent === "seed.json received as job #25."`)
	waitFor(t, ctx, "the newest page", `document.querySelector("#jobs tbody tr")?.id === "job-25"`)
	if got := ids(); !slices.Equal(got, jobs(25, 6)) {
		t.Errorf("after the upload: %v", got)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		t.Errorf("the page: %s", p)
	}
}
