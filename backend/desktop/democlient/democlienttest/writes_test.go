package democlienttest_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"switchboard/backend/desktop"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/democlient"
	"switchboard/backend/desktop/outbox"
	"switchboard/backend/domain"
	"switchboard/backend/testkit"
	"switchboard/backend/wire"
)

// notices records the console's outbox.reconciled events.
type notices struct {
	mu  sync.Mutex
	got []outbox.Reconciled
}

func (n *notices) Emit(event string, data any) {
	if r, ok := data.(outbox.Reconciled); ok && event == outbox.EventReconciled {
		n.mu.Lock()
		n.got = append(n.got, r)
		n.mu.Unlock()
	}
}

func (n *notices) list() []outbox.Reconciled {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]outbox.Reconciled(nil), n.got...)
}

func lastInbound(t *testing.T, con *desktop.Console, convID int64) domain.Message {
	t.Helper()
	view, err := con.OpenConversation(context.Background(), convID)
	if err != nil {
		t.Fatal(err)
	}
	var in domain.Message
	for _, m := range view.Messages {
		if m.Direction == domain.Inbound {
			in = m
		}
	}
	if in.ID == 0 {
		t.Fatal("no customer message")
	}
	return in
}

// Every write an agent makes offline — a note, an assignment, a reaction,
// a close, a read mark — shows at once, survives a restart of the console
// while still offline, and reaches the real hub exactly once, in order,
// when it is back, even when the hub's answers are lost on the way.
func TestEveryWriteMadeOfflineReachesTheHubOnce(t *testing.T) {
	h, graph := startCountedHub(t)
	p := startProxy(t, h)
	// In front of the cut-able link, a proxy that will lose the hub's
	// answers.
	dropper, hubURL := newAnswerDropper(t, p.URL(), map[string]int{})
	ctx := context.Background()
	token, me, err := democlient.SignInAgent(ctx, h.Admin())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	con := openConsole(t, dir, desktop.Options{})
	if _, err := con.SignInWithToken(ctx, hubURL, token); err != nil {
		t.Fatal(err)
	}
	conv := customerConversation(t, h, con, "+447911000222", "Bea")
	in := lastInbound(t, con, conv.ID)
	testkit.Eventually(t, "the message unread", func() bool {
		c, _ := con.Conversation(ctx, conv.ID)
		return c.UnreadCount > 0
	})
	readsBefore := graph.count("POST messages")

	p.SetDown(true)
	closed := domain.StatusClosed
	if _, err := con.AddNote(ctx, conv.ID, "Wants the blue one, not the red"); err != nil {
		t.Fatal(err)
	}
	if _, err := con.UpdateConversation(ctx, conv.ID, wire.ConversationPatch{AssigneeID: &me.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := con.React(ctx, conv.ID, in.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	if err := con.MarkRead(ctx, conv.ID); err != nil {
		t.Fatal(err)
	}
	shown, err := con.UpdateConversation(ctx, conv.ID, wire.ConversationPatch{Status: &closed})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		c, err := con.Conversation(ctx, conv.ID)
		if err != nil || c.Status != domain.StatusClosed || c.AssigneeID == nil || *c.AssigneeID != me.ID || c.UnreadCount != 0 {
			t.Fatalf("%s: the conversation shows %+v, %v; want closed, mine, read", when, c, err)
		}
		page, _ := con.Inbox(ctx, cache.InboxQuery{Tab: cache.TabMine, Status: domain.StatusClosed})
		if len(page.Conversations) != 1 {
			t.Fatalf("%s: the Mine/closed tab has %d conversations", when, len(page.Conversations))
		}
		items, _ := con.OutboxOf(ctx, conv.ID)
		var kinds []string
		for _, it := range items {
			kinds = append(kinds, string(it.Kind))
		}
		if strings.Join(kinds, ",") != "note,conversation,reaction,read,conversation" {
			t.Fatalf("%s: pending writes %v", when, kinds)
		}
	}
	if shown.Status != domain.StatusClosed {
		t.Fatalf("UpdateConversation answered %s", shown.Status)
	}
	check("offline")

	// The console restarts while still offline: everything is still there.
	con.Close()
	con = openConsole(t, dir, desktop.Options{})
	defer con.Close()
	if err := con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	check("after a restart")

	// Back online through a link that loses the first answer to every
	// write after the hub acted on it.
	convPath := "/v1/conversations/" + strconv.FormatInt(conv.ID, 10)
	dropper.mu.Lock()
	dropper.drops = map[string]int{"PATCH " + convPath: 2, "POST " + convPath + "/notes": 1, "POST /v1/messages": 1,
		"POST /v1/messages/" + strconv.FormatInt(in.ID, 10) + "/read": 1}
	dropper.mu.Unlock()
	p.SetDown(false)
	con.Reconnect(ctx)
	testkit.Eventually(t, "the outbox to empty", func() bool { items, _ := con.Outbox(ctx); return len(items) == 0 })
	if n := dropper.count("POST " + convPath + "/notes"); n < 2 {
		t.Fatalf("the note was sent %d times; the lost answer was not retried", n)
	}

	notes, err := h.Admin().Notes(ctx, conv.ID)
	if err != nil || len(notes) != 1 || notes[0].Body != "Wants the blue one, not the red" || notes[0].AuthorID != me.ID {
		t.Fatalf("the hub has notes %+v, %v", notes, err)
	}
	hc, err := h.Admin().Conversation(ctx, conv.ID)
	if err != nil || hc.Status != domain.StatusClosed || hc.AssigneeID == nil || *hc.AssigneeID != me.ID || hc.UnreadCount != 0 {
		t.Fatalf("the hub has %+v, %v", hc.Conversation, err)
	}
	msg, err := h.Admin().Message(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	mine := 0
	for _, r := range msg.Reactions {
		if r.From == strconv.FormatInt(me.ID, 10) && r.Emoji == "👍" {
			mine++
		}
	}
	if mine != 1 {
		t.Fatalf("the hub has reactions %+v", msg.Reactions)
	}
	reactions := 0
	for _, m := range h.Raw().Messages("447911000222", 50) {
		if m.Direction == "outbound" && m.Type == "reaction" {
			reactions++
		}
	}
	// One reaction and one read receipt reached the Cloud API.
	if reactions != 1 {
		t.Fatalf("the customer got %d reactions", reactions)
	}
	if n := graph.count("POST messages") - readsBefore; n != 2 {
		t.Fatalf("%d requests reached the Cloud API's messages endpoint, want 2 (one reaction, one read receipt)", n)
	}
	// The console shows the hub's state, nothing pending.
	c, _ := con.Conversation(ctx, conv.ID)
	if c.Status != domain.StatusClosed || *c.AssigneeID != me.ID {
		t.Fatalf("the console shows %+v", c)
	}
}

// A change made offline to a conversation that someone else took in the
// meantime is refused by the hub: the console keeps the hub's answer,
// rolls its change back and tells the agent in words; a note keeps its
// text.
func TestWriteRefusedByTheHubIsRolledBackAndExplained(t *testing.T) {
	h := startHub(t)
	p := startProxy(t, h)
	ctx := context.Background()
	token, me, err := democlient.SignInAgent(ctx, h.Admin())
	if err != nil {
		t.Fatal(err)
	}
	rec := &notices{}
	con := openConsole(t, t.TempDir(), desktop.Options{Emit: rec})
	defer con.Close()
	if _, err := con.SignInWithToken(ctx, p.URL(), token); err != nil {
		t.Fatal(err)
	}
	conv := customerConversation(t, h, con, "+447911000333", "Cy")

	p.SetDown(true)
	closed := domain.StatusClosed
	if _, err := con.UpdateConversation(ctx, conv.ID, wire.ConversationPatch{Status: &closed}); err != nil {
		t.Fatal(err)
	}
	if _, err := con.AddNote(ctx, conv.ID, "call back at 5"); err != nil {
		t.Fatal(err)
	}
	// Meanwhile a supervisor gives the conversation to a colleague.
	email, name, role, pw := "maria@example.com", "Maria", domain.RoleAgent, "correct horse battery"
	maria, err := h.Admin().PutUser(ctx, wire.UserInput{Email: &email, Name: &name, Role: &role, Password: &pw})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Admin().PatchConversation(ctx, "", conv.ID, wire.ConversationPatch{AssigneeID: &maria.ID}); err != nil {
		t.Fatal(err)
	}
	if maria.ID == me.ID {
		t.Fatal("same user")
	}

	p.SetDown(false)
	con.Reconnect(ctx)
	testkit.Eventually(t, "the agent to be told", func() bool { return len(rec.list()) == 2 })
	got := rec.list()
	if got[0].Kind != cache.KindConversation || !strings.Contains(got[0].Message, "Close") ||
		!strings.Contains(got[0].Message, "someone else") || strings.Contains(got[0].Message, "NOT_FOUND") {
		t.Fatalf("the close's notice: %+v", got[0])
	}
	if got[1].Kind != cache.KindNote || !strings.Contains(got[1].Message, "call back at 5") {
		t.Fatalf("the note's notice: %+v", got[1])
	}
	// The hub's answer stands: the conversation is Maria's and open.
	hc, err := h.Admin().Conversation(ctx, conv.ID)
	if err != nil || hc.Status == domain.StatusClosed || hc.AssigneeID == nil || *hc.AssigneeID != maria.ID {
		t.Fatalf("the hub has %+v, %v", hc.Conversation, err)
	}
	// No overlay is left; the note stays, failed, with its text.
	items, _ := con.Outbox(ctx)
	if len(items) != 1 || items[0].Kind != cache.KindNote || items[0].State != cache.OutboxFailed || items[0].Note.Body != "call back at 5" {
		t.Fatalf("outbox: %+v", items)
	}
	if c, err := con.Conversation(ctx, conv.ID); err == nil && c.Status == domain.StatusClosed {
		t.Fatalf("the console still shows the refused close: %+v", c)
	}
}
