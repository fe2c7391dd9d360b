//go:build !unix

package main

import "errors"

// lockDir does nothing where flock is missing: run one folio serve per data
// directory.
func lockDir(path string) (func(), error) { return func() {}, nil }

// freeBytes is not known here: the free-space check of /healthz is off.
func freeBytes(dir string) (int64, error) { return 0, errors.ErrUnsupported }
