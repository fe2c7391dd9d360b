package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"image/png"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// The limits of a document's page member (see [Page]).
const (
	// MaxPageText is the longest header or footer, in characters, before
	// placeholders are filled: a line of a printed page, and short enough
	// for a spreadsheet's print header (Excel holds 255 characters).
	MaxPageText = 200

	// MaxLogo is the largest logo, in bytes of image data (decoded from
	// base64).
	MaxLogo = 1 << 20

	// MaxLogoPixels is the most pixels (width × height) a logo may have,
	// such as 2048 × 2048. The image is decoded in full to check it, so
	// this bounds what a small, highly compressed file (a decompression
	// bomb) can cost: about 16 MiB.
	MaxLogoPixels = 1 << 22

	// MaxLogoWidth is the widest a logo may be drawn, in millimetres.
	MaxLogoWidth = 100

	// DefaultLogoWidth is the width, in millimetres, of a logo that names
	// none.
	DefaultLogoWidth = 30
)

// A Page holds what a document prints on every page (its "page" member):
// a header and a footer line, and a logo in the header. Renderers without
// pages show what they can of it (see each format's documentation).
type Page struct {
	// Header and Footer are the page's header and footer lines, or nil
	// when the document gives none. A renderer that numbers pages prints a
	// default footer when Footer is nil; an empty Footer prints none.
	Header, Footer *PageText
	// Logo is drawn in the header, or nil.
	Logo *Logo
}

// A PageText is a header or footer line: text with the placeholders
// {title} (the document's title), {page} (the page's number) and {pages}
// (the number of pages). A literal brace is written twice: "{{" and "}}".
type PageText struct {
	src   string
	parts []PagePart
}

// A PagePart is a piece of a [PageText]: literal text, or a placeholder.
type PagePart struct {
	Field PageField // PageLiteral for text
	Text  string    // the literal text, braces unescaped
}

// A PageField names what a placeholder of a [PageText] stands for.
type PageField int

const (
	PageLiteral PageField = iota // literal text
	PageTitle                    // {title}: the document's title
	PageNumber                   // {page}: the page's number, from 1
	PageCount                    // {pages}: the number of pages
)

var pageFields = map[string]PageField{"title": PageTitle, "page": PageNumber, "pages": PageCount}

// ParsePageText parses a header or footer line. It returns an error for an
// unknown placeholder, a lone brace, a control character (the text is one
// line), or text longer than [MaxPageText] characters.
func ParsePageText(s string) (*PageText, error) {
	if n := utf8.RuneCountInString(s); n > MaxPageText {
		return nil, fmt.Errorf("the text is %d characters long, more than the %d a page's header or footer may have", n, MaxPageText)
	}
	t := &PageText{src: s}
	var lit []byte
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return nil, fmt.Errorf("the text holds a control character (%U); a header or footer is one line", rune(c))
		case c == '}':
			if i+1 < len(s) && s[i+1] == '}' {
				lit = append(lit, '}')
				i += 2
				continue
			}
			return nil, fmt.Errorf("a lone } at byte %d; write }} for a brace", i)
		case c == '{':
			if i+1 < len(s) && s[i+1] == '{' {
				lit = append(lit, '{')
				i += 2
				continue
			}
			end := strings.IndexByte(s[i:], '}')
			name := ""
			if end > 0 {
				name = s[i+1 : i+end]
			}
			f, ok := pageFields[name]
			if !ok {
				what := "a lone {"
				if end > 0 {
					what = "unknown placeholder " + strconv.Quote(clip(s[i:i+end+1]))
				}
				return nil, fmt.Errorf("%s at byte %d; the placeholders are {title}, {page} and {pages}, and {{ writes a brace", what, i)
			}
			if len(lit) > 0 {
				t.parts = append(t.parts, PagePart{Text: string(lit)})
				lit = lit[:0]
			}
			t.parts = append(t.parts, PagePart{Field: f})
			i += end + 1
			continue
		}
		lit = append(lit, c)
		i++
	}
	if len(lit) > 0 {
		t.parts = append(t.parts, PagePart{Text: string(lit)})
	}
	return t, nil
}

// String returns the text as written, placeholders and escaped braces
// included, so that ParsePageText(t.String()) is t.
func (t *PageText) String() string { return t.src }

// Parts returns the text's literal pieces and placeholders in order. The
// caller must not change the slice.
func (t *PageText) Parts() []PagePart { return t.parts }

// Fill returns the text with its placeholders replaced: {title} by title,
// {page} by page and {pages} by pages.
func (t *PageText) Fill(title, page, pages string) string {
	var b strings.Builder
	for _, p := range t.parts {
		switch p.Field {
		case PageLiteral:
			b.WriteString(p.Text)
		case PageTitle:
			b.WriteString(title)
		case PageNumber:
			b.WriteString(page)
		case PageCount:
			b.WriteString(pages)
		}
	}
	return b.String()
}

// Image types of a [Logo].
const (
	ImagePNG  = "image/png"
	ImageJPEG = "image/jpeg"
)

// A Logo is an image drawn in a page's header: a PNG or JPEG file
// embedded in the document (never fetched from a URL).
type Logo struct {
	// Type is ImagePNG or ImageJPEG.
	Type string
	// Data is the image file. A decoded logo has been decoded in full and
	// found to be an image of its type, of at most MaxLogo bytes and
	// MaxLogoPixels pixels.
	Data []byte
	// Width is the width the logo is drawn at, in millimetres, above 0
	// and at most MaxLogoWidth; 0 means DefaultLogoWidth.
	Width float64
	// PixelWidth and PixelHeight are the image's size in pixels, set by
	// the decoder, [NewLogo] and [Document.SetPage].
	PixelWidth, PixelHeight int
}

// DrawWidth returns the width the logo is drawn at, in millimetres.
func (l *Logo) DrawWidth() float64 {
	if l.Width == 0 {
		return DefaultLogoWidth
	}
	return l.Width
}

// NewLogo checks an image file of type typ (ImagePNG or ImageJPEG) and
// returns it as a logo of width millimetres (0 for the default). It
// decodes the image in full and returns an error, a [*Violation] with a
// pointer relative to the logo ("/data", "/type", "/width"), when it is
// not a valid image of that type within the limits.
func NewLogo(typ string, data []byte, width float64) (*Logo, error) {
	l := &Logo{Type: typ, Data: data, Width: width}
	if v := l.check(); v != nil {
		return nil, v
	}
	return l, nil
}

// check validates the logo and sets its pixel size.
func (l *Logo) check() *Violation {
	if l.Type != ImagePNG && l.Type != ImageJPEG {
		return &Violation{Pointer: "/type", Message: fmt.Sprintf("the logo's type must be %q or %q, not %q", ImagePNG, ImageJPEG, clip(l.Type))}
	}
	if !(l.Width >= 0 && l.Width <= MaxLogoWidth) {
		return &Violation{Pointer: "/width", Message: fmt.Sprintf("the logo's width is in millimetres, above 0 and at most %d, not %v", MaxLogoWidth, l.Width)}
	}
	if len(l.Data) > MaxLogo {
		return &Violation{Pointer: "/data", Message: fmt.Sprintf("the logo is %d bytes, more than the %d (1 MiB) a logo may have", len(l.Data), MaxLogo)}
	}
	bad := func(msg string) *Violation { return &Violation{Pointer: "/data", Message: msg} }
	name, magic := "PNG", "\x89PNG\r\n\x1a\n"
	decodeConfig, decode := png.DecodeConfig, png.Decode
	if l.Type == ImageJPEG {
		name, magic = "JPEG", "\xff\xd8"
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
	}
	if !bytes.HasPrefix(l.Data, []byte(magic)) {
		return bad(fmt.Sprintf("the logo's data is not a %s image (its type says %s)", name, l.Type))
	}
	cfg, err := decodeConfig(bytes.NewReader(l.Data))
	if err != nil {
		return bad(fmt.Sprintf("the logo is not a valid %s image: %s", name, clip(err.Error())))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxLogoPixels || cfg.Width > MaxLogoPixels || cfg.Height > MaxLogoPixels {
		return bad(fmt.Sprintf("the logo is %d × %d pixels; a logo may have at most %d pixels (such as 2048 × 2048)", cfg.Width, cfg.Height, MaxLogoPixels))
	}
	if _, err := decode(bytes.NewReader(l.Data)); err != nil {
		return bad(fmt.Sprintf("the logo is not a valid %s image: %s", name, clip(err.Error())))
	}
	l.PixelWidth, l.PixelHeight = cfg.Width, cfg.Height
	return nil
}

// Page returns the document's page member, or nil if it has none. For a
// document made by [Read] it decodes the input up to the elements, as
// [Document.Title] does: a page at fault is nil, and its violation is
// returned by [Document.Elements] (or reported, see [ReadOptions]).
func (d *Document) Page() *Page {
	if d.dec != nil {
		d.dec.prologue()
		return d.dec.page
	}
	return d.page
}

// SetPage sets the page member of a document made by [New] or
// [NewStream]; nil removes it. It returns an error for a logo that
// [NewLogo] refuses, and for a document made by [Read].
func (d *Document) SetPage(p *Page) error {
	if d.dec != nil {
		return fmt.Errorf("report: SetPage on a document made by Read")
	}
	if p != nil && p.Logo != nil {
		l := *p.Logo
		if v := l.check(); v != nil {
			return &Violation{Pointer: "/page/logo" + v.Pointer, Message: v.Message}
		}
		p.Logo.PixelWidth, p.Logo.PixelHeight = l.PixelWidth, l.PixelHeight
	}
	d.page = p
	return nil
}

// readPage reads the document's page member, which is late after the
// elements: renderers print its header on the first page.
func (d *decoder) readPage(late bool) bool {
	dec := d.dec
	k := d.peek(dec)
	if k == 0 {
		return false
	}
	raw, ok := d.value(dec)
	if !ok {
		return false
	}
	if late {
		d.violate("/page", "page must come before elements, since the document is read as a stream")
		return true
	}
	if k != '{' {
		d.violate("/page", "page must be an object, not "+kindName(k))
		return true
	}
	if len(raw) > MaxHeader {
		d.violate("/page", fmt.Sprintf("the page member is over %d MiB, more than folio holds in memory", MaxHeader>>20))
		return true
	}
	p, v := parsePage(raw)
	if v != nil {
		d.violate(v.Pointer, v.Message)
		return true
	}
	d.page = p
	return true
}

// pageDepth is the depth of the page member in the document, which a
// decoder of the page alone lacks.
const pageDepth = 1

// parsePage parses the page member from its JSON text.
func parsePage(raw []byte) (*Page, *Violation) {
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	bad := func(ptr, msg string) (*Page, *Violation) { return nil, &Violation{Pointer: ptr, Message: msg} }
	p := &Page{}
	members, v := readObject(dec, "/page", pageDepth, "header", "footer", "logo")
	if v != nil {
		return nil, v
	}
	for _, m := range []struct {
		name string
		dst  **PageText
	}{{"header", &p.Header}, {"footer", &p.Footer}} {
		raw, ok := members[m.name]
		if !ok {
			continue
		}
		at := "/page/" + m.name
		if raw.Kind() != '"' {
			return bad(at, m.name+" must be a string, not "+kindName(raw.Kind()))
		}
		t, err := ParsePageText(unquote(raw))
		if err != nil {
			return bad(at, m.name+": "+err.Error())
		}
		*m.dst = t
	}
	logo, ok := members["logo"]
	if !ok {
		return p, nil
	}
	if logo.Kind() != '{' {
		return bad("/page/logo", "logo must be an object, not "+kindName(logo.Kind()))
	}
	lm, v := readObject(jsontext.NewDecoder(bytes.NewReader(logo)), "/page/logo", pageDepth+1, "data", "type", "width")
	if v != nil {
		return nil, v
	}
	l := &Logo{}
	switch data, ok := lm["data"]; {
	case !ok:
		return bad("/page/logo", "logo has no data member (a PNG or JPEG image in base64)")
	case data.Kind() != '"':
		return bad("/page/logo/data", "data must be a string, not "+kindName(data.Kind()))
	default:
		s := unquote(data)
		if base64.StdEncoding.DecodedLen(len(s)) > MaxLogo+MaxLogo/8+4 {
			return bad("/page/logo/data", fmt.Sprintf("the logo is more than the %d bytes (1 MiB) a logo may have", MaxLogo))
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad("/page/logo/data", "the logo's data is not standard base64 (RFC 4648, with padding): "+err.Error())
		}
		l.Data = b
	}
	switch typ, ok := lm["type"]; {
	case !ok:
		return bad("/page/logo", `logo has no type member ("image/png" or "image/jpeg")`)
	case typ.Kind() != '"':
		return bad("/page/logo/type", "type must be a string, not "+kindName(typ.Kind()))
	default:
		l.Type = unquote(typ)
	}
	if w, ok := lm["width"]; ok {
		if w.Kind() != '0' {
			return bad("/page/logo/width", "width must be a number, not "+kindName(w.Kind()))
		}
		f, err := strconv.ParseFloat(string(w), 64)
		if err != nil || f <= 0 || f > MaxLogoWidth {
			return bad("/page/logo/width", fmt.Sprintf("the logo's width is in millimetres, above 0 and at most %d, not %s", MaxLogoWidth, clip(string(w))))
		}
		l.Width = f
	}
	if v := l.check(); v != nil {
		return bad("/page/logo"+v.Pointer, v.Message)
	}
	p.Logo = l
	return p, nil
}

// readObject reads an object's members named in names from dec, at
// pointer at and document depth depth, skipping the others; objects and
// arrays among them are kept as their kind alone (a one-byte value).
func readObject(dec *jsontext.Decoder, at string, depth int, names ...string) (map[string]jsontext.Value, *Violation) {
	bad := func(msg string) (map[string]jsontext.Value, *Violation) {
		return nil, &Violation{Pointer: at, Message: msg}
	}
	if _, err := dec.ReadToken(); err != nil {
		return bad(err.Error())
	}
	members := map[string]jsontext.Value{}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return bad(err.Error())
		}
		name := tok.String()
		want := false
		for _, n := range names {
			want = want || n == name
		}
		k := dec.PeekKind()
		if !want || k == '[' || (k == '{' && name != "logo") {
			if msg := skipDeepAt(dec, depth); msg != "" {
				return bad(msg)
			}
			if want {
				members[name] = jsontext.Value{byte(k)}
			}
			continue
		}
		// A scalar, or the logo, held whole: its nesting is checked when
		// it is read. The value is copied, since the decoder reuses it.
		v, err := dec.ReadValue()
		if err != nil {
			return bad(err.Error())
		}
		members[name] = bytes.Clone(v)
	}
	return members, nil
}

// skipDeepAt skips the next value of a decoder whose values are depth
// levels deep in the document, holding nesting to MaxDepth; it returns a
// message when the value nests deeper.
func skipDeepAt(dec *jsontext.Decoder, depth int) string {
	base := dec.StackDepth()
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return err.Error()
		}
		if k := tok.Kind(); (k == '{' || k == '[') && dec.StackDepth()+depth > MaxDepth {
			return fmt.Sprintf("nesting is deeper than %d levels", MaxDepth)
		}
		if dec.StackDepth() == base {
			return ""
		}
	}
}

// generic returns the page as a generic JSON value for the Check option.
func (p *Page) generic() map[string]any {
	m := map[string]any{}
	if p.Header != nil {
		m["header"] = p.Header.src
	}
	if p.Footer != nil {
		m["footer"] = p.Footer.src
	}
	if l := p.Logo; l != nil {
		lm := map[string]any{"type": l.Type, "data": base64.StdEncoding.EncodeToString(l.Data)}
		if l.Width != 0 {
			lm["width"] = json.Number(strconv.FormatFloat(l.Width, 'g', -1, 64))
		}
		m["logo"] = lm
	}
	return m
}
