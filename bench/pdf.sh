#!/usr/bin/env bash
# Benchmarks `folio convert` to PDF on a generated document of ROWS rows x 10
# columns (default 100,000), next to the bare baseline (bench/barepdf: a
# plain fpdf table loop) on the same file in the same run. Prints seconds,
# rows/s, pages, peak RSS and MB of peak RSS per page for each, and the
# ratios folio/bare.
#
#   bench/pdf.sh [ROWS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
rounds=${2:-2}
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
in="$out/in-$rows.json"
[ -s "$in" ] || go run ./bench/gen -rows "$rows" -cols 10 > "$in"
go build -o "$out/folio" ./cmd/folio
go build -o "$out/barepdf" ./bench/barepdf
command -v pdfinfo >/dev/null || { echo "pdf.sh needs pdfinfo (poppler-utils)"; exit 1; }
echo "input: $in, $(du -m "$in" | cut -f1) MB, $rows rows x 10 columns"

# measure NAME OUTFILE CMD...: runs CMD under /usr/bin/time -v, prints a
# line and leaves "secs rss pages" in $out/last.txt.
measure() {
	local name=$1 pdf=$2; shift 2
	/usr/bin/time -v "$@" 2>"$out/time.txt" >/dev/null || { cat "$out/time.txt"; return 1; }
	local secs rss pages
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$out/time.txt")
	pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
	printf '%-20s %7.2f s  %8.0f rows/s  %5d pages  %6.2f MB out  peak RSS %6s MB  %.3f MB/page\n' \
		"$name" "$secs" "$(awk -v r="$rows" -v s="$secs" 'BEGIN{print r/s}')" "$pages" \
		"$(awk -v b="$(stat -c %s "$pdf")" 'BEGIN{print b/1048576}')" "$rss" "$(awk -v r="$rss" -v p="$pages" 'BEGIN{print r/p}')"
	echo "$secs $rss $pages" > "$out/last.txt"
}

for round in $(seq "$rounds"); do
	echo "round $round"
	measure "bare fpdf loop" "$out/bare.pdf" sh -c "'$out/barepdf' < '$in' > '$out/bare.pdf' 2>/dev/null"
	read -r bs br bp < "$out/last.txt"
	measure "folio convert pdf" "$out/out.pdf" "$out/folio" convert -q "$in" -o "$out/out.pdf"
	read -r fs fr fp < "$out/last.txt"
	awk -v bs="$bs" -v fs="$fs" -v br="$br" -v fr="$fr" -v bp="$bp" -v fp="$fp" 'BEGIN{
		printf "ratio folio/bare: speed %.2fx (rows/s), peak RSS %.2fx, MB/page %.2fx\n", bs/fs, fr/br, (fr/fp)/(br/bp)}'
done
