// Command barexlsx is the bare baseline for folio's XLSX benchmark: the
// plainest excelize program for the job, encoding/json streamed row by row
// (Token to walk the document, Decode for each row, UseNumber) into
// excelize's StreamWriter, one worksheet per table, saved with SaveAs. It
// checks nothing beyond what decoding needs and does no styling.
//
//	barexlsx OUT.xlsx < in.json
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/xuri/excelize/v2"
)

type row struct {
	Cells []struct {
		Value any `json:"value"`
	} `json:"cells"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: barexlsx OUT.xlsx < in.json")
		os.Exit(2)
	}
	if err := run(os.Stdin, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "barexlsx:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out string) error {
	f := excelize.NewFile()
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(in, 64<<10))
	dec.UseNumber()
	var (
		sw     *excelize.StreamWriter
		tables int
		vals   []any
		n      int
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			continue
		}
		switch key {
		case "columns":
			var cols []struct {
				Caption string `json:"caption"`
			}
			if err := dec.Decode(&cols); err != nil {
				return err
			}
			if sw != nil {
				if err := sw.Flush(); err != nil {
					return err
				}
			}
			tables++
			name := "Sheet" + strconv.Itoa(tables)
			if tables > 1 {
				if _, err := f.NewSheet(name); err != nil {
					return err
				}
			}
			if sw, err = f.NewStreamWriter(name); err != nil {
				return err
			}
			vals = vals[:0]
			for _, c := range cols {
				vals = append(vals, c.Caption)
			}
			if err := sw.SetRow("A1", vals); err != nil {
				return err
			}
			n = 1
		case "rows":
			if _, err := dec.Token(); err != nil { // [
				return err
			}
			for dec.More() {
				var r row
				if err := dec.Decode(&r); err != nil {
					return err
				}
				vals = vals[:0]
				for _, c := range r.Cells {
					switch v := c.Value.(type) {
					case json.Number:
						if i, err := v.Int64(); err == nil {
							vals = append(vals, i)
						} else {
							fl, _ := v.Float64()
							vals = append(vals, fl)
						}
					default:
						vals = append(vals, v)
					}
				}
				n++
				cell, _ := excelize.CoordinatesToCellName(1, n)
				if err := sw.SetRow(cell, vals); err != nil {
					return err
				}
			}
		}
	}
	if sw != nil {
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.SaveAs(out)
}
