package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testStart is the fixed start of the manual clock in tests.
var testStart = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// receiver is a webhook endpoint that checks every signature by
// recomputing the HMAC, answers Meta's verification handshake and records
// bodies. It can be told to fail the next N posts.
type receiver struct {
	t           *testing.T
	secret      string
	verifyToken string
	srv         *httptest.Server

	mu       sync.Mutex
	bodies   [][]byte
	failNext int
	posts    int
}

func newReceiver(t *testing.T, secret string) *receiver {
	rc := &receiver{t: t, secret: secret, verifyToken: "verify-me"}
	rc.srv = httptest.NewServer(rc)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		if q.Get("hub.mode") == "subscribe" && q.Get("hub.verify_token") == rc.verifyToken {
			io.WriteString(w, q.Get("hub.challenge"))
			return
		}
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(rc.secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(r.Header.Get("X-Hub-Signature-256")), []byte(want)) {
		rc.t.Errorf("webhook signature %q, want %q", r.Header.Get("X-Hub-Signature-256"), want)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		rc.t.Errorf("webhook Content-Type %q", ct)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.posts++
	if rc.failNext > 0 {
		rc.failNext--
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	rc.bodies = append(rc.bodies, body)
}

func (rc *receiver) url() string { return rc.srv.URL + "/webhook" }

func (rc *receiver) all() []notification {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []notification
	for _, b := range rc.bodies {
		var n notification
		if err := json.Unmarshal(b, &n); err != nil {
			rc.t.Fatalf("webhook body is not JSON: %v\n%s", err, b)
		}
		out = append(out, n)
	}
	return out
}

func (rc *receiver) reset() {
	rc.mu.Lock()
	rc.bodies = nil
	rc.mu.Unlock()
}

// The notification types below are written independently of the
// sandbox's own wire types, straight from Meta's webhook reference.
type notification struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Time    int64  `json:"time"`
		Changes []struct {
			Field string          `json:"field"`
			Value json.RawMessage `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type msgValue struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []inMsg    `json:"messages"`
	Statuses []inStatus `json:"statuses"`
}

type inMsg struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Context   *struct {
		From                string `json:"from"`
		ID                  string `json:"id"`
		Forwarded           bool   `json:"forwarded"`
		FrequentlyForwarded bool   `json:"frequently_forwarded"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *inMedia `json:"image"`
	Audio    *inMedia `json:"audio"`
	Document *inMedia `json:"document"`
	Sticker  *inMedia `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
	} `json:"location"`
	Contacts []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			WaID string `json:"wa_id"`
		} `json:"phones"`
	} `json:"contacts"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Referral *struct {
		SourceType string `json:"source_type"`
		CtwaClid   string `json:"ctwa_clid"`
	} `json:"referral"`
	System *struct {
		Type    string `json:"type"`
		NewWaID string `json:"new_wa_id"`
	} `json:"system"`
	Errors []struct {
		Code int `json:"code"`
	} `json:"errors"`
}

type inMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

type inStatus struct {
	ID                    string `json:"id"`
	Status                string `json:"status"`
	Timestamp             string `json:"timestamp"`
	RecipientID           string `json:"recipient_id"`
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data"`
	Conversation          *struct {
		ID                  string `json:"id"`
		ExpirationTimestamp string `json:"expiration_timestamp"`
		Origin              struct {
			Type string `json:"type"`
		} `json:"origin"`
	} `json:"conversation"`
	Pricing *struct {
		Billable     bool   `json:"billable"`
		PricingModel string `json:"pricing_model"`
		Category     string `json:"category"`
		Type         string `json:"type"`
	} `json:"pricing"`
	Errors []struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
		Href string `json:"href"`
	} `json:"errors"`
}

type tmplUpdate struct {
	Event                   string `json:"event"`
	MessageTemplateID       int64  `json:"message_template_id"`
	MessageTemplateName     string `json:"message_template_name"`
	MessageTemplateLanguage string `json:"message_template_language"`
	Reason                  string `json:"reason"`
}

// messageValues decodes every "messages" change in order.
func (rc *receiver) messageValues() []msgValue {
	var out []msgValue
	for _, n := range rc.all() {
		if n.Object != "whatsapp_business_account" {
			rc.t.Errorf("object = %q", n.Object)
		}
		for _, e := range n.Entry {
			for _, c := range e.Changes {
				if c.Field != "messages" {
					continue
				}
				var v msgValue
				if err := json.Unmarshal(c.Value, &v); err != nil {
					rc.t.Fatal(err)
				}
				if v.MessagingProduct != "whatsapp" {
					rc.t.Errorf("messaging_product = %q", v.MessagingProduct)
				}
				out = append(out, v)
			}
		}
	}
	return out
}

func (rc *receiver) statuses() []inStatus {
	var out []inStatus
	for _, v := range rc.messageValues() {
		out = append(out, v.Statuses...)
	}
	return out
}

func (rc *receiver) statusesOf(id string) []inStatus {
	var out []inStatus
	for _, s := range rc.statuses() {
		if s.ID == id {
			out = append(out, s)
		}
	}
	return out
}

func (rc *receiver) inbound() []inMsg {
	var out []inMsg
	for _, v := range rc.messageValues() {
		out = append(out, v.Messages...)
	}
	return out
}

func (rc *receiver) templateUpdates() []tmplUpdate {
	var out []tmplUpdate
	for _, n := range rc.all() {
		for _, e := range n.Entry {
			for _, c := range e.Changes {
				if c.Field != "message_template_status_update" {
					continue
				}
				var u tmplUpdate
				if err := json.Unmarshal(c.Value, &u); err != nil {
					rc.t.Fatal(err)
				}
				out = append(out, u)
			}
		}
	}
	return out
}

// env is a sandbox on a real listener, with a manual clock and a receiver.
type env struct {
	t     *testing.T
	sb    *Sandbox
	clock *ManualClock
	base  string
	rc    *receiver
}

// newEnv starts a sandbox with a manual clock, zero status delays and no
// automatic customer replies unless cfg says otherwise.
func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	clock := NewManualClock(testStart)
	if cfg.Clock == nil {
		cfg.Clock = clock
	}
	if cfg.StatusDelays == nil {
		cfg.StatusDelays = &StatusDelays{}
	}
	if cfg.Customers.ReplyProbability == 0 {
		cfg.Customers.ReplyProbability = -1
	}
	if cfg.Customers.ReadProbability == 0 {
		cfg.Customers.ReadProbability = 1
	}
	if cfg.Seed == 0 {
		cfg.Seed = 42
	}
	if cfg.Webhook.RetryBase == 0 {
		cfg.Webhook.RetryBase = 5 * time.Millisecond
	}
	rc := newReceiver(t, valueOrDefault(cfg.AppSecret, DefaultAppSecret))
	cfg.WebhookURL = rc.url()
	sb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return &env{t: t, sb: sb, clock: clock, base: base, rc: rc}
}

func valueOrDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// do sends a Graph request with the default token and decodes the JSON
// answer into a map.
func (e *env) do(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	return e.doToken(method, path, body, DefaultAccessToken)
}

func (e *env) doToken(method, path string, body any, token string) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	ct := ""
	if rd != nil {
		ct = "application/json"
	}
	return e.request(method, path, ct, rd, token)
}

// request sends a Graph request with a body of contentType (none when
// rd is nil) and decodes the JSON answer into a map.
func (e *env) request(method, path, contentType string, rd io.Reader, token string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

// send posts to the default number's messages edge.
func (e *env) send(body any) (int, map[string]any) {
	e.t.Helper()
	return e.do("POST", "/v23.0/"+DefaultPhoneNumberID+"/messages", body)
}

// sendOK sends and returns the wamid, failing the test on an error answer.
func (e *env) sendOK(body any) string {
	e.t.Helper()
	status, out := e.send(body)
	if status != 200 {
		e.t.Fatalf("send answered %d: %v", status, out)
	}
	return out["messages"].([]any)[0].(map[string]any)["id"].(string)
}

// flush waits for queued webhooks.
func (e *env) flush() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sb.Flush(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// graphErr extracts error.code, error.type and error_data.details.
func graphErr(t *testing.T, out map[string]any) (code int, typ, details string) {
	t.Helper()
	eo, ok := out["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope in %v", out)
	}
	if _, ok := eo["fbtrace_id"].(string); !ok {
		t.Errorf("error without fbtrace_id: %v", eo)
	}
	if _, ok := eo["message"].(string); !ok {
		t.Errorf("error without message: %v", eo)
	}
	if d, ok := eo["error_data"].(map[string]any); ok {
		if d["messaging_product"] != "whatsapp" {
			t.Errorf("error_data.messaging_product = %v", d["messaging_product"])
		}
		details, _ = d["details"].(string)
	}
	typ, _ = eo["type"].(string)
	return int(eo["code"].(float64)), typ, details
}

// customerWaID returns a population customer that has written, so the
// service window is open.
func (e *env) openCustomer() string {
	e.t.Helper()
	c := e.sb.Customers()[0]
	if _, err := e.sb.CustomerSend(c.WaID, InboundMessage{Type: "text", Text: "hello"}); err != nil {
		e.t.Fatal(err)
	}
	return c.WaID
}

func textMsg(to, body string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
		"text": map[string]any{"body": body}}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// post sends a raw body with its content type to the default number's
// messages edge.
func (e *env) post(contentType string, body []byte) (int, map[string]any) {
	e.t.Helper()
	return e.request("POST", "/v23.0/"+DefaultPhoneNumberID+"/messages", contentType, bytes.NewReader(body), DefaultAccessToken)
}

// record is the sandbox's record of one message to waID.
func (e *env) record(waID, wamid string) MessageRecord {
	e.t.Helper()
	for _, m := range e.sb.Messages(waID, 0) {
		if m.ID == wamid {
			return m
		}
	}
	e.t.Fatalf("no message %s to %s", wamid, waID)
	return MessageRecord{}
}
