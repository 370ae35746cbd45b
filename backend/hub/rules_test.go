package hub

import (
	"context"
	"strconv"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/testkit"
)

func TestWindowRules(t *testing.T) {
	ctx := context.Background()
	t.Run("opens 24 hours from the customer's last message", func(t *testing.T) {
		e := newEnv(t)
		sent := e.clock.Now().Add(-2 * time.Hour)
		e.ingest(inbound("16505559001", "A", textMsg(newWAMID(), sent, "hi")))
		c := e.onlyConversation()
		if c.WindowExpiresAt == nil || !c.WindowExpiresAt.Equal(sent.Add(24*time.Hour)) {
			t.Fatalf("window = %v, want %v", c.WindowExpiresAt, sent.Add(24*time.Hour))
		}
		// An older message arriving late does not move it back.
		e.ingest(inbound("16505559001", "A", textMsg(newWAMID(), sent.Add(-time.Hour), "earlier")))
		if c2 := e.onlyConversation(); !c2.WindowExpiresAt.Equal(*c.WindowExpiresAt) {
			t.Fatalf("window moved back to %v", c2.WindowExpiresAt)
		}
	})
	t.Run("a future timestamp is clamped to receive time", func(t *testing.T) {
		e := newEnv(t)
		now := e.clock.Now()
		e.ingest(inbound("16505559002", "B", textMsg(newWAMID(), now.Add(72*time.Hour), "from the future")))
		c := e.onlyConversation()
		if !c.WindowExpiresAt.Equal(now.Add(24 * time.Hour)) {
			t.Fatalf("window = %v, want %v", c.WindowExpiresAt, now.Add(24*time.Hour))
		}
		if !c.WaitingSince.Equal(now) {
			t.Fatalf("waiting since = %v", c.WaitingSince)
		}
	})
	t.Run("system messages never open it", func(t *testing.T) {
		e := newEnv(t)
		now := e.clock.Now()
		e.ingest(inbound("16505559003", "C",
			map[string]any{"id": newWAMID(), "timestamp": strconv.FormatInt(now.Unix(), 10), "type": "system",
				"system": map[string]any{"body": "C changed their phone number", "type": "customer_identity_changed"}}))
		c := e.onlyConversation()
		if c.WindowExpiresAt != nil || c.Unanswered {
			t.Fatalf("conversation = %+v", c)
		}
		_, err := e.svc.Send(ctx, SendRequest{ConversationID: c.ID, Type: "text", Text: []byte(`{"body":"hello"}`)})
		if apierr.CodeOf(err) != apierr.SessionExpired {
			t.Fatalf("free-form without a window: %v", err)
		}
	})
	t.Run("a reaction opens it without making the conversation unanswered", func(t *testing.T) {
		// Meta counts any customer message, reactions included, as opening the
		// customer service window (and the sandbox plays it so); a reaction
		// still asks for no reply.
		e := newEnv(t)
		now := e.clock.Now()
		e.ingest(inbound("16505559005", "E",
			map[string]any{"id": newWAMID(), "timestamp": strconv.FormatInt(now.Unix(), 10), "type": "reaction",
				"reaction": map[string]any{"message_id": "wamid.unknown", "emoji": "👍"}}))
		c := e.onlyConversation()
		if c.WindowExpiresAt == nil || !c.WindowExpiresAt.Equal(now.Add(24*time.Hour)) {
			t.Fatalf("window = %v, want %v", c.WindowExpiresAt, now.Add(24*time.Hour))
		}
		if c.Unanswered || c.UnreadCount != 0 {
			t.Fatalf("a reaction made the conversation unanswered/unread: %+v", c)
		}
		if _, err := e.svc.Send(ctx, SendRequest{ConversationID: c.ID, Type: "text", Text: []byte(`{"body":"hello"}`)}); err != nil {
			t.Fatalf("free-form inside the window a reaction opened: %v", err)
		}
	})
	t.Run("closes after 24 hours", func(t *testing.T) {
		e := newEnv(t)
		e.ingest(inbound("16505559004", "D", textMsg(newWAMID(), e.clock.Now(), "hi")))
		c := e.onlyConversation()
		if !c.WindowOpen(e.clock.Now()) {
			t.Fatal("window closed right after the customer wrote")
		}
		e.clock.Advance(24*time.Hour + time.Second)
		_, err := e.svc.Send(ctx, SendRequest{ConversationID: c.ID, Type: "text", Text: []byte(`{"body":"late"}`)})
		if apierr.CodeOf(err) != apierr.SessionExpired {
			t.Fatalf("free-form after 24h: %v", err)
		}
	})
}

func TestCustomerMessageReopensAndMarksUnanswered(t *testing.T) {
	ctx := context.Background()
	for _, st := range []domain.ConversationStatus{domain.StatusClosed, domain.StatusSnoozed} {
		t.Run(string(st), func(t *testing.T) {
			e := newEnv(t)
			e.ingest(inbound("16505559010", "E", textMsg(newWAMID(), e.clock.Now(), "hi")))
			c := e.onlyConversation()
			u := ConversationUpdate{Status: &st}
			if st == domain.StatusSnoozed {
				until := e.clock.Now().Add(time.Hour)
				u.SnoozedUntil = &until
			}
			if _, err := e.svc.UpdateConversation(ctx, c.ID, u); err != nil {
				t.Fatal(err)
			}
			if cnt, _ := e.svc.Counters(ctx); cnt.Total != 0 {
				t.Fatalf("a %s conversation still counts: %+v", st, cnt)
			}
			e.clock.Advance(time.Minute)
			e.ingest(inbound("16505559010", "E", textMsg(newWAMID(), e.clock.Now(), "anyone?")))
			c = e.onlyConversation()
			if c.Status != domain.StatusOpen || c.SnoozedUntil != nil || !c.Unanswered {
				t.Fatalf("conversation = %+v", c)
			}
			if cnt, _ := e.svc.Counters(ctx); cnt.Total != 1 {
				t.Fatalf("counters = %+v", cnt)
			}
		})
	}
}

func TestSnoozeWakesWhenItsTimeComes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.ingest(inbound("16505559011", "F", textMsg(newWAMID(), e.clock.Now(), "hi")))
	c := e.onlyConversation()
	st := domain.StatusSnoozed
	until := e.clock.Now().Add(2 * time.Hour)
	if _, err := e.svc.UpdateConversation(ctx, c.ID, ConversationUpdate{Status: &st, SnoozedUntil: &until}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.WakeSnoozed(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.onlyConversation(); got.Status != domain.StatusSnoozed {
		t.Fatalf("woke early: %+v", got)
	}
	e.clock.Advance(2 * time.Hour)
	if err := e.svc.WakeSnoozed(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.onlyConversation(); got.Status != domain.StatusOpen || got.SnoozedUntil != nil {
		t.Fatalf("after the snooze: %+v", got)
	}
	if cnt, _ := e.svc.Counters(ctx); cnt.Total != 1 {
		t.Fatalf("counters = %+v", cnt)
	}
	// Snoozing into the past is refused.
	past := e.clock.Now().Add(-time.Minute)
	if _, err := e.svc.UpdateConversation(ctx, c.ID, ConversationUpdate{SnoozedUntil: &past}); apierr.CodeOf(err) != apierr.ValidationFailed {
		t.Fatalf("snooze into the past: %v", err)
	}
}

// outbound inserts an outbound message with a wamid directly, as the send
// worker would after Meta accepted it, and returns its id.
func (e *env) outbound(convID int64, wamid string) int64 {
	e.t.Helper()
	now := e.clock.Now()
	var id int64
	err := e.svc.submit(context.Background(), func(w *wtx) error {
		c, err := w.convByID(convID)
		if err != nil {
			return err
		}
		m := storeMessage(convID, c.c.AccountID, wamid, now)
		if _, err := w.tx.InsertMessage(w.ctx, &m); err != nil {
			return err
		}
		id = m.ID
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func TestStatusesOnlyMoveForward(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	now := e.clock.Now()
	e.ingest(inbound("16505559020", "G", textMsg(newWAMID(), now, "hi")))
	conv := e.onlyConversation()
	wamid := newWAMID()
	id := e.outbound(conv.ID, wamid)
	get := func() domain.Message {
		m, err := e.svc.GetMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	steps := []struct {
		status     string
		want       domain.MessageStatus
		wantEvents int64
	}{
		{"sent", domain.MsgSent, 1},
		{"sent", domain.MsgSent, 0},      // duplicate: nothing, no event
		{"read", domain.MsgRead, 1},      // read implies delivered
		{"delivered", domain.MsgRead, 0}, // late delivered never undoes read
		{"failed", domain.MsgRead, 0},    // a read message cannot fail
		{"read", domain.MsgRead, 0},      // duplicate
		{"sent", domain.MsgRead, 0},      // late sent
		{"played", domain.MsgRead, 0},    // voice played = read
		{"deleted", domain.MsgRead, 0},   // unknown statuses are ignored
	}
	for i, st := range steps {
		before := e.svc.LastSeq()
		e.clock.Advance(time.Second)
		e.ingest(statusBody(status(wamid, st.status, e.clock.Now(), "16505559020")))
		m := get()
		if m.Status != st.want {
			t.Fatalf("step %d (%s): status = %s, want %s", i, st.status, m.Status, st.want)
		}
		var updated int64
		evs, _ := e.svc.EventsSince(ctx, before, 100)
		for _, ev := range evs {
			if ev.Type == domain.EventMessageUpdated {
				updated++
			}
		}
		if updated != st.wantEvents {
			t.Fatalf("step %d (%s): %d message.updated events, want %d", i, st.status, updated, st.wantEvents)
		}
	}
	m := get()
	if m.SentAt == nil || m.DeliveredAt == nil || m.ReadAt == nil || !m.DeliveredAt.Equal(*m.ReadAt) {
		t.Fatalf("timestamps: sent %v delivered %v read %v", m.SentAt, m.DeliveredAt, m.ReadAt)
	}
}

func TestFailedStatusKeepsMetasCodeAndTitle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.ingest(inbound("16505559021", "H", textMsg(newWAMID(), e.clock.Now(), "hi")))
	conv := e.onlyConversation()
	wamid := newWAMID()
	id := e.outbound(conv.ID, wamid)
	st := status(wamid, "failed", e.clock.Now(), "16505559021")
	st["errors"] = []any{map[string]any{"code": 131047, "title": "Re-engagement message",
		"message": "Re-engagement message", "error_data": map[string]any{"details": "Message failed to send because more than 24 hours have passed"}}}
	e.ingest(statusBody(st))
	m, _ := e.svc.GetMessage(ctx, id)
	if m.Status != domain.MsgFailed || m.Error == nil || m.Error.Code != 131047 || m.Error.Title != "Re-engagement message" ||
		m.Error.Details == "" {
		t.Fatalf("message = %+v error %+v", m, m.Error)
	}
	// Nothing moves a failed message.
	e.ingest(statusBody(status(wamid, "delivered", e.clock.Now(), "16505559021")))
	if m, _ := e.svc.GetMessage(ctx, id); m.Status != domain.MsgFailed {
		t.Fatalf("failed became %s", m.Status)
	}
}

func TestStatusForAnUnknownMessageIsParkedThenApplied(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.ingest(inbound("16505559022", "I", textMsg(newWAMID(), e.clock.Now(), "hi")))
	conv := e.onlyConversation()
	wamid := newWAMID()
	e.ingest(statusBody(status(wamid, "delivered", e.clock.Now(), "16505559022")))
	e.ingest(statusBody(status(wamid, "delivered", e.clock.Now(), "16505559022"))) // redelivered
	if n := e.count("messages"); n != 1 {
		t.Fatalf("a phantom message was created (%d messages)", n)
	}
	if n := e.count("parked_statuses"); n != 1 {
		t.Fatalf("parked = %d", n)
	}
	// The send's own answer arrives: the message learns its wamid and the
	// parked status applies.
	msg, err := e.svc.Send(ctx, SendRequest{ConversationID: conv.ID, Type: "text", Text: []byte(`{"body":"ok"}`)})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.recordSent(msg.ID, wamid)
	testkit.Eventually(t, "the parked status to apply", func() bool {
		m, _ := e.svc.GetMessage(ctx, msg.ID)
		return m.Status == domain.MsgDelivered
	})
	if n := e.count("parked_statuses"); n != 0 {
		t.Fatalf("parked after apply = %d", n)
	}
}

func TestReactionsAttachToTheirTarget(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	now := e.clock.Now()
	target := newWAMID()
	e.ingest(inbound("16505559030", "J", textMsg(target, now, "my order is late")))
	conv := e.onlyConversation()
	react := func(emoji string, at time.Time) map[string]any {
		r := map[string]any{"message_id": target}
		if emoji != "" {
			r["emoji"] = emoji
		}
		return map[string]any{"id": newWAMID(), "timestamp": strconv.FormatInt(at.Unix(), 10), "type": "reaction", "reaction": r}
	}
	targetMsg := func() domain.Message {
		for _, m := range e.messages(conv.ID) {
			if m.WAMID == target {
				return m
			}
		}
		t.Fatal("target not found")
		return domain.Message{}
	}
	r1 := react("❤️", now.Add(time.Second))
	e.ingest(inbound("16505559030", "J", r1))
	e.ingest(inbound("16505559030", "J", r1)) // redelivery
	if got := targetMsg().Reactions; len(got) != 1 || got[0].Emoji != "❤️" || got[0].From != "customer" {
		t.Fatalf("reactions = %+v", got)
	}
	if n := len(e.messages(conv.ID)); n != 1 {
		t.Fatalf("a reaction became a bubble: %d messages", n)
	}
	e.ingest(inbound("16505559030", "J", react("😂", now.Add(2*time.Second))))
	if got := targetMsg().Reactions; len(got) != 1 || got[0].Emoji != "😂" {
		t.Fatalf("replaced reaction = %+v", got)
	}
	e.ingest(inbound("16505559030", "J", react("", now.Add(3*time.Second)))) // removal: no emoji at all
	if got := targetMsg().Reactions; len(got) != 0 {
		t.Fatalf("removed reaction = %+v", got)
	}
	c := e.onlyConversation()
	if c.UnreadCount != 1 {
		t.Fatalf("reactions counted as unread: %d", c.UnreadCount)
	}
	// A reply quotes its target.
	reply := textMsg(newWAMID(), now.Add(4*time.Second), "see above")
	reply["context"] = map[string]any{"from": "16505559030", "id": target}
	e.ingest(inbound("16505559030", "J", reply))
	msgs := e.messages(conv.ID)
	last := msgs[len(msgs)-1]
	if last.ReplyTo == nil || *last.ReplyTo != targetMsg().ID {
		t.Fatalf("reply_to = %v", last.ReplyTo)
	}
	_ = ctx
}

func TestOptOutKeywords(t *testing.T) {
	cases := []struct {
		body string
		want keyword
	}{
		{"STOP", keywordOptOut}, {" stop ", keywordOptOut}, {"Stop.", keywordOptOut}, {"STOP ALL", keywordOptOut},
		{"unsubscribe", keywordOptOut}, {"Cancel", keywordOptOut}, {"END", keywordOptOut}, {"quit!", keywordOptOut},
		{"BAJA", keywordOptOut}, {"alto", keywordOptOut}, {"PARAR", keywordOptOut}, {"Sair", keywordOptOut},
		{"CANCELAR", keywordOptOut}, {"إيقاف", keywordOptOut}, {"הסר", keywordOptOut}, {"עצור", keywordOptOut},
		{"रोकें", keywordOptOut}, {"\u200fإيقاف\u200f", keywordOptOut},
		{"START", keywordOptIn}, {"unstop", keywordOptIn}, {"ALTA", keywordOptIn}, {"start", keywordOptIn},
		{"please stop calling me", keywordNone}, {"stopped", keywordNone}, {"STOP STOP", keywordNone}, {"", keywordNone},
		{"don't stop", keywordNone},
	}
	for _, c := range cases {
		if got := classifyKeyword(c.body); got != c.want {
			t.Errorf("classifyKeyword(%q) = %d, want %d", c.body, got, c.want)
		}
	}
}

func TestOptOutRefusesSendsUntilOptIn(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.ingest(inbound("16505559040", "K", textMsg(newWAMID(), e.clock.Now(), "BAJA")))
	c := e.onlyConversation()
	if !c.Contact.OptedOut {
		t.Fatalf("contact = %+v", c.Contact)
	}
	send := SendRequest{ConversationID: c.ID, Type: "text", Text: []byte(`{"body":"hello"}`)}
	if _, err := e.svc.Send(ctx, send); apierr.CodeOf(err) != apierr.OptedOut {
		t.Fatalf("send to an opted-out contact: %v", err)
	}
	// By number too (bulk sends address numbers), in another format.
	byPhone := SendRequest{To: "+1 (650) 555-9040", Type: "text", Text: []byte(`{"body":"promo"}`)}
	if _, err := e.svc.Send(ctx, byPhone); apierr.CodeOf(err) != apierr.OptedOut {
		t.Fatalf("send by number to an opted-out contact: %v", err)
	}
	outs, err := e.svc.ListOptOuts(ctx, PageRequest{})
	if err != nil || len(outs.Items) != 1 {
		t.Fatalf("opt-outs = %+v, %v", outs, err)
	}
	e.ingest(inbound("16505559040", "K", textMsg(newWAMID(), e.clock.Now(), "START")))
	if _, err := e.svc.Send(ctx, send); err != nil {
		t.Fatalf("after START: %v", err)
	}
	// Managed by API as well.
	if _, err := e.svc.OptOut(ctx, "+16505559040"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, send); apierr.CodeOf(err) != apierr.OptedOut {
		t.Fatalf("after API opt-out: %v", err)
	}
	if _, err := e.svc.OptIn(ctx, "16505559040"); err != nil {
		t.Fatal(err)
	}
	// An opt-out recorded before the number ever wrote holds.
	if _, err := e.svc.OptOut(ctx, "+44 20 7946 0958"); err != nil {
		t.Fatal(err)
	}
	e.ingest(inbound("442079460958", "L", textMsg(newWAMID(), e.clock.Now(), "hello")))
	if _, err := e.svc.Send(ctx, SendRequest{To: "+442079460958", Type: "text", Text: []byte(`{"body":"x"}`)}); apierr.CodeOf(err) != apierr.OptedOut {
		t.Fatalf("pre-recorded opt-out: %v", err)
	}
}

func TestNumberChangeRekeysTheContactKeepingHistory(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	now := e.clock.Now()
	e.ingest(inbound("16505559050", "M", textMsg(newWAMID(), now, "old number")))
	before := e.onlyConversation()
	sys := map[string]any{"id": newWAMID(), "timestamp": strconv.FormatInt(now.Unix(), 10), "type": "system",
		"system": map[string]any{"body": "M changed from 16505559050 to 16505559051", "new_wa_id": "16505559051", "type": "user_changed_number"}}
	e.ingest(inbound("16505559050", "M", sys))
	e.ingest(inbound("16505559051", "M", textMsg(newWAMID(), now.Add(time.Minute), "new number")))
	after := e.onlyConversation()
	if after.ID != before.ID || after.Contact.ID != before.Contact.ID || after.Contact.Phone != "+16505559051" {
		t.Fatalf("before %+v\nafter %+v", before.Contact, after.Contact)
	}
	if n := len(e.messages(after.ID)); n != 3 {
		t.Fatalf("history = %d messages", n)
	}
	// The old number still finds them.
	c, err := e.svc.FindContact(ctx, "+16505559050")
	if err != nil || c.ID != before.Contact.ID {
		t.Fatalf("by old number: %+v, %v", c, err)
	}
}

func TestNumberChangeMergesAnExistingContact(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	now := e.clock.Now()
	e.ingest(inbound("16505559060", "N", textMsg(newWAMID(), now, "old")))
	// The new number already wrote, so it has a contact and a conversation.
	e.ingest(inbound("16505559061", "N2", textMsg(newWAMID(), now.Add(time.Second), "new")))
	sys := map[string]any{"id": newWAMID(), "timestamp": strconv.FormatInt(now.Unix(), 10), "type": "system",
		"system": map[string]any{"body": "changed", "wa_id": "16505559061", "type": "user_changed_number"}}
	e.ingest(inbound("16505559060", "N", sys))
	conv := e.onlyConversation()
	if conv.Contact.Phone != "+16505559061" || conv.UnreadCount != 2 {
		t.Fatalf("merged = %+v", conv)
	}
	if n := len(e.messages(conv.ID)); n != 3 {
		t.Fatalf("messages = %d", n)
	}
	cnt, _ := e.svc.Counters(ctx)
	if cnt.Total != 1 {
		t.Fatalf("counters = %+v", cnt)
	}
	checkCounters(t, e)
}

func TestTemplateStatusWebhooksUpdateTemplates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	tpl := func(field string, value map[string]any) map[string]any {
		return map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
			"id": testWABA, "time": 1700000000, "changes": []any{map[string]any{"field": field, "value": value}}}}}
	}
	e.ingest(tpl("message_template_status_update", map[string]any{"event": "APPROVED", "message_template_id": 123456,
		"message_template_name": "order_update", "message_template_language": "en_US", "reason": "NONE"}))
	got, err := e.svc.GetTemplate(ctx, testAccount, "order_update", "en_US")
	if err != nil || got.Status != "APPROVED" || got.ID != "123456" {
		t.Fatalf("template = %+v, %v", got, err)
	}
	seq := e.svc.LastSeq()
	e.ingest(tpl("message_template_status_update", map[string]any{"event": "APPROVED", "message_template_id": 123456,
		"message_template_name": "order_update", "message_template_language": "en_US", "reason": "NONE"}))
	if e.svc.LastSeq() != seq {
		t.Fatal("a redelivered template update emitted an event")
	}
	e.ingest(tpl("message_template_quality_update", map[string]any{"previous_quality_score": "GREEN", "new_quality_score": "YELLOW",
		"message_template_id": 123456, "message_template_name": "order_update", "message_template_language": "en_US"}))
	e.ingest(tpl("message_template_status_update", map[string]any{"event": "PAUSED", "message_template_id": 123456,
		"message_template_name": "order_update", "message_template_language": "en_US", "reason": "NONE"}))
	got, _ = e.svc.GetTemplate(ctx, testAccount, "order_update", "en_US")
	if got.Status != "PAUSED" || got.Quality != "YELLOW" {
		t.Fatalf("template = %+v", got)
	}
	evs, _ := e.svc.EventsSince(ctx, seq, 100)
	if len(evs) != 2 || evs[0].Type != domain.EventTemplateUpdated {
		t.Fatalf("events = %+v", evs)
	}
}
