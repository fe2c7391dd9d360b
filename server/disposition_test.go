package server_test

import (
	"mime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/foliorender/folio/server"
)

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"report.xlsx":    `attachment; filename="report.xlsx"`,
		"Bericht ä.csv":  `attachment; filename="Bericht _.csv"; filename*=UTF-8''Bericht%20%C3%A4.csv`,
		`a"b\c.pdf`:      `attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`,
		"東京.md":          `attachment; filename="__.md"; filename*=UTF-8''%E6%9D%B1%E4%BA%AC.md`,
		"line\nbreak.md": `attachment; filename="linebreak.md"`,
	} {
		if got := server.ContentDisposition(name); got != want {
			t.Errorf("ContentDisposition(%q) = %s, want %s", name, got, want)
		}
	}
}

func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"report.xlsx", "Bericht ä.csv", `a"b\c`, "\x00\xff", "100%.csv", "東京", "a;b=c", " ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v := server.ContentDisposition(name)
		for _, r := range v {
			if r < 0x20 || r >= 0x7f {
				t.Fatalf("ContentDisposition(%q) = %q holds a control or non-ASCII character", name, v)
			}
		}
		typ, params, err := mime.ParseMediaType(v)
		if err != nil || typ != "attachment" {
			t.Fatalf("ContentDisposition(%q) = %q: ParseMediaType: %q, %v", name, v, typ, err)
		}
		// What parses back is the name without control characters.
		want := strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
				return -1
			}
			return r
		}, strings.ToValidUTF8(name, "\uFFFD"))
		if want == "" {
			want = "download"
		}
		if params["filename"] != want || !utf8.ValidString(params["filename"]) {
			t.Fatalf("ContentDisposition(%q) = %q parses back as %q, want %q", name, v, params["filename"], want)
		}
	})
}
