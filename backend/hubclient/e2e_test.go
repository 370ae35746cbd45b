package hubclient_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/hubapi"
	"switchboard/backend/hubclient"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// hubOnLoopback is a complete hub: the sandbox playing Meta with
// simulated customers, the messaging core on SQLite and the API server.
type hubOnLoopback struct {
	sb    *sandbox.Sandbox
	core  *hub.Service
	srv   *hubapi.Server
	ts    *httptest.Server
	admin string
}

func startHub(t *testing.T, readProbability float64) *hubOnLoopback {
	t.Helper()
	ctx := context.Background()
	noDelay := sandbox.StatusDelays{}
	sb, err := sandbox.New(sandbox.Config{
		Seed: 7, StatusDelays: &noDelay, VerifyToken: "vt",
		Customers: sandbox.CustomerConfig{Count: 3, ReadProbability: readProbability, ReplyProbability: -1},
		Webhook:   sandbox.WebhookConfig{RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := sqlitestore.Open(filepath.Join(dir, "hub.db"), sqlitedb.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	api := whatsapp.NewClient(base, sb.AccessToken())
	p := sb.PhoneNumbers()[0]
	core, err := hub.New(ctx, hub.Config{Store: st, API: api, AppSecret: sb.AppSecret(), VerifyToken: "vt", BcryptCost: bcrypt.MinCost,
		Accounts: []domain.Account{{ID: p.ID, WABAID: sb.WABAID(), DisplayPhoneNumber: "+" + p.DisplayNumber, ThroughputMPS: 1000}}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := hubapi.New(ctx, hubapi.Config{Core: core, Media: api, DataDir: dir,
		Stream: hubapi.StreamConfig{Heartbeat: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	ts := httptest.NewServer(srv.Handler())
	h := &hubOnLoopback{sb: sb, core: core, srv: srv, ts: ts}
	t.Cleanup(func() {
		ts.CloseClientConnections()
		srv.Close()
		ts.Close()
		sb.Close()
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		core.Close(cctx)
		st.Close()
	})
	if err := sb.SubscribeWebhook(ctx, ts.URL+"/webhooks/whatsapp"); err != nil {
		t.Fatal(err)
	}
	if h.admin, err = srv.EnsureAdminToken(ctx, ""); err != nil {
		t.Fatal(err)
	}
	return h
}

// agent creates a user through the API and signs them in with the client.
func (h *hubOnLoopback) agent(t *testing.T, email string, role domain.Role) (*hubclient.Client, domain.User) {
	t.Helper()
	ctx := context.Background()
	admin := hubclient.New(h.ts.URL, h.admin)
	pw, name := "a good password", "Agent "+email
	if _, err := admin.PutUser(ctx, wire.UserInput{Email: &email, Name: &name, Role: &role, Password: &pw}); err != nil {
		t.Fatal(err)
	}
	c := hubclient.New(h.ts.URL, "")
	res, err := c.Login(ctx, email, pw, "test")
	if err != nil {
		t.Fatal(err)
	}
	c.Token = res.Token
	return c, res.User
}

// nextEvent reads the stream until an event matches.
func nextEvent(t *testing.T, s *hubclient.Stream, match func(domain.Event) bool) domain.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		f, err := s.Next(ctx)
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		if f.Kind == wire.FrameEvent && match(*f.Event) {
			return *f.Event
		}
	}
}

func messageOf(t *testing.T, ev domain.Event) domain.Message {
	var m domain.Message
	if err := json.Unmarshal(ev.Data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEndToEnd: a simulated customer writes; the message reaches an
// agent's websocket; the agent replies through the REST API; the reply's
// statuses come back through Meta's webhooks to read.
func TestEndToEnd(t *testing.T) {
	h := startHub(t, 1)
	ctx := context.Background()
	agent, me := h.agent(t, "ana@example.com", domain.RoleAgent)

	snap, err := agent.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Users) != 1 || len(snap.Accounts) != 1 || len(snap.Conversations) != 0 {
		t.Fatalf("snapshot %+v", snap)
	}
	stream, err := agent.Stream(ctx, snap.Head, hubclient.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()

	customer := h.sb.Customers()[0]
	if _, err := h.sb.CustomerSend(customer.WaID, sandbox.InboundMessage{Type: "text", Text: "Is my order on its way?"}); err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, stream, func(e domain.Event) bool { return e.Type == domain.EventMessageCreated })
	in := messageOf(t, ev)
	if in.Direction != domain.Inbound || !strings.Contains(string(in.Content), "Is my order on its way?") {
		t.Fatalf("inbound %+v", in)
	}

	// The agent takes the conversation, marks it read and replies.
	mine := me.ID
	if _, err := agent.PatchConversation(ctx, "", in.ConversationID, wire.ConversationPatch{AssigneeID: &mine}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.MarkRead(ctx, "", in.ID); err != nil {
		t.Fatal(err)
	}
	sent, err := agent.Send(ctx, "reply-1", wire.NewText(in.ConversationID, "Yes, it ships today."))
	if err != nil {
		t.Fatal(err)
	}
	if sent.Status != domain.MsgQueued {
		t.Fatalf("sent %+v", sent)
	}
	// Statuses arrive as message.updated events, in order, up to read.
	var statuses []domain.MessageStatus
	for len(statuses) == 0 || statuses[len(statuses)-1] != domain.MsgRead {
		ev := nextEvent(t, stream, func(e domain.Event) bool {
			return e.Type == domain.EventMessageUpdated && messageOf(t, e).ID == sent.ID
		})
		statuses = append(statuses, messageOf(t, ev).Status)
	}
	for i := 1; i < len(statuses); i++ {
		if statuses[i].Rank() < statuses[i-1].Rank() {
			t.Fatalf("status went backwards: %v", statuses)
		}
	}
	got, err := agent.Message(ctx, sent.ID)
	if err != nil || got.Status != domain.MsgRead || got.ReadAt == nil {
		t.Fatalf("final %+v %v", got, err)
	}
	// The customer really received the reply.
	found := false
	for _, m := range h.sb.Messages(customer.WaID, 10) {
		found = found || strings.Contains(string(mustJSON(m)), "it ships today")
	}
	if !found {
		t.Fatal("the sandbox customer did not receive the reply")
	}
	// Retrying the send with the same key does not send twice.
	again, err := agent.Send(ctx, "reply-1", wire.NewText(in.ConversationID, "Yes, it ships today."))
	if err != nil || again.ID != sent.ID {
		t.Fatalf("retry: %+v %v", again, err)
	}
	detail, err := agent.Conversation(ctx, in.ConversationID)
	if err != nil || len(detail.Messages) != 2 || detail.AssigneeID == nil || *detail.AssigneeID != me.ID {
		t.Fatalf("detail %+v %v", detail, err)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestStreamResumesAcrossDisconnects: the client's Stream reconnects by
// itself (here after the server drops every connection) and resumes from
// the last seq it returned, so a consumer sees every event once.
func TestStreamResumesAcrossDisconnects(t *testing.T) {
	h := startHub(t, -1)
	ctx := context.Background()
	sup, _ := h.agent(t, "sam@example.com", domain.RoleSupervisor)
	// The stream goes through a loopback proxy the test can cut, like a
	// flaky network between the console and the hub.
	px := newCutProxy(t, strings.TrimPrefix(h.ts.URL, "http://"))
	sup.BaseURL = "http://" + px.addr
	stream, err := sup.Stream(ctx, 0, hubclient.StreamOptions{MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	seen := map[int64]int{}
	var last int64
	read := func(until int64) {
		rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		for last < until {
			f, err := stream.Next(rctx)
			if err != nil {
				t.Fatalf("next: %v", err)
			}
			if f.Kind == wire.FrameEvent {
				seen[f.Event.Seq]++
				last = f.Event.Seq
			}
		}
	}
	for round := range 3 {
		for i := range 3 {
			h.sb.CustomerSend(h.sb.Customers()[i].WaID, sandbox.InboundMessage{Type: "text", Text: "round " + string(rune('a'+round))})
		}
		h.sb.Flush(ctx)
		_, head, _ := h.core.EventBounds(ctx)
		read(head)
		px.cut()
	}
	if stream.Reconnects() < 2 {
		t.Fatalf("%d reconnects", stream.Reconnects())
	}
	for seq := int64(1); seq <= last; seq++ {
		if seen[seq] != 1 {
			t.Fatalf("seq %d seen %d times", seq, seen[seq])
		}
	}
}

func TestClientErrors(t *testing.T) {
	h := startHub(t, -1)
	ctx := context.Background()
	c := hubclient.New(h.ts.URL, "sbt_not-a-token")
	if _, err := c.Me(ctx); apierr.CodeOf(err) != apierr.Unauthorized {
		t.Fatalf("bad token: %v", err)
	}
	if _, err := c.Stream(ctx, 0, hubclient.StreamOptions{}); apierr.CodeOf(err) != apierr.Unauthorized {
		t.Fatalf("stream with bad token: %v", err)
	}
	anon := hubclient.New(h.ts.URL, "")
	for range 5 {
		anon.Login(ctx, "who@example.com", "wrong password", "")
	}
	_, err := anon.Login(ctx, "who@example.com", "wrong password", "")
	if e := apierr.As(err); e.Code != apierr.LoginLocked || e.RetryAfter < 1 {
		t.Fatalf("locked: %+v", e)
	}
	sup, _ := h.agent(t, "sam@example.com", domain.RoleSupervisor)
	if _, err := sup.Send(ctx, "", wire.SendRequest{To: "12", Type: "text", Text: json.RawMessage(`{"body":"x"}`)}); apierr.CodeOf(err) != apierr.InvalidPhone || apierr.As(err).Field != "to" {
		t.Fatalf("invalid phone: %v", err)
	}
	if _, err := sup.Stream(ctx, 1<<40, hubclient.StreamOptions{}); err != nil {
		t.Fatal(err)
	} else {
		s, _ := sup.Stream(ctx, 1<<40, hubclient.StreamOptions{})
		_, err := s.Next(ctx)
		if apierr.CodeOf(err) != apierr.ResyncRequired {
			t.Fatalf("future since: %v", err)
		}
	}
	h.ts.Close()
	if _, err := sup.Me(ctx); apierr.CodeOf(err) != apierr.HubUnreachable {
		t.Fatalf("closed hub: %v", err)
	}
}

// cutProxy forwards TCP connections to target until cut closes them all.
type cutProxy struct {
	addr  string
	mu    sync.Mutex
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &cutProxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
