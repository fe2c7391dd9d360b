package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/foliorender/folio/artifact"
)

// A RenderLock makes the servers that share a store and a blob store
// render a format on download once: the first server asked for a missing
// artifact renders it under the lock of that job and format, and a server
// asked at the same time waits for the lock, then finds the artifact
// stored and serves it. Concurrent downloads on one server share a render
// without it. jobs/postgres's Store is one (PostgreSQL advisory locks); a
// single server needs none.
type RenderLock interface {
	// Lock waits for the lock named key and takes it; it fails when ctx
	// ends first. The caller calls unlock. A lock whose holder dies is
	// free.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// RenderLockKey is the name of the lock of a render on download of format
// of job id.
func RenderLockKey(id int64, format string) string {
	return fmt.Sprintf("folio/render/%d/%s", id, format)
}

// lockRender takes the render lock of job id's format, if the server has
// a RenderLock. It waits as long as ctx lets it (the render timeout, or
// until every client waiting has gone); running out of that time waiting
// for another server's render is answered 503.
func (s *Server) lockRender(ctx context.Context, id int64, format string) (func(), error) {
	if s.cfg.RenderLock == nil {
		return func() {}, nil
	}
	unlock, err := s.cfg.RenderLock.Lock(ctx, RenderLockKey(id, format))
	if err != nil {
		if c := context.Cause(ctx); c != nil && !errors.Is(c, context.DeadlineExceeded) {
			return nil, c
		}
		return nil, fmt.Errorf("%w: waiting for another server's render of job %d in %s: %v", artifact.ErrBusy, id, format, err)
	}
	return unlock, nil
}
