// Package numfmt formats numbers and dates with Excel number-format codes
// (ECMA-376 Part 1, §18.8.31), exactly and in a reader's locale, and totals
// numbers exactly. It imports nothing else from folio.
//
// Numbers are given as their JSON text ("1234.5", "-0.005", "1e-7") and are
// never converted to float64: rounding is decimal, half away from zero, at
// any magnitude below 1e1000. Codes are written in Excel's invariant form
// ("," groups thousands, "." is the decimal point); a [Locale] decides which
// separators and names the reader sees.
//
//	c, err := numfmt.Parse(`#,##0.00 "kg"`)
//	de, err := numfmt.ParseLocale("de-DE")
//	s, err := c.Format("1234.5", de) // "1.234,50 kg"
//
// # The supported subset
//
// A code has one to four sections separated by ";": positive;negative;zero;
// text. With one section every number uses it, and a negative number gets a
// minus sign in front unless it rounds to zero ("0" shows -0.4 as "0", as
// LibreOffice does; Excel shows "-0"). With two, the second is for negative
// numbers and shows no minus sign unless it writes one ("0;(0)" shows -3 as
// "(3)"); zero uses the first. With three, the third is for zero. The
// section is chosen by the value before rounding: "0;-0" shows -0.4 as
// "-0". A fourth section, or a last section holding @, is the text section.
// An empty section shows nothing.
//
// In number sections:
//
//	0  # ?      digit placeholders: 0 shows a zero, # nothing, ? a space
//	            where the number has no digit; the leftmost integer
//	            placeholder takes any extra digits; # and ? drop trailing
//	            zeros of decimals ("0.0#" shows 1.5 as "1.5")
//	.           the decimal point, shown as the locale's decimal separator
//	            when a decimal digit or ? space follows it ("0.#" shows 5 as
//	            "5", as LibreOffice does; Excel shows "5.")
//	,           between integer placeholders: group thousands with the
//	            locale's separator ("#,##0"); right after the last
//	            placeholder: divide by 1000 per comma ("#,##0," and
//	            `0.0,,"M"`); elsewhere: a literal comma
//	%           multiply by 100 and show "%" (one % per section)
//	E+ E- e+ e- scientific notation after exactly one integer placeholder,
//	            exponent digits written as 0: "0.00E+00" shows 1234.5 as
//	            "1.23E+03"; E- shows a sign only for negative exponents
//	General     the exact value in plain decimal notation (no exponent, no
//	            grouping), with the locale's decimal separator; it can stand
//	            alone or with literal text (`"Total: "General`). Unlike
//	            Excel and LibreOffice, which show at most 10 or 15 digits and
//	            switch to 1.23E+19, it shows every digit
//
// Literal text in every section:
//
//	"text"      quoted text, shown as is
//	\c          the character c
//	_c          a space (Excel's space as wide as c): "_)" is " "
//	*c          fill with c: ignored, since text has no cell width to fill
//	            (LibreOffice exports "as shown" text the same way)
//	$ - + / ( ) : ! ^ & ' ~ { } < > = and space
//	            shown as themselves without quotes, as are non-ASCII
//	            characters that are not letters or digits (€ £ ¥ ° …); other
//	            letters and the digits 1 to 9 must be quoted or escaped
//	[Red] [Blue] … [Color1] to [Color56]
//	            colors: accepted and ignored (the text has no color)
//	[$€-407] [$USD] [$-409]
//	            a currency or locale tag: the symbol is shown as literal
//	            text; the Windows locale ID after "-" is checked (hexadecimal)
//	            and ignored, so the document's locale decides separators and
//	            names, as in Excel
//
// In date/time sections (letters in any case):
//
//	yy yyyy         year: 24, 2024
//	m mm            month: 2, 02; minutes when right after an hour (h:mm)
//	                or right before seconds (mm:ss), other parts and literal
//	                text between them allowed
//	mmm mmmm mmmmm  month name: abbreviated, full, first letter (CLDR's
//	                format forms: "Jan"; de "Jan.", "Januar")
//	d dd            day of the month: 5, 05
//	ddd dddd        weekday: abbreviated, full ("Thu", "Thursday")
//	h hh            hour: 0-23, or 1-12 with AM/PM or A/P
//	s ss            seconds
//	ss.0 to ss.000  fractions of a second, with the locale's decimal sign
//	AM/PM           the locale's designators, whatever the code's case (as
//	                LibreOffice does): en "AM"/"PM", en-GB "am"/"pm", ja
//	                "午前"/"午後"
//	A/P             "A" or "P", in the case written ("a/p" shows "a", "p"),
//	                as in Excel (LibreOffice shows a/p for both)
//	[h] [hh] [m] [mm] [s] [ss]
//	                elapsed time since serial date 0: "[h]:mm:ss" shows 1.5
//	                days as "36:00:00"; negative elapsed time gets a minus
//	,  .  /  -  :   and the other literals above are literal text
//
// Date/time codes format a [time.Time] ([Code.FormatTime]) or a serial date
// number ([Code.Format]: days since 1899-12-30, the fraction being the
// time of day; serial 61 is 1900-03-01 as in Excel, and earlier serials are
// one day earlier than Excel shows them, since Excel counts a 29 February
// 1900 that never was; LibreOffice does as numfmt does). The clock is
// truncated to the second; see [Code.FormatTime] for fractions and elapsed
// time.
//
// In the text section, @ is the text, and literals are shown around it; a
// code with only a text section ("@", `@" kg"`) is a text code, which shows
// numbers as General does, as Excel and LibreOffice do.
//
// # Rejected
//
// Everything else is a *[SyntaxError] with a sentence saying why, never a
// guess; those valid in Excel but left out have Unsupported set:
// conditions ([<100], [=1]), fractions (# ?/?, 0/4), engineering notation
// (##0.0E+0), more than one %, more than one elapsed part in a section,
// more than three digits of a second, a comma between decimal places, the
// system formats [$-F800] and [$-F400], locale IDs with calendar or numeral
// system parts ([$-1010409]), B1/B2 calendars, other brackets ([DBNum1]),
// y, yyy and other repeat counts (LibreOffice and Excel read them
// differently), @ outside the last section or beside number parts, date and
// number parts in one code, a decimal point without digit placeholders,
// General with placeholders, an empty code and more than four sections.
//
// # Locales
//
// [ParseLocale] takes a BCP 47 tag; its separators, month and day names and
// AM/PM come from CLDR ([CLDRVersion]), for en, en-001, en-GB, de, de-AT,
// de-CH, es, fr, fr-CA, fr-CH, it, it-CH, ja, nl, pl, pt, pt-PT, sv and zh;
// other tags use their CLDR parent, then their language, then English. So
// en-US, de-DE, fr-FR, it-IT, es-ES, nl-NL, pt-BR, pl-PL, sv-SE, ja-JP and
// zh-CN, being CLDR's default content of their language, have exactly its
// data. CLDR's minimum grouping digits (es and pl write 1234 ungrouped) is
// not applied: the code decides grouping, as in Excel. Minus signs are
// always "-" (sv's CLDR minus is U+2212), as the code's own "-" are.
//
// # Totals
//
// A [Total] adds JSON number texts exactly (0.1 + 0.2 is 0.3), fast for
// values that fit a scaled int64 and with math/big beyond, and gives count,
// sum, min, max and mean as decimal text.
package numfmt
