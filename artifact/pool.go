package artifact

import (
	"context"
	"errors"
	"sync/atomic"
)

// A Pool bounds how many renders run at once in a process. Background
// renders (package runner) and renders on download (package server) share
// one, so rendering memory and CPU have one budget: a PDF render can take a
// few hundred megabytes, and nothing else limits how many start. Its
// methods are safe for concurrent use.
type Pool struct {
	slots   chan struct{}
	waiting atomic.Int64
}

// NewPool returns a Pool of n slots (at least 1).
func NewPool(n int) *Pool {
	return &Pool{slots: make(chan struct{}, max(n, 1))}
}

// ErrBusy is returned by Acquire when its context ends before a slot is
// free: the pool stayed full.
var ErrBusy = errors.New("artifact: every render slot is busy")

// Acquire waits for a free slot and returns the function that frees it
// (call it once). If ctx ends first, it returns an error that is ErrBusy
// and ctx's error (errors.Is both).
func (p *Pool) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case p.slots <- struct{}{}:
	default:
		p.waiting.Add(1)
		defer p.waiting.Add(-1)
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, errors.Join(ErrBusy, context.Cause(ctx))
		}
	}
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			<-p.slots
		}
	}, nil
}

// Size returns the number of slots.
func (p *Pool) Size() int { return cap(p.slots) }

// Busy returns how many slots are taken now.
func (p *Pool) Busy() int { return len(p.slots) }

// Waiting returns how many callers of Acquire are waiting for a slot.
func (p *Pool) Waiting() int { return int(p.waiting.Load()) }
