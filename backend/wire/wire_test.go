package wire

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
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
		{`{"unassign": true}`, `{"assignee_id":null}`},
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
