package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/foliorender/folio/artifact"
	"github.com/foliorender/folio/blob"
	"github.com/foliorender/folio/internal/netlimit"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/runner"
	"github.com/foliorender/folio/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

func init() {
	commands["serve"] = func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return runServe(ctx, args, stdout, stderr)
	}
}

const serveSynopsis = `folio serve [--addr :8080] [--data DIR] [--tokens-file F] [flags]

Serves the job API. Tokens come from --tokens-file (TOKEN=USER[:admin], one
per line, # comments) or else from the FOLIO_TOKENS environment variable
(the same entries separated by commas). Data lives under DIR: the SQLite
database folio.db and the blobs directory of documents and artifacts.`

// byteSize is a flag of a byte count with an optional K, M or G suffix
// (powers of 1024).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	mult := int64(1)
	t := strings.ToUpper(strings.TrimSuffix(strings.ToUpper(s), "B"))
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, t[:len(t)-1]
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, t[:len(t)-1]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("want a positive byte count like 1048576, 512K, 256M or 2G, got %q", s)
	}
	*b = byteSize(n * mult)
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve")
	addr := fs.String("addr", ":8080", "listen `address`")
	data := fs.String("data", "./folio-data", "data `directory` (database and stored files)")
	tokensFile := fs.String("tokens-file", "", "`file` of bearer tokens (else the FOLIO_TOKENS variable)")
	maxBody := byteSize(server.DefaultMaxBodyBytes)
	fs.Var(&maxBody, "max-body", "largest document accepted by POST /jobs (`bytes`, K/M/G suffixes); larger: 413")
	budget := fs.Duration("render-budget", runner.DefaultBudget, "time one job may take to render its formats")
	workers := fs.Int("workers", runner.DefaultWorkers, "renders at once, in the background and on download together")
	maxAttempts := fs.Int("max-attempts", runner.DefaultMaxAttempts, "renders of a format that may kill the server before the format is given up")
	retain := fs.Duration("retain", runner.DefaultRetain, "how long finished jobs are kept (0: forever)")
	queueWait := fs.Duration("queue-wait", server.DefaultQueueWait, "how long a download waits for a free renderer before 503")
	userUploads := fs.Int("user-uploads", server.DefaultUserUploads, "concurrent uploads per user; more: 429")
	userRenders := fs.Int("user-renders", server.DefaultUserRenders, "concurrent downloads that need a render, per user; more: 429")
	maxConns := fs.Int("max-conns", netlimit.DefaultMaxConns, "open connections at most; more are answered 503 at once")
	bodyGrace := fs.Duration("body-grace", netlimit.DefaultGrace, "time an upload may take before --min-body-rate applies")
	minRate := byteSize(netlimit.DefaultMinBytesPerSec)
	fs.Var(&minRate, "min-body-rate", "slowest average upload rate after --body-grace (`bytes` per second, K/M suffixes); slower: 408")
	bodyIdle := fs.Duration("body-idle", netlimit.DefaultReadIdle, "longest wait for the next bytes of an upload; longer: 408")
	writeIdle := fs.Duration("write-idle", netlimit.DefaultWriteIdle, "longest a download may stall (the client reading nothing) before it is cut")
	metricsToken := fs.String("metrics-token", os.Getenv("FOLIO_METRICS_TOKEN"), "bearer `token` GET /metrics requires (default $FOLIO_METRICS_TOKEN; empty: none)")
	minFree := byteSize(defaultMinFree)
	fs.Var(&minFree, "min-free", "free space under --data below which /healthz answers 503 (`bytes`, K/M/G suffixes)")
	shutdown := fs.Duration("shutdown-timeout", 30*time.Second, "time given to requests and renders to finish on SIGINT/SIGTERM")
	logFormat := fs.String("log-format", "json", "log `format`: json or text")
	pos, code, ok := parse(fs, serveSynopsis, args, stdout, stderr)
	if !ok {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "folio serve: "+format+"\n", a...)
		return exitUsage
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	if *workers < 1 || *budget <= 0 || *shutdown <= 0 || *maxAttempts < 1 || *queueWait <= 0 || *userUploads < 1 || *userRenders < 1 {
		return usageErr("--workers, --render-budget, --shutdown-timeout, --max-attempts, --queue-wait, --user-uploads and --user-renders must be positive")
	}
	if *maxConns < 1 || *bodyGrace <= 0 || *bodyIdle <= 0 || *writeIdle <= 0 {
		return usageErr("--max-conns, --body-grace, --body-idle and --write-idle must be positive")
	}
	if *retain < 0 {
		return usageErr("--retain must be 0 (forever) or positive")
	}
	keep := *retain
	if keep == 0 {
		keep = -1 // forever
	}
	var handler slog.Handler
	switch *logFormat {
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	default:
		return usageErr("--log-format must be json or text")
	}
	log := slog.New(handler)

	var tokens *server.Tokens
	var err error
	switch {
	case *tokensFile != "":
		f, ferr := os.Open(*tokensFile)
		if ferr != nil {
			return usageErr("%v", ferr)
		}
		tokens, err = server.ParseTokens(f)
		f.Close()
	case os.Getenv("FOLIO_TOKENS") != "":
		tokens, err = server.ParseTokens(strings.NewReader(os.Getenv("FOLIO_TOKENS")))
	default:
		return usageErr("no tokens: set FOLIO_TOKENS=TOKEN=USER[:admin],... or give --tokens-file")
	}
	if err != nil {
		return usageErr("%v", err)
	}
	if tokens.Len() == 0 {
		return usageErr("no tokens configured")
	}

	fail := func(err error) int {
		log.Error("folio serve failed", "error", err)
		return exitInvalid
	}
	if err := os.MkdirAll(*data, 0o750); err != nil {
		return fail(err)
	}
	unlock, err := lockDir(filepath.Join(*data, "folio.lock"))
	if err != nil {
		return fail(fmt.Errorf("%s is in use by another folio serve: %w", *data, err))
	}
	defer unlock()
	store, err := sqlite.Open(ctx, filepath.Join(*data, "folio.db"))
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	blobs, err := blob.NewDir(filepath.Join(*data, "blobs"))
	if err != nil {
		return fail(err)
	}
	pool := artifact.NewPool(*workers)
	run, err := runner.New(ctx, runner.Config[*sql.Tx]{Store: store, Driver: riversqlite.New(store.DB()), Blobs: blobs,
		Pool: pool, Exclusive: true, Budget: *budget, Workers: *workers, MaxAttempts: *maxAttempts, Retain: keep, Logger: log})
	if err != nil {
		return fail(err)
	}
	dataDir := *data
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	stats := run.Stats()
	for name, v := range map[string]*atomic.Int64{
		"folio_retention_deleted_jobs_total":  &stats.Deleted,
		"folio_retention_deleted_blobs_total": &stats.Orphans,
		"folio_jobs_resumed_total":            &stats.Resumed,
		"folio_jobs_given_up_total":           &stats.GaveUp,
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: metricHelp[name]},
			func() float64 { return float64(v.Load()) }))
	}
	h, err := server.New(server.Config{Metrics: reg, MetricsToken: *metricsToken, Store: store, Blobs: blobs, Auth: tokens, MaxBodyBytes: int64(maxBody),
		RenderTimeout: *budget, Logger: log, Pool: pool, QueueWait: *queueWait, MaxAttempts: *maxAttempts,
		UserUploads: *userUploads, UserRenders: *userRenders,
		Ready: func(ctx context.Context) error {
			if err := store.Ping(ctx); err != nil {
				return fmt.Errorf("the database cannot write: %w", err)
			}
			if free, err := freeBytes(dataDir); err == nil && free < int64(minFree) {
				return fmt.Errorf("%d bytes free under the data directory, below --min-free %d", free, int64(minFree))
			}
			return nil
		}})
	if err != nil {
		return fail(err)
	}
	tcp, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(err)
	}
	ln := netlimit.NewListener(tcp, *maxConns)
	ln.RetryAfter = server.DefaultRetryAfter
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "folio_connections_refused_total",
		Help: "Connections answered 503 at once because --max-conns were open."}, func() float64 { return float64(ln.Refused()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "folio_connections_open", Help: "Open connections."},
			func() float64 { return float64(ln.Conns()) }))
	if err := run.Start(ctx); err != nil {
		ln.Close()
		return fail(err)
	}
	rate := netlimit.Rate{Grace: *bodyGrace, MinBytesPerSec: int64(minRate), Idle: *bodyIdle}
	srv := &http.Server{
		// No ReadTimeout or WriteTimeout: they would cut long uploads and
		// downloads; the body rate and the write idle limit cut slow ones.
		Handler:           netlimit.IdleWrites(netlimit.MinRateReads(h, rate), *writeIdle),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	log.Info("listening", "addr", ln.Addr().String(), "data", *data, "tokens", tokens.Len(),
		"max_body", int64(maxBody), "render_budget", budget.String(), "workers", *workers, "retain", retain.String(),
		"max_conns", *maxConns, "min_body_rate", int64(minRate))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	status := exitOK
	select {
	case <-ctx.Done():
		log.Info("shutting down", "timeout", shutdown.String())
	case err := <-serveErr:
		log.Error("server stopped", "error", err)
		status = exitInvalid
	}
	sctx, cancel := context.WithTimeout(context.Background(), *shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("requests still running at the shutdown timeout", "error", err)
		srv.Close()
	}
	if err := run.Stop(sctx); err != nil {
		log.Warn("stopping the renderers", "error", err)
	}
	log.Info("stopped")
	return status
}

// defaultMinFree is --min-free's default.
const defaultMinFree = 256 << 20

// metricHelp is the help text of the runner's counters in /metrics.
var metricHelp = map[string]string{
	"folio_retention_deleted_jobs_total":  "Finished jobs deleted past --retain, with their files.",
	"folio_retention_deleted_blobs_total": "Blobs deleted that no job named (left by a crash).",
	"folio_jobs_resumed_total":            "Jobs queued again after their render stopped (a restart, a dead node).",
	"folio_jobs_given_up_total":           "Jobs failed because the queue gave them up.",
}
