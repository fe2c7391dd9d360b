#!/usr/bin/env bash
# Checks folio's HTML in a real browser: installs Chromium when missing,
# runs the Go test that loads the seed example and the hostile sample in
# headless Chromium and checks the DOM holds no element that came from the
# data, then saves screenshots of the seed example and of a 40-column table,
# on screen (light, dark, narrow, and scrolled down the long table) and
# printed to PDF, for review.
#
#	scripts/html-browser-check.sh [OUTDIR]   # default: $TMPDIR/folio-html-check
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null && command -v pdftoppm >/dev/null || scripts/deps.sh
out=$(realpath -m "${1:-${TMPDIR:-/tmp}/folio-html-check}")
mkdir -p "$out"
profiles=$(mktemp -d)
trap 'rm -rf "$profiles"' EXIT

# The DOM check; it leaves seed.html, hostile.html, wide.html,
# wide-landscape.html (Renderer.Landscape) and the
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
browse --no-pdf-header-footer --print-to-pdf="$out/wide-landscape.pdf" "file://$out/wide-landscape.html"
pdftoppm -png -r 80 "$out/wide-landscape.pdf" "$out/wide-landscape-print"
browse --window-size=1280,800 --screenshot="$out/hostile.png" "file://$out/hostile.html"
# The wide table scrolled to its 50th row (a copy with an id on that row, so
# a URL fragment scrolls there): its header row must still be in view.
awk '/^<tr><td/ && ++n == 50 { sub(/^<tr>/, "<tr id=\"row50\">") } { print }' "$out/wide.html" > "$out/wide-scrolled.html"
browse --window-size=1280,800 --screenshot="$out/wide-scrolled.png" "file://$out/wide-scrolled.html#row50"
echo "html-browser-check: DOM check passed; pictures in $out:"
ls "$out"/*.png
