package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
)

// messages lists a conversation's visible messages, oldest first.
func (e *env) messages(convID int64) []domain.Message {
	e.t.Helper()
	page, err := e.svc.ListMessages(context.Background(), convID, PageRequest{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	out := page.Items
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// onlyConversation returns the single conversation there must be.
func (e *env) onlyConversation() domain.Conversation {
	e.t.Helper()
	cs := e.conversations()
	if len(cs) != 1 {
		e.t.Fatalf("conversations = %d, want 1", len(cs))
	}
	return cs[0]
}

func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestInboundTypesAreStoredExactlyAsReceived(t *testing.T) {
	// Each object is what Meta documents for the type; the stored content
	// must be those bytes, and the preview a readable line.
	cases := []struct {
		typ     string
		object  string
		preview string
	}{
		{"text", `{"body":"Hola, ¿tienen envíos a Córdoba? <script>alert(1)</script>"}`, "Hola, ¿tienen envíos a Córdoba? <script>alert(1)</script>"},
		{"image", `{"caption":"the broken part","mime_type":"image/jpeg","sha256":"abc","id":"1479537139650973"}`, "[image] the broken part"},
		{"audio", `{"mime_type":"audio/ogg; codecs=opus","sha256":"def","id":"1003383421387256","voice":true}`, "[audio]"},
		{"video", `{"mime_type":"video/mp4","sha256":"ghi","id":"1200000000000001"}`, "[video]"},
		{"document", `{"caption":"invoice","filename":"factura marzo.pdf","mime_type":"application/pdf","sha256":"jkl","id":"1200000000000002"}`, "[document] invoice"},
		{"sticker", `{"mime_type":"image/webp","sha256":"mno","id":"1200000000000003","animated":false}`, "[sticker]"},
		{"location", `{"address":"1 Hacker Way, Menlo Park, CA 94025","latitude":37.483307,"longitude":-122.148981,"name":"Philz Coffee","url":"https://philzcoffee.com"}`, "[location] Philz Coffee 1 Hacker Way, Menlo Park, CA 94025"},
		{"contacts", `[{"name":{"formatted_name":"Barbara J. Johnson","first_name":"Barbara"},"phones":[{"phone":"+1 (650) 555-1234","type":"WORK","wa_id":"16505551234"}]}]`, "[contacts] Barbara J. Johnson"},
		{"interactive", `{"type":"button_reply","button_reply":{"id":"yes-1","title":"Yes, please"}}`, "Yes, please"},
		{"interactive", `{"type":"list_reply","list_reply":{"id":"row-2","title":"Large","description":"30 cm"}}`, "Large"},
		{"interactive", `{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent","response_json":"{\"a\":1}"}}`, "[form] Sent"},
		{"button", `{"payload":"STOP_PROMOS","text":"Stop promotions"}`, "Stop promotions"},
		{"order", `{"catalog_id":"123","text":"please deliver","product_items":[{"product_retailer_id":"sku1","quantity":2,"item_price":9.5,"currency":"USD"}]}`, "[order] 1 item(s)"},
		{"unsupported", `{"type":"poll"}`, "[unsupported]"},
	}
	for _, c := range cases {
		t.Run(c.typ+"/"+c.preview, func(t *testing.T) {
			e := newEnv(t)
			wamid := newWAMID()
			raw := `{"from":"16505550001","id":"` + wamid + `","timestamp":"` + tsString(e.clock.Now().Add(-time.Minute)) +
				`","type":"` + c.typ + `","` + c.typ + `":` + c.object + `}`
			body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + testWABA + `","changes":[{"field":"messages","value":{` +
				`"messaging_product":"whatsapp","metadata":{"display_phone_number":"` + testDisplay + `","phone_number_id":"` + testAccount + `"},` +
				`"contacts":[{"profile":{"name":"Ana"},"wa_id":"16505550001"}],"messages":[` + raw + `]}}]}]}`)
			e.ingestRaw(body)
			conv := e.onlyConversation()
			msgs := e.messages(conv.ID)
			if len(msgs) != 1 {
				t.Fatalf("messages = %d", len(msgs))
			}
			m := msgs[0]
			if m.Type != c.typ || m.WAMID != wamid || m.Direction != domain.Inbound || m.Status != domain.MsgReceived {
				t.Fatalf("message = %+v", m)
			}
			if string(m.Content) != c.object {
				t.Fatalf("content = %s\nwant      %s", m.Content, c.object)
			}
			if m.Preview != c.preview {
				t.Fatalf("preview = %q, want %q", m.Preview, c.preview)
			}
			if m.From != "+16505550001" || m.To != "+"+testDisplay {
				t.Fatalf("from/to = %s/%s", m.From, m.To)
			}
			if !conv.Unanswered || conv.LastMessage == nil || conv.LastMessage.ID != m.ID {
				t.Fatalf("conversation = %+v", conv)
			}
		})
	}
}

func tsString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// ingestRaw signs and ingests exact bytes.
func (e *env) ingestRaw(body []byte) {
	e.t.Helper()
	if err := e.svc.IngestWebhook(context.Background(), body, whatsapp.Sign([]byte(testSecret), body)); err != nil {
		e.t.Fatalf("ingest: %v", err)
	}
}

func TestDedupeWithinABodyAndAcrossDeliveries(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	w1, w2 := newWAMID(), newWAMID()
	body := inbound("16505550002", "Bo", textMsg(w1, now, "one"), textMsg(w1, now, "one"), textMsg(w2, now, "two"))
	e.ingest(body)
	events := e.svc.LastSeq()
	e.ingest(body) // Meta redelivers
	e.ingest(inbound("16505550002", "Bo", textMsg(w2, now, "two")))
	conv := e.onlyConversation()
	if n := len(e.messages(conv.ID)); n != 2 {
		t.Fatalf("messages = %d, want 2", n)
	}
	if conv.UnreadCount != 2 {
		t.Fatalf("unread = %d, want 2", conv.UnreadCount)
	}
	if got := e.svc.LastSeq(); got != events {
		t.Fatalf("redeliveries emitted %d events", got-events)
	}
	if got := e.count("webhook_bodies"); got != 3 {
		t.Fatalf("raw bodies = %d, want 3 (every accepted body is kept)", got)
	}
	acct, err := e.svc.GetAccount(context.Background(), testAccount)
	if err != nil || acct.MessagesIn != 2 {
		t.Fatalf("account = %+v, %v", acct, err)
	}
}

func TestBadInputIsRefusedAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	good := mustJSON(t, inbound("16505550003", "Cy", textMsg(newWAMID(), e.clock.Now(), "hi")))
	deep := []byte(`{"object":"whatsapp_business_account","entry":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`)
	huge := append([]byte(`{"object":"whatsapp_business_account","entry":[],"pad":"`), bytes.Repeat([]byte("x"), MaxWebhookBytes)...)
	huge = append(huge, `"}`...)
	cases := []struct {
		name string
		body []byte
		sig  string
		code apierr.Code
	}{
		{"bad signature", good, "sha256=" + strings.Repeat("0", 64), apierr.BadSignature},
		{"missing signature", good, "", apierr.BadSignature},
		{"signature of other bytes", good, whatsapp.Sign([]byte(testSecret), []byte("{}")), apierr.BadSignature},
		{"invalid JSON", []byte(`{"object":`), "", apierr.InvalidJSON},
		{"invalid UTF-8", []byte("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"\xff\"}]}"), "", apierr.InvalidJSON},
		{"wrong object", []byte(`{"object":"page","entry":[]}`), "", apierr.InvalidRequest},
		{"no entries", []byte(`{"object":"whatsapp_business_account","entry":[]}`), "", apierr.InvalidRequest},
		{"entry not an array", []byte(`{"object":"whatsapp_business_account","entry":"x"}`), "", apierr.InvalidRequest},
		{"messages without metadata", []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[]}}]}]}`), "", apierr.InvalidRequest},
		{"deep nesting", deep, "", apierr.InvalidJSON},
		{"over 3 MB", huge, "", apierr.PayloadTooLarge},
		{"empty", []byte{}, "", apierr.InvalidJSON},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig := c.sig
			if sig == "" && c.code != apierr.BadSignature {
				sig = whatsapp.Sign([]byte(testSecret), c.body)
			}
			err := e.svc.IngestWebhook(context.Background(), c.body, sig)
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Code != c.code {
				t.Fatalf("err = %v, want %s", err, c.code)
			}
			if ae.Status() < 400 || ae.Status() >= 500 {
				t.Fatalf("status %d is not a 4xx", ae.Status())
			}
			if n := e.count("webhook_bodies"); n != 0 {
				t.Fatalf("a refused body left %d raw rows", n)
			}
			if n := e.count("messages"); n != 0 {
				t.Fatalf("a refused body left %d messages", n)
			}
		})
	}
	// The next good request is served.
	e.ingestRaw(good)
	if n := e.count("messages"); n != 1 {
		t.Fatalf("messages after a good body = %d", n)
	}
}

func TestVerifySubscription(t *testing.T) {
	e := newEnv(t)
	q := map[string][]string{"hub.mode": {"subscribe"}, "hub.verify_token": {"verify-me"}, "hub.challenge": {"1158201444"}}
	if got, err := e.svc.VerifySubscription(q); err != nil || got != "1158201444" {
		t.Fatalf("challenge = %q, %v", got, err)
	}
	q["hub.verify_token"] = []string{"nope"}
	if _, err := e.svc.VerifySubscription(q); apierr.CodeOf(err) != apierr.BadSignature {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestQuirkNumbersAreOneContact(t *testing.T) {
	cases := []struct {
		name     string
		forms    []string // wa_ids as WhatsApp may report them
		canonial string
	}{
		{"Mexico 521 and 52", []string{"5215512345678", "525512345678"}, "+525512345678"},
		{"Brazil with and without the ninth digit", []string{"551187654321", "5511987654321"}, "+5511987654321"},
		{"Argentina 549", []string{"5491123456789"}, "+5491123456789"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			for _, f := range c.forms {
				e.ingest(inbound(f, "Cliente", textMsg(newWAMID(), e.clock.Now(), "hola")))
			}
			conv := e.onlyConversation()
			if conv.Contact.Phone != c.canonial {
				t.Fatalf("contact phone = %s, want %s", conv.Contact.Phone, c.canonial)
			}
			if got := len(e.messages(conv.ID)); got != len(c.forms) {
				t.Fatalf("messages = %d", got)
			}
			// Agents typing the number in another form find the same person.
			found, err := e.svc.FindContact(context.Background(), c.canonial)
			if err != nil || found.ID != conv.Contact.ID {
				t.Fatalf("FindContact = %+v, %v", found, err)
			}
		})
	}
}

func TestConcurrentWebhooksKeepEventsGapless(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	const senders, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, senders*each)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wa := "1650555" + string(rune('0'+s/10)) + string(rune('0'+s%10)) + "00"
			for range each {
				body := mustJSON(t, inbound(wa, "C", textMsg(newWAMID(), now, "x")))
				errs <- e.svc.IngestWebhook(context.Background(), body, whatsapp.Sign([]byte(testSecret), body))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count("messages"); n != senders*each {
		t.Fatalf("messages = %d", n)
	}
	evs, err := e.svc.EventsSince(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: gap or disorder", i, ev.Seq)
		}
		if ev.Type == domain.EventMessageCreated {
			created++
		}
	}
	if created != senders*each {
		t.Fatalf("message.created events = %d", created)
	}
	cnt, _ := e.svc.Counters(context.Background())
	if cnt.Total != senders || cnt.Unassigned != senders {
		t.Fatalf("counters = %+v", cnt)
	}
}

func TestRawBodyOfAFailedApplyIsKeptAndRetried(t *testing.T) {
	e := newEnv(t)
	// A body whose effects cannot be applied: break the messages table so
	// the insert fails, as a bug would.
	if _, err := e.db.Write.Exec(`CREATE TRIGGER boom BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	body := mustJSON(t, inbound("16505550009", "Di", textMsg(newWAMID(), e.clock.Now(), "kept")))
	if err := e.svc.IngestWebhook(context.Background(), body, whatsapp.Sign([]byte(testSecret), body)); err != nil {
		t.Fatalf("an accepted body must be acknowledged once stored: %v", err)
	}
	var state string
	if err := e.db.Read.QueryRow(`SELECT state FROM webhook_bodies`).Scan(&state); err != nil || state != "failed" {
		t.Fatalf("raw state = %q, %v", state, err)
	}
	if _, err := e.db.Write.Exec(`DROP TRIGGER boom`); err != nil {
		t.Fatal(err)
	}
	e.reopen() // the next start applies it
	if err := e.db.Read.QueryRow(`SELECT state FROM webhook_bodies`).Scan(&state); err != nil || state != "processed" {
		t.Fatalf("raw state after restart = %q, %v", state, err)
	}
	if n := e.count("messages"); n != 1 {
		t.Fatalf("messages = %d", n)
	}
}

func TestUnknownFieldsAndTypesAreKept(t *testing.T) {
	e := newEnv(t)
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + testWABA + `","changes":[` +
		`{"field":"security","value":{"event":"PIN_CHANGED"}},` +
		`{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"` + testDisplay +
		`","phone_number_id":"` + testAccount + `"},"contacts":[{"profile":{"name":"E"},"wa_id":"16505550010"}],` +
		`"messages":[{"from":"16505550010","id":"wamid.NEWTYPE","timestamp":"1700000000","type":"hologram","hologram":{"depth":3}}]}}]}]}`)
	e.ingestRaw(body)
	conv := e.onlyConversation()
	m := e.messages(conv.ID)[0]
	if m.Type != "hologram" || string(m.Content) != `{"depth":3}` || m.Preview != "[hologram]" {
		t.Fatalf("message = %+v", m)
	}
	var raw []byte
	e.db.Read.QueryRow(`SELECT body FROM webhook_bodies`).Scan(&raw)
	if !bytes.Equal(raw, body) {
		t.Fatal("the raw body is not stored byte for byte")
	}
}

func TestContentOfFallsBackToTheWholeMessage(t *testing.T) {
	m := &whatsapp.Message{}
	if err := json.Unmarshal([]byte(`{"id":"w","type":"request_welcome","from":"1"}`), m); err != nil {
		t.Fatal(err)
	}
	if got := string(contentOf(m)); got != `{"id":"w","type":"request_welcome","from":"1"}` {
		t.Fatalf("content = %s", got)
	}
}
