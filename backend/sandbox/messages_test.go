package sandbox

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthAndRouting(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name       string
		method     string
		path       string
		token      string
		wantStatus int
		wantCode   int
		wantType   string
	}{
		{"wrong token", "POST", "/v23.0/" + DefaultPhoneNumberID + "/messages", "nope", 401, 190, "OAuthException"},
		{"no token", "POST", "/v23.0/" + DefaultPhoneNumberID + "/messages", "", 401, 104, "OAuthException"},
		{"unknown object", "POST", "/v23.0/999999/messages", DefaultAccessToken, 400, 100, "GraphMethodException"},
		{"unknown edge", "GET", "/v23.0/" + DefaultPhoneNumberID + "/nope", DefaultAccessToken, 400, 2500, "OAuthException"},
		{"too deep", "GET", "/v23.0/" + DefaultPhoneNumberID + "/messages/x", DefaultAccessToken, 400, 2500, "OAuthException"},
		{"wrong method", "GET", "/v23.0/" + DefaultPhoneNumberID + "/messages", DefaultAccessToken, 400, 100, "GraphMethodException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := e.doToken(tt.method, tt.path, textMsg("15551234567", "hi"), tt.token)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tt.wantStatus, out)
			}
			code, typ, _ := graphErr(t, out)
			if code != tt.wantCode || typ != tt.wantType {
				t.Errorf("code %d type %s, want %d %s", code, typ, tt.wantCode, tt.wantType)
			}
		})
	}
	t.Run("any version prefix and none", func(t *testing.T) {
		for _, v := range []string{"/v17.0", "/v21.0", "/v99.9", ""} {
			status, out := e.do("GET", v+"/"+DefaultPhoneNumberID, nil)
			if status != 200 || out["id"] != DefaultPhoneNumberID {
				t.Errorf("%s: %d %v", v, status, out)
			}
		}
	})
	t.Run("access_token query parameter", func(t *testing.T) {
		status, _ := e.doToken("GET", "/v23.0/"+DefaultPhoneNumberID+"?access_token="+DefaultAccessToken, nil, "")
		if status != 200 {
			t.Errorf("status %d", status)
		}
	})
}

func TestPhoneNumberAndAccountNodes(t *testing.T) {
	e := newEnv(t, Config{})
	status, out := e.do("GET", "/v23.0/"+DefaultPhoneNumberID, nil)
	if status != 200 {
		t.Fatal(status, out)
	}
	if out["display_phone_number"] != "+1 555-078-3881" || out["quality_rating"] != "GREEN" || out["verified_name"] != "Switchboard Demo" {
		t.Errorf("phone node: %v", out)
	}
	if tp := out["throughput"].(map[string]any); tp["level"] != "STANDARD" {
		t.Errorf("throughput %v", tp)
	}
	_, out = e.do("GET", "/v23.0/"+DefaultPhoneNumberID+"?fields=quality_rating,status", nil)
	if len(out) != 3 || out["status"] != "CONNECTED" || out["id"] != DefaultPhoneNumberID {
		t.Errorf("fields selection: %v", out)
	}
	_, out = e.do("GET", "/v23.0/"+DefaultWABAID+"/phone_numbers", nil)
	if data := out["data"].([]any); len(data) != 1 {
		t.Errorf("phone_numbers: %v", out)
	}
	_, out = e.do("GET", "/v23.0/"+DefaultWABAID, nil)
	if out["id"] != DefaultWABAID || out["name"] == nil {
		t.Errorf("waba: %v", out)
	}
}

func TestSendEveryTypeAccepted(t *testing.T) {
	e := newEnv(t, Config{})
	to := e.openCustomer()
	imgID, err := e.sb.UploadMedia(DefaultPhoneNumberID, "image/jpeg", sampleJPEG())
	if err != nil {
		t.Fatal(err)
	}
	inbound := e.sb.Messages(to, 1)[0].ID
	base := func(typ string, obj any) map[string]any {
		return map[string]any{"messaging_product": "whatsapp", "to": "+" + to, "type": typ, typ: obj}
	}
	tests := []struct {
		name string
		body map[string]any
	}{
		{"text", base("text", map[string]any{"body": "Hello 👋 ¿qué tal?", "preview_url": true})},
		{"text default type", map[string]any{"messaging_product": "whatsapp", "to": to, "text": map[string]any{"body": "hi"}}},
		{"text reply with context", func() map[string]any {
			b := base("text", map[string]any{"body": "replying"})
			b["context"] = map[string]any{"message_id": inbound}
			return b
		}()},
		{"image by id", base("image", map[string]any{"id": imgID, "caption": "your receipt"})},
		{"image by link", base("image", map[string]any{"link": "https://example.com/a.jpg"})},
		{"video by link", base("video", map[string]any{"link": "https://example.com/a.mp4", "caption": "demo"})},
		{"audio by link", base("audio", map[string]any{"link": "https://example.com/a.ogg"})},
		{"document", base("document", map[string]any{"link": "https://example.com/a.pdf", "filename": "Invoice 42.pdf", "caption": "invoice"})},
		{"sticker", base("sticker", map[string]any{"link": "https://example.com/a.webp"})},
		{"location", base("location", map[string]any{"latitude": 40.7, "longitude": -74.0, "name": "Shop", "address": "1 Main St"})},
		{"contacts", base("contacts", []any{map[string]any{"name": map[string]any{"formatted_name": "Jane Doe", "first_name": "Jane"},
			"phones": []any{map[string]any{"phone": "+1 555 010 9999", "type": "WORK"}}}})},
		{"reaction", base("reaction", map[string]any{"message_id": inbound, "emoji": "👍"})},
		{"reaction removal", base("reaction", map[string]any{"message_id": inbound, "emoji": ""})},
		{"interactive buttons", base("interactive", map[string]any{"type": "button",
			"header": map[string]any{"type": "text", "text": "Delivery"},
			"body":   map[string]any{"text": "When should we deliver?"}, "footer": map[string]any{"text": "Reply below"},
			"action": map[string]any{"buttons": []any{
				map[string]any{"type": "reply", "reply": map[string]any{"id": "today", "title": "Today"}},
				map[string]any{"type": "reply", "reply": map[string]any{"id": "tomorrow", "title": "Tomorrow"}},
			}}})},
		{"interactive list", base("interactive", map[string]any{"type": "list",
			"body": map[string]any{"text": "Pick a size"},
			"action": map[string]any{"button": "Sizes", "sections": []any{
				map[string]any{"title": "Shirts", "rows": []any{
					map[string]any{"id": "s", "title": "Small", "description": "Chest 34-36"},
					map[string]any{"id": "m", "title": "Medium"},
				}},
			}}})},
		{"location request", base("interactive", map[string]any{"type": "location_request_message",
			"body": map[string]any{"text": "Where should we deliver?"}, "action": map[string]any{"name": "send_location"}})},
		{"cta url", base("interactive", map[string]any{"type": "cta_url",
			"body":   map[string]any{"text": "See your order"},
			"action": map[string]any{"name": "cta_url", "parameters": map[string]any{"display_text": "Open", "url": "https://shop.example.com/o/1"}}})},
		{"template hello_world", base("template", map[string]any{"name": "hello_world", "language": map[string]any{"code": "en_US"}})},
		{"template positional with url button", base("template", map[string]any{"name": "order_update", "language": map[string]any{"code": "en_US"},
			"components": []any{
				map[string]any{"type": "body", "parameters": []any{
					map[string]any{"type": "text", "text": "Emily"}, map[string]any{"type": "text", "text": "#1234"},
					map[string]any{"type": "date_time", "date_time": map[string]any{"fallback_value": "May 9"}}}},
				map[string]any{"type": "button", "sub_type": "url", "index": "0", "parameters": []any{map[string]any{"type": "text", "text": "1234"}}},
				map[string]any{"type": "button", "sub_type": "quick_reply", "index": 1, "parameters": []any{map[string]any{"type": "payload", "payload": "AGENT"}}},
			}})},
		{"template named", base("template", map[string]any{"name": "appointment_reminder", "language": map[string]any{"code": "en_US"},
			"components": []any{map[string]any{"type": "body", "parameters": []any{
				map[string]any{"type": "text", "parameter_name": "customer_name", "text": "Grace"},
				map[string]any{"type": "text", "parameter_name": "provider", "text": "Dr. Kim"},
				map[string]any{"type": "text", "parameter_name": "date", "text": "June 3"},
				map[string]any{"type": "text", "parameter_name": "time", "text": "10:30"},
			}}}})},
		{"template image header and copy code", base("template", map[string]any{"name": "spring_sale", "language": map[string]any{"code": "en_US"},
			"components": []any{
				map[string]any{"type": "header", "parameters": []any{map[string]any{"type": "image", "image": map[string]any{"link": "https://example.com/s.jpg"}}}},
				map[string]any{"type": "body", "parameters": []any{
					map[string]any{"type": "text", "text": "Olivia"}, map[string]any{"type": "text", "text": "25%"},
					map[string]any{"type": "text", "text": "Sunday"}}},
				map[string]any{"type": "button", "sub_type": "url", "index": 0, "parameters": []any{map[string]any{"type": "text", "text": "spring"}}},
			}})},
		{"template copy code", base("template", map[string]any{"name": "discount_code", "language": map[string]any{"code": "en_US"},
			"components": []any{
				map[string]any{"type": "body", "parameters": []any{
					map[string]any{"type": "text", "text": "Ava"},
					map[string]any{"type": "currency", "currency": map[string]any{"fallback_value": "$5", "code": "USD", "amount_1000": 5000}}}},
				map[string]any{"type": "button", "sub_type": "copy_code", "index": 0, "parameters": []any{map[string]any{"type": "coupon_code", "coupon_code": "WELCOME15"}}},
			}})},
		{"template authentication", base("template", map[string]any{"name": "verification_code", "language": map[string]any{"code": "en_US"},
			"components": []any{
				map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "482913"}}},
				map[string]any{"type": "button", "sub_type": "url", "index": "0", "parameters": []any{map[string]any{"type": "text", "text": "482913"}}},
			}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := e.send(tt.body)
			if status != 200 {
				t.Fatalf("status %d: %v", status, out)
			}
			if out["messaging_product"] != "whatsapp" {
				t.Errorf("messaging_product %v", out["messaging_product"])
			}
			c := out["contacts"].([]any)[0].(map[string]any)
			if c["input"] != tt.body["to"] || c["wa_id"] != to {
				t.Errorf("contacts %v", c)
			}
			m := out["messages"].([]any)[0].(map[string]any)
			if id, _ := m["id"].(string); !strings.HasPrefix(id, "wamid.") {
				t.Errorf("id %v", m["id"])
			}
			_, isTemplate := tt.body["template"]
			if isTemplate != (m["message_status"] == "accepted") {
				t.Errorf("message_status %v (template %v)", m["message_status"], isTemplate)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	e := newEnv(t, Config{})
	to := e.openCustomer()
	long := strings.Repeat("a", 4097)
	tm := func(typ string, obj any) map[string]any {
		return map[string]any{"messaging_product": "whatsapp", "to": to, "type": typ, typ: obj}
	}
	buttons := func(n int, title string) map[string]any {
		var bs []any
		for i := 0; i < n; i++ {
			bs = append(bs, map[string]any{"type": "reply", "reply": map[string]any{"id": string(rune('a' + i)), "title": title + string(rune('A'+i))}})
		}
		return tm("interactive", map[string]any{"type": "button", "body": map[string]any{"text": "b"}, "action": map[string]any{"buttons": bs}})
	}
	tmpl := func(name, lang string, comps ...any) map[string]any {
		t := map[string]any{"name": name, "language": map[string]any{"code": lang}}
		if comps != nil {
			t["components"] = comps
		}
		return tm("template", t)
	}
	body := func(params ...any) map[string]any { return map[string]any{"type": "body", "parameters": params} }
	text := func(s string) map[string]any { return map[string]any{"type": "text", "text": s} }
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   int
	}{
		{"not json", "{nope", 400, 100},
		{"missing messaging_product", map[string]any{"to": to, "text": map[string]any{"body": "x"}}, 400, 100},
		{"wrong messaging_product", map[string]any{"messaging_product": "sms", "to": to, "text": map[string]any{"body": "x"}}, 400, 100},
		{"missing to", map[string]any{"messaging_product": "whatsapp", "text": map[string]any{"body": "x"}}, 400, 100},
		{"malformed to", textMsg("call me maybe", "x"), 400, 100},
		{"to is the business", textMsg(DefaultDisplayNumber, "x"), 400, 131021},
		{"unknown type", tm("poll", map[string]any{}), 400, 100},
		{"missing text body", tm("text", map[string]any{}), 400, 100},
		{"text too long", textMsg(to, long), 400, 100},
		{"text 4096 runes of emoji is fine", nil, 0, 0},
		{"media without id or link", tm("image", map[string]any{"caption": "x"}), 400, 100},
		{"media with both", tm("image", map[string]any{"id": "1", "link": "https://x.y/a.jpg"}), 400, 100},
		{"unknown media id", tm("image", map[string]any{"id": "12345"}), 400, 100},
		{"bad link", tm("image", map[string]any{"link": "ftp://x/a.jpg"}), 400, 100},
		{"caption on audio", tm("audio", map[string]any{"link": "https://x.y/a.ogg", "caption": "x"}), 400, 100},
		{"caption too long", tm("image", map[string]any{"link": "https://x.y/a.jpg", "caption": strings.Repeat("c", 1025)}), 400, 100},
		{"location missing latitude", tm("location", map[string]any{"longitude": 1.0}), 400, 100},
		{"contacts without name", tm("contacts", []any{map[string]any{"phones": []any{}}}), 400, 131008},
		{"reaction without message_id", tm("reaction", map[string]any{"emoji": "👍"}), 400, 100},
		{"four buttons", buttons(4, "Opt"), 400, 131009},
		{"button title too long", buttons(1, strings.Repeat("t", 21)), 400, 131009},
		{"list with 11 rows", func() any {
			var rows []any
			for i := 0; i < 11; i++ {
				rows = append(rows, map[string]any{"id": strings.Repeat("r", i+1), "title": "Row"})
			}
			return tm("interactive", map[string]any{"type": "list", "body": map[string]any{"text": "b"},
				"action": map[string]any{"button": "Pick", "sections": []any{map[string]any{"title": "S", "rows": rows}}}})
		}(), 400, 131009},
		{"list row title too long", tm("interactive", map[string]any{"type": "list", "body": map[string]any{"text": "b"},
			"action": map[string]any{"button": "Pick", "sections": []any{map[string]any{"rows": []any{
				map[string]any{"id": "1", "title": strings.Repeat("x", 25)}}}}}}), 400, 131009},
		{"interactive without body", tm("interactive", map[string]any{"type": "button"}), 400, 100},
		{"unknown template", tmpl("no_such_template", "en_US"), 404, 132001},
		{"template in other language", tmpl("hello_world", "fr"), 404, 132001},
		{"template paused", tmpl("winter_promo", "en_US", body(text("Noah"))), 400, 132015},
		{"template disabled", tmpl("old_newsletter", "en_US", body(text("Liam"))), 400, 132016},
		{"template too few params", tmpl("order_update", "en_US", body(text("a"), text("b"))), 400, 132000},
		{"template params where none expected", tmpl("hello_world", "en_US", body(text("a"))), 400, 132000},
		{"template url button param missing", tmpl("order_update", "en_US", body(text("a"), text("b"), text("c"))), 400, 132000},
		{"template named wrong name", tmpl("appointment_reminder", "en_US", body(
			map[string]any{"type": "text", "parameter_name": "customer_name", "text": "a"},
			map[string]any{"type": "text", "parameter_name": "provider", "text": "b"},
			map[string]any{"type": "text", "parameter_name": "day", "text": "c"},
			map[string]any{"type": "text", "parameter_name": "time", "text": "d"})), 400, 132000},
		{"template image header missing", tmpl("spring_sale", "en_US", body(text("a"), text("b"), text("c"))), 400, 132012},
		{"template header wrong format", tmpl("spring_sale", "en_US",
			map[string]any{"type": "header", "parameters": []any{map[string]any{"type": "document", "document": map[string]any{"link": "https://x.y/a.pdf"}}}},
			body(text("a"), text("b"), text("c"))), 400, 132012},
		{"template param with newline", tmpl("order_update", "en_US", body(text("a\nb"), text("b"), text("c")),
			map[string]any{"type": "button", "sub_type": "url", "index": "0", "parameters": []any{text("1")}}), 400, 132018},
		{"template hydrated too long", tmpl("order_update", "en_US", body(text(strings.Repeat("x", 1000)), text("b"), text("c")),
			map[string]any{"type": "button", "sub_type": "url", "index": "0", "parameters": []any{text("1")}}), 400, 132005},
		{"template missing language", tm("template", map[string]any{"name": "hello_world"}), 400, 100},
	}
	for _, tt := range tests {
		if tt.body == nil {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			status, out := e.send(tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tt.wantStatus, out)
			}
			code, typ, _ := graphErr(t, out)
			if code != tt.wantCode {
				t.Errorf("code %d, want %d: %v", code, tt.wantCode, out)
			}
			if typ != "OAuthException" {
				t.Errorf("type %q", typ)
			}
		})
	}
	t.Run("4096 emoji are 4096 characters", func(t *testing.T) {
		status, out := e.send(textMsg(to, strings.Repeat("😀", 4096)))
		if status != 200 {
			t.Fatalf("status %d: %v", status, out)
		}
	})
	t.Run("details for 132001", func(t *testing.T) {
		_, out := e.send(tmpl("no_such_template", "en_US"))
		_, _, details := graphErr(t, out)
		if details != "template name (no_such_template) does not exist in en_US" {
			t.Errorf("details %q", details)
		}
	})
}

func TestStatusProgressionAndPricing(t *testing.T) {
	d := StatusDelays{Sent: 100 * time.Millisecond, Delivered: 200 * time.Millisecond, Read: time.Second}
	e := newEnv(t, Config{StatusDelays: &d})
	to := e.openCustomer()
	body := textMsg(to, "Your order shipped")
	body["biz_opaque_callback_data"] = "ticket-42"
	id := e.sendOK(body)

	e.flush()
	if got := e.rc.statusesOf(id); len(got) != 0 {
		t.Fatalf("statuses before time passed: %v", got)
	}
	steps := []struct {
		advance time.Duration
		want    []string
	}{
		{100 * time.Millisecond, []string{"sent"}},
		{200 * time.Millisecond, []string{"sent", "delivered"}},
		{time.Second, []string{"sent", "delivered", "read"}},
	}
	for _, st := range steps {
		e.clock.Advance(st.advance)
		e.flush()
		got := e.rc.statusesOf(id)
		var names []string
		for _, s := range got {
			names = append(names, s.Status)
		}
		if strings.Join(names, ",") != strings.Join(st.want, ",") {
			t.Fatalf("after %v: statuses %v, want %v", st.advance, names, st.want)
		}
	}
	got := e.rc.statusesOf(id)
	sent, delivered, read := got[0], got[1], got[2]
	if sent.RecipientID != to || sent.BizOpaqueCallbackData != "ticket-42" {
		t.Errorf("sent %+v", sent)
	}
	if sent.Timestamp != "1741942800" {
		t.Errorf("sent timestamp %s, want the sandbox clock's", sent.Timestamp)
	}
	if sent.Pricing == nil || sent.Pricing.PricingModel != "PMP" || sent.Pricing.Category != "service" ||
		sent.Pricing.Type != "free_customer_service" || sent.Pricing.Billable {
		t.Errorf("sent pricing %+v", sent.Pricing)
	}
	if sent.Conversation == nil || sent.Conversation.ExpirationTimestamp == "" || sent.Conversation.Origin.Type != "service" ||
		len(sent.Conversation.ID) != 32 {
		t.Errorf("sent conversation %+v", sent.Conversation)
	}
	if delivered.Conversation == nil || delivered.Conversation.ExpirationTimestamp != "" || delivered.Pricing == nil {
		t.Errorf("delivered %+v", delivered)
	}
	if read.Pricing != nil || read.Conversation != nil {
		t.Errorf("read carries pricing: %+v", read)
	}
	if rec, _ := e.sb.Message(id); rec.Status != "read" {
		t.Errorf("stored status %s", rec.Status)
	}

	t.Run("marketing template is billable regular", func(t *testing.T) {
		e.rc.reset()
		id := e.sendOK(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template", "template": map[string]any{
			"name": "discount_code", "language": map[string]any{"code": "en_US"}, "components": []any{
				map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "A"}, map[string]any{"type": "text", "text": "5%"}}},
				map[string]any{"type": "button", "sub_type": "copy_code", "index": 0, "parameters": []any{map[string]any{"type": "coupon_code", "coupon_code": "X1"}}},
			}}})
		e.clock.Advance(time.Second)
		e.flush()
		st := e.rc.statusesOf(id)
		if len(st) == 0 || st[0].Pricing == nil || !st[0].Pricing.Billable || st[0].Pricing.Type != "regular" || st[0].Pricing.Category != "marketing" {
			t.Fatalf("statuses %+v", st)
		}
		if st[0].Conversation != nil {
			t.Errorf("regular PMP message with conversation %+v", st[0].Conversation)
		}
	})
}

func TestOlderPricingShape(t *testing.T) {
	e := newEnv(t, Config{PricingModel: "CBP"})
	to := e.openCustomer()
	id := e.sendOK(textMsg(to, "hi"))
	e.flush()
	st := e.rc.statusesOf(id)
	if len(st) < 1 || st[0].Pricing.PricingModel != "CBP" || st[0].Pricing.Type != "" || st[0].Conversation == nil {
		t.Fatalf("%+v", st)
	}
}

func TestReEngagementAfter24Hours(t *testing.T) {
	e := newEnv(t, Config{})
	to := e.openCustomer()
	e.clock.Advance(25 * time.Hour)
	id := e.sendOK(textMsg(to, "are you still there?"))
	e.flush()
	st := e.rc.statusesOf(id)
	if len(st) != 1 || st[0].Status != "failed" {
		t.Fatalf("statuses %+v", st)
	}
	er := st[0].Errors
	if len(er) != 1 || er[0].Code != 131047 || er[0].Title != "Re-engagement message" || er[0].Message != er[0].Title ||
		!strings.Contains(er[0].ErrorData.Details, "24 hours") || er[0].Href == "" {
		t.Errorf("errors %+v", er)
	}
	if rec, _ := e.sb.Message(id); rec.Status != "failed" || rec.ErrorCode != 131047 {
		t.Errorf("stored %+v", rec)
	}

	t.Run("templates are always allowed", func(t *testing.T) {
		id := e.sendOK(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template",
			"template": map[string]any{"name": "hello_world", "language": map[string]any{"code": "en_US"}}})
		e.flush()
		st := e.rc.statusesOf(id)
		if len(st) == 0 || st[0].Status != "sent" {
			t.Fatalf("%+v", st)
		}
	})
	t.Run("a new inbound message reopens the window", func(t *testing.T) {
		if _, err := e.sb.CustomerSend(to, InboundMessage{Type: "text", Text: "yes!"}); err != nil {
			t.Fatal(err)
		}
		id := e.sendOK(textMsg(to, "great"))
		e.flush()
		if st := e.rc.statusesOf(id); len(st) == 0 || st[0].Status != "sent" {
			t.Fatalf("%+v", st)
		}
	})
	t.Run("never-contacted number", func(t *testing.T) {
		id := e.sendOK(textMsg("+44 7700 900123", "hello stranger"))
		e.flush()
		st := e.rc.statusesOf(id)
		if len(st) != 1 || st[0].Errors[0].Code != 131047 || st[0].RecipientID != "447700900123" {
			t.Fatalf("%+v", st)
		}
	})
}

func TestUndeliverableAndOptOut(t *testing.T) {
	e := newEnv(t, Config{UndeliverableNumbers: []string{"+1 212 555 0199"}})
	id := e.sendOK(map[string]any{"messaging_product": "whatsapp", "to": "12125550199", "type": "template",
		"template": map[string]any{"name": "hello_world", "language": map[string]any{"code": "en_US"}}})
	e.flush()
	if st := e.rc.statusesOf(id); len(st) != 1 || st[0].Status != "failed" || st[0].Errors[0].Code != 131026 {
		t.Fatalf("%+v", st)
	}

	to := e.openCustomer()
	if _, err := e.sb.CustomerSend(to, InboundMessage{Type: "text", Text: "STOP"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.sb.Customer(to); !c.OptedOut {
		t.Fatal("STOP did not opt out")
	}
	id = e.sendOK(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template", "template": map[string]any{
		"name": "discount_code", "language": map[string]any{"code": "en_US"}, "components": []any{
			map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "A"}, map[string]any{"type": "text", "text": "5%"}}},
			map[string]any{"type": "button", "sub_type": "copy_code", "index": 0, "parameters": []any{map[string]any{"type": "coupon_code", "coupon_code": "X1"}}},
		}}})
	e.flush()
	if st := e.rc.statusesOf(id); len(st) != 1 || st[0].Errors[0].Code != 131050 {
		t.Fatalf("%+v", st)
	}
	if _, err := e.sb.CustomerSend(to, InboundMessage{Type: "text", Text: "start"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.sb.Customer(to); c.OptedOut {
		t.Fatal("START did not opt back in")
	}
}

func TestThroughputLimit(t *testing.T) {
	e := newEnv(t, Config{PhoneNumbers: []PhoneNumber{{ID: DefaultPhoneNumberID, DisplayNumber: DefaultDisplayNumber, Throughput: 2}}})
	to := e.openCustomer()
	// The manual clock stands still, so the bucket (2 tokens) does not refill.
	var ok, throttled int
	for i := 0; i < 6; i++ {
		status, out := e.send(textMsg(to, "burst"))
		switch status {
		case 200:
			ok++
		case 400:
			code, _, details := graphErr(t, out)
			if code != 130429 || !strings.Contains(details, "too many messages") {
				t.Fatalf("code %d details %q", code, details)
			}
			if msg := out["error"].(map[string]any)["message"]; msg != "(#130429) Rate limit hit" {
				t.Errorf("message %v", msg)
			}
			throttled++
		default:
			t.Fatalf("status %d", status)
		}
	}
	if ok != 2 || throttled != 4 {
		t.Fatalf("ok %d throttled %d", ok, throttled)
	}
	e.clock.Advance(time.Second)
	if status, out := e.send(textMsg(to, "later")); status != 200 {
		t.Fatalf("after refill: %d %v", status, out)
	}
	if st := e.sb.Stats(); st.Throttled != 4 {
		t.Errorf("stats throttled %d", st.Throttled)
	}
}

func TestPairRateLimit(t *testing.T) {
	e := newEnv(t, Config{PairRateLimit: 6 * time.Second})
	to := e.openCustomer()
	e.sendOK(textMsg(to, "one"))
	status, out := e.send(textMsg(to, "two"))
	if code, _, _ := graphErr(t, out); status != 400 || code != 131056 {
		t.Fatalf("%d %v", status, out)
	}
	e.clock.Advance(6 * time.Second)
	e.sendOK(textMsg(to, "three"))
}

func TestMarkAsRead(t *testing.T) {
	e := newEnv(t, Config{})
	to := e.openCustomer()
	first := e.sb.Messages(to, 1)[0].ID
	rec, _ := e.sb.CustomerSend(to, InboundMessage{Type: "text", Text: "second"})
	status, out := e.send(map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": rec.ID,
		"typing_indicator": map[string]any{"type": "text"}})
	if status != 200 || out["success"] != true {
		t.Fatalf("%d %v", status, out)
	}
	for _, id := range []string{first, rec.ID} {
		if m, _ := e.sb.Message(id); m.Status != "read" {
			t.Errorf("%s status %s", id, m.Status)
		}
	}
	tests := []struct {
		name string
		body map[string]any
		code int
	}{
		{"unknown message", map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope"}, 100},
		{"missing message_id", map[string]any{"messaging_product": "whatsapp", "status": "read"}, 100},
		{"bad status", map[string]any{"messaging_product": "whatsapp", "status": "delivered", "message_id": rec.ID}, 100},
		{"bad typing indicator", map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": rec.ID,
			"typing_indicator": map[string]any{"type": "audio"}}, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := e.send(tt.body)
			if code, _, _ := graphErr(t, out); status != 400 || code != tt.code {
				t.Errorf("%d %v", status, out)
			}
		})
	}
}

func TestEquivalentNumbersResolveToOneCustomer(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name, waID, sendTo string
	}{
		{"mexico without the 1", "5215512345678", "+52 55 1234 5678"},
		{"brazil legacy wa_id, modern input", "551187654321", "+55 11 98765-4321"},
		{"brazil modern wa_id, legacy input", "5521998765432", "552198765432"},
		{"argentina without the 9", "5491123456789", "541123456789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.sb.CustomerSend(tt.waID, InboundMessage{Type: "text", Text: "hola"}); err != nil {
				t.Fatal(err)
			}
			status, out := e.send(textMsg(tt.sendTo, "hi"))
			if status != 200 {
				t.Fatalf("%d %v", status, out)
			}
			c := out["contacts"].([]any)[0].(map[string]any)
			if c["wa_id"] != tt.waID || c["input"] != tt.sendTo {
				t.Errorf("contacts %v", c)
			}
		})
	}
}

// Graph coerces a parameter given as a string to its declared type, so an
// object or array may arrive as its JSON in a string (a widely used client
// library sends contacts that way) and a whole send may be form-encoded.
// The sandbox answers both as Meta does and records the decoded payload.
func TestSendAcceptsStringEncodedParameters(t *testing.T) {
	e := newEnv(t, Config{})
	to := e.openCustomer()
	inbound := e.sb.Messages(to, 1)[0].ID
	asString := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	card := []any{map[string]any{"name": map[string]any{"formatted_name": "Jane Doe"},
		"phones": []any{map[string]any{"phone": "+1 555 010 9999", "type": "WORK"}}}}
	msg := func(typ string, obj any, extra ...any) map[string]any {
		m := map[string]any{"messaging_product": "whatsapp", "to": to, "type": typ, typ: obj}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		body map[string]any
		// key and want are a parameter of the recorded payload and the
		// JSON it must hold once decoded.
		key, want string
	}{
		{"contacts as a string", msg("contacts", asString(card)), "contacts", asString(card)},
		{"text as a string", msg("text", `{"body":"hi from a string"}`), "text", `{"body":"hi from a string"}`},
		{"location as a string with quoted coordinates", msg("location", `{"latitude":"40.7","longitude":"-74.0","name":"Shop"}`),
			"location", `{"latitude":"40.7","longitude":"-74.0","name":"Shop"}`},
		{"interactive as a string", msg("interactive", asString(map[string]any{"type": "button", "body": map[string]any{"text": "Pick"},
			"action": map[string]any{"buttons": []any{map[string]any{"type": "reply", "reply": map[string]any{"id": "y", "title": "Yes"}}}}})),
			"interactive", ""},
		{"template as a string", msg("template", `{"name":"hello_world","language":{"code":"en_US"}}`),
			"template", `{"name":"hello_world","language":{"code":"en_US"}}`},
		{"context as a string", msg("text", map[string]any{"body": "replying"}, "context", asString(map[string]any{"message_id": inbound})),
			"context", asString(map[string]any{"message_id": inbound})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wamid := e.sendOK(tt.body)
			if tt.want == "" {
				return
			}
			rec := e.record(to, wamid)
			var payload map[string]json.RawMessage
			if err := json.Unmarshal(rec.Payload, &payload); err != nil {
				t.Fatalf("payload %s: %v", rec.Payload, err)
			}
			if got := string(payload[tt.key]); got != tt.want {
				t.Errorf("recorded %s = %s, want %s", tt.key, got, tt.want)
			}
		})
	}

	t.Run("a form-encoded send", func(t *testing.T) {
		form := url.Values{"messaging_product": {"whatsapp"}, "to": {to}, "type": {"contacts"}, "contacts": {asString(card)}}
		status, out := e.post("application/x-www-form-urlencoded", []byte(form.Encode()))
		if status != 200 {
			t.Fatalf("status %d: %v", status, out)
		}
		wamid := out["messages"].([]any)[0].(map[string]any)["id"].(string)
		if rec := e.record(to, wamid); rec.Type != "contacts" || rec.Text != "Jane Doe" {
			t.Errorf("recorded %+v", rec)
		}
	})
	t.Run("a multipart send", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, kv := range [][2]string{{"messaging_product", "whatsapp"}, {"to", to}, {"type", "text"}, {"text", `{"body":"from a form"}`}} {
			_ = mw.WriteField(kv[0], kv[1])
		}
		_ = mw.Close()
		status, out := e.post(mw.FormDataContentType(), buf.Bytes())
		if status != 200 {
			t.Fatalf("status %d: %v", status, out)
		}
	})
	t.Run("a string that is not JSON is still refused", func(t *testing.T) {
		status, out := e.send(msg("contacts", "Jane Doe"))
		if code, _, _ := graphErr(t, out); status != 400 || code != 100 {
			t.Errorf("status %d code %d: %v", status, code, out)
		}
	})
	t.Run("a string of the wrong shape is refused like the object would be", func(t *testing.T) {
		status, out := e.send(msg("contacts", `[{"phones":[]}]`))
		if code, _, _ := graphErr(t, out); status != 400 || code != 131008 {
			t.Errorf("status %d code %d: %v", status, code, out)
		}
	})
	t.Run("a coordinate that is not a number is refused", func(t *testing.T) {
		status, out := e.send(msg("location", map[string]any{"latitude": "north", "longitude": "1"}))
		if code, _, _ := graphErr(t, out); status != 400 || code != 100 {
			t.Errorf("status %d code %d: %v", status, code, out)
		}
	})
}
