package blob_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/blob/blobtest"
)

func TestStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		d, err := blob.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestFull(t *testing.T) {
	err := blob.Full(syscall.ENOSPC)
	if !errors.Is(err, blob.ErrFull) || !errors.Is(err, syscall.ENOSPC) || err.Error() != "blob: storage full: no space left on device" {
		t.Errorf("Full(ENOSPC) = %v", err)
	}
}

func TestDir(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d, err := blob.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	w, err := d.Create(ctx, "artifacts/1/csv.csv")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "a,b\n")
	if _, err := d.Open(ctx, "artifacts/1/csv.csv"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("an uncommitted blob is visible: %v", err)
	}
	if tmp, _ := d.TempFiles(); len(tmp) != 1 {
		t.Errorf("temp files while writing: %v", tmp)
	}
	b, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("a,b\n"))
	if b.Key != "artifacts/1/csv.csv" || b.Size != 4 || b.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("Commit: %+v", b)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	f, err := d.Open(ctx, b.Key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "a,b\n" || f.Size() != 4 {
		t.Errorf("read back %q, size %d", got, f.Size())
	}

	// Rewriting a key replaces it whole; an aborted writer leaves nothing.
	w2, _ := d.Create(ctx, b.Key)
	io.WriteString(w2, "half")
	w2.Abort()
	f, _ = d.Open(ctx, b.Key)
	got, _ = io.ReadAll(f)
	f.Close()
	if string(got) != "a,b\n" {
		t.Errorf("after an aborted rewrite: %q", got)
	}
	if tmp, _ := d.TempFiles(); len(tmp) != 0 {
		t.Errorf("temp files after Abort: %v", tmp)
	}

	// A writer interrupted by a crash leaves a temp file; NewDir removes it.
	w3, _ := d.Create(ctx, "documents/x.json")
	io.WriteString(w3, "{")
	if _, err := blob.NewDir(root); err != nil {
		t.Fatal(err)
	}
	if tmp, _ := d.TempFiles(); len(tmp) != 0 {
		t.Errorf("temp files after NewDir: %v", tmp)
	}
	if _, err := os.Stat(filepath.Join(root, "documents", "x.json")); !os.IsNotExist(err) {
		t.Errorf("interrupted blob visible: %v", err)
	}

	if err := d.Delete(ctx, b.Key); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, b.Key); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	for _, k := range []string{"", "../x", "a/../b", "/abs", "a//b", ".tmp/x", "a b"} {
		if _, err := d.Create(ctx, k); err == nil {
			t.Errorf("Create(%q): no error", k)
		}
	}
}

// TestSharedDir opens a directory that another process writes in: the
// other's write goes on and commits; the shared store sees it, and
// RemoveUncommitted removes only old temporary files.
func TestSharedDir(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	a, err := blob.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := a.Create(ctx, "artifacts/1/x.csv")
	io.WriteString(w, "x")
	b, err := blob.NewSharedDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if tmp, _ := b.TempFiles(); len(tmp) != 1 {
		t.Errorf("temp files after NewSharedDir: %v; want the other writer's", tmp)
	}
	if n, err := b.RemoveUncommitted(ctx, time.Now().Add(-time.Hour)); n != 0 || err != nil {
		t.Errorf("RemoveUncommitted of writes over an hour old: %d, %v; want 0", n, err)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatalf("the other writer's Commit: %v", err)
	}
	if f, err := b.Open(ctx, "artifacts/1/x.csv"); err != nil {
		t.Errorf("the shared store does not see the other's blob: %v", err)
	} else {
		f.Close()
	}
}
