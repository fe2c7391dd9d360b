// Package benchdoc writes the report document that folio's benchmarks read:
// one table of mixed strings (German, Greek, Cyrillic, CJK), integers,
// decimals, negatives, booleans and nulls, in a fixed pseudo-random order.
package benchdoc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

var words = []string{"Straße", "Ωμέγα", "Москва", "東京", "Workpack A", "GVI", "Test Asset", "Überprüfung", "naïve café", "Ελλάδα"}

// Write writes a document with one table of rows × cols to w.
func Write(w io.Writer, rows, cols int) error { return WriteNumbers(w, rows, cols, false) }

// NumberColumns are the members WriteNumbers gives the two kinds of number
// column (integers and two-decimal amounts): a type, a format, a total and
// a link template.
var NumberColumns = [2]string{
	`"type":"number","format":"#,##0","total":"sum","link":"https://erp.example/items/{value}"`,
	`"type":"number","format":"\"€ \"#,##0.00;(\"€ \"#,##0.00)","total":"mean","link":"https://erp.example/amounts?v={value}"`,
}

// WriteNumbers is Write with, when numbers is set, the locale de-DE and a
// format, a total and a link template on every number column (see
// [NumberColumns]); the rows are the same.
func WriteNumbers(w io.Writer, rows, cols int, numbers bool) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if numbers {
		bw.WriteString(`{"title":"Benchmark report","locale":"de-DE","elements":[{"type":"table","caption":"Data","data":{"columns":[`)
	} else {
		bw.WriteString(`{"title":"Benchmark report","elements":[{"type":"table","caption":"Data","data":{"columns":[`)
	}
	for c := range cols {
		if c > 0 {
			bw.WriteByte(',')
		}
		if k := c % 5; numbers && (k == 1 || k == 2) {
			fmt.Fprintf(bw, `{"caption":"Column %d",%s}`, c+1, NumberColumns[k-1])
		} else {
			fmt.Fprintf(bw, `{"caption":"Column %d"}`, c+1)
		}
	}
	bw.WriteString(`],"rows":[`)
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, 64)
	for i := range rows {
		if i > 0 {
			bw.WriteString(",\n")
		}
		fmt.Fprintf(bw, `{"sourceKey":%d,"cells":[`, i+1)
		for c := range cols {
			if c > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(`{"value":`)
			buf = buf[:0]
			switch c % 5 {
			case 0:
				buf = strconv.AppendQuote(buf, words[r.IntN(len(words))]+" "+strconv.Itoa(i))
			case 1:
				buf = strconv.AppendInt(buf, r.Int64N(2000000)-1000000, 10)
			case 2:
				buf = strconv.AppendFloat(buf, float64(r.IntN(10000000))/100, 'f', 2, 64)
			case 3:
				buf = strconv.AppendBool(buf, r.IntN(2) == 0)
			default:
				if r.IntN(4) == 0 {
					buf = append(buf, "null"...)
				} else {
					buf = strconv.AppendQuote(buf, words[r.IntN(len(words))])
				}
			}
			bw.Write(buf)
			bw.WriteByte('}')
		}
		bw.WriteString("]}")
	}
	bw.WriteString("]}}]}\n")
	return bw.Flush()
}

// Bytes returns the document Write writes.
func Bytes(rows, cols int) []byte {
	var b bytes.Buffer
	Write(&b, rows, cols)
	return b.Bytes()
}

// NumbersBytes returns the document WriteNumbers writes with numbers set.
func NumbersBytes(rows, cols int) []byte {
	var b bytes.Buffer
	WriteNumbers(&b, rows, cols, true)
	return b.Bytes()
}
