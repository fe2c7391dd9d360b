#!/usr/bin/env bash
# Pictures of the page member (header, footer, logo) and of key figures, for
# looking at them in every format that prints: the seed example with a page
# block and testdata/logo.png, a table of about three pages with a header
# and footer, and a fields block. Each goes through
#   - folio's PDF, rendered with pdftoppm;
#   - folio's HTML in headless Chromium: a screenshot, and printed to PDF
#     (then pdftoppm);
#   - folio's XLSX printed to PDF by LibreOffice (soffice --headless
#     --convert-to pdf, then pdftoppm).
# It prints each PNG's path. Nothing is written inside the repository.
#
#   scripts/page-pictures.sh [OUTDIR]   # default: $TMPDIR/folio-page-pictures
set -euo pipefail
cd "$(dirname "$0")/.."
for t in pdftoppm chromium soffice; do
	command -v "$t" >/dev/null || { echo "page-pictures.sh needs $t (scripts/deps.sh installs it)" >&2; exit 1; }
done
out=$(realpath -m "${1:-${TMPDIR:-/tmp}/folio-page-pictures}")
mkdir -p "$out"
profiles=$(mktemp -d)
trap 'rm -rf "$profiles"' EXIT
go build -o "$out/folio" ./cmd/folio

logo=$(base64 -w0 testdata/logo.png)
page='"page":{"header":"{title} · Acme Maintenance GmbH","footer":"Printed 2026-12-01 · Page {page} of {pages}","logo":{"type":"image/png","width":28,"data":"'$logo'"}}'
# The seed with a title and the page block put in front of its elements.
sed '1s/^{/{"title":"Work orders",'"${page//\//\\/}"',/' testdata/seed.json > "$out/seed-page.json"
# About three pages of a four-column table.
go run ./bench/gen -rows 110 -cols 4 | sed '1s/^{/{'"${page//\//\\/}"',/' > "$out/three-pages.json"
cat > "$out/fields.json" <<'EOF'
{"title":"Monthly maintenance report","locale":"de-DE","elements":[
{"type":"fields","caption":"Parameters","data":{"items":[
	{"label":"Period","value":"2026-11"},
	{"label":"Site","value":"Hamburg Finkenwerder","link":"https://example.com/sites/hh"},
	{"label":"Run by","value":"m.mustermann"},
	{"label":"Run on","value":"2026-12-01","format":"d. mmmm yyyy"},
	{"label":"Open orders","value":1234,"format":"#,##0"},
	{"label":"Total cost","value":98765.4,"format":"#,##0.00 \"€\""},
	{"label":"Overdue share","value":0.0725,"format":"0.0%"},
	{"label":"Approved","value":true},
	{"label":"Remarks","value":null}]}},
{"type":"paragraph","data":{"text":[{"value":"Key figures above, the orders below."}]}},
{"type":"table","caption":"Orders","data":{"columns":[{"caption":"Order"},{"caption":"Cost","type":"number","format":"#,##0.00"}],
	"rows":[{"cells":[{"value":"WO-1"},{"value":120.5}]},{"cells":[{"value":"WO-2"},{"value":99}]}]}}]}
EOF

browse() {
	local n
	n=$(mktemp -d -p "$profiles")
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--no-first-run --disable-component-update --disable-sync --disable-quic \
		--user-data-dir="$n" "$@" 2>/dev/null
}
for name in seed-page three-pages fields; do
	in=$out/$name.json
	rm -f "$out/$name"-*.png
	"$out/folio" convert -q "$in" -o "$out/$name.pdf"
	pdftoppm -r 70 -png "$out/$name.pdf" "$out/$name-pdf"
	"$out/folio" convert -q "$in" -o "$out/$name.html"
	browse --window-size=1100,800 --screenshot="$out/$name-screen.png" "file://$out/$name.html"
	browse --no-pdf-header-footer --print-to-pdf="$out/$name-print.pdf" "file://$out/$name.html"
	pdftoppm -r 70 -png "$out/$name-print.pdf" "$out/$name-chromium-print"
	"$out/folio" convert -q "$in" -o "$out/$name.xlsx"
	timeout 300 soffice -env:UserInstallation="file://$profiles/lo" --headless \
		--convert-to pdf --outdir "$out/lo" "$out/$name.xlsx" >/dev/null 2>&1
	pdftoppm -r 70 -png "$out/lo/$name.pdf" "$out/$name-libreoffice"
done
ls "$out"/*.png
