package democlienttest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"switchboard/backend/demo"
	"switchboard/backend/desktop"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/democlient"
	"switchboard/backend/desktop/democlient/democlienttest"
	"switchboard/backend/desktop/internal/netfault"
	"switchboard/backend/desktop/outbox"
	"switchboard/backend/desktop/remote"
	"switchboard/backend/desktop/syncer"
	"switchboard/backend/domain"
	"switchboard/backend/hubclient"
	"switchboard/backend/sandbox"
	"switchboard/backend/testkit"
)

// These tests run the console against the real hub on loopback: the core,
// the REST API and stream, and the WhatsApp sandbox behind it, with a TCP
// proxy in between that cuts connections on command.

var quiet = slog.New(slog.DiscardHandler)

// testConfig is a quiet hub: no unprompted traffic, customers read at
// once and never answer, statuses arrive without delay.
func testConfig(dir string) demo.Config {
	return demo.Config{Dir: dir, Log: quiet, TrafficRate: -1, FirstRunMessages: -1, FastLogin: true,
		Sandbox: func(c *sandbox.Config) {
			c.StatusDelays = &sandbox.StatusDelays{}
			c.Customers.ReadProbability = 1
			c.Customers.ReplyProbability = -1
		}}
}

func startHub(t *testing.T) *demo.Hub {
	t.Helper()
	h, err := demo.Start(context.Background(), testConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func startProxy(t *testing.T, h *demo.Hub) *netfault.Proxy {
	t.Helper()
	p, err := netfault.Start(h.URL()[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func head(t *testing.T, h *demo.Hub) int64 {
	t.Helper()
	eh, err := h.Admin().Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return eh.Head
}

// settle waits until the hub's log stops growing (webhooks delivered,
// statuses applied).
func settle(t *testing.T, h *demo.Hub) int64 {
	t.Helper()
	if err := h.Raw().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	last := head(t, h)
	for {
		time.Sleep(150 * time.Millisecond)
		now := head(t, h)
		if now == last {
			return now
		}
		last = now
	}
}

type seqRecorder struct {
	mu   sync.Mutex
	seqs []int64
}

func (r *seqRecorder) Emit(string, any) {}
func (r *seqRecorder) applied(evs []domain.Event, _ bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		r.seqs = append(r.seqs, e.Seq)
	}
}

func runEngine(t *testing.T, c *cache.Cache, hub remote.Hub, rec *seqRecorder) (stop func()) {
	e := syncer.New(syncer.Config{Cache: c, Hub: hub, Emit: rec, Log: quiet, MinBackoff: 5 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond, BatchSize: 200, OnApplied: rec.applied})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func TestReplayCutMidwayAgainstTheRealHub(t *testing.T) {
	h := startHub(t)
	p := startProxy(t, h)
	ctx := context.Background()
	token, _, err := democlient.SignInAgent(ctx, h.Admin())
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := &seqRecorder{}
	client := remote.NewHubClient(p.URL(), token)
	stop := runEngine(t, c, client, rec)
	from := settle(t, h)
	testkit.Eventually(t, "the first sync", func() bool { s, _ := c.Seq(ctx); return s >= from })
	stop()
	seqAtStop, _ := c.Seq(ctx)

	// While the console is closed, 40 customers write 5 messages each.
	for i := range 200 {
		phone := fmt.Sprintf("1555%07d", 100+i%40)
		if _, err := h.Raw().CustomerSend(phone, sandbox.InboundMessage{Type: "text", Text: fmt.Sprintf("backlog %03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	total := settle(t, h)
	if total-seqAtStop < 400 {
		t.Fatalf("only %d events to replay", total-seqAtStop)
	}

	// Every stream connection is now cut after 16 KB of frames: the replay
	// needs many reconnects, each resuming from the cache's seq.
	p.CutAfter(16 << 10)
	rec.seqs = nil
	stop = runEngine(t, c, client, rec)
	testkit.Eventually(t, "the replay", func() bool { s, _ := c.Seq(ctx); return s >= total })
	stop()
	if p.Cuts.Load() < 2 {
		t.Fatalf("the proxy cut the stream %d times; the test needs several", p.Cuts.Load())
	}
	rec.mu.Lock()
	seqs := append([]int64(nil), rec.seqs...)
	rec.mu.Unlock()
	seen := map[int64]bool{}
	for i, s := range seqs {
		if seen[s] {
			t.Fatalf("event %d applied twice", s)
		}
		seen[s] = true
		if i > 0 && s <= seqs[i-1] {
			t.Fatalf("event %d applied after %d", s, seqs[i-1])
		}
	}
	// Nothing lost: every message the hub has is in the cache, with the
	// hub's status.
	compareMessages(t, h, c)
	t.Logf("%d events replayed through %d cuts", len(seqs), p.Cuts.Load())
}

func TestKillAndRestartMidReplayAgainstTheRealHub(t *testing.T) {
	h := startHub(t)
	ctx := context.Background()
	token, _, err := democlient.SignInAgent(ctx, h.Admin())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cache.db")
	client := remote.NewHubClient(h.URL(), token)
	rec := &seqRecorder{}
	c, err := cache.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	stop := runEngine(t, c, client, rec)
	from := settle(t, h)
	testkit.Eventually(t, "the first sync", func() bool { s, _ := c.Seq(ctx); return s >= from })
	stop()
	c.Close()
	from, _ = func() (int64, error) { c, _ := cache.Open(ctx, path); defer c.Close(); return c.Seq(ctx) }()

	for i := range 150 {
		phone := fmt.Sprintf("4479110%05d", i%30)
		if _, err := h.Raw().CustomerSend(phone, sandbox.InboundMessage{Type: "text", Text: fmt.Sprintf("while closed %03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	total := settle(t, h)
	rec.seqs = nil
	// Kill the sync (and close the cache file) at growing intervals, as a
	// crash or a closed lid would, until the replay completes.
	rounds := 0
	for ; ; rounds++ {
		c, err := cache.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		stop := runEngine(t, c, client, rec)
		time.Sleep(time.Duration(10+rounds*10) * time.Millisecond)
		stop()
		seq, _ := c.Seq(ctx)
		if seq >= total {
			compareMessages(t, h, c)
			c.Close()
			break
		}
		c.Close()
		if rounds > 200 {
			t.Fatal("the replay never completed")
		}
	}
	rec.mu.Lock()
	seqs := append([]int64(nil), rec.seqs...)
	rec.mu.Unlock()
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("event %d applied after %d: repeated or out of order", seqs[i], seqs[i-1])
		}
	}
	if len(seqs) == 0 || seqs[0] <= from {
		t.Fatalf("replay started at %v, cache was at %d", seqs[:min(1, len(seqs))], from)
	}
	t.Logf("%d events applied across %d restarts", len(seqs), rounds+1)
}

// compareMessages checks every message of every conversation the hub has
// is cached.
func compareMessages(t *testing.T, h *demo.Hub, c *cache.Cache) {
	t.Helper()
	ctx := context.Background()
	n := 0
	cursor := ""
	for {
		page, err := h.Admin().QueryMessages(ctx, hubclient.MessageQuery{Cursor: cursor, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Items {
			got, err := c.Message(ctx, m.ID)
			if err != nil {
				t.Fatalf("message %d (%q) is not in the cache", m.ID, m.Preview)
			}
			if got.Status != m.Status {
				t.Fatalf("message %d: cache says %s, hub says %s", m.ID, got.Status, m.Status)
			}
			n++
		}
		if !page.HasMore {
			break
		}
		cursor = page.NextCursor
	}
	if n == 0 {
		t.Fatal("the hub has no messages")
	}
}

type events struct {
	mu    sync.Mutex
	count map[string]int
}

func (e *events) Emit(name string, _ any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.count == nil {
		e.count = map[string]int{}
	}
	e.count[name]++
}

func (e *events) n(name string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count[name]
}

func openConsole(t *testing.T, dir string, opts desktop.Options) *desktop.Console {
	t.Helper()
	opts.DataDir, opts.Log = dir, quiet
	opts.Sync = syncer.Config{MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	opts.Outbox = outbox.Config{MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, SendTimeout: 3 * time.Second}
	con, err := desktop.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return con
}

func outbound(t *testing.T, h *demo.Hub, phone string) []domain.Message {
	t.Helper()
	page, err := h.Admin().QueryMessages(context.Background(), hubclient.MessageQuery{Phone: phone, Direction: "outbound", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func TestSendInterruptedAtEveryPointIsSentOnce(t *testing.T) {
	h := startHub(t)
	p := startProxy(t, h)
	ctx := context.Background()
	token, _, err := democlient.SignInAgent(ctx, h.Admin())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	con := openConsole(t, dir, desktop.Options{})
	defer func() { con.Close() }()
	if _, err := con.SignInWithToken(ctx, p.URL(), token); err != nil {
		t.Fatal(err)
	}
	phone := "+447911123456"
	// A simulated customer: it reads what the agent sends.
	if err := controls(t, h).CustomerSays(phone, "Olu", "is my order shipped?"); err != nil {
		t.Fatal(err)
	}
	var conv domain.Conversation
	testkit.Eventually(t, "the customer's conversation", func() bool {
		res, _ := con.Search(ctx, "7911123456", 5)
		if len(res.Conversations) == 1 {
			conv = res.Conversations[0]
			return conv.WindowExpiresAt != nil
		}
		return false
	})

	t.Run("the hub acted but its answer was lost", func(t *testing.T) {
		p.DropAnswers(true)
		cuts := p.Cuts.Load()
		if _, err := con.SendText(ctx, conv.ID, "answer lost twice", nil); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "two lost answers", func() bool { return p.Cuts.Load() >= cuts+2 })
		p.DropAnswers(false)
		con.Reconnect(ctx)
		testkit.Eventually(t, "the outbox to empty", func() bool { items, _ := con.Outbox(ctx); return len(items) == 0 })
		if n := count(outbound(t, h, phone), "answer lost twice"); n != 1 {
			t.Fatalf("the hub has %d copies", n)
		}
	})

	t.Run("the console died mid-request", func(t *testing.T) {
		p.DropAnswers(true)
		cuts := p.Cuts.Load()
		if _, err := con.SendText(ctx, conv.ID, "console killed", nil); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "the request to reach the hub", func() bool { return p.Cuts.Load() > cuts })
		con.Close()
		p.DropAnswers(false)
		con = openConsole(t, dir, desktop.Options{})
		if err := con.Start(ctx); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "the outbox to empty", func() bool { items, _ := con.Outbox(ctx); return len(items) == 0 })
		if n := count(outbound(t, h, phone), "console killed"); n != 1 {
			t.Fatalf("the hub has %d copies", n)
		}
	})

	t.Run("offline before the request", func(t *testing.T) {
		p.SetDown(true)
		it, err := con.SendText(ctx, conv.ID, "written offline", nil)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		view, _ := con.OpenConversation(ctx, conv.ID)
		if len(view.Pending) != 1 || view.Pending[0].Key != it.Key {
			t.Fatalf("pending = %+v", view.Pending)
		}
		if n := count(outbound(t, h, phone), "written offline"); n != 0 {
			t.Fatal("sent while offline?")
		}
		p.SetDown(false)
		con.Reconnect(ctx)
		testkit.Eventually(t, "the outbox to empty", func() bool { items, _ := con.Outbox(ctx); return len(items) == 0 })
		if n := count(outbound(t, h, phone), "written offline"); n != 1 {
			t.Fatalf("the hub has %d copies", n)
		}
	})

	// The sandbox customer read everything: the ticks reach "read" in the
	// cache through the stream.
	testkit.Eventually(t, "read ticks", func() bool {
		view, err := con.OpenConversation(ctx, conv.ID)
		if err != nil {
			return false
		}
		reads := 0
		for _, m := range view.Messages {
			if m.Direction == domain.Outbound && m.Status == domain.MsgRead {
				reads++
			}
		}
		return reads == 3
	})
}

func count(msgs []domain.Message, preview string) int {
	n := 0
	for _, m := range msgs {
		if m.Preview == preview {
			n++
		}
	}
	return n
}

func TestFirstRunIsALiveInbox(t *testing.T) {
	dir := t.TempDir()
	ev := &events{}
	cfg := testConfig("")
	cfg.FirstRunMessages = 6
	opts := desktop.Options{Emit: ev, StartDemoHub: democlienttest.Starter(cfg), DevControls: true}
	con := openConsole(t, dir, opts)
	defer func() { con.Close() }()
	ctx := context.Background()
	if err := con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := con.Status(ctx)
	if !st.SignedIn || st.Mode != desktop.ModeDemo || st.User == nil || st.User.Email != democlient.AgentEmail {
		t.Fatalf("status = %+v", st)
	}
	testkit.Eventually(t, "the first-run conversations", func() bool {
		n, _ := con.InboxCounts(ctx, "")
		return n.Unassigned.Unanswered >= 1 && n.All.Total >= 1
	})

	// A customer writes; the agent answers; the window closes by the
	// sandbox clock and the composer must use a template.
	if err := con.SandboxCustomerSays(ctx, "+4791234567", "Ingrid Johansson", "Do you ship to Norway?"); err != nil {
		t.Fatal(err)
	}
	var conv domain.Conversation
	testkit.Eventually(t, "the new conversation", func() bool {
		res, _ := con.Search(ctx, "Ingrid", 5)
		if len(res.Conversations) == 1 && res.Conversations[0].Unanswered {
			conv = res.Conversations[0]
			return true
		}
		return false
	})
	if _, err := con.SendText(ctx, conv.ID, "Yes, in 3 days.", nil); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the reply read", func() bool {
		view, _ := con.OpenConversation(ctx, conv.ID)
		last := view.Messages[len(view.Messages)-1]
		return last.Direction == domain.Outbound && last.Status == domain.MsgRead && !view.Conversation.Unanswered
	})
	if _, err := con.SandboxAdvance(ctx, 25*3600); err != nil {
		t.Fatal(err)
	}
	view, _ := con.OpenConversation(ctx, conv.ID)
	if view.WindowOpen {
		t.Fatal("the window is still open 25 hours later")
	}
	if _, err := con.SendText(ctx, conv.ID, "too late", nil); err == nil {
		t.Fatal("a free-form message was accepted with the window closed")
	}
	form, err := con.TemplateForm(ctx, "order_update", "en_US", nil)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, f := range form.Fields {
		vars[f.Key] = f.Example
	}
	if form, _ = con.TemplateForm(ctx, "order_update", "en_US", vars); !form.Sendable {
		t.Fatalf("form with the examples: %+v", form)
	}
	if _, err := con.SendTemplate(ctx, conv.ID, "order_update", "en_US", vars); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the template delivered", func() bool {
		view, _ := con.OpenConversation(ctx, conv.ID)
		last := view.Messages[len(view.Messages)-1]
		return last.Type == "template" && last.Status == domain.MsgRead
	})

	// Restart: the same demo hub and cache, no new snapshot.
	resets := ev.n(syncer.EventCacheReset)
	con.Close()
	con = openConsole(t, dir, opts)
	if err := con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "online again", func() bool { st, _ := con.Status(ctx); return st.Sync.State == syncer.StateOnline })
	if got := ev.n(syncer.EventCacheReset); got != resets {
		t.Fatalf("restart took %d new snapshots", got-resets)
	}
	if res, _ := con.Search(ctx, "Ingrid", 5); len(res.Conversations) != 1 {
		t.Fatal("the conversation is gone after a restart")
	}
}

var _ = io.Discard

func TestSandboxCanTakeTheHubOffline(t *testing.T) {
	dir := t.TempDir()
	opts := desktop.Options{StartDemoHub: democlienttest.Starter(testConfig("")), DevControls: true}
	con := openConsole(t, dir, opts)
	defer con.Close()
	ctx := context.Background()
	if err := con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := con.SandboxCustomerSays(ctx, "+447700900456", "Léa Rossi", "Bonjour !"); err != nil {
		t.Fatal(err)
	}
	var conv domain.Conversation
	testkit.Eventually(t, "the conversation", func() bool {
		res, _ := con.Search(ctx, "Léa", 5)
		if len(res.Conversations) == 1 {
			conv = res.Conversations[0]
			return true
		}
		return false
	})
	if _, err := con.SandboxSetHubOnline(ctx, false); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "offline", func() bool { st, _ := con.Status(ctx); return st.Sync.State == syncer.StateOffline })
	if _, err := con.SendText(ctx, conv.ID, "sent from the train", nil); err != nil {
		t.Fatal(err)
	}
	// The customer keeps writing while the console is away.
	if err := con.SandboxCustomerSays(ctx, "+447700900456", "Léa Rossi", "Vous êtes là ?"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if items, _ := con.Outbox(ctx); len(items) != 1 {
		t.Fatalf("outbox = %+v", items)
	}
	if _, err := con.SandboxSetHubOnline(ctx, true); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "delivered and caught up", func() bool {
		items, _ := con.Outbox(ctx)
		res, _ := con.Search(ctx, "là", 5)
		return len(items) == 0 && len(res.Messages) == 1
	})
}

// controls are the sandbox controls the console uses, over HTTP.
func controls(t *testing.T, h *demo.Hub) *democlient.Hub {
	t.Helper()
	d, err := democlienttest.Attach(context.Background(), h, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
