package sandbox

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestPopulationIsDeterministic(t *testing.T) {
	build := func(seed uint64) *Sandbox {
		sb, err := New(Config{Seed: seed, Clock: NewManualClock(testStart), StatusDelays: &StatusDelays{}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sb.Close() })
		return sb
	}
	a, b, c := build(7), build(7), build(8)
	ca, cb, cc := a.Customers(), b.Customers(), c.Customers()
	if fmt.Sprint(ca) != fmt.Sprint(cb) {
		t.Fatal("same seed, different populations")
	}
	if fmt.Sprint(ca) == fmt.Sprint(cc) {
		t.Fatal("different seeds, same population")
	}
	a.Generate(300)
	b.Generate(300)
	ma, mb := a.Messages("", 0), b.Messages("", 0)
	if len(ma) != 300 {
		t.Fatalf("%d messages", len(ma))
	}
	for i := range ma {
		if !bytes.Equal(ma[i].Payload, mb[i].Payload) {
			t.Fatalf("message %d differs:\n%s\n%s", i, ma[i].Payload, mb[i].Payload)
		}
	}
	ba, bb := a.InboundBodies(20, 3), b.InboundBodies(20, 3)
	for i := range ba {
		if !bytes.Equal(ba[i].Body, bb[i].Body) {
			t.Fatal("InboundBodies differ for the same seed")
		}
	}
}

func TestPopulationVariety(t *testing.T) {
	sb, err := New(Config{Seed: 3, Clock: NewManualClock(testStart), Customers: CustomerConfig{Count: 400}})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	locales := map[string]int{}
	scripts := map[string]bool{}
	var mx521, brLegacy, brModern, ar549, emoji bool
	seen := map[string]bool{}
	for _, c := range sb.Customers() {
		if seen[c.WaID] {
			t.Fatalf("duplicate wa_id %s", c.WaID)
		}
		seen[c.WaID] = true
		locales[c.Locale]++
		for _, r := range c.Name {
			switch {
			case unicode.Is(unicode.Arabic, r):
				scripts["arabic"] = true
			case unicode.Is(unicode.Hebrew, r):
				scripts["hebrew"] = true
			case unicode.Is(unicode.Devanagari, r):
				scripts["devanagari"] = true
			case r > 0x1F000:
				emoji = true
			}
		}
		switch {
		case strings.HasPrefix(c.WaID, "521") && len(c.WaID) == 13:
			mx521 = true
		case strings.HasPrefix(c.WaID, "55") && len(c.WaID) == 12:
			brLegacy = true
		case strings.HasPrefix(c.WaID, "55") && len(c.WaID) == 13:
			brModern = true
		case strings.HasPrefix(c.WaID, "549"):
			ar549 = true
		}
		if len(c.WaID) < 11 || len(c.WaID) > 13 || !isDigits(c.WaID) {
			t.Errorf("implausible wa_id %s", c.WaID)
		}
	}
	for _, l := range []string{"en", "es", "pt_BR", "ar", "he", "hi"} {
		if locales[l] == 0 {
			t.Errorf("no %s customers", l)
		}
	}
	if len(scripts) != 3 || !emoji {
		t.Errorf("scripts %v emoji %v", scripts, emoji)
	}
	if !mx521 || !brLegacy || !brModern || !ar549 {
		t.Errorf("mx521 %v brLegacy %v brModern %v ar549 %v", mx521, brLegacy, brModern, ar549)
	}
}

func TestSimulatedCustomersSendEveryType(t *testing.T) {
	e := newEnv(t, Config{Seed: 11, Customers: CustomerConfig{Count: 30}})
	e.sb.Generate(60) // everyone says hello first
	for _, c := range e.sb.Customers() {
		e.sendOK(textMsg(c.WaID, "Thanks for writing, how can I help?"))
	}
	e.sb.Generate(2500)
	e.flush()
	types := map[string]int{}
	var forwarded, frequently, replies, referral, stop, start, voice, filename, rtl int
	for _, m := range e.rc.inbound() {
		types[m.Type]++
		if m.From == "" || !strings.HasPrefix(m.ID, "wamid.") || m.Timestamp == "" {
			t.Fatalf("bad message %+v", m)
		}
		if m.Context != nil {
			switch {
			case m.Context.FrequentlyForwarded:
				frequently++
			case m.Context.Forwarded:
				forwarded++
			case m.Context.ID != "" && m.Context.From == DefaultDisplayNumber:
				replies++
			}
		}
		if m.Referral != nil && m.Referral.SourceType == "ad" && m.Referral.CtwaClid != "" {
			referral++
		}
		if m.Text != nil {
			switch m.Text.Body {
			case "STOP":
				stop++
			case "START":
				start++
			}
			for _, r := range m.Text.Body {
				if unicode.In(r, unicode.Arabic, unicode.Hebrew) {
					rtl++
					break
				}
			}
		}
		if m.Audio != nil && m.Audio.Voice && strings.HasPrefix(m.Audio.MimeType, "audio/ogg") {
			voice++
		}
		if m.Document != nil && m.Document.Filename != "" {
			filename++
		}
		if m.Type == "reaction" && (m.Reaction == nil || m.Reaction.MessageID == "" || m.Reaction.Emoji == "") {
			t.Errorf("bad reaction %+v", m.Reaction)
		}
		if m.Type == "unsupported" && (len(m.Errors) != 1 || m.Errors[0].Code != 131051) {
			t.Errorf("bad unsupported %+v", m.Errors)
		}
		if m.Type == "contacts" && (len(m.Contacts) != 1 || m.Contacts[0].Name.FormattedName == "" || m.Contacts[0].Phones[0].WaID == "") {
			t.Errorf("bad contacts %+v", m.Contacts)
		}
	}
	for _, typ := range []string{"text", "image", "audio", "document", "sticker", "location", "contacts", "reaction", "unsupported"} {
		if types[typ] == 0 {
			t.Errorf("no %s messages (got %v)", typ, types)
		}
	}
	counts := map[string]int{"forwarded": forwarded, "frequently forwarded": frequently, "replies": replies, "referral": referral,
		"STOP": stop, "START": start, "voice": voice, "filename": filename, "right-to-left": rtl}
	for k, v := range counts {
		if v == 0 {
			t.Errorf("no %s", k)
		}
	}
	// Every media id in a webhook can be fetched and downloaded.
	for _, m := range e.rc.inbound()[:200] {
		var md *inMedia
		switch {
		case m.Image != nil:
			md = m.Image
		case m.Audio != nil:
			md = m.Audio
		case m.Document != nil:
			md = m.Document
		case m.Sticker != nil:
			md = m.Sticker
		default:
			continue
		}
		status, info := e.do("GET", "/v23.0/"+md.ID, nil)
		if status != 200 {
			t.Fatalf("media %s: %d %v", md.ID, status, info)
		}
		st, _, body := e.download(info["url"].(string), DefaultAccessToken)
		if st != 200 || len(body) == 0 {
			t.Fatalf("download %d", st)
		}
	}
}

func TestCustomersAnswerInteractiveMessages(t *testing.T) {
	e := newEnv(t, Config{Seed: 5, Customers: CustomerConfig{Count: 12, ReplyProbability: 1, ReplyDelay: time.Second}})
	buttons := map[string]any{"type": "button", "body": map[string]any{"text": "Pick one"}, "action": map[string]any{"buttons": []any{
		map[string]any{"type": "reply", "reply": map[string]any{"id": "yes", "title": "Yes"}},
		map[string]any{"type": "reply", "reply": map[string]any{"id": "no", "title": "No"}}}}}
	list := map[string]any{"type": "list", "body": map[string]any{"text": "Pick a slot"}, "action": map[string]any{"button": "Slots",
		"sections": []any{map[string]any{"title": "Today", "rows": []any{map[string]any{"id": "am", "title": "Morning", "description": "9-12"}}}}}}
	locReq := map[string]any{"type": "location_request_message", "body": map[string]any{"text": "Where are you?"}, "action": map[string]any{"name": "send_location"}}
	sent := map[string]string{}
	for i, c := range e.sb.Customers() {
		if _, err := e.sb.CustomerSend(c.WaID, InboundMessage{Type: "text", Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		switch i % 4 {
		case 0:
			body = map[string]any{"type": "interactive", "interactive": buttons}
		case 1:
			body = map[string]any{"type": "interactive", "interactive": list}
		case 2:
			body = map[string]any{"type": "interactive", "interactive": locReq}
		default:
			body = map[string]any{"type": "template", "template": map[string]any{"name": "appointment_reminder", "language": map[string]any{"code": "en_US"},
				"components": []any{map[string]any{"type": "body", "parameters": []any{
					map[string]any{"type": "text", "parameter_name": "customer_name", "text": "Grace"},
					map[string]any{"type": "text", "parameter_name": "provider", "text": "Dr. Kim"},
					map[string]any{"type": "text", "parameter_name": "date", "text": "June 3"},
					map[string]any{"type": "text", "parameter_name": "time", "text": "10:30"}}}}}}
		}
		body["messaging_product"], body["to"] = "whatsapp", c.WaID
		sent[e.sendOK(body)] = fmt.Sprint(i % 4)
	}
	e.clock.Advance(2 * time.Second)
	e.flush()
	got := map[string]bool{}
	for _, m := range e.rc.inbound() {
		if m.Context == nil || sent[m.Context.ID] == "" {
			continue
		}
		switch {
		case m.Type == "interactive" && m.Interactive.Type == "button_reply" && sent[m.Context.ID] == "0":
			if id := m.Interactive.ButtonReply.ID; id != "yes" && id != "no" {
				t.Errorf("button_reply id %q", id)
			}
			got["button_reply"] = true
		case m.Type == "interactive" && m.Interactive.Type == "list_reply" && sent[m.Context.ID] == "1":
			if m.Interactive.ListReply.ID != "am" || m.Interactive.ListReply.Description != "9-12" {
				t.Errorf("list_reply %+v", m.Interactive.ListReply)
			}
			got["list_reply"] = true
		case m.Type == "location" && sent[m.Context.ID] == "2":
			got["location"] = true
		case m.Type == "button" && sent[m.Context.ID] == "3":
			if t2 := m.Button.Text; t2 != "Confirm" && t2 != "Reschedule" {
				t.Errorf("button text %q", t2)
			}
			got["button"] = true
		}
	}
	for _, k := range []string{"button_reply", "list_reply", "location", "button"} {
		if !got[k] {
			t.Errorf("no %s answer", k)
		}
	}
	// Every answered message was read first, and reads follow deliveries.
	for id := range sent {
		var names []string
		for _, s := range e.rc.statusesOf(id) {
			names = append(names, s.Status)
		}
		if strings.Join(names, ",") != "sent,delivered,read" {
			t.Errorf("%s: %v", id, names)
		}
	}
}

func TestCustomerSendExplicit(t *testing.T) {
	e := newEnv(t, Config{})
	to := e.openCustomer()
	agent := e.sendOK(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "interactive", "interactive": map[string]any{
		"type": "button", "body": map[string]any{"text": "OK?"}, "action": map[string]any{"buttons": []any{
			map[string]any{"type": "reply", "reply": map[string]any{"id": "ok", "title": "OK"}}}}}})
	e.flush()
	e.rc.reset()
	lat, lng := 19.43, -99.13
	specs := []InboundMessage{
		{Type: "interactive"},
		{Type: "reaction", Emoji: "❤️"},
		{Type: "reaction"},
		{Type: "text", Text: "quoted", ReplyTo: agent},
		{Type: "location", Latitude: &lat, Longitude: &lng, LocationName: "Zócalo"},
		{Type: "document", Filename: "Factura Nº 42.pdf"},
		{Type: "text", Text: "from an ad", Referral: &Referral{SourceURL: "https://fb.me/x", SourceID: "1", SourceType: "ad", CtwaClid: "abc"}},
	}
	for _, sp := range specs {
		if _, err := e.sb.CustomerSend(to, sp); err != nil {
			t.Fatalf("%+v: %v", sp, err)
		}
	}
	e.flush()
	in := e.rc.inbound()
	if len(in) != len(specs) {
		t.Fatalf("%d messages", len(in))
	}
	if in[0].Interactive.ButtonReply.ID != "ok" || in[0].Context.ID != agent {
		t.Errorf("default tap %+v", in[0])
	}
	if in[1].Reaction.MessageID != agent || in[1].Reaction.Emoji != "❤️" || in[1].Context != nil {
		t.Errorf("reaction %+v", in[1])
	}
	if in[2].Reaction.Emoji != "" {
		t.Errorf("removal %+v", in[2].Reaction)
	}
	raw := e.sb.Messages(to, 6)[4].Payload // the removal
	if bytes.Contains(raw, []byte(`"emoji"`)) {
		t.Errorf("removed reaction still has an emoji field: %s", raw)
	}
	if in[3].Context.ID != agent || in[3].Context.From != DefaultDisplayNumber {
		t.Errorf("reply %+v", in[3].Context)
	}
	if in[4].Location.Name != "Zócalo" || in[4].Location.Latitude != lat {
		t.Errorf("location %+v", in[4].Location)
	}
	if in[5].Document.Filename != "Factura Nº 42.pdf" {
		t.Errorf("filename %q", in[5].Document.Filename)
	}
	if in[6].Referral == nil || in[6].Referral.CtwaClid != "abc" {
		t.Errorf("referral %+v", in[6].Referral)
	}

	t.Run("unknown number becomes a customer", func(t *testing.T) {
		rec, err := e.sb.CustomerSend("+972 52 123 4567", InboundMessage{Type: "text", Text: "שלום", ProfileName: "נועה"})
		if err != nil {
			t.Fatal(err)
		}
		c, ok := e.sb.Customer("972521234567")
		if !ok || c.Name != "נועה" || c.Locale != "he" || c.Simulated || rec.WaID != "972521234567" {
			t.Errorf("%+v %+v", c, rec)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, sp := range []InboundMessage{{Type: "video"}, {Type: "interactive", InteractiveType: "nfm_reply"}, {Type: "button"}} {
			if _, err := e.sb.CustomerSend(to, sp); err == nil {
				t.Errorf("%+v: no error", sp)
			}
		}
		if _, err := e.sb.CustomerSend("123", InboundMessage{Type: "text"}); err == nil {
			t.Error("short wa_id accepted")
		}
	})
	t.Run("changed number", func(t *testing.T) {
		e.flush()
		e.rc.reset()
		if _, err := e.sb.CustomerSend(to, InboundMessage{Type: "system"}); err != nil {
			t.Fatal(err)
		}
		e.flush()
		m := e.rc.inbound()[0]
		if m.System == nil || m.System.Type != "user_changed_number" || m.System.NewWaID == "" || m.From != to {
			t.Fatalf("%+v", m)
		}
		if _, ok := e.sb.Customer(m.System.NewWaID); !ok {
			t.Error("new number unknown")
		}
	})
}

func TestReadingOneMessageReadsEarlierOnes(t *testing.T) {
	e := newEnv(t, Config{Customers: CustomerConfig{ReadProbability: -1}})
	to := e.openCustomer()
	a := e.sendOK(textMsg(to, "one"))
	b := e.sendOK(textMsg(to, "two"))
	c := e.sendOK(textMsg(to, "three"))
	e.sb.mu.Lock()
	evs := e.sb.customerRead(e.sb.customers[to], b)
	e.sb.mu.Unlock()
	e.sb.disp.enqueue(evs...)
	e.flush()
	for id, want := range map[string]string{a: "read", b: "read", c: "delivered"} {
		if m, _ := e.sb.Message(id); m.Status != want {
			t.Errorf("%s: %s, want %s", id, m.Status, want)
		}
	}
}

func TestWebhookRetriesAndOrder(t *testing.T) {
	e := newEnv(t, Config{})
	to := e.openCustomer()
	e.flush()
	e.rc.reset()
	e.rc.mu.Lock()
	e.rc.failNext = 3
	e.rc.mu.Unlock()
	var ids []string
	for i := 0; i < 20; i++ {
		rec, err := e.sb.CustomerSend(to, InboundMessage{Type: "text", Text: fmt.Sprintf("message %02d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
		ids = append(ids, e.sendOK(textMsg(to, fmt.Sprintf("answer %02d", i))))
	}
	e.flush()
	var got []string
	for _, v := range e.rc.messageValues() {
		for _, m := range v.Messages {
			got = append(got, m.ID)
		}
		for _, s := range v.Statuses {
			if s.Status == "sent" {
				got = append(got, s.ID)
			}
		}
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("order differs:\n got %v\nwant %v", got, ids)
	}
	st := e.sb.Stats()
	if st.WebhookFailures < 3 || st.WebhooksDropped != 0 || st.WebhooksPending != 0 {
		t.Errorf("stats %+v", st)
	}
	// Per message: sent, delivered, read, in that order.
	for i := 1; i < len(ids); i += 2 {
		id := ids[i]
		var names []string
		for _, s := range e.rc.statusesOf(id) {
			names = append(names, s.Status)
		}
		if strings.Join(names, ",") != "sent,delivered,read" {
			t.Errorf("%s: %v", id, names)
		}
	}
}
