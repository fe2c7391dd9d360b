#!/usr/bin/env bash
# Measures what the page member costs in PDF: the same generated document of
# ROWS rows x 10 columns (default 100,000) converted without a page member
# and with one (header, footer and testdata/logo.png), alternately, ROUNDS
# times (default 2) in the same run. Prints wall and CPU seconds, rows/s,
# pages, peak RSS and MB of peak RSS per page for each, and the ratios
# page/plain.
#
#   bench/page.sh [ROWS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
rounds=${2:-2}
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
plain="$out/in-$rows.json"
paged="$out/in-$rows-page.json"
[ -s "$plain" ] || go run ./bench/gen -rows "$rows" -cols 10 > "$plain"
logo=$(base64 -w0 testdata/logo.png)
page='"page":{"header":"{title} · Acme Maintenance GmbH","footer":"Printed 2026-12-01 · Page {page} of {pages}","logo":{"type":"image/png","width":28,"data":"'$logo'"}}'
sed '1s/^{/{'"${page//\//\\/}"',/' "$plain" > "$paged"
go build -o "$out/folio" ./cmd/folio
command -v pdfinfo >/dev/null || { echo "page.sh needs pdfinfo (poppler-utils)"; exit 1; }
echo "input: $plain, $(du -m "$plain" | cut -f1) MB, $rows rows x 10 columns; with page: $paged"

# measure NAME IN OUT: converts IN to OUT under /usr/bin/time -v, prints a
# line and leaves "wall cpu rss pages" in $out/last.txt.
measure() {
	local name=$1 in=$2 pdf=$3
	/usr/bin/time -v "$out/folio" convert -q "$in" -o "$pdf" 2>"$out/time.txt" >/dev/null || { cat "$out/time.txt"; return 1; }
	local secs cpu rss pages
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time.txt")
	cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$out/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$out/time.txt")
	pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
	printf '%-12s %6.2f s wall %6.2f s CPU  %7.0f rows/s (CPU)  %5d pages  peak RSS %6s MB  %.4f MB/page\n' \
		"$name" "$secs" "$cpu" "$(awk -v r="$rows" -v s="$cpu" 'BEGIN{print r/s}')" "$pages" "$rss" \
		"$(awk -v r="$rss" -v p="$pages" 'BEGIN{print r/p}')"
	echo "$secs $cpu $rss $pages" > "$out/last.txt"
}

for round in $(seq "$rounds"); do
	echo "round $round"
	measure "plain" "$plain" "$out/plain.pdf"
	read -r ps pc pr pp < "$out/last.txt"
	measure "with page" "$paged" "$out/page.pdf"
	read -r gs gc gr gp < "$out/last.txt"
	awk -v ps="$ps" -v gs="$gs" -v pc="$pc" -v gc="$gc" -v pr="$pr" -v gr="$gr" -v pp="$pp" -v gp="$gp" 'BEGIN{
		printf "ratio page/plain: rows/s %.3f (CPU) %.3f (wall), peak RSS %.3f, MB/page %.3f\n", pc/gc, ps/gs, gr/pr, (gr/gp)/(pr/pp)}'
done
