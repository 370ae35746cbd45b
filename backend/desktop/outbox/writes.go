package outbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/domain"
)

// kind is how one write kind reaches the hub (see cache/writes.go for what
// a kind is and how to add one).
type kind struct {
	// deliver makes one attempt with the item's key and, when the hub
	// accepts, stores its answer and completes the item in the cache. An
	// error is the hub's or the network's (settled by the worker), or a
	// storeError.
	deliver func(w *Worker, ctx context.Context, it cache.OutboxItem) (*domain.Message, error)
	// keepRefused keeps a refused item, failed, for the agent to retry or
	// discard, because it holds what they wrote (a message, a note);
	// otherwise a refusal drops the item and rolls its change back.
	keepRefused bool
}

// kinds is every write the worker sends.
var kinds = map[cache.WriteKind]kind{
	cache.KindMessage:      {deliver: (*Worker).deliverMessage, keepRefused: true},
	cache.KindNote:         {deliver: (*Worker).deliverNote, keepRefused: true},
	cache.KindConversation: {deliver: (*Worker).deliverPatch},
	cache.KindRead:         {deliver: (*Worker).deliverRead},
	cache.KindReaction:     {deliver: (*Worker).deliverReaction},
}

// EventReconciled carries a Reconciled when the hub answered a write
// otherwise than the agent expected.
const EventReconciled = "outbox.reconciled"

// Reconciled tells the agent, in words, that the hub kept something other
// than what they did (the change was rolled back, or the note kept aside).
type Reconciled struct {
	ConversationID int64           `json:"conversation_id"`
	Kind           cache.WriteKind `json:"kind"`
	// Message is the sentence to show.
	Message string `json:"message"`
	// Code is the hub's error code, for logs; empty when the hub accepted
	// the write but answered with another state.
	Code apierr.Code `json:"code,omitempty"`
}

// EnqueueWrite stores a write other than a message (a note, a
// conversation change, a read mark, a reaction), shows it at once and
// wakes the worker. It succeeds offline.
func (w *Worker) EnqueueWrite(ctx context.Context, k cache.WriteKind, conversationID int64, payload any, preview string) (cache.OutboxItem, error) {
	if _, ok := kinds[k]; !ok || k == cache.KindMessage {
		return cache.OutboxItem{}, apierr.New(apierr.Internal, "unknown write kind %q", k)
	}
	it, err := w.cfg.Cache.EnqueueWrite(ctx, NewKey(), k, conversationID, payload, preview)
	if err != nil {
		return it, err
	}
	w.conversationChanged(ctx, conversationID)
	w.announce(ctx, conversationID, nil)
	w.Wake()
	return it, nil
}

func (w *Worker) deliverNote(ctx context.Context, it cache.OutboxItem) (*domain.Message, error) {
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	n, err := w.cfg.Hub.AddNote(sctx, it.Key, it.ConversationID, it.Note.Body)
	cancel()
	if err != nil {
		return nil, err
	}
	if err := w.cfg.Cache.CompleteNote(ctx, it.Key, n); err != nil {
		return nil, storeError{err}
	}
	w.cfg.Emit.Emit(domain.EventNoteCreated, n)
	return nil, nil
}

func (w *Worker) deliverPatch(ctx context.Context, it cache.OutboxItem) (*domain.Message, error) {
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	conv, err := w.cfg.Hub.PatchConversation(sctx, it.Key, it.ConversationID, *it.Patch)
	cancel()
	if err != nil {
		return nil, err
	}
	if err := w.cfg.Cache.CompleteConversation(ctx, it.Key, conv); err != nil {
		return nil, storeError{err}
	}
	shown := w.conversationChanged(ctx, it.ConversationID)
	if shown != nil && !cache.PatchHolds(*shown, *it.Patch) && !w.pendingPatch(ctx, it.ConversationID) {
		// Accepted, but someone changed it again since: the hub's copy
		// stays, and the agent hears why the screen differs from their
		// click.
		w.cfg.Emit.Emit(EventReconciled, Reconciled{ConversationID: it.ConversationID, Kind: it.Kind,
			Message: fmt.Sprintf("%s: %s was applied, but the conversation was changed again since; it shows as the hub has it now.",
				w.subject(ctx, it.ConversationID), quote(it.Preview))})
	}
	return nil, nil
}

func (w *Worker) deliverRead(ctx context.Context, it cache.OutboxItem) (*domain.Message, error) {
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	err := w.cfg.Hub.MarkRead(sctx, it.Key, it.Read.MessageID)
	cancel()
	if err != nil {
		return nil, err
	}
	if err := w.cfg.Cache.CompleteWrite(ctx, it.Key); err != nil {
		return nil, storeError{err}
	}
	return nil, nil
}

// deliverReaction sends a reaction message (an empty emoji removes the
// agent's reaction); the hub attaches it to its target.
func (w *Worker) deliverReaction(ctx context.Context, it cache.OutboxItem) (*domain.Message, error) {
	r := *it.Reaction
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	msg, err := w.cfg.Hub.Send(sctx, it.Key, ReactionRequest(it.ConversationID, r.MessageID, r.Emoji))
	cancel()
	if err != nil {
		return nil, err
	}
	from := "business"
	if msg.AuthorID != nil {
		from = strconv.FormatInt(*msg.AuthorID, 10)
	}
	at := msg.CreatedAt
	if at.IsZero() {
		at = time.Now().UTC()
	}
	if err := w.cfg.Cache.CompleteReaction(ctx, it.Key, r, from, at); err != nil {
		return nil, storeError{err}
	}
	if target, err := w.cfg.Cache.Message(ctx, r.MessageID); err == nil {
		w.cfg.Emit.Emit(domain.EventMessageUpdated, target)
	}
	return nil, nil
}

// pendingPatch reports whether another change to the conversation waits.
func (w *Worker) pendingPatch(ctx context.Context, convID int64) bool {
	items, err := w.cfg.Cache.Outbox(ctx, convID)
	if err != nil {
		return false
	}
	for _, it := range items {
		if it.Kind == cache.KindConversation && it.State != cache.OutboxFailed {
			return true
		}
	}
	return false
}

// conversationChanged tells the window how the conversation shows now
// (after an overlay was added, completed or rolled back) and returns it.
func (w *Worker) conversationChanged(ctx context.Context, convID int64) *domain.Conversation {
	conv, err := w.cfg.Cache.Conversation(ctx, convID)
	if err != nil {
		return nil
	}
	w.cfg.Emit.Emit(domain.EventConversationUpdated, conv)
	return &conv
}

// subject names a conversation for a sentence ("Ana Silva's conversation").
func (w *Worker) subject(ctx context.Context, convID int64) string {
	conv, err := w.cfg.Cache.Conversation(ctx, convID)
	if err != nil {
		return "A conversation"
	}
	name := conv.Contact.Name
	if name == "" {
		name = conv.Contact.Phone
	}
	if name == "" {
		return "A conversation"
	}
	return name + "'s conversation"
}

func quote(s string) string { return "“" + s + "”" }

// notice tells the agent, in words, that the hub refused a write.
func (w *Worker) notice(ctx context.Context, it cache.OutboxItem, err error) {
	code := apierr.CodeOf(err)
	var why string
	switch code {
	case apierr.NotFound:
		why = "it was assigned to someone else or deleted while you were offline"
	case apierr.SessionExpired:
		why = "the 24-hour window with the customer closed in the meantime"
	case apierr.OptedOut:
		why = "the customer opted out of messages"
	default:
		var e *apierr.Error
		if errors.As(err, &e) && e.Message != "" {
			why = "the hub said: " + e.Message
		} else {
			why = "the hub refused it"
		}
	}
	subject := w.subject(ctx, it.ConversationID)
	var msg string
	switch it.Kind {
	case cache.KindNote:
		msg = fmt.Sprintf("%s: your note could not be saved, because %s. It is kept unsent so nothing is lost: %s",
			subject, why, quote(it.Note.Body))
	case cache.KindReaction:
		msg = fmt.Sprintf("%s: your reaction %s was not sent, because %s.", subject, it.Preview, why)
	case cache.KindRead:
		msg = fmt.Sprintf("%s: the messages could not be marked read, because %s.", subject, why)
	default:
		msg = fmt.Sprintf("%s: %s was not applied, because %s. It shows as the hub has it.", subject, quote(it.Preview), why)
	}
	w.cfg.Emit.Emit(EventReconciled, Reconciled{ConversationID: it.ConversationID, Kind: it.Kind, Message: msg, Code: code})
}
