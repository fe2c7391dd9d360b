// Package pdf renders report documents as paginated PDF with
// codeberg.org/go-pdf/fpdf.
//
// # Layout
//
// Pages are A4 (or Letter), portrait unless a table needs landscape. The
// document title heads the first page; headings, paragraphs and tables
// follow, and every page has "Page N of M" in its footer, or the
// document's own footer line (its page member; an empty one prints none).
// A page header line and logo (see report.Page) go in a band above the body
// of every page, the logo at the left (at its width, or narrower to be at
// most 15 mm tall), the header line at the right (at the left without a
// logo), with a rule below; the body starts below them. Header and footer
// lines are one line of 8 pt text, cut with an ellipsis when too long;
// {page} and {pages} print in the Go font. The logo's image is stored once
// and drawn on every page, so it adds a few bytes per page; a PNG is
// decoded and stored again as 8-bit RGB with an alpha mask, which fpdf
// takes whatever the original's depth or interlacing, a JPEG as it is.
//
// The document has an outline (bookmarks), in document order: the title,
// then the headings nested by level (a level may only go one deeper than
// the heading before it, as an outline nests), and table captions under
// the heading they follow. The catalog's /Lang is the document's locale
// ("en" without one). Paragraph runs
// marked as Markdown are parsed with goldmark: emphasis is italic, strong
// emphasis bold, code spans monospaced, and http, https and mailto links
// are blue, underlined and clickable; other Markdown shows as its text,
// and raw HTML as the characters it is written with.
//
// Tables have their caption above them (kept on the page of the header
// and the first row), a shaded header row repeated at the top of every
// page, light zebra striping and a rule below. Column widths come from the
// header and the first 200 rows: natural widths when they fit, otherwise
// each column gets at least its longest word (up to 136 pt, beyond which
// words are broken between characters) and a share of the rest. Text wraps
// inside cells. A row never splits across pages unless it is taller than a
// page; then it continues on the next page below a repeated header. Number
// columns (declared, or whose sampled values are all numbers) are
// right-aligned, unless the column sets its alignment. Numbers print as
// their JSON text, or, in a column with a format, as the formatted text in
// the document's locale (report.Column.AppendText: the text HTML and
// Markdown show). A space the fonts lack, such as the narrow no-break
// space French groups digits with, is drawn as a space the fonts have. A
// cell with a link (its own, or its column's template) is drawn in the
// link color, underlined, under a link annotation (URI action,
// percent-encoded outside ASCII) over the cell. A table's footer (the
// producer's, or the row of totals) is drawn once, after the last row,
// below a rule, in bold, never repeated on each page; with column groups,
// after the last row of each group.
//
// With Orientation Auto, a table goes on landscape pages when its columns'
// longest words do not fit the portrait width, or when short values would
// wrap in more than a fifth of the sampled rows in portrait and in less than
// half as many in landscape. A table too wide even for a landscape page is
// cut into column groups that each fit, the first column repeated in every
// group: rows are read in blocks of one page, and each block is drawn once
// per group, each group on its own page with the caption followed by
// "(columns 1, 15–24 of 24; part 2 of 2)". Nothing is clipped.
//
// # Fonts and characters
//
// The Go fonts (golang.org/x/image/font/gofont: regular, bold, italic,
// bold italic, mono) are embedded as subsets, so Latin, Greek and Cyrillic
// text shows and extracts as text. They lack Chinese, Japanese and Korean:
// Renderer.Fonts (or the option font=PATH, and font-bold, font-italic,
// font-bold-italic, font-mono) adds TrueType fonts that are used before the
// Go fonts, character by character. A character that no font has, and
// characters that cannot be shown at all (control characters, invalid
// UTF-8, private-use and non-characters, and anything outside the Basic
// Multilingual Plane, such as emoji, which fpdf cannot encode), print as
// U+FFFD, and the document ends with a note saying how many there were and
// how to supply a font. Tabs print as spaces and line breaks break lines.
//
// # Memory and limits
//
// Render draws pages with its own compact content streams (one text object
// per row, relative moves, no per-cell graphics state), handed to fpdf once
// per page, and fpdf (folio's patched copy, third_party/fpdf) compresses
// each page as soon as it is complete, on another goroutine while the next
// page is drawn, and writes it out: memory does not grow with the page
// count, and the bytes do not depend on the number of processors. The page count in the footers, unknown until the end, is a
// form XObject that every page draws and that is written last. A
// 100,000-row, 10-column table (bench/pdf.sh) takes 4,526 landscape pages
// and about 40 MB of peak RSS, with or without a link in four cells of
// each row; only the fonts' subsets and the cross-reference table wait for
// the end. When compressed, the pages' dictionaries, with their link
// annotations, go into compressed object streams, eight pages to a stream,
// and the cross-reference table is a compressed stream (PDF 1.5): that
// table is 19 MB with its 400,000 links, not 61 MB, and 9.8 MB without.
// MaxPages (option max-pages, default DefaultMaxPages, 10,000 pages) bounds
// a render: a document that needs more fails with ErrPageLimit.
//
// On error, w may hold the first pages of an unfinished file (no trailer),
// as render.Renderer allows. The output is the same for the same input (the
// creation date is fixed unless Renderer.CreationDate sets one).
//
// # Options
//
// Through the registry (--opt key=value, ?key=value): page=A4|Letter,
// orientation=auto|portrait|landscape, max-pages=N, compress=true|false,
// font=PATH, font-bold=PATH, font-italic=PATH, font-bold-italic=PATH,
// font-mono=PATH.
package pdf
