package hub

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/phone"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// PageRequest asks for one page of a list: Cursor is the opaque NextCursor
// of the previous page ("" for the first), Limit is 1..100 (0 means 25).
type PageRequest = store.PageRequest

// Page is one page of a list; HasMore says whether NextCursor leads further.
type Page[T any] = store.Page[T]

// RecentMessages is how many messages GetConversation includes.
const RecentMessages = 50

func checkPage(p PageRequest) error {
	if p.Limit < 0 || p.Limit > 100 {
		return apierr.Field(apierr.InvalidRequest, "limit", "limit must be between 1 and 100")
	}
	return nil
}

// ConversationQuery filters ListConversations; zero fields do not filter.
type ConversationQuery struct {
	PageRequest
	Statuses  []domain.ConversationStatus
	AccountID string
	// AssigneeID keeps one agent's conversations; Unassigned keeps the
	// unassigned ones; VisibleTo keeps what an agent may see (theirs and the
	// unassigned ones) and overrides both.
	AssigneeID *int64
	Unassigned bool
	VisibleTo  *int64
	Team       string
	Unanswered *bool
	// Phone keeps the conversations of the contact at that number (any
	// format).
	Phone string
	// ConfiguredOnly leaves out the conversations of numbers the hub is
	// not configured for (what only admins see).
	ConfiguredOnly bool
}

// ListConversations lists conversations, newest activity first.
func (s *Service) ListConversations(ctx context.Context, q ConversationQuery) (Page[domain.Conversation], error) {
	if err := checkPage(q.PageRequest); err != nil {
		return Page[domain.Conversation]{}, err
	}
	for _, st := range q.Statuses {
		if !st.Valid() {
			return Page[domain.Conversation]{}, apierr.Field(apierr.InvalidRequest, "status", "unknown status %q", st)
		}
	}
	if q.AccountID != "" {
		if err := whatsapp.CheckGraphID("account", "phone number", q.AccountID); err != nil {
			return Page[domain.Conversation]{}, err
		}
	}
	f := store.ConversationFilter{PageRequest: q.PageRequest, Statuses: q.Statuses, AccountID: q.AccountID,
		AssigneeID: q.AssigneeID, Unassigned: q.Unassigned, Team: q.Team, Unanswered: q.Unanswered}
	if q.ConfiguredOnly {
		f.ExcludeAccountIDs = s.unconfiguredIDs()
	}
	if q.VisibleTo != nil {
		f.AssigneeID, f.Unassigned = q.VisibleTo, true
	}
	if q.Phone != "" {
		c, err := s.FindContact(ctx, q.Phone)
		if apierr.CodeOf(err) == apierr.NotFound {
			return Page[domain.Conversation]{Items: []domain.Conversation{}}, nil
		}
		if err != nil {
			return Page[domain.Conversation]{}, err
		}
		f.ContactID = c.ID
	}
	page, err := s.st.ListConversations(ctx, f)
	for i := range page.Items {
		s.flagConversation(&page.Items[i])
	}
	return page, storeErr(err, "conversation")
}

// flagConversation and flagMessages mark what belongs to a number the hub
// is not configured for.
func (s *Service) flagConversation(c *domain.Conversation) {
	c.AccountUnconfigured = !s.isConfigured(c.AccountID)
}

func (s *Service) flagMessages(ms []domain.Message) {
	for i := range ms {
		ms[i].AccountUnconfigured = !s.isConfigured(ms[i].AccountID)
	}
}

// ConversationDetail is a conversation with its most recent messages
// (newest first) and the cursor to page further back with ListMessages.
type ConversationDetail = wire.ConversationDetail

// GetConversation returns a conversation with its 50 most recent messages.
func (s *Service) GetConversation(ctx context.Context, id int64) (ConversationDetail, error) {
	c, err := s.st.GetConversation(ctx, id)
	if err != nil {
		return ConversationDetail{}, storeErr(err, "conversation")
	}
	page, err := s.st.ListMessages(ctx, id, PageRequest{Limit: RecentMessages})
	if err != nil {
		return ConversationDetail{}, storeErr(err, "message")
	}
	s.flagConversation(&c)
	s.flagMessages(page.Items)
	return ConversationDetail{Conversation: c, Messages: page.Items, MessagesNextCursor: page.NextCursor,
		MessagesHasMore: page.HasMore}, nil
}

// ListMessages pages back through a conversation's messages, newest first.
// Reactions are not listed: they are attached to the messages they react to.
func (s *Service) ListMessages(ctx context.Context, conversationID int64, p PageRequest) (Page[domain.Message], error) {
	if err := checkPage(p); err != nil {
		return Page[domain.Message]{}, err
	}
	if _, err := s.st.GetConversation(ctx, conversationID); err != nil {
		return Page[domain.Message]{}, storeErr(err, "conversation")
	}
	page, err := s.st.ListMessages(ctx, conversationID, p)
	s.flagMessages(page.Items)
	return page, storeErr(err, "message")
}

// MessageQuery filters QueryMessages (delivery lookups for external
// systems); zero fields do not filter. Since is inclusive, Until exclusive.
type MessageQuery struct {
	PageRequest
	Phone     string
	Direction domain.Direction
	Status    domain.MessageStatus
	Type      string
	Since     *time.Time
	Until     *time.Time
	// ConfiguredOnly leaves out the messages of numbers the hub is not
	// configured for (what only admins see).
	ConfiguredOnly bool
}

// QueryMessages finds messages across conversations, newest first.
func (s *Service) QueryMessages(ctx context.Context, q MessageQuery) (Page[domain.Message], error) {
	if err := checkPage(q.PageRequest); err != nil {
		return Page[domain.Message]{}, err
	}
	if q.Direction != "" && q.Direction != domain.Inbound && q.Direction != domain.Outbound {
		return Page[domain.Message]{}, apierr.Field(apierr.InvalidRequest, "direction", "direction is inbound or outbound")
	}
	if q.Status != "" && q.Status.Rank() == 0 {
		return Page[domain.Message]{}, apierr.Field(apierr.InvalidRequest, "status", "unknown status %q", q.Status)
	}
	f := store.MessageFilter{PageRequest: q.PageRequest, Direction: q.Direction, Status: q.Status, Type: q.Type,
		Since: q.Since, Until: q.Until}
	if q.ConfiguredOnly {
		f.ExcludeAccountIDs = s.unconfiguredIDs()
	}
	if q.Phone != "" {
		c, err := s.FindContact(ctx, q.Phone)
		if apierr.CodeOf(err) == apierr.NotFound {
			return Page[domain.Message]{Items: []domain.Message{}}, nil
		}
		if err != nil {
			return Page[domain.Message]{}, err
		}
		f.ContactID = c.ID
	}
	page, err := s.st.QueryMessages(ctx, f)
	s.flagMessages(page.Items)
	return page, storeErr(err, "message")
}

// GetMessage returns one message.
func (s *Service) GetMessage(ctx context.Context, id int64) (domain.Message, error) {
	m, err := s.st.GetMessage(ctx, id)
	m.AccountUnconfigured = !s.isConfigured(m.AccountID)
	return m, storeErr(err, "message")
}

// ConversationUpdate changes a conversation: the body of PATCH
// /v1/conversations/{id} (wire.ConversationPatch). Nil fields are left
// alone; Unassign clears the assignee. SnoozedUntil is required with
// status "snoozed" and must be in the future; the conversation reopens
// then.
type ConversationUpdate = wire.ConversationPatch

// UpdateConversation changes status (snoozing until a time), assignee and
// team, emitting conversation.updated and, when the unanswered counts move,
// counters.updated.
func (s *Service) UpdateConversation(ctx context.Context, id int64, u ConversationUpdate) (domain.Conversation, error) {
	return s.UpdateConversationKeyed(ctx, "", id, u)
}

// UpdateConversationKeyed is UpdateConversation made with an idempotency
// key (see keyed.go): a retry answers the first change's conversation and
// changes nothing. An empty key makes it UpdateConversation.
func (s *Service) UpdateConversationKeyed(ctx context.Context, key string, id int64, u ConversationUpdate) (domain.Conversation, error) {
	if s.closing.Load() {
		return domain.Conversation{}, errClosing()
	}
	now := s.now()
	if u.SnoozedUntil != nil && u.Status == nil {
		st := domain.StatusSnoozed
		u.Status = &st
	}
	if u.Status != nil {
		if !u.Status.Valid() {
			return domain.Conversation{}, apierr.Field(apierr.ValidationFailed, "status", "status is open, pending, snoozed or closed")
		}
		if *u.Status == domain.StatusSnoozed && (u.SnoozedUntil == nil || !u.SnoozedUntil.After(now)) {
			return domain.Conversation{}, apierr.Field(apierr.ValidationFailed, "snoozed_until", "snoozing needs a time in the future")
		}
	}
	if u.AssigneeID != nil && *u.AssigneeID <= 0 {
		return domain.Conversation{}, apierr.Field(apierr.ValidationFailed, "assignee_id", "assignee_id must be a user id (or null to unassign)")
	}
	if u.Team != nil && (utf8.RuneCountInString(*u.Team) > 100 || strings.TrimSpace(*u.Team) != *u.Team) {
		return domain.Conversation{}, apierr.Field(apierr.ValidationFailed, "team", "a team name has at most 100 characters and no surrounding spaces")
	}
	var out domain.Conversation
	// u marshals as the PATCH body, null assignee included.
	hash := keyedHash("PATCH conversation "+strconv.FormatInt(id, 10), u)
	err := s.submit(ctx, func(w *wtx) error {
		if done, err := w.recall(key, hash, &out); done || err != nil {
			return err
		}
		e, err := w.convByID(id)
		if err != nil {
			return err
		}
		if e == nil {
			return apierr.New(apierr.NotFound, "no such conversation")
		}
		w.touch(e)
		c := &e.c
		if u.Status != nil {
			c.Status = *u.Status
			c.SnoozedUntil = nil
			if *u.Status == domain.StatusSnoozed {
				t := u.SnoozedUntil.UTC()
				c.SnoozedUntil = &t
			}
		}
		switch {
		case u.Unassign:
			c.AssigneeID = nil
		case u.AssigneeID != nil:
			c.AssigneeID = u.AssigneeID
		}
		if u.Team != nil {
			c.Team = *u.Team
		}
		c.UpdatedAt = now
		if out, err = w.domainConversation(c); err != nil {
			return err
		}
		return w.remember(key, hash, out, now)
	})
	return out, err
}

// AddNote adds an internal note (never sent to the customer) and emits
// note.created.
func (s *Service) AddNote(ctx context.Context, conversationID, authorID int64, body string) (domain.Note, error) {
	return s.AddNoteKeyed(ctx, "", conversationID, authorID, body)
}

// AddNoteKeyed is AddNote made with an idempotency key (see keyed.go): a
// retry answers the first note instead of adding a second one.
func (s *Service) AddNoteKeyed(ctx context.Context, key string, conversationID, authorID int64, body string) (domain.Note, error) {
	if s.closing.Load() {
		return domain.Note{}, errClosing()
	}
	if strings.TrimSpace(body) == "" {
		return domain.Note{}, apierr.Field(apierr.ValidationFailed, "body", "the note is empty")
	}
	if utf8.RuneCountInString(body) > 10000 {
		return domain.Note{}, apierr.Field(apierr.ValidationFailed, "body", "a note has at most 10000 characters")
	}
	n := domain.Note{ConversationID: conversationID, AuthorID: authorID, Body: body, CreatedAt: s.now()}
	hash := keyedHash("POST note "+strconv.FormatInt(conversationID, 10), n.Body)
	err := s.submit(ctx, func(w *wtx) error {
		if done, err := w.recall(key, hash, &n); done || err != nil {
			return err
		}
		e, err := w.convByID(conversationID)
		if err != nil {
			return err
		}
		if e == nil {
			return apierr.New(apierr.NotFound, "no such conversation")
		}
		note := n
		if err := w.tx.InsertNote(w.ctx, &note); err != nil {
			return err
		}
		n = note
		if err := w.remember(key, hash, note, note.CreatedAt); err != nil {
			return err
		}
		return w.emit(domain.EventNoteCreated, conversationID, e.c.AssigneeID, nil, &note)
	})
	return n, err
}

// ListNotes lists a conversation's notes, newest first.
func (s *Service) ListNotes(ctx context.Context, conversationID int64, p PageRequest) (Page[domain.Note], error) {
	if err := checkPage(p); err != nil {
		return Page[domain.Note]{}, err
	}
	if _, err := s.st.GetConversation(ctx, conversationID); err != nil {
		return Page[domain.Note]{}, storeErr(err, "conversation")
	}
	page, err := s.st.ListNotes(ctx, conversationID, p)
	return page, storeErr(err, "note")
}

// MarkRead marks an inbound message, and every earlier one in its
// conversation, as read: locally (statuses, the conversation's unread count)
// and on WhatsApp (blue ticks; with typing, the typing indicator too). The
// local change is committed first; a Cloud API failure is then returned
// (UPSTREAM_ERROR / UPSTREAM_UNAVAILABLE) without undoing it.
func (s *Service) MarkRead(ctx context.Context, messageID int64, typing bool) error {
	return s.MarkReadKeyed(ctx, "", messageID, typing)
}

// MarkReadKeyed is MarkRead made with an idempotency key (see keyed.go): a
// retry after the first one was committed changes nothing and sends no
// second read receipt.
func (s *Service) MarkReadKeyed(ctx context.Context, key string, messageID int64, typing bool) error {
	if s.closing.Load() {
		return errClosing()
	}
	m, err := s.st.GetMessage(ctx, messageID)
	if err != nil {
		return storeErr(err, "message")
	}
	if m.Direction != domain.Inbound {
		return apierr.New(apierr.ValidationFailed, "only customer messages can be marked read")
	}
	now := s.now()
	hash := keyedHash("POST read "+strconv.FormatInt(messageID, 10), typing)
	replayed := false
	err = s.submit(ctx, func(w *wtx) error {
		done, err := w.recall(key, hash, nil)
		if done || err != nil {
			replayed = done
			return err
		}
		if err := w.remember(key, hash, true, now); err != nil {
			return err
		}
		ids, err := w.tx.MarkInboundRead(w.ctx, m.ConversationID, m.ID, now)
		if err != nil {
			return err
		}
		e, err := w.convByID(m.ConversationID)
		if err != nil {
			return err
		}
		var assignee *int64
		if e != nil {
			assignee = e.c.AssigneeID
			if e.c.UnreadCount != 0 {
				w.touch(e)
				e.c.UnreadCount = 0
				e.c.UpdatedAt = now
			}
		}
		for _, id := range ids {
			msg, err := w.tx.MessageByID(w.ctx, id)
			if err != nil {
				return err
			}
			if msg.Hidden {
				continue
			}
			if err := w.emitMessage(domain.EventMessageUpdated, &msg, assignee); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || replayed {
		return err
	}
	api := s.apiFor(m.AccountID)
	if api == nil || m.WAMID == "" || !s.isConfigured(m.AccountID) {
		// Read here; the receipt goes to the customer only from a number
		// the hub serves.
		return nil
	}
	if err := api.MarkRead(ctx, m.AccountID, m.WAMID, typing); err != nil {
		if apierr.CodeOf(err) == apierr.Internal {
			return apierr.Wrap(err, apierr.UpstreamError, "WhatsApp did not accept the read receipt")
		}
		return err
	}
	return nil
}

// errNotFoundIs reports whether err is a store miss.
func errNotFoundIs(err error) bool { return errors.Is(err, store.ErrNotFound) }

// FindContact finds the contact at a number given in any format (or the
// one that had it before a number change).
func (s *Service) FindContact(ctx context.Context, number string) (domain.Contact, error) {
	key, err := phone.Normalize(number)
	if err != nil {
		return domain.Contact{}, withField(apierr.Wrap(err, apierr.InvalidPhone, "%s", err.Error()), "phone")
	}
	c, err := s.st.FindContactByPhone(ctx, key)
	return c, storeErr(err, "contact")
}
