package hubclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"switchboard/backend/apierr"

	"switchboard/backend/wire"
)

// The stream's frames (wire.Frame), their kinds (wire.FrameHello…) and
// the close codes the hub ends it with (wire.CloseResync…) are package
// wire's, shared with the server. Next surfaces a resync frame as an
// apierr.ResyncRequired error and an error frame as the error it carries.

// StreamOptions tune Stream.
type StreamOptions struct {
	// NoResume makes Next return the disconnection instead of
	// reconnecting from the last seq (tests of the hub's own behaviour).
	NoResume bool
	// IdleTimeout ends a connection that sent nothing, not even a
	// heartbeat, for this long (default 60 s), and resumes.
	IdleTimeout time.Duration
	// Buffer is how many frames are read ahead of Next (default 256).
	// When it is full the hub sees a slow client and disconnects it; the
	// stream then resumes, so nothing is lost either way.
	Buffer int
	// MaxBackoff caps the delay between reconnection attempts (default 5 s).
	MaxBackoff time.Duration
}

// Stream follows the hub's event log: it replays every event after the
// seq it was opened with and then delivers live ones, reconnecting and
// resuming from the last seq Next returned whenever the connection drops
// (network, hub restart, slow-client disconnect). It ends with
// RESYNC_REQUIRED when the hub no longer has the events after that seq:
// load a Snapshot and open a new Stream from its Head.
type Stream struct {
	c    *Client
	opts StreamOptions

	mu     sync.Mutex
	since  int64 // last seq handed out by Next
	conn   *websocket.Conn
	frames chan result
	closed bool
	done   chan struct{}
	// Reconnects counts reconnections (for tests and diagnostics).
	reconnects int
}

type result struct {
	f   wire.Frame
	err error
}

// Stream opens the stream after since (the last seq the caller applied;
// 0 for the whole retained log).
func (c *Client) Stream(ctx context.Context, since int64, opts StreamOptions) (*Stream, error) {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 60 * time.Second
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	s := &Stream{c: c, opts: opts, since: since, done: make(chan struct{})}
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Since is the last seq Next returned (or the one the stream was opened
// with): where a new stream would resume.
func (s *Stream) Since() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.since
}

// Reconnects is how many times the stream has reconnected.
func (s *Stream) Reconnects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reconnects
}

// streamURL is the websocket URL for since.
func (c *Client) streamURL(since int64) (string, error) {
	u, err := url.Parse(strings.TrimRight(c.BaseURL, "/") + "/v1/stream")
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	}
	u.RawQuery = url.Values{"since": {strconv.FormatInt(since, 10)}}.Encode()
	return u.String(), nil
}

func (s *Stream) connect(ctx context.Context) error {
	s.mu.Lock()
	since := s.since
	s.mu.Unlock()
	u, err := s.c.streamURL(since)
	if err != nil {
		return apierr.Wrap(err, apierr.InvalidRequest, "bad hub URL")
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+s.c.Token)
	if s.c.UserAgent != "" {
		h.Set("User-Agent", s.c.UserAgent)
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment}
	conn, resp, err := d.DialContext(ctx, u, h)
	if err != nil {
		if resp != nil {
			defer resp.Body.Close()
			data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			return decodeError(resp, data)
		}
		return Unreachable(err)
	}
	frames := make(chan result, s.opts.Buffer)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return apierr.New(apierr.Unavailable, "the stream is closed")
	}
	s.conn, s.frames = conn, frames
	s.mu.Unlock()
	go s.read(conn, frames)
	return nil
}

// read pumps one connection's frames into frames until it ends, then
// sends the reason and closes frames.
func (s *Stream) read(conn *websocket.Conn, frames chan result) {
	defer close(frames)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(s.opts.IdleTimeout))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			s.push(frames, result{err: err})
			return
		}
		var f wire.Frame
		if err := json.Unmarshal(msg, &f); err != nil {
			s.push(frames, result{err: apierr.Wrap(err, apierr.Internal, "the hub sent a frame that is not JSON")})
			conn.Close()
			return
		}
		if !s.push(frames, result{f: f}) {
			return
		}
	}
}

func (s *Stream) push(frames chan result, r result) bool {
	select {
	case frames <- r:
		return true
	case <-s.done:
		return false
	}
}

// Next returns the next frame. Event, hidden and heartbeat frames advance
// Since. It reconnects by itself (unless NoResume) and returns an error
// only for RESYNC_REQUIRED, a revoked token (UNAUTHORIZED), ctx's end,
// or after Close.
func (s *Stream) Next(ctx context.Context) (wire.Frame, error) {
	backoff := 50 * time.Millisecond
	for {
		s.mu.Lock()
		frames, closed := s.frames, s.closed
		s.mu.Unlock()
		if closed {
			return wire.Frame{}, apierr.New(apierr.Unavailable, "the stream is closed")
		}
		var r result
		var ok bool
		if frames != nil {
			select {
			case r, ok = <-frames:
			case <-ctx.Done():
				return wire.Frame{}, ctx.Err()
			}
		}
		if ok && r.err == nil {
			return s.accept(r.f)
		}
		// The connection ended (or never was): decide whether to resume.
		if err := terminal(r.err); err != nil {
			return wire.Frame{}, err
		}
		if s.opts.NoResume {
			if r.err == nil {
				r.err = errors.New("stream: connection closed")
			}
			return wire.Frame{}, Unreachable(r.err)
		}
		s.mu.Lock()
		if s.conn != nil {
			s.conn.Close()
		}
		s.conn, s.frames = nil, nil
		s.mu.Unlock()
		for {
			select {
			case <-ctx.Done():
				return wire.Frame{}, ctx.Err()
			case <-time.After(backoff):
			}
			err := s.connect(ctx)
			if err == nil {
				s.mu.Lock()
				s.reconnects++
				s.mu.Unlock()
				break
			}
			if t := terminal(err); t != nil || apierr.CodeOf(err) == apierr.Unauthorized || apierr.CodeOf(err) == apierr.Forbidden {
				if t == nil {
					t = err
				}
				return wire.Frame{}, t
			}
			backoff = min(2*backoff, s.opts.MaxBackoff)
		}
	}
}

// accept applies a frame to the cursor and turns resync and error frames
// into errors.
func (s *Stream) accept(f wire.Frame) (wire.Frame, error) {
	switch f.Kind {
	case wire.FrameResync:
		e := apierr.New(apierr.ResyncRequired, "the hub no longer has the events after seq %d: load a snapshot", s.Since())
		if f.Error != nil {
			e.Message = f.Error.Message
		}
		s.Close()
		return f, e
	case wire.FrameError:
		s.Close()
		if f.Error != nil {
			return f, f.Error.Err()
		}
		return f, apierr.New(apierr.Internal, "the hub ended the stream")
	}
	s.mu.Lock()
	switch f.Kind {
	case wire.FrameEvent:
		if f.Event != nil && f.Event.Seq > s.since {
			s.since = f.Event.Seq
		}
	case wire.FrameHidden, wire.FrameHeartbeat, wire.FrameLive:
		if f.Seq > s.since {
			s.since = f.Seq
		}
	}
	s.mu.Unlock()
	return f, nil
}

// terminal is the error a connection's end turns into, or nil when
// resuming is the right answer.
func terminal(err error) error {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return nil
	}
	switch ce.Code {
	case wire.CloseResync:
		return apierr.New(apierr.ResyncRequired, "the hub no longer has the events after the last seq: load a snapshot")
	case wire.CloseRevoked:
		return apierr.New(apierr.Unauthorized, "the token was revoked")
	case wire.CloseBadResume:
		return apierr.New(apierr.InvalidRequest, "the hub refused the resume request")
	}
	return nil
}

// Close ends the stream; Next then fails.
func (s *Stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	if s.conn != nil {
		_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		return s.conn.Close()
	}
	return nil
}
