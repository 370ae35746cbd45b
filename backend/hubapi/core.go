package hubapi

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
)

// Core is what this package needs from the hub's messaging core. The hub
// core (package hub) provides it; keeping it an interface here lets the
// HTTP layer say exactly what it relies on and keeps package hub free of
// net/http concerns.
type Core interface {
	// IngestWebhook verifies the signature over the raw body and commits
	// its effects; nil means they are durable and Meta may be told 200.
	IngestWebhook(ctx context.Context, body []byte, signature string) error
	// VerifySubscription answers Meta's GET handshake with the challenge.
	VerifySubscription(query url.Values) (string, error)

	// Send validates and queues an outbound message (committed before it
	// returns). A repeated idempotency key returns the first message.
	Send(ctx context.Context, req hub.SendRequest) (domain.Message, error)
	// MarkRead marks an inbound message read (and tells Meta).
	MarkRead(ctx context.Context, messageID int64) (domain.Message, error)

	Accounts(ctx context.Context) ([]domain.Account, error)

	Conversations(ctx context.Context, q ConversationQuery) ([]domain.Conversation, string, error)
	Conversation(ctx context.Context, id int64) (domain.Conversation, error)
	UpdateConversation(ctx context.Context, id int64, p ConversationPatch) (domain.Conversation, error)

	Messages(ctx context.Context, q MessageQuery) ([]domain.Message, string, error)
	Message(ctx context.Context, id int64) (domain.Message, error)

	AddNote(ctx context.Context, conversationID int64, authorID int64, body string) (domain.Note, error)
	Notes(ctx context.Context, conversationID int64) ([]domain.Note, error)

	Contacts(ctx context.Context, q ContactQuery) ([]domain.Contact, string, error)
	Contact(ctx context.Context, id int64) (domain.Contact, error)
	UpsertContact(ctx context.Context, c ContactUpsert) (domain.Contact, error)
	DeleteContact(ctx context.Context, id int64) error

	OptOuts(ctx context.Context, limit int, cursor string) ([]OptOut, string, error)
	SetOptOut(ctx context.Context, phone string, optedOut bool, reason string) error

	Templates(ctx context.Context, accountID string) ([]domain.Template, error)
	CreateTemplate(ctx context.Context, accountID string, t TemplateDraft) (domain.Template, error)
	SyncTemplates(ctx context.Context, accountID string) ([]domain.Template, error)
	DeleteTemplate(ctx context.Context, accountID, name string) error

	Counters(ctx context.Context) (domain.Counters, error)

	// Media returns the media's bytes and content type, downloading
	// through the Cloud API (its URLs are short-lived).
	Media(ctx context.Context, mediaID string) (io.ReadCloser, string, error)

	// EventsSince returns up to limit events with seq > since, oldest
	// first, or RESYNC_REQUIRED when events after since were pruned.
	EventsSince(ctx context.Context, since int64, limit int) ([]domain.Event, error)
	// EventBounds returns the oldest retained and the newest seq (0, 0
	// when the log is empty).
	EventBounds(ctx context.Context) (oldest, head int64, err error)
	// Subscribe returns a channel that receives a (coalesced) wake-up
	// after every commit that appended events, and its cancel func.
	Subscribe() (<-chan struct{}, func())
}

// ConversationQuery filters GET /v1/conversations.
type ConversationQuery struct {
	Status     string
	AssigneeID *int64
	Unassigned bool
	Team       string
	Unanswered *bool
	AccountID  string
	// Phone finds the conversation(s) of one customer (E.164).
	Phone string
	// VisibleTo limits the result to conversations assigned to this user
	// or to nobody (agents' view).
	VisibleTo *int64
	Limit     int
	Cursor    string
}

// ConversationPatch is PATCH /v1/conversations/{id}: nil fields are left
// alone; ClearAssignee unassigns.
type ConversationPatch struct {
	Status        *domain.ConversationStatus
	AssigneeID    *int64
	ClearAssignee bool
	Team          *string
	SnoozedUntil  *time.Time
}

// MessageQuery filters GET /v1/messages and a conversation's history.
type MessageQuery struct {
	ConversationID int64
	Phone          string
	Direction      string
	Status         string
	Type           string
	Since, Until   *time.Time
	VisibleTo      *int64
	Limit          int
	Cursor         string
}

// ContactQuery filters GET /v1/contacts.
type ContactQuery struct {
	Phone  string
	Search string
	Limit  int
	Cursor string
}

// ContactUpsert is PATCH /v1/contacts: by id, or by phone (created when
// new).
type ContactUpsert struct {
	ID         int64
	Phone      string
	Name       *string
	Attributes map[string]string
}

// OptOut is one opted-out phone.
type OptOut struct {
	Phone     string    `json:"phone"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// TemplateDraft is a template submitted for approval.
type TemplateDraft struct {
	Name            string          `json:"name"`
	Language        string          `json:"language"`
	Category        string          `json:"category"`
	ParameterFormat string          `json:"parameter_format,omitempty"`
	Components      json.RawMessage `json:"components"`
}
