package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/render"
	"github.com/foliorender/folio/report"
)

// crashFormats are the formats the crash test renders ahead: pdf and xlsx
// (the slow ones) when they are registered, then csv and json.
var crashFormats = func() []string {
	var out []string
	for _, name := range []string{"pdf", "xlsx", "csv", "json"} {
		if _, err := render.Lookup(name); err == nil {
			out = append(out, name)
		}
	}
	return out
}()

// TestServeCrash drives the real binary: it posts a large document, kills
// the server with SIGKILL while the render is in progress (at a random
// point), starts it again on the same data directory, and checks that the
// job completes with the content of a fresh render, that no temporary file
// remains and that the database passes PRAGMA integrity_check.
// FOLIO_CRASH_RUNS sets the number of runs (default 5).
func TestServeCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds and kills the real server")
	}
	runs := 5
	if v := os.Getenv("FOLIO_CRASH_RUNS"); v != "" {
		runs, _ = strconv.Atoi(v)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "folio")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	docPath := filepath.Join(dir, "big.json")
	writeBigDocument(t, docPath, 150_000)
	t.Logf("formats %v", crashFormats)
	want := map[string]string{} // format → SHA-256 of a fresh render
	for _, name := range crashFormats {
		want[name] = freshRender(t, docPath, name)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range runs {
		target := 0.05 + 0.85*rng.Float64()
		t.Run(fmt.Sprintf("run%d", i+1), func(t *testing.T) { crashOnce(t, bin, docPath, want, target) })
	}
}

func crashOnce(t *testing.T, bin, docPath string, want map[string]string, target float64) {
	data := t.TempDir()
	srv := startServer(t, bin, data)
	doc, err := os.Open(docPath)
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	var entry map[string]any
	code := srv.do(t, "POST", "/jobs?formats="+strings.Join(crashFormats, ","), doc, &entry)
	if code != 202 || entry["status"] != "ready_to_process" {
		t.Fatalf("POST: %d %v", code, entry)
	}
	id := int64(entry["id"].(float64))

	// Kill the server once the render has passed target.
	var last map[string]any
	deadline := time.Now().Add(60 * time.Second)
	for {
		var st map[string]any
		srv.do(t, "GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", id), nil, &st)
		if st["status"] == 4.0 {
			t.Fatalf("the job completed before the kill point %.2f: make the document larger", target)
		}
		if st["status"] == 3.0 && st["percentComplete"].(float64) >= target*100 {
			last = st
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress past %.2f: %v", target, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv.kill(t)
	// Prove that the render was in progress: the killed server left the job
	// processing.
	store, err := sqlite.Open(context.Background(), filepath.Join(data, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := store.Get(context.Background(), id)
	store.Close()
	if err != nil || j.Status != jobs.StatusProcessing || j.PercentCompleted <= 0 || j.PercentCompleted >= 1 {
		t.Fatalf("after the kill: %+v, %v: want the job processing", j, err)
	}
	t.Logf("killed at %.0f%% (target %.0f%%), %d of %d formats stored; %d temp files",
		last["percentComplete"], target*100, len(j.Artifacts), len(crashFormats), countTemp(t, data))

	restart := time.Now()
	srv = startServer(t, bin, data)
	deadline = time.Now().Add(60 * time.Second)
	for {
		var st map[string]any
		srv.do(t, "GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", id), nil, &st)
		if st["status"] == 4.0 {
			break
		}
		if st["status"] == 5.0 || time.Now().After(deadline) {
			t.Fatalf("after the restart: %v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("complete %s after the restart", time.Since(restart).Round(time.Millisecond))
	for line := range strings.SplitSeq(srv.log.String(), "\n") {
		if strings.Contains(line, "msg=listening") || strings.Contains(line, "resuming") ||
			strings.Contains(line, "msg=rendering") || strings.Contains(line, "msg=rendered") {
			t.Log(line[:min(len(line), 120)])
		}
	}
	for _, name := range crashFormats {
		h := sha256.New()
		res := srv.get(t, fmt.Sprintf("/jobs/%d/content?format=%s", id, name))
		io.Copy(h, res.Body)
		res.Body.Close()
		got := hex.EncodeToString(h.Sum(nil))
		if res.StatusCode != 200 || got != want[name] {
			t.Errorf("%s: status %d, SHA-256 %s, fresh render %s", name, res.StatusCode, got, want[name])
		}
		if et := res.Header.Get("ETag"); et != `"`+want[name]+`"` {
			t.Errorf("%s: ETag %s", name, et)
		}
	}
	srv.stop(t)
	if n := countTemp(t, data); n != 0 {
		t.Errorf("%d temp files remain", n)
	}
	store, err = sqlite.Open(context.Background(), filepath.Join(data, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.IntegrityCheck(context.Background()); err != nil {
		t.Error(err)
	}
}

func countTemp(t *testing.T, data string) int {
	ents, err := os.ReadDir(filepath.Join(data, "blobs", ".tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

type testServer struct {
	cmd  *exec.Cmd
	base string
	done chan error
	log  *syncBuffer
}

// syncBuffer is a bytes.Buffer safe to read while the process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const crashToken = "crash-token"

func startServer(t *testing.T, bin, data string) *testServer {
	t.Helper()
	return startServe(t, bin, freeAddr(t), []string{"--data", data}, nil)
}

// startServe starts bin serve on addr with the arguments and environment
// variables given, the test token and text logs, and waits until it is
// healthy.
func startServe(t *testing.T, bin, addr string, args, env []string) *testServer {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--log-format", "text"}, args...)...)
	cmd.Env = append(append(os.Environ(), "FOLIO_TOKENS="+crashToken+"=tester:admin"), env...)
	s := &testServer{cmd: cmd, base: "http://" + addr, done: make(chan error, 1), log: &syncBuffer{}}
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("the server exited: %v\n%s", err, s.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start:\n%s", s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *testServer) get(t *testing.T, path string) *http.Response {
	req, _ := http.NewRequest("GET", s.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (s *testServer) do(t *testing.T, method, path string, body io.Reader, v any) int {
	t.Helper()
	req, _ := http.NewRequest(method, s.base+path, body)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("%s %s: %d: %v", method, path, res.StatusCode, err)
	}
	return res.StatusCode
}

// kill sends SIGKILL and waits for the process to end.
func (s *testServer) kill(t *testing.T) {
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// stop sends SIGTERM and checks for a clean exit.
func (s *testServer) stop(t *testing.T) {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("server exit: %v\n%s", err, s.log)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop within 30 s of SIGINT")
	}
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// writeBigDocument writes a document of one table of n rows of mixed cells.
func writeBigDocument(t *testing.T, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(`{"title": "Crash test", "elements": [{"type": "table", "caption": "Data", "data": {"columns": [`)
	for c := range 8 {
		if c > 0 {
			w.WriteString(",")
		}
		fmt.Fprintf(w, `{"caption": "Column %d"}`, c+1)
	}
	w.WriteString(`], "rows": [`)
	words := []string{"Straße", "Ωμέγα", "Москва", "東京", "Workpack A", "GVI", "naïve café"}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range n {
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `{"sourceKey": %d, "cells": [{"value": %q}, {"value": %d}, {"value": %.3f}, {"value": %t}, {"value": null}, {"value": %q}, {"value": -%d}, {"value": "row %d"}]}`,
			i+1, words[rng.IntN(len(words))], rng.IntN(1e6), rng.Float64()*1e4, rng.IntN(2) == 0, words[rng.IntN(len(words))], rng.IntN(1000), i)
	}
	w.WriteString(`]}}, {"type": "paragraph", "data": {"text": [{"value": "The end."}]}}]}`)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func freshRender(t *testing.T, docPath, name string) string {
	f, err := render.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(docPath)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	h := sha256.New()
	bw := bufio.NewWriter(h)
	if err := r.Render(context.Background(), bw, report.Read(bufio.NewReader(in))); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	return hex.EncodeToString(h.Sum(nil))
}
