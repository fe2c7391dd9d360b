// Command barehtml is the baseline of bench/html.sh: the plain standard
// library way to turn a report document into an HTML table. It streams the
// rows with encoding/json's Decoder (Token to walk to the rows, Decode for
// each row) and writes each with html/template, reading stdin and writing
// stdout.
//
//	go run ./bench/barehtml < report.json > report.html
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
)

var page = template.Must(template.New("page").Parse(`{{define "head"}}<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
</head>
<body>
<table>
<caption>{{.Caption}}</caption>
<thead>
<tr>{{range .Columns}}<th scope="col">{{.Caption}}</th>{{end}}</tr>
</thead>
<tbody>
{{end}}{{define "row"}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}{{define "foot"}}</tbody>
</table>
</body>
</html>
{{end}}`))

type head struct {
	Title, Caption string
	Columns        []struct{ Caption string }
}

type row struct {
	Cells []struct{ Value any }
}

func main() {
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	if err := run(os.Stdin, w); err != nil {
		fmt.Fprintln(os.Stderr, "barehtml:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "barehtml:", err)
		os.Exit(1)
	}
}

// run expects the layout bench/gen writes: a title, then one table element
// whose data has its columns before its rows.
func run(in io.Reader, w io.Writer) error {
	dec := json.NewDecoder(in)
	dec.UseNumber()
	var h head
	var r row
	vals := make([]any, 0, 16)
	var walk func(path string) error
	walk = func(path string) error {
		if _, err := dec.Token(); err != nil { // {
			return err
		}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := t.(string)
			switch p := path + "/" + key; p {
			case "/title":
				err = dec.Decode(&h.Title)
			case "/elements":
				if _, err = dec.Token(); err != nil { // [
					return err
				}
				for dec.More() {
					if err = walk(p); err != nil {
						return err
					}
				}
				_, err = dec.Token() // ]
			case "/elements/caption":
				err = dec.Decode(&h.Caption)
			case "/elements/data":
				err = walk(p)
			case "/elements/data/columns":
				err = dec.Decode(&h.Columns)
			case "/elements/data/rows":
				if err = page.ExecuteTemplate(w, "head", h); err != nil {
					return err
				}
				if _, err = dec.Token(); err != nil { // [
					return err
				}
				for dec.More() {
					r.Cells = r.Cells[:0]
					if err = dec.Decode(&r); err != nil {
						return err
					}
					vals = vals[:0]
					for _, c := range r.Cells {
						if c.Value == nil {
							c.Value = ""
						}
						vals = append(vals, c.Value)
					}
					if err = page.ExecuteTemplate(w, "row", vals); err != nil {
						return err
					}
				}
				if _, err = dec.Token(); err != nil { // ]
					return err
				}
				err = page.ExecuteTemplate(w, "foot", nil)
			default:
				var skip json.RawMessage
				err = dec.Decode(&skip)
			}
			if err != nil {
				return err
			}
		}
		_, err := dec.Token() // }
		return err
	}
	return walk("")
}
