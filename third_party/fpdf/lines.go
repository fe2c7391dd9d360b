// This file is folio's addition to fpdf (MIT, as the rest); see README.md.

package fpdf

import "strconv"

// outInt writes prefix, v and suffix as a line: the bytes of
// f.outf(prefix+"%d"+suffix, v), without fmt. Every page has several such
// lines (its objects' numbers, the length of its content, its line style).
func (f *Fpdf) outInt(prefix string, v int, suffix string) {
	b := append(f.fmt.buf[:0], prefix...)
	b = strconv.AppendInt(b, int64(v), 10)
	f.fmt.buf = append(b, suffix...)
	f.outBytes(f.fmt.buf)
}

// outFloat2 writes prefix, then each of vs with two decimals, separated by
// spaces, then suffix as a line: the bytes of f.outf with "%.2f" for each
// of vs, without fmt.
func (f *Fpdf) outFloat2(prefix string, suffix string, vs ...float64) {
	b := append(f.fmt.buf[:0], prefix...)
	for i, v := range vs {
		if i > 0 {
			b = append(b, ' ')
		}
		b = AppendFloat2(b, v)
	}
	f.fmt.buf = append(b, suffix...)
	f.outBytes(f.fmt.buf)
}
