package hubapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
)

// sendTypes are the message types POST /v1/messages accepts; the body
// carries the Cloud API object under the key named by type. contacts is
// an array, the others objects.
var sendTypes = map[string]bool{
	"text": true, "image": true, "audio": true, "video": true, "document": true, "sticker": true,
	"location": true, "contacts": true, "interactive": true, "reaction": true, "template": true,
}

// sendEnvelopeFields are the keys of POST /v1/messages besides the
// type-named content.
var sendEnvelopeFields = map[string]bool{"to": true, "conversation_id": true, "account_id": true, "type": true, "reply_to": true}

// parseSend validates a POST /v1/messages body. It checks shape only; the
// core applies WhatsApp's rules (window, opt-out, template parameters,
// content limits) and answers with their codes.
func parseSend(body []byte) (SendRequest, error) {
	var req SendRequest
	var fields map[string]json.RawMessage
	if err := unmarshalStrict(body, &fields); err != nil {
		return req, err
	}
	if fields == nil {
		return req, apierr.New(apierr.InvalidRequest, "the body must be a JSON object")
	}
	str := func(k string) (string, error) {
		raw, ok := fields[k]
		if !ok || string(raw) == "null" {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", apierr.Field(apierr.InvalidRequest, k, "%s must be a string", k)
		}
		return s, nil
	}
	var err error
	if req.Type, err = str("type"); err != nil {
		return req, err
	}
	if req.Type == "" {
		return req, apierr.Field(apierr.InvalidRequest, "type", "type is required (text, image, document, template, …)")
	}
	if !sendTypes[req.Type] {
		return req, apierr.Field(apierr.ValidationFailed, "type", "type %q cannot be sent; use one of text, image, audio, video, document, sticker, location, contacts, interactive, reaction, template", req.Type)
	}
	for k := range fields {
		if !sendEnvelopeFields[k] && k != req.Type {
			return req, apierr.Field(apierr.InvalidRequest, k, "unknown field %q for a %s message", k, req.Type)
		}
	}
	to, err := str("to")
	if err != nil {
		return req, err
	}
	if req.AccountID, err = str("account_id"); err != nil {
		return req, err
	}
	if raw, ok := fields["conversation_id"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &req.ConversationID); err != nil || req.ConversationID <= 0 {
			return req, apierr.Field(apierr.InvalidRequest, "conversation_id", "conversation_id must be a conversation id")
		}
	}
	switch {
	case to == "" && req.ConversationID == 0:
		return req, apierr.New(apierr.InvalidRequest, "give the recipient: to (a phone number) or conversation_id")
	case to != "" && req.ConversationID != 0:
		return req, apierr.New(apierr.InvalidRequest, "give either to or conversation_id, not both")
	case to != "":
		if req.To, err = normalizePhone("to", to); err != nil {
			return req, err
		}
	}
	if raw, ok := fields["reply_to"]; ok && string(raw) != "null" {
		var id int64
		if err := json.Unmarshal(raw, &id); err != nil || id <= 0 {
			return req, apierr.Field(apierr.InvalidRequest, "reply_to", "reply_to must be a message id")
		}
		req.ReplyTo = &id
	}
	content, ok := fields[req.Type]
	if !ok || string(content) == "null" {
		return req, apierr.Field(apierr.InvalidRequest, req.Type, "a %s message needs a %q object", req.Type, req.Type)
	}
	content = bytes.TrimSpace(content)
	if req.Type == "contacts" {
		if content[0] != '[' {
			return req, apierr.Field(apierr.InvalidRequest, "contacts", "contacts must be an array of contact cards")
		}
	} else if content[0] != '{' {
		return req, apierr.Field(apierr.InvalidRequest, req.Type, "%s must be an object", req.Type)
	}
	req.Content = content
	if req.Type == "template" {
		t, err := parseTemplateSend(content)
		if err != nil {
			return req, err
		}
		req.Template = &t
	}
	return req, nil
}

// templateSendInput accepts the language as "en_US" or as the Cloud API's
// {"code": "en_US"}.
type templateSendInput struct {
	Name       string            `json:"name"`
	Language   json.RawMessage   `json:"language"`
	Variables  map[string]string `json:"variables"`
	Components json.RawMessage   `json:"components"`
}

func parseTemplateSend(raw []byte) (TemplateSend, error) {
	var in templateSendInput
	if err := unmarshalStrict(raw, &in); err != nil {
		if e := apierr.As(err); e.Field != "" {
			e.Field = "template." + e.Field
		}
		return TemplateSend{}, err
	}
	t := TemplateSend{Name: strings.TrimSpace(in.Name), Variables: in.Variables, Components: in.Components}
	if t.Name == "" {
		return t, apierr.Field(apierr.InvalidRequest, "template.name", "template.name is required")
	}
	var lang string
	if err := json.Unmarshal(in.Language, &lang); err != nil {
		var obj struct {
			Code string `json:"code"`
		}
		if err := json.Unmarshal(in.Language, &obj); err != nil {
			return t, apierr.Field(apierr.InvalidRequest, "template.language", `template.language must be a code like "en_US"`)
		}
		lang = obj.Code
	}
	t.Language = strings.TrimSpace(lang)
	if t.Language == "" {
		return t, apierr.Field(apierr.InvalidRequest, "template.language", "template.language is required")
	}
	if len(t.Components) > 0 && len(t.Variables) > 0 {
		return t, apierr.Field(apierr.InvalidRequest, "template", "give variables or components, not both")
	}
	if len(t.Components) > 0 && bytes.TrimSpace(t.Components)[0] != '[' {
		return t, apierr.Field(apierr.InvalidRequest, "template.components", "template.components must be an array")
	}
	return t, nil
}

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// handleSend is POST /v1/messages: validates, queues (committed before
// the answer) and answers 202 with the queued message. A repeated
// Idempotency-Key with the same body answers the first result again; with
// a different body, IDEMPOTENCY_CONFLICT.
func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	body, err := readBody(r, maxJSONBody)
	if err != nil {
		return err
	}
	req, err := parseSend(body)
	if err != nil {
		return err
	}
	p := principalFrom(r)
	req.AuthorID = p.AuthorID()
	ctx := r.Context()
	if err := s.checkSendVisibility(ctx, p, &req); err != nil {
		return err
	}

	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		m, err := s.core.Send(ctx, req)
		if err != nil {
			return err
		}
		return s.writeData(w, http.StatusAccepted, m)
	}
	if len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return apierr.New(apierr.InvalidRequest, "Idempotency-Key must be 1 to %d printable ASCII characters", maxIdempotencyKey)
	}
	owner := "token:" + strconv.FormatInt(p.TokenID, 10)
	if p.UserID != nil {
		// A person's retries may come with a new token after signing in
		// again; the key is theirs, not the token's.
		owner = "user:" + strconv.FormatInt(*p.UserID, 10)
	}
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	hash := hex.EncodeToString(sum[:])
	replay, err := s.claimIdempotencyKey(ctx, owner, key, hash)
	if err != nil {
		return err
	}
	if replay != nil {
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(replay.status)
		_, _ = w.Write(replay.body)
		return nil
	}
	req.IdempotencyKey = owner + ":" + key
	m, err := s.core.Send(ctx, req)
	if err != nil {
		// Let the caller retry with the same key: nothing was queued.
		_, _ = s.db.Write.ExecContext(context.WithoutCancel(ctx), `DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND status = 0`, owner, key)
		return err
	}
	out, _ := json.Marshal(dataBody{Data: m})
	out = append(out, '\n')
	_, _ = s.db.Write.ExecContext(context.WithoutCancel(ctx), `UPDATE idempotency_keys SET status = ?, response = ? WHERE owner = ? AND key = ?`,
		http.StatusAccepted, out, owner, key)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(out)
	return nil
}

type storedResponse struct {
	status int
	body   []byte
}

// claimIdempotencyKey records the key for this request, or returns the
// stored answer of the request that used it first.
func (s *Server) claimIdempotencyKey(ctx context.Context, owner, key, hash string) (*storedResponse, error) {
	var out *storedResponse
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var (
			h      string
			status int
			body   []byte
		)
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, response FROM idempotency_keys WHERE owner = ? AND key = ?`, owner, key).
			Scan(&h, &status, &body)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (owner, key, request_hash, created_at) VALUES (?, ?, ?, ?)`,
				owner, key, hash, formatTime(s.now()))
			return err
		case err != nil:
			return err
		case h != hash:
			return apierr.New(apierr.IdempotencyConflict, "this Idempotency-Key was used with a different request")
		case status == 0:
			// The first request is in flight, or the hub stopped while
			// sending it: the core dedupes by key, so let this one through.
			return nil
		default:
			out = &storedResponse{status: status, body: body}
			return nil
		}
	})
	return out, err
}

// pruneIdempotencyKeys forgets keys after a day, like Stripe: retries come
// within minutes, and the table must not grow forever.
func (s *Server) pruneIdempotencyKeys(ctx context.Context) {
	_, _ = s.db.Write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, formatTime(s.now().Add(-24*time.Hour)))
}

// checkSendVisibility keeps agents to their own and unassigned
// conversations when sending, by conversation or by phone.
func (s *Server) checkSendVisibility(ctx context.Context, p *Principal, req *SendRequest) error {
	if p.SeesAll() {
		return nil
	}
	if req.ConversationID != 0 {
		c, err := s.core.Conversation(ctx, req.ConversationID)
		if err != nil {
			return err
		}
		if !p.CanSee(c.AssigneeID) {
			return apierr.New(apierr.NotFound, "no conversation %d", req.ConversationID)
		}
		return nil
	}
	convs, _, err := s.core.Conversations(ctx, ConversationQuery{Phone: req.To, AccountID: req.AccountID, Limit: 1})
	if err != nil {
		return err
	}
	if len(convs) > 0 && !p.CanSee(convs[0].AssigneeID) {
		return apierr.New(apierr.Forbidden, "this customer's conversation is assigned to another agent")
	}
	return nil
}

// handleListMessages is GET /v1/messages: delivery-status lookups for
// external systems, newest first.
func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	q := MessageQuery{Limit: page.Limit, Cursor: page.Cursor}
	if ph := r.URL.Query().Get("phone"); ph != "" {
		if q.Phone, err = normalizePhone("phone", ph); err != nil {
			return err
		}
	}
	if q.Direction, err = queryEnum(r, "direction", "inbound", "outbound"); err != nil {
		return err
	}
	if q.Status, err = queryEnum(r, "status", "received", "queued", "sent", "delivered", "read", "failed"); err != nil {
		return err
	}
	q.Type = r.URL.Query().Get("type")
	if q.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if q.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	if q.Since != nil && q.Until != nil && !q.Since.Before(*q.Until) {
		return apierr.Field(apierr.InvalidRequest, "until", "until must be after since")
	}
	if c, err := queryInt64(r, "conversation_id"); err != nil {
		return err
	} else if c != nil {
		q.ConversationID = *c
	}
	if p := principalFrom(r); !p.SeesAll() {
		q.VisibleTo = p.UserID
	}
	msgs, next, err := s.core.Messages(r.Context(), q)
	if err != nil {
		return err
	}
	return s.writeList(w, msgs, Pagination{NextCursor: next, HasMore: next != ""})
}

// messageFor loads a message whose conversation the caller may see.
func (s *Server) messageFor(r *http.Request) (domain.Message, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return domain.Message{}, err
	}
	m, err := s.core.Message(r.Context(), id)
	if err != nil {
		return m, err
	}
	if p := principalFrom(r); !p.SeesAll() {
		c, err := s.core.Conversation(r.Context(), m.ConversationID)
		if err != nil || !p.CanSee(c.AssigneeID) {
			return domain.Message{}, apierr.New(apierr.NotFound, "no message %d", id)
		}
	}
	return m, nil
}

// handleGetMessage is GET /v1/messages/{id}.
func (s *Server) handleGetMessage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.messageFor(r)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, m)
}

// handleMarkRead is POST /v1/messages/{id}/read: marks an inbound message
// read (the customer sees blue ticks).
func (s *Server) handleMarkRead(w http.ResponseWriter, r *http.Request) error {
	m, err := s.messageFor(r)
	if err != nil {
		return err
	}
	if m.Direction != domain.Inbound {
		return apierr.New(apierr.Conflict, "only messages from the customer can be marked read")
	}
	m, err = s.core.MarkRead(r.Context(), m.ID)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, m)
}
