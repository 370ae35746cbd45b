// Package outbox sends the messages agents compose, whether or not the hub
// can be reached when they press send. Each message is stored in the cache
// with an idempotency key before anything leaves the machine; the worker
// sends items in order with that key, so the hub creates exactly one
// message per item however the attempt is interrupted: before the request
// (the item is simply sent later), during it, or after the hub acted but
// its answer was lost (the retry with the same key gets the first answer).
package outbox

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/remote"
	"switchboard/backend/domain"
)

// Emitter sends a named event with a JSON-able payload to the frontend.
type Emitter interface {
	Emit(event string, data any)
}

// EventUpdated carries an Update whenever a conversation's outbox changes.
const EventUpdated = "outbox.updated"

// Update is the payload of EventUpdated.
type Update struct {
	ConversationID int64 `json:"conversation_id"`
	// Items are the conversation's unsent messages, in send order.
	Items []cache.OutboxItem `json:"items"`
	// Pending counts every unsent item, all conversations together.
	Pending int `json:"pending"`
	// Sent is the message the hub created, when this update is an item
	// leaving the outbox because it was accepted.
	Sent *domain.Message `json:"sent,omitempty"`
}

// maxInternalAttempts is how often an item the hub answers with an
// internal error is retried before it is marked failed, so one message the
// hub cannot handle does not hold up the queue behind it for ever.
const maxInternalAttempts = 5

// Config configures a Worker.
type Config struct {
	Cache *cache.Cache
	Hub   remote.Hub
	Emit  Emitter
	Log   *slog.Logger
	// MinBackoff and MaxBackoff bound the wait after a failed attempt
	// (defaults 1 s and 30 s); Wake cuts a wait short.
	MinBackoff, MaxBackoff time.Duration
	// SendTimeout bounds one attempt (default 30 s).
	SendTimeout time.Duration
	// OnReachable, when set, hears whether the hub answered each attempt.
	OnReachable func(bool)
}

// Worker sends the outbox.
type Worker struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}
}

// New builds a worker; it sends nothing until Run.
func New(cfg Config) *Worker {
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	return &Worker{cfg: cfg, log: log, wake: make(chan struct{}, 1)}
}

// NewKey returns a fresh idempotency key (a random UUID v4).
func NewKey() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Enqueue stores a message to send and wakes the worker. It succeeds
// offline: the item waits, shown as pending.
func (w *Worker) Enqueue(ctx context.Context, req remote.SendRequest, preview string) (cache.OutboxItem, error) {
	it, err := w.cfg.Cache.EnqueueOutbox(ctx, NewKey(), req, preview)
	if err != nil {
		return it, err
	}
	w.announce(ctx, req.ConversationID, nil)
	w.Wake()
	return it, nil
}

// Retry puts a failed item back in the queue.
func (w *Worker) Retry(ctx context.Context, key string) (cache.OutboxItem, error) {
	it, err := w.cfg.Cache.RetryOutbox(ctx, key, NewKey())
	if err != nil {
		return it, err
	}
	w.announce(ctx, it.ConversationID, nil)
	w.Wake()
	return it, nil
}

// Discard deletes an item that is not being sent right now.
func (w *Worker) Discard(ctx context.Context, key string) error {
	it, err := w.cfg.Cache.DiscardOutbox(ctx, key)
	if err != nil {
		return err
	}
	w.announce(ctx, it.ConversationID, nil)
	return nil
}

// Wake makes the worker look at the outbox now (an item was added, or the
// hub is back).
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	failures := 0
	for {
		it, ok, err := w.cfg.Cache.NextOutbox(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			w.log.Error("outbox: reading the queue failed", "err", err)
			ok = false
		}
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
				continue
			}
		}
		if err := w.send(ctx, it); err != nil {
			if ctx.Err() != nil {
				return
			}
			delay := w.backoff(failures)
			failures++
			w.log.Info("outbox: send failed; will retry", "key", it.Key, "err", err, "retry_in", delay.Round(time.Millisecond))
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-w.wake:
				t.Stop()
			case <-t.C:
			}
			continue
		}
		failures = 0
	}
}

func (w *Worker) backoff(n int) time.Duration {
	d := w.cfg.MaxBackoff
	if n < 30 {
		d = min(w.cfg.MinBackoff<<n, w.cfg.MaxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// send makes one attempt. It returns an error only for a failure worth
// retrying; a refusal marks the item failed and returns nil.
func (w *Worker) send(ctx context.Context, it cache.OutboxItem) error {
	// Recorded before the request leaves: if the console dies from here
	// on, the item is found "sending" and resent with the same key.
	if err := w.cfg.Cache.MarkOutboxSending(ctx, it.Key); err != nil {
		return err
	}
	w.announce(ctx, it.ConversationID, nil)
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	msg, err := w.cfg.Hub.Send(sctx, it.Key, it.Request())
	cancel()
	if ctx.Err() != nil {
		// Shutting down: the item stays "sending" and is resent, with the
		// same key, next time.
		return ctx.Err()
	}
	switch {
	case err == nil:
		w.reachable(true)
		// Stored even though the stream will bring it too: the agent sees
		// the message the moment the hub accepts it.
		if err := w.cfg.Cache.CompleteOutbox(ctx, it.Key, msg); err != nil {
			return err
		}
		w.announce(ctx, it.ConversationID, &msg)
		w.cfg.Emit.Emit(domain.EventMessageCreated, msg)
		return nil
	case remote.Retryable(err) && !(apierr.CodeOf(err) == apierr.Internal && it.Attempts+1 >= maxInternalAttempts):
		w.reachable(apierr.CodeOf(err) != apierr.HubUnreachable)
		if e := w.cfg.Cache.MarkOutboxPending(ctx, it.Key, apierr.As(err)); e != nil {
			return e
		}
		w.announce(ctx, it.ConversationID, nil)
		return err
	default:
		w.reachable(true)
		w.log.Info("outbox: the hub refused a message", "key", it.Key, "code", apierr.CodeOf(err))
		if e := w.cfg.Cache.MarkOutboxFailed(ctx, it.Key, apierr.As(err)); e != nil {
			return e
		}
		w.announce(ctx, it.ConversationID, nil)
		return nil
	}
}

func (w *Worker) reachable(ok bool) {
	if w.cfg.OnReachable != nil {
		w.cfg.OnReachable(ok)
	}
}

func (w *Worker) announce(ctx context.Context, convID int64, sent *domain.Message) {
	items, err := w.cfg.Cache.Outbox(ctx, convID)
	if err != nil {
		return
	}
	all, err := w.cfg.Cache.Outbox(ctx, 0)
	if err != nil {
		return
	}
	w.cfg.Emit.Emit(EventUpdated, Update{ConversationID: convID, Items: items, Pending: len(all), Sent: sent})
}

// TextRequest builds the request for a text message.
func TextRequest(conversationID int64, body string, replyTo *int64) remote.SendRequest {
	c, _ := json.Marshal(map[string]string{"body": body})
	return remote.SendRequest{ConversationID: conversationID, Type: "text", Content: c, ReplyTo: replyTo}
}
