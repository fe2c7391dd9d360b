// Command gen writes a report document with one large table for benchmarks
// (see internal/benchdoc):
//
//	go run ./bench/gen -rows 1000000 -cols 10 > big.json
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
	flag.Parse()
	if err := benchdoc.Write(os.Stdout, *rows, *cols); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
