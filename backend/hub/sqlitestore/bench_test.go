package sqlitestore

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/sqlitedb"
)

func openBench(b *testing.B) *Store {
	db, err := sqlitedb.Open(filepath.Join(b.TempDir(), "b.db"), sqlitedb.Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s := New(db)
	if err := s.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkInsertMessage measures one message insert inside large
// transactions: the per-statement cost the hub pays on its hot path.
func BenchmarkInsertMessage(b *testing.B) {
	s := openBench(b)
	ctx := context.Background()
	now := time.Now()
	var convID int64
	s.Update(ctx, func(tx store.Tx) error {
		tx.UpsertAccount(ctx, &domain.Account{ID: "a", CreatedAt: now, UpdatedAt: now})
		c := domain.Contact{Phone: "+1555", CreatedAt: now, UpdatedAt: now}
		tx.InsertContact(ctx, &c)
		conv := store.Conversation{Conversation: domain.Conversation{AccountID: "a", Status: "open", LastActivityAt: now, CreatedAt: now, UpdatedAt: now}}
		conv.Contact.ID = c.ID
		tx.InsertConversation(ctx, &conv)
		convID = conv.ID
		return nil
	})
	b.ResetTimer()
	for i := 0; i < b.N; i += 1000 {
		s.Update(ctx, func(tx store.Tx) error {
			for j := i; j < min(i+1000, b.N); j++ {
				m := store.Message{Message: domain.Message{WAMID: fmt.Sprintf("wamid.%d", j), ConversationID: convID, AccountID: "a",
					Direction: "inbound", Type: "text", Content: json.RawMessage(`{"body":"hello there"}`), Preview: "hello there",
					From: "+1555", To: "+1444", Status: "received", Timestamp: now, CreatedAt: now, UpdatedAt: now}}
				if _, err := tx.InsertMessage(ctx, &m); err != nil {
					b.Fatal(err)
				}
			}
			return nil
		})
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	s := openBench(b)
	ctx := context.Background()
	data := json.RawMessage(`{"id":1,"wamid":"wamid.x","conversation_id":1,"type":"text","content":{"body":"hello there"}}`)
	b.ResetTimer()
	for i := 0; i < b.N; i += 1000 {
		s.Update(ctx, func(tx store.Tx) error {
			for j := i; j < min(i+1000, b.N); j++ {
				e := domain.Event{Type: "message.created", ConversationID: 1, At: time.Now(), Data: data}
				if err := tx.AppendEvent(ctx, &e); err != nil {
					b.Fatal(err)
				}
			}
			return nil
		})
	}
}
