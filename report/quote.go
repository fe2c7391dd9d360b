package report

import "unicode/utf8"

// maxQuoted is how many characters of an input value a message quotes.
const maxQuoted = 80

// clip returns s for quoting in a violation message: cut after its first
// 80 characters, with "…" added, when it is longer. Every message that
// repeats a value from the input passes it through clip, so that a message
// never echoes megabytes of input (cells, captions and type names can be
// that long); it takes bytes too, so cell text is not copied whole first.
func clip[T ~string | ~[]byte](s T) string {
	i := 0
	for n := 0; n < maxQuoted && i < len(s); n++ {
		i++
		for i < len(s) && !utf8.RuneStart(s[i]) {
			i++
		}
	}
	if i == len(s) {
		return string(s)
	}
	return string(s[:i]) + "…"
}
