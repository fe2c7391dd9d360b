#!/usr/bin/env bash
# Benchmarks `folio convert` to CSV, JSON and Markdown on a generated
# document of ROWS rows x 10 columns (default 1,000,000), next to the bare
# baseline (encoding/json streamed row by row + encoding/csv) on the same
# file in the same run. Prints seconds, rows/s and peak RSS for each.
#
#   bench/convert.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
in="$out/in-$rows.json"
[ -s "$in" ] || go run ./bench/gen -rows "$rows" -cols 10 > "$in"
go build -o "$out/folio" ./cmd/folio
go build -o "$out/barecsv" ./bench/barecsv
echo "input: $in, $(du -m "$in" | cut -f1) MB, $rows rows x 10 columns"

# measure NAME CMD...: runs CMD under /usr/bin/time -v and prints a line.
measure() {
	local name=$1; shift
	/usr/bin/time -v "$@" 2>"$out/time.txt" >/dev/null || { cat "$out/time.txt"; return 1; }
	local secs rss
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$out/time.txt")
	printf '%-22s %7.2f s  %10.0f rows/s  peak RSS %6s MB\n' "$name" "$secs" "$(awk -v r="$rows" -v s="$secs" 'BEGIN{print r/s}')" "$rss"
}

for round in 1 2; do
	echo "round $round"
	measure "bare json+csv" sh -c "'$out/barecsv' < '$in' > '$out/bare.csv'"
	measure "folio convert csv" "$out/folio" convert -q "$in" -o "$out/out.csv"
	measure "folio convert json" "$out/folio" convert -q "$in" -o "$out/out.json"
	measure "folio convert md" "$out/folio" convert -q "$in" -o "$out/out.md"
	measure "folio validate" "$out/folio" validate -quiet "$in"
done
