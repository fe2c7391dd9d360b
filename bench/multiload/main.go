// Command multiload measures three `folio serve` sharing one PostgreSQL
// and one S3 bucket against one embedded `folio serve` (SQLite and files),
// in the same run, for bench/multinode-load.sh:
//
//	multiload -folio BIN -dir DIR [-rate 1000] [-duration 20s] [-rows 100000] [-n 50] [-rounds 3]
//
// It starts a private PostgreSQL (internal/pgtest) and versitygw
// (internal/s3test) on loopback, the three servers on them (--database,
// --blobs s3://…, --node n1…n3) and the embedded one, posts to each side a
// small document and one of -rows rows rendered ahead as XLSX, then, for
// -rounds rounds, the embedded server first and the cluster second:
//
//  1. jobStatus of the small job at -rate requests/s for -duration (open
//     model, vegeta), spread round-robin over the three servers, or all to
//     the embedded one: p50, p90, p99, max, by server too;
//  2. -n concurrent downloads of the XLSX artifact, spread round-robin over
//     the three servers (read from the bucket), or all from the embedded
//     one (read from its files): the time, and each server's peak RSS
//     during them (VmHWM, reset before the phase).
//
// Every download must have the same SHA-256 on both sides (the same
// document gives the same bytes); it exits 1 otherwise, or on any error.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/foliorender/folio/bench/internal/served"
	"github.com/foliorender/folio/internal/pgtest"
	"github.com/foliorender/folio/internal/s3test"
)

var (
	folioBin = flag.String("folio", "", "the folio binary")
	dir      = flag.String("dir", "", "work directory (logs, data, the gateway's files)")
	rate     = flag.Int("rate", 1000, "jobStatus requests per second")
	duration = flag.Duration("duration", 20*time.Second, "length of each jobStatus phase")
	rows     = flag.Int("rows", 100_000, "rows of the document downloaded as XLSX")
	nDown    = flag.Int("n", 50, "concurrent downloads")
	rounds   = flag.Int("rounds", 3, "rounds of both phases on each side")
	workers  = flag.Int("workers", 2, "--workers of every server")
)

func main() {
	flag.Parse()
	if *folioBin == "" || *dir == "" {
		fmt.Fprintln(os.Stderr, "multiload: -folio and -dir are required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "multiload:", err)
		os.Exit(1)
	}
}

// A side is the servers that answer one set of clients: the cluster's
// three, or the embedded one.
type side struct {
	name    string
	servers []*node
	small   int64 // the small job
	big     int64 // the job rendered ahead as XLSX
}

type node struct {
	name string
	srv  *served.Server
	log  string
}

const token = "multiload-token"

func run(ctx context.Context) error {
	began := time.Now()
	dsn, stopPG, err := pgtest.Start()
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer stopPG()
	gwBin, err := s3test.Find()
	if err != nil {
		return err
	}
	root := filepath.Join(*dir, "s3")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return err
	}
	gw, err := s3test.Start(gwBin, root)
	if err != nil {
		return err
	}
	defer gw.Stop()
	fmt.Printf("== PostgreSQL at %s, versitygw %s at %s (%s)\n", strings.SplitN(strings.TrimPrefix(dsn, "postgres://postgres@"), "/", 2)[0],
		s3test.Version(gwBin), gw.Endpoint, time.Since(began).Round(time.Millisecond))

	tokens := token + "=bench:admin"
	start := func(name string, args []string, env []string) (*node, error) {
		nd := &node{name: name, log: filepath.Join(*dir, name+".log")}
		nd.srv, err = served.Start(served.Options{Bin: *folioBin, Data: filepath.Join(*dir, name), Tokens: tokens, Log: nd.log,
			Args: append([]string{"--workers", fmt.Sprint(*workers)}, args...), Env: env})
		return nd, err
	}
	single := &side{name: "embedded"}
	cluster := &side{name: "cluster"}
	nd, err := start("single", nil, nil)
	if err != nil {
		return err
	}
	single.servers = append(single.servers, nd)
	for i := range 3 {
		nd, err := start(fmt.Sprintf("n%d", i+1), []string{"--database", dsn, "--blobs", "s3://" + s3test.Bucket + "/bench", "--node", fmt.Sprintf("n%d", i+1)}, gw.Env())
		if err != nil {
			return err
		}
		cluster.servers = append(cluster.servers, nd)
	}
	all := append(slices.Clone(single.servers), cluster.servers...)
	defer func() {
		for _, nd := range all {
			if err := nd.srv.Stop(30 * time.Second); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", nd.name, err)
			}
		}
		for _, nd := range all {
			if s, err := served.ReadLog(nd.log); err == nil && (len(s.Errors) > 0 || len(s.Panics) > 0 || len(s.Warnings) > 0) {
				fmt.Printf("%s's log:\n", nd.name)
				s.Print(os.Stdout)
			}
		}
	}()
	for _, nd := range all {
		if _, err := nd.srv.Ready(60 * time.Second); err != nil {
			return fmt.Errorf("%s: %w", nd.name, err)
		}
	}
	fmt.Printf("== 4 servers ready (%s since the start), --workers %d each\n", time.Since(began).Round(time.Millisecond), *workers)

	small := served.Doc(1, 20, "Small")
	big := served.Doc(2, *rows, "Big")
	fmt.Printf("== documents: %d rows (%s) for jobStatus, %d rows x 8 columns (%s) rendered ahead as xlsx\n",
		20, served.MB(int64(len(small))), *rows, served.MB(int64(len(big))))
	for _, s := range []*side{single, cluster} {
		t0 := time.Now()
		if s.small, err = post(ctx, s.servers[0], "/jobs", small); err != nil {
			return err
		}
		if s.big, err = post(ctx, s.servers[0], "/jobs?formats=xlsx", big); err != nil {
			return err
		}
		for _, id := range []int64{s.small, s.big} {
			if err := waitComplete(ctx, s.servers[0], id, 10*time.Minute); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
		fmt.Printf("%s: posted, validated and rendered in %s\n", s.name, time.Since(t0).Round(time.Millisecond))
	}

	var sums []string
	for r := range *rounds {
		for _, s := range []*side{single, cluster} {
			if err := ctx.Err(); err != nil {
				return err
			}
			fmt.Printf("== round %d, %s: jobStatus at %d/s for %s over %d server(s) (load average %s)\n",
				r+1, s.name, *rate, *duration, len(s.servers), loadavg())
			if err := status(ctx, s); err != nil {
				return err
			}
			fmt.Printf("== round %d, %s: %d concurrent downloads of the xlsx over %d server(s)\n", r+1, s.name, *nDown, len(s.servers))
			got, err := downloads(ctx, s)
			if err != nil {
				return err
			}
			sums = append(sums, got...)
		}
	}
	for _, h := range sums {
		if h != sums[0] {
			return errors.New("the downloads differ: the same document must give the same bytes on both sides")
		}
	}
	fmt.Printf("== every download (%d) has SHA-256 %s; load average %s; %s in all\n", len(sums), sums[0], loadavg(), time.Since(began).Round(time.Second))
	return nil
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func request(ctx context.Context, nd *node, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, nd.srv.Base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}

func post(ctx context.Context, nd *node, path string, doc []byte) (int64, error) {
	res, err := request(ctx, nd, "POST", path, strings.NewReader(string(doc)))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var e struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil || res.StatusCode != 202 {
		return 0, fmt.Errorf("POST %s to %s: %d %v", path, nd.name, res.StatusCode, err)
	}
	return e.ID, nil
}

func waitComplete(ctx context.Context, nd *node, id int64, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		res, err := request(ctx, nd, "GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", id), nil)
		if err != nil {
			return err
		}
		var st struct {
			Status  int
			Summary string
		}
		json.NewDecoder(res.Body).Decode(&st)
		res.Body.Close()
		switch {
		case st.Status == 4:
			return nil
		case st.Status == 5:
			return fmt.Errorf("job %d failed: %s", id, st.Summary)
		case time.Now().After(deadline):
			return fmt.Errorf("job %d not complete after %s: status %d", id, d, st.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// status runs the jobStatus phase on s: one target per server, which
// vegeta's static targeter takes in turn.
func status(ctx context.Context, s *side) error {
	hdr := http.Header{"Authorization": {"Bearer " + token}}
	var targets []vegeta.Target
	byURL := map[string]*vegeta.Metrics{}
	for _, nd := range s.servers {
		u := fmt.Sprintf("%s/icweb.dll/jobStatus?id=%d", nd.srv.Base, s.small)
		targets = append(targets, vegeta.Target{Method: "GET", URL: u, Header: hdr})
		byURL[u] = &vegeta.Metrics{}
	}
	atk := vegeta.NewAttacker(vegeta.Timeout(5*time.Second), vegeta.KeepAlive(true))
	var m vegeta.Metrics
	res := atk.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: *rate, Per: time.Second}, *duration, s.name)
	for r := range res {
		if ctx.Err() != nil {
			atk.Stop()
		}
		m.Add(r)
		if bm := byURL[r.URL]; bm != nil {
			bm.Add(r)
		}
	}
	m.Close()
	fmt.Printf("  %d requests at %.1f/s, success %.2f%%, status codes %v\n", m.Requests, m.Rate, m.Success*100, m.StatusCodes)
	fmt.Printf("  latency: p50 %s  p90 %s  p99 %s  max %s\n", round(m.Latencies.P50), round(m.Latencies.P90), round(m.Latencies.P99), round(m.Latencies.Max))
	if len(s.servers) > 1 {
		for i, nd := range s.servers {
			bm := byURL[targets[i].URL]
			bm.Close()
			fmt.Printf("    %s: %d requests, p50 %s  p99 %s\n", nd.name, bm.Requests, round(bm.Latencies.P50), round(bm.Latencies.P99))
		}
	}
	if len(m.Errors) > 0 {
		fmt.Printf("  errors: %v\n", m.Errors)
	}
	if m.Success < 1 {
		return fmt.Errorf("%s: jobStatus success %.2f%%", s.name, m.Success*100)
	}
	return ctx.Err()
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}

// downloads runs the download phase on s and returns the SHA-256 of every
// download.
func downloads(ctx context.Context, s *side) ([]string, error) {
	before := make([]int64, len(s.servers))
	for i, nd := range s.servers {
		if err := served.ResetPeak(nd.srv.Pid()); err != nil {
			return nil, err
		}
		before[i], _, _ = served.Memory(nd.srv.Pid())
	}
	n := *nDown
	sums := make([]string, n)
	sizes := make([]int64, n)
	times := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range n {
		nd := s.servers[i%len(s.servers)]
		wg.Go(func() {
			start := time.Now()
			res, err := request(ctx, nd, "GET", fmt.Sprintf("/jobs/%d/content?format=xlsx", s.big), nil)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			h := sha256.New()
			sizes[i], errs[i] = io.Copy(h, res.Body)
			if res.StatusCode != 200 {
				errs[i] = fmt.Errorf("%s: status %d", nd.name, res.StatusCode)
			}
			sums[i], times[i] = hex.EncodeToString(h.Sum(nil)), time.Since(start)
		})
	}
	wg.Wait()
	total := time.Since(t0)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s downloads: %w", s.name, err)
	}
	slices.Sort(times)
	fmt.Printf("  %.1f MB each, all done in %s (fastest %s, median %s, slowest %s), %.0f MB/s in all\n",
		float64(sizes[0])/1e6, total.Round(time.Millisecond), times[0].Round(time.Millisecond), times[n/2].Round(time.Millisecond),
		times[n-1].Round(time.Millisecond), float64(sizes[0])*float64(n)/1e6/total.Seconds())
	for i, nd := range s.servers {
		_, peak, err := served.Memory(nd.srv.Pid())
		if err != nil {
			return nil, err
		}
		fmt.Printf("    %s: peak RSS %s during the downloads (RSS %s before)\n", nd.name, served.MB(peak), served.MB(before[i]))
	}
	return sums, nil
}
