// Package browsertest runs headless Chromium for tests, through chromedp:
// one browser per test binary, started on first use, with a tab per test.
// Without a Chromium the tests that ask for one are skipped, or fail when
// FOLIO_REQUIRE_TOOLS=1 (as in CI); scripts/deps.sh installs Debian's.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path returns the path of a Chromium binary. Without one t is skipped,
// or fails if FOLIO_REQUIRE_TOOLS=1.
func Path(t testing.TB) string {
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

var (
	mu      sync.Mutex
	browser context.Context // the browser's chromedp context, nil before the first Tab
	stop    func()
)

// Tab returns the context of a new tab of the shared browser, closed when
// t ends. The browser starts on the first call: headless, without a
// sandbox (tests may run as root), a GPU or network traffic of its own,
// with a profile in a temporary directory.
func Tab(t testing.TB) context.Context {
	t.Helper()
	bin := Path(t)
	mu.Lock()
	defer mu.Unlock()
	if browser == nil {
		profile, err := os.MkdirTemp("", "folio-chromium-")
		if err != nil {
			t.Fatal(err)
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
			chromedp.DisableGPU, chromedp.UserDataDir(profile), chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1280, 900))
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		if err := chromedp.Do(bctx); err != nil {
			bcancel()
			acancel()
			os.RemoveAll(profile)
			t.Fatalf("starting chromium: %v", err)
		}
		browser = bctx
		stop = func() {
			bcancel()
			acancel()
			os.RemoveAll(profile)
		}
	}
	ctx, cancel := chromedp.NewContext(browser)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("opening a tab: %v", err)
	}
	t.Cleanup(cancel)
	return ctx
}

// Close stops the shared browser, if it runs. A TestMain calls it after
// the tests.
func Close() {
	mu.Lock()
	defer mu.Unlock()
	if stop != nil {
		stop()
		browser, stop = nil, nil
	}
}
