#!/usr/bin/env bash
# Checks folio's HTML in a real browser: installs Chromium when missing,
# runs the Go test that loads the seed example and the hostile sample in
# headless Chromium and checks the DOM holds no element that came from the
# data, then saves screenshots of the seed example and of a 40-column table,
# on screen (light and dark) and printed to PDF, for review.
#
#	scripts/html-browser-check.sh [OUTDIR]   # OUTDIR defaults to html-check
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null && command -v pdftoppm >/dev/null || scripts/deps.sh
out=$(realpath -m "${1:-html-check}")
mkdir -p "$out"
profiles=$(mktemp -d)
trap 'rm -rf "$profiles"' EXIT

# The DOM check; it leaves seed.html, hostile.html, wide.html and the
# browser's DOM of each (*.dom.html) in $out.
FOLIO_REQUIRE_TOOLS=1 FOLIO_HTML_OUT="$out" go test -count=1 -run '^TestBrowserDOM$' -v ./render/html

n=0
browse() {
	n=$((n + 1))
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--no-first-run --disable-component-update --disable-sync --disable-quic \
		--user-data-dir="$profiles/$n" --hide-scrollbars=false "$@" 2>/dev/null
}
for page in seed wide; do
	browse --window-size=1280,800 --screenshot="$out/$page.png" "file://$out/$page.html"
	browse --window-size=1280,800 --force-dark-mode --screenshot="$out/$page-dark.png" "file://$out/$page.html"
	browse --window-size=390,800 --screenshot="$out/$page-narrow.png" "file://$out/$page.html"
	browse --no-pdf-header-footer --print-to-pdf="$out/$page.pdf" "file://$out/$page.html"
	pdftoppm -png -r 80 "$out/$page.pdf" "$out/$page-print"
done
echo "html-browser-check: DOM check passed; pictures in $out:"
ls "$out"/*.png
