package wire

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
)

// sameJSON reports whether a and b are the same JSON value (key order
// aside).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

// The console's outbox keeps requests in this form, and the hub reads
// it: the Cloud API object under the type's name.
func TestSendRequestWireShape(t *testing.T) {
	reply := NewText(7, "hi")
	reply.ReplyTo = 42
	cases := []struct {
		name string
		req  SendRequest
		want string
	}{
		{"text", reply,
			`{"conversation_id":7,"reply_to":42,"text":{"body":"hi"},"type":"text"}`},
		{"image by link", NewSend(7, "image", json.RawMessage(`{"link":"https://x/a.jpg"}`)),
			`{"conversation_id":7,"image":{"link":"https://x/a.jpg"},"type":"image"}`},
		{"template", SendRequest{ConversationID: 7, Type: "template", Template: &TemplateRequest{Name: "order_update", Language: "en_US", Variables: StringVariables(map[string]string{"1": "Ana"})}},
			`{"conversation_id":7,"template":{"name":"order_update","language":"en_US","variables":{"1":"Ana"}},"type":"template"}`},
		{"server-side fields stay out", SendRequest{To: "+15550001111", Type: "text", Text: json.RawMessage(`{"body":"x"}`), AuthorID: new(int64), IdempotencyKey: "k"},
			`{"to":"+15550001111","type":"text","text":{"body":"x"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.req)
			if err != nil || !sameJSON(t, b, []byte(tc.want)) {
				t.Fatalf("marshal = %s %v\nwant      %s", b, err, tc.want)
			}
			var back SendRequest
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			again, _ := json.Marshal(back)
			if !sameJSON(t, again, []byte(tc.want)) {
				t.Fatalf("round trip = %s", again)
			}
		})
	}
}

// Every type but template has its slot, named as the type, and every
// object field of SendRequest is some type's slot.
func TestEverySendTypeHasItsSlot(t *testing.T) {
	var r SendRequest
	slots := map[*json.RawMessage]string{}
	for _, typ := range SendTypes {
		p := r.Slot(typ)
		if typ == "template" {
			if p != nil {
				t.Fatal("template has a raw slot; it has Template")
			}
			continue
		}
		if p == nil {
			t.Fatalf("%s has no slot", typ)
		}
		slots[p] = typ
	}
	rv := reflect.ValueOf(&r).Elem()
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if f.Type != reflect.TypeFor[json.RawMessage]() {
			continue
		}
		p := rv.Field(i).Addr().Interface().(*json.RawMessage)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if slots[p] != tag {
			t.Errorf("field %s (json %q) is the slot of %q", f.Name, tag, slots[p])
		}
	}
	if r.Slot("hologram") != nil || !slices.Contains(SendTypes, "template") {
		t.Fatal("unknown types have no slot; template is a send type")
	}
}

func TestConversationPatchBody(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{`{"assignee_id": null}`, `{"assignee_id":null}`},
		{`{"assignee_id": 3, "team": "billing"}`, `{"assignee_id":3,"team":"billing"}`},
		{`{"status": "snoozed", "snoozed_until": "2025-03-01T09:00:00Z"}`, `{"snoozed_until":"2025-03-01T09:00:00Z","status":"snoozed"}`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			var p ConversationPatch
			if err := json.Unmarshal([]byte(tc.in), &p); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(p.Body())
			if string(b) != tc.want {
				t.Fatalf("body = %s, want %s", b, tc.want)
			}
			if m, _ := json.Marshal(p); string(m) != tc.want {
				t.Fatalf("marshal = %s, want %s", m, tc.want)
			}
		})
	}
}

// The patch decodes as strictly as the API reads it (hubapi relies on
// it: a type's own UnmarshalJSON is out of reach of the decoder's
// DisallowUnknownFields): an absent assignee is no change, null
// unassigns, and an unknown field or an assignee that is neither a number
// nor null is refused.
func TestConversationPatchDecodesStrictly(t *testing.T) {
	var p ConversationPatch
	if err := json.Unmarshal([]byte(`{"team": "sales"}`), &p); err != nil || p.Unassign || p.AssigneeID != nil || *p.Team != "sales" {
		t.Fatalf("absent assignee: %+v, %v", p, err)
	}
	if err := json.Unmarshal([]byte(`{"assignee_id": null}`), &p); err != nil || !p.Unassign || p.AssigneeID != nil || p.Team != nil {
		t.Fatalf("null assignee: %+v, %v", p, err)
	}
	if err := json.Unmarshal([]byte(`{"assignee_id": 3}`), &p); err != nil || p.Unassign || *p.AssigneeID != 3 {
		t.Fatalf("assignee 3: %+v, %v", p, err)
	}
	for _, bad := range []struct{ body, field, says string }{
		{`{"unassign": true}`, "", `unknown field "unassign"`},
		{`{"team": "x", "assignee": 1}`, "", `unknown field "assignee"`},
		{`{"assignee_id": "me"}`, "assignee_id", "a user id or null"},
		{`{"assignee_id": 1.5}`, "assignee_id", "a user id or null"},
		{`{"status": 1}`, "", "cannot unmarshal number"},
	} {
		err := json.Unmarshal([]byte(bad.body), &p)
		if err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%s: %v, want an error saying %q", bad.body, err, bad.says)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "status" {
			t.Errorf("%s: the type error names field %q, not the body's", bad.body, te.Field)
		}
		if bad.field != "" && apierr.As(err).Field != bad.field {
			t.Errorf("%s: field %q, want %q", bad.body, apierr.As(err).Field, bad.field)
		}
	}
}

// The request bodies travel as the client writes them: what a client
// leaves unset stays out of the body (the server reads it as not given),
// and the server reads back what was sent.
func TestRequestBodiesRoundTrip(t *testing.T) {
	name, role := "Ana", domain.RoleAgent
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"login", LoginRequest{Email: "a@example.com", Password: "pw", Name: "laptop"}, `{"email":"a@example.com","password":"pw","name":"laptop"}`},
		{"token", TokenRequest{Name: "crm", Scopes: []string{"whatsapp:read"}}, `{"name":"crm","scopes":["whatsapp:read"]}`},
		{"user patch", UserInput{Name: &name, Role: &role}, `{"name":"Ana","role":"agent"}`},
		{"contact", ContactInput{Phone: "+15550001111"}, `{"phone":"+15550001111"}`},
		{"opt-out", OptOutRequest{Phone: "+15550001111"}, `{"phone":"+15550001111"}`},
		{"note", NoteInput{Body: "VIP"}, `{"body":"VIP"}`},
		{"delivery", DeliveryRequest{Template: "promo", Language: "en_US", Recipients: []Recipient{{Phone: "+15550001111", Variables: map[string]string{"1": "Ana"}}, {Phone: "+15550002222"}}},
			`{"template":"promo","language":"en_US","recipients":[{"phone":"+15550001111","variables":{"1":"Ana"}},{"phone":"+15550002222"}]}`},
		{"webhook", WebhookRequest{URL: "https://crm.example.com/hook", Events: []string{"message.created"}}, `{"url":"https://crm.example.com/hook","secret":"","events":["message.created"]}`},
		{"template draft", TemplateDraft{Template: whatsapp.Template{Name: "promo", Language: "en_US", Category: "MARKETING", Components: []whatsapp.TemplateComponentDef{{Type: "BODY", Text: "Hi"}}}},
			`{"name":"promo","language":"en_US","category":"MARKETING","components":[{"type":"BODY","text":"Hi"}]}`},
		{"template draft with its number and keys of Meta's the hub does not model", TemplateDraft{AccountID: "106540352242922", Template: whatsapp.Template{Name: "promo", Language: "en_US", Category: "MARKETING",
			Components: []whatsapp.TemplateComponentDef{{Type: "BODY", Text: "Hi"}}, Extra: map[string]json.RawMessage{"message_send_ttl_seconds": json.RawMessage(`600`)}}},
			`{"account_id":"106540352242922","name":"promo","language":"en_US","category":"MARKETING","components":[{"type":"BODY","text":"Hi"}],"message_send_ttl_seconds":600}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			if err != nil || !sameJSON(t, b, []byte(tc.want)) {
				t.Fatalf("marshal = %s %v\nwant      %s", b, err, tc.want)
			}
			back := reflect.New(reflect.TypeOf(tc.v))
			if err := json.Unmarshal(b, back.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Elem().Interface(), tc.v) {
				t.Fatalf("read back %+v, sent %+v", back.Elem().Interface(), tc.v)
			}
		})
	}
}
