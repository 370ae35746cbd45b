package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
)

// Message page sizes.
const (
	DefaultMessageLimit = 50
	MaxMessageLimit     = 200
)

// MessagePage is a run of a conversation's messages, oldest first, with the
// internal notes written in the same stretch of time.
type MessagePage struct {
	Messages []domain.Message `json:"messages"`
	Notes    []domain.Note    `json:"notes"`
	// Cursor loads the page before this one; empty when the cache holds
	// nothing older.
	Cursor string `json:"cursor"`
	// HasMore says the cache holds older messages than these.
	HasMore bool `json:"has_more"`
}

// Messages returns up to limit messages of a conversation older than cursor
// (the newest when cursor is empty), by keyset on (timestamp, id) over the
// messages_conversation index: opening a conversation of any length costs
// one short index range scan.
func (c *Cache) Messages(ctx context.Context, conversationID int64, cursor string, limit int) (MessagePage, error) {
	if limit <= 0 {
		limit = DefaultMessageLimit
	}
	limit = min(limit, MaxMessageLimit)
	beforeTS, beforeID := int64(math.MaxInt64), int64(math.MaxInt64)
	if cursor != "" {
		var err error
		if beforeTS, beforeID, err = parseCursor(cursor); err != nil {
			return MessagePage{}, apierr.Field(apierr.InvalidRequest, "cursor", "malformed cursor")
		}
	}
	rows, err := c.db.Read.QueryContext(ctx, `SELECT ts, id, data FROM messages
		WHERE conversation_id = ? AND (ts, id) < (?, ?)
		ORDER BY ts DESC, id DESC LIMIT ?`, conversationID, beforeTS, beforeID, limit+1)
	if err != nil {
		return MessagePage{}, err
	}
	defer rows.Close()
	page := MessagePage{Messages: make([]domain.Message, 0, limit), Notes: []domain.Note{}}
	var oldestTS, oldestID int64
	for rows.Next() {
		if len(page.Messages) == limit {
			page.HasMore = true
			break
		}
		var data []byte
		if err := rows.Scan(&oldestTS, &oldestID, &data); err != nil {
			return MessagePage{}, err
		}
		var m domain.Message
		if err := json.Unmarshal(data, &m); err != nil {
			return MessagePage{}, err
		}
		page.Messages = append(page.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return MessagePage{}, err
	}
	rows.Close()
	// Newest first from the index; the chat window wants oldest first.
	for i, j := 0, len(page.Messages)-1; i < j; i, j = i+1, j-1 {
		page.Messages[i], page.Messages[j] = page.Messages[j], page.Messages[i]
	}
	if page.HasMore {
		page.Cursor = formatCursor(oldestTS, oldestID)
	}
	// Notes in [oldest message shown, before): the whole past when this is
	// the oldest page, so no note falls between pages.
	lo := int64(math.MinInt64)
	if page.HasMore {
		lo = oldestTS
	}
	notes, err := readAll[domain.Note](ctx, c, `SELECT data FROM notes
		WHERE conversation_id = ? AND ts >= ? AND ts < ? ORDER BY ts, id`, conversationID, lo, beforeTS)
	if err != nil {
		return MessagePage{}, err
	}
	page.Notes = notes
	return page, nil
}

// Message returns one cached message.
func (c *Cache) Message(ctx context.Context, id int64) (domain.Message, error) {
	var data []byte
	err := c.db.Read.QueryRowContext(ctx, `SELECT data FROM messages WHERE id = ?`, id).Scan(&data)
	if err == sql.ErrNoRows {
		return domain.Message{}, ErrNotFound
	}
	if err != nil {
		return domain.Message{}, err
	}
	var m domain.Message
	err = json.Unmarshal(data, &m)
	return m, err
}

// LatestInbound is the newest message the customer sent in a conversation,
// the one to mark read when the agent opens it.
func (c *Cache) LatestInbound(ctx context.Context, conversationID int64) (domain.Message, error) {
	// Direction is inside the JSON; the index walks newest first and stops
	// at the first inbound one, which is near the top in practice.
	rows, err := c.db.Read.QueryContext(ctx, `SELECT data FROM messages WHERE conversation_id = ?
		ORDER BY ts DESC, id DESC LIMIT 200`, conversationID)
	if err != nil {
		return domain.Message{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return domain.Message{}, err
		}
		var m domain.Message
		if err := json.Unmarshal(data, &m); err != nil {
			return domain.Message{}, err
		}
		if m.Direction == domain.Inbound {
			return m, nil
		}
	}
	if err := rows.Err(); err != nil {
		return domain.Message{}, err
	}
	return domain.Message{}, ErrNotFound
}

// History is how far back a conversation has been fetched from the hub.
type History struct {
	// Known is false when the conversation's history was never fetched.
	Known bool
	// Cursor continues the hub's pagination below what the cache holds.
	Cursor string
	// Complete is true once the hub has no older messages.
	Complete bool
}

// History returns the fetch state of a conversation's history.
func (c *Cache) History(ctx context.Context, conversationID int64) (History, error) {
	var h History
	err := c.db.Read.QueryRowContext(ctx, `SELECT cursor, complete FROM history WHERE conversation_id = ?`,
		conversationID).Scan(&h.Cursor, &h.Complete)
	if err == sql.ErrNoRows {
		return History{}, nil
	}
	h.Known = err == nil
	return h, err
}

// StoreHistoryPage stores a page of history fetched from the hub (newest
// first, as the hub pages) and moves the conversation's fetch state to the
// page's cursor, in one transaction.
func (c *Cache) StoreHistoryPage(ctx context.Context, conversationID int64, msgs []domain.Message, nextCursor string, hasMore bool) error {
	return c.write(ctx, func(w *writer) error {
		var floorTS, floorID int64 = math.MaxInt64, math.MaxInt64
		for i := range msgs {
			if err := w.message(&msgs[i], nil); err != nil {
				return err
			}
			if ts := micros(msgs[i].Timestamp); ts < floorTS || (ts == floorTS && msgs[i].ID < floorID) {
				floorTS, floorID = ts, msgs[i].ID
			}
		}
		_, err := w.tx.ExecContext(ctx, `INSERT INTO history (conversation_id, floor_ts, floor_id, cursor, complete)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (conversation_id) DO UPDATE SET
				floor_ts = CASE WHEN (excluded.floor_ts, excluded.floor_id) < (history.floor_ts, history.floor_id)
					THEN excluded.floor_ts ELSE history.floor_ts END,
				floor_id = CASE WHEN (excluded.floor_ts, excluded.floor_id) < (history.floor_ts, history.floor_id)
					THEN excluded.floor_id ELSE history.floor_id END,
				cursor = excluded.cursor, complete = excluded.complete`,
			conversationID, floorTS, floorID, nextCursor, !hasMore)
		return err
	})
}

// HistoryFloor is the oldest (timestamp, id) fetched from the hub for a
// conversation, as a message cursor; "" when nothing was fetched.
func (c *Cache) HistoryFloor(ctx context.Context, conversationID int64) (string, error) {
	var ts, id int64
	err := c.db.Read.QueryRowContext(ctx, `SELECT floor_ts, floor_id FROM history WHERE conversation_id = ?`,
		conversationID).Scan(&ts, &id)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return formatCursor(ts, id), nil
}

// MessageCursorOf is the cursor that pages to messages older than m.
func MessageCursorOf(m domain.Message) string { return formatCursor(micros(m.Timestamp), m.ID) }

// CursorBefore reports whether cursor a points strictly below cursor b
// (an empty cursor means "above everything").
func CursorBefore(a, b string) bool {
	if a == "" {
		return false
	}
	if b == "" {
		return true
	}
	at, ai, err1 := parseCursor(a)
	bt, bi, err2 := parseCursor(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return at < bt || (at == bt && ai < bi)
}
