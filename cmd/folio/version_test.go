package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "-compiler", Value: "gc"},
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "4f0c2d9e"},
		{Key: "vcs.time", Value: "2026-11-30T09:12:44Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	for _, tt := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build information", nil, "folio (unknown version: no build information)\ngo        " + runtime.Version() + "\n"},
		{"go install of a release", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/foliorender/folio", Version: "v1.2.0"}},
			"folio v1.2.0\ngo        go1.26.0\n"},
		{"a build in a checkout", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v0.0.0-20261130091244-4f0c2d9e+dirty"}, Settings: vcs},
			"folio v0.0.0-20261130091244-4f0c2d9e+dirty\ngo        go1.26.1\nrevision  4f0c2d9e\ntime      2026-11-30T09:12:44Z\nmodified  true\n"},
		{"no main version", &debug.BuildInfo{GoVersion: "go1.26.1", Settings: vcs[:3]}, "folio (unknown)\ngo        go1.26.1\nrevision  4f0c2d9e\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionText(tt.bi); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestVersionBinary builds folio and holds what `folio version` prints to
// the build information `go version -m` reads from the same binary: the
// main module's version, the Go version and, when the build was stamped
// from the repository, the revision (HEAD's), time and modified flag.
func TestVersionBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds folio")
	}
	bin := filepath.Join(t.TempDir(), "folio")
	// -buildvcs=auto overrides a GOFLAGS=-buildvcs=false: stamp when git can.
	if out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	settings := map[string]string{}
	for i, line := range strings.Split(string(info), "\n") {
		f := strings.Split(strings.TrimSpace(line), "\t")
		switch {
		case i == 0:
			_, gover, _ := strings.Cut(line, ": ")
			want = "go        " + gover + "\n"
		case f[0] == "mod" && len(f) >= 3:
			want = "folio " + f[2] + "\n" + want
		case f[0] == "build" && len(f) == 2:
			k, v, _ := strings.Cut(f[1], "=")
			settings[k] = v
		}
	}
	for _, k := range []string{"revision", "time", "modified"} {
		if v, ok := settings["vcs."+k]; ok {
			want += k + strings.Repeat(" ", 10-len(k)) + v + "\n"
		}
	}
	if string(out) != want {
		t.Errorf("folio version:\n%s\nwant, from go version -m:\n%s", out, want)
	}
	if rev, ok := settings["vcs.revision"]; ok {
		head, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err == nil && strings.TrimSpace(string(head)) != rev {
			t.Errorf("revision %s, HEAD is %s", rev, head)
		}
	} else {
		t.Log("the build was not stamped with the repository's revision (no git, or a git worktree)")
	}
}
