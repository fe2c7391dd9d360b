// Package golden compares test outputs with golden files under testdata/.
// Importing it adds the -update flag to a test binary: `go test -update`
// rewrites the golden files, then `git diff` shows what changed.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Check compares got with testdata/name, after rewriting the file with got
// when -update is set.
func Check(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (go test -update, then git diff)", path)
	}
}
