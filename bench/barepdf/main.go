// Command barepdf is the bare baseline for folio's PDF benchmark: a plain
// fpdf table loop over the same streamed input. It decodes with
// encoding/json (Token to walk the document, Decode for each row,
// UseNumber), and draws every cell with fpdf's CellFormat in a UTF-8 Go
// font: fixed column widths, a border per cell, zebra fill on every other
// row, the header repeated by a header function and "Page N of M" by a
// footer function. It does not wrap text, measure columns or limit pages.
//
//	barepdf < in.json > out.pdf
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

type row struct {
	Cells []struct {
		Value any `json:"value"`
	} `json:"cells"`
}

func main() {
	pages, err := run(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "barepdf:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "pages: %d\n", pages)
}

func run(in io.Reader, out io.Writer) (int, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(in, 64<<10))
	dec.UseNumber()
	pdf := fpdf.New("P", "pt", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetMargins(40, 40, 40)
	pdf.SetAutoPageBreak(true, 46)
	pdf.AliasNbPages("")
	var caps []string
	var w float64
	const h = 14
	pdf.SetHeaderFunc(func() {
		pdf.SetFont("go", "B", 8.5)
		pdf.SetFillColor(220, 220, 220)
		for _, c := range caps {
			pdf.CellFormat(w, h, c, "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("go", "", 8.5)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-30)
		pdf.SetFont("go", "", 8)
		pdf.CellFormat(0, 10, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	text := make([]string, 0, 16)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
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
				return 0, err
			}
			caps = caps[:0]
			for _, c := range cols {
				caps = append(caps, c.Caption)
			}
			pw, _ := pdf.GetPageSize()
			w = (pw - 80) / float64(len(caps))
			pdf.AddPage()
		case "rows":
			if _, err := dec.Token(); err != nil { // [
				return 0, err
			}
			n := 0
			for dec.More() {
				var r row
				if err := dec.Decode(&r); err != nil {
					return 0, err
				}
				text = text[:0]
				for _, c := range r.Cells {
					switch v := c.Value.(type) {
					case nil:
						text = append(text, "")
					case string:
						text = append(text, v)
					case json.Number:
						text = append(text, v.String())
					case bool:
						text = append(text, fmt.Sprint(v))
					}
				}
				if n%2 == 1 {
					pdf.SetFillColor(242, 242, 242)
				}
				for _, s := range text {
					pdf.CellFormat(w, h, s, "1", 0, "L", n%2 == 1, 0, "")
				}
				pdf.Ln(-1)
				n++
			}
		}
	}
	if err := pdf.Output(out); err != nil {
		return 0, err
	}
	return pdf.PageCount(), nil
}
