package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/foliorender/folio/server"
)

// memLock is a RenderLock of one process, standing in for the database's.
type memLock struct {
	mu    sync.Mutex
	locks map[string]chan struct{}
	keys  []string
}

func (l *memLock) Lock(ctx context.Context, key string) (func(), error) {
	for {
		l.mu.Lock()
		ch, held := l.locks[key]
		if !held {
			ch = make(chan struct{})
			l.locks[key] = ch
			l.keys = append(l.keys, key)
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				delete(l.locks, key)
				l.mu.Unlock()
				close(ch)
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// TestRenderLock downloads a format that is not stored from two servers
// sharing a store, a blob store and a render lock, at once: it is
// rendered once, and both answer the same bytes.
func TestRenderLock(t *testing.T) {
	lock := &memLock{locks: map[string]chan struct{}{}}
	e := newEnv(t, server.Config{RenderLock: lock, Node: "a"})
	auth, _ := server.ParseTokens(strings.NewReader(tokens))
	h, err := server.New(server.Config{Store: e.store, Blobs: e.blobs, Auth: auth, Formats: testFormats,
		RenderLock: lock, Node: "b", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewServer(h)
	defer other.Close()
	m := e.post("alice-token", "", seed(t))
	n := id(m)
	if j, _ := e.store.Get(context.Background(), n); j.Owner != "" {
		t.Errorf("owner of a received job: %q, want none", j.Owner)
	}
	renders.Store(0)
	var wg sync.WaitGroup
	bodies := make([][]byte, 6)
	for i := range bodies {
		base := e.url
		if i%2 == 1 {
			base = other.URL
		}
		wg.Go(func() {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/jobs/%d/content?format=counted", base, n), nil)
			req.Header.Set("Authorization", "Bearer alice-token")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			bodies[i], _ = io.ReadAll(res.Body)
			if res.StatusCode != 200 {
				t.Errorf("download %d: %d %s", i, res.StatusCode, bodies[i])
			}
		})
	}
	wg.Wait()
	if got := renders.Load(); got != 1 {
		t.Errorf("%d renders for downloads on two servers at once, want 1", got)
	}
	for i, b := range bodies {
		if !bytes.Equal(b, bodies[0]) || len(b) == 0 {
			t.Errorf("download %d differs", i)
		}
	}
	want := server.RenderLockKey(n, "counted")
	lock.mu.Lock()
	defer lock.mu.Unlock()
	if len(lock.keys) != 2 || lock.keys[0] != want || lock.keys[1] != want {
		t.Errorf("locks taken: %q; want %q by each server", lock.keys, want)
	}
}
