package blob_test

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/foliorender/folio/blob"
)

// TestDirFull fills a small tmpfs: the errors are ErrFull and ENOSPC, and
// nothing is left behind.
func TestDirFull(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		if os.Getenv("FOLIO_REQUIRE_TOOLS") == "1" {
			t.Fatalf("mounting a 1 MiB tmpfs (needs root): %v", err)
		}
		t.Skipf("mounting a 1 MiB tmpfs needs root: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", dir, err)
		}
	})
	ctx := context.Background()
	d, err := blob.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := d.Create(ctx, "artifacts/1/big.pdf")
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 64<<10)
	var werr error
	for range 32 {
		if _, werr = w.Write(p); werr != nil {
			break
		}
	}
	if !errors.Is(werr, blob.ErrFull) || !errors.Is(werr, syscall.ENOSPC) {
		t.Errorf("writing 2 MiB to a 1 MiB file system: %v; want ErrFull and ENOSPC", werr)
	}
	if _, err := w.Commit(); err == nil {
		t.Error("Commit after a failed write: no error")
	}
	if tmp, _ := d.TempFiles(); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
	if _, err := d.Open(ctx, "artifacts/1/big.pdf"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open after a failed write: %v", err)
	}
	// The space is free again.
	w, err = d.Create(ctx, "artifacts/1/small.csv")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "a,b\n")
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}
