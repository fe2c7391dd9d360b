#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what the tests need,
# then checks formatting, vets, and runs every test, with the race detector
# on the packages that run goroutines.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
export FOLIO_REQUIRE_TOOLS=1 # tests fail, not skip, when a reader tool is missing
go test -count=1 ./...
race=$(go list ./... | grep -E '/(render|jobs|server|runner|blob|artifact)($|/)' | grep -vE '/render/(pdf|xlsx)$' || true)
if [ -n "$race" ]; then
	go test -count=1 -race $race
fi
