package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// Reads run on the read pool with ad-hoc statements: filters vary, and the
// pool's connections cache prepared statements per connection anyway.

func (s *Store) ListAccounts(ctx context.Context) ([]domain.Account, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+accountCols+` FROM hub_accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Store) GetAccount(ctx context.Context, id string) (domain.Account, error) {
	return scanAccount(s.db.Read.QueryRowContext(ctx, `SELECT `+accountCols+` FROM hub_accounts WHERE id = ?`, id))
}

func (s *Store) GetContact(ctx context.Context, id int64) (domain.Contact, error) {
	return scanContact(s.db.Read.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts WHERE id = ?`, id))
}

// FindContactByPhone finds the contact at phone, or the one that used to be
// there before a number change.
func (s *Store) FindContactByPhone(ctx context.Context, phone string) (domain.Contact, error) {
	c, err := scanContact(s.db.Read.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts WHERE phone = ?`, phone))
	if !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	return scanContact(s.db.Read.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts
		WHERE id = (SELECT contact_id FROM contact_phone_history WHERE phone = ? ORDER BY until DESC LIMIT 1)`, phone))
}

// where accumulates SQL conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// notIn adds "col NOT IN (?, …)" for vals; nothing when there are none.
func (w *where) notIn(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	w.conds = append(w.conds, col+` NOT IN (?`+strings.Repeat(", ?", len(vals)-1)+`)`)
	for _, v := range vals {
		w.args = append(w.args, v)
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func (s *Store) ListContacts(ctx context.Context, f store.ContactFilter) (store.Page[domain.Contact], error) {
	var page store.Page[domain.Contact]
	var w where
	if f.Query != "" {
		like := escapeLike(f.Query) + "%"
		w.add(`(phone LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\' OR wa_id LIKE ? ESCAPE '\')`, like, like, like)
	}
	if f.OptedOut != nil {
		w.add(`opted_out = ?`, boolInt(*f.OptedOut))
	}
	if f.Cursor != "" {
		c, err := decodeIntCursor(f.Cursor, 1)
		if err != nil {
			return page, err
		}
		w.add(`id > ?`, c[0])
	}
	n := f.Size()
	return keysetPage(ctx, s.db.Read, `SELECT `+contactCols+` FROM contacts`+w.String()+
		` ORDER BY id LIMIT ?`, w.args, n,
		scanContact,
		func(last domain.Contact) string { return encodeCursor(itoa(last.ID)) })
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// conversationJoin selects a conversation with its contact.
const conversationJoin = `SELECT ` + convCols + `, k.phone, k.wa_id, k.user_id, k.name, k.profile_name, k.opted_out, k.opted_out_at,
	k.attributes, k.created_at, k.updated_at FROM conversations c JOIN contacts k ON k.id = c.contact_id`

func scanConversationWithContact(sc scanner) (domain.Conversation, error) {
	var phone, userID, attrs sql.NullString
	var optedOut int64
	var optedAt sql.NullInt64
	var created, updated int64
	var k domain.Contact
	c, err := scanConversation(sc, &phone, &k.WaID, &userID, &k.Name, &k.ProfileName, &optedOut, &optedAt, &attrs, &created, &updated)
	if err != nil {
		return domain.Conversation{}, err
	}
	k.ID = c.Contact.ID
	k.Phone, k.UserID = phone.String, userID.String
	k.OptedOut = optedOut != 0
	k.OptedOutAt = fromNullNS(optedAt)
	k.CreatedAt, k.UpdatedAt = fromNS(created), fromNS(updated)
	m, err := unjson[map[string]string](attrs)
	if err != nil {
		return domain.Conversation{}, err
	}
	if m != nil {
		k.Attributes = *m
	}
	c.Contact = k
	return c.Conversation, nil
}

func (s *Store) GetConversation(ctx context.Context, id int64) (domain.Conversation, error) {
	return scanConversationWithContact(s.db.Read.QueryRowContext(ctx, conversationJoin+` WHERE c.id = ?`, id))
}

func (s *Store) ListConversations(ctx context.Context, f store.ConversationFilter) (store.Page[domain.Conversation], error) {
	var page store.Page[domain.Conversation]
	var w where
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ph[i] = "?"
			w.args = append(w.args, string(st))
		}
		w.conds = append(w.conds, `c.status IN (`+strings.Join(ph, ",")+`)`)
	}
	if f.AccountID != "" {
		w.add(`c.account_id = ?`, f.AccountID)
	}
	switch {
	case f.AssigneeID != nil && f.Unassigned:
		w.add(`(c.assignee_id = ? OR c.assignee_id IS NULL)`, *f.AssigneeID)
	case f.AssigneeID != nil:
		w.add(`c.assignee_id = ?`, *f.AssigneeID)
	case f.Unassigned:
		w.add(`c.assignee_id IS NULL`)
	}
	if f.Team != "" {
		w.add(`c.team = ?`, f.Team)
	}
	if f.Unanswered != nil {
		w.add(`c.unanswered = ?`, boolInt(*f.Unanswered))
	}
	if f.ContactID != 0 {
		w.add(`c.contact_id = ?`, f.ContactID)
	}
	w.notIn(`c.account_id`, f.ExcludeAccountIDs)
	if f.Cursor != "" {
		c, err := decodeIntCursor(f.Cursor, 2)
		if err != nil {
			return page, err
		}
		w.add(`(c.last_activity_at, c.id) < (?, ?)`, c[0], c[1])
	}
	n := f.Size()
	return keysetPage(ctx, s.db.Read, conversationJoin+w.String()+
		` ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?`, w.args, n,
		scanConversationWithContact,
		func(last domain.Conversation) string {
			return encodeCursor(itoa(ns(last.LastActivityAt)), itoa(last.ID))
		})
}

func (s *Store) GetMessage(ctx context.Context, id int64) (domain.Message, error) {
	m, err := scanMessage(s.db.Read.QueryRowContext(ctx, `SELECT `+msgCols+` FROM messages m WHERE m.id = ?`, id))
	return m.Message, err
}

func (s *Store) listMessages(ctx context.Context, w where, p store.PageRequest) (store.Page[domain.Message], error) {
	var page store.Page[domain.Message]
	if p.Cursor != "" {
		c, err := decodeIntCursor(p.Cursor, 2)
		if err != nil {
			return page, err
		}
		w.add(`(m.timestamp, m.id) < (?, ?)`, c[0], c[1])
	}
	n := p.Size()
	return keysetPage(ctx, s.db.Read, `SELECT `+msgCols+` FROM messages m`+w.String()+
		` ORDER BY m.timestamp DESC, m.id DESC LIMIT ?`, w.args, n,
		func(sc scanner) (domain.Message, error) {
			m, err := scanMessage(sc)
			return m.Message, err
		},
		func(last domain.Message) string { return encodeCursor(itoa(ns(last.Timestamp)), itoa(last.ID)) })
}

func (s *Store) ListMessages(ctx context.Context, conversationID int64, p store.PageRequest) (store.Page[domain.Message], error) {
	var w where
	w.add(`m.conversation_id = ?`, conversationID)
	w.add(`m.hidden = 0`)
	return s.listMessages(ctx, w, p)
}

func (s *Store) QueryMessages(ctx context.Context, f store.MessageFilter) (store.Page[domain.Message], error) {
	var w where
	if f.ContactID != 0 {
		w.add(`m.conversation_id IN (SELECT id FROM conversations WHERE contact_id = ?)`, f.ContactID)
	}
	if f.Direction != "" {
		w.add(`m.direction = ?`, string(f.Direction))
	}
	if f.Status != "" {
		w.add(`m.status = ?`, string(f.Status))
	}
	if f.Type != "" {
		w.add(`m.type = ?`, f.Type)
	}
	if f.Since != nil {
		w.add(`m.timestamp >= ?`, ns(*f.Since))
	}
	if f.Until != nil {
		w.add(`m.timestamp < ?`, ns(*f.Until))
	}
	w.notIn(`m.account_id`, f.ExcludeAccountIDs)
	return s.listMessages(ctx, w, f.PageRequest)
}

func (s *Store) ListNotes(ctx context.Context, conversationID int64, p store.PageRequest) (store.Page[domain.Note], error) {
	var page store.Page[domain.Note]
	var w where
	w.add(`conversation_id = ?`, conversationID)
	if p.Cursor != "" {
		c, err := decodeIntCursor(p.Cursor, 1)
		if err != nil {
			return page, err
		}
		w.add(`id < ?`, c[0])
	}
	n := p.Size()
	return keysetPage(ctx, s.db.Read, `SELECT id, conversation_id, author_id, body, created_at FROM notes`+
		w.String()+` ORDER BY id DESC LIMIT ?`, w.args, n,
		func(sc scanner) (domain.Note, error) {
			var nt domain.Note
			var created int64
			if err := sc.Scan(&nt.ID, &nt.ConversationID, &nt.AuthorID, &nt.Body, &created); err != nil {
				return nt, err
			}
			nt.CreatedAt = fromNS(created)
			return nt, nil
		},
		func(last domain.Note) string { return encodeCursor(itoa(last.ID)) })
}

func (s *Store) ListTemplates(ctx context.Context, f store.TemplateFilter) (store.Page[domain.Template], error) {
	var page store.Page[domain.Template]
	var w where
	if f.WABAID != "" {
		w.add(`waba_id = ?`, f.WABAID)
	}
	if f.Name != "" {
		w.add(`name = ?`, f.Name)
	}
	if f.Language != "" {
		w.add(`language = ?`, f.Language)
	}
	if f.Status != "" {
		w.add(`status = ?`, f.Status)
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor, 3)
		if err != nil {
			return page, err
		}
		w.add(`(name, language, waba_id) > (?, ?, ?)`, c[0], c[1], c[2])
	}
	n := f.Size()
	return keysetPage(ctx, s.db.Read, `SELECT `+tplCols+` FROM templates`+w.String()+
		` ORDER BY name, language, waba_id LIMIT ?`, w.args, n,
		scanTemplate,
		func(l domain.Template) string { return encodeCursor(l.Name, l.Language, l.WABAID) })
}

func (s *Store) GetTemplate(ctx context.Context, wabaID, name, language string) (domain.Template, error) {
	return scanTemplate(s.db.Read.QueryRowContext(ctx, `SELECT `+tplCols+` FROM templates
		WHERE waba_id = ? AND name = ? AND language = ?`, wabaID, name, language))
}

func (s *Store) Counters(ctx context.Context) (domain.Counters, error) {
	rows, err := s.db.Read.QueryContext(ctx, qCounters)
	if err != nil {
		return domain.Counters{}, err
	}
	defer rows.Close()
	var vals []rowValues
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return domain.Counters{}, err
		}
		vals = append(vals, rowValues{k, v})
	}
	if err := rows.Err(); err != nil {
		return domain.Counters{}, err
	}
	var w sql.NullInt64
	if err := s.db.Read.QueryRowContext(ctx, qOldestWaiter).Scan(&w); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return domain.Counters{}, err
	}
	return readCounters(vals, fromNullNS(w))
}

func (s *Store) EventsSince(ctx context.Context, after int64, limit int) ([]domain.Event, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT seq, type, conversation_id, assignee_id, prev_assignee_id, at, data, account_unconfigured
		FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Event{}
	for rows.Next() {
		var e domain.Event
		var conv, assignee, prev sql.NullInt64
		var at int64
		var data string
		if err := rows.Scan(&e.Seq, &e.Type, &conv, &assignee, &prev, &at, &data, &e.AccountUnconfigured); err != nil {
			return nil, err
		}
		e.ConversationID = conv.Int64
		e.AssigneeID, e.PrevAssigneeID = fromNullInt(assignee), fromNullInt(prev)
		e.At = fromNS(at)
		e.Data = json.RawMessage(data)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *Store) EventBounds(ctx context.Context) (oldest, newest int64, err error) {
	err = s.db.Read.QueryRowContext(ctx, `SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM events`).Scan(&oldest, &newest)
	return oldest, newest, err
}

func (s *Store) QueuedSends(ctx context.Context) ([]store.QueueItem, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT message_id, account_id, recipient, payload, attempts, enqueued_at
		FROM send_queue ORDER BY message_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.QueueItem
	for rows.Next() {
		var q store.QueueItem
		var payload string
		var at int64
		if err := rows.Scan(&q.MessageID, &q.AccountID, &q.Recipient, &payload, &q.Attempts, &at); err != nil {
			return nil, err
		}
		q.Payload = json.RawMessage(payload)
		q.EnqueuedAt = fromNS(at)
		out = append(out, q)
	}
	return out, rows.Err()
}

func (s *Store) RawWebhooksInState(ctx context.Context, state store.RawState, limit int) ([]store.RawWebhook, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, received_at, body, signature, state, error
		FROM webhook_bodies WHERE state = ? ORDER BY id LIMIT ?`, string(state), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.RawWebhook
	for rows.Next() {
		var w store.RawWebhook
		var at int64
		if err := rows.Scan(&w.ID, &at, &w.Body, &w.Signature, &w.State, &w.Error); err != nil {
			return nil, err
		}
		w.ReceivedAt = fromNS(at)
		out = append(out, w)
	}
	return out, rows.Err()
}

func (s *Store) AllConversationStates(ctx context.Context) ([]store.Conversation, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+convCols+` FROM conversations c ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: scan conversation: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// keysetPage runs a keyset-paginated query that ends in "LIMIT ?". It asks
// for one row more than the page holds (n+1 is appended to args), so
// HasMore is known without a COUNT, and cursor encodes the last item kept.
func keysetPage[T any](ctx context.Context, db *sql.DB, query string, args []any, n int,
	scan func(scanner) (T, error), cursor func(T) string) (store.Page[T], error) {
	page := store.Page[T]{Items: []T{}}
	rows, err := db.QueryContext(ctx, query, append(args, n+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, it)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	if len(page.Items) > n {
		page.Items = page.Items[:n]
		page.HasMore = true
		page.NextCursor = cursor(page.Items[n-1])
	}
	return page, nil
}
