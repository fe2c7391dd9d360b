package numfmt

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Kind says what values a [Code] is meant for.
type Kind uint8

const (
	KindNumber   Kind = iota // General and codes with digit placeholders: numbers
	KindDateTime             // codes with date or time parts: dates, date-times, times
	KindText                 // "@" and other codes with only a text section: strings
)

var kindNames = [...]string{"number", "date/time", "text"}

// String returns "number", "date/time" or "text".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// A Code is a parsed format code. It is immutable and safe for concurrent
// use.
type Code struct {
	src     string
	kind    Kind
	nums    []section // the sections for numbers and dates: 1 to 3
	text    *section  // the text section, or nil
	hasDate bool      // a date/time code with year, month or day parts
	hasTime bool      // a date/time code with hour, minute, second or AM/PM parts
}

// String returns the code as given to [Parse]: what an XLSX cell's number
// format holds.
func (c *Code) String() string { return c.src }

// Kind reports which values the code is meant for.
func (c *Code) Kind() Kind { return c.kind }

// HasDate reports whether a date/time code shows a year, month or day.
func (c *Code) HasDate() bool { return c.hasDate }

// HasTime reports whether a date/time code shows hours, minutes, seconds,
// elapsed time or AM/PM.
func (c *Code) HasTime() bool { return c.hasTime }

// A SyntaxError is a format code that [Parse] rejects, malformed or outside
// the supported subset. Its Msg is a plain sentence that a caller can show
// next to the place the code came from.
type SyntaxError struct {
	Code        string // the code given to Parse
	Offset      int    // byte offset in Code where the problem is
	Msg         string // e.g. "fractions such as # ?/? are not supported"
	Unsupported bool   // valid in Excel but outside numfmt's subset
}

// Error returns the message with the code, prefixed with "numfmt: ".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("numfmt: format code %q: %s", e.Code, e.Msg)
}

type tokKind uint8

const (
	tLit     tokKind = iota // lit is shown as is
	tDigit                  // ch is '0', '#' or '?'
	tDot                    // the decimal point
	tComma                  // grouping or scaling comma
	tPercent                // %
	tExp                    // E+ or E-: lit is "E+", "e-" … as written
	tGeneral                // General
	tAt                     // @, the text
	tFill                   // *x: ignored
	tYear                   // n is 2 or 4
	tMonth                  // n is 1 to 5
	tMinute                 // n is 1 or 2
	tDay                    // n is 1 to 4
	tHour                   // n is 1 or 2
	tSecond                 // n is 1 or 2
	tFrac                   // n is 1 to 3 digits of a second
	tAMPM                   // AM/PM, any case
	tAP                     // A/P: lit is "A/P", "a/p" … as written
	tElapsed                // [h], [mm] …: ch is 'h', 'm' or 's', n the width
	tSemi                   // section separator (only while scanning)
)

type token struct {
	kind tokKind
	ch   byte
	n    int
	lit  string
	off  int
}

func (t token) isDate() bool { return t.kind >= tYear && t.kind <= tElapsed }

// Parse parses an Excel number-format code (ECMA-376 Part 1, §18.8.31) in
// the subset listed in the package documentation. Any other code, and any
// malformed one, is a *[SyntaxError]: Parse never guesses.
func Parse(code string) (*Code, error) {
	p := parser{src: code}
	if strings.TrimSpace(code) == "" {
		return nil, p.fail(0, "the format code is empty")
	}
	toks, err := p.scan()
	if err != nil {
		return nil, err
	}
	var secs [][]token
	start := 0
	for i, t := range toks {
		if t.kind == tSemi {
			secs = append(secs, toks[start:i])
			start = i + 1
			if len(secs) == 4 {
				return nil, p.fail(t.off, "a format code has at most four sections (positive;negative;zero;text)")
			}
		}
	}
	secs = append(secs, toks[start:])
	return p.compile(secs)
}

// MustParse is like [Parse] but panics if the code is rejected. It is meant
// for codes written in a program, not for codes read from documents.
func MustParse(code string) *Code {
	c, err := Parse(code)
	if err != nil {
		panic(err)
	}
	return c
}

type parser struct {
	src string
}

func (p *parser) fail(off int, format string, args ...any) error {
	return &SyntaxError{Code: p.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) unsupported(off int, format string, args ...any) error {
	return &SyntaxError{Code: p.src, Offset: off, Msg: fmt.Sprintf(format, args...), Unsupported: true}
}

// unquoted are the ASCII characters shown as themselves without quotes.
const unquoted = "$-+/():!^&'~{}<>= "

func (p *parser) scan() ([]token, error) {
	s := p.src
	var toks []token
	lit := func(off int, text string) {
		if n := len(toks); n > 0 && toks[n-1].kind == tLit {
			toks[n-1].lit += text
			return
		}
		toks = append(toks, token{kind: tLit, lit: text, off: off})
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, p.fail(i, "the quoted text that starts at byte %d has no closing quote", i)
			}
			if j > 0 {
				lit(i, s[i+1:i+1+j])
			}
			i += j + 2
		case c == '\\' || c == '_' || c == '*':
			if i+1 >= len(s) {
				return nil, p.fail(i, "%q at the end of the code needs a character after it", c)
			}
			r, size := utf8.DecodeRuneInString(s[i+1:])
			if r == utf8.RuneError && size == 1 {
				return nil, p.fail(i+1, "the code is not valid UTF-8")
			}
			switch c {
			case '\\':
				lit(i, s[i+1:i+1+size])
			case '_':
				lit(i, " ")
			case '*':
				toks = append(toks, token{kind: tFill, lit: s[i+1 : i+1+size], off: i})
			}
			i += 1 + size
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, p.fail(i, "the [ at byte %d has no closing ]", i)
			}
			t, err := p.bracket(i, s[i+1:i+j])
			if err != nil {
				return nil, err
			}
			if t != nil {
				if t.kind == tLit {
					lit(i, t.lit)
				} else {
					toks = append(toks, *t)
				}
			}
			i += j + 1
		case c == ';':
			toks = append(toks, token{kind: tSemi, off: i})
			i++
		case c == '0' || c == '#' || c == '?':
			toks = append(toks, token{kind: tDigit, ch: c, off: i})
			i++
		case c == '.':
			// After seconds, .0 to .000 are fractions of a second.
			if n := len(toks); n > 0 && (toks[n-1].kind == tSecond || toks[n-1].kind == tElapsed && toks[n-1].ch == 's') && i+1 < len(s) && s[i+1] == '0' {
				j := i + 1
				for j < len(s) && s[j] == '0' {
					j++
				}
				if j-i-1 > 3 {
					return nil, p.unsupported(i, "fractions of a second have at most three digits (ss.000)")
				}
				toks = append(toks, token{kind: tFrac, n: j - i - 1, off: i})
				i = j
				continue
			}
			toks = append(toks, token{kind: tDot, off: i})
			i++
		case c == ',':
			toks = append(toks, token{kind: tComma, off: i})
			i++
		case c == '%':
			toks = append(toks, token{kind: tPercent, off: i})
			i++
		case c == '@':
			toks = append(toks, token{kind: tAt, off: i})
			i++
		case c >= '1' && c <= '9' && len(toks) > 0 && toks[len(toks)-1].kind == tLit && strings.HasSuffix(toks[len(toks)-1].lit, "/"):
			return nil, p.unsupported(i, "fractions such as # ?/? are not supported")
		case c == '/' && (len(toks) > 0 && toks[len(toks)-1].kind == tDigit || i+1 < len(s) && strings.IndexByte("?#0123456789", s[i+1]) >= 0):
			return nil, p.unsupported(i, "fractions such as # ?/? are not supported")
		case c >= '1' && c <= '9':
			return nil, p.fail(i, "the digit %c must be quoted (\"%c\") or escaped (\\%c) to be shown as text", c, c, c)
		case strings.IndexByte(unquoted, c) >= 0:
			lit(i, s[i:i+1])
			i++
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, p.fail(i, "the code is not valid UTF-8")
			}
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsControl(r) {
				return nil, p.fail(i, "%q must be quoted (\"%c\") to be shown as text", r, r)
			}
			lit(i, s[i:i+size])
			i += size
		case isLetter(c):
			t, n, err := p.letters(i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += n
		default:
			return nil, p.fail(i, "the character %q must be quoted or escaped to be shown as text", c)
		}
	}
	return toks, nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func lower(c byte) byte { return c | 0x20 }

// letters scans a keyword that starts with an ASCII letter at i.
func (p *parser) letters(i int) (token, int, error) {
	s := p.src
	c := lower(s[i])
	run := 1
	for i+run < len(s) && lower(s[i+run]) == c {
		run++
	}
	switch c {
	case 'y':
		if run != 2 && run != 4 {
			return token{}, 0, p.fail(i, "write the year as yy or yyyy, not %s", s[i:i+run])
		}
		return token{kind: tYear, n: run, off: i}, run, nil
	case 'm':
		if run > 5 {
			return token{}, 0, p.fail(i, "%s has too many m's: use m or mm (month or minutes), mmm, mmmm or mmmmm (month names)", s[i:i+run])
		}
		return token{kind: tMonth, n: run, off: i}, run, nil
	case 'd':
		if run > 4 {
			return token{}, 0, p.fail(i, "%s has too many d's: use d, dd, ddd or dddd", s[i:i+run])
		}
		return token{kind: tDay, n: run, off: i}, run, nil
	case 'h':
		if run > 2 {
			return token{}, 0, p.fail(i, "write hours as h or hh, not %s", s[i:i+run])
		}
		return token{kind: tHour, n: run, off: i}, run, nil
	case 's':
		if run > 2 {
			return token{}, 0, p.fail(i, "write seconds as s or ss, not %s", s[i:i+run])
		}
		return token{kind: tSecond, n: run, off: i}, run, nil
	case 'a':
		if len(s)-i >= 5 && strings.EqualFold(s[i:i+5], "am/pm") {
			return token{kind: tAMPM, off: i}, 5, nil
		}
		if len(s)-i >= 3 && lower(s[i+1]) == '/' && lower(s[i+2]) == 'p' {
			return token{kind: tAP, lit: s[i : i+3], off: i}, 3, nil
		}
	case 'e':
		if i+1 < len(s) && (s[i+1] == '+' || s[i+1] == '-') {
			return token{kind: tExp, lit: s[i : i+2], ch: s[i+1], off: i}, 2, nil
		}
		if run == 1 {
			return token{}, 0, p.fail(i, "E must be followed by + or - (0.00E+00); quote it (\"E\") to show the letter")
		}
	case 'g':
		if len(s)-i >= 7 && strings.EqualFold(s[i:i+7], "general") {
			return token{kind: tGeneral, off: i}, 7, nil
		}
	case 'b':
		if i+1 < len(s) && (s[i+1] == '1' || s[i+1] == '2') {
			return token{}, 0, p.unsupported(i, "calendar codes B1 and B2 are not supported")
		}
	}
	return token{}, 0, p.fail(i, "the letter %c must be quoted (\"%c\") or escaped (\\%c) to be shown as text", s[i], s[i], s[i])
}

var colors = []string{"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"}

// bracket interprets [body] at offset off. Colors give nil.
func (p *parser) bracket(off int, body string) (*token, error) {
	lb := strings.ToLower(body)
	for _, c := range colors {
		if lb == c {
			return nil, nil
		}
	}
	if n, ok := strings.CutPrefix(lb, "color"); ok {
		if v, err := strconv.Atoi(n); err == nil && v >= 1 && v <= 56 && n[0] != '0' {
			return nil, nil
		}
		return nil, p.fail(off, "[%s] is not a color: use [Color1] to [Color56]", body)
	}
	if rest, ok := strings.CutPrefix(body, "$"); ok {
		sym, lcid, hasLCID := strings.Cut(rest, "-")
		if hasLCID {
			v, err := strconv.ParseUint(lcid, 16, 32)
			if err != nil || lcid == "" || lcid[0] == '+' {
				return nil, p.fail(off, "[%s]: the locale after - must be a hexadecimal Windows locale ID, as in [$€-407]", body)
			}
			if v&0xffff == 0xf800 || v&0xffff == 0xf400 {
				return nil, p.unsupported(off, "the system date and time formats [$-F800] and [$-F400] are not supported: write the date code itself")
			}
			if v > 0xffff {
				return nil, p.unsupported(off, "[%s]: calendar and numeral system parts of a locale ID are not supported", body)
			}
		}
		if strings.ContainsAny(sym, "[]\"") {
			return nil, p.fail(off, "[%s]: the currency symbol cannot hold [, ] or \"", body)
		}
		return &token{kind: tLit, lit: sym, off: off}, nil
	}
	if body != "" && (body[0] == '<' || body[0] == '>' || body[0] == '=') {
		return nil, p.unsupported(off, "conditions such as [%s] are not supported", body)
	}
	if body != "" {
		c := lower(body[0])
		same := c == 'h' || c == 'm' || c == 's'
		for i := 0; i < len(body) && same; i++ {
			same = lower(body[i]) == c
		}
		if same {
			if len(body) > 2 {
				return nil, p.fail(off, "write elapsed time as [%c] or [%c%c], not [%s]", c, c, c, body)
			}
			return &token{kind: tElapsed, ch: c, n: len(body), off: off}, nil
		}
	}
	return nil, p.fail(off, "[%s] is not a color, a [$…] currency or locale tag, or elapsed time ([h], [m], [s])", body)
}

type secKind uint8

const (
	secLiteral secKind = iota // only literal text: the value is not shown
	secNumber
	secDate
	secText
)

// A section is one part of a code between semicolons, with the facts that
// formatting needs precomputed.
type section struct {
	kind secKind
	toks []token

	// Number sections.
	intSlots  int  // digit placeholders before the decimal point (or E)
	fracSlots int  // digit placeholders after the decimal point
	expSlots  int  // exponent digits
	group     bool // a comma between integer placeholders
	shift     int  // power of ten applied first: +2 for %, -3 per scaling comma
	sci       bool
	general   bool

	// plain is set for the number sections most reports use: literal text,
	// integer placeholders #…#0…0 (perhaps grouped), and perhaps a decimal
	// point followed by 0s only; appendNumber then takes a shorter path.
	plain  bool
	prefix string // a plain section's literal text before its digits
	suffix string // and after them
	minInt int    // a plain section's integer 0 placeholders

	// Date sections.
	ampm      bool
	elapsed   bool // [h], [m] or [s] present
	fracDigit int  // digits of a second shown, 0 to 3
}

func (p *parser) compile(raw [][]token) (*Code, error) {
	c := &Code{src: p.src}
	secs := make([]section, len(raw))
	for i, toks := range raw {
		s, err := p.section(toks)
		if err != nil {
			return nil, err
		}
		secs[i] = s
	}
	// The text section is the fourth one, or a last one that holds @.
	for i := range secs {
		if secs[i].kind == secText && i != len(secs)-1 {
			return nil, p.fail(secs[i].toks[0].off, "@ may appear only in the last section, the one for text")
		}
	}
	last := &secs[len(secs)-1]
	if len(secs) == 4 {
		if last.kind == secNumber || last.kind == secDate {
			return nil, p.fail(last.toks[0].off, "the fourth section is for text: it may hold only text and @")
		}
		last.kind = secText
	}
	if last.kind == secText {
		c.text = last
		secs = secs[:len(secs)-1]
	}
	c.nums = secs
	c.kind = KindNumber
	switch {
	case len(secs) == 0:
		c.kind = KindText
	default:
		var dates, numbers int
		for i := range secs {
			switch secs[i].kind {
			case secDate:
				dates++
			case secNumber:
				numbers++
			}
		}
		if dates > 0 && numbers > 0 {
			return nil, p.fail(0, "the code mixes number sections and date/time sections")
		}
		if dates > 0 {
			c.kind = KindDateTime
			for i := range secs {
				for _, t := range secs[i].toks {
					switch t.kind {
					case tYear, tDay:
						c.hasDate = true
					case tMonth:
						c.hasDate = true
					case tHour, tMinute, tSecond, tFrac, tAMPM, tAP, tElapsed:
						c.hasTime = true
					}
				}
			}
		}
	}
	return c, nil
}

// section classifies and checks the tokens of one section.
func (p *parser) section(toks []token) (section, error) {
	s := section{toks: toks}
	var date, number, text *token
	for i := range toks {
		t := &toks[i]
		switch {
		case t.isDate():
			date = orFirst(date, t)
		case t.kind == tDigit, t.kind == tExp, t.kind == tGeneral, t.kind == tPercent:
			number = orFirst(number, t)
		case t.kind == tAt:
			text = orFirst(text, t)
		}
	}
	switch {
	case text != nil && (date != nil || number != nil):
		t := date
		if t == nil {
			t = number
		}
		return s, p.fail(t.off, "a section with @ (text) may hold only text besides it")
	case text != nil:
		s.kind = secText
		return s, p.textSection(&s)
	case date != nil && number != nil:
		return s, p.fail(number.off, "a section cannot mix date/time parts and number parts")
	case date != nil:
		s.kind = secDate
		return s, p.dateSection(&s)
	case number != nil:
		s.kind = secNumber
		return s, p.numberSection(&s)
	}
	// Only literals (and perhaps commas and dots, which are then text).
	s.kind = secLiteral
	for i := range toks {
		switch toks[i].kind {
		case tDot:
			return s, p.fail(toks[i].off, "a decimal point needs digit placeholders (0, # or ?); quote it (\".\") to show a dot")
		case tComma:
			toks[i] = token{kind: tLit, lit: ",", off: toks[i].off}
		}
	}
	return s, nil
}

func orFirst(a, b *token) *token {
	if a != nil {
		return a
	}
	return b
}

func (p *parser) textSection(s *section) error {
	for i, t := range s.toks {
		switch t.kind {
		case tLit, tAt, tFill:
		case tComma:
			s.toks[i] = token{kind: tLit, lit: ",", off: t.off}
		case tDot:
			s.toks[i] = token{kind: tLit, lit: ".", off: t.off}
		default:
			return p.fail(t.off, "the text section may hold only text and @")
		}
	}
	return nil
}

func (p *parser) numberSection(s *section) error {
	const (
		inInt = iota
		inFrac
		inExp
	)
	state := inInt
	percents := 0
	placeholders := 0
	toks := s.toks
	isDigit := func(i int) bool { return i >= 0 && i < len(toks) && toks[i].kind == tDigit }
	for i := range toks {
		t := &toks[i]
		switch t.kind {
		case tDigit:
			placeholders++
			switch state {
			case inInt:
				s.intSlots++
			case inFrac:
				s.fracSlots++
			case inExp:
				if t.ch != '0' {
					return p.unsupported(t.off, "exponent digits must be written as 0 (0.00E+00)")
				}
				s.expSlots++
			}
		case tDot:
			switch state {
			case inFrac:
				return p.fail(t.off, "a number section has at most one decimal point; quote a second one (\".\") to show it")
			case inExp:
				return p.fail(t.off, "the exponent cannot have a decimal point")
			}
			state = inFrac
		case tComma:
			if i > 0 && toks[i-1].kind == tComma {
				continue // handled with the first comma of its run
			}
			end := i
			for end < len(toks) && toks[end].kind == tComma {
				end++
			}
			prevDigit, nextDigit := isDigit(i-1), isDigit(end)
			for k := i; k < end; k++ {
				switch {
				case state == inInt && prevDigit && nextDigit:
					s.group = true
					toks[k].n = 0 // a grouping comma shows nothing itself
				case prevDigit && !nextDigit && state != inExp:
					s.shift -= 3
					toks[k].n = 1 // a scaling comma divides by 1000
				case nextDigit && state == inFrac:
					return p.unsupported(toks[k].off, "a comma between decimal places is not supported")
				default:
					toks[k] = token{kind: tLit, lit: ",", off: toks[k].off}
				}
			}
		case tPercent:
			percents++
			if percents > 1 {
				return p.unsupported(t.off, "more than one %% is not supported")
			}
			s.shift += 2
		case tExp:
			if s.sci {
				return p.fail(t.off, "a number section has at most one exponent (E+ or E-)")
			}
			if s.intSlots == 0 {
				return p.fail(t.off, "E+ and E- need a digit placeholder before them (0.00E+00)")
			}
			if s.intSlots != 1 {
				return p.unsupported(t.off, "scientific codes need exactly one digit placeholder before the decimal point, as in 0.00E+00")
			}
			if s.group {
				return p.unsupported(t.off, "scientific codes cannot group thousands")
			}
			s.sci = true
			state = inExp
		case tGeneral:
			if s.general {
				return p.fail(t.off, "General may appear once in a section")
			}
			s.general = true
		}
	}
	if s.general && placeholders > 0 {
		return p.fail(toks[0].off, "General cannot be combined with digit placeholders")
	}
	if s.sci && s.expSlots == 0 {
		return p.fail(toks[0].off, "E+ and E- must be followed by exponent digits (0.00E+00)")
	}
	if s.general && s.sci {
		return p.fail(toks[0].off, "General cannot be combined with an exponent")
	}
	if !s.general && placeholders == 0 {
		// Only % or E without digits.
		return p.fail(toks[0].off, "a number section needs digit placeholders (0, # or ?) or General")
	}
	s.plain = !s.general && !s.sci && s.shift == 0 && percents == 0 && plainSection(s)
	return nil
}

// plainSection reports whether a number section is literal text, then
// integer placeholders with all the #s before the 0s (grouping commas
// between them), then perhaps a decimal point and 0s, then literal text;
// it sets s.prefix, s.suffix and s.minInt.
func plainSection(s *section) bool {
	const (
		before = iota
		inInt
		inFrac
		after
	)
	state := before
	for _, t := range s.toks {
		switch t.kind {
		case tFill:
		case tLit:
			switch state {
			case before:
				s.prefix += t.lit
			default:
				state = after
				s.suffix += t.lit
			}
		case tComma:
			if t.n != 0 || state != inInt {
				return false
			}
		case tDigit:
			switch {
			case state == before || state == inInt:
				state = inInt
				switch t.ch {
				case '0':
					s.minInt++
				case '#':
					if s.minInt > 0 {
						return false
					}
				default:
					return false
				}
			case state == inFrac && t.ch == '0':
			default:
				return false
			}
		case tDot:
			if state != inInt {
				return false
			}
			state = inFrac
		default:
			return false
		}
	}
	return state != before
}

func (p *parser) dateSection(s *section) error {
	toks := s.toks
	prevDate := func(i int) *token {
		for j := i - 1; j >= 0; j-- {
			if toks[j].isDate() {
				return &toks[j]
			}
		}
		return nil
	}
	nextDate := func(i int) *token {
		for j := i + 1; j < len(toks); j++ {
			if toks[j].isDate() {
				return &toks[j]
			}
		}
		return nil
	}
	for i := range toks {
		t := &toks[i]
		switch t.kind {
		case tMonth:
			if t.n > 2 {
				continue
			}
			// m and mm are minutes right after hours or right before seconds.
			if pr := prevDate(i); pr != nil && (pr.kind == tHour || pr.kind == tElapsed && pr.ch == 'h') {
				t.kind = tMinute
			} else if nx := nextDate(i); nx != nil && (nx.kind == tSecond || nx.kind == tElapsed && nx.ch == 's') {
				t.kind = tMinute
			}
		case tAMPM, tAP:
			s.ampm = true
		case tElapsed:
			if s.elapsed {
				return p.unsupported(t.off, "only one elapsed time part ([h], [m] or [s]) is supported in a section")
			}
			s.elapsed = true
		case tFrac:
			if s.fracDigit > 0 {
				return p.fail(t.off, "fractions of a second may appear once in a section")
			}
			s.fracDigit = t.n
		case tComma:
			*t = token{kind: tLit, lit: ",", off: t.off}
		case tDot:
			*t = token{kind: tLit, lit: ".", off: t.off}
		}
	}
	// Merge adjacent literals made from commas and dots.
	out := toks[:0]
	for _, t := range toks {
		if n := len(out); t.kind == tLit && n > 0 && out[n-1].kind == tLit {
			out[n-1].lit += t.lit
			continue
		}
		out = append(out, t)
	}
	s.toks = out
	return nil
}
