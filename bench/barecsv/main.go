// Command barecsv is the bare baseline for folio's CSV benchmark: the
// plainest correct Go program for the job, encoding/json streamed row by row
// (Token to walk the document, Decode for each row, UseNumber) and
// encoding/csv. It checks nothing beyond what decoding needs.
//
//	barecsv < in.json > out.csv
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

type row struct {
	Cells []struct {
		Value any `json:"value"`
	} `json:"cells"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "barecsv:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(bufio.NewReaderSize(in, 64<<10))
	dec.UseNumber()
	bw := bufio.NewWriterSize(out, 64<<10)
	w := csv.NewWriter(bw)
	// Walk tokens to the rows array of each table; read its columns first.
	var rec []string
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
			rec = rec[:0]
			for _, c := range cols {
				rec = append(rec, c.Caption)
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		case "rows":
			if _, err := dec.Token(); err != nil { // [
				return err
			}
			for dec.More() {
				var r row
				if err := dec.Decode(&r); err != nil {
					return err
				}
				rec = rec[:0]
				for _, c := range r.Cells {
					switch v := c.Value.(type) {
					case nil:
						rec = append(rec, "")
					case string:
						rec = append(rec, v)
					case json.Number:
						rec = append(rec, v.String())
					case bool:
						rec = append(rec, fmt.Sprint(v))
					}
				}
				if err := w.Write(rec); err != nil {
					return err
				}
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
