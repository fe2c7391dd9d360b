// Package json renders a report as its normalised JSON document: the same
// model folio reads, with members in the order that lets it be streamed
// again (title, locale and page before elements; type, caption and columns before
// rows; footer and sourceBusinessObject after them), one table row per
// line, numbers exactly as given and unknown members dropped. Formats,
// totals, link templates, cell links and the producer's footer are kept;
// the row of totals is not written, since the columns' totals give it
// again. Key figures (fields), page breaks and the page member (header,
// footer, logo) are kept too. Decoding the
// output gives a document equal to the input.
package json

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/foliorender/folio/internal/bufpool"
	"github.com/foliorender/folio/report"
)

// A Renderer writes the normalised JSON document. The zero value is ready.
type Renderer struct{}

const checkEvery = 4096

// Render writes doc as JSON to w.
func (r *Renderer) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e := &enc{ctx: ctx, w: bufpool.Get(w)}
	defer bufpool.Put(e.w)
	e.w.WriteByte('{')
	if t := doc.Title(); t != "" {
		e.w.WriteString(`"title":`)
		e.str(t)
		e.w.WriteByte(',')
	}
	if l := doc.Locale(); l != nil {
		e.w.WriteString(`"locale":`)
		e.str(l.Tag)
		e.w.WriteByte(',')
	}
	if p := doc.Page(); p != nil {
		e.page(p)
	}
	e.w.WriteString(`"elements":[`)
	n := 0
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if n > 0 {
			e.w.WriteByte(',')
		}
		e.w.WriteByte('\n')
		n++
		if err := report.Visit(el, e); err != nil {
			return err
		}
		if _, err := e.w.Write(nil); err != nil {
			return err
		}
	}
	if n > 0 {
		e.w.WriteByte('\n')
	}
	e.w.WriteString("]}\n")
	return e.w.Flush()
}

// page writes the page member and a comma: the header and footer as
// written, the logo's data in standard base64.
func (e *enc) page(p *report.Page) {
	e.w.WriteString(`"page":{`)
	sep := ""
	for _, m := range []struct {
		name string
		t    *report.PageText
	}{{"header", p.Header}, {"footer", p.Footer}} {
		if m.t != nil {
			e.w.WriteString(sep + `"` + m.name + `":`)
			e.str(m.t.String())
			sep = ","
		}
	}
	if l := p.Logo; l != nil {
		e.w.WriteString(sep + `"logo":{"type":`)
		e.str(l.Type)
		if l.Width != 0 {
			e.w.WriteString(`,"width":`)
			e.w.WriteString(strconv.FormatFloat(l.Width, 'g', -1, 64))
		}
		e.w.WriteString(`,"data":"`)
		b64 := base64.NewEncoder(base64.StdEncoding, e.w)
		b64.Write(l.Data)
		b64.Close()
		e.w.WriteString(`"}`)
	}
	e.w.WriteString("},")
}

type enc struct {
	ctx context.Context
	w   *bufio.Writer
	buf []byte
}

// Paragraph writes a paragraph element.
func (e *enc) Paragraph(p *report.Paragraph) error {
	e.w.WriteString(`{"type":"paragraph",`)
	e.block(p.Block)
	e.w.WriteString(`"data":{"text":[`)
	for i, run := range p.Runs {
		if i > 0 {
			e.w.WriteByte(',')
		}
		e.w.WriteString(`{"value":`)
		e.str(run.Text)
		if run.Markdown {
			e.w.WriteString(`,"markdown":true`)
		}
		e.w.WriteByte('}')
	}
	e.w.WriteString("]}}")
	return nil
}

// Heading writes a heading element.
func (e *enc) Heading(h *report.Heading) error {
	e.w.WriteString(`{"type":"heading",`)
	e.block(h.Block)
	e.w.WriteString(`"data":{"text":`)
	e.str(h.Text)
	if level := max(1, min(6, h.Level)); level != 1 {
		e.w.WriteString(`,"level":`)
		e.w.WriteString(strconv.Itoa(level))
	}
	e.w.WriteString("}}")
	return nil
}

// Fields writes a fields element, an item per line.
func (e *enc) Fields(f *report.Fields) error {
	e.w.WriteString(`{"type":"fields",`)
	e.block(f.Block)
	if f.Caption != "" {
		e.w.WriteString(`"caption":`)
		e.str(f.Caption)
		e.w.WriteByte(',')
	}
	e.w.WriteString(`"data":{"items":[`)
	for i, it := range f.Items {
		if i > 0 {
			e.w.WriteByte(',')
		}
		e.w.WriteString("\n{\"label\":")
		e.str(it.Label)
		e.w.WriteString(`,"value":`)
		e.value(it.Value)
		if it.Format != nil {
			e.w.WriteString(`,"format":`)
			e.str(it.Format.String())
		}
		if l := it.Value.Link(); l != "" {
			e.w.WriteString(`,"link":`)
			e.str(l)
		}
		e.w.WriteByte('}')
	}
	e.w.WriteString("]}}")
	return nil
}

// block writes the members every element has, each followed by a comma.
func (e *enc) block(b report.Block) {
	if b.PageBreak != report.BreakNone {
		e.w.WriteString(`"pageBreak":`)
		e.str(string(b.PageBreak))
		e.w.WriteByte(',')
	}
}

// Table writes a table element, a row per line.
func (e *enc) Table(t *report.Table) error {
	ctx := e.ctx
	e.w.WriteString(`{"type":"table",`)
	e.block(t.Block)
	if t.Caption != "" {
		e.w.WriteString(`"caption":`)
		e.str(t.Caption)
		e.w.WriteByte(',')
	}
	e.w.WriteString(`"data":{"columns":[`)
	for i, c := range t.Columns {
		if i > 0 {
			e.w.WriteByte(',')
		}
		e.w.WriteString(`{"caption":`)
		e.str(c.Caption)
		if c.Type != "" {
			e.w.WriteString(`,"type":`)
			e.str(string(c.Type))
		}
		if c.Align != "" {
			e.w.WriteString(`,"align":`)
			e.str(string(c.Align))
		}
		if c.Format != nil {
			e.w.WriteString(`,"format":`)
			e.str(c.Format.String())
		}
		if c.Total != "" {
			e.w.WriteString(`,"total":`)
			e.str(string(c.Total))
		}
		if c.Link != "" {
			e.w.WriteString(`,"link":`)
			e.str(c.Link)
		}
		e.w.WriteByte('}')
	}
	e.w.WriteString(`],"rows":[`)
	n := 0
	for row, err := range t.Rows() {
		if err != nil {
			return err
		}
		if n > 0 {
			e.w.WriteByte(',')
		}
		e.row(row)
		if n++; n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := e.w.Write(nil); err != nil {
				return err
			}
		}
	}
	e.w.WriteString("]")
	// The footer and the source come after the rows: a decoded table may
	// name them late. The row of totals is not written: the columns' totals
	// make it again.
	if t.Footer != nil {
		e.w.WriteString(`,"footer":[`)
		for k, row := range t.Footer {
			if k > 0 {
				e.w.WriteByte(',')
			}
			e.row(row)
		}
		e.w.WriteString("]")
	}
	if t.Source != "" {
		e.w.WriteString(`,"sourceBusinessObject":`)
		e.str(t.Source)
	}
	e.w.WriteString("}}")
	return nil
}

// row writes a row on a line of its own.
func (e *enc) row(row report.Row) {
	e.w.WriteString("\n{")
	if !row.SourceKey.IsNull() {
		e.w.WriteString(`"sourceKey":`)
		e.value(row.SourceKey)
		e.w.WriteByte(',')
	}
	e.w.WriteString(`"cells":[`)
	for i, v := range row.Cells {
		if i > 0 {
			e.w.WriteByte(',')
		}
		e.w.WriteString(`{"value":`)
		e.value(v)
		if l := v.Link(); l != "" {
			e.w.WriteString(`,"link":`)
			e.str(l)
		}
		e.w.WriteByte('}')
	}
	e.w.WriteString("]}")
}

func (e *enc) value(v report.Value) {
	switch v.Kind() {
	case report.KindNull:
		e.w.WriteString("null")
	case report.KindString:
		e.bytes(v.Bytes())
	default:
		e.w.Write(v.Bytes())
	}
}

func (e *enc) str(s string) {
	e.buf = append(e.buf[:0], s...)
	e.bytes(e.buf)
}

const hex = "0123456789abcdef"

// bytes writes b as a JSON string: control characters, quote and backslash
// escaped, U+2028 and U+2029 escaped for JavaScript, invalid UTF-8 replaced.
func (e *enc) bytes(b []byte) {
	w := e.w
	w.WriteByte('"')
	start := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			w.Write(b[start:i])
			switch c {
			case '"', '\\':
				w.WriteByte('\\')
				w.WriteByte(c)
			case '\n':
				w.WriteString(`\n`)
			case '\r':
				w.WriteString(`\r`)
			case '\t':
				w.WriteString(`\t`)
			default:
				w.WriteString(`\u00`)
				w.WriteByte(hex[c>>4])
				w.WriteByte(hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			w.Write(b[start:i])
			w.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			w.Write(b[start:i])
			w.WriteString(`\u202`)
			w.WriteByte(hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	w.Write(b[start:])
	w.WriteByte('"')
}
