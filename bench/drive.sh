# Sourced by the bench scripts that drive a real `folio serve` with a Go
# program of bench/ (crash-loop.sh, overload.sh).
#
# drive PROGRAM [FLAGS...] builds folio and bench/PROGRAM into a fresh work
# directory, runs PROGRAM -folio BIN -dir DIR FLAGS... and exits with its
# status. On any exit it kills the program first (it would restart the
# server), then the server it left, if any (the one whose PID it wrote to
# DIR/server.pid, and only if that process still runs this build of
# folio), and removes the work directory; KEEP=1 keeps it and prints its
# path.
drive() {
	local prog=$1
	shift
	tmp=$(mktemp -d)
	child=
	trap drive_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	go build -o "$tmp/folio" ./cmd/folio
	go build -o "$tmp/$prog" "./bench/$prog"
	# In the background, so that a signal to this script is handled at once.
	"$tmp/$prog" -folio "$tmp/folio" -dir "$tmp" "$@" &
	child=$!
	local status=0
	wait "$child" || status=$?
	child=
	exit "$status"
}

drive_cleanup() {
	local pid
	if [ -n "$child" ]; then kill -9 "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
	pid=$(cat "$tmp/server.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$tmp/folio" ]; then
		kill -9 "$pid" 2>/dev/null || true
	fi
	if [ "${KEEP:-}" = 1 ]; then echo "work directory kept: $tmp"; else rm -rf "$tmp"; fi
}
