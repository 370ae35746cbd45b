package hub

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/whatsapp"
)

// The send queue lives in the database (send_queue): a message is queued in
// the same transaction that stores it, and leaves the queue in the
// transaction that records the Cloud API's answer. The dispatcher below keeps
// an in-memory copy to work from: per account, a token-bucket limiter at the
// account's throughput, and lanes — one goroutine each — that a recipient
// always hashes to, so one customer's messages leave in order while many
// customers' leave in parallel.
//
// Delivery to Meta is at least once. A message goes out, Meta answers with a
// wamid, and the answer is committed right away; if the process dies between
// Meta's answer and that commit (a window of one HTTP response plus one group
// commit, typically milliseconds), the next start sends it again. Close never
// cuts a request short: requests on the wire finish and are recorded, and
// only messages not yet started stay queued for the next start.

type dispatcher struct {
	s *Service

	mu       sync.Mutex
	accounts map[string]*accountQueue

	wg       sync.WaitGroup
	pending  atomic.Int64  // queued in memory or on the wire
	draining chan struct{} // closed by drain: lanes exit once empty
	stop     chan struct{} // closed when drain gives up: lanes exit now
	stopCtx  context.Context
	cancel   context.CancelFunc
	once     sync.Once
}

type accountQueue struct {
	id      string
	limiter *rate.Limiter
	lanes   []*lane
}

type lane struct {
	mu    sync.Mutex
	items []store.QueueItem
	wake  chan struct{}
}

func newDispatcher(s *Service) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &dispatcher{s: s, accounts: make(map[string]*accountQueue), draining: make(chan struct{}),
		stop: make(chan struct{}), stopCtx: ctx, cancel: cancel}
}

func limitOf(mps int) rate.Limit {
	if mps <= 0 {
		mps = DefaultThroughput
	}
	return rate.Limit(mps)
}

// queueFor returns the account's queue, starting its lanes on first use.
func (d *dispatcher) queueFor(accountID string) *accountQueue {
	d.mu.Lock()
	defer d.mu.Unlock()
	if q, ok := d.accounts[accountID]; ok {
		return q
	}
	mps := 0
	if a, ok := d.s.account(accountID); ok {
		mps = a.ThroughputMPS
	}
	// Burst 1: tokens are handed out evenly, so the achieved rate tracks
	// the configured one instead of arriving in bursts Meta would refuse.
	q := &accountQueue{id: accountID, limiter: rate.NewLimiter(limitOf(mps), 1)}
	for range d.s.cfg.Lanes {
		l := &lane{wake: make(chan struct{}, 1)}
		q.lanes = append(q.lanes, l)
		if d.s.apiFor(accountID) != nil {
			d.wg.Add(1)
			go d.runLane(q, l)
		}
	}
	d.accounts[accountID] = q
	return q
}

// setRate follows an account's throughput.
func (d *dispatcher) setRate(accountID string, mps int) {
	d.mu.Lock()
	q, ok := d.accounts[accountID]
	d.mu.Unlock()
	if ok {
		q.limiter.SetLimit(limitOf(mps))
	}
}

// push hands a committed queue entry to its lane.
func (d *dispatcher) push(item store.QueueItem) {
	q := d.queueFor(item.AccountID)
	h := fnv.New32a()
	h.Write([]byte(item.Recipient))
	l := q.lanes[int(h.Sum32()%uint32(len(q.lanes)))]
	d.pending.Add(1)
	l.mu.Lock()
	l.items = append(l.items, item)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *lane) pop() (store.QueueItem, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.items) == 0 {
		return store.QueueItem{}, false
	}
	it := l.items[0]
	l.items[0] = store.QueueItem{}
	l.items = l.items[1:]
	if len(l.items) == 0 {
		l.items = nil // let the backing array go
	}
	return it, true
}

func (d *dispatcher) runLane(q *accountQueue, l *lane) {
	defer d.wg.Done()
	for {
		select {
		case <-d.stop:
			return
		default:
		}
		item, ok := l.pop()
		if !ok {
			select {
			case <-l.wake:
				continue
			case <-d.stop:
				return
			case <-d.draining:
				if _, more := l.peek(); !more {
					return
				}
				continue
			}
		}
		if d.deliver(q, item) {
			d.pending.Add(-1)
		} else {
			return // stopped; the item stays queued in the database
		}
	}
}

func (l *lane) peek() (store.QueueItem, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.items) == 0 {
		return store.QueueItem{}, false
	}
	return l.items[0], true
}

// deliver sends one message, retrying retryable failures with exponential
// backoff and jitter, and records the outcome. It reports false when the
// dispatcher was stopped before the message's fate was decided.
func (d *dispatcher) deliver(q *accountQueue, item store.QueueItem) bool {
	s := d.s
	var msg whatsapp.OutboundMessage
	if err := json.Unmarshal(item.Payload, &msg); err != nil {
		s.recordFailed(item.MessageID, &domain.MessageError{Title: "unreadable queued payload", Message: err.Error()})
		return true
	}
	attempts := item.Attempts
	for {
		if err := q.limiter.Wait(d.stopCtx); err != nil {
			return false
		}
		api := s.apiFor(q.id)
		if api == nil {
			return false
		}
		// The call is not tied to the stop signal: a request on the wire
		// is allowed to finish so its result is recorded, never guessed.
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.SendTimeout)
		res, err := api.Send(ctx, q.id, &msg)
		cancel()
		if err == nil {
			s.recordSent(item.MessageID, res.MessageID())
			return true
		}
		attempts++
		class := whatsapp.Classify(err)
		if class == whatsapp.ClassRetryable && attempts < s.cfg.MaxAttempts {
			delay := backoff(s.cfg.RetryBase, s.cfg.RetryMax, attempts)
			if ra := whatsapp.RetryAfter(err); ra > delay {
				delay = ra
			}
			s.log.Debug("hub: send failed; retrying", "message_id", item.MessageID, "attempt", attempts, "in", delay, "err", err)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
				continue
			case <-d.stop:
				t.Stop()
				return false
			}
		}
		s.log.Info("hub: send failed", "message_id", item.MessageID, "class", class.String(), "err", err)
		s.recordFailed(item.MessageID, messageErrorOf(err))
		return true
	}
}

// backoff is base·2^(n-1), capped, with full jitter over its upper half so
// many senders retrying together spread out.
func backoff(base, maxDelay time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// messageErrorOf turns a send failure into Meta's code and title.
func messageErrorOf(err error) *domain.MessageError {
	var ge *whatsapp.GraphError
	if errors.As(err, &ge) {
		title := ge.ErrorUserTitle
		if title == "" {
			title = ge.Message
		}
		return &domain.MessageError{Code: ge.Code, Title: title, Message: ge.Message, Details: ge.ErrorData.Details}
	}
	ae := apierr.As(err)
	return &domain.MessageError{Code: whatsapp.GraphCode(err), Title: string(ae.Code), Message: ae.Message}
}

// drain lets the lanes finish what is queued until ctx ends, then stops
// them (letting requests on the wire finish). It returns how many messages
// are left queued.
func (d *dispatcher) drain(ctx context.Context) int {
	d.once.Do(func() { close(d.draining) })
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	close(d.stop)
	d.cancel()
	<-done
	return int(d.pending.Load())
}

// ---- recording results ---------------------------------------------------------

// recordSent records Meta's acceptance: the wamid, status sent, the message
// out of the queue, and any statuses that raced ahead of this answer.
func (s *Service) recordSent(id int64, wamid string) {
	now := s.now()
	s.submitAsync(func(w *wtx) error {
		err := w.recordSent(id, wamid, now)
		if err != nil {
			s.log.Error("hub: recording a sent message failed", "message_id", id, "err", err)
		}
		return err
	})
}

func (w *wtx) recordSent(id int64, wamid string, now time.Time) error {
	if err := w.tx.Dequeue(w.ctx, id); err != nil {
		return err
	}
	msg, err := w.tx.MessageByID(w.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile (its contact was erased)
	}
	if err != nil {
		return err
	}
	if wamid != "" && msg.WAMID == "" {
		// Meta's ids are unique; refuse to file a second message under one
		// rather than corrupt status tracking if that ever failed.
		if other, err := w.tx.MessageByWAMID(w.ctx, wamid); err == nil && other.ID != msg.ID {
			w.s.log.Error("hub: the Cloud API answered a wamid another message already has", "message_id", msg.ID, "wamid", wamid, "other", other.ID)
			wamid = ""
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		msg.WAMID = wamid
	}
	advance(&msg.Message, domain.MsgSent, now, nil)
	if msg.WAMID != "" {
		parked, err := w.tx.TakeParkedStatuses(w.ctx, msg.WAMID)
		if err != nil {
			return err
		}
		for _, p := range parked {
			advance(&msg.Message, p.Status, p.Timestamp, p.Error)
		}
	}
	msg.UpdatedAt = now
	if err := w.tx.UpdateMessage(w.ctx, &msg); err != nil {
		return err
	}
	return w.afterStatusChange(&msg)
}

// recordFailed records a permanent failure with Meta's code and title.
func (s *Service) recordFailed(id int64, merr *domain.MessageError) {
	now := s.now()
	s.submitAsync(func(w *wtx) error {
		if err := w.tx.Dequeue(w.ctx, id); err != nil {
			return err
		}
		msg, err := w.tx.MessageByID(w.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !advance(&msg.Message, domain.MsgFailed, now, merr) {
			return nil
		}
		msg.UpdatedAt = now
		if err := w.tx.UpdateMessage(w.ctx, &msg); err != nil {
			return err
		}
		return w.afterStatusChange(&msg)
	})
}

// afterStatusChange keeps the conversation preview in step with a message's
// status and emits message.updated.
func (w *wtx) afterStatusChange(msg *store.Message) error {
	e, err := w.convByID(msg.ConversationID)
	if err != nil {
		return err
	}
	var assignee *int64
	if e != nil {
		assignee = e.c.AssigneeID
		if lm := e.c.LastMessage; lm != nil && lm.ID == msg.ID && lm.Status != msg.Status {
			w.touch(e)
			p := *lm
			p.Status = msg.Status
			e.c.LastMessage = &p
		}
	}
	if msg.Hidden {
		return nil
	}
	return w.emitMessage(domain.EventMessageUpdated, msg, assignee)
}

// QueueLength is how many messages wait for the Cloud API (in memory, this
// run), for metrics.
func (s *Service) QueueLength() int { return int(s.disp.pending.Load()) }
