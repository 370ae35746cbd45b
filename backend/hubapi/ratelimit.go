package hubapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"switchboard/backend/apierr"
)

// limiterSet holds one token bucket per API token. Buckets of tokens idle
// for longer than a refill are dropped, since a full bucket and a fresh
// one behave the same.
type limiterSet struct {
	mu    sync.Mutex
	m     map[int64]*limiterEntry
	rate  float64
	burst int
	sweep time.Time
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// allow takes one request from the token's bucket and sets the
// X-RateLimit-* headers: Limit is the bucket size, Remaining the requests
// left right now, Reset the seconds until the bucket is full again. When
// the bucket is empty it answers RATE_LIMITED with Retry-After.
func (l *limiterSet) allow(w http.ResponseWriter, tokenID int64, now time.Time) error {
	l.mu.Lock()
	e, ok := l.m[tokenID]
	if !ok {
		e = &limiterEntry{lim: rate.NewLimiter(rate.Limit(l.rate), l.burst)}
		l.m[tokenID] = e
	}
	e.seen = now
	refill := time.Duration(float64(l.burst) / l.rate * float64(time.Second))
	if now.Sub(l.sweep) > refill && len(l.m) > 1000 {
		for id, x := range l.m {
			if now.Sub(x.seen) > refill {
				delete(l.m, id)
			}
		}
		l.sweep = now
	}
	l.mu.Unlock()

	allowed := e.lim.AllowN(now, 1)
	tokens := e.lim.TokensAt(now)
	// Set as spelled (not canonicalised to X-Ratelimit-…): header names
	// are case-insensitive, but people grep for the documented spelling.
	h := w.Header()
	h["X-RateLimit-Limit"] = []string{strconv.Itoa(l.burst)}
	h["X-RateLimit-Remaining"] = []string{strconv.Itoa(max(0, int(math.Floor(tokens))))}
	h["X-RateLimit-Reset"] = []string{strconv.Itoa(int(math.Ceil(max(0, float64(l.burst)-tokens) / l.rate)))}
	if allowed {
		return nil
	}
	retry := max(1, int(math.Ceil((1-tokens)/l.rate)))
	return &apierr.Error{Code: apierr.RateLimited, RetryAfter: retry,
		Message: "too many requests for this token: at most " + strconv.Itoa(l.burst) + " at once and " +
			strconv.FormatFloat(l.rate, 'f', -1, 64) + " per second; retry after " + strconv.Itoa(retry) + " s"}
}
