package xlsx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/language"

	"github.com/foliorender/folio/numfmt"
)

// Paper sizes of [Renderer.Paper].
const (
	A4     = "A4"
	Letter = "Letter"
)

// paperCodes are the paperSize values of SpreadsheetML's pageSetup
// (ECMA-376 Part 1, 18.3.1.63).
var paperCodes = map[string]int{A4: 9, Letter: 1}

// paperWidths are the widths of the papers upright, in inches.
var paperWidths = map[string]float64{A4: 8.27, Letter: 8.5}

// letterRegions are the regions that use US Letter paper, from CLDR's
// supplemental measurement data (paperSize type="US-Letter").
var letterRegions = map[string]bool{
	"BZ": true, "CA": true, "CL": true, "CO": true, "CR": true, "GT": true, "MX": true,
	"NI": true, "PA": true, "PH": true, "PR": true, "SV": true, "US": true, "VE": true,
}

// paper returns the paper the workbook prints on: r.Paper, else Letter
// when loc names a region that uses it (en-US, fr-CA, es-MX) and A4
// otherwise, without a locale or with one that names no region ("en").
func (r *Renderer) paper(loc *numfmt.Locale) (string, error) {
	switch {
	case strings.EqualFold(r.Paper, A4):
		return A4, nil
	case strings.EqualFold(r.Paper, Letter):
		return Letter, nil
	case r.Paper != "":
		return "", fmt.Errorf("xlsx: unknown paper %q (want A4 or Letter)", r.Paper)
	}
	if loc == nil {
		return A4, nil
	}
	tag, err := language.Parse(loc.Tag)
	if err != nil {
		return A4, nil
	}
	if region, conf := tag.Region(); conf == language.Exact && letterRegions[region.String()] {
		return Letter, nil
	}
	return A4, nil
}

// Page margins, Excel's "Normal" ones, in inches: written on every sheet so
// that every spreadsheet prints alike.
const (
	marginSide   = 0.7
	marginEnd    = 0.75 // top and bottom
	marginHeader = 0.3  // header and footer
)

// Column widths in pixels at 96 per inch, as Excel lays them out for its
// default font (Calibri 11, 7 pixels to a digit): a width of w characters
// is 7w+5 pixels, and a column left at the default width is 64.
const (
	digitPixels   = 7
	columnPadding = 5
	defaultColumn = 64
	pixelsPerInch = 96
)

// wide reports whether the columns of the tables on s are wider than the
// printable width of the paper upright, so that the sheet prints in
// landscape.
func (s *sheet) wide(paper string) bool {
	printable := (paperWidths[paper] - 2*marginSide) * pixelsPerInch
	px := 0.0
	for i := range s.cols {
		if i < len(s.widths) {
			px += digitPixels*s.widths[i] + columnPadding
		} else {
			px += defaultColumn
		}
		if px > printable {
			return true
		}
	}
	return false
}

// pageSetup gives the worksheet s, before it is flushed, its print set-up:
// the paper, landscape when its tables are wide, fitted to the page width
// (as many pages down as it takes; the sheet's fitToPage property was set
// when it was started), Excel's normal margins, and the header row of its
// table repeated on every printed page when the sheet holds one table (a
// sheet has one set of rows to repeat, which would be wrong above the
// other tables of a sheet holding several).
func (b *book) pageSetup(s *sheet) error {
	orient := "portrait"
	if s.wide(b.paper) {
		orient = "landscape"
	}
	size, one, zero := paperCodes[b.paper], 1, 0
	if err := b.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{
		Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero,
	}); err != nil {
		return err
	}
	side, end, hf := marginSide, marginEnd, marginHeader
	if err := b.f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &end, Bottom: &end, Header: &hf, Footer: &hf,
	}); err != nil {
		return err
	}
	if len(s.headers) != 1 {
		return nil
	}
	row := "$" + strconv.Itoa(s.headers[0])
	return b.f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Titles",
		RefersTo: quoteSheet(s.name) + "!" + row + ":" + row,
		Scope:    s.name,
	})
}

// quoteSheet returns the sheet name as a formula names it: in apostrophes,
// an apostrophe within doubled.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}
