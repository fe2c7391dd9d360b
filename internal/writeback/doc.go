// Package writeback has the kernel write a file's pages to disk while it
// is still being written, so that the fsync that makes the file durable
// before it is renamed into place has little left to wait for. Both
// folio's outputs (cmd/folio's -o and -d) and the server's stored
// artifacts (blob.Dir) are written through it.
package writeback
