package fpdf

// folio: this file is not fpdf's; see README.md.

import (
	"hash/maphash"
	"sync"
)

// utf8Parsed is what reading a UTF-8 font file gives that is the same for
// every document: parseFile's metrics and widths, and the tables, the
// character map and the glyph positions GenerateCutFont reads before it
// cuts the font. It is never changed once made, so the documents of
// several goroutines share it.
type utf8Parsed struct {
	ascent, descent, capHeight, stemV, italicAngle, flags int
	bbox                                                  fontBoxType
	underlinePosition, underlineThickness, defaultWidth   float64
	charWidths                                            []int

	tables     map[string]*tableDescription
	charSymbol map[int]int // generateCMAP's; nil if the font has no Unicode map
	symbolPos  []int       // parseLOCATable's
}

// A fontSum identifies a font file's bytes in this process: two 64-bit
// maphash sums of them, of two seeds chosen when the process starts, so
// that no file can be made to collide with another. It is a key of
// utf8Fonts and utf8FontIDs only, never written out. It replaced a
// SHA-256, which took 14 M instructions a render of a document in the three
// Go fonts (3.6 % of folio's BenchmarkDecodeAndRender), as every render
// looks its fonts up.
type fontSum [2]uint64

var fontSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func sumFont(file []byte) fontSum {
	return fontSum{maphash.Bytes(fontSeeds[0], file), maphash.Bytes(fontSeeds[1], file)}
}

// utf8Fonts remembers utf8Parsed by the fontSum of the font file, at most
// maxUTF8Fonts of them (about 1 MB each): parsing the file and making its
// tables again for every document took about half the time of rendering a
// one-page document with two fonts.
var utf8Fonts struct {
	sync.Mutex
	m map[fontSum]*utf8Parsed
}

const maxUTF8Fonts = 32

// parseUTF8Font returns a utf8FontFile for file, the fontSum of file, and
// parseFile's error. The file's utf8Parsed is made once and shared.
func parseUTF8Font(file []byte) (*utf8FontFile, fontSum, error) {
	sum := sumFont(file)
	utf8Fonts.Lock()
	p := utf8Fonts.m[sum]
	utf8Fonts.Unlock()
	if p == nil {
		var err error
		if p, err = newUTF8Parsed(file); err != nil {
			return nil, sum, err
		}
		utf8Fonts.Lock()
		if utf8Fonts.m == nil {
			utf8Fonts.m = make(map[fontSum]*utf8Parsed)
		}
		if q := utf8Fonts.m[sum]; q != nil {
			p = q
		} else if len(utf8Fonts.m) < maxUTF8Fonts {
			utf8Fonts.m[sum] = p
		}
		utf8Fonts.Unlock()
	}
	utf := newUTF8Font(&fileReader{array: file})
	utf.Ascent, utf.Descent, utf.CapHeight = p.ascent, p.descent, p.capHeight
	utf.StemV, utf.ItalicAngle, utf.Flags, utf.Bbox = p.stemV, p.italicAngle, p.flags, p.bbox
	utf.UnderlinePosition, utf.UnderlineThickness = p.underlinePosition, p.underlineThickness
	utf.DefaultWidth, utf.CharWidths = p.defaultWidth, p.charWidths
	utf.tableDescriptions = p.tables
	utf.parsed = p
	return utf, sum, nil
}

// newUTF8Parsed reads file as parseFile does, and then as GenerateCutFont
// does before it looks at the runes used.
func newUTF8Parsed(file []byte) (*utf8Parsed, error) {
	utf := newUTF8Font(&fileReader{array: file})
	if err := utf.parseFile(); err != nil {
		return nil, err
	}
	p := &utf8Parsed{
		ascent: utf.Ascent, descent: utf.Descent, capHeight: utf.CapHeight,
		stemV: utf.StemV, italicAngle: utf.ItalicAngle, flags: utf.Flags, bbox: utf.Bbox,
		underlinePosition: utf.UnderlinePosition, underlineThickness: utf.UnderlineThickness,
		defaultWidth: utf.DefaultWidth, charWidths: utf.CharWidths,
		tables: utf.tableDescriptions,
	}
	locaFormat, numSymbols := utf.cutHeader()
	if utf.generateCMAP() != nil {
		p.charSymbol = utf.charSymbolDictionary
		utf.parseLOCATable(locaFormat, numSymbols)
		p.symbolPos = utf.symbolPosition
	}
	return p, nil
}

// cutHeader returns the loca table's format and the number of glyphs, as
// GenerateCutFont reads them.
func (utf *utf8FontFile) cutHeader() (locaFormat, numSymbols int) {
	utf.SeekTable("head")
	utf.skip(50)
	locaFormat = utf.readUint16()
	utf.SeekTable("maxp")
	utf.skip(4)
	return locaFormat, utf.readUint16()
}
