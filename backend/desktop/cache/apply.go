package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/backend/desktop/remote"
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
// (skipped, for the caller to log). upTo, when above the last event's seq,
// is stored instead: the stream has passed events this user may not see.
func (c *Cache) ApplyEvents(ctx context.Context, events []domain.Event, upTo int64) (applied, skipped []domain.Event, err error) {
	if len(events) == 0 && upTo == 0 {
		return nil, nil, nil
	}
	err = c.write(ctx, func(w *writer) error {
		var seq int64
		if err := w.tx.QueryRowContext(ctx, `SELECT seq FROM sync_state WHERE id = 1`).Scan(&seq); err != nil {
			return err
		}
		applied, skipped = applied[:0], skipped[:0]
		superseded := supersededIn(events)
		for i, e := range events {
			if e.Seq <= seq {
				continue
			}
			seq = e.Seq
			if superseded[i] {
				// A later event in this batch carries the whole object
				// again: storing this one would only be overwritten.
				applied = append(applied, e)
				continue
			}
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
		if upTo > seq {
			seq = upTo
		} else if len(applied)+len(skipped) == 0 {
			return nil
		}
		_, err := w.tx.ExecContext(ctx, `UPDATE sync_state SET seq = ? WHERE id = 1`, seq)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return applied, skipped, nil
}

// supersededIn marks the events of a batch that a later event of the same
// batch makes moot: a conversation.updated followed by another for the same
// conversation, and every counters.updated but the last. Events carry the
// whole object after the change, so only the last one's state survives
// anyway; skipping the others saves most of a replay's index updates.
func supersededIn(events []domain.Event) []bool {
	out := make([]bool, len(events))
	lastConv := map[int64]int{}
	lastCounters := -1
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		switch e.Type {
		case domain.EventConversationUpdated:
			if e.ConversationID == 0 {
				continue
			}
			if _, later := lastConv[e.ConversationID]; later {
				out[i] = true
			} else {
				lastConv[e.ConversationID] = i
			}
		case domain.EventCountersUpdated:
			if lastCounters >= 0 {
				out[i] = true
			} else {
				lastCounters = i
			}
		}
	}
	return out
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

// replicated are the tables that mirror the hub.
var replicated = []string{"conversations", "contacts", "messages", "notes", "history", "templates", "users", "accounts", "counters"}

// ReplaceSnapshot replaces everything the cache replicates with snap and
// sets the seq to snap.Seq, in one transaction. Messages, notes and fetched
// history are dropped: a snapshot is taken when the event log can no longer
// fill the gap, so cached history may have missed changes; it is refetched
// page by page when a conversation is opened. The outbox, drafts and
// settings are the cache's own and are kept.
func (c *Cache) ReplaceSnapshot(ctx context.Context, snap Snapshot) error {
	return c.write(ctx, func(w *writer) error {
		if err := w.wipe(replicated...); err != nil {
			return err
		}
		for i := range snap.Conversations {
			if err := w.conversation(&snap.Conversations[i], nil); err != nil {
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
		_, err := w.tx.ExecContext(ctx, `UPDATE sync_state SET seq = ?, snapshot_at = ? WHERE id = 1`,
			snap.Seq, time.Now().UTC().Format(time.RFC3339))
		return err
	})
}

// Reset empties every replicated table, the outbox and drafts, and sets the
// seq to 0: the cache of a different hub or user must not leak into this one.
// Settings are kept.
func (c *Cache) Reset(ctx context.Context) error {
	return c.write(ctx, func(w *writer) error {
		if err := w.wipe(append(replicated, "drafts", "outbox")...); err != nil {
			return err
		}
		_, err := w.tx.ExecContext(ctx, `UPDATE sync_state SET seq = 0, snapshot_at = '' WHERE id = 1`)
		return err
	})
}

// UpsertMessages stores messages fetched or returned by the hub outside the
// stream (history pages, a send's answer). A stored copy that is newer (a
// later status from the stream) is kept.
func (c *Cache) UpsertMessages(ctx context.Context, msgs []domain.Message) error {
	return c.write(ctx, func(w *writer) error {
		for i := range msgs {
			if err := w.message(&msgs[i], nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpsertConversation stores a conversation returned by the hub outside the
// stream (after a PATCH), unless the cache already holds a newer copy.
func (c *Cache) UpsertConversation(ctx context.Context, conv domain.Conversation) error {
	return c.write(ctx, func(w *writer) error { return w.conversation(&conv, nil) })
}

// UpsertNote stores a note returned by the hub outside the stream.
func (c *Cache) UpsertNote(ctx context.Context, n domain.Note) error {
	return c.write(ctx, func(w *writer) error { return w.note(&n) })
}

// writer applies changes inside one transaction with statements prepared
// once per transaction: a replay of thousands of events reuses them. It
// also maintains the full-text indexes (see schema.go): rows whose text is
// new are indexed together by flush, at the end of the transaction.
type writer struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// Rows to index at flush; a row in these sets is not in its FTS index
	// yet, so a later change to it in the same transaction has nothing to
	// un-index.
	msgFTS     map[int64]bool
	contactFTS map[int64]bool
}

// write runs fn with a writer in one transaction and indexes what it wrote
// before committing.
func (c *Cache) write(ctx context.Context, fn func(w *writer) error) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		w := newWriter(ctx, tx)
		defer w.close()
		if err := fn(w); err != nil {
			return err
		}
		return w.flush()
	})
}

func newWriter(ctx context.Context, tx *sql.Tx) *writer {
	return &writer{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, msgFTS: map[int64]bool{}, contactFTS: map[int64]bool{}}
}

func (w *writer) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

func (w *writer) stmt(query string) (*sql.Stmt, error) {
	s, ok := w.stmts[query]
	if !ok {
		var err error
		if s, err = w.tx.PrepareContext(w.ctx, query); err != nil {
			return nil, err
		}
		w.stmts[query] = s
	}
	return s, nil
}

func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	s, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(w.ctx, args...)
}

func (w *writer) queryRow(query string, args ...any) *sql.Row {
	s, err := w.stmt(query)
	if err != nil {
		// A failed prepare surfaces as the Row's error.
		return w.tx.QueryRowContext(w.ctx, query, args...)
	}
	return s.QueryRowContext(w.ctx, args...)
}

// flush indexes the rows written since the last flush, one statement per
// index.
func (w *writer) flush() error {
	if len(w.msgFTS) > 0 {
		ids, _ := json.Marshal(keys(w.msgFTS))
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO messages_fts (rowid, body)
			SELECT id, body FROM messages WHERE id IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
			return err
		}
		clear(w.msgFTS)
	}
	if len(w.contactFTS) > 0 {
		ids, _ := json.Marshal(keys(w.contactFTS))
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO contacts_fts (rowid, name, phone)
			SELECT id, name, phone FROM contacts WHERE id IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
			return err
		}
		clear(w.contactFTS)
	}
	return nil
}

func keys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// wipe empties replicated tables and their indexes.
func (w *writer) wipe(tables ...string) error {
	for _, t := range tables {
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM `+t); err != nil {
			return err
		}
		switch t {
		case "messages", "contacts":
			if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO `+t+`_fts (`+t+`_fts) VALUES ('delete-all')`); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *writer) apply(e domain.Event) error {
	switch e.Type {
	case domain.EventMessageCreated, domain.EventMessageUpdated:
		var m domain.Message
		if err := json.Unmarshal(e.Data, &m); err != nil {
			return err
		}
		return w.message(&m, e.Data)
	case domain.EventConversationUpdated:
		var conv domain.Conversation
		if err := json.Unmarshal(e.Data, &conv); err != nil {
			return err
		}
		return w.conversation(&conv, e.Data)
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
	case domain.EventConversationDeleted:
		var conv struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(e.Data, &conv); err != nil {
			return err
		}
		return w.dropConversation(max(conv.ID, e.ConversationID))
	case remote.EventConversationHidden:
		return w.dropConversation(e.ConversationID)
	case domain.EventContactDeleted:
		var ct struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(e.Data, &ct); err != nil {
			return err
		}
		return w.dropContact(ct.ID)
	}
	// An event type this build does not know (a newer hub): its seq still
	// advances, since an older console has nothing to store for it.
	return nil
}

// message stores m. raw, when given, is m's JSON as the hub sent it and is
// stored as is.
func (w *writer) message(m *domain.Message, raw []byte) error {
	data := string(raw)
	if raw == nil {
		var err error
		if data, err = jsonText(m); err != nil {
			return err
		}
	}
	body := SearchText(m)
	var oldBody string
	err := w.queryRow(`SELECT body FROM messages WHERE id = ?`, m.ID).Scan(&oldBody)
	existed := err == nil
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	// A copy with a later updated_at wins, so a send's answer ("queued")
	// arriving after the stream's "delivered" does not move the ticks back.
	res, err := w.exec(`INSERT INTO messages (id, conversation_id, ts, updated, body, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, ts = excluded.ts,
			updated = excluded.updated, body = excluded.body, data = excluded.data
		WHERE excluded.updated >= messages.updated`,
		m.ID, m.ConversationID, micros(m.Timestamp), micros(m.UpdatedAt), body, data)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 || (existed && oldBody == body) {
		return nil
	}
	if existed && !w.msgFTS[m.ID] {
		if _, err := w.exec(`INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', ?, ?)`, m.ID, oldBody); err != nil {
			return err
		}
	}
	w.msgFTS[m.ID] = true
	return nil
}

func (w *writer) conversation(conv *domain.Conversation, raw []byte) error {
	if conv.Contact.ID != 0 {
		// The embedded contact may be older than one a contact.updated
		// event stored: keep the newer one, in the row and in its copy here.
		var stored []byte
		var updated int64
		err := w.queryRow(`SELECT updated, data FROM contacts WHERE id = ?`, conv.Contact.ID).Scan(&updated, &stored)
		switch {
		case err == sql.ErrNoRows || (err == nil && updated < micros(conv.Contact.UpdatedAt)):
			if err := w.contact(&conv.Contact, false); err != nil {
				return err
			}
		case err != nil:
			return err
		case updated > micros(conv.Contact.UpdatedAt):
			if err := json.Unmarshal(stored, &conv.Contact); err != nil {
				return err
			}
			raw = nil
		}
	}
	data := string(raw)
	if raw == nil {
		var err error
		if data, err = jsonText(conv); err != nil {
			return err
		}
	}
	var assignee int64
	if conv.AssigneeID != nil {
		assignee = *conv.AssigneeID
	}
	_, err := w.exec(`INSERT INTO conversations (id, contact_id, assignee, status, unanswered, activity, updated, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, assignee = excluded.assignee,
			status = excluded.status, unanswered = excluded.unanswered, activity = excluded.activity,
			updated = excluded.updated, data = excluded.data, hub_data = ''
		WHERE excluded.updated >= conversations.updated`,
		conv.ID, conv.Contact.ID, assignee, string(conv.Status), conv.Unanswered, micros(conv.LastActivityAt), micros(conv.UpdatedAt), data)
	if err != nil {
		return err
	}
	// The agent's pending changes stay on screen over the hub's copy.
	if pending, err := w.overlaid(conv.ID); err != nil || !pending {
		return err
	}
	return w.rebase(conv.ID)
}

// contact stores ct unless a newer copy is stored; when propagate is set (a
// contact.updated event) it also rewrites the copy embedded in that
// contact's conversations, so the inbox shows a renamed customer without
// waiting for each conversation to change.
func (w *writer) contact(ct *domain.Contact, propagate bool) error {
	data, err := jsonText(ct)
	if err != nil {
		return err
	}
	var oldName, oldPhone string
	err = w.queryRow(`SELECT name, phone FROM contacts WHERE id = ?`, ct.ID).Scan(&oldName, &oldPhone)
	existed := err == nil
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	res, err := w.exec(`INSERT INTO contacts (id, name, phone, updated, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, updated = excluded.updated, data = excluded.data
		WHERE excluded.updated >= contacts.updated`,
		ct.ID, ct.Name, ct.Phone, micros(ct.UpdatedAt), data)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if !existed || oldName != ct.Name || oldPhone != ct.Phone {
		if existed && !w.contactFTS[ct.ID] {
			if _, err := w.exec(`INSERT INTO contacts_fts (contacts_fts, rowid, name, phone) VALUES ('delete', ?, ?, ?)`,
				ct.ID, oldName, oldPhone); err != nil {
				return err
			}
		}
		w.contactFTS[ct.ID] = true
	}
	if !propagate {
		return nil
	}
	rows, err := w.tx.QueryContext(w.ctx, `SELECT id, data, hub_data FROM conversations WHERE contact_id = ?`, ct.ID)
	if err != nil {
		return err
	}
	type row struct {
		id            int64
		data, hubData []byte
	}
	var convs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.data, &r.hubData); err != nil {
			rows.Close()
			return err
		}
		convs = append(convs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	withContact := func(data []byte) (string, error) {
		if len(data) == 0 {
			return "", nil
		}
		var conv domain.Conversation
		if err := json.Unmarshal(data, &conv); err != nil {
			return "", err
		}
		conv.Contact = *ct
		return jsonText(conv)
	}
	for _, r := range convs {
		b, err := withContact(r.data)
		if err != nil {
			return err
		}
		hb, err := withContact(r.hubData)
		if err != nil {
			return err
		}
		if _, err := w.exec(`UPDATE conversations SET data = ?, hub_data = ? WHERE id = ?`, b, hb, r.id); err != nil {
			return err
		}
	}
	return nil
}

// dropConversation removes a conversation and everything cached under it:
// it was deleted, or an agent may no longer see it. Drafts and outbox items
// stay; they are the agent's own and an outbox send then fails visibly.
func (w *writer) dropConversation(id int64) error {
	if id == 0 {
		return nil
	}
	// Rows still waiting to be indexed are indexed first, so un-indexing
	// below sees every row exactly once.
	if err := w.flush(); err != nil {
		return err
	}
	for _, q := range []string{
		`INSERT INTO messages_fts (messages_fts, rowid, body) SELECT 'delete', id, body FROM messages WHERE conversation_id = ?`,
		`DELETE FROM messages WHERE conversation_id = ?`,
		`DELETE FROM notes WHERE conversation_id = ?`,
		`DELETE FROM history WHERE conversation_id = ?`,
		`DELETE FROM conversations WHERE id = ?`,
	} {
		if _, err := w.exec(q, id); err != nil {
			return err
		}
	}
	return nil
}

// dropContact removes a deleted contact and its conversations.
func (w *writer) dropContact(id int64) error {
	rows, err := w.tx.QueryContext(w.ctx, `SELECT id FROM conversations WHERE contact_id = ?`, id)
	if err != nil {
		return err
	}
	var convs []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		convs = append(convs, c)
	}
	rows.Close()
	for _, c := range convs {
		if err := w.dropConversation(c); err != nil {
			return err
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	if _, err := w.exec(`INSERT INTO contacts_fts (contacts_fts, rowid, name, phone) SELECT 'delete', id, name, phone FROM contacts WHERE id = ?`, id); err != nil {
		return err
	}
	_, err = w.exec(`DELETE FROM contacts WHERE id = ?`, id)
	return err
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

// SyncState is the seq and whether a snapshot was ever taken (a fresh cache
// at seq 0 needs one; a cache of an empty hub, also at 0, does not).
func (c *Cache) SyncState(ctx context.Context) (seq int64, snapshotted bool, err error) {
	var at string
	err = c.db.Read.QueryRowContext(ctx, `SELECT seq, snapshot_at FROM sync_state WHERE id = 1`).Scan(&seq, &at)
	return seq, at != "", err
}
