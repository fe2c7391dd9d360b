#!/usr/bin/env bash
# Renders sample documents to PDF with `folio convert`, then their pages to
# PNG with pdftoppm, for looking at the PDF renderer's output: the seed
# example, a table of about three pages, a wide table (column groups) and
# a page of the Greek/Cyrillic/German and Markdown sample.
#
#   scripts/pdf-pictures.sh [OUTDIR]   # default bench/out/pictures
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/out/pictures}
mkdir -p "$out"
command -v pdftoppm >/dev/null || { echo "pdf-pictures.sh needs pdftoppm (poppler-utils)"; exit 1; }
go build -o "$out/folio" ./cmd/folio
go run ./bench/gen -rows 110 -cols 4 > "$out/three-pages.json"
go run ./bench/gen -rows 40 -cols 24 > "$out/wide.json"
for name in seed three-pages wide scripts; do
	case $name in
	seed) in=testdata/seed.json ;;
	scripts) in=render/pdf/testdata/scripts.json ;;
	*) in=$out/$name.json ;;
	esac
	"$out/folio" convert -q "$in" -o "$out/$name.pdf"
	rm -f "$out/$name"-*.png
	pdftoppm -r 80 -png "$out/$name.pdf" "$out/$name"
	echo "$out/$name.pdf: $(ls "$out/$name"-*.png | wc -l) pages"
done
