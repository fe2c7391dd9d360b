// Package numfmttest holds the table of format codes, locales, values and
// the text they must give, which numfmt's tests check and which renderers'
// tests can be driven by, so that every output shows a value the same way.
package numfmttest

import "strings"

// A Case is one formatting: Code applied to Value in Locale gives Want.
type Case struct {
	Code   string // an Excel number-format code
	Locale string // a BCP 47 tag; "" is English
	Type   string // how Value is given, as a report column type: "number", "date", "datetime" or "string"
	Value  string // JSON number text, a 2006-01-02 date, an RFC 3339 date-time, or a string
	Want   string // the formatted text
}

const (
	nbsp  = "\u00a0" // no-break space: de-AT, fr-CA, pl, pt-PT and sv group with it
	nnbsp = "\u202f" // narrow no-break space: fr groups with it
)

// Cases covers number codes (sections, rounding half away from zero, huge
// and tiny numbers, percent, scaling, scientific, literals), every built-in
// locale's separators and names, date and time codes at the edges, and text
// sections.
var Cases = []Case{
	// Rounding is decimal and half away from zero.
	{"0", "", "number", "1234.5", "1235"},
	{"0", "", "number", "-1234.5", "-1235"},
	{"0", "", "number", "2.5", "3"},
	{"0", "", "number", "-2.5", "-3"},
	{"0.00", "", "number", "2.675", "2.68"}, // 2.67499999… as a float64
	{"0.00", "", "number", "1.005", "1.01"}, // 1.00499999… as a float64
	{"0.0", "", "number", "-0.05", "-0.1"},
	{"#,##0", "", "number", "1234567.5", "1,234,568"},
	{"#,##0.00", "", "number", "1234567.125", "1,234,567.13"},
	{"#,##0.00", "", "number", "-0.005", "-0.01"},
	{"0.00", "", "number", "0.995", "1.00"},
	{"0.00", "", "number", "9.999", "10.00"},

	// Negative values that round to zero show no minus sign, unless a
	// negative section writes one; -0 is zero.
	{"#,##0.00", "", "number", "-0.004", "0.00"},
	{"0", "", "number", "-0.4", "0"},
	{"0;-0", "", "number", "-0.4", "-0"},
	{"0.00", "", "number", "-0", "0.00"},
	{"0;-0;\"zero\"", "", "number", "-0.0", "zero"},

	// Huge and tiny numbers, exactly.
	{"#,##0.00", "", "number", "12345678901234567890.25", "12,345,678,901,234,567,890.25"},
	{"#,##0.00", "", "number", "1.7976931348623157e308", "179,769,313,486,231,570" + strings.Repeat(",000", 97) + ".00"},
	{"0.000", "", "number", "1E+21", "1000000000000000000000.000"},
	{"0.00", "", "number", "1e-7", "0.00"},
	{"0.00", "", "number", "-1e-400", "0.00"},
	{"General", "", "number", "1e-7", "0.0000001"},
	{"General", "", "number", "12345678901234567890.25", "12345678901234567890.25"},
	{"General", "", "number", "-1.5e3", "-1500"},
	{"General", "", "number", "0.10", "0.1"},
	{"0.00E+00", "", "number", "1.7976931348623157e308", "1.80E+308"},
	{"0.00E+00", "", "number", "5e-324", "5.00E-324"},
	{"0.00E+00", "", "number", "1234.5", "1.23E+03"},
	{"0.0E+0", "", "number", "9.96", "1.0E+1"},
	{"0.0E-0", "", "number", "-0.000123", "-1.2E-4"},
	{"0.00E+00", "", "number", "0", "0.00E+00"},

	// Percent, scaling, placeholders, literals.
	{"0%", "", "number", "0.005", "1%"},
	{"0.0%", "", "number", "0.1234", "12.3%"},
	{"0.00%", "", "number", "-0.00001", "0.00%"},
	{"0.00\\%", "", "number", "0.5", "0.50%"},
	{"0.0,,\"M\"", "", "number", "123456789", "123.5M"},
	{"#,##0,", "", "number", "1234567", "1,235"},
	{"000-00-0000", "", "number", "123456789", "123-45-6789"},
	{"00000", "", "number", "42", "00042"},
	{"??.??", "", "number", "1.5", " 1.5 "},
	{"0.0#", "", "number", "1.5", "1.5"},
	{"0.0#", "", "number", "1.555", "1.56"},
	{"#.##", "", "number", "0.5", ".5"},
	{"#", "", "number", "0", ""},
	{"$#,##0.00", "", "number", "-1234.5", "-$1,234.50"},
	{"_($* #,##0.00_)", "", "number", "1234.5", " $1,234.50 "},
	{"#,##0.00 \"kg\"", "", "number", "2.5", "2.50 kg"},
	{"[Red]0.00;[Blue]-0.00", "", "number", "-3", "-3.00"},

	// Sections.
	{"$#,##0.00;($#,##0.00)", "", "number", "-1234.5", "($1,234.50)"},
	{"$#,##0.00;($#,##0.00)", "", "number", "0", "$0.00"},
	{"#,##0.00;-#,##0.00;\"-\"", "", "number", "0", "-"},
	{"#,##0.00;-#,##0.00;\"-\"", "", "number", "-7", "-7.00"},
	{"0;-0;;@", "", "number", "0", ""},
	{"0;;", "", "number", "-3", ""},
	{"0.00;@", "", "number", "-1.5", "-1.50"},
	{"\"Total: \"General", "", "number", "-12.5", "-Total: 12.5"},

	// Locales: separators from CLDR.
	{"\"€ \"#,##0.00", "de-DE", "number", "1234.5", "€ 1.234,50"},
	{"[$€-407] #,##0.00", "de-DE", "number", "1234.5", "€ 1.234,50"},
	{"#,##0.00 \"kg\"", "de-DE", "number", "-1234.5", "-1.234,50 kg"},
	{"0.0%", "de-DE", "number", "0.1234", "12,3%"},
	{"0.00E+00", "de-DE", "number", "1234.5", "1,23E+03"},
	{"General", "de-DE", "number", "-1234.5", "-1234,5"},
	{"#,##0.00", "de-CH", "number", "1234567.891", "1'234'567.89"},
	{"#,##0.00", "de-AT", "number", "1234567.891", "1" + nbsp + "234" + nbsp + "567,89"},
	{"#,##0.00", "fr-FR", "number", "1234567.891", "1" + nnbsp + "234" + nnbsp + "567,89"},
	{"#,##0.00", "fr-CH", "number", "1234567.891", "1'234'567,89"},
	{"#,##0.00", "it-IT", "number", "1234567.891", "1.234.567,89"},
	{"#,##0", "es-ES", "number", "1234", "1.234"},
	{"#,##0.00", "nl-NL", "number", "-1234567.891", "-1.234.567,89"},
	{"#,##0.00", "pt-BR", "number", "1234567.891", "1.234.567,89"},
	{"#,##0.00", "pl-PL", "number", "1234567.891", "1" + nbsp + "234" + nbsp + "567,89"},
	{"#,##0.00", "sv-SE", "number", "-1234.5", "-1" + nbsp + "234,50"},
	{"#,##0.00", "ja-JP", "number", "1234567.891", "1,234,567.89"},
	{"#,##0.00", "zh-CN", "number", "1234567.891", "1,234,567.89"},
	{"#,##0.00", "en-GB", "number", "1234567.891", "1,234,567.89"},
	{"#,##0.00", "de-LU", "number", "1234.5", "1.234,50"}, // falls back to de
	{"#,##0.00", "xx", "number", "1234.5", "1,234.50"},    // unknown: English

	// Dates at the edges, month and day names.
	{"yyyy-mm-dd", "", "date", "1900-01-01", "1900-01-01"},
	{"dd.mm.yyyy", "de-DE", "date", "9999-12-31", "31.12.9999"},
	{"dd/mm/yy", "", "date", "0001-01-01", "01/01/01"},
	{"mmm d, yyyy", "", "date", "1900-02-28", "Feb 28, 1900"},
	{"dddd, d mmmm yyyy", "", "date", "2024-02-29", "Thursday, 29 February 2024"},
	{"dddd, d mmmm yyyy", "de-DE", "date", "2024-02-29", "Donnerstag, 29 Februar 2024"},
	{"dddd d mmmm yyyy", "fr-FR", "date", "2024-02-29", "jeudi 29 février 2024"},
	{"d mmmm yyyy", "pl-PL", "date", "2024-01-15", "15 stycznia 2024"},
	{"ddd d mmm", "es-ES", "date", "2024-08-04", "dom 4 ago"},
	{"d mmm yyyy", "en-GB", "date", "2023-09-05", "5 Sept 2023"},
	{"d mmm yyyy", "en-AU", "date", "2023-09-05", "5 Sept 2023"}, // falls back to en-001
	{"d. mmm yyyy", "de-DE", "date", "2023-03-05", "5. März 2023"},
	{"mmmmm", "", "date", "2023-02-05", "F"},
	{"yyyy\"年\"m\"月\"d\"日\" dddd", "zh-TW", "date", "2024-02-29", "2024年2月29日 星期四"}, // falls back to zh
	{"ddd", "ja-JP", "date", "2024-02-29", "木"},

	// Times: midnight, noon, AM/PM, truncation, fractions.
	{"yyyy-mm-dd hh:mm", "", "datetime", "2024-02-29T00:00:00Z", "2024-02-29 00:00"},
	{"h:mm AM/PM", "", "datetime", "2024-02-29T00:00:00Z", "12:00 AM"},
	{"h:mm AM/PM", "", "datetime", "2024-02-29T12:00:00Z", "12:00 PM"},
	{"h:mm AM/PM", "", "datetime", "2024-02-29T23:59:59Z", "11:59 PM"},
	{"h:mm am/pm", "en-GB", "datetime", "2024-02-29T13:05:00Z", "1:05 pm"},
	{"hh:mm:ss AM/PM", "ja-JP", "datetime", "2024-02-29T13:05:09Z", "01:05:09 午後"},
	{"h:mm a/p", "", "datetime", "2024-02-29T13:05:00Z", "1:05 p"},
	{"h:mm A/P", "", "datetime", "2024-02-29T01:05:00Z", "1:05 A"},
	{"hh:mm", "", "datetime", "2024-02-29T10:29:59.9Z", "10:29"},
	{"hh:mm:ss.00", "de-DE", "datetime", "2024-02-29T10:00:00.125Z", "10:00:00,13"},
	{"hh:mm:ss.000", "", "datetime", "2024-02-29T23:59:59.9996Z", "23:59:59.999"},
	{"yyyy-mm-dd hh:mm", "", "datetime", "2024-12-31T23:30:00-05:00", "2024-12-31 23:30"}, // the wall clock written
	{"yyyy-mm-dd hh:mm:ss", "", "datetime", "9999-12-31T23:59:59Z", "9999-12-31 23:59:59"},

	// Serial dates and elapsed time.
	{"yyyy-mm-dd", "", "number", "45351", "2024-02-29"},
	{"dd/mm/yyyy hh:mm", "", "number", "45351.75", "29/02/2024 18:00"},
	{"d mmm yyyy", "", "number", "61", "1 Mar 1900"},
	{"[h]:mm:ss", "", "number", "1.5", "36:00:00"},
	{"[h]:mm:ss", "", "number", "-0.5", "-12:00:00"},
	{"[mm]:ss", "", "number", "0.0625", "90:00"},
	{"[h]:mm", "", "datetime", "1900-01-01T06:00:00Z", "54:00"},

	// Text.
	{"@", "", "string", "abc", "abc"},
	{"\"Ref: \"@", "", "string", "42", "Ref: 42"},
	{"0;-0;0;\"[\"@\"]\"", "", "string", "x", "[x]"},
	{"0.00", "", "string", "n/a", "n/a"},
	{"@", "", "number", "-1.50", "-1.5"},
}

// A Bad is a code that numfmt.Parse rejects. Unsupported ones are valid
// in Excel but outside numfmt's subset; the others are malformed.
type Bad struct {
	Code        string
	Unsupported bool
}

// BadCodes are codes a document may hold that must be reported, never
// shown some other way.
var BadCodes = []Bad{
	{"", false},
	{"   ", false},
	{"0;0;0;@;0", false},
	{"\"abc", false},
	{"0\\", false},
	{"0_", false},
	{"0*", false},
	{"[Red", false},
	{"[Purple]0", false},
	{"[Color0]0", false},
	{"[Color57]0", false},
	{"[$€-xyz]0", false},
	{"0.00.0", false},
	{"0x", false},
	{"0 kg", false},
	{"0 1", false},
	{"0 é", false},
	{"0|", false},
	{"yyy", false},
	{"y", false},
	{"ddddd", false},
	{"mmmmmm", false},
	{"hhh", false},
	{"sss", false},
	{"[hhh]:mm", false},
	{"0 @", false},
	{"@;0", false},
	{"0;yyyy", false},
	{"0.0 yyyy", false},
	{"E+00", false},
	{"0E+", false},
	{"0.00E", false},
	{"General 0", false},
	{"GeneralGeneral", false},
	{"%", false},
	{"\"x\".", false},
	{"0;0;0;0", false},
	{"[=1]\"one\";0", true},
	{"[<100]0;0", true},
	{"# ?/?", true},
	{"# ??/16", true},
	{"0/4", true},
	{"##0.0E+0", true},
	{"0.0E+#", true},
	{"0%%", true},
	{"0.0,0", true},
	{"h:mm:ss.0000", true},
	{"[h]:[mm]", true},
	{"[$-F800]dddd, mmmm dd, yyyy", true},
	{"[$-F400]h:mm:ss AM/PM", true},
	{"[$-1010409]d/m/yyyy", true},
	{"B1yyyy", true},
	{"[DBNum1]0", false},
	{"#,##0.00E+00", true},
}
