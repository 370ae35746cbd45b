package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// Every write the agent makes goes through the outbox table: a message
// (with or without a file), a note, a conversation change, a read mark, a
// reaction. An item is a write kind, its payload and the conversation it
// belongs to; the worker (package outbox) sends items in local_id order,
// so one conversation's writes reach the hub in the order they were made.
//
// Writes that change how a conversation looks (a change, a read mark) are
// shown at once by an overlay: the conversations row holds what the agent
// sees, the hub's last copy plus every pending overlay replayed in order,
// and hub_data the hub's own copy while any overlay is pending. A copy
// from the hub (the stream, a snapshot, an answer) replaces hub_data and
// the overlays are replayed on it, so a customer's message arriving while
// a close is pending does not undo the close on screen; dropping an item
// the hub refused replays the rest, which rolls its change back.
//
// Adding a write kind: a WriteKind constant and a payload type here (a
// field on OutboxItem, filled in by scanOutbox, so the window can show the
// pending write); overlayConversation when it changes how a conversation
// looks; and in package outbox an entry in its kinds table saying how the
// item is sent to the hub and how its answer is stored.

// WriteKind is the sort of write an outbox item carries.
type WriteKind string

// Write kinds.
const (
	// KindMessage sends a message to the customer (wire.SendRequest).
	KindMessage WriteKind = "message"
	// KindNote adds an internal note (NoteWrite).
	KindNote WriteKind = "note"
	// KindConversation changes status, snooze, assignee or team
	// (wire.ConversationPatch).
	KindConversation WriteKind = "conversation"
	// KindRead marks the customer's messages read up to one (ReadWrite).
	KindRead WriteKind = "read"
	// KindReaction reacts to a message, or removes the agent's reaction
	// with an empty emoji (ReactionWrite).
	KindReaction WriteKind = "reaction"
)

// NoteWrite is the payload of KindNote.
type NoteWrite struct {
	Body string `json:"body"`
}

// ReadWrite is the payload of KindRead.
type ReadWrite struct {
	// MessageID is the customer's latest message when the agent read it.
	MessageID int64 `json:"message_id"`
}

// ReactionWrite is the payload of KindReaction.
type ReactionWrite struct {
	// MessageID is the message reacted to.
	MessageID int64 `json:"message_id"`
	// Emoji is the reaction; empty removes the agent's reaction.
	Emoji string `json:"emoji"`
}

// overlayKinds are the kinds overlayConversation applies.
const overlayKinds = `'conversation', 'read'`

// overlayConversation applies a pending write to the conversation the
// agent sees.
func overlayConversation(conv *domain.Conversation, it OutboxItem) {
	switch it.Kind {
	case KindConversation:
		p := it.Patch
		if p == nil {
			return
		}
		if p.Status != nil {
			conv.Status = *p.Status
			conv.SnoozedUntil = nil
			if *p.Status == domain.StatusSnoozed && p.SnoozedUntil != nil {
				t := p.SnoozedUntil.UTC()
				conv.SnoozedUntil = &t
			}
		}
		if p.Unassign {
			conv.AssigneeID = nil
		} else if p.AssigneeID != nil {
			a := *p.AssigneeID
			conv.AssigneeID = &a
		}
		if p.Team != nil {
			conv.Team = *p.Team
		}
	case KindRead:
		conv.UnreadCount = 0
	}
}

// PatchHolds reports whether conv shows what p asked for: a hub answer
// that does not was changed by someone else meanwhile.
func PatchHolds(conv domain.Conversation, p wire.ConversationPatch) bool {
	want := conv
	overlayConversation(&want, OutboxItem{Kind: KindConversation, Patch: &p})
	same := func(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return want.Status == conv.Status && same(want.AssigneeID, conv.AssigneeID) && want.Team == conv.Team
}

// EnqueueWrite stores a write of kind for conversationID (payload is its
// JSON-able payload, preview a line saying what it does) and shows its
// overlay at once. The key must be new.
func (c *Cache) EnqueueWrite(ctx context.Context, key string, kind WriteKind, conversationID int64, payload any, preview string) (OutboxItem, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return OutboxItem{}, err
	}
	t := now()
	err = c.write(ctx, func(w *writer) error {
		if _, err := w.exec(`INSERT INTO outbox (key, kind, conversation_id, request, preview, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, key, string(kind), conversationID, string(b), preview, OutboxPending, t, t); err != nil {
			return err
		}
		return w.rebase(conversationID)
	})
	if err != nil {
		return OutboxItem{}, err
	}
	return c.OutboxItem(ctx, key)
}

// CompleteNote records the hub's note for a KindNote item and removes the
// item, in one transaction: the note shows exactly once.
func (c *Cache) CompleteNote(ctx context.Context, key string, n domain.Note) error {
	return c.completeWrite(ctx, key, func(w *writer) error { return w.note(&n) })
}

// CompleteConversation records the hub's answer to a KindConversation
// item (unless a newer copy is stored) and removes the item.
func (c *Cache) CompleteConversation(ctx context.Context, key string, conv domain.Conversation) error {
	return c.completeWrite(ctx, key, func(w *writer) error { return w.conversation(&conv, nil) })
}

// CompleteReaction records the agent's reaction on its target (from is
// their user id; an empty emoji removes it) and removes the item. The
// target keeps its hub time, so the stream's copy of it still replaces
// this one.
func (c *Cache) CompleteReaction(ctx context.Context, key string, r ReactionWrite, from string, at time.Time) error {
	return c.completeWrite(ctx, key, func(w *writer) error {
		var data []byte
		err := w.queryRow(`SELECT data FROM messages WHERE id = ?`, r.MessageID).Scan(&data)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		var m domain.Message
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		out := make([]domain.Reaction, 0, len(m.Reactions)+1)
		for _, x := range m.Reactions {
			if x.From != from {
				out = append(out, x)
			}
		}
		if r.Emoji != "" {
			out = append(out, domain.Reaction{Emoji: r.Emoji, From: from, At: at})
		}
		m.Reactions = out
		b, err := jsonText(m)
		if err != nil {
			return err
		}
		_, err = w.exec(`UPDATE messages SET data = ? WHERE id = ?`, b, m.ID)
		return err
	})
}

// CompleteWrite removes an item whose write the hub accepted with nothing
// to store (a read mark: the stream brings the statuses).
func (c *Cache) CompleteWrite(ctx context.Context, key string) error {
	return c.completeWrite(ctx, key, func(*writer) error { return nil })
}

// DropWrite removes an item the hub refused, rolling its overlay back
// (the conversation shows the hub's copy with the other pending writes).
func (c *Cache) DropWrite(ctx context.Context, key string) error {
	return c.completeWrite(ctx, key, func(*writer) error { return nil })
}

func (c *Cache) completeWrite(ctx context.Context, key string, store func(w *writer) error) error {
	return c.write(ctx, func(w *writer) error {
		var convID int64
		if err := w.queryRow(`SELECT conversation_id FROM outbox WHERE key = ?`, key).Scan(&convID); err != nil {
			if err == sql.ErrNoRows {
				return ErrNotFound
			}
			return err
		}
		if err := store(w); err != nil {
			return err
		}
		if _, err := w.exec(`DELETE FROM outbox WHERE key = ?`, key); err != nil {
			return err
		}
		return w.rebase(convID)
	})
}

// rebase makes conversation id show the hub's copy with every pending
// overlay replayed in order (see the top of this file).
func (w *writer) rebase(id int64) error {
	var data, hubData string
	err := w.queryRow(`SELECT data, hub_data FROM conversations WHERE id = ?`, id).Scan(&data, &hubData)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	rows, err := w.tx.QueryContext(w.ctx, `SELECT `+outboxCols+` FROM outbox WHERE conversation_id = ? AND kind IN (`+overlayKinds+`)
		AND state IN (?, ?) ORDER BY local_id`, id, OutboxPending, OutboxSending)
	if err != nil {
		return err
	}
	var overlays []OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			rows.Close()
			return err
		}
		overlays = append(overlays, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	base := hubData
	if base == "" {
		if len(overlays) == 0 {
			return nil // the row is the hub's copy already
		}
		base = data
	}
	var conv domain.Conversation
	if err := json.Unmarshal([]byte(base), &conv); err != nil {
		return fmt.Errorf("cache: conversation %d: %w", id, err)
	}
	for _, it := range overlays {
		overlayConversation(&conv, it)
	}
	shown, err := jsonText(conv)
	if err != nil {
		return err
	}
	if len(overlays) == 0 {
		base = ""
	}
	var assignee int64
	if conv.AssigneeID != nil {
		assignee = *conv.AssigneeID
	}
	_, err = w.exec(`UPDATE conversations SET assignee = ?, status = ?, data = ?, hub_data = ? WHERE id = ?`,
		assignee, string(conv.Status), shown, base, id)
	return err
}

// overlaid reports whether conversation id has pending overlays (cheap:
// the outbox is almost always empty).
func (w *writer) overlaid(id int64) (bool, error) {
	var one int
	err := w.queryRow(`SELECT 1 FROM outbox WHERE conversation_id = ? AND kind IN (`+overlayKinds+`) AND state IN (?, ?) LIMIT 1`,
		id, OutboxPending, OutboxSending).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// knownKinds are the kinds this console sends; an item of another kind
// (written by a newer console) waits.
const knownKinds = `'message', 'note', 'conversation', 'read', 'reaction'`
