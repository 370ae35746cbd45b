package hubapi

import (
	"testing"

	"switchboard/backend/apierr"
	"switchboard/backend/wire"
)

func TestParseSendShapes(t *testing.T) {
	cases := []struct {
		name, body string
		code       apierr.Code
		field      string
	}{
		{"text by conversation", `{"conversation_id":4,"type":"text","text":{"body":"hi"}}`, "", ""},
		{"template by phone", `{"to":"+44 20 7946 0958","type":"template","template":{"name":"x","language":{"code":"en"},"variables":["a","b"]}}`, "", ""},
		{"contacts array", `{"to":"+442079460958","type":"contacts","contacts":[{"name":{"formatted_name":"A"}}]}`, "", ""},
		{"empty", ``, apierr.InvalidJSON, ""},
		{"array", `[]`, apierr.InvalidRequest, ""},
		{"null", `null`, apierr.InvalidRequest, "type"},
		{"no type", `{"to":"+442079460958"}`, apierr.InvalidRequest, "type"},
		{"unsendable type", `{"to":"+442079460958","type":"order"}`, apierr.ValidationFailed, "type"},
		{"unknown object", `{"to":"+442079460958","type":"text","text":{"body":"x"},"order":{}}`, apierr.InvalidRequest, "order"},
		{"template without name", `{"to":"+442079460958","type":"template","template":{"language":"en"}}`, apierr.InvalidRequest, "template.name"},
		{"template without language", `{"to":"+442079460958","type":"template","template":{"name":"x"}}`, apierr.InvalidRequest, "template.language"},
		{"template variables and components", `{"to":"+442079460958","type":"template","template":{"name":"x","language":"en","variables":{"1":"a"},"components":[{"type":"body"}]}}`, apierr.InvalidRequest, "template"},
		{"negative conversation", `{"conversation_id":-1,"type":"text","text":{"body":"x"}}`, apierr.InvalidRequest, "conversation_id"},
		{"negative reply_to", `{"conversation_id":1,"reply_to":-5,"type":"text","text":{"body":"x"}}`, apierr.InvalidRequest, "reply_to"},
		{"phone with letters", `{"to":"+44 20 CALL ME","type":"text","text":{"body":"x"}}`, apierr.InvalidPhone, "to"},
		{"wrong scalar", `{"conversation_id":"4","type":"text","text":{"body":"x"}}`, apierr.InvalidRequest, "conversation_id"},
		{"two values", `{"conversation_id":4,"type":"text","text":{"body":"x"}}{"x":1}`, apierr.InvalidJSON, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseSend([]byte(c.body))
			if got := apierr.CodeOf(err); got != c.code {
				t.Fatalf("code %q (%v), want %q", got, err, c.code)
			}
			if c.field != "" && apierr.As(err).Field != c.field {
				t.Fatalf("field %q, want %q", apierr.As(err).Field, c.field)
			}
		})
	}
}

func BenchmarkParseSend(b *testing.B) {
	body := []byte(`{"to":"+44 20 7946 0958","type":"template","template":{"name":"order_update","language":"en_US","variables":{"1":"Ana","2":"#48213","3":"Friday"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseSend(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalStrict(b *testing.B) {
	body := []byte(`{"email":"agent@example.com","password":"correct horse battery","name":"laptop"}`)
	b.ReportAllocs()
	for b.Loop() {
		var in wire.LoginRequest
		if err := unmarshalStrict(body, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseSend: any body yields a request or a coded client error, never
// a panic and never INTERNAL.
func FuzzParseSend(f *testing.F) {
	f.Add([]byte(`{"conversation_id":4,"type":"text","text":{"body":"hi"}}`))
	f.Add([]byte(`{"to":"+44 20 7946 0958","type":"template","template":{"name":"x","language":"en","variables":["a"]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseSend(body)
		if err != nil {
			if c := apierr.CodeOf(err); c == apierr.Internal || !c.Known() || c.Status() >= 500 {
				t.Fatalf("%q: %v", body, err)
			}
		}
	})
}
