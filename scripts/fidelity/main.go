// Command fidelity writes the documents of scripts/fidelity.sh and compares
// what LibreOffice shows of folio's workbooks with folio's own text.
//
//	go run ./scripts/fidelity gen DIR      # DIR/LOCALE.json, one per locale of numfmttest.Cases
//	go run ./scripts/fidelity compare DIR  # DIR/LOCALE.folio.csv against DIR/LOCALE-Cases.csv
//
// Each document has one table, "Cases", with a column per case that a
// document can hold (a date code on a number column cannot be), typed and
// formatted as the case says, and one row of the cases' values. compare
// reads the second record of folio's formatted CSV (the text HTML, PDF and
// Markdown show) and of LibreOffice's "as shown" CSV export of the
// workbook, prints every cell where they differ, and exits 1 if any does
// for a reason other than the known ones (see known): none of them is a
// difference in how a code is read.
package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/numfmt/numfmttest"
)

func main() {
	if len(os.Args) != 3 || os.Args[1] != "gen" && os.Args[1] != "compare" {
		fmt.Fprintln(os.Stderr, "usage: fidelity gen|compare DIR")
		os.Exit(2)
	}
	var err error
	if os.Args[1] == "gen" {
		err = gen(os.Args[2])
	} else {
		err = compare(os.Args[2])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fidelity:", err)
		os.Exit(1)
	}
}

// name returns the file name of a locale's documents: "en" for "".
func name(tag string) string {
	if tag == "" {
		return "en"
	}
	return tag
}

// byLocale returns the cases a document can hold, by locale, in the order
// of first appearance.
func byLocale() ([]string, map[string][]numfmttest.Case) {
	var tags []string
	m := map[string][]numfmttest.Case{}
	for _, c := range numfmttest.Cases {
		code := numfmt.MustParse(c.Code)
		if c.Type != "date" && c.Type != "datetime" && code.HasDate() {
			continue
		}
		if _, ok := m[c.Locale]; !ok {
			tags = append(tags, c.Locale)
		}
		m[c.Locale] = append(m[c.Locale], c)
	}
	return tags, m
}

func gen(dir string) error {
	tags, cases := byLocale()
	for _, tag := range tags {
		var cols, cells []map[string]any
		for i, c := range cases[tag] {
			cols = append(cols, map[string]any{"caption": fmt.Sprint("c", i), "type": c.Type, "format": c.Code})
			var v any = c.Value
			if c.Type == "number" {
				v = json.Number(c.Value)
			}
			cells = append(cells, map[string]any{"value": v})
		}
		// A struct, not a map, so that the locale comes before the elements
		// (encoding/json sorts a map's keys), as streaming needs.
		doc := struct {
			Locale   string `json:"locale,omitempty"`
			Elements []any  `json:"elements"`
		}{tag, []any{map[string]any{"type": "table", "caption": "Cases",
			"data": map[string]any{"columns": cols, "rows": []any{map[string]any{"cells": cells}}}}}}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name(tag)+".json"), b, 0o644); err != nil {
			return err
		}
		fmt.Println(name(tag))
	}
	return nil
}

func record(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < n {
		return nil, fmt.Errorf("%s has %d records, want %d", path, len(recs), n)
	}
	return recs[n-1], nil
}

func compare(dir string) error {
	tags, cases := byLocale()
	total, differ, knownN := 0, 0, 0
	for _, tag := range tags {
		folio, err := record(filepath.Join(dir, name(tag)+".folio.csv"), 2)
		if err != nil {
			return err
		}
		lo, err := record(filepath.Join(dir, name(tag)+"-Cases.csv"), 2)
		if err != nil {
			return err
		}
		for i, c := range cases[tag] {
			total++
			f, l := field(folio, i), field(lo, i)
			if f != c.Want {
				fmt.Printf("folio differs from numfmttest: %s %q %s %q: %q, want %q\n", name(tag), c.Code, c.Type, c.Value, f, c.Want)
			}
			if f != l {
				if why := known(c); why != "" {
					knownN++
					fmt.Printf("known  %-6s %-24q %-8s %-26.26q folio %q  LibreOffice %q: %s\n", name(tag), c.Code, c.Type, c.Value, f, l, why)
					continue
				}
				differ++
				fmt.Printf("DIFFER %-6s %-24q %-8s %-26.26q folio %q  LibreOffice %q\n", name(tag), c.Code, c.Type, c.Value, f, l)
			}
		}
	}
	fmt.Printf("%d cells in %d locales: %d differ for known reasons, %d otherwise\n", total, len(tags), knownN, differ)
	if differ > 0 {
		return fmt.Errorf("%d cells differ", differ)
	}
	return nil
}

func field(rec []string, i int) string {
	if i < len(rec) {
		return rec[i]
	}
	return ""
}

// localeData are the cases where CLDR (numfmt's locale data) and
// LibreOffice's own locale data differ: the code is read alike, the
// locale's names or separators are not.
var localeData = map[string]string{
	"de-DE d. mmm yyyy": "March abbreviated: CLDR März, LibreOffice Mär",
	"en-GB d mmm yyyy":  "September abbreviated: CLDR Sept, LibreOffice Sep",
	"en-AU d mmm yyyy":  "September abbreviated: CLDR Sept (en-001), LibreOffice Sep",
	"en-GB h:mm am/pm":  "AM/PM: CLDR am/pm for en-GB, LibreOffice AM/PM",
	"de-AT #,##0.00":    "grouping: CLDR no-break space for de-AT, LibreOffice .",
	"fr-FR #,##0.00":    "grouping: CLDR narrow no-break space (U+202F) for fr, LibreOffice no-break space (U+00A0)",
	"fr-CH #,##0.00":    "decimal separator: CLDR , for fr-CH, LibreOffice .",
}

// known returns why LibreOffice shows c differently from folio, for the
// reasons that are not in how the code is read, or "".
func known(c numfmttest.Case) string {
	if why, ok := localeData[c.Locale+" "+c.Code]; ok {
		return "locale data: " + why
	}
	switch {
	case c.Type == "number" && significant(c.Value) > 15:
		return "a spreadsheet holds 15 significant digits: the XLSX cell is the exact number as text, without the code; folio shows it formatted"
	case c.Type == "number" && subnormal(c.Value):
		return "a spreadsheet rounds a number below the smallest normal float64 to 0: the XLSX cell is the exact number as text, without the code; folio shows it formatted"
	case (c.Type == "date" || c.Type == "datetime") && c.Value < "1900":
		return "Excel cannot hold dates before 1900: the XLSX cell is text"
	case (c.Type == "date" || c.Type == "datetime") && c.Value < "1900-03-01":
		return "Excel's 1900 date system counts a 29 February 1900 that never was; LibreOffice reads its serials before 1900-03-01 one day earlier (numfmt, like LibreOffice, counts from 1899-12-30)"
	case strings.Contains(c.Code, "A/P"):
		return "LibreOffice shows A/P in lower case; numfmt keeps the case written, as Excel does"
	}
	return ""
}

// subnormal reports whether a JSON number is below the smallest normal
// float64 and not zero.
func subnormal(num string) bool {
	f, err := strconv.ParseFloat(num, 64)
	return err == nil && f != 0 && math.Abs(f) < 0x1p-1022
}

// significant counts the significant digits of a JSON number's mantissa.
func significant(num string) int {
	if i := strings.IndexAny(num, "eE"); i >= 0 {
		num = num[:i]
	}
	digits := strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(num), "0")
	return len(strings.TrimRight(digits, "0"))
}
