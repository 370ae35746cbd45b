package hubapi

import (
	"context"
	"net/url"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/whatsapp"
)

// Core is what this package needs from the hub (*hub.Service). The
// signatures are *hub.Service's own, so the service is passed as it is;
// the interface states exactly what the HTTP layer relies on.
type Core interface {
	// IngestWebhook verifies the signature over the raw body and commits
	// its effects; nil means they are durable and Meta may be told 200.
	IngestWebhook(ctx context.Context, body []byte, signature string) error
	// VerifySubscription answers Meta's GET handshake with the challenge.
	VerifySubscription(query url.Values) (string, error)

	Send(ctx context.Context, req hub.SendRequest) (domain.Message, error)
	// MarkReadKeyed, UpdateConversationKeyed and AddNoteKeyed take the
	// caller's qualified Idempotency-Key ("" without one): a retry gets
	// the first answer and changes nothing.
	MarkReadKeyed(ctx context.Context, key string, messageID int64, typing bool) error

	ListAccounts(ctx context.Context) ([]domain.Account, error)
	GetAccount(ctx context.Context, id string) (domain.Account, error)
	// ResolveAccount is the configured number to act from: the one named
	// or the only one.
	ResolveAccount(id string) (domain.Account, error)

	ListConversations(ctx context.Context, q hub.ConversationQuery) (hub.Page[domain.Conversation], error)
	GetConversation(ctx context.Context, id int64) (hub.ConversationDetail, error)
	UpdateConversationKeyed(ctx context.Context, key string, id int64, u hub.ConversationUpdate) (domain.Conversation, error)
	ListMessages(ctx context.Context, conversationID int64, p hub.PageRequest) (hub.Page[domain.Message], error)
	QueryMessages(ctx context.Context, q hub.MessageQuery) (hub.Page[domain.Message], error)
	GetMessage(ctx context.Context, id int64) (domain.Message, error)
	AddNoteKeyed(ctx context.Context, key string, conversationID, authorID int64, body string) (domain.Note, error)
	ListNotes(ctx context.Context, conversationID int64, p hub.PageRequest) (hub.Page[domain.Note], error)

	ListContacts(ctx context.Context, q hub.ContactQuery) (hub.Page[domain.Contact], error)
	GetContact(ctx context.Context, id int64) (domain.Contact, error)
	FindContact(ctx context.Context, number string) (domain.Contact, error)
	UpsertContact(ctx context.Context, in hub.ContactInput) (domain.Contact, bool, error)
	DeleteContact(ctx context.Context, id int64) error
	ListOptOuts(ctx context.Context, p hub.PageRequest) (hub.Page[domain.Contact], error)
	OptOut(ctx context.Context, number string) (domain.Contact, error)
	OptIn(ctx context.Context, number string) (domain.Contact, error)

	ListTemplates(ctx context.Context, q hub.TemplateQuery) (hub.Page[domain.Template], error)
	SyncTemplates(ctx context.Context, accountOrWABA string) (int, error)
	SubmitTemplate(ctx context.Context, sub hub.TemplateSubmission) (hub.TemplateSubmitted, error)
	DeleteTemplate(ctx context.Context, accountOrWABA, name, language string) error

	Counters(ctx context.Context) (domain.Counters, error)

	// EventsSince returns up to limit events with seq > since, oldest
	// first, or RESYNC_REQUIRED when events after since were pruned.
	EventsSince(ctx context.Context, since int64, limit int) ([]domain.Event, error)
	// EventBounds returns the oldest retained and the newest seq (0, 0
	// when the log is empty).
	EventBounds(ctx context.Context) (oldest, head int64, err error)
	// Subscribe returns a channel that receives a (coalesced) wake-up
	// after every commit that appended events, and its cancel func.
	Subscribe() (<-chan struct{}, func())
	// Ping checks that the hub's storage answers.
	Ping(ctx context.Context) error

	// Users, tokens and sessions (who calls: hub/users.go, tokens.go,
	// sessions.go).
	ListUsers(ctx context.Context, q hub.UserQuery) (hub.Page[domain.User], error)
	GetUser(ctx context.Context, id int64) (domain.User, error)
	UserActive(ctx context.Context, id int64) (bool, error)
	CreateUser(ctx context.Context, in hub.UserInput) (domain.User, error)
	PutUser(ctx context.Context, actor *int64, in hub.UserInput) (domain.User, bool, error)
	UpdateUser(ctx context.Context, actor *int64, id int64, in hub.UserInput) (domain.User, error)
	DeleteUser(ctx context.Context, actor *int64, id int64) error
	AuthenticateHash(ctx context.Context, hash string) (hub.Credential, error)
	// OnAccessChange calls fn, before the change's call returns, after
	// every committed change to a user or a token (hub/access_changes.go).
	OnAccessChange(fn func(hub.AccessChange)) (cancel func())
	TouchToken(ctx context.Context, id int64, at time.Time) error
	EnsureAdminToken(ctx context.Context, secret string) (string, error)
	CreateToken(ctx context.Context, in hub.TokenRequest) (domain.NewToken, error)
	ListTokens(ctx context.Context, q hub.TokenQuery) (hub.Page[domain.TokenInfo], error)
	RevokeToken(ctx context.Context, id int64) error
	// Login signs in from client, the caller's address key (clientKey).
	Login(ctx context.Context, client string, in hub.LoginRequest) (hub.Session, error)

	// Outbound webhooks and bulk deliveries (hub/webhooks.go,
	// deliveries.go); their workers run in the hub.
	SetWebhook(ctx context.Context, in hub.WebhookRequest) (domain.Webhook, error)
	ListWebhooks(ctx context.Context) ([]domain.Webhook, error)
	DeleteWebhook(ctx context.Context, id int64) error
	CreateDelivery(ctx context.Context, in hub.DeliveryRequest) (hub.Delivery, error)
	GetDelivery(ctx context.Context, id int64) (hub.Delivery, error)
	ListRecipients(ctx context.Context, jobID int64, q hub.RecipientQuery) (hub.Page[domain.DeliveryRecipient], error)
	ListDeliveries(ctx context.Context, q hub.DeliveryQuery) (hub.Page[hub.Delivery], error)
	OutboundStats() hub.OutboundStats

	// Remembered media uploads (hub/media_uploads.go).
	CheckMediaUpload(ctx context.Context, key, accountID, sha256 string) (domain.UploadedMedia, bool, error)
	RememberMediaUpload(ctx context.Context, key, accountID string, m domain.UploadedMedia) (domain.UploadedMedia, error)
	// Media ids the hub has seen (hub/media_refs.go): uploads are recorded,
	// and only seen ids are fetched, for those who may see them.
	RecordMediaUpload(ctx context.Context, accountID string, uploader *int64, m domain.UploadedMedia) error
	CheckMedia(ctx context.Context, mediaID string, v hub.MediaViewer) error
}

var _ Core = (*hub.Service)(nil)

// MediaSource downloads media by id and uploads files for a number's
// messages; *whatsapp.Client is one.
type MediaSource interface {
	FetchMedia(ctx context.Context, mediaID string, maxBytes int64) (*whatsapp.MediaInfo, *whatsapp.MediaDownload, error)
	// UploadMedia streams a file to the Cloud API for phoneNumberID (an
	// account's id) and returns its media id.
	UploadMedia(ctx context.Context, phoneNumberID string, up whatsapp.MediaUpload) (string, error)
}

var _ MediaSource = (*whatsapp.Client)(nil)
