// Command gen writes a report document with one large table for benchmarks:
// mixed strings (German, Greek, Cyrillic, CJK), integers, decimals,
// negatives, booleans and nulls, in a fixed pseudo-random order.
//
//	go run ./bench/gen -rows 1000000 -cols 10 > big.json
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	rows := flag.Int("rows", 100000, "number of rows")
	cols := flag.Int("cols", 10, "number of columns")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer w.Flush()
	words := []string{"Straße", "Ωμέγα", "Москва", "東京", "Workpack A", "GVI", "Test Asset", "Überprüfung", "naïve café", "Ελλάδα"}
	fmt.Fprintf(w, `{"title":"Benchmark report","elements":[{"type":"table","caption":"Data","data":{"columns":[`)
	types := make([]int, *cols)
	for c := range *cols {
		if c > 0 {
			w.WriteByte(',')
		}
		types[c] = c % 5
		fmt.Fprintf(w, `{"caption":"Column %d"}`, c+1)
	}
	w.WriteString(`],"rows":[`)
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, 64)
	for i := range *rows {
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `{"sourceKey":%d,"cells":[`, i+1)
		for c := range *cols {
			if c > 0 {
				w.WriteByte(',')
			}
			w.WriteString(`{"value":`)
			buf = buf[:0]
			switch types[c] {
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
			w.Write(buf)
			w.WriteByte('}')
		}
		w.WriteString("]}")
	}
	w.WriteString("]}}]}\n")
}
