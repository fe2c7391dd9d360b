package report

// SetScanRows turns the row scanner on or off for the documents read
// after it, and returns what restores it.
func SetScanRows(on bool) (restore func()) {
	was := scanRows
	scanRows = on
	return func() { scanRows = was }
}

// ScannedRows returns how many rows of doc the row scanner accepted.
func ScannedRows(doc *Document) int {
	if doc.dec.feed == nil {
		return 0
	}
	return doc.dec.feed.scanned
}

// RowParses returns how many times the row scanner began to parse a row
// of doc, a row parsed again counted again.
func RowParses(doc *Document) int {
	if doc.dec.feed == nil {
		return 0
	}
	return doc.dec.feed.parses
}
