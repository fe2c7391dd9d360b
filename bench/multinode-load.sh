#!/usr/bin/env bash
# Load figures for several `folio serve` on one PostgreSQL and one S3
# bucket, against one embedded `folio serve` (SQLite and files) in the same
# run, on loopback only: a private PostgreSQL (internal/pgtest), versitygw
# (internal/s3test, installed by scripts/deps.sh), three servers on them and
# the embedded one. For ROUNDS rounds, each side in turn:
#  1. jobStatus at RATE requests/s for DURATION (open model, vegeta), spread
#     round-robin over the three servers, or all to the embedded one:
#     p50/p90/p99/max, and by server;
#  2. N concurrent downloads of a ROWS-row job rendered ahead as XLSX
#     (round-robin over the three, read from the bucket), with each
#     server's peak RSS during them.
# Every download must have the same bytes on both sides. See
# bench/multiload/main.go.
# Usage: bench/multinode-load.sh [RATE] [DURATION] [ROWS] [N] [ROUNDS]
# KEEP=1 keeps the work directory (server logs) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1000} duration=${2:-20s} rows=${3:-100000} n=${4:-50} rounds=${5:-3}
tmp=$(mktemp -d)
child=
cleanup() {
	# SIGTERM: the program stops the servers, versitygw and PostgreSQL.
	if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
	if [ "${KEEP:-}" = 1 ]; then echo "work directory kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
go build -o "$tmp/folio" ./cmd/folio
go build -o "$tmp/multiload" ./bench/multiload
"$tmp/multiload" -folio "$tmp/folio" -dir "$tmp" -rate "$rate" -duration "$duration" -rows "$rows" -n "$n" -rounds "$rounds" &
child=$!
status=0
wait "$child" || status=$?
child=
exit "$status"
