// Command gen writes a report document with one large table for benchmarks
// (see internal/benchdoc):
//
//	go run ./bench/gen -rows 1000000 -cols 10 > big.json
//
// With -numbers, the document has the locale de-DE and a format, a total
// and a link template on every number column (benchdoc.NumberColumns).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/foliorender/folio/internal/benchdoc"
)

func main() {
	rows := flag.Int("rows", 100000, "number of rows")
	cols := flag.Int("cols", 10, "number of columns")
	numbers := flag.Bool("numbers", false, "formats, totals and links on the number columns")
	flag.Parse()
	if err := benchdoc.WriteNumbers(os.Stdout, *rows, *cols, *numbers); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
