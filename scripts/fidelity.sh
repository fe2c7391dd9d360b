#!/usr/bin/env bash
# Fidelity against a real spreadsheet: converts a document per locale with
# every format code of numfmt/numfmttest.Cases that a document can hold to
# XLSX with folio, has LibreOffice (headless, libreoffice-calc, installed
# by scripts/deps.sh) export the sheet "as shown" to CSV in that locale (a
# fresh profile per locale, LANG set to it), and compares every cell with
# folio's own text for it (convert --opt formatted=true: the text HTML, PDF
# and Markdown show). Prints each cell that differs; exits 1 if any does.
#
#   scripts/fidelity.sh [DIR]     # DIR defaults to a temporary folder, kept
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-$(mktemp -d)}
mkdir -p "$dir"
command -v soffice >/dev/null || { echo "fidelity: soffice not found (scripts/deps.sh installs libreoffice-calc)" >&2; exit 1; }
go build -o "$dir/folio" ./cmd/folio
echo "fidelity: working in $dir"
for loc in $(go run ./scripts/fidelity gen "$dir"); do
	"$dir/folio" convert -q "$dir/$loc.json" -o "$dir/$loc.xlsx"
	"$dir/folio" convert -q --opt formatted=true --opt formulas=keep "$dir/$loc.json" -o "$dir/$loc.folio.csv"
	lang=en_US
	case $loc in
	en) ;;
	*-*) lang=$(echo "$loc" | tr - _) ;;
	*) lang=$loc ;;
	esac
	# Field separator, text delimiter, UTF-8, first line, cell formats,
	# language, quoted as text, special numbers, as shown, formulas, trim
	# spaces, every sheet to its own file (NAME-SHEET.csv).
	LANG=$lang.UTF-8 LC_ALL=$lang.UTF-8 timeout 300 soffice -env:UserInstallation="file://$dir/profile-$loc" --headless \
		--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1' \
		--outdir "$dir" "$dir/$loc.xlsx" >/dev/null 2>&1
	[ -s "$dir/$loc-Cases.csv" ] || { echo "fidelity: LibreOffice wrote no $loc-Cases.csv" >&2; exit 1; }
done
go run ./scripts/fidelity compare "$dir"
