// Package jobstest is the test suite every jobs.Store must pass.
//
//	func TestStore(t *testing.T) {
//		jobstest.Run(t, func(t *testing.T) jobs.Store { return openEmptyStore(t) })
//	}
package jobstest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/report"
)

// Run runs the suite. newStore returns an empty store for one subtest; it
// is called once per subtest and should close the store with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) jobs.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, jobs.Store)
	}{
		{"CreateGet", testCreateGet},
		{"RoundTrip", testRoundTrip},
		{"Filters", testFilters},
		{"Paging", testPaging},
		{"PagingConcurrentInserts", testPagingConcurrent},
		{"Transitions", testTransitions},
		{"Cancel", testCancel},
		{"Text", testText},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"UpdateError", testUpdateError},
		{"Delete", testDelete},
		{"StatusFilters", testStatusFilters},
		{"Lifecycle", testLifecycle},
		{"Poison", testPoison},
		{"Owner", testOwner},
		{"OwnerFilter", testOwnerFilter},
		{"Reclaim", testReclaim},
		{"Reject", testReject},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func create(t *testing.T, s jobs.Store, j *jobs.Job) *jobs.Job {
	t.Helper()
	if j.Status == "" {
		j.Status = jobs.StatusReadyToProcess
	}
	if j.Entity == "" {
		j.Entity = "report"
	}
	if j.Operation == "" {
		j.Operation = "render"
	}
	if err := s.Create(context.Background(), j); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return j
}

func get(t *testing.T, s jobs.Store, id int64) *jobs.Job {
	t.Helper()
	j, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return j
}

// norm makes empty and nil slices and maps alike, and times comparable
// with ==.
func norm(j *jobs.Job) *jobs.Job {
	if j == nil {
		return nil
	}
	c := j.Clone()
	if len(c.Details) == 0 {
		c.Details = nil
	}
	if len(c.Tries) == 0 {
		c.Tries = nil
	}
	if len(c.Failures) == 0 {
		c.Failures = nil
	}
	if len(c.Formats) == 0 {
		c.Formats = nil
	}
	if len(c.Artifacts) == 0 {
		c.Artifacts = nil
	}
	c.CreatedAt = c.CreatedAt.UTC().Round(0)
	c.UpdatedAt = c.UpdatedAt.UTC().Round(0)
	return c
}

func same(t *testing.T, what string, got, want *jobs.Job) {
	t.Helper()
	if !reflect.DeepEqual(norm(got), norm(want)) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testCreateGet(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	a := create(t, s, &jobs.Job{CreatedBy: "alice"})
	b := create(t, s, &jobs.Job{CreatedBy: "bob", Status: jobs.StatusRequestReceived, RequestID: "0b7d1c4e-5a8f-4b9e-9c1d-2e3f4a5b6c7d"})
	if a.ID < 1 || b.ID <= a.ID {
		t.Errorf("IDs %d, %d: want positive and increasing", a.ID, b.ID)
	}
	if !uuidRE.MatchString(a.RequestID) {
		t.Errorf("RequestID %q is not a lowercase UUID", a.RequestID)
	}
	if b.RequestID != "0b7d1c4e-5a8f-4b9e-9c1d-2e3f4a5b6c7d" {
		t.Errorf("RequestID %q: the one given was not kept", b.RequestID)
	}
	if a.CreatedAt.Before(before) || a.CreatedAt.After(time.Now().Add(time.Second)) || !a.UpdatedAt.Equal(a.CreatedAt) {
		t.Errorf("CreatedAt %v, UpdatedAt %v: want now and equal", a.CreatedAt, a.UpdatedAt)
	}
	if a.Result != jobs.ResultPending || b.Result != jobs.ResultPending {
		t.Errorf("Result %q, %q: want Pending", a.Result, b.Result)
	}
	same(t, "Get", get(t, s, a.ID), a)
	got, err := s.GetByRequestID(ctx, b.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "GetByRequestID", got, b)
	if _, err := s.Get(ctx, b.ID+100); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Get of a missing job: %v, want ErrNotFound", err)
	}
	if _, err := s.GetByRequestID(ctx, "00000000-0000-4000-8000-000000000000"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("GetByRequestID of a missing job: %v, want ErrNotFound", err)
	}
	if _, err := s.Update(ctx, b.ID+100, func(*jobs.Job) error { return nil }); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Update of a missing job: %v, want ErrNotFound", err)
	}
	if err := s.Create(ctx, &jobs.Job{Status: jobs.StatusReadyToProcess, RequestID: b.RequestID}); !errors.Is(err, jobs.ErrConflict) {
		t.Errorf("Create with a request ID in use: %v, want ErrConflict", err)
	}
	if err := s.Create(ctx, &jobs.Job{Status: "sleeping"}); err == nil {
		t.Error("Create with an unknown status: no error")
	}
	c := create(t, s, &jobs.Job{Status: jobs.StatusFailToReceive})
	if c.Result != jobs.ResultFailure {
		t.Errorf("a job created failed has Result %q, want Failure", c.Result)
	}
}

func testRoundTrip(t *testing.T, s jobs.Store) {
	j := create(t, s, &jobs.Job{
		CreatedBy: "carol", Entity: "report", Operation: "render", Status: jobs.StatusRequestReceived,
		PercentCompleted: 0.25, ErrorCount: 2, Summary: "two problems",
		Details:  []report.Violation{{Pointer: "/elements/0/data/rows/5/cells", Message: "row has 2 cells"}, {Pointer: "", Message: "x"}},
		Formats:  []string{"xlsx", "pdf"},
		Document: &jobs.Blob{Key: "documents/a.json", Size: 123, SHA256: "ab"},
		Artifacts: map[string]jobs.Blob{"csv": {Key: "artifacts/1/csv.csv", Size: 5, SHA256: "cd"},
			"xlsx": {Key: "artifacts/1/xlsx.xlsx", Size: 7, SHA256: "ef"}},
		QueueID:  42,
		Owner:    "node-1",
		Tries:    map[string]int{"pdf": 2},
		Failures: map[string]string{"md": "too \xff wide"},
	})
	same(t, "Get after Create", get(t, s, j.ID), j)
	u, err := s.Update(context.Background(), j.ID, func(j *jobs.Job) error {
		j.Status = jobs.StatusReadyToProcess
		j.Artifacts["pdf"] = jobs.Blob{Key: "artifacts/1/pdf.pdf", Size: 9, SHA256: "01"}
		j.Details = nil
		j.Document = nil
		j.PercentCompleted = 1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Artifacts) != 3 || u.Document != nil || len(u.Details) != 0 || u.PercentCompleted != 1 {
		t.Errorf("Update result %+v", u)
	}
	same(t, "Get after Update", get(t, s, j.ID), u)
	if _, err := s.Update(context.Background(), j.ID, func(j *jobs.Job) error { j.PercentCompleted = 1.5; return nil }); err == nil {
		t.Error("Update to 150 % completed: no error")
	}
}

// fixture creates jobs a bit apart in time, so time filters can split them.
func fixture(t *testing.T, s jobs.Store) (all []*jobs.Job) {
	for i, user := range []string{"alice", "bob", "alice", "carol", "alice", "bob"} {
		if i > 0 {
			time.Sleep(5 * time.Millisecond)
		}
		all = append(all, create(t, s, &jobs.Job{CreatedBy: user}))
	}
	return all
}

func ids(p *jobs.Page) []int64 {
	var out []int64
	for _, j := range p.Entries {
		out = append(out, j.ID)
	}
	return out
}

func list(t *testing.T, s jobs.Store, f jobs.Filter) *jobs.Page {
	t.Helper()
	p, err := s.List(context.Background(), f)
	if err != nil {
		t.Fatalf("List(%+v): %v", f, err)
	}
	return p
}

func testFilters(t *testing.T, s jobs.Store) {
	all := fixture(t, s)
	time.Sleep(5 * time.Millisecond)
	// Touch job 2 so its updated time differs from its created time.
	touched, err := s.Update(context.Background(), all[1].ID, func(j *jobs.Job) error { j.Summary = "touched"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	pick := func(idx ...int) []int64 {
		var out []int64
		for _, i := range idx {
			out = append(out, all[i].ID)
		}
		return out
	}
	ms := time.Millisecond
	tests := []struct {
		name string
		f    jobs.Filter
		want []int64
	}{
		{"none", jobs.Filter{}, pick(0, 1, 2, 3, 4, 5)},
		{"id", jobs.Filter{ID: all[3].ID}, pick(3)},
		{"missing id", jobs.Filter{ID: all[5].ID + 1}, nil},
		{"request_id", jobs.Filter{RequestID: all[4].RequestID}, pick(4)},
		{"created_by", jobs.Filter{CreatedBy: "alice"}, pick(0, 2, 4)},
		{"created_by nobody", jobs.Filter{CreatedBy: "al"}, nil},
		{"created from (inclusive)", jobs.Filter{CreatedFrom: all[2].CreatedAt}, pick(2, 3, 4, 5)},
		{"created to (inclusive)", jobs.Filter{CreatedTo: all[2].CreatedAt}, pick(0, 1, 2)},
		{"created from sub-millisecond", jobs.Filter{CreatedFrom: all[2].CreatedAt.Add(ms / 2)}, pick(3, 4, 5)},
		{"created to sub-millisecond", jobs.Filter{CreatedTo: all[2].CreatedAt.Add(-ms / 2)}, pick(0, 1)},
		{"created range", jobs.Filter{CreatedFrom: all[1].CreatedAt, CreatedTo: all[3].CreatedAt}, pick(1, 2, 3)},
		{"updated from", jobs.Filter{UpdatedFrom: touched.UpdatedAt}, pick(1)},
		{"updated to", jobs.Filter{UpdatedTo: all[5].UpdatedAt}, pick(0, 2, 3, 4, 5)},
		{"created_by and created range", jobs.Filter{CreatedBy: "alice", CreatedFrom: all[1].CreatedAt, CreatedTo: all[4].CreatedAt}, pick(2, 4)},
		{"created_by and id", jobs.Filter{CreatedBy: "bob", ID: all[1].ID}, pick(1)},
		{"created_by and other's id", jobs.Filter{CreatedBy: "bob", ID: all[0].ID}, nil},
		{"request_id and created_by", jobs.Filter{RequestID: all[3].RequestID, CreatedBy: "carol"}, pick(3)},
		{"created and updated", jobs.Filter{CreatedTo: all[2].CreatedAt, UpdatedFrom: all[5].CreatedAt}, pick(1)},
		{"empty range", jobs.Filter{CreatedFrom: all[3].CreatedAt, CreatedTo: all[2].CreatedAt}, nil},
	}
	for _, tc := range tests {
		p := list(t, s, tc.f)
		if got := ids(p); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		if p.TotalEntries != len(tc.want) {
			t.Errorf("%s: TotalEntries %d, want %d", tc.name, p.TotalEntries, len(tc.want))
		}
	}
	for _, f := range []jobs.Filter{{Page: -1}, {PerPage: -1}, {PerPage: jobs.MaxPerPage + 1}} {
		if _, err := s.List(context.Background(), f); err == nil {
			t.Errorf("List(%+v): no error", f)
		}
	}
}

func testPaging(t *testing.T, s jobs.Store) {
	var want []int64
	for range 12 {
		want = append(want, create(t, s, &jobs.Job{CreatedBy: "dave"}).ID)
	}
	p := list(t, s, jobs.Filter{})
	if p.Page != 1 || p.PerPage != jobs.DefaultPerPage || p.TotalPages != 1 || p.TotalEntries != 12 {
		t.Errorf("default page: %d/%d/%d/%d", p.Page, p.PerPage, p.TotalPages, p.TotalEntries)
	}
	var got []int64
	for page := 1; page <= 3; page++ {
		p := list(t, s, jobs.Filter{Page: page, PerPage: 5})
		if p.TotalPages != 3 || p.TotalEntries != 12 || p.Page != page || p.PerPage != 5 {
			t.Errorf("page %d: %d pages, %d entries", page, p.TotalPages, p.TotalEntries)
		}
		got = append(got, ids(p)...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages of 5: %v, want %v", got, want)
	}
	if p := list(t, s, jobs.Filter{Page: 4, PerPage: 5}); len(p.Entries) != 0 || p.TotalEntries != 12 || p.Entries == nil {
		t.Errorf("page past the end: %v entries (nil %v), total %d", ids(p), p.Entries == nil, p.TotalEntries)
	}
	if p := list(t, s, jobs.Filter{CreatedBy: "nobody"}); p.TotalPages != 0 || p.TotalEntries != 0 || len(p.Entries) != 0 {
		t.Errorf("no match: %+v", p)
	}
}

// testPagingConcurrent pages through the jobs that exist while others are
// being created: every one is seen once, in order.
func testPagingConcurrent(t *testing.T, s jobs.Store) {
	var want []int64
	for range 40 {
		want = append(want, create(t, s, &jobs.Job{CreatedBy: "erin"}).ID)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := s.Create(context.Background(), &jobs.Job{CreatedBy: "erin", Status: jobs.StatusReadyToProcess}); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	var got []int64
	for page := 1; len(got) < len(want); page++ {
		p := list(t, s, jobs.Filter{CreatedBy: "erin", Page: page, PerPage: 7})
		if len(p.Entries) == 0 {
			break
		}
		got = append(got, ids(p)...)
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("concurrent Create: %v", err)
	}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("paging while inserting: got %v, want %v first", got, want)
	}
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("paging while inserting: not strictly increasing: %v", got)
	}
}

func setStatus(s jobs.Store, id int64, st jobs.Status) (*jobs.Job, error) {
	return s.Update(context.Background(), id, func(j *jobs.Job) error { j.Status = st; return nil })
}

func testTransitions(t *testing.T, s jobs.Store) {
	for _, from := range jobs.Statuses {
		for _, to := range jobs.Statuses {
			t.Run(fmt.Sprintf("%s_%s", from, to), func(t *testing.T) {
				j := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived})
				// Walk to from along allowed steps.
				path := map[jobs.Status][]jobs.Status{
					jobs.StatusRequestReceived: nil,
					jobs.StatusFailToReceive:   {jobs.StatusFailToReceive},
					jobs.StatusReadyToProcess:  {jobs.StatusReadyToProcess},
					jobs.StatusProcessing:      {jobs.StatusReadyToProcess, jobs.StatusProcessing},
					jobs.StatusFailToProcess:   {jobs.StatusReadyToProcess, jobs.StatusProcessing, jobs.StatusFailToProcess},
					jobs.StatusCanceled:        {jobs.StatusCanceled},
					jobs.StatusComplete:        {jobs.StatusReadyToProcess, jobs.StatusProcessing, jobs.StatusComplete},
				}[from]
				for _, st := range path {
					if _, err := setStatus(s, j.ID, st); err != nil {
						t.Fatalf("to %s: %v", st, err)
					}
				}
				prev := get(t, s, j.ID)
				time.Sleep(2 * time.Millisecond)
				u, err := setStatus(s, j.ID, to)
				if jobs.CanMove(from, to) {
					if err != nil {
						t.Fatalf("allowed move: %v", err)
					}
					if u.Status != to || u.Result != jobs.ResultOf(to) || !u.UpdatedAt.After(prev.UpdatedAt) {
						t.Errorf("after the move: status %s, result %s, updated %v (was %v)", u.Status, u.Result, u.UpdatedAt, prev.UpdatedAt)
					}
					same(t, "Get after the move", get(t, s, j.ID), u)
					return
				}
				var te *jobs.TransitionError
				if !errors.As(err, &te) || te.From != from || te.To != to {
					t.Fatalf("forbidden move: %v, want a TransitionError", err)
				}
				if errors.Is(err, jobs.ErrFinished) != from.Final() {
					t.Errorf("errors.Is(err, ErrFinished) = %v for a move from %s", !from.Final(), from)
				}
				same(t, "Get after a forbidden move", get(t, s, j.ID), prev)
			})
		}
	}
}

func testCancel(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	for _, st := range []jobs.Status{jobs.StatusRequestReceived, jobs.StatusReadyToProcess, jobs.StatusProcessing} {
		j := create(t, s, &jobs.Job{Status: st})
		c, err := jobs.Cancel(ctx, s, j.ID)
		if err != nil {
			t.Fatalf("Cancel of a %s job: %v", st, err)
		}
		if c.Status != jobs.StatusCanceled || c.Result != jobs.ResultFailure {
			t.Errorf("canceled %s job: %s/%s", st, c.Status, c.Result)
		}
		if c2, err := jobs.Cancel(ctx, s, j.ID); err != nil || c2.Status != jobs.StatusCanceled {
			t.Errorf("second Cancel: %v, %v", c2, err)
		}
		if _, err := setStatus(s, j.ID, jobs.StatusProcessing); !errors.Is(err, jobs.ErrFinished) {
			t.Errorf("processing a canceled job: %v, want ErrFinished", err)
		}
	}
	done := create(t, s, &jobs.Job{Status: jobs.StatusComplete})
	if _, err := jobs.Cancel(ctx, s, done.ID); !errors.Is(err, jobs.ErrFinished) {
		t.Errorf("Cancel of a complete job: %v, want ErrFinished", err)
	}
	if _, err := jobs.Cancel(ctx, s, done.ID+100); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Cancel of a missing job: %v, want ErrNotFound", err)
	}
}

func testText(t *testing.T, s jobs.Store) {
	weird := []string{"nul\x00inside", "Straße Ωμέγα Москва 東京 🎉", "bad utf-8 \xff\xfe", "'; DROP TABLE jobs; --", "quote\"back\\slash\nnewline"}
	var made []*jobs.Job
	for _, w := range weird {
		j := create(t, s, &jobs.Job{CreatedBy: w, Entity: w, Operation: w, Summary: w, Status: jobs.StatusFailToReceive,
			ErrorCount: 1, Details: []report.Violation{{Pointer: "/elements/0/" + w, Message: w}}})
		made = append(made, j)
		same(t, fmt.Sprintf("Get of %q", w), get(t, s, j.ID), j)
	}
	for i, w := range weird {
		p := list(t, s, jobs.Filter{CreatedBy: w})
		if got := ids(p); !slices.Equal(got, []int64{made[i].ID}) {
			t.Errorf("List created_by %q: %v, want [%d]", w, got, made[i].ID)
		}
	}
	if p := list(t, s, jobs.Filter{CreatedBy: "nul"}); len(p.Entries) != 0 {
		t.Errorf("created_by %q matched %v: a NUL cut the text", "nul", ids(p))
	}
}

func testConcurrentUpdates(t *testing.T, s jobs.Store) {
	j := create(t, s, &jobs.Job{})
	var wg sync.WaitGroup
	const workers, each = 8, 25
	errc := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for range each {
				_, err := s.Update(context.Background(), j.ID, func(j *jobs.Job) error {
					j.ErrorCount++
					j.Formats = append(j.Formats, fmt.Sprint(w))
					return nil
				})
				if err != nil {
					errc <- err
					return
				}
				if _, err := s.Get(context.Background(), j.ID); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	got := get(t, s, j.ID)
	if got.ErrorCount != workers*each || len(got.Formats) != workers*each {
		t.Errorf("after %d concurrent increments: ErrorCount %d, %d formats", workers*each, got.ErrorCount, len(got.Formats))
	}
}

func testUpdateError(t *testing.T, s jobs.Store) {
	j := create(t, s, &jobs.Job{})
	boom := errors.New("boom")
	_, err := s.Update(context.Background(), j.ID, func(j *jobs.Job) error {
		j.Status = jobs.StatusComplete
		j.Summary = "changed"
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update: %v, want fn's error", err)
	}
	same(t, "Get after a failed Update", get(t, s, j.ID), j)
}

func testDelete(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	a := create(t, s, &jobs.Job{})
	b := create(t, s, &jobs.Job{})
	if err := s.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, a.ID); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, a.ID); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Delete of a deleted job: %v, want ErrNotFound", err)
	}
	same(t, "the other job", get(t, s, b.ID), b)
	if c := create(t, s, &jobs.Job{}); c.ID <= b.ID {
		t.Errorf("a job created after a Delete has ID %d, not above %d", c.ID, b.ID)
	}
}

func testStatusFilters(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	byStatus := map[jobs.Status]int64{}
	for _, st := range jobs.Statuses {
		byStatus[st] = create(t, s, &jobs.Job{Status: st}).ID
	}
	var unfinished []int64
	for _, st := range jobs.Statuses {
		if !st.Final() {
			unfinished = append(unfinished, byStatus[st])
		}
	}
	if got := ids(list(t, s, jobs.Filter{Unfinished: true})); !slices.Equal(got, unfinished) {
		t.Errorf("Unfinished: %v, want %v", got, unfinished)
	}
	for st, id := range byStatus {
		if got := ids(list(t, s, jobs.Filter{Status: st})); !slices.Equal(got, []int64{id}) {
			t.Errorf("Status %s: %v, want [%d]", st, got, id)
		}
	}
	time.Sleep(5 * time.Millisecond)
	cut := time.Now()
	time.Sleep(5 * time.Millisecond)
	late := create(t, s, &jobs.Job{Status: jobs.StatusComplete})
	var final []int64
	for _, st := range jobs.Statuses {
		if st.Final() {
			final = append(final, byStatus[st])
		}
	}
	if got := ids(list(t, s, jobs.Filter{FinishedBefore: cut})); !slices.Equal(got, final) {
		t.Errorf("FinishedBefore: %v, want %v (not %d, finished after)", got, final, late.ID)
	}
	if _, err := jobs.Cancel(ctx, s, byStatus[jobs.StatusProcessing]); err != nil {
		t.Fatal(err)
	}
	if got := ids(list(t, s, jobs.Filter{FinishedBefore: cut})); !slices.Equal(got, final) {
		t.Errorf("FinishedBefore after a cancel: %v, want %v (the canceled job finished after)", got, final)
	}
}

var doc = jobs.Blob{Key: "documents/x.json", Size: 10, SHA256: "aa"}

// must returns a check of a transition's results: the job, or a fatal
// error naming the transition.
func must(t *testing.T, what string) func(*jobs.Job, error) *jobs.Job {
	return func(j *jobs.Job, err error) *jobs.Job {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return j
	}
}

func testLifecycle(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	// Received with nothing to render ahead: complete at once.
	a := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived})
	a = must(t, "Receive")(jobs.Receive(ctx, s, a.ID, doc))
	if a.Status != jobs.StatusComplete || a.PercentCompleted != 1 || a.Result != jobs.ResultSuccess || a.Document == nil {
		t.Errorf("received without formats: %+v", a)
	}
	if _, err := jobs.Receive(ctx, s, a.ID, doc); !errors.Is(err, jobs.ErrConflict) {
		t.Errorf("Receive twice: %v, want ErrConflict", err)
	}

	// Rendered ahead: ready, processing, a format at a time, complete.
	b := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv", "pdf"}})
	b = must(t, "Receive")(jobs.Receive(ctx, s, b.ID, doc))
	if b.Status != jobs.StatusReadyToProcess || b.Result != jobs.ResultPending {
		t.Errorf("received with formats: %s %s", b.Status, b.Result)
	}
	b = must(t, "Start")(jobs.Start(ctx, s, b.ID, "n1"))
	if b.Status != jobs.StatusProcessing || b.Owner != "n1" {
		t.Errorf("started: %s owner %q", b.Status, b.Owner)
	}
	if _, err := jobs.Complete(ctx, s, b.ID, "n1"); err == nil {
		t.Error("Complete with no artifact: no error")
	}
	b = must(t, "BeginRender")(jobs.BeginRender(ctx, s, b.ID, "n1", "csv", 3))
	if b.Tries["csv"] != 1 {
		t.Errorf("tries after BeginRender: %v", b.Tries)
	}
	b = must(t, "AddArtifact")(jobs.AddArtifact(ctx, s, b.ID, "n1", "csv", jobs.Blob{Key: "artifacts/b/csv", Size: 1, SHA256: "bb"}))
	if b.PercentCompleted != 0.5 || b.Tries["csv"] != 0 || b.Artifacts["csv"].Key != "artifacts/b/csv" {
		t.Errorf("after the first of two formats: %v %v %v", b.PercentCompleted, b.Tries, b.Artifacts)
	}
	if p, err := jobs.Progress(ctx, s, b.ID, "n1", 0.75); err != nil || p.PercentCompleted != 0.75 {
		t.Errorf("Progress 0.75: %v, %v", p, err)
	}
	if p, err := jobs.Progress(ctx, s, b.ID, "n1", 0.6); err != nil || p != nil {
		t.Errorf("Progress lower: %v, %v; want nil, nil", p, err)
	}
	must(t, "BeginRender")(jobs.BeginRender(ctx, s, b.ID, "n1", "pdf", 3))
	must(t, "AddArtifact")(jobs.AddArtifact(ctx, s, b.ID, "n1", "pdf", jobs.Blob{Key: "artifacts/b/pdf", Size: 1, SHA256: "cc"}))
	b = must(t, "Complete")(jobs.Complete(ctx, s, b.ID, "n1"))
	if b.Status != jobs.StatusComplete || b.PercentCompleted != 1 || b.Owner != "" || b.Summary != "rendered csv, pdf" {
		t.Errorf("completed: %+v", b)
	}
	if _, err := jobs.Start(ctx, s, b.ID, "n1"); !errors.Is(err, jobs.ErrFinished) {
		t.Errorf("Start of a complete job: %v, want ErrFinished", err)
	}
	// A format rendered on download of the complete job.
	must(t, "BeginRender on download")(jobs.BeginRender(ctx, s, b.ID, "", "md", 3))
	b = must(t, "AddArtifact on download")(jobs.AddArtifact(ctx, s, b.ID, "", "md", jobs.Blob{Key: "artifacts/b/md", Size: 1, SHA256: "dd"}))
	if b.Status != jobs.StatusComplete || len(b.Artifacts) != 3 {
		t.Errorf("after a render on download: %s %v", b.Status, b.Artifacts)
	}

	// Interrupted: requeued with its queue entry, resumed with a new one.
	c := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv"}})
	must(t, "Receive")(jobs.Receive(ctx, s, c.ID, doc))
	if _, err := s.Update(ctx, c.ID, func(j *jobs.Job) error { j.QueueID = 7; return nil }); err != nil {
		t.Fatal(err)
	}
	must(t, "Start")(jobs.Start(ctx, s, c.ID, "n1"))
	must(t, "BeginRender")(jobs.BeginRender(ctx, s, c.ID, "n1", "csv", 3))
	c = must(t, "EndRender")(jobs.EndRender(ctx, s, c.ID, "n1", "csv"))
	if c.Tries["csv"] != 0 {
		t.Errorf("tries after EndRender: %v", c.Tries)
	}
	c = must(t, "Requeue")(jobs.Requeue(ctx, s, c.ID, "n1", "storage full; tried again later"))
	if c.Status != jobs.StatusReadyToProcess || c.QueueID != 7 || c.Owner != "" {
		t.Errorf("requeued: %s queue %d owner %q", c.Status, c.QueueID, c.Owner)
	}
	must(t, "Start")(jobs.Start(ctx, s, c.ID, "n2"))
	c = must(t, "Resume")(jobs.Resume(ctx, s, c.ID, "resumed after a restart"))
	if c.Status != jobs.StatusReadyToProcess || c.QueueID != 0 || c.Summary != "resumed after a restart" {
		t.Errorf("resumed: %s queue %d %q", c.Status, c.QueueID, c.Summary)
	}
	c = must(t, "Fail")(jobs.Fail(ctx, s, c.ID, "", "rendering took longer than the budget"))
	if c.Status != jobs.StatusFailToProcess || c.Result != jobs.ResultFailure {
		t.Errorf("failed: %s %s", c.Status, c.Result)
	}
	if _, err := jobs.Resume(ctx, s, c.ID, "x"); !errors.Is(err, jobs.ErrFinished) {
		t.Errorf("Resume of a failed job: %v, want ErrFinished", err)
	}

	// An upload cut by a restart cannot resume.
	d := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived})
	d = must(t, "Resume")(jobs.Resume(ctx, s, d.ID, "the server restarted"))
	if d.Status != jobs.StatusFailToReceive {
		t.Errorf("a receiving job resumed: %s, want fail_to_receive", d.Status)
	}
	e := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived})
	e = must(t, "FailReceive")(jobs.FailReceive(ctx, s, e.ID, "the storage is full"))
	if e.Status != jobs.StatusFailToReceive || e.Summary != "the storage is full" {
		t.Errorf("FailReceive: %s %q", e.Status, e.Summary)
	}

	// A format that can never render fails the job rendering it ahead.
	f := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"pdf"}})
	must(t, "Receive")(jobs.Receive(ctx, s, f.ID, doc))
	must(t, "Start")(jobs.Start(ctx, s, f.ID, "n1"))
	f = must(t, "FailFormat")(jobs.FailFormat(ctx, s, f.ID, "n1", "pdf", "more than 10000 pages"))
	if f.Status != jobs.StatusFailToProcess || f.Failures["pdf"] != "more than 10000 pages" || f.Summary != "more than 10000 pages" {
		t.Errorf("FailFormat: %s %v %q", f.Status, f.Failures, f.Summary)
	}
	var fe *jobs.FormatError
	if _, err := jobs.BeginRender(ctx, s, f.ID, "", "pdf", 3); !errors.As(err, &fe) || fe.Reason != "more than 10000 pages" {
		t.Errorf("BeginRender of a format given up: %v, want its *FormatError", err)
	}
}

func testPoison(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	j := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv", "pdf"}})
	must(t, "Receive")(jobs.Receive(ctx, s, j.ID, doc))
	const limit = 3
	for i := 1; i <= limit; i++ {
		// Each attempt dies while rendering pdf: nothing ends the render.
		must(t, "Start")(jobs.Start(ctx, s, j.ID, fmt.Sprint("n", i)))
		got := must(t, "BeginRender")(jobs.BeginRender(ctx, s, j.ID, fmt.Sprint("n", i), "pdf", limit))
		if got.Tries["pdf"] != i {
			t.Fatalf("attempt %d: tries %v", i, got.Tries)
		}
		must(t, "Resume")(jobs.Resume(ctx, s, j.ID, "resumed after a crash"))
	}
	must(t, "Start")(jobs.Start(ctx, s, j.ID, "n9"))
	got, err := jobs.BeginRender(ctx, s, j.ID, "n9", "pdf", limit)
	var fe *jobs.FormatError
	if !errors.As(err, &fe) || fe.Format != "pdf" {
		t.Fatalf("BeginRender after %d crashes: %v, want a *FormatError", limit, err)
	}
	want := "rendering pdf crashed the renderer 3 times; it is not tried again"
	if got.Status != jobs.StatusFailToProcess || got.Summary != want || got.Failures["pdf"] != want || got.Tries["pdf"] != 0 {
		t.Errorf("given up: %s %q %v %v", got.Status, got.Summary, got.Failures, got.Tries)
	}
	same(t, "stored", get(t, s, j.ID), got)
}

func testOwner(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	j := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv"}})
	must(t, "Receive")(jobs.Receive(ctx, s, j.ID, doc))
	must(t, "Start")(jobs.Start(ctx, s, j.ID, "old"))
	must(t, "Start")(jobs.Start(ctx, s, j.ID, "new")) // the old node's lease was lost
	b := jobs.Blob{Key: "artifacts/x/csv", Size: 1, SHA256: "ee"}
	for name, err := range map[string]error{
		"BeginRender": second(jobs.BeginRender(ctx, s, j.ID, "old", "csv", 3)),
		"AddArtifact": second(jobs.AddArtifact(ctx, s, j.ID, "old", "csv", b)),
		"Progress":    second(jobs.Progress(ctx, s, j.ID, "old", 0.5)),
		"Complete":    second(jobs.Complete(ctx, s, j.ID, "old")),
		"Fail":        second(jobs.Fail(ctx, s, j.ID, "old", "x")),
		"Requeue":     second(jobs.Requeue(ctx, s, j.ID, "old", "x")),
		"FailFormat":  second(jobs.FailFormat(ctx, s, j.ID, "old", "csv", "x")),
		"EndRender":   second(jobs.EndRender(ctx, s, j.ID, "old", "csv")),
	} {
		if !errors.Is(err, jobs.ErrNotOwner) || !errors.Is(err, jobs.ErrConflict) {
			t.Errorf("%s by a node that lost the job: %v, want ErrNotOwner", name, err)
		}
	}
	got := get(t, s, j.ID)
	if got.Status != jobs.StatusProcessing || got.Owner != "new" || len(got.Artifacts) != 0 || got.PercentCompleted != 0 {
		t.Errorf("the old node changed the job: %+v", got)
	}
	must(t, "AddArtifact")(jobs.AddArtifact(ctx, s, j.ID, "new", "csv", b))
	must(t, "Complete")(jobs.Complete(ctx, s, j.ID, "new"))
	// A node that lost the job learns it late: the job is complete.
	if _, err := jobs.AddArtifact(ctx, s, j.ID, "old", "csv", jobs.Blob{Key: "artifacts/x/csv", Size: 2, SHA256: "ff"}); !errors.Is(err, jobs.ErrConflict) {
		t.Errorf("AddArtifact of a render ahead to a complete job: %v, want a conflict", err)
	}
	if got := get(t, s, j.ID); got.Artifacts["csv"] != b {
		t.Errorf("artifact after a late render: %+v, want %+v", got.Artifacts["csv"], b)
	}

	// Resumed for another node to take: the node that had it changes
	// nothing, though no one else has started it yet.
	k := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv"}})
	must(t, "Receive")(jobs.Receive(ctx, s, k.ID, doc))
	must(t, "Start")(jobs.Start(ctx, s, k.ID, "old"))
	must(t, "BeginRender")(jobs.BeginRender(ctx, s, k.ID, "old", "csv", 3))
	must(t, "Resume")(jobs.Resume(ctx, s, k.ID, "its node's lease expired"))
	for name, err := range map[string]error{
		"BeginRender": second(jobs.BeginRender(ctx, s, k.ID, "old", "csv", 3)),
		"AddArtifact": second(jobs.AddArtifact(ctx, s, k.ID, "old", "csv", b)),
		"EndRender":   second(jobs.EndRender(ctx, s, k.ID, "old", "csv")),
		"Complete":    second(jobs.Complete(ctx, s, k.ID, "old")),
		"Requeue":     second(jobs.Requeue(ctx, s, k.ID, "old", "x")),
		"Fail":        second(jobs.Fail(ctx, s, k.ID, "old", "x")),
		"FailFormat":  second(jobs.FailFormat(ctx, s, k.ID, "old", "csv", "x")),
	} {
		if !errors.Is(err, jobs.ErrNotOwner) {
			t.Errorf("%s by a node whose job was resumed: %v, want ErrNotOwner", name, err)
		}
	}
	if got := get(t, s, k.ID); got.Status != jobs.StatusReadyToProcess || len(got.Artifacts) != 0 || got.Tries["csv"] != 1 || len(got.Failures) != 0 {
		t.Errorf("the node that lost the job changed it: %+v", got)
	}
}

func testOwnerFilter(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	up := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Owner: "n1"}) // receiving on n1
	a := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv"}, Owner: "n1"})
	b := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv"}, Owner: "n2"})
	if got := get(t, s, up.ID); got.Owner != "n1" {
		t.Errorf("owner of an upload: %q, want n1", got.Owner)
	}
	for _, j := range []*jobs.Job{a, b} {
		if got := must(t, "Receive")(jobs.Receive(ctx, s, j.ID, doc)); got.Owner != "" {
			t.Errorf("received: owner %q, want none", got.Owner)
		}
	}
	must(t, "Start")(jobs.Start(ctx, s, a.ID, "n2"))
	must(t, "Start")(jobs.Start(ctx, s, b.ID, "n1"))
	for _, tc := range []struct {
		f    jobs.Filter
		want []int64
	}{
		{jobs.Filter{Owner: "n1"}, []int64{up.ID, b.ID}},
		{jobs.Filter{Owner: "n2", Unfinished: true}, []int64{a.ID}},
		{jobs.Filter{Owner: "n"}, nil},
	} {
		if got := ids(list(t, s, tc.f)); !slices.Equal(got, tc.want) {
			t.Errorf("List(%+v): %v, want %v", tc.f, got, tc.want)
		}
	}
	rejected := must(t, "FailReceive")(jobs.FailReceive(ctx, s, up.ID, "cut"))
	if rejected.Owner != "" {
		t.Errorf("failed to receive: owner %q, want none", rejected.Owner)
	}
}

func testReclaim(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	// An upload that died with its node fails to receive.
	up := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Owner: "dead"})
	if _, err := jobs.Reclaim(ctx, s, up.ID, "other", 0, "x"); !errors.Is(err, jobs.ErrNotOwner) {
		t.Errorf("Reclaim of another node's upload: %v, want ErrNotOwner", err)
	}
	got := must(t, "Reclaim")(jobs.Reclaim(ctx, s, up.ID, "dead", 0, "its node stopped"))
	if got.Status != jobs.StatusFailToReceive || got.Owner != "" || got.Summary != "the upload was interrupted: its node stopped" {
		t.Errorf("reclaimed upload: %s owner %q %q", got.Status, got.Owner, got.Summary)
	}

	// A render: queued again with its tries, once however many reclaim it.
	j := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv"}})
	must(t, "Receive")(jobs.Receive(ctx, s, j.ID, doc))
	if _, err := s.Update(ctx, j.ID, func(j *jobs.Job) error { j.QueueID = 7; return nil }); err != nil {
		t.Fatal(err)
	}
	must(t, "Start")(jobs.Start(ctx, s, j.ID, "dead"))
	must(t, "BeginRender")(jobs.BeginRender(ctx, s, j.ID, "dead", "csv", 3))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won, lost int
	for range 4 {
		wg.Go(func() {
			_, err := jobs.Reclaim(ctx, s, j.ID, "dead", 0, "its node's lease expired")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, jobs.ErrNotOwner):
				lost++
			default:
				t.Errorf("Reclaim: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != 3 {
		t.Errorf("4 nodes reclaiming one job: %d resumed it, %d were told ErrNotOwner; want 1 and 3", won, lost)
	}
	got = get(t, s, j.ID)
	if got.Status != jobs.StatusReadyToProcess || got.Owner != "" || got.QueueID != 0 || got.Tries["csv"] != 1 ||
		got.Summary != "its node's lease expired" {
		t.Errorf("reclaimed render: %s owner %q queue %d tries %v %q", got.Status, got.Owner, got.QueueID, got.Tries, got.Summary)
	}

	// Taken by a node that died before it started the job: reclaimed by
	// its queue entry, and only that one.
	k := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv"}})
	must(t, "Receive")(jobs.Receive(ctx, s, k.ID, doc))
	if _, err := s.Update(ctx, k.ID, func(j *jobs.Job) error { j.QueueID = 9; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		node  string
		entry int64
	}{{"dead", 0}, {"dead", 8}, {"", 0}} {
		if _, err := jobs.Reclaim(ctx, s, k.ID, tc.node, tc.entry, "x"); !errors.Is(err, jobs.ErrNotOwner) {
			t.Errorf("Reclaim(%q, entry %d) of a job waiting with entry 9: %v, want ErrNotOwner", tc.node, tc.entry, err)
		}
	}
	if got := must(t, "Reclaim")(jobs.Reclaim(ctx, s, k.ID, "dead", 9, "x")); got.Status != jobs.StatusReadyToProcess || got.QueueID != 0 {
		t.Errorf("reclaimed by entry: %s queue %d", got.Status, got.QueueID)
	}
	must(t, "Start")(jobs.Start(ctx, s, k.ID, "n2"))
	must(t, "Cancel")(jobs.Cancel(ctx, s, k.ID))
	if _, err := jobs.Reclaim(ctx, s, k.ID, "n2", 0, "x"); !errors.Is(err, jobs.ErrFinished) {
		t.Errorf("Reclaim of a canceled job: %v, want ErrFinished", err)
	}
}

func second[T any](_ T, err error) error { return err }

func testReject(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	j := create(t, s, &jobs.Job{Status: jobs.StatusRequestReceived})
	var vs []report.Violation
	long := strings.Repeat("m", 1000)
	for i := range 100 {
		vs = append(vs, report.Violation{Pointer: fmt.Sprintf("/elements/%d", i), Message: long})
	}
	got := must(t, "Reject")(jobs.Reject(ctx, s, j.ID, vs, 250))
	if got.Status != jobs.StatusFailToReceive || got.ErrorCount != 250 || got.Result != jobs.ResultFailure {
		t.Errorf("rejected: %s count %d %s", got.Status, got.ErrorCount, got.Result)
	}
	size := 0
	for _, d := range got.Details {
		size += len(d.Pointer) + len(d.Message)
	}
	if size > jobs.MaxDetailBytes || len(got.Details) == 0 || len(got.Details) == 100 {
		t.Errorf("details kept: %d, %d bytes; want some, at most %d bytes", len(got.Details), size, jobs.MaxDetailBytes)
	}
	if want := "invalid document: /elements/0: " + long + " (and 249 more)"; got.Summary != want {
		t.Errorf("summary %.80q…", got.Summary)
	}
	same(t, "stored", get(t, s, j.ID), got)
}

// RunHook runs the suite of a jobs.HookStore: the hook sees every Create
// (before nil), Update and Delete (after nil) in the change's own
// transaction, the QueueID it sets is stored, and its error rolls the
// change back. newStore returns an empty store without a hook.
func RunHook[TTx any](t *testing.T, newStore func(t *testing.T) jobs.HookStore[TTx]) {
	ctx := context.Background()
	s := newStore(t)
	type call struct {
		before, after *jobs.Job
	}
	var calls []call
	var fail error
	s.SetHook(func(ctx context.Context, tx TTx, before, after *jobs.Job) error {
		calls = append(calls, call{before, after})
		if fail != nil {
			return fail
		}
		if after != nil && after.Status == jobs.StatusReadyToProcess && after.QueueID == 0 {
			after.QueueID = after.ID + 1000
		}
		return nil
	})
	j := &jobs.Job{Status: jobs.StatusRequestReceived, Formats: []string{"csv"}}
	if err := s.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].before != nil || calls[0].after == nil || calls[0].after.ID != j.ID {
		t.Fatalf("hook calls for Create: %+v", calls)
	}
	got, err := jobs.Receive(ctx, s, j.ID, doc)
	if err != nil {
		t.Fatal(err)
	}
	if got.QueueID != j.ID+1000 || get(t, s, j.ID).QueueID != j.ID+1000 {
		t.Errorf("QueueID set by the hook: %d returned, %d stored; want %d", got.QueueID, get(t, s, j.ID).QueueID, j.ID+1000)
	}
	if c := calls[len(calls)-1]; c.before == nil || c.before.Status != jobs.StatusRequestReceived || c.after.Status != jobs.StatusReadyToProcess {
		t.Errorf("hook call for Receive: before %+v after %+v", c.before, c.after)
	}
	boom := errors.New("queue down")
	fail = boom
	if _, err := jobs.Cancel(ctx, s, j.ID); !errors.Is(err, boom) {
		t.Errorf("Cancel with a failing hook: %v, want its error", err)
	}
	if get(t, s, j.ID).Status != jobs.StatusReadyToProcess {
		t.Error("a change whose hook failed was stored")
	}
	if err := s.Create(ctx, &jobs.Job{Status: jobs.StatusRequestReceived}); !errors.Is(err, boom) {
		t.Errorf("Create with a failing hook: %v, want its error", err)
	}
	if p := list(t, s, jobs.Filter{}); p.TotalEntries != 1 {
		t.Errorf("%d jobs after a Create whose hook failed, want 1", p.TotalEntries)
	}
	if err := s.Delete(ctx, j.ID); !errors.Is(err, boom) {
		t.Errorf("Delete with a failing hook: %v, want its error", err)
	}
	get(t, s, j.ID) // still there
	fail = nil
	n := len(calls)
	if err := s.Delete(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	if c := calls[n]; len(calls) != n+1 || c.after != nil || c.before == nil || c.before.QueueID != j.ID+1000 {
		t.Errorf("hook call for Delete: %+v", calls[n:])
	}
}
