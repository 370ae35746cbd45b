package hub

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// The hub's table of message types and the API's list are the same set:
// a type the API accepts has a row, and a row's type can be sent.
func TestMessageTypesCoverWhatTheAPISends(t *testing.T) {
	for _, typ := range wire.SendTypes {
		if _, ok := messageTypes[typ]; !ok {
			t.Errorf("wire.SendTypes has %q; messageTypes has no row for it", typ)
		}
	}
	for typ := range messageTypes {
		if !slices.Contains(wire.SendTypes, typ) {
			t.Errorf("messageTypes has %q; wire.SendTypes does not", typ)
		}
	}
}

// Each row decodes its type's object into the field it then reads back
// (what the hub stores as the message's content), and previews it.
func TestMessageTypeRowsRoundTrip(t *testing.T) {
	objects := map[string]string{
		whatsapp.TypeText:        `{"body":"hello"}`,
		whatsapp.TypeImage:       `{"link":"https://x/a.jpg","caption":"the receipt"}`,
		whatsapp.TypeAudio:       `{"id":"1"}`,
		whatsapp.TypeVideo:       `{"id":"2","caption":"unboxing"}`,
		whatsapp.TypeDocument:    `{"id":"3","filename":"invoice.pdf"}`,
		whatsapp.TypeSticker:     `{"id":"4"}`,
		whatsapp.TypeLocation:    `{"latitude":1,"longitude":2,"name":"Shop"}`,
		whatsapp.TypeContacts:    `[{"name":{"formatted_name":"Ana Silva","first_name":"Ana"}}]`,
		whatsapp.TypeInteractive: `{"type":"button","body":{"text":"Pick one"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}`,
		whatsapp.TypeReaction:    `{"message_id":"wamid.x","emoji":"👍"}`,
		whatsapp.TypeTemplate:    `{"name":"hello_world","language":{"code":"en_US"}}`,
	}
	previews := map[string]string{
		whatsapp.TypeText: "hello", whatsapp.TypeImage: "[image] the receipt", whatsapp.TypeAudio: "[audio]",
		whatsapp.TypeVideo: "[video] unboxing", whatsapp.TypeDocument: "[document] invoice.pdf", whatsapp.TypeSticker: "[sticker]",
		whatsapp.TypeLocation: "[location] Shop", whatsapp.TypeContacts: "[contacts] Ana Silva",
		whatsapp.TypeInteractive: "Pick one", whatsapp.TypeReaction: "👍", whatsapp.TypeTemplate: "[template] hello_world",
	}
	for _, typ := range wire.SendTypes {
		t.Run(typ, func(t *testing.T) {
			m := whatsapp.OutboundMessage{Type: typ}
			if err := decodePayload(&m, typ, json.RawMessage(objects[typ])); err != nil {
				t.Fatal(err)
			}
			var want, got any
			_ = json.Unmarshal([]byte(objects[typ]), &want)
			b, _ := json.Marshal(payloadField(&m))
			_ = json.Unmarshal(b, &got)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("payloadField = %s, want %s", b, objects[typ])
			}
			if p := outboundPreview(&m); p != previews[typ] {
				t.Fatalf("preview = %q, want %q", p, previews[typ])
			}
		})
	}
	if err := decodePayload(&whatsapp.OutboundMessage{}, "hologram", json.RawMessage(`{}`)); err == nil {
		t.Fatal("an unknown type decoded")
	}
}
