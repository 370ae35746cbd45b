package hubapi

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/sandbox"
	"switchboard/backend/wire"
)

// wsClient is a bare websocket client of the stream, speaking the
// protocol frame by frame so the tests see exactly what the hub sends.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// wsFrame is a frame as the test reads it: the wire's own type.
type wsFrame = wire.Frame

// dial opens the stream with query (e.g. "since=0"); smallBuffer shrinks
// the client's receive buffer so an unread stream backs up quickly.
func (e *testEnv) dial(token, query string, smallBuffer bool) (*wsClient, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(e.url, "http") + "/v1/stream"
	if query != "" {
		u += "?" + query
	}
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if smallBuffer {
		d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(4096)
			}
			return c, err
		}
	}
	conn, res, err := d.Dial(u, h)
	if err != nil {
		return nil, res, err
	}
	return &wsClient{t: e.t, conn: conn}, res, nil
}

func (e *testEnv) mustDial(token, query string) *wsClient {
	e.t.Helper()
	c, res, err := e.dial(token, query, false)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		e.t.Fatalf("dial %s: %v (%d)", query, err, status)
	}
	e.t.Cleanup(func() { c.conn.Close() })
	return c
}

// next reads one frame (or fails the test after 10 s).
func (c *wsClient) next() (wsFrame, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, msg, err := c.conn.ReadMessage()
	if err != nil {
		return wsFrame{}, err
	}
	var f wsFrame
	if err := json.Unmarshal(msg, &f); err != nil {
		c.t.Fatalf("frame %s: %v", msg, err)
	}
	return f, nil
}

func (c *wsClient) mustNext() wsFrame {
	c.t.Helper()
	f, err := c.next()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return f
}

// until reads frames until one matches, returning the frames read.
func (c *wsClient) until(match func(wsFrame) bool) []wsFrame {
	c.t.Helper()
	var out []wsFrame
	for {
		f := c.mustNext()
		out = append(out, f)
		if match(f) {
			return out
		}
	}
}

func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// burst makes n customers write one message each (signed webhooks through
// the sandbox) and returns once the hub has them all.
func (e *testEnv) burst(prefix string, n int) {
	e.t.Helper()
	for i := range n {
		waID := prefix + strconv.Itoa(1000+i)
		if _, err := e.sb.CustomerSend(waID, sandbox.InboundMessage{Type: "text", Text: "burst " + strconv.Itoa(i), ProfileName: "B"}); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.sb.Flush(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func headOf(t *testing.T, e *testEnv) int64 {
	_, h, err := e.core.EventBounds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestStreamReplayThenLiveAndResume: a supervisor replays the log from 0,
// goes live, is cut off while customers keep writing, resumes from the
// last seq it applied, and ends up with every seq exactly once.
func TestStreamReplayThenLiveAndResume(t *testing.T) {
	e := newEnv(t)
	e.burst("1415555", 5)
	seen := map[int64]int{}
	record := func(fs []wsFrame) int64 {
		var last int64
		for _, f := range fs {
			if f.Kind == "event" {
				seen[f.Event.Seq]++
				last = f.Event.Seq
			}
		}
		return last
	}
	c := e.mustDial(e.supervisor.token, "since=0")
	hello := c.mustNext()
	if hello.Kind != "hello" || hello.Since == nil || *hello.Since != 0 || *hello.Head < 10 {
		t.Fatalf("hello %+v", hello)
	}
	fs := c.until(func(f wsFrame) bool { return f.Kind == "live" })
	last := record(fs)
	if live := fs[len(fs)-1]; live.Seq != last || last < *hello.Head {
		t.Fatalf("live at %d after replaying to %d (head %d)", live.Seq, last, *hello.Head)
	}
	// Live events while connected.
	go e.burst("1415556", 5)
	for headOf(t, e) <= last || last < headOf(t, e) {
		f := c.mustNext()
		if f.Kind == "event" {
			seen[f.Event.Seq]++
			last = f.Event.Seq
		}
		if last >= headOf(t, e) && last > *hello.Head+5 {
			break
		}
	}
	// Cut the connection mid-stream while more arrives, then resume.
	c.conn.Close()
	e.burst("1415557", 5)
	c2 := e.mustDial(e.supervisor.token, "since="+strconv.FormatInt(last, 10))
	if h := c2.mustNext(); h.Kind != "hello" || *h.Since != last {
		t.Fatalf("resume hello %+v", h)
	}
	head := headOf(t, e)
	for last < head {
		f := c2.mustNext()
		if f.Kind == "event" {
			seen[f.Event.Seq]++
			last = f.Event.Seq
		}
	}
	for seq := int64(1); seq <= head; seq++ {
		if seen[seq] != 1 {
			t.Fatalf("seq %d seen %d times (head %d)", seq, seen[seq], head)
		}
	}
}

// TestStreamResumeMessage: without ?since the client sends a resume
// message; a malformed one is refused with an error frame and close 4002;
// no resume at all means live from the head.
func TestStreamResumeMessage(t *testing.T) {
	e := newEnv(t)
	e.burst("1415555", 2)
	head := headOf(t, e)

	c := e.mustDial(e.agent.token, "")
	if err := c.conn.WriteJSON(map[string]any{"kind": "resume", "since": 1}); err != nil {
		t.Fatal(err)
	}
	if h := c.mustNext(); h.Kind != "hello" || *h.Since != 1 {
		t.Fatalf("hello %+v", h)
	}
	fs := c.until(func(f wsFrame) bool { return f.Kind == "live" })
	if fs[0].Kind != "event" || fs[0].Event.Seq != 2 {
		t.Fatalf("first replayed frame %+v", fs[0])
	}

	bad := e.mustDial(e.agent.token, "")
	bad.conn.WriteMessage(websocket.TextMessage, []byte(`{"kind":"resume","since":"yesterday"}`))
	if f := bad.mustNext(); f.Kind != "error" || f.Error.Code != "INVALID_REQUEST" {
		t.Fatalf("bad resume: %+v", f)
	}
	if _, err := bad.next(); closeCode(err) != wire.CloseBadResume {
		t.Fatalf("close after bad resume: %v", err)
	}

	silent := e.mustDial(e.agent.token, "")
	if h := silent.mustNext(); h.Kind != "hello" || *h.Since != head {
		t.Fatalf("silent client hello %+v (head %d)", h, head)
	}

	if _, res, err := e.dial(e.agent.token, "since=-3", false); err == nil || res.StatusCode != 400 {
		t.Fatalf("since=-3 accepted")
	}
}

// TestStreamResync: a since older than the log keeps (or from another
// database) gets a resync frame and close 4000.
func TestStreamResync(t *testing.T) {
	e := newEnv(t, withHub(func(c *hub.Config) {
		c.EventRetention = 5
		c.TickInterval = 10 * time.Millisecond
	}))
	e.burst("1415555", 6)
	e.eventually(func() bool {
		o, _, _ := e.core.EventBounds(context.Background())
		return o > 3
	}, "retention to prune the log")
	for _, since := range []string{"1", "99999999"} {
		c := e.mustDial(e.supervisor.token, "since="+since)
		f := c.mustNext()
		if f.Kind != "resync" || f.Error == nil || f.Error.Code != "RESYNC_REQUIRED" || f.Oldest == nil || *f.Oldest <= 2 {
			t.Fatalf("since=%s: %+v", since, f)
		}
		if _, err := c.next(); closeCode(err) != wire.CloseResync {
			t.Fatalf("since=%s: close %v", since, err)
		}
	}
	// From just before the oldest kept event is fine.
	o, _, _ := e.core.EventBounds(context.Background())
	c := e.mustDial(e.supervisor.token, "since="+strconv.FormatInt(o-1, 10))
	if h := c.mustNext(); h.Kind != "hello" {
		t.Fatalf("since=oldest-1: %+v", h)
	}
	if res := e.do("GET", "/v1/events?since=1", e.supervisor.token, nil); res.code() != "RESYNC_REQUIRED" || res.status != 410 {
		t.Fatalf("poll: %d %s", res.status, res.body)
	}
}

// TestStreamSlowClientIsDisconnectedAndResumes: a client that stops
// reading while events pour in is cut off (close 4008) instead of
// holding memory, and resumes without losing anything. A quick heartbeat
// queues several pings behind the client's back: it answers them while it
// drains, and must still read the close code (the hub waits for the
// closing handshake instead of resetting the connection under it).
func TestStreamSlowClientIsDisconnectedAndResumes(t *testing.T) {
	e := newEnv(t, withAPI(func(c *Config) {
		c.Stream.Buffer = 4
		c.Stream.WriteTimeout = 30 * time.Second
		c.Stream.Heartbeat = 10 * time.Millisecond
	}),
		func(c *envConfig) { c.smallSocketBuffers = true })
	c, _, err := e.dial(e.supervisor.token, "since=head", true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.conn.Close()
	if h := c.mustNext(); h.Kind != "hello" {
		t.Fatal(h)
	}
	start := *c.mustNextKind("live").Head
	_ = start
	// Do not read while 60 customers write.
	e.burst("1415555", 60)
	e.eventually(func() bool {
		m := testMetricValue(t, e, "switchboard_stream_slow_disconnects_total")
		return m >= 1
	}, "the slow client to be disconnected")
	// Drain what was sent before the cut; the stream ends with 4008.
	var last int64
	seen := map[int64]bool{}
	for {
		f, err := c.next()
		if err != nil {
			if closeCode(err) != wire.CloseSlow {
				t.Fatalf("ended with %v, want close %d", err, wire.CloseSlow)
			}
			break
		}
		if f.Kind == "event" {
			if seen[f.Event.Seq] {
				t.Fatalf("duplicate %d", f.Event.Seq)
			}
			seen[f.Event.Seq] = true
			last = f.Event.Seq
		}
	}
	head := headOf(t, e)
	if last >= head {
		t.Fatalf("the slow client got everything (%d of %d): the test did not back up the stream", last, head)
	}
	c2 := e.mustDial(e.supervisor.token, "since="+strconv.FormatInt(last, 10))
	for last < head {
		f := c2.mustNext()
		if f.Kind == "event" {
			if seen[f.Event.Seq] || f.Event.Seq != last+1 {
				t.Fatalf("after resume got %d, last %d", f.Event.Seq, last)
			}
			seen[f.Event.Seq] = true
			last = f.Event.Seq
		}
	}
}

// mustNextKind reads frames until one of kind, returning it as hello-like
// with Head filled from its seq when it is a live frame.
func (c *wsClient) mustNextKind(kind string) *wsFrame {
	c.t.Helper()
	fs := c.until(func(f wsFrame) bool { return f.Kind == kind })
	f := fs[len(fs)-1]
	if f.Head == nil {
		f.Head = &f.Seq
	}
	return &f
}

// testMetricValue reads one counter from /metrics.
func testMetricValue(t *testing.T, e *testEnv, name string) float64 {
	res := e.do("GET", "/metrics", "", nil)
	for _, line := range strings.Split(string(res.body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

// TestStreamAgentFiltering: an agent's stream carries unassigned
// conversations and their own, a "hidden" notice when one leaves their
// view, nothing of a colleague's, and counters cut to what agents see.
func TestStreamAgentFiltering(t *testing.T) {
	e := newEnv(t)
	c := e.mustDial(e.agent.token, "since=head")
	c.mustNextKind("live")
	conv := e.customerWrites("14155550101", "first")
	// Unassigned: the agent sees the message.
	c.until(func(f wsFrame) bool {
		return f.Kind == "event" && f.Event.Type == domain.EventMessageCreated && f.Event.ConversationID == conv.ID
	})
	// Handed to the colleague: the agent is told to drop it.
	e.do("PATCH", "/v1/conversations/"+itoa(int(conv.ID)), e.supervisor.token, map[string]any{"assignee_id": e.agent2.id})
	fs := c.until(func(f wsFrame) bool { return f.Kind == "hidden" })
	if h := fs[len(fs)-1]; h.ConversationID != conv.ID {
		t.Fatalf("hidden %+v", h)
	}
	// The colleague's conversation goes on without the agent hearing of it,
	// while a new unassigned one still reaches them.
	if _, err := e.sb.CustomerSend("14155550101", sandbox.InboundMessage{Type: "text", Text: "second"}); err != nil {
		t.Fatal(err)
	}
	other := e.customerWrites("14155550102", "someone else")
	fs = c.until(func(f wsFrame) bool {
		return f.Kind == "event" && f.Event.ConversationID == other.ID && f.Event.Type == domain.EventMessageCreated
	})
	for _, f := range fs {
		if f.Kind == "event" && f.Event.ConversationID == conv.ID {
			t.Fatalf("agent got %s of the colleague's conversation", f.Event.Type)
		}
		if f.Kind == "event" && f.Event.Type == domain.EventCountersUpdated {
			var cs domain.Counters
			json.Unmarshal(f.Event.Data, &cs)
			if len(cs.ByAgent) > 1 || len(cs.ByTeam) != 0 || cs.OldestWaitingSince != nil {
				t.Fatalf("agent counters %+v", cs)
			}
		}
	}
	// Given back to the agent: visible again.
	e.do("PATCH", "/v1/conversations/"+itoa(int(conv.ID)), e.supervisor.token, map[string]any{"assignee_id": e.agent.id})
	c.until(func(f wsFrame) bool {
		return f.Kind == "event" && f.Event.Type == domain.EventConversationUpdated && f.Event.ConversationID == conv.ID
	})
	// The colleague's replay has the conversation, the agent's replay of
	// the same span shows the notice but no content while it was not theirs.
	all := e.mustDial(e.agent2.token, "since=0")
	fs = all.until(func(f wsFrame) bool { return f.Kind == "live" })
	got := false
	for _, f := range fs {
		got = got || (f.Kind == "event" && f.Event.ConversationID == conv.ID && f.Event.Type == domain.EventMessageCreated && strings.Contains(string(f.Event.Data), "second"))
	}
	if !got {
		t.Fatal("the colleague's replay lacks the message sent while it was theirs")
	}
}

// TestStreamHeartbeatAuthAndShutdown: heartbeats carry the seq; the token
// may come as ?access_token=; revoking it closes the stream (4001); a
// shutdown closes with 1001.
func TestStreamHeartbeatAuthAndShutdown(t *testing.T) {
	e := newEnv(t)
	res := e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "browser", "scopes": []string{"whatsapp:read"}})
	tok := dataOf[NewToken](t, res)
	c := e.mustDial("", "since=head&access_token="+url.QueryEscape(tok.Token))
	live := c.mustNextKind("live")
	hb := c.mustNextKind("heartbeat")
	if hb.Seq != live.Seq || hb.Head == nil {
		t.Fatalf("heartbeat %+v after live %+v", hb, live)
	}
	if _, res, err := e.dial("", "since=head&access_token=sbt_wrong", false); err == nil || res.StatusCode != 401 {
		t.Fatal("wrong access_token accepted")
	}
	e.do("DELETE", "/v1/tokens/"+itoa(int(tok.ID)), e.admin, nil)
	for {
		f, err := c.next()
		if err != nil {
			if closeCode(err) != wire.CloseRevoked {
				t.Fatalf("after revoke: %v", err)
			}
			break
		}
		if f.Kind == "error" && f.Error.Code != "UNAUTHORIZED" {
			t.Fatalf("error frame %+v", f)
		}
	}
	c2 := e.mustDial(e.agent.token, "since=head")
	c2.mustNextKind("live")
	e.srv.Close()
	for {
		_, err := c2.next()
		if err != nil {
			if closeCode(err) != websocket.CloseGoingAway {
				t.Fatalf("after shutdown: %v", err)
			}
			break
		}
	}
}
