package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
	"github.com/foliorender/folio/runner"
	"github.com/foliorender/folio/server"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// slowFormat writes each row after a pause, and stops on ctx.
var slowFormat = render.Format{Name: "slow", MediaType: "text/x-slow", Ext: ".slow",
	New: func(*render.OptionReader) (render.Renderer, error) { return slowRenderer{}, nil }}

type slowRenderer struct{}

func (slowRenderer) Render(ctx context.Context, w io.Writer, doc *report.Document) error {
	for el, err := range doc.Elements() {
		if err != nil {
			return err
		}
		if t, ok := el.(*report.Table); ok {
			for row, err := range t.Rows() {
				if err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(10 * time.Millisecond):
				}
				fmt.Fprintln(w, row.Cells[0].Text())
			}
		}
	}
	return nil
}

func bigDoc(rows int) []byte {
	b := []byte(`{"elements": [{"type": "table", "data": {"columns": [{"caption": "N"}], "rows": [`)
	for i := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"cells": [{"value": %d}]}`, i)
	}
	return append(b, `]}}]}`...)
}

// TestWithRunner goes through the API with background rendering: a job
// posted with formats goes to complete with progress on the way, and a
// DELETE stops a running render.
func TestWithRunner(t *testing.T) {
	reg := registry{extra: append(testFormats.extra, slowFormat)}
	e := newEnv(t, server.Config{Formats: reg})
	r, err := runner.New(context.Background(), runner.Config[*sql.Tx]{Store: e.store, Driver: riversqlite.New(e.store.DB()),
		Blobs: e.blobs, Formats: reg, Exclusive: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Stop(ctx)
	}()

	doc := bigDoc(100) // 1 s of slow rendering
	m := e.post("alice-token", "?formats=csv,slow", doc)
	n := id(m)
	var percents []float64
	var states []float64
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := e.do("GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", n), "alice-token", nil).json(t)
		percents = append(percents, st["percentComplete"].(float64))
		states = append(states, st["status"].(float64))
		if st["status"] == 4.0 {
			break
		}
		if st["status"] == 3.0 {
			// Not finished: the content is not ready.
			r := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=csv", n), "alice-token", nil)
			if r.code != 409 && r.code != 200 {
				t.Errorf("content of a running job: %d", r.code)
			}
		}
		if st["status"] == 5.0 || time.Now().After(deadline) {
			t.Fatalf("job: %v", st)
		}
		time.Sleep(30 * time.Millisecond)
	}
	mid := 0
	for _, p := range percents {
		if p > 0 && p < 100 {
			mid++
		}
	}
	if mid < 2 {
		t.Errorf("percentComplete seen: %v: want progress between 0 and 100", percents)
	}
	if !slices.Contains(states, 3.0) {
		t.Errorf("jobStatus states seen: %v: want 3 (Running) before 4", states)
	}
	entry := e.do("GET", fmt.Sprintf("/jobs/%d", n), "alice-token", nil).json(t)
	if entry["status"] != "complete" || entry["result"] != "Success" || entry["percent_completed"] != 1.0 {
		t.Errorf("entry: %v", entry)
	}
	for _, f := range []string{"csv", "slow"} {
		got := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=%s", n, f), "alice-token", nil)
		if want := renderWith(t, reg, f, doc); got.code != 200 || string(got.body) != string(want) {
			t.Errorf("%s content: %d, %d bytes, want %d", f, got.code, len(got.body), len(want))
		}
	}

	// Cancel a running render.
	n = id(e.post("alice-token", "?formats=slow", bigDoc(2000))) // 20 s if not stopped
	for {
		st := e.do("GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", n), "alice-token", nil).json(t)
		if st["status"] == 3.0 && r.Busy() == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	res := e.do("DELETE", fmt.Sprintf("/jobs/%d", n), "alice-token", nil)
	if res.code != 200 || res.json(t)["status"] != "canceled" {
		t.Fatalf("DELETE: %d %s", res.code, res.body)
	}
	for r.Busy() != 0 {
		if time.Since(start) > 3*time.Second {
			t.Fatal("the render still runs 3 s after DELETE")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("render stopped %s after DELETE", time.Since(start).Round(time.Millisecond))
	if msg, _ := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=slow", n), "alice-token", nil).errorBody(t, 404); msg == "" {
		t.Error("no message")
	}
}

func renderWith(t *testing.T, reg registry, name string, doc []byte) []byte {
	f, err := reg.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	rr, _ := f.NewRenderer(nil)
	buf := new(bytes.Buffer)
	if err := rr.Render(context.Background(), buf, report.Read(bytes.NewReader(doc))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
