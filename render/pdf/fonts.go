package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Fonts holds TrueType (.ttf) font data for the styles a report uses. A nil
// style uses Regular (and BoldItalic uses Bold). Each character is drawn
// with the supplied font of its style if that font has it, and otherwise
// with the Go font of the style (golang.org/x/image/font/gofont), so a font
// that only has Chinese, Japanese or Korean characters (Droid Sans
// Fallback, for example) adds them to the Go fonts, which cover Latin,
// Greek and Cyrillic. CFF-based OpenType fonts (.otf) and font collections
// (.ttc) are not supported by the PDF library.
type Fonts struct {
	Regular, Bold, Italic, BoldItalic, Mono []byte
}

// style is one of the faces a document uses.
type style uint8

const (
	regular style = iota
	bold
	italic
	boldItalic
	mono
	numStyles
)

var styleNames = [numStyles]string{"regular", "bold", "italic", "bolditalic", "mono"}

var goFonts = [numStyles][]byte{goregular.TTF, gobold.TTF, goitalic.TTF, gobolditalic.TTF, gomono.TTF}

// data returns the supplied font data for each style, nil for none.
func (fs Fonts) data() [numStyles][]byte {
	out := [numStyles][]byte{fs.Regular, fs.Bold, fs.Italic, fs.BoldItalic, fs.Mono}
	for s := range numStyles {
		if len(out[s]) == 0 {
			out[s] = nil
		}
		if out[s] == nil {
			out[s] = fs.Regular
		}
	}
	if fs.BoldItalic == nil && fs.Bold != nil {
		out[boldItalic] = fs.Bold
	}
	return out
}

// parsed caches the Go fonts, parsed, with the widths the documents using
// them learn, by the address of their data: they are parsed once per
// process.
var parsed sync.Map // *byte -> *parsedFont

// ErrFont is returned, wrapped, for font data that cannot be used.
var ErrFont = errors.New("pdf: unusable font")

// A parsedFont is a parsed font and its metrics. Its width table is filled
// as runes are looked up, by the renders of several goroutines at once.
type parsedFont struct {
	sf     *sfnt.Font
	upem   float64
	ascent float64 // in em
	// widths holds each BMP rune's advance in 1/1000 em once it is looked
	// up, as known|uint16(advance) (or missing): 0 is not looked up yet.
	widths []atomic.Uint32
	// printable holds the advances of printable ASCII (' ' to '~'), or
	// missing, looked up when the font is parsed: most text is printable
	// ASCII, and a plain array read, unlike widths, needs no check that
	// the rune is in range or known yet.
	printable [0x7f - ' ']int16
}

const known = 1 << 16

func parseFont(data []byte) (*parsedFont, error) {
	if len(data) < 12 {
		return nil, fmt.Errorf("%w: too short to be a TrueType font", ErrFont)
	}
	switch string(data[:4]) {
	case "OTTO":
		return nil, fmt.Errorf("%w: CFF-based OpenType (.otf) fonts are not supported, use a TrueType (.ttf) font", ErrFont)
	case "ttcf":
		return nil, fmt.Errorf("%w: font collections (.ttc) are not supported, use a TrueType (.ttf) font", ErrFont)
	case "\x00\x01\x00\x00", "true":
	default:
		return nil, fmt.Errorf("%w: not a TrueType font", ErrFont)
	}
	key := &data[0]
	if f, ok := parsed.Load(key); ok {
		return f.(*parsedFont), nil
	}
	sf, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFont, err)
	}
	if sf.UnitsPerEm() == 0 {
		return nil, fmt.Errorf("%w: no units per em", ErrFont)
	}
	f := &parsedFont{sf: sf, upem: float64(sf.UnitsPerEm()), ascent: 0.8, widths: make([]atomic.Uint32, 1<<16)}
	var buf sfnt.Buffer
	for i := range f.printable {
		r := ' ' + rune(i)
		w := f.advance(&buf, r)
		f.printable[i] = w
		f.widths[r].Store(known | uint32(uint16(w)))
	}
	if m, err := sf.Metrics(&buf, fixed.I(int(sf.UnitsPerEm())), font.HintingNone); err == nil && m.Ascent > 0 {
		f.ascent = float64(m.Ascent) / 64 / f.upem
		if f.ascent > 1.2 {
			f.ascent = 0.8
		}
	}
	if isGoFont(data) {
		if g, loaded := parsed.LoadOrStore(key, f); loaded {
			f = g.(*parsedFont)
		}
	}
	return f, nil
}

func isGoFont(data []byte) bool {
	for _, g := range goFonts {
		if len(g) > 0 && &g[0] == &data[0] {
			return true
		}
	}
	return false
}

// A face is one font of a document: its metrics, the PDF resource name fpdf
// gave it, and the runes the document used from it.
type face struct {
	family string // fpdf family
	data   []byte
	font   *parsedFont
	buf    sfnt.Buffer
	res    string   // content stream name, "/F…"
	used   []uint64 // bitmap of runes drawn, for the font subset
	// drawnASCII marks the ASCII runes drawn, folded into used by markUsed:
	// text sets one flag a rune, a store, where setting a bit of used
	// would read the word first and make each rune wait for the one
	// before.
	drawnASCII [0x80]bool
	ascent     float64 // in em
	added      bool    // registered with fpdf
}

const missing = -2

func newFace(name string, data []byte) (*face, error) {
	f, err := parseFont(data)
	if err != nil {
		return nil, fmt.Errorf("%s font: %w", name, err)
	}
	return &face{family: name, font: f, ascent: f.ascent, used: make([]uint64, 1<<16/64)}, nil
}

// width returns r's advance in 1/1000 em, or missing.
func (fc *face) width(r rune) int16 {
	if r < 0 || r > 0xFFFF {
		return missing
	}
	f := fc.font
	if v := f.widths[r].Load(); v != 0 {
		return int16(uint16(v))
	}
	w := f.advance(&fc.buf, r)
	// Renders that look r up at once store the same value.
	f.widths[r].Store(known | uint32(uint16(w)))
	return w
}

// advance reads r's advance in 1/1000 em from the font, or missing.
func (f *parsedFont) advance(buf *sfnt.Buffer, r rune) int16 {
	if gi, err := f.sf.GlyphIndex(buf, r); err == nil && gi != 0 {
		if adv, err := f.sf.GlyphAdvance(buf, gi, fixed.I(int(f.upem)), font.HintingNone); err == nil {
			return int16(min(math.Round(float64(adv)/64*1000/f.upem), 4000))
		}
	}
	return missing
}

func (fc *face) use(r rune) { fc.used[r>>6] |= 1 << (r & 63) }

// ascii stores in runes and widths the leading printable ASCII characters
// of s that fc has, as many as fit, and returns how many and the sum of
// their widths.
func (fc *face) ascii(s []byte, runes []rune, widths []int16) (int, int64) {
	n := min(len(s), len(runes), len(widths))
	p := &fc.font.printable
	i := 0
	var em int64
	for ; i < n; i++ {
		k := s[i] - ' ' // wraps below ' ', out of p's range
		if int(k) >= len(p) {
			break
		}
		w := p[k]
		if w == missing {
			break
		}
		runes[i], widths[i] = rune(s[i]), w
		em += int64(w)
	}
	return i, em
}

// Replacement is what a character that the font cannot show is printed as:
// U+FFFD, or "?" for a font without it.
const Replacement = '\uFFFD'

// A chain is the faces of one style, in order of preference: a supplied
// font, then the Go font of the style. Each character is drawn with the
// first face that has it.
type chain []*face

// shape maps the runes of s, as UTF-8 bytes (invalid sequences included),
// to what the chain can draw, appending runes, their widths and their faces
// to the given slices. Tabs become spaces, CR LF and CR become LF (a line
// break); invalid bytes, other control characters, private-use and
// non-characters, runes outside the Basic Multilingual Plane and runes no
// face has become the replacement character, counted in *bad.
func (ch chain) shape(s []byte, runes []rune, widths []int16, faces []*face, bad *int) ([]rune, []int16, []*face) {
	runes, widths, faces, _ = ch.shapeText(s, runes, widths, faces, bad)
	return runes, widths, faces
}

// A textSum says what shaping a text gave: the sum of its widths (1/1000
// em), whether it has a line break, and whether a face other than the
// chain's first draws some of it.
type textSum struct {
	em             int64
	breaks, others bool
}

// shapeText is shape, and returns what the text appended is in sum, worked
// out as it is shaped: a table cell of one line in one face, most of them,
// is then wrapped and drawn without another look at each rune.
func (ch chain) shapeText(s []byte, runes []rune, widths []int16, faces []*face, bad *int) ([]rune, []int16, []*face, textSum) {
	var sum textSum
	first := ch[0]
	// Room for a rune per byte at once: growing by appends would allocate
	// about five times the final size for a long text.
	runes, widths, faces = slices.Grow(runes, len(s)), slices.Grow(widths, len(s)), slices.Grow(faces, len(s))
	for i := 0; i < len(s); {
		// A run of printable ASCII the first face has, most text, is
		// stored by index, not appended rune by rune.
		if n, em := first.ascii(s[i:], runes[len(runes):len(runes)+len(s)-i], widths[len(widths):len(widths)+len(s)-i]); n > 0 {
			sum.em += em
			fs := faces[len(faces) : len(faces)+n]
			for k := range fs {
				fs[k] = first
			}
			runes, widths, faces = runes[:len(runes)+n], widths[:len(widths)+n], faces[:len(faces)+n]
			i += n
			if i == len(s) {
				break
			}
		}
		c := s[i]
		var r rune
		if c < utf8.RuneSelf {
			r = rune(c)
			i++
			if r >= ' ' && r != 0x7f {
				if w := first.width(r); w != missing {
					runes = append(runes, r)
					widths = append(widths, w)
					faces = append(faces, first)
					sum.em += int64(w)
					continue
				}
			}
		} else {
			var n int
			r, n = utf8.DecodeRune(s[i:])
			i += n
			// Below the private-use area, from U+00A0, nothing is replaced.
			if r >= 0xa0 && r < 0xe000 {
				if w := first.width(r); w != missing {
					runes = append(runes, r)
					widths = append(widths, w)
					faces = append(faces, first)
					sum.em += int64(w)
					continue
				}
			}
		}
		switch {
		case r == '\t':
			r = ' '
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			r = '\n'
		case r == '\n':
		case r == utf8.RuneError, r > 0xFFFF, r < ' ', r >= 0x7f && r < 0xa0,
			unicode.Is(unicode.Co, r), r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE:
			r = Replacement
			*bad++
		}
		if r == '\n' {
			runes = append(runes, r)
			widths = append(widths, 0)
			faces = append(faces, first)
			sum.breaks = true
			continue
		}
		fc, w := ch.find(r)
		if fc == nil {
			// Spaces the fonts lack are spaces still: French groups digits
			// with U+202F, which the Go fonts do not have.
			for _, sp := range spaceFallback(r) {
				if fc, w = ch.find(sp); fc != nil {
					r = sp
					break
				}
			}
		}
		if fc == nil {
			if r != Replacement {
				*bad++
			}
			r = Replacement
			if fc, w = ch.find(r); fc == nil {
				r = '?'
				fc, w = ch.find(r)
			}
			if fc == nil {
				r, fc, w = ' ', first, first.width(' ')
				if w == missing {
					w = 0
				}
			}
		}
		runes = append(runes, r)
		widths = append(widths, w)
		faces = append(faces, fc)
		sum.em += int64(w)
		sum.others = sum.others || fc != first
	}
	return runes, widths, faces, sum
}

// spaceFallback returns the spaces that may stand for the space r, best
// first, or nil if r is not a space: a narrow no-break space (U+202F) is
// drawn as a thin space, a no-break space, or a space.
func spaceFallback(r rune) []rune {
	switch r {
	case '\u202f', '\u2009', '\u2006', '\u2008':
		return []rune{'\u2009', '\u00a0', ' '}
	case '\u00a0', '\u2007', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u205f', '\u3000':
		return []rune{'\u00a0', ' '}
	}
	return nil
}

// find returns the first face of the chain that has r, and its width.
func (ch chain) find(r rune) (*face, int16) {
	for _, fc := range ch {
		if w := fc.width(r); w != missing {
			return fc, w
		}
	}
	return nil, missing
}

// fontSet is the faces of one render.
type fontSet struct {
	chains [numStyles]chain
	faces  []*face // each face once
	pdf    *fpdf.Fpdf
}

func newFontSet(fs Fonts) (*fontSet, error) {
	set := &fontSet{}
	byData := map[*byte]*face{}
	get := func(name string, data []byte) (*face, error) {
		if fc := byData[&data[0]]; fc != nil {
			return fc, nil
		}
		fc, err := newFace(name, data)
		if err != nil {
			return nil, err
		}
		fc.data = data
		byData[&data[0]] = fc
		set.faces = append(set.faces, fc)
		return fc, nil
	}
	user := fs.data()
	for s := range numStyles {
		if user[s] != nil {
			fc, err := get(fmt.Sprintf("user%d", len(set.faces)), user[s])
			if err != nil {
				return nil, fmt.Errorf("%s font: %w", styleNames[s], err)
			}
			set.chains[s] = append(set.chains[s], fc)
		}
		fc, err := get(styleNames[s], goFonts[s])
		if err != nil {
			return nil, err
		}
		set.chains[s] = append(set.chains[s], fc)
	}
	return set, nil
}

var resName = regexp.MustCompile(`BT (/F[0-9A-Za-z]+) [0-9.]+ Tf ET`)

// register adds fc to the document on first use and learns its resource
// name.
func (set *fontSet) register(fc *face) error {
	if fc.added {
		return nil
	}
	set.pdf.AddUTF8FontFromBytes(fc.family, "", fc.data)
	// fpdf names fonts in content streams after a hash of their metrics and
	// gives no accessor for the name; a template page, which shares the
	// document's fonts, shows it in its content.
	var name string
	var err error
	tpl := set.pdf.CreateTemplate(func(t *fpdf.Tpl) {
		t.SetFont(fc.family, "", 10)
		err = t.Error()
	})
	if err == nil {
		if m := resName.FindSubmatch(tpl.Bytes()); m != nil {
			name = string(m[1])
		}
	}
	if name == "" {
		if err == nil {
			err = errors.New("no resource name")
		}
		return fmt.Errorf("%w: %s font could not be loaded: %v", ErrFont, fc.family, err)
	}
	fc.res = name
	fc.added = true
	return nil
}

// markUsed tells fpdf which runes each face drew, so that its font subset
// has their glyphs and its ToUnicode map their text: drawing them on a
// template, which shares the document's fonts but is never placed on a page.
func (set *fontSet) markUsed() error {
	var err error
	for _, fc := range set.faces {
		if !fc.added {
			continue
		}
		for r, drawn := range fc.drawnASCII {
			if drawn {
				fc.use(rune(r))
			}
		}
		var b bytes.Buffer
		for i, word := range fc.used {
			for word != 0 {
				bit := 0
				for word&(1<<bit) == 0 {
					bit++
				}
				word &^= 1 << bit
				r := rune(i*64 + bit)
				if r >= ' ' {
					b.WriteRune(r)
				}
			}
		}
		if b.Len() == 0 {
			continue
		}
		set.pdf.CreateTemplate(func(t *fpdf.Tpl) {
			t.SetFont(fc.family, "", 10)
			t.Text(0, 10, b.String())
			if e := t.Error(); e != nil && err == nil {
				err = e
			}
		})
	}
	return err
}

// CheckFont reports whether data is a TrueType font that Renderer can use.
func CheckFont(data []byte) error {
	_, err := parseFont(data)
	return err
}
