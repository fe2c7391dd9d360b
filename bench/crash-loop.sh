#!/usr/bin/env bash
# kill -9 restarts of a real `folio serve`, on loopback only: each round
# starts the server on the same data directory, waits for it to finish
# what the last kill left (the time to recover), posts a few jobs with
# formats (one big enough to be rendering for seconds) and kills it with
# SIGKILL at a random moment, during the uploads or the renders (now and
# then during the recovery instead). At the end: every job answered 202
# is final, none is left processing or ready_to_process, complete jobs'
# artifacts are identical to a fresh `folio convert`, PRAGMA
# integrity_check answers ok and blobs/.tmp is empty after the last clean
# start. Prints rounds, kills, jobs by final status, recovery times
# (median, max) and failures; exits 1 on a failure. See
# bench/crashloop/main.go.
#
# Usage: bench/crash-loop.sh [N] [-- CRASHLOOP FLAGS...]
#   N           rounds, each ending in a kill -9 (default 50)
#   flags after -- go to bench/crashloop, e.g. -- -big 80000 -seed 7
# KEEP=1 keeps the work directory (server log, data) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; args+=("$@"); break ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) args+=(-rounds "$1") ;;
	esac
	shift
done
tmp=$(mktemp -d)
child=
cleanup() {
	local pid
	# The load program first (it would restart the server), then the
	# server it left, if any.
	if [ -n "$child" ]; then kill -9 "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
	pid=$(cat "$tmp/server.pid" 2>/dev/null || true)
	# Only the server this script started: the PID file's process, if it
	# still runs our binary.
	if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$tmp/folio" ]; then
		kill -9 "$pid" 2>/dev/null || true
	fi
	if [ "${KEEP:-}" = 1 ]; then echo "work directory kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
go build -o "$tmp/folio" ./cmd/folio
go build -o "$tmp/crashloop" ./bench/crashloop
# In the background, so that a signal to this script is handled at once.
"$tmp/crashloop" -folio "$tmp/folio" -dir "$tmp" ${args[@]+"${args[@]}"} &
child=$!
status=0
wait "$child" || status=$?
child=
exit "$status"
