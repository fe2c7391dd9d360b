package xlsx

import (
	"github.com/xuri/excelize/v2"

	"github.com/foliorender/folio/report"
)

type styleKind uint8

const (
	styleData styleKind = iota
	styleHeader
	styleTableHeader // the header of a table object
	styleTitle
	styleHeading
	styleCaption
	styleLabel // the label of a key figure
)

// A styleKey names one cell style of the workbook; styles are made the first
// time they are used, so the same document always numbers them alike.
type styleKey struct {
	kind   styleKind
	level  int          // heading level
	align  report.Align // horizontal alignment
	numFmt string       // custom number format
	wrap   bool         // wrap text, for text with line breaks
	footer bool         // a footer cell: bold, with a rule above
	link   bool         // a hyperlink: blue, underlined
}

// Header look: bold on a light blue fill with a darker rule below.
const (
	headerFill   = "DDEBF7"
	headerBorder = "9BC2E6"
)

// The header of a table object has no fill, so that the table style
// colours it in Excel, where the fill of other headers is the colour of the
// default style's bands. Spreadsheets that draw no table styles
// (LibreOffice 7) show it bold over a rule in the theme's first accent
// colour, which Excel's default style fills the header with.
const tableHeaderBorder = "5B9BD5"

// Footer and hyperlink look: a rule above the footer, links in Excel's
// hyperlink blue.
const (
	footerBorder = "000000"
	linkColor    = "0563C1"
)

// fontFamily is the workbook's default font, named in every font a style
// sets: a font without a name is shown in some other face (LibreOffice
// picks a serif one).
const fontFamily = "Calibri"

// Number formats of date and datetime columns.
const (
	dateFormat     = "yyyy-mm-dd"
	dateTimeFormat = "yyyy-mm-dd hh:mm:ss"
)

// style returns the id of the style k, making it on first use.
func (b *book) style(k styleKey) int {
	if id, ok := b.styles[k]; ok {
		return id
	}
	s := &excelize.Style{}
	switch k.kind {
	case styleHeader:
		s.Font = &excelize.Font{Bold: true, Family: fontFamily, Size: 11}
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}}
		s.Border = []excelize.Border{{Type: "bottom", Color: headerBorder, Style: 1}}
	case styleTableHeader:
		s.Font = &excelize.Font{Bold: true, Family: fontFamily, Size: 11}
		s.Border = []excelize.Border{{Type: "bottom", Color: tableHeaderBorder, Style: 1}}
	case styleTitle:
		s.Font = &excelize.Font{Bold: true, Family: fontFamily, Size: 16}
	case styleHeading:
		size := 11.0
		switch k.level {
		case 1:
			size = 14
		case 2:
			size = 13
		case 3:
			size = 12
		}
		s.Font = &excelize.Font{Bold: true, Family: fontFamily, Size: size}
	case styleCaption:
		s.Font = &excelize.Font{Bold: true, Family: fontFamily, Size: 12}
	case styleLabel:
		s.Font = &excelize.Font{Bold: true, Family: fontFamily, Size: 11}
	}
	if k.footer || k.link {
		s.Font = &excelize.Font{Bold: k.footer, Family: fontFamily, Size: 11}
		if k.link {
			s.Font.Color, s.Font.Underline = linkColor, "single"
		}
	}
	if k.footer {
		s.Border = []excelize.Border{{Type: "top", Color: footerBorder, Style: 1}}
	}
	if k.align != report.AlignAuto || k.wrap {
		s.Alignment = &excelize.Alignment{Horizontal: string(k.align), WrapText: k.wrap}
	}
	if k.numFmt != "" {
		f := k.numFmt
		s.CustomNumFmt = &f
	}
	id, err := b.f.NewStyle(s)
	if err != nil {
		id = 0 // not reached: every style above is valid
	}
	b.styles[k] = id
	return id
}

// dataStyle returns the style key of the data cells of column c: its
// format code, as given, is the cells' number format (dates without one
// get yyyy-mm-dd, date-times yyyy-mm-dd hh:mm:ss).
func dataStyle(c report.Column) styleKey {
	k := styleKey{kind: styleData, align: c.Align}
	switch {
	case c.Format != nil:
		k.numFmt = c.Format.String()
	case c.Type == report.TypeDate:
		k.numFmt = dateFormat
	case c.Type == report.TypeDateTime:
		k.numFmt = dateTimeFormat
	}
	return k
}

// styleID returns the id of k, or 0 for the plain data style, which is
// the workbook's default.
func (b *book) styleID(k styleKey) int {
	if k == (styleKey{kind: styleData}) {
		return 0
	}
	return b.style(k)
}

// wrapped returns k wrapping its text when text has a line break, which a
// spreadsheet shows only in a cell that wraps.
func wrapped[T ~string | ~[]byte](k styleKey, text T) styleKey {
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			k.wrap = true
			break
		}
	}
	return k
}

// headerAlign returns the alignment of a column's header cell: the
// column's, else where Excel puts the values: right for number, date and
// datetime columns, centred for boolean ones.
func headerAlign(c report.Column) report.Align {
	if c.Align != report.AlignAuto {
		return c.Align
	}
	switch c.Type {
	case report.TypeNumber, report.TypeDate, report.TypeDateTime:
		return report.AlignRight
	case report.TypeBoolean:
		return report.AlignCenter
	}
	return c.Align
}
