package sandbox

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

const templatesPath = "/v23.0/" + DefaultWABAID + "/message_templates"

func TestTemplateList(t *testing.T) {
	e := newEnv(t, Config{})
	status, out := e.do("GET", templatesPath+"?limit=100", nil)
	if status != 200 {
		t.Fatal(status, out)
	}
	data := out["data"].([]any)
	if len(data) != len(e.sb.Templates()) || len(data) < 10 {
		t.Fatalf("%d templates", len(data))
	}
	byKey := map[string]map[string]any{}
	langs := map[string]bool{}
	for _, d := range data {
		m := d.(map[string]any)
		byKey[m["name"].(string)+":"+m["language"].(string)] = m
		langs[m["language"].(string)] = true
		for _, f := range []string{"id", "name", "language", "status", "category", "components", "parameter_format"} {
			if _, ok := m[f]; !ok {
				t.Errorf("template %v lacks %s", m["name"], f)
			}
		}
	}
	for _, k := range []string{"hello_world:en_US", "order_update:es_MX", "appointment_reminder:en_US", "delivery_update:ar", "delivery_update:he", "spring_sale:en_US"} {
		if byKey[k] == nil {
			t.Errorf("starter template %s missing", k)
		}
	}
	if byKey["appointment_reminder:en_US"]["parameter_format"] != "NAMED" {
		t.Errorf("appointment_reminder is not NAMED")
	}
	if len(langs) < 5 {
		t.Errorf("only languages %v", langs)
	}

	t.Run("paging with cursors", func(t *testing.T) {
		var names []string
		path := templatesPath + "?limit=3"
		for pages := 0; path != ""; pages++ {
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			_, out := e.do("GET", path, nil)
			for _, d := range out["data"].([]any) {
				names = append(names, d.(map[string]any)["id"].(string))
			}
			path = ""
			if p, ok := out["paging"].(map[string]any); ok {
				if next, ok := p["next"].(string); ok {
					u, _ := url.Parse(next)
					path = u.Path + "?" + u.RawQuery
				}
			}
		}
		if len(names) != len(data) {
			t.Errorf("paged %d of %d", len(names), len(data))
		}
	})
	t.Run("before cursor", func(t *testing.T) {
		_, first := e.do("GET", templatesPath+"?limit=2", nil)
		after := first["paging"].(map[string]any)["cursors"].(map[string]any)["after"].(string)
		_, second := e.do("GET", templatesPath+"?limit=2&after="+after, nil)
		before := second["paging"].(map[string]any)["cursors"].(map[string]any)["before"].(string)
		_, back := e.do("GET", templatesPath+"?limit=2&before="+before, nil)
		if back["data"].([]any)[0].(map[string]any)["id"] != first["data"].([]any)[0].(map[string]any)["id"] {
			t.Errorf("before cursor did not go back")
		}
	})
	t.Run("filters and fields", func(t *testing.T) {
		_, out := e.do("GET", templatesPath+"?status=PAUSED&fields=name,status", nil)
		d := out["data"].([]any)
		if len(d) != 1 {
			t.Fatalf("%v", out)
		}
		m := d[0].(map[string]any)
		if m["name"] != "winter_promo" || len(m) != 3 {
			t.Errorf("%v", m)
		}
		_, out = e.do("GET", templatesPath+"?language=pt_BR", nil)
		if len(out["data"].([]any)) != 1 {
			t.Errorf("%v", out)
		}
		_, out = e.do("GET", templatesPath+"?category=AUTHENTICATION&name=verification", nil)
		if len(out["data"].([]any)) != 1 {
			t.Errorf("%v", out)
		}
	})
	t.Run("one template by id", func(t *testing.T) {
		id := byKey["hello_world:en_US"]["id"].(string)
		_, out := e.do("GET", "/v23.0/"+id, nil)
		if out["name"] != "hello_world" {
			t.Errorf("%v", out)
		}
	})
}

func TestTemplateCreateValidation(t *testing.T) {
	e := newEnv(t, Config{})
	body := func(text string) map[string]any { return map[string]any{"type": "BODY", "text": text} }
	tests := []struct {
		name    string
		req     map[string]any
		subcode int
	}{
		{"missing name", map[string]any{"language": "en_US", "category": "UTILITY", "components": []any{body("Hi there")}}, 0},
		{"uppercase name", map[string]any{"name": "Order Update", "language": "en_US", "category": "UTILITY", "components": []any{body("Hi there")}}, 0},
		{"unknown language", map[string]any{"name": "x1", "language": "xx_YY", "category": "UTILITY", "components": []any{body("Hi")}}, 0},
		{"bad category", map[string]any{"name": "x2", "language": "en_US", "category": "PROMO", "components": []any{body("Hi")}}, 0},
		{"no body", map[string]any{"name": "x3", "language": "en_US", "category": "UTILITY", "components": []any{map[string]any{"type": "FOOTER", "text": "f"}}}, 2388043},
		{"variables without example", map[string]any{"name": "x4", "language": "en_US", "category": "UTILITY", "components": []any{body("Hi {{1}}, your code is ready")}}, 2388043},
		{"non sequential variables", map[string]any{"name": "x5", "language": "en_US", "category": "UTILITY", "components": []any{
			map[string]any{"type": "BODY", "text": "Hi {{1}}, see {{3}} now", "example": map[string]any{"body_text": []any{[]any{"a", "b"}}}}}}, 0},
		{"named without example", map[string]any{"name": "x6", "language": "en_US", "category": "UTILITY", "parameter_format": "named",
			"components": []any{body("Hi {{first_name}}, welcome")}}, 2388043},
		{"footer with variable", map[string]any{"name": "x7", "language": "en_US", "category": "UTILITY", "components": []any{
			body("Hello"), map[string]any{"type": "FOOTER", "text": "bye {{1}}"}}}, 0},
		{"image header without handle", map[string]any{"name": "x8", "language": "en_US", "category": "MARKETING", "components": []any{
			map[string]any{"type": "HEADER", "format": "IMAGE"}, body("Hello")}}, 2388043},
		{"eleven buttons", map[string]any{"name": "x9", "language": "en_US", "category": "MARKETING", "components": []any{
			body("Hello"), map[string]any{"type": "BUTTONS", "buttons": func() []any {
				var bs []any
				for i := 0; i < 11; i++ {
					bs = append(bs, map[string]any{"type": "QUICK_REPLY", "text": "b"})
				}
				return bs
			}()}}}, 0},
		{"duplicate language", map[string]any{"name": "hello_world", "language": "en_US", "category": "UTILITY", "components": []any{body("Hello")}}, 2388024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := e.do("POST", templatesPath, tt.req)
			if status != 400 {
				t.Fatalf("status %d: %v", status, out)
			}
			code, _, _ := graphErr(t, out)
			if code != 100 {
				t.Errorf("code %d", code)
			}
			sub, _ := out["error"].(map[string]any)["error_subcode"].(float64)
			if int(sub) != tt.subcode {
				t.Errorf("subcode %v, want %d: %v", sub, tt.subcode, out)
			}
		})
	}
}

func TestTemplateLifecycle(t *testing.T) {
	e := newEnv(t, Config{TemplateReviewDelay: time.Minute})
	create := func(name, category, text string, example []any) string {
		t.Helper()
		comp := map[string]any{"type": "body", "text": text}
		if example != nil {
			comp["example"] = map[string]any{"body_text": []any{example}}
		}
		status, out := e.do("POST", templatesPath, map[string]any{"name": name, "language": "en_US", "category": category,
			"components": []any{comp, map[string]any{"type": "buttons", "buttons": []any{map[string]any{"type": "quick_reply", "text": "OK"}}}}})
		if status != 200 || out["status"] != "PENDING" || out["category"] != category {
			t.Fatalf("create %s: %d %v", name, status, out)
		}
		return out["id"].(string)
	}
	good := create("shipping_delay", "UTILITY", "Hi {{1}}, your order {{2}} is delayed by one day. Sorry about that.", []any{"Ana", "#1"})
	startsVar := create("starts_with_var", "UTILITY", "{{1}} your order is late", []any{"Ana"})
	adjacent := create("adjacent_vars", "MARKETING", "Hello there {{1}} {{2}} welcome to our shop today", []any{"a", "b"})
	scam := create("prize_notice", "MARKETING", "Congratulations, you have won the lottery! Reply now.", nil)
	promo := create("utility_promo", "UTILITY", "Big discount on all shoes this weekend only, buy now.", nil)

	status, out := e.send(map[string]any{"messaging_product": "whatsapp", "to": "15551230000", "type": "template",
		"template": map[string]any{"name": "shipping_delay", "language": map[string]any{"code": "en_US"}}})
	if code, _, _ := graphErr(t, out); status != 404 || code != 132001 {
		t.Fatalf("pending template sent: %d %v", status, out)
	}
	e.flush()
	if len(e.rc.templateUpdates()) != 0 {
		t.Fatal("updates before review")
	}
	e.clock.Advance(time.Minute)
	e.flush()
	updates := map[string]tmplUpdate{}
	for _, u := range e.rc.templateUpdates() {
		updates[u.MessageTemplateName] = u
	}
	want := map[string][2]string{
		"shipping_delay":  {"APPROVED", "NONE"},
		"starts_with_var": {"REJECTED", "INVALID_FORMAT"},
		"adjacent_vars":   {"REJECTED", "INVALID_FORMAT"},
		"prize_notice":    {"REJECTED", "SCAM"},
		"utility_promo":   {"REJECTED", "INCORRECT_CATEGORY"},
	}
	ids := map[string]string{"shipping_delay": good, "starts_with_var": startsVar, "adjacent_vars": adjacent, "prize_notice": scam, "utility_promo": promo}
	for name, w := range want {
		u, ok := updates[name]
		if !ok {
			t.Errorf("no update for %s", name)
			continue
		}
		if u.Event != w[0] || u.Reason != w[1] || u.MessageTemplateLanguage != "en_US" {
			t.Errorf("%s: %+v, want %v", name, u, w)
		}
		if got := u.MessageTemplateID; got == 0 || ids[name] != itoa(got) {
			t.Errorf("%s: template id %d, want %s", name, got, ids[name])
		}
	}
	for _, n := range e.rc.all() {
		for _, en := range n.Entry {
			if en.ID != DefaultWABAID || en.Time == 0 {
				t.Errorf("entry %+v", en)
			}
		}
	}
	_, out = e.do("GET", "/v23.0/"+startsVar, nil)
	if out["status"] != "REJECTED" || out["rejected_reason"] != "INVALID_FORMAT" {
		t.Errorf("rejected template %v", out)
	}
	to := e.openCustomer()
	e.sendOK(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template", "template": map[string]any{
		"name": "shipping_delay", "language": map[string]any{"code": "en_US"}, "components": []any{
			map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "Ana"}, map[string]any{"type": "text", "text": "#9"}}}}}})

	t.Run("pause, disable and reinstate", func(t *testing.T) {
		e.rc.reset()
		for _, st := range []string{"PAUSED", "APPROVED", "DISABLED"} {
			if err := e.sb.SetTemplateStatus("shipping_delay:en_US", st); err != nil {
				t.Fatal(err)
			}
		}
		e.flush()
		var events []string
		for _, u := range e.rc.templateUpdates() {
			events = append(events, u.Event)
		}
		if strings.Join(events, ",") != "PAUSED,REINSTATED,DISABLED" {
			t.Errorf("events %v", events)
		}
	})
	t.Run("delete and the 30 day block", func(t *testing.T) {
		status, out := e.do("DELETE", templatesPath+"?name=shipping_delay", nil)
		if status != 200 || out["success"] != true {
			t.Fatalf("%d %v", status, out)
		}
		status, out = e.do("DELETE", templatesPath+"?name=shipping_delay", nil)
		if code, _, _ := graphErr(t, out); status != 400 || code != 100 {
			t.Errorf("second delete %d %v", status, out)
		}
		status, out = e.do("POST", templatesPath, map[string]any{"name": "shipping_delay", "language": "en_US", "category": "UTILITY",
			"components": []any{map[string]any{"type": "BODY", "text": "Your order is delayed."}}})
		if sub, _ := out["error"].(map[string]any)["error_subcode"].(float64); status != 400 || sub != 2388023 {
			t.Errorf("recreate: %d %v", status, out)
		}
		_, out = e.do("GET", templatesPath+"?name=shipping_delay", nil)
		if len(out["data"].([]any)) != 0 {
			t.Errorf("still listed: %v", out)
		}
		status, out = e.do("DELETE", templatesPath+"?name=adjacent_vars&hsm_id="+adjacent, nil)
		if status != 200 {
			t.Errorf("delete by hsm_id: %d %v", status, out)
		}
	})
	t.Run("named template created and sent", func(t *testing.T) {
		status, out := e.do("POST", templatesPath, map[string]any{"name": "pickup_ready", "language": "es", "category": "UTILITY",
			"parameter_format": "named", "components": []any{map[string]any{"type": "BODY",
				"text":    "Hola {{first_name}}, tu pedido está listo para recoger en la tienda de {{store}} hoy.",
				"example": map[string]any{"body_text_named_params": []any{map[string]any{"param_name": "first_name", "example": "Ana"}, map[string]any{"param_name": "store", "example": "Centro"}}}}}})
		if status != 200 {
			t.Fatalf("%d %v", status, out)
		}
		e.clock.Advance(time.Minute)
		e.sendOK(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template", "template": map[string]any{
			"name": "pickup_ready", "language": map[string]any{"code": "es"}, "components": []any{
				map[string]any{"type": "body", "parameters": []any{
					map[string]any{"type": "text", "parameter_name": "store", "text": "Centro"},
					map[string]any{"type": "text", "parameter_name": "first_name", "text": "Ana"}}}}}})
		rec := e.sb.Messages(to, 1)[0]
		if rec.Text != "Hola Ana, tu pedido está listo para recoger en la tienda de Centro hoy." || rec.Template != "pickup_ready" {
			t.Errorf("rendered %q", rec.Text)
		}
	})
}

func itoa(n int64) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%10]}, b...)
		n /= 10
	}
	return string(b)
}
