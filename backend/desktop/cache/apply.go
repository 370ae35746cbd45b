package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/backend/domain"
)

// Seq is the sequence number of the last hub event applied to the cache.
func (c *Cache) Seq(ctx context.Context) (int64, error) {
	var seq int64
	err := c.db.Read.QueryRowContext(ctx, `SELECT seq FROM sync_state WHERE id = 1`).Scan(&seq)
	return seq, err
}

// ApplyEvents applies a batch of hub events in one transaction and advances
// the stored seq to the last of them in that same transaction, so the data
// and the seq never disagree: after a crash or a dropped connection the sync
// resumes from exactly the last event whose change was committed.
//
// Events at or below the stored seq were applied before (a replay overlap)
// and are skipped, so no event is ever applied twice. It returns the events
// it applied, for the caller to announce, and those it could not decode
// (skipped, for the caller to log).
func (c *Cache) ApplyEvents(ctx context.Context, events []domain.Event) (applied, skipped []domain.Event, err error) {
	if len(events) == 0 {
		return nil, nil, nil
	}
	err = c.tx(ctx, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT seq FROM sync_state WHERE id = 1`).Scan(&seq); err != nil {
			return err
		}
		w := newWriter(ctx, tx)
		defer w.close()
		applied, skipped = applied[:0], skipped[:0]
		for _, e := range events {
			if e.Seq <= seq {
				continue
			}
			seq = e.Seq
			if err := w.apply(e); err != nil {
				var bad *json.SyntaxError
				var badType *json.UnmarshalTypeError
				if errors.As(err, &bad) || errors.As(err, &badType) {
					// An event this build cannot read would otherwise stop
					// the sync for good: it is skipped, its seq consumed.
					skipped = append(skipped, e)
					continue
				}
				return fmt.Errorf("cache: apply event %d (%s): %w", e.Seq, e.Type, err)
			}
			applied = append(applied, e)
		}
		if len(applied)+len(skipped) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE sync_state SET seq = ? WHERE id = 1`, seq)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return applied, skipped, nil
}

// Snapshot is everything a fresh replica holds, read from the hub after
// Seq was recorded.
type Snapshot struct {
	Seq           int64
	Conversations []domain.Conversation
	Templates     []domain.Template
	Users         []domain.User
	Accounts      []domain.Account
	Counters      domain.Counters
}

// ReplaceSnapshot replaces everything the cache replicates with snap and
// sets the seq to snap.Seq, in one transaction. Messages, notes and fetched
// history are dropped: a snapshot is taken when the event log can no longer
// fill the gap, so cached history may have missed changes; it is refetched
// page by page when a conversation is opened. The outbox, drafts and
// settings are the cache's own and are kept.
func (c *Cache) ReplaceSnapshot(ctx context.Context, snap Snapshot) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"conversations", "contacts", "messages", "notes", "history", "templates", "users", "accounts", "counters"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		w := newWriter(ctx, tx)
		defer w.close()
		for i := range snap.Conversations {
			if err := w.conversation(&snap.Conversations[i]); err != nil {
				return err
			}
		}
		for i := range snap.Templates {
			if err := w.template(&snap.Templates[i]); err != nil {
				return err
			}
		}
		for i := range snap.Users {
			if err := w.user(&snap.Users[i]); err != nil {
				return err
			}
		}
		for i := range snap.Accounts {
			if err := w.account(&snap.Accounts[i]); err != nil {
				return err
			}
		}
		if err := w.counters(&snap.Counters); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE sync_state SET seq = ?, snapshot_at = ? WHERE id = 1`,
			snap.Seq, time.Now().UTC().Format(time.RFC3339))
		return err
	})
}

// Reset empties every replicated table, the outbox and drafts, and sets the
// seq to 0: the cache of a different hub or user must not leak into this one.
// Settings are kept.
func (c *Cache) Reset(ctx context.Context) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"conversations", "contacts", "messages", "notes", "history", "templates", "users", "accounts", "counters", "drafts", "outbox"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE sync_state SET seq = 0, snapshot_at = '' WHERE id = 1`)
		return err
	})
}

// UpsertMessages stores messages fetched or returned by the hub outside the
// stream (history pages, a send's answer). A stored copy that is newer (a
// later status from the stream) is kept.
func (c *Cache) UpsertMessages(ctx context.Context, msgs []domain.Message) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		w := newWriter(ctx, tx)
		defer w.close()
		for i := range msgs {
			if err := w.message(&msgs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpsertConversation stores a conversation returned by the hub outside the
// stream (after a PATCH), unless the cache already holds a newer copy.
func (c *Cache) UpsertConversation(ctx context.Context, conv domain.Conversation) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		w := newWriter(ctx, tx)
		defer w.close()
		return w.conversation(&conv)
	})
}

// UpsertNote stores a note returned by the hub outside the stream.
func (c *Cache) UpsertNote(ctx context.Context, n domain.Note) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		w := newWriter(ctx, tx)
		defer w.close()
		return w.note(&n)
	})
}

// writer applies changes inside one transaction with statements prepared
// once per transaction: a replay of thousands of events reuses them.
type writer struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func newWriter(ctx context.Context, tx *sql.Tx) *writer {
	return &writer{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
}

func (w *writer) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	s, ok := w.stmts[query]
	if !ok {
		var err error
		if s, err = w.tx.PrepareContext(w.ctx, query); err != nil {
			return nil, err
		}
		w.stmts[query] = s
	}
	return s.ExecContext(w.ctx, args...)
}

func (w *writer) apply(e domain.Event) error {
	switch e.Type {
	case domain.EventMessageCreated, domain.EventMessageUpdated:
		var m domain.Message
		if err := json.Unmarshal(e.Data, &m); err != nil {
			return err
		}
		return w.message(&m)
	case domain.EventConversationUpdated:
		var conv domain.Conversation
		if err := json.Unmarshal(e.Data, &conv); err != nil {
			return err
		}
		return w.conversation(&conv)
	case domain.EventContactUpdated:
		var ct domain.Contact
		if err := json.Unmarshal(e.Data, &ct); err != nil {
			return err
		}
		return w.contact(&ct, true)
	case domain.EventTemplateUpdated:
		var t domain.Template
		if err := json.Unmarshal(e.Data, &t); err != nil {
			return err
		}
		return w.template(&t)
	case domain.EventCountersUpdated:
		var k domain.Counters
		if err := json.Unmarshal(e.Data, &k); err != nil {
			return err
		}
		return w.counters(&k)
	case domain.EventNoteCreated:
		var n domain.Note
		if err := json.Unmarshal(e.Data, &n); err != nil {
			return err
		}
		return w.note(&n)
	case domain.EventAccountUpdated:
		var a domain.Account
		if err := json.Unmarshal(e.Data, &a); err != nil {
			return err
		}
		return w.account(&a)
	}
	// An event type this build does not know (a newer hub): its seq still
	// advances, since an older console has nothing to store for it.
	return nil
}

func (w *writer) message(m *domain.Message) error {
	data, err := jsonText(m)
	if err != nil {
		return err
	}
	// A copy with a later updated_at wins, so a send's answer ("queued")
	// arriving after the stream's "delivered" does not move the ticks back.
	_, err = w.exec(`INSERT INTO messages (id, conversation_id, ts, updated, body, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, ts = excluded.ts,
			updated = excluded.updated, body = excluded.body, data = excluded.data
		WHERE excluded.updated >= messages.updated`,
		m.ID, m.ConversationID, micros(m.Timestamp), micros(m.UpdatedAt), SearchText(m), data)
	return err
}

func (w *writer) conversation(conv *domain.Conversation) error {
	if conv.Contact.ID != 0 {
		if err := w.contact(&conv.Contact, false); err != nil {
			return err
		}
		// The embedded contact may be older than one a contact.updated
		// event stored: keep the newer.
		var newer string
		err := w.tx.QueryRowContext(w.ctx, `SELECT data FROM contacts WHERE id = ? AND updated > ?`,
			conv.Contact.ID, micros(conv.Contact.UpdatedAt)).Scan(&newer)
		if err == nil {
			_ = json.Unmarshal([]byte(newer), &conv.Contact)
		} else if err != sql.ErrNoRows {
			return err
		}
	}
	data, err := jsonText(conv)
	if err != nil {
		return err
	}
	var assignee int64
	if conv.AssigneeID != nil {
		assignee = *conv.AssigneeID
	}
	_, err = w.exec(`INSERT INTO conversations (id, contact_id, assignee, status, unanswered, activity, updated, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, assignee = excluded.assignee,
			status = excluded.status, unanswered = excluded.unanswered, activity = excluded.activity,
			updated = excluded.updated, data = excluded.data
		WHERE excluded.updated >= conversations.updated`,
		conv.ID, conv.Contact.ID, assignee, string(conv.Status), conv.Unanswered, micros(conv.LastActivityAt), micros(conv.UpdatedAt), data)
	return err
}

// contact stores ct; when propagate is set (a contact.updated event) it also
// rewrites the copy embedded in that contact's conversations, so the inbox
// shows a renamed customer without waiting for each conversation to change.
func (w *writer) contact(ct *domain.Contact, propagate bool) error {
	data, err := jsonText(ct)
	if err != nil {
		return err
	}
	res, err := w.exec(`INSERT INTO contacts (id, name, phone, updated, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, updated = excluded.updated, data = excluded.data
		WHERE excluded.updated >= contacts.updated`,
		ct.ID, ct.Name, ct.Phone, micros(ct.UpdatedAt), data)
	if err != nil || !propagate {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	rows, err := w.tx.QueryContext(w.ctx, `SELECT id, data FROM conversations WHERE contact_id = ?`, ct.ID)
	if err != nil {
		return err
	}
	type row struct {
		id   int64
		data []byte
	}
	var convs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.data); err != nil {
			rows.Close()
			return err
		}
		convs = append(convs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range convs {
		var conv domain.Conversation
		if err := json.Unmarshal(r.data, &conv); err != nil {
			return err
		}
		conv.Contact = *ct
		b, err := jsonText(conv)
		if err != nil {
			return err
		}
		if _, err := w.exec(`UPDATE conversations SET data = ? WHERE id = ?`, b, r.id); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) template(t *domain.Template) error {
	if strings.EqualFold(t.Status, "DELETED") {
		_, err := w.exec(`DELETE FROM templates WHERE name = ? AND language = ?`, t.Name, t.Language)
		return err
	}
	data, err := jsonText(t)
	if err != nil {
		return err
	}
	_, err = w.exec(`INSERT INTO templates (name, language, data) VALUES (?, ?, ?)
		ON CONFLICT (name, language) DO UPDATE SET data = excluded.data`, t.Name, t.Language, data)
	return err
}

func (w *writer) user(u *domain.User) error {
	data, err := jsonText(u)
	if err != nil {
		return err
	}
	_, err = w.exec(`INSERT INTO users (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`, u.ID, data)
	return err
}

func (w *writer) account(a *domain.Account) error {
	data, err := jsonText(a)
	if err != nil {
		return err
	}
	_, err = w.exec(`INSERT INTO accounts (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`, a.ID, data)
	return err
}

func (w *writer) counters(k *domain.Counters) error {
	data, err := jsonText(k)
	if err != nil {
		return err
	}
	_, err = w.exec(`INSERT INTO counters (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`, data)
	return err
}

func (w *writer) note(n *domain.Note) error {
	data, err := jsonText(n)
	if err != nil {
		return err
	}
	_, err = w.exec(`INSERT INTO notes (id, conversation_id, ts, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`, n.ID, n.ConversationID, micros(n.CreatedAt), data)
	return err
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// SearchText is what full-text search indexes for a message: the words a
// customer or agent wrote in it (text body, captions, file names, button
// and list titles, location names, template variables) and its preview.
func SearchText(m *domain.Message) string {
	var parts []string
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	var content any
	if len(m.Content) > 0 && json.Unmarshal(m.Content, &content) == nil {
		collectText(content, add, 0)
	}
	add(m.Preview)
	return strings.Join(parts, "\n")
}

// textKeys are the Cloud API fields that carry words a person typed or sees.
var textKeys = map[string]bool{
	"body": true, "caption": true, "filename": true, "text": true, "title": true,
	"description": true, "name": true, "address": true, "formatted_name": true,
	"payload": false,
}

func collectText(v any, add func(string), depth int) {
	if depth > 6 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok {
				if textKeys[k] {
					add(s)
				}
				continue
			}
			collectText(val, add, depth+1)
		}
	case []any:
		for _, val := range x {
			collectText(val, add, depth+1)
		}
	}
}

// jsonText marshals v as a string: the data columns are STRICT TEXT, which
// refuses the BLOB a []byte would bind as.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
