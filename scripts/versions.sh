# The pinned Go toolchain and Go tools of scripts/deps.sh and scripts/test.sh,
# which source this file. Bump a version here (the toolchain in go.mod's
# toolchain line too) and nowhere else.

# The toolchain the tests, go vet, staticcheck and govulncheck run on: the
# go command fetches it from the module proxy when the installed Go is
# another one. Go 1.27.3 (like 1.26.9) has the standard-library fixes that
# govulncheck reports as reachable from folio on 1.26.8 and earlier.
export GOTOOLCHAIN=go1.27.3

staticcheck=honnef.co/go/tools/cmd/staticcheck@v0.8.2
govulncheck=golang.org/x/vuln/cmd/govulncheck@v1.9.0

# govulncheck reads its database from a directory, not vuln.go.dev: the OSV
# files of golang.org/x/vulndb at this version, indexed by its cmd/indexdb.
# scripts/deps.sh builds it once into a cache outside the repository
# (FOLIO_VULNDB overrides where); bump the version for newer reports.
vulndb=v0.0.0-20261105234957-e22db6528018
vulndb_dir=${FOLIO_VULNDB:-${XDG_CACHE_HOME:-${HOME:?}/.cache}/folio/vulndb-$vulndb}
