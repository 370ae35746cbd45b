package hubapi

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// The stream's frames, kinds and close codes are package wire's
// (wire.Frame, wire.FrameHello…, wire.CloseResync…), shared with the Go
// client.

type closeReason int

const (
	closeNone closeReason = iota
	closeSlow
	closeRevoked
	closeGoingAway
	closeClientGone
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 4096,
	// The stream is authenticated by a token the page must hold (header
	// or access_token), never by cookies, so a foreign origin gains
	// nothing: any origin may connect.
	CheckOrigin: func(*http.Request) bool { return true },
}

// streamConn is one websocket client.
type streamConn struct {
	s  *Server
	p  *Principal
	ws *websocket.Conn
	// ch is the bounded send buffer the broker fills; when it is full the
	// client is too slow and is disconnected.
	ch       chan *streamEvent
	done     chan struct{}
	stopOnce sync.Once
	// readDone is closed when the reader goroutine has ended: the client
	// answered a close, hung up or went silent past the pong timeout.
	readDone chan struct{}
	reason   closeReason
	// cursor is the last seq considered (sent or filtered out); only the
	// writer goroutine touches it.
	cursor int64
	// burst is set while sendBurst gathers frames under one deadline.
	burst bool
}

// stop ends the connection for reason (first reason wins). Safe from any
// goroutine, including under the broker's lock.
func (c *streamConn) stop(r closeReason) {
	c.stopOnce.Do(func() {
		c.reason = r
		close(c.done)
	})
}

// offer is called by the broker, under its lock, for each new event. It
// never blocks: a full buffer disconnects the client.
func (c *streamConn) offer(se *streamEvent) bool {
	if se.ev.AccountUnconfigured && !c.p.SeesUnconfigured() {
		return true // a number the hub does not serve: admins only
	}
	if !c.p.SeesAll() && se.hasConv && !c.p.CanSee(se.assignee, false) && !leftView(c.p, se) {
		return true // not theirs; nothing to queue
	}
	select {
	case c.ch <- se:
		return true
	default:
		c.stop(closeSlow)
		return false
	}
}

// render is the frame c gets for se, or nil when c may not see it.
func (c *streamConn) render(se *streamEvent) []byte {
	return renderFor(c.p, se)
}

func renderFor(p *Principal, se *streamEvent) []byte {
	if se.ev.AccountUnconfigured && !p.SeesUnconfigured() {
		return nil
	}
	if p.SeesAll() {
		return se.frame
	}
	if se.counters != nil {
		ev := se.ev
		ev.Data, _ = json.Marshal(agentCounters(p, *se.counters))
		b, _ := json.Marshal(wire.Frame{Kind: wire.FrameEvent, Event: &ev})
		return b
	}
	if se.hasConv && !p.CanSee(se.assignee, false) {
		if leftView(p, se) {
			b, _ := json.Marshal(wire.Frame{Kind: wire.FrameHidden, Seq: se.ev.Seq, ConversationID: se.ev.ConversationID, At: &se.ev.At})
			return b
		}
		return nil
	}
	return se.frame
}

// leftView reports whether se moved a conversation out of an agent's
// view: it was theirs or unassigned before and is someone else's now.
func leftView(p *Principal, se *streamEvent) bool {
	if se.prev == nil {
		return false
	}
	return *se.prev == 0 || (p.UserID != nil && *se.prev == *p.UserID)
}

// agentCounters is what an agent may know of the counters: the total, the
// unassigned queue and their own count.
func agentCounters(p *Principal, c domain.Counters) domain.Counters {
	out := domain.Counters{Total: c.Total, Unassigned: c.Unassigned, ByAgent: map[string]int{}, ByTeam: map[string]int{}}
	if p.UserID != nil {
		k := strconv.FormatInt(*p.UserID, 10)
		out.ByAgent[k] = c.ByAgent[k]
	}
	return out
}

// handleStream is GET /v1/stream.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) error {
	var since *int64
	if v := r.URL.Query().Get("since"); v != "" && v != "head" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return apierr.Field(apierr.InvalidRequest, "since", "since must be a non-negative event seq, or \"head\"")
		}
		since = &n
	}
	liveOnly := r.URL.Query().Get("since") == "head"
	if !websocket.IsWebSocketUpgrade(r) {
		return apierr.New(apierr.InvalidRequest, "GET /v1/stream is a websocket: send the Upgrade: websocket handshake")
	}
	if s.ctx.Err() != nil {
		return apierr.New(apierr.Unavailable, "the hub is shutting down")
	}
	wctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	err := s.broker.waitStarted(wctx)
	cancel()
	if err != nil {
		return apierr.New(apierr.Unavailable, "the event stream is starting; retry shortly")
	}
	up := upgrader
	up.Error = func(w http.ResponseWriter, r *http.Request, status int, reason error) {
		s.writeError(w, r, apierr.New(apierr.InvalidRequest, "websocket handshake failed: %s", reason.Error()))
	}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	c := &streamConn{
		s:        s,
		p:        principalFrom(r),
		ws:       ws,
		ch:       make(chan *streamEvent, s.cfg.Stream.Buffer),
		done:     make(chan struct{}),
		readDone: make(chan struct{}),
	}
	s.broker.register(c)
	s.metrics.streamClients.Inc()
	defer func() {
		s.broker.unregister(c)
		s.metrics.streamClients.Dec()
		ws.Close()
	}()
	if s.ctx.Err() != nil {
		c.stop(closeGoingAway)
	}
	c.serve(since, liveOnly)
	return nil
}

// serve runs the connection: a reader goroutine for pongs, the optional
// resume message and the close handshake, and the writer (this goroutine)
// which owns every data write.
func (c *streamConn) serve(since *int64, liveOnly bool) {
	cfg := c.s.cfg.Stream
	c.ws.SetReadLimit(64 << 10)
	_ = c.ws.SetReadDeadline(time.Now().Add(cfg.PongTimeout))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(cfg.PongTimeout))
	})
	first := make(chan []byte, 1)
	go func() {
		defer close(c.readDone)
		defer c.stop(closeClientGone)
		n := 0
		for {
			_, msg, err := c.ws.ReadMessage()
			if err != nil {
				return
			}
			_ = c.ws.SetReadDeadline(time.Now().Add(cfg.PongTimeout))
			if n == 0 {
				first <- msg
			}
			n++
		}
	}()

	if since == nil && !liveOnly {
		select {
		case msg := <-first:
			var rm wire.ResumeFrame
			if err := unmarshalStrict(msg, &rm); err != nil || rm.Kind != wire.FrameResume || (rm.Since != nil && *rm.Since < 0) {
				c.fail(wire.CloseBadResume, apierr.New(apierr.InvalidRequest, `the first message must be {"kind":"resume","since":<seq>}`))
				return
			}
			since = rm.Since
		case <-time.After(cfg.ResumeWait):
		case <-c.done:
			c.closeFor(c.reason)
			return
		}
	}
	if err := c.run(since); err != nil {
		if !errors.Is(err, errConnDone) {
			c.s.log.Debug("stream ended", "token_id", c.p.TokenID, "err", err)
		}
	}
}

var errConnDone = errors.New("stream: connection done")

// write sends one frame within the write timeout.
func (c *streamConn) write(b []byte) error {
	if !c.burst {
		_ = c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.Stream.WriteTimeout))
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.stop(closeClientGone)
		return err
	}
	c.s.metrics.streamFrames.Inc()
	return nil
}

func (c *streamConn) writeFrame(f wire.Frame) error {
	b, _ := json.Marshal(f)
	return c.write(b)
}

// fail sends an error frame and closes with code.
func (c *streamConn) fail(code int, e *apierr.Error) {
	env := e.Envelope()
	_ = c.writeFrame(wire.Frame{Kind: wire.FrameError, Error: &env.Error})
	c.closeWith(code, e.Message)
}

// closeHandshakeWait bounds how long a close frame waits for the client's
// answering close before the connection is dropped.
const closeHandshakeWait = 2 * time.Second

// closeWith sends a close frame with code, then waits (closeHandshakeWait
// at most) for the client to answer it, reading and dropping what it sends
// meanwhile, as the websocket closing handshake has it. Dropping the
// connection at once would reset it under a client still answering the
// pings queued before the close: that client's next pong fails (broken
// pipe) before it reads the close, and it never learns the code (resync,
// revoked, too slow) that tells it what to do next.
func (c *streamConn) closeWith(code int, text string) {
	if len(text) > 120 {
		text = text[:120]
	}
	if err := c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second)); err != nil {
		return
	}
	t := time.NewTimer(closeHandshakeWait)
	defer t.Stop()
	select {
	case <-c.readDone:
	case <-t.C:
	}
}

// closeFor ends the connection the way its stop reason calls for.
func (c *streamConn) closeFor(r closeReason) {
	switch r {
	case closeSlow:
		c.s.metrics.streamSlow.Inc()
		c.closeWith(wire.CloseSlow, "too slow: reconnect with since="+strconv.FormatInt(c.cursor, 10)+" or your last applied seq")
	case closeRevoked:
		c.fail(wire.CloseRevoked, apierr.New(apierr.Unauthorized, "the token was revoked"))
	case closeGoingAway:
		c.closeWith(websocket.CloseGoingAway, "the hub is shutting down; reconnect and resume")
	}
}

// run replays from since, hands over to live delivery and then streams
// until the connection ends.
func (c *streamConn) run(since *int64) error {
	ctx := c.s.ctx
	oldest, head, err := c.s.core.EventBounds(ctx)
	if err != nil {
		c.fail(websocket.CloseInternalServerErr, apierr.New(apierr.Unavailable, "the event log cannot be read; retry shortly"))
		return err
	}
	cursor := head
	if since != nil {
		cursor = *since
		if cursor > head || (oldest > 0 && cursor < oldest-1) {
			c.resync(oldest, head)
			return nil
		}
	}
	c.cursor = cursor
	if err := c.writeFrame(wire.Frame{Kind: wire.FrameHello, Since: &cursor, Head: &head, Oldest: &oldest}); err != nil {
		return err
	}

	// Replay: from the broker's ring when it reaches back far enough,
	// otherwise from the database, until the cursor meets the head.
	for {
		select {
		case <-c.done:
			c.closeFor(c.reason)
			return errConnDone
		default:
		}
		attached, ring, ringOK := c.s.broker.attach(c, c.cursor, head)
		if attached {
			break
		}
		evs := ring
		if !ringOK {
			batch, err := c.s.core.EventsSince(ctx, c.cursor, 500)
			if apierr.CodeOf(err) == apierr.ResyncRequired {
				// Pruned under us while replaying.
				o, h, _ := c.s.core.EventBounds(ctx)
				c.resync(o, h)
				return nil
			}
			if err != nil {
				c.fail(websocket.CloseInternalServerErr, apierr.New(apierr.Unavailable, "the event log cannot be read; resume shortly"))
				return err
			}
			if len(batch) == 0 {
				// The broker has not seen these yet; let it catch up.
				select {
				case <-c.s.broker.wakeChan():
				case <-time.After(50 * time.Millisecond):
				case <-c.done:
				}
				continue
			}
			evs = make([]*streamEvent, len(batch))
			for i, ev := range batch {
				evs[i] = c.s.broker.prepare(ev)
			}
		}
		for _, se := range evs {
			if err := c.send(se); err != nil {
				return err
			}
		}
	}
	if err := c.writeFrame(wire.Frame{Kind: wire.FrameLive, Seq: c.cursor}); err != nil {
		return err
	}

	hb := time.NewTicker(c.s.cfg.Stream.Heartbeat)
	defer hb.Stop()
	for {
		// A stop (slow, revoked, shutdown) wins over queued frames.
		select {
		case <-c.done:
			c.closeFor(c.reason)
			return errConnDone
		default:
		}
		select {
		case se := <-c.ch:
			if err := c.sendBurst(se); err != nil {
				return err
			}
		case <-hb.C:
			now := time.Now().UTC()
			h := c.s.broker.headSeq()
			if err := c.writeFrame(wire.Frame{Kind: wire.FrameHeartbeat, Seq: c.cursor, Head: &h, At: &now}); err != nil {
				return err
			}
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.s.cfg.Stream.WriteTimeout)); err != nil {
				c.stop(closeClientGone)
				return err
			}
		case <-c.done:
			// Frames already queued are not flushed for a slow client: it
			// resumes from what it applied, so nothing is lost.
			c.closeFor(c.reason)
			return errConnDone
		}
	}
}

// coalescingConn is the stream's TCP connection. While held, writes are
// gathered and go out in one system call at flush: a transaction's events
// arrive together, and 1,000 clients × 3 frames × one syscall each is
// where fan-out time would go. Safe for the one writer goroutine plus
// gorilla's control frames (pongs) from the reader.
type coalescingConn struct {
	net.Conn
	mu   sync.Mutex
	hold bool
	buf  []byte
}

// maxCoalesce bounds what is gathered before it is written anyway.
const maxCoalesce = 64 << 10

// Write implements net.Conn.
func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.hold {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
		return c.Conn.Write(p)
	}
	c.buf = append(c.buf, p...)
	if len(c.buf) >= maxCoalesce {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *coalescingConn) flushLocked() error {
	if len(c.buf) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.buf)
	if cap(c.buf) > 4*maxCoalesce {
		c.buf = nil
	} else {
		c.buf = c.buf[:0]
	}
	return err
}

// holdWrites starts gathering.
func (c *coalescingConn) holdWrites() {
	c.mu.Lock()
	c.hold = true
	c.mu.Unlock()
}

// flush writes what was gathered and stops gathering.
func (c *coalescingConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hold = false
	return c.flushLocked()
}

// maxBurst is how many queued frames one flush may carry.
const maxBurst = 64

// sendBurst writes se and whatever else is already queued (up to
// maxBurst) in one flush.
func (c *streamConn) sendBurst(se *streamEvent) error {
	cc, _ := c.ws.UnderlyingConn().(*coalescingConn)
	if cc == nil {
		return c.send(se)
	}
	cc.holdWrites()
	// One deadline for the whole burst: it bounds the flush below.
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.Stream.WriteTimeout))
	c.burst = true
	err := c.send(se)
	for n := 1; err == nil && n < maxBurst; n++ {
		select {
		case more := <-c.ch:
			err = c.send(more)
			continue
		default:
		}
		break
	}
	c.burst = false
	if ferr := cc.flush(); err == nil && ferr != nil {
		c.stop(closeClientGone)
		err = ferr
	}
	return err
}

// send writes se if c may see it and it is new to c.
func (c *streamConn) send(se *streamEvent) error {
	if se.ev.Seq <= c.cursor {
		return nil
	}
	if b := c.render(se); b != nil {
		if err := c.write(b); err != nil {
			return err
		}
	}
	c.cursor = se.ev.Seq
	return nil
}

func (c *streamConn) resync(oldest, head int64) {
	c.s.metrics.streamResyncs.Inc()
	e := apierr.New(apierr.ResyncRequired, "events after the requested seq are no longer kept: load a snapshot and reconnect from its seq")
	env := e.Envelope()
	_ = c.writeFrame(wire.Frame{Kind: wire.FrameResync, Head: &head, Oldest: &oldest, Error: &env.Error})
	c.closeWith(wire.CloseResync, "resync required")
}
