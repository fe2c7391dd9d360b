package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/client"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/server"
)

// exampleServer starts folio's job API in the process, as `folio serve`
// would with FOLIO_TOKENS=example-token=alice: jobs in SQLite and files
// in a temporary directory. A real program talks to a running server
// instead: client.New("https://folio.internal", token).
func exampleServer() (url string, stop func()) {
	dir, err := os.MkdirTemp("", "folio-example")
	if err != nil {
		log.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "folio.db"))
	if err != nil {
		log.Fatal(err)
	}
	bl, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := server.ParseTokens(strings.NewReader("example-token=alice"))
	if err != nil {
		log.Fatal(err)
	}
	h, err := server.New(server.Config{Store: st, Blobs: bl, Auth: auth,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(h)
	return ts.URL, func() {
		ts.Close()
		st.Close()
		os.RemoveAll(dir)
	}
}

const exampleDoc = `{"elements": [
  {"type": "table", "caption": "Table of Data",
   "data": {"columns": [{"caption": "Asset"}, {"caption": "Event Type"}, {"caption": "Workpack"}],
            "rows": [{"cells": [{"value": "Test Asset"}, {"value": "GVI"}, {"value": "Workpack A"}]},
                     {"cells": [{"value": "Test Asset"}, {"value": "GVI"}, {"value": "Workpack B"}]}]}}]}`

// Submit a document, wait for the job, and download it as Markdown.
func Example() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()

	c, err := client.New(url, "example-token")
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.Submit(ctx, strings.NewReader(exampleDoc))
	if err != nil {
		log.Fatal(err)
	}
	job, err = c.Wait(ctx, job.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Status, job.Result, job.CreatedBy)
	if _, err := c.Download(ctx, job.ID, "md", os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// complete Success alice
	// **Table of Data**
	//
	// | Asset | Event Type | Workpack |
	// | --- | --- | --- |
	// | Test Asset | GVI | Workpack A |
	// | Test Asset | GVI | Workpack B |
}

// An invalid document still makes a job; Wait returns a *JobError with
// its violations.
func ExampleJobError() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(url, "example-token")
	if err != nil {
		log.Fatal(err)
	}
	bad := `{"elements": [{"type": "table", "data": {"columns": [{"caption": "A"}, {"caption": "B"}],
		"rows": [{"cells": [{"value": 1}]}]}}]}`
	job, err := c.Submit(ctx, strings.NewReader(bad))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Wait(ctx, job.ID)
	var je *client.JobError
	if errors.As(err, &je) {
		fmt.Println(je.Job.Status)
		for _, d := range je.Job.Details {
			fmt.Printf("%s: %s\n", d.Pointer, d.Message)
		}
	}
	// Output:
	// fail_to_receive
	// /elements/0/data/rows/0/cells: row has 1 cell but the table has 2 columns
}

// Answers that are not a success are *client.Error values with the
// status and the server's error body.
func ExampleError() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(url, "example-token")
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.List(ctx, client.Filter{PerPage: 5000})
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Message)
		for _, d := range e.Details {
			fmt.Printf("%s: %s\n", d.Parameter, d.Message)
		}
	}
	_, err = c.Job(ctx, 42)
	if errors.As(err, &e) && e.Status == 404 {
		fmt.Println("no job 42")
	}
	// Output:
	// 422 invalid query parameters
	// per_page: Must be between 1 and 1000
	// no job 42
}

// All pages through the jobs a filter selects.
func ExampleClient_All() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(url, "example-token")
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		if _, err := c.Submit(ctx, strings.NewReader(exampleDoc)); err != nil {
			log.Fatal(err)
		}
	}
	for job, err := range c.All(ctx, client.Filter{PerPage: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(job.ID, job.Status)
	}
	// Output:
	// 1 complete
	// 2 complete
	// 3 complete
}

// A request ID makes a post safe to repeat: the server makes the job
// once, and posting it again returns that job.
func ExampleClient_Post() {
	url, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(url, "example-token")
	if err != nil {
		log.Fatal(err)
	}
	rid := client.NewRequestID()
	first, err := c.Post(ctx, strings.NewReader(exampleDoc), client.SubmitOptions{RequestID: rid})
	if err != nil {
		log.Fatal(err)
	}
	again, err := c.Post(ctx, strings.NewReader(exampleDoc), client.SubmitOptions{RequestID: rid})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(first.ID == again.ID, again.RequestID == rid)
	// Output:
	// true true
}
