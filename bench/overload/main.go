// Command overload drives a real `folio serve` past what it sustains, for
// bench/overload.sh:
//
//	overload -folio BIN -dir DIR [-duration 60s] [-short] [-rate R]
//
// It starts the server on loopback (data, log and PID file under DIR) with
// tokens for several users and an administrator, then:
//
//  1. measures the request rate the server sustains for the mixed workload:
//     steps of a constant rate (open model, vegeta), each followed by a wait
//     for the jobs it posted, raised by half while the step passes (at most
//     1% shed by the per-user caps or the render pool, no other error, the
//     jobs done within the drain limit, the median latency under the
//     blow-up limit; a failed step gets a second try);
//  2. drives twice that rate for -duration with the same mix: uploads of
//     generated documents (200 to 3,000 rows, some with ?formats=csv,xlsx,pdf),
//     jobStatus polling and downloads of formats rendered ahead and of
//     formats rendered on download, from every user, sampling the server's
//     memory;
//  3. waits for the queue to drain and checks every accepted job (202)
//     completed, then stops the server and compares every download (200)
//     with a fresh `folio convert` of the same document.
//
// It prints the figures and exits 1 if the floor is missed: RSS growth
// after the first 10 s beyond the tolerance, jobStatus p99 at or above
// 50 ms during the overload, an accepted job lost, a corrupted download,
// a 500 or a panic in the server's log.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/foliorender/folio/bench/internal/served"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

var (
	folioBin   = flag.String("folio", "", "the folio binary (required)")
	dir        = flag.String("dir", "", "work directory: data, server log, PID file (required)")
	duration   = flag.Duration("duration", 60*time.Second, "length of the overload")
	short      = flag.Bool("short", false, "CI mode: 5 s of overload, short steps and a rate capped at -short-cap")
	shortCap   = flag.Int("short-cap", 30, "highest sustained rate -short measures up to (requests/s)")
	fixedRate  = flag.Int("rate", 0, "skip the measurement: take this as the sustained rate (requests/s)")
	startRate  = flag.Int("start-rate", 10, "first step of the measurement (requests/s)")
	stepLen    = flag.Duration("step", 8*time.Second, "length of a measurement step")
	factor     = flag.Float64("factor", 2, "overload rate as a multiple of the sustained rate")
	nusers     = flag.Int("users", 4, "users posting and reading jobs (plus an administrator)")
	p99Floor   = flag.Duration("p99", 50*time.Millisecond, "floor: jobStatus p99 during the overload must stay under this")
	blowUp     = flag.Duration("blow-up", 100*time.Millisecond, "a measurement step fails when the median latency of its requests reaches this")
	rssTolPct  = flag.Float64("rss-tolerance", 10, "floor: RSS growth after the warm-up, in percent of the RSS at its end (at least -rss-slack)")
	rssSlack   = flag.Int64("rss-slack", 20, "floor: RSS growth always tolerated, in MB")
	warmup     = flag.Duration("warmup", 10*time.Second, "RSS may grow during this first part of the overload")
	drainLimit = flag.Duration("drain-timeout", 15*time.Minute, "longest wait for the queue to drain after the overload")
	serverArgs = flag.String("server-args", "", "more flags for folio serve, space-separated")
	seed       = flag.Uint64("seed", 0, "seed of the workload (0: from the clock)")
)

// The mix: the share of uploads and downloads among requests; the rest
// is jobStatus. Among uploads, the share that asks for formats ahead.
const (
	shareUpload   = 0.12
	shareDownload = 0.30
	shareAhead    = 0.4
)

// aheadFormats is what an upload that renders ahead asks for.
var aheadFormats = []string{"csv", "xlsx", "pdf"}

func main() {
	flag.Parse()
	if *folioBin == "" || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: overload -folio BIN -dir DIR [flags]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if *short {
		if !isSet("duration") {
			*duration = 5 * time.Second
		}
		if !isSet("step") {
			*stepLen = 2 * time.Second
		}
		if !isSet("warmup") {
			*warmup = *duration / 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx)
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// A job is one accepted upload.
type job struct {
	id       int64
	n        int // the document's number (see docOf)
	user     int
	rid      string
	ahead    []string
	complete bool
	phase    string
}

// A key names one artifact: a job and a format.
type key struct {
	id     int64
	format string
}

// world is the workload's state, shared by the targeter (vegeta's
// workers) and the reader of results.
type world struct {
	run    uint32
	tokens []string // users' tokens; the last is the administrator's
	base   string

	mu         sync.Mutex
	rng        *rand.Rand
	next       int // the next document's number
	jobs       []*job
	byID       map[int64]*job
	byN        map[int]*job
	pending    []*job // accepted, not known complete
	complete   []*job
	asked      map[key]bool               // formats asked for on download so far
	bodies     map[key]map[string]int     // SHA-256 of 200 answers, counted
	unexpected map[string]int             // answers that should not happen, by description
	uploads    map[int]struct{ user int } // documents posted, by number
}

// docOf returns the parameters of document n: a few hundred to a few
// thousand rows, log-uniform, and whether it renders ahead.
func docOf(run uint32, n int) (rows int, ahead bool, title string) {
	r := rand.New(rand.NewPCG(uint64(run), uint64(n)))
	rows = int(200 * math.Pow(15, r.Float64()))
	return rows, r.Float64() < shareAhead, fmt.Sprintf("Overload report %d", n)
}

func (w *world) doc(n int) []byte {
	rows, _, title := docOf(w.run, n)
	return served.Doc(uint64(w.run)<<32|uint64(n), rows, title)
}

// target picks the next request: an upload, a download of a complete job
// (a format rendered ahead, or one rendered on download) or a jobStatus.
func (w *world) target(t *vegeta.Target) error {
	w.mu.Lock()
	x := w.rng.Float64()
	switch {
	case x < shareUpload || len(w.jobs) == 0:
		n := w.next
		w.next++
		user := w.rng.IntN(len(w.tokens) - 1)
		w.uploads[n] = struct{ user int }{user}
		w.mu.Unlock()
		_, ahead, _ := docOf(w.run, n)
		q := url.Values{"request_id": {served.RequestID(w.run, n)}}
		if ahead {
			q.Set("formats", strings.Join(aheadFormats, ","))
		}
		*t = vegeta.Target{Method: "POST", URL: w.base + "/jobs?" + q.Encode(), Body: w.doc(n),
			Header: w.header(user)}
		return nil
	case x < shareUpload+shareDownload && len(w.complete) > 0:
		j := w.complete[w.rng.IntN(len(w.complete))]
		var f string
		if len(j.ahead) > 0 && w.rng.IntN(2) == 0 {
			f = j.ahead[w.rng.IntN(len(j.ahead))]
		} else {
			// A format not rendered ahead: prefer one nobody asked for yet,
			// so that most of these downloads need a render.
			var fresh, old []string
			for _, name := range served.Formats {
				if slices.Contains(j.ahead, name) {
					continue
				}
				if w.asked[key{j.id, name}] {
					old = append(old, name)
				} else {
					fresh = append(fresh, name)
				}
			}
			if len(fresh) > 0 && (len(old) == 0 || w.rng.IntN(4) > 0) {
				f = fresh[w.rng.IntN(len(fresh))]
			} else {
				f = old[w.rng.IntN(len(old))]
			}
			w.asked[key{j.id, f}] = true
		}
		user := j.user
		if w.rng.IntN(10) == 0 {
			user = len(w.tokens) - 1
		}
		path := fmt.Sprintf("/jobs/%d/content?format=%s", j.id, f)
		if w.rng.IntN(2) == 0 {
			path = fmt.Sprintf("/icweb.dll/jobContent?id=%d&format=%s", j.id, f)
		}
		w.mu.Unlock()
		*t = vegeta.Target{Method: "GET", URL: w.base + path, Header: w.header(user)}
		return nil
	default:
		// Clients poll their jobs that are not done yet, and now and then
		// one that is.
		var j *job
		if len(w.pending) > 0 && w.rng.IntN(10) < 7 {
			j = w.pending[w.rng.IntN(len(w.pending))]
		} else {
			j = w.jobs[w.rng.IntN(len(w.jobs))]
		}
		ref := strconv.FormatInt(j.id, 10)
		if w.rng.IntN(4) == 0 {
			ref = "{" + j.rid + "}"
		}
		w.mu.Unlock()
		*t = vegeta.Target{Method: "GET", URL: w.base + "/icweb.dll/jobStatus?id=" + url.QueryEscape(ref),
			Header: w.header(j.user)}
		return nil
	}
}

func (w *world) header(user int) map[string][]string {
	return map[string][]string{"Authorization": {"Bearer " + w.tokens[user]}}
}

// kind names what a result was: upload, status, ahead (a download of a
// format rendered ahead) or ondemand (of one rendered on download).
func (w *world) kind(r *vegeta.Result) (string, *url.URL) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return "other", nil
	}
	switch {
	case r.Method == "POST":
		return "upload", u
	case u.Path == "/icweb.dll/jobStatus":
		return "status", u
	}
	id, f := w.contentKey(u)
	w.mu.Lock()
	defer w.mu.Unlock()
	if j := w.byID[id]; j != nil && slices.Contains(j.ahead, f) {
		return "ahead", u
	}
	return "ondemand", u
}

func (w *world) contentKey(u *url.URL) (int64, string) {
	ref := u.Query().Get("id")
	if ref == "" {
		ref = strings.TrimSuffix(strings.TrimPrefix(u.Path, "/jobs/"), "/content")
	}
	id, _ := strconv.ParseInt(ref, 10, 64)
	return id, u.Query().Get("format")
}

// phaseStats are the figures of one attack.
type phaseStats struct {
	rate    int
	metrics map[string]*vegeta.Metrics // by kind, and "all"
	codes   map[string]served.Hist     // by kind
	errs    map[string]int             // transport errors, by text
	posted  []*job                     // accepted during the attack
}

func (p *phaseStats) codeCount(code int) int { return p.codes["all"][code] }

// attack drives rate requests/s for d and reads the results.
func (w *world) attack(ctx context.Context, rate int, d time.Duration, phase string) *phaseStats {
	atk := vegeta.NewAttacker(vegeta.Timeout(60*time.Second), vegeta.KeepAlive(true), vegeta.Workers(16))
	go func() {
		<-ctx.Done()
		atk.Stop()
	}()
	p := &phaseStats{rate: rate, metrics: map[string]*vegeta.Metrics{}, codes: map[string]served.Hist{}, errs: map[string]int{}}
	for _, k := range []string{"all", "upload", "status", "ahead", "ondemand"} {
		p.metrics[k] = &vegeta.Metrics{}
		p.codes[k] = served.Hist{}
	}
	for r := range atk.Attack(w.target, vegeta.Rate{Freq: rate, Per: time.Second}, d, phase) {
		kind, u := w.kind(r)
		if p.metrics[kind] == nil {
			p.metrics[kind], p.codes[kind] = &vegeta.Metrics{}, served.Hist{}
		}
		p.metrics[kind].Add(r)
		p.metrics["all"].Add(r)
		p.codes[kind][int(r.Code)]++
		p.codes["all"][int(r.Code)]++
		if r.Code == 0 {
			p.errs[kind+": "+r.Error]++
		}
		switch kind {
		case "upload":
			w.uploaded(r, u, phase, p)
		case "status":
			w.polled(r, u)
		case "ahead", "ondemand":
			w.downloaded(r, u)
		}
	}
	for _, m := range p.metrics {
		m.Close()
	}
	return p
}

func (w *world) uploaded(r *vegeta.Result, u *url.URL, phase string, p *phaseStats) {
	n, ok := served.ParseRequestID(w.run, u.Query().Get("request_id"))
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if r.Code != 202 {
		return
	}
	var e served.Entry
	if err := json.Unmarshal(r.Body, &e); err != nil || e.ID == 0 {
		w.unexpected[fmt.Sprintf("POST answered 202 with a body that is not a job entry: %.100s", r.Body)]++
		return
	}
	_, ahead, _ := docOf(w.run, n)
	j := &job{id: e.ID, n: n, user: w.uploads[n].user, rid: e.RequestID, phase: phase}
	if ahead {
		j.ahead = aheadFormats
	}
	if e.Status != "ready_to_process" && e.Status != "complete" {
		w.unexpected["POST answered 202 with status "+e.Status]++
	}
	w.jobs = append(w.jobs, j)
	w.byID[j.id] = j
	w.byN[n] = j
	p.posted = append(p.posted, j)
	if e.Status == "complete" {
		w.markComplete(j)
	} else {
		w.pending = append(w.pending, j)
	}
}

// markComplete records that j is complete; w.mu is held.
func (w *world) markComplete(j *job) {
	if j.complete {
		return
	}
	j.complete = true
	w.complete = append(w.complete, j)
	if i := slices.Index(w.pending, j); i >= 0 {
		w.pending[i] = w.pending[len(w.pending)-1]
		w.pending = w.pending[:len(w.pending)-1]
	}
}

func (w *world) polled(r *vegeta.Result, u *url.URL) {
	if r.Code != 200 {
		return
	}
	var st struct {
		ID     int64 `json:"id"`
		Status int   `json:"status"`
	}
	if err := json.Unmarshal(r.Body, &st); err != nil {
		w.mu.Lock()
		w.unexpected["jobStatus answered 200 with a body that is not JSON"]++
		w.mu.Unlock()
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	j := w.byID[st.ID]
	switch {
	case j == nil:
		w.unexpected[fmt.Sprintf("jobStatus of %s answered job %d", u.RawQuery, st.ID)]++
	case st.Status == 4:
		w.markComplete(j)
	case st.Status == 5:
		w.unexpected["jobStatus answered 5 (failed) for an accepted job"]++
	}
}

func (w *world) downloaded(r *vegeta.Result, u *url.URL) {
	id, f := w.contentKey(u)
	if r.Code != 200 {
		return
	}
	sum := served.SHA256(r.Body)
	w.mu.Lock()
	defer w.mu.Unlock()
	k := key{id, f}
	if w.bodies[k] == nil {
		w.bodies[k] = map[string]int{}
	}
	w.bodies[k][sum]++
}

// drain waits until every job of js is known complete (asking jobStatus
// as the administrator) or limit passes, and returns how long it took
// and the jobs not complete.
func (w *world) drain(ctx context.Context, c *served.Client, js []*job, limit time.Duration) (time.Duration, []*job) {
	start := time.Now()
	admin := w.tokens[len(w.tokens)-1]
	left := slices.Clone(js)
	for len(left) > 0 && time.Since(start) < limit && ctx.Err() == nil {
		var still []*job
		for _, j := range left {
			w.mu.Lock()
			done := j.complete
			w.mu.Unlock()
			if done {
				continue
			}
			code, b, _, err := c.Do(ctx, "GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", j.id), admin, nil)
			var st struct{ Status int }
			if err == nil && code == 200 && json.Unmarshal(b, &st) == nil && st.Status == 4 {
				w.mu.Lock()
				w.markComplete(j)
				w.mu.Unlock()
				continue
			}
			still = append(still, j)
		}
		left = still
		if len(left) > 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	return time.Since(start), left
}

func run(ctx context.Context) error {
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	w := &world{run: uint32(*seed), rng: rand.New(rand.NewPCG(*seed, 2)), byID: map[int64]*job{},
		byN: map[int]*job{}, asked: map[key]bool{}, bodies: map[key]map[string]int{}, unexpected: map[string]int{},
		uploads: map[int]struct{ user int }{}}
	var entries []string
	for i := range *nusers {
		w.tokens = append(w.tokens, served.Token("user"))
		entries = append(entries, fmt.Sprintf("%s=user%d", w.tokens[i], i+1))
	}
	w.tokens = append(w.tokens, served.Token("admin"))
	entries = append(entries, w.tokens[*nusers]+"=admin:admin")
	logPath := filepath.Join(*dir, "server.log")
	var extra []string
	if *serverArgs != "" {
		extra = strings.Fields(*serverArgs)
	}
	srv, err := served.Start(served.Options{Bin: *folioBin, Data: filepath.Join(*dir, "data"), Tokens: strings.Join(entries, ","),
		Log: logPath, PidFile: filepath.Join(*dir, "server.pid"), Args: extra})
	if err != nil {
		return err
	}
	defer func() {
		select {
		case <-srv.Exited():
		default:
			srv.Kill()
		}
	}()
	ready, err := srv.Ready(30 * time.Second)
	if err != nil {
		return err
	}
	w.base = srv.Base
	c := served.NewClient(srv.Base, 30*time.Second)
	fmt.Printf("== folio serve on %s (pid %d, ready in %s), %d users + admin, args %q; seed %d\n",
		srv.Base, srv.Pid(), ready.Round(time.Millisecond), *nusers, *serverArgs, *seed)
	fmt.Printf("mix: %.0f%% uploads (200-3000 rows, %.0f%% with ?formats=%s), %.0f%% downloads (half rendered ahead when the job has them, else rendered on download), %.0f%% jobStatus\n",
		shareUpload*100, shareAhead*100, strings.Join(aheadFormats, ","), shareDownload*100, (1-shareUpload-shareDownload)*100)
	fmt.Printf("load average before: %s\n", loadavg())

	// 1. The sustained rate.
	sustained := *fixedRate
	if sustained == 0 {
		sustained, err = measure(ctx, w, c, srv.Pid())
		if err != nil {
			return err
		}
	} else {
		fmt.Printf("== sustained rate given: %d requests/s\n", sustained)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	// 2. The overload.
	rate := int(math.Round(*factor * float64(sustained)))
	fmt.Printf("\n== overload: %d requests/s (%.1f× %d) for %s; load average %s\n", rate, *factor, sustained, *duration, loadavg())
	_, peakBefore, _ := served.Memory(srv.Pid())
	served.ResetPeak(srv.Pid())
	type sample struct {
		t   time.Duration
		rss int64
	}
	var samples []sample
	every := 2 * time.Second
	if *duration < 20*time.Second {
		every = *duration / 10
	}
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	start := time.Now()
	cpuBefore, _ := served.CPUTime(srv.Pid())
	selfBefore, _ := served.CPUTime(os.Getpid())
	go func() {
		defer close(sampled)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if rss, _, err := served.Memory(srv.Pid()); err == nil {
				samples = append(samples, sample{time.Since(start), rss})
			}
			select {
			case <-sampling:
				return
			case <-t.C:
			}
		}
	}()
	over := w.attack(ctx, rate, *duration, "overload")
	close(sampling)
	<-sampled
	end := time.Now()
	_, peak, _ := served.Memory(srv.Pid())
	cpuAfter, _ := served.CPUTime(srv.Pid())
	selfAfter, _ := served.CPUTime(os.Getpid())
	loadAfter := loadavg()

	// 3. Drain, and every accepted job complete.
	fmt.Printf("overload done; waiting for the queue to drain (%d jobs accepted so far, %d not known complete)\n", len(w.jobs), len(w.pending))
	drained, lost, finalStatus, err := drainAll(ctx, w, c)
	if err != nil {
		return err
	}
	stopErr := srv.Stop(60 * time.Second)
	logSum, lerr := served.ReadLog(logPath)
	if lerr != nil {
		return lerr
	}

	// 4. Every download against a fresh render.
	corrupted, checked, renders, err := verify(ctx, w)
	if err != nil {
		return err
	}

	// Figures.
	fmt.Printf("\n== results of the overload (%d requests/s for %s)\n", rate, *duration)
	printPhase(over)
	if sent := over.metrics["all"].Rate; sent < 0.9*float64(rate) {
		fmt.Printf("WARNING: the load generator sent %.1f/s of the %d/s asked: the host is short of CPU (load average %s), so the latencies below measure the host more than the server (see the handler time)\n",
			sent, rate, loadAfter)
	}
	fmt.Printf("shed: %d × 429 (per-user caps), %d × 503 (render pool full)", over.codeCount(429), over.codeCount(503))
	if n := over.codeCount(507); n > 0 {
		fmt.Printf(", %d × 507 (storage full)", n)
	}
	fmt.Println()
	st := over.metrics["status"]
	fmt.Printf("jobStatus during the overload: %d requests, p50 %s, p90 %s, p99 %s, max %s\n", st.Requests,
		st.Latencies.P50.Round(10*time.Microsecond), st.Latencies.P90.Round(10*time.Microsecond),
		st.Latencies.P99.Round(10*time.Microsecond), st.Latencies.Max.Round(10*time.Microsecond))
	if ht, err := served.HandlerTimes(logPath, "/icweb.dll/jobStatus", start, end); err == nil && len(ht) > 0 {
		fmt.Printf("jobStatus handler time (the server's access log, same requests): p50 %s, p99 %s, max %s\n",
			served.Quantile(ht, 0.5).Round(10*time.Microsecond), served.Quantile(ht, 0.99).Round(10*time.Microsecond),
			served.Quantile(ht, 1).Round(10*time.Microsecond))
	}
	fmt.Printf("CPU time during the overload: server %s, load generator %s, in %s on %d cores\n",
		(cpuAfter - cpuBefore).Round(10*time.Millisecond), (selfAfter - selfBefore).Round(10*time.Millisecond),
		end.Sub(start).Round(10*time.Millisecond), runtime.NumCPU())
	fmt.Printf("server peak RSS: %s during the overload, %s before it (start and measurement)\n", served.MB(peak), served.MB(peakBefore))
	fmt.Printf("RSS every %s:", every.Round(100*time.Millisecond))
	prec := 0
	if every < time.Second {
		prec = 1
	}
	for _, s := range samples {
		fmt.Printf(" %.*fs:%.0f", prec, s.t.Seconds(), float64(s.rss)/1e6)
	}
	fmt.Println(" (MB)")
	// Growth after the warm-up: the trend (least squares) of the samples
	// taken after it, over their span, and the largest sample after it
	// against the largest before.
	var at []sample
	var maxBefore, maxAfter int64
	for _, s := range samples {
		if s.t >= *warmup {
			at = append(at, s)
			maxAfter = max(maxAfter, s.rss)
		} else {
			maxBefore = max(maxBefore, s.rss)
		}
	}
	var trend, level float64
	if len(at) >= 2 {
		var sx, sy, sxx, sxy float64
		for _, s := range at {
			x, y := s.t.Seconds(), float64(s.rss)
			sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
		}
		nn := float64(len(at))
		slope := (nn*sxy - sx*sy) / (nn*sxx - sx*sx)
		trend = slope * (at[len(at)-1].t - at[0].t).Seconds()
		level = float64(at[0].rss)
	}
	tol := max(float64(*rssSlack)*1e6, level**rssTolPct/100)
	fmt.Printf("RSS growth after the first %s: trend %+.1f MB over %d samples (tolerance %.1f MB); largest sample after %.1f MB, before %.1f MB\n",
		*warmup, trend/1e6, len(at), tol/1e6, float64(maxAfter)/1e6, float64(maxBefore)/1e6)
	fmt.Printf("load average: %s at the end of the overload, %s now\n", loadAfter, loadavg())
	fmt.Printf("\n== after the overload: queue drained in %s; accepted jobs (202) over the whole run: %d; final statuses %s\n",
		drained.Round(100*time.Millisecond), len(w.jobs), finalStatus)
	fmt.Printf("downloads checked against a fresh folio convert: %d bodies of %d artifacts (%d fresh renders)\n", checked, len(w.bodies), renders)
	for k, n := range w.unexpected {
		fmt.Printf("unexpected: %s (×%d)\n", k, n)
	}
	logSum.Print(os.Stdout)
	if stopErr != nil {
		fmt.Println("server stop:", stopErr)
	}

	var failures []string
	if len(lost) == 0 && len(corrupted) == 0 {
		fmt.Println("0 accepted jobs lost, 0 corrupted downloads")
	}
	if len(lost) > 0 {
		fmt.Printf("%d accepted jobs lost:\n", len(lost))
		for _, l := range lost[:min(len(lost), 20)] {
			fmt.Println("  ", l)
		}
		failures = append(failures, fmt.Sprintf("%d accepted jobs lost", len(lost)))
	}
	if len(corrupted) > 0 {
		fmt.Printf("%d corrupted downloads:\n", len(corrupted))
		for _, l := range corrupted[:min(len(corrupted), 20)] {
			fmt.Println("  ", l)
		}
		failures = append(failures, fmt.Sprintf("%d corrupted downloads", len(corrupted)))
	}
	if trend > tol {
		failures = append(failures, fmt.Sprintf("RSS grew %.1f MB after the first %s (tolerance %.1f MB)", trend/1e6, *warmup, tol/1e6))
	}
	if st.Latencies.P99 >= *p99Floor {
		failures = append(failures, fmt.Sprintf("jobStatus p99 %s during the overload (floor: under %s)", st.Latencies.P99.Round(10*time.Microsecond), *p99Floor))
	}
	if n := logSum.Status5xx[500]; n > 0 || over.codeCount(500) > 0 {
		failures = append(failures, fmt.Sprintf("%d answers 500", max(n, over.codeCount(500))))
	}
	if len(logSum.Panics) > 0 {
		failures = append(failures, "a panic in the server's log")
	}
	if stopErr != nil {
		failures = append(failures, "the server did not stop cleanly")
	}
	if len(failures) > 0 {
		return errors.New(strings.Join(failures, "; "))
	}
	fmt.Println("PASS: RSS flat, jobStatus p99 under", *p99Floor, "during the overload, every accepted job complete, every download identical to a fresh render")
	return nil
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func printPhase(p *phaseStats) {
	for _, k := range []string{"all", "upload", "status", "ahead", "ondemand"} {
		m := p.metrics[k]
		if m.Requests == 0 {
			continue
		}
		fmt.Printf("  %-8s %6d requests (%.1f/s)  codes %s  latency p50 %s p99 %s max %s\n", k, m.Requests, m.Rate,
			p.codes[k], m.Latencies.P50.Round(100*time.Microsecond), m.Latencies.P99.Round(100*time.Microsecond),
			m.Latencies.Max.Round(time.Millisecond))
	}
	for e, n := range p.errs {
		fmt.Printf("  no answer ×%d: %s\n", n, e)
	}
}

// measure finds the sustained rate: constant-rate steps, each raised by
// half while it passes (a step that fails gets a second try); then one
// step between the last pass and the first failure.
func measure(ctx context.Context, w *world, c *served.Client, pid int) (int, error) {
	fmt.Printf("\n== measuring the sustained rate: steps of %s; a step passes with at most 1%% shed (429, 503), no other error, its jobs complete within %s after it, median latency under %s\n",
		*stepLen, stepDrain(), *blowUp)
	good, bad := 0, 0
	rate := *startRate
	limit := 100000
	if *short {
		limit = *shortCap
	}
	once := func(rate int) (bool, error) {
		cpu0, _ := served.CPUTime(pid)
		t0 := time.Now()
		p := w.attack(ctx, rate, *stepLen, fmt.Sprintf("step-%d", rate))
		cpu1, _ := served.CPUTime(pid)
		cores := (cpu1 - cpu0).Seconds() / time.Since(t0).Seconds()
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		took, left := w.drain(ctx, c, p.posted, 5*time.Minute)
		if len(left) > 0 {
			return false, fmt.Errorf("%d jobs of the %d/s step not complete 5 min after it", len(left), rate)
		}
		m := p.metrics["all"]
		shed := p.codeCount(429) + p.codeCount(503)
		bad := 0
		for code, n := range p.codes["all"] {
			if code == 0 || code >= 400 {
				bad += n
			}
		}
		// Shedding: the per-user caps answer 429 now and then at any
		// rate (one user's third render at once); a step passes with at
		// most 1% of its requests shed and no other error. Latency counts
		// at the median: on a shared machine a single stall of the host
		// moves a step's p99.
		ok := shed*100 <= int(m.Requests) && bad == shed && p.codeCount(507) == 0 &&
			took <= stepDrain() && m.Latencies.P50 < *blowUp
		verdict := "pass"
		if !ok {
			verdict = "FAIL"
		}
		fmt.Printf("step %5d/s: %s  sent %.1f/s, %d jobs, drained %s after, shed %d, other errors %d, median %s, jobStatus p99 %s, all p99 %s, server CPU %.2f cores, load %s\n",
			rate, verdict, m.Rate, len(p.posted), took.Round(10*time.Millisecond), shed, bad-shed, m.Latencies.P50.Round(100*time.Microsecond),
			p.metrics["status"].Latencies.P99.Round(100*time.Microsecond), m.Latencies.P99.Round(time.Millisecond), cores, loadavg())
		if !ok {
			printPhase(p)
		}
		return ok, nil
	}
	// A step that fails is run once more: on a shared machine another
	// process can take the cores for a few seconds.
	try := func(rate int) (bool, error) {
		ok, err := once(rate)
		if ok || err != nil {
			return ok, err
		}
		fmt.Printf("step %5d/s: once more\n", rate)
		return once(rate)
	}
	for rate <= limit {
		ok, err := try(rate)
		if err != nil {
			return 0, err
		}
		if !ok {
			bad = rate
			break
		}
		good = rate
		rate = int(math.Ceil(float64(rate) * 1.5))
	}
	if good == 0 {
		// Not even the first step: go down.
		for rate = *startRate / 2; rate >= 1; rate /= 2 {
			ok, err := try(rate)
			if err != nil {
				return 0, err
			}
			if ok {
				good = rate
				break
			}
			bad = rate
		}
		if good == 0 {
			return 0, errors.New("the server sustains no rate of 1 request/s or more")
		}
	}
	if bad > 0 {
		if mid := int(math.Sqrt(float64(good) * float64(bad))); mid > good && mid < bad {
			ok, err := try(mid)
			if err != nil {
				return 0, err
			}
			if ok {
				good = mid
			}
		}
	} else {
		fmt.Printf("(capped at %d/s)\n", limit)
		good = min(good, limit)
	}
	fmt.Printf("== sustained rate: %d requests/s (%.1f uploads/s)\n", good, float64(good)*shareUpload)
	return good, nil
}

func stepDrain() time.Duration { return max(2*time.Second, *stepLen/4) }

// drainAll waits until every accepted job is final (listing them as the
// administrator) and returns how long it took, the jobs lost (accepted
// and not complete, or missing, or any job left unfinished) and the count
// of final statuses.
func drainAll(ctx context.Context, w *world, c *served.Client) (time.Duration, []string, string, error) {
	admin := w.tokens[len(w.tokens)-1]
	start := time.Now()
	lastChange := time.Now()
	lastLeft := -1
	var list map[int64]served.Entry
	for {
		var err error
		list, err = c.Jobs(ctx, admin)
		if err != nil {
			return 0, nil, "", err
		}
		left := 0
		for _, j := range w.jobs {
			if e, ok := list[j.id]; !ok || !served.Final(e.Status) {
				left++
			}
		}
		if left != lastLeft {
			lastLeft, lastChange = left, time.Now()
		}
		if left == 0 || time.Since(start) > *drainLimit || time.Since(lastChange) > 2*time.Minute || ctx.Err() != nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	took := time.Since(start)
	counts := map[string]int{}
	var lost []string
	for _, j := range w.jobs {
		e, ok := list[j.id]
		switch {
		case !ok:
			counts["missing"]++
			lost = append(lost, fmt.Sprintf("job %d (request_id %s, %s): not in GET /jobs", j.id, j.rid, j.phase))
		case e.Status != "complete":
			counts[e.Status]++
			lost = append(lost, fmt.Sprintf("job %d (request_id %s, %s): %s, %.0f%%: %s", j.id, j.rid, j.phase, e.Status, e.Percent*100, e.Summary))
		default:
			counts[e.Status]++
		}
	}
	others := 0
	for id, e := range list {
		if w.byID[id] != nil {
			continue
		}
		others++
		if !served.Final(e.Status) {
			lost = append(lost, fmt.Sprintf("job %d (request_id %s, by %s, not answered 202) still %s at %.0f%%: %s",
				id, e.RequestID, e.CreatedBy, e.Status, e.Percent*100, e.Summary))
		}
	}
	var parts []string
	for s, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", s, n))
	}
	slices.Sort(parts)
	desc := strings.Join(parts, ", ")
	if others > 0 {
		desc += fmt.Sprintf(" (and %d jobs not answered 202: uploads that timed out on the client side)", others)
	}
	return took, lost, desc, nil
}

// verify compares every download with a fresh render of its document and
// returns the mismatches, the bodies checked and the renders made.
func verify(ctx context.Context, w *world) ([]string, int, int, error) {
	type item struct {
		k      key
		j      *job
		bodies map[string]int
	}
	var items []item
	checked := 0
	for k, b := range w.bodies {
		j := w.byID[k.id]
		if j == nil {
			return nil, 0, 0, fmt.Errorf("a download of job %d, which no upload made", k.id)
		}
		items = append(items, item{k, j, b})
		for _, n := range b {
			checked += n
		}
	}
	slices.SortFunc(items, func(a, b item) int { return int(a.k.id - b.k.id) })
	var mu sync.Mutex
	var bad []string
	work := make(chan item)
	var wg sync.WaitGroup
	var ferr error
	for range 2 {
		wg.Go(func() {
			for it := range work {
				want, err := served.FreshSHA256(ctx, *folioBin, it.k.format, bytes.NewReader(w.doc(it.j.n)))
				mu.Lock()
				if err != nil {
					ferr = err
				}
				for sum, n := range it.bodies {
					if sum != want {
						rows, _, _ := docOf(w.run, it.j.n)
						bad = append(bad, fmt.Sprintf("job %d %s (%d rows): %d downloads with SHA-256 %s, fresh render %s",
							it.k.id, it.k.format, rows, n, sum, want))
					}
				}
				mu.Unlock()
			}
		})
	}
	for _, it := range items {
		work <- it
	}
	close(work)
	wg.Wait()
	return bad, checked, len(items), ferr
}
