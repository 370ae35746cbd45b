package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/testkit"
	"switchboard/backend/whatsapp"
)

func TestEventsResumeAndResync(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *Config) { c.EventRetention = 5 })
	wake, cancel := e.svc.Subscribe()
	defer cancel()
	e.ingest(inbound("16505556001", "A", textMsg(newWAMID(), e.clock.Now(), "one")))
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up after a commit with events")
	}
	evs, err := e.svc.EventsSince(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, ev := range evs {
		types[ev.Type]++
	}
	// A first message creates the contact, the message, the conversation
	// and moves the counters (the account's event came at start).
	for _, want := range []string{domain.EventContactUpdated, domain.EventMessageCreated, domain.EventConversationUpdated, domain.EventCountersUpdated} {
		if types[want] != 1 {
			t.Fatalf("events = %v, want one %s", types, want)
		}
	}
	last := evs[len(evs)-1].Seq
	if last != e.svc.LastSeq() {
		t.Fatalf("last seq %d != LastSeq %d", last, e.svc.LastSeq())
	}
	// Resume from the middle.
	mid, err := e.svc.EventsSince(ctx, evs[1].Seq, 2)
	if err != nil || len(mid) != 2 || mid[0].Seq != evs[2].Seq {
		t.Fatalf("resume = %+v, %v", mid, err)
	}
	// Nothing new: an empty page, not an error.
	if none, err := e.svc.EventsSince(ctx, last, 10); err != nil || len(none) != 0 {
		t.Fatalf("at the head = %+v, %v", none, err)
	}
	// Retention keeps 5 events: a client at 0 must resync.
	for i := range 5 {
		e.ingest(inbound("16505556001", "A", textMsg(newWAMID(), e.clock.Now(), fmt.Sprint("more ", i))))
	}
	if err := e.svc.prune(ctx); err != nil {
		t.Fatal(err)
	}
	oldest, newest, _ := e.svc.EventBounds(ctx)
	if newest-oldest+1 > 5 || newest != e.svc.LastSeq() {
		t.Fatalf("bounds %d..%d after pruning to 5", oldest, newest)
	}
	if _, err := e.svc.EventsSince(ctx, 0, 10); apierr.CodeOf(err) != apierr.ResyncRequired {
		t.Fatalf("behind the log: %v", err)
	}
	if _, err := e.svc.EventsSince(ctx, oldest-1, 10); err != nil {
		t.Fatalf("right at the edge: %v", err)
	}
}

func TestConversationUpdatesEmitEventsWithAssignees(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.ingest(inbound("16505556010", "B", textMsg(newWAMID(), e.clock.Now(), "hi")))
	c := e.onlyConversation()
	seq := e.svc.LastSeq()
	var u ConversationUpdate
	if err := json.Unmarshal([]byte(`{"assignee_id": 12, "team": "support", "status": "pending"}`), &u); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.UpdateConversation(ctx, c.ID, u)
	if err != nil || *got.AssigneeID != 12 || got.Team != "support" || got.Status != domain.StatusPending || got.Contact.Phone == "" {
		t.Fatalf("updated = %+v, %v", got, err)
	}
	evs, _ := e.svc.EventsSince(ctx, seq, 10)
	var conv, counters int
	for _, ev := range evs {
		switch ev.Type {
		case domain.EventConversationUpdated:
			conv++
			if ev.AssigneeID == nil || *ev.AssigneeID != 12 || ev.PrevAssigneeID == nil || *ev.PrevAssigneeID != 0 {
				t.Fatalf("assignee hints = %v / %v", ev.AssigneeID, ev.PrevAssigneeID)
			}
		case domain.EventCountersUpdated:
			counters++
			var cnt domain.Counters
			json.Unmarshal(ev.Data, &cnt)
			if cnt.ByAgent["12"] != 1 || cnt.ByTeam["support"] != 1 || cnt.Unassigned != 0 {
				t.Fatalf("counters event = %s", ev.Data)
			}
		}
	}
	if conv != 1 || counters != 1 {
		t.Fatalf("events = %+v", evs)
	}
	// null unassigns; an absent field leaves it alone.
	if err := json.Unmarshal([]byte(`{"team": "sales"}`), &u); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.UpdateConversation(ctx, c.ID, u); got.AssigneeID == nil || *got.AssigneeID != 12 {
		t.Fatalf("absent assignee_id changed it: %v", got.AssigneeID)
	}
	if err := json.Unmarshal([]byte(`{"assignee_id": null}`), &u); err != nil || !u.Unassign {
		t.Fatalf("null: %+v, %v", u, err)
	}
	if got, _ := e.svc.UpdateConversation(ctx, c.ID, u); got.AssigneeID != nil {
		t.Fatalf("null did not unassign: %v", got.AssigneeID)
	}
	if err := json.Unmarshal([]byte(`{"assignee": 1}`), &u); err == nil {
		t.Fatal("an unknown field was accepted")
	}
	for name, bad := range map[string]ConversationUpdate{
		"status":   {Status: ptrTo(domain.ConversationStatus("archived"))},
		"assignee": {AssigneeID: ptrTo(int64(-1))},
		"team":     {Team: ptrTo(" padded ")},
	} {
		if _, err := e.svc.UpdateConversation(ctx, c.ID, bad); apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := e.svc.UpdateConversation(ctx, 999, ConversationUpdate{Team: ptrTo("x")}); apierr.CodeOf(err) != apierr.NotFound {
		t.Fatalf("unknown conversation: %v", err)
	}
	checkCounters(t, e)
}

func ptrTo[T any](v T) *T { return &v }

func TestListsAndDetail(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for i := range 3 {
		e.clock.Advance(time.Minute)
		e.ingest(inbound("1650555602"+strconv.Itoa(i), "C", textMsg(newWAMID(), e.clock.Now(), "hi")))
	}
	convs := e.conversations()
	if len(convs) != 3 || convs[0].Contact.Phone != "+16505556022" {
		t.Fatalf("not newest activity first: %+v", convs)
	}
	agent := int64(5)
	if _, err := e.svc.UpdateConversation(ctx, convs[0].ID, ConversationUpdate{AssigneeID: &agent}); err != nil {
		t.Fatal(err)
	}
	other := int64(6)
	if _, err := e.svc.UpdateConversation(ctx, convs[1].ID, ConversationUpdate{AssigneeID: &other}); err != nil {
		t.Fatal(err)
	}
	visible, err := e.svc.ListConversations(ctx, ConversationQuery{VisibleTo: &agent})
	if err != nil || len(visible.Items) != 2 {
		t.Fatalf("visible to agent 5 = %d, %v", len(visible.Items), err)
	}
	byPhone, err := e.svc.ListConversations(ctx, ConversationQuery{Phone: "+1 650-555-6021"})
	if err != nil || len(byPhone.Items) != 1 || byPhone.Items[0].ID != convs[1].ID {
		t.Fatalf("by phone = %+v, %v", byPhone, err)
	}
	if _, err := e.svc.ListConversations(ctx, ConversationQuery{PageRequest: PageRequest{Limit: 101}}); apierr.CodeOf(err) != apierr.InvalidRequest {
		t.Fatalf("limit 101: %v", err)
	}
	if _, err := e.svc.ListConversations(ctx, ConversationQuery{PageRequest: PageRequest{Cursor: "junk"}}); apierr.CodeOf(err) != apierr.InvalidRequest {
		t.Fatalf("junk cursor: %v", err)
	}
	// Detail: the 50 most recent messages and a cursor to older ones.
	for i := range 60 {
		e.clock.Advance(time.Second)
		e.ingest(inbound("16505556020", "C", textMsg(newWAMID(), e.clock.Now(), fmt.Sprint("m", i))))
	}
	d, err := e.svc.GetConversation(ctx, convs[2].ID)
	if err != nil || len(d.Messages) != RecentMessages || !d.MessagesHasMore || d.Messages[0].Preview != "m59" {
		t.Fatalf("detail: %d messages, more %v, first %q, %v", len(d.Messages), d.MessagesHasMore, d.Messages[0].Preview, err)
	}
	older, err := e.svc.ListMessages(ctx, d.ID, PageRequest{Cursor: d.MessagesNextCursor, Limit: 100})
	if err != nil || len(older.Items) != 11 || older.HasMore {
		t.Fatalf("older = %d, more %v, %v", len(older.Items), older.HasMore, err)
	}
	if _, err := e.svc.GetConversation(ctx, 999); apierr.CodeOf(err) != apierr.NotFound {
		t.Fatalf("unknown: %v", err)
	}
	// External lookups by phone and date.
	since := e.clock.Now().Add(-30 * time.Second)
	q, err := e.svc.QueryMessages(ctx, MessageQuery{Phone: "16505556020", Since: &since, Direction: domain.Inbound})
	if err != nil || len(q.Items) != 25 || !q.HasMore {
		t.Fatalf("query = %d, %v", len(q.Items), err)
	}
	if q, _ := e.svc.QueryMessages(ctx, MessageQuery{Phone: "+14155550199"}); len(q.Items) != 0 {
		t.Fatal("an unknown number matched messages")
	}
	if _, err := e.svc.QueryMessages(ctx, MessageQuery{Direction: "sideways"}); apierr.CodeOf(err) != apierr.InvalidRequest {
		t.Fatalf("bad direction: %v", err)
	}
}

func TestNotes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.ingest(inbound("16505556030", "D", textMsg(newWAMID(), e.clock.Now(), "hi")))
	c := e.onlyConversation()
	n, err := e.svc.AddNote(ctx, c.ID, 3, "VIP: <b>handle with care</b>")
	if err != nil || n.ID == 0 || n.AuthorID != 3 {
		t.Fatalf("note = %+v, %v", n, err)
	}
	if _, err := e.svc.AddNote(ctx, c.ID, 3, "   "); apierr.CodeOf(err) != apierr.ValidationFailed {
		t.Fatalf("empty note: %v", err)
	}
	if _, err := e.svc.AddNote(ctx, 999, 3, "x"); apierr.CodeOf(err) != apierr.NotFound {
		t.Fatalf("unknown conversation: %v", err)
	}
	notes, err := e.svc.ListNotes(ctx, c.ID, PageRequest{})
	if err != nil || len(notes.Items) != 1 || notes.Items[0].Body != n.Body {
		t.Fatalf("notes = %+v, %v", notes, err)
	}
	// Notes never reach the customer or the thread.
	if len(e.messages(c.ID)) != 1 {
		t.Fatal("a note became a message")
	}
	evs, _ := e.svc.EventsSince(ctx, 0, 100)
	if evs[len(evs)-1].Type != domain.EventNoteCreated || evs[len(evs)-1].ConversationID != c.ID {
		t.Fatalf("last event = %+v", evs[len(evs)-1])
	}
}

func TestContactsAPI(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	name := "Dana"
	c, created, err := e.svc.UpsertContact(ctx, ContactInput{Phone: "+1 (650) 555-6040", Name: &name, Attributes: map[string]string{"crm_id": "42"}})
	if err != nil || !created || c.Phone != "+16505556040" || c.Attributes["crm_id"] != "42" {
		t.Fatalf("created = %+v, %v, %v", c, created, err)
	}
	// Upsert by phone in another format finds the same contact.
	name2 := "Dana S."
	c2, created, err := e.svc.UpsertContact(ctx, ContactInput{Phone: "16505556040", Name: &name2})
	if err != nil || created || c2.ID != c.ID || c2.Name != "Dana S." || c2.Attributes["crm_id"] != "42" {
		t.Fatalf("upserted = %+v, %v, %v", c2, created, err)
	}
	// The customer's profile name does not overwrite an agent's rename.
	e.ingest(inbound("16505556040", "dana_wa", textMsg(newWAMID(), e.clock.Now(), "hi")))
	got, _ := e.svc.GetContact(ctx, c.ID)
	if got.Name != "Dana S." || got.ProfileName != "dana_wa" {
		t.Fatalf("after a message = %+v", got)
	}
	// Changing the number by id; refusing one that is taken.
	other, _, _ := e.svc.UpsertContact(ctx, ContactInput{Phone: "+16505556041"})
	if _, _, err := e.svc.UpsertContact(ctx, ContactInput{ID: c.ID, Phone: "+16505556041"}); apierr.CodeOf(err) != apierr.Conflict {
		t.Fatalf("taken number: %v", err)
	}
	moved, _, err := e.svc.UpsertContact(ctx, ContactInput{ID: c.ID, Phone: "+16505556042"})
	if err != nil || moved.Phone != "+16505556042" {
		t.Fatalf("moved = %+v, %v", moved, err)
	}
	if found, err := e.svc.FindContact(ctx, "+16505556040"); err != nil || found.ID != c.ID {
		t.Fatalf("by the old number = %+v, %v", found, err)
	}
	for name, in := range map[string]ContactInput{
		"nothing":   {},
		"bad phone": {Phone: "12"},
		"unknown":   {ID: 999},
		"too many":  {Phone: "+16505556043", Attributes: manyAttrs(51)},
	} {
		if _, _, err := e.svc.UpsertContact(ctx, in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	list, err := e.svc.ListContacts(ctx, ContactQuery{Query: "Dana"})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("search = %+v, %v", list, err)
	}
	// Deleting a contact erases their conversations and messages.
	conv := e.onlyConversation()
	if err := e.svc.DeleteContact(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetConversation(ctx, conv.ID); apierr.CodeOf(err) != apierr.NotFound {
		t.Fatalf("conversation of an erased contact: %v", err)
	}
	if n := e.count("messages"); n != 0 {
		t.Fatalf("messages left = %d", n)
	}
	if err := e.svc.DeleteContact(ctx, c.ID); apierr.CodeOf(err) != apierr.NotFound {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := e.svc.GetContact(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	checkCounters(t, e)
}

func manyAttrs(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprint("k", i)] = "v"
	}
	return m
}

// fromNumber moves an inbound body to another business number.
func fromNumber(body map[string]any, phoneNumberID, display string) map[string]any {
	change := body["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)
	change["value"].(map[string]any)["metadata"] = map[string]any{"display_phone_number": display, "phone_number_id": phoneNumberID}
	return body
}

// A webhook for a number the hub was not configured for (Meta sends one for
// every number subscribed to the app) keeps its messages, flagged and left
// out of what non-admins list, and adds the number unconfigured: the
// defaults keep working, nothing is sent from it, and so it stays across a
// restart until the number is configured.
func TestUnconfiguredNumberKeepsMessagesButNeverSends(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	const other = "999000"
	e.ingest(fromNumber(inbound("16505556050", "E", textMsg(newWAMID(), e.clock.Now(), "to the other number")), other, "15550009999"))
	e.ingest(inbound("16505556051", "F", textMsg(newWAMID(), e.clock.Now(), "to ours")))

	check := func(t *testing.T, s *Service) {
		t.Helper()
		accts, err := s.ListAccounts(ctx)
		if err != nil || len(accts) != 2 {
			t.Fatalf("accounts = %+v, %v", accts, err)
		}
		for _, a := range accts {
			if a.Configured != (a.ID == testAccount) {
				t.Errorf("account %s configured = %v", a.ID, a.Configured)
			}
		}
		all, err := s.ListConversations(ctx, ConversationQuery{})
		if err != nil || len(all.Items) != 2 {
			t.Fatalf("conversations = %+v, %v", all.Items, err)
		}
		var theirs domain.Conversation
		for _, c := range all.Items {
			if c.AccountUnconfigured != (c.AccountID == other) {
				t.Errorf("conversation on %s flagged %v", c.AccountID, c.AccountUnconfigured)
			}
			if c.AccountID == other {
				theirs = c
			}
		}
		visible, _ := s.ListConversations(ctx, ConversationQuery{ConfiguredOnly: true})
		if len(visible.Items) != 1 || visible.Items[0].AccountID != testAccount {
			t.Errorf("configured numbers' conversations = %+v", visible.Items)
		}
		detail, err := s.GetConversation(ctx, theirs.ID)
		if err != nil || !detail.AccountUnconfigured || len(detail.Messages) != 1 || !detail.Messages[0].AccountUnconfigured {
			t.Errorf("the unconfigured number's conversation = %+v, %v", detail, err)
		}
		msgs, _ := s.QueryMessages(ctx, MessageQuery{ConfiguredOnly: true})
		if len(msgs.Items) == 0 {
			t.Error("no messages of the configured number")
		}
		for _, m := range msgs.Items {
			if m.AccountID != testAccount || m.AccountUnconfigured {
				t.Errorf("configured numbers' messages include %+v", m)
			}
		}

		// The default is still the one configured number.
		m, err := s.Send(ctx, SendRequest{To: "+16505556051", Type: "text", Text: json.RawMessage(`{"body":"hello"}`)})
		if err != nil || m.AccountID != testAccount {
			t.Fatalf("a send without account_id: %+v, %v", m, err)
		}
		a, err := s.ResolveAccount("")
		if err != nil || a.ID != testAccount {
			t.Errorf("default account %+v, %v", a, err)
		}
		if waba, acct, err := s.wabaOf(""); err != nil || waba != testWABA || acct != testAccount {
			t.Errorf("default templates' account %s/%s, %v", waba, acct, err)
		}
		// Nothing goes out from the other number, by id or by conversation.
		before := e.count("messages")
		for _, req := range []SendRequest{
			{To: "+16505556050", AccountID: other, Type: "text", Text: json.RawMessage(`{"body":"x"}`)},
			{ConversationID: theirs.ID, Type: "text", Text: json.RawMessage(`{"body":"x"}`)},
		} {
			if _, err := s.Send(ctx, req); apierr.CodeOf(err) != apierr.ValidationFailed || apierr.As(err).Field != "account_id" {
				t.Errorf("a send from the unconfigured number: %v", err)
			}
		}
		if _, _, err := s.wabaOf(other); apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Errorf("templates of the unconfigured number: %v", err)
		}
		if e.count("messages") != before {
			t.Error("a refused send stored a message")
		}
	}
	check(t, e.svc)

	evs, err := e.svc.EventsSince(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	flagged := map[string]int{}
	for _, ev := range evs {
		if ev.AccountUnconfigured {
			flagged[ev.Type]++
			if !strings.Contains(string(ev.Data), other) {
				t.Errorf("%s flagged but not about %s: %s", ev.Type, other, ev.Data)
			}
		} else if strings.Contains(string(ev.Data), `"account_id":"`+other+`"`) {
			t.Errorf("%s about %s is not flagged", ev.Type, other)
		}
	}
	for _, typ := range []string{domain.EventAccountUpdated, domain.EventMessageCreated, domain.EventConversationUpdated} {
		if flagged[typ] == 0 {
			t.Errorf("no %s flagged as about the unconfigured number (%v)", typ, flagged)
		}
	}

	e.reopen()
	check(t, e.current())
}

// Configuring a number that had only appeared in webhooks makes it
// sendable; with two configured numbers a send must say which.
func TestConfiguringANumberMakesItSendable(t *testing.T) {
	ctx := context.Background()
	const other = "999000"
	e := newEnv(t)
	e.ingest(fromNumber(inbound("16505556050", "E", textMsg(newWAMID(), e.clock.Now(), "hi")), other, "15550009999"))
	e.cfg.Accounts = append(e.cfg.Accounts, domain.Account{ID: other, WABAID: testWABA, DisplayPhoneNumber: "15550009999"})
	e.reopen()
	s := e.current()
	conv := e.conversations()[0]
	if conv.AccountUnconfigured {
		t.Fatalf("still flagged: %+v", conv)
	}
	if _, err := s.Send(ctx, SendRequest{ConversationID: conv.ID, Type: "text", Text: json.RawMessage(`{"body":"now we can"}`)}); err != nil {
		t.Fatalf("send from the configured number: %v", err)
	}
	if _, err := s.Send(ctx, SendRequest{To: "+16505556050", Type: "text", Text: json.RawMessage(`{"body":"x"}`)}); apierr.CodeOf(err) != apierr.AccountRequired {
		t.Fatalf("two configured numbers, none named: %v", err)
	}
}

// Ids that are not Meta's (placeholders copied from its examples) are
// refused where they enter: webhooks change nothing, configuration does not
// start.
func TestPlaceholderIDsAreRefused(t *testing.T) {
	e := newEnv(t)
	for _, body := range []map[string]any{
		fromNumber(inbound("16505556050", "E", textMsg(newWAMID(), e.clock.Now(), "hi")), "PHONE_NUMBER_ID", "15550009999"),
		func() map[string]any {
			b := inbound("16505556050", "E", textMsg(newWAMID(), e.clock.Now(), "hi"))
			b["entry"].([]any)[0].(map[string]any)["id"] = "<WHATSAPP_BUSINESS_ACCOUNT_ID>"
			return b
		}(),
	} {
		raw := mustJSON(t, body)
		err := e.svc.IngestWebhook(context.Background(), raw, whatsapp.Sign([]byte(testSecret), raw))
		if apierr.CodeOf(err) != apierr.InvalidRequest {
			t.Errorf("a body with a placeholder id: %v", err)
		}
	}
	if n := e.count("hub_accounts"); n != 1 {
		t.Errorf("%d accounts after refused bodies", n)
	}
	if n := e.count("messages"); n != 0 {
		t.Errorf("%d messages after refused bodies", n)
	}
	for _, a := range []domain.Account{{ID: "PHONE_NUMBER_ID"}, {ID: "106540352242922", WABAID: "WABA_ID"}} {
		db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "hub.db"), sqlitedb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if s, err := New(context.Background(), Config{Store: sqlitestore.New(db), Accounts: []domain.Account{a}, Logger: quietLogger()}); err == nil {
			s.Close(context.Background())
			t.Errorf("configured %+v", a)
		}
		db.Close()
	}
}

// TestCloseWhileWritesArrive: writes that race Close are committed or
// refused (UNAVAILABLE), never sent on the closed queue (a panic, and a
// data race under -race), and none is left waiting.
func TestCloseWhileWritesArrive(t *testing.T) {
	e := newEnv(t)
	svc := e.svc
	var wg sync.WaitGroup
	var accepted, refused atomic.Int64
	for range 8 {
		wg.Go(func() {
			for {
				err := svc.submit(context.Background(), func(*wtx) error { return nil })
				switch apierr.CodeOf(err) {
				case "":
					accepted.Add(1)
				case apierr.Unavailable:
					refused.Add(1)
					return
				default:
					t.Errorf("a write racing Close: %v", err)
					return
				}
			}
		})
	}
	testkit.Eventually(t, "writes to flow", func() bool { return accepted.Load() >= 10 })
	if err := svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if accepted.Load() < 10 || refused.Load() != 8 {
		t.Fatalf("%d writes committed, %d writers refused", accepted.Load(), refused.Load())
	}
}

func TestCloseRefusesNewWork(t *testing.T) {
	e := newEnv(t)
	svc := e.svc
	if err := svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	body := mustJSON(t, inbound("16505556060", "F", textMsg(newWAMID(), e.clock.Now(), "late")))
	if err := svc.IngestWebhook(context.Background(), body, "x"); apierr.CodeOf(err) != apierr.Unavailable {
		t.Fatalf("ingest after close: %v", err)
	}
	if _, err := svc.Send(context.Background(), SendRequest{}); apierr.CodeOf(err) != apierr.Unavailable {
		t.Fatalf("send after close: %v", err)
	}
	if err := svc.Close(context.Background()); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestAccountWebhooks(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	change := func(field string, value map[string]any) map[string]any {
		return map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
			"id": testWABA, "time": 1700000000, "changes": []any{map[string]any{"field": field, "value": value}}}}}
	}
	e.ingest(change("phone_number_name_update", map[string]any{"display_phone_number": "+1 555-078-3881",
		"decision": "APPROVED", "requested_verified_name": "Test Shop Ltd"}))
	e.ingest(change("phone_number_quality_update", map[string]any{"display_phone_number": testDisplay,
		"event": "FLAGGED", "current_limit": "TIER_1K"}))
	a, _ := e.svc.GetAccount(ctx, testAccount)
	if a.VerifiedName != "Test Shop Ltd" || a.QualityRating != "RED" {
		t.Fatalf("account = %+v", a)
	}
	e.ingest(change("account_update", map[string]any{"event": "ACCOUNT_RESTRICTION",
		"restriction_info": []any{map[string]any{"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION"}}}))
	a, _ = e.svc.GetAccount(ctx, testAccount)
	if a.Status != "RESTRICTED" {
		t.Fatalf("after a restriction: %+v", a)
	}
	evs, _ := e.svc.EventsSince(ctx, 0, 100)
	n := 0
	for _, ev := range evs {
		if ev.Type == domain.EventAccountUpdated {
			n++
		}
	}
	if n != 4 { // the start, the name, the quality, the restriction
		t.Fatalf("account.updated events = %d", n)
	}
}
