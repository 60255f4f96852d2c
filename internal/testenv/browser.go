package testenv

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumNames are the executables tried for the browser tests, after
// BEIANFLOW_CHROMIUM: Debian's package, then other common names.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ChromiumPath is the headless browser the page tests drive, or "".
func ChromiumPath() string {
	if p := os.Getenv("BEIANFLOW_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts headless Chromium for the test and returns its context:
// each chromedp.NewContext(ctx, chromedp.WithNewBrowserContext()) under it
// is a person with their own cookies. The test fails when Chromium is
// missing: `.ci/run` installs Debian's chromium package, README says so.
func Browser(t *testing.T) context.Context {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		t.Fatal("the page tests need Chromium: apt-get install chromium (or set BEIANFLOW_CHROMIUM)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(1440, 1000),
		// Containers run tests as root, where Chromium's sandbox cannot start.
		chromedp.NoSandbox,
		chromedp.Flag("lang", "zh-CN"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	// Start the browser now, so a broken installation fails here. The
	// browser lives as long as the context of its first run: no timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}
