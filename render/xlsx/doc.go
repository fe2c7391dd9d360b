// Package xlsx renders a report document as an XLSX workbook (Office Open
// XML spreadsheet) with excelize's StreamWriter, so memory stays flat
// however long the tables: folio writes the rows' XML itself, compressed as
// it goes, into temporary files, and the archive is compressed straight into
// the destination writer instead of being built in memory first (excelize's
// own Write does that).
//
// # Layout
//
// Each table gets a worksheet of its own, named after its caption. Sheet
// names follow Excel's rules: at most 31 UTF-16 units (cut without
// splitting a character), the forbidden characters / \ : become "-",
// [ ] become ( ), * ? become "_", control characters and runs of white
// space become one space, apostrophes at either end are dropped, an empty
// name becomes "Table N" (N counting tables from 1), and "History" is
// reserved. A name already taken, compared without regard to case as Excel
// does, gets " (2)", " (3)" and so on. When the name is not the caption as
// given, the full caption is written in bold above the header.
//
// Text goes where a reader of the document expects it. The title is the
// first row of the first worksheet, in large bold type. Headings (bold,
// larger for levels 1 to 3) and paragraphs go above the table that follows
// them, on its worksheet; paragraphs that follow a table before any heading
// stay below that table, as does text after the last table. One blank row
// separates blocks. Each line of a paragraph is a row of its own, in the
// first column, running on to the right. A document without tables gets one
// worksheet, named after the title (or "Report"), holding its text.
// Markdown runs show strong text in bold, emphasis in italics and code in
// a monospaced font; links show their text, raw HTML is dropped. With
// [Renderer.OneSheet], everything goes on one worksheet named after the
// title, in document order, each table under its caption.
//
// The header row is bold with a rule below, frozen while scrolling (when
// it is within the first 12 rows), and the header and data rows are an
// Excel table object (see Tables). Columns are fitted to the header and the first
// 100 rows (East Asian wide characters count double), between 6 and 60
// characters wide; only the first 256 columns of a table are fitted.
//
// # Cells
//
// Numbers are numeric cells, except those a spreadsheet would change:
// a number with more than 15 significant digits, which Excel and
// LibreOffice read into a float64 and keep to 15 digits, or a non-zero one
// below the smallest normal float64, is a right-aligned text cell holding
// its exact JSON text, without the column's number format (a column's
// computed mean stays a number, rounded to 15 digits).
// Booleans are boolean cells, nulls empty cells. Cells of date and
// datetime columns are Excel dates formatted yyyy-mm-dd and
// yyyy-mm-dd hh:mm:ss; a datetime keeps its wall-clock time (Excel has no
// time zones), and dates before 1900 or past 9999-12-31 (by the serial
// number written, read to the millisecond), which Excel cannot hold, stay
// text.
// A column's format code (report.Column.Format) is its cells' number format
// as given (openpyxl's number_format reads it back unchanged); numbers and
// dates stay numbers and dates, and the reader's spreadsheet shows them in
// its own locale, since a workbook stores values, not text (the document's
// locale applies to formatted text in the other formats).
//
// A table's footer (the producer's, or the row of totals) is written under
// its rows, outside the table object so that sorting and filtering leave
// it last and whole (it is not the table's totals row, whose totals
// would be expected to follow the filter): bold,
// with a rule above, numbers as numbers with their column's format (counts
// in the row of totals as #,##0), never formulas, since folio computes the
// totals exactly.
//
// A cell with a link (its own, or its column's template) is a real
// hyperlink, shown blue and underlined: a <hyperlink> in the worksheet and
// an external relationship in its .rels part, written by folio's own zip
// writer, since excelize's StreamWriter cannot (see links.go); non-ASCII
// characters of a link are percent-encoded. A worksheet holds at most
// [MaxLinks] hyperlinks (Excel's limit); linked cells past it on a
// worksheet show their value without a link.
//
// Every string is an inline string cell, never a formula, whatever it
// starts with (=, +, -, @); a cell whose text has line breaks wraps. Control characters that XML cannot carry are
// shown as Unicode control pictures (U+0001 as ␁), U+FFFE and U+FFFF and
// invalid UTF-8 as U+FFFD. Text over Excel's 32,767 characters per cell is
// cut and ends with [TruncatedMarker].
//
// # Tables
//
// Each table's header and data rows are a table object (a ListObject), with
// filter buttons and the banded [Renderer.TableStyle] ([DefaultTableStyle]),
// several on one worksheet in [Renderer.OneSheet] mode. Its header has no
// fill, so that the table style colours it. Its name comes from the
// caption: letters, marks, ASCII digits and periods stay, other runs of
// characters become "_", a name that does not start with a letter or
// that reads as a cell reference (A1, R1C1) gets a leading "_", an empty
// one is "TableN" (N counting tables from 1), and names taken, compared
// without regard to case, get "_2", "_3" and so on. Its columns are named
// by their captions, which the header cells then show: an empty caption
// becomes "Column" and its position, a caption taken gets the smallest
// number from 2 that frees it, as Excel names the columns of a new table.
// A table without rows, and every table with [Renderer.NoTables], gets a
// bare autofilter instead (the first on a worksheet only). folio writes
// the table parts, relationships and content types itself (see tables.go).
//
// # Printing
//
// Every worksheet prints fitted to the page width, on as many pages as it
// takes, with Excel's normal margins, on [Renderer.Paper] (by default
// Letter for a locale whose region uses it, A4 otherwise), in landscape
// when its columns are wider than the paper's printable width upright.
// The header row of a worksheet's table repeats on every printed page
// (print titles), unless the worksheet holds several tables.
//
// # Limits
//
// A table with more rows than a worksheet holds (1,048,576 with the
// header) continues on the next worksheet, named like the first with a
// number, with the header repeated. A table with more than 16,384 columns
// fails with [ErrTooManyColumns] before anything is written.
//
// # Output
//
// Nothing is written to the destination until the whole document has been
// read; an error leaves nothing, or a part of the archive, in it, and
// temporary files are removed on every path. The same document gives the
// same bytes: the document properties carry [DefaultCreated] unless
// [Renderer.Created] is set, and worksheets are stored in sheet order.
// Worksheet entries are compressed with klauspost/compress's DEFLATE.
// Entries of over 4 GiB uncompressed (a single worksheet of tens of
// millions of cells) are written as ZIP64, which Excel may refuse.
package xlsx
