// Package served is what folio's server benchmarks share (bench/overload
// and bench/crashloop): a real `folio serve` process on loopback that can
// be killed and restarted, a client of its API, generated documents, and
// fresh renders of them with `folio convert` to compare downloads with.
// It works on Linux only: memory is read from /proc.
package served

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Formats are the formats folio registers, in the order the benchmarks
// use them.
var Formats = []string{"csv", "json", "md", "html", "xlsx", "pdf"}

var words = []string{"Straße", "Ωμέγα", "Москва", "東京", "Workpack A", "GVI", "naïve café", "Überprüfung", "Ελλάδα", "Test Asset"}

// WriteDoc writes a valid report document to w: a table of rows rows and
// 8 columns of mixed cells (non-ASCII strings, integers, decimals,
// negatives, booleans, nulls) drawn from seed, then a paragraph. The same
// arguments give the same bytes.
func WriteDoc(w io.Writer, seed uint64, rows int, title string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, `{"title":%q,"elements":[{"type":"table","caption":"Data","data":{"columns":[`, title)
	for c := range 8 {
		if c > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `{"caption":"Column %d"}`, c+1)
	}
	bw.WriteString(`],"rows":[`)
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	for i := range rows {
		if i > 0 {
			bw.WriteString(",\n")
		}
		fmt.Fprintf(bw, `{"sourceKey":%d,"cells":[{"value":%q},{"value":%d},{"value":%.2f},{"value":%t},{"value":null},{"value":%q},{"value":-%d},{"value":"row %d"}]}`,
			i+1, words[r.IntN(len(words))], r.IntN(1e6), r.Float64()*1e4, r.IntN(2) == 0, words[r.IntN(len(words))], r.IntN(1000), i)
	}
	fmt.Fprintf(bw, `]}},{"type":"paragraph","data":{"text":[{"value":"End of %s."}]}}]}`, title)
	bw.WriteByte('\n')
	return bw.Flush()
}

// Doc returns what WriteDoc writes.
func Doc(seed uint64, rows int, title string) []byte {
	var b bytes.Buffer
	WriteDoc(&b, seed, rows, title)
	return b.Bytes()
}

// RequestID returns a UUID (version 4 layout) that encodes run and n, so a
// benchmark can tell from a job's request_id which of its documents the
// job holds (see ParseRequestID).
func RequestID(run uint32, n int) string {
	var b [16]byte
	binary.BigEndian.PutUint32(b[0:4], run)
	binary.BigEndian.PutUint64(b[8:16], uint64(n))
	b[6] = 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ParseRequestID returns the n of a request ID made by RequestID(run, n).
func ParseRequestID(run uint32, id string) (int, bool) {
	h, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if err != nil || len(h) != 16 || binary.BigEndian.Uint32(h[0:4]) != run {
		return 0, false
	}
	h[8] &= 0x3f
	return int(binary.BigEndian.Uint64(h[8:16])), true
}

// Token returns a random bearer token.
func Token(prefix string) string {
	var b [12]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return prefix + "-" + hex.EncodeToString(b[:])
}

// Options says how to start a server.
type Options struct {
	Bin     string   // the folio binary
	Data    string   // --data
	Tokens  string   // FOLIO_TOKENS
	Log     string   // the file the server's log is appended to
	PidFile string   // if set, the server's PID is written there (for a shell trap)
	Args    []string // more flags of folio serve
	Env     []string // more environment variables
}

// A Server is a running `folio serve` on a loopback port.
type Server struct {
	Base    string    // http://127.0.0.1:PORT
	Started time.Time // when the process was started
	cmd     *exec.Cmd
	log     *os.File
	exited  chan struct{}
	err     error // the process's exit, once exited is closed
}

// Start starts a server. It does not wait for it to be ready (see Ready).
// The server gets SIGKILL if this process dies.
func Start(o Options) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(o.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--addr", addr, "--data", o.Data, "--log-format", "json"}, o.Args...)
	cmd := exec.Command(o.Bin, args...)
	cmd.Env = append(append(os.Environ(), "FOLIO_TOKENS="+o.Tokens), o.Env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	s := &Server{Base: "http://" + addr, cmd: cmd, log: logf, exited: make(chan struct{})}
	s.Started = time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	if o.PidFile != "" {
		os.WriteFile(o.PidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
	}
	go func() {
		s.err = cmd.Wait()
		logf.Close()
		if o.PidFile != "" {
			os.Remove(o.PidFile)
		}
		close(s.exited)
	}()
	return s, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Pid returns the server's process ID.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Exited is closed when the process has ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Ready waits until GET /healthz answers 200 and returns the time since
// the process was started.
func (s *Server) Ready(timeout time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	c := http.Client{Timeout: time.Second}
	for {
		res, err := c.Get(s.Base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return time.Since(s.Started), nil
			}
		}
		select {
		case <-s.exited:
			return 0, fmt.Errorf("the server exited before it was ready: %v", s.err)
		default:
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the server was not ready after %s", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Kill sends SIGKILL and waits for the process to end.
func (s *Server) Kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// Stop sends SIGINT and waits at most timeout for the process to end
// (then kills it). It returns an error unless the process exited with 0.
func (s *Server) Stop(timeout time.Duration) error {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(timeout):
		s.Kill()
		return fmt.Errorf("the server did not stop within %s of SIGINT: killed", timeout)
	}
	if s.err != nil {
		return fmt.Errorf("the server's exit: %v", s.err)
	}
	return nil
}

// Memory returns the current resident set size and its peak (VmRSS and
// VmHWM) of process pid, in bytes.
func Memory(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak, nil
}

// ResetPeak resets the peak resident set size of process pid, so that a
// phase can measure its own.
func ResetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// MB formats a byte count in megabytes.
func MB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// A Client calls a server's API.
type Client struct {
	Base string
	HTTP *http.Client
}

// NewClient returns a client of the server at base.
func NewClient(base string, timeout time.Duration) *Client {
	return &Client{Base: base, HTTP: &http.Client{Timeout: timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// Do sends a request with token's authorization and returns the status
// and body.
func (c *Client) Do(ctx context.Context, method, path, token string, body io.Reader) (int, []byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header, err
}

// An Entry is the part of a job entry the benchmarks read.
type Entry struct {
	ID        int64    `json:"id"`
	RequestID string   `json:"request_id"`
	Status    string   `json:"status"`
	CreatedBy string   `json:"created_by"`
	Summary   string   `json:"summary"`
	Formats   []string `json:"formats"`
	Percent   float64  `json:"percent_completed"`
}

// Final reports whether status is a final job status.
func Final(status string) bool {
	return slices.Contains([]string{"fail_to_receive", "fail_to_process", "canceled", "complete"}, status)
}

// Jobs lists every job token may see (an administrator's: all), by ID.
func (c *Client) Jobs(ctx context.Context, token string) (map[int64]Entry, error) {
	all := map[int64]Entry{}
	for page := 1; ; page++ {
		code, b, _, err := c.Do(ctx, "GET", fmt.Sprintf("/jobs?per_page=1000&page=%d", page), token, nil)
		if err != nil {
			return nil, err
		}
		if code != 200 {
			return nil, fmt.Errorf("GET /jobs: %d %s", code, b)
		}
		var p struct {
			TotalPages int     `json:"total_pages"`
			Entries    []Entry `json:"entries"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("GET /jobs: %w", err)
		}
		for _, e := range p.Entries {
			all[e.ID] = e
		}
		if page >= p.TotalPages {
			return all, nil
		}
	}
}

// FreshSHA256 renders doc in format with `bin convert` and returns the
// SHA-256 of the output, lowercase hex.
func FreshSHA256(ctx context.Context, bin, format string, doc io.Reader) (string, error) {
	cmd := exec.CommandContext(ctx, bin, "convert", "--quiet", "--format", format)
	cmd.Stdin = doc
	h := sha256.New()
	cmd.Stdout = h
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("folio convert --format %s: %v: %s", format, err, strings.TrimSpace(stderr.String()))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SHA256 returns the SHA-256 of b, lowercase hex.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// A Hist counts answers by status code (0: no answer).
type Hist map[int]int

// String lists the counts by code: "200×12 202×3".
func (h Hist) String() string {
	var codes []int
	for c := range h {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		name := strconv.Itoa(c)
		if c == 0 {
			name = "no-answer"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, h[c]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// A LogSummary is what a server's JSON log says about trouble.
type LogSummary struct {
	Lines      int
	Panics     []string       // lines that speak of a panic or a fatal runtime error
	Status5xx  Hist           // access log lines (msg "request") with a 5xx status
	Errors     map[string]int // ERROR lines by message (and status, for request failures)
	Warnings   map[string]int // WARN lines by message
	Samples500 []string       // the first access log lines with status 500, and the errors logged with them
	Other      []string       // lines that are not JSON (other than panics)
}

// ReadLog summarizes the log file at path.
func ReadLog(path string) (LogSummary, error) {
	s := LogSummary{Status5xx: Hist{}, Errors: map[string]int{}, Warnings: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		s.Lines++
		low := strings.ToLower(line)
		if strings.Contains(low, "panic") || strings.Contains(line, "fatal error:") || strings.HasPrefix(line, "goroutine ") {
			if len(s.Panics) < 40 {
				s.Panics = append(s.Panics, clip(line, 400))
			}
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			if len(s.Other) < 10 && strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "=== ") {
				s.Other = append(s.Other, clip(line, 300))
			}
			continue
		}
		msg, _ := m["msg"].(string)
		level, _ := m["level"].(string)
		status, _ := m["status"].(float64)
		if msg == "request" && status >= 500 {
			s.Status5xx[int(status)]++
			if status == 500 && len(s.Samples500) < 10 {
				s.Samples500 = append(s.Samples500, clip(line, 400))
			}
		}
		switch level {
		case "ERROR":
			k := msg
			if status != 0 {
				k += fmt.Sprintf(" (status %d)", int(status))
			}
			if e, ok := m["error"].(string); ok && status == 500 {
				k += ": " + clip(e, 200)
				if len(s.Samples500) < 10 {
					s.Samples500 = append(s.Samples500, clip(line, 400))
				}
			}
			s.Errors[k]++
		case "WARN":
			s.Warnings[msg]++
		}
	}
	return s, sc.Err()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Print writes the summary.
func (s LogSummary) Print(w io.Writer) {
	fmt.Fprintf(w, "server log: %d lines; 5xx answers in the access log: %s; panics: %d\n", s.Lines, s.Status5xx, len(s.Panics))
	for _, kv := range sorted(s.Errors) {
		fmt.Fprintf(w, "  ERROR ×%d  %s\n", kv.n, kv.k)
	}
	for _, kv := range sorted(s.Warnings) {
		fmt.Fprintf(w, "  WARN  ×%d  %s\n", kv.n, kv.k)
	}
	for _, l := range s.Samples500 {
		fmt.Fprintf(w, "  500: %s\n", l)
	}
	for _, l := range s.Panics {
		fmt.Fprintf(w, "  panic: %s\n", l)
	}
	for _, l := range s.Other {
		fmt.Fprintf(w, "  not JSON: %s\n", l)
	}
}

type kv struct {
	k string
	n int
}

func sorted(m map[string]int) []kv {
	var out []kv
	for k, n := range m {
		out = append(out, kv{k, n})
	}
	slices.SortFunc(out, func(a, b kv) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.k, b.k)
	})
	return out
}

// Quantile returns the q-quantile (0 to 1) of ds, nearest rank; 0 for none.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// ErrFloor is returned by a benchmark whose floor was missed.
var ErrFloor = errors.New("the floor was missed")

// CPUTime returns the user and system CPU time process pid has used.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command may hold spaces: fields are counted after its ')'.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100, nil // USER_HZ is 100 on Linux
}

// HandlerTimes returns the durations the access log records (the time
// the handler took, as the server measured it) for requests to path that
// ended between from and to.
func HandlerTimes(logPath, path string, from, to time.Time) ([]time.Duration, error) {
	f, err := os.Open(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []time.Duration
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var m struct {
			Time     time.Time `json:"time"`
			Msg      string    `json:"msg"`
			Path     string    `json:"path"`
			Duration int64     `json:"duration"`
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Msg != "request" || m.Path != path {
			continue
		}
		if m.Time.Before(from) || m.Time.After(to) {
			continue
		}
		out = append(out, time.Duration(m.Duration))
	}
	return out, sc.Err()
}
