package artifact

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// A Pool bounds how many renders run at once in a process. Background
// renders (package runner) and renders on download (package server) share
// one, so rendering memory and CPU have one budget: an XLSX render can take
// about a hundred megabytes, and nothing else limits how many start. Its
// methods are safe for concurrent use.
type Pool struct {
	slots   chan struct{}
	alone   chan struct{} // held by the one AcquireAll taking slots
	waiting atomic.Int64
	watch   atomic.Pointer[func(format string, d time.Duration, size int64, err error)]
}

// NewPool returns a Pool of n slots (at least 1).
func NewPool(n int) *Pool {
	return &Pool{slots: make(chan struct{}, max(n, 1)), alone: make(chan struct{}, 1)}
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

// AcquireAll waits until it holds every slot, so that the render it
// guards runs alone, and returns the function that frees them (call it
// once). A render suspected of killing the process runs alone: if the
// process dies again, the render is the cause. Renders asking for a slot
// meanwhile wait. If ctx ends first, it returns an error that is ErrBusy
// and ctx's error, holding no slot.
func (p *Pool) AcquireAll(ctx context.Context) (release func(), err error) {
	p.waiting.Add(1)
	defer p.waiting.Add(-1)
	busy := func() error { return errors.Join(ErrBusy, context.Cause(ctx)) }
	select {
	case p.alone <- struct{}{}:
	case <-ctx.Done():
		return nil, busy()
	}
	n := 0
	free := func() {
		for ; n > 0; n-- {
			<-p.slots
		}
		<-p.alone
	}
	for n < cap(p.slots) {
		select {
		case p.slots <- struct{}{}:
			n++
		case <-ctx.Done():
			free()
			return nil, busy()
		}
	}
	<-p.alone // holding every slot keeps the others out
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			for range cap(p.slots) {
				<-p.slots
			}
		}
	}, nil
}

// OnRender sets the function Observe calls (metrics), replacing any
// earlier one.
func (p *Pool) OnRender(fn func(format string, d time.Duration, size int64, err error)) {
	p.watch.Store(&fn)
}

// Observe reports a render of format that took d and wrote size bytes (or
// failed with err) to the function set by OnRender, if any. The renderers
// sharing the pool call it after each render.
func (p *Pool) Observe(format string, d time.Duration, size int64, err error) {
	if fn := p.watch.Load(); fn != nil {
		(*fn)(format, d, size, err)
	}
}

// Size returns the number of slots.
func (p *Pool) Size() int { return cap(p.slots) }

// Busy returns how many slots are taken now.
func (p *Pool) Busy() int { return len(p.slots) }

// Waiting returns how many callers of Acquire are waiting for a slot.
func (p *Pool) Waiting() int { return int(p.waiting.Load()) }
