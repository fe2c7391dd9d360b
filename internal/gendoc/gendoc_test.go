package gendoc

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

func TestReader(t *testing.T) {
	parts := []Part{Text(`{"a":[`), Repeat(`{"b":1}`, 3), {Text: "x", Sep: "--", N: 2}, Repeat("never", 0), Text(""), {Text: "y", N: 2}, Text(`]}`)}
	want := `{"a":[{"b":1},{"b":1},{"b":1}x--xyy]}`
	if err := iotest.TestReader(Reader(parts...), []byte(want)); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(iotest.OneByteReader(Reader(parts...)))
	if !bytes.Equal(b, []byte(want)) {
		t.Errorf("one byte at a time: %s", b)
	}
	if n := Size(parts...); n != int64(len(want)) {
		t.Errorf("Size = %d, want %d", n, len(want))
	}
}

func TestReaderAllocates(t *testing.T) {
	r := Reader(Repeat(`{"caption":""}`, 1_000_000))
	buf := make([]byte, 4096)
	total, _ := Alloc(func() {
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	})
	// A million parts: an allocation per part would be megabytes. The
	// bound leaves room for what the runtime and the test framework
	// allocate meanwhile (MemStats counts the whole process).
	if total > 64<<10 {
		t.Errorf("reading 15 MB allocated %d bytes", total)
	}
}

func TestAlloc(t *testing.T) {
	var keep []byte
	total, _ := Alloc(func() { keep = make([]byte, 8<<20) })
	if total < 8<<20 || total > 9<<20 {
		t.Errorf("Alloc of an 8 MiB slice counted %d bytes", total)
	}
	_ = keep
}
