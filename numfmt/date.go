package numfmt

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"time"
)

// ErrKind is returned, wrapped, by [Code.FormatTime] for a code that is not
// a date/time code.
var ErrKind = errors.New("numfmt: not a date/time code")

// epoch is serial date 0: 1899-12-30, so that serial 61 is 1900-03-01 as
// in Excel, and serial 1 is 1899-12-31 as in LibreOffice (Excel shows the
// day after, counting a 29 February 1900 that never was).
var epoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

const secondsPerDay = 86400

// A clock is a moment split as a date/time section shows it.
type clock struct {
	year, month, day, weekday int
	hour, min, sec            int
	frac                      int64 // the second's fraction in units of 10^-fracDigit s

	// Elapsed time since the epoch, rounded to the section's unit.
	neg   bool
	total uint64 // magnitude in units of 10^-fracDigit s
}

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

// FormatTime formats t with a date/time code, using t's wall clock in its
// own location, and the locale's names (nil means English). As LibreOffice
// shows them, the date and the clock are truncated to the second, and the
// digits of ss.000 are the fraction of the second rounded half up but never
// carried into the seconds (59.9996 s is 59.999); elapsed time ([h], [m],
// [s]) is rounded half up to the unit shown, carrying. Elapsed time counts
// from 1899-12-30 00:00, serial date 0. The first section is used for every
// t.
//
// FormatTime returns an error wrapping [ErrKind] for a number or text code
// and one wrapping [ErrRange] for a year outside 1 to 9999.
func (c *Code) FormatTime(t time.Time, loc *Locale) (string, error) {
	var buf [64]byte
	b, err := c.AppendFormatTime(buf[:0], t, loc)
	return string(b), err
}

// AppendFormatTime is like [Code.FormatTime] but appends to dst and returns
// the extended buffer.
func (c *Code) AppendFormatTime(dst []byte, t time.Time, loc *Locale) ([]byte, error) {
	if c.kind != KindDateTime {
		return dst, fmt.Errorf("%w: %q is a %s code", ErrKind, c.src, c.kind)
	}
	loc = orEnglish(loc)
	s := &c.nums[0]
	y, mo, d := t.Date()
	if y < 1 || y > 9999 {
		return dst, fmt.Errorf("%w: year %d is outside 1 to 9999", ErrRange, y)
	}
	h, mi, sec := t.Clock()
	ns := int64(t.Nanosecond())
	f := s.fracDigit
	unit := pow10[9-f] // nanoseconds per unit shown
	k := clock{year: y, month: int(mo), day: d, weekday: int(t.Weekday()), hour: h, min: mi, sec: sec,
		frac: min((ns+unit/2)/unit, pow10[f]-1)}
	days := (time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Unix() - epoch.Unix()) / secondsPerDay
	total := (days*secondsPerDay+int64(h*3600+mi*60+sec))*pow10[f] + (ns+unit/2)/unit
	k.neg = total < 0
	k.total = uint64(abs64(total))
	return appendClock(dst, s, &k, loc), nil
}

// ParseTime parses a date as report documents write them: "2006-01-02"
// (midnight UTC) or RFC 3339 ("2006-01-02T15:04:05Z07:00", with optional
// fractions of a second), keeping its offset so that [Code.FormatTime]
// shows the wall clock written.
func ParseTime(s string) (time.Time, error) {
	if len(s) == len("2006-01-02") {
		return time.Parse(time.DateOnly, s)
	}
	return time.Parse(time.RFC3339Nano, s)
}

// appendSerial formats the serial date d with the date/time section s.
func appendSerial(dst []byte, s *section, d decimal, loc *Locale, text string) ([]byte, error) {
	if s.kind == secLiteral {
		return appendLiterals(dst, s), nil
	}
	// Serial dates of years 1 to 9999 lie within ±3e6.
	if !d.isZero() && d.adjExp() > 7 {
		return dst, serialRange(text)
	}
	f := s.fracDigit
	one := pow10[f] // units per second
	floor, halfUp, away := serialUnits(d, secondsPerDay*one)
	secs := floorDiv(floor, one) // whole seconds from the epoch
	days := floorDiv(secs, secondsPerDay)
	date := epoch.AddDate(0, 0, int(days))
	if y := date.Year(); y < 1 || y > 9999 {
		return dst, serialRange(text)
	}
	secs -= days * secondsPerDay
	k := clock{
		year: date.Year(), month: int(date.Month()), day: date.Day(), weekday: int(date.Weekday()),
		hour: int(secs / 3600), min: int(secs / 60 % 60), sec: int(secs % 60),
		frac: min(halfUp-floorDiv(floor, one)*one, one-1),
		neg:  away < 0, total: uint64(abs64(away)),
	}
	return appendClock(dst, s, &k, loc), nil
}

func serialRange(text string) error {
	if len(text) > 40 {
		text = text[:40] + "…"
	}
	return fmt.Errorf("%w: serial date %s is outside the years 1 to 9999", ErrRange, text)
}

// serialUnits returns x = d × perUnit (units of time from the epoch) three
// ways, exactly: rounded down, rounded half up, and rounded half away from
// zero. |d| < 1e8, so all fit an int64.
func serialUnits(d decimal, perUnit int64) (floor, halfUp, away int64) {
	if d.isZero() {
		return 0, 0, 0
	}
	if d.adjExp() < -30 { // far below one unit
		if d.neg {
			return -1, 0, 0
		}
		return 0, 0, 0
	}
	if len(d.digits) <= 18 && d.exp < 0 && d.exp >= -19 {
		// The common case, in 128 bits: the quotient is below 1e8 × perUnit.
		var m uint64
		for _, c := range d.digits {
			m = m*10 + uint64(c-'0')
		}
		hi, lo := bits.Mul64(m, uint64(perUnit))
		q, r := bits.Div64(hi, lo, pow10u[-d.exp])
		return roundUnits(int64(q), r != 0, compare2(r, pow10u[-d.exp]), d.neg)
	}
	n := new(big.Int)
	n.SetString(string(d.digits), 10)
	n.Mul(n, big.NewInt(perUnit))
	ten := big.NewInt(10)
	if d.exp >= 0 {
		n.Mul(n, new(big.Int).Exp(ten, big.NewInt(d.exp), nil))
		v := n.Int64()
		if d.neg {
			v = -v
		}
		return v, v, v
	}
	// |x| = q + r/den
	den := new(big.Int).Exp(ten, big.NewInt(-d.exp), nil)
	q, r := new(big.Int).QuoRem(n, den, new(big.Int))
	nonzero := r.Sign() != 0
	return roundUnits(q.Int64(), nonzero, r.Lsh(r, 1).Cmp(den), d.neg)
}

// compare2 compares 2r with den, for r < den.
func compare2(r, den uint64) int {
	switch {
	case r > den-r:
		return 1
	case r == den-r:
		return 0
	}
	return -1
}

// roundUnits turns |x| = q + r/den, given whether r is nonzero and how 2r
// compares with den, into serialUnits' three roundings of x.
func roundUnits(q int64, nonzero bool, cmp int, neg bool) (floor, halfUp, away int64) {
	b := func(c bool) int64 {
		if c {
			return 1
		}
		return 0
	}
	if !neg {
		return q, q + b(cmp >= 0), q + b(cmp >= 0)
	}
	return -(q + b(nonzero)), -(q + b(cmp > 0)), -(q + b(cmp >= 0))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// appendClock writes k with the date/time section s.
func appendClock(dst []byte, s *section, k *clock, loc *Locale) []byte {
	f := s.fracDigit
	unit := uint64(pow10[f])
	if s.elapsed && k.neg && k.total != 0 {
		dst = append(dst, '-')
	}
	hour12 := k.hour
	if s.ampm {
		hour12 %= 12
		if hour12 == 0 {
			hour12 = 12
		}
	}
	for _, t := range s.toks {
		switch t.kind {
		case tLit:
			dst = append(dst, t.lit...)
		case tYear:
			if t.n == 2 {
				dst = appendPadded(dst, uint64(k.year%100), 2)
			} else {
				dst = appendPadded(dst, uint64(k.year), 4)
			}
		case tMonth:
			switch t.n {
			case 1, 2:
				dst = appendPadded(dst, uint64(k.month), t.n)
			case 3:
				dst = append(dst, loc.MonthsAbbr[k.month-1]...)
			case 4:
				dst = append(dst, loc.Months[k.month-1]...)
			case 5:
				dst = append(dst, loc.MonthsNarrow[k.month-1]...)
			}
		case tDay:
			switch t.n {
			case 1, 2:
				dst = appendPadded(dst, uint64(k.day), t.n)
			case 3:
				dst = append(dst, loc.DaysAbbr[k.weekday]...)
			case 4:
				dst = append(dst, loc.Days[k.weekday]...)
			}
		case tHour:
			dst = appendPadded(dst, uint64(hour12), t.n)
		case tMinute:
			m := uint64(k.min)
			if s.elapsed {
				m = k.total / unit / 60 % 60
			}
			dst = appendPadded(dst, m, t.n)
		case tSecond:
			sec := uint64(k.sec)
			if s.elapsed {
				sec = k.total / unit % 60
			}
			dst = appendPadded(dst, sec, t.n)
		case tFrac:
			fr := uint64(k.frac)
			if s.elapsed {
				fr = k.total % unit
			}
			dst = append(dst, loc.Decimal...)
			dst = appendPadded(dst, fr, f)
		case tAMPM:
			if k.hour < 12 {
				dst = append(dst, loc.AM...)
			} else {
				dst = append(dst, loc.PM...)
			}
		case tAP:
			if k.hour < 12 {
				dst = append(dst, t.lit[0])
			} else {
				dst = append(dst, t.lit[2])
			}
		case tElapsed:
			v := k.total / unit
			switch t.ch {
			case 'h':
				v /= 3600
			case 'm':
				v /= 60
			}
			dst = appendPadded(dst, v, t.n)
		}
	}
	return dst
}
