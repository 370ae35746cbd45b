package cache

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/internal/fixture"
	"switchboard/backend/desktop/remote"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

func openCache(t testing.TB) *Cache {
	t.Helper()
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "data", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func snapshotOf(n int64) Snapshot {
	s := Snapshot{Seq: 10, Counters: domain.Counters{Total: 1}}
	for i := int64(1); i <= n; i++ {
		s.Conversations = append(s.Conversations, fixture.Conversation(i))
	}
	s.Templates = []domain.Template{fixture.Template("order_ready")}
	s.Users = []domain.User{{ID: 1, Name: "Agent One", Role: domain.RoleAgent}, {ID: 2, Name: "Agent Two", Role: domain.RoleAgent}}
	return s
}

func TestOpenKeepsTheTokenPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cfg", "cache.db")
	c, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SaveSession(context.Background(), Session{Mode: "remote", HubURL: "http://127.0.0.1:1", Token: "secret"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", filepath.Dir(path)} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm&0o077 != 0 {
				t.Fatalf("%s mode %v is readable by others", p, perm)
			}
		})
	}
	s, ok, err := c.Session(context.Background())
	if err != nil || !ok || s.Token != "secret" {
		t.Fatalf("session = %+v %v %v", s, ok, err)
	}
}

func TestApplyEventsAdvancesSeqWithTheData(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	conv := fixture.Conversation(1)
	m := fixture.Message(1, 2)
	events := []domain.Event{
		fixture.Event(1, domain.EventConversationUpdated, 1, conv),
		fixture.Event(2, domain.EventMessageCreated, 1, m),
	}
	applied, _, err := c.ApplyEvents(ctx, events, 0)
	if err != nil || len(applied) != 2 {
		t.Fatalf("applied %d, err %v", len(applied), err)
	}
	if seq, _ := c.Seq(ctx); seq != 2 {
		t.Fatalf("seq = %d", seq)
	}

	t.Run("a replayed overlap is skipped, not applied twice", func(t *testing.T) {
		m3 := fixture.Message(1, 3)
		applied, _, err := c.ApplyEvents(ctx, []domain.Event{events[1], fixture.Event(3, domain.EventMessageCreated, 1, m3)}, 0)
		if err != nil || len(applied) != 1 || applied[0].Seq != 3 {
			t.Fatalf("applied %+v, err %v", applied, err)
		}
		if seq, _ := c.Seq(ctx); seq != 3 {
			t.Fatalf("seq = %d", seq)
		}
	})

	t.Run("a failing batch leaves neither data nor seq", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, _, err := c.ApplyEvents(cctx, []domain.Event{fixture.Event(4, domain.EventMessageCreated, 1, fixture.Message(1, 4))}, 0)
		if err == nil {
			t.Fatal("cancelled apply succeeded")
		}
		if seq, _ := c.Seq(ctx); seq != 3 {
			t.Fatalf("seq = %d after a failed batch", seq)
		}
		if _, err := c.Message(ctx, 4); !errors.Is(err, ErrNotFound) {
			t.Fatalf("message of a failed batch is visible: %v", err)
		}
	})

	t.Run("an undecodable event is skipped and its seq consumed", func(t *testing.T) {
		bad := domain.Event{Seq: 5, Type: domain.EventMessageCreated, Data: json.RawMessage(`{"id":"not a number"}`)}
		applied, skipped, err := c.ApplyEvents(ctx, []domain.Event{bad, fixture.Event(6, domain.EventMessageCreated, 1, fixture.Message(1, 6))}, 0)
		if err != nil || len(applied) != 1 || len(skipped) != 1 {
			t.Fatalf("applied %d skipped %d err %v", len(applied), len(skipped), err)
		}
		if seq, _ := c.Seq(ctx); seq != 6 {
			t.Fatalf("seq = %d", seq)
		}
	})

	t.Run("an unknown event type advances the seq", func(t *testing.T) {
		applied, _, err := c.ApplyEvents(ctx, []domain.Event{{Seq: 7, Type: "future.thing", Data: json.RawMessage(`{}`)}}, 0)
		if err != nil || len(applied) != 1 {
			t.Fatal(applied, err)
		}
		if seq, _ := c.Seq(ctx); seq != 7 {
			t.Fatalf("seq = %d", seq)
		}
	})
}

func TestOlderCopiesNeverOverwriteNewer(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	m := fixture.Message(1, 1)
	m.Direction, m.Status = domain.Outbound, domain.MsgRead
	m.UpdatedAt = m.Timestamp.Add(time.Minute)
	if err := c.UpsertMessages(ctx, []domain.Message{m}); err != nil {
		t.Fatal(err)
	}
	old := m
	old.Status, old.UpdatedAt = domain.MsgQueued, m.Timestamp
	if err := c.UpsertMessages(ctx, []domain.Message{old}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Message(ctx, 1)
	if err != nil || got.Status != domain.MsgRead {
		t.Fatalf("status = %s (%v), want read", got.Status, err)
	}
}

func TestInboxTabsFiltersAndPaging(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	if err := c.ReplaceSnapshot(ctx, snapshotOf(120)); err != nil {
		t.Fatal(err)
	}
	// Fixture: i%3==0 unassigned, else agent 1+i%2; status cycles
	// open,open,pending,closed by i%4; odd i unanswered.
	want := func(tab Tab, status domain.ConversationStatus) (ids []int64, unanswered int) {
		for i := int64(120); i >= 1; i-- {
			conv := fixture.Conversation(i)
			switch {
			case tab == TabMine && (conv.AssigneeID == nil || *conv.AssigneeID != 1):
				continue
			case tab == TabUnassigned && conv.AssigneeID != nil:
				continue
			case status != "" && conv.Status != status:
				continue
			}
			ids = append(ids, i)
			if conv.Unanswered {
				unanswered++
			}
		}
		return ids, unanswered
	}
	cases := []struct {
		tab    Tab
		status domain.ConversationStatus
	}{
		{TabAll, ""}, {TabMine, ""}, {TabUnassigned, ""},
		{TabAll, domain.StatusOpen}, {TabMine, domain.StatusPending}, {TabUnassigned, domain.StatusClosed},
	}
	for _, tc := range cases {
		t.Run(string(tc.tab)+"/"+string(tc.status), func(t *testing.T) {
			wantIDs, wantUnanswered := want(tc.tab, tc.status)
			var got []int64
			cursor := ""
			for pages := 0; ; pages++ {
				page, err := c.Inbox(ctx, 1, InboxQuery{Tab: tc.tab, Status: tc.status, Cursor: cursor, Limit: 7})
				if err != nil {
					t.Fatal(err)
				}
				for _, conv := range page.Conversations {
					got = append(got, conv.ID)
				}
				if !page.HasMore {
					break
				}
				cursor = page.NextCursor
			}
			if len(got) != len(wantIDs) {
				t.Fatalf("got %d conversations, want %d", len(got), len(wantIDs))
			}
			for i := range got {
				if got[i] != wantIDs[i] {
					t.Fatalf("row %d = %d, want %d (newest first)", i, got[i], wantIDs[i])
				}
			}
			counts, err := c.InboxCounts(ctx, 1, tc.status)
			if err != nil {
				t.Fatal(err)
			}
			tabCount := map[Tab]TabCount{TabAll: counts.All, TabMine: counts.Mine, TabUnassigned: counts.Unassigned}[tc.tab]
			if tabCount.Total != len(wantIDs) || tabCount.Unanswered != wantUnanswered {
				t.Fatalf("counts = %+v, want %d/%d", tabCount, len(wantIDs), wantUnanswered)
			}
		})
	}

	t.Run("bad input is a typed error", func(t *testing.T) {
		for _, q := range []InboxQuery{{Tab: "nope"}, {Status: "weird"}, {Cursor: "x"}} {
			if _, err := c.Inbox(ctx, 1, q); apierr.CodeOf(err) != apierr.InvalidRequest {
				t.Fatalf("%+v: err = %v", q, err)
			}
		}
	})

	t.Run("a conversation moving to the top does not break paging", func(t *testing.T) {
		first, _ := c.Inbox(ctx, 1, InboxQuery{Tab: TabAll, Limit: 10})
		moved := fixture.Conversation(5)
		moved.LastActivityAt = fixture.Base.Add(time.Hour)
		moved.UpdatedAt = moved.LastActivityAt
		if err := c.UpsertConversation(ctx, moved); err != nil {
			t.Fatal(err)
		}
		second, _ := c.Inbox(ctx, 1, InboxQuery{Tab: TabAll, Limit: 10, Cursor: first.NextCursor})
		if second.Conversations[0].ID != 110 {
			t.Fatalf("second page starts at %d", second.Conversations[0].ID)
		}
	})
}

func TestMessagesPagesAndNotes(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	var msgs []domain.Message
	for id := int64(1); id <= 120; id++ {
		msgs = append(msgs, fixture.Message(7, id))
	}
	msgs = append(msgs, fixture.Message(8, 500)) // another conversation
	if err := c.UpsertMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	// A note between messages 80 and 81, one before everything.
	for _, n := range []domain.Note{
		{ID: 1, ConversationID: 7, AuthorID: 1, Body: "vip", CreatedAt: fixture.Message(7, 80).Timestamp.Add(time.Microsecond)},
		{ID: 2, ConversationID: 7, AuthorID: 1, Body: "first", CreatedAt: fixture.Base.Add(-time.Hour)},
	} {
		if err := c.UpsertNote(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	var all []int64
	notes := 0
	cursor := ""
	for {
		page, err := c.Messages(ctx, 7, cursor, 50)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, m := range page.Messages {
			ids = append(ids, m.ID)
		}
		all = append(ids, all...)
		notes += len(page.Notes)
		if !page.HasMore {
			if page.Cursor != "" {
				t.Fatal("last page has a cursor")
			}
			break
		}
		cursor = page.Cursor
	}
	if len(all) != 120 || notes != 2 {
		t.Fatalf("got %d messages and %d notes", len(all), notes)
	}
	for i, id := range all {
		if id != int64(i+1) {
			t.Fatalf("message %d is %d: not oldest-first and contiguous", i, id)
		}
	}
	latest, _ := c.Messages(ctx, 7, "", 50)
	if latest.Messages[49].ID != 120 || len(latest.Notes) != 1 || latest.Notes[0].Body != "vip" {
		t.Fatalf("latest page ends at %d with notes %+v", latest.Messages[49].ID, latest.Notes)
	}
	if in, err := c.LatestInbound(ctx, 7); err != nil || in.ID != 120 {
		t.Fatalf("latest inbound = %d %v", in.ID, err)
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	if err := c.ReplaceSnapshot(ctx, snapshotOf(40)); err != nil {
		t.Fatal(err)
	}
	mk := func(id int64, conv int64, body string) domain.Message {
		m := fixture.Message(conv, id)
		m.Content, _ = json.Marshal(map[string]string{"body": body})
		m.Preview = body
		return m
	}
	img := fixture.Message(3, 13)
	img.Type, img.Content, img.Preview = "image", json.RawMessage(`{"id":"m1","caption":"Photo of the broken parcel"}`), "📷 Photo"
	if err := c.UpsertMessages(ctx, []domain.Message{
		mk(11, 1, "Is the Café open tomorrow?"),
		mk(12, 2, "مرحبا، أين طلبي؟"),
		img,
	}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		query     string
		convs     []int64
		messages  []int64
		highlight string
	}{
		{query: "cafe", messages: []int64{11}, highlight: "Café"},
		{query: "tomor", messages: []int64{11}, highlight: "tomorrow"},
		{query: "parcel", messages: []int64{13}},
		{query: "طلبي", messages: []int64{12}},
		{query: "0000017", convs: []int64{17}},
		{query: "+1 555 000 0017", convs: []int64{17}},
		{query: `"AND (`, convs: nil, messages: nil},
		{query: "ar"}, // two letters: LIKE fallback, checked below
		{query: "", convs: nil},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			res, err := c.Search(ctx, tc.query, 50)
			if err != nil {
				t.Fatal(err)
			}
			if tc.query == "ar" {
				for _, conv := range res.Conversations {
					if !strings.Contains(strings.ToLower(conv.Contact.Name), "ar") {
						t.Fatalf("%q matched %q", tc.query, conv.Contact.Name)
					}
				}
				if len(res.Conversations) == 0 {
					t.Fatal("no short-term matches")
				}
				return
			}
			var convs, msgs []int64
			for _, conv := range res.Conversations {
				convs = append(convs, conv.ID)
			}
			for _, h := range res.Messages {
				msgs = append(msgs, h.Message.ID)
				if h.ContactName == "" {
					t.Fatalf("hit %d has no contact", h.Message.ID)
				}
			}
			if !equal(convs, tc.convs) || !equal(msgs, tc.messages) {
				t.Fatalf("convs %v msgs %v, want %v %v", convs, msgs, tc.convs, tc.messages)
			}
			if tc.highlight != "" {
				found := false
				for _, p := range res.Messages[0].Snippet {
					found = found || (p.Match && p.Text == tc.highlight)
				}
				if !found {
					t.Fatalf("snippet %+v does not highlight %q", res.Messages[0].Snippet, tc.highlight)
				}
			}
		})
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestContactUpdateReachesTheInbox(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	if err := c.ReplaceSnapshot(ctx, snapshotOf(3)); err != nil {
		t.Fatal(err)
	}
	ct := fixture.Contact(2)
	ct.Name, ct.UpdatedAt = "Renamed Person", ct.UpdatedAt.Add(time.Hour)
	if _, _, err := c.ApplyEvents(ctx, []domain.Event{fixture.Event(11, domain.EventContactUpdated, 0, ct)}, 0); err != nil {
		t.Fatal(err)
	}
	conv, err := c.Conversation(ctx, 2)
	if err != nil || conv.Contact.Name != "Renamed Person" {
		t.Fatalf("contact in conversation = %q %v", conv.Contact.Name, err)
	}
	// A later conversation.updated carrying the old embedded contact keeps
	// the newer name.
	stale := fixture.Conversation(2)
	stale.UpdatedAt = stale.UpdatedAt.Add(2 * time.Hour)
	stale.Status = domain.StatusClosed
	if _, _, err := c.ApplyEvents(ctx, []domain.Event{fixture.Event(12, domain.EventConversationUpdated, 2, stale)}, 0); err != nil {
		t.Fatal(err)
	}
	conv, _ = c.Conversation(ctx, 2)
	if conv.Contact.Name != "Renamed Person" || conv.Status != domain.StatusClosed {
		t.Fatalf("conversation = %q %s", conv.Contact.Name, conv.Status)
	}
	res, _ := c.Search(ctx, "Renamed", 10)
	if len(res.Conversations) != 1 {
		t.Fatalf("search by new name found %d", len(res.Conversations))
	}
}

func TestSnapshotKeepsOutboxAndDrafts(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	if err := c.ReplaceSnapshot(ctx, snapshotOf(5)); err != nil {
		t.Fatal(err)
	}
	if err := c.UpsertMessages(ctx, []domain.Message{fixture.Message(1, 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SaveDraft(ctx, 1, "half-written"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnqueueOutbox(ctx, "k1", wire.NewSend(1, "text", json.RawMessage(`{"body":"hi"}`)), "hi"); err != nil {
		t.Fatal(err)
	}
	snap := snapshotOf(3)
	snap.Seq = 99
	if err := c.ReplaceSnapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if seq, _ := c.Seq(ctx); seq != 99 {
		t.Fatalf("seq = %d", seq)
	}
	if n, _ := c.InboxCounts(ctx, 1, ""); n.All.Total != 3 {
		t.Fatalf("%d conversations after snapshot", n.All.Total)
	}
	if _, err := c.Message(ctx, 1); !errors.Is(err, ErrNotFound) {
		t.Fatal("history survived a resync")
	}
	if d, _ := c.Draft(ctx, 1); d.Body != "half-written" {
		t.Fatalf("draft = %q", d.Body)
	}
	if items, _ := c.Outbox(ctx, 0); len(items) != 1 {
		t.Fatalf("outbox has %d items", len(items))
	}
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if items, _ := c.Outbox(ctx, 0); len(items) != 0 {
		t.Fatal("reset kept the outbox")
	}
}

func TestOutboxLifecycle(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	reply := int64(3)
	req := wire.NewSend(4, "text", json.RawMessage(`{"body":"on my way"}`))
	req.ReplyTo = reply
	it, err := c.EnqueueOutbox(ctx, "key-1", req, "on my way")
	if err != nil {
		t.Fatal(err)
	}
	if it.State != OutboxPending || string(it.Content) != `{"body":"on my way"}` || *it.ReplyTo != 3 {
		t.Fatalf("item = %+v", it)
	}
	tpl := wire.SendRequest{ConversationID: 4, Type: "template", Template: &wire.TemplateRequest{Name: "order_ready", Language: "en_US", Variables: wire.StringVariables(map[string]string{"1": "Ana"})}}
	if _, err := c.EnqueueOutbox(ctx, "key-2", tpl, "order_ready"); err != nil {
		t.Fatal(err)
	}
	next, ok, err := c.NextOutbox(ctx)
	if err != nil || !ok || next.Key != "key-1" {
		t.Fatalf("next = %+v %v %v", next, ok, err)
	}
	if err := c.MarkOutboxSending(ctx, "key-1"); err != nil {
		t.Fatal(err)
	}
	// Interrupted: a sending item is next again, same key.
	if next, _, _ := c.NextOutbox(ctx); next.Key != "key-1" || next.State != OutboxSending || next.Attempts != 1 {
		t.Fatalf("after interruption next = %+v", next)
	}
	if _, err := c.DiscardOutbox(ctx, "key-1"); apierr.CodeOf(err) != apierr.Conflict {
		t.Fatalf("discarding an in-flight send: %v", err)
	}
	msg := fixture.Message(4, 77)
	if err := c.CompleteOutbox(ctx, "key-1", msg); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Message(ctx, 77); err != nil {
		t.Fatal("accepted message not stored")
	}
	next, _, _ = c.NextOutbox(ctx)
	if next.Key != "key-2" || next.Template == nil || string(next.Template.Variables["1"]) != `"Ana"` {
		t.Fatalf("template item = %+v", next)
	}
	if err := c.MarkOutboxFailed(ctx, "key-2", apierr.New(apierr.SessionExpired, "window closed")); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.NextOutbox(ctx); ok {
		t.Fatal("a failed item is due")
	}
	items, _ := c.Outbox(ctx, 4)
	if len(items) != 1 || items[0].Error == nil || items[0].Error.Code != apierr.SessionExpired {
		t.Fatalf("items = %+v", items)
	}
	retried, err := c.RetryOutbox(ctx, "key-2", "key-3")
	if err != nil || retried.State != OutboxPending || retried.Error != nil {
		t.Fatalf("retry = %+v %v", retried, err)
	}
	if _, err := c.DiscardOutbox(ctx, "key-3"); err != nil {
		t.Fatal(err)
	}
	if items, _ := c.Outbox(ctx, 0); len(items) != 0 {
		t.Fatalf("%d items left", len(items))
	}
}

func TestDrafts(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	if _, err := c.SaveDraft(ctx, 9, "hello"); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.Draft(ctx, 9); d.Body != "hello" || d.UpdatedAt == "" {
		t.Fatalf("draft = %+v", d)
	}
	if ds, _ := c.Drafts(ctx); len(ds) != 1 {
		t.Fatalf("drafts = %+v", ds)
	}
	if _, err := c.SaveDraft(ctx, 9, ""); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.Draft(ctx, 9); d.Body != "" {
		t.Fatal("empty draft not deleted")
	}
}

func TestHistoryFloorMovesDown(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	page1 := []domain.Message{fixture.Message(1, 30), fixture.Message(1, 29)}
	if err := c.StoreHistoryPage(ctx, 1, page1, "c1", true); err != nil {
		t.Fatal(err)
	}
	page2 := []domain.Message{fixture.Message(1, 28)}
	if err := c.StoreHistoryPage(ctx, 1, page2, "", false); err != nil {
		t.Fatal(err)
	}
	h, _ := c.History(ctx, 1)
	if !h.Known || !h.Complete {
		t.Fatalf("history = %+v", h)
	}
	floor, _ := c.HistoryFloor(ctx, 1)
	if floor != MessageCursorOf(fixture.Message(1, 28)) {
		t.Fatalf("floor = %s", floor)
	}
	if !CursorBefore(MessageCursorOf(fixture.Message(1, 28)), MessageCursorOf(fixture.Message(1, 29))) || CursorBefore("", "1.1") || !CursorBefore("1.1", "") {
		t.Fatal("CursorBefore")
	}
}

func TestFullTextIndexesStayConsistent(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	if err := c.ReplaceSnapshot(ctx, snapshotOf(10)); err != nil {
		t.Fatal(err)
	}
	m := fixture.Message(1, 1)
	m.Content, m.Preview = json.RawMessage(`{"body":"original words"}`), "original words"
	edited := m
	edited.Content, edited.Preview = json.RawMessage(`{"body":"edited text"}`), "edited text"
	edited.UpdatedAt = m.UpdatedAt.Add(time.Second)
	status := edited
	status.Status, status.UpdatedAt = domain.MsgRead, edited.UpdatedAt.Add(time.Second)
	// Created and edited within one batch, then again across batches.
	if err := c.UpsertMessages(ctx, []domain.Message{m, edited}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpsertMessages(ctx, []domain.Message{status}); err != nil {
		t.Fatal(err)
	}
	ct := fixture.Contact(3)
	ct.Name, ct.UpdatedAt = "Zed Newname", ct.UpdatedAt.Add(time.Hour)
	if _, _, err := c.ApplyEvents(ctx, []domain.Event{fixture.Event(20, domain.EventContactUpdated, 0, ct)}, 0); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range []string{"messages_fts", "contacts_fts"} {
		if _, err := c.db.Write.Exec(`INSERT INTO ` + tbl + ` (` + tbl + `, rank) VALUES ('integrity-check', 1)`); err != nil {
			t.Fatalf("%s: %v", tbl, err)
		}
	}
	for q, want := range map[string]int{"original": 0, "edited": 1} {
		if res, _ := c.Search(ctx, q, 10); len(res.Messages) != want {
			t.Fatalf("%q found %d messages, want %d", q, len(res.Messages), want)
		}
	}
	for q, want := range map[string]int{"Newname": 1, fixture.Contact(3).Name: 0} {
		res, _ := c.Search(ctx, q, 10)
		n := 0
		for _, conv := range res.Conversations {
			if conv.ID == 3 {
				n++
			}
		}
		if n != want {
			t.Fatalf("%q found conversation 3 %d times, want %d", q, n, want)
		}
	}
}

func TestHeartbeatSeqAndRemovals(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	if err := c.ReplaceSnapshot(ctx, snapshotOf(4)); err != nil {
		t.Fatal(err)
	}
	// Messages in one batch with the removal, so un-indexing meets rows
	// that are not indexed yet.
	events := []domain.Event{
		fixture.Event(11, domain.EventMessageCreated, 1, fixture.Message(1, 100)),
		fixture.Event(12, domain.EventMessageCreated, 2, fixture.Message(2, 101)),
		fixture.Event(13, domain.EventMessageCreated, 3, fixture.Message(3, 102)),
		{Seq: 14, Type: remote.EventConversationHidden, ConversationID: 1},
		fixture.Event(15, domain.EventConversationDeleted, 2, map[string]int64{"id": 2}),
		fixture.Event(16, domain.EventContactDeleted, 0, fixture.Contact(3)),
	}
	if _, _, err := c.ApplyEvents(ctx, events, 20); err != nil {
		t.Fatal(err)
	}
	if seq, _ := c.Seq(ctx); seq != 20 {
		t.Fatalf("seq = %d, want the heartbeat's 20", seq)
	}
	counts, _ := c.InboxCounts(ctx, 1, "")
	if counts.All.Total != 1 {
		t.Fatalf("%d conversations left, want 1", counts.All.Total)
	}
	for _, id := range []int64{100, 101, 102} {
		if _, err := c.Message(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("message %d of a removed conversation is still cached", id)
		}
	}
	if _, err := c.Contact(ctx, 3); !errors.Is(err, ErrNotFound) {
		t.Fatal("deleted contact is still cached")
	}
	for _, tbl := range []string{"messages_fts", "contacts_fts"} {
		if _, err := c.db.Write.Exec(`INSERT INTO ` + tbl + ` (` + tbl + `, rank) VALUES ('integrity-check', 1)`); err != nil {
			t.Fatalf("%s: %v", tbl, err)
		}
	}
	// A heartbeat alone moves the seq; an older one does not move it back.
	if _, _, err := c.ApplyEvents(ctx, nil, 25); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ApplyEvents(ctx, nil, 22); err != nil {
		t.Fatal(err)
	}
	if seq, _ := c.Seq(ctx); seq != 25 {
		t.Fatalf("seq = %d, want 25", seq)
	}
}

// TestQueryPlansUseIndexes keeps the fast paths fast: every inbox and
// message page is an index range scan with no sort step, and the tab
// counts read only a covering index.
func TestQueryPlansUseIndexes(t *testing.T) {
	c := openCache(t)
	if err := c.ReplaceSnapshot(context.Background(), snapshotOf(50)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, query string
		want        string
	}{
		{"all tab", `SELECT activity, id, data FROM conversations WHERE (activity, id) < (1, 1) ORDER BY activity DESC, id DESC LIMIT 10`, "conversations_all"},
		{"status", `SELECT activity, id, data FROM conversations WHERE status = 'open' ORDER BY activity DESC, id DESC LIMIT 10`, "conversations_status"},
		{"mine", `SELECT activity, id, data FROM conversations WHERE assignee = 1 ORDER BY activity DESC, id DESC LIMIT 10`, "conversations_assignee"},
		{"mine open", `SELECT activity, id, data FROM conversations WHERE assignee = 1 AND status = 'open' ORDER BY activity DESC, id DESC LIMIT 10`, "conversations_assignee_status"},
		{"counts", `SELECT assignee, status, COUNT(*), SUM(unanswered) FROM conversations GROUP BY assignee, status`, "COVERING INDEX conversations_counts"},
		{"messages", `SELECT ts, id, data FROM messages WHERE conversation_id = 1 AND (ts, id) < (9, 9) ORDER BY ts DESC, id DESC LIMIT 51`, "messages_conversation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := c.db.Read.Query(`EXPLAIN QUERY PLAN ` + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				rows.Scan(&id, &parent, &unused, &detail)
				plan = append(plan, detail)
			}
			all := strings.Join(plan, "; ")
			if !strings.Contains(all, tc.want) || strings.Contains(all, "TEMP B-TREE FOR ORDER BY") {
				t.Fatalf("plan %q, want %s and no sort", all, tc.want)
			}
		})
	}
}

func TestSupersededEventsCountAsApplied(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	first, second := fixture.Conversation(1), fixture.Conversation(1)
	first.Status = domain.StatusPending
	second.Status, second.UpdatedAt = domain.StatusClosed, second.UpdatedAt.Add(time.Second)
	events := []domain.Event{
		fixture.Event(1, domain.EventConversationUpdated, 1, first),
		fixture.Event(2, domain.EventCountersUpdated, 0, domain.Counters{Total: 5}),
		fixture.Event(3, domain.EventConversationUpdated, 1, second),
		fixture.Event(4, domain.EventCountersUpdated, 0, domain.Counters{Total: 3}),
	}
	if got := supersededIn(events); !equalBools(got, []bool{true, true, false, false}) {
		t.Fatalf("superseded = %v", got)
	}
	applied, _, err := c.ApplyEvents(ctx, events, 0)
	if err != nil || len(applied) != 4 {
		t.Fatalf("applied %d, %v", len(applied), err)
	}
	conv, _ := c.Conversation(ctx, 1)
	k, _ := c.Counters(ctx)
	if conv.Status != domain.StatusClosed || k.Total != 3 {
		t.Fatalf("status %s, counters %d", conv.Status, k.Total)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
