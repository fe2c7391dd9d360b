#!/usr/bin/env bash
# Benchmarks `folio convert` to XLSX on a generated document of ROWS rows x
# 10 columns (default 1,000,000), next to the bare baseline (encoding/json
# streamed row by row into excelize's StreamWriter, saved with SaveAs) on
# the same file in the same run. Prints seconds, rows/s and peak RSS for
# each, and folio's rows/s as a ratio of the bare loop's, by wall-clock time
# and by CPU time (user+sys, steadier on a shared machine).
#
#   bench/xlsx.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
in="$out/in-$rows.json"
[ -s "$in" ] || go run ./bench/gen -rows "$rows" -cols 10 > "$in"
go build -o "$out/folio" ./cmd/folio
go build -o "$out/barexlsx" ./bench/barexlsx
echo "input: $in, $(du -m "$in" | cut -f1) MB, $rows rows x 10 columns"

# measure NAME CMD...: runs CMD under /usr/bin/time -v, prints a line and
# leaves the wall-clock and CPU seconds in $secs and $cpu.
measure() {
	local name=$1; shift
	/usr/bin/time -v "$@" 2>"$out/time.txt" >/dev/null || { cat "$out/time.txt"; return 1; }
	local rss
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time.txt")
	cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s+=$2} END {print s}' "$out/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$out/time.txt")
	printf '%-20s %7.2f s %9.0f rows/s  CPU %7.2f s %9.0f rows/CPU-s  peak RSS %6s MB\n' "$name" "$secs" \
		"$(awk -v r="$rows" -v s="$secs" 'BEGIN{print r/s}')" "$cpu" "$(awk -v r="$rows" -v s="$cpu" 'BEGIN{print r/s}')" "$rss"
}

for round in 1 2; do
	echo "round $round"
	measure "bare excelize" sh -c "'$out/barexlsx' '$out/bare.xlsx' < '$in'"
	bare=$secs barecpu=$cpu
	measure "folio convert xlsx" "$out/folio" convert -q "$in" -o "$out/out.xlsx"
	awk -v b="$bare" -v f="$secs" -v bc="$barecpu" -v fc="$cpu" \
		'BEGIN{printf "folio/bare rows/s ratio: %.2f wall-clock, %.2f CPU\n", b/f, bc/fc}'
	ls -l "$out/bare.xlsx" "$out/out.xlsx" | awk '{printf "  %s %.1f MB\n", $NF, $5/1048576}'
done
