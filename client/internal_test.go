package client

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 23, 17, 20, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":      0,
		"2":     2 * time.Second,
		" 60 ":  time.Minute,
		"-1":    0,
		"soon":  0,
		"99999": 24 * time.Hour, // capped
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", v, got, want)
		}
	}
}

func TestBackoff(t *testing.T) {
	c, err := New("http://x", "t", WithPollInterval(100*time.Millisecond, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for n, ceiling := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		ceiling *= time.Millisecond
		lo, hi := time.Hour, time.Duration(0)
		for range 200 {
			d := c.backoff(n)
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo < ceiling/2 || hi > ceiling || hi-lo < ceiling/10 {
			t.Errorf("backoff(%d) in [%s, %s], want spread over [%s, %s]", n, lo, hi, ceiling/2, ceiling)
		}
	}
	if d := c.backoff(1000); d > time.Second {
		t.Errorf("backoff(1000) = %s", d)
	}
}
