package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus series, registered with
// Config.Metrics.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	renders  *prometheus.HistogramVec
	bytes    *prometheus.CounterVec
}

func newMetrics(s *Server, reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "folio_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status."}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "folio_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"route", "method"}),
		renders: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "folio_render_duration_seconds",
			Help:    "Time to render a format of a job, in the background or on download, by format and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 12)}, []string{"format", "outcome"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "folio_render_output_bytes_total",
			Help: "Bytes of artifacts rendered, by format."}, []string{"format"}),
	}
	pool := s.cfg.Pool
	cs := []prometheus.Collector{m.requests, m.latency, m.renders, m.bytes,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "folio_render_pool_slots", Help: "Slots of the render pool."},
			func() float64 { return float64(pool.Size()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "folio_render_pool_busy", Help: "Slots of the render pool rendering now."},
			func() float64 { return float64(pool.Busy()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "folio_render_pool_waiting", Help: "Renders waiting for a slot of the pool."},
			func() float64 { return float64(pool.Waiting()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "folio_requests_shed_total", Help: "Requests refused for load, by status.",
			ConstLabels: prometheus.Labels{"code": "429"}}, func() float64 { return float64(s.stats.Shed429.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "folio_requests_shed_total", Help: "Requests refused for load, by status.",
			ConstLabels: prometheus.Labels{"code": "503"}}, func() float64 { return float64(s.stats.Shed503.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "folio_requests_shed_total", Help: "Requests refused for load, by status.",
			ConstLabels: prometheus.Labels{"code": "507"}}, func() float64 { return float64(s.stats.Full507.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "folio_renders_abandoned_total",
			Help: "Renders on download stopped because every client waiting for them left."},
			func() float64 { return float64(s.stats.Abandoned.Load()) }),
		&jobsCollector{store: s.cfg.Store, desc: prometheus.NewDesc("folio_jobs", "Jobs in the store, by status.", []string{"status"}, nil)},
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	pool.OnRender(func(format string, d time.Duration, size int64, err error) {
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		m.renders.WithLabelValues(format, outcome).Observe(d.Seconds())
		if err == nil {
			m.bytes.WithLabelValues(format).Add(float64(size))
		}
	})
	return m, nil
}

// observe records one answered request.
func (m *metrics) observe(r *http.Request, status int, d time.Duration) {
	route := r.Pattern
	if route == "" || route == "/" {
		route = "other"
	}
	m.requests.WithLabelValues(route, r.Method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, r.Method).Observe(d.Seconds())
}

// jobsCollector counts jobs by status at each scrape, one count query per
// status.
type jobsCollector struct {
	store jobs.Store
	desc  *prometheus.Desc
}

func (c *jobsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, st := range jobs.Statuses {
		p, err := c.store.List(ctx, jobs.Filter{Status: st, PerPage: 1})
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.desc, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(p.TotalEntries), string(st))
	}
}

// metricsHandler serves GET /metrics, behind token if it is not empty.
func (s *Server) metricsHandler(g prometheus.Gatherer, token string) http.Handler {
	h := promhttp.HandlerFor(g, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				s.writeError(w, r, ErrNoCredentials)
				return
			}
			if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) != 1 {
				s.writeError(w, r, ErrInvalidToken)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
