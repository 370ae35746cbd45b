// Package outbox sends every write the agent makes — messages and files,
// notes, conversation changes, read marks, reactions (writes.go) — whether
// or not the hub can be reached when they make it. Each write is stored in
// the cache with an idempotency key before anything leaves the machine;
// the worker sends items in order with that key, so the hub applies each
// exactly once however the attempt is interrupted: before the request (the
// item is simply sent later), during it, or after the hub acted but its
// answer was lost (the retry with the same key gets the first answer).
package outbox

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/remote"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
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
	// Items are the conversation's pending writes, in send order.
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
	// FileDir holds the private copies of files waiting to be uploaded
	// (created 0700, each file 0600); EnqueueFile needs it.
	FileDir string
	// UploadTimeout bounds one upload (default 10 min: 100 MB over a slow
	// uplink).
	UploadTimeout time.Duration
	// KeepMedia, when set, is handed a sent attachment's copy with the
	// hub's media id and may move it (the console files it in its media
	// cache, so the agent's own file shows without a download). Whatever
	// is left at path afterwards is removed.
	KeepMedia func(mediaID, mimeType, path string)
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
	if cfg.UploadTimeout <= 0 {
		cfg.UploadTimeout = 10 * time.Minute
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
func (w *Worker) Enqueue(ctx context.Context, req wire.SendRequest, preview string) (cache.OutboxItem, error) {
	it, err := w.cfg.Cache.EnqueueOutbox(ctx, NewKey(), req, preview)
	if err != nil {
		return it, err
	}
	w.announce(ctx, req.ConversationID, nil)
	w.Wake()
	return it, nil
}

// File is a file from the agent's machine to send as a media message.
type File struct {
	Filename string
	MimeType string
	Data     []byte
	// AccountID is the number the conversation is on.
	AccountID string
}

// EnqueueFile stores a media message whose file is uploaded first: the
// bytes are written to a private copy in FileDir before the item is
// stored, so a file picked offline is sent when the hub is back, and the
// item is never stored without its file. req's content is the media
// object without an id (caption, filename); the id is filled in once the
// upload has succeeded.
func (w *Worker) EnqueueFile(ctx context.Context, req wire.SendRequest, preview string, f File) (cache.OutboxItem, error) {
	if w.cfg.FileDir == "" {
		return cache.OutboxItem{}, apierr.New(apierr.Unavailable, "this console has no folder for files to send")
	}
	key := NewKey()
	if err := writeFileAtomic(w.cfg.FileDir, key, f.Data); err != nil {
		return cache.OutboxItem{}, apierr.Wrap(err, apierr.Unavailable, "the file could not be stored on this computer")
	}
	att := cache.OutboxAttachment{Filename: f.Filename, MimeType: f.MimeType, Size: int64(len(f.Data)), File: key, AccountID: f.AccountID}
	it, err := w.cfg.Cache.EnqueueOutboxFile(ctx, key, req, preview, att)
	if err != nil {
		os.Remove(filepath.Join(w.cfg.FileDir, key))
		return it, err
	}
	w.announce(ctx, req.ConversationID, nil)
	w.Wake()
	return it, nil
}

// writeFileAtomic writes data to dir/name through a synced temporary
// file, so a crash never leaves a truncated copy under the final name.
func writeFileAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

const tmpPrefix = ".tmp-"

// sweepAge is how old an unreferenced file in FileDir must be before
// sweep removes it: younger ones may belong to an EnqueueFile between
// writing the file and storing its item.
const sweepAge = time.Minute

// sweep removes copies no outbox item needs any more: left by a crash
// between a send and the removal of its file, or by a discard.
func (w *Worker) sweep(ctx context.Context) {
	if w.cfg.FileDir == "" {
		return
	}
	entries, err := os.ReadDir(w.cfg.FileDir)
	if err != nil {
		return
	}
	keep, err := w.cfg.Cache.OutboxFiles(ctx)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || keep[e.Name()] || time.Since(info.ModTime()) < sweepAge {
			continue
		}
		os.Remove(filepath.Join(w.cfg.FileDir, e.Name()))
	}
}

// removeFile drops an item's copy of its attachment.
func (w *Worker) removeFile(it cache.OutboxItem) {
	if it.Attachment != nil && it.Attachment.File != "" && w.cfg.FileDir != "" {
		os.Remove(filepath.Join(w.cfg.FileDir, it.Attachment.File))
	}
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
	w.removeFile(it)
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
	w.sweep(ctx)
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
// retrying; a refusal is settled (the item failed, or dropped and rolled
// back) and returns nil.
func (w *Worker) send(ctx context.Context, it cache.OutboxItem) error {
	k, ok := kinds[it.Kind]
	if !ok {
		return nil // NextOutbox only yields kinds this console knows
	}
	// Recorded before the request leaves: if the console dies from here
	// on, the item is found "sending" and resent with the same key.
	if err := w.cfg.Cache.MarkOutboxSending(ctx, it.Key); err != nil {
		return err
	}
	w.announce(ctx, it.ConversationID, nil)
	sent, err := k.deliver(w, ctx, it)
	if ctx.Err() != nil {
		// Shutting down: the item stays "sending" and is resent, with the
		// same key, next time.
		return ctx.Err()
	}
	if err != nil {
		var stored storeError
		if errors.As(err, &stored) {
			return stored.err
		}
		return w.settle(ctx, it, k, err)
	}
	w.reachable(true)
	w.announce(ctx, it.ConversationID, sent)
	return nil
}

// storeError is a failure to record the hub's answer in the cache: the
// item stays "sending" and is resent with its key, which the hub answers
// with the same answer.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }

// deliverMessage uploads a message's file (once) and sends the message.
func (w *Worker) deliverMessage(ctx context.Context, it cache.OutboxItem) (*domain.Message, error) {
	if it.Attachment != nil && it.MediaID == "" {
		id, err := w.upload(ctx, it)
		if err != nil {
			return nil, err
		}
		// Committed before the message is sent: from here on, every
		// attempt sends the same media id.
		if err := w.cfg.Cache.SetOutboxMedia(ctx, it.Key, id); err != nil {
			return nil, storeError{err}
		}
		it.MediaID = id
	}
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	msg, err := w.cfg.Hub.Send(sctx, it.Key, it.Request())
	cancel()
	if err != nil {
		return nil, err
	}
	// Stored even though the stream will bring it too: the agent sees the
	// message the moment the hub accepts it.
	if err := w.cfg.Cache.CompleteOutbox(ctx, it.Key, msg); err != nil {
		return nil, storeError{err}
	}
	if it.Attachment != nil {
		if w.cfg.KeepMedia != nil && w.cfg.FileDir != "" {
			w.cfg.KeepMedia(it.MediaID, it.Attachment.MimeType, filepath.Join(w.cfg.FileDir, it.Attachment.File))
		}
		w.removeFile(it)
	}
	w.cfg.Emit.Emit(domain.EventMessageCreated, msg)
	return &msg, nil
}

// upload sends an item's attachment to the hub with the item's key, so an
// upload whose answer was lost is answered with the same media id when
// retried rather than stored twice.
func (w *Worker) upload(ctx context.Context, it cache.OutboxItem) (string, error) {
	a := it.Attachment
	f, err := os.Open(filepath.Join(w.cfg.FileDir, a.File))
	if errors.Is(err, fs.ErrNotExist) {
		return "", localError{apierr.New(apierr.NotFound, "the copy of %q kept for sending is gone; attach the file again", a.Filename)}
	}
	if err != nil {
		return "", localError{apierr.Wrap(err, apierr.Internal, "the file to send cannot be read")}
	}
	defer f.Close()
	uctx, cancel := context.WithTimeout(ctx, w.cfg.UploadTimeout)
	defer cancel()
	m, err := w.cfg.Hub.UploadMedia(uctx, it.Key, remote.Upload{Filename: a.Filename, MimeType: a.MimeType, Body: f, AccountID: a.AccountID})
	if err != nil {
		return "", err
	}
	if m.ID == "" {
		return "", apierr.New(apierr.Internal, "the hub accepted the file but returned no media id")
	}
	return m.ID, nil
}

// localError is a failure on this machine (the file to upload cannot be
// read), not an answer from the hub.
type localError struct{ err *apierr.Error }

func (e localError) Error() string { return e.err.Error() }
func (e localError) Unwrap() error { return e.err }

// settle records a failed attempt: back to pending (and an error, so Run
// backs off) when it is worth retrying. A refusal fails the item when what
// the agent wrote must be kept (k.keepRefused), and otherwise drops it,
// rolling its change back, and tells the agent why in words.
func (w *Worker) settle(ctx context.Context, it cache.OutboxItem, k kind, err error) error {
	// A failure on this machine says nothing about the hub.
	var local localError
	hubAnswered := !errors.As(err, &local)
	switch {
	case remote.Retryable(err) && !(apierr.CodeOf(err) == apierr.Internal && it.Attempts+1 >= maxInternalAttempts):
		if hubAnswered {
			w.reachable(apierr.CodeOf(err) != apierr.HubUnreachable)
		}
		if e := w.cfg.Cache.MarkOutboxPending(ctx, it.Key, apierr.As(err)); e != nil {
			return e
		}
		w.announce(ctx, it.ConversationID, nil)
		return err
	case k.keepRefused:
		if hubAnswered {
			w.reachable(true)
		}
		w.log.Info("outbox: the hub refused the write", "key", it.Key, "kind", it.Kind, "code", apierr.CodeOf(err))
		if e := w.cfg.Cache.MarkOutboxFailed(ctx, it.Key, apierr.As(err)); e != nil {
			return e
		}
		if it.Kind != cache.KindMessage {
			// A failed message shows in the chat where it was typed; other
			// writes may be out of sight (the conversation left this
			// agent's view), so the agent is told.
			w.notice(ctx, it, err)
		}
		w.announce(ctx, it.ConversationID, nil)
		return nil
	default:
		w.reachable(true)
		w.log.Info("outbox: the hub refused the write; rolled back", "key", it.Key, "kind", it.Kind, "code", apierr.CodeOf(err))
		if e := w.cfg.Cache.DropWrite(ctx, it.Key); e != nil && !errors.Is(e, cache.ErrNotFound) {
			return e
		}
		w.notice(ctx, it, err)
		w.conversationChanged(ctx, it.ConversationID)
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

// ReactionRequest builds the request for a reaction to a message (an empty
// emoji removes the agent's reaction, as WhatsApp does).
func ReactionRequest(conversationID, messageID int64, emoji string) wire.SendRequest {
	c, _ := json.Marshal(map[string]string{"message_id": strconv.FormatInt(messageID, 10), "emoji": emoji})
	return wire.NewSend(conversationID, "reaction", c)
}

// TextRequest builds the request for a text message.
func TextRequest(conversationID int64, body string, replyTo *int64) wire.SendRequest {
	r := wire.NewText(conversationID, body)
	if replyTo != nil {
		r.ReplyTo = *replyTo
	}
	return r
}
