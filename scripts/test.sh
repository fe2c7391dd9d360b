#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what the tests need,
# then checks formatting, vets, runs staticcheck and govulncheck (zero
# findings), lints the OpenAPI document, and runs every test, with the race
# detector on the packages that run goroutines. The toolchain and the tools
# are pinned in scripts/versions.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh
scripts/deps.sh
unformatted=$("$(go env GOROOT)/bin/gofmt" -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
go run "$staticcheck" ./...
# Against the database scripts/deps.sh built; exits non-zero on any
# vulnerability that folio's code can reach.
go run "$govulncheck" -db "file://$vulndb_dir" ./...
# The OpenAPI document, with Redocly's recommended rules, warnings as errors
# (server/redocly.yaml); scripts/deps.sh installed the pinned CLI.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	.tools/redocly/node_modules/.bin/redocly lint --config server/redocly.yaml server/openapi.json
export FOLIO_REQUIRE_TOOLS=1 # tests fail, not skip, when a reader tool is missing
go test -count=1 ./...
race=$(go list ./... | grep -E '/(render|jobs|server|client|runner|blob|artifact)($|/)' | grep -vE '/render/(pdf|xlsx)$' || true)
if [ -n "$race" ]; then
	go test -count=1 -race $race
fi
# folio's copy of fpdf (third_party/fpdf, a module of its own that go.mod
# replaces) has tests of its own changes, which ./... does not reach.
go vet codeberg.org/go-pdf/fpdf
go test -count=1 -race codeberg.org/go-pdf/fpdf
# report decodes rows on a goroutine of their own (report/pipeline.go);
# -short skips the tests that read hundreds of MB, which take minutes under
# the race detector and whose allocation bounds do not hold under it.
go test -count=1 -race -short ./report
