// Package remote is what the desktop console needs from a hub, as a small
// interface. The shapes it sends and receives (the send request, the
// conversation patch, a page of a list) are package wire's, the hub's own. The sync engine, the outbox and the console service are written
// against Hub so they can be driven by the real hub client over HTTP and the
// websocket stream (see HubClient) or, in tests, by anything else speaking
// the same contract.
//
// Every method returns a *apierr.Error (or wraps one): a hub that cannot be
// reached answers HUB_UNREACHABLE, and callers branch on Retryable, never on
// error text.
package remote

import (
	"context"
	"errors"
	"io"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// Hub is the desktop console's view of a hub, authenticated as one user.
type Hub interface {
	// Me is the signed-in user; it also proves the token still works.
	Me(ctx context.Context) (domain.User, error)

	// Head is the sequence number of the newest event in the hub's log that
	// this user may see (0 for an empty log). A snapshot records Head before
	// reading anything, then follows the stream from it, so a change made
	// while the snapshot is read is replayed rather than lost.
	Head(ctx context.Context) (int64, error)
	// Conversations pages through every conversation the user may see.
	Conversations(ctx context.Context, cursor string, limit int) (wire.Page[domain.Conversation], error)
	// Messages pages backwards through one conversation, newest first.
	Messages(ctx context.Context, conversationID int64, cursor string, limit int) (wire.Page[domain.Message], error)
	Templates(ctx context.Context) ([]domain.Template, error)
	Users(ctx context.Context) ([]domain.User, error)
	Counters(ctx context.Context) (domain.Counters, error)
	Accounts(ctx context.Context) ([]domain.Account, error)

	// Stream follows the event log after since. It fails with
	// apierr.ResyncRequired (here or from Next) when since is older than the
	// log keeps.
	Stream(ctx context.Context, since int64) (Stream, error)

	// Send queues a message. key is sent as the Idempotency-Key: the hub
	// answers a repeated key with the message the first request created, so
	// a send retried after any failure creates exactly one message.
	Send(ctx context.Context, key string, req wire.SendRequest) (domain.Message, error)
	// PatchConversation, AddNote and MarkRead send key as the
	// Idempotency-Key too: a retry after any failure changes the hub once.
	PatchConversation(ctx context.Context, key string, id int64, patch wire.ConversationPatch) (domain.Conversation, error)
	AddNote(ctx context.Context, key string, conversationID int64, body string) (domain.Note, error)
	// MarkRead marks an inbound message (and so the ones before it) read,
	// which also sends the customer their blue ticks.
	MarkRead(ctx context.Context, key string, messageID int64) error
	Media(ctx context.Context, mediaID string) (MediaFile, error)
	// UploadMedia uploads a file for a later media message and returns
	// its media id. key is sent as the Idempotency-Key: an upload retried
	// after its answer was lost gets the first media id back instead of
	// uploading again.
	UploadMedia(ctx context.Context, key string, up Upload) (wire.UploadedMedia, error)
}

// Authenticator signs in to a hub at a base URL. It is separate from Hub
// because it is used before there is a token.
type Authenticator interface {
	Login(ctx context.Context, email, password string) (Session, error)
}

// Session is what a sign-in yields.
type Session struct {
	Token string      `json:"token"`
	User  domain.User `json:"user"`
}

// Stream is an open subscription to the hub's event log.
type Stream interface {
	// Next blocks until the hub sends something, the stream fails, or ctx
	// ends. Events arrive in ascending Seq order.
	Next(ctx context.Context) (Batch, error)
	// Close ends the subscription; Next then fails.
	Close() error
}

// Batch is what one Next call yields: zero or more events, and whether the
// hub has now sent every event up to the live edge (replay finished).
type Batch struct {
	Events []domain.Event
	// Seq, when above the last event's, is how far the stream has gone
	// with nothing more for this user (a heartbeat, or events an agent may
	// not see): the cache stores it so a resume does not rescan them.
	Seq      int64
	CaughtUp bool
}

// EventConversationHidden is a synthetic event type in Batch.Events: the
// hub told an agent that a conversation left their view (assigned to
// someone else). Its ConversationID names it; Data is empty. It keeps its
// place among the events, since a later event may bring it back.
const EventConversationHidden = "conversation.hidden"

// MediaFile is a downloaded media object.
type MediaFile struct {
	MimeType string
	Filename string
	Data     []byte
}

// Upload is a file to upload: Body yields its bytes.
type Upload struct {
	Filename string
	MimeType string
	Body     io.Reader
	// AccountID is the number whose message will carry the file (empty:
	// the hub's only one).
	AccountID string
}

// Retryable reports whether err means "try again later" (the hub or the
// network is down, the hub is busy or rate limiting) rather than "this
// request is wrong". A retryable send may already have reached the hub,
// which is why sends carry an idempotency key.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	switch apierr.CodeOf(err) {
	case apierr.HubUnreachable, apierr.Unavailable, apierr.RateLimited, apierr.Internal, apierr.UpstreamUnavailable:
		return true
	}
	return false
}

// Unreachable wraps a transport failure as HUB_UNREACHABLE, keeping the
// cause for logs.
func Unreachable(err error) *apierr.Error {
	return apierr.Wrap(err, apierr.HubUnreachable, "the hub cannot be reached")
}
