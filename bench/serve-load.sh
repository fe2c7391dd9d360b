#!/usr/bin/env bash
# Load figures for `folio serve`, on loopback only:
#  1. jobStatus at RATE requests/s for DURATION (open model, vegeta);
#  2. N concurrent downloads of a ROWS-row job rendered ahead in FORMAT,
#     then N concurrent downloads of a format not rendered yet (one render,
#     shared), with the server's peak RSS in each phase.
# Usage: bench/serve-load.sh [RATE] [DURATION] [ROWS] [FORMAT] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1000} duration=${2:-20s} rows=${3:-100000} n=${5:-20}
# xlsx when it is registered, else csv.
format=${4:-}
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/folio" ./cmd/folio
go build -o "$tmp/serveload" ./bench/serveload
if [ -z "$format" ]; then
	if "$tmp/folio" formats | grep -q '^xlsx'; then format=xlsx; else format=csv; fi
fi
other=json
[ "$format" = json ] && other=md
go run ./bench/gen -rows "$rows" -cols 10 > "$tmp/big.json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
token=load-$RANDOM$RANDOM
FOLIO_TOKENS="$token=bench:admin" "$tmp/folio" serve --addr "127.0.0.1:$port" \
	--data "$tmp/data" --log-format json 2>"$tmp/server.log" &
server=$!
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
pid=$server
load() { "$tmp/serveload" -base "$base" -token "$token" "$@"; }
hwm_kb() { awk '/VmHWM/ {print $2}' /proc/$pid/status; }
hwm() { awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$pid/status; }
# Resetting the peak (clear_refs 5) lets each phase report its own; the
# run's peak is the largest of the phases.
peak_kb=0
reset_hwm() { local k; k=$(hwm_kb); [ "$k" -gt "$peak_kb" ] && peak_kb=$k; echo 5 > /proc/$pid/clear_refs; }

echo "== folio serve on $base; document: $rows rows x 10 columns ($(du -h "$tmp/big.json" | cut -f1)), format $format"
read -r small big < <(load setup -doc testdata/seed.json -big "$tmp/big.json" -format "$format")
echo "peak RSS so far (upload, validation, render): $(hwm)"

echo "== jobStatus at $rate/s for $duration (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
load status -id "$small" -rate "$rate" -duration "$duration"

echo "== $n concurrent downloads, $format rendered ahead"
reset_hwm
load download -id "$big" -format "$format" -n "$n"
echo "server peak RSS during the downloads: $(hwm)"

echo "== $n concurrent downloads, $other not rendered yet (rendered once on the first request)"
reset_hwm
load download -id "$big" -format "$other" -n "$n"
echo "server peak RSS during the render and downloads: $(hwm)"

reset_hwm
echo "== server peak RSS over the whole run: $(awk -v k=$peak_kb 'BEGIN {printf "%.1f MB", k/1024}')"
kill -INT $pid # a graceful stop
wait $server || true
echo "server log: $(grep -c '"level":"ERROR"' "$tmp/server.log" || true) errors, $(grep -c '"level":"WARN"' "$tmp/server.log" || true) warnings"
grep -E '"level":"(ERROR|WARN)"' "$tmp/server.log" | head -5 || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
