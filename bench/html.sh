#!/usr/bin/env bash
# Benchmarks `folio convert --format html` on a generated document (ROWS
# rows, default 1,000,000, of 10 columns) against a bare html/template loop
# over the same streamed rows (bench/barehtml), in the same run, alternating
# RUNS times (default 3). Both read the file on stdin and write a file.
# Prints rows/s and peak RSS (from /usr/bin/time -v) of the best run of
# each, and the ratios.
#
#	bench/html.sh            # ROWS=100000 RUNS=1 bench/html.sh for a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go run ./bench/gen -rows "$rows" -cols 10 > "$tmp/in.json"
go build -o "$tmp/folio" ./cmd/folio
printf '#!/bin/sh\nexec "%s" convert -q --format html\n' "$tmp/folio" > "$tmp/folio-html"
chmod +x "$tmp/folio-html"
go build -o "$tmp/bare-html" ./bench/barehtml
echo "input: $rows rows x 10 columns, $(du -m "$tmp/in.json" | cut -f1) MB of JSON"

# measure NAME PROGRAM: runs PROGRAM once, appends "seconds rss_kb" to $tmp/NAME.runs.
measure() {
	/usr/bin/time -v "$2" < "$tmp/in.json" > "$tmp/$1.html" 2> "$tmp/$1.time"
	awk -v out="$tmp/$1.runs" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
		/Maximum resident set size/ { rss = $NF }
		END { print s, rss >> out }' "$tmp/$1.time"
}
for _ in $(seq "$runs"); do
	measure folio "$tmp/folio-html"
	measure bare "$tmp/bare-html"
done
echo "output: folio $(du -m "$tmp/folio.html" | cut -f1) MB, bare $(du -m "$tmp/bare.html" | cut -f1) MB"

# best NAME: the fastest run's seconds and the largest peak RSS of all runs.
best() { sort -n "$tmp/$1.runs" | awk 'NR == 1 { s = $1 } $2 > r { r = $2 } END { print s, r }'; }
read -r fs frss < <(best folio)
read -r bs brss < <(best bare)
awk -v rows="$rows" -v fs="$fs" -v frss="$frss" -v bs="$bs" -v brss="$brss" 'BEGIN {
	printf "%-24s %8.2f s %12.0f rows/s %8.1f MB peak RSS\n", "folio convert html", fs, rows / fs, frss / 1024
	printf "%-24s %8.2f s %12.0f rows/s %8.1f MB peak RSS\n", "bare html/template loop", bs, rows / bs, brss / 1024
	printf "folio/bare: %.2fx the speed, %.2fx the memory\n", bs / fs, frss / brss
}'
