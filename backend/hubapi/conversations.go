package hubapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// handleAccounts is GET /v1/accounts: the numbers the hub serves, and for
// admins also those known only from webhooks (configured: false).
func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request) error {
	accs, err := s.core.ListAccounts(r.Context())
	if err != nil {
		return err
	}
	if !principalFrom(r).SeesUnconfigured() {
		accs = slices.DeleteFunc(accs, func(a domain.Account) bool { return !a.Configured })
	}
	return s.writeList(w, accs, Pagination{})
}

// handleListConversations is GET /v1/conversations: newest activity first,
// filtered by status, assignee ("me", "none" or a user id), team,
// unanswered, account and phone (any format). Agents only ever get their
// own and unassigned conversations, whatever the filters say, and only
// admins get those of numbers the hub is not configured for.
func (s *Server) handleListConversations(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	qs := r.URL.Query()
	q := hub.ConversationQuery{PageRequest: hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit},
		Team: qs.Get("team"), AccountID: qs.Get("account")}
	st, err := queryEnum(r, "status", "open", "pending", "snoozed", "closed")
	if err != nil {
		return err
	}
	if st != "" {
		q.Statuses = []domain.ConversationStatus{domain.ConversationStatus(st)}
	}
	if ph := qs.Get("phone"); ph != "" {
		if q.Phone, err = normalizePhone("phone", ph); err != nil {
			return err
		}
	}
	p := principalFrom(r)
	switch a := qs.Get("assignee"); a {
	case "":
	case "none", "unassigned":
		q.Unassigned = true
	case "me":
		if p.UserID == nil {
			return apierr.Field(apierr.InvalidRequest, "assignee", "assignee=me needs a user's token")
		}
		q.AssigneeID = p.UserID
	default:
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return apierr.Field(apierr.InvalidRequest, "assignee", `assignee must be a user id, "me" or "none"`)
		}
		q.AssigneeID = &id
	}
	if q.Unanswered, err = queryBool(r, "unanswered"); err != nil {
		return err
	}
	q.ConfiguredOnly = !p.SeesUnconfigured()
	if !p.SeesAll() {
		if p.UserID == nil {
			return apierr.New(apierr.Forbidden, "an agent token must belong to a user")
		}
		switch {
		case q.AssigneeID != nil && *q.AssigneeID != *p.UserID:
			// Someone else's conversations: none an agent may see.
			return s.writeList(w, []domain.Conversation{}, Pagination{})
		case q.AssigneeID == nil && !q.Unassigned:
			q.VisibleTo = p.UserID
		}
	}
	res, err := s.core.ListConversations(r.Context(), q)
	if err != nil {
		return err
	}
	return s.writeList(w, res.Items, pageOf(res.NextCursor, res.HasMore))
}

// pageOf is the pagination block for a core page.
func pageOf(next string, more bool) Pagination {
	if !more {
		next = ""
	}
	return Pagination{NextCursor: next, HasMore: more}
}

// conversationFor loads a conversation the caller may see; one they may
// not see is answered as not found, so its existence does not leak.
func (s *Server) conversationFor(r *http.Request, id int64) (hub.ConversationDetail, error) {
	c, err := s.core.GetConversation(r.Context(), id)
	if err != nil {
		return c, err
	}
	if !principalFrom(r).CanSee(c.AssigneeID, c.AccountUnconfigured) {
		return hub.ConversationDetail{}, apierr.New(apierr.NotFound, "no conversation %d", id)
	}
	return c, nil
}

// handleGetConversation is GET /v1/conversations/{id}: the conversation
// with its 50 most recent messages (newest first) and the cursor to page
// further back through /v1/conversations/{id}/messages.
func (s *Server) handleGetConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.conversationFor(r, id)
	if err != nil {
		return err
	}
	if c.Messages == nil {
		c.Messages = []domain.Message{}
	}
	return s.writeData(w, http.StatusOK, c)
}

// handleConversationMessages is GET /v1/conversations/{id}/messages: newest
// page first; each next_cursor goes further back in time.
func (s *Server) handleConversationMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	if _, err := s.conversationFor(r, id); err != nil {
		return err
	}
	res, err := s.core.ListMessages(r.Context(), id, hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit})
	if err != nil {
		return err
	}
	return s.writeList(w, res.Items, pageOf(res.NextCursor, res.HasMore))
}

// handlePatchConversation is PATCH /v1/conversations/{id}: status (with
// snoozed_until for snoozed), assignee (a user id, or null to unassign)
// and team. An agent may act on conversations they see: take one, hand
// it to a colleague or release it. Honours Idempotency-Key: a retry gets
// the first answer and changes nothing.
func (s *Server) handlePatchConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// wire.ConversationPatch decodes strictly itself: an unknown field
	// is refused, and null (Unassign) is told from an absent assignee.
	var in wire.ConversationPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Status != nil && !in.Status.Valid() {
		return apierr.Field(apierr.ValidationFailed, "status", "status must be open, pending, snoozed or closed")
	}
	if a := in.AssigneeID; a != nil {
		if *a <= 0 {
			return apierr.Field(apierr.InvalidRequest, "assignee_id", "assignee_id must be a user id or null")
		}
		ok, err := s.core.UserActive(r.Context(), *a)
		if err != nil {
			return err
		}
		if !ok {
			return apierr.Field(apierr.ValidationFailed, "assignee_id", "no active user %d", *a)
		}
	}
	if in.Team != nil {
		t := strings.TrimSpace(*in.Team)
		if utf8.RuneCountInString(t) > 64 {
			return apierr.Field(apierr.ValidationFailed, "team", "team must be at most 64 characters")
		}
		in.Team = &t
	}
	if in.SnoozedUntil != nil {
		if in.Status != nil && *in.Status != domain.StatusSnoozed {
			return apierr.Field(apierr.ValidationFailed, "snoozed_until", "snoozed_until goes with status \"snoozed\"")
		}
		t := in.SnoozedUntil.UTC()
		in.SnoozedUntil = &t
	}
	if in.Status == nil && !in.Unassign && in.AssigneeID == nil && in.Team == nil && in.SnoozedUntil == nil {
		return apierr.New(apierr.InvalidRequest, "nothing to change: give status, assignee_id or team")
	}
	p := principalFrom(r)
	key, err := idempotencyKey(r, p)
	if err != nil {
		return err
	}
	if _, err := s.conversationFor(r, id); err != nil {
		return err
	}
	c, err := s.core.UpdateConversationKeyed(r.Context(), key, id, in)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, c)
}

// maxNote bounds a note (characters).
const maxNote = 10000

// handleAddNote is POST /v1/conversations/{id}/notes. Honours
// Idempotency-Key: a retry gets the first note, not a second one.
func (s *Server) handleAddNote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in wire.NoteInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Body) == "" {
		return apierr.Field(apierr.InvalidRequest, "body", "body is required")
	}
	if utf8.RuneCountInString(in.Body) > maxNote {
		return apierr.Field(apierr.ValidationFailed, "body", "a note is at most %d characters", maxNote)
	}
	p := principalFrom(r)
	key, err := idempotencyKey(r, p)
	if err != nil {
		return err
	}
	if _, err := s.conversationFor(r, id); err != nil {
		return err
	}
	var author int64
	if a := p.AuthorID(); a != nil {
		author = *a
	}
	n, err := s.core.AddNoteKeyed(r.Context(), key, id, author, in.Body)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusCreated, n)
}

// handleListNotes is GET /v1/conversations/{id}/notes, newest first.
func (s *Server) handleListNotes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	if _, err := s.conversationFor(r, id); err != nil {
		return err
	}
	res, err := s.core.ListNotes(r.Context(), id, hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit})
	if err != nil {
		return err
	}
	return s.writeList(w, res.Items, pageOf(res.NextCursor, res.HasMore))
}

// handleCounters is GET /v1/counters. Agents get the total, the unassigned
// queue and their own count; supervisors and integrations everything.
func (s *Server) handleCounters(w http.ResponseWriter, r *http.Request) error {
	c, err := s.core.Counters(r.Context())
	if err != nil {
		return err
	}
	if c.ByAgent == nil {
		c.ByAgent = map[string]int{}
	}
	if c.ByTeam == nil {
		c.ByTeam = map[string]int{}
	}
	if p := principalFrom(r); !p.SeesAll() {
		c = agentCounters(p, c)
	}
	return s.writeData(w, http.StatusOK, c)
}
