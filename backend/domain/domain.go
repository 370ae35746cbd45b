// Package domain holds the values Switchboard's parts exchange: what the hub
// stores and serves, what its event log and websocket stream carry, and what
// the desktop console caches. The hub's REST API, the hub client and the
// desktop cache all marshal these exact types, so the JSON shape is defined
// once, here (snake_case, like the Cloud API; times in RFC 3339 UTC).
//
// The package holds data and small pure rules about it; storage, transport and
// the WhatsApp wire format live elsewhere.
package domain

import (
	"encoding/json"
	"time"
)

// Account is one WhatsApp Business phone number connected to the hub.
type Account struct {
	// ID is the Cloud API phone_number_id.
	ID                 string    `json:"id"`
	WABAID             string    `json:"waba_id"`
	DisplayPhoneNumber string    `json:"display_phone_number"`
	VerifiedName       string    `json:"verified_name"`
	Status             string    `json:"status"`         // e.g. CONNECTED, FLAGGED, RESTRICTED
	QualityRating      string    `json:"quality_rating"` // GREEN, YELLOW, RED, UNKNOWN
	ThroughputMPS      int       `json:"throughput_mps"` // messages per second Meta allows
	MessagesIn         int64     `json:"messages_in"`
	MessagesOut        int64     `json:"messages_out"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
	// Configured is true for the numbers the hub was configured to serve:
	// only they send, upload and sync templates. A number that only
	// appeared in webhooks (Meta sends them for every number subscribed to
	// the app) is listed with false, to admins only; its messages are kept
	// and visible to admins, flagged AccountUnconfigured.
	Configured bool `json:"configured"`
}

// Contact is a customer. Phone (E.164) is the key; UserID, Meta's
// business-scoped user id, identifies customers whose number is withheld.
type Contact struct {
	ID     int64  `json:"id"`
	Phone  string `json:"phone,omitempty"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
	Name   string `json:"name"`
	// ProfileName is the name the customer set on WhatsApp, kept current
	// from webhooks; Name starts as it and may be edited by agents.
	ProfileName string            `json:"profile_name,omitempty"`
	OptedOut    bool              `json:"opted_out"`
	OptedOutAt  *time.Time        `json:"opted_out_at,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// ConversationStatus is where a conversation stands in the team's workflow.
type ConversationStatus string

// Conversation statuses. A customer message reopens a closed or snoozed one.
const (
	StatusOpen    ConversationStatus = "open"
	StatusPending ConversationStatus = "pending"
	StatusSnoozed ConversationStatus = "snoozed"
	StatusClosed  ConversationStatus = "closed"
)

// Valid reports whether s is a known status.
func (s ConversationStatus) Valid() bool {
	switch s {
	case StatusOpen, StatusPending, StatusSnoozed, StatusClosed:
		return true
	}
	return false
}

// Conversation is the thread between one contact and one business number.
type Conversation struct {
	ID        int64              `json:"id"`
	AccountID string             `json:"account_id"`
	Contact   Contact            `json:"contact"`
	Status    ConversationStatus `json:"status"`
	// AssigneeID is the agent (User.ID) who owns it; nil when unassigned.
	AssigneeID   *int64     `json:"assignee_id"`
	Team         string     `json:"team"`
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
	// WindowExpiresAt ends the 24-hour customer service window: 24 hours
	// after the customer's last message. Nil when the customer never wrote.
	WindowExpiresAt *time.Time `json:"window_expires_at"`
	// Unanswered is true while the customer spoke last and no agent has
	// replied; WaitingSince is when that started.
	Unanswered     bool            `json:"unanswered"`
	WaitingSince   *time.Time      `json:"waiting_since"`
	UnreadCount    int             `json:"unread_count"`
	LastMessage    *MessagePreview `json:"last_message"`
	LastActivityAt time.Time       `json:"last_activity_at"`
	Referral       *Referral       `json:"referral,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	// AccountUnconfigured marks a conversation on a number the hub is not
	// configured for (Account.Configured is false): only admins see it, and
	// nothing can be sent from it until the number is configured.
	AccountUnconfigured bool `json:"account_unconfigured,omitempty"`
}

// WindowOpen reports whether free-form messages may be sent at now.
func (c *Conversation) WindowOpen(now time.Time) bool {
	return c.WindowExpiresAt != nil && now.Before(*c.WindowExpiresAt)
}

// MessagePreview is the one-line summary an inbox row shows.
type MessagePreview struct {
	ID        int64         `json:"id"`
	Direction Direction     `json:"direction"`
	Type      string        `json:"type"`
	Preview   string        `json:"preview"`
	Status    MessageStatus `json:"status"`
	At        time.Time     `json:"at"`
}

// Referral is click-to-WhatsApp ad attribution from a customer's first message.
type Referral struct {
	SourceURL    string `json:"source_url,omitempty"`
	SourceID     string `json:"source_id,omitempty"`
	SourceType   string `json:"source_type,omitempty"`
	Headline     string `json:"headline,omitempty"`
	Body         string `json:"body,omitempty"`
	MediaType    string `json:"media_type,omitempty"`
	ImageURL     string `json:"image_url,omitempty"`
	VideoURL     string `json:"video_url,omitempty"`
	ThumbnailURL string `json:"thumbnail_url,omitempty"`
	CtwaClid     string `json:"ctwa_clid,omitempty"`
}

// Direction says who wrote a message.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// MessageStatus is a message's delivery state. Outbound statuses only move
// forward (queued < sent < delivered < read); failed is final.
type MessageStatus string

// Message statuses.
const (
	MsgReceived  MessageStatus = "received" // inbound, not yet marked read
	MsgQueued    MessageStatus = "queued"
	MsgSent      MessageStatus = "sent"
	MsgDelivered MessageStatus = "delivered"
	MsgRead      MessageStatus = "read"
	MsgFailed    MessageStatus = "failed"
)

// Rank orders statuses so a late or repeated status never moves a message
// backwards: a "delivered" arriving after "read" changes nothing.
func (s MessageStatus) Rank() int {
	switch s {
	case MsgQueued:
		return 1
	case MsgSent:
		return 2
	case MsgDelivered:
		return 3
	case MsgRead, MsgReceived:
		return 4
	case MsgFailed:
		return 5
	}
	return 0
}

// Message is one WhatsApp message in a conversation.
type Message struct {
	ID             int64     `json:"id"`
	WAMID          string    `json:"wamid,omitempty"`
	ConversationID int64     `json:"conversation_id"`
	AccountID      string    `json:"account_id"`
	Direction      Direction `json:"direction"`
	// Type is the Cloud API message type: text, image, audio, video,
	// document, sticker, location, contacts, interactive, button, reaction,
	// order, system, template, unsupported, …
	Type string `json:"type"`
	// Content is the Cloud API object for Type exactly as received or sent
	// (for text: {"body": "…"}); Preview is a plain-text summary of it.
	Content json.RawMessage `json:"content"`
	Preview string          `json:"preview"`
	// From and To are E.164 numbers (or the business number's display form).
	From      string        `json:"from"`
	To        string        `json:"to"`
	ReplyTo   *int64        `json:"reply_to,omitempty"`
	Forwarded bool          `json:"forwarded,omitempty"`
	Reactions []Reaction    `json:"reactions"`
	Status    MessageStatus `json:"status"`
	Error     *MessageError `json:"error,omitempty"`
	// AuthorID is the agent who sent an outbound message (nil for API/bulk).
	AuthorID    *int64     `json:"author_id,omitempty"`
	Timestamp   time.Time  `json:"timestamp"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	ReadAt      *time.Time `json:"read_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// AccountUnconfigured marks a message of a number the hub is not
	// configured for, as on Conversation.
	AccountUnconfigured bool `json:"account_unconfigured,omitempty"`
}

// Reaction is an emoji reaction attached to its target message.
type Reaction struct {
	Emoji string `json:"emoji"`
	// From is "customer" or the reacting agent's user id as a string.
	From string    `json:"from"`
	At   time.Time `json:"at"`
}

// MessageError is why a message failed, in Meta's terms.
type MessageError struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Message string `json:"message,omitempty"`
	Details string `json:"details,omitempty"`
}

// Note is an internal note on a conversation, never sent to the customer.
type Note struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	AuthorID       int64     `json:"author_id"`
	Body           string    `json:"body"`
	CreatedAt      time.Time `json:"created_at"`
}

// Template is a message template on the WhatsApp Business Account, one per
// name and language.
type Template struct {
	ID string `json:"id"`
	// WABAID is the WhatsApp Business Account the template belongs to.
	WABAID          string          `json:"waba_id"`
	Name            string          `json:"name"`
	Language        string          `json:"language"`
	Category        string          `json:"category"`         // MARKETING, UTILITY, AUTHENTICATION
	Status          string          `json:"status"`           // APPROVED, PENDING, REJECTED, PAUSED, DISABLED
	Quality         string          `json:"quality"`          // GREEN, YELLOW, RED, UNKNOWN
	ParameterFormat string          `json:"parameter_format"` // POSITIONAL or NAMED
	Components      json.RawMessage `json:"components"`
	RejectedReason  string          `json:"rejected_reason,omitempty"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// Role is what a user may do.
type Role string

// Roles: agents see their own and unassigned conversations; supervisors see
// everything and everyone's counters; admins also manage users and settings.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// User is an agent, supervisor or admin.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Teams     []string  `json:"teams"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Counters are the unanswered-conversation counts, maintained as changes
// happen. Map keys are user ids (as decimal strings) and team names.
type Counters struct {
	Total              int            `json:"total"`
	Unassigned         int            `json:"unassigned"`
	ByAgent            map[string]int `json:"by_agent"`
	ByTeam             map[string]int `json:"by_team"`
	OldestWaitingSince *time.Time     `json:"oldest_waiting_since"`
}

// Event names: the hub's event log, the websocket stream and the desktop
// console's frontend events all use these.
const (
	EventMessageCreated      = "message.created"
	EventMessageUpdated      = "message.updated" // status, reactions
	EventConversationUpdated = "conversation.updated"
	EventContactUpdated      = "contact.updated"
	EventTemplateUpdated     = "template.updated"
	EventCountersUpdated     = "counters.updated"
	EventNoteCreated         = "note.created"
	EventAccountUpdated      = "account.updated"
	// EventContactDeleted and EventConversationDeleted carry the deleted
	// object as it was, so caches can drop it.
	EventContactDeleted      = "contact.deleted"
	EventConversationDeleted = "conversation.deleted"
)

// Event is one entry of the hub's append-only event log. Seq rises strictly
// and is assigned in the same transaction as the change it records. Data is
// the changed object after the change (a Message, Conversation, Template,
// Contact, Note, Account or Counters).
type Event struct {
	Seq            int64  `json:"seq"`
	Type           string `json:"type"`
	ConversationID int64  `json:"conversation_id,omitempty"`
	// AssigneeID is the conversation's assignee after the change (nil when
	// unassigned or not about a conversation) and PrevAssigneeID its
	// assignee before, when the change reassigned it (0 when it was
	// unassigned; nil when the assignee did not change). The stream uses them
	// to show agents only their own and unassigned conversations, and to
	// tell an agent that a conversation left their view.
	AssigneeID     *int64          `json:"assignee_id,omitempty"`
	PrevAssigneeID *int64          `json:"prev_assignee_id,omitempty"`
	At             time.Time       `json:"at"`
	Data           json.RawMessage `json:"data"`
	// AccountUnconfigured marks an event about a number the hub is not
	// configured for (its account, or a conversation, message or note of
	// it): the stream gives it to admins only.
	AccountUnconfigured bool `json:"account_unconfigured,omitempty"`
}
