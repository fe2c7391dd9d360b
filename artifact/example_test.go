package artifact_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/render"
)

// A job's stored document is rendered as CSV into the blob store, under the
// artifact's key, while a slot of the process's Pool is held.
func ExampleRender() {
	ctx := context.Background()
	root, err := os.MkdirTemp("", "artifact-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	blobs, err := blob.NewDir(root)
	if err != nil {
		log.Fatal(err)
	}

	// The server stores a job's document under its DocumentKey when the
	// job is received.
	w, err := blobs.Create(ctx, artifact.DocumentKey("6d2f0c1e-5b1a-4c47-9a3e-2f8b7d1c0a94"))
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort()
	_, err = io.WriteString(w, `{"elements": [{"type": "table", "data": {
		"columns": [{"caption": "Region"}, {"caption": "Revenue", "type": "number"}],
		"rows": [{"cells": [{"value": "North"}, {"value": 1200.50}]},
		         {"cells": [{"value": "South"}, {"value": 980}]}]}}]}`)
	if err != nil {
		log.Fatal(err)
	}
	doc, err := w.Commit()
	if err != nil {
		log.Fatal(err)
	}
	j := &jobs.Job{ID: 1, RequestID: "6d2f0c1e-5b1a-4c47-9a3e-2f8b7d1c0a94", Document: &doc}

	csv, err := render.Lookup("csv")
	if err != nil {
		log.Fatal(err)
	}
	pool := artifact.NewPool(2)
	release, err := pool.Acquire(ctx)
	if err != nil {
		log.Fatal(err)
	}
	var read float64
	b, err := artifact.Render(ctx, blobs, csv, j, func(p float64) { read = p })
	release()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Key, b.Size, read)

	f, err := blobs.Open(ctx, b.Key)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	out, err := io.ReadAll(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", out)
	// Output:
	// artifacts/1/csv.csv 42 1
	// "Region,Revenue\r\nNorth,1200.50\r\nSouth,980\r\n"
}
