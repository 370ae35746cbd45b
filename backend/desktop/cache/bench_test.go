package cache

import (
	"context"
	"testing"

	"switchboard/backend/desktop/internal/fixture"
	"switchboard/backend/domain"
)

// Benchmarks of the cache's fast paths. backend/desktop/cmd/desktop-bench
// prints the same figures next to raw-SQLite baselines for make bench.

func BenchmarkInboxFirstPage50k(b *testing.B) {
	ctx := context.Background()
	c := openCache(b)
	if err := c.ReplaceSnapshot(ctx, snapshotOf(50_000)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.InboxCounts(ctx, 1, ""); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Inbox(ctx, 1, InboxQuery{Tab: TabAll, Limit: 100}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenConversation100k(b *testing.B) {
	ctx := context.Background()
	c := openCache(b)
	batch := make([]domain.Message, 0, 10_000)
	for id := int64(1); id <= 100_000; id++ {
		batch = append(batch, fixture.Message(1, id))
		if len(batch) == cap(batch) {
			if err := c.UpsertMessages(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Messages(ctx, 1, "", 50); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApply10kEvents(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		c := openCache(b)
		if err := c.ReplaceSnapshot(ctx, snapshotOf(1000)); err != nil {
			b.Fatal(err)
		}
		events := MissedEvents(10, 10_000, 1000)
		b.StartTimer()
		for i := 0; i < len(events); i += 1000 {
			if _, _, err := c.ApplyEvents(ctx, events[i:min(i+1000, len(events))], 0); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// MissedEvents builds n events after seq across convs conversations, in the
// mix a busy hub produces: each customer message creates a message, updates
// its conversation, and some outbound statuses move.
func MissedEvents(after int64, n int, convs int64) []domain.Event {
	events := make([]domain.Event, 0, n)
	seq := after
	for id := int64(1_000_000); len(events) < n; id++ {
		conv := id%convs + 1
		m := fixture.Message(conv, id)
		seq++
		events = append(events, fixture.Event(seq, domain.EventMessageCreated, conv, m))
		if len(events) < n {
			cv := fixture.Conversation(conv)
			cv.LastActivityAt, cv.UpdatedAt = m.Timestamp, m.Timestamp
			seq++
			events = append(events, fixture.Event(seq, domain.EventConversationUpdated, conv, cv))
		}
	}
	return events
}
