package cache

import (
	"context"
	"testing"
	"time"

	"switchboard/backend/desktop/internal/fixture"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// A pending change shows over the hub's copy: a newer copy from the hub
// (a customer wrote) keeps the change on screen, the hub's answer
// completes it, and dropping a refused change rolls it back to the hub's
// copy with the other pending changes still applied.
func TestPendingChangesOverlayTheHubsCopy(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	conv := fixture.Conversation(1) // open, assigned to agent 2, unread 0
	conv.UnreadCount = 3
	if err := c.UpsertConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	closed := domain.StatusClosed
	me := int64(7)
	closeIt, err := c.EnqueueWrite(ctx, "k-close", KindConversation, 1, wire.ConversationPatch{Status: &closed}, "Close")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnqueueWrite(ctx, "k-take", KindConversation, 1, wire.ConversationPatch{AssigneeID: &me}, "Assign to me"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnqueueWrite(ctx, "k-read", KindRead, 1, ReadWrite{MessageID: 1000}, "Mark read"); err != nil {
		t.Fatal(err)
	}
	shows := func(when string, status domain.ConversationStatus, assignee int64, unread int) {
		t.Helper()
		got, err := c.Conversation(ctx, 1)
		if err != nil || got.Status != status || got.AssigneeID == nil || *got.AssigneeID != assignee || got.UnreadCount != unread {
			t.Fatalf("%s: shows %s/%v/%d (%v); want %s/%d/%d", when, got.Status, got.AssigneeID, got.UnreadCount, err, status, assignee, unread)
		}
		page, err := c.Inbox(ctx, me, InboxQuery{Tab: TabMine, Status: status})
		if err != nil || (assignee == me) != (len(page.Conversations) == 1) {
			t.Fatalf("%s: the Mine/%s tab lists %d", when, status, len(page.Conversations))
		}
	}
	shows("queued", domain.StatusClosed, me, 0)

	// The customer writes: the hub's newer copy arrives, the changes stay.
	newer := conv
	newer.UnreadCount, newer.UpdatedAt = 4, conv.UpdatedAt.Add(time.Minute)
	if err := c.UpsertConversation(ctx, newer); err != nil {
		t.Fatal(err)
	}
	shows("after a newer hub copy", domain.StatusClosed, me, 0)

	// The hub refuses the close: it rolls back, the rest stays.
	if err := c.DropWrite(ctx, closeIt.Key); err != nil {
		t.Fatal(err)
	}
	shows("after the close was refused", domain.StatusOpen, me, 0)

	// The hub accepts the assignment and answers with its copy.
	answer := newer
	answer.AssigneeID, answer.UpdatedAt = &me, newer.UpdatedAt.Add(time.Minute)
	if err := c.CompleteConversation(ctx, "k-take", answer); err != nil {
		t.Fatal(err)
	}
	shows("after the assignment was accepted", domain.StatusOpen, me, 0)
	if err := c.CompleteWrite(ctx, "k-read"); err != nil {
		t.Fatal(err)
	}
	// Nothing pending: the row is the hub's copy (unread until the stream
	// brings the read conversation).
	shows("with nothing pending", domain.StatusOpen, me, 4)
	if items, _ := c.Outbox(ctx, 0); len(items) != 0 {
		t.Fatalf("outbox: %+v", items)
	}
}

// Every kind round-trips through the outbox table with its payload.
func TestWriteKindsRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	if err := c.UpsertConversation(ctx, fixture.Conversation(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnqueueWrite(ctx, "n", KindNote, 1, NoteWrite{Body: "VIP"}, "VIP"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnqueueWrite(ctx, "r", KindReaction, 1, ReactionWrite{MessageID: 1000, Emoji: "👍"}, "👍"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnqueueWrite(ctx, "u", KindConversation, 1, wire.ConversationPatch{Unassign: true}, "Unassign"); err != nil {
		t.Fatal(err)
	}
	items, err := c.Outbox(ctx, 1)
	if err != nil || len(items) != 3 {
		t.Fatalf("outbox: %+v %v", items, err)
	}
	if items[0].Kind != KindNote || items[0].Note.Body != "VIP" ||
		items[1].Kind != KindReaction || items[1].Reaction.Emoji != "👍" || items[1].Reaction.MessageID != 1000 ||
		items[2].Kind != KindConversation || !items[2].Patch.Unassign {
		t.Fatalf("items: %+v %+v %+v", items[0], items[1], items[2])
	}
	next, ok, err := c.NextOutbox(ctx)
	if err != nil || !ok || next.Key != "n" {
		t.Fatalf("next: %+v %v %v", next, ok, err)
	}
	if got, _ := c.Conversation(ctx, 1); got.AssigneeID != nil {
		t.Fatalf("unassign not shown: %+v", got.AssigneeID)
	}
}
