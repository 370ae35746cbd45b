package hubapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"switchboard/backend/apierr"
)

// bodyKind is how long a route's request body may take to arrive. A body
// that arrives too slowly is answered 408 REQUEST_TIMEOUT (or, when the
// client is not reading either, the connection is closed), so a client
// trickling bytes holds a connection and a handler for seconds, not for
// the server's whole read timeout.
type bodyKind uint8

const (
	// bodyByRate: the body must keep arriving at Config.BodyMinRate on
	// average once Config.BodyGrace has passed. It suits bodies whose size
	// varies by orders of magnitude: a 1 KB JSON request and a 100 MB
	// media upload (Meta's limit) over a slow office uplink alike.
	bodyByRate bodyKind = iota
	// bodyWebhook: Meta's webhook bodies, at most 3 MB from Meta's data
	// centres, must arrive within Config.WebhookBodyTimeout.
	bodyWebhook
)

// errBodyTimeout is what reading a body past its deadline returns.
func errBodyTimeout() error {
	return apierr.New(apierr.RequestTimeout, "the request body arrived too slowly; send it again")
}

// limitBody puts r's body under its route's deadline and returns it (nil
// for bodiless requests, such as GETs and the websocket upgrade, which are
// left alone).
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request, kind bodyKind) *deadlineBody {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	rc := http.NewResponseController(w)
	b := &deadlineBody{ReadCloser: r.Body, rc: rc, start: time.Now()}
	switch kind {
	case bodyWebhook:
		b.fixed = s.cfg.WebhookBodyTimeout
	default:
		b.grace, b.rate = s.cfg.BodyGrace, s.cfg.BodyMinRate
	}
	if err := b.set(b.start.Add(b.fixed + b.grace)); err != nil {
		// A writer without deadlines (tests' recorders) keeps the
		// server's read timeout; nothing else depends on this one.
		return nil
	}
	r.Body = b
	return b
}

// deadlineBody moves the connection's read deadline as a body arrives: a
// fixed one stays where it was set; a rate one moves a second later for
// every rate bytes received. Once the body has been read to its end the
// deadline is cleared, so a slow handler is never cancelled by it (net/http
// cancels the request's context when a read past the body times out).
type deadlineBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	start    time.Time
	fixed    time.Duration
	grace    time.Duration
	rate     int64 // bytes per second; 0 for a fixed deadline
	n        int64
	deadline time.Time
	expired  bool
	done     bool
}

func (b *deadlineBody) set(t time.Time) error {
	b.deadline = t
	return b.rc.SetReadDeadline(t)
}

// Read implements io.Reader.
func (b *deadlineBody) Read(p []byte) (int, error) {
	if b.expired {
		return 0, errBodyTimeout()
	}
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.expired = true
		return n, errBodyTimeout()
	case errors.Is(err, io.EOF) && !b.done:
		b.done = true
		_ = b.set(time.Time{})
	case n > 0 && b.rate > 0:
		// Moving the deadline is a system call: only when it moves by a
		// quarter of a second or more.
		next := b.start.Add(b.grace + time.Duration(b.n*int64(time.Second)/b.rate))
		if next.Sub(b.deadline) >= 250*time.Millisecond {
			_ = b.set(next)
		}
	}
	return n, err
}
