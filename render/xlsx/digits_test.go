package xlsx_test

import (
	"context"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/numfmt"
	"github.com/foliorender/folio/render/xlsx"
	"github.com/foliorender/folio/report"
)

// findSoffice returns LibreOffice's soffice, or skips the test (fails it
// with FOLIO_REQUIRE_TOOLS=1).
func findSoffice(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("soffice")
	if err == nil {
		return path
	}
	if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
		t.Fatal("soffice not found (scripts/deps.sh installs libreoffice-calc)")
	}
	t.Skip("soffice not found (scripts/deps.sh installs libreoffice-calc)")
	return ""
}

// TestDigitsLibreOffice has LibreOffice open folio's workbook and save it
// again, and openpyxl read what it saved: numbers with more digits than a
// spreadsheet keeps come back digit for digit (as text), and ordinary
// numbers, and the exact sum of them all, stay numbers.
func TestDigitsLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	soffice, python := findSoffice(t), findPython(t)
	values := []struct {
		text    string
		numeric bool // kept as a number
	}{
		{"9007199254740992", false},
		{"12345678901234567890", false},
		{"0.1234567890123456789", false},
		{"-9007199254740993", false},
		{"123456789012345", true}, // 15 digits
		{"1234.5", true},
		{"-7", true},
		{"0.1", true},
		{"1e20", true},
	}
	var rows []report.Row
	var total numfmt.Total
	for _, v := range values {
		n, ok := report.Number(v.text)
		if !ok {
			t.Fatalf("%s is not a number", v.text)
		}
		rows = append(rows, report.Cells(report.String(v.text), n))
		if err := total.Add(v.text); err != nil {
			t.Fatal(err)
		}
	}
	cols := []report.Column{{Caption: "Text"}, {Caption: "Value", Type: report.TypeNumber, Format: numfmt.MustParse("#,##0.00"), Total: report.TotalSum}}
	dir := t.TempDir()
	in := filepath.Join(dir, "digits.xlsx")
	if err := os.WriteFile(in, render(t, &xlsx.Renderer{}, report.New("", report.NewTable("Digits", cols, report.RowsOf(rows...)))), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "saved")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	// Every cell of column B as [type, value], numbers as Python's repr
	// (the shortest text that reads back as the same float64).
	const script = `import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print(json.dumps([[c.data_type, c.value if isinstance(c.value, str) else repr(c.value)] for (c,) in ws.iter_rows(min_col=2, max_col=2) if c.value is not None]))`
	b, err := exec.Command(python, "-c", script, filepath.Join(out, "digits.xlsx")).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v", err)
	}
	var got [][2]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	// The header, the values, then the footer's sum.
	sum := total.Sum()
	if len(got) != len(values)+2 {
		t.Fatalf("column B holds %d cells, want %d: %v", len(got), len(values)+2, got)
	}
	check := func(i int, text string, numeric bool) {
		t.Helper()
		c := got[i]
		switch {
		case !numeric && (c[0] != "s" || c[1] != text):
			t.Errorf("%s came back as %s %q, want the text %q", text, c[0], c[1], text)
		case numeric && c[0] != "n":
			t.Errorf("%s came back as %s %q, want a number", text, c[0], c[1])
		case numeric:
			want, _ := report.Number(text)
			f, _ := want.Float64()
			if g, err := report.Float(f).Float64(); err != nil || pyFloat(c[1]) != g {
				t.Errorf("%s came back as %s, want %v", text, c[1], g)
			}
		}
	}
	for i, v := range values {
		check(i+1, v.text, v.numeric)
	}
	check(len(values)+1, sum, false)
	var want, got1 big.Rat
	for _, v := range values {
		var r big.Rat
		r.SetString(v.text)
		want.Add(&want, &r)
	}
	if _, ok := got1.SetString(sum); !ok || got1.Cmp(&want) != 0 {
		t.Errorf("sum %s, want %s", sum, want.FloatString(19))
	}
}

// pyFloat reads Python's repr of a number.
func pyFloat(s string) float64 {
	v, ok := report.Number(strings.TrimSuffix(s, ".0"))
	if !ok {
		return -1
	}
	f, _ := v.Float64()
	return f
}
