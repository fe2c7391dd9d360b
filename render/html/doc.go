// Package html renders a folio report as HTML: a standalone HTML5 document
// (charset, title, viewport, an embedded stylesheet with a print style and
// a dark palette, a Content-Security-Policy) or, with [Renderer.Fragment],
// a <div class="folio"> to embed in another page, styled by [CSS].
//
// The page's lang is [Renderer.Lang], else the document's locale, else "en"
// (a fragment without either has none, and inherits its page's). A
// language written right to left (Arabic, Hebrew, Persian, Urdu …) also
// gets dir="rtl": text, captions and cells then start at the right, and the
// columns run from right to left.
//
// The page title is the document title, else the first element's heading
// text or table caption, else "Report": the <title> is written before the
// first element, so later elements are not looked at. The document title is
// also shown as an <h1>; headings keep their level (<h1> to <h6>).
//
// Tables have a <caption>, a <thead> of <th scope="col"> cells and a
// <tbody> whose rows are written as they are pulled, so a table of any
// length renders in constant memory. Cells of number columns, and number
// cells of untyped columns, carry the class "num" and are right-aligned;
// a column's Align adds the class "left", "center" or "right", which wins.
// Cells of date and datetime columns hold a <time datetime="…"> element.
// A column with a format shows the formatted text in the document's locale
// (report.Column.AppendText, the text PDF and Markdown show too) and keeps
// a number's exact value in data-value="…" and a date's in <time>. A
// cell's link (its own, or its column's template) wraps its text in
// <a href="…" rel="noopener noreferrer">, for http, https and mailto URLs
// only. A table's footer (the producer's, or the row of totals) is a
// <tfoot> after the rows, printed once, not on every page.
// On screen a table scrolls inside its own box (a focusable region labelled
// by the caption), horizontally when it is wide and vertically when it is
// longer than the window, with its header row kept in view; printed, its
// header repeats on every page, and a table wider than the page is squeezed
// to fit rather than cut off ([Renderer.Landscape] prints on landscape
// pages).
//
// Every string from the document (title, headings, captions, cells, plain
// paragraph text) is escaped, so no data can become markup. Invalid UTF-8,
// control characters other than whitespace and Unicode noncharacters are
// replaced by U+FFFD. Line breaks in plain paragraph text become <br>; in
// cells they are kept by the stylesheet (white-space: pre-line).
//
// Markdown runs of paragraphs are rendered by goldmark, inline syntax only:
// emphasis, strong, code spans, links and autolinks. Every line is text:
// indentation is not code, blank lines become line breaks. Raw HTML is not
// recognised and shows as text; links keep their target only for http,
// https and mailto URLs and relative ones, other schemes (javascript:,
// vbscript:, data: …) lose the link but keep its text; images show their
// alternative text, so a report loads nothing from elsewhere. A standalone
// document also carries a Content-Security-Policy that allows no script and
// no external resource.
//
// A document's page member (report.Page) shows on screen as a <header>
// above the report, the logo as an <img> from a data: URL (alt text the
// document's title, or empty, as decorative, without one; width and height
// in CSS pixels from its millimetres) and the header line beside it, and a
// <footer> below it with the footer line; on screen the report is one
// page, so {page} and {pages} are 1. Printed, a standalone document puts
// them in @page margin boxes instead (the logo as the background of
// @top-left, the header line in @top-right, or @top-left without a logo,
// the footer in @bottom-center), where counter(page) and counter(pages)
// number every page, and hides the on-screen header and footer. Chromium
// prints margin boxes since version 131 (checked with 156: the logo,
// header and "Page N of M" on every page); a browser without them prints
// neither header nor footer. position: fixed would repeat them in
// Chromium too, but covers the body and cannot number pages. The margin
// boxes' text is in CSS strings with every character but letters, digits
// and spaces hex-escaped, so the per-document stylesheet stays one
// stylesheet, allowed by its hash; a logo adds "img-src data:" to the
// policy, and only then. A fragment has no stylesheet, so no margin boxes:
// it prints its header and footer once, like the screen.
package html
