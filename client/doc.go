// Package client is a Go client of folio's HTTP job API (CONTRACT.md
// section 4; the OpenAPI document is served at /openapi.json and printed
// by `folio openapi`), for services that render reports through a folio
// server:
//
//	c, err := client.New("https://folio.internal", os.Getenv("FOLIO_TOKEN"))
//	job, err := c.Submit(ctx, doc, "xlsx")           // POST /jobs?formats=xlsx
//	job, err = c.Wait(ctx, job.ID)                   // polls jobStatus until the job is final
//	n, err := c.Download(ctx, job.ID, "xlsx", file)  // streams, resuming a dropped connection
//
// Every answer that is not a success is an [*Error] carrying the status and
// the contract's error body ({"error": {"code", "message", "details"}}),
// with Retry-After when the server sent one; a job that ended without
// content makes Wait return a [*JobError]. A Client is safe for concurrent
// use.
//
// The package imports nothing of folio's engine: it speaks HTTP only, so
// it adds no renderer or database to the program that uses it.
package client
