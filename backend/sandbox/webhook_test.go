package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSign(t *testing.T) {
	// Reference value computed independently:
	// printf '{"object":"whatsapp_business_account"}' | openssl dgst -sha256 -hmac secret
	got := Sign("secret", []byte(`{"object":"whatsapp_business_account"}`))
	const want = "sha256=03f6dd944ecab4ddac0e3dbc3923b2da4e12b03df679ae23a52efd78ca6056e0"
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestWebhookBatchingWhenEventsQueueUp(t *testing.T) {
	e := newEnv(t, Config{Webhook: WebhookConfig{BatchMax: 8}})
	to := e.openCustomer()
	e.flush()
	e.rc.reset()
	e.sb.SetWebhookURL("") // hold events, as before the hub starts
	for i := 0; i < 10; i++ {
		if _, err := e.sb.CustomerSend(to, InboundMessage{Type: "text", Text: "queued"}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if n := len(e.rc.all()); n != 0 {
		t.Fatalf("%d bodies posted without a URL", n)
	}
	e.sb.SetWebhookURL(e.rc.url())
	e.flush()
	vals := e.rc.messageValues()
	if len(vals) != 2 || len(vals[0].Messages) != 8 || len(vals[1].Messages) != 2 {
		t.Fatalf("batches: %d bodies", len(vals))
	}
	if len(vals[0].Contacts) != 1 || vals[0].Contacts[0].WaID != to || vals[0].Contacts[0].Profile.Name == "" {
		t.Errorf("contacts %+v", vals[0].Contacts)
	}
	if vals[0].Metadata.PhoneNumberID != DefaultPhoneNumberID || vals[0].Metadata.DisplayPhoneNumber != DefaultDisplayNumber {
		t.Errorf("metadata %+v", vals[0].Metadata)
	}
}

func TestWebhookDroppedAfterMaxAttempts(t *testing.T) {
	e := newEnv(t, Config{Webhook: WebhookConfig{MaxAttempts: 3, RetryBase: time.Millisecond}})
	e.rc.mu.Lock()
	e.rc.failNext = 1000
	e.rc.mu.Unlock()
	e.openCustomer()
	e.flush()
	st := e.sb.Stats()
	if st.WebhooksDropped != 1 || st.WebhookAttempts != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestSubscribeWebhookHandshake(t *testing.T) {
	e := newEnv(t, Config{VerifyToken: "verify-me"})
	ctx := context.Background()
	if err := e.sb.SubscribeWebhook(ctx, e.rc.url()); err != nil {
		t.Fatal(err)
	}
	bad, err := New(Config{VerifyToken: "wrong", Clock: NewManualClock(testStart)})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	err = bad.SubscribeWebhook(ctx, e.rc.url())
	if !errors.Is(err, ErrVerifyFailed) {
		t.Fatalf("err = %v", err)
	}
	if bad.WebhookURL() != "" {
		t.Errorf("URL saved despite failed verification")
	}
}

func TestInboundAndStatusBodies(t *testing.T) {
	sb, err := New(Config{Seed: 9, Clock: NewManualClock(testStart), AppSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	check := func(bodies []SignedBody, wantMsgs, wantStatuses int) {
		t.Helper()
		for _, b := range bodies {
			if Sign("s3cret", b.Body) != b.Signature {
				t.Fatal("signature mismatch")
			}
			var n notification
			if err := json.Unmarshal(b.Body, &n); err != nil || n.Object != "whatsapp_business_account" {
				t.Fatalf("body %s", b.Body)
			}
			var v msgValue
			if err := json.Unmarshal(n.Entry[0].Changes[0].Value, &v); err != nil {
				t.Fatal(err)
			}
			if len(v.Messages) != wantMsgs || len(v.Statuses) != wantStatuses {
				t.Fatalf("%d messages %d statuses", len(v.Messages), len(v.Statuses))
			}
			for _, m := range v.Messages {
				found := false
				for _, c := range v.Contacts {
					found = found || c.WaID == m.From
				}
				if !found {
					t.Fatalf("sender %s not in contacts", m.From)
				}
			}
		}
	}
	in := sb.InboundBodies(100, 4)
	if len(in) != 100 {
		t.Fatalf("%d bodies", len(in))
	}
	check(in, 4, 0)
	st := sb.StatusBodies(30, 5)
	check(st, 0, 5)
}

func TestAdminEndpoints(t *testing.T) {
	e := newEnv(t, Config{Customers: CustomerConfig{Count: 5}})
	admin := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		return e.doToken(method, "/_sandbox/"+path, body, "")
	}
	status, out := admin("GET", "state", nil)
	if status != 200 || out["waba_id"] != DefaultWABAID || out["webhook_url"] != e.rc.url() {
		t.Fatalf("state %d %v", status, out)
	}
	status, out = admin("POST", "clock/advance", map[string]any{"duration": "25h"})
	if status != 200 || !strings.HasPrefix(out["now"].(string), "2025-03-15T10:00:00") {
		t.Fatalf("advance %d %v", status, out)
	}
	if status, _ = admin("POST", "clock/advance", map[string]any{"duration": "soon"}); status != 400 {
		t.Errorf("bad duration: %d", status)
	}
	status, out = admin("POST", "customers", map[string]any{"wa_id": "+52 1 55 9876 5432", "name": "Lupita 🌸", "simulated": false})
	if status != 201 || out["wa_id"] != "5215598765432" || out["locale"] != "es" {
		t.Fatalf("add customer %d %v", status, out)
	}
	status, out = admin("POST", "customers/5215598765432/messages", map[string]any{"type": "text", "text": "Hola 👋"})
	if status != 201 || out["direction"] != "inbound" || out["text"] != "Hola 👋" {
		t.Fatalf("customer send %d %v", status, out)
	}
	id := e.sendOK(textMsg("525598765432", "¡Hola Lupita!"))
	admin("POST", "flush", nil)
	status, out = admin("GET", "messages?wa_id=5215598765432&limit=10", nil)
	if data := out["data"].([]any); status != 200 || len(data) != 2 || data[0].(map[string]any)["id"] != id {
		t.Fatalf("messages %d %v", status, out)
	}
	status, out = admin("GET", "messages/"+id, nil)
	if status != 200 || out["status"] != "delivered" {
		t.Errorf("message %d %v", status, out)
	}
	status, out = admin("GET", "customers/5215598765432", nil)
	if status != 200 || out["name"] != "Lupita 🌸" {
		t.Errorf("customer %d %v", status, out)
	}
	if status, _ = admin("POST", "customers/5215598765432/undeliverable", nil); status != 200 {
		t.Errorf("undeliverable %d", status)
	}
	status, out = admin("POST", "generate", map[string]any{"count": 3})
	if status != 200 || len(out["ids"].([]any)) != 3 {
		t.Errorf("generate %d %v", status, out)
	}
	status, out = admin("POST", "templates/hello_world:en_US/status", map[string]any{"status": "PAUSED"})
	if status != 200 {
		t.Errorf("template status %d %v", status, out)
	}
	status, out = admin("GET", "templates", nil)
	if status != 200 || len(out["data"].([]any)) == 0 {
		t.Errorf("templates %d", status)
	}
	status, out = admin("PUT", "webhook", map[string]any{"url": e.rc.url(), "verify": true})
	if status != 502 {
		t.Errorf("verify with no verify token configured should fail: %d %v", status, out)
	}
	status, out = admin("PUT", "webhook", map[string]any{"url": e.rc.url() + "?x=1"})
	if status != 200 || out["url"] != e.rc.url()+"?x=1" {
		t.Errorf("webhook %d %v", status, out)
	}
	if status, _ = admin("GET", "nope", nil); status != 404 {
		t.Errorf("unknown admin path %d", status)
	}
	status, out = admin("POST", "traffic", map[string]any{"rate": 0})
	if status != 200 || out["rate"] != float64(0) {
		t.Errorf("traffic %d %v", status, out)
	}
}

func TestAdminToken(t *testing.T) {
	e := newEnv(t, Config{AdminToken: "adm"})
	if status, _ := e.doToken("GET", "/_sandbox/state", nil, ""); status != 401 {
		t.Errorf("no token: %d", status)
	}
	if status, _ := e.doToken("GET", "/_sandbox/state", nil, "adm"); status != 200 {
		t.Errorf("with token: %d", status)
	}
}

func TestTrafficGenerator(t *testing.T) {
	e := newEnv(t, Config{Customers: CustomerConfig{Count: 20}})
	e.sb.SetTrafficRate(400)
	if e.sb.TrafficRate() != 400 {
		t.Fatal("rate not set")
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.sb.Stats().InboundSent < 40 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	e.sb.SetTrafficRate(0)
	n := e.sb.Stats().InboundSent
	if n < 40 {
		t.Fatalf("only %d messages in 10 s at 400/s", n)
	}
	time.Sleep(50 * time.Millisecond)
	if m := e.sb.Stats().InboundSent; m != n {
		t.Errorf("traffic continued after stop: %d -> %d", n, m)
	}
}

func TestMessageCap(t *testing.T) {
	sb, err := New(Config{Seed: 1, Clock: NewManualClock(testStart), MaxStoredMessages: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	ids := sb.Generate(200)
	if st := sb.Stats(); st.StoredMessages != 50 {
		t.Fatalf("stored %d", st.StoredMessages)
	}
	if _, ok := sb.Message(ids[0]); ok {
		t.Error("oldest message kept")
	}
	if _, ok := sb.Message(ids[199]); !ok {
		t.Error("newest message lost")
	}
	if len(sb.Messages("", 0)) != 50 {
		t.Error("listing")
	}
}

func TestCloseStopsEverything(t *testing.T) {
	var posts atomic.Int64
	srv := newReceiver(t, DefaultAppSecret)
	sb, err := New(Config{WebhookURL: srv.url(), Customers: CustomerConfig{Count: 5}})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sb.SetTrafficRate(100)
	time.Sleep(30 * time.Millisecond)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	// A POST in flight at Close may still land on the receiver; after
	// that nothing more may arrive.
	time.Sleep(50 * time.Millisecond)
	posts.Store(int64(len(srv.all())))
	time.Sleep(100 * time.Millisecond)
	if int64(len(srv.all())) != posts.Load() {
		t.Error("webhooks after Close")
	}
	if _, err := http.Get(base + "/_sandbox/state"); err == nil {
		t.Error("server still answering after Close")
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"non-numeric phone id", Config{PhoneNumbers: []PhoneNumber{{ID: "abc", DisplayNumber: "15551234567"}}}},
		{"duplicate phone id", Config{PhoneNumbers: []PhoneNumber{{ID: "1", DisplayNumber: "15551234567"}, {ID: "1", DisplayNumber: "15551234568"}}}},
		{"short display number", Config{PhoneNumbers: []PhoneNumber{{ID: "1", DisplayNumber: "123"}}}},
		{"unknown locale", Config{Customers: CustomerConfig{Locales: []string{"fr"}}}},
		{"bad pricing model", Config{PricingModel: "XYZ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if sb, err := New(tt.cfg); err == nil {
				sb.Close()
				t.Error("accepted")
			}
		})
	}
}

func TestTwoPhoneNumbers(t *testing.T) {
	e := newEnv(t, Config{PhoneNumbers: []PhoneNumber{
		{ID: DefaultPhoneNumberID, DisplayNumber: DefaultDisplayNumber},
		{ID: "106540352242923", DisplayNumber: "5215550001111", VerifiedName: "Switchboard México", Throughput: 1000},
	}, Customers: CustomerConfig{Count: 10}})
	e.sb.Generate(40)
	e.flush()
	seen := map[string]bool{}
	for _, v := range e.rc.messageValues() {
		seen[v.Metadata.PhoneNumberID] = true
	}
	if len(seen) != 2 {
		t.Errorf("numbers used: %v", seen)
	}
	_, out := e.do("GET", "/v23.0/106540352242923", nil)
	if out["display_phone_number"] != "+5215550001111" || out["throughput"].(map[string]any)["level"] != "HIGH" {
		t.Errorf("%v", out)
	}
	status, _ := e.do("POST", "/v23.0/106540352242923/messages", textMsg(e.sb.Customers()[1].WaID, "hola"))
	if status != 200 {
		t.Errorf("send from second number: %d", status)
	}
}

func TestQualityUpdate(t *testing.T) {
	e := newEnv(t, Config{})
	if err := e.sb.SetQualityRating(DefaultPhoneNumberID, "yellow"); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.SetQualityRating(DefaultPhoneNumberID, "GREEN"); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.SetQualityRating(DefaultPhoneNumberID, "PURPLE"); err == nil {
		t.Error("bad rating accepted")
	}
	e.sb.SetQualityRating(DefaultPhoneNumberID, "RED")
	e.flush()
	var events []string
	for _, n := range e.rc.all() {
		for _, c := range n.Entry[0].Changes {
			if c.Field != "phone_number_quality_update" {
				continue
			}
			var v struct {
				DisplayPhoneNumber string `json:"display_phone_number"`
				Event              string `json:"event"`
				CurrentLimit       string `json:"current_limit"`
			}
			json.Unmarshal(c.Value, &v)
			if v.DisplayPhoneNumber != DefaultDisplayNumber || v.CurrentLimit == "" {
				t.Errorf("%+v", v)
			}
			events = append(events, v.Event)
		}
	}
	if strings.Join(events, ",") != "FLAGGED,UNFLAGGED,FLAGGED" {
		t.Errorf("events %v", events)
	}
	if _, out := e.do("GET", "/v23.0/"+DefaultPhoneNumberID, nil); out["quality_rating"] != "RED" {
		t.Errorf("%v", out)
	}
}

func TestWebhookBodiesAreEscapedLikeMeta(t *testing.T) {
	e := newEnv(t, Config{})
	const text = "مرحبا äöå 😀 https://shop.example.com/o/1 <b>&"
	if _, err := e.sb.CustomerSend("966501234567", InboundMessage{Type: "text", Text: text, ProfileName: "نورة"}); err != nil {
		t.Fatal(err)
	}
	e.flush()
	e.rc.mu.Lock()
	raw := e.rc.bodies[len(e.rc.bodies)-1]
	e.rc.mu.Unlock()
	for _, c := range raw {
		if c >= 0x80 {
			t.Fatalf("non-ASCII byte in body: %s", raw)
		}
	}
	for _, want := range []string{`\u00e4\u00f6\u00e5`, `\ud83d\ude00`, `https:\/\/shop.example.com\/o\/1`, `<b>&`, `\u0645\u0631`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("body lacks %s: %s", want, raw)
		}
	}
	in := e.rc.inbound()
	if got := in[len(in)-1].Text.Body; got != text {
		t.Errorf("decoded %q", got)
	}

	t.Run("UTF8 option", func(t *testing.T) {
		sb, _ := New(Config{Seed: 1, Webhook: WebhookConfig{UTF8: true}, Clock: NewManualClock(testStart)})
		defer sb.Close()
		b, err := sb.buildBody([]event{{key: "1", phoneID: DefaultPhoneNumberID,
			message: &wireMessage{From: "1", ID: "wamid.x", Timestamp: "1", Type: "text", Text: &wireText{Body: text}}}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"body":"`+text+`"`) {
			t.Errorf("UTF8 body is escaped: %s", b)
		}
	})
}
