package desktop

import (
	"context"
	"errors"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/syncer"
	"switchboard/backend/domain"
)

// historyPage is how many messages one history request asks the hub for.
const historyPage = 100

// Inbox returns one page of an inbox tab from the cache.
func (c *Console) Inbox(ctx context.Context, q cache.InboxQuery) (cache.InboxPage, error) {
	return c.cache.Inbox(ctx, c.me(), q)
}

// InboxCounts returns each tab's total and unanswered counts under a
// status filter ("" for any).
func (c *Console) InboxCounts(ctx context.Context, status domain.ConversationStatus) (cache.TabCounts, error) {
	if status != "" && !status.Valid() {
		return cache.TabCounts{}, apierr.Field(apierr.InvalidRequest, "status", "unknown status %q", status)
	}
	return c.cache.InboxCounts(ctx, c.me(), status)
}

// Search looks a query up in the cache: contacts by name or number and
// messages by their words.
func (c *Console) Search(ctx context.Context, query string, limit int) (cache.SearchResults, error) {
	return c.cache.Search(ctx, query, limit)
}

// ConversationView is an opened conversation: the conversation, its
// latest messages, the agent's unsent messages and draft.
type ConversationView struct {
	Conversation domain.Conversation `json:"conversation"`
	// Messages are oldest first; Notes are those in the same stretch.
	Messages []domain.Message `json:"messages"`
	Notes    []domain.Note    `json:"notes"`
	// Cursor loads older messages (OlderMessages); HasMore says there are.
	Cursor  string `json:"cursor"`
	HasMore bool   `json:"has_more"`
	// Pending are outbox items, shown after the messages.
	Pending []cache.OutboxItem `json:"pending"`
	Draft   cache.Draft        `json:"draft"`
	// WindowOpen says free-form messages may be sent now (by the hub's
	// clock); when false the composer offers templates.
	WindowOpen bool `json:"window_open"`
	// CanMessage is false when the contact opted out; Reason says why.
	CanMessage bool   `json:"can_message"`
	Reason     string `json:"reason"`
}

// OpenConversation returns a conversation with its latest page of
// messages. The cache answers; when it holds less than a page and the
// hub's history was never read this far, the missing page is fetched
// first (briefly; offline, the cache's part is returned).
func (c *Console) OpenConversation(ctx context.Context, id int64) (ConversationView, error) {
	conv, err := c.cache.Conversation(ctx, id)
	if errors.Is(err, cache.ErrNotFound) {
		return ConversationView{}, apierr.New(apierr.NotFound, "no such conversation in the cache")
	}
	if err != nil {
		return ConversationView{}, err
	}
	page, err := c.messages(ctx, id, "", cache.DefaultMessageLimit)
	if err != nil {
		return ConversationView{}, err
	}
	pending, err := c.cache.Outbox(ctx, id)
	if err != nil {
		return ConversationView{}, err
	}
	draft, err := c.cache.Draft(ctx, id)
	if err != nil {
		return ConversationView{}, err
	}
	v := ConversationView{Conversation: conv, Messages: page.Messages, Notes: page.Notes, Cursor: page.Cursor,
		HasMore: page.HasMore, Pending: pending, Draft: draft, WindowOpen: conv.WindowOpen(c.now()), CanMessage: true}
	if conv.Contact.OptedOut {
		v.CanMessage, v.Reason = false, "The customer opted out of messages from this business."
	}
	return v, nil
}

// OlderMessages returns the page before cursor (from OpenConversation or
// a previous OlderMessages), fetching it from the hub when the cache has
// not got it yet.
func (c *Console) OlderMessages(ctx context.Context, id int64, cursor string) (cache.MessagePage, error) {
	if cursor == "" {
		return cache.MessagePage{}, apierr.Field(apierr.InvalidRequest, "cursor", "a cursor is required")
	}
	return c.messages(ctx, id, cursor, cache.DefaultMessageLimit)
}

// messages serves a page from the cache, filling it from the hub first
// when the cache runs short of a page and the hub may have more.
func (c *Console) messages(ctx context.Context, id int64, cursor string, limit int) (cache.MessagePage, error) {
	page, err := c.cache.Messages(ctx, id, cursor, limit)
	if err != nil || page.HasMore {
		return page, err
	}
	h, err := c.cache.History(ctx, id)
	if err != nil {
		return page, err
	}
	if h.Complete {
		return page, nil
	}
	if len(page.Messages) < limit && c.online() {
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := c.fetchHistory(fctx, id, cursor, h)
		cancel()
		if err != nil {
			c.log.Info("fetching history failed; showing the cache", "conversation", id, "err", err)
		} else if page, err = c.cache.Messages(ctx, id, cursor, limit); err != nil {
			return page, err
		}
		if h, err = c.cache.History(ctx, id); err != nil {
			return page, err
		}
	}
	// The cache ran out, but the hub has older messages: the next request
	// continues below the oldest shown.
	if !page.HasMore && !h.Complete && len(page.Messages) > 0 {
		page.HasMore, page.Cursor = true, cache.MessageCursorOf(page.Messages[0])
	}
	return page, nil
}

// fetchHistory reads the hub's pages, newest first, until the fetched
// history reaches below cursor (the point the agent scrolled to) or ends.
func (c *Console) fetchHistory(ctx context.Context, id int64, cursor string, h cache.History) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	next := h.Cursor
	if !h.Known {
		next = ""
	}
	for range 50 {
		p, err := s.hub.Messages(ctx, id, next, historyPage)
		if err != nil {
			return err
		}
		if err := c.cache.StoreHistoryPage(ctx, id, p.Items, p.NextCursor, p.HasMore); err != nil {
			return err
		}
		if !p.HasMore || p.NextCursor == "" {
			return nil
		}
		next = p.NextCursor
		floor, err := c.cache.HistoryFloor(ctx, id)
		if err != nil {
			return err
		}
		if cursor == "" || cache.CursorBefore(floor, cursor) {
			// The page below cursor now starts in fetched history; one
			// more page makes sure it is a full one.
			if p2, err := s.hub.Messages(ctx, id, next, historyPage); err == nil {
				return c.cache.StoreHistoryPage(ctx, id, p2.Items, p2.NextCursor, p2.HasMore)
			}
			return nil
		}
	}
	return nil
}

func (c *Console) online() bool {
	c.mu.Lock()
	s := c.sess
	c.mu.Unlock()
	if s == nil {
		return false
	}
	st := s.engine.Status().State
	return st == syncer.StateOnline || st == syncer.StateSyncing
}

// Templates are the cached templates (all statuses; the picker offers the
// approved ones).
func (c *Console) Templates(ctx context.Context) ([]domain.Template, error) {
	return c.cache.Templates(ctx)
}

// Users are the cached agents and supervisors, for assigning.
func (c *Console) Users(ctx context.Context) ([]domain.User, error) { return c.cache.Users(ctx) }

// Accounts are the hub's business numbers.
func (c *Console) Accounts(ctx context.Context) ([]domain.Account, error) {
	return c.cache.Accounts(ctx)
}

// Counters are the hub's unanswered counters as last pushed.
func (c *Console) Counters(ctx context.Context) (domain.Counters, error) {
	return c.cache.Counters(ctx)
}

// Outbox lists every unsent message, oldest first.
func (c *Console) Outbox(ctx context.Context) ([]cache.OutboxItem, error) {
	return c.cache.Outbox(ctx, 0)
}

// Drafts lists every saved draft.
func (c *Console) Drafts(ctx context.Context) ([]cache.Draft, error) { return c.cache.Drafts(ctx) }

// SaveDraft stores the composer's text for a conversation (empty deletes).
func (c *Console) SaveDraft(ctx context.Context, id int64, body string) (cache.Draft, error) {
	if len(body) > 64<<10 {
		return cache.Draft{}, apierr.Field(apierr.ValidationFailed, "body", "a draft is at most 64 KB")
	}
	return c.cache.SaveDraft(ctx, id, body)
}

// TemplateForm describes a cached template filled with variables: the
// form's fields, a preview as the customer will see it, what is missing.
func (c *Console) TemplateForm(ctx context.Context, name, language string, variables map[string]string) (TemplateForm, error) {
	t, err := c.template(ctx, name, language)
	if err != nil {
		return TemplateForm{}, err
	}
	return BuildTemplateForm(t, variables), nil
}

func (c *Console) template(ctx context.Context, name, language string) (domain.Template, error) {
	ts, err := c.cache.Templates(ctx)
	if err != nil {
		return domain.Template{}, err
	}
	for _, t := range ts {
		if t.Name == name && t.Language == language {
			return t, nil
		}
	}
	return domain.Template{}, apierr.Field(apierr.TemplateNotFound, "template", "no template %q in %s", name, language)
}

// SyncState is the sync engine's state with the outbox's size: the
// payload the offline banner needs.
type SyncState struct {
	syncer.Status
	Pending int `json:"pending"`
}

// SyncState returns the sync engine's state.
func (c *Console) SyncState(ctx context.Context) (SyncState, error) {
	st := c.status(ctx)
	return SyncState{Status: st.Sync, Pending: st.Pending}, nil
}

// Conversation returns one cached conversation.
func (c *Console) Conversation(ctx context.Context, id int64) (domain.Conversation, error) {
	return c.conversation(ctx, id)
}

// Messages returns a page of a conversation's messages older than cursor
// (the latest page for ""), fetching from the hub what the cache lacks.
func (c *Console) Messages(ctx context.Context, id int64, cursor string, limit int) (cache.MessagePage, error) {
	if limit <= 0 {
		limit = cache.DefaultMessageLimit
	}
	return c.messages(ctx, id, cursor, min(limit, cache.MaxMessageLimit))
}

// Contact returns one cached contact.
func (c *Console) Contact(ctx context.Context, id int64) (domain.Contact, error) {
	ct, err := c.cache.Contact(ctx, id)
	if errors.Is(err, cache.ErrNotFound) {
		return ct, apierr.New(apierr.NotFound, "no such contact in the cache")
	}
	return ct, err
}

// Draft returns a conversation's saved draft (empty body when none).
func (c *Console) Draft(ctx context.Context, id int64) (cache.Draft, error) {
	return c.cache.Draft(ctx, id)
}
