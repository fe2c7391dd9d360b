package jobs_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/foliorender/folio/jobs"
)

func TestStatuses(t *testing.T) {
	tests := []struct {
		s      jobs.Status
		final  bool
		result jobs.Result
		state  jobs.ServerState
	}{
		{jobs.StatusRequestReceived, false, jobs.ResultPending, jobs.StateWaitingToStart},
		{jobs.StatusFailToReceive, true, jobs.ResultFailure, jobs.StateFailed},
		{jobs.StatusReadyToProcess, false, jobs.ResultPending, jobs.StateWaitingToStart},
		{jobs.StatusProcessing, false, jobs.ResultPending, jobs.StateRunning},
		{jobs.StatusFailToProcess, true, jobs.ResultFailure, jobs.StateFailed},
		{jobs.StatusCanceled, true, jobs.ResultFailure, jobs.StateFailed},
		{jobs.StatusComplete, true, jobs.ResultSuccess, jobs.StateCompleted},
	}
	if len(tests) != len(jobs.Statuses) {
		t.Fatalf("%d statuses tested, %d exist", len(tests), len(jobs.Statuses))
	}
	for _, tc := range tests {
		if !tc.s.Valid() || tc.s.Final() != tc.final || jobs.ResultOf(tc.s) != tc.result || tc.s.ServerState() != tc.state {
			t.Errorf("%s: valid %v final %v result %s state %d", tc.s, tc.s.Valid(), tc.s.Final(), jobs.ResultOf(tc.s), tc.s.ServerState())
		}
		if slices.Contains(jobs.Unfinished(), tc.s) == tc.final || slices.Contains(jobs.FinalStatuses(), tc.s) != tc.final {
			t.Errorf("%s is in the wrong one of Unfinished %v and FinalStatuses %v", tc.s, jobs.Unfinished(), jobs.FinalStatuses())
		}
	}
	if jobs.Status("sleeping").Valid() {
		t.Error("an unknown status is valid")
	}
}

func TestCanMove(t *testing.T) {
	allowed := map[jobs.Status][]jobs.Status{
		jobs.StatusRequestReceived: {jobs.StatusFailToReceive, jobs.StatusReadyToProcess, jobs.StatusCanceled, jobs.StatusComplete},
		jobs.StatusReadyToProcess:  {jobs.StatusProcessing, jobs.StatusComplete, jobs.StatusFailToProcess, jobs.StatusCanceled},
		jobs.StatusProcessing:      {jobs.StatusReadyToProcess, jobs.StatusComplete, jobs.StatusFailToProcess, jobs.StatusCanceled},
	}
	for _, from := range jobs.Statuses {
		for _, to := range jobs.Statuses {
			want := from == to || slices.Contains(allowed[from], to)
			if got := jobs.CanMove(from, to); got != want {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestConflicts(t *testing.T) {
	for _, tc := range []struct {
		err              error
		conflict, finish bool
	}{
		{jobs.ErrFinished, true, true},
		{jobs.ErrNotOwner, true, false},
		{jobs.DuplicateRequestID("x"), true, false},
		{&jobs.TransitionError{From: jobs.StatusComplete, To: jobs.StatusProcessing}, true, true},
		{&jobs.TransitionError{From: jobs.StatusRequestReceived, To: jobs.StatusProcessing}, true, false},
		{fmt.Errorf("wrapped: %w", jobs.ErrFinished), true, true},
		{jobs.ErrNotFound, false, false},
		{&jobs.FormatError{Format: "pdf", Reason: "too many pages"}, false, false},
	} {
		if errors.Is(tc.err, jobs.ErrConflict) != tc.conflict || errors.Is(tc.err, jobs.ErrFinished) != tc.finish {
			t.Errorf("%v: Is(ErrConflict) %v, Is(ErrFinished) %v; want %v, %v", tc.err,
				errors.Is(tc.err, jobs.ErrConflict), errors.Is(tc.err, jobs.ErrFinished), tc.conflict, tc.finish)
		}
	}
}

// TestForUpdate: the rules every store applies to an update, in one place.
func TestForUpdate(t *testing.T) {
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	updated := created.Add(time.Hour)
	stored := &jobs.Job{ID: 7, RequestID: "r-7", Entity: "report", Status: jobs.StatusReadyToProcess, Operation: "render",
		CreatedAt: created, UpdatedAt: updated, CreatedBy: "alice", Result: jobs.ResultPending, Tries: map[string]int{"pdf": 1}}
	later, earlier := updated.Add(time.Minute), updated.Add(-time.Minute)
	errFn := errors.New("no")
	for _, tc := range []struct {
		name    string
		fn      func(*jobs.Job)
		err     error
		now     time.Time
		wantErr error // matched with errors.Is; nil for success
		check   func(*jobs.Job) string
	}{
		{name: "allowed move", fn: func(j *jobs.Job) { j.Status, j.PercentCompleted = jobs.StatusComplete, 1 }, now: later,
			check: func(j *jobs.Job) string {
				if j.Status != jobs.StatusComplete || j.Result != jobs.ResultSuccess || !j.UpdatedAt.Equal(later) {
					return fmt.Sprintf("status %s result %s updated %v", j.Status, j.Result, j.UpdatedAt)
				}
				return ""
			}},
		{name: "fixed fields kept", now: later, fn: func(j *jobs.Job) {
			j.ID, j.RequestID, j.CreatedAt, j.CreatedBy, j.Result = 99, "other", later, "mallory", jobs.ResultFailure
		}, check: func(j *jobs.Job) string {
			if j.ID != 7 || j.RequestID != "r-7" || !j.CreatedAt.Equal(created) || j.CreatedBy != "alice" || j.Result != jobs.ResultPending {
				return fmt.Sprintf("%+v", j)
			}
			return ""
		}},
		{name: "clock behind the last update", fn: func(j *jobs.Job) { j.Summary = "s" }, now: earlier,
			check: func(j *jobs.Job) string {
				if !j.UpdatedAt.Equal(updated) {
					return fmt.Sprintf("updated %v, want %v", j.UpdatedAt, updated)
				}
				return ""
			}},
		{name: "forbidden move", fn: func(j *jobs.Job) { j.Status = jobs.StatusRequestReceived }, now: later,
			wantErr: jobs.ErrConflict},
		{name: "fn's error", fn: func(j *jobs.Job) {}, err: errFn, now: later, wantErr: errFn},
		{name: "invalid job", fn: func(j *jobs.Job) { j.PercentCompleted = 2 }, now: later, wantErr: errInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := stored.Clone()
			got, err := before.ForUpdate(func(j *jobs.Job) error { tc.fn(j); j.Tries["pdf"] = 5; return tc.err }, tc.now)
			if !reflect.DeepEqual(before, stored) {
				t.Errorf("the stored job changed: %+v", before)
			}
			switch {
			case tc.wantErr == errInvalid:
				if err == nil || got != nil {
					t.Fatalf("got %+v, %v; want an error", got, err)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) || got != nil {
					t.Fatalf("got %+v, %v; want %v", got, err, tc.wantErr)
				}
				var te *jobs.TransitionError
				if errors.As(err, &te) != (tc.wantErr == jobs.ErrConflict) {
					t.Errorf("%v: a *TransitionError is returned only for a forbidden move", err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if msg := tc.check(got); msg != "" {
					t.Error(msg)
				}
				if got.Tries["pdf"] != 5 {
					t.Errorf("fn's change to Tries was lost: %v", got.Tries)
				}
			}
		})
	}
}

// errInvalid stands for any error of Job.Check.
var errInvalid = errors.New("invalid")
