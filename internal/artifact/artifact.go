// Package artifact renders a job's stored document into a stored artifact,
// for the background worker and for downloads of formats not rendered
// ahead.
package artifact

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/schema"
)

// DocumentKey is the blob key of the document of the job with that request
// ID.
func DocumentKey(requestID string) string { return "documents/" + requestID + ".json" }

// Key is the blob key of job id's artifact in format f. Rendering the same
// job and format again writes the same key, so a job that runs twice
// replaces its artifacts with identical ones.
func Key(id int64, f render.Format) string {
	name := f.Name + f.Ext
	if blob.CheckKey(name) != nil {
		name = fmt.Sprintf("%x", name) // a format named outside [A-Za-z0-9._-]
	}
	return fmt.Sprintf("artifacts/%d/%s", id, name)
}

// Render renders j's document in format f into blobs and returns the
// committed artifact. progress, if not nil, is called with the fraction of
// the document read so far, from the rendering goroutine. Nothing is
// committed if rendering fails.
func Render(ctx context.Context, blobs blob.Store, f render.Format, j *jobs.Job, progress func(float64)) (jobs.Blob, error) {
	if j.Document == nil {
		return jobs.Blob{}, errors.New("artifact: the job has no document")
	}
	r, err := f.NewRenderer(nil)
	if err != nil {
		return jobs.Blob{}, err
	}
	src, err := blobs.Open(ctx, j.Document.Key)
	if err != nil {
		return jobs.Blob{}, err
	}
	defer src.Close()
	var in io.Reader = src
	if progress != nil {
		in = &counter{r: src, total: src.Size(), progress: progress}
	}
	w, err := blobs.Create(ctx, Key(j.ID, f))
	if err != nil {
		return jobs.Blob{}, err
	}
	defer w.Abort()
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := r.Render(ctx, bw, schema.Read(bufio.NewReaderSize(in, 64<<10))); err != nil {
		return jobs.Blob{}, err
	}
	if err := bw.Flush(); err != nil {
		return jobs.Blob{}, err
	}
	if err := ctx.Err(); err != nil {
		return jobs.Blob{}, err
	}
	return w.Commit()
}

type counter struct {
	r        io.Reader
	n, total int64
	progress func(float64)
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.total > 0 {
		c.progress(min(1, float64(c.n)/float64(c.total)))
	}
	return n, err
}
