package hub

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/sandbox"
	"switchboard/backend/testkit"
	"switchboard/backend/whatsapp"
)

// sbEnv is a hub wired to a sandbox over real HTTP on 127.0.0.1: the hub
// sends through the Cloud API client to the sandbox, and the sandbox posts
// signed webhooks to a receiver that calls IngestWebhook.
type sbEnv struct {
	*env
	sb    *sandbox.Sandbox
	clock *sandbox.ManualClock
}

type sbOptions struct {
	throughput    float64 // the sandbox's per-number limit (default 1000)
	mps           int     // the hub's pacing (default 1000)
	undeliverable []string
	noAPI         bool
	maxAttempts   int
}

func newSandboxEnv(t *testing.T, o sbOptions) *sbEnv {
	t.Helper()
	if o.throughput == 0 {
		o.throughput = 1000
	}
	if o.mps == 0 {
		o.mps = 1000
	}
	clock := sandbox.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	zero := sandbox.StatusDelays{}
	sb, err := sandbox.New(sandbox.Config{
		AppSecret: testSecret, VerifyToken: "verify-me", WABAID: testWABA, Seed: 3, Clock: clock,
		PhoneNumbers:         []sandbox.PhoneNumber{{ID: testAccount, DisplayNumber: testDisplay, VerifiedName: "Test Shop", Throughput: o.throughput}},
		StatusDelays:         &zero,
		Customers:            sandbox.CustomerConfig{Count: 1, ReadProbability: -1, ReplyProbability: -1},
		Webhook:              sandbox.WebhookConfig{RetryBase: time.Millisecond, RetryMax: 10 * time.Millisecond},
		UndeliverableNumbers: o.undeliverable,
		TemplateReviewDelay:  time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	se := &sbEnv{sb: sb, clock: clock}
	se.env = newEnv(t, func(c *Config) {
		c.Clock = clock
		c.Accounts[0].ThroughputMPS = o.mps
		c.MaxAttempts = o.maxAttempts
		if !o.noAPI {
			c.API = whatsapp.NewClient(base, sb.AccessToken())
		}
	})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc := se.current()
		if svc == nil {
			http.Error(w, "restarting", http.StatusServiceUnavailable)
			return
		}
		if r.Method == http.MethodGet {
			ch, err := svc.VerifySubscription(r.URL.Query())
			if err != nil {
				http.Error(w, err.Error(), apierr.As(err).Status())
				return
			}
			io.WriteString(w, ch)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, MaxWebhookBytes+1))
		if err := svc.IngestWebhook(r.Context(), body, r.Header.Get(whatsapp.SignatureHeader)); err != nil {
			http.Error(w, err.Error(), apierr.As(err).Status())
			return
		}
	}))
	if err := sb.SubscribeWebhook(context.Background(), hook.URL); err != nil {
		t.Fatal(err)
	}
	// Close the hub before the receiver, the receiver before the sandbox.
	t.Cleanup(func() {
		se.env.close()
		hook.Close()
		sb.Close()
	})
	return se
}

// customerWrites makes a sandbox customer send a text and waits until the
// hub has it.
func (se *sbEnv) customerWrites(waID, text string) string {
	se.t.Helper()
	rec, err := se.sb.CustomerSend(waID, sandbox.InboundMessage{Type: "text", Text: text, ProfileName: "Sandbox Customer"})
	if err != nil {
		se.t.Fatal(err)
	}
	se.flush()
	return rec.ID
}

func (se *sbEnv) flush() {
	se.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := se.sb.Flush(ctx); err != nil {
		se.t.Fatal(err)
	}
}

// waitStatus waits until a message reaches status.
func (se *sbEnv) waitStatus(id int64, st domain.MessageStatus) domain.Message {
	se.t.Helper()
	var m domain.Message
	testkit.Eventually(se.t, "message "+strconv.FormatInt(id, 10)+" to be "+string(st), func() bool {
		se.flush()
		var err error
		m, err = se.current().GetMessage(context.Background(), id)
		return err == nil && m.Status == st
	})
	return m
}

func (se *sbEnv) outboundRecords() []sandbox.MessageRecord {
	var out []sandbox.MessageRecord
	for _, r := range se.sb.Messages("", 0) {
		if r.Direction == sandbox.DirectionOutbound {
			out = append(out, r)
		}
	}
	return out
}

func TestSendEveryTypeThroughTheSandbox(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	const wa = "16505551001"
	inWamid := se.customerWrites(wa, "hi, do you ship to Lisbon?")
	conv := se.onlyConversation()
	var customerMsg domain.Message
	for _, m := range se.messages(conv.ID) {
		if m.WAMID == inWamid {
			customerMsg = m
		}
	}
	if customerMsg.ID == 0 || conv.Contact.Name != "Sandbox Customer" {
		t.Fatalf("the customer's message did not arrive: %+v", conv)
	}
	media, err := se.sb.UploadMedia(testAccount, "image/jpeg", []byte("\xff\xd8\xff\xe0 tiny jpeg"))
	if err != nil {
		t.Fatal(err)
	}
	author := int64(7)
	cases := []SendRequest{
		{Type: "text", Text: json.RawMessage(`{"body":"Yes! *Free* shipping to Lisbon.","preview_url":false}`), ReplyTo: customerMsg.ID},
		{Type: "image", Image: json.RawMessage(`{"id":"` + media + `","caption":"our van"}`)},
		{Type: "image", Image: json.RawMessage(`{"link":"https://shop.example.com/van.jpg"}`)},
		{Type: "document", Document: json.RawMessage(`{"link":"https://shop.example.com/terms.pdf","filename":"terms.pdf"}`)},
		{Type: "audio", Audio: json.RawMessage(`{"link":"https://shop.example.com/hello.ogg"}`)},
		{Type: "video", Video: json.RawMessage(`{"link":"https://shop.example.com/tour.mp4","caption":"tour"}`)},
		{Type: "sticker", Sticker: json.RawMessage(`{"link":"https://shop.example.com/smile.webp"}`)},
		{Type: "location", Location: json.RawMessage(`{"latitude":38.7223,"longitude":-9.1393,"name":"Shop","address":"Rua Augusta 1, Lisboa"}`)},
		{Type: "contacts", Contacts: json.RawMessage(`[{"name":{"formatted_name":"Support Desk","first_name":"Support"},"phones":[{"phone":"+351 21 000 0000","type":"WORK"}]}]`)},
		{Type: "interactive", Interactive: json.RawMessage(`{"type":"button","body":{"text":"Want tracking updates?"},"action":{"buttons":[{"type":"reply","reply":{"id":"y","title":"Yes"}},{"type":"reply","reply":{"id":"n","title":"No"}}]}}`)},
		{Type: "interactive", Interactive: json.RawMessage(`{"type":"list","body":{"text":"Pick a size"},"action":{"button":"Sizes","sections":[{"title":"Sizes","rows":[{"id":"s","title":"Small"},{"id":"l","title":"Large","description":"30 cm"}]}]}}`)},
		{Type: "reaction", Reaction: json.RawMessage(`{"message_id":"` + inWamid + `","emoji":"👍"}`)},
	}
	var ids []int64
	for i, req := range cases {
		req.ConversationID = conv.ID
		req.AuthorID = &author
		m, err := se.current().Send(ctx, req)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, req.Type, err)
		}
		if m.Status != domain.MsgQueued || m.Direction != domain.Outbound || m.ID == 0 {
			t.Fatalf("case %d: queued message = %+v", i, m)
		}
		ids = append(ids, m.ID)
	}
	for i, id := range ids {
		m := se.waitStatus(id, domain.MsgDelivered)
		if m.WAMID == "" || m.SentAt == nil {
			t.Fatalf("case %d: %+v", i, m)
		}
	}
	if got := len(se.outboundRecords()); got != len(cases) {
		t.Fatalf("the sandbox received %d sends, want %d", got, len(cases))
	}
	// The reply quotes the customer's message; the reaction sits on it.
	first, _ := se.current().GetMessage(ctx, ids[0])
	rec, ok := se.sb.Message(first.WAMID)
	if !ok || rec.ContextID != inWamid {
		t.Fatalf("reply context = %+v", rec)
	}
	target, _ := se.current().GetMessage(ctx, customerMsg.ID)
	if len(target.Reactions) != 1 || target.Reactions[0].Emoji != "👍" || target.Reactions[0].From != "7" {
		t.Fatalf("reactions = %+v", target.Reactions)
	}
	c := se.onlyConversation()
	if c.Unanswered || c.WaitingSince != nil {
		t.Fatalf("answered conversation = %+v", c)
	}
	checkCounters(t, se.env)
}

func TestValidationBeforeQueueing(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	se.customerWrites("16505551002", "hello")
	conv := se.onlyConversation()
	cases := []struct {
		name string
		req  SendRequest
		code apierr.Code
	}{
		{"no recipient", SendRequest{Type: "text", Text: json.RawMessage(`{"body":"x"}`)}, apierr.InvalidRequest},
		{"bad phone", SendRequest{To: "call me maybe", Type: "text", Text: json.RawMessage(`{"body":"x"}`)}, apierr.InvalidPhone},
		{"no type", SendRequest{ConversationID: conv.ID}, apierr.InvalidRequest},
		{"unknown type", SendRequest{ConversationID: conv.ID, Type: "hologram", Text: json.RawMessage(`{}`)}, apierr.ValidationFailed},
		{"missing object", SendRequest{ConversationID: conv.ID, Type: "text"}, apierr.InvalidRequest},
		{"empty text", SendRequest{ConversationID: conv.ID, Type: "text", Text: json.RawMessage(`{"body":""}`)}, apierr.ValidationFailed},
		{"text too long", SendRequest{ConversationID: conv.ID, Type: "text", Text: json.RawMessage(`{"body":"` + string(make([]byte, 0)) + repeat("a", 4097) + `"}`)}, apierr.ValidationFailed},
		{"four buttons", SendRequest{ConversationID: conv.ID, Type: "interactive", Interactive: json.RawMessage(`{"type":"button","body":{"text":"?"},"action":{"buttons":[` +
			`{"type":"reply","reply":{"id":"1","title":"a"}},{"type":"reply","reply":{"id":"2","title":"b"}},{"type":"reply","reply":{"id":"3","title":"c"}},{"type":"reply","reply":{"id":"4","title":"d"}}]}}`)}, apierr.ValidationFailed},
		{"unknown conversation", SendRequest{ConversationID: 999, Type: "text", Text: json.RawMessage(`{"body":"x"}`)}, apierr.NotFound},
		{"unknown account", SendRequest{AccountID: "999000", To: "+16505551002", Type: "text", Text: json.RawMessage(`{"body":"x"}`)}, apierr.NotFound},
		{"placeholder account", SendRequest{AccountID: "PHONE_NUMBER_ID", To: "+16505551002", Type: "text", Text: json.RawMessage(`{"body":"x"}`)}, apierr.InvalidRequest},
		{"unknown reply target", SendRequest{ConversationID: conv.ID, ReplyTo: 999, Type: "text", Text: json.RawMessage(`{"body":"x"}`)}, apierr.NotFound},
		{"free-form to a stranger", SendRequest{To: "+16505551999", Type: "text", Text: json.RawMessage(`{"body":"x"}`)}, apierr.SessionExpired},
		{"malformed object", SendRequest{ConversationID: conv.ID, Type: "text", Text: json.RawMessage(`{"body":12}`)}, apierr.InvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := se.count("messages")
			_, err := se.current().Send(ctx, c.req)
			if apierr.CodeOf(err) != c.code {
				t.Fatalf("err = %v, want %s", err, c.code)
			}
			if se.count("messages") != before || se.count("send_queue") != 0 {
				t.Fatal("a refused send left a message or a queue entry")
			}
		})
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

func TestTemplateSends(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	n, err := se.current().SyncTemplates(ctx, testAccount)
	if err != nil || n < 10 {
		t.Fatalf("synced %d templates: %v", n, err)
	}
	vars := func(s string) TemplateVariables {
		var v TemplateVariables
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name string
		tpl  TemplateRequest
		code apierr.Code
	}{
		{"positional with a URL button", TemplateRequest{Name: "order_update", Language: "en_US",
			Variables: vars(`{"1":"Emily","2":"#48213","3":"Friday","button.0":"48213"}`)}, ""},
		{"positional as an array, other language", TemplateRequest{Name: "order_update", Language: "es_MX",
			Variables: vars(`{"1":"Sofía","2":"#1","3":"viernes","button.0":"1"}`)}, ""},
		{"named", TemplateRequest{Name: "appointment_reminder", Language: "en_US",
			Variables: vars(`{"customer_name":"Grace","provider":"Dr. Kim","date":"June 3","time":"10:30"}`)}, ""},
		{"media header", TemplateRequest{Name: "invoice_ready", Language: "en_US",
			Variables: vars(`{"header":{"link":"https://shop.example.com/inv.pdf","filename":"inv.pdf"},"1":"James","2":"INV-1","3":"$1"}`)}, ""},
		{"no parameters", TemplateRequest{Name: "hello_world", Language: "en_US"}, ""},
		{"en-US spelling", TemplateRequest{Name: "hello_world", Language: "en-US"}, ""},
		{"raw components", TemplateRequest{Name: "delivery_update", Language: "ar", Components: []whatsapp.TemplateComponent{
			{Type: "body", Parameters: []whatsapp.TemplateParameter{{Type: "text", Text: "محمد"}, {Type: "text", Text: "48213"}}}}}, ""},
		{"unknown template", TemplateRequest{Name: "nope", Language: "en_US"}, apierr.TemplateNotFound},
		{"unknown language", TemplateRequest{Name: "hello_world", Language: "fr"}, apierr.TemplateNotFound},
		{"paused", TemplateRequest{Name: "winter_promo", Language: "en_US", Variables: vars(`["Noah"]`)}, apierr.TemplateNotFound},
		{"disabled", TemplateRequest{Name: "old_newsletter", Language: "en_US", Variables: vars(`["Liam"]`)}, apierr.TemplateNotFound},
		{"missing variable", TemplateRequest{Name: "order_update", Language: "en_US", Variables: vars(`{"1":"Emily","2":"#1","button.0":"1"}`)}, apierr.TemplateParamsMismatch},
		{"extra variable", TemplateRequest{Name: "hello_world", Language: "en_US", Variables: vars(`{"1":"x"}`)}, apierr.TemplateParamsMismatch},
		{"missing required button", TemplateRequest{Name: "order_update", Language: "en_US", Variables: vars(`["a","b","c"]`)}, apierr.TemplateParamsMismatch},
		{"wrong named variable", TemplateRequest{Name: "appointment_reminder", Language: "en_US",
			Variables: vars(`{"customer":"Grace","provider":"Dr. Kim","date":"June 3","time":"10:30"}`)}, apierr.TemplateParamsMismatch},
		{"raw components that do not fit", TemplateRequest{Name: "delivery_update", Language: "ar", Components: []whatsapp.TemplateComponent{
			{Type: "body", Parameters: []whatsapp.TemplateParameter{{Type: "text", Text: "only one"}}}}}, apierr.TemplateParamsMismatch},
	}
	var sent []int64
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := c.tpl
			// Templates go to numbers that never wrote: no window needed.
			m, err := se.current().Send(ctx, SendRequest{To: "+1650555" + strconv.Itoa(2100+i), Type: "template", Template: &tpl})
			if apierr.CodeOf(err) != c.code {
				t.Fatalf("err = %v, want %q", err, c.code)
			}
			if err == nil {
				if m.Type != "template" || m.Preview == "" {
					t.Fatalf("message = %+v", m)
				}
				sent = append(sent, m.ID)
			}
		})
	}
	for _, id := range sent {
		se.waitStatus(id, domain.MsgDelivered)
	}
	if got := len(se.outboundRecords()); got != len(sent) {
		t.Fatalf("the sandbox accepted %d templates, want %d", got, len(sent))
	}
}

func TestIdempotencyKeys(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	se.customerWrites("16505551003", "hello")
	conv := se.onlyConversation()
	req := SendRequest{ConversationID: conv.ID, Type: "text", Text: json.RawMessage(`{"body":"once"}`), IdempotencyKey: "key-1"}
	a, err := se.current().Send(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// The same request again, even with different whitespace, is the same message.
	req2 := req
	req2.Text = json.RawMessage(`{ "body" : "once" }`)
	b, err := se.current().Send(ctx, req2)
	if err != nil || b.ID != a.ID {
		t.Fatalf("retry = %+v, %v (first %d)", b, err, a.ID)
	}
	other := req
	other.Text = json.RawMessage(`{"body":"twice"}`)
	if _, err := se.current().Send(ctx, other); apierr.CodeOf(err) != apierr.IdempotencyConflict {
		t.Fatalf("reuse with another body: %v", err)
	}
	se.waitStatus(a.ID, domain.MsgDelivered)
	// Still the same after it was sent, and after a restart.
	se.reopen()
	c, err := se.current().Send(ctx, req)
	if err != nil || c.ID != a.ID || c.Status != domain.MsgDelivered {
		t.Fatalf("after restart = %+v, %v", c, err)
	}
	if got := len(se.outboundRecords()); got != 1 {
		t.Fatalf("the sandbox received %d sends, want 1", got)
	}
}

func TestRestartWithAQueueSendsEverythingExactlyOnce(t *testing.T) {
	// Paced at 40/s, 60 messages take 1.5 s; the hub is closed after a
	// moment with most of them still queued.
	se := newSandboxEnv(t, sbOptions{mps: 40})
	ctx := context.Background()
	if _, err := se.current().SyncTemplates(ctx, testAccount); err != nil {
		t.Fatal(err)
	}
	const total = 60
	for i := range total {
		_, err := se.current().Send(ctx, SendRequest{To: "+1650555" + strconv.Itoa(3000+i%7), Type: "template",
			Template: &TemplateRequest{Name: "hello_world", Language: "en_US"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	closeCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err := se.current().Close(closeCtx)
	cancel()
	if err == nil {
		t.Log("the queue drained before the deadline; the restart has nothing left")
	}
	left := se.count("send_queue")
	sentBefore := len(se.outboundRecords())
	if left+sentBefore != total {
		t.Fatalf("queued %d + sent %d != %d", left, sentBefore, total)
	}
	se.st.Close()
	se.db.Close()
	se.mu.Lock()
	se.svc = nil
	se.mu.Unlock()
	se.open()
	testkit.Eventually(t, "an empty send queue", func() bool { return se.count("send_queue") == 0 })
	recs := se.outboundRecords()
	if len(recs) != total {
		t.Fatalf("the sandbox received %d sends, want %d (left %d at close)", len(recs), total, left)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		var p struct {
			Biz string `json:"biz_opaque_callback_data"`
		}
		json.Unmarshal(r.Payload, &p)
		if p.Biz == "" || seen[p.Biz] {
			t.Fatalf("message %q sent twice or untagged", p.Biz)
		}
		seen[p.Biz] = true
	}
	var sent int
	se.db.Read.QueryRow(`SELECT COUNT(*) FROM messages WHERE direction = 'outbound' AND wamid IS NOT NULL`).Scan(&sent)
	if sent != total {
		t.Fatalf("messages with a wamid = %d", sent)
	}
}

func TestThrottledSendsAreRetriedWithBackoff(t *testing.T) {
	// The hub believes it may send 200/s; the sandbox allows 2/s and
	// answers 130429 beyond that. Everything still goes out, once.
	se := newSandboxEnv(t, sbOptions{throughput: 2, mps: 200, maxAttempts: 1000})
	ctx := context.Background()
	// Sandbox time (which refills its throughput bucket) moves 5x faster
	// than real time while the test runs.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				se.clock.Advance(50 * time.Millisecond)
			}
		}
	}()
	if _, err := se.current().SyncTemplates(ctx, testAccount); err != nil {
		t.Fatal(err)
	}
	const total = 20
	var ids []int64
	for i := range total {
		m, err := se.current().Send(ctx, SendRequest{To: "+1650555" + strconv.Itoa(4000+i), Type: "template",
			Template: &TemplateRequest{Name: "hello_world", Language: "en_US"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	for _, id := range ids {
		se.waitStatus(id, domain.MsgDelivered)
	}
	st := se.sb.Stats()
	if st.Throttled == 0 {
		t.Fatal("the sandbox never throttled: the retry path was not exercised")
	}
	if got := len(se.outboundRecords()); got != total {
		t.Fatalf("the sandbox accepted %d, want %d", got, total)
	}
}

func TestPermanentFailuresAreRecorded(t *testing.T) {
	const gone = "16505551099"
	se := newSandboxEnv(t, sbOptions{undeliverable: []string{gone}})
	ctx := context.Background()
	if _, err := se.current().SyncTemplates(ctx, testAccount); err != nil {
		t.Fatal(err)
	}
	// Accepted, then a failed status webhook with 131026.
	m, err := se.current().Send(ctx, SendRequest{To: "+" + gone, Type: "template", Template: &TemplateRequest{Name: "hello_world", Language: "en_US"}})
	if err != nil {
		t.Fatal(err)
	}
	got := se.waitStatus(m.ID, domain.MsgFailed)
	if got.Error == nil || got.Error.Code != 131026 {
		t.Fatalf("error = %+v", got.Error)
	}
	// The hub believes the window is open (a webhook the sandbox never
	// sent), Meta's side does not: 131047 comes back and is recorded.
	e := se.env
	e.ingest(inbound("16505551098", "Z", textMsg(newWAMID(), e.clock.Now(), "hi")))
	var conv domain.Conversation
	for _, c := range e.conversations() {
		if c.Contact.Phone == "+16505551098" {
			conv = c
		}
	}
	m2, err := se.current().Send(ctx, SendRequest{ConversationID: conv.ID, Type: "text", Text: json.RawMessage(`{"body":"hello"}`)})
	if err != nil {
		t.Fatal(err)
	}
	got = se.waitStatus(m2.ID, domain.MsgFailed)
	if got.Error == nil || got.Error.Code != 131047 {
		t.Fatalf("error = %+v", got.Error)
	}
}

func TestMarkReadReachesWhatsApp(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	se.customerWrites("16505551004", "one")
	w2 := se.customerWrites("16505551004", "two")
	conv := se.onlyConversation()
	if conv.UnreadCount != 2 {
		t.Fatalf("unread = %d", conv.UnreadCount)
	}
	msgs := se.messages(conv.ID)
	last := msgs[len(msgs)-1]
	if err := se.current().MarkRead(ctx, last.ID, true); err != nil {
		t.Fatal(err)
	}
	if c := se.onlyConversation(); c.UnreadCount != 0 {
		t.Fatalf("unread after read = %d", c.UnreadCount)
	}
	for _, m := range se.messages(conv.ID) {
		if m.Status != domain.MsgRead {
			t.Fatalf("message %d is %s", m.ID, m.Status)
		}
	}
	if rec, ok := se.sb.Message(w2); !ok || rec.Status != "read" {
		t.Fatalf("sandbox record = %+v", rec)
	}
}

func TestTemplateLifecycle(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	if _, err := se.current().SyncTemplates(ctx, ""); err != nil {
		t.Fatal(err)
	}
	sub, err := se.current().SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: whatsapp.Template{Name: "welcome_back", Language: "en_US",
		Category: "UTILITY", Components: []whatsapp.TemplateComponentDef{{Type: "BODY",
			Text:    "Hello {{1}}, thanks for getting back to us about your order today.",
			Example: &whatsapp.TemplateExample{BodyText: [][]string{{"Ana"}}}}}}})
	created := sub.Template
	if err != nil || created.Status != "PENDING" || created.ID == "" {
		t.Fatalf("created = %+v, %v", created, err)
	}
	// Pending templates cannot be sent.
	send := SendRequest{To: "+16505555000", Type: "template", Template: &TemplateRequest{Name: "welcome_back", Language: "en_US", Variables: TemplateVariables{"1": json.RawMessage(`"Ana"`)}}}
	if _, err := se.current().Send(ctx, send); apierr.CodeOf(err) != apierr.TemplateNotFound {
		t.Fatalf("send a pending template: %v", err)
	}
	// Meta reviews it; the status webhook approves it.
	se.clock.Advance(2 * time.Minute)
	testkit.Eventually(t, "the template approved", func() bool {
		se.flush()
		tp, err := se.current().GetTemplate(ctx, testAccount, "welcome_back", "en_US")
		return err == nil && tp.Status == "APPROVED"
	})
	sentMsg, err := se.current().Send(ctx, send)
	if err != nil {
		t.Fatalf("send an approved template: %v", err)
	}
	se.waitStatus(sentMsg.ID, domain.MsgDelivered) // its status events are in before counting
	if err := se.current().DeleteTemplate(ctx, testAccount, "welcome_back", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := se.current().GetTemplate(ctx, testAccount, "welcome_back", "en_US"); apierr.CodeOf(err) != apierr.NotFound {
		t.Fatalf("after delete: %v", err)
	}
	// A second sync finds nothing new and emits nothing.
	seq := se.current().LastSeq()
	if _, err := se.current().SyncTemplates(ctx, testAccount); err != nil {
		t.Fatal(err)
	}
	if se.current().LastSeq() != seq {
		t.Fatal("an unchanged sync emitted events")
	}
}
