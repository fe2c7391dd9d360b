package numfmt

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
	"unsafe"
)

// Format formats the JSON number text (such as "1234.5", "-0.005" or
// "1e-7") with the code and the locale's separators; a nil loc means
// English. The value is never converted to a float64: rounding is exact,
// half away from zero.
//
// A number code picks its section by the sign of the value: with one
// section, negative values get a minus sign unless they round to zero; with
// two, the second is for negative values and shows no minus sign of its own;
// with three, the third is for zero. A date/time code takes the number as
// a spreadsheet serial date (days since 1899-12-30, the fraction being the
// time of day); a text code shows the number as General does.
//
// Format returns an error wrapping [ErrNumber] if text is not a JSON
// number, and one wrapping [ErrRange] for a magnitude of 1e1000 or more or,
// for a date/time code, a serial date outside the years 1 to 9999. It
// returns no other error.
func (c *Code) Format(text string, loc *Locale) (string, error) {
	var buf [64]byte
	b, err := c.AppendFormat(buf[:0], text, loc)
	return string(b), err
}

// AppendFormat is like [Code.Format] but appends to dst and returns the
// extended buffer. With a large enough dst it does not allocate for number
// codes.
func (c *Code) AppendFormat(dst []byte, text string, loc *Locale) ([]byte, error) {
	// Each call is the last thing done, so that nothing is kept across it.
	if c.kind == KindNumber {
		return c.appendShort(dst, text, orEnglish(loc))
	}
	return c.appendFormat(dst, text, orEnglish(loc))
}

// appendFormat is AppendFormat without the short path.
func (c *Code) appendFormat(dst []byte, text string, loc *Locale) ([]byte, error) {
	var dbuf [40]byte
	d, err := parseDecimal(text, dbuf[:])
	if err != nil {
		return dst, err
	}
	if err := d.checkRange(text); err != nil {
		return dst, err
	}
	if c.kind == KindText {
		if d.neg {
			dst = append(dst, '-')
		}
		return appendGeneral(dst, d, loc), nil
	}
	s, auto := c.pick(d.neg, d.isZero())
	if c.kind == KindDateTime {
		if !auto {
			d.neg = false
		}
		return appendSerial(dst, s, d, loc, text)
	}
	return appendNumber(dst, s, d, loc, auto), nil
}

// FormatText formats a string with the code's text section, or returns it
// unchanged if the code has none.
func (c *Code) FormatText(s string) string {
	if c.text == nil {
		return s
	}
	var b []byte
	for _, t := range c.text.toks {
		switch t.kind {
		case tLit:
			b = append(b, t.lit...)
		case tAt:
			b = append(b, s...)
		}
	}
	return string(b)
}

// pick returns the section for a value of the sign neg, zero or not, and
// whether it shows the sign itself (a one-section code); the other
// sections show the magnitude only.
func (c *Code) pick(neg, zero bool) (*section, bool) {
	n := len(c.nums)
	switch {
	case neg && n >= 2:
		return &c.nums[1], false
	case zero && n >= 3:
		return &c.nums[2], false
	}
	return &c.nums[0], neg
}

func appendLiterals(dst []byte, s *section) []byte {
	for _, t := range s.toks {
		if t.kind == tLit {
			dst = append(dst, t.lit...)
		}
	}
	return dst
}

// appendNumber formats d with a number section; minus asks for a minus sign
// when the shown value is not zero.
func appendNumber(dst []byte, s *section, d decimal, loc *Locale, minus bool) []byte {
	if s.kind == secLiteral {
		return appendLiterals(dst, s)
	}
	if s.plain {
		return appendPlain(dst, s, d, loc, minus)
	}
	d.exp += int64(s.shift)
	if d.isZero() {
		d.exp = 0
	}

	// The digits to show: int (without leading zeros) and frac (fracSlots
	// digits), and for scientific codes the exponent.
	var rbuf, fbuf [64]byte
	var intDigits, frac []byte
	var exp int64
	zero := false
	switch {
	case s.general:
		zero = d.isZero()
	case s.sci:
		if !d.isZero() {
			exp = d.adjExp()
			m := d
			m.exp -= exp
			r := roundDigits(rbuf[:0], m, int64(s.fracSlots))
			if len(r) > s.fracSlots+1 { // 9.96 → 10.0: one more in the exponent
				exp++
				r = r[:s.fracSlots+1]
			}
			intDigits, frac = r[:1], r[1:]
		} else {
			frac = zeros(rbuf[:0], s.fracSlots)
		}
	default:
		r := roundDigits(rbuf[:0], d, int64(s.fracSlots))
		zero = len(r) == 0
		if len(r) > s.fracSlots {
			intDigits, frac = r[:len(r)-s.fracSlots], r[len(r)-s.fracSlots:]
		} else {
			// No integer digits: the fraction gets leading zeros.
			frac = append(zeros(fbuf[:0], s.fracSlots-len(r)), r...)
		}
	}
	if minus && !zero {
		dst = append(dst, '-')
	}

	// The fraction slots, to know which trailing zeros are dropped.
	var slotBuf [32]byte
	slots := slotBuf[:0]
	inFrac := false
	for _, t := range s.toks {
		switch t.kind {
		case tDot:
			inFrac = true
		case tExp:
			inFrac = false
		case tDigit:
			if inFrac {
				slots = append(slots, t.ch)
			}
		}
	}
	keep := len(frac) // frac[:keep] are shown as digits
	for keep > 0 && frac[keep-1] == '0' && slots[keep-1] != '0' {
		keep--
	}
	fracShown := keep > 0
	for k := keep; k < len(slots) && !fracShown; k++ {
		fracShown = slots[k] == '?'
	}

	const (
		inInt = iota
		inFracPart
		inExpPart
	)
	state := inInt
	j, k := 0, 0 // next integer and fraction slot
	for _, t := range s.toks {
		switch t.kind {
		case tLit:
			dst = append(dst, t.lit...)
		case tPercent:
			dst = append(dst, '%')
		case tGeneral:
			dst = appendGeneral(dst, decimal{digits: d.digits, exp: d.exp}, loc)
		case tDot:
			state = inFracPart
			if fracShown {
				dst = append(dst, loc.Decimal...)
			}
		case tExp:
			state = inExpPart
			dst = append(dst, t.lit[0])
			switch {
			case exp < 0:
				dst = append(dst, '-')
			case t.ch == '+':
				dst = append(dst, '+')
			}
			dst = appendPadded(dst, uint64(abs64(exp)), s.expSlots)
		case tDigit:
			switch state {
			case inInt:
				dst = appendIntSlot(dst, s, j, t.ch, intDigits, loc)
				j++
			case inFracPart:
				switch {
				case k < keep:
					dst = append(dst, frac[k])
				case t.ch == '?':
					dst = append(dst, ' ')
				}
				k++
			}
		}
	}
	return dst
}

// appendShort formats the commonest case without parsing text into a
// decimal: a number without exponent, in a plain section (see
// plainSection) with at least as many decimal places as text has, so that
// nothing is rounded. For anything else (valid or not) it takes the
// general path, appendFormat.
//
// It guesses that text is what a report's column mostly holds: a number
// whose integer part is not 0, with a point among its last fracSlots+1
// bytes or none, for a section of at most one integer 0 placeholder, in a
// locale of one-byte separators. The length of what is written is then
// known: dst grows once, each byte is put in its place, at offsets below
// size by construction (so without a bounds check each), four at a time
// where it can, and the digits are checked as they are copied. A byte that
// is not a digit means a text that only the general path takes. Other
// texts (an integer part of 0, other sections and locales) go to
// appendScanned, which reads text byte by byte before it writes.
func (c *Code) appendShort(dst []byte, text string, loc *Locale) ([]byte, error) {
	n := len(text)
	if n == 0 || len(loc.Group) != 1 || len(loc.Decimal) != 1 {
		return c.appendScanned(dst, text, loc)
	}
	start := 0
	s, minus := &c.nums[0], false
	if text[0] == '-' {
		start = 1
		if len(c.nums) >= 2 {
			s = &c.nums[1]
		} else {
			minus = true
		}
	}
	// Not 0 (so a zero section is not the one, and s is the section pick
	// chooses), and an integer digit to show.
	if start == n || text[start] == '0' || s.minInt > 1 {
		return c.appendScanned(dst, text, loc)
	}
	if !s.plain {
		return c.appendFormat(dst, text, loc) // as appendScanned would
	}
	intEnd, fracLen := n, 0
	if f := s.fracSlots; f > 0 {
		if n-f-1 > start && text[n-f-1] == '.' {
			intEnd, fracLen = n-f-1, f
		} else {
			// Fewer places than the section shows ("1.5" for "0.00").
			for k := n - 2; k > start && k > n-1-f; k-- {
				if text[k] == '.' {
					intEnd, fracLen = k, n-k-1
					break
				}
			}
		}
	}
	intLen := intEnd - start
	if intLen > 64 {
		return c.appendScanned(dst, text, loc)
	}
	t := unsafe.Pointer(unsafe.StringData(text))
	var bad uint32 // the bit 0x80 of each byte that is no digit (see digitBit)
	if s.fracSlots == 0 && n >= 3 && (text[n-2] == '.' || text[n-3] == '.') {
		// An amount shown as a whole number, to be rounded on the
		// general path: known without writing it first.
		return c.appendFormat(dst, text, loc)
	}
	if intEnd == n && s.fracSlots > 0 {
		// No point where one was looked for: perhaps one further left,
		// of more decimal places than the section shows, to be rounded
		// on the general path. The digits are checked before anything is
		// written, four bytes at a time, so that this costs little.
		if intLen >= 4 {
			for k := start; k < intEnd-4; k += 4 {
				bad |= digitBits(load32(at(t, k)))
			}
			bad |= digitBits(load32(at(t, intEnd-4))) // overlapping the last
		} else {
			for k := start; k < intEnd; k++ {
				bad |= digitBit(*at(t, k))
			}
		}
		if bad&0x80808080 != 0 {
			return c.appendFormat(dst, text, loc)
		}
	}
	groups := 0
	if s.group {
		groups = int(groupsOf[intLen])
	}
	size := len(s.prefix) + intLen + groups + len(s.suffix)
	if minus {
		size++
	}
	if s.fracSlots > 0 {
		size += 1 + s.fracSlots
	}
	off := len(dst)
	dst = slices.Grow(dst, size)[:off+size]
	o := unsafe.Pointer(&dst[off])
	p := 0
	if minus {
		*at(o, 0) = '-'
		p = 1
	}
	// Literal text, from a local: the stores could alias s.prefix, which
	// would be loaded again after each. (copy's call to memmove costs
	// more for text this short.)
	prefix := s.prefix
	pt := unsafe.Pointer(unsafe.StringData(prefix))
	k := 0
	for ; k+4 <= len(prefix); k += 4 {
		store32(at(o, p+k), load32(at(pt, k)))
	}
	for ; k < len(prefix); k++ {
		*at(o, p+k) = *at(pt, k)
	}
	p += len(prefix)
	first := intLen - 3*groups // the leftmost group, or every digit
	switch first {
	case 3:
		bad |= digitBit(*at(t, start+2))
		*at(o, p+2) = *at(t, start+2)
		fallthrough
	case 2:
		bad |= digitBit(*at(t, start+1))
		*at(o, p+1) = *at(t, start+1)
		fallthrough
	case 1:
		bad |= digitBit(*at(t, start))
		*at(o, p) = *at(t, start)
	default:
		for k := range first {
			d := *at(t, start+k)
			*at(o, p+k) = d
			bad |= digitBit(d)
		}
	}
	p += first
	if groups > 0 {
		// Each group with the digit before it, which the separator
		// replaces: one load and one store, and the digits checked in the
		// word.
		sep := uint32(loc.Group[0])
		for k := start + first; k < intEnd; k += 3 {
			w := load32(at(t, k-1))
			bad |= digitBits(w) & 0x80808000
			store32(at(o, p), w&^0xff|sep)
			p += 4
		}
	}
	if s.fracSlots > 0 {
		dec := loc.Decimal[0]
		if fracLen == 2 {
			// Cents: the text's last four bytes, the point replaced, over
			// the last integer digit already written (intLen is at least
			// 1): one load and one store.
			w := load32(at(t, n-4))
			bad |= digitBits(w) & 0x80800000
			store32(at(o, p-1), w&^0xff00|uint32(dec)<<8)
			p += 3
		} else {
			*at(o, p) = dec
			p++
			for k := intEnd + 1; k < n; k++ {
				d := *at(t, k)
				*at(o, p) = d
				bad |= digitBit(d)
				p++
			}
		}
		if fracLen < s.fracSlots {
			for end := p + s.fracSlots - fracLen; p < end; p++ {
				*at(o, p) = '0'
			}
		}
	}
	suffix := s.suffix
	for k := 0; k < len(suffix); k++ {
		*at(o, p+k) = suffix[k]
	}
	if bad&0x80808080 != 0 {
		// No number the short path takes (an exponent, more decimal
		// places than the section shows, or no number at all: had the
		// point been elsewhere, the bytes would still not all be
		// digits). What was written is past dst's length.
		return c.appendFormat(dst[:off], text, loc)
	}
	return dst, nil
}

// appendScanned is appendShort for any text: it finds the integer part
// and the fraction of text, checking each byte, before it writes.
func (c *Code) appendScanned(dst []byte, text string, loc *Locale) ([]byte, error) {
	n := len(text)
	if n == 0 {
		return c.appendFormat(dst, text, loc)
	}
	i := 0
	neg := text[0] == '-'
	if neg {
		i = 1
	}
	start := i
	for i < n && text[i]-'0' <= 9 {
		i++
	}
	intEnd := i
	intLen := intEnd - start
	if intLen == 0 || intLen > 64 || intLen > 1 && text[start] == '0' {
		return c.appendFormat(dst, text, loc)
	}
	fracLen := 0
	if i < n {
		if text[i] != '.' {
			return c.appendFormat(dst, text, loc) // an exponent, or not a number
		}
		i++
		for i < n && text[i]-'0' <= 9 {
			i++
		}
		fracLen = i - intEnd - 1
		if fracLen == 0 || i != n {
			return c.appendFormat(dst, text, loc)
		}
	}
	// A zero integer part: the value may be 0, which takes no sign.
	zeroInt := text[start] == '0'
	zero := false
	if zeroInt {
		zero = true
		for k := intEnd + 1; zero && k < n; k++ {
			zero = text[k] == '0'
		}
		neg = neg && !zero
	}
	s, minus := c.pick(neg, zero)
	if !s.plain || fracLen > s.fracSlots {
		return c.appendFormat(dst, text, loc)
	}
	if zeroInt && s.minInt == 0 {
		intLen = 0 // "#.00" shows 0.5 as .50
	}
	return appendShortSlow(dst, s, minus, text[start:start+intLen], text[min(intEnd+1, n):], loc), nil
}

// groupsOf[n] is the number of grouping separators among n integer
// digits, for n up to appendShort's 64.
var groupsOf = func() (g [65]uint8) {
	for n := 1; n < len(g); n++ {
		g[n] = uint8((n - 1) / 3)
	}
	return g
}()

// digitBit returns 0 for an ASCII digit, else a number with the bit 0x80:
// b^'0' is at most 9 for a digit, and then neither it nor it plus 0x76 has
// the bit.
func digitBit(b byte) uint32 {
	x := uint32(b) ^ '0'
	return x | (x + 0x76)
}

// digitBits is digitBit for each byte of w: the bit 0x80 of a byte is set
// if it is no digit, or if a byte below it is not. (A carry of the
// addition comes only from a byte that is no digit, whose own bit is set.)
func digitBits(w uint32) uint32 {
	x := w ^ 0x30303030
	return x | (x + 0x76767676)
}

// load32 and store32 read and write the four bytes at p, little-endian,
// in one instruction where the machine allows it.
func load32(p *byte) uint32 { return binary.LittleEndian.Uint32(unsafe.Slice(p, 4)) }

func store32(p *byte, v uint32) { binary.LittleEndian.PutUint32(unsafe.Slice(p, 4), v) }

// at returns the address of the byte i bytes after p.
func at(p unsafe.Pointer, i int) *byte { return (*byte)(unsafe.Add(p, i)) }

// appendShortSlow is appendShort's writing for the rarer plain sections
// and locales: intPart is the integer digits without leading zeros, frac
// the fraction's.
func appendShortSlow(dst []byte, s *section, minus bool, intPart, frac string, loc *Locale) []byte {
	if minus {
		dst = append(dst, '-')
	}
	dst = append(dst, s.prefix...)
	dst = appendInt(dst, s, intPart, loc)
	if s.fracSlots > 0 {
		dst = append(dst, loc.Decimal...)
		dst = append(dst, frac...)
		dst = zeros(dst, s.fracSlots-len(frac))
	}
	return append(dst, s.suffix...)
}

// appendPlain is appendNumber for a plain section (see plainSection):
// the same text, without walking the tokens.
func appendPlain(dst []byte, s *section, d decimal, loc *Locale, minus bool) []byte {
	var rbuf [64]byte
	r := roundDigits(rbuf[:0], d, int64(s.fracSlots))
	if minus && len(r) > 0 {
		dst = append(dst, '-')
	}
	dst = append(dst, s.prefix...)
	// r holds the integer digits then fracSlots fraction digits, without
	// leading zeros: pad it on the left to both.
	n := len(r) - s.fracSlots // integer digits, or minus the missing zeros
	dst = appendInt(dst, s, unsafe.String(unsafe.SliceData(r), max(n, 0)), loc)
	if s.fracSlots > 0 {
		dst = append(dst, loc.Decimal...)
		if n < 0 {
			dst = zeros(dst, -n)
			dst = append(dst, r...)
		} else {
			dst = append(dst, r[n:]...)
		}
	}
	return append(dst, s.suffix...)
}

// appendInt writes the integer digits of a plain section: digits (without
// leading zeros, "" for none) padded on the left with zeros to s.minInt,
// grouped by threes with the locale's separator if s groups.
func appendInt(dst []byte, s *section, digits string, loc *Locale) []byte {
	pad := s.minInt - len(digits)
	if !s.group {
		return append(zeros(dst, pad), digits...)
	}
	// Zeros to the left of the digits (a code such as "0,000" for 12):
	// rare, so one by one. Position p counts from the units.
	for p := len(digits) + pad - 1; p >= len(digits); p-- {
		dst = append(dst, '0')
		if p > 0 && p%3 == 0 {
			dst = append(dst, loc.Group...)
		}
	}
	if len(loc.Group) == 1 {
		// The leftmost group, of one to three digits, a byte at a time,
		// then each of the others after its separator in one append: no
		// test per digit. (Eight bytes at a time, with shifts and masks,
		// runs more instructions for the numbers of reports.)
		sep, first := loc.Group[0], (len(digits)+2)%3+1
		if len(digits) < first {
			return dst // none
		}
		for i := range first {
			dst = append(dst, digits[i])
		}
		for i := first; i+3 <= len(digits); i += 3 {
			dst = append(dst, sep, digits[i], digits[i+1], digits[i+2])
		}
		return dst
	}
	if first := len(digits) % 3; first > 0 {
		// The leftmost group of the digits, when it has fewer than three.
		dst = append(dst, digits[:first]...)
		digits = digits[first:]
		if len(digits) > 0 {
			dst = append(dst, loc.Group...)
		}
	}
	for len(digits) > 3 {
		dst = append(dst, digits[:3]...)
		dst = append(dst, loc.Group...)
		digits = digits[3:]
	}
	return append(dst, digits...)
}

// appendIntSlot writes integer slot j (from the left) of s, which has the
// placeholder ch: the leftmost slot takes every digit that has no slot.
func appendIntSlot(dst []byte, s *section, j int, ch byte, digits []byte, loc *Locale) []byte {
	n, l := s.intSlots, len(digits)
	hi := n - 1 - j // positions from the right, 0 is the units
	lo := hi
	if j == 0 && l > n {
		hi = l - 1
	}
	for p := hi; p >= lo; p-- {
		shown := byte(0) // 0: nothing, ' ': a space, else the digit
		switch {
		case p < l:
			shown = digits[l-1-p]
		case ch == '0':
			shown = '0'
		case ch == '?':
			shown = ' '
		}
		if shown != 0 {
			dst = append(dst, shown)
		}
		if s.group && p > 0 && p%3 == 0 {
			switch shown {
			case 0:
			case ' ':
				dst = append(dst, ' ')
			default:
				dst = append(dst, loc.Group...)
			}
		}
	}
	return dst
}

// appendGeneral writes |d| exactly in plain notation with the locale's
// decimal separator; magnitudes below 1e-1000 use scientific notation.
func appendGeneral(dst []byte, d decimal, loc *Locale) []byte {
	switch {
	case d.isZero():
		return append(dst, '0')
	case d.exp >= 0:
		dst = append(dst, d.digits...)
		return zeros(dst, int(d.exp))
	case d.adjExp() < -maxExp:
		dst = append(dst, d.digits[0])
		if len(d.digits) > 1 {
			dst = append(dst, loc.Decimal...)
			dst = append(dst, d.digits[1:]...)
		}
		dst = append(dst, 'E', '-')
		return appendPadded(dst, uint64(-d.adjExp()), 1)
	}
	point := int64(len(d.digits)) + d.exp
	if point > 0 {
		dst = append(dst, d.digits[:point]...)
		dst = append(dst, loc.Decimal...)
		return append(dst, d.digits[point:]...)
	}
	dst = append(dst, '0')
	dst = append(dst, loc.Decimal...)
	dst = zeros(dst, int(-point))
	return append(dst, d.digits...)
}

func zeros(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, '0')
	}
	return dst
}

// appendPadded writes v in decimal with at least width digits.
func appendPadded(dst []byte, v uint64, width int) []byte {
	var b [20]byte
	i := len(b)
	for v >= 10 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	b[i] = byte('0' + v)
	dst = zeros(dst, width-(len(b)-i))
	return append(dst, b[i:]...)
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// NumberChars returns a string that holds every byte [Code.AppendFormat]
// can write for a number with c in the locale loc (nil is English), and
// true; for a date/time code, whose text holds the locale's month and day
// names, it returns "" and false. The string is a superset, in no
// particular order: a caller that must check formatted text (for bytes a
// CSV field quotes, or HTML escapes) can check it once per code and
// locale instead of once per value. It is valid UTF-8 only if every text
// AppendFormat writes for a number with c in loc is.
func (c *Code) NumberChars(loc *Locale) (string, bool) {
	if c.kind == KindDateTime {
		return "", false
	}
	loc = orEnglish(loc)
	// Digits, signs, the exponent's letters, the percent sign, the space
	// of a ? placeholder and the locale's separators; then literal text.
	b := []byte("0123456789-+Ee% ")
	// The text is made of these pieces, whole: it is valid UTF-8 if each
	// piece is, and a piece that is not adds a byte that no valid UTF-8
	// holds.
	piece := func(p string) {
		b = append(b, p...)
		if !utf8.ValidString(p) {
			b = append(b, 0xff)
		}
	}
	piece(loc.Decimal)
	piece(loc.Group)
	for i := range c.nums {
		for _, t := range c.nums[i].toks {
			if t.kind == tLit {
				piece(t.lit)
			}
		}
	}
	return string(b), true
}
