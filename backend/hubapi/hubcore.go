package hubapi

import (
	"context"
	"errors"
	"io"
	"net/url"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hub/store"
	"switchboard/backend/whatsapp"
)

// HubCore adapts the messaging core (*hub.Service) to Core: commands go to
// the service, queries to its store's read pool, media downloads to the
// Cloud API client.
type HubCore struct {
	S *hub.Service
	// API downloads media (nil: GET /v1/media answers UNAVAILABLE).
	API *whatsapp.Client
}

var _ Core = (*HubCore)(nil)

// NewHubCore returns the adapter for s.
func NewHubCore(s *hub.Service, api *whatsapp.Client) *HubCore { return &HubCore{S: s, API: api} }

func (h *HubCore) rd() store.Reader { return h.S.Store() }

// readErr maps storage errors like the core does.
func readErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return apierr.New(apierr.NotFound, "no such %s", what)
	case errors.Is(err, store.ErrBadCursor):
		return apierr.Field(apierr.InvalidRequest, "cursor", "the cursor is not one this API issued")
	}
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apierr.Wrap(err, apierr.Internal, "storage error")
}

// notYet answers operations the core does not offer yet.
func notYet(what string) error {
	return apierr.New(apierr.Unavailable, "%s is not available in this build of the hub", what)
}

// IngestWebhook implements Core.
func (h *HubCore) IngestWebhook(ctx context.Context, body []byte, sig string) error {
	return h.S.IngestWebhook(ctx, body, sig)
}

// VerifySubscription implements Core.
func (h *HubCore) VerifySubscription(q url.Values) (string, error) { return h.S.VerifySubscription(q) }

// Send implements Core.
func (h *HubCore) Send(ctx context.Context, req hub.SendRequest) (domain.Message, error) {
	return h.S.Send(ctx, req)
}

// MarkRead implements Core.
func (h *HubCore) MarkRead(ctx context.Context, id int64) (domain.Message, error) {
	return domain.Message{}, notYet("marking messages read")
}

// Accounts implements Core.
func (h *HubCore) Accounts(ctx context.Context) ([]domain.Account, error) {
	return h.S.ListAccounts(ctx)
}

// Conversations implements Core.
func (h *HubCore) Conversations(ctx context.Context, q ConversationQuery) ([]domain.Conversation, string, error) {
	f := store.ConversationFilter{PageRequest: store.PageRequest{Cursor: q.Cursor, Limit: q.Limit},
		AccountID: q.AccountID, Team: q.Team, Unanswered: q.Unanswered, AssigneeID: q.AssigneeID, Unassigned: q.Unassigned}
	if q.Status != "" {
		f.Statuses = []domain.ConversationStatus{domain.ConversationStatus(q.Status)}
	}
	if q.Phone != "" {
		c, err := h.rd().FindContactByPhone(ctx, q.Phone)
		if errors.Is(err, store.ErrNotFound) {
			return []domain.Conversation{}, "", nil
		}
		if err != nil {
			return nil, "", readErr(err, "contact")
		}
		f.ContactID = c.ID
	}
	if v := q.VisibleTo; v != nil {
		// An agent's view: theirs or unassigned, intersected with the
		// filter they asked for.
		switch {
		case q.AssigneeID != nil && *q.AssigneeID != *v:
			return []domain.Conversation{}, "", nil
		case q.AssigneeID == nil && !q.Unassigned:
			f.AssigneeID, f.Unassigned = v, true
		}
	}
	p, err := h.rd().ListConversations(ctx, f)
	if err != nil {
		return nil, "", readErr(err, "conversation")
	}
	return p.Items, nextOf(p.NextCursor, p.HasMore), nil
}

func nextOf(c string, more bool) string {
	if !more {
		return ""
	}
	return c
}

// Conversation implements Core.
func (h *HubCore) Conversation(ctx context.Context, id int64) (domain.Conversation, error) {
	c, err := h.rd().GetConversation(ctx, id)
	return c, readErr(err, "conversation")
}

// UpdateConversation implements Core.
func (h *HubCore) UpdateConversation(ctx context.Context, id int64, p ConversationPatch) (domain.Conversation, error) {
	return domain.Conversation{}, notYet("updating conversations")
}

// Messages implements Core. Agents' queries are filtered here by the
// conversations' assignees, so their pages may be shorter than asked.
func (h *HubCore) Messages(ctx context.Context, q MessageQuery) ([]domain.Message, string, error) {
	var (
		p   store.Page[domain.Message]
		err error
	)
	pr := store.PageRequest{Cursor: q.Cursor, Limit: q.Limit}
	if q.ConversationID != 0 && q.Phone == "" && q.Direction == "" && q.Status == "" && q.Type == "" && q.Since == nil && q.Until == nil {
		p, err = h.rd().ListMessages(ctx, q.ConversationID, pr)
	} else {
		f := store.MessageFilter{PageRequest: pr, Direction: domain.Direction(q.Direction), Status: domain.MessageStatus(q.Status),
			Type: q.Type, Since: q.Since, Until: q.Until}
		if q.Phone != "" {
			c, err := h.rd().FindContactByPhone(ctx, q.Phone)
			if errors.Is(err, store.ErrNotFound) {
				return []domain.Message{}, "", nil
			}
			if err != nil {
				return nil, "", readErr(err, "contact")
			}
			f.ContactID = c.ID
		}
		p, err = h.rd().QueryMessages(ctx, f)
	}
	if err != nil {
		return nil, "", readErr(err, "message")
	}
	items := p.Items
	if q.ConversationID != 0 || q.VisibleTo != nil {
		kept := items[:0:0]
		assignees := map[int64]*int64{}
		for _, m := range items {
			if q.ConversationID != 0 && m.ConversationID != q.ConversationID {
				continue
			}
			if q.VisibleTo != nil {
				a, ok := assignees[m.ConversationID]
				if !ok {
					c, err := h.rd().GetConversation(ctx, m.ConversationID)
					if err == nil {
						a = c.AssigneeID
					}
					assignees[m.ConversationID] = a
				}
				if a != nil && *a != *q.VisibleTo {
					continue
				}
			}
			kept = append(kept, m)
		}
		items = kept
	}
	return items, nextOf(p.NextCursor, p.HasMore), nil
}

// Message implements Core.
func (h *HubCore) Message(ctx context.Context, id int64) (domain.Message, error) {
	m, err := h.rd().GetMessage(ctx, id)
	return m, readErr(err, "message")
}

// AddNote implements Core.
func (h *HubCore) AddNote(ctx context.Context, conv, author int64, body string) (domain.Note, error) {
	return domain.Note{}, notYet("notes")
}

// Notes implements Core.
func (h *HubCore) Notes(ctx context.Context, conv int64) ([]domain.Note, error) {
	var out []domain.Note
	pr := store.PageRequest{Limit: 100}
	for {
		p, err := h.rd().ListNotes(ctx, conv, pr)
		if err != nil {
			return nil, readErr(err, "note")
		}
		out = append(out, p.Items...)
		if !p.HasMore {
			return out, nil
		}
		pr.Cursor = p.NextCursor
	}
}

// Contacts implements Core.
func (h *HubCore) Contacts(ctx context.Context, q ContactQuery) ([]domain.Contact, string, error) {
	if q.Phone != "" {
		c, err := h.rd().FindContactByPhone(ctx, q.Phone)
		if errors.Is(err, store.ErrNotFound) {
			return []domain.Contact{}, "", nil
		}
		if err != nil {
			return nil, "", readErr(err, "contact")
		}
		return []domain.Contact{c}, "", nil
	}
	p, err := h.rd().ListContacts(ctx, store.ContactFilter{PageRequest: store.PageRequest{Cursor: q.Cursor, Limit: q.Limit}, Query: q.Search})
	if err != nil {
		return nil, "", readErr(err, "contact")
	}
	return p.Items, nextOf(p.NextCursor, p.HasMore), nil
}

// Contact implements Core.
func (h *HubCore) Contact(ctx context.Context, id int64) (domain.Contact, error) {
	c, err := h.rd().GetContact(ctx, id)
	return c, readErr(err, "contact")
}

// UpsertContact implements Core.
func (h *HubCore) UpsertContact(ctx context.Context, c ContactUpsert) (domain.Contact, error) {
	return domain.Contact{}, notYet("changing contacts")
}

// DeleteContact implements Core.
func (h *HubCore) DeleteContact(ctx context.Context, id int64) error {
	return notYet("deleting contacts")
}

// OptOuts implements Core: the contacts that opted out.
func (h *HubCore) OptOuts(ctx context.Context, limit int, cursor string) ([]OptOut, string, error) {
	yes := true
	p, err := h.rd().ListContacts(ctx, store.ContactFilter{PageRequest: store.PageRequest{Cursor: cursor, Limit: limit}, OptedOut: &yes})
	if err != nil {
		return nil, "", readErr(err, "opt-out")
	}
	out := make([]OptOut, 0, len(p.Items))
	for _, c := range p.Items {
		o := OptOut{Phone: c.Phone}
		if c.OptedOutAt != nil {
			o.CreatedAt = *c.OptedOutAt
		}
		out = append(out, o)
	}
	return out, nextOf(p.NextCursor, p.HasMore), nil
}

// SetOptOut implements Core.
func (h *HubCore) SetOptOut(ctx context.Context, phone string, optedOut bool, reason string) error {
	return notYet("managing opt-outs")
}

// Templates implements Core.
func (h *HubCore) Templates(ctx context.Context, accountID string) ([]domain.Template, error) {
	f := store.TemplateFilter{PageRequest: store.PageRequest{Limit: 100}}
	if accountID != "" {
		a, err := h.S.GetAccount(ctx, accountID)
		if err != nil {
			return nil, err
		}
		f.WABAID = a.WABAID
	}
	var out []domain.Template
	for {
		p, err := h.rd().ListTemplates(ctx, f)
		if err != nil {
			return nil, readErr(err, "template")
		}
		out = append(out, p.Items...)
		if !p.HasMore {
			return out, nil
		}
		f.Cursor = p.NextCursor
	}
}

// CreateTemplate implements Core.
func (h *HubCore) CreateTemplate(ctx context.Context, accountID string, t TemplateDraft) (domain.Template, error) {
	return domain.Template{}, notYet("creating templates")
}

// SyncTemplates implements Core.
func (h *HubCore) SyncTemplates(ctx context.Context, accountID string) ([]domain.Template, error) {
	return nil, notYet("syncing templates")
}

// DeleteTemplate implements Core.
func (h *HubCore) DeleteTemplate(ctx context.Context, accountID, name string) error {
	return notYet("deleting templates")
}

// Counters implements Core.
func (h *HubCore) Counters(ctx context.Context) (domain.Counters, error) {
	c, err := h.rd().Counters(ctx)
	return c, readErr(err, "counters")
}

// Media implements Core.
func (h *HubCore) Media(ctx context.Context, id string) (io.ReadCloser, string, error) {
	if h.API == nil {
		return nil, "", apierr.New(apierr.Unavailable, "media downloads need the Cloud API client")
	}
	_, dl, err := h.API.FetchMedia(ctx, id, maxMediaBytes)
	if err != nil {
		return nil, "", err
	}
	return dl.Body, dl.ContentType, nil
}

// EventsSince implements Core.
func (h *HubCore) EventsSince(ctx context.Context, since int64, limit int) ([]domain.Event, error) {
	return h.S.EventsSince(ctx, since, limit)
}

// EventBounds implements Core.
func (h *HubCore) EventBounds(ctx context.Context) (int64, int64, error) { return h.S.EventBounds(ctx) }

// Subscribe implements Core.
func (h *HubCore) Subscribe() (<-chan struct{}, func()) { return h.S.Subscribe() }
