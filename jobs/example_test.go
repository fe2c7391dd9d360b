package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/sqlite"
)

// A job's life on the embedded store: created while its document arrives,
// received, rendered ahead by a node, complete. Each step is a transition of
// package jobs; a store only keeps what they leave.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jobs-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "jobs.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	j := &jobs.Job{Entity: "report", Operation: "render", Status: jobs.StatusRequestReceived,
		CreatedBy: "alice", Formats: []string{"csv"}}
	if err := store.Create(ctx, j); err != nil {
		log.Fatal(err)
	}
	fmt.Println(j.ID, j.Status, j.Result)

	// The document is stored (in a blob store, which names it by key, size
	// and digest), then node-1 renders the format asked for ahead.
	doc := jobs.Blob{Key: "documents/1.json", Size: 2,
		SHA256: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}
	step := func(j *jobs.Job, err error) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s %.0f%%\n", j.Status, j.Result, 100*j.PercentCompleted)
	}
	step(jobs.Receive(ctx, store, j.ID, doc))
	step(jobs.Start(ctx, store, j.ID, "node-1"))
	step(jobs.BeginRender(ctx, store, j.ID, "node-1", "csv", 3))
	step(jobs.AddArtifact(ctx, store, j.ID, "node-1", "csv", jobs.Blob{Key: "artifacts/1.csv", Size: 0,
		SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}))
	step(jobs.Complete(ctx, store, j.ID, "node-1"))

	// A complete job is final: it can be canceled no more.
	_, err = jobs.Cancel(ctx, store, j.ID)
	fmt.Println(errors.Is(err, jobs.ErrFinished), err)

	page, err := store.List(ctx, jobs.Filter{CreatedBy: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	for _, j := range page.Entries {
		fmt.Println(j.ID, j.Status, j.Artifacts["csv"].Key)
	}
	// Output:
	// 1 request_received Pending
	// ready_to_process Pending 0%
	// processing Pending 0%
	// processing Pending 0%
	// processing Pending 99%
	// complete Success 100%
	// true jobs: job already finished (complete)
	// 1 complete artifacts/1.csv
}
