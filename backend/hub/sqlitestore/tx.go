package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// ---- accounts ----------------------------------------------------------------

var qUpsertAccount = reg(`INSERT INTO hub_accounts
	(id, waba_id, display_phone_number, verified_name, status, quality_rating, throughput_mps, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		waba_id = excluded.waba_id,
		display_phone_number = excluded.display_phone_number,
		verified_name = excluded.verified_name,
		status = excluded.status,
		quality_rating = excluded.quality_rating,
		throughput_mps = excluded.throughput_mps,
		updated_at = excluded.updated_at
	RETURNING messages_in, messages_out, created_at`)

func (t *txn) UpsertAccount(ctx context.Context, a *domain.Account) error {
	row, err := t.queryRow(ctx, qUpsertAccount, a.ID, a.WABAID, a.DisplayPhoneNumber, a.VerifiedName,
		a.Status, a.QualityRating, a.ThroughputMPS, ns(a.CreatedAt), ns(a.UpdatedAt))
	if err != nil {
		return err
	}
	var created int64
	if err := row.Scan(&a.MessagesIn, &a.MessagesOut, &created); err != nil {
		return err
	}
	a.CreatedAt = fromNS(created)
	return nil
}

const accountCols = `id, waba_id, display_phone_number, verified_name, status, quality_rating,
	throughput_mps, messages_in, messages_out, created_at, updated_at`

var qAccount = direct(`SELECT ` + accountCols + ` FROM hub_accounts WHERE id = ?`)

func scanAccount(sc scanner) (domain.Account, error) {
	var a domain.Account
	var created, updated int64
	err := sc.Scan(&a.ID, &a.WABAID, &a.DisplayPhoneNumber, &a.VerifiedName, &a.Status, &a.QualityRating,
		&a.ThroughputMPS, &a.MessagesIn, &a.MessagesOut, &created, &updated)
	a.CreatedAt, a.UpdatedAt = fromNS(created), fromNS(updated)
	return a, notFound(err)
}

func (t *txn) Account(ctx context.Context, id string) (domain.Account, error) {
	row, err := t.queryRow(ctx, qAccount, id)
	if err != nil {
		return domain.Account{}, err
	}
	return scanAccount(row)
}

var qAddAccountCounts = direct(`UPDATE hub_accounts SET messages_in = messages_in + ?, messages_out = messages_out + ? WHERE id = ?`)

func (t *txn) AddAccountCounts(ctx context.Context, id string, in, out int64) error {
	_, err := t.exec(ctx, qAddAccountCounts, in, out, id)
	return err
}

// ---- contacts ----------------------------------------------------------------

const contactCols = `id, phone, wa_id, user_id, name, profile_name, opted_out, opted_out_at, attributes, created_at, updated_at`

func scanContact(sc scanner) (domain.Contact, error) {
	var c domain.Contact
	var phone, userID, attrs sql.NullString
	var optedOut int64
	var optedAt sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&c.ID, &phone, &c.WaID, &userID, &c.Name, &c.ProfileName, &optedOut, &optedAt, &attrs, &created, &updated); err != nil {
		return c, notFound(err)
	}
	c.Phone, c.UserID = phone.String, userID.String
	c.OptedOut = optedOut != 0
	c.OptedOutAt = fromNullNS(optedAt)
	c.CreatedAt, c.UpdatedAt = fromNS(created), fromNS(updated)
	m, err := unjson[map[string]string](attrs)
	if err != nil {
		return c, err
	}
	if m != nil {
		c.Attributes = *m
	}
	return c, nil
}

var qInsertContact = direct(`INSERT INTO contacts (phone, wa_id, user_id, name, profile_name, opted_out, opted_out_at,
	attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

func (t *txn) InsertContact(ctx context.Context, c *domain.Contact) error {
	attrs, err := jsonOrNil(c.Attributes)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, qInsertContact, nullStr(c.Phone), c.WaID, nullStr(c.UserID), c.Name, c.ProfileName,
		boolInt(c.OptedOut), nsPtr(c.OptedOutAt), attrs, ns(c.CreatedAt), ns(c.UpdatedAt))
	c.ID = res.lastID
	return err
}

var qUpdateContact = direct(`UPDATE contacts SET phone = ?, wa_id = ?, user_id = ?, name = ?, profile_name = ?, opted_out = ?,
	opted_out_at = ?, attributes = ?, updated_at = ? WHERE id = ?`)

func (t *txn) UpdateContact(ctx context.Context, c *domain.Contact) error {
	attrs, err := jsonOrNil(c.Attributes)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, qUpdateContact, nullStr(c.Phone), c.WaID, nullStr(c.UserID), c.Name, c.ProfileName,
		boolInt(c.OptedOut), nsPtr(c.OptedOutAt), attrs, ns(c.UpdatedAt), c.ID)
	return mustAffect(res, err)
}

func mustAffect(res execResult, err error) error {
	if err != nil {
		return err
	}
	if res.affected == 0 {
		return store.ErrNotFound
	}
	return nil
}

var qDeleteContact = reg(`DELETE FROM contacts WHERE id = ?`)

func (t *txn) DeleteContact(ctx context.Context, id int64) error {
	return mustAffect(t.exec(ctx, qDeleteContact, id))
}

var (
	qContactByID     = direct(`SELECT ` + contactCols + ` FROM contacts WHERE id = ?`)
	qContactByPhone  = direct(`SELECT ` + contactCols + ` FROM contacts WHERE phone = ?`)
	qContactByUserID = direct(`SELECT ` + contactCols + ` FROM contacts WHERE user_id = ?`)
)

func (t *txn) contactBy(ctx context.Context, q string, arg any) (domain.Contact, error) {
	row, err := t.queryRow(ctx, q, arg)
	if err != nil {
		return domain.Contact{}, err
	}
	return scanContact(row)
}

func (t *txn) ContactByID(ctx context.Context, id int64) (domain.Contact, error) {
	return t.contactBy(ctx, qContactByID, id)
}

func (t *txn) ContactByPhone(ctx context.Context, phone string) (domain.Contact, error) {
	return t.contactBy(ctx, qContactByPhone, phone)
}

func (t *txn) ContactByUserID(ctx context.Context, userID string) (domain.Contact, error) {
	return t.contactBy(ctx, qContactByUserID, userID)
}

var qAddPhoneHistory = reg(`INSERT INTO contact_phone_history (contact_id, phone, until) VALUES (?, ?, ?)
	ON CONFLICT (contact_id, phone) DO UPDATE SET until = excluded.until`)

func (t *txn) AddPhoneHistory(ctx context.Context, contactID int64, phone string, until time.Time) error {
	_, err := t.exec(ctx, qAddPhoneHistory, contactID, phone, ns(until))
	return err
}

// ---- conversations -------------------------------------------------------------

const convCols = `c.id, c.account_id, c.contact_id, c.status, c.assignee_id, c.team, c.snoozed_until,
	c.window_expires_at, c.last_inbound_at, c.last_outbound_at, c.unanswered, c.waiting_since,
	c.unread_count, c.last_message, c.last_activity_at,
	(SELECT r.referral FROM conversation_referrals r WHERE r.conversation_id = c.id), c.created_at, c.updated_at`

func scanConversation(sc scanner, extra ...any) (store.Conversation, error) {
	var c store.Conversation
	var assignee, snoozed, window, lastIn, lastOut, waiting sql.NullInt64
	var unanswered int64
	var last, referral sql.NullString
	var activity, created, updated int64
	dest := []any{&c.ID, &c.AccountID, &c.Contact.ID, &c.Status, &assignee, &c.Team, &snoozed,
		&window, &lastIn, &lastOut, &unanswered, &waiting,
		&c.UnreadCount, &last, &activity, &referral, &created, &updated}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return c, notFound(err)
	}
	c.AssigneeID = fromNullInt(assignee)
	c.SnoozedUntil = fromNullNS(snoozed)
	c.WindowExpiresAt = fromNullNS(window)
	c.LastInboundAt = fromNullNS(lastIn)
	c.LastOutboundAt = fromNullNS(lastOut)
	c.Unanswered = unanswered != 0
	c.WaitingSince = fromNullNS(waiting)
	c.LastActivityAt = fromNS(activity)
	c.CreatedAt, c.UpdatedAt = fromNS(created), fromNS(updated)
	var err error
	if c.LastMessage, err = unjson[domain.MessagePreview](last); err != nil {
		return c, err
	}
	if c.Referral, err = unjson[domain.Referral](referral); err != nil {
		return c, err
	}
	return c, nil
}

func convArgs(c *store.Conversation) ([]any, error) {
	last, err := jsonOrNil(c.LastMessage)
	if err != nil {
		return nil, err
	}
	return []any{c.AccountID, c.Contact.ID, string(c.Status), nullInt(c.AssigneeID), c.Team, nsPtr(c.SnoozedUntil),
		nsPtr(c.WindowExpiresAt), nsPtr(c.LastInboundAt), nsPtr(c.LastOutboundAt), boolInt(c.Unanswered),
		nsPtr(c.WaitingSince), c.UnreadCount, last, ns(c.LastActivityAt), ns(c.CreatedAt), ns(c.UpdatedAt)}, nil
}

var qInsertConversation = direct(`INSERT INTO conversations (account_id, contact_id, status, assignee_id, team,
	snoozed_until, window_expires_at, last_inbound_at, last_outbound_at, unanswered, waiting_since,
	unread_count, last_message, last_activity_at, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

func (t *txn) InsertConversation(ctx context.Context, c *store.Conversation) error {
	args, err := convArgs(c)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, qInsertConversation, args...)
	if err != nil {
		return err
	}
	c.ID = res.lastID
	return t.setReferral(ctx, c)
}

var (
	qSetReferral = direct(`INSERT INTO conversation_referrals (conversation_id, referral) VALUES (?, ?)
		ON CONFLICT (conversation_id) DO UPDATE SET referral = excluded.referral`)
	qClearReferral = direct(`DELETE FROM conversation_referrals WHERE conversation_id = ?`)
)

func (t *txn) setReferral(ctx context.Context, c *store.Conversation) error {
	if c.Referral == nil {
		_, err := t.exec(ctx, qClearReferral, c.ID)
		return err
	}
	ref, err := jsonOrNil(c.Referral)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, qSetReferral, c.ID, ref)
	return err
}

// conversationSets maps each column group to its SET clauses and the
// values, in order, from a conversation.
var conversationSets = []struct {
	field store.ConversationFields
	cols  []string
	vals  func(c *store.Conversation) ([]any, error)
}{
	{store.ConvStatus, []string{"status", "snoozed_until"}, func(c *store.Conversation) ([]any, error) {
		return []any{string(c.Status), nsPtr(c.SnoozedUntil)}, nil
	}},
	{store.ConvAssignment, []string{"assignee_id", "team"}, func(c *store.Conversation) ([]any, error) {
		return []any{nullInt(c.AssigneeID), c.Team}, nil
	}},
	{store.ConvWindow, []string{"window_expires_at", "last_inbound_at", "last_outbound_at"}, func(c *store.Conversation) ([]any, error) {
		return []any{nsPtr(c.WindowExpiresAt), nsPtr(c.LastInboundAt), nsPtr(c.LastOutboundAt)}, nil
	}},
	{store.ConvWaiting, []string{"unanswered", "waiting_since"}, func(c *store.Conversation) ([]any, error) {
		return []any{boolInt(c.Unanswered), nsPtr(c.WaitingSince)}, nil
	}},
	{store.ConvPreview, []string{"unread_count", "last_message"}, func(c *store.Conversation) ([]any, error) {
		last, err := jsonOrNil(c.LastMessage)
		return []any{c.UnreadCount, last}, err
	}},
	{store.ConvActivity, []string{"last_activity_at"}, func(c *store.Conversation) ([]any, error) {
		return []any{ns(c.LastActivityAt)}, nil
	}},
	{store.ConvParent, []string{"account_id", "contact_id"}, func(c *store.Conversation) ([]any, error) {
		return []any{c.AccountID, c.Contact.ID}, nil
	}},
}

// updateConversationSQL builds (once per combination) the UPDATE that
// writes exactly the selected groups: SQLite maintains an index on an
// UPDATE only when the statement sets one of its columns.
var updateConversationSQL sync.Map // store.ConversationFields -> string

func conversationUpdate(fields store.ConversationFields) string {
	if q, ok := updateConversationSQL.Load(fields); ok {
		return q.(string)
	}
	var sets []string
	for _, g := range conversationSets {
		if fields&g.field != 0 {
			for _, c := range g.cols {
				sets = append(sets, c+" = ?")
			}
		}
	}
	q := `UPDATE conversations SET ` + strings.Join(append(sets, "updated_at = ?"), ", ") + ` WHERE id = ?`
	updateConversationSQL.Store(fields, q)
	return q
}

func (t *txn) UpdateConversation(ctx context.Context, c *store.Conversation, fields store.ConversationFields) error {
	args := make([]any, 0, 20)
	for _, g := range conversationSets {
		if fields&g.field != 0 {
			v, err := g.vals(c)
			if err != nil {
				return err
			}
			args = append(args, v...)
		}
	}
	args = append(args, ns(c.UpdatedAt), c.ID)
	// Conversations neither reference nor are referenced by the buffered
	// tables: no flush needed.
	if err := mustAffect(t.execDirect(conversationUpdate(fields), args...)); err != nil {
		return err
	}
	if fields&store.ConvReferral != 0 {
		return t.setReferral(ctx, c)
	}
	return nil
}

var qDeleteConversation = reg(`DELETE FROM conversations WHERE id = ?`)

func (t *txn) DeleteConversation(ctx context.Context, id int64) error {
	return mustAffect(t.exec(ctx, qDeleteConversation, id))
}

var (
	qConversationByID      = direct(`SELECT ` + convCols + ` FROM conversations c WHERE c.id = ?`)
	qConversationByContact = direct(`SELECT ` + convCols + ` FROM conversations c WHERE c.account_id = ? AND c.contact_id = ?`)
)

func (t *txn) ConversationByID(ctx context.Context, id int64) (store.Conversation, error) {
	row, err := t.queryRow(ctx, qConversationByID, id)
	if err != nil {
		return store.Conversation{}, err
	}
	return scanConversation(row)
}

func (t *txn) ConversationByContact(ctx context.Context, accountID string, contactID int64) (store.Conversation, error) {
	row, err := t.queryRow(ctx, qConversationByContact, accountID, contactID)
	if err != nil {
		return store.Conversation{}, err
	}
	return scanConversation(row)
}

var qConversationIDsByContact = reg(`SELECT id FROM conversations WHERE contact_id = ? ORDER BY id`)

func (t *txn) ConversationIDsByContact(ctx context.Context, contactID int64) ([]int64, error) {
	return queryIDs(t.query(qConversationIDsByContact, contactID))
}

func queryIDs(rows []rowValues, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		id, err := asInt(r[0])
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

var qDueSnoozed = reg(`SELECT id FROM conversations WHERE status = 'snoozed' AND snoozed_until <= ? ORDER BY snoozed_until LIMIT ?`)

func (t *txn) DueSnoozed(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	return queryIDs(t.query(qDueSnoozed, ns(now), limit))
}

// ---- messages ------------------------------------------------------------------

const msgCols = `m.id, m.wamid, m.conversation_id, m.account_id, m.direction, m.type, m.content, m.preview,
	m.from_addr, m.to_addr, m.reply_to, m.context_wamid, m.forwarded, m.hidden, m.reactions, m.status,
	m.error, m.author_id, m.timestamp, m.sent_at, m.delivered_at, m.read_at, m.idempotency_key,
	m.request_hash, m.created_at, m.updated_at`

func scanMessage(sc scanner) (store.Message, error) {
	var m store.Message
	var wamid, reactions, errJSON, idem sql.NullString
	var content string
	var replyTo, author, sent, delivered, read sql.NullInt64
	var forwarded, hidden int64
	var ts, created, updated int64
	if err := sc.Scan(&m.ID, &wamid, &m.ConversationID, &m.AccountID, &m.Direction, &m.Type, &content, &m.Preview,
		&m.From, &m.To, &replyTo, &m.ContextWAMID, &forwarded, &hidden, &reactions, &m.Status,
		&errJSON, &author, &ts, &sent, &delivered, &read, &idem,
		&m.RequestHash, &created, &updated); err != nil {
		return m, notFound(err)
	}
	m.WAMID = wamid.String
	m.Content = json.RawMessage(content)
	m.ReplyTo = fromNullInt(replyTo)
	m.Forwarded = forwarded != 0
	m.Hidden = hidden != 0
	m.AuthorID = fromNullInt(author)
	m.Timestamp = fromNS(ts)
	m.SentAt, m.DeliveredAt, m.ReadAt = fromNullNS(sent), fromNullNS(delivered), fromNullNS(read)
	m.IdempotencyKey = idem.String
	m.CreatedAt, m.UpdatedAt = fromNS(created), fromNS(updated)
	var err error
	if m.Error, err = unjson[domain.MessageError](errJSON); err != nil {
		return m, err
	}
	r, err := unjson[[]domain.Reaction](reactions)
	if err != nil {
		return m, err
	}
	if r != nil {
		m.Reactions = *r
	}
	if m.Reactions == nil {
		m.Reactions = []domain.Reaction{}
	}
	return m, nil
}

// wamidKey is the index key of a wamid: 64 bits of FNV-1a. Distinct wamids
// may share a key; lookups compare the wamid itself too.
func wamidKey(wamid string) any {
	if wamid == "" {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(wamid))
	return int64(h.Sum64())
}

var (
	qWamidTaken    = direct(`SELECT wamid FROM messages WHERE wamid_key = ?`)
	qInsertMessage = direct(`INSERT INTO messages (wamid, wamid_key, conversation_id, account_id, direction, type, content,
	preview, from_addr, to_addr, reply_to, context_wamid, forwarded, hidden, reactions, status, error,
	author_id, timestamp, sent_at, delivered_at, read_at, idempotency_key, request_hash, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
)

// InsertMessage stores m unless a message with its wamid exists (webhook
// redelivery), which it reports with false. Write transactions are
// serialised, so the check and the insert cannot interleave with another.
func (t *txn) InsertMessage(ctx context.Context, m *store.Message) (bool, error) {
	key := wamidKey(m.WAMID)
	if key != nil {
		rows, err := t.query(qWamidTaken, key)
		if err != nil {
			return false, err
		}
		for _, r := range rows {
			if asString(r[0]) == m.WAMID {
				return false, nil
			}
		}
	}
	reactions, err := jsonOrNil(m.Reactions)
	if err != nil {
		return false, err
	}
	errJSON, err := jsonOrNil(m.Error)
	if err != nil {
		return false, err
	}
	content := string(m.Content)
	if content == "" {
		content = "{}"
	}
	res, err := t.exec(ctx, qInsertMessage, nullStr(m.WAMID), key, m.ConversationID, m.AccountID, string(m.Direction),
		m.Type, content, m.Preview, m.From, m.To, nullInt(m.ReplyTo), m.ContextWAMID, boolInt(m.Forwarded),
		boolInt(m.Hidden), reactions, string(m.Status), errJSON, nullInt(m.AuthorID), ns(m.Timestamp),
		nsPtr(m.SentAt), nsPtr(m.DeliveredAt), nsPtr(m.ReadAt), nullStr(m.IdempotencyKey), m.RequestHash,
		ns(m.CreatedAt), ns(m.UpdatedAt))
	if err != nil {
		return false, err
	}
	m.ID = res.lastID
	return true, nil
}

var qUpdateMessage = direct(`UPDATE messages SET wamid = ?, wamid_key = ?, conversation_id = ?, reply_to = ?, reactions = ?,
	status = ?, error = ?, sent_at = ?, delivered_at = ?, read_at = ?, updated_at = ? WHERE id = ?`)

func (t *txn) UpdateMessage(ctx context.Context, m *store.Message) error {
	reactions, err := jsonOrNil(m.Reactions)
	if err != nil {
		return err
	}
	errJSON, err := jsonOrNil(m.Error)
	if err != nil {
		return err
	}
	return mustAffect(t.exec(ctx, qUpdateMessage, nullStr(m.WAMID), wamidKey(m.WAMID), m.ConversationID, nullInt(m.ReplyTo), reactions,
		string(m.Status), errJSON, nsPtr(m.SentAt), nsPtr(m.DeliveredAt), nsPtr(m.ReadAt), ns(m.UpdatedAt), m.ID))
}

var (
	qMessageByID    = direct(`SELECT ` + msgCols + ` FROM messages m WHERE m.id = ?`)
	qMessageByWAMID = direct(`SELECT ` + msgCols + ` FROM messages m WHERE m.wamid_key = ? AND m.wamid = ?`)
	qMessageByIdem  = reg(`SELECT ` + msgCols + ` FROM messages m WHERE m.idempotency_key = ?`)
)

func (t *txn) messageBy(ctx context.Context, q string, arg any) (store.Message, error) {
	row, err := t.queryRow(ctx, q, arg)
	if err != nil {
		return store.Message{}, err
	}
	return scanMessage(row)
}

func (t *txn) MessageByID(ctx context.Context, id int64) (store.Message, error) {
	return t.messageBy(ctx, qMessageByID, id)
}

func (t *txn) MessageByWAMID(ctx context.Context, wamid string) (store.Message, error) {
	if wamid == "" {
		return store.Message{}, store.ErrNotFound
	}
	row, err := t.queryRow(ctx, qMessageByWAMID, wamidKey(wamid), wamid)
	if err != nil {
		return store.Message{}, err
	}
	return scanMessage(row)
}

func (t *txn) MessageByIdempotencyKey(ctx context.Context, key string) (store.Message, error) {
	return t.messageBy(ctx, qMessageByIdem, key)
}

var qMarkInboundRead = reg(`UPDATE messages SET status = 'read', read_at = ?, updated_at = ?
	WHERE conversation_id = ? AND direction = 'inbound' AND status = 'received' AND id <= ? RETURNING id`)

func (t *txn) MarkInboundRead(ctx context.Context, conversationID, uptoID int64, at time.Time) ([]int64, error) {
	return queryIDs(t.query(qMarkInboundRead, ns(at), ns(at), conversationID, uptoID))
}

var (
	qMoveMessages = reg(`UPDATE messages SET conversation_id = ? WHERE conversation_id = ?`)
	qMoveNotes    = reg(`UPDATE notes SET conversation_id = ? WHERE conversation_id = ?`)
)

func (t *txn) MoveMessages(ctx context.Context, from, to int64) error {
	if _, err := t.exec(ctx, qMoveMessages, to, from); err != nil {
		return err
	}
	_, err := t.exec(ctx, qMoveNotes, to, from)
	return err
}

// ---- parked statuses --------------------------------------------------------------

var qParkStatus = reg(`INSERT INTO parked_statuses (wamid, status, timestamp, error, raw, received_at)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (wamid, status) DO NOTHING`)

func (t *txn) ParkStatus(ctx context.Context, p store.ParkedStatus) error {
	errJSON, err := jsonOrNil(p.Error)
	if err != nil {
		return err
	}
	raw := string(p.Raw)
	if raw == "" {
		raw = "{}"
	}
	_, err = t.exec(ctx, qParkStatus, p.WAMID, string(p.Status), ns(p.Timestamp), errJSON, raw, ns(p.ReceivedAt))
	return err
}

var qTakeParked = reg(`DELETE FROM parked_statuses WHERE wamid = ?
	RETURNING id, wamid, status, timestamp, error, raw, received_at`)

func (t *txn) TakeParkedStatuses(ctx context.Context, wamid string) ([]store.ParkedStatus, error) {
	rows, err := t.query(qTakeParked, wamid)
	if err != nil {
		return nil, err
	}
	type parked struct {
		id int64
		p  store.ParkedStatus
	}
	var out []parked
	for _, row := range rows {
		var x parked
		var ts, rec int64
		var errJSON sql.NullString
		var raw string
		if err := row.Scan(&x.id, &x.p.WAMID, &x.p.Status, &ts, &errJSON, &raw, &rec); err != nil {
			return nil, err
		}
		x.p.Timestamp, x.p.ReceivedAt = fromNS(ts), fromNS(rec)
		x.p.Raw = json.RawMessage(raw)
		if x.p.Error, err = unjson[domain.MessageError](errJSON); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	// RETURNING order is unspecified: sort by arrival.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].id < out[j-1].id; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	res := make([]store.ParkedStatus, len(out))
	for i, x := range out {
		res[i] = x.p
	}
	return res, nil
}

// ---- raw webhooks ------------------------------------------------------------------

func (t *txn) InsertRawWebhook(ctx context.Context, w *store.RawWebhook) error {
	body := w.Body
	if body == nil {
		body = []byte{}
	}
	id, err := t.add(t.w.pend.raw, ns(w.ReceivedAt), body, w.Signature, string(w.State), w.Error)
	w.ID = id
	return err
}

var qSetRawState = reg(`UPDATE webhook_bodies SET state = ?, error = ? WHERE id = ?`)

func (t *txn) SetRawWebhookState(ctx context.Context, id int64, state store.RawState, errText string) error {
	return mustAffect(t.exec(ctx, qSetRawState, string(state), errText, id))
}

// Bodies are inserted in time order, so the oldest are the lowest ids: the
// scan stops at the first young body.
var qPruneRaw = reg(`DELETE FROM webhook_bodies WHERE id IN (
	SELECT id FROM webhook_bodies WHERE state = 'processed' AND id < COALESCE(
		(SELECT id FROM webhook_bodies WHERE received_at >= ? ORDER BY id LIMIT 1), 9223372036854775807)
	ORDER BY id LIMIT ?)`)

func (t *txn) PruneRawWebhooks(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := t.exec(ctx, qPruneRaw, ns(before), limit)
	return int(res.affected), err
}

// ---- templates ------------------------------------------------------------------------

const tplCols = `waba_id, name, language, id, category, status, quality, parameter_format, components, rejected_reason, updated_at,
	rejection_info, status_info, category_change, submit_key, submit_hash`

func scanTemplate(sc scanner) (domain.Template, error) {
	var tp domain.Template
	var comps, rejection, status, category string
	var updated int64
	err := sc.Scan(&tp.WABAID, &tp.Name, &tp.Language, &tp.ID, &tp.Category, &tp.Status, &tp.Quality,
		&tp.ParameterFormat, &comps, &tp.RejectedReason, &updated, &rejection, &status, &category, &tp.SubmitKey, &tp.SubmitHash)
	if err != nil {
		return tp, notFound(err)
	}
	tp.Components = json.RawMessage(comps)
	tp.UpdatedAt = fromNS(updated)
	for _, c := range []struct {
		col string
		v   any
	}{{rejection, &tp.RejectionInfo}, {status, &tp.StatusInfo}, {category, &tp.CategoryChange}} {
		if c.col != "" {
			if err := json.Unmarshal([]byte(c.col), c.v); err != nil {
				return tp, fmt.Errorf("template %s/%s: %w", tp.Name, tp.Language, err)
			}
		}
	}
	return tp, nil
}

// jsonOrEmpty encodes v, or "" for a nil pointer.
func jsonOrEmpty[T any](v *T) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var qUpsertTemplate = reg(`INSERT INTO templates (` + tplCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (waba_id, name, language) DO UPDATE SET id = excluded.id, category = excluded.category,
	status = excluded.status, quality = excluded.quality, parameter_format = excluded.parameter_format,
	components = excluded.components, rejected_reason = excluded.rejected_reason, updated_at = excluded.updated_at,
	rejection_info = excluded.rejection_info, status_info = excluded.status_info, category_change = excluded.category_change,
	submit_key = excluded.submit_key, submit_hash = excluded.submit_hash`)

func (t *txn) UpsertTemplate(ctx context.Context, tp *domain.Template) error {
	comps := string(tp.Components)
	if comps == "" {
		comps = "[]"
	}
	_, err := t.exec(ctx, qUpsertTemplate, tp.WABAID, tp.Name, tp.Language, tp.ID, tp.Category, tp.Status,
		tp.Quality, tp.ParameterFormat, comps, tp.RejectedReason, ns(tp.UpdatedAt),
		jsonOrEmpty(tp.RejectionInfo), jsonOrEmpty(tp.StatusInfo), jsonOrEmpty(tp.CategoryChange), tp.SubmitKey, tp.SubmitHash)
	return err
}

var qDeleteTemplate = reg(`DELETE FROM templates WHERE waba_id = ? AND name = ? AND language = ?`)

func (t *txn) DeleteTemplate(ctx context.Context, wabaID, name, language string) error {
	return mustAffect(t.exec(ctx, qDeleteTemplate, wabaID, name, language))
}

var (
	qTemplateByKey  = reg(`SELECT ` + tplCols + ` FROM templates WHERE waba_id = ? AND name = ? AND language = ?`)
	qTemplateByID   = reg(`SELECT ` + tplCols + ` FROM templates WHERE id = ? LIMIT 1`)
	qTemplatesOfWAB = reg(`SELECT ` + tplCols + ` FROM templates WHERE waba_id = ? ORDER BY name, language`)
	qTemplateBySubm = reg(`SELECT ` + tplCols + ` FROM templates WHERE submit_key = ? LIMIT 1`)
)

func (t *txn) TemplateBySubmitKey(ctx context.Context, key string) (domain.Template, error) {
	if key == "" {
		return domain.Template{}, store.ErrNotFound
	}
	row, err := t.queryRow(ctx, qTemplateBySubm, key)
	if err != nil {
		return domain.Template{}, err
	}
	return scanTemplate(row)
}

func (t *txn) TemplateByKey(ctx context.Context, wabaID, name, language string) (domain.Template, error) {
	row, err := t.queryRow(ctx, qTemplateByKey, wabaID, name, language)
	if err != nil {
		return domain.Template{}, err
	}
	return scanTemplate(row)
}

func (t *txn) TemplateByID(ctx context.Context, id string) (domain.Template, error) {
	if id == "" {
		return domain.Template{}, store.ErrNotFound
	}
	row, err := t.queryRow(ctx, qTemplateByID, id)
	if err != nil {
		return domain.Template{}, err
	}
	return scanTemplate(row)
}

func (t *txn) TemplatesOfWABA(ctx context.Context, wabaID string) ([]domain.Template, error) {
	rows, err := t.query(qTemplatesOfWAB, wabaID)
	if err != nil {
		return nil, err
	}
	var out []domain.Template
	for _, r := range rows {
		tp, err := scanTemplate(r)
		if err != nil {
			return nil, err
		}
		out = append(out, tp)
	}
	return out, nil
}

// ---- notes ------------------------------------------------------------------------------

var qInsertNote = reg(`INSERT INTO notes (conversation_id, author_id, body, created_at) VALUES (?, ?, ?, ?)`)

func (t *txn) InsertNote(ctx context.Context, n *domain.Note) error {
	res, err := t.exec(ctx, qInsertNote, n.ConversationID, n.AuthorID, n.Body, ns(n.CreatedAt))
	n.ID = res.lastID
	return err
}

// ---- counters -----------------------------------------------------------------------------

var (
	qAddCounter   = direct(`INSERT INTO counters (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value + excluded.value`)
	qDropZero     = direct(`DELETE FROM counters WHERE key = ? AND value = 0`)
	qCounters     = direct(`SELECT key, value FROM counters`)
	qOldestWaiter = direct(`SELECT waiting_since FROM conversations
		WHERE unanswered = 1 AND status IN ('open', 'pending') AND waiting_since IS NOT NULL
		ORDER BY waiting_since LIMIT 1`)
)

func (t *txn) AddCounters(ctx context.Context, deltas map[string]int64) error {
	for k, d := range deltas {
		if d == 0 {
			continue
		}
		if _, err := t.exec(ctx, qAddCounter, k, d); err != nil {
			return err
		}
		// Keep per-agent and per-team rows only while they count something,
		// so the table stays as small as the set of busy agents and teams.
		if strings.HasPrefix(k, store.CounterAgent) || strings.HasPrefix(k, store.CounterTeam) {
			if _, err := t.exec(ctx, qDropZero, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// readCounters builds the counters from the counters rows and the oldest
// waiting time (nil when nobody waits).
func readCounters(rows []rowValues, oldest *time.Time) (domain.Counters, error) {
	c := domain.Counters{ByAgent: map[string]int{}, ByTeam: map[string]int{}}
	for _, r := range rows {
		var k string
		var v int64
		if err := r.Scan(&k, &v); err != nil {
			return c, err
		}
		switch {
		case k == store.CounterTotal:
			c.Total = int(v)
		case k == store.CounterUnassigned:
			c.Unassigned = int(v)
		case strings.HasPrefix(k, store.CounterAgent):
			if v != 0 {
				c.ByAgent[k[len(store.CounterAgent):]] = int(v)
			}
		case strings.HasPrefix(k, store.CounterTeam):
			if v != 0 {
				c.ByTeam[k[len(store.CounterTeam):]] = int(v)
			}
		}
	}
	c.OldestWaitingSince = oldest
	return c, nil
}

func (t *txn) CountersTx(ctx context.Context) (domain.Counters, error) {
	rows, err := t.query(qCounters)
	if err != nil {
		return domain.Counters{}, err
	}
	old, err := t.query(qOldestWaiter)
	if err != nil {
		return domain.Counters{}, err
	}
	var oldest *time.Time
	if len(old) > 0 {
		var w sql.NullInt64
		if err := old[0].Scan(&w); err != nil {
			return domain.Counters{}, err
		}
		oldest = fromNullNS(w)
	}
	return readCounters(rows, oldest)
}

// ---- events --------------------------------------------------------------------------------

func (t *txn) AppendEvent(ctx context.Context, e *domain.Event) error {
	var conv any
	if e.ConversationID != 0 {
		conv = e.ConversationID
	}
	data := string(e.Data)
	if data == "" {
		data = "null"
	}
	seq, err := t.add(t.w.pend.events, e.Type, conv, nullInt(e.AssigneeID), nullInt(e.PrevAssigneeID), ns(e.At), data, boolInt(e.AccountUnconfigured))
	e.Seq = seq
	return err
}

var (
	qMaxSeq        = reg(`SELECT COALESCE(MAX(seq), 0) FROM events`)
	qFirstYoung    = reg(`SELECT seq FROM events WHERE at >= ? ORDER BY seq LIMIT 1`)
	qPruneEventsTo = reg(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ? ORDER BY seq LIMIT ?)`)
)

func (t *txn) PruneEvents(ctx context.Context, maxSeq int64, olderThan time.Time, limit int) (int, error) {
	row, err := t.queryRow(ctx, qMaxSeq)
	if err != nil {
		return 0, err
	}
	var newest int64
	if err := row.Scan(&newest); err != nil {
		return 0, err
	}
	cut := maxSeq
	if !olderThan.IsZero() {
		// Events are appended in time order, so everything before the first
		// young event is old. Seeking it walks only the old prefix.
		row, err := t.queryRow(ctx, qFirstYoung, ns(olderThan))
		if err != nil {
			return 0, err
		}
		var young int64
		switch err := row.Scan(&young); {
		case errors.Is(err, sql.ErrNoRows):
			cut = max(cut, newest)
		case err != nil:
			return 0, err
		default:
			cut = max(cut, young-1)
		}
	}
	cut = min(cut, newest-1) // always keep the newest, so the log shows where it stands
	if cut <= 0 {
		return 0, nil
	}
	res, err := t.exec(ctx, qPruneEventsTo, cut, limit)
	return int(res.affected), err
}

// ---- send queue --------------------------------------------------------------------------------

var qEnqueue = reg(`INSERT INTO send_queue (message_id, account_id, recipient, payload, attempts, enqueued_at) VALUES (?, ?, ?, ?, ?, ?)`)

func (t *txn) Enqueue(ctx context.Context, q store.QueueItem) error {
	_, err := t.exec(ctx, qEnqueue, q.MessageID, q.AccountID, q.Recipient, string(q.Payload), q.Attempts, ns(q.EnqueuedAt))
	return err
}

var qDequeue = reg(`DELETE FROM send_queue WHERE message_id = ?`)

func (t *txn) Dequeue(ctx context.Context, messageID int64) error {
	_, err := t.exec(ctx, qDequeue, messageID)
	return err
}

var qSetAttempts = reg(`UPDATE send_queue SET attempts = ? WHERE message_id = ?`)

func (t *txn) SetQueueAttempts(ctx context.Context, messageID int64, attempts int) error {
	_, err := t.exec(ctx, qSetAttempts, attempts, messageID)
	return err
}
