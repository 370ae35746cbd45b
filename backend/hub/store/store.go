// Package store defines how the hub persists its state: the messaging core
// (accounts, contacts, conversations, messages, templates, notes, counters,
// the event log, the send queue, raw webhook bodies) and everything around
// it (users, tokens and sign-in failures in access.go; outbound webhook
// subscriptions and attempts in webhooks.go; bulk delivery jobs and
// recipients in deliveries.go; remembered media uploads in media.go; the
// answers of keyed writes in keyed.go).
//
// The hub service (package hub) owns the rules — the 24-hour window,
// forward-only statuses, counters, opt-outs, who may sign in — and talks to
// storage only through the interfaces below; no other package reaches the
// hub's tables. A PostgreSQL implementation can follow the SQLite one
// (package sqlitestore) and be held to the same conformance suite (package
// storetest), which covers every method.
//
// Ids are assigned by the store, positive and rising in insertion order
// (lists "in id order" are in the order rows were made); nothing else about
// their values is promised.
//
// The split is deliberate: Tx offers primitive, one-statement operations that
// the service composes inside a single write transaction (the service batches
// many webhook bodies into one transaction for group commit), and Reader
// offers the paginated queries the REST API serves from a read pool.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// ErrNotFound is returned by lookups that find nothing. Implementations
// return it (possibly wrapped) rather than a driver-specific error.
var ErrNotFound = errors.New("store: not found")

// ErrBadCursor is returned (possibly wrapped) for a page cursor the store did
// not issue.
var ErrBadCursor = errors.New("store: invalid cursor")

// Store is a complete hub storage back end.
type Store interface {
	Reader
	// Ping checks that the storage answers (for health checks).
	Ping(ctx context.Context) error
	// Migrate brings the schema up to date. It is safe to call on every
	// start.
	Migrate(ctx context.Context) error
	// Update runs fn in one write transaction and commits when fn returns
	// nil. Implementations serialise write transactions: at most one runs at
	// a time, so the caller may cache what it reads inside them.
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction. Every method is one short statement or a small
// fixed number of them; the hub composes them.
type Tx interface {
	// Savepoint starts a nested unit of work that RollbackSavepoint undoes
	// without abandoning the transaction; ReleaseSavepoint keeps it. Only
	// one level is used.
	Savepoint() error
	ReleaseSavepoint() error
	RollbackSavepoint() error

	// Accounts.
	UpsertAccount(ctx context.Context, a *domain.Account) error
	Account(ctx context.Context, id string) (domain.Account, error)
	AddAccountCounts(ctx context.Context, id string, in, out int64) error

	// Contacts. ContactByPhone matches the canonical E.164 phone;
	// ContactByUserID the business-scoped user id.
	InsertContact(ctx context.Context, c *domain.Contact) error
	UpdateContact(ctx context.Context, c *domain.Contact) error
	DeleteContact(ctx context.Context, id int64) error
	ContactByID(ctx context.Context, id int64) (domain.Contact, error)
	ContactByPhone(ctx context.Context, phone string) (domain.Contact, error)
	ContactByUserID(ctx context.Context, userID string) (domain.Contact, error)
	// AddPhoneHistory records that a contact used to be reachable at phone,
	// for contacts re-keyed by a number change.
	AddPhoneHistory(ctx context.Context, contactID int64, phone string, until time.Time) error

	// Conversations. There is at most one conversation per account and
	// contact; InsertConversation of a second one fails.
	InsertConversation(ctx context.Context, c *Conversation) error
	// UpdateConversation writes the column groups in fields (and
	// updated_at); writing only what changed spares the indexes on the
	// columns that did not.
	UpdateConversation(ctx context.Context, c *Conversation, fields ConversationFields) error
	DeleteConversation(ctx context.Context, id int64) error
	ConversationByID(ctx context.Context, id int64) (Conversation, error)
	ConversationByContact(ctx context.Context, accountID string, contactID int64) (Conversation, error)
	ConversationIDsByContact(ctx context.Context, contactID int64) ([]int64, error)
	// DueSnoozed lists snoozed conversations whose snooze ended at or before now.
	DueSnoozed(ctx context.Context, now time.Time, limit int) ([]int64, error)

	// Messages. InsertMessage reports false, and changes nothing, when a
	// message with the same WAMID already exists (webhook redelivery).
	InsertMessage(ctx context.Context, m *Message) (inserted bool, err error)
	UpdateMessage(ctx context.Context, m *Message) error
	MessageByID(ctx context.Context, id int64) (Message, error)
	MessageByWAMID(ctx context.Context, wamid string) (Message, error)
	MessageByIdempotencyKey(ctx context.Context, key string) (Message, error)
	// MarkInboundRead sets every inbound message of the conversation up to
	// and including uptoID that is still "received" to "read"; it returns
	// their ids.
	MarkInboundRead(ctx context.Context, conversationID, uptoID int64, at time.Time) ([]int64, error)
	// MoveMessages re-parents every message and note of one conversation to
	// another (used when two contacts turn out to be one person).
	MoveMessages(ctx context.Context, fromConversation, toConversation int64) error

	// Statuses for wamids the hub does not (yet) know.
	ParkStatus(ctx context.Context, p ParkedStatus) error
	// TakeParkedStatuses returns and deletes the statuses parked for wamid,
	// oldest first.
	TakeParkedStatuses(ctx context.Context, wamid string) ([]ParkedStatus, error)

	// Raw webhook bodies.
	InsertRawWebhook(ctx context.Context, w *RawWebhook) error
	SetRawWebhookState(ctx context.Context, id int64, state RawState, errText string) error
	PruneRawWebhooks(ctx context.Context, before time.Time, limit int) (int, error)

	// Templates, unique by WABA, name and language.
	UpsertTemplate(ctx context.Context, t *domain.Template) error
	DeleteTemplate(ctx context.Context, wabaID, name, language string) error
	TemplateByKey(ctx context.Context, wabaID, name, language string) (domain.Template, error)
	TemplateByID(ctx context.Context, id string) (domain.Template, error)
	TemplatesOfWABA(ctx context.Context, wabaID string) ([]domain.Template, error)
	// TemplateBySubmitKey finds the template submitted with an
	// Idempotency-Key (ErrNotFound for "" or none).
	TemplateBySubmitKey(ctx context.Context, key string) (domain.Template, error)

	// Notes.
	InsertNote(ctx context.Context, n *domain.Note) error

	// Counters: named integers changed by deltas (see CounterKey*).
	AddCounters(ctx context.Context, deltas map[string]int64) error
	// CountersTx reads the counters inside the transaction.
	CountersTx(ctx context.Context) (domain.Counters, error)

	// Events. AppendEvent assigns e.Seq, strictly greater than every seq
	// ever assigned, even after pruning. e.Data is only valid during the
	// call (the caller reuses the buffer).
	AppendEvent(ctx context.Context, e *domain.Event) error
	// PruneEvents deletes up to limit events with seq <= maxSeq or at
	// before olderThan, oldest first, and returns how many it deleted. It
	// always keeps the newest event.
	PruneEvents(ctx context.Context, maxSeq int64, olderThan time.Time, limit int) (int, error)

	// The send queue.
	Enqueue(ctx context.Context, q QueueItem) error
	Dequeue(ctx context.Context, messageID int64) error
	SetQueueAttempts(ctx context.Context, messageID int64, attempts int) error

	AccessTx
	WebhookTx
	DeliveryTx
	MediaTx
	KeyedTx
}

// Reader answers queries from a read pool; it never blocks writers.
type Reader interface {
	ListAccounts(ctx context.Context) ([]domain.Account, error)
	GetAccount(ctx context.Context, id string) (domain.Account, error)

	GetContact(ctx context.Context, id int64) (domain.Contact, error)
	FindContactByPhone(ctx context.Context, phone string) (domain.Contact, error)
	ListContacts(ctx context.Context, f ContactFilter) (Page[domain.Contact], error)

	GetConversation(ctx context.Context, id int64) (domain.Conversation, error)
	ListConversations(ctx context.Context, f ConversationFilter) (Page[domain.Conversation], error)

	GetMessage(ctx context.Context, id int64) (domain.Message, error)
	// ListMessages pages through a conversation's visible messages (not
	// reactions, which are attached to their targets), newest first.
	ListMessages(ctx context.Context, conversationID int64, p PageRequest) (Page[domain.Message], error)
	QueryMessages(ctx context.Context, f MessageFilter) (Page[domain.Message], error)

	ListNotes(ctx context.Context, conversationID int64, p PageRequest) (Page[domain.Note], error)

	ListTemplates(ctx context.Context, f TemplateFilter) (Page[domain.Template], error)
	GetTemplate(ctx context.Context, wabaID, name, language string) (domain.Template, error)

	// Counters reads the maintained counters (never by scanning messages).
	Counters(ctx context.Context) (domain.Counters, error)

	// EventsSince returns up to limit events with seq > after, in order.
	EventsSince(ctx context.Context, after int64, limit int) ([]domain.Event, error)
	// EventBounds returns the oldest retained and the newest seq (0, 0 when
	// the log is empty).
	EventBounds(ctx context.Context) (oldest, newest int64, err error)

	// QueuedSends lists every queued send, oldest first (for a restart).
	QueuedSends(ctx context.Context) ([]QueueItem, error)
	// RawWebhooksInState lists stored webhook bodies in state, oldest first.
	RawWebhooksInState(ctx context.Context, state RawState, limit int) ([]RawWebhook, error)
	// AllConversationStates returns every conversation's bookkeeping (no
	// contact details): for recomputing counters from scratch in checks and
	// tests, never on a hot path.
	AllConversationStates(ctx context.Context) ([]Conversation, error)

	AccessReader
	WebhookReader
	DeliveryReader
	MediaReader
}

// Conversation is a stored conversation: the API shape plus the bookkeeping
// the rules need. Contact holds at least the contact id.
type Conversation struct {
	domain.Conversation
	// LastInboundAt is when the customer last wrote (clamped to receive
	// time); the service window ends 24 hours later.
	LastInboundAt *time.Time `json:"-"`
	// LastOutboundAt is when the business last wrote.
	LastOutboundAt *time.Time `json:"-"`
}

// ConversationFields selects groups of conversation columns to write.
type ConversationFields uint32

// Conversation column groups.
const (
	ConvStatus     ConversationFields = 1 << iota // status, snoozed_until
	ConvAssignment                                // assignee_id, team
	ConvWindow                                    // window_expires_at, last_inbound_at, last_outbound_at
	ConvWaiting                                   // unanswered, waiting_since
	ConvPreview                                   // unread_count, last_message
	ConvActivity                                  // last_activity_at
	ConvParent                                    // account_id, contact_id
	ConvReferral                                  // referral

	AllConversationFields = ConvStatus | ConvAssignment | ConvWindow | ConvWaiting | ConvPreview | ConvActivity |
		ConvParent | ConvReferral
)

// Message is a stored message: the API shape plus bookkeeping.
type Message struct {
	domain.Message
	// ContextWAMID is the wamid the message quoted or reacted to, kept even
	// when that message is unknown here.
	ContextWAMID string `json:"-"`
	// IdempotencyKey and RequestHash make a retried send return the first
	// message instead of sending twice.
	IdempotencyKey string `json:"-"`
	RequestHash    string `json:"-"`
	// Hidden messages (reactions) are attached to their target rather than
	// shown as a bubble; they are still stored so redeliveries dedupe.
	Hidden bool `json:"-"`
}

// ParkedStatus is a delivery status for a wamid the hub did not know when it
// arrived (typically a webhook racing the send's own response).
type ParkedStatus struct {
	WAMID     string
	Status    domain.MessageStatus
	Timestamp time.Time
	Error     *domain.MessageError
	// Raw is the status object as received.
	Raw        json.RawMessage
	ReceivedAt time.Time
}

// RawState is a stored webhook body's processing state.
type RawState string

// Raw webhook states. A body is stored as processed in the same transaction
// as its effects; a body whose processing failed after it was accepted is
// kept as failed and retried at the next start.
const (
	RawProcessed RawState = "processed"
	RawFailed    RawState = "failed"
)

// RawWebhook is one webhook body exactly as received.
type RawWebhook struct {
	ID         int64
	ReceivedAt time.Time
	Body       []byte
	Signature  string
	State      RawState
	Error      string
}

// QueueItem is a send waiting for the Cloud API.
type QueueItem struct {
	MessageID int64
	AccountID string
	// Recipient orders sends: one recipient's messages leave in order.
	Recipient string
	// Payload is the Cloud API request body, fixed when the send was
	// accepted so a retry or a restart sends exactly the same thing.
	Payload    json.RawMessage
	Attempts   int
	EnqueuedAt time.Time
}

// Counter keys. Per-agent and per-team keys are the prefix plus the user id
// or team name.
const (
	CounterTotal      = "total"
	CounterUnassigned = "unassigned"
	CounterAgent      = "agent:"
	CounterTeam       = "team:"
)

// PageRequest asks for one page: Cursor is opaque (empty for the first
// page), Limit is 1..100 (0 means 25).
type PageRequest struct {
	Cursor string
	Limit  int
}

// Page is one page of results (wire.Page: the one page type every layer
// hands on).
type Page[T any] = wire.Page[T]

// ConversationFilter selects conversations; zero fields do not filter.
// Results are newest activity first.
type ConversationFilter struct {
	PageRequest
	Statuses  []domain.ConversationStatus
	AccountID string
	// AssigneeID keeps conversations assigned to that user; Unassigned
	// keeps unassigned ones; both together keep either (an agent's view).
	AssigneeID *int64
	Unassigned bool
	Team       string
	Unanswered *bool
	ContactID  int64
	// ExcludeAccountIDs leaves out the conversations of these numbers
	// (those the hub is not configured for, for callers who may not see
	// them).
	ExcludeAccountIDs []string
}

// MessageFilter selects messages for external lookups; Phone is canonical
// E.164. Results are newest first.
type MessageFilter struct {
	PageRequest
	ContactID int64
	Direction domain.Direction
	Status    domain.MessageStatus
	Type      string
	Since     *time.Time
	Until     *time.Time
	// ExcludeAccountIDs leaves out the messages of these numbers.
	ExcludeAccountIDs []string
}

// ContactFilter selects contacts; Query matches phone or name prefix.
type ContactFilter struct {
	PageRequest
	Query    string
	OptedOut *bool
}

// TemplateFilter selects templates.
type TemplateFilter struct {
	PageRequest
	WABAID   string
	Name     string
	Language string
	Status   string
}

// Size normalises the page size: 0 means 25, anything else is clamped to 1..100.
func (p PageRequest) Size() int {
	switch {
	case p.Limit <= 0:
		return 25
	case p.Limit > 100:
		return 100
	}
	return p.Limit
}
