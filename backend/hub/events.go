package hub

import (
	"context"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
)

// Subscribe returns a channel that receives a wake-up after every commit
// that appended events, and a cancel func. Wake-ups coalesce (the channel
// holds at most one), so a subscriber reads EventsSince from the last seq it
// applied each time it wakes and never misses an event. The channel is
// closed by cancel or by Close.
func (s *Service) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.subMu.Lock()
	if s.closing.Load() && s.subs == nil {
		s.subMu.Unlock()
		close(ch)
		return ch, func() {}
	}
	s.subs[ch] = struct{}{}
	s.subMu.Unlock()
	return ch, func() {
		s.subMu.Lock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
		s.subMu.Unlock()
	}
}

func (s *Service) notify() {
	s.subMu.Lock()
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	s.subMu.Unlock()
}

// LastSeq is the newest committed event's sequence number (0 when none).
func (s *Service) LastSeq() int64 { return s.seq.Load() }

// EventsSince returns up to limit (1..1000, default 100) events after seq,
// in order. When events after seq have already been pruned it returns
// RESYNC_REQUIRED: the caller must reload a snapshot (lists and Counters)
// and continue from LastSeq read before the snapshot.
func (s *Service) EventsSince(ctx context.Context, seq int64, limit int) ([]domain.Event, error) {
	switch {
	case limit <= 0:
		limit = 100
	case limit > 1000:
		limit = 1000
	}
	if seq < 0 {
		return nil, apierr.Field(apierr.InvalidRequest, "since", "the sequence number cannot be negative")
	}
	evs, err := s.st.EventsSince(ctx, seq, limit)
	if err != nil {
		return nil, storeErr(err, "event")
	}
	// The first event must follow seq directly, or the ones between were
	// pruned. (Seqs never have gaps: they are assigned by committed
	// transactions one after another.)
	if len(evs) > 0 && evs[0].Seq != seq+1 {
		return nil, apierr.New(apierr.ResyncRequired, "events after %d are no longer kept (the oldest is %d): resync", seq, evs[0].Seq)
	}
	if len(evs) == 0 && seq < s.seq.Load() {
		oldest, _, err := s.st.EventBounds(ctx)
		if err != nil {
			return nil, storeErr(err, "event")
		}
		if oldest > seq+1 {
			return nil, apierr.New(apierr.ResyncRequired, "events after %d are no longer kept: resync", seq)
		}
	}
	return evs, nil
}

// EventBounds returns the oldest retained and newest event seq. A client
// whose last applied seq is below oldest-1 must resync.
func (s *Service) EventBounds(ctx context.Context) (oldest, newest int64, err error) {
	oldest, newest, err = s.st.EventBounds(ctx)
	return oldest, newest, storeErr(err, "event")
}

// runTicker wakes snoozed conversations whose time has come and applies
// retention.
func (s *Service) runTicker() {
	defer close(s.tickDone)
	t := time.NewTicker(s.cfg.TickInterval)
	defer t.Stop()
	n := 0
	for {
		select {
		case <-s.stopTick:
			return
		case <-t.C:
		}
		ctx := context.Background()
		if err := s.WakeSnoozed(ctx); err != nil {
			s.log.Warn("hub: waking snoozed conversations failed", "err", err)
		}
		n++
		if n%60 == 1 {
			if err := s.prune(ctx); err != nil {
				s.log.Warn("hub: retention failed", "err", err)
			}
			if err := s.pruneLoginFailures(ctx); err != nil {
				s.log.Warn("hub: pruning sign-in failures failed", "err", err)
			}
		}
	}
}

// WakeSnoozed reopens snoozed conversations whose snooze has ended at the
// clock's current time. The ticker calls it every second; tests moving a
// manual clock may call it to avoid waiting for the tick.
func (s *Service) WakeSnoozed(ctx context.Context) error {
	now := s.now()
	return s.submit(ctx, func(w *wtx) error {
		ids, err := w.tx.DueSnoozed(w.ctx, now, 500)
		if err != nil {
			return err
		}
		for _, id := range ids {
			e, err := w.convByID(id)
			if err != nil {
				return err
			}
			if e == nil || e.c.Status != domain.StatusSnoozed {
				continue
			}
			w.touch(e)
			e.c.Status, e.c.SnoozedUntil, e.c.UpdatedAt = domain.StatusOpen, nil, now
		}
		return nil
	})
}

// prune applies event and raw-body retention in small steps, so the writer
// is never held for long.
func (s *Service) prune(ctx context.Context) error {
	now := s.now()
	for range 100 {
		var n int
		err := s.submit(ctx, func(w *wtx) error {
			newest := w.lastSeq
			var err error
			n, err = w.tx.PruneEvents(w.ctx, newest-int64(s.cfg.EventRetention), now.Add(-s.cfg.EventMaxAge), 5000)
			if err != nil {
				return err
			}
			m, err := w.tx.PruneRawWebhooks(w.ctx, now.Add(-s.cfg.RawWebhookMaxAge), 5000)
			n += m
			return err
		})
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// Counters returns the unanswered-conversation counters: total, unassigned,
// per agent, per team and the oldest waiting time. They are maintained as
// changes happen; reading them costs a few rows, never a scan.
func (s *Service) Counters(ctx context.Context) (domain.Counters, error) {
	c, err := s.st.Counters(ctx)
	return c, storeErr(err, "counters")
}
