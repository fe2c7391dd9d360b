package numfmt

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"unsafe"
)

// maxScale bounds the decimal places a Total keeps exactly.
const maxScale = 1000

// A Total accumulates numbers given as JSON number text and reports their
// count, sum, minimum, maximum and mean exactly, as decimal text: 0.1 + 0.2
// is 0.3. Values with up to 18 significant digits and 18 decimal places
// are added as scaled int64s without allocating; once a sum leaves int64,
// or a value does not fit, the Total continues with math/big.
//
// The zero value is an empty Total ready to use. A Total is not safe for
// concurrent use.
type Total struct {
	n     int64
	scale int      // decimal places of the sum: the most any value had
	sum   int64    // the sum × 10^scale, while big is nil
	big   *big.Int // the sum × 10^scale, once it left int64
	min   num
	max   num
	tmp   big.Int // scratch for addSum
	x, y  big.Int // scratch for cmp

	// same is set when the Total has a value, the sum is an int64, and the
	// minimum and maximum are int64s of the sum's scale: a value of that
	// scale can then be added and compared as it is (see Add).
	same bool
}

// A num is m × 10^-s, or b × 10^-s when b is not nil.
type num struct {
	m int64
	s int
	b *big.Int
}

// Add adds the JSON number text to the total. It returns an error wrapping
// [ErrNumber] if text is not a JSON number, and one wrapping [ErrRange] for
// a magnitude of 1e1000 or more or a value with more than 1000 decimal
// places; the total is then unchanged.
//
// The commonest case, a column of amounts with as many decimal places each,
// is Add's own: a number of exactly the sum's scale, of at most 16 bytes
// and 7 decimal places, is read eight digits at a time and added and
// compared as it is, with no scaling, as addSum and cmp would. (It is not
// a function of its own: a call more per cell costs a tenth of the cell's
// total.) Anything else goes to addAny.
func (t *Total) Add(text string) error {
	n, scale := len(text), t.scale
	if !t.same || n == 0 || n > 16 || uint(scale) > 7 {
		return t.addAny(text)
	}
	b := unsafe.Slice(unsafe.StringData(text), n)
	// The text right-aligned in 16 bytes, hi then lo, little-endian: its
	// last byte is the top byte of lo. (Shift counts are masked with 63,
	// which they never reach, so that Go need not test them.)
	var hi, lo uint64
	switch {
	case n >= 8:
		lo = binary.LittleEndian.Uint64(b[n-8:])
		if n > 8 {
			hi = binary.LittleEndian.Uint64(b) << (8 * (16 - n) & 63)
		}
	case n >= 4:
		// Two loads that overlap, the second moved into place.
		lo = (uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<(8*(n-4)&63)) << (8 * (8 - n) & 63)
	default:
		for k := range n {
			lo |= uint64(b[k]) << (8 * (8 - n + k) & 63)
		}
	}
	first := 0 // the first digit
	if b[0] == '-' {
		first = 1
	}
	digits := n - first
	if scale > 0 {
		// Take the point out: what is below it moves up a byte.
		q := uint(8*(7-scale)) & 63
		if byte(lo>>q) != '.' {
			return t.addAny(text)
		}
		lo = lo&^lowBytes[8-scale] | (lo&lowBytes[7-scale])<<8 | hi>>56
		hi <<= 8
		digits--
	}
	if digits <= scale || digits > scale+1 && b[first] == '0' {
		return t.addAny(text) // no integer digit, or a leading zero
	}
	// The bytes below the digits (the sign, or none) become zero digits.
	var m int64
	if digits <= 8 {
		pad := lowBytes[8-digits]
		lo = lo&^pad | zeroDigits&pad
		if !eightDigits(lo) {
			return t.addAny(text)
		}
		m = int64(digitValue(lo))
	} else {
		pad := lowBytes[16-digits]
		hi = hi&^pad | zeroDigits&pad
		if !eightDigits(hi) || !eightDigits(lo) {
			return t.addAny(text)
		}
		m = int64(digitValue(hi)*1e8 + digitValue(lo))
	}
	if first == 1 {
		m = -m
	}
	sum, overflow := add64(t.sum, m)
	if overflow {
		return t.addAny(text)
	}
	t.n++
	t.sum = sum
	if m < t.min.m {
		t.min.m = m
	} else if m > t.max.m {
		t.max.m = m
	}
	return nil
}

// addAny is Add for any text.
func (t *Total) addAny(text string) error {
	err := t.add(text)
	t.same = t.n > 0 && t.big == nil && t.min.b == nil && t.max.b == nil && t.min.s == t.scale && t.max.s == t.scale
	return err
}

// add is addAny without setting same.
func (t *Total) add(text string) error {
	v, ok := parseShort(text)
	if ok && t.n > 0 && t.big == nil && v.s == t.scale && t.min.s == v.s && t.max.s == v.s && t.min.b == nil && t.max.b == nil {
		// As in Add, for a value Add's own path does not take.
		if sum, overflow := add64(t.sum, v.m); !overflow {
			t.n++
			t.sum = sum
			if v.m < t.min.m {
				t.min.m = v.m
			} else if v.m > t.max.m {
				t.max.m = v.m
			}
			return nil
		}
	}
	if !ok {
		v, ok = parseSmallSlow(text)
	}
	if !ok {
		var err error
		if v, err = parseBig(text); err != nil {
			return err
		}
	}
	t.n++
	t.addSum(v)
	// v.b, if any, is v's own and never modified: min and max may keep it.
	if t.n == 1 || t.cmp(v, t.min) < 0 {
		t.min = v
	}
	if t.n == 1 || t.cmp(v, t.max) > 0 {
		t.max = v
	}
	return nil
}

var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// mulPow10 returns m × 10^k and whether it fits an int64.
func mulPow10(m int64, k int) (int64, bool) {
	if k == 0 || m == 0 {
		return m, true
	}
	if k > 18 {
		return 0, false
	}
	neg := m < 0
	u := uint64(m)
	if neg {
		u = -u
	}
	hi, lo := bits.Mul64(u, pow10u[k])
	if hi != 0 || lo > 1<<63-1 {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

func (t *Total) addSum(v num) {
	if t.big == nil && v.b == nil {
		sum, scale := t.sum, t.scale
		m := v.m
		ok := true
		switch {
		case v.s > scale:
			sum, ok = mulPow10(sum, v.s-scale)
			scale = v.s
		case v.s < scale:
			m, ok = mulPow10(m, scale-v.s)
		}
		if ok {
			if s, overflow := add64(sum, m); !overflow {
				t.sum, t.scale = s, scale
				return
			}
		}
	}
	if t.big == nil {
		t.big = new(big.Int).SetInt64(t.sum)
	}
	if v.s > t.scale {
		t.big.Mul(t.big, bigPow10(v.s-t.scale))
		t.scale = v.s
	}
	b := v.bigInt(&t.tmp)
	if v.s < t.scale {
		b = t.tmp.Mul(b, bigPow10(t.scale-v.s))
	}
	t.big.Add(t.big, b)
}

// add64 returns a + b and whether that overflows: it does if the sum's
// sign differs from both a's and b's.
func add64(a, b int64) (int64, bool) {
	s := a + b
	return s, (a^s)&(b^s) < 0
}

// bigInt returns v's digits as a big.Int, using tmp if v has none.
func (v num) bigInt(tmp *big.Int) *big.Int {
	if v.b != nil {
		return v.b
	}
	return tmp.SetInt64(v.m)
}

var smallPow10 = func() (p [19]*big.Int) {
	for i := range p {
		p[i] = new(big.Int).SetUint64(pow10u[i])
	}
	return p
}()

// bigPow10 returns 10^k; the result must not be modified.
func bigPow10(k int) *big.Int {
	if k < len(smallPow10) {
		return smallPow10[k]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
}

// cmp compares a and b exactly.
func (t *Total) cmp(a, b num) int {
	if a.b == nil && b.b == nil {
		if a.s == b.s {
			return cmp.Compare(a.m, b.m)
		}
		sa, sb := sign(a.m), sign(b.m)
		if sa != sb || sa == 0 {
			return cmpInt(sa, sb)
		}
		// Same sign: compare magnitudes at a common scale in 128 bits.
		ua, ub := absU(a.m), absU(b.m)
		var ha, la, hb, lb uint64
		if a.s >= b.s {
			ha, la = 0, ua
			hb, lb = bits.Mul64(ub, pow10u[a.s-b.s])
		} else {
			ha, la = bits.Mul64(ua, pow10u[b.s-a.s])
			hb, lb = 0, ub
		}
		c := cmpU128(ha, la, hb, lb)
		if sa < 0 {
			c = -c
		}
		return c
	}
	x, y := &t.x, &t.y
	if a.b != nil {
		x.Set(a.b)
	} else {
		x.SetInt64(a.m)
	}
	if b.b != nil {
		y.Set(b.b)
	} else {
		y.SetInt64(b.m)
	}
	if a.s > b.s {
		y.Mul(y, bigPow10(a.s-b.s))
	} else if b.s > a.s {
		x.Mul(x, bigPow10(b.s-a.s))
	}
	return x.Cmp(y)
}

func sign(m int64) int {
	switch {
	case m < 0:
		return -1
	case m > 0:
		return 1
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func absU(m int64) uint64 {
	if m < 0 {
		return -uint64(m)
	}
	return uint64(m)
}

func cmpU128(ha, la, hb, lb uint64) int {
	switch {
	case ha != hb:
		if ha < hb {
			return -1
		}
		return 1
	case la != lb:
		if la < lb {
			return -1
		}
		return 1
	}
	return 0
}

// parseSmall parses a JSON number with at most 18 significant digits and
// at most 18 decimal places into m × 10^-s, without allocating. It reports
// false for anything else, valid or not; parseBig then decides.
func parseSmall(text string) (num, bool) {
	if v, ok := parseShort(text); ok {
		return v, true
	}
	return parseSmallSlow(text)
}

// parseShort is parseSmall for the commonest numbers, such as "-1234.50":
// no exponent and at most 18 digits in all, leading zeros included, so
// that the digits fit an int64 however they are read. It reports false for
// anything else, valid or not, and otherwise gives what parseSmallSlow
// gives.
func parseShort(text string) (num, bool) {
	i, n := 0, len(text)
	neg := n > 0 && text[0] == '-'
	if neg {
		i++
	}
	start := i
	var m uint64
	for ; i < n; i++ {
		d := text[i] - '0'
		if d > 9 {
			break
		}
		m = m*10 + uint64(d)
	}
	intLen := i - start
	if intLen == 0 || intLen > 1 && text[start] == '0' {
		return num{}, false
	}
	s := 0
	if i < n && text[i] == '.' {
		i++
		fracStart := i
		for ; i < n; i++ {
			d := text[i] - '0'
			if d > 9 {
				break
			}
			m = m*10 + uint64(d)
		}
		if s = i - fracStart; s == 0 {
			return num{}, false
		}
	}
	if i != n || intLen+s > 18 {
		return num{}, false
	}
	v := int64(m)
	if neg {
		v = -v
	}
	return num{m: v, s: s}, true
}

const zeroDigits = 0x3030303030303030 // "00000000"

// lowBytes[k] has the low k bytes set.
var lowBytes = [9]uint64{0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff, 0xffffffffffffffff}

// eightDigits reports whether each byte of w is an ASCII digit: its high
// half is 3 and adding 6 leaves it 3. No carry crosses into a byte above
// the lowest that is not a digit, so the test is exact.
func eightDigits(w uint64) bool {
	return w&0xf0f0f0f0f0f0f0f0|(w+0x0606060606060606)&0xf0f0f0f0f0f0f0f0>>4 == 0x3333333333333333
}

// digitValue returns the value of the eight ASCII digits in w, the first
// in the lowest byte: pairs, then fours, then all eight, each step one
// multiplication.
func digitValue(w uint64) uint64 {
	w = (w & 0x0f0f0f0f0f0f0f0f) * (10<<8 + 1) >> 8
	w = (w & 0x00ff00ff00ff00ff) * (100<<16 + 1) >> 16
	return (w & 0x0000ffff0000ffff) * (10000<<32 + 1) >> 32
}

// parseSmallSlow is parseSmall for any text: leading zeros of the fraction
// are not counted as significant, and an exponent moves the point.
func parseSmallSlow(text string) (num, bool) {
	i, n := 0, len(text)
	neg := false
	if i < n && text[i] == '-' {
		neg = true
		i++
	}
	if i == n || text[i] < '0' || text[i] > '9' || text[i] == '0' && i+1 < n && text[i+1] >= '0' && text[i+1] <= '9' {
		return num{}, false
	}
	var m uint64
	digits := 0 // significant digits so far
	for ; i < n && text[i] >= '0' && text[i] <= '9'; i++ {
		if m == 0 && text[i] == '0' {
			continue
		}
		m = m*10 + uint64(text[i]-'0')
		digits++
	}
	s := 0
	if i < n && text[i] == '.' {
		i++
		start := i
		for ; i < n && text[i] >= '0' && text[i] <= '9'; i++ {
			if m != 0 || text[i] != '0' {
				m = m*10 + uint64(text[i]-'0')
				digits++
			}
		}
		s = i - start
		if s == 0 {
			return num{}, false
		}
	}
	if digits > 18 || s > 18 {
		return num{}, false
	}
	if i < n && (text[i] == 'e' || text[i] == 'E') {
		i++
		eneg := false
		if i < n && (text[i] == '+' || text[i] == '-') {
			eneg = text[i] == '-'
			i++
		}
		start := i
		e := 0
		for ; i < n && text[i] >= '0' && text[i] <= '9'; i++ {
			e = e*10 + int(text[i]-'0')
			if e > 36 {
				return num{}, false
			}
		}
		if i == start {
			return num{}, false
		}
		if eneg {
			s += e
		} else {
			s -= e
		}
	}
	if i != n {
		return num{}, false
	}
	v := int64(m)
	if neg {
		v = -v
	}
	if s < 0 {
		var ok bool
		if v, ok = mulPow10(v, -s); !ok {
			return num{}, false
		}
		s = 0
	}
	if s > 18 {
		return num{}, false
	}
	return num{m: v, s: s}, true
}

// parseBig parses any JSON number into a num with a big.Int, or fails
// with ErrNumber or ErrRange.
func parseBig(text string) (num, error) {
	d, err := parseDecimal(text, nil)
	if err != nil {
		return num{}, err
	}
	if err := d.checkRange(text); err != nil {
		return num{}, err
	}
	// Keep the scale of the text (1.50 has 2), not only of its digits.
	s := scaleOf(text)
	if s > maxScale {
		return num{}, fmt.Errorf("%w: %.40s has more than %d decimal places", ErrRange, text, maxScale)
	}
	b := new(big.Int)
	if len(d.digits) > 0 {
		b.SetString(string(d.digits), 10)
	}
	// d = digits × 10^exp; as b × 10^-s, b = digits × 10^(exp+s).
	if k := d.exp + int64(s); k > 0 {
		b.Mul(b, bigPow10(int(k)))
	}
	if d.neg {
		b.Neg(b)
	}
	return num{b: b, s: s}, nil
}

// scaleOf returns the decimal places of a valid JSON number's text, never
// negative: "1.50" has 2, "1.5e-3" has 4, "15e3" has 0.
func scaleOf(text string) int {
	frac, exp := 0, int64(0)
	i := 0
	for i < len(text) && text[i] != '.' && text[i] != 'e' && text[i] != 'E' {
		i++
	}
	if i < len(text) && text[i] == '.' {
		i++
		for i < len(text) && text[i] >= '0' && text[i] <= '9' {
			i++
			frac++
		}
	}
	if i < len(text) {
		e, _ := strconv.ParseInt(text[i+1:], 10, 64) // saturates on overflow
		exp = max(min(e, expLimit), -expLimit)
	}
	s := int64(frac) - exp
	if s < 0 {
		return 0
	}
	if s > maxScale+1 {
		return maxScale + 1
	}
	return int(s)
}

// Count returns how many numbers were added.
func (t *Total) Count() int64 { return t.n }

// Sum returns the exact sum with as many decimal places as the value that
// had the most ("0" for an empty Total): 1.5 + 2.25 is "3.75", 1.10 + 2.20
// is "3.30".
func (t *Total) Sum() string {
	if t.big != nil {
		return bigText(t.big, t.scale)
	}
	return smallText(t.sum, t.scale)
}

// Min returns the smallest value added, with its own decimal places
// ("1.50" stays "1.50", "1.5e3" is "1500"), or false for an empty Total.
func (t *Total) Min() (string, bool) { return t.min.text(), t.n > 0 }

// Max returns the largest value added, like [Total.Min].
func (t *Total) Max() (string, bool) { return t.max.text(), t.n > 0 }

// Mean returns the sum divided by the count, or false for an empty Total.
//
// The mean may not terminate (1/3), so it is rounded half away from zero
// to p = s + k + 2 decimal places, where s is the sum's decimal places and
// k the number of digits of twice the count, and then trailing zeros beyond
// s are dropped: the mean of 1.00 and 2.00 is "1.50", of 1, 1 and 2 is
// "1.333". That p is enough for formatting the mean again (say with
// "0.00" or "0.0%") to give the same text as rounding the exact mean
// directly, for any code that shows at most s+2 decimal places of the
// value: the exact mean's distance from a tie at such a place is either
// zero or more than the rounding moved it.
func (t *Total) Mean() (string, bool) {
	if t.n == 0 {
		return "", false
	}
	sum := t.big
	if sum == nil {
		sum = big.NewInt(t.sum)
	}
	k := len(strconv.FormatInt(t.n, 10)) // digits of 2n: at most one more
	if t.n >= 5*int64(pow10u[k-1]) {
		k++
	}
	p := t.scale + k + 2
	num := new(big.Int).Mul(new(big.Int).Abs(sum), bigPow10(p-t.scale))
	den := big.NewInt(t.n)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if sum.Sign() < 0 {
		q.Neg(q)
	}
	s := bigText(q, p)
	// Drop trailing zeros down to the sum's scale.
	for cut := p; cut > t.scale && s[len(s)-1] == '0'; cut-- {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s, true
}

func (v num) text() string {
	if v.b != nil {
		return bigText(v.b, v.s)
	}
	return smallText(v.m, v.s)
}

func smallText(m int64, scale int) string {
	var buf [24]byte
	neg := m < 0
	b := strconv.AppendUint(buf[:0], absU(m), 10)
	return pointText(b, neg, scale)
}

func bigText(b *big.Int, scale int) string {
	neg := b.Sign() < 0
	digits := new(big.Int).Abs(b).Append(nil, 10)
	return pointText(digits, neg, scale)
}

// pointText writes the digits of |v| × 10^scale as a decimal with scale
// places; a zero value has no sign.
func pointText(digits []byte, neg bool, scale int) string {
	var out []byte
	if neg && !(len(digits) == 1 && digits[0] == '0') {
		out = append(out, '-')
	}
	if len(digits) <= scale {
		out = append(out, '0')
		if scale > 0 {
			out = append(out, '.')
			out = zeros(out, scale-len(digits))
			out = append(out, digits...)
		}
		return string(out)
	}
	out = append(out, digits[:len(digits)-scale]...)
	if scale > 0 {
		out = append(out, '.')
		out = append(out, digits[len(digits)-scale:]...)
	}
	return string(out)
}
