package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/foliorender/folio/report"
)

// The lifecycle of a job is these transitions, each the one place that
// sets the status, result, summary and times it changes, built on
// [Store.Update]. A transition fails with a *TransitionError or
// ErrFinished (both errors.Is ErrConflict) when the job's status forbids
// it, and with ErrNotOwner when the job is processing on another node.
//
// Receiving: [Receive], [Reject] or [FailReceive] end a job's
// request_received. Rendering ahead: [Start], then for each format
// [BeginRender] and [AddArtifact], [FailFormat] or [EndRender], [Progress]
// along the way, and [Complete], [Fail] or [Requeue]; [Resume] queues a job
// again after its node died, and [Reclaim] does when the node's lease
// expired, if the job is still the node's. [Cancel] by its owner or an administrator.
// Formats rendered on download use BeginRender, AddArtifact, FailFormat and
// EndRender on a complete job.

// MaxDetailBytes bounds the violations a job keeps (pointers and messages
// together); ErrorCount still counts them all.
const MaxDetailBytes = 64 << 10

// Receive records the stored document of a job being received: it becomes
// ready_to_process when formats are to be rendered ahead, else complete
// (formats are then rendered on download).
func Receive(ctx context.Context, s Store, id int64, doc Blob) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if j.Status != StatusRequestReceived {
			return &TransitionError{j.Status, StatusReadyToProcess}
		}
		j.Document = &doc
		j.Owner = ""
		if len(j.Formats) == 0 {
			j.Status = StatusComplete
			j.PercentCompleted = 1
			j.Summary = "received; formats are rendered on download"
		} else {
			j.Status = StatusReadyToProcess
			j.QueueID = 0
			j.Summary = "waiting to render " + strings.Join(j.Formats, ", ")
		}
		return nil
	})
}

// Reject records why a job's document is invalid: it fails to receive,
// with total as its error count, the violations in vs as its details (as
// many as fit in [MaxDetailBytes]) and the first one as its summary.
func Reject(ctx context.Context, s Store, id int64, vs []report.Violation, total int) (*Job, error) {
	total = max(total, len(vs))
	var kept []report.Violation
	size := 0
	for _, v := range vs {
		size += len(v.Pointer) + len(v.Message)
		if size > MaxDetailBytes {
			break
		}
		kept = append(kept, v)
	}
	summary := "invalid document"
	if len(vs) > 0 {
		summary += ": " + vs[0].Error()
		if total > 1 {
			summary += fmt.Sprintf(" (and %d more)", total-1)
		}
	}
	return s.Update(ctx, id, func(j *Job) error {
		if j.Status != StatusRequestReceived {
			return &TransitionError{j.Status, StatusFailToReceive}
		}
		j.Status = StatusFailToReceive
		j.Owner = ""
		j.ErrorCount = total
		j.Details = kept
		j.Summary = summary
		return nil
	})
}

// FailReceive records that a job's document could not be received (the
// upload was cut, the storage failed): it fails to receive, why as its
// summary.
func FailReceive(ctx context.Context, s Store, id int64, why string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if j.Status != StatusRequestReceived {
			return &TransitionError{j.Status, StatusFailToReceive}
		}
		j.Status = StatusFailToReceive
		j.Owner = ""
		j.Summary = why
		return nil
	})
}

// owns checks that node may change j: a processing job belongs to its
// owner. A node rendering ahead (node not "") may change only a job it
// is processing: once the job is queued again for another node (its lease
// expired) or received by no one yet, the node has lost it, and its
// renders record nothing; a final job is left to each transition's own
// check. Renders on download (node "") change complete jobs.
func owns(j *Job, node string) error {
	if j.Status == StatusProcessing && j.Owner != node {
		return ErrNotOwner
	}
	if node != "" && j.Status != StatusProcessing && !j.Status.Final() {
		return ErrNotOwner
	}
	return nil
}

// Start records that node begins to render the job ahead: it becomes
// processing, owned by node (taking over from a node that died). It fails
// with ErrFinished for a final job.
func Start(ctx context.Context, s Store, id int64, node string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if j.Status.Final() {
			return ErrFinished
		}
		if j.Status == StatusRequestReceived {
			return &TransitionError{j.Status, StatusProcessing}
		}
		j.Status = StatusProcessing
		j.Owner = node
		j.Summary = "rendering " + strings.Join(j.Formats, ", ")
		return nil
	})
}

// A FormatError says that a format of a job can never be rendered, and
// why; the server answers it with 422.
type FormatError struct {
	Format string
	Reason string
}

// Error names the format and the reason; Job.Failures keeps the Reason alone.
func (e *FormatError) Error() string {
	return fmt.Sprintf("jobs: %s cannot be rendered: %s", e.Format, e.Reason)
}

// BeginRender counts a render of format beginning on node. A format whose
// renders were begun limit times without ending (each killed the process)
// is given up instead: it is recorded in Failures, the job fails if it is
// being rendered ahead, and BeginRender returns a *FormatError, as it does
// for a format given up before. limit <= 0 means no limit.
func BeginRender(ctx context.Context, s Store, id int64, node, format string, limit int) (*Job, error) {
	var ferr *FormatError
	j, err := s.Update(ctx, id, func(j *Job) error {
		ferr = nil
		if err := owns(j, node); err != nil {
			return err
		}
		if why, ok := j.Failures[format]; ok {
			ferr = &FormatError{format, why}
			return nil
		}
		n := j.Tries[format]
		if limit > 0 && n >= limit {
			ferr = &FormatError{format, fmt.Sprintf("rendering %s crashed the renderer %d times; it is not tried again", format, n)}
			giveUp(j, format, ferr.Reason)
			return nil
		}
		if j.Tries == nil {
			j.Tries = map[string]int{}
		}
		j.Tries[format] = n + 1
		return nil
	})
	if err == nil && ferr != nil {
		return j, ferr
	}
	return j, err
}

// giveUp records that format can never be rendered, failing the job if it
// is being rendered ahead.
func giveUp(j *Job, format, why string) {
	delete(j.Tries, format)
	if j.Failures == nil {
		j.Failures = map[string]string{}
	}
	j.Failures[format] = why
	if !j.Status.Final() {
		j.Status = StatusFailToProcess
		j.Owner = ""
		j.Summary = why
	}
}

// AddArtifact records the rendered artifact of format: its render ended.
// For a job rendered ahead, the share of its formats done becomes its
// progress (at most 0.99 until [Complete]).
func AddArtifact(ctx context.Context, s Store, id int64, node, format string, b Blob) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if err := owns(j, node); err != nil {
			return err
		}
		if j.Status == StatusCanceled || j.Status == StatusFailToProcess || j.Status == StatusFailToReceive ||
			j.Status == StatusComplete && node != "" { // completed by the node that took it over
			return ErrFinished
		}
		if j.Artifacts == nil {
			j.Artifacts = map[string]Blob{}
		}
		j.Artifacts[format] = b
		delete(j.Tries, format)
		if j.Status == StatusProcessing && len(j.Formats) > 0 {
			done := 0
			for _, f := range j.Formats {
				if _, ok := j.Artifacts[f]; ok {
					done++
				}
			}
			j.PercentCompleted = max(j.PercentCompleted, min(0.99, float64(done)/float64(len(j.Formats))))
		}
		return nil
	})
}

// FailFormat records that format can never be rendered, and why (a render
// that failed for a reason that will not change: a page limit, too many
// columns); a job being rendered ahead fails with why as its summary.
func FailFormat(ctx context.Context, s Store, id int64, node, format, why string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if err := owns(j, node); err != nil {
			return err
		}
		if j.Status == StatusCanceled {
			return ErrFinished
		}
		giveUp(j, format, why)
		return nil
	})
}

// EndRender gives back the try BeginRender counted, for a render that
// stopped for a reason that is not the document's: a shutdown, every
// client gone, storage full.
func EndRender(ctx context.Context, s Store, id int64, node, format string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if err := owns(j, node); err != nil {
			return err
		}
		if n := j.Tries[format]; n > 1 {
			j.Tries[format] = n - 1
		} else {
			delete(j.Tries, format)
		}
		return nil
	})
}

// Progress raises the progress of a job node renders to p (0 to 1). It
// returns ErrFinished for a job no longer processing, and nil, nil when p
// is not above the job's progress (it is never lowered).
func Progress(ctx context.Context, s Store, id int64, node string, p float64) (*Job, error) {
	j, err := s.Update(ctx, id, func(j *Job) error {
		if j.Status != StatusProcessing {
			return ErrFinished
		}
		if err := owns(j, node); err != nil {
			return err
		}
		if p <= j.PercentCompleted {
			return errUnchanged
		}
		j.PercentCompleted = min(p, 1)
		return nil
	})
	if err == errUnchanged {
		return nil, nil
	}
	return j, err
}

// errUnchanged rolls back an update that would change nothing.
var errUnchanged = &conflictError{"jobs: unchanged"}

// Complete records that node rendered every format of the job: complete,
// progress 1.
func Complete(ctx context.Context, s Store, id int64, node string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if err := owns(j, node); err != nil {
			return err
		}
		if j.Status != StatusProcessing {
			return &TransitionError{j.Status, StatusComplete}
		}
		if missing := slices.DeleteFunc(slices.Clone(j.Formats), func(f string) bool { _, ok := j.Artifacts[f]; return ok }); len(missing) > 0 {
			return fmt.Errorf("jobs: job %d is not rendered in %s", j.ID, strings.Join(missing, ", "))
		}
		j.Status = StatusComplete
		j.Owner = ""
		j.PercentCompleted = 1
		j.Summary = "rendered " + strings.Join(j.Formats, ", ")
		return nil
	})
}

// Fail records that rendering the job failed, why as its summary.
func Fail(ctx context.Context, s Store, id int64, node, why string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if err := owns(j, node); err != nil {
			return err
		}
		if j.Status.Final() {
			return ErrFinished
		}
		j.Status = StatusFailToProcess
		j.Owner = ""
		j.Summary = why
		return nil
	})
}

// Requeue records that node stopped rendering the job for now and its
// queue entry will run it again (a shutdown, storage full): it is
// ready_to_process again, why as its summary, with the same queue entry.
func Requeue(ctx context.Context, s Store, id int64, node, why string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		if err := owns(j, node); err != nil {
			return err
		}
		if j.Status != StatusProcessing && j.Status != StatusReadyToProcess {
			return &TransitionError{j.Status, StatusReadyToProcess}
		}
		j.Status = StatusReadyToProcess
		j.Owner = ""
		j.Summary = why
		return nil
	})
}

// Resume queues a job again whose render stopped without its queue entry
// running it again (its node died, the queue gave it up): it is
// ready_to_process with a new queue entry (QueueID 0 until the queue's
// hook sets it). A job still receiving its document cannot resume (the
// upload is gone): it fails to receive. The tries of the format that was
// rendering stay counted.
func Resume(ctx context.Context, s Store, id int64, why string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		switch {
		case j.Status.Final():
			return ErrFinished
		case j.Status == StatusRequestReceived:
			j.Status = StatusFailToReceive
			j.Owner = ""
			j.Summary = "the upload was interrupted: " + why
		default:
			j.Status = StatusReadyToProcess
			j.Owner = ""
			j.QueueID = 0
			j.Summary = why
		}
		return nil
	})
}

// Reclaim resumes a job of node, a node whose lease expired (it died, or
// lost the store for longer than its lease), as [Resume] does: a job it
// was rendering is queued again with its tries still counted, an upload it
// was receiving fails to receive. It changes the job only if it is still
// as the caller saw it: owned by node (processing or request_received),
// or, when entry is not 0, ready_to_process with that queue entry (the
// node's queue took the entry and the node died before it started the
// job). Otherwise it fails with ErrNotOwner (or ErrFinished), so nodes
// reclaiming the same dead node's jobs at once resume each job once.
func Reclaim(ctx context.Context, s Store, id int64, node string, entry int64, why string) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		switch {
		case j.Status.Final():
			return ErrFinished
		case node != "" && j.Owner == node && (j.Status == StatusProcessing || j.Status == StatusRequestReceived):
		case entry != 0 && j.Status == StatusReadyToProcess && j.QueueID == entry:
		default:
			return ErrNotOwner
		}
		if j.Status == StatusRequestReceived {
			j.Status = StatusFailToReceive
			j.Owner = ""
			j.Summary = "the upload was interrupted: " + why
			return nil
		}
		j.Status = StatusReadyToProcess
		j.Owner = ""
		j.QueueID = 0
		j.Summary = why
		return nil
	})
}

// Cancel cancels the job with that ID in s. Canceling a canceled job does
// nothing; canceling a job in another final status fails with ErrFinished.
func Cancel(ctx context.Context, s Store, id int64) (*Job, error) {
	return s.Update(ctx, id, func(j *Job) error {
		switch {
		case j.Status == StatusCanceled:
		case j.Status.Final():
			return fmt.Errorf("%w (%s)", ErrFinished, j.Status)
		default:
			j.Status = StatusCanceled
			j.Owner = ""
			j.Summary = "canceled"
		}
		return nil
	})
}
