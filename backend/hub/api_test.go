package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
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

func TestAccountsAndDefaults(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	accts, err := e.svc.ListAccounts(ctx)
	if err != nil || len(accts) != 1 || accts[0].VerifiedName != "Test Shop" {
		t.Fatalf("accounts = %+v, %v", accts, err)
	}
	// A webhook for a number the hub was not configured with keeps its
	// messages and adds the number; sends then need an account_id.
	body := inbound("16505556050", "E", textMsg(newWAMID(), e.clock.Now(), "hi"))
	change := body["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)
	change["value"].(map[string]any)["metadata"] = map[string]any{"display_phone_number": "15550009999", "phone_number_id": "999000"}
	e.ingest(body)
	accts, _ = e.svc.ListAccounts(ctx)
	if len(accts) != 2 {
		t.Fatalf("accounts = %+v", accts)
	}
	_, err = e.svc.Send(ctx, SendRequest{To: "+16505556050", Type: "text", Text: json.RawMessage(`{"body":"x"}`)})
	if apierr.CodeOf(err) != apierr.AccountRequired {
		t.Fatalf("two accounts, none named: %v", err)
	}
	_, err = e.svc.Send(ctx, SendRequest{To: "+16505556050", AccountID: "999000", Type: "text", Text: json.RawMessage(`{"body":"x"}`)})
	if err != nil {
		t.Fatalf("named account: %v", err)
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
