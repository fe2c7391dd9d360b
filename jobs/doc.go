// Package jobs is the domain of folio's job server: a [Job] records one
// report document sent to the server, what became of it and which rendered
// artifacts it has. A [Store] keeps jobs; package jobs/sqlite is the
// embedded default, and every store passes the suite in jobs/jobstest.
//
// The package knows no SQL and no HTTP. Documents and artifacts are not kept
// in a Store either: a Job names them by a [Blob] (a key in a blob store, its
// size and SHA-256).
package jobs
