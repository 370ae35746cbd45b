// Package syncer keeps the desktop cache in step with a hub: a snapshot
// when the cache is new (or the hub's log no longer reaches back to it),
// then the event stream from the last applied sequence number, each batch
// of events applied and the sequence advanced in one transaction. A dropped
// connection is retried with exponential backoff and jitter and resumes
// exactly where the cache stopped; nothing is lost or applied twice.
//
// It reports what changed to the frontend through an Emitter (never the
// Wails runtime directly), with the domain's event names.
package syncer

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
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

// Events the engine emits besides the domain's own (domain.Event*), whose
// payloads are the changed objects exactly as the hub sent them.
const (
	// EventState carries a Status whenever the connection state changes.
	EventState = "sync.state"
	// EventCacheReset carries a Reset when the cache changed too much to
	// announce piece by piece (a snapshot, a long replay): views reload.
	EventCacheReset = "cache.reset"
	// EventConversationRemoved carries a Removed when a conversation left
	// the cache: deleted on the hub, or (for an agent) assigned to someone
	// else.
	EventConversationRemoved = "conversation.removed"
)

// forwarded are the hub's event types the engine passes on to the
// frontend once applied, with the changed object exactly as the hub sent
// it: the ones the console's views follow. The others only update the
// cache: account.updated (no view shows accounts), contact.deleted (a
// deleted contact's conversations have left first, as
// conversation.removed), conversation.deleted and conversation.hidden
// (announced as EventConversationRemoved) and any type a newer hub sends.
// app/events.go lists each with its payload type.
var forwarded = []string{
	domain.EventMessageCreated, domain.EventMessageUpdated, domain.EventConversationUpdated,
	domain.EventContactUpdated, domain.EventTemplateUpdated, domain.EventCountersUpdated,
	domain.EventNoteCreated,
}

// Forwarded lists the hub's event types the engine emits as they are,
// once applied to the cache.
func Forwarded() []string { return slices.Clone(forwarded) }

// Removed is the payload of EventConversationRemoved.
type Removed struct {
	ConversationID int64 `json:"conversation_id"`
	// Reason is "deleted" or "hidden".
	Reason string `json:"reason"`
}

// State is the connection state the UI shows.
type State string

// States.
const (
	// StateOffline: the hub cannot be reached; the cache is readable and
	// sends wait in the outbox. A retry is scheduled.
	StateOffline State = "offline"
	// StateSyncing: connected, taking a snapshot or replaying missed events.
	StateSyncing State = "syncing"
	// StateOnline: caught up, following live events.
	StateOnline State = "online"
	// StateSignedOut: the hub refused the token; the agent must sign in.
	StateSignedOut State = "signed_out"
	// StateStopped: the engine is not running.
	StateStopped State = "stopped"
)

// Status is the payload of EventState.
type Status struct {
	State State `json:"state"`
	// Seq is the last event applied to the cache.
	Seq int64 `json:"seq"`
	// Error is why the engine is offline or signed out.
	Error *apierr.Body `json:"error,omitempty"`
	// RetryAt is when the next connection attempt starts (RFC 3339), while
	// offline.
	RetryAt string `json:"retry_at,omitempty"`
	// Since is when this state began (RFC 3339).
	Since string `json:"since"`
}

// Reset is the payload of EventCacheReset.
type Reset struct {
	// Reason is "snapshot" or "replay".
	Reason string `json:"reason"`
	Events int    `json:"events,omitempty"`
}

// Config configures an Engine.
type Config struct {
	Cache *cache.Cache
	Hub   remote.Hub
	Emit  Emitter
	Log   *slog.Logger
	// MinBackoff and MaxBackoff bound the reconnect delay (defaults 500 ms
	// and 30 s); each failed attempt doubles it, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// BatchSize caps the events applied in one transaction (default 1000).
	BatchSize int
	// EmitLimit is the largest batch announced event by event; a bigger
	// one is announced as one EventCacheReset (default 500).
	EmitLimit int
	// IdleOnline is how long a connected stream must be quiet before the
	// engine calls itself online when the hub does not say it caught up
	// (default 300 ms).
	IdleOnline time.Duration
	// OnApplied, when set, is called after each committed batch with the
	// events applied; live is false during a replay or snapshot.
	OnApplied func(events []domain.Event, live bool)
	// OnState, when set, is called on every state change.
	OnState func(Status)
}

// Engine runs the sync. Create with New, run with Run.
type Engine struct {
	cfg  Config
	log  *slog.Logger
	kick chan struct{}

	mu     sync.Mutex
	status Status
}

// New builds an engine; it does nothing until Run.
func New(cfg Config) *Engine {
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.EmitLimit <= 0 {
		cfg.EmitLimit = 500
	}
	if cfg.IdleOnline <= 0 {
		cfg.IdleOnline = 300 * time.Millisecond
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	return &Engine{cfg: cfg, log: log, kick: make(chan struct{}, 1),
		status: Status{State: StateStopped, Since: stamp(time.Now())}}
}

// Status is the current state.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// Kick cuts a backoff wait short: the next attempt starts now (the agent
// pressed "retry", or another part of the console saw the hub answer).
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// Run syncs until ctx ends or the hub refuses the credentials; it returns
// nil when ctx ends and the UNAUTHORIZED error when signed out.
func (e *Engine) Run(ctx context.Context) error {
	defer e.setState(StateStopped, nil, time.Time{})
	attempt := 0
	for {
		started := time.Now()
		err := e.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if apierr.CodeOf(err) == apierr.Unauthorized {
			e.log.Warn("sync: the hub refused the session", "err", err)
			e.setState(StateSignedOut, apierr.As(err), time.Time{})
			return err
		}
		// A session that ran a while was healthy: start backing off afresh.
		if time.Since(started) > 10*time.Second {
			attempt = 0
		}
		delay := e.backoff(attempt)
		attempt++
		retryAt := time.Now().Add(delay)
		e.log.Info("sync: disconnected", "err", err, "retry_in", delay.Round(time.Millisecond))
		e.setState(StateOffline, apierr.As(err), retryAt)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-e.kick:
			t.Stop()
		case <-t.C:
		}
	}
}

// backoff is the delay before attempt n (0-based): exponential from
// MinBackoff up to MaxBackoff, with "equal jitter" (half fixed, half
// random) so a hub restart is not met by every console at the same instant
// and no retry comes immediately.
func (e *Engine) backoff(n int) time.Duration {
	d := e.cfg.MaxBackoff
	if n < 30 {
		d = min(e.cfg.MinBackoff<<n, e.cfg.MaxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// session is one connection: snapshot if needed, then follow the stream
// until it fails.
func (e *Engine) session(ctx context.Context) error {
	e.setState(StateSyncing, nil, time.Time{})
	seq, snapshotted, err := e.cfg.Cache.SyncState(ctx)
	if err != nil {
		return err
	}
	if !snapshotted {
		if seq, err = e.snapshot(ctx); err != nil {
			return err
		}
	}
	for {
		err := e.follow(ctx, seq)
		if apierr.CodeOf(err) != apierr.ResyncRequired {
			return err
		}
		e.log.Info("sync: the hub's log moved past the cache; taking a snapshot", "seq", seq)
		e.setState(StateSyncing, nil, time.Time{})
		if seq, err = e.snapshot(ctx); err != nil {
			return err
		}
	}
}

// snapshot replaces the cache with the hub's current state. Head is read
// first: anything that changes while the pages are read is also in the log
// after Head, and the stream replays it on top.
func (e *Engine) snapshot(ctx context.Context) (int64, error) {
	hub := e.cfg.Hub
	head, err := hub.Head(ctx)
	if err != nil {
		return 0, err
	}
	snap := cache.Snapshot{Seq: head}
	cursor := ""
	for {
		page, err := hub.Conversations(ctx, cursor, 100)
		if err != nil {
			return 0, err
		}
		snap.Conversations = append(snap.Conversations, page.Items...)
		if !page.HasMore || page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if snap.Templates, err = hub.Templates(ctx); err != nil && !forbidden(err) {
		return 0, err
	}
	// An agent may not be allowed to list users or accounts: the cache then
	// simply has none.
	if snap.Users, err = hub.Users(ctx); err != nil && !forbidden(err) {
		return 0, err
	}
	if snap.Accounts, err = hub.Accounts(ctx); err != nil && !forbidden(err) {
		return 0, err
	}
	if snap.Counters, err = hub.Counters(ctx); err != nil && !forbidden(err) {
		return 0, err
	}
	if err := e.cfg.Cache.ReplaceSnapshot(ctx, snap); err != nil {
		return 0, err
	}
	e.log.Info("sync: snapshot", "seq", head, "conversations", len(snap.Conversations))
	e.setSeq(head)
	e.cfg.Emit.Emit(EventCacheReset, Reset{Reason: "snapshot"})
	if e.cfg.OnApplied != nil {
		e.cfg.OnApplied(nil, false)
	}
	return head, nil
}

func forbidden(err error) bool {
	c := apierr.CodeOf(err)
	return c == apierr.Forbidden || c == apierr.NotFound
}

type frameOrErr struct {
	f   remote.Batch
	err error
}

// follow streams events after seq into the cache until the stream fails.
func (e *Engine) follow(ctx context.Context, seq int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := e.cfg.Hub.Stream(ctx, seq)
	if err != nil {
		return err
	}
	defer stream.Close()

	// The reader keeps receiving while a batch is being applied, so under
	// a replay the next batch is already waiting: batches grow to
	// BatchSize on their own, and live events are applied one by one.
	frames := make(chan frameOrErr, 256)
	go func() {
		for {
			f, err := stream.Next(ctx)
			select {
			case frames <- frameOrErr{f, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	idle := time.NewTimer(e.cfg.IdleOnline)
	defer idle.Stop()
	live := false
	var batch []domain.Event
	stored := seq
	for {
		var first frameOrErr
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-idle.C:
			// Quiet since connecting or since the last event: everything
			// the hub had queued has arrived.
			if !live {
				live = true
				e.setState(StateOnline, nil, time.Time{})
			}
			continue
		case first = <-frames:
		}
		batch = batch[:0]
		caughtUp := false
		var upTo int64
		var streamErr error
		take := func(fe frameOrErr) {
			batch = append(batch, fe.f.Events...)
			caughtUp = caughtUp || fe.f.CaughtUp
			upTo = max(upTo, fe.f.Seq)
			streamErr = fe.err
		}
		take(first)
	drain:
		for streamErr == nil && len(batch) < e.cfg.BatchSize {
			select {
			case fe := <-frames:
				take(fe)
			default:
				break drain
			}
		}
		if len(batch) > 0 || upTo > stored {
			if err := e.apply(ctx, batch, upTo, live); err != nil {
				return err
			}
			if len(batch) > 0 {
				stored = max(stored, batch[len(batch)-1].Seq)
			}
			stored = max(stored, upTo)
		}
		if streamErr != nil {
			return streamErr
		}
		if caughtUp && !live {
			live = true
			e.setState(StateOnline, nil, time.Time{})
		}
		if !idle.Stop() {
			select {
			case <-idle.C:
			default:
			}
		}
		idle.Reset(e.cfg.IdleOnline)
	}
}

func (e *Engine) apply(ctx context.Context, batch []domain.Event, upTo int64, live bool) error {
	applied, skipped, err := e.cfg.Cache.ApplyEvents(ctx, batch, upTo)
	if err != nil {
		return err
	}
	for _, ev := range skipped {
		e.log.Warn("sync: skipped an event this build cannot read", "seq", ev.Seq, "type", ev.Type)
	}
	if len(batch) > 0 {
		upTo = max(upTo, batch[len(batch)-1].Seq)
	}
	e.setSeq(upTo)
	if len(applied) == 0 {
		return nil
	}
	if len(applied) > e.cfg.EmitLimit {
		e.cfg.Emit.Emit(EventCacheReset, Reset{Reason: "replay", Events: len(applied)})
	} else {
		for _, ev := range applied {
			switch ev.Type {
			case remote.EventConversationHidden:
				e.cfg.Emit.Emit(EventConversationRemoved, Removed{ConversationID: ev.ConversationID, Reason: "hidden"})
			case domain.EventConversationDeleted:
				var conv struct {
					ID int64 `json:"id"`
				}
				_ = json.Unmarshal(ev.Data, &conv)
				e.cfg.Emit.Emit(EventConversationRemoved, Removed{ConversationID: max(conv.ID, ev.ConversationID), Reason: "deleted"})
			default:
				if slices.Contains(forwarded, ev.Type) {
					e.cfg.Emit.Emit(ev.Type, json.RawMessage(ev.Data))
				}
			}
		}
	}
	if e.cfg.OnApplied != nil {
		e.cfg.OnApplied(applied, live && len(applied) <= e.cfg.EmitLimit)
	}
	return nil
}

func (e *Engine) setSeq(seq int64) {
	e.mu.Lock()
	e.status.Seq = max(e.status.Seq, seq)
	e.mu.Unlock()
}

func (e *Engine) setState(s State, cause *apierr.Error, retryAt time.Time) {
	e.mu.Lock()
	st := e.status
	changed := st.State != s || (cause != nil) != (st.Error != nil)
	st.State = s
	st.Error = nil
	if cause != nil {
		b := cause.Envelope().Error
		st.Error = &b
	}
	st.RetryAt = ""
	if !retryAt.IsZero() {
		st.RetryAt = stamp(retryAt)
		changed = true
	}
	if changed {
		st.Since = stamp(time.Now())
	}
	e.status = st
	e.mu.Unlock()
	if !changed {
		return
	}
	if seq, _, err := e.cfg.Cache.SyncState(context.Background()); err == nil {
		st.Seq = seq
	}
	e.cfg.Emit.Emit(EventState, st)
	if e.cfg.OnState != nil {
		e.cfg.OnState(st)
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
