package syncer

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/internal/memhub"
	"switchboard/backend/domain"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type recorder struct {
	mu      sync.Mutex
	events  []string
	states  []State
	seqs    []int64
	removed []Removed
}

func (r *recorder) Emit(event string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
	switch d := data.(type) {
	case Status:
		r.states = append(r.states, d.State)
	case Removed:
		r.removed = append(r.removed, d)
	}
}

func (r *recorder) applied(evs []domain.Event, _ bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		r.seqs = append(r.seqs, e.Seq)
	}
}

func (r *recorder) count(event string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e == event {
			n++
		}
	}
	return n
}

func (r *recorder) appliedSeqs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.seqs...)
}

func openCache(t *testing.T, path string) *cache.Cache {
	t.Helper()
	c, err := cache.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// start runs an engine until the returned stop is called.
func start(t *testing.T, c *cache.Cache, hub *memhub.Hub, rec *recorder) (stop func()) {
	t.Helper()
	e := New(Config{Cache: c, Hub: hub, Emit: rec, Log: quiet, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond,
		BatchSize: 64, EmitLimit: 100, IdleOnline: 50 * time.Millisecond, OnApplied: rec.applied})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func waitSeq(t *testing.T, c *cache.Cache, want int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if seq, _ := c.Seq(context.Background()); seq >= want {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	seq, _ := c.Seq(context.Background())
	t.Fatalf("cache seq %d, want %d", seq, want)
}

// checkExactlyOnce asserts every seq in (from, to] was applied exactly once
// and in order.
func checkExactlyOnce(t *testing.T, seqs []int64, from, to int64) {
	t.Helper()
	if int64(len(seqs)) != to-from {
		t.Fatalf("applied %d events, want %d", len(seqs), to-from)
	}
	for i, s := range seqs {
		if s != from+int64(i)+1 {
			t.Fatalf("event #%d has seq %d, want %d: lost, repeated or out of order", i, s, from+int64(i)+1)
		}
	}
}

func TestSnapshotThenLive(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Ana Silva", "+15550001111")
	hub.CustomerSays(conv.ID, "hello")
	c := openCache(t, filepath.Join(t.TempDir(), "c.db"))
	defer c.Close()
	rec := &recorder{}
	stop := start(t, c, hub, rec)
	defer stop()

	waitSeq(t, c, hub.Seq())
	waitCount(t, rec, EventCacheReset, 1)
	got, err := c.Conversation(context.Background(), conv.ID)
	if err != nil || !got.Unanswered {
		t.Fatalf("conversation after snapshot: %+v %v", got, err)
	}
	m := hub.CustomerSays(conv.ID, "are you there?")
	waitSeq(t, c, hub.Seq())
	if _, err := c.Message(context.Background(), m.ID); err != nil {
		t.Fatal("live message not cached")
	}
	waitCount(t, rec, domain.EventMessageCreated, 1)
	deadline := time.Now().Add(5 * time.Second)
	for New(Config{}).backoff(0) >= 0 && time.Now().Before(deadline) {
		rec.mu.Lock()
		last := rec.states[len(rec.states)-1]
		rec.mu.Unlock()
		if last == StateOnline {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.states[0] != StateSyncing || rec.states[len(rec.states)-1] != StateOnline {
		t.Fatalf("states = %v", rec.states)
	}
}

// TestForwardsWhatTheConsoleFollows: a deleted conversation reaches the
// frontend as conversation.removed (never as conversation.deleted, which
// the views do not follow), and hub events no view shows only update the
// cache.
func TestForwardsWhatTheConsoleFollows(t *testing.T) {
	hub := memhub.New()
	gone := hub.AddConversation("Ana Silva", "+15550001111")
	stays := hub.AddConversation("Bo Chen", "+15550002222")
	c := openCache(t, filepath.Join(t.TempDir(), "c.db"))
	defer c.Close()
	rec := &recorder{}
	stop := start(t, c, hub, rec)
	defer stop()
	waitSeq(t, c, hub.Seq())
	waitCount(t, rec, EventCacheReset, 1)

	hub.DeleteConversation(gone.ID)
	hub.Announce(domain.EventAccountUpdated, domain.Account{ID: "acc1", DisplayPhoneNumber: "+1 555 000 0000"})
	hub.Announce("label.created", map[string]string{"name": "vip"}) // a newer hub's event
	hub.CustomerSays(stays.ID, "still here")
	waitSeq(t, c, hub.Seq())
	waitCount(t, rec, domain.EventMessageCreated, 1)

	waitCount(t, rec, EventConversationRemoved, 1)
	rec.mu.Lock()
	removed := rec.removed
	rec.mu.Unlock()
	if len(removed) != 1 || removed[0] != (Removed{ConversationID: gone.ID, Reason: "deleted"}) {
		t.Fatalf("removed: %+v", removed)
	}
	if _, err := c.Conversation(context.Background(), gone.ID); err == nil {
		t.Fatal("the deleted conversation is still cached")
	}
	for _, name := range []string{domain.EventConversationDeleted, domain.EventAccountUpdated, "label.created"} {
		if n := rec.count(name); n != 0 {
			t.Errorf("%s reached the frontend %d times; the views do not follow it", name, n)
		}
	}
}

func TestReplayCutRepeatedlyAppliesEveryEventOnce(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Bruno", "+15550002222")
	c := openCache(t, filepath.Join(t.TempDir(), "c.db"))
	defer c.Close()
	rec := &recorder{}
	stop := start(t, c, hub, rec)
	waitSeq(t, c, hub.Seq())
	stop()
	from := hub.Seq()

	// 1,500 events happen while the console is closed; every stream the
	// console opens is then cut after 37 events.
	for i := range 750 {
		hub.CustomerSays(conv.ID, "message "+string(rune('a'+i%26)))
	}
	hub.CutStreamsAfter(37)
	rec.seqs = nil
	stop = start(t, c, hub, rec)
	defer stop()
	waitSeq(t, c, hub.Seq())
	// OnApplied runs just after each batch commits: stop the engine (which
	// waits for it to return) so the last batch's report is in.
	stop()
	checkExactlyOnce(t, rec.appliedSeqs(), from, hub.Seq())
	if rec.count(StateOffline.event()) == 0 {
		t.Log("note: no offline state recorded")
	}
	page, err := c.Messages(context.Background(), conv.ID, "", 200)
	if err != nil || len(page.Messages) != 200 || !page.HasMore {
		t.Fatalf("cached %d messages, err %v", len(page.Messages), err)
	}
}

func (s State) event() string { return string(s) }

func TestKillAndRestartResumesExactly(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Chloé", "+15550003333")
	path := filepath.Join(t.TempDir(), "c.db")
	rec := &recorder{}
	c := openCache(t, path)
	stop := start(t, c, hub, rec)
	waitSeq(t, c, hub.Seq())
	stop()
	c.Close()
	from := hub.Seq()
	for i := range 1000 {
		hub.CustomerSays(conv.ID, "backlog "+string(rune('a'+i%26)))
	}
	total := hub.Seq()
	rec.seqs = nil
	// Kill the sync (and close the file) at arbitrary points of the replay,
	// as a crash or a closed laptop lid would, and start it again.
	for round := 0; ; round++ {
		c := openCache(t, path)
		stop := start(t, c, hub, rec)
		time.Sleep(time.Duration(5+round*4) * time.Millisecond)
		stop()
		seq, _ := c.Seq(context.Background())
		c.Close()
		if seq == total {
			break
		}
		if round > 500 {
			t.Fatal("replay never finished")
		}
	}
	// Every event after the first run was applied exactly once across all
	// the restarts.
	checkExactlyOnce(t, rec.appliedSeqs(), from, total)
}

func TestResyncWhenTheLogMovedOn(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Dmitri", "+15550004444")
	c := openCache(t, filepath.Join(t.TempDir(), "c.db"))
	defer c.Close()
	rec := &recorder{}
	stop := start(t, c, hub, rec)
	waitSeq(t, c, hub.Seq())
	stop()
	for range 10 {
		hub.CustomerSays(conv.ID, "while you were away")
	}
	hub.Trim(hub.Seq() - 2)
	stop = start(t, c, hub, rec)
	defer stop()
	waitSeq(t, c, hub.Seq())
	waitCount(t, rec, EventCacheReset, 2)
	got, _ := c.Conversation(context.Background(), conv.ID)
	if got.LastMessage == nil || got.LastMessage.Preview != "while you were away" {
		t.Fatalf("conversation after resync: %+v", got.LastMessage)
	}
}

func TestOfflineThenBack(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Esra", "+15550005555")
	c := openCache(t, filepath.Join(t.TempDir(), "c.db"))
	defer c.Close()
	rec := &recorder{}
	stop := start(t, c, hub, rec)
	defer stop()
	waitSeq(t, c, hub.Seq())
	hub.SetDown(true)
	waitState(t, rec, StateOffline)
	hub.SetDown(false)
	hub.CustomerSays(conv.ID, "back")
	waitSeq(t, c, hub.Seq())
	waitState(t, rec, StateOnline)
}

func waitState(t *testing.T, rec *recorder, want State) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		rec.mu.Lock()
		last := State("")
		if len(rec.states) > 0 {
			last = rec.states[len(rec.states)-1]
		}
		rec.mu.Unlock()
		if last == want {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("state never became %s (%v)", want, rec.states)
}

func TestBackoffGrowsWithJitterAndCaps(t *testing.T) {
	e := New(Config{MinBackoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second})
	for n, want := range []time.Duration{100, 200, 400, 800, 1600, 2000, 2000} {
		want *= time.Millisecond
		t.Run(want.String(), func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 50 {
				d := e.backoff(n)
				if d < want/2 || d > want {
					t.Fatalf("attempt %d: %v outside [%v, %v]", n, d, want/2, want)
				}
				seen[d] = true
			}
			if len(seen) < 5 {
				t.Fatalf("attempt %d: no jitter (%d distinct delays)", n, len(seen))
			}
		})
	}
	if d := e.backoff(200); d > 2*time.Second {
		t.Fatalf("attempt 200: %v", d)
	}
}

// waitCount waits until event was emitted exactly n times (emits follow the
// commit, so a test that saw the seq may be a moment early).
func waitCount(t *testing.T, rec *recorder, event string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && rec.count(event) < n {
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if got := rec.count(event); got != n {
		t.Fatalf("%s emitted %d times, want %d", event, got, n)
	}
}
