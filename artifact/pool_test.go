package artifact_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/foliorender/folio/artifact"
)

// TestAcquireAll takes every slot of a pool: it waits for the slot held,
// keeps others out while it holds them, and gives back what it took when
// its context ends first.
func TestAcquireAll(t *testing.T) {
	ctx := context.Background()
	p := artifact.NewPool(2)
	one, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// A slot is busy: AcquireAll gives up when its context ends, holding
	// nothing.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := p.AcquireAll(short); !errors.Is(err, artifact.ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("AcquireAll with a busy slot: %v; want ErrBusy and the deadline", err)
	}
	if p.Busy() != 1 || p.Waiting() != 0 {
		t.Fatalf("after a failed AcquireAll: busy %d, waiting %d; want 1, 0", p.Busy(), p.Waiting())
	}

	got := make(chan func())
	go func() {
		all, err := p.AcquireAll(ctx)
		if err != nil {
			t.Error(err)
		}
		got <- all
	}()
	select {
	case <-got:
		t.Fatal("AcquireAll returned while a slot was busy")
	case <-time.After(50 * time.Millisecond):
	}
	one()
	all := <-got
	if p.Busy() != 2 {
		t.Fatalf("busy %d while AcquireAll holds the pool; want 2", p.Busy())
	}
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := p.Acquire(short2); !errors.Is(err, artifact.ErrBusy) {
		t.Fatalf("Acquire while AcquireAll holds the pool: %v; want ErrBusy", err)
	}
	all()
	all() // once only
	if p.Busy() != 0 {
		t.Fatalf("busy %d after release; want 0", p.Busy())
	}
	two, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	two()
}
