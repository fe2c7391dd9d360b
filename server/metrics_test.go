package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foliorender/folio/jobs"
	"github.com/foliorender/folio/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape returns the value of every series in /metrics, by its text form
// ("name{label="v"}").
func scrape(t *testing.T, e *env, token string) map[string]float64 {
	t.Helper()
	r := e.do("GET", "/metrics", token, nil)
	if r.code != 200 {
		t.Fatalf("GET /metrics: %d %s", r.code, r.body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			key := name
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key+"_count"] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// TestMetrics scrapes /metrics before and after jobs run: requests, jobs by
// status, renders and their bytes, and shed requests move.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEnv(t, server.Config{Metrics: reg, MetricsToken: "scrape-secret", UserUploads: 1})
	if r := e.do("GET", "/metrics", "", nil); r.code != 401 {
		t.Errorf("/metrics without the token: %d", r.code)
	}
	if r := e.do("GET", "/metrics", "wrong", nil); r.code != 401 {
		t.Errorf("/metrics with a wrong token: %d", r.code)
	}
	before := scrape(t, e, "scrape-secret")
	if before[`folio_jobs{status="complete"}`] != 0 || before[`folio_render_pool_slots`] != 2 {
		t.Errorf("before: jobs complete %v, pool slots %v", before[`folio_jobs{status="complete"}`], before[`folio_render_pool_slots`])
	}
	n := id(e.post("alice-token", "", seed(t)))
	e.post("alice-token", "", []byte(`{"elements": [{"type": "chart"}]}`))
	if r := e.do("GET", fmt.Sprintf("/jobs/%d/content?format=csv", n), "alice-token", nil); r.code != 200 {
		t.Fatalf("download: %d", r.code)
	}
	// Once the held upload's job is being received, alice's next upload is
	// shed (posting before that could take her one slot from the held one).
	held := holdUpload(t, e.url, "alice-token", seed(t))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		p, err := e.store.List(context.Background(), jobs.Filter{Status: jobs.StatusRequestReceived})
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalEntries == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the held upload is not being received after 10 s; it answered %d", held())
		}
	}
	if r := e.do("POST", "/jobs", "alice-token", strings.NewReader(string(seed(t)))); r.code != 429 {
		t.Errorf("alice's upload while one is held: %d, want 429", r.code)
	}
	held()
	after := scrape(t, e, "scrape-secret")
	for key, want := range map[string]float64{
		`folio_jobs{status="complete"}`:                                                          2,
		`folio_jobs{status="fail_to_receive"}`:                                                   1,
		`folio_render_duration_seconds{format="csv",outcome="ok"}_count`:                         1,
		`folio_requests_shed_total{code="429"}`:                                                  1,
		`folio_http_requests_total{code="202",method="POST",route="POST /jobs"}`:                 before[`folio_http_requests_total{code="202",method="POST",route="POST /jobs"}`] + 3,
		`folio_http_requests_total{code="200",method="GET",route="GET /jobs/{id}/content"}`:      1,
		`folio_http_request_duration_seconds{method="GET",route="GET /jobs/{id}/content"}_count`: 1,
	} {
		if got := after[key]; got < want {
			t.Errorf("%s = %v, want at least %v", key, got, want)
		}
	}
	if after[`folio_render_output_bytes_total{format="csv"}`] <= 0 {
		t.Errorf("no csv bytes counted: %v", after[`folio_render_output_bytes_total{format="csv"}`])
	}
}
