package html

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/report"
)

// A recorder keeps what is written to it and the size of each Write.
type recorder struct {
	bytes.Buffer
	sizes []int
}

func (r *recorder) Write(p []byte) (int, error) {
	r.sizes = append(r.sizes, len(p))
	return r.Buffer.Write(p)
}

// TestWholePieces checks that every Write but the last is a whole number
// of bufSize pieces (so that each starts at a multiple of bufSize), for
// many rows and for a paragraph several pieces long, appended at once,
// and that nothing is lost or repeated on the way.
func TestWholePieces(t *testing.T) {
	long := strings.Repeat("Straße & Ωμέγα ", 3*bufSize/10)
	var in bytes.Buffer
	in.WriteString(`{"elements":[{"type":"paragraph","data":{"text":[{"value":"` + long + `"}]}},`)
	table := benchdoc.NumbersBytes(3000, 10)
	in.Write(table[bytes.Index(table, []byte(`{"type":"table"`)) : len(table)-3])
	in.WriteString(`,{"type":"paragraph","data":{"text":[{"value":"end"}]}}]}`)
	var rec recorder
	if err := (&Renderer{}).Render(context.Background(), &rec, report.Read(&in)); err != nil {
		t.Fatal(err)
	}
	if len(rec.sizes) < 10 {
		t.Fatalf("%d writes, want many", len(rec.sizes))
	}
	for i, n := range rec.sizes[:len(rec.sizes)-1] {
		if n == 0 || n%bufSize != 0 {
			t.Fatalf("write %d of %d is %d bytes, not a multiple of %d", i, len(rec.sizes), n, bufSize)
		}
	}
	out := rec.String()
	escaped := strings.ReplaceAll(long, "&", "&amp;")
	if strings.Count(out, escaped) != 1 || strings.Count(out, "<tr>") != 3000+1+1 || !strings.HasSuffix(out, "<p dir=\"auto\">end</p>\n</main>\n</body>\n</html>\n") {
		t.Errorf("the output (%d bytes) lacks the long paragraph, a row or its end", len(out))
	}
}
