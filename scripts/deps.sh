#!/usr/bin/env bash
# Installs the Debian packages folio's tests use, when they are missing:
# readers of its outputs (qpdf and pdftotext for PDF, openpyxl and
# LibreOffice Calc for XLSX, Chromium for HTML), fonts, and PostgreSQL (the jobs/postgres tests start a
# private server of their own). Needs root (apt-get); prints what it does.
# Then versitygw, the S3 server that the blob/s3 tests start, built with
# go install at a pinned version into go env GOBIN (else GOPATH/bin), and
# Redocly's CLI, which lints server/openapi.json, and axe-core, which the
# accessibility test injects into folio's HTML pages, from npm at pinned
# versions into .tools/redocly and .tools/axe-core (git-ignored). Last, the
# vulnerability database govulncheck reads (scripts/versions.sh), built once
# into a cache.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/versions.sh"
need=()
command -v qpdf >/dev/null || need+=(qpdf)
command -v pdftotext >/dev/null || need+=(poppler-utils)
/usr/bin/python3 -c 'import openpyxl' 2>/dev/null || need+=(python3-openpyxl) # Debian's python, not one earlier on PATH
command -v chromium >/dev/null || need+=(chromium)
command -v soffice >/dev/null || need+=(libreoffice-calc) # scripts/fidelity.sh: XLSX "as shown" against folio's text
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk) # CJK in Chromium screenshots
dpkg -s fonts-droid-fallback >/dev/null 2>&1 || need+=(fonts-droid-fallback) # a CJK TrueType font for the PDF font option test
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql) # a private server for the jobs/postgres tests
command -v npm >/dev/null || need+=(npm) # installs Redocly's CLI (below); brings nodejs
if [ ${#need[@]} -gt 0 ]; then
	echo "deps: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
vgw=v1.8.0 # the newest on the module proxy; builds with Go 1.26
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
if ! go version -m "$gobin/versitygw" 2>/dev/null | grep -qE "^[[:space:]]mod[[:space:]]+github.com/versity/versitygw[[:space:]]+$vgw([[:space:]]|$)"; then
	echo "deps: installing versitygw $vgw into $gobin"
	CGO_ENABLED=0 go install "github.com/versity/versitygw/cmd/versitygw@$vgw"
fi
redocly=2.77.0 # @redocly/cli; 2.x runs on Node.js 20 (with a deprecation notice) and later
tools="$root/.tools/redocly"
if [ "$(node -p "require('$tools/node_modules/@redocly/cli/package.json').version" 2>/dev/null)" != "$redocly" ]; then
	echo "deps: installing @redocly/cli $redocly into $tools"
	mkdir -p "$tools"
	npm install --silent --save-exact --no-audit --no-fund --prefix "$tools" "@redocly/cli@$redocly"
fi
axe=4.14.1 # axe-core: WCAG 2.1 A/AA rules, injected by server/axe_test.go
tools="$root/.tools/axe-core"
if [ "$(node -p "require('$tools/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$axe" ]; then
	echo "deps: installing axe-core $axe into $tools"
	mkdir -p "$tools"
	npm install --silent --save-exact --no-audit --no-fund --prefix "$tools" "axe-core@$axe"
fi
if [ ! -f "$vulndb_dir/index/db.json" ]; then
	echo "deps: building the vulnerability database golang.org/x/vulndb@$vulndb into $vulndb_dir"
	mkdir -p "$(dirname "$vulndb_dir")"
	tmp=$(mktemp -d "$vulndb_dir.tmp-XXXXXX") # beside it, so that mv is a rename
	trap 'rm -rf "$tmp"' EXIT
	# Outside the module, so that neither go.mod nor go.sum learns of vulndb.
	osv=$(cd "$tmp" && go mod download -json "golang.org/x/vulndb@$vulndb" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/data/osv
	(cd "$tmp" && go run "golang.org/x/vulndb/cmd/indexdb@$vulndb" -vulns "$osv" -out "$tmp/db")
	# One rename publishes it whole; if another run won the race, keep its copy.
	mv -T "$tmp/db" "$vulndb_dir" 2>/dev/null || [ -f "$vulndb_dir/index/db.json" ]
fi
