package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// OutboxState is where an outbox item stands.
type OutboxState string

// Outbox states. An item is deleted once the hub has accepted it (its
// message is then in the messages table), so there is no "sent" state.
const (
	// OutboxPending waits for the hub to be reachable.
	OutboxPending OutboxState = "pending"
	// OutboxSending has a request in flight, or had one when the console
	// stopped; it is resent with the same idempotency key.
	OutboxSending OutboxState = "sending"
	// OutboxFailed was refused by the hub (window closed, opted out, invalid
	// template variables…); it waits for the agent to retry or discard it.
	OutboxFailed OutboxState = "failed"
)

// OutboxItem is a write the agent made that the hub has not accepted yet
// (see writes.go). The chat window shows a pending message after the
// conversation's messages, and every other pending write where it applies
// (a note among the notes, a reaction on its message, a change on the
// conversation's header).
type OutboxItem struct {
	// Key is the Idempotency-Key sent with every attempt.
	Key            string      `json:"key"`
	LocalID        int64       `json:"local_id"`
	Kind           WriteKind   `json:"kind"`
	ConversationID int64       `json:"conversation_id"`
	State          OutboxState `json:"state"`
	// The payload of each kind but messages, which use the fields below.
	Note     *NoteWrite              `json:"note,omitempty"`
	Patch    *wire.ConversationPatch `json:"patch,omitempty"`
	Read     *ReadWrite              `json:"read,omitempty"`
	Reaction *ReactionWrite          `json:"reaction,omitempty"`
	// A message's type, content, template and reply.
	Type string `json:"type"`
	// Content is the Cloud API object for Type; Template for templates.
	Content  json.RawMessage       `json:"content,omitempty" ts_type:"unknown"`
	Template *wire.TemplateRequest `json:"template,omitempty"`
	ReplyTo  *int64                `json:"reply_to,omitempty"`
	// Preview is a line saying what the write does ("Closed", the note, the
	// message's text).
	Preview string `json:"preview"`
	// Attachment is the file to upload before the message is sent (a file
	// the agent picked); MediaID is the hub's id for it once uploaded.
	Attachment *OutboxAttachment `json:"attachment,omitempty"`
	MediaID    string            `json:"media_id,omitempty"`
	Attempts   int               `json:"attempts"`
	// Error is why the last attempt failed (a transient reason while
	// pending, the hub's refusal when failed).
	Error     *apierr.Body `json:"error,omitempty"`
	CreatedAt string       `json:"created_at"`
	UpdatedAt string       `json:"updated_at"`
}

// OutboxAttachment is a file that travels with an outbox item until the
// hub has it. The bytes are a private copy in the outbox's folder, so a
// file picked offline is sent later even if the original moves.
type OutboxAttachment struct {
	Filename string `json:"filename"`
	MimeType string `json:"mime_type"`
	Size     int64  `json:"size"`
	// File is the copy's name in the outbox folder and AccountID the
	// number to upload it for; neither concerns the window.
	File      string `json:"-"`
	AccountID string `json:"-"`
}

// attachmentRow is how an attachment is stored, every field included.
type attachmentRow struct {
	File      string `json:"file"`
	Filename  string `json:"filename"`
	MimeType  string `json:"mime_type"`
	Size      int64  `json:"size"`
	AccountID string `json:"account_id,omitempty"`
}

// Request rebuilds the send request. Once an attachment is uploaded, its
// media id is put in the content ({"id": …, "caption": …}).
func (it OutboxItem) Request() wire.SendRequest {
	content := it.Content
	if it.MediaID != "" {
		obj := map[string]any{}
		_ = json.Unmarshal(content, &obj)
		if obj == nil {
			obj = map[string]any{}
		}
		obj["id"] = it.MediaID
		content, _ = json.Marshal(obj)
	}
	req := wire.NewSend(it.ConversationID, it.Type, content)
	req.Template = it.Template
	if it.ReplyTo != nil {
		req.ReplyTo = *it.ReplyTo
	}
	return req
}

const outboxCols = `local_id, key, conversation_id, request, preview, state, attempts, error, created_at, updated_at, attachment, media_id, kind`

func scanOutbox(sc interface{ Scan(...any) error }) (OutboxItem, error) {
	var it OutboxItem
	var req, errJSON, att string
	if err := sc.Scan(&it.LocalID, &it.Key, &it.ConversationID, &req, &it.Preview, &it.State, &it.Attempts,
		&errJSON, &it.CreatedAt, &it.UpdatedAt, &att, &it.MediaID, &it.Kind); err != nil {
		return it, err
	}
	if errJSON != "" {
		it.Error = new(apierr.Body)
		if err := json.Unmarshal([]byte(errJSON), it.Error); err != nil {
			return it, err
		}
	}
	var payload any
	switch it.Kind {
	case KindMessage:
	case KindNote:
		it.Note = new(NoteWrite)
		payload = it.Note
	case KindConversation:
		it.Patch = new(wire.ConversationPatch)
		payload = it.Patch
	case KindRead:
		it.Read = new(ReadWrite)
		payload = it.Read
	case KindReaction:
		it.Reaction = new(ReactionWrite)
		payload = it.Reaction
	default:
		// Written by a newer console: kept, never sent by this one.
		return it, nil
	}
	if payload != nil {
		return it, json.Unmarshal([]byte(req), payload)
	}
	if att != "" {
		var a attachmentRow
		if err := json.Unmarshal([]byte(att), &a); err != nil {
			return it, err
		}
		it.Attachment = &OutboxAttachment{Filename: a.Filename, MimeType: a.MimeType, Size: a.Size, File: a.File, AccountID: a.AccountID}
	}
	var r wire.SendRequest
	if err := json.Unmarshal([]byte(req), &r); err != nil {
		return it, err
	}
	it.Type, it.Content, it.Template = r.Type, r.Payload(), r.Template
	if r.ReplyTo != 0 {
		it.ReplyTo = &r.ReplyTo
	}
	return it, nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// EnqueueOutbox stores a message to send. The key must be new.
func (c *Cache) EnqueueOutbox(ctx context.Context, key string, req wire.SendRequest, preview string) (OutboxItem, error) {
	return c.enqueueOutbox(ctx, key, req, preview, "")
}

// EnqueueOutboxFile stores a message to send once att is uploaded; the
// file must already be in the outbox folder under att.File.
func (c *Cache) EnqueueOutboxFile(ctx context.Context, key string, req wire.SendRequest, preview string, att OutboxAttachment) (OutboxItem, error) {
	b, err := json.Marshal(attachmentRow{File: att.File, Filename: att.Filename, MimeType: att.MimeType, Size: att.Size, AccountID: att.AccountID})
	if err != nil {
		return OutboxItem{}, err
	}
	return c.enqueueOutbox(ctx, key, req, preview, string(b))
}

func (c *Cache) enqueueOutbox(ctx context.Context, key string, req wire.SendRequest, preview, att string) (OutboxItem, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return OutboxItem{}, err
	}
	t := now()
	_, err = c.db.Write.ExecContext(ctx, `INSERT INTO outbox (key, conversation_id, request, preview, state, created_at, updated_at, attachment)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, key, req.ConversationID, string(b), preview, OutboxPending, t, t, att)
	if err != nil {
		return OutboxItem{}, err
	}
	return c.OutboxItem(ctx, key)
}

// SetOutboxMedia records the hub's media id for an item's attachment. It
// is committed before the message is sent, so no later attempt, even
// after a restart, uploads the file again.
func (c *Cache) SetOutboxMedia(ctx context.Context, key, mediaID string) error {
	return c.outboxUpdate(ctx, `UPDATE outbox SET media_id = ?, updated_at = ? WHERE key = ?`, mediaID, now(), key)
}

// OutboxFiles is the set of attachment copies the outbox still needs, by
// their name in the outbox folder.
func (c *Cache) OutboxFiles(ctx context.Context) (map[string]bool, error) {
	rows, err := c.db.Write.QueryContext(ctx, `SELECT attachment FROM outbox WHERE attachment != ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var att string
		if err := rows.Scan(&att); err != nil {
			return nil, err
		}
		var a attachmentRow
		if json.Unmarshal([]byte(att), &a) == nil && a.File != "" {
			out[a.File] = true
		}
	}
	return out, rows.Err()
}

// OutboxItem returns one item by key.
func (c *Cache) OutboxItem(ctx context.Context, key string) (OutboxItem, error) {
	it, err := scanOutbox(c.db.Write.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE key = ?`, key))
	if err == sql.ErrNoRows {
		return it, ErrNotFound
	}
	return it, err
}

// Outbox lists a conversation's items in send order (every item when
// conversationID is 0).
func (c *Cache) Outbox(ctx context.Context, conversationID int64) ([]OutboxItem, error) {
	q := `SELECT ` + outboxCols + ` FROM outbox`
	var args []any
	if conversationID != 0 {
		q += ` WHERE conversation_id = ?`
		args = append(args, conversationID)
	}
	rows, err := c.db.Read.QueryContext(ctx, q+` ORDER BY local_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []OutboxItem{}
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// NextOutbox is the oldest item due to be sent: pending, or left sending by
// an interrupted attempt.
func (c *Cache) NextOutbox(ctx context.Context) (OutboxItem, bool, error) {
	// The writer connection reads it, so an item enqueued a moment ago is
	// always seen.
	it, err := scanOutbox(c.db.Write.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE state IN (?, ?) AND kind IN (`+knownKinds+`) ORDER BY local_id LIMIT 1`, OutboxPending, OutboxSending))
	if err == sql.ErrNoRows {
		return it, false, nil
	}
	return it, err == nil, err
}

// MarkOutboxSending records that an attempt is starting. It is committed
// before the request leaves, so a crash mid-request is retried with the
// same key.
func (c *Cache) MarkOutboxSending(ctx context.Context, key string) error {
	return c.outboxUpdate(ctx, `UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ? WHERE key = ?`,
		OutboxSending, now(), key)
}

// MarkOutboxPending returns an item to pending after a transient failure,
// noting why.
func (c *Cache) MarkOutboxPending(ctx context.Context, key string, cause *apierr.Error) error {
	return c.outboxUpdate(ctx, `UPDATE outbox SET state = ?, error = ?, updated_at = ? WHERE key = ?`,
		OutboxPending, errJSON(cause), now(), key)
}

// MarkOutboxFailed records the hub's refusal; the item stays until the
// agent retries or discards it.
func (c *Cache) MarkOutboxFailed(ctx context.Context, key string, cause *apierr.Error) error {
	return c.outboxUpdate(ctx, `UPDATE outbox SET state = ?, error = ?, updated_at = ? WHERE key = ?`,
		OutboxFailed, errJSON(cause), now(), key)
}

// CompleteOutbox records the hub's acceptance: the message it created is
// stored and the item removed in one transaction, so the chat window shows
// the message exactly once — never both, never neither.
func (c *Cache) CompleteOutbox(ctx context.Context, key string, msg domain.Message) error {
	return c.write(ctx, func(w *writer) error {
		if err := w.message(&msg, nil); err != nil {
			return err
		}
		_, err := w.tx.ExecContext(ctx, `DELETE FROM outbox WHERE key = ?`, key)
		return err
	})
}

// RetryOutbox puts a failed item back in the queue under a new key: the
// hub refused the old one, so no message exists for it, and a fresh key
// keeps the hub from answering with the stored refusal.
func (c *Cache) RetryOutbox(ctx context.Context, key, newKey string) (OutboxItem, error) {
	res, err := c.db.Write.ExecContext(ctx, `UPDATE outbox SET key = ?, state = ?, error = '', updated_at = ?
		WHERE key = ? AND state = ?`, newKey, OutboxPending, now(), key, OutboxFailed)
	if err != nil {
		return OutboxItem{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := c.OutboxItem(ctx, key); err == ErrNotFound {
			return OutboxItem{}, apierr.New(apierr.NotFound, "no such outbox item")
		}
		return OutboxItem{}, apierr.New(apierr.Conflict, "only a failed message can be retried")
	}
	return c.OutboxItem(ctx, newKey)
}

// DiscardOutbox deletes an item that is not being sent right now.
func (c *Cache) DiscardOutbox(ctx context.Context, key string) (OutboxItem, error) {
	it, err := c.OutboxItem(ctx, key)
	if err == ErrNotFound {
		return it, apierr.New(apierr.NotFound, "no such outbox item")
	}
	if err != nil {
		return it, err
	}
	err = c.write(ctx, func(w *writer) error {
		res, err := w.exec(`DELETE FROM outbox WHERE key = ? AND state != ?`, key, OutboxSending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apierr.New(apierr.Conflict, "the message is being sent right now")
		}
		// A discarded change no longer shows.
		return w.rebase(it.ConversationID)
	})
	return it, err
}

func (c *Cache) outboxUpdate(ctx context.Context, query string, args ...any) error {
	res, err := c.db.Write.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func errJSON(e *apierr.Error) string {
	if e == nil {
		return ""
	}
	b, _ := json.Marshal(e.Envelope().Error)
	return string(b)
}
