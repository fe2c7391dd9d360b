package jobs_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

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
