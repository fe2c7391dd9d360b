#!/usr/bin/env bash
# Benchmarks what formats, totals and links cost: `folio convert` of a
# generated document of ROWS rows x 10 columns (default 1,000,000) to CSV,
# XLSX and HTML, and of PROWS rows (default 100,000) to PDF, each twice in
# the same run, alternately: plain, and with the locale de-DE and a format,
# a total and a link template on every number column (bench/gen -numbers,
# internal/benchdoc.NumberColumns; 4 of the 10 columns). CSV writes values
# as given either way; its cost is the totals (and formatted=true, also
# measured, the formatting). Prints seconds, rows/s, CPU seconds and peak
# RSS, the output's size, and the numbers/plain ratio of rows per CPU
# second (steadier than wall-clock time on a shared machine), also for user
# time alone: the system time is mostly the writing of the output, which
# with links and formatted text is several times as large.
#
#   bench/numbers.sh [ROWS [PROWS]]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
prows=${2:-100000}
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
go build -o "$out/folio" ./cmd/folio
for n in "$rows" "$prows"; do
	[ -s "$out/in-$n.json" ] || go run ./bench/gen -rows "$n" -cols 10 > "$out/in-$n.json"
	[ -s "$out/numbers-$n.json" ] || go run ./bench/gen -rows "$n" -cols 10 -numbers > "$out/numbers-$n.json"
done
echo "inputs: $rows rows ($(du -m "$out/in-$rows.json" | cut -f1) MB, with numbers $(du -m "$out/numbers-$rows.json" | cut -f1) MB), PDF $prows rows"

# measure NAME ROWS CMD...: runs CMD under /usr/bin/time -v, prints a line
# and leaves the CPU seconds in $cpu and the user seconds in $user.
measure() {
	local name=$1 n=$2; shift 2
	/usr/bin/time -v "$@" 2>"$out/time.txt" >/dev/null || { cat "$out/time.txt"; return 1; }
	local secs rss size
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {k=split($2,a,":"); s=0; for(i=1;i<=k;i++) s=s*60+a[i]; print s}' "$out/time.txt")
	cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s+=$2} END {print s}' "$out/time.txt")
	user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$out/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$out/time.txt")
	size=$(du -m "${*: -1}" | cut -f1)
	printf '%-24s %7.2f s %9.0f rows/s  CPU %7.2f s (user %6.2f) %9.0f rows/CPU-s  peak RSS %6s MB  output %5s MB\n' "$name" "$secs" \
		"$(awk -v r="$n" -v s="$secs" 'BEGIN{print r/s}')" "$cpu" "$user" "$(awk -v r="$n" -v s="$cpu" 'BEGIN{print r/s}')" "$rss" "$size"
}

# pair FORMAT ROWS [OPT]: plain, then with numbers, and their ratio.
pair() {
	local f=$1 n=$2 opt=${3:-}
	local args=(convert -q --format "$f")
	[ -n "$opt" ] && args+=(--opt "$opt")
	measure "$f${opt:+ $opt} plain" "$n" "$out/folio" "${args[@]}" "$out/in-$n.json" -o "$out/out.$f"
	local plain=$cpu plainuser=$user
	measure "$f${opt:+ $opt} numbers" "$n" "$out/folio" "${args[@]}" "$out/numbers-$n.json" -o "$out/out.$f"
	awk -v p="$plain" -v q="$cpu" -v pu="$plainuser" -v qu="$user" 'BEGIN{printf "  numbers/plain rows per CPU-s: %.2f (%+.0f%% time; user time alone %+.0f%%)\n", p/q, (q/p-1)*100, (qu/pu-1)*100}'
}

for round in 1 2; do
	echo "round $round"
	pair csv "$rows"
	pair csv "$rows" formatted=true
	pair xlsx "$rows"
	pair html "$rows"
	pair pdf "$prows"
done
