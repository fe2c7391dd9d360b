#!/usr/bin/env bash
# Benchmarks batch conversion: `folio convert -d` of FILES generated
# documents (default 200) to FORMAT (default xlsx) with -j 1 and with -j 2,
# alternately, ROUNDS times (default 2), in the same run. The documents are
# mixed: 10 columns, 1,000 to 20,000 rows (the sizes 1k, 2k, 5k, 10k, 20k
# in turn; ROWS, default 20000, is the largest), every other one with the
# locale, formats, totals and links of `bench/gen -numbers`. Prints wall and
# CPU seconds, files/s and peak RSS (/usr/bin/time -v) of each run, the
# speed-up of -j 2 over -j 1 in each round, and checks that both wrote the
# same bytes.
#
#   bench/batch.sh [FILES [ROWS [FORMAT [ROUNDS]]]]
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-200}
rows=${2:-20000}
format=${3:-xlsx}
rounds=${4:-2}
out=${BENCH_OUT:-bench/out}
in="$out/batch-$files-$rows"
mkdir -p "$in"
go build -o "$out/folio" ./cmd/folio
sizes=($((rows / 20)) $((rows / 10)) $((rows / 4)) $((rows / 2)) "$rows")
if [ "$(find "$in" -name '*.json' | wc -l)" -ne "$files" ]; then
	rm -f "$in"/*.json
	go build -o "$out/gen" ./bench/gen
	for i in $(seq 1 "$files"); do
		n=${sizes[$((i % 5))]}
		flag=
		[ $((i % 2)) -eq 0 ] && flag=-numbers
		"$out/gen" -rows "$n" -cols 10 $flag > "$(printf '%s/doc%03d.json' "$in" "$i")"
	done
fi
echo "inputs: $files documents in $in, $(du -sm "$in" | cut -f1) MB, rows ${sizes[*]} in turn; format $format"

# measure J: converts the inputs with -j J into a fresh folder under
# /usr/bin/time -v, prints a line and leaves the wall seconds in $secs.
measure() {
	local j=$1 dir="$out/batch-out-j$1"
	rm -rf "$dir"
	/usr/bin/time -v "$out/folio" convert -q -f "$format" -j "$j" -d "$dir" "$in"/*.json 2>"$out/time.txt" ||
		{ cat "$out/time.txt"; return 1; }
	local cpu rss
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {k=split($2,a,":"); s=0; for(i=1;i<=k;i++) s=s*60+a[i]; print s}' "$out/time.txt")
	cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s+=$2} END {print s}' "$out/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$out/time.txt")
	printf '  -j %s  %7.2f s  CPU %7.2f s  %6.1f files/s  peak RSS %6s MB\n' "$j" "$secs" "$cpu" \
		"$(awk -v f="$files" -v s="$secs" 'BEGIN{print f/s}')" "$rss"
}

for round in $(seq 1 "$rounds"); do
	echo "round $round"
	measure 1
	one=$secs
	measure 2
	echo "  speed-up of -j 2: $(awk -v a="$one" -v b="$secs" 'BEGIN{printf "%.2f", a/b}')x"
	diff -r "$out/batch-out-j1" "$out/batch-out-j2" >/dev/null || { echo "-j 1 and -j 2 wrote different files"; exit 1; }
done
