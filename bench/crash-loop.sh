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
. bench/drive.sh
drive crashloop ${args[@]+"${args[@]}"}
