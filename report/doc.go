// Package report is folio's document model and its streaming decoder.
//
// A report is a [Document]: an optional title and a sequence of elements —
// [*Table] (a caption, [Column]s and a stream of [Row]s of [Value]s),
// [*Paragraph] (runs of plain or Markdown text) and [*Heading]. [Read]
// decodes one from JSON lazily: elements are decoded as they are pulled
// from [Document.Elements] and rows as they are pulled from [Table.Rows],
// so a table of a million rows passes through in constant memory. Go
// programs build documents with [New], [NewStream] and [NewTable] from any
// iter.Seq2 of rows, such as the rows of a database query.
//
// Numbers are shown as readers expect them without losing their exact
// text: a document's locale ([Document.Locale]) and a column's Excel
// number-format code ([Column.Format], parsed once by package numfmt) give
// the text every renderer shows ([Column.AppendText]); cells link with
// checked URLs ([Value.Link], [Column.AppendLink]); a table's footer is the
// producer's ([Table.Footer]) or a row of column totals computed exactly
// as the rows stream past ([Table.FooterRows]).
//
// A document's page member ([Document.Page], [Page]) holds what every
// printed page shows: header and footer lines with {title}, {page} and
// {pages} ([PageText]), and a PNG or JPEG logo embedded in the document
// ([Logo]), decoded in full and checked before any element is read.
//
// Decoding is strict (see [Read]); a problem is reported as a [*Violation]
// holding an RFC 6901 JSON Pointer and a plain sentence, mid-stream if that
// is where it is found.
package report
