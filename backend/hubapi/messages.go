package hubapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// parseSend decodes a POST /v1/messages body into the core's request. It
// checks shape only (unknown fields, the recipient, an object for the
// type and none for other types); the core applies WhatsApp's rules
// (window, opt-out, template parameters, content limits) and answers
// with their codes.
func parseSend(body []byte) (hub.SendRequest, error) {
	var req hub.SendRequest
	if err := unmarshalStrict(body, &req); err != nil {
		return req, err
	}
	if req.Type == "" {
		return req, apierr.Field(apierr.InvalidRequest, "type", "type is required (text, image, document, template, …)")
	}
	if !slices.Contains(wire.SendTypes, req.Type) {
		return req, apierr.Field(apierr.ValidationFailed, "type", "type %q cannot be sent; use one of %s", req.Type, strings.Join(wire.SendTypes, ", "))
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(body, &fields)
	for _, t := range wire.SendTypes {
		if _, ok := fields[t]; ok && t != req.Type {
			return req, apierr.Field(apierr.InvalidRequest, t, "a %s message cannot carry a %q object", req.Type, t)
		}
	}
	if _, ok := fields[req.Type]; !ok || string(fields[req.Type]) == "null" {
		return req, apierr.Field(apierr.InvalidRequest, req.Type, "a %s message needs a %q object", req.Type, req.Type)
	}
	switch {
	case req.To == "" && req.ConversationID == 0:
		return req, apierr.New(apierr.InvalidRequest, "give the recipient: to (a phone number) or conversation_id")
	case req.To != "" && req.ConversationID != 0:
		return req, apierr.New(apierr.InvalidRequest, "give either to or conversation_id, not both")
	case req.ConversationID < 0:
		return req, apierr.Field(apierr.InvalidRequest, "conversation_id", "conversation_id must be a conversation id")
	case req.ReplyTo < 0:
		return req, apierr.Field(apierr.InvalidRequest, "reply_to", "reply_to must be a message id")
	case req.To != "":
		e164, err := normalizePhone("to", req.To)
		if err != nil {
			return req, err
		}
		req.To = e164
	}
	if t := req.Template; t != nil {
		switch {
		case strings.TrimSpace(t.Name) == "":
			return req, apierr.Field(apierr.InvalidRequest, "template.name", "template.name is required")
		case strings.TrimSpace(string(t.Language)) == "":
			return req, apierr.Field(apierr.InvalidRequest, "template.language", `template.language is required (e.g. "en_US")`)
		case len(t.Variables) > 0 && len(t.Components) > 0:
			return req, apierr.Field(apierr.InvalidRequest, "template", "give variables or components, not both")
		}
	}
	return req, nil
}

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// handleSend is POST /v1/messages: validates, queues (committed before
// the answer) and answers 202 with the queued message. A repeated
// Idempotency-Key with the same body answers the message the first
// request created; with a different body, IDEMPOTENCY_CONFLICT. Keys
// belong to the caller (the user, or the integration token), so two
// callers cannot collide; the core stores them with the message, in the
// same transaction, so a retry after any failure sends exactly once.
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
	if req.IdempotencyKey, err = idempotencyKey(r, p); err != nil {
		return err
	}
	if err := s.checkSendVisibility(ctx, p, &req); err != nil {
		return err
	}
	m, err := s.core.Send(ctx, req)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusAccepted, m)
}

// idempotencyKey is the request's Idempotency-Key qualified by its owner
// ("" without one). Keys belong to the caller (the user, or the
// integration token), so two callers cannot collide.
func idempotencyKey(r *http.Request, p *Principal) (string, error) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return "", nil
	}
	if len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return "", apierr.New(apierr.InvalidRequest, "Idempotency-Key must be 1 to %d printable ASCII characters", maxIdempotencyKey)
	}
	owner := "token:" + strconv.FormatInt(p.TokenID, 10)
	if p.UserID != nil {
		// A person's retries may come with a new token after signing in
		// again; the key is theirs, not the token's.
		owner = "user:" + strconv.FormatInt(*p.UserID, 10)
	}
	return owner + ":" + key, nil
}

// checkSendVisibility keeps agents to their own and unassigned
// conversations when sending, by conversation or by phone, and everyone but
// admins away from the conversations of numbers the hub is not configured
// for (which send nothing anyway).
func (s *Server) checkSendVisibility(ctx context.Context, p *Principal, req *hub.SendRequest) error {
	if p.SeesAll() && p.SeesUnconfigured() {
		return nil
	}
	if req.ConversationID != 0 {
		c, err := s.core.GetConversation(ctx, req.ConversationID)
		if err != nil {
			return err
		}
		if !p.CanSee(c.AssigneeID, c.AccountUnconfigured) {
			return apierr.New(apierr.NotFound, "no conversation %d", req.ConversationID)
		}
		return nil
	}
	if p.SeesAll() {
		return nil
	}
	// A send goes from a configured number: only its conversations with
	// the customer matter.
	res, err := s.core.ListConversations(ctx, hub.ConversationQuery{Phone: req.To, AccountID: req.AccountID,
		ConfiguredOnly: true, PageRequest: hub.PageRequest{Limit: 100}})
	if err != nil {
		return err
	}
	for _, c := range res.Items {
		if !p.CanSee(c.AssigneeID, false) {
			return apierr.New(apierr.Forbidden, "this customer's conversation is assigned to another agent")
		}
	}
	return nil
}

// handleListMessages is GET /v1/messages: delivery-status lookups for
// external systems, newest first. Agents' pages leave out messages of
// conversations they may not see, so they may be shorter than limit.
func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	pr := hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit}
	q := hub.MessageQuery{PageRequest: pr}
	if ph := r.URL.Query().Get("phone"); ph != "" {
		if q.Phone, err = normalizePhone("phone", ph); err != nil {
			return err
		}
	}
	dir, err := queryEnum(r, "direction", "inbound", "outbound")
	if err != nil {
		return err
	}
	q.Direction = domain.Direction(dir)
	st, err := queryEnum(r, "status", "received", "queued", "sent", "delivered", "read", "failed")
	if err != nil {
		return err
	}
	q.Status = domain.MessageStatus(st)
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
	conv, err := queryInt64(r, "conversation_id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	var res hub.Page[domain.Message]
	if conv != nil {
		if q.Phone != "" || q.Direction != "" || q.Status != "" || q.Type != "" || q.Since != nil || q.Until != nil {
			return apierr.Field(apierr.InvalidRequest, "conversation_id", "conversation_id cannot be combined with other filters; use GET /v1/conversations/{id}/messages")
		}
		if _, err := s.conversationFor(r, *conv); err != nil {
			return err
		}
		res, err = s.core.ListMessages(ctx, *conv, pr)
	} else {
		q.ConfiguredOnly = !principalFrom(r).SeesUnconfigured()
		res, err = s.core.QueryMessages(ctx, q)
	}
	if err != nil {
		return err
	}
	items := res.Items
	if p := principalFrom(r); !p.SeesAll() && conv == nil {
		kept := items[:0:0]
		seen := map[int64]bool{}
		for _, m := range items {
			ok, known := seen[m.ConversationID]
			if !known {
				c, err := s.core.GetConversation(ctx, m.ConversationID)
				ok = err == nil && p.CanSee(c.AssigneeID, c.AccountUnconfigured)
				seen[m.ConversationID] = ok
			}
			if ok {
				kept = append(kept, m)
			}
		}
		items = kept
	}
	return s.writeList(w, items, pageOf(res.NextCursor, res.HasMore))
}

// messageFor loads a message whose conversation the caller may see.
func (s *Server) messageFor(r *http.Request) (domain.Message, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return domain.Message{}, err
	}
	m, err := s.core.GetMessage(r.Context(), id)
	if err != nil {
		return m, err
	}
	p := principalFrom(r)
	if m.AccountUnconfigured && !p.SeesUnconfigured() {
		return domain.Message{}, apierr.New(apierr.NotFound, "no message %d", id)
	}
	if !p.SeesAll() {
		c, err := s.core.GetConversation(r.Context(), m.ConversationID)
		if err != nil || !p.CanSee(c.AssigneeID, c.AccountUnconfigured) {
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
// (and the earlier ones of its conversation) read; the customer sees blue
// ticks. ?typing=true also shows them the typing indicator. Honours
// Idempotency-Key: a retry sends no second read receipt.
func (s *Server) handleMarkRead(w http.ResponseWriter, r *http.Request) error {
	m, err := s.messageFor(r)
	if err != nil {
		return err
	}
	if m.Direction != domain.Inbound {
		return apierr.New(apierr.Conflict, "only messages from the customer can be marked read")
	}
	typing, err := queryBool(r, "typing")
	if err != nil {
		return err
	}
	key, err := idempotencyKey(r, principalFrom(r))
	if err != nil {
		return err
	}
	if err := s.core.MarkReadKeyed(r.Context(), key, m.ID, typing != nil && *typing); err != nil {
		return err
	}
	m, err = s.core.GetMessage(r.Context(), m.ID)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, m)
}
