package bufpool

import (
	"bytes"
	"errors"
	"testing"
)

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("fail") }

// TestReuse checks that a Writer given back with bytes unflushed or a
// write error passes neither to its next user.
func TestReuse(t *testing.T) {
	for _, c := range []struct {
		name  string
		first func() error
	}{
		{"unflushed", func() error {
			var old bytes.Buffer
			bw := Get(&old)
			bw.WriteString("left over")
			Put(bw)
			if old.Len() != 0 {
				return errors.New("Put flushed")
			}
			return nil
		}},
		{"failed", func() error {
			bw := Get(failWriter{})
			bw.WriteString("x")
			if bw.Flush() == nil {
				return errors.New("no error from a failing writer")
			}
			Put(bw)
			return nil
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.first(); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			bw := Get(&got)
			defer Put(bw)
			if bw.Size() != Size || bw.Buffered() != 0 {
				t.Fatalf("size %d, buffered %d; want %d, 0", bw.Size(), bw.Buffered(), Size)
			}
			bw.WriteString("new")
			if err := bw.Flush(); err != nil {
				t.Fatal(err)
			}
			if got.String() != "new" {
				t.Errorf("wrote %q, want %q", got.String(), "new")
			}
		})
	}
}
