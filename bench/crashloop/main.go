// Command crashloop kills a real `folio serve` with SIGKILL again and
// again while it works, for bench/crash-loop.sh:
//
//	crashloop -folio BIN -dir DIR [-rounds 50]
//
// Every round starts the server on the same data directory (under DIR),
// waits until the jobs the last kill left unfinished are final (the time
// to recover), posts a few jobs with formats to render ahead (one big
// enough to be rendering for seconds) and kills the server at a random
// moment: during the uploads or during the renders. Now and then a round
// kills the server while it recovers instead. Round 0 is not killed: it
// measures how long a round's uploads and renders take, which bounds the
// kill moments.
//
// At the end it starts the server once more, waits for every job to be
// final, downloads every artifact of every complete job, stops the server
// with SIGINT and checks: every job answered 202 is final and none is
// left unfinished; complete jobs' artifacts are identical to a fresh
// `folio convert` of their documents; a job that failed to process did so
// by the poison rule (a format whose renders were killed --max-attempts
// times); PRAGMA integrity_check answers ok; blobs/.tmp is empty; the log
// has no panic and no 500. It prints the figures and exits 1 on a failure.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/foliorender/folio/bench/internal/served"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/sqlite"
)

var (
	folioBin    = flag.String("folio", "", "the folio binary (required)")
	dir         = flag.String("dir", "", "work directory: data, server log, PID file (required)")
	rounds      = flag.Int("rounds", 50, "rounds, each ending in a kill -9")
	bigRows     = flag.Int("big", 80000, "rows of the big document of each round")
	inRecovery  = flag.Float64("in-recovery", 0.2, "share of rounds that kill the server while it recovers")
	maxAttempts = flag.Int("max-attempts", 3, "the server's --max-attempts")
	seed        = flag.Uint64("seed", 0, "seed (0: from the clock)")
	serverArgs  = flag.String("server-args", "", "more flags for folio serve, space-separated")
)

// A class is a kind of document a round posts.
type class struct {
	name    string
	rows    func() int
	formats []string
	share   float64 // the chance a round posts one
}

var classes = []class{
	{"small", func() int { return 300 }, []string{"csv", "json"}, 1},
	{"medium", func() int { return 3000 }, []string{"pdf", "xlsx", "csv"}, 1},
	{"big", func() int { return *bigRows }, []string{"pdf", "xlsx", "csv", "json"}, 1},
	{"plain", func() int { return 500 }, nil, 0.3},
}

// A post is one upload and what became of it.
type post struct {
	n      int // the document's number
	class  class
	rows   int
	round  int
	id     int64  // from the 202 answer, else 0
	err    string // why there was no 202
	code   int
	killed int // kills while the job was processing
	maxTry int // the largest try count of a format seen after a kill
}

func main() {
	flag.Parse()
	if *folioBin == "" || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: crashloop -folio BIN -dir DIR [flags]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
}

type loop struct {
	run     uint32
	rng     *rand.Rand
	data    string
	logPath string
	opts    served.Options
	admin   string
	users   []string

	mu    sync.Mutex
	posts []*post
	byN   map[int]*post
	byID  map[int64]*post
}

func (l *loop) doc(p *post) []byte {
	return served.Doc(uint64(l.run)<<32|uint64(p.n), p.rows, fmt.Sprintf("Crash loop job %d (%s)", p.n, p.class.name))
}

// postRound posts one document of each class (plain ones now and then),
// concurrently, and returns when every upload has an answer or failed.
// uploaded is closed when the big one has been answered.
func (l *loop) postRound(ctx context.Context, c *served.Client, round int) (ps []*post, wait func()) {
	for _, cl := range classes {
		if l.rng.Float64() >= cl.share {
			continue
		}
		l.mu.Lock()
		p := &post{n: len(l.posts), class: cl, rows: cl.rows(), round: round}
		l.posts = append(l.posts, p)
		l.byN[p.n] = p
		l.mu.Unlock()
		ps = append(ps, p)
	}
	var wg sync.WaitGroup
	for _, p := range ps {
		token := l.users[p.n%len(l.users)]
		q := url.Values{"request_id": {served.RequestID(l.run, p.n)}}
		if len(p.class.formats) > 0 {
			q.Set("formats", strings.Join(p.class.formats, ","))
		}
		body := l.doc(p)
		wg.Go(func() {
			code, b, _, err := c.Do(ctx, "POST", "/jobs?"+q.Encode(), token, bytes.NewReader(body))
			l.mu.Lock()
			defer l.mu.Unlock()
			p.code = code
			switch {
			case err != nil:
				p.err = err.Error()
			case code != 202:
				p.err = fmt.Sprintf("%d %s", code, bytes.TrimSpace(b))
			default:
				var e served.Entry
				if jerr := json.Unmarshal(b, &e); jerr != nil || e.ID == 0 {
					p.err = fmt.Sprintf("202 with a body that is not a job entry: %.100s", b)
				} else {
					p.id = e.ID
					l.byID[e.ID] = p
				}
			}
		})
	}
	return ps, wg.Wait
}

// unfinishedInDB reads the database of the dead server: the jobs not
// final, with what they were doing.
func (l *loop) unfinishedInDB(ctx context.Context) ([]*jobs.Job, error) {
	st, err := sqlite.Open(ctx, filepath.Join(l.data, "folio.db"))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var out []*jobs.Job
	for page := 1; ; page++ {
		p, err := st.List(ctx, jobs.Filter{Unfinished: true, Page: page, PerPage: jobs.MaxPerPage})
		if err != nil {
			return nil, err
		}
		out = append(out, p.Entries...)
		if page >= p.TotalPages {
			return out, nil
		}
	}
}

// waitFinal waits until none of ids is unfinished (as the administrator
// lists them) and returns the jobs still unfinished at the limit.
func (l *loop) waitFinal(ctx context.Context, c *served.Client, ids []int64, limit time.Duration) ([]served.Entry, error) {
	deadline := time.Now().Add(limit)
	for {
		list, err := c.Jobs(ctx, l.admin)
		if err != nil {
			return nil, err
		}
		var left []served.Entry
		for _, id := range ids {
			if e, ok := list[id]; ok && !served.Final(e.Status) {
				left = append(left, e)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return left, ctx.Err()
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (l *loop) start(round int) (*served.Server, time.Duration, error) {
	if f, err := os.OpenFile(l.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		fmt.Fprintf(f, "=== start %d at %s\n", round, time.Now().Format(time.RFC3339Nano))
		f.Close()
	}
	srv, err := served.Start(l.opts)
	if err != nil {
		return nil, 0, err
	}
	ready, err := srv.Ready(60 * time.Second)
	if err != nil {
		srv.Kill()
		return nil, 0, err
	}
	return srv, ready, nil
}

func run(ctx context.Context) error {
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	l := &loop{run: uint32(*seed), rng: rand.New(rand.NewPCG(*seed, 3)), data: filepath.Join(*dir, "data"),
		logPath: filepath.Join(*dir, "server.log"), byN: map[int]*post{}, byID: map[int64]*post{}}
	l.admin = served.Token("admin")
	l.users = []string{served.Token("user"), served.Token("user")}
	tokens := fmt.Sprintf("%s=admin:admin,%s=user1,%s=user2", l.admin, l.users[0], l.users[1])
	args := []string{"--max-attempts", strconv.Itoa(*maxAttempts)}
	if *serverArgs != "" {
		args = append(args, strings.Fields(*serverArgs)...)
	}
	l.opts = served.Options{Bin: *folioBin, Data: l.data, Tokens: tokens, Log: l.logPath,
		PidFile: filepath.Join(*dir, "server.pid"), Args: args}
	fmt.Printf("== crash loop: %d rounds of kill -9 of folio serve on one data directory; big document %d rows; max-attempts %d; seed %d; load average %s\n",
		*rounds, *bigRows, *maxAttempts, *seed, loadavg())

	// Round 0: how long a round's uploads and renders take.
	srv, ready, err := l.start(0)
	if err != nil {
		return err
	}
	c := served.NewClient(srv.Base, 60*time.Second)
	t0 := time.Now()
	ps, wait := l.postRound(ctx, c, 0)
	wait()
	upload := time.Since(t0)
	var ids []int64
	for _, p := range ps {
		if p.id == 0 {
			srv.Kill()
			return fmt.Errorf("round 0: upload of job %d (%s): %s", p.n, p.class.name, p.err)
		}
		ids = append(ids, p.id)
	}
	if left, err := l.waitFinal(ctx, c, ids, 5*time.Minute); err != nil || len(left) > 0 {
		srv.Kill()
		return fmt.Errorf("round 0: jobs not final after 5 min: %v %v", left, err)
	}
	work := time.Since(t0)
	if err := srv.Stop(60 * time.Second); err != nil {
		return fmt.Errorf("round 0: %w", err)
	}
	fmt.Printf("round 0 (no kill): ready in %s; uploads answered in %s, every render done in %s\n",
		ready.Round(time.Millisecond), upload.Round(time.Millisecond), work.Round(time.Millisecond))

	var readies, recoveries []time.Duration
	kills := map[string]int{}
	var failures []string
	var left []*jobs.Job // unfinished at the last kill
	for round := 1; round <= *rounds && ctx.Err() == nil; round++ {
		srv, ready, err := l.start(round)
		if err != nil {
			return fmt.Errorf("round %d: %w", round, err)
		}
		readies = append(readies, ready)
		c := served.NewClient(srv.Base, 60*time.Second)
		what := ""
		var rec time.Duration
		waitPosts := func() {}
		if len(left) > 0 && l.rng.Float64() < *inRecovery {
			// Kill it while it resumes what the last kill left.
			est := work
			if len(recoveries) > 0 {
				est = served.Quantile(recoveries, 0.5)
			}
			time.Sleep(time.Duration(l.rng.Float64() * float64(est)))
			what = "recovery"
		} else {
			if len(left) > 0 {
				var ids []int64
				for _, j := range left {
					ids = append(ids, j.ID)
				}
				still, err := l.waitFinal(ctx, c, ids, 5*time.Minute)
				if err != nil {
					srv.Kill()
					return err
				}
				rec = time.Since(srv.Started)
				recoveries = append(recoveries, rec)
				if len(still) > 0 {
					failures = append(failures, fmt.Sprintf("round %d: %d jobs still unfinished 5 min after the restart: %v", round, len(still), still))
				}
			}
			// Kill during the uploads or during the renders.
			t := time.Duration(l.rng.Float64() * float64(work))
			what = "renders"
			if l.rng.IntN(4) == 0 {
				t = time.Duration(l.rng.Float64() * float64(upload))
				what = "uploads"
			}
			_, waitPosts = l.postRound(ctx, c, round)
			time.Sleep(t)
		}
		srv.Kill()
		waitPosts() // the uploads under way fail with the server gone
		kills[what]++
		left, err = l.unfinishedInDB(ctx)
		if err != nil {
			return fmt.Errorf("round %d: reading the database after the kill: %w", round, err)
		}
		processing := 0
		l.mu.Lock()
		for _, j := range left {
			p := l.byID[j.ID]
			if p == nil {
				if n, ok := served.ParseRequestID(l.run, j.RequestID); ok {
					p = l.byN[n]
				}
			}
			if j.Status == jobs.StatusProcessing {
				processing++
				if p != nil {
					p.killed++
				}
			}
			for _, n := range j.Tries {
				if p != nil {
					p.maxTry = max(p.maxTry, n)
				}
			}
		}
		l.mu.Unlock()
		recText := "-"
		if rec > 0 {
			recText = rec.Round(time.Millisecond).String()
		}
		fmt.Printf("round %2d: ready %s, recovered %s, killed during %s; left unfinished: %d (%d processing)\n",
			round, ready.Round(time.Millisecond), recText, what, len(left), processing)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	// The last start: everything must end.
	srv, ready, err = l.start(*rounds + 1)
	if err != nil {
		return fmt.Errorf("last start: %w", err)
	}
	c = served.NewClient(srv.Base, 60*time.Second)
	t1 := time.Now()
	var still []served.Entry
	var list map[int64]served.Entry
	for {
		list, err = c.Jobs(ctx, l.admin)
		if err != nil {
			srv.Kill()
			return err
		}
		still = still[:0]
		for _, e := range list {
			if !served.Final(e.Status) {
				still = append(still, e)
			}
		}
		if len(still) == 0 || time.Since(t1) > 5*time.Minute {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	drained := time.Since(t1)
	for _, e := range still {
		failures = append(failures, fmt.Sprintf("job %d (%s) still %s at %.0f%% 5 min after the last start: %s",
			e.ID, e.RequestID, e.Status, e.Percent*100, e.Summary))
	}
	tmpRunning := countTemp(l.data)

	// Download every artifact of every complete job.
	type art struct {
		p      *post
		format string
		sum    string
	}
	var arts []art
	statuses := map[string]int{}
	var poison []string // jobs that failed to process
	for _, e := range list {
		n, ok := served.ParseRequestID(l.run, e.RequestID)
		p := l.byN[n]
		if !ok || p == nil {
			failures = append(failures, fmt.Sprintf("job %d: request_id %s is not one this loop posted", e.ID, e.RequestID))
			continue
		}
		answered := "202"
		switch {
		case p.id == 0:
			answered = "no 202"
		case p.id != e.ID:
			failures = append(failures, fmt.Sprintf("job %d: the 202 for its document said id %d", e.ID, p.id))
		}
		statuses[answered+" → "+e.Status]++
		switch e.Status {
		case "complete":
			for _, f := range e.Formats {
				code, b, _, err := c.Do(ctx, "GET", fmt.Sprintf("/jobs/%d/content?format=%s", e.ID, f), l.admin, nil)
				if err != nil || code != 200 {
					failures = append(failures, fmt.Sprintf("job %d %s: download %d %v %.200s", e.ID, f, code, err, b))
					continue
				}
				arts = append(arts, art{p, f, served.SHA256(b)})
			}
			if !slices.Equal(e.Formats, p.class.formats) && !(len(e.Formats) == 0 && len(p.class.formats) == 0) {
				failures = append(failures, fmt.Sprintf("job %d: formats %v, posted %v", e.ID, e.Formats, p.class.formats))
			}
		case "fail_to_process":
			poison = append(poison, fmt.Sprintf("job %d (%s, round %d, killed %d times while processing, most tries of a format %d): %s",
				e.ID, p.class.name, p.round, p.killed, p.maxTry, e.Summary))
			if p.maxTry < *maxAttempts || !strings.Contains(e.Summary, "crashed the renderer") {
				failures = append(failures, fmt.Sprintf("job %d (%s, round %d, killed %d times while processing, most tries %d): fail_to_process: %s",
					e.ID, p.class.name, p.round, p.killed, p.maxTry, e.Summary))
			}
		case "fail_to_receive":
			if p.id != 0 {
				failures = append(failures, fmt.Sprintf("job %d (%s, round %d): answered 202 but fail_to_receive: %s", e.ID, p.class.name, p.round, e.Summary))
			}
		case "canceled":
			failures = append(failures, fmt.Sprintf("job %d: canceled, and nobody canceled it", e.ID))
		}
	}
	for _, p := range l.posts {
		if p.id != 0 {
			if _, ok := list[p.id]; !ok {
				failures = append(failures, fmt.Sprintf("job %d (%s, round %d): answered 202, then gone from GET /jobs", p.id, p.class.name, p.round))
			}
		}
	}
	stopErr := srv.Stop(60 * time.Second)
	if stopErr != nil {
		failures = append(failures, "last stop: "+stopErr.Error())
	}
	tmpStopped := countTemp(l.data)
	if tmpRunning != 0 || tmpStopped != 0 {
		failures = append(failures, fmt.Sprintf("blobs/.tmp: %d files after the last start and drain, %d after the stop", tmpRunning, tmpStopped))
	}
	integrity, ierr := integrityCheck(ctx, filepath.Join(l.data, "folio.db"))
	if ierr != nil {
		failures = append(failures, "integrity check: "+ierr.Error())
	}

	// Fresh renders.
	var fmu sync.Mutex
	work2 := make(chan art)
	var wg sync.WaitGroup
	mismatches := 0
	for range 2 {
		wg.Go(func() {
			for a := range work2 {
				want, err := served.FreshSHA256(ctx, *folioBin, a.format, bytes.NewReader(l.doc(a.p)))
				fmu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				} else if want != a.sum {
					mismatches++
					failures = append(failures, fmt.Sprintf("job %d (%s, %d rows) %s: SHA-256 %s, fresh render %s",
						a.p.id, a.p.class.name, a.p.rows, a.format, a.sum, want))
				}
				fmu.Unlock()
			}
		})
	}
	for _, a := range arts {
		work2 <- a
	}
	close(work2)
	wg.Wait()

	logSum, lerr := served.ReadLog(l.logPath)
	if lerr != nil {
		return lerr
	}
	if len(logSum.Panics) > 0 {
		failures = append(failures, "a panic in the server's log")
	}
	if n := logSum.Status5xx[500]; n > 0 {
		failures = append(failures, fmt.Sprintf("%d answers 500 in the server's log", n))
	}

	// Figures.
	answered, unanswered := 0, 0
	for _, p := range l.posts {
		if p.id != 0 {
			answered++
		} else {
			unanswered++
		}
	}
	fmt.Printf("\n== %d rounds, %d kills (%d during uploads, %d during renders, %d during recovery)\n", *rounds,
		kills["uploads"]+kills["renders"]+kills["recovery"], kills["uploads"], kills["renders"], kills["recovery"])
	fmt.Printf("jobs posted: %d; answered 202: %d; no answer (killed during the upload): %d; in GET /jobs at the end: %d\n",
		len(l.posts), answered, unanswered, len(list))
	fmt.Printf("final statuses: %s\n", describe(statuses))
	killedOnce := 0
	for _, p := range l.posts {
		if p.killed > 0 {
			killedOnce++
		}
	}
	fmt.Printf("jobs killed while processing at least once: %d\n", killedOnce)
	for _, p := range poison {
		fmt.Println("failed to process (the poison rule when its tries reached --max-attempts):", p)
	}
	fmt.Printf("time to ready after a restart (exec to /healthz 200), %d restarts: median %s, max %s\n", len(readies),
		served.Quantile(readies, 0.5).Round(time.Millisecond), served.Quantile(readies, 1).Round(time.Millisecond))
	fmt.Printf("time to recover after a restart (exec to every job the kill left unfinished final), %d restarts: median %s, max %s\n",
		len(recoveries), served.Quantile(recoveries, 0.5).Round(time.Millisecond), served.Quantile(recoveries, 1).Round(time.Millisecond))
	fmt.Printf("last start: ready in %s, every job final %s later\n", ready.Round(time.Millisecond), drained.Round(time.Millisecond))
	fmt.Printf("artifacts compared with a fresh folio convert: %d, mismatches: %d\n", len(arts), mismatches)
	fmt.Printf("integrity_check: %s; blobs/.tmp: %d files after the last start and drain, %d after the clean stop\n", integrity, tmpRunning, tmpStopped)
	logSum.Print(os.Stdout)
	fmt.Printf("load average: %s\n", loadavg())
	if len(failures) > 0 {
		fmt.Printf("%d failures:\n", len(failures))
		for _, f := range failures {
			fmt.Println("  ", f)
		}
		return errors.New("see the failures above")
	}
	fmt.Println("PASS: every job final, none unfinished, every artifact identical to a fresh render, the database intact, no temp file left")
	return nil
}

func describe(m map[string]int) string {
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s: %d", k, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func countTemp(data string) int {
	ents, err := os.ReadDir(filepath.Join(data, "blobs", ".tmp"))
	if err != nil {
		return -1
	}
	return len(ents)
}

// integrityCheck runs PRAGMA integrity_check with the sqlite3 command if
// there is one, else through folio's store.
func integrityCheck(ctx context.Context, db string) (string, error) {
	if path, err := exec.LookPath("sqlite3"); err == nil {
		out, err := exec.CommandContext(ctx, path, db, "PRAGMA integrity_check;").CombinedOutput()
		res := strings.TrimSpace(string(out))
		if err != nil || res != "ok" {
			return res, fmt.Errorf("sqlite3: %v: %s", err, res)
		}
		return "ok (sqlite3 CLI)", nil
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return "", err
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		return "", err
	}
	return "ok (jobs/sqlite)", nil
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
