package desktop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/internal/memhub"
	"switchboard/backend/desktop/outbox"
	"switchboard/backend/desktop/syncer"
	"switchboard/backend/domain"
	"switchboard/backend/testkit"
	"switchboard/backend/whatsapp"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// window records what the console asked of the window and the events it
// emitted, as app/'s Platform would.
type window struct {
	mu      sync.Mutex
	titles  []string
	notes   []string
	events  []string
	payload map[string]any
}

func (w *window) Emit(event string, data any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, event)
	if w.payload == nil {
		w.payload = map[string]any{}
	}
	w.payload[event] = data
}
func (w *window) SetTitle(t string) { w.mu.Lock(); w.titles = append(w.titles, t); w.mu.Unlock() }
func (w *window) Notify(title, body string) error {
	w.mu.Lock()
	w.notes = append(w.notes, title+": "+body)
	w.mu.Unlock()
	return nil
}
func (w *window) count(event string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.events {
		if e == event {
			n++
		}
	}
	return n
}

type rig struct {
	hub *memhub.Hub
	win *window
	con *Console
	dir string
}

func newRig(t *testing.T, hub *memhub.Hub) *rig {
	t.Helper()
	r := &rig{hub: hub, win: &window{}, dir: t.TempDir()}
	r.open(t)
	t.Cleanup(func() { r.con.Close() })
	return r
}

func (r *rig) open(t *testing.T) {
	t.Helper()
	con, err := Open(context.Background(), Options{DataDir: r.dir, Emit: r.win, Window: r.win, Log: quiet,
		Connect: func(string, string) Hub { return r.hub },
		Sync:    syncer.Config{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, IdleOnline: 20 * time.Millisecond},
		Outbox:  outbox.Config{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	r.con = con
}

func (r *rig) signIn(t *testing.T) {
	t.Helper()
	st, err := r.con.SignIn(context.Background(), "http://127.0.0.1:9", memhub.Email, memhub.Password)
	if err != nil {
		t.Fatal(err)
	}
	if !st.SignedIn || st.User.ID != 1 || st.Mode != ModeRemote {
		t.Fatalf("status = %+v", st)
	}
	r.waitSynced(t)
}

func (r *rig) waitSynced(t *testing.T) {
	t.Helper()
	testkit.Eventually(t, "the cache to reach the hub's seq", func() bool { seq, _ := r.con.Cache().Seq(context.Background()); return seq == r.hub.Seq() })
}

func TestSignInSyncsTheInboxAndTitle(t *testing.T) {
	hub := memhub.New()
	a := hub.AddConversation("Ana Silva", "+15550001111")
	hub.CustomerSays(a.ID, "where is my order?")
	hub.AddConversation("Bruno Costa", "+15550002222")
	r := newRig(t, hub)
	ctx := context.Background()

	t.Run("wrong password is a typed error", func(t *testing.T) {
		_, err := r.con.SignIn(ctx, "http://127.0.0.1:9", memhub.Email, "nope")
		if apierr.CodeOf(err) != apierr.Unauthorized {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a bad URL is refused before any request", func(t *testing.T) {
		_, err := r.con.SignIn(ctx, "ftp://x", memhub.Email, memhub.Password)
		if apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Fatalf("err = %v", err)
		}
	})
	r.signIn(t)
	page, err := r.con.Inbox(ctx, cache.InboxQuery{Tab: cache.TabUnassigned})
	if err != nil || len(page.Conversations) != 2 || page.Conversations[1].ID != a.ID {
		t.Fatalf("inbox = %+v, %v", page, err)
	}
	counts, _ := r.con.InboxCounts(ctx, "")
	if counts.Unassigned.Unanswered != 1 || counts.All.Total != 2 {
		t.Fatalf("counts = %+v", counts)
	}
	testkit.Eventually(t, "the title to count one", func() bool { return r.con.Title() == "(1) Switchboard" })
	r.win.mu.Lock()
	if len(r.win.titles) != 0 {
		t.Fatalf("the console set the title %q before the frontend handed it over", r.win.titles)
	}
	r.win.mu.Unlock()
	r.con.SetWindowFocused(true)
	testkit.Eventually(t, "the title set once on focus", func() bool {
		r.win.mu.Lock()
		defer r.win.mu.Unlock()
		return len(r.win.titles) == 1 && r.win.titles[0] == "(1) Switchboard"
	})
	res, _ := r.con.Search(ctx, "order", 10)
	if len(res.Messages) != 0 {
		t.Log("history is fetched on open, so messages from before the snapshot are not searchable yet")
	}
}

func TestOfflineSendShowsPendingThenDelivers(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Ana", "+15550001111")
	hub.CustomerSays(conv.ID, "hello?")
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()
	hub.SetDown(true)
	it, err := r.con.SendText(ctx, conv.ID, "  we are on it  ", nil)
	if err != nil {
		t.Fatal(err)
	}
	if it.Preview != "we are on it" {
		t.Fatalf("preview = %q", it.Preview)
	}
	view, err := r.con.OpenConversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Pending) != 1 || view.Pending[0].Key != it.Key {
		t.Fatalf("pending = %+v", view.Pending)
	}
	st, _ := r.con.Status(ctx)
	if st.Pending != 1 {
		t.Fatalf("status pending = %d", st.Pending)
	}
	hub.SetDown(false)
	r.con.Reconnect(ctx)
	testkit.Eventually(t, "an empty outbox", func() bool { items, _ := r.con.Outbox(ctx); return len(items) == 0 })
	if out := hub.Outbound(); len(out) != 1 || out[0].Preview != "we are on it" {
		t.Fatalf("hub outbound = %+v", out)
	}
	r.waitSynced(t)
	view, _ = r.con.OpenConversation(ctx, conv.ID)
	if len(view.Pending) != 0 || view.Messages[len(view.Messages)-1].Preview != "we are on it" {
		t.Fatalf("after delivery: pending %d, last %+v", len(view.Pending), view.Messages[len(view.Messages)-1])
	}
}

func TestComposerRules(t *testing.T) {
	hub := memhub.New()
	closed := hub.AddConversation("Closed Window", "+15550003333")
	open := hub.AddConversation("Open Window", "+15550004444")
	hub.CustomerSays(open.ID, "hi")
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()

	cases := []struct {
		name string
		send func() error
		code apierr.Code
	}{
		{"empty text", func() error { _, err := r.con.SendText(ctx, open.ID, "   ", nil); return err }, apierr.ValidationFailed},
		{"too long", func() error {
			_, err := r.con.SendText(ctx, open.ID, string(make([]rune, whatsapp.MaxTextBody+1)), nil)
			return err
		}, apierr.ValidationFailed},
		{"window closed", func() error { _, err := r.con.SendText(ctx, closed.ID, "hello", nil); return err }, apierr.SessionExpired},
		{"unknown conversation", func() error { _, err := r.con.SendText(ctx, 999999, "hello", nil); return err }, apierr.NotFound},
		{"template missing a variable", func() error {
			_, err := r.con.SendTemplate(ctx, closed.ID, "order_ready", "en_US", nil)
			return err
		}, apierr.TemplateParamsMismatch},
		{"unknown template", func() error {
			_, err := r.con.SendTemplate(ctx, closed.ID, "nope", "en_US", nil)
			return err
		}, apierr.TemplateNotFound},
		{"template outside the window", func() error {
			_, err := r.con.SendTemplate(ctx, closed.ID, "order_ready", "en_US", map[string]string{"1": "Ana"})
			return err
		}, ""},
		{"image by link", func() error {
			_, err := r.con.SendMessage(ctx, open.ID, SendInput{Type: "image", Content: json.RawMessage(`{"link":"https://example.com/a.jpg","caption":"receipt"}`)})
			return err
		}, ""},
		{"text through SendMessage", func() error {
			_, err := r.con.SendMessage(ctx, open.ID, SendInput{Type: "text", Content: json.RawMessage(`{"body":"x"}`)})
			return err
		}, apierr.ValidationFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if code := apierr.CodeOf(tc.send()); code != tc.code {
				t.Fatalf("code = %q, want %q", code, tc.code)
			}
		})
	}
	testkit.Eventually(t, "two messages on the hub", func() bool { return len(hub.Outbound()) == 2 })
	out := hub.Outbound()
	if out[0].Type != "template" || out[1].Type != "image" {
		t.Fatalf("outbound = %+v", out)
	}
	form, err := r.con.TemplateForm(ctx, "order_ready", "en_US", map[string]string{"1": "Ana"})
	if err != nil || !form.Sendable || form.Preview.Body != "Hi Ana" || len(form.Fields) != 1 {
		t.Fatalf("form = %+v %v", form, err)
	}
}

func TestHistoryIsFetchedPageByPage(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Long Thread", "+15550005555")
	for i := range 230 {
		hub.CustomerSays(conv.ID, fmt.Sprintf("message %03d", i))
	}
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()
	// Two more arrive by the stream after the snapshot.
	hub.CustomerSays(conv.ID, "message 230")
	hub.CustomerSays(conv.ID, "message 231")
	r.waitSynced(t)

	view, err := r.con.OpenConversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, m := range view.Messages {
		got = append(got, m.Preview)
	}
	cursor, more := view.Cursor, view.HasMore
	for more {
		page, err := r.con.OlderMessages(ctx, conv.ID, cursor)
		if err != nil {
			t.Fatal(err)
		}
		older := []string{}
		for _, m := range page.Messages {
			older = append(older, m.Preview)
		}
		got = append(older, got...)
		cursor, more = page.Cursor, page.HasMore
	}
	if len(got) != 232 {
		t.Fatalf("read %d messages, want 232", len(got))
	}
	for i, p := range got {
		if want := fmt.Sprintf("message %03d", i); p != want {
			t.Fatalf("message %d = %q, want %q", i, p, want)
		}
	}
	// Offline, the fetched history stays readable and searchable.
	hub.SetDown(true)
	for q, want := range map[string]int{"message": cache.MaxSearchLimit, "007": 1, "231": 1} {
		res, _ := r.con.Search(ctx, q, 500)
		if len(res.Messages) != want {
			t.Fatalf("search %q found %d, want %d", q, len(res.Messages), want)
		}
	}
}

func TestNotificationsWhenUnfocused(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Ana", "+15550001111")
	r := newRig(t, hub)
	r.signIn(t)
	testkit.Eventually(t, "the console online", func() bool { return r.con.online() && r.con.sess.engine.Status().State == syncer.StateOnline })

	hub.CustomerSays(conv.ID, "focused: no notification")
	r.waitSynced(t)
	testkit.Eventually(t, "one message.created", func() bool { return r.win.count(domain.EventMessageCreated) == 1 })
	time.Sleep(30 * time.Millisecond) // the batch's OnApplied follows its emits
	r.con.SetWindowFocused(false)
	hub.CustomerSays(conv.ID, "unfocused: notify")
	hub.CustomerSays(conv.ID, "same burst: quiet")
	r.waitSynced(t)
	testkit.Eventually(t, "one notification", func() bool { r.win.mu.Lock(); defer r.win.mu.Unlock(); return len(r.win.notes) == 1 })
	time.Sleep(50 * time.Millisecond)
	r.win.mu.Lock()
	defer r.win.mu.Unlock()
	if len(r.win.notes) != 1 || r.win.notes[0] != "Ana: unfocused: notify" {
		t.Fatalf("notifications = %q", r.win.notes)
	}
}

func TestSignOutForgetsEverything(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Ana", "+15550001111")
	hub.CustomerSays(conv.ID, "hi")
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()
	if _, err := r.con.SaveDraft(ctx, conv.ID, "draft"); err != nil {
		t.Fatal(err)
	}
	st, err := r.con.SignOut(ctx)
	if err != nil || st.SignedIn {
		t.Fatalf("status = %+v %v", st, err)
	}
	if counts, _ := r.con.InboxCounts(ctx, ""); counts.All.Total != 0 {
		t.Fatal("conversations survived sign-out")
	}
	if _, err := r.con.SendText(ctx, conv.ID, "x", nil); apierr.CodeOf(err) != apierr.NotFound && apierr.CodeOf(err) != apierr.NotSignedIn {
		t.Fatalf("send after sign-out: %v", err)
	}
	if r.con.Title() != "Switchboard" {
		t.Fatalf("title = %q", r.con.Title())
	}
}

func TestRestartResumesTheSession(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Ana", "+15550001111")
	hub.CustomerSays(conv.ID, "hi")
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()
	hub.SetDown(true)
	if _, err := r.con.SendText(ctx, conv.ID, "queued before quitting", nil); err != nil {
		t.Fatal(err)
	}
	r.con.Close()
	hub.SetDown(false)
	hub.CustomerSays(conv.ID, "while the console was closed")

	r.open(t)
	if err := r.con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r.waitSynced(t)
	testkit.Eventually(t, "an empty outbox", func() bool { items, _ := r.con.Outbox(ctx); return len(items) == 0 })
	if n := len(hub.Outbound()); n != 1 {
		t.Fatalf("%d sent", n)
	}
	st, _ := r.con.Status(ctx)
	if !st.SignedIn || st.Mode != ModeRemote {
		t.Fatalf("status after restart = %+v", st)
	}
}

func TestConversationActions(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Ana", "+15550001111")
	hub.CustomerSays(conv.ID, "hi")
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()
	me := int64(1)
	closedStatus := domain.StatusClosed
	got, err := r.con.UpdateConversation(ctx, conv.ID, patchOf(&me, &closedStatus))
	if err != nil || got.Status != domain.StatusClosed || *got.AssigneeID != 1 {
		t.Fatalf("patch = %+v %v", got, err)
	}
	page, _ := r.con.Inbox(ctx, cache.InboxQuery{Tab: cache.TabMine, Status: domain.StatusClosed})
	if len(page.Conversations) != 1 {
		t.Fatal("the change is not in the cache at once")
	}
	if _, err := r.con.AddNote(ctx, conv.ID, "VIP customer"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the note", func() bool { view, _ := r.con.OpenConversation(ctx, conv.ID); return len(view.Notes) == 1 })
	if err := r.con.MarkRead(ctx, conv.ID); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the outbox to empty", func() bool { items, _ := r.con.Outbox(ctx); return len(items) == 0 })
	// Offline, a note waits in the outbox, shown as pending.
	hub.SetDown(true)
	it, err := r.con.AddNote(ctx, conv.ID, "offline")
	if err != nil || it.Kind != cache.KindNote || it.Note.Body != "offline" {
		t.Fatalf("offline note: %+v %v", it, err)
	}
	snooze := domain.StatusSnoozed
	if _, err := r.con.UpdateConversation(ctx, conv.ID, patchOf(nil, &snooze)); apierr.CodeOf(err) != apierr.ValidationFailed {
		t.Fatalf("snooze without a time: %v", err)
	}
}

func TestMediaIsCachedForOfflineAndSaved(t *testing.T) {
	hub := memhub.New()
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()
	home := t.TempDir()
	t.Setenv("HOME", home)
	f, err := r.con.Media(ctx, "m1")
	if err != nil || f.MimeType != "image/png" || f.URL[:22] != "data:image/png;base64," {
		t.Fatalf("media = %+v %v", f, err)
	}
	hub.SetDown(true)
	if again, err := r.con.Media(ctx, "m1"); err != nil || again.URL != f.URL {
		t.Fatalf("offline media = %v", err)
	}
	if _, err := r.con.Media(ctx, "m2"); apierr.CodeOf(err) != apierr.HubUnreachable {
		t.Fatalf("uncached media offline: %v", err)
	}
	for i, want := range []string{"invoice.png", "invoice (1).png"} {
		path, err := r.con.SaveMedia(ctx, "m1", "../../etc/invoice.png")
		if err != nil || path != home+"/Downloads/"+want {
			t.Fatalf("save %d = %q %v", i, path, err)
		}
	}
}

func TestConversationPatchFromTheFrontend(t *testing.T) {
	cases := []struct {
		json     string
		unassign bool
		assignee *int64
	}{
		{`{"assignee_id": null}`, true, nil},
		{`{"assignee_id": 7}`, false, ptr(int64(7))},
		{`{"status": "closed"}`, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.json, func(t *testing.T) {
			var p remoteConversationPatch
			if err := json.Unmarshal([]byte(tc.json), &p); err != nil {
				t.Fatal(err)
			}
			if p.Unassign != tc.unassign || (p.AssigneeID == nil) != (tc.assignee == nil) || (p.AssigneeID != nil && *p.AssigneeID != *tc.assignee) {
				t.Fatalf("patch = %+v", p)
			}
			body := p.Body()
			if v, ok := body["assignee_id"]; tc.unassign && (!ok || v != nil) {
				t.Fatalf("body = %v", body)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDemoHubThatCannotStartSaysWhy(t *testing.T) {
	missing := errors.New("switchboard-hub was not found beside the console or on PATH (build it with make hub, or set SWITCHBOARD_HUB_BIN)")
	con, err := Open(context.Background(), Options{DataDir: t.TempDir(), Emit: &window{}, Window: &window{}, Log: quiet,
		StartDemoHub: func(context.Context, string, *slog.Logger) (DemoHub, error) { return nil, missing }})
	if err != nil {
		t.Fatal(err)
	}
	defer con.Close()
	// The first start has no session: it tries the demo hub.
	err = con.Start(context.Background())
	if apierr.CodeOf(err) != apierr.Unavailable || !strings.Contains(apierr.As(err).Message, "make hub") {
		t.Fatalf("Start: %v", err)
	}
	_, err = con.UseDemoHub(context.Background())
	if apierr.CodeOf(err) != apierr.Unavailable || !strings.Contains(apierr.As(err).Message, "not found beside the console") {
		t.Fatalf("UseDemoHub: %v", err)
	}
	if st, _ := con.Status(context.Background()); st.SignedIn {
		t.Fatalf("signed in without a hub: %+v", st)
	}
}
