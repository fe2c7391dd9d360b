// Command serveload drives a running `folio serve` for bench/serve-load.sh:
//
//	serveload -base URL -token T setup -doc small.json -big big.json -format csv
//	serveload -base URL -token T status -id N -rate 1000 -duration 20s
//	serveload -base URL -token T download -id N -format csv -n 20
//
// status is an open-model load (vegeta, constant rate: requests are sent on
// schedule whether or not earlier ones have been answered) on jobStatus;
// download runs n concurrent downloads of a job's content.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

var (
	base  = flag.String("base", "http://127.0.0.1:8080", "server URL")
	token = flag.String("token", "", "bearer token")
)

func main() {
	flag.Parse()
	if flag.NArg() < 1 {
		fail(fmt.Errorf("want a command: setup, status or download"))
	}
	args := flag.Args()[1:]
	var err error
	switch flag.Arg(0) {
	case "setup":
		err = setup(args)
	case "status":
		err = status(args)
	case "download":
		err = download(args)
	default:
		err = fmt.Errorf("unknown command %q", flag.Arg(0))
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "serveload:", err)
	os.Exit(1)
}

func request(method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, *base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+*token)
	return http.DefaultClient.Do(req)
}

func post(path, file string) (int64, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	res, err := request("POST", path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var e struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil || res.StatusCode != 202 {
		return 0, fmt.Errorf("POST %s: %d %v", path, res.StatusCode, err)
	}
	return e.ID, nil
}

// setup posts the small document and the big one (rendered ahead in
// format), waits for both to complete and prints their IDs.
func setup(args []string) error {
	fs := flag.NewFlagSet("setup", flag.ExitOnError)
	small := fs.String("doc", "", "small document")
	big := fs.String("big", "", "big document")
	format := fs.String("format", "csv", "format to render the big one in ahead")
	fs.Parse(args)
	a, err := post("/jobs", *small)
	if err != nil {
		return err
	}
	start := time.Now()
	b, err := post("/jobs?formats="+*format, *big)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "posted %s in %s\n", *big, time.Since(start).Round(time.Millisecond))
	for {
		res, err := request("GET", fmt.Sprintf("/icweb.dll/jobStatus?id=%d", b), nil)
		if err != nil {
			return err
		}
		var st struct{ Status int }
		json.NewDecoder(res.Body).Decode(&st)
		res.Body.Close()
		if st.Status == 4 {
			break
		}
		if st.Status == 5 || time.Since(start) > 5*time.Minute {
			return fmt.Errorf("job %d: status %d", b, st.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "job %d posted and rendered as %s in %s\n", b, *format, time.Since(start).Round(time.Millisecond))
	fmt.Println(a, b)
	return nil
}

func status(args []string) error {
	fs := flag.NewFlagSet("status", flag.ExitOnError)
	id := fs.Int64("id", 1, "job ID")
	rate := fs.Int("rate", 1000, "requests per second")
	dur := fs.Duration("duration", 20*time.Second, "duration")
	fs.Parse(args)
	hdr := http.Header{"Authorization": {"Bearer " + *token}}
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: fmt.Sprintf("%s/icweb.dll/jobStatus?id=%d", *base, *id), Header: hdr})
	atk := vegeta.NewAttacker(vegeta.Timeout(5 * time.Second))
	var m vegeta.Metrics
	for res := range atk.Attack(tr, vegeta.Rate{Freq: *rate, Per: time.Second}, *dur, "jobStatus") {
		m.Add(res)
	}
	m.Close()
	fmt.Printf("jobStatus: %d requests at %.1f/s for %s (open model), success %.2f%%, status codes %v\n",
		m.Requests, m.Rate, *dur, m.Success*100, m.StatusCodes)
	fmt.Printf("latency: p50 %s  p90 %s  p95 %s  p99 %s  max %s  mean %s\n",
		m.Latencies.P50, m.Latencies.P90, m.Latencies.P95, m.Latencies.P99, m.Latencies.Max, m.Latencies.Mean)
	if len(m.Errors) > 0 {
		fmt.Printf("errors: %v\n", m.Errors)
	}
	return nil
}

func download(args []string) error {
	fs := flag.NewFlagSet("download", flag.ExitOnError)
	id := fs.Int64("id", 1, "job ID")
	format := fs.String("format", "csv", "format")
	n := fs.Int("n", 20, "concurrent downloads")
	fs.Parse(args)
	var wg sync.WaitGroup
	times := make([]time.Duration, *n)
	sizes := make([]int64, *n)
	errs := make([]error, *n)
	start := time.Now()
	for i := range *n {
		wg.Go(func() {
			t0 := time.Now()
			res, err := request("GET", fmt.Sprintf("/jobs/%d/content?format=%s", *id, *format), nil)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			sizes[i], errs[i] = io.Copy(io.Discard, res.Body)
			if res.StatusCode != 200 {
				errs[i] = fmt.Errorf("status %d", res.StatusCode)
			}
			times[i] = time.Since(t0)
		})
	}
	wg.Wait()
	total := time.Since(start)
	nerr := 0
	var bytes int64
	for i := range *n {
		if errs[i] != nil {
			nerr++
			fmt.Fprintln(os.Stderr, "download:", errs[i])
		}
		bytes += sizes[i]
	}
	sort.Slice(times, func(a, b int) bool { return times[a] < times[b] })
	fmt.Printf("%d concurrent downloads of job %d as %s: %d errors, %.1f MB each, all done in %s (fastest %s, slowest %s), %.0f MB/s\n",
		*n, *id, *format, nerr, float64(sizes[0])/1e6, total.Round(time.Millisecond), times[0].Round(time.Millisecond),
		times[*n-1].Round(time.Millisecond), float64(bytes)/1e6/total.Seconds())
	if nerr > 0 {
		return fmt.Errorf("%d downloads failed", nerr)
	}
	return nil
}
