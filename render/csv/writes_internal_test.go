package csv

import (
	"bufio"
	"bytes"
	"context"
	"testing"

	"github.com/foliorender/folio/internal/benchdoc"
	"github.com/foliorender/folio/internal/bufpool"
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

// TestWholePieces checks that every Write but the last is the buffer's
// whole size, so that each starts at a multiple of it, formatted numbers
// being written into the buffer's free space; and that the output is the
// same through a writer whose buffer is always short of room, so that
// every number goes through scratch.
func TestWholePieces(t *testing.T) {
	in := benchdoc.NumbersBytes(3000, 10)
	r := &Renderer{Formatted: true}
	var rec recorder
	if err := r.Render(context.Background(), &rec, report.Read(bytes.NewReader(in))); err != nil {
		t.Fatal(err)
	}
	if len(rec.sizes) < 5 {
		t.Fatalf("%d writes, want several", len(rec.sizes))
	}
	for i, n := range rec.sizes[:len(rec.sizes)-1] {
		if n != bufpool.Size {
			t.Fatalf("write %d of %d is %d bytes, want %d", i, len(rec.sizes), n, bufpool.Size)
		}
	}
	var short bytes.Buffer
	doc := report.Read(bytes.NewReader(in))
	cw := newWriter(&short, ',', false)
	cw.w = bufio.NewWriterSize(&short, numberRoom/2)
	tw := &tables{ctx: context.Background(), r: r, cw: cw, loc: doc.Locale()}
	for el, err := range doc.Elements() {
		if err != nil {
			t.Fatal(err)
		}
		if err := report.Visit(el, tw); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(short.Bytes(), rec.Bytes()) {
		t.Errorf("the output through scratch differs")
	}
}
