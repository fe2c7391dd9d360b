package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/server"
)

// A service mounts the job API under a path of its own mux, with its own
// authentication, and a client posts a document and downloads it as CSV.
// Without ?formats= a job is complete once its document is stored, and a
// format is rendered on its first download.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "server-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "jobs.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		log.Fatal(err)
	}
	// The service's own sign-in decides who the user is; here, a header.
	auth := server.AuthenticatorFunc(func(r *http.Request) (server.User, error) {
		if name := r.Header.Get("X-User"); name != "" {
			return server.User{Name: name}, nil
		}
		return server.User{}, server.ErrNoCredentials
	})
	api, err := server.New(server.Config{Store: store, Blobs: blobs, Auth: auth,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/reports/", http.StripPrefix("/reports", api))
	ts := httptest.NewServer(mux)
	defer ts.Close()

	do := func(method, path, body string) *http.Response {
		req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("X-User", "alice")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		return resp
	}
	resp := do("POST", "/reports/jobs", `{"elements": [{"type": "table", "data": {
		"columns": [{"caption": "Region"}, {"caption": "Revenue", "type": "number"}],
		"rows": [{"cells": [{"value": "North"}, {"value": 1200.50}]}]}}]}`)
	var job server.Entry
	if err := json.NewDecoder(resp.Body).Decode(&job); err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, job.ID, job.Status, job.Result, job.CreatedBy)

	resp = do("GET", fmt.Sprintf("/reports/jobs/%d/content?format=csv", job.ID), "")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Printf("%q\n", body)
	// Output:
	// 202 1 complete Success alice
	// 200 text/csv; charset=utf-8
	// "Region,Revenue\r\nNorth,1200.50\r\n"
}
