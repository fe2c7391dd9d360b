package server

import (
	"cmp"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/foliorender/folio/render"
)

// A Registry is the set of formats a server renders: [render.Lookup] and
// [render.Formats] unless Config.Formats gives another.
type Registry interface {
	Lookup(name string) (render.Format, error)
	Formats() []render.Format
}

type registered struct{}

func (registered) Lookup(name string) (render.Format, error) { return render.Lookup(name) }
func (registered) Formats() []render.Format                  { return render.Formats() }

// Registered is the Registry of the formats registered with package render.
var Registered Registry = registered{}

// DefaultFormat is the format served when a request asks for none.
const DefaultFormat = "json"

// negotiate picks the format for a content request: the format parameter
// if given (unknown: 422), else the best match for the Accept header
// (nothing acceptable: 406), else json.
func negotiate(reg Registry, query url.Values, accept string) (render.Format, error) {
	if name := query.Get("format"); name != "" || query.Has("format") {
		f, err := reg.Lookup(name)
		if err != nil {
			return render.Format{}, &Error{Code: 422, Message: "unknown format " + strconv.Quote(name),
				Details: []any{ParamDetail{"format", "Must be one of " + names(reg)}}}
		}
		return f, nil
	}
	formats := reg.Formats()
	def, defErr := reg.Lookup(DefaultFormat)
	if strings.TrimSpace(accept) == "" {
		if defErr != nil && len(formats) > 0 {
			return formats[0], nil
		}
		return def, defErr
	}
	type rng struct {
		typ, sub string
		q        float64
		order    int
	}
	var ranges []rng
	for i, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		if q > 0 {
			ranges = append(ranges, rng{typ, sub, q, i})
		}
	}
	specificity := func(r rng) int {
		switch {
		case r.typ == "*":
			return 0
		case r.sub == "*":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(ranges, func(a, b rng) int {
		if c := cmp.Compare(b.q, a.q); c != 0 {
			return c
		}
		return cmp.Compare(specificity(b), specificity(a))
	})
	// The default format first, so a wildcard picks it.
	if defErr == nil {
		formats = append([]render.Format{def}, slices.DeleteFunc(formats, func(f render.Format) bool { return f.Name == def.Name })...)
	}
	for _, r := range ranges {
		for _, f := range formats {
			mt, _, err := mime.ParseMediaType(f.MediaType)
			if err != nil {
				continue
			}
			typ, sub, _ := strings.Cut(mt, "/")
			if (r.typ == "*" || r.typ == typ) && (r.sub == "*" || r.sub == sub) {
				return f, nil
			}
		}
	}
	return render.Format{}, &Error{Code: 406, Message: "none of the formats matches the Accept header",
		Details: []any{ParamDetail{"Accept", "Must accept one of " + mediaTypes(reg)}}}
}

func names(reg Registry) string {
	var n []string
	for _, f := range reg.Formats() {
		n = append(n, f.Name)
	}
	return strings.Join(n, ", ")
}

func mediaTypes(reg Registry) string {
	var n []string
	for _, f := range reg.Formats() {
		n = append(n, f.MediaType)
	}
	return strings.Join(n, ", ")
}

// ContentDisposition returns the Content-Disposition value of an attachment
// named filename: `attachment; filename="NAME"` with a plain ASCII name in
// which every byte that is not a printable ASCII character (and '"', '\\',
// '%') is replaced by '_', plus `filename*=UTF-8”…` (RFC 8187
// percent-encoding) when that changed the name. Invalid UTF-8 in filename
// is replaced by U+FFFD, and control characters are dropped first.
func ContentDisposition(filename string) string {
	filename = strings.ToValidUTF8(filename, "\uFFFD")
	filename = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, filename)
	if filename == "" {
		filename = "download"
	}
	var ascii strings.Builder
	plain := true
	for i := 0; i < len(filename); {
		r, size := utf8.DecodeRuneInString(filename[i:])
		i += size
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' && r != '%' {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
			plain = false
		}
	}
	v := `attachment; filename="` + ascii.String() + `"`
	if !plain {
		v += "; filename*=UTF-8''" + pctEncode(filename)
	}
	return v
}

// pctEncode encodes s as an RFC 8187 value-chars: attr-char stays, every
// other byte is %XX.
func pctEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
