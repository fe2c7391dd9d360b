#!/usr/bin/env bash
# Measures folio against the anchors of issue 16 in one run: for each ROWS
# (default 10,000, 100,000 and 1,000,000 rows × 10 columns from bench/gen),
# every program below RUNS times (default 3), one after the other in turn
# (A B C A B C …), each under /usr/bin/time -v, and prints the medians of
# wall-clock seconds, rows/s, CPU seconds (user+sys) and peak RSS, and
# folio's rows/s and peak RSS as ratios of each anchor's. folio runs twice in
# each turn, as it is and with GOMAXPROCS=1.
#
#   validate  folio validate          simdjson On-Demand (bench/anchors/simdjson.cpp)
#   csv       folio convert           bench/barecsv (encoding/json + encoding/csv)
#   json, md  folio convert           (folio only: linearity and memory)
#   xlsx      folio convert           libxlsxwriter, constant memory (bench/anchors/xlsxwriter.cpp)
#                                     XlsxWriter, constant memory (bench/anchors/py-xlsxwriter.py)
#   html      folio convert           bench/barehtml (html/template)
#   pdf       folio convert           bench/barepdf (fpdf), ReportLab's canvas (bench/anchors/py-reportlab.py)
#                                     and its platypus, one Table a page (bench/anchors/py-reportlab-table.py),
#                                     both up to PDF_ROWS rows (100,000); also MB of peak RSS a page
#
# Every output is checked, and the script fails if one is missing or short:
# simdjson's row and cell counts, CSV lines, HTML table rows, the XLSX files
# through openpyxl (rows counted, the first 1,000 equal to folio's), the PDF
# files through pdfinfo and pdftotext (the last page is "Page N of N" and
# holds the last row). Last, folio's rows/s by row count (cost should grow
# linearly). The anchors' tools are Debian packages, installed with apt-get
# (sudo when not root) when missing; the anchors are built with g++ against
# them into BENCH_OUT (bench/out).
#
# WORKLOADS (default "validate csv json md xlsx html pdf") picks some.
# PY_ROWS (default no limit) runs the Python anchors only up to that many
# rows (XlsxWriter takes about ten minutes for a million). BASE=BINARY adds
# another folio build (the one before a change) to every workload, as one
# more program in each turn, with folio's ratios to it.
#
#   bench/anchors.sh [ROWS...]        # RUNS=1 bench/anchors.sh 10000 for a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench/out}
runs=${RUNS:-3}
pdfrows=${PDF_ROWS:-100000}
pyrows=${PY_ROWS:-}
base=${BASE:-}
py=/usr/bin/python3 # Debian's, with Debian's modules, not one earlier on PATH
[ $# -gt 0 ] || set -- 10000 100000 1000000

need=()
command -v g++ >/dev/null || need+=(g++)
command -v pkg-config >/dev/null || need+=(pkgconf)
[ -x /usr/bin/time ] || need+=(time)
command -v pdfinfo >/dev/null || need+=(poppler-utils)
pkg-config --exists simdjson 2>/dev/null || need+=(libsimdjson-dev)
pkg-config --exists xlsxwriter 2>/dev/null || need+=(libxlsxwriter-dev)
[ -x "$py" ] || need+=(python3)
"$py" -c 'import xlsxwriter' 2>/dev/null || need+=(python3-xlsxwriter)
"$py" -c 'import reportlab' 2>/dev/null || need+=(python3-reportlab)
"$py" -c 'import openpyxl' 2>/dev/null || need+=(python3-openpyxl)
if [ ${#need[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	echo "anchors: installing ${need[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$out"
go build -o "$out/folio" ./cmd/folio
for b in barecsv barehtml barepdf; do
	go build -o "$out/$b" "./bench/$b"
done
# -march=native: simdjson's On-Demand parser compiles for the instructions
# it is built with (without, it is its portable fallback).
g++ -O3 -DNDEBUG -march=native -std=c++17 -o "$out/anchor-simdjson" bench/anchors/simdjson.cpp $(pkg-config --cflags --libs simdjson)
g++ -O3 -DNDEBUG -march=native -std=c++17 -o "$out/anchor-libxlsxwriter" bench/anchors/xlsxwriter.cpp $(pkg-config --cflags --libs simdjson xlsxwriter)
# Every program is copied once more: a binary just written by the linker
# can be mapped with several MB more of its file resident than the same
# bytes copied (seen as 33 against 25 MB of peak RSS for one folio build),
# which would tilt the peak RSS of whichever program was built last.
[ -z "$base" ] || cp "$base" "$out/folio-base"
for b in folio barecsv barehtml barepdf anchor-simdjson anchor-libxlsxwriter ${base:+folio-base}; do
	cp "$out/$b" "$out/$b.copy" && mv "$out/$b.copy" "$out/$b"
done
[ -z "$base" ] || base=$out/folio-base
fonts=$(go list -m -f '{{.Dir}}' golang.org/x/image)/font/gofont/ttfs # barepdf's fonts, for ReportLab
[ -f "$fonts/Go-Regular.ttf" ] || { echo "anchors: no Go fonts in $fonts"; exit 1; }
echo "simdjson $(dpkg-query -W -f '${Version}' libsimdjson-dev), libxlsxwriter $(dpkg-query -W -f '${Version}' libxlsxwriter-dev)," \
	"XlsxWriter $("$py" -c 'import xlsxwriter; print(xlsxwriter.__version__)')," \
	"ReportLab $("$py" -c 'import reportlab; print(reportlab.Version)'), $(go version | cut -d' ' -f3), $runs runs each"

# measure DIR KEY CMD: runs the shell command CMD under /usr/bin/time -v and
# appends "wall-seconds cpu-seconds peak-rss-kB" to DIR/KEY.runs.
measure() {
	local dir=$1 key=$2 cmd=$3
	local t0=$EPOCHREALTIME
	if ! /usr/bin/time -v -o "$dir/$key.time" sh -c "$cmd" 2>"$dir/$key.err"; then
		cat "$dir/$key.err" "$dir/$key.time" >&2
		fail "$key failed: $cmd"
	fi
	local t1=$EPOCHREALTIME
	# Wall-clock time from the shell's clock (time -v's has 10 ms steps).
	awk -v t0="$t0" -v t1="$t1" '
		/(User|System) time \(seconds\)/ { c += $NF }
		/Maximum resident set size/ { r = $NF }
		END { printf "%.4f %.2f %d\n", t1 - t0, c, r }' "$dir/$key.time" >> "$dir/$key.runs"
}

# median DIR KEY: the medians of KEY's runs, "wall cpu rss-kB".
median() {
	local f
	for f in 1 2 3; do
		cut -d' ' -f"$f" "$1/$2.runs" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	done | paste -sd' '
}

# fail MESSAGE: an output is not what it should be.
fail() {
	echo "anchors: $*" >&2
	exit 1
}

# lines FILE PATTERN: how many lines of FILE match PATTERN.
lines() { grep -c -- "$2" "$1" || true; }

# checkpdf FILE ROWS: the last page is "Page N of N" and holds the last row.
checkpdf() {
	local pages
	pages=$(pdfinfo "$1" | awk '/^Pages:/ { print $2 }')
	[ -n "$pages" ] && [ "$pages" -gt 0 ] || fail "$1: no pages"
	pdftotext -f "$pages" -l "$pages" "$1" - > "$1.last.txt"
	grep -q "Page $pages of $pages" "$1.last.txt" || fail "$1: the last page, $pages, has no \"Page $pages of $pages\""
	grep -q -- "$(($2 - 1))" "$1.last.txt" || fail "$1: the last page has no row $(($2 - 1))"
	echo "$pages"
}

declare -A label=(
	[folio]="folio WORK" [folio1]="folio WORK, GOMAXPROCS=1"
	[simdjson]="simdjson On-Demand (C++)" [barecsv]="bare encoding/json+csv (Go)"
	[barehtml]="bare html/template (Go)" [libxlsxwriter]="libxlsxwriter (C)"
	[xlsxwriter]="XlsxWriter (Python)" [barepdf]="bare fpdf (Go)" [reportlab]="ReportLab canvas (Python)"
	[platypus]="ReportLab platypus (Python)"
	[base]="folio WORK, BASE build"
)
summary="$out/anchors/summary.txt"
mkdir -p "$out/anchors"
: > "$summary"

for rows in "$@"; do
	in="$out/in-$rows.json"
	[ -s "$in" ] || go run ./bench/gen -rows "$rows" -cols 10 > "$in"
	d="$out/anchors/$rows"
	rm -rf "$d"
	mkdir -p "$d"
	echo
	echo "== $rows rows x 10 columns, $(du -m "$in" | cut -f1) MB of JSON; medians of $runs runs"
	printf '%-9s %-30s %8s %10s %8s %8s %9s\n' workload program "wall s" rows/s "CPU s" "peak MB" "MB/page"
	f=$out/folio
	for w in ${WORKLOADS:-validate csv json md xlsx html pdf}; do
		progs=(folio folio1)
		declare -A cmd=()
		case $w in
		validate)
			cmd[folio]="exec '$f' validate -quiet '$in'"
			cmd[simdjson]="exec '$out/anchor-simdjson' '$in' > '$d/simdjson.txt'"
			progs+=(simdjson)
			;;
		csv | json | md | html)
			cmd[folio]="exec '$f' convert -q '$in' -o '$d/folio.$w'"
			case $w in
			csv) cmd[barecsv]="exec '$out/barecsv' < '$in' > '$d/barecsv.csv'"; progs+=(barecsv) ;;
			html) cmd[barehtml]="exec '$out/barehtml' < '$in' > '$d/barehtml.html'"; progs+=(barehtml) ;;
			esac
			;;
		xlsx)
			cmd[folio]="exec '$f' convert -q '$in' -o '$d/folio.xlsx'"
			cmd[libxlsxwriter]="exec '$out/anchor-libxlsxwriter' '$d/libxlsxwriter.xlsx' < '$in'"
			progs+=(libxlsxwriter)
			if [ -z "$pyrows" ] || [ "$rows" -le "$pyrows" ]; then
				cmd[xlsxwriter]="exec '$py' bench/anchors/py-xlsxwriter.py '$d/xlsxwriter.xlsx' < '$in'"
				progs+=(xlsxwriter)
			fi
			;;
		pdf)
			# A page limit above what the rows need (10,000 pages by default).
			cmd[folio]="exec '$f' convert -q --opt max-pages=$((rows / 10 + 100)) '$in' -o '$d/folio.pdf'"
			if [ "$rows" -le "$pdfrows" ]; then
				cmd[barepdf]="exec '$out/barepdf' < '$in' > '$d/barepdf.pdf'"
				progs+=(barepdf)
				if [ -z "$pyrows" ] || [ "$rows" -le "$pyrows" ]; then
					cmd[reportlab]="exec '$py' bench/anchors/py-reportlab.py '$fonts' '$d/reportlab.pdf' < '$in'"
					cmd[platypus]="exec '$py' bench/anchors/py-reportlab-table.py '$fonts' '$d/platypus.pdf' < '$in'"
					progs+=(reportlab platypus)
				fi
			fi
			;;
		esac
		cmd[folio1]="GOMAXPROCS=1 ${cmd[folio]}" # exported by the shell to the program it execs
		if [ -n "$base" ]; then
			cmd[base]=${cmd[folio]/"'$f'"/"'$base'"}
			cmd[base]=${cmd[base]//\/folio./\/base.}
			progs+=(base)
		fi
		for _ in $(seq "$runs"); do
			for p in "${progs[@]}"; do
				measure "$d" "$w-$p" "${cmd[$p]}"
			done
			if [ "$w" = validate ]; then
				read -r _ n _ c _ < "$d/simdjson.txt"
				[ "$n" = "$rows" ] && [ "$c" = "$((rows * 10))" ] || fail "simdjson counted $n rows and $c cells, want $rows and $((rows * 10))"
			fi
		done
		# Check what the last turn wrote.
		declare -A pages=()
		case $w in
		csv)
			for p in folio.csv barecsv.csv; do
				n=$(wc -l < "$d/$p")
				[ "$n" = "$((rows + 1))" ] || fail "$d/$p has $n lines, want $((rows + 1))"
			done
			;;
		html)
			for p in folio.html barehtml.html; do
				n=$(lines "$d/$p" '<tr')
				[ "$n" = "$((rows + 1))" ] || fail "$d/$p has $n table rows, want $((rows + 1))"
			done
			;;
		json | md)
			[ -s "$d/folio.$w" ] || fail "$d/folio.$w is empty"
			;;
		xlsx)
			xl=("$d/folio.xlsx" "$d/libxlsxwriter.xlsx")
			[ -z "${cmd[xlsxwriter]:-}" ] || xl+=("$d/xlsxwriter.xlsx")
			[ -z "$base" ] || xl+=("$d/base.xlsx")
			"$py" bench/anchors/checkxlsx.py "$rows" "${xl[@]}" > "$d/checkxlsx.txt" ||
				{ cat "$d/checkxlsx.txt"; fail "an XLSX file is not what it should be"; }
			;;
		pdf)
			pages[folio]=$(checkpdf "$d/folio.pdf" "$rows")
			pages[folio1]=${pages[folio]}
			if [ "$rows" -le "$pdfrows" ]; then
				pages[barepdf]=$(checkpdf "$d/barepdf.pdf" "$rows")
				[ -z "${cmd[reportlab]:-}" ] || pages[reportlab]=$(checkpdf "$d/reportlab.pdf" "$rows")
				[ -z "${cmd[platypus]:-}" ] || pages[platypus]=$(checkpdf "$d/platypus.pdf" "$rows")
			fi
			[ -z "$base" ] || pages[base]=$(checkpdf "$d/base.pdf" "$rows")
			;;
		esac
		# Print the medians, then folio's ratios to each anchor.
		for p in "${progs[@]}"; do
			read -r s c r < <(median "$d" "$w-$p")
			echo "$s $c $r" > "$d/$w-$p.median"
			case $p in
			folio | folio1) echo "$rows $w $p $(awk -v n="$rows" -v s="$s" 'BEGIN { printf "%.0f", n / s }') $r" >> "$summary" ;;
			esac
			awk -v w="$w" -v l="${label[$p]/WORK/$w}" -v n="$rows" -v s="$s" -v c="$c" -v r="$r" -v pg="${pages[$p]:-}" 'BEGIN {
				printf "%-9s %-30s %8.2f %10.0f %8.2f %8.1f", w, l, s, n / s, c, r / 1024
				if (pg != "") printf " %9.4f  (%d pages)", r / 1024 / pg, pg
				printf "\n" }'
		done
		read -r fs fc fr < "$d/$w-folio.median"
		read -r gs _ _ < "$d/$w-folio1.median"
		for p in "${progs[@]:2}"; do
			read -r as ac ar < "$d/$w-$p.median"
			awk -v l="${label[$p]/WORK/$w}" -v fs="$fs" -v fc="$fc" -v fr="$fr" -v gs="$gs" -v as="$as" -v ac="$ac" -v ar="$ar" \
				-v fp="${pages[folio]:-}" -v ap="${pages[$p]:-}" 'BEGIN {
				printf "          folio / %s: rows/s %.2fx (GOMAXPROCS=1 %.2fx), ", l, as / fs, as / gs
				if (fc > 0 && ac > 0) printf "rows per CPU-s %.2fx, ", ac / fc; else printf "rows per CPU-s n/a (under 10 ms), "
				printf "peak RSS %.2fx", fr / ar
				if (fp != "") printf ", MB/page %.2fx", (fr / fp) / (ar / ap)
				printf "\n" }'
		done
		unset cmd pages
	done
done

echo
echo "== folio's rows/s by row count (wall clock, medians; max/min near 1 = cost grows linearly)"
awk '{ k = $2 ($3 == "folio1" ? ", GOMAXPROCS=1" : ""); if (!(k in seen)) { seen[k] = 1; order[++n] = k }
	v[k, $1] = $4; if (!($1 in rs)) { rs[$1] = 1; rl[++m] = $1 } }
	END {
		printf "%-24s", "workload"; for (j = 1; j <= m; j++) printf " %12s", rl[j] " rows"; printf " %8s\n", "max/min"
		for (i = 1; i <= n; i++) {
			k = order[i]; lo = 0; hi = 0; printf "%-24s", k
			for (j = 1; j <= m; j++) { x = v[k, rl[j]]; printf " %12s", x; if (x != "") { if (lo == 0 || x < lo) lo = x; if (x > hi) hi = x } }
			printf " %8.2f\n", hi / lo
		}
	}' "$summary"
