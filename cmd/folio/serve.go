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
	"github.com/foliorender/folio/blob/s3"
	"github.com/foliorender/folio/internal/netlimit"
	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/jobs/postgres"
	"github.com/foliorender/folio/jobs/sqlite"
	"github.com/foliorender/folio/runner"
	"github.com/foliorender/folio/server"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
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
database folio.db and the blobs directory of documents and artifacts.

Several servers share the work with --database postgres://… (or
FOLIO_DATABASE_URL) and --blobs s3://BUCKET/PREFIX (FOLIO_S3_ENDPOINT,
FOLIO_S3_REGION, FOLIO_S3_PATH_STYLE, AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY), or a --data directory they all mount.`

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
	database := fs.String("database", "", "PostgreSQL `URL` (postgres://…) shared by several servers; else FOLIO_DATABASE_URL; neither: SQLite under --data")
	blobsURL := fs.String("blobs", "", "`URL` s3://BUCKET/PREFIX of the documents and artifacts; empty: files under --data")
	s3Endpoint := fs.String("s3-endpoint", "", "S3 server `URL` such as http://127.0.0.1:7070 (else FOLIO_S3_ENDPOINT; neither: Amazon S3)")
	s3Region := fs.String("s3-region", "", "S3 `region` (else FOLIO_S3_REGION)")
	var s3PathStyle optBool
	fs.Var(&s3PathStyle, "s3-path-style", "address the bucket in the URL path, not the host name (else FOLIO_S3_PATH_STYLE)")
	node := fs.String("node", "", "this server's `name` among those sharing --database, unique among the running ones (default hostname-pid)")
	lease := fs.Duration("lease", runner.DefaultLease, "with --database: how long after its last renewal (every lease/3) a server's jobs are taken to be lost and resumed elsewhere")
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
	if *database == "" {
		*database = os.Getenv("FOLIO_DATABASE_URL")
	}
	if *database != "" && !strings.HasPrefix(*database, "postgres://") && !strings.HasPrefix(*database, "postgresql://") {
		return usageErr("--database must be a URL postgres://USER:PASSWORD@HOST:PORT/DATABASE")
	}
	if *blobsURL != "" && !strings.HasPrefix(*blobsURL, "s3://") {
		return usageErr("--blobs must be a URL s3://BUCKET/PREFIX (without it, blobs are files under --data)")
	}
	if *node == "" {
		*node = runner.DefaultNode()
	}
	if !validNode(*node) {
		return usageErr("--node must be 1 to 100 letters, digits and . _ : -, got %q", *node)
	}
	if *lease < time.Second {
		return usageErr("--lease must be at least 1s")
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
	if *database == "" || *blobsURL == "" {
		if err := os.MkdirAll(*data, 0o750); err != nil {
			return fail(err)
		}
	}

	// Blobs: a bucket, or files under --data (shared by the servers of a
	// --database, so none removes another's writes in progress).
	var blobs blob.Store
	var blobsReady func(context.Context) error
	blobsWhere := *blobsURL
	if *blobsURL != "" {
		flagged := map[string]string{"FOLIO_S3_ENDPOINT": *s3Endpoint, "FOLIO_S3_REGION": *s3Region}
		if s3PathStyle.set {
			flagged["FOLIO_S3_PATH_STYLE"] = strconv.FormatBool(s3PathStyle.v)
		}
		bucket, err := s3.FromURL(ctx, *blobsURL, func(k string) string {
			if v := flagged[k]; v != "" {
				return v
			}
			return os.Getenv(k)
		})
		if err != nil {
			return fail(err)
		}
		blobs, blobsReady = bucket, bucket.Ping
	} else {
		dir := filepath.Join(*data, "blobs")
		blobsWhere = dir
		newDir := blob.NewDir
		if *database != "" {
			newDir = blob.NewSharedDir
		}
		d, err := newDir(dir)
		if err != nil {
			return fail(err)
		}
		blobs, blobsReady = d, func(context.Context) error { return nil }
	}

	// Jobs and the queue: PostgreSQL shared with other servers, or SQLite
	// owned by this one (its directory locked).
	pool := artifact.NewPool(*workers)
	var store interface {
		jobs.Store
		Ping(context.Context) error
	}
	var run interface {
		Start(context.Context) error
		Stop(context.Context) error
		Stats() *runner.Stats
	}
	var renderLock server.RenderLock
	dbWhere := filepath.Join(*data, "folio.db")
	if *database != "" {
		pcfg, err := pgxpool.ParseConfig(*database)
		if err != nil {
			return usageErr("--database: %v", err)
		}
		if !strings.Contains(*database, "pool_max_conns") {
			pcfg.MaxConns = int32(poolSize(*workers))
		}
		dbWhere = fmt.Sprintf("postgres %s:%d/%s (pool of %d)", pcfg.ConnConfig.Host, pcfg.ConnConfig.Port, pcfg.ConnConfig.Database, pcfg.MaxConns)
		st, err := postgres.OpenConfig(ctx, pcfg)
		if err != nil {
			return fail(err)
		}
		defer st.Close()
		store, renderLock = st, st
		run, err = runner.New(ctx, runner.Config[pgx.Tx]{Store: st, Driver: riverpgxv5.New(st.Pool()), Blobs: blobs,
			Pool: pool, Node: *node, Leases: st, Locker: st, Lease: *lease, Budget: *budget, Workers: *workers,
			MaxAttempts: *maxAttempts, Retain: keep, Logger: log})
		if err != nil {
			return fail(err)
		}
		if rescue := *budget + time.Minute; *lease*10 > rescue {
			log.Warn("--lease is not an order of magnitude below River's rescue of a crashed render (--render-budget + 1m)",
				"lease", lease.String(), "rescue", rescue.String())
		}
	} else {
		unlock, err := lockDir(filepath.Join(*data, "folio.lock"))
		if err != nil {
			return fail(fmt.Errorf("%s is in use by another folio serve: %w", *data, err))
		}
		defer unlock()
		st, err := sqlite.Open(ctx, dbWhere)
		if err != nil {
			return fail(err)
		}
		defer st.Close()
		store = st
		run, err = runner.New(ctx, runner.Config[*sql.Tx]{Store: st, Driver: riversqlite.New(st.DB()), Blobs: blobs,
			Pool: pool, Node: *node, Exclusive: true, Budget: *budget, Workers: *workers, MaxAttempts: *maxAttempts,
			Retain: keep, Logger: log})
		if err != nil {
			return fail(err)
		}
	}
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
		UserUploads: *userUploads, UserRenders: *userRenders, Node: *node, RenderLock: renderLock,
		Ready: func(ctx context.Context) error {
			if err := store.Ping(ctx); err != nil {
				return fmt.Errorf("the database cannot write: %w", err)
			}
			if err := blobsReady(ctx); err != nil {
				return fmt.Errorf("the blob store: %w", err)
			}
			if *database != "" && *blobsURL != "" {
				return nil // nothing under --data
			}
			if free, err := freeBytes(*data); err == nil && free < int64(minFree) {
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
	// Not ctx: River cancels running renders at once when the context of
	// Start ends; on SIGINT/SIGTERM they get --shutdown-timeout (Stop).
	if err := run.Start(context.WithoutCancel(ctx)); err != nil {
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
	log.Info("listening", "addr", ln.Addr().String(), "node", *node, "database", dbWhere, "blobs", blobsWhere, "tokens", tokens.Len(),
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

// poolSize is the PostgreSQL connections of a server with that many
// workers, unless the URL sets pool_max_conns: each render may hold one
// for its render lock (on download) and use another for its job's
// changes and cancel checks, and 8 serve HTTP requests, River's
// listener, leader election and maintenance, and the lease.
func poolSize(workers int) int { return 2*workers + 8 }

// validNode reports whether name may name a node: 1 to 100 letters,
// digits and . _ : - (River's client ID is at most 100 bytes).
func validNode(name string) bool {
	if len(name) == 0 || len(name) > 100 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._:-", c)) {
			return false
		}
	}
	return true
}

// optBool is a boolean flag that knows whether it was given.
type optBool struct{ v, set bool }

func (b *optBool) String() string   { return strconv.FormatBool(b.v) }
func (b *optBool) IsBoolFlag() bool { return true }
func (b *optBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	b.v, b.set = v, true
	return nil
}
