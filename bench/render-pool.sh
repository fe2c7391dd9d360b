#!/usr/bin/env bash
# 250 downloads at once that each need a render (50 jobs x 5 formats not
# rendered ahead) against a `folio serve` on loopback: the renders share
# one pool of --workers slots, the downloads that wait longer than
# --queue-wait are answered 503, and the server's peak RSS stays under a
# bound. Prints the answers by status and the peak RSS; exits 1 if the
# peak passes BOUND_MB or a download fails otherwise.
# Usage: bench/render-pool.sh [ROWS] [BOUND_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-20000} bound=${2:-400}
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/folio" ./cmd/folio
go run ./bench/gen -rows "$rows" -cols 10 > "$tmp/doc.json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
token=pool-$RANDOM$RANDOM
FOLIO_TOKENS="$token=bench" "$tmp/folio" serve --addr "127.0.0.1:$port" --data "$tmp/data" \
	--workers 2 --queue-wait 10s --user-renders 1000 --log-format json 2>"$tmp/server.log" &
server=$!
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
ids=()
for _ in $(seq 50); do
	ids+=("$(curl -fs -H "Authorization: Bearer $token" --data-binary @"$tmp/doc.json" "$base/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
done
echo "== 50 jobs of $rows rows x 10 columns ($(du -h "$tmp/doc.json" | cut -f1) each); peak RSS after the uploads: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$server/status)"
echo 5 > /proc/$server/clear_refs
for id in "${ids[@]}"; do for f in pdf xlsx html md csv; do echo "$base/jobs/$id/content?format=$f"; done; done > "$tmp/urls"
start=$(date +%s.%N)
xargs -P 250 -n 1 curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" < "$tmp/urls" > "$tmp/codes"
end=$(date +%s.%N)
peak=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$server/status)
echo "== 250 downloads at once, in $(python3 -c "print(round($end-$start,1))") s:"
sort "$tmp/codes" | uniq -c | awk '{printf "   %s x %s\n", $1, $2}'
echo "server peak RSS during the downloads: $peak MB (bound $bound MB)"
bad=$(grep -cvE '^(200|503)$' "$tmp/codes" || true)
if [ "$bad" -gt 0 ] || [ "$peak" -gt "$bound" ]; then
	echo "FAIL: $bad answers other than 200 or 503, peak $peak MB"
	exit 1
fi
