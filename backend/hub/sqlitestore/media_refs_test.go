package sqlitestore

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/sqlitedb"
)

// TestMediaRefsAreFilledFromStoredMessages: the step that adds media_refs
// records the media ids of the messages and uploads a hub already had, so
// the media of old conversations still opens after the upgrade.
func TestMediaRefsAreFilledFromStoredMessages(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "hub.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	step := -1
	for i, m := range migrations {
		if strings.Contains(m.SQL, "CREATE TABLE media_refs") {
			step = i
		}
	}
	if step < 0 {
		t.Fatal("no step creates media_refs")
	}
	if err := db.Migrate(ctx, Component, migrations[:step]); err != nil {
		t.Fatal(err)
	}
	s := New(db)
	defer s.Close()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	contents := []struct{ typ, content string }{
		{"image", `{"id":"1001","mime_type":"image/jpeg","caption":"look"}`},
		{"document", `{"id":"1002","filename":"a.pdf"}`},
		{"template", `{"name":"order","language":{"code":"en"},"components":[{"type":"header","parameters":[{"type":"image","image":{"id":"1003"}}]}]}`},
		{"interactive", `{"type":"button","header":{"type":"video","video":{"id":"1004"}},"body":{"text":"x"}}`},
		{"text", `{"body":"my order id is 1005"}`},
		{"image", `{"link":"https://example.com/a.jpg"}`},
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.UpsertAccount(ctx, &domain.Account{ID: "106540352242922", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		c := domain.Contact{Phone: "+15551230000", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertContact(ctx, &c); err != nil {
			return err
		}
		conv := store.Conversation{Conversation: domain.Conversation{AccountID: "106540352242922", Status: domain.StatusOpen,
			LastActivityAt: t0, CreatedAt: t0, UpdatedAt: t0}}
		conv.Contact.ID = c.ID
		if err := tx.InsertConversation(ctx, &conv); err != nil {
			return err
		}
		for i, m := range contents {
			msg := store.Message{Message: domain.Message{WAMID: "wamid." + itoa(int64(i)), ConversationID: conv.ID, AccountID: conv.AccountID,
				Direction: domain.Inbound, Type: m.typ, Content: json.RawMessage(m.content), Status: domain.MsgReceived,
				Timestamp: t0, CreatedAt: t0, UpdatedAt: t0}}
			if _, err := tx.InsertMessage(ctx, &msg); err != nil {
				return err
			}
		}
		_, err := tx.InsertMediaUpload(ctx, store.MediaUpload{Key: "user:7:k", AccountID: conv.AccountID, SHA256: "ab",
			Media: domain.UploadedMedia{ID: "1006", MimeType: "image/png"}, CreatedAt: t0})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, Component, migrations); err != nil {
		t.Fatal(err)
	}
	all := store.MediaFilter{Uploads: true}
	for id, want := range map[string]bool{"1001": true, "1002": true, "1003": true, "1004": true, "1005": false, "1006": true} {
		if got, err := s.MediaSeen(ctx, id, all); err != nil || got != want {
			t.Errorf("media %s seen %v, %v; want %v", id, got, err, want)
		}
	}
}
