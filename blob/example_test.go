package blob_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/foliorender/folio/blob"
)

// A blob is written, committed and read back from a Dir. Nothing is under
// the key until Commit returns, which gives the size and SHA-256 that a job
// records.
func Example() {
	ctx := context.Background()
	root, err := os.MkdirTemp("", "blob-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	store, err := blob.NewDir(root)
	if err != nil {
		log.Fatal(err)
	}

	w, err := store.Create(ctx, "artifacts/1/report.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // does nothing once committed
	if _, err := io.WriteString(w, "Region,Revenue\nNorth,1200\n"); err != nil {
		log.Fatal(err)
	}
	if _, err := store.Open(ctx, "artifacts/1/report.csv"); errors.Is(err, blob.ErrNotFound) {
		fmt.Println("not visible before Commit")
	}
	b, err := w.Commit()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Key, b.Size, b.SHA256)

	f, err := store.Open(ctx, "artifacts/1/report.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", data)

	for info, err := range store.List(ctx, "artifacts/1/") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(info.Key, info.Size)
	}
	// Output:
	// not visible before Commit
	// artifacts/1/report.csv 26 87a6093bf5409dfcc28c61b1d648bc38fbaa0f51e0b2ecb7db46a98bbe408958
	// "Region,Revenue\nNorth,1200\n"
	// artifacts/1/report.csv 26
}
