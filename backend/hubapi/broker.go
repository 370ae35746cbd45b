package hubapi

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// broker tails the core's event log and fans each new event out to the
// live stream connections. It is the only reader of the log on the hot
// path: connections never poll the database while they are live.
//
// Handing a connection from replay to live without a gap or a duplicate
// rests on one rule: a connection attaches only at a cursor >= the
// broker's head, under the same lock the broker holds while it advances
// the head and fans out. Everything after the cursor therefore arrives
// through the connection's channel, and a connection drops any event at
// or below the last seq it sent (it may have read ahead of the broker
// from the database).
type broker struct {
	s *Server

	mu   sync.Mutex
	head int64 // last seq fanned out
	// ring holds the most recent events; ringBase is the seq just before
	// ring[0], so the ring has every event with seq > ringBase.
	ring      []*streamEvent
	ringBase  int64
	ringBytes int                      // of the ring's frames
	subs      map[*streamConn]struct{} // live (attached) connections
	conns     map[*streamConn]struct{} // every open connection
	// wake is closed (and replaced) whenever head advances, for the
	// package's own consumers (outbound webhooks, bulk deliveries).
	wake    chan struct{}
	started chan struct{}
	once    sync.Once
}

// streamEvent is one log event prepared for fan-out: decoded once, with
// the visibility facts every connection filters on.
type streamEvent struct {
	ev domain.Event
	// assignee is the conversation's assignee after the event (only when
	// hasConv); prev its assignee before, when the event moved it (0:
	// it was unassigned).
	assignee *int64
	prev     *int64
	hasConv  bool
	// frame is the event frame as sent to principals who see everything.
	frame []byte
	// counters is set for counters.updated, which agents get filtered.
	counters *domain.Counters
}

func newBroker(s *Server) *broker {
	return &broker{
		s:       s,
		subs:    map[*streamConn]struct{}{},
		conns:   map[*streamConn]struct{}{},
		wake:    make(chan struct{}),
		started: make(chan struct{}),
	}
}

// run follows the log until ctx ends. It starts at the log's head: older
// events are served to resuming clients from the database.
func (b *broker) run(ctx context.Context) {
	for {
		_, head, err := b.s.core.EventBounds(ctx)
		if err == nil {
			b.mu.Lock()
			b.head, b.ringBase = head, head
			b.mu.Unlock()
			break
		}
		b.s.log.Error("stream: reading the event log bounds", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	b.once.Do(func() { close(b.started) })
	wake, cancel := b.s.core.Subscribe()
	defer cancel()
	const batch = 1000
	for {
		b.mu.Lock()
		cursor := b.head
		b.mu.Unlock()
		evs, err := b.s.core.EventsSince(ctx, cursor, batch)
		if apierr.CodeOf(err) == apierr.ResyncRequired {
			// The log was pruned past the broker (it was stopped for a
			// long time): jump to the head; connections behind it get
			// a resync of their own.
			b.s.log.Warn("stream: the event log was pruned past the broker's head; skipping ahead", "from_seq", cursor)
			if _, head, err := b.s.core.EventBounds(ctx); err == nil {
				b.mu.Lock()
				b.head, b.ringBase, b.ring, b.ringBytes = head, head, nil, 0
				b.mu.Unlock()
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			b.s.log.Error("stream: reading the event log", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		if len(evs) > 0 {
			b.publish(ctx, evs)
			if len(evs) == batch {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case _, ok := <-wake:
			if !ok {
				// The core is closing; keep polling slowly until we are
				// stopped too.
				wake = nil
			}
		case <-time.After(2 * time.Second):
			// A safety net: a missed wake-up costs latency, never events.
		}
	}
}

// waitStarted blocks until the broker knows the log's head.
func (b *broker) waitStarted(ctx context.Context) error {
	select {
	case <-b.started:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// prepare decodes what filtering needs and encodes the common frame. The
// core stamps each conversation event with the assignee after the change
// (and before it, when it moved), so filtering needs no lookups.
func (b *broker) prepare(ev domain.Event) *streamEvent {
	se := &streamEvent{ev: ev, hasConv: ev.ConversationID != 0, assignee: ev.AssigneeID, prev: ev.PrevAssigneeID}
	if ev.Type == domain.EventCountersUpdated {
		var c domain.Counters
		if json.Unmarshal(ev.Data, &c) == nil {
			se.counters = &c
		}
	}
	se.frame, _ = json.Marshal(wire.Frame{Kind: wire.FrameEvent, Event: &se.ev})
	return se
}

// publish appends events to the ring and hands them to live connections.
func (b *broker) publish(ctx context.Context, evs []domain.Event) {
	prepared := make([]*streamEvent, 0, len(evs))
	for _, ev := range evs {
		prepared = append(prepared, b.prepare(ev))
	}
	b.mu.Lock()
	for _, se := range prepared {
		if se.ev.Seq <= b.head {
			continue
		}
		b.head = se.ev.Seq
		b.ring = append(b.ring, se)
		b.ringBytes += len(se.frame)
		for c := range b.subs {
			if !c.offer(se) {
				delete(b.subs, c)
			}
		}
	}
	// Trimmed to the bounds once twice over them, so the copy is paid
	// for by as many appends.
	if st := b.s.cfg.Stream; len(b.ring) > 2*st.RingSize || b.ringBytes > 2*st.RingBytes {
		drop := 0
		for drop < len(b.ring) && (len(b.ring)-drop > st.RingSize || b.ringBytes > st.RingBytes) {
			b.ringBytes -= len(b.ring[drop].frame)
			drop++
		}
		b.ringBase = b.ring[drop-1].ev.Seq
		b.ring = append([]*streamEvent(nil), b.ring[drop:]...)
	}
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}

// attach registers c for live events when cursor has caught up with the
// head. Otherwise it returns the ring's events after cursor (when the
// ring reaches back that far) or nil and false, meaning: read the
// database from cursor and try again.
//
// target is the log's head when the connection started: a connection
// does not go live (and say so) before it has replayed that far, even
// when the broker itself is still catching up.
func (b *broker) attach(c *streamConn, cursor, target int64) (attached bool, fromRing []*streamEvent, ringOK bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cursor >= b.head && cursor >= target {
		b.subs[c] = struct{}{}
		return true, nil, true
	}
	if cursor >= b.head {
		return false, nil, false // the database is ahead of the broker
	}
	if cursor < b.ringBase {
		return false, nil, false
	}
	// The ring is in seq order: find the first event after cursor.
	lo, hi := 0, len(b.ring)
	for lo < hi {
		mid := (lo + hi) / 2
		if b.ring[mid].ev.Seq <= cursor {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	end := min(len(b.ring), lo+512)
	return false, append([]*streamEvent(nil), b.ring[lo:end]...), true
}

func (b *broker) detach(c *streamConn) {
	b.mu.Lock()
	delete(b.subs, c)
	b.mu.Unlock()
}

// headSeq is the last seq fanned out.
func (b *broker) headSeq() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.head
}

// wakeChan is closed at the next advance of the head.
func (b *broker) wakeChan() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.wake
}

// register and unregister track every open connection (replaying or
// live), so shutdown and revocation reach all of them.
func (b *broker) register(c *streamConn) {
	b.mu.Lock()
	b.conns[c] = struct{}{}
	b.mu.Unlock()
}

func (b *broker) unregister(c *streamConn) {
	b.mu.Lock()
	delete(b.conns, c)
	delete(b.subs, c)
	b.mu.Unlock()
}

// dropToken disconnects the streams of a revoked token.
func (b *broker) dropToken(tokenID int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.conns {
		if c.p.TokenID == tokenID {
			c.stop(closeRevoked)
			delete(b.subs, c)
		}
	}
}

// closeAll disconnects every stream (shutdown): clients resume elsewhere.
func (b *broker) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.conns {
		c.stop(closeGoingAway)
		delete(b.subs, c)
	}
}

// count is the number of live connections.
func (b *broker) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
