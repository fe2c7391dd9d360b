//go:build !unix

package main

// lockDir does nothing where flock is missing: run one folio serve per data
// directory.
func lockDir(path string) (func(), error) { return func() {}, nil }
