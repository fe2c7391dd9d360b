package pdf

import "testing"

// wide is n runes of advance 4000 (the largest a face gives), whose total
// is more than 2^31.
func wide(n int) ([]rune, []int16) {
	rs, ws := make([]rune, n), make([]int16, n)
	for i := range rs {
		rs[i], ws[i] = 'x', 4000
	}
	return rs, ws
}

const overflowing = 540_000 // * 4000 > 2^31

func TestTableWrapOverflow(t *testing.T) {
	rs, ws := wide(overflowing)
	var tt tableText
	tt.runes, tt.widths, tt.faces = rs, ws, make([]*face, len(rs))
	tt.cells = []cell{{start: 0, end: len(rs), sum: textSum{em: int64(overflowing) * 4000}}} // as shapeText sums it
	natural, word := make([]int64, 1), make([]int64, 1)
	measure(&tt, natural, word)
	if want := int64(overflowing) * 4000; natural[0] != want || word[0] != want {
		t.Errorf("measure = %d, %d, want %d", natural[0], word[0], want)
	}
	g := newGroup([]int{0}, []float64{100})
	var tw tableWriter
	tw.wrap(g, &tt)
	if n := len(tt.cells[0].lines); n < overflowing/10 {
		t.Errorf("cell wrapped in %d lines, want at least %d", n, overflowing/10)
	}
}
