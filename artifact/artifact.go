// Package artifact renders a job's stored document into a stored artifact,
// for the background worker (package runner) and for downloads of formats
// not rendered ahead (package server), and bounds how many such renders
// run at once ([Pool]).
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
	return fmt.Sprintf("%s%d/%s", ArtifactPrefix, id, name)
}

// The key prefixes of documents and artifacts.
const (
	DocumentPrefix = "documents/"
	ArtifactPrefix = "artifacts/"
)

// A RenderError is a render that failed because of the document and the
// format (a page limit, too many columns, a renderer's panic): rendering
// it again would fail the same way. Any other error from [Render] is
// passing (the context, reading the stored document, writing the
// artifact: storage full).
type RenderError struct {
	Format string
	Err    error
}

func (e *RenderError) Error() string { return fmt.Sprintf("rendering %s: %v", e.Format, e.Err) }
func (e *RenderError) Unwrap() error { return e.Err }

// Render renders j's document in format f into blobs and returns the
// committed artifact. progress, if not nil, is called with the fraction of
// the document read so far, from the rendering goroutine. Nothing is
// committed if rendering fails. Render does not take a [Pool] slot: the
// caller does.
func Render(ctx context.Context, blobs blob.Store, f render.Format, j *jobs.Job, progress func(float64)) (jobs.Blob, error) {
	if j.Document == nil {
		return jobs.Blob{}, errors.New("artifact: the job has no document")
	}
	r, err := f.NewRenderer(nil)
	if err != nil {
		return jobs.Blob{}, &RenderError{f.Name, err}
	}
	src, err := blobs.Open(ctx, j.Document.Key)
	if err != nil {
		return jobs.Blob{}, err
	}
	defer src.Close()
	in := &reader{r: src, total: src.Size(), progress: progress}
	w, err := blobs.Create(ctx, Key(j.ID, f))
	if err != nil {
		return jobs.Blob{}, err
	}
	defer w.Abort()
	out := &writer{w: w}
	bw := bufio.NewWriterSize(out, 64<<10)
	err = r.Render(ctx, bw, schema.Read(bufio.NewReaderSize(in, 64<<10)))
	if err == nil {
		err = bw.Flush()
	}
	switch {
	case ctx.Err() != nil:
		return jobs.Blob{}, context.Cause(ctx)
	case in.err != nil:
		return jobs.Blob{}, fmt.Errorf("reading the stored document: %w", in.err)
	case out.err != nil:
		return jobs.Blob{}, fmt.Errorf("writing the %s artifact: %w", f.Name, out.err)
	case err != nil:
		return jobs.Blob{}, &RenderError{f.Name, err}
	}
	return w.Commit()
}

// reader counts what is read and keeps the first error that is not EOF.
type reader struct {
	r        io.Reader
	n, total int64
	progress func(float64)
	err      error
}

func (c *reader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && c.total > 0 {
		c.progress(min(1, float64(c.n)/float64(c.total)))
	}
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// writer keeps the first write error.
type writer struct {
	w   io.Writer
	err error
}

func (w *writer) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}
