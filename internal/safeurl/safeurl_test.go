package safeurl

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

var links = []struct {
	s              string
	link, template bool
}{
	{"https://erp.example/orders/42", true, true},
	{"HTTP://x", true, true},
	{"hTtPs://x/{value}", true, true},
	{"mailto:someone@example.com", true, true},
	{"MAILTO:a", true, true},
	{"https://straße.example/ü", true, true},
	{"https://{value}.example/", true, false},
	{"mailto:{value}", true, false},
	{"https://", false, false},
	{"https:///path", false, false},
	{"https://?q", false, false},
	{"https://#f", false, false},
	{"mailto:", false, false},
	{"https://a b", false, false},
	{"https://a\tb", false, false},
	{"https://a\x7f", false, false},
	{"https://a\x00", false, false},
	{" https://a", false, false},
	{"https:/a", false, false},
	{"javascript:alert(1)", false, false},
	{"ftp://x", false, false},
	{"/relative", false, false},
	{"", false, false},
	{"data:text/html,x", false, false},
	{"file:///etc/passwd", false, false},
}

func TestLink(t *testing.T) {
	lp, tp := regexp.MustCompile(LinkPattern), regexp.MustCompile(TemplatePattern)
	for _, c := range links {
		if got := Link(c.s); got != c.link {
			t.Errorf("Link(%q) = %v", c.s, got)
		}
		if got := Template(c.s); got != c.template {
			t.Errorf("Template(%q) = %v", c.s, got)
		}
		if got := lp.MatchString(c.s); got != c.link {
			t.Errorf("LinkPattern on %q = %v", c.s, got)
		}
		if got := tp.MatchString(c.s); got != c.template {
			t.Errorf("TemplatePattern on %q = %v", c.s, got)
		}
	}
}

// FuzzPatterns requires the Go rules and their regular expressions, which
// the JSON Schema uses, to agree, and expanded templates to be links.
func FuzzPatterns(f *testing.F) {
	for _, c := range links {
		f.Add(c.s, "v")
	}
	lp, tp := regexp.MustCompile(LinkPattern), regexp.MustCompile(TemplatePattern)
	f.Fuzz(func(t *testing.T, s, value string) {
		if Link(s) != lp.MatchString(s) {
			t.Fatalf("Link(%q) = %v, pattern says %v", s, Link(s), lp.MatchString(s))
		}
		if Template(s) != tp.MatchString(s) {
			t.Fatalf("Template(%q) = %v, pattern says %v", s, Template(s), tp.MatchString(s))
		}
		if Template(s) {
			if u := string(Expand(nil, s, []byte(value))); !Link(u) {
				t.Fatalf("Expand(%q, %q) = %q, not a link", s, value, u)
			}
		}
	})
}

func TestExpand(t *testing.T) {
	for _, c := range []struct{ tmpl, v, want string }{
		{"https://erp/orders/{value}", "42", "https://erp/orders/42"},
		{"https://erp/o?id={value}&again={value}", "a b/c?d#e&f", "https://erp/o?id=a%20b%2Fc%3Fd%23e%26f&again=a%20b%2Fc%3Fd%23e%26f"},
		{"https://x/{value}", "Straße~-._", "https://x/Stra%C3%9Fe~-._"},
		{"https://x/static", "1", "https://x/static"},
		{"https://x/{val}", "1", "https://x/{val}"},
	} {
		if got := string(Expand(nil, c.tmpl, []byte(c.v))); got != c.want {
			t.Errorf("Expand(%q, %q) = %q, want %q", c.tmpl, c.v, got, c.want)
		}
	}
	if got := string(AppendASCII(nil, "https://x/ü?q=é")); got != "https://x/%C3%BC?q=%C3%A9" {
		t.Errorf("AppendASCII = %q", got)
	}
}

// TestIsASCII puts one byte outside ASCII at each place of strings of 0
// to 20 bytes, across and after the eight-byte words IsASCII reads.
func TestIsASCII(t *testing.T) {
	for n := 0; n <= 20; n++ {
		s := []byte(strings.Repeat("a", n))
		if !IsASCII(string(s)) {
			t.Errorf("%q: not ASCII", s)
		}
		for i := range n {
			for _, c := range []byte{0x80, 0xc3, 0xff} {
				b := bytes.Clone(s)
				b[i] = c
				if IsASCII(string(b)) {
					t.Errorf("%q: ASCII", b)
				}
			}
		}
	}
}
