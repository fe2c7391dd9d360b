#!/usr/bin/env bash
# Runs TestMultiNode (cmd/folio) N times: three folio servers on one
# private PostgreSQL and one versitygw bucket, 30 jobs, one server killed
# with SIGKILL while it renders. Prints each run's figures (moved: the
# killed server's job owned by another server, complete: the killed
# server's jobs complete, total: the whole run, servers started and
# stopped), then min / median / max of each and the failures.
# Usage: bench/multinode.sh [N] [LEASE]   (N default 20, LEASE default 2s)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20} lease=${2:-2s}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/folio.test" ./cmd/folio
fails=0
for i in $(seq "$n"); do
	if (cd cmd/folio && FOLIO_MULTINODE_LEASE=$lease "$tmp/folio.test" -test.run '^TestMultiNode$' -test.count=1 -test.v) >"$tmp/run$i.log" 2>&1; then
		line=$(grep -o 'FIGURES.*' "$tmp/run$i.log" | tail -1)
		echo "run $i: ${line#FIGURES }"
		echo "$line" >>"$tmp/figures"
	else
		fails=$((fails + 1))
		echo "run $i: FAIL"
		grep -E '^\s+\S+_test.go:[0-9]+: ' "$tmp/run$i.log" | grep -v 'server log' | head -5 | sed 's/^/    /'
	fi
done
if [ -s "$tmp/figures" ]; then
	python3 - "$tmp/figures" <<'PY'
import re, statistics, sys
def secs(v):
    m = re.fullmatch(r"(?:(\d+)m)?([\d.]+)(ms|s)", v)
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) / (1000 if m.group(3) == "ms" else 1)
cols = {}
for line in open(sys.argv[1]):
    for k, v in re.findall(r"(\w+)=(\S+)", line):
        if k != "lease":
            cols.setdefault(k, []).append(secs(v))
for k, vs in cols.items():
    print(f"{k:9} min {min(vs):6.2f} s  median {statistics.median(vs):6.2f} s  max {max(vs):6.2f} s  ({len(vs)} runs)")
PY
fi
echo "failures: $fails of $n"
[ "$fails" -eq 0 ]
