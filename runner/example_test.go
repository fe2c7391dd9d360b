package runner_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/runner"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// A runner on the embedded store, as `folio serve` starts it: a job that
// asks for formats ahead is queued in the transaction that makes it
// ready_to_process, and a worker renders each format and completes it.
// With jobs/postgres, the store's pool and riverpgxv5 take the place of
// SQLite and riversqlite.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "runner-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "jobs.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		log.Fatal(err)
	}

	r, err := runner.New(ctx, runner.Config[*sql.Tx]{Store: store, Driver: riversqlite.New(store.DB()),
		Blobs: blobs, Exclusive: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			log.Fatal(err)
		}
	}()

	// What POST /jobs?formats=csv,md does: create the job, store its
	// document, receive it.
	j := &jobs.Job{Entity: "report", Operation: "render", Status: jobs.StatusRequestReceived,
		CreatedBy: "alice", Formats: []string{"csv", "md"}}
	if err := store.Create(ctx, j); err != nil {
		log.Fatal(err)
	}
	w, err := blobs.Create(ctx, artifact.DocumentKey(j.RequestID))
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort()
	if _, err := io.WriteString(w, `{"elements": [{"type": "table", "data": {
		"columns": [{"caption": "Region"}, {"caption": "Revenue", "type": "number"}],
		"rows": [{"cells": [{"value": "North"}, {"value": 1200.50}]}]}}]}`); err != nil {
		log.Fatal(err)
	}
	doc, err := w.Commit()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := jobs.Receive(ctx, store, j.ID, doc); err != nil {
		log.Fatal(err)
	}

	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if j, err = store.Get(ctx, j.ID); err != nil {
			log.Fatal(err)
		}
		if j.Status.Final() || time.Now().After(deadline) {
			break
		}
	}
	fmt.Println(j.Status, j.Result, j.PercentCompleted)
	for _, name := range j.Formats {
		fmt.Println(j.Artifacts[name].Key, j.Artifacts[name].Size)
	}
	f, err := blobs.Open(ctx, j.Artifacts["md"].Key)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	md, err := io.ReadAll(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", md)
	// Output:
	// complete Success 1
	// artifacts/1/csv.csv 31
	// artifacts/1/md.md 56
	// | Region | Revenue |
	// | --- | ---: |
	// | North | 1200.50 |
}
