// Package blob stores the files of folio's job server, documents and
// rendered artifacts, outside the database: a [Store] keeps bytes under
// keys, and a [Writer] makes them visible under their key only when
// committed, with their size and SHA-256. [Dir] keeps them in a directory;
// package blob/s3 in a bucket of an S3-compatible object store. Package
// blob/blobtest is the suite that every Store passes.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/foliorender/folio/internal/writeback"
	"github.com/foliorender/folio/jobs"
)

// A Store keeps blobs under keys: slash-separated paths of letters, digits,
// '.', '_' and '-' segments. Its methods are safe for concurrent use.
type Store interface {
	// Create returns a Writer for key. Nothing is visible under key until
	// the Writer's Commit returns; committing replaces what was there
	// whole, so writing a key twice with the same bytes is harmless. ctx
	// governs the whole write: once it is done, Write and Commit fail and
	// nothing becomes visible.
	Create(ctx context.Context, key string) (Writer, error)
	// Open returns the blob under key; errors.Is(err, ErrNotFound) if there
	// is none. The caller closes it. A blob replaced while open is either
	// read whole as it was or fails to read; its bytes are never mixed.
	Open(ctx context.Context, key string) (File, error)
	// Delete removes the blob under key; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// List yields every committed blob whose key starts with prefix, in no
	// particular order, and stops at the first error, yielding it. Blobs
	// committed or deleted while it runs may or may not be seen. A prefix
	// whose part up to its last '/' is not a valid key is an error; ""
	// lists every blob.
	List(ctx context.Context, prefix string) iter.Seq2[Info, error]
	// RemoveUncommitted removes the writes begun before the time given that
	// are neither committed nor aborted, as a process that crashed while
	// writing leaves them, and returns how many it removed. A write still
	// running is removed too and its Commit fails (in S3, a part in flight
	// may bring an aborted upload back, to be removed by the next call, or
	// even let it complete whole), so pass a time older than any write may
	// take.
	RemoveUncommitted(ctx context.Context, before time.Time) (int, error)
}

// An Info describes a committed blob.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time // when it was committed, as the store tells it
}

// A Writer writes one blob. Either Commit or Abort must be called; after
// Commit, Abort does nothing, so `defer w.Abort()` is the usual cleanup.
// A Writer is not safe for concurrent use.
type Writer interface {
	io.Writer
	// Commit makes the bytes written durable and visible under the key and
	// returns their description, with the SHA-256 of the bytes written.
	// It fails, committing nothing, if a Write failed.
	// After an error the key holds what it held before or, when the error
	// came after the store had already published the blob, the new blob
	// whole; nothing partial.
	Commit() (jobs.Blob, error)
	// Abort discards what was written.
	Abort() error
}

// A File is a stored blob, open for reading. ReadAt does not move the
// offset that Read and Seek use; its calls may run in parallel.
type File interface {
	io.ReadSeekCloser
	io.ReaderAt
	Size() int64
	ModTime() time.Time
}

// ErrNotFound is returned by Open for a key that holds no blob.
var ErrNotFound = errors.New("blob: not found")

// ErrFull is returned when the storage has no room for a blob: a full disk
// or quota for [Dir], the server's "insufficient storage" answer for an S3
// store. The error also wraps the store's own error (for Dir, errors.Is(err,
// syscall.ENOSPC) or syscall.EDQUOT holds too). Retrying later can succeed.
var ErrFull = errors.New("blob: storage full")

// Full returns err marked as [ErrFull]: errors.Is(Full(err), ErrFull) and
// errors.Is(Full(err), err) both hold. It is for stores outside this package.
func Full(err error) error { return fmt.Errorf("%w: %w", ErrFull, err) }

// fullIf marks err as ErrFull if the file system said it is out of space or
// over quota.
func fullIf(err error) error {
	if err != nil && (errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)) && !errors.Is(err, ErrFull) {
		return Full(err)
	}
	return err
}

var keyRE = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$`)

// CheckKey returns an error if key is not a valid key.
func CheckKey(key string) error {
	if !keyRE.MatchString(key) || strings.Contains(key, "..") {
		return fmt.Errorf("blob: invalid key %q", key)
	}
	return nil
}

// CheckPrefix returns an error if prefix is not a valid prefix for List:
// its part up to its last '/', if it has one, must be a valid key.
func CheckPrefix(prefix string) error {
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		if CheckKey(prefix[:i]) != nil {
			return fmt.Errorf("blob: invalid prefix %q", prefix)
		}
	}
	if strings.Contains(prefix, "..") {
		return fmt.Errorf("blob: invalid prefix %q", prefix)
	}
	return nil
}

// Dir is a Store in a directory of the local file system. Writers write to
// a temporary file in its tmp subdirectory, which Commit syncs and renames
// into place (then syncs the directory), so a reader never sees a partial
// blob, even after a crash. Errors from a full file system or quota are
// [ErrFull].
type Dir struct {
	root string
}

const tmpDir = ".tmp"

// NewDir returns a Dir rooted at root, creating it if needed, and removes
// the temporary files that writers interrupted by a crash left behind. Only
// one process may use root at a time.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o750); err != nil {
		return nil, fullIf(err)
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

// NewSharedDir returns a Dir rooted at root, creating it if needed, for a
// directory that several processes share (a network file system mounted
// by every server): it removes no temporary file, since another process
// may be writing it. RemoveUncommitted removes those a crash left, once
// they are old enough.
func NewSharedDir(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o750); err != nil {
		return nil, fullIf(err)
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

// Create implements Store. The temporary file's name starts with the time
// the write began, which RemoveUncommitted reads.
func (d *Dir) Create(ctx context.Context, key string) (Writer, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Join(d.root, tmpDir), strconv.FormatInt(time.Now().UnixNano(), 10)+"-*")
	if err != nil {
		return nil, fullIf(err)
	}
	return &dirWriter{ctx: ctx, d: d, key: key, f: f, out: writeback.Start(f), h: sha256.New()}, nil
}

type dirWriter struct {
	ctx  context.Context
	d    *Dir
	key  string
	f    *os.File
	out  *writeback.Writer // to f, handing it to the disk as it goes
	h    hash.Hash
	n    int64
	err  error // the first error of Write, which Commit returns
	done bool
}

func (w *dirWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("blob: write after Commit or Abort")
	}
	if w.err != nil {
		return 0, w.err
	}
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return 0, err
	}
	n, err := w.out.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	if err != nil {
		w.err = fmt.Errorf("blob: writing %s: %w", w.key, fullIf(err))
	}
	return n, w.err
}

func (w *dirWriter) Commit() (jobs.Blob, error) {
	if w.done {
		return jobs.Blob{}, errors.New("blob: Commit after Commit or Abort")
	}
	w.done = true
	w.out.Stop()
	name := w.f.Name()
	if w.err != nil {
		w.f.Close()
		os.Remove(name)
		return jobs.Blob{}, w.err
	}
	err := w.ctx.Err()
	if err == nil {
		err = w.f.Sync()
	}
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
		return jobs.Blob{}, fmt.Errorf("blob: committing %s: %w", w.key, fullIf(err))
	}
	return jobs.Blob{Key: w.key, Size: w.n, SHA256: hex.EncodeToString(w.h.Sum(nil))}, nil
}

func (w *dirWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.out.Stop()
	w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err // ErrNotExist: RemoveUncommitted removed it
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Open implements Store. The File is an *os.File underneath; ctx only
// governs opening it.
func (d *Dir) Open(ctx context.Context, key string) (File, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	f, err := os.Open(d.path(key))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
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
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return err
	}
	return nil
}

// List implements Store. It walks only the directory that prefix names up
// to its last '/'.
func (d *Dir) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		if err := CheckPrefix(prefix); err != nil {
			yield(Info{}, err)
			return
		}
		base := ""
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			base = prefix[:i]
		}
		top := filepath.Join(d.root, filepath.FromSlash(base))
		err := filepath.WalkDir(top, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				if path == top && errors.Is(err, os.ErrNotExist) {
					return nil
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, rerr := filepath.Rel(d.root, path)
			if rerr != nil {
				return rerr
			}
			key := filepath.ToSlash(rel)
			if e.IsDir() {
				if path != top && (CheckKey(key) != nil || !strings.HasPrefix(key, prefix) && !strings.HasPrefix(prefix, key+"/")) {
					return fs.SkipDir // .tmp, or a directory no key with prefix is under
				}
				return nil
			}
			if !e.Type().IsRegular() || CheckKey(key) != nil || !strings.HasPrefix(key, prefix) {
				return nil
			}
			st, err := e.Info()
			if errors.Is(err, os.ErrNotExist) {
				return nil // deleted meanwhile
			}
			if err != nil {
				return err
			}
			if !yield(Info{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			yield(Info{}, fmt.Errorf("blob: listing %q: %w", prefix, err))
		}
	}
}

var errStop = errors.New("stop")

// RemoveUncommitted implements Store: it removes the temporary files of
// writes begun before the time given (their names tell; a file named
// otherwise counts from its modification time).
func (d *Dir) RemoveUncommitted(ctx context.Context, before time.Time) (int, error) {
	dir := filepath.Join(d.root, tmpDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		began, ok := tempBegan(e.Name())
		if !ok {
			st, err := e.Info()
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return n, err
			}
			began = st.ModTime()
		}
		if !began.Before(before) {
			continue
		}
		rm := os.Remove
		if e.IsDir() {
			rm = os.RemoveAll
		}
		switch err := rm(filepath.Join(dir, e.Name())); {
		case err == nil:
			n++
		case !errors.Is(err, os.ErrNotExist): // else committed or aborted meanwhile
			return n, err
		}
	}
	return n, nil
}

// tempBegan returns the time at the start of a temporary file's name.
func tempBegan(name string) (time.Time, bool) {
	ns, _, ok := strings.Cut(name, "-")
	if !ok {
		return time.Time{}, false
	}
	v, err := strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, v), true
}
