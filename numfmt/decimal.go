package numfmt

import (
	"errors"
	"fmt"
)

// ErrNumber is returned, wrapped, for a text that is not a JSON number.
var ErrNumber = errors.New("numfmt: not a JSON number")

// ErrRange is returned, wrapped, for a value that numfmt does not format or
// total: a number of magnitude 1e1000 or more, a total needing more than
// 1000 decimal places, or a date outside the years 1 to 9999.
var ErrRange = errors.New("numfmt: value out of range")

// maxExp bounds the numbers numfmt handles: |v| < 10^maxExp. Every number a
// float64 can hold is far inside it; beyond it, plain notation would be
// thousands of digits long.
const maxExp = 1000

// A decimal is the exact value of a JSON number: (-1)^neg × digits × 10^exp,
// where digits has no leading or trailing zeros and is empty for zero.
type decimal struct {
	neg    bool
	digits []byte
	exp    int64
}

// expLimit saturates exponents so that arithmetic on them cannot overflow;
// any exponent past it is far outside every range numfmt accepts.
const expLimit = 1 << 40

// parseDecimal parses the JSON number s into d, using buf for the digits.
func parseDecimal(s string, buf []byte) (decimal, error) {
	d := decimal{digits: buf[:0]}
	i, n := 0, len(s)
	if i < n && s[i] == '-' {
		d.neg = true
		i++
	}
	start := i
	switch {
	case i < n && s[i] == '0':
		i++
	case i < n && s[i] >= '1' && s[i] <= '9':
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return d, syntaxNumber(s)
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < n && s[i] == '.' {
		i++
		fracStart = i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == fracStart {
			return d, syntaxNumber(s)
		}
		fracEnd = i
	}
	var exp int64
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < n && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		j := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			if exp < expLimit {
				exp = exp*10 + int64(s[i]-'0')
			}
			i++
		}
		if i == j {
			return d, syntaxNumber(s)
		}
		if eneg {
			exp = -exp
		}
	}
	if i != n {
		return d, syntaxNumber(s)
	}
	// Collect the significant digits, skipping leading zeros.
	for k := start; k < intEnd; k++ {
		if len(d.digits) == 0 && s[k] == '0' {
			continue
		}
		d.digits = append(d.digits, s[k])
	}
	for k := fracStart; k < fracEnd; k++ {
		if len(d.digits) == 0 && s[k] == '0' {
			continue
		}
		d.digits = append(d.digits, s[k])
	}
	exp -= int64(fracEnd - fracStart)
	for len(d.digits) > 0 && d.digits[len(d.digits)-1] == '0' {
		d.digits = d.digits[:len(d.digits)-1]
		exp++
	}
	if len(d.digits) == 0 {
		d.neg = false
		exp = 0
	}
	d.exp = exp
	return d, nil
}

func syntaxNumber(s string) error {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Errorf("%w: %q", ErrNumber, s)
}

func (d decimal) isZero() bool { return len(d.digits) == 0 }

// adjExp is the exponent of the leading digit: 1234.5 has 3, 0.01 has -2.
func (d decimal) adjExp() int64 { return int64(len(d.digits)) - 1 + d.exp }

// checkRange returns ErrRange for |d| ≥ 10^maxExp.
func (d decimal) checkRange(s string) error {
	if !d.isZero() && d.adjExp() >= maxExp {
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return fmt.Errorf("%w: %s has a magnitude of 1e%d or more", ErrRange, s, maxExp)
	}
	return nil
}

// roundDigits appends to dst the digits of round(|d| × 10^places), half
// away from zero, without leading zeros (nothing for zero).
func roundDigits(dst []byte, d decimal, places int64) []byte {
	if d.isZero() {
		return dst
	}
	shift := d.exp + places
	if shift >= 0 {
		dst = append(dst, d.digits...)
		for ; shift > 0; shift-- {
			dst = append(dst, '0')
		}
		return dst
	}
	keep := int64(len(d.digits)) + shift
	switch {
	case keep < 0:
		return dst
	case keep == 0:
		if d.digits[0] >= '5' {
			dst = append(dst, '1')
		}
		return dst
	}
	start := len(dst)
	dst = append(dst, d.digits[:keep]...)
	if d.digits[keep] >= '5' {
		i := len(dst) - 1
		for i >= start && dst[i] == '9' {
			dst[i] = '0'
			i--
		}
		if i >= start {
			dst[i]++
		} else {
			dst = append(dst, 0)
			copy(dst[start+1:], dst[start:])
			dst[start] = '1'
		}
	}
	return dst
}
