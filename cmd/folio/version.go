package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

func init() { commands["version"] = runVersion }

func runVersion(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	const synopsis = "folio version\n\nPrints folio's version, the Go version it was built with and, when it was\nbuilt from a repository, the commit, its time and whether the tree had\nchanges (from the build information Go writes into the binary)."
	fs := newFlags("version")
	pos, code, ok := parse(fs, synopsis, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "folio version: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	if _, err := io.WriteString(stdout, versionText(bi)); err != nil {
		fmt.Fprintf(stderr, "folio version: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

// versionText describes the build bi, or a binary without build
// information for nil:
//
//	folio v1.2.0
//	go        go1.26.0
//	revision  4f0c2d…
//	time      2026-11-30T09:12:44Z
//	modified  false
//
// The version is the main module's: a release tag for `go install
// github.com/foliorender/folio/cmd/folio@v1.2.0`, a pseudo-version or
// "(devel)" for a build in a checkout. The vcs lines are left out when
// the build has no such setting (go install of a module, go build
// -buildvcs=false).
func versionText(bi *debug.BuildInfo) string {
	var b strings.Builder
	if bi == nil {
		fmt.Fprintf(&b, "folio (unknown version: no build information)\ngo        %s\n", runtime.Version())
		return b.String()
	}
	v := bi.Main.Version
	if v == "" {
		v = "(unknown)"
	}
	fmt.Fprintf(&b, "folio %s\ngo        %s\n", v, bi.GoVersion)
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	for _, s := range []struct{ key, name string }{
		{"vcs.revision", "revision"},
		{"vcs.time", "time"},
		{"vcs.modified", "modified"},
	} {
		if v, ok := settings[s.key]; ok {
			fmt.Fprintf(&b, "%-9s %s\n", s.name, v)
		}
	}
	return b.String()
}
