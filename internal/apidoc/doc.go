// Package apidoc holds a test of folio's public API as other Go services see
// it: every exported name of the packages they import has a doc comment, and
// each of those packages has at least one runnable Example, the manual that
// go test keeps true. It has no code of its own.
package apidoc
