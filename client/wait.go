package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// Wait polls jobStatus until job id is final and returns its entry. A job
// that completed is returned with a nil error; one that failed or was
// canceled is returned with a *JobError.
//
// Polls are spaced by an exponential backoff with jitter (WithPollInterval:
// 250ms doubling to 5s by default). An answer the server says to retry
// (429, 503 with Retry-After) is waited out for at least its Retry-After;
// those, 502, 504 and lost connections are retried up to WithRetries times
// in a row. Any other error ends Wait, as does ctx: Wait then returns the
// context's error.
func (c *Client) Wait(ctx context.Context, id int64) (*Job, error) {
	failures := 0
	for poll := 0; ; poll++ {
		sj, err := c.Status(ctx, id)
		if err == nil {
			failures = 0
			switch sj.Status {
			case StateCompleted, StateFailed:
				j, err := c.Job(ctx, id)
				if err != nil {
					return nil, err
				}
				if j.Status != StatusComplete {
					return j, &JobError{Job: j}
				}
				return j, nil
			}
			if err := c.sleep(ctx, c.backoff(poll)); err != nil {
				return nil, err
			}
			continue
		}
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		wait, ok := c.retryable(err, failures)
		if !ok {
			return nil, err
		}
		failures++
		if err := c.sleep(ctx, max(wait, c.backoff(failures-1))); err != nil {
			return nil, err
		}
	}
}

// retryable reports whether a call that failed with err, after failures
// failures in a row, may be tried again, and the least time to wait.
func (c *Client) retryable(err error, failures int) (time.Duration, bool) {
	if failures >= c.retries {
		return 0, false
	}
	var e *Error
	if !errors.As(err, &e) {
		return 0, true // no answer: the connection failed
	}
	switch e.Status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInsufficientStorage:
		return e.RetryAfter, e.RetryAfter > 0 || e.Status == http.StatusServiceUnavailable
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return e.RetryAfter, true
	}
	return 0, false
}

// backoff returns the pause before retry n (from 0): pollMin doubled n
// times, at most pollMax, drawn uniformly between half of it and all of
// it so that clients started together spread out.
func (c *Client) backoff(n int) time.Duration {
	d := c.pollMin
	for range min(n, 30) {
		if d >= c.pollMax {
			break
		}
		d *= 2
	}
	d = min(d, c.pollMax)
	return d/2 + rand.N(d/2+1)
}
