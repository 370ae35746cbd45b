package outbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/internal/memhub"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

type recorder struct {
	mu      sync.Mutex
	updates []Update
}

func (r *recorder) Emit(event string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := data.(Update); ok {
		r.updates = append(r.updates, u)
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type rig struct {
	path  string
	cache *cache.Cache
	hub   *memhub.Hub
	rec   *recorder
	w     *Worker
	stop  func()
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{path: filepath.Join(t.TempDir(), "c.db"), hub: memhub.New(), rec: &recorder{}}
	r.open(t)
	t.Cleanup(func() { r.close() })
	return r
}

// open (re)starts the console side: the cache file and a worker.
func (r *rig) open(t *testing.T) { r.openWith(t, nil) }

// openWith is open with a change to the worker's configuration.
func (r *rig) openWith(t *testing.T, tweak func(*Config)) {
	t.Helper()
	c, err := cache.Open(context.Background(), r.path)
	if err != nil {
		t.Fatal(err)
	}
	r.cache = c
	cfg := Config{Cache: c, Hub: r.hub, Emit: r.rec, Log: quiet, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	r.w = New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.w.Run(ctx); close(done) }()
	r.stop = func() { cancel(); <-done }
}

func (r *rig) close() {
	if r.stop != nil {
		r.stop()
		r.stop = nil
		r.cache.Close()
	}
}

func (r *rig) waitEmpty(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		items, _ := r.cache.Outbox(context.Background(), 0)
		if len(items) == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	items, _ := r.cache.Outbox(context.Background(), 0)
	t.Fatalf("outbox still holds %+v", items)
}

func (r *rig) openConversation() domain.Conversation {
	conv := r.hub.AddConversation("Ana", "+15550001111")
	r.hub.CustomerSays(conv.ID, "hi")
	return conv
}

func TestOfflineMessageIsSentOnceWhenTheHubIsBack(t *testing.T) {
	r := newRig(t)
	conv := r.openConversation()
	r.hub.SetDown(true)
	it, err := r.w.Enqueue(context.Background(), TextRequest(conv.ID, "sent while offline", nil), "sent while offline")
	if err != nil {
		t.Fatal(err)
	}
	// While offline the item goes back and forth between sending (an
	// attempt) and pending (waiting, with the reason), never failed.
	var items []cache.OutboxItem
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		items, _ = r.cache.Outbox(context.Background(), conv.ID)
		if len(items) == 1 && items[0].State == cache.OutboxPending && items[0].Attempts >= 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if len(items) != 1 || items[0].State != cache.OutboxPending || items[0].Error == nil || items[0].Error.Code != apierr.HubUnreachable {
		t.Fatalf("while offline: %+v", items)
	}
	r.hub.SetDown(false)
	r.w.Wake()
	r.waitEmpty(t)
	out := r.hub.Outbound()
	if len(out) != 1 {
		t.Fatalf("hub has %d outbound messages, want 1", len(out))
	}
	if _, err := r.cache.Message(context.Background(), out[0].ID); err != nil {
		t.Fatal("the accepted message is not in the cache")
	}
	// The announcement follows the commit.
	var last Update
	deadline = time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && last.Sent == nil {
		r.rec.mu.Lock()
		last = r.rec.updates[len(r.rec.updates)-1]
		r.rec.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	if last.Sent == nil || last.Sent.ID != out[0].ID || last.Pending != 0 || len(last.Items) != 0 {
		t.Fatalf("last update = %+v", last)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(it.Key) {
		t.Fatalf("key %q is not a UUID v4", it.Key)
	}
}

func TestLostResponsesDoNotDuplicate(t *testing.T) {
	r := newRig(t)
	conv := r.openConversation()
	r.hub.LoseSendResponses(3)
	if _, err := r.w.Enqueue(context.Background(), TextRequest(conv.ID, "exactly once", nil), "exactly once"); err != nil {
		t.Fatal(err)
	}
	r.waitEmpty(t)
	if n := len(r.hub.Outbound()); n != 1 {
		t.Fatalf("hub created %d messages, want 1", n)
	}
	if calls := r.hub.SendCalls(); calls != 4 {
		t.Fatalf("%d send calls, want 4 (3 lost answers + 1)", calls)
	}
}

func TestKilledMidSendResendsWithTheSameKey(t *testing.T) {
	r := newRig(t)
	conv := r.openConversation()
	// The console dies while the request is at the hub: the hub still
	// creates the message, the console never hears back.
	var once sync.Once
	killed := make(chan struct{})
	r.hub.OnSend(func() { once.Do(func() { close(killed) }) })
	if _, err := r.w.Enqueue(context.Background(), TextRequest(conv.ID, "interrupted", nil), "interrupted"); err != nil {
		t.Fatal(err)
	}
	<-killed
	r.hub.SetDown(false)
	r.close()
	r.hub.OnSend(nil)
	// What the dead console left behind.
	c, _ := cache.Open(context.Background(), r.path)
	items, _ := c.Outbox(context.Background(), 0)
	c.Close()
	if len(items) == 1 && items[0].State != cache.OutboxSending {
		t.Fatalf("left behind: %+v", items)
	}
	r.open(t)
	r.waitEmpty(t)
	if n := len(r.hub.Outbound()); n != 1 {
		t.Fatalf("hub created %d messages, want 1", n)
	}
}

func TestRefusalIsShownAndRetryable(t *testing.T) {
	r := newRig(t)
	conv := r.hub.AddConversation("Bruno", "+15550002222") // customer never wrote: window closed
	it, err := r.w.Enqueue(context.Background(), TextRequest(conv.ID, "hello?", nil), "hello?")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	var items []cache.OutboxItem
	for time.Now().Before(deadline) {
		items, _ = r.cache.Outbox(context.Background(), conv.ID)
		if len(items) == 1 && items[0].State == cache.OutboxFailed {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if len(items) != 1 || items[0].State != cache.OutboxFailed || items[0].Error.Code != apierr.SessionExpired {
		t.Fatalf("items = %+v", items)
	}
	// A template is allowed outside the window; the failed text waits for
	// the agent.
	tpl := wire.SendRequest{ConversationID: conv.ID, Type: "template",
		Template: &wire.TemplateRequest{Name: "order_ready", Language: "en_US", Variables: wire.StringVariables(map[string]string{"1": "Bruno"})}}
	if _, err := r.w.Enqueue(context.Background(), tpl, "order_ready"); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && len(r.hub.Outbound()) == 0 {
		time.Sleep(2 * time.Millisecond)
	}
	if out := r.hub.Outbound(); len(out) != 1 || out[0].Type != "template" {
		t.Fatalf("outbound = %+v", out)
	}
	r.hub.CustomerSays(conv.ID, "yes?")
	if _, err := r.w.Retry(context.Background(), it.Key); err != nil {
		t.Fatal(err)
	}
	r.waitEmpty(t)
	if out := r.hub.Outbound(); len(out) != 2 || out[1].Preview != "hello?" {
		t.Fatalf("outbound = %+v", out)
	}
}

func TestQueuedOfflineMessagesKeepTheirOrder(t *testing.T) {
	r := newRig(t)
	conv := r.openConversation()
	r.hub.SetDown(true)
	for i := range 20 {
		body := fmt.Sprintf("line %02d", i)
		if _, err := r.w.Enqueue(context.Background(), TextRequest(conv.ID, body, nil), body); err != nil {
			t.Fatal(err)
		}
	}
	r.hub.SetDown(false)
	r.w.Wake()
	r.waitEmpty(t)
	out := r.hub.Outbound()
	if len(out) != 20 {
		t.Fatalf("%d sent", len(out))
	}
	for i, m := range out {
		if want := fmt.Sprintf("line %02d", i); m.Preview != want {
			t.Fatalf("message %d is %q, want %q", i, m.Preview, want)
		}
	}
}
