package pdf

import (
	"github.com/foliorender/folio/report"
)

// Type sizes of key figures, in points.
const (
	fieldSize    = 10.0
	fieldLeading = 13.5
	fieldGap     = 12.0 // between the label and the value column
)

// Fields draws key figures as a block of two columns, labels in bold on
// the left and values, formatted and linked as cells are, on the right.
// An item is never split across pages: one that does not fit below the
// last starts a new page (unless it is taller than a page).
func (d *docWriter) Fields(f *report.Fields) error {
	c := d.c
	if err := c.ensure(d.landscape()); err != nil {
		return err
	}
	if c.used {
		c.y += 4
	}
	width := c.width()
	// The label column is as wide as the widest label, up to 40 % of the
	// line.
	labelW := 0.0
	for _, it := range f.Items {
		in, err := d.inlineAt(fieldSize, fieldLeading, 0, 1e6, true)
		if err != nil {
			return err
		}
		in.add(bold, []byte(it.Label), "")
		labelW = max(labelW, float64(in.width)*fieldSize/1000)
	}
	labelW = min(labelW, width*0.4)
	valueX, valueW := c.left()+labelW+fieldGap, width-labelW-fieldGap
	texts := make([][]byte, len(f.Items))
	links := make([]string, len(f.Items))
	heights := make([]float64, len(f.Items))
	for i, it := range f.Items {
		col := it.Column()
		texts[i] = col.AppendText(nil, it.Value, d.loc)
		links[i] = string(col.AppendLink(nil, it.Value))
		nl, err := d.fieldLines(bold, []byte(it.Label), "", labelW)
		if err != nil {
			return err
		}
		nv, err := d.fieldLines(regular, texts[i], links[i], valueW)
		if err != nil {
			return err
		}
		heights[i] = float64(max(nl, nv)) * fieldLeading
	}
	// The caption stays with the first item.
	first := 0.0
	if len(heights) > 0 {
		first = heights[0]
	}
	if f.Caption != "" {
		if err := c.need(captionSize*1.35+2+first, d.landscape()); err != nil {
			return err
		}
		if err := d.tableCaption(f.Caption, ""); err != nil {
			return err
		}
		c.y += 2
	}
	for i, it := range f.Items {
		h := heights[i]
		if err := c.need(h, d.landscape()); err != nil {
			return err
		}
		top := c.y
		side := top+h <= c.bottom() // else the item is taller than a page: its value goes below its label
		if err := d.fieldText(bold, []byte(it.Label), "", c.left(), labelW); err != nil {
			return err
		}
		if side {
			c.y = top
		}
		if err := d.fieldText(regular, texts[i], links[i], valueX, valueW); err != nil {
			return err
		}
		if side {
			c.y = top + h
		}
		c.hline(c.left(), c.y+1, width, 0.25)
		c.y += 3
	}
	c.used = true
	c.y += 6
	return nil
}

// fieldLines returns how many lines s takes in a column of width w.
func (d *docWriter) fieldLines(st style, s []byte, link string, w float64) (int, error) {
	in, err := d.inlineAt(fieldSize, fieldLeading, 0, w, true)
	if err != nil {
		return 0, err
	}
	in.add(st, s, link)
	if err := in.close(); err != nil {
		return 0, err
	}
	return in.lines, nil
}

// fieldText draws s in a column of width w at x, below y.
func (d *docWriter) fieldText(st style, s []byte, link string, x, w float64) error {
	in, err := d.inlineAt(fieldSize, fieldLeading, x, w, false)
	if err != nil {
		return err
	}
	in.add(st, s, link)
	d.bad += in.bad
	return in.close()
}
