// Package blob stores the files of folio's job server, documents and
// rendered artifacts, outside the database: a [Store] keeps bytes under
// keys, and a [Writer] makes them visible under their key only when
// committed, with their size and SHA-256. [Dir] keeps them in a directory;
// an S3-compatible store can implement the same interface (a multipart
// upload committed by its final request).
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/foliorender/folio/jobs"
)

// A Store keeps blobs under keys: slash-separated paths of letters, digits,
// '.', '_' and '-' segments. Its methods are safe for concurrent use.
type Store interface {
	// Create returns a Writer for key. Nothing is visible under key until
	// the Writer's Commit returns; committing replaces what was there
	// whole, so writing a key twice with the same bytes is harmless.
	Create(ctx context.Context, key string) (Writer, error)
	// Open returns the blob under key; errors.Is(err, ErrNotFound) if there
	// is none. The caller closes it.
	Open(ctx context.Context, key string) (File, error)
	// Delete removes the blob under key; a missing one is not an error.
	Delete(ctx context.Context, key string) error
}

// A Writer writes one blob. Either Commit or Abort must be called; after
// Commit, Abort does nothing, so `defer w.Abort()` is the usual cleanup.
type Writer interface {
	io.Writer
	// Commit makes the bytes written durable and visible under the key and
	// returns their description.
	Commit() (jobs.Blob, error)
	// Abort discards what was written.
	Abort() error
}

// A File is a stored blob, open for reading.
type File interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// ErrNotFound is returned by Open for a key that holds no blob.
var ErrNotFound = errors.New("blob: not found")

var keyRE = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$`)

// CheckKey returns an error if key is not a valid key.
func CheckKey(key string) error {
	if !keyRE.MatchString(key) || strings.Contains(key, "..") {
		return fmt.Errorf("blob: invalid key %q", key)
	}
	return nil
}

// Dir is a Store in a directory of the local file system. Writers write to
// a temporary file in its tmp subdirectory, which Commit syncs and renames
// into place (then syncs the directory), so a reader never sees a partial
// blob, even after a crash.
type Dir struct {
	root string
}

const tmpDir = ".tmp"

// NewDir returns a Dir rooted at root, creating it if needed, and removes
// the temporary files that writers interrupted by a crash left behind. Only
// one process may use root at a time.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o750); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(root, tmpDir))
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(root, tmpDir, e.Name())); err != nil {
			return nil, err
		}
	}
	return &Dir{root: root}, nil
}

// TempFiles returns the names of the temporary files in d: files being
// written now, or left by a crash before NewDir cleaned up.
func (d *Dir) TempFiles() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(d.root, tmpDir))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, err
}

func (d *Dir) path(key string) string { return filepath.Join(d.root, filepath.FromSlash(key)) }

// Create implements Store.
func (d *Dir) Create(ctx context.Context, key string) (Writer, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Join(d.root, tmpDir), "blob-*")
	if err != nil {
		return nil, err
	}
	return &dirWriter{d: d, key: key, f: f, h: sha256.New()}, nil
}

type dirWriter struct {
	d    *Dir
	key  string
	f    *os.File
	h    hash.Hash
	n    int64
	done bool
}

func (w *dirWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("blob: write after Commit or Abort")
	}
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

func (w *dirWriter) Commit() (jobs.Blob, error) {
	if w.done {
		return jobs.Blob{}, errors.New("blob: Commit after Commit or Abort")
	}
	w.done = true
	name := w.f.Name()
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	dst := w.d.path(w.key)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(dst), 0o750)
	}
	if err == nil {
		err = os.Rename(name, dst)
	}
	if err == nil {
		err = syncDir(filepath.Dir(dst))
	}
	if err != nil {
		os.Remove(name)
		return jobs.Blob{}, fmt.Errorf("blob: committing %s: %w", w.key, err)
	}
	return jobs.Blob{Key: w.key, Size: w.n, SHA256: hex.EncodeToString(w.h.Sum(nil))}, nil
}

func (w *dirWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	return os.Remove(w.f.Name())
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Open implements Store.
func (d *Dir) Open(ctx context.Context, key string) (File, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	f, err := os.Open(d.path(key))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &dirFile{File: f, st: st}, nil
}

type dirFile struct {
	*os.File
	st os.FileInfo
}

func (f *dirFile) Size() int64        { return f.st.Size() }
func (f *dirFile) ModTime() time.Time { return f.st.ModTime() }

// Delete implements Store.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
