package jobs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/foliorender/folio/report"
)

// Status is where a job is in its life. The values are the wire names of the
// job API.
type Status string

// The statuses a job goes through. A job starts as [StatusRequestReceived]
// while its document is being received and ends in one of the final
// statuses: [StatusFailToReceive], [StatusFailToProcess], [StatusCanceled]
// or [StatusComplete].
const (
	StatusRequestReceived Status = "request_received" // the document is being received
	StatusFailToReceive   Status = "fail_to_receive"  // the document was invalid or its upload failed
	StatusReadyToProcess  Status = "ready_to_process" // a valid document, waiting for a worker
	StatusProcessing      Status = "processing"       // a worker is rendering the formats asked for
	StatusFailToProcess   Status = "fail_to_process"  // rendering failed
	StatusCanceled        Status = "canceled"         // canceled by its owner or an administrator
	StatusComplete        Status = "complete"         // the document and every format asked for are stored
)

// Statuses lists every status in the order of a job's life.
var Statuses = []Status{StatusRequestReceived, StatusFailToReceive, StatusReadyToProcess,
	StatusProcessing, StatusFailToProcess, StatusCanceled, StatusComplete}

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Final reports whether a job in status s can change status no more. It is
// the one list of final statuses: stores select unfinished jobs with
// [Filter].Unfinished and [Unfinished], never with a list of their own.
func (s Status) Final() bool {
	switch s {
	case StatusFailToReceive, StatusFailToProcess, StatusCanceled, StatusComplete:
		return true
	}
	return false
}

// Unfinished returns the statuses that are not final, in the order of a
// job's life, for stores that select by status.
func Unfinished() []Status {
	var u []Status
	for _, s := range Statuses {
		if !s.Final() {
			u = append(u, s)
		}
	}
	return u
}

// FinalStatuses returns the final statuses, in the order of [Statuses].
func FinalStatuses() []Status {
	var f []Status
	for _, s := range Statuses {
		if s.Final() {
			f = append(f, s)
		}
	}
	return f
}

// ServerState is a job state of the jobStatus API, the numeric status of a
// "server job".
type ServerState int

// The jobStatus states. StateStarting and StatePaused exist on the wire but
// folio reports neither (see [Status.ServerState]).
const (
	StateWaitingToStart ServerState = 1
	StateStarting       ServerState = 2
	StateRunning        ServerState = 3
	StateCompleted      ServerState = 4
	StateFailed         ServerState = 5
	StatePaused         ServerState = 6
)

// ServerState maps s to the jobStatus state: request_received and
// ready_to_process are 1 (Waiting to Start), processing is 3 (Running),
// complete is 4 (Completed), and fail_to_receive, fail_to_process and
// canceled are 5 (Failed): the jobStatus API has no canceled state, and a
// canceled job, like a failed one, will never have content. 2 (Starting)
// and 6 (Paused) are never reported.
func (s Status) ServerState() ServerState {
	switch s {
	case StatusRequestReceived, StatusReadyToProcess:
		return StateWaitingToStart
	case StatusProcessing:
		return StateRunning
	case StatusComplete:
		return StateCompleted
	}
	return StateFailed
}

// Result is the outcome of a job: [ResultPending] until its status is
// final, then [ResultSuccess] for a complete job and [ResultFailure] for any
// other final status (canceled included).
type Result string

// The results.
const (
	ResultSuccess Result = "Success"
	ResultFailure Result = "Failure"
	ResultPending Result = "Pending"
)

// ResultOf returns the result that goes with status s.
func ResultOf(s Status) Result {
	switch {
	case s == StatusComplete:
		return ResultSuccess
	case s.Final():
		return ResultFailure
	}
	return ResultPending
}

// CanMove reports whether a job may go from status from to status to. A
// status may always stay as it is (to update other fields); a final status
// may change no more; a job received may be complete at once (nothing to
// render ahead); processing may go back to ready_to_process (a render
// interrupted by a restart, waiting to run again).
func CanMove(from, to Status) bool {
	if from == to {
		return true
	}
	switch from {
	case StatusRequestReceived:
		return to == StatusFailToReceive || to == StatusReadyToProcess || to == StatusCanceled ||
			to == StatusComplete // a valid document with nothing to render ahead
	case StatusReadyToProcess, StatusProcessing:
		return to == StatusReadyToProcess || to == StatusProcessing || to == StatusComplete ||
			to == StatusFailToProcess || to == StatusCanceled
	}
	return false
}

// A Blob names a stored file: a document or a rendered artifact.
type Blob struct {
	Key    string // the key in the blob store
	Size   int64  // in bytes
	SHA256 string // lowercase hex
}

// A Job is one document sent to the server and what became of it. The first
// eleven fields are the job entry of the API; the rest are folio's own.
type Job struct {
	ID               int64     // assigned by Store.Create, from 1 up
	RequestID        string    // a UUID; Store.Create makes one if empty
	Entity           string    // what the job is about: "report"
	Status           Status    //
	PercentCompleted float64   // 0 to 1
	Operation        string    // what the job does: "render"
	CreatedAt        time.Time // set by Store.Create
	UpdatedAt        time.Time // set by Store.Create and Store.Update
	CreatedBy        string    // the user who posted the document
	ErrorCount       int       // how many problems the document has (Details holds the first ones)
	Result           Result    // kept in step with Status by the store

	Summary   string             // a sentence about the job's state, e.g. the first violation or the failure
	Details   []report.Violation // the document's violations, for a job that failed to receive
	Formats   []string           // the formats asked to be rendered ahead of download
	Document  *Blob              // the stored document, nil until it is received
	Artifacts map[string]Blob    // rendered formats by format name
	QueueID   int64              // the job's entry in the background queue, 0 if none

	// Owner is the node rendering the job while it is processing, or
	// receiving its document while it is request_received; "" otherwise
	// (and "" for a job received by a server that names no node).
	Owner string
	// Tries counts, by format, the renders begun and not ended: a render
	// that kills the process leaves its count raised, so a format that
	// keeps killing it is given up at a limit (see [BeginRender]).
	Tries map[string]int
	// Failures holds, by format, why it can never be rendered (a render
	// that failed for a reason that will not change), so it is not tried
	// again.
	Failures map[string]string
}

// Clone returns a deep copy of j.
func (j *Job) Clone() *Job {
	c := *j
	c.Details = append([]report.Violation(nil), j.Details...)
	c.Formats = append([]string(nil), j.Formats...)
	if j.Document != nil {
		d := *j.Document
		c.Document = &d
	}
	c.Artifacts = cloneMap(j.Artifacts)
	c.Tries = cloneMap(j.Tries)
	c.Failures = cloneMap(j.Failures)
	return &c
}

func cloneMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	c := make(map[string]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Check reports a job no store may keep: an unknown status, or a percent
// completed outside 0 to 1.
func (j *Job) Check() error {
	if !j.Status.Valid() {
		return fmt.Errorf("jobs: invalid job status %q", j.Status)
	}
	if j.PercentCompleted < 0 || j.PercentCompleted > 1 || j.PercentCompleted != j.PercentCompleted {
		return fmt.Errorf("jobs: percent completed %v is not between 0 and 1", j.PercentCompleted)
	}
	return nil
}

// ForCreate returns the copy of j a store creates: checked, with a request
// ID if it has none, both times set to now, and the result of its status.
// It fails for a job that has an ID already.
func (j *Job) ForCreate(now time.Time) (*Job, error) {
	if j.ID != 0 {
		return nil, fmt.Errorf("jobs: Create of a job that has an ID (%d)", j.ID)
	}
	if err := j.Check(); err != nil {
		return nil, err
	}
	c := j.Clone()
	if c.RequestID == "" {
		c.RequestID = NewRequestID()
	}
	c.CreatedAt, c.UpdatedAt = now, now
	c.Result = ResultOf(c.Status)
	return c, nil
}

// ForUpdate returns the copy of j, a stored job, that a store writes in
// its place after fn changed it: fn's changes if the move of status is one
// [CanMove] allows and the job passes [Job.Check]; the ID, request ID,
// creation time and creator as they were; updated at now, never before the
// last update; and the result of its status. j is not changed. An error of
// fn is returned as it is, a forbidden move as a [*TransitionError].
func (j *Job) ForUpdate(fn func(*Job) error, now time.Time) (*Job, error) {
	c := j.Clone()
	if err := fn(c); err != nil {
		return nil, err
	}
	if !CanMove(j.Status, c.Status) {
		return nil, &TransitionError{From: j.Status, To: c.Status}
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	c.ID, c.RequestID, c.CreatedAt, c.CreatedBy = j.ID, j.RequestID, j.CreatedAt, j.CreatedBy
	c.UpdatedAt = now
	if now.Before(j.UpdatedAt) {
		c.UpdatedAt = j.UpdatedAt
	}
	c.Result = ResultOf(c.Status)
	return c, nil
}

// NewRequestID returns a random (version 4) UUID.
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// MaxPerPage is the largest page size a Filter may ask for; DefaultPerPage
// is the page size when it asks for none.
const (
	MaxPerPage     = 1000
	DefaultPerPage = 50
)

// A Filter selects and pages jobs. Zero fields select everything. The time
// bounds are inclusive. Jobs are listed by ascending ID, so a page's content
// does not move when jobs are created while a client pages through.
type Filter struct {
	// Unfinished selects only jobs whose status is not final.
	Unfinished bool
	// Status, if not empty, selects only jobs in that status.
	Status Status
	// FinishedBefore, if not zero, selects only jobs whose status is final
	// and that were last updated before it: those past retention.
	FinishedBefore time.Time
	// Owner, if not "", selects only the jobs of that node (see
	// [Job].Owner).
	Owner                  string
	ID                     int64  // 0: any
	RequestID              string // "": any
	CreatedBy              string // "": any
	CreatedFrom, CreatedTo time.Time
	UpdatedFrom, UpdatedTo time.Time
	Page                   int // from 1; 0 means 1
	PerPage                int // 1 to MaxPerPage; 0 means DefaultPerPage
}

// Normalize fills in the defaults of f and checks its paging.
func (f *Filter) Normalize() error {
	if f.Page == 0 {
		f.Page = 1
	}
	if f.PerPage == 0 {
		f.PerPage = DefaultPerPage
	}
	if f.Page < 1 {
		return fmt.Errorf("jobs: page %d is not a positive number", f.Page)
	}
	if f.PerPage < 1 || f.PerPage > MaxPerPage {
		return fmt.Errorf("jobs: per_page %d is not between 1 and %d", f.PerPage, MaxPerPage)
	}
	return nil
}

// A Page is one page of a job list.
type Page struct {
	Page, PerPage int
	TotalPages    int // 0 when no job matches
	TotalEntries  int
	Entries       []*Job
}

// TotalPages returns how many pages of perPage hold total entries.
func TotalPages(total, perPage int) int {
	if perPage <= 0 {
		return 0
	}
	return (total + perPage - 1) / perPage
}

// Errors returned by stores and transitions.
var (
	// ErrNotFound is returned for a job that does not exist.
	ErrNotFound = errors.New("jobs: job not found")
	// ErrConflict is what every error caused by the state of a job, not by
	// the request, is (errors.Is): a request ID that is taken, a change of
	// status the job's status forbids. The server answers it with 409.
	ErrConflict = errors.New("jobs: conflict")
	// ErrFinished is returned for a change of status of a job whose
	// status is final; errors.Is(ErrFinished, ErrConflict).
	ErrFinished error = &conflictError{"jobs: job already finished"}
	// ErrNotOwner is returned by the transitions of a render for a job
	// that another node now renders (its lease was lost);
	// errors.Is(ErrNotOwner, ErrConflict).
	ErrNotOwner error = &conflictError{"jobs: job rendered by another node"}
)

type conflictError struct{ msg string }

func (e *conflictError) Error() string        { return e.msg }
func (e *conflictError) Is(target error) bool { return target == ErrConflict }

// DuplicateRequestID returns the error a store's Create returns for a
// request ID that another job has; errors.Is(err, ErrConflict).
func DuplicateRequestID(id string) error {
	return fmt.Errorf("%w: a job with request ID %s exists", ErrConflict, id)
}

// A TransitionError is returned by Store.Update for a change of status
// that [CanMove] forbids. errors.Is(err, ErrConflict) is true, and
// errors.Is(err, ErrFinished) too for a change from a final status.
type TransitionError struct {
	From, To Status
}

// Error names the two statuses, "jobs: a job cannot go from X to Y".
func (e *TransitionError) Error() string {
	return fmt.Sprintf("jobs: a job cannot go from %s to %s", e.From, e.To)
}

// Is reports ErrConflict, and ErrFinished for a change from a final status.
func (e *TransitionError) Is(target error) bool {
	return target == ErrConflict || target == ErrFinished && e.From.Final()
}

// A Store keeps jobs. Its methods are safe for concurrent use. Jobs it
// returns are the caller's to modify.
type Store interface {
	// Create stores j, a job with no ID, and sets its ID, its RequestID if
	// empty, its CreatedAt and UpdatedAt, and its Result from its Status.
	Create(ctx context.Context, j *Job) error

	// Get returns the job with that ID, or ErrNotFound.
	Get(ctx context.Context, id int64) (*Job, error)

	// GetByRequestID returns the job with that request ID, or ErrNotFound.
	GetByRequestID(ctx context.Context, requestID string) (*Job, error)

	// List returns the page of jobs f selects, ordered by ID. It fails for
	// a filter that [Filter.Normalize] rejects.
	List(ctx context.Context, f Filter) (*Page, error)

	// Delete removes the job with that ID, or returns ErrNotFound. It is
	// for retention: it does not check the job's status.
	Delete(ctx context.Context, id int64) error

	// Update reads the job with that ID, calls fn on it and stores what fn
	// leaves, atomically: concurrent updates of one job are serialised.
	// The store keeps ID, RequestID, CreatedAt and CreatedBy, sets
	// UpdatedAt, and sets Result from Status. If fn returns an error,
	// nothing is stored and Update returns it. A status change that
	// [CanMove] forbids fails with a *TransitionError (errors.Is
	// ErrFinished for a final status). fn must not call the store. Update
	// returns the stored job, or ErrNotFound.
	Update(ctx context.Context, id int64, fn func(*Job) error) (*Job, error)
}

// A Hook runs inside the transaction of every change a [HookStore] makes:
// Create (before is nil), Update, and Delete (after is nil). A job queue
// that keeps its entries in the same database uses it to insert, cancel
// and delete them in the job's own transaction, so the two commit or roll
// back together. The hook may set after.QueueID, which is stored with the
// change; it must use tx only (with a single-connection database, any other
// use waits for this transaction and deadlocks). If it returns an error,
// the change is rolled back and the error returned.
type Hook[TTx any] func(ctx context.Context, tx TTx, before, after *Job) error

// A HookStore is a Store whose changes run a [Hook] in their transaction:
// what a job queue needs of a store (package runner). TTx is the
// transaction type of the store's database driver (*sql.Tx for SQLite,
// pgx.Tx for PostgreSQL), the one River's driver for that database uses.
type HookStore[TTx any] interface {
	Store
	// SetHook sets the hook; call it before the store is used.
	SetHook(Hook[TTx])
}
