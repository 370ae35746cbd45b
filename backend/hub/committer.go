package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// writeOp is one unit of work for the committer. fn runs inside the batch's
// transaction; done receives its outcome after the transaction commits (or
// fails).
type writeOp struct {
	fn func(w *wtx) error
	// bulk ops (webhook bodies) run without a savepoint of their own: they
	// do not fail for expected reasons, so the common case saves two
	// statements per body, and a failure replays the batch one op at a time.
	bulk bool
	// onFail, for bulk ops, runs in a fresh transaction when the op fails
	// alone (webhook bodies use it to keep the raw body as failed). Its
	// error, if any, is the op's outcome; nil means accepted.
	onFail func(w *wtx, err error) error
	done   chan error
}

// submit runs fn in the committer and waits until its effects are durably
// committed. fn must check everything that can fail for a caller's reason
// before writing (a savepoint undoes its writes anyway when it fails).
func (s *Service) submit(ctx context.Context, fn func(w *wtx) error) error {
	op := &writeOp{fn: fn, done: make(chan error, 1)}
	return s.enqueueOp(ctx, op)
}

func (s *Service) enqueueOp(ctx context.Context, op *writeOp) error {
	if err := s.sendOp(ctx, op); err != nil {
		return err
	}
	// Once queued the op will be committed or refused; wait for the answer
	// even if ctx ends, so a caller never returns while its write is in
	// doubt.
	return <-op.done
}

// sendOp queues op for the committer. It queues nothing and answers
// UNAVAILABLE when the committer has been shut down (Close) or ctx ends
// first.
func (s *Service) sendOp(ctx context.Context, op *writeOp) error {
	s.opsMu.RLock()
	defer s.opsMu.RUnlock()
	if s.opsClosed {
		return errClosing()
	}
	select {
	case s.ops <- op:
		return nil
	case <-ctx.Done():
		return apierr.Wrap(ctx.Err(), apierr.Unavailable, "the request was cancelled before it was accepted")
	}
}

// submitAsync queues fn without waiting (send results from the workers).
// Close waits for it: the committer drains the channel before exiting.
// After Close it is dropped (Close drains the workers first, so nothing
// calls it then).
func (s *Service) submitAsync(fn func(w *wtx) error) {
	_ = s.sendOp(context.Background(), &writeOp{fn: fn, done: make(chan error, 1)})
}

func (s *Service) runCommitter() {
	defer close(s.committed)
	batch := make([]*writeOp, 0, s.cfg.MaxBatch)
	var timer *time.Timer
	prev := 0 // the previous batch's size
	for op := range s.ops {
		batch = append(batch[:0], op)
		open := s.collect(&batch)
		// Under load (the previous batch was big), linger briefly for more
		// writes before committing: one commit of many bodies writes each
		// hot index page once, where several small commits write it
		// several times. Light traffic never waits.
		if open && prev >= lingerAbove && len(batch) < s.cfg.MaxBatch && s.cfg.CommitLinger > 0 {
			if timer == nil {
				timer = time.NewTimer(s.cfg.CommitLinger)
			} else {
				timer.Reset(s.cfg.CommitLinger)
			}
		linger:
			for len(batch) < s.cfg.MaxBatch {
				select {
				case more, ok := <-s.ops:
					if !ok {
						break linger
					}
					batch = append(batch, more)
				case <-timer.C:
					break linger
				}
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		prev = len(batch)
		s.commitBatch(batch)
	}
}

// lingerAbove is the batch size from which the committer lingers.
const lingerAbove = 32

// collect appends every op already waiting, up to MaxBatch. It reports
// false when the ops channel is closed.
func (s *Service) collect(batch *[]*writeOp) bool {
	for len(*batch) < s.cfg.MaxBatch {
		select {
		case more, ok := <-s.ops:
			if !ok {
				return false
			}
			*batch = append(*batch, more)
		default:
			return true
		}
	}
	return true
}

// commitBatch applies ops in one transaction. Non-bulk ops run inside a
// savepoint, so one that fails is undone alone and the rest commit. If a
// bulk op fails, or the commit itself fails, the whole transaction is rolled
// back, the caches are dropped, and every op is replayed in a transaction of
// its own so that each caller gets its own answer.
func (s *Service) commitBatch(batch []*writeOp) {
	results := make([]error, len(batch))
	var post []func()
	err := s.st.Update(context.Background(), func(tx store.Tx) error {
		w := s.w.begin(tx)
		for i, op := range batch {
			w.beginOp()
			if op.bulk {
				if err := s.safeApply(op, w); err != nil {
					return errReplay
				}
				w.commitOp()
				continue
			}
			if err := tx.Savepoint(); err != nil {
				return err
			}
			err := s.safeApply(op, w)
			if err == nil {
				// The op's buffered rows are written inside its savepoint,
				// so a failure among them is this op's alone.
				err = flushWrites(tx)
			}
			if err != nil {
				results[i] = err
				w.undoOp()
				if rerr := tx.RollbackSavepoint(); rerr != nil {
					return rerr
				}
				continue
			}
			if err := tx.ReleaseSavepoint(); err != nil {
				return err
			}
			w.commitOp()
		}
		if err := w.flush(); err != nil {
			return err
		}
		post = w.post
		return nil
	})
	if err == nil {
		s.statBatches.Add(1)
		s.statOps.Add(int64(len(batch)))
		s.w.committed()
		// Announce first, so a caller that returns has its events visible
		// to subscribers and its sends in the workers' hands.
		s.afterCommit(post)
		for i, op := range batch {
			op.done <- storeErr(results[i], "record")
		}
		return
	}
	s.w.reset()
	if !errors.Is(err, errReplay) {
		s.log.Error("hub: write transaction failed; replaying its operations one by one", "ops", len(batch), "err", err)
	}
	for _, op := range batch {
		s.commitOne(op)
	}
}

// flushWrites writes the rows a store buffers (sqlitestore writes its
// high-volume inserts behind, as multi-row statements) so that an error among
// them is reported for the op that made them, not a later one.
func flushWrites(tx store.Tx) error {
	if f, ok := tx.(interface{ FlushWrites() error }); ok {
		return f.FlushWrites()
	}
	return nil
}

// errReplay aborts a batch so its ops are replayed one by one.
var errReplay = errors.New("hub: replay batch")

// commitOne applies one op in its own transaction (the slow path).
func (s *Service) commitOne(op *writeOp) {
	var post []func()
	var opErr error
	err := s.st.Update(context.Background(), func(tx store.Tx) error {
		w := s.w.begin(tx)
		w.beginOp()
		if opErr = s.safeApply(op, w); opErr == nil {
			opErr = flushWrites(tx)
		}
		if opErr != nil {
			return opErr
		}
		w.commitOp()
		if err := w.flush(); err != nil {
			return err
		}
		post = w.post
		return nil
	})
	if err == nil {
		s.w.committed()
		s.afterCommit(post)
		op.done <- nil
		return
	}
	s.w.reset()
	if opErr == nil || op.onFail == nil {
		op.done <- storeErr(err, "record")
		return
	}
	// A bulk op that fails alone: record the failure in a transaction of
	// its own (a webhook body is kept as failed, to be retried).
	err = s.st.Update(context.Background(), func(tx store.Tx) error {
		w := s.w.begin(tx)
		w.beginOp()
		if err := op.onFail(w, opErr); err != nil {
			return err
		}
		w.commitOp()
		if err := w.flush(); err != nil {
			return err
		}
		post = w.post
		return nil
	})
	if err != nil {
		s.w.reset()
		op.done <- apierr.Wrap(err, apierr.Unavailable, "the change could not be stored; retry")
		return
	}
	s.w.committed()
	s.afterCommit(post)
	op.done <- nil
}

// safeApply runs op.fn, turning a panic (a bug, never a bad input) into an
// error so one poisoned request cannot take the hub down.
func (s *Service) safeApply(op *writeOp, w *wtx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("hub: panic while applying a write", "panic", r)
			err = apierr.New(apierr.Internal, "internal error while applying the change")
		}
	}()
	return op.fn(w)
}

func (s *Service) afterCommit(post []func()) {
	for _, f := range post {
		f()
	}
	if seq := s.w.lastSeq; seq > s.seq.Load() {
		s.seq.Store(seq)
		s.notify()
	}
}

// ---- the writer's state -----------------------------------------------------

// writer is the committer's memory. Only the committer goroutine touches it.
// Cached contacts and conversations always equal their rows as of the last
// commit plus this transaction's changes; anything uncertain is dropped and
// re-read.
type writer struct {
	s *Service

	contactKey map[string]int64 // "p:+E164" / "u:bsuid" -> contact id
	contacts   map[int64]*domain.Contact
	convKey    map[convPair]int64
	convs      map[int64]*convEntry
	accounts   map[string]*domain.Account

	lastCounters []byte // JSON of the counters last emitted
	lastSeq      int64
	buf          []byte // event encoding scratch
}

type convPair struct {
	account string
	contact int64
}

// convEntry is a cached conversation. orig is its state when this
// transaction first changed it (nil while unchanged).
type convEntry struct {
	c    store.Conversation
	orig *store.Conversation
}

func newWriter(s *Service) *writer {
	w := &writer{s: s}
	w.reset()
	return w
}

// reset drops every cache (after a rolled-back transaction).
func (w *writer) reset() {
	w.contactKey = make(map[string]int64)
	w.contacts = make(map[int64]*domain.Contact)
	w.convKey = make(map[convPair]int64)
	w.convs = make(map[int64]*convEntry)
	w.accounts = make(map[string]*domain.Account)
	w.lastCounters = nil
	w.lastSeq = w.s.seq.Load()
}

// committed bounds the caches after a successful commit.
func (w *writer) committed() {
	if len(w.convs) > 100_000 || len(w.contacts) > 100_000 {
		accounts := w.accounts
		last := w.lastCounters
		w.reset()
		w.accounts = accounts
		w.lastCounters = last
	}
}

// wtx is the writer inside one transaction.
type wtx struct {
	*writer
	tx  store.Tx
	ctx context.Context

	dirty     []*convEntry // conversations changed in this transaction
	acctDelta map[string][2]int64
	post      []func()

	// per-op bookkeeping, so a failed op is undone in memory too.
	undo     []func()
	opPost   int
	opDirty  int
	opEvents int64
}

func (w *writer) begin(tx store.Tx) *wtx {
	return &wtx{writer: w, tx: tx, ctx: context.Background(), acctDelta: make(map[string][2]int64)}
}

func (w *wtx) beginOp() {
	w.undo = w.undo[:0]
	w.opPost = len(w.post)
	w.opDirty = len(w.dirty)
	w.opEvents = w.lastSeq
}

func (w *wtx) commitOp() { w.undo = w.undo[:0] }

// undoOp restores the in-memory state an op changed before it failed.
func (w *wtx) undoOp() {
	for i := len(w.undo) - 1; i >= 0; i-- {
		w.undo[i]()
	}
	w.undo = w.undo[:0]
	w.post = w.post[:w.opPost]
	w.dirty = w.dirty[:w.opDirty]
	w.lastSeq = w.opEvents
}

// after runs f once the transaction has committed.
func (w *wtx) after(f func()) { w.post = append(w.post, f) }

// ---- contacts ---------------------------------------------------------------

func (w *wtx) cacheContact(c *domain.Contact) {
	w.contacts[c.ID] = c
	if c.Phone != "" {
		w.contactKey["p:"+c.Phone] = c.ID
	}
	if c.UserID != "" {
		w.contactKey["u:"+c.UserID] = c.ID
	}
}

func (w *wtx) uncacheContact(c *domain.Contact) {
	delete(w.contacts, c.ID)
	if c.Phone != "" && w.contactKey["p:"+c.Phone] == c.ID {
		delete(w.contactKey, "p:"+c.Phone)
	}
	if c.UserID != "" && w.contactKey["u:"+c.UserID] == c.ID {
		delete(w.contactKey, "u:"+c.UserID)
	}
}

// contactByID returns the cached contact, loading it when needed. The
// returned value must not be modified; use setContact.
func (w *wtx) contactByID(id int64) (*domain.Contact, error) {
	if c, ok := w.contacts[id]; ok {
		return c, nil
	}
	c, err := w.tx.ContactByID(w.ctx, id)
	if err != nil {
		return nil, err
	}
	return w.keepContact(c), nil
}

// contactByPhone finds a contact by canonical phone (nil when none).
func (w *wtx) contactByPhone(phone string) (*domain.Contact, error) {
	return w.contactByKey("p:"+phone, func() (domain.Contact, error) { return w.tx.ContactByPhone(w.ctx, phone) })
}

// contactByUserID finds a contact by business-scoped user id (nil when none).
func (w *wtx) contactByUserID(userID string) (*domain.Contact, error) {
	return w.contactByKey("u:"+userID, func() (domain.Contact, error) { return w.tx.ContactByUserID(w.ctx, userID) })
}

// contactByKey finds a contact through the transaction's cache by key, or
// with load, caching what load finds (nil when there is none).
func (w *wtx) contactByKey(key string, load func() (domain.Contact, error)) (*domain.Contact, error) {
	if id, ok := w.contactKey[key]; ok {
		return w.contactByID(id)
	}
	c, err := load()
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return w.keepContact(c), nil
}

// keepContact caches a contact read from the store for the rest of the
// transaction; a rollback forgets it.
func (w *wtx) keepContact(c domain.Contact) *domain.Contact {
	w.cacheContact(&c)
	w.undo = append(w.undo, func() { w.uncacheContact(&c) })
	return &c
}

// insertContact stores a new contact and emits contact.updated.
func (w *wtx) insertContact(c *domain.Contact) error {
	if err := w.tx.InsertContact(w.ctx, c); err != nil {
		return err
	}
	w.cacheContact(c)
	w.undo = append(w.undo, func() { w.uncacheContact(c) })
	return w.emit(domain.EventContactUpdated, 0, nil, nil, c)
}

// setContact writes a changed contact (next replaces the cached *old) and
// emits contact.updated.
func (w *wtx) setContact(old *domain.Contact, next domain.Contact) (*domain.Contact, error) {
	if err := w.tx.UpdateContact(w.ctx, &next); err != nil {
		return nil, err
	}
	prev := *old
	w.uncacheContact(old)
	*old = next // the cache holds pointers; keep them valid for callers
	w.cacheContact(old)
	w.undo = append(w.undo, func() {
		w.uncacheContact(old)
		*old = prev
		w.cacheContact(old)
	})
	return old, w.emit(domain.EventContactUpdated, 0, nil, nil, old)
}

// ---- conversations ------------------------------------------------------------

func (w *wtx) cacheConv(c store.Conversation) *convEntry {
	e := &convEntry{c: c}
	w.convs[c.ID] = e
	w.convKey[convPair{c.AccountID, c.Contact.ID}] = c.ID
	w.undo = append(w.undo, func() {
		delete(w.convs, c.ID)
		if w.convKey[convPair{c.AccountID, c.Contact.ID}] == c.ID {
			delete(w.convKey, convPair{c.AccountID, c.Contact.ID})
		}
	})
	return e
}

// convByID returns the cached conversation entry (nil when none).
func (w *wtx) convByID(id int64) (*convEntry, error) {
	if e, ok := w.convs[id]; ok {
		return e, nil
	}
	c, err := w.tx.ConversationByID(w.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return w.cacheConv(c), nil
}

// convFor returns the conversation of a contact on an account, creating an
// open one when there is none.
func (w *wtx) convFor(accountID string, contactID int64, now time.Time) (*convEntry, error) {
	if id, ok := w.convKey[convPair{accountID, contactID}]; ok {
		if e, err := w.convByID(id); e != nil || err != nil {
			return e, err
		}
	}
	c, err := w.tx.ConversationByContact(w.ctx, accountID, contactID)
	if err == nil {
		return w.cacheConv(c), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	c = store.Conversation{Conversation: domain.Conversation{
		AccountID: accountID, Status: domain.StatusOpen,
		LastActivityAt: now, CreatedAt: now, UpdatedAt: now,
	}}
	c.Contact.ID = contactID
	if err := w.tx.InsertConversation(w.ctx, &c); err != nil {
		return nil, err
	}
	e := w.cacheConv(c)
	// A new conversation is "changed" from nothing, so flush emits it.
	w.touch(e)
	zero := store.Conversation{}
	e.orig = &zero
	return e, nil
}

// touch marks e as changed by the current op, remembering how to undo it.
// Call it before every change to e.c.
func (w *wtx) touch(e *convEntry) {
	prevC, prevOrig := e.c, e.orig
	w.undo = append(w.undo, func() { e.c, e.orig = prevC, prevOrig })
	if e.orig == nil {
		o := e.c
		e.orig = &o
		w.dirty = append(w.dirty, e)
	}
}

// ---- events -----------------------------------------------------------------------

// aboutUnconfigured reports whether an event's data is a number the hub is
// not configured for, or a message, conversation or note of one; a message
// is flagged as such on the way.
func (w *wtx) aboutUnconfigured(convID int64, data any) bool {
	switch d := data.(type) {
	case *domain.Message:
		d.AccountUnconfigured = !w.s.isConfigured(d.AccountID)
		return d.AccountUnconfigured
	case domain.Conversation:
		return d.AccountUnconfigured // set by domainConversation
	case *domain.Account:
		return !d.Configured
	case *domain.Note:
		e := w.convs[convID]
		return e != nil && !w.s.isConfigured(e.c.AccountID)
	}
	return false
}

// emit appends an event in this transaction.
func (w *wtx) emit(typ string, convID int64, assignee, prevAssignee *int64, data any) error {
	unconfigured := w.aboutUnconfigured(convID, data)
	var b []byte
	switch d := data.(type) {
	case *domain.Message:
		b = appendMessageJSON(w.buf[:0], d)
	case domain.Conversation:
		b = appendConversationJSON(w.buf[:0], &d)
	case *domain.Contact:
		b = appendContactJSON(w.buf[:0], d)
	default:
		var err error
		if b, err = json.Marshal(data); err != nil {
			return err
		}
	}
	if cap(b) > cap(w.buf) && cap(b) < 1<<20 {
		w.buf = b[:0] // keep the grown buffer (the store copies the bytes)
	}
	e := domain.Event{Type: typ, ConversationID: convID, AssigneeID: assignee, PrevAssigneeID: prevAssignee,
		At: w.s.now(), Data: b, AccountUnconfigured: unconfigured}
	if err := w.tx.AppendEvent(w.ctx, &e); err != nil {
		return err
	}
	w.lastSeq = e.Seq
	return nil
}

// emitMessage emits message.created or message.updated for m.
func (w *wtx) emitMessage(typ string, m *store.Message, assignee *int64) error {
	return w.emit(typ, m.ConversationID, assignee, nil, &m.Message)
}

// ---- flush: conversations, counters, account counts ------------------------------

// counted reports whether a conversation counts as unanswered in the
// counters: the customer is waiting and the conversation is in the team's
// active queue (open or pending; not snoozed, not closed).
func counted(c *store.Conversation) bool {
	return c.ID != 0 && c.Unanswered && (c.Status == domain.StatusOpen || c.Status == domain.StatusPending)
}

// contribution adds c's share of the counters to deltas with sign.
func contribution(c *store.Conversation, sign int64, deltas map[string]int64) {
	if !counted(c) {
		return
	}
	deltas[store.CounterTotal] += sign
	if c.AssigneeID == nil {
		deltas[store.CounterUnassigned] += sign
	} else {
		deltas[store.CounterAgent+strconv.FormatInt(*c.AssigneeID, 10)] += sign
	}
	if c.Team != "" {
		deltas[store.CounterTeam+c.Team] += sign
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// flush writes every conversation the transaction changed, emits one
// conversation.updated per conversation with its final state, applies the
// counter deltas and emits counters.updated when the counters moved.
func (w *wtx) flush() error {
	deltas := make(map[string]int64)
	countersMoved := false
	for _, e := range w.dirty {
		if e.orig == nil {
			continue // undone
		}
		orig := e.orig
		e.orig = nil
		if e.c.ID == 0 {
			// Deleted in this transaction: it stops counting.
			contribution(orig, -1, deltas)
			if counted(orig) {
				countersMoved = true
			}
			continue
		}
		if err := w.tx.UpdateConversation(w.ctx, &e.c, changedFields(orig, &e.c)); err != nil {
			return err
		}
		contribution(orig, -1, deltas)
		contribution(&e.c, +1, deltas)
		if counted(orig) != counted(&e.c) || (counted(&e.c) && !sameTime(orig.WaitingSince, e.c.WaitingSince)) {
			countersMoved = true
		}
		dc, err := w.domainConversation(&e.c)
		if err != nil {
			return err
		}
		var prev *int64
		if orig.ID != 0 && !sameAssignee(orig.AssigneeID, e.c.AssigneeID) {
			prev = orig.AssigneeID
			if prev == nil {
				// "was unassigned" must still tell agents it moved.
				zero := int64(0)
				prev = &zero
			}
		}
		if err := w.emit(domain.EventConversationUpdated, e.c.ID, e.c.AssigneeID, prev, dc); err != nil {
			return err
		}
	}
	w.dirty = w.dirty[:0]
	for k, d := range deltas {
		if d != 0 {
			countersMoved = true
		} else {
			delete(deltas, k)
		}
	}
	if len(deltas) > 0 {
		if err := w.tx.AddCounters(w.ctx, deltas); err != nil {
			return err
		}
	}
	if countersMoved {
		c, err := w.tx.CountersTx(w.ctx)
		if err != nil {
			return err
		}
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if !bytes.Equal(b, w.lastCounters) {
			if err := w.emit(domain.EventCountersUpdated, 0, nil, nil, c); err != nil {
				return err
			}
			w.lastCounters = b
		}
	}
	for id, d := range w.acctDelta {
		if d[0] == 0 && d[1] == 0 {
			continue
		}
		if err := w.tx.AddAccountCounts(w.ctx, id, d[0], d[1]); err != nil {
			return err
		}
		if a, ok := w.accounts[id]; ok {
			a.MessagesIn += d[0]
			a.MessagesOut += d[1]
			acct := *a
			w.after(func() { w.s.setAccount(acct) })
		}
		delete(w.acctDelta, id)
	}
	return nil
}

// changedFields says which column groups differ between a conversation as it
// was and as it is. A new conversation (orig.ID == 0) writes everything.
func changedFields(orig, c *store.Conversation) store.ConversationFields {
	if orig.ID == 0 {
		return store.AllConversationFields
	}
	var f store.ConversationFields
	if orig.Status != c.Status || !sameTime(orig.SnoozedUntil, c.SnoozedUntil) {
		f |= store.ConvStatus
	}
	if !sameAssignee(orig.AssigneeID, c.AssigneeID) || orig.Team != c.Team {
		f |= store.ConvAssignment
	}
	if !sameTime(orig.WindowExpiresAt, c.WindowExpiresAt) || !sameTime(orig.LastInboundAt, c.LastInboundAt) ||
		!sameTime(orig.LastOutboundAt, c.LastOutboundAt) {
		f |= store.ConvWindow
	}
	if orig.Unanswered != c.Unanswered || !sameTime(orig.WaitingSince, c.WaitingSince) {
		f |= store.ConvWaiting
	}
	if orig.UnreadCount != c.UnreadCount || orig.LastMessage != c.LastMessage {
		f |= store.ConvPreview // pointers: changed values are always new pointers
	}
	if orig.Referral != c.Referral {
		f |= store.ConvReferral
	}
	if !orig.LastActivityAt.Equal(c.LastActivityAt) {
		f |= store.ConvActivity
	}
	if orig.AccountID != c.AccountID || orig.Contact.ID != c.Contact.ID {
		f |= store.ConvParent
	}
	return f
}

func sameAssignee(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// domainConversation is the API view of a cached conversation.
func (w *wtx) domainConversation(c *store.Conversation) (domain.Conversation, error) {
	d := c.Conversation
	d.AccountUnconfigured = !w.s.isConfigured(d.AccountID)
	k, err := w.contactByID(c.Contact.ID)
	if err != nil {
		return d, err
	}
	d.Contact = *k
	return d, nil
}

// countAccount adds to an account's in/out message counts at flush.
func (w *wtx) countAccount(id string, in, out int64) {
	d := w.acctDelta[id]
	d[0] += in
	d[1] += out
	w.acctDelta[id] = d
	w.undo = append(w.undo, func() {
		d := w.acctDelta[id]
		d[0] -= in
		d[1] -= out
		w.acctDelta[id] = d
	})
}

// ---- accounts ------------------------------------------------------------------------

// accountByID returns the cached account (loading it; nil when unknown).
func (w *wtx) accountByID(id string) (*domain.Account, error) {
	if a, ok := w.accounts[id]; ok {
		return a, nil
	}
	a, err := w.tx.Account(w.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	w.accounts[id] = &a
	w.undo = append(w.undo, func() { delete(w.accounts, id) })
	return &a, nil
}

// upsertAccount stores a (profile fields) and emits account.updated.
func (w *wtx) upsertAccount(a *domain.Account, now time.Time) error {
	a.Configured = w.s.isConfigured(a.ID)
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	a.UpdatedAt = now
	prev, hadPrev := w.accounts[a.ID]
	if err := w.tx.UpsertAccount(w.ctx, a); err != nil {
		return err
	}
	// Pending count deltas are applied at flush on top of the stored ones.
	cp := *a
	w.accounts[a.ID] = &cp
	w.undo = append(w.undo, func() {
		if hadPrev {
			w.accounts[a.ID] = prev
		} else {
			delete(w.accounts, a.ID)
		}
	})
	snapshot := cp
	w.after(func() { w.s.setAccount(snapshot) })
	return w.emit(domain.EventAccountUpdated, 0, nil, nil, &snapshot)
}

// WriterStats reports how many write transactions the committer has
// committed and how many writes they carried: their ratio is the group
// commit's batching factor.
func (s *Service) WriterStats() (transactions, writes int64) {
	return s.statBatches.Load(), s.statOps.Load()
}
