#!/usr/bin/env bash
# Overload figures for `folio serve`, on loopback only: measures the rate
# the server sustains for a mix of uploads, jobStatus and downloads from
# several users, drives twice that rate for DURATION (vegeta, open model),
# and prints what was shed (429, 503, 507), the status codes, jobStatus
# p50/p99, the server's peak RSS and RSS samples; then checks that every
# accepted job completed and every download matches a fresh `folio
# convert`. Exits 1 if the floor is missed (RSS growth after the first
# 10 s, jobStatus p99 >= 50 ms, a lost job, a corrupted download, a 500 or
# a panic). See bench/overload/main.go for the workload.
#
# Usage: bench/overload.sh [--short] [DURATION] [-- OVERLOAD FLAGS...]
#   --short     CI mode: 5 s of overload, 2-s steps, sustained rate capped
#               at 30 requests/s
#   DURATION    length of the overload (default 60s)
#   flags after -- go to bench/overload, e.g. -- -rate 40 -server-args
#   "--workers 2 --queue-wait 5s" (see go run ./bench/overload -h)
# KEEP=1 keeps the work directory (server log, data) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--short) args+=(-short) ;;
	--) shift; args+=("$@"); break ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) args+=(-duration "$1") ;;
	esac
	shift
done
. bench/drive.sh
drive overload ${args[@]+"${args[@]}"}
