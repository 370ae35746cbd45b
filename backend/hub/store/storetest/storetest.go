// Package storetest is the conformance suite every hub storage back end must
// pass. The SQLite store runs it; a PostgreSQL store would run the same
// suite with its own Open function:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openMine(t) })
//	}
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// Open returns a fresh, empty, migrated store for one test.
type Open func(t *testing.T) store.Store

// Run runs every conformance test against stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"migrate is idempotent", testMigrate},
		{"accounts keep their counts", testAccounts},
		{"contacts are unique by phone and user id", testContacts},
		{"one conversation per account and contact", testConversations},
		{"messages dedupe by wamid", testMessageDedupe},
		{"messages round-trip every field", testMessageRoundTrip},
		{"idempotency keys find the first message", testIdempotencyKeys},
		{"marking read and moving messages", testMarkReadAndMove},
		{"parked statuses are taken once, in order", testParkedStatuses},
		{"raw webhook bodies keep their state", testRawWebhooks},
		{"templates by key, id and account", testTemplates},
		{"template review details and submit key", testTemplateReview},
		{"notes page newest first", testNotes},
		{"counters add deltas and find the oldest waiter", testCounters},
		{"event seqs rise strictly, even after pruning", testEvents},
		{"the send queue survives and cascades", testQueue},
		{"savepoints and rollbacks undo writes", testRollback},
		{"conversation lists filter and page", testListConversations},
		{"message lists filter and page", testListMessages},
		{"contact lists filter and page", testListContacts},
		{"foreign cursors are refused", testBadCursor},
		{"the store answers a ping", testPing},
		{"point reads inside a transaction", testTxLookups},
		{"users are unique by e-mail among the living", testUsers},
		{"user lists filter and page", testListUsers},
		{"tokens by hash, revoked once, touched", testTokens},
		{"sign-in failures count in a window", testLoginFailures},
		{"per-client sign-in budgets are kept and pruned", testLoginThrottles},
		{"webhook subscriptions keep their cursor and attempts", testWebhooks},
		{"delivery recipients move through their states", testDeliveries},
		{"delivery lists filter and page", testListDeliveries},
		{"media uploads are remembered once per key", testMediaUploads},
		{"media ids are seen through the messages that carry them", testMediaRefs},
		{"keyed writes' answers are remembered once per key", testKeyedAnswers},
		{"foreign cursors are refused by the other lists", testBadCursorOutbound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

func at(d time.Duration) time.Time { return t0.Add(d) }

func ptr[T any](v T) *T { return &v }

func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// fixture is an account, a contact and its conversation.
type fixture struct {
	account string
	contact domain.Contact
	conv    store.Conversation
}

func seed(t *testing.T, s store.Store, phone string) fixture {
	t.Helper()
	f := fixture{account: "acct-1"}
	update(t, s, func(tx store.Tx) error {
		if err := tx.UpsertAccount(ctx, &domain.Account{ID: f.account, WABAID: "waba-1", DisplayPhoneNumber: "15550001111",
			CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		f.contact = domain.Contact{Phone: phone, WaID: phone[1:], Name: "Ana", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertContact(ctx, &f.contact); err != nil {
			return err
		}
		f.conv = newConv(f.account, f.contact.ID, t0)
		return tx.InsertConversation(ctx, &f.conv)
	})
	return f
}

func newConv(account string, contact int64, now time.Time) store.Conversation {
	c := store.Conversation{Conversation: domain.Conversation{AccountID: account, Status: domain.StatusOpen,
		LastActivityAt: now, CreatedAt: now, UpdatedAt: now}}
	c.Contact.ID = contact
	return c
}

func newMsg(conv int64, account, wamid string, ts time.Time) store.Message {
	return store.Message{Message: domain.Message{WAMID: wamid, ConversationID: conv, AccountID: account,
		Direction: domain.Inbound, Type: "text", Content: json.RawMessage(`{"body":"hi"}`), Preview: "hi",
		From: "+15551230000", To: "+15550001111", Status: domain.MsgReceived, Timestamp: ts, CreatedAt: ts, UpdatedAt: ts}}
}

func testMigrate(t *testing.T, s store.Store) {
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func testAccounts(t *testing.T, s store.Store) {
	a := domain.Account{ID: "a1", WABAID: "w", DisplayPhoneNumber: "1555", VerifiedName: "Shop", Status: "CONNECTED",
		QualityRating: "GREEN", ThroughputMPS: 80, CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx store.Tx) error {
		if err := tx.UpsertAccount(ctx, &a); err != nil {
			return err
		}
		return tx.AddAccountCounts(ctx, "a1", 3, 2)
	})
	a2 := a
	a2.VerifiedName, a2.CreatedAt, a2.UpdatedAt = "Shop 2", at(time.Hour), at(time.Hour)
	update(t, s, func(tx store.Tx) error { return tx.UpsertAccount(ctx, &a2) })
	if a2.MessagesIn != 3 || a2.MessagesOut != 2 || !a2.CreatedAt.Equal(t0) {
		t.Fatalf("upsert answered %+v", a2)
	}
	got, err := s.GetAccount(ctx, "a1")
	if err != nil || got.VerifiedName != "Shop 2" || got.MessagesIn != 3 || got.ThroughputMPS != 80 {
		t.Fatalf("account = %+v, %v", got, err)
	}
	all, err := s.ListAccounts(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("accounts = %+v, %v", all, err)
	}
	if _, err := s.GetAccount(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
}

func testContacts(t *testing.T, s store.Store) {
	c := domain.Contact{Phone: "+15551230001", WaID: "15551230001", UserID: "US.1", Name: "Ana", ProfileName: "Ana P",
		Attributes: map[string]string{"tier": "gold"}, CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx store.Tx) error { return tx.InsertContact(ctx, &c) })
	for name, fn := range map[string]func(tx store.Tx) (domain.Contact, error){
		"by id":      func(tx store.Tx) (domain.Contact, error) { return tx.ContactByID(ctx, c.ID) },
		"by phone":   func(tx store.Tx) (domain.Contact, error) { return tx.ContactByPhone(ctx, c.Phone) },
		"by user id": func(tx store.Tx) (domain.Contact, error) { return tx.ContactByUserID(ctx, "US.1") },
	} {
		update(t, s, func(tx store.Tx) error {
			got, err := fn(tx)
			if err != nil || got.ID != c.ID || got.Attributes["tier"] != "gold" || got.ProfileName != "Ana P" || !got.CreatedAt.Equal(t0) {
				t.Fatalf("%s: %+v, %v", name, got, err)
			}
			return nil
		})
	}
	// Uniqueness.
	for _, dup := range []domain.Contact{{Phone: c.Phone, CreatedAt: t0, UpdatedAt: t0}, {UserID: "US.1", CreatedAt: t0, UpdatedAt: t0}} {
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertContact(ctx, &dup) }); err == nil {
			t.Fatalf("a duplicate contact was accepted: %+v", dup)
		}
	}
	// Contacts without a phone (BSUID only) coexist.
	update(t, s, func(tx store.Tx) error {
		for i := range 2 {
			k := domain.Contact{UserID: fmt.Sprint("US.x", i), CreatedAt: t0, UpdatedAt: t0}
			if err := tx.InsertContact(ctx, &k); err != nil {
				return err
			}
		}
		return nil
	})
	// Update, history, find by an old number.
	c.Phone, c.OptedOut, c.OptedOutAt, c.UpdatedAt = "+15551230002", true, ptr(at(time.Minute)), at(time.Minute)
	update(t, s, func(tx store.Tx) error {
		if err := tx.AddPhoneHistory(ctx, c.ID, "+15551230001", at(time.Minute)); err != nil {
			return err
		}
		return tx.UpdateContact(ctx, &c)
	})
	got, err := s.FindContactByPhone(ctx, "+15551230001")
	if err != nil || got.ID != c.ID || !got.OptedOut || got.OptedOutAt == nil {
		t.Fatalf("by old phone: %+v, %v", got, err)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteContact(ctx, c.ID) })
	if _, err := s.GetContact(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted contact: %v", err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.DeleteContact(ctx, c.ID) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

func testConversations(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230010")
	dup := newConv(f.account, f.contact.ID, t0)
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertConversation(ctx, &dup) }); err == nil {
		t.Fatal("a second conversation for the same account and contact was accepted")
	}
	c := f.conv
	c.Status, c.AssigneeID, c.Team = domain.StatusSnoozed, ptr(int64(7)), "sales"
	c.SnoozedUntil, c.WindowExpiresAt, c.LastInboundAt, c.LastOutboundAt = ptr(at(time.Hour)), ptr(at(24*time.Hour)), ptr(t0), ptr(at(time.Second))
	c.Unanswered, c.WaitingSince, c.UnreadCount = true, ptr(t0), 3
	c.LastMessage = &domain.MessagePreview{ID: 9, Direction: domain.Inbound, Type: "text", Preview: "hi", Status: domain.MsgReceived, At: t0}
	c.Referral = &domain.Referral{SourceURL: "https://fb.me/x", SourceType: "ad", CtwaClid: "abc"}
	c.LastActivityAt, c.UpdatedAt = at(time.Minute), at(time.Minute)
	update(t, s, func(tx store.Tx) error { return tx.UpdateConversation(ctx, &c, store.AllConversationFields) })
	update(t, s, func(tx store.Tx) error {
		got, err := tx.ConversationByContact(ctx, f.account, f.contact.ID)
		if err != nil {
			return err
		}
		if got.ID != c.ID || got.Status != domain.StatusSnoozed || *got.AssigneeID != 7 || got.Team != "sales" ||
			!got.SnoozedUntil.Equal(at(time.Hour)) || !got.WindowExpiresAt.Equal(at(24*time.Hour)) || !got.LastOutboundAt.Equal(at(time.Second)) ||
			!got.Unanswered || !got.WaitingSince.Equal(t0) || got.UnreadCount != 3 || got.LastMessage.Preview != "hi" ||
			got.Referral.CtwaClid != "abc" || !got.LastActivityAt.Equal(at(time.Minute)) {
			t.Fatalf("round trip: %+v", got)
		}
		ids, err := tx.ConversationIDsByContact(ctx, f.contact.ID)
		if err != nil || len(ids) != 1 || ids[0] != c.ID {
			t.Fatalf("ids by contact = %v, %v", ids, err)
		}
		due, err := tx.DueSnoozed(ctx, at(30*time.Minute), 10)
		if err != nil || len(due) != 0 {
			t.Fatalf("due early = %v, %v", due, err)
		}
		due, err = tx.DueSnoozed(ctx, at(time.Hour), 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due = %v, %v", due, err)
		}
		return nil
	})
	got, err := s.GetConversation(ctx, c.ID)
	if err != nil || got.Contact.Phone != "+15551230010" || got.Contact.Name != "Ana" {
		t.Fatalf("with contact: %+v, %v", got, err)
	}
	// Deleting the contact takes its conversations.
	update(t, s, func(tx store.Tx) error { return tx.DeleteContact(ctx, f.contact.ID) })
	if _, err := s.GetConversation(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("conversation of a deleted contact: %v", err)
	}
}

func testMessageDedupe(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230020")
	update(t, s, func(tx store.Tx) error {
		m := newMsg(f.conv.ID, f.account, "wamid.A", t0)
		ok, err := tx.InsertMessage(ctx, &m)
		if err != nil || !ok || m.ID == 0 {
			t.Fatalf("first insert: %v %v %d", ok, err, m.ID)
		}
		again := newMsg(f.conv.ID, f.account, "wamid.A", at(time.Hour))
		again.Preview = "changed"
		ok, err = tx.InsertMessage(ctx, &again)
		if err != nil || ok {
			t.Fatalf("duplicate insert: %v %v", ok, err)
		}
		// Outbound messages have no wamid until sent: many may wait.
		for range 2 {
			q := newMsg(f.conv.ID, f.account, "", t0)
			if ok, err := tx.InsertMessage(ctx, &q); err != nil || !ok {
				t.Fatalf("message without wamid: %v %v", ok, err)
			}
		}
		got, err := tx.MessageByWAMID(ctx, "wamid.A")
		if err != nil || got.Preview != "hi" {
			t.Fatalf("the duplicate changed the message: %+v, %v", got, err)
		}
		// A wamid learnt later (a send's answer) dedupes too.
		q := newMsg(f.conv.ID, f.account, "", t0)
		if _, err := tx.InsertMessage(ctx, &q); err != nil {
			return err
		}
		q.WAMID = "wamid.B"
		if err := tx.UpdateMessage(ctx, &q); err != nil {
			return err
		}
		late := newMsg(f.conv.ID, f.account, "wamid.B", t0)
		if ok, err := tx.InsertMessage(ctx, &late); err != nil || ok {
			t.Fatalf("insert of a wamid set by update: %v %v", ok, err)
		}
		if got, err := tx.MessageByWAMID(ctx, "wamid.B"); err != nil || got.ID != q.ID {
			t.Fatalf("by the updated wamid: %+v, %v", got, err)
		}
		if _, err := tx.MessageByWAMID(ctx, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("by no wamid: %v", err)
		}
		return nil
	})
}

func testMessageRoundTrip(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230030")
	m := newMsg(f.conv.ID, f.account, "", t0)
	m.Direction, m.Type, m.Status = domain.Outbound, "image", domain.MsgQueued
	m.Content = json.RawMessage(`{"link":"https://x/y.jpg","caption":"\u00e9t\u00e9"}`)
	m.ReplyTo, m.Forwarded, m.AuthorID, m.ContextWAMID, m.Hidden = ptr(int64(1)), true, ptr(int64(4)), "wamid.ctx", true
	m.Reactions = []domain.Reaction{{Emoji: "👍", From: "customer", At: t0}}
	update(t, s, func(tx store.Tx) error {
		if _, err := tx.InsertMessage(ctx, &m); err != nil {
			return err
		}
		m.WAMID, m.Status = "wamid.sent", domain.MsgFailed
		m.Error = &domain.MessageError{Code: 131026, Title: "Message undeliverable", Details: "x"}
		m.SentAt, m.DeliveredAt, m.ReadAt, m.UpdatedAt = ptr(at(1)), ptr(at(2)), ptr(at(3)), at(4)
		return tx.UpdateMessage(ctx, &m)
	})
	got, err := s.GetMessage(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.WAMID != "wamid.sent" || got.Status != domain.MsgFailed || got.Error.Code != 131026 || string(got.Content) != string(m.Content) ||
		*got.ReplyTo != 1 || !got.Forwarded || *got.AuthorID != 4 || len(got.Reactions) != 1 || got.Reactions[0].Emoji != "👍" ||
		!got.SentAt.Equal(at(1)) || !got.DeliveredAt.Equal(at(2)) || !got.ReadAt.Equal(at(3)) || !got.UpdatedAt.Equal(at(4)) {
		t.Fatalf("round trip: %+v", got)
	}
	update(t, s, func(tx store.Tx) error {
		sm, err := tx.MessageByID(ctx, m.ID)
		if err != nil || sm.ContextWAMID != "wamid.ctx" || !sm.Hidden {
			t.Fatalf("bookkeeping: %+v, %v", sm, err)
		}
		return nil
	})
	// A message without reactions answers an empty list, not null.
	plain := newMsg(f.conv.ID, f.account, "wamid.plain", t0)
	update(t, s, func(tx store.Tx) error { _, err := tx.InsertMessage(ctx, &plain); return err })
	p, _ := s.GetMessage(ctx, plain.ID)
	if p.Reactions == nil {
		t.Fatal("reactions is nil")
	}
}

func testIdempotencyKeys(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230040")
	m := newMsg(f.conv.ID, f.account, "", t0)
	m.IdempotencyKey, m.RequestHash = "k1", "h1"
	update(t, s, func(tx store.Tx) error { _, err := tx.InsertMessage(ctx, &m); return err })
	update(t, s, func(tx store.Tx) error {
		got, err := tx.MessageByIdempotencyKey(ctx, "k1")
		if err != nil || got.ID != m.ID || got.RequestHash != "h1" {
			t.Fatalf("by key: %+v, %v", got, err)
		}
		if _, err := tx.MessageByIdempotencyKey(ctx, "k2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown key: %v", err)
		}
		return nil
	})
	dup := newMsg(f.conv.ID, f.account, "", t0)
	dup.IdempotencyKey = "k1"
	if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.InsertMessage(ctx, &dup); return err }); err == nil {
		t.Fatal("a reused idempotency key was accepted")
	}
}

func testMarkReadAndMove(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230050")
	g := seed2(t, s, f.account, "+15551230051")
	var ids []int64
	update(t, s, func(tx store.Tx) error {
		for i := range 3 {
			m := newMsg(f.conv.ID, f.account, fmt.Sprint("wamid.r", i), at(time.Duration(i)*time.Second))
			if _, err := tx.InsertMessage(ctx, &m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		read, err := tx.MarkInboundRead(ctx, f.conv.ID, ids[1], at(time.Minute))
		if err != nil || len(read) != 2 {
			t.Fatalf("read = %v, %v", read, err)
		}
		if again, _ := tx.MarkInboundRead(ctx, f.conv.ID, ids[1], at(time.Minute)); len(again) != 0 {
			t.Fatalf("read twice = %v", again)
		}
		note := domain.Note{ConversationID: f.conv.ID, AuthorID: 1, Body: "vip", CreatedAt: t0}
		if err := tx.InsertNote(ctx, &note); err != nil {
			return err
		}
		return tx.MoveMessages(ctx, f.conv.ID, g.ID)
	})
	page, err := s.ListMessages(ctx, g.ID, store.PageRequest{})
	if err != nil || len(page.Items) != 3 || page.Items[2].Status != domain.MsgRead || page.Items[0].Status != domain.MsgReceived {
		t.Fatalf("moved = %+v, %v", page.Items, err)
	}
	notes, err := s.ListNotes(ctx, g.ID, store.PageRequest{})
	if err != nil || len(notes.Items) != 1 {
		t.Fatalf("moved notes = %+v, %v", notes, err)
	}
}

// seed2 adds a second contact with a conversation on account.
func seed2(t *testing.T, s store.Store, account, phone string) store.Conversation {
	t.Helper()
	var conv store.Conversation
	update(t, s, func(tx store.Tx) error {
		c := domain.Contact{Phone: phone, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertContact(ctx, &c); err != nil {
			return err
		}
		conv = newConv(account, c.ID, t0)
		return tx.InsertConversation(ctx, &conv)
	})
	return conv
}

func testParkedStatuses(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, st := range []domain.MessageStatus{domain.MsgSent, domain.MsgDelivered, domain.MsgSent} {
			p := store.ParkedStatus{WAMID: "wamid.P", Status: st, Timestamp: at(time.Duration(i)), ReceivedAt: t0,
				Raw: json.RawMessage(`{"id":"wamid.P"}`)}
			if st == domain.MsgDelivered {
				p.Error = &domain.MessageError{Code: 1}
			}
			if err := tx.ParkStatus(ctx, p); err != nil {
				return err
			}
		}
		return tx.ParkStatus(ctx, store.ParkedStatus{WAMID: "wamid.Q", Status: domain.MsgRead, Timestamp: t0, ReceivedAt: t0})
	})
	update(t, s, func(tx store.Tx) error {
		got, err := tx.TakeParkedStatuses(ctx, "wamid.P")
		if err != nil || len(got) != 2 || got[0].Status != domain.MsgSent || got[1].Status != domain.MsgDelivered || got[1].Error == nil {
			t.Fatalf("taken = %+v, %v", got, err)
		}
		if again, _ := tx.TakeParkedStatuses(ctx, "wamid.P"); len(again) != 0 {
			t.Fatalf("taken twice = %+v", again)
		}
		if q, _ := tx.TakeParkedStatuses(ctx, "wamid.Q"); len(q) != 1 {
			t.Fatalf("other wamid = %+v", q)
		}
		return nil
	})
}

func testRawWebhooks(t *testing.T, s store.Store) {
	var ids []int64
	update(t, s, func(tx store.Tx) error {
		for i, st := range []store.RawState{store.RawProcessed, store.RawFailed, store.RawProcessed} {
			w := store.RawWebhook{ReceivedAt: at(time.Duration(i) * time.Hour), Body: []byte(fmt.Sprintf(`{"n":%d}`, i)), Signature: "sha256=x", State: st}
			if err := tx.InsertRawWebhook(ctx, &w); err != nil {
				return err
			}
			ids = append(ids, w.ID)
		}
		return nil
	})
	failed, err := s.RawWebhooksInState(ctx, store.RawFailed, 10)
	if err != nil || len(failed) != 1 || string(failed[0].Body) != `{"n":1}` || failed[0].Signature != "sha256=x" {
		t.Fatalf("failed = %+v, %v", failed, err)
	}
	update(t, s, func(tx store.Tx) error {
		n, err := tx.PruneRawWebhooks(ctx, at(90*time.Minute), 10)
		if err != nil || n != 1 {
			t.Fatalf("pruned %d, %v (only processed bodies older than the cut go)", n, err)
		}
		return tx.SetRawWebhookState(ctx, ids[1], store.RawProcessed, "")
	})
	if failed, _ := s.RawWebhooksInState(ctx, store.RawFailed, 10); len(failed) != 0 {
		t.Fatalf("failed after reprocessing = %+v", failed)
	}
}

func testTemplates(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, tp := range []domain.Template{
			{ID: "1", WABAID: "w1", Name: "a", Language: "en_US", Status: "APPROVED", Components: json.RawMessage(`[{"type":"BODY","text":"hi"}]`), UpdatedAt: t0},
			{ID: "2", WABAID: "w1", Name: "a", Language: "es", Status: "PENDING", UpdatedAt: t0},
			{ID: "3", WABAID: "w2", Name: "b", Language: "en_US", Status: "APPROVED", UpdatedAt: t0},
		} {
			if err := tx.UpsertTemplate(ctx, &tp); err != nil {
				return err
			}
		}
		tp := domain.Template{ID: "1", WABAID: "w1", Name: "a", Language: "en_US", Status: "PAUSED", Quality: "RED", UpdatedAt: at(time.Hour)}
		return tx.UpsertTemplate(ctx, &tp)
	})
	got, err := s.GetTemplate(ctx, "w1", "a", "en_US")
	if err != nil || got.Status != "PAUSED" || got.Quality != "RED" || string(got.Components) != "[]" {
		t.Fatalf("upserted = %+v, %v", got, err)
	}
	update(t, s, func(tx store.Tx) error {
		byID, err := tx.TemplateByID(ctx, "3")
		if err != nil || byID.Name != "b" {
			t.Fatalf("by id = %+v, %v", byID, err)
		}
		of, err := tx.TemplatesOfWABA(ctx, "w1")
		if err != nil || len(of) != 2 {
			t.Fatalf("of waba = %+v, %v", of, err)
		}
		return tx.DeleteTemplate(ctx, "w1", "a", "es")
	})
	page, err := s.ListTemplates(ctx, store.TemplateFilter{PageRequest: store.PageRequest{Limit: 1}})
	if err != nil || len(page.Items) != 1 || !page.HasMore {
		t.Fatalf("page 1 = %+v, %v", page, err)
	}
	page2, err := s.ListTemplates(ctx, store.TemplateFilter{PageRequest: store.PageRequest{Limit: 1, Cursor: page.NextCursor}})
	if err != nil || len(page2.Items) != 1 || page2.HasMore || page2.Items[0].Name == page.Items[0].Name {
		t.Fatalf("page 2 = %+v, %v", page2, err)
	}
}

func testTemplateReview(t *testing.T, s store.Store) {
	disabled := at(2 * time.Hour)
	effective := at(48 * time.Hour)
	want := domain.Template{ID: "9", WABAID: "w1", Name: "promo", Language: "pt_BR", Status: "REJECTED", RejectedReason: "INVALID_FORMAT",
		RejectionInfo:  &domain.TemplateRejection{Reason: "Variables can't be next to each other.", Recommendation: "Add words between them."},
		StatusInfo:     &domain.TemplateStatusInfo{Title: "DISABLED", DisabledAt: &disabled},
		CategoryChange: &domain.TemplateCategoryChange{Pending: true, Current: "UTILITY", Correct: "MARKETING", EffectiveAt: &effective, At: at(time.Hour)},
		SubmitKey:      "user:1:abc", SubmitHash: "h1", UpdatedAt: t0}
	update(t, s, func(tx store.Tx) error { return tx.UpsertTemplate(ctx, &want) })
	update(t, s, func(tx store.Tx) error {
		got, err := tx.TemplateBySubmitKey(ctx, "user:1:abc")
		if err != nil {
			return err
		}
		if got.SubmitHash != "h1" || *got.RejectionInfo != *want.RejectionInfo || !got.StatusInfo.DisabledAt.Equal(disabled) ||
			got.CategoryChange.Correct != "MARKETING" || !got.CategoryChange.EffectiveAt.Equal(effective) || !got.CategoryChange.Pending {
			return fmt.Errorf("TemplateBySubmitKey = %+v", got)
		}
		if _, err := tx.TemplateBySubmitKey(ctx, ""); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TemplateBySubmitKey(\"\") = %v", err)
		}
		if _, err := tx.TemplateBySubmitKey(ctx, "user:1:other"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TemplateBySubmitKey(other) = %v", err)
		}
		// Clearing the details clears them.
		got.RejectionInfo, got.StatusInfo, got.CategoryChange, got.Status = nil, nil, nil, "APPROVED"
		return tx.UpsertTemplate(ctx, &got)
	})
	got, err := s.GetTemplate(ctx, "w1", "promo", "pt_BR")
	if err != nil || got.RejectionInfo != nil || got.StatusInfo != nil || got.CategoryChange != nil || got.SubmitKey != "user:1:abc" {
		t.Fatalf("cleared = %+v, %v", got, err)
	}
}

func testNotes(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230060")
	update(t, s, func(tx store.Tx) error {
		for i := range 5 {
			n := domain.Note{ConversationID: f.conv.ID, AuthorID: 2, Body: fmt.Sprint("note ", i), CreatedAt: at(time.Duration(i))}
			if err := tx.InsertNote(ctx, &n); err != nil {
				return err
			}
		}
		return nil
	})
	var bodies []string
	cursor := ""
	for {
		page, err := s.ListNotes(ctx, f.conv.ID, store.PageRequest{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Items {
			bodies = append(bodies, n.Body)
		}
		if !page.HasMore {
			break
		}
		cursor = page.NextCursor
	}
	if fmt.Sprint(bodies) != "[note 4 note 3 note 2 note 1 note 0]" {
		t.Fatalf("notes = %v", bodies)
	}
}

func testCounters(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230070")
	g := seed2(t, s, f.account, "+15551230071")
	update(t, s, func(tx store.Tx) error {
		for _, c := range []*store.Conversation{&f.conv, &g} {
			c.Unanswered = true
		}
		f.conv.WaitingSince, g.WaitingSince = ptr(at(time.Hour)), ptr(at(time.Minute))
		g.Status = domain.StatusClosed // closed ones are not waiting
		for _, c := range []*store.Conversation{&f.conv, &g} {
			if err := tx.UpdateConversation(ctx, c, store.AllConversationFields); err != nil {
				return err
			}
		}
		return tx.AddCounters(ctx, map[string]int64{store.CounterTotal: 2, store.CounterUnassigned: 1, store.CounterAgent + "5": 1, store.CounterTeam + "sales": 1})
	})
	update(t, s, func(tx store.Tx) error {
		return tx.AddCounters(ctx, map[string]int64{store.CounterTotal: -1, store.CounterAgent + "5": -1})
	})
	got, err := s.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 1 || got.Unassigned != 1 || len(got.ByAgent) != 0 || got.ByTeam["sales"] != 1 ||
		got.OldestWaitingSince == nil || !got.OldestWaitingSince.Equal(at(time.Hour)) {
		t.Fatalf("counters = %+v (oldest %v)", got, got.OldestWaitingSince)
	}
	update(t, s, func(tx store.Tx) error {
		in, err := tx.CountersTx(ctx)
		if err != nil || in.Total != got.Total || !in.OldestWaitingSince.Equal(*got.OldestWaitingSince) {
			t.Fatalf("counters in tx = %+v, %v", in, err)
		}
		return nil
	})
}

func testEvents(t *testing.T, s store.Store) {
	var last int64
	appendN := func(n int, when time.Time) {
		update(t, s, func(tx store.Tx) error {
			for range n {
				e := domain.Event{Type: domain.EventMessageCreated, ConversationID: 3, AssigneeID: ptr(int64(2)), At: when, Data: json.RawMessage(`{"id":1}`)}
				if err := tx.AppendEvent(ctx, &e); err != nil {
					return err
				}
				if e.Seq <= last {
					t.Fatalf("seq %d after %d", e.Seq, last)
				}
				last = e.Seq
			}
			return nil
		})
	}
	appendN(5, t0)
	appendN(5, at(time.Hour))
	evs, err := s.EventsSince(ctx, 3, 4)
	if err != nil || len(evs) != 4 || evs[0].Seq != 4 || *evs[0].AssigneeID != 2 || evs[0].ConversationID != 3 || string(evs[0].Data) != `{"id":1}` {
		t.Fatalf("since 3 = %+v, %v", evs, err)
	}
	if evs[0].AccountUnconfigured {
		t.Fatal("an event is flagged as about an unconfigured number")
	}
	update(t, s, func(tx store.Tx) error {
		n, err := tx.PruneEvents(ctx, 0, at(30*time.Minute), 100) // by age
		if err != nil || n != 5 {
			t.Fatalf("pruned by age %d, %v", n, err)
		}
		n, err = tx.PruneEvents(ctx, last, time.Time{}, 100) // everything: the newest stays
		if err != nil || n != 4 {
			t.Fatalf("pruned by seq %d, %v", n, err)
		}
		return nil
	})
	oldest, newest, err := s.EventBounds(ctx)
	if err != nil || oldest != last || newest != last {
		t.Fatalf("bounds = %d..%d, %v", oldest, newest, err)
	}
	prev := last
	appendN(1, at(2*time.Hour))
	if last != prev+1 {
		t.Fatalf("seq after pruning = %d, want %d", last, prev+1)
	}
	update(t, s, func(tx store.Tx) error {
		e := domain.Event{Type: domain.EventAccountUpdated, At: t0, Data: json.RawMessage(`{}`), AccountUnconfigured: true}
		return tx.AppendEvent(ctx, &e)
	})
	if evs, err := s.EventsSince(ctx, last, 1); err != nil || len(evs) != 1 || !evs[0].AccountUnconfigured {
		t.Fatalf("the unconfigured flag did not round-trip: %+v, %v", evs, err)
	}
}

func testQueue(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230080")
	var ids []int64
	update(t, s, func(tx store.Tx) error {
		for i := range 3 {
			m := newMsg(f.conv.ID, f.account, "", t0)
			if _, err := tx.InsertMessage(ctx, &m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
			if err := tx.Enqueue(ctx, store.QueueItem{MessageID: m.ID, AccountID: f.account, Recipient: fmt.Sprint("r", i),
				Payload: json.RawMessage(`{"type":"text"}`), EnqueuedAt: t0}); err != nil {
				return err
			}
		}
		if err := tx.SetQueueAttempts(ctx, ids[0], 4); err != nil {
			return err
		}
		return tx.Dequeue(ctx, ids[1])
	})
	q, err := s.QueuedSends(ctx)
	if err != nil || len(q) != 2 || q[0].MessageID != ids[0] || q[0].Attempts != 4 || string(q[0].Payload) != `{"type":"text"}` || q[1].Recipient != "r2" {
		t.Fatalf("queue = %+v, %v", q, err)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteConversation(ctx, f.conv.ID) })
	if q, _ := s.QueuedSends(ctx); len(q) != 0 {
		t.Fatalf("queue after the conversation was deleted = %+v", q)
	}
}

func testRollback(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		c := domain.Contact{Phone: "+15551230090", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertContact(ctx, &c); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, err := s.FindContactByPhone(ctx, "+15551230090"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a rolled-back contact exists: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		keep := domain.Contact{Phone: "+15551230091", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertContact(ctx, &keep); err != nil {
			return err
		}
		if err := tx.Savepoint(); err != nil {
			return err
		}
		undone := domain.Contact{Phone: "+15551230092", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertContact(ctx, &undone); err != nil {
			return err
		}
		if err := tx.RollbackSavepoint(); err != nil {
			return err
		}
		if err := tx.Savepoint(); err != nil {
			return err
		}
		kept := domain.Contact{Phone: "+15551230093", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertContact(ctx, &kept); err != nil {
			return err
		}
		return tx.ReleaseSavepoint()
	})
	for phone, want := range map[string]bool{"+15551230091": true, "+15551230092": false, "+15551230093": true} {
		_, err := s.FindContactByPhone(ctx, phone)
		if (err == nil) != want {
			t.Fatalf("%s present = %v, want %v", phone, err == nil, want)
		}
	}
}

func testListConversations(t *testing.T, s store.Store) {
	const n = 7
	f := seed(t, s, "+15551231000")
	convs := []store.Conversation{f.conv}
	for i := 1; i < n; i++ {
		convs = append(convs, seed2(t, s, f.account, fmt.Sprintf("+1555123100%d", i)))
	}
	update(t, s, func(tx store.Tx) error {
		for i := range convs {
			c := &convs[i]
			c.LastActivityAt = at(time.Duration(i%3) * time.Minute) // ties on purpose
			if i%2 == 0 {
				c.AssigneeID = ptr(int64(1))
			}
			if i%3 == 0 {
				c.Team, c.Unanswered, c.Status = "sales", true, domain.StatusPending
			}
			if err := tx.UpdateConversation(ctx, c, store.AllConversationFields); err != nil {
				return err
			}
		}
		return nil
	})
	all := listAll(t, func(cursor string) (store.Page[domain.Conversation], error) {
		return s.ListConversations(ctx, store.ConversationFilter{PageRequest: store.PageRequest{Limit: 2, Cursor: cursor}})
	})
	if len(all) != n {
		t.Fatalf("paged %d conversations, want %d", len(all), n)
	}
	seen := map[int64]bool{}
	for i, c := range all {
		if seen[c.ID] {
			t.Fatalf("conversation %d listed twice", c.ID)
		}
		seen[c.ID] = true
		if i > 0 && (c.LastActivityAt.After(all[i-1].LastActivityAt) ||
			(c.LastActivityAt.Equal(all[i-1].LastActivityAt) && c.ID > all[i-1].ID)) {
			t.Fatal("not newest activity first")
		}
	}
	count := func(f store.ConversationFilter) int {
		f.Limit = 100
		p, err := s.ListConversations(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	yes := true
	cases := []struct {
		name string
		f    store.ConversationFilter
		want int
	}{
		{"assigned to 1", store.ConversationFilter{AssigneeID: ptr(int64(1))}, 4},
		{"unassigned", store.ConversationFilter{Unassigned: true}, 3},
		{"visible to 2 (theirs and unassigned)", store.ConversationFilter{AssigneeID: ptr(int64(2)), Unassigned: true}, 3},
		{"team", store.ConversationFilter{Team: "sales"}, 3},
		{"unanswered", store.ConversationFilter{Unanswered: &yes}, 3},
		{"pending", store.ConversationFilter{Statuses: []domain.ConversationStatus{domain.StatusPending}}, 3},
		{"open or closed", store.ConversationFilter{Statuses: []domain.ConversationStatus{domain.StatusOpen, domain.StatusClosed}}, 4},
		{"account", store.ConversationFilter{AccountID: "other"}, 0},
		{"contact", store.ConversationFilter{ContactID: f.contact.ID}, 1},
		{"excluding its account", store.ConversationFilter{ExcludeAccountIDs: []string{"other", f.account}}, 0},
		{"excluding other accounts", store.ConversationFilter{ExcludeAccountIDs: []string{"other"}}, n},
	}
	for _, c := range cases {
		if got := count(c.f); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func listAll[T any](t *testing.T, page func(cursor string) (store.Page[T], error)) []T {
	t.Helper()
	var out []T
	cursor := ""
	for range 1000 {
		p, err := page(cursor)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if !p.HasMore {
			return out
		}
		if p.NextCursor == "" {
			t.Fatal("has_more without a cursor")
		}
		cursor = p.NextCursor
	}
	t.Fatal("pagination does not end")
	return nil
}

func testListMessages(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551232000")
	update(t, s, func(tx store.Tx) error {
		for i := range 9 {
			m := newMsg(f.conv.ID, f.account, fmt.Sprint("wamid.L", i), at(time.Duration(i/2)*time.Minute)) // ties
			if i%3 == 0 {
				m.Direction, m.Status, m.Type = domain.Outbound, domain.MsgDelivered, "template"
			}
			if i == 8 {
				m.Hidden, m.Type = true, "reaction"
			}
			if _, err := tx.InsertMessage(ctx, &m); err != nil {
				return err
			}
		}
		return nil
	})
	visible := listAll(t, func(cursor string) (store.Page[domain.Message], error) {
		return s.ListMessages(ctx, f.conv.ID, store.PageRequest{Limit: 3, Cursor: cursor})
	})
	if len(visible) != 8 {
		t.Fatalf("visible messages = %d, want 8 (reactions hidden)", len(visible))
	}
	for i := 1; i < len(visible); i++ {
		if visible[i].Timestamp.After(visible[i-1].Timestamp) {
			t.Fatal("not newest first")
		}
	}
	q := func(f store.MessageFilter) int {
		f.Limit = 100
		p, err := s.QueryMessages(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	since, until := at(time.Minute), at(3*time.Minute)
	cases := []struct {
		name string
		f    store.MessageFilter
		want int
	}{
		{"all, reactions included", store.MessageFilter{}, 9},
		{"contact", store.MessageFilter{ContactID: f.contact.ID}, 9},
		{"other contact", store.MessageFilter{ContactID: f.contact.ID + 100}, 0},
		{"outbound", store.MessageFilter{Direction: domain.Outbound}, 3},
		{"delivered", store.MessageFilter{Status: domain.MsgDelivered}, 3},
		{"type", store.MessageFilter{Type: "template"}, 3},
		{"since (inclusive) until (exclusive)", store.MessageFilter{Since: &since, Until: &until}, 4},
		{"excluding their account", store.MessageFilter{ExcludeAccountIDs: []string{f.account}}, 0},
		{"excluding other accounts", store.MessageFilter{ExcludeAccountIDs: []string{"x", "y"}}, 9},
	}
	for _, c := range cases {
		if got := q(c.f); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func testListContacts(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, name := range []string{"Ana", "Bruno", "Anabel", "Carla", "100% real_name"} {
			c := domain.Contact{Phone: fmt.Sprintf("+1555123300%d", i), Name: name, OptedOut: i == 3, CreatedAt: t0, UpdatedAt: t0}
			if err := tx.InsertContact(ctx, &c); err != nil {
				return err
			}
		}
		return nil
	})
	all := listAll(t, func(cursor string) (store.Page[domain.Contact], error) {
		return s.ListContacts(ctx, store.ContactFilter{PageRequest: store.PageRequest{Limit: 2, Cursor: cursor}})
	})
	if len(all) != 5 {
		t.Fatalf("contacts = %d", len(all))
	}
	yes := true
	for name, c := range map[string]struct {
		f    store.ContactFilter
		want int
	}{
		"name prefix":           {store.ContactFilter{Query: "Ana"}, 2},
		"phone prefix":          {store.ContactFilter{Query: "+15551233002"}, 1},
		"wildcards are literal": {store.ContactFilter{Query: "100%"}, 1},
		"underscore is literal": {store.ContactFilter{Query: "_"}, 0},
		"opted out":             {store.ContactFilter{OptedOut: &yes}, 1},
	} {
		c.f.Limit = 100
		p, err := s.ListContacts(ctx, c.f)
		if err != nil || len(p.Items) != c.want {
			t.Errorf("%s: %d, %v; want %d", name, len(p.Items), err, c.want)
		}
	}
}

func testBadCursor(t *testing.T, s store.Store) {
	for name, fn := range map[string]func() error{
		"conversations": func() error {
			_, err := s.ListConversations(ctx, store.ConversationFilter{PageRequest: store.PageRequest{Cursor: "not-ours"}})
			return err
		},
		"messages": func() error {
			_, err := s.ListMessages(ctx, 1, store.PageRequest{Cursor: "%%%"})
			return err
		},
		"contacts": func() error {
			_, err := s.ListContacts(ctx, store.ContactFilter{PageRequest: store.PageRequest{Cursor: "eA"}})
			return err
		},
	} {
		if err := fn(); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("%s: %v, want ErrBadCursor", name, err)
		}
	}
}
