package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/foliorender/folio/internal/pflate"
)

// TestParallelDeflate renders a worksheet of several DEFLATE blocks on one
// core and on four, and with its compressed rows in a temporary file: the
// bytes are the same, the archive's CRC-32s check, and excelize reads the
// rows back.
func TestParallelDeflate(t *testing.T) {
	const rows = 12000
	render := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var out bytes.Buffer
		if err := (&Renderer{}).Render(context.Background(), &out, benchDoc(rows)); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	one, four := render(1), render(4)
	if !bytes.Equal(one, four) {
		t.Fatalf("GOMAXPROCS=1 gives %d bytes, GOMAXPROCS=4 %d other ones", len(one), len(four))
	}
	restore := setMaxSpoolMemory(64 << 10)
	spilled := render(2)
	restore()
	if !bytes.Equal(one, spilled) {
		t.Fatalf("rows in memory give %d bytes, rows in a temporary file %d other ones", len(one), len(spilled))
	}

	zr, err := zip.NewReader(bytes.NewReader(one), int64(len(one)))
	if err != nil {
		t.Fatal(err)
	}
	var sheet *zip.File
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			sheet = f
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		// Reading to the end checks the size and the CRC-32.
		n, err := io.Copy(io.Discard, r)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if uint64(n) != f.UncompressedSize64 {
			t.Fatalf("%s: %d bytes, the directory says %d", f.Name, n, f.UncompressedSize64)
		}
	}
	if sheet == nil {
		t.Fatal("no xl/worksheets/sheet1.xml")
	}
	if sheet.UncompressedSize64 < 3*pflate.BlockSize {
		t.Fatalf("the worksheet is %d bytes: too few blocks to test", sheet.UncompressedSize64)
	}

	f, err := excelize.OpenReader(bytes.NewReader(one))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("Data", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// The title, a blank row, the header, the rows.
	if len(got) != rows+3 || len(got[2]) == 0 || got[2][0] != "Column 1" {
		t.Fatalf("%d rows, want %d and three above them, the third the header", len(got), rows)
	}
	for i, row := range got[3:] {
		want := []string{fmt.Sprintf("%s %d", benchWords[i%len(benchWords)], i), strconv.Itoa(i*7919%2000000 - 1000000)}
		if len(row) < 2 || row[0] != want[0] || row[1] != want[1] {
			t.Fatalf("row %d: %q, want %q first", i+4, row, want)
		}
	}
}
