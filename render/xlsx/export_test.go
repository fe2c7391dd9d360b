package xlsx

// SetMaxRows lowers the row limit of a worksheet for a test and returns a
// function that restores it.
func SetMaxRows(n int) (restore func()) {
	old := maxRows
	maxRows = n
	return func() { maxRows = old }
}

// SetMaxSpoolMemory lowers how many compressed bytes of a worksheet's rows
// are kept in memory for a test and returns a function that restores it.
func SetMaxSpoolMemory(n int) (restore func()) { return setMaxSpoolMemory(n) }

func setMaxSpoolMemory(n int) (restore func()) {
	old := maxSpoolMemory
	maxSpoolMemory = n
	return func() { maxSpoolMemory = old }
}

// ExcelSerial and InExcelRange expose the date range check.
var (
	ExcelSerial  = excelSerial
	InExcelRange = inExcelRange
)

// KeepsNumber reports whether the JSON number text is written as a number
// (true) or, its digits being more than a spreadsheet keeps, as text.
func KeepsNumber(s string) bool {
	_, ok := excelNumber([]byte(s))
	return ok
}

// PrintLine exposes the conversion of a header or footer line.
var PrintLine = printLine
