#!/usr/bin/env bash
# Benchmarks what formats, totals and links cost: `folio convert` of a
# generated document of ROWS rows x 10 columns (default 1,000,000) to CSV,
# XLSX, HTML and Markdown, and of PROWS rows (default 100,000) to PDF:
# plain, and with the locale de-DE and a format, a total and a link
# template on every number column (bench/gen -numbers,
# internal/benchdoc.NumberColumns; 4 of the 10 columns). CSV writes values
# as given either way; its cost is the totals (and formatted=true, also
# measured, the formatting). Each pair runs RUNS times (default 3),
# alternately, plain first; the medians are printed: seconds and rows/s
# (wall clock), CPU seconds (user + system, and user alone), peak RSS and
# the output's size, then the numbers/plain ratios of rows/s and of CPU
# time. Output goes to a file (DEST=file, the default: what a user of
# `folio convert -o` sees, including the kernel's writing of the bytes) or
# to /dev/null (DEST=null: the renderer's own cost; links and formatted
# text make the output several times as large).
#
#   [RUNS=3] [DEST=file|null] bench/numbers.sh [ROWS [PROWS]]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
prows=${2:-100000}
runs=${RUNS:-3}
dest=${DEST:-file}
case $dest in file | null) ;; *) echo "DEST must be file or null" >&2; exit 2 ;; esac
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
go build -o "$out/folio" ./cmd/folio
for n in "$rows" "$prows"; do
	[ -s "$out/in-$n.json" ] || go run ./bench/gen -rows "$n" -cols 10 > "$out/in-$n.json"
	[ -s "$out/numbers-$n.json" ] || go run ./bench/gen -rows "$n" -cols 10 -numbers > "$out/numbers-$n.json"
done
echo "inputs: $rows rows ($(du -m "$out/in-$rows.json" | cut -f1) MB, with numbers $(du -m "$out/numbers-$rows.json" | cut -f1) MB), PDF $prows rows; $runs runs each, output to $dest"

# run CMD...: runs CMD under /usr/bin/time -v and prints its wall, CPU and
# user seconds and peak RSS in MB. The output file, if any, is removed
# first, so that no run pays for freeing the one before it.
run() {
	[ "$dest" = file ] && rm -f "$out/out.$fmt"
	/usr/bin/time -v "$@" 2>"$out/time.txt" >/dev/null || { cat "$out/time.txt" >&2; return 1; }
	awk -F': ' '
		/Elapsed \(wall clock\)/ {k=split($2,a,":"); s=0; for(i=1;i<=k;i++) s=s*60+a[i]; wall=s}
		/User time \(seconds\)/ {user=$2}
		/System time \(seconds\)/ {sys=$2}
		/Maximum resident set size/ {rss=$2/1024}
		END {printf "%s %s %s %.1f\n", wall, user+sys, user, rss}' "$out/time.txt"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# pair FORMAT ROWS [OPT]: RUNS alternating runs of plain and numbers, their
# medians and ratios.
pair() {
	fmt=$1
	local n=$2 opt=${3:-} kind
	local args=(convert -q --format "$fmt")
	[ -n "$opt" ] && args+=(--opt "$opt")
	: > "$out/runs.plain"
	: > "$out/runs.numbers"
	for ((r = 0; r < runs; r++)); do
		for kind in plain numbers; do
			local in=$out/in-$n.json
			[ $kind = numbers ] && in=$out/numbers-$n.json
			if [ "$dest" = file ]; then
				run "$out/folio" "${args[@]}" "$in" -o "$out/out.$fmt" >> "$out/runs.$kind"
				du -m "$out/out.$fmt" | cut -f1 > "$out/size.$kind"
			else
				run "$out/folio" "${args[@]}" "$in" >> "$out/runs.$kind"
				echo - > "$out/size.$kind"
			fi
		done
	done
	for kind in plain numbers; do
		local f=$out/runs.$kind
		local wall cpu user rss
		wall=$(cut -d' ' -f1 "$f" | median)
		cpu=$(cut -d' ' -f2 "$f" | median)
		user=$(cut -d' ' -f3 "$f" | median)
		rss=$(cut -d' ' -f4 "$f" | sort -g | tail -1)
		printf '%-26s %6.2f s %9.0f rows/s  CPU %6.2f s (user %6.2f)  peak RSS %6s MB  output %5s MB\n' \
			"$fmt${opt:+ $opt} $kind" "$wall" "$(awk -v r="$n" -v s="$wall" 'BEGIN{print r/s}')" "$cpu" "$user" "$rss" "$(cat "$out/size.$kind")"
		eval "${kind}_wall=$wall ${kind}_cpu=$cpu ${kind}_user=$user"
	done
	awk -v pw="$plain_wall" -v nw="$numbers_wall" -v pc="$plain_cpu" -v nc="$numbers_cpu" -v pu="$plain_user" -v nu="$numbers_user" \
		'BEGIN{printf "  numbers/plain: rows/s %.2f (%+.0f%% time), CPU %+.0f%% (user alone %+.0f%%)\n", pw/nw, (nw/pw-1)*100, (nc/pc-1)*100, (nu/pu-1)*100}'
}

pair csv "$rows"
pair csv "$rows" formatted=true
pair xlsx "$rows"
pair html "$rows"
pair md "$rows"
pair pdf "$prows"
