package hubapi

import (
	"encoding/json"
	"reflect"
	"testing"

	"switchboard/backend/wire"
)

// Definitions as Meta's documentation writes them, with what the hub does
// not model (message_send_ttl_seconds, supported_apps, FLOW fields, an
// unknown key): each must reach the Cloud API exactly as posted.
var forwardedDefs = []string{
	`{"name":"verify_code","language":"en_US","category":"authentication","message_send_ttl_seconds":600,"components":[
		{"type":"body","add_security_recommendation":true},
		{"type":"footer","code_expiration_minutes":10},
		{"type":"buttons","buttons":[{"type":"otp","otp_type":"copy_code","text":"Copy code"}]}]}`,
	`{"name":"verify_one_tap","language":"en_US","category":"AUTHENTICATION","components":[
		{"type":"body","add_security_recommendation":false},
		{"type":"buttons","buttons":[{"type":"otp","otp_type":"one_tap","text":"Copy code","autofill_text":"Autofill",
			"supported_apps":[{"package_name":"com.example.luckyshrub","signature_hash":"K8a/AINcGX7"}]}]}]}`,
	`{"name":"summer_flow","language":"pt_BR","category":"MARKETING","parameter_format":"named","allow_category_change":true,"components":[
		{"type":"header","format":"text","text":"Ofertas de {{season}}","example":{"header_text_named_params":[{"param_name":"season","example":"verão"}]}},
		{"type":"body","text":"Olá {{first_name}}, veja as ofertas desta semana.","example":{"body_text_named_params":[{"param_name":"first_name","example":"Ana"}]}},
		{"type":"buttons","buttons":[{"type":"flow","text":"Ver ofertas","flow_id":"1234567890","flow_action":"navigate","navigate_screen":"WELCOME","icon":"PROMOTION"}]}]}`,
}

func TestTemplateSubmitForwardsUnchanged(t *testing.T) {
	e := newEnv(t)
	for _, def := range forwardedDefs {
		var body map[string]any
		if err := json.Unmarshal([]byte(def), &body); err != nil {
			t.Fatal(err)
		}
		name := body["name"].(string)
		posted := map[string]any{"account_id": e.sb.PhoneNumbers()[0].ID}
		for k, v := range body {
			posted[k] = v
		}
		r := e.do("POST", "/v1/templates", e.admin, posted)
		if r.status != 201 {
			t.Fatalf("%s: %d %s", name, r.status, r.body)
		}
		var res wire.TemplateSubmitted
		r.decode(t, &res)
		if res.Data.Status != "PENDING" || res.Replayed || res.Warnings == nil {
			t.Fatalf("%s: %s", name, r.body)
		}
		var sent map[string]any
		for _, tp := range e.sb.Templates() {
			if tp.Name == name {
				if err := json.Unmarshal(tp.Request, &sent); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !reflect.DeepEqual(sent, body) {
			t.Errorf("%s reached the Cloud API as\n%v\nwant\n%v", name, sent, body)
		}
	}
}

func TestTemplateSubmitInvalidNeverReachesMeta(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ body, field, code string }{
		{`{"name":"t1","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"Hi {{1}}, your order is ready."}]}`,
			"components[0].example.body_text", "EXAMPLE_MISSING"},
		{`{"name":"t2","language":"en_US","category":"MARKETING","components":[{"type":"BODY","text":"Our sale is on this week."},
			{"type":"BUTTONS","buttons":[{"type":"URL","text":"Shop","url":"https://example.com/{{1}}/sale","example":["https://example.com/a/sale"]}]}]}`,
			"components[1].buttons[0].url", "URL_VAR_POSITION"},
		{`{"name":"t3","language":"en_US","category":"AUTHENTICATION","components":[{"type":"HEADER","format":"IMAGE","example":{"header_handle":["h"]}},
			{"type":"BODY"},{"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"COPY_CODE"}]}]}`,
			"components[0]", "AUTH_CONTENT"},
		{`{"name":"t4","language":"en-US","category":"UTILITY","components":[{"type":"BODY","text":"Your order is ready."}]}`,
			"language", "LANGUAGE_UNSUPPORTED"},
	}
	before := e.graph.count("POST message_templates")
	for _, c := range cases {
		r := e.do("POST", "/v1/templates", e.admin, c.body)
		if r.status != 422 || r.code() != "VALIDATION_FAILED" {
			t.Fatalf("%s: %d %s", c.code, r.status, r.body)
		}
		var env struct {
			Error struct {
				Field   string `json:"field"`
				Details []struct{ Field, Code, Severity string }
			} `json:"error"`
		}
		r.decode(t, &env)
		found := false
		for _, d := range env.Error.Details {
			found = found || (d.Field == c.field && d.Code == c.code && d.Severity == "error")
		}
		if !found {
			t.Errorf("%s: details %+v", c.code, env.Error.Details)
		}
		// The same body through /validate: the same findings, nothing sent.
		v := e.do("POST", "/v1/templates/validate", e.admin, c.body)
		var val struct{ Data wire.TemplateValidation }
		v.decode(t, &val)
		if v.status != 200 || val.Data.Valid || len(val.Data.Findings) != len(env.Error.Details) {
			t.Errorf("validate %s: %s", c.code, v.body)
		}
	}
	if n := e.graph.count("POST message_templates") - before; n != 0 {
		t.Fatalf("%d invalid definitions reached the Cloud API", n)
	}
	for _, tp := range e.sb.Templates() {
		if len(tp.Name) == 2 && tp.Name[0] == 't' {
			t.Fatalf("the sandbox has %s", tp.Name)
		}
	}
	v := e.do("POST", "/v1/templates/validate", e.admin, forwardedDefs[0])
	var val struct{ Data wire.TemplateValidation }
	v.decode(t, &val)
	if !val.Data.Valid || e.graph.count("POST message_templates") != before {
		t.Fatalf("validate a valid one: %s", v.body)
	}
}

func TestTemplateSubmitIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	body := forwardedDefs[0]
	first := e.do("POST", "/v1/templates", e.admin, body, "Idempotency-Key", "tpl-1")
	again := e.do("POST", "/v1/templates", e.admin, body, "Idempotency-Key", "tpl-1")
	if first.status != 201 || again.status != 200 {
		t.Fatalf("first %d %s, again %d %s", first.status, first.body, again.status, again.body)
	}
	var a, b wire.TemplateSubmitted
	first.decode(t, &a)
	again.decode(t, &b)
	if !b.Replayed || a.Data.ID != b.Data.ID || e.graph.count("POST message_templates") != 1 {
		t.Fatalf("replay %+v vs %+v, %d creates", a.Data, b.Data, e.graph.count("POST message_templates"))
	}
}

// TestTemplateConflictsAndDeleteOneLanguage: a name and language taken by
// another definition, an Idempotency-Key reused for another definition, and
// deleting one language of a name, each through the API (so the answers are
// checked against the OpenAPI document as well).
func TestTemplateConflictsAndDeleteOneLanguage(t *testing.T) {
	e := newEnv(t)
	def := func(name, lang, text string) string {
		return `{"name":"` + name + `","language":"` + lang + `","category":"UTILITY","components":[{"type":"BODY","text":"` + text + `"}]}`
	}
	en := def("pickup_ready", "en_US", "Your order is ready for pickup at the front desk.")
	es := def("pickup_ready", "es", "Tu pedido está listo para recoger en la recepción.")
	for _, b := range []string{en, es} {
		if r := e.do("POST", "/v1/templates", e.admin, b); r.status != 201 {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
	}
	if r := e.do("POST", "/v1/templates", e.admin, def("pickup_ready", "en_US", "Your order is waiting at the front desk.")); r.status != 409 || r.code() != "CONFLICT" {
		t.Fatalf("another definition under a taken name and language: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/v1/templates", e.admin, def("pickup_late", "en_US", "Your order will be ready tomorrow."), "Idempotency-Key", "tpl-2"); r.status != 201 {
		t.Fatalf("submit with a key: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/v1/templates", e.admin, def("pickup_moved", "en_US", "Your order moved to the side entrance."), "Idempotency-Key", "tpl-2"); r.status != 409 || r.code() != "IDEMPOTENCY_CONFLICT" {
		t.Fatalf("the key again for another definition: %d %s", r.status, r.body)
	}
	sent := e.graph.count("POST message_templates")

	if r := e.do("DELETE", "/v1/templates/pickup_ready?language=es", e.admin, nil); r.status != 204 {
		t.Fatalf("delete one language: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/v1/templates/pickup_ready?language=fr", e.admin, nil); r.status != 404 || r.code() != "NOT_FOUND" {
		t.Fatalf("delete a language the template does not have: %d %s", r.status, r.body)
	}
	r := e.do("GET", "/v1/templates?name=pickup_ready", e.admin, nil)
	var left struct{ Data []struct{ Language string } }
	r.decode(t, &left)
	if len(left.Data) != 1 || left.Data[0].Language != "en_US" {
		t.Fatalf("after deleting es: %s", r.body)
	}
	if n := e.graph.count("POST message_templates"); n != sent || n != 3 {
		t.Fatalf("%d templates reached the Cloud API, want 3 (the conflicts none)", n)
	}
}
