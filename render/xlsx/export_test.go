package xlsx

// SetMaxRows lowers the row limit of a worksheet for a test and returns a
// function that restores it.
func SetMaxRows(n int) (restore func()) {
	old := maxRows
	maxRows = n
	return func() { maxRows = old }
}

// ExcelSerial and InExcelRange expose the date range check.
var (
	ExcelSerial  = excelSerial
	InExcelRange = inExcelRange
)

// PrintLine exposes the conversion of a header or footer line.
var PrintLine = printLine
