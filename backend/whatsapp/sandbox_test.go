package whatsapp

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/sandbox"
	"switchboard/backend/testkit"
)

// These tests run the client and the webhook parser against the sandbox
// over real HTTP on 127.0.0.1. The sandbox was written from Meta's docs
// independently of this package, so a wire-format mistake on either side
// shows up here.

// webhookSink is a webhook receiver that verifies and parses every body the
// sandbox posts, as the hub will.
type webhookSink struct {
	t      *testing.T
	secret []byte
	mu     sync.Mutex
	events []Events
	keep   []*Notification
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := VerifySignature(s.secret, body, r.Header.Get(SignatureHeader)); err != nil {
		s.t.Errorf("sandbox webhook failed verification: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	n, err := ParseNotification(body)
	if err != nil {
		s.t.Errorf("sandbox webhook did not parse: %v\n%s", err, body)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.keep = append(s.keep, n)
	s.events = append(s.events, n.Events())
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// statuses returns the statuses seen for a wamid, in arrival order.
func (s *webhookSink) statuses(id string) []StatusEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []StatusEvent
	for _, ev := range s.events {
		for _, st := range ev.Statuses {
			if st.Status.ID == id {
				out = append(out, st)
			}
		}
	}
	return out
}

func (s *webhookSink) messages() []InboundMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []InboundMessage
	for _, ev := range s.events {
		out = append(out, ev.Messages...)
	}
	return out
}

func (s *webhookSink) templates() []TemplateEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []TemplateEvent
	for _, ev := range s.events {
		out = append(out, ev.Templates...)
	}
	return out
}

type sandboxEnv struct {
	sb       *sandbox.Sandbox
	client   *Client
	sink     *webhookSink
	pnid     string
	customer sandbox.Customer
}

func newSandboxEnv(t *testing.T, cfg sandbox.Config) *sandboxEnv {
	t.Helper()
	if cfg.StatusDelays == nil {
		cfg.StatusDelays = &sandbox.StatusDelays{}
	}
	cfg.Customers.ReadProbability = 1
	cfg.Customers.ReplyProbability = -1
	if cfg.TemplateReviewDelay == 0 {
		cfg.TemplateReviewDelay = -1
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	sink := &webhookSink{t: t, secret: []byte(sb.AppSecret())}
	recv := httptest.NewServer(sink)
	t.Cleanup(recv.Close)
	sb.SetWebhookURL(recv.URL)
	c := NewClient(base, sb.AccessToken())
	cs := sb.Customers()
	if len(cs) == 0 {
		t.Fatal("the sandbox has no customers")
	}
	return &sandboxEnv{sb: sb, client: c, sink: sink, pnid: sb.PhoneNumbers()[0].ID, customer: cs[0]}
}

func (e *sandboxEnv) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sb.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSandboxInboundWebhooks(t *testing.T) {
	env := newSandboxEnv(t, sandbox.Config{Seed: 7})
	cust := env.customer
	specs := []sandbox.InboundMessage{
		{Type: "text", Text: "Hola, ¿tienen envío a Monterrey? 🚚"},
		{Type: "text", Text: "fwd", Forwarded: true},
		{Type: "image", Text: "foto del recibo"},
		{Type: "audio", Voice: true},
		{Type: "document", Filename: "Relatório Q3 (final).pdf"},
		{Type: "sticker"},
		{Type: "location"},
		{Type: "contacts"},
		{Type: "reaction", Emoji: "❤️"},
		{Type: "button", ButtonPayload: "STOP", ButtonText: "Stop promotions"},
		{Type: "interactive", InteractiveType: "button_reply", ReplyID: "yes", ReplyTitle: "Yes"},
		{Type: "interactive", InteractiveType: "list_reply", ReplyID: "r1", ReplyTitle: "Row", ReplyDescription: "desc"},
		{Type: "unsupported"},
		{Type: "system"},
	}
	for i, spec := range specs {
		if spec.Type == "reaction" {
			// A reaction needs a business message to react to.
			res, err := env.client.Send(context.Background(), env.pnid, NewText(cust.WaID, "Sí, enviamos a todo México."))
			if err != nil {
				t.Fatal(err)
			}
			spec.ReactTo = res.MessageID()
		}
		if _, err := env.sb.CustomerSend(cust.WaID, spec); err != nil {
			t.Fatalf("CustomerSend(%d %s): %v", i, spec.Type, err)
		}
	}
	env.flush(t)
	testkit.Eventually(t, "all inbound webhooks", func() bool { return len(env.sink.messages()) >= len(specs) })
	byType := map[string]InboundMessage{}
	for _, im := range env.sink.messages() {
		key := im.Message.Type
		if im.Message.Interactive != nil {
			key += "/" + im.Message.Interactive.Type
		}
		if im.Message.Context != nil && im.Message.Context.Forwarded {
			key += "/forwarded"
		}
		byType[key] = im
		eq(t, key+" phone_number_id", im.PhoneNumberID, env.pnid)
		if im.Message.Type != TypeSystem {
			eq(t, key+" sender", im.Sender.WaID, cust.WaID)
			eq(t, key+" matched", im.Sender.Matched, true)
			eq(t, key+" name", im.Sender.ProfileName, cust.Name)
		}
	}
	check := func(key string, f func(m *Message)) {
		t.Run(key, func(t *testing.T) {
			im, ok := byType[key]
			if !ok {
				t.Fatalf("no %s message arrived; got %v", key, keys(byType))
			}
			f(im.Message)
		})
	}
	check("text", func(m *Message) { eq(t, "body", m.Text.Body, "Hola, ¿tienen envío a Monterrey? 🚚") })
	check("text/forwarded", func(m *Message) { eq(t, "forwarded", m.Context.Forwarded, true) })
	check("image", func(m *Message) {
		eq(t, "caption", m.Image.Caption, "foto del recibo")
		info, dl, err := env.client.FetchMedia(context.Background(), m.Image.ID, 1<<20)
		if err != nil {
			t.Fatalf("inbound media did not download: %v", err)
		}
		defer dl.Body.Close()
		data, _ := io.ReadAll(dl.Body)
		if len(data) == 0 || int(info.FileSize) != len(data) {
			t.Errorf("downloaded %d bytes, file_size %d", len(data), info.FileSize)
		}
	})
	check("audio", func(m *Message) { eq(t, "voice", m.Audio.Voice, true) })
	check("document", func(m *Message) { eq(t, "filename", m.Document.Filename, "Relatório Q3 (final).pdf") })
	check("sticker", func(m *Message) { eq(t, "mime", m.Sticker.MimeType, "image/webp") })
	check("location", func(m *Message) {
		if m.Location.Latitude == 0 && m.Location.Longitude == 0 {
			t.Error("location without coordinates")
		}
	})
	check("contacts", func(m *Message) {
		if len(m.Contacts) == 0 || m.Contacts[0].Name.FormattedName == "" {
			t.Errorf("contacts = %+v", m.Contacts)
		}
	})
	check("reaction", func(m *Message) { eq(t, "emoji", m.Reaction.Emoji, "❤️") })
	check("button", func(m *Message) { eq(t, "payload", m.Button.Payload, "STOP") })
	check("interactive/button_reply", func(m *Message) { eq(t, "id", m.Interactive.ButtonReply.ID, "yes") })
	check("interactive/list_reply", func(m *Message) { eq(t, "description", m.Interactive.ListReply.Description, "desc") })
	check("unsupported", func(m *Message) {
		if len(m.Errors) == 0 || m.Errors[0].Code == 0 {
			t.Errorf("errors = %+v", m.Errors)
		}
	})
	check("system", func(m *Message) {
		if m.System.NewNumber() == "" && m.System.UserID == "" {
			t.Errorf("system = %+v", m.System)
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSandboxOutbound(t *testing.T) {
	env := newSandboxEnv(t, sandbox.Config{Seed: 11})
	ctx := context.Background()
	to := env.customer.WaID
	// The customer writes first, so the 24-hour window is open.
	in, err := env.sb.CustomerSend(to, sandbox.InboundMessage{Type: "text", Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}

	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9}
	imageID, err := env.client.UploadMedia(ctx, env.pnid, MediaUpload{Filename: "receipt.jpg", MIMEType: "image/jpeg", Size: int64(len(jpeg)), Body: bytes.NewReader(jpeg)})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	info, dl, err := env.client.FetchMedia(ctx, imageID, 1<<20)
	if err != nil {
		t.Fatalf("fetch uploaded media: %v", err)
	}
	got, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if !bytes.Equal(got, jpeg) {
		t.Errorf("downloaded %d bytes, uploaded %d", len(got), len(jpeg))
	}
	eq(t, "mime", info.MimeType, "image/jpeg")

	tpls, err := env.client.ListTemplates(ctx, env.sb.WABAID(), TemplateFilter{Status: TemplateApproved, PageSize: 2})
	if err != nil {
		t.Fatalf("list templates: %v", err)
	}
	if len(tpls) < 2 {
		t.Fatalf("only %d approved starter templates", len(tpls))
	}
	// Every starter template the test can fill is sent, which covers
	// positional and named parameters, headers and buttons.
	var tplSends []*OutboundMessage
	for _, tpl := range tpls {
		if m := fillTemplate(to, tpl); m != nil {
			if err := ValidateTemplateSend(tpl, m.Template); err != nil {
				t.Fatalf("filled %s but it does not validate: %v", tpl.Name, err)
			}
			tplSends = append(tplSends, m)
		}
	}
	if len(tplSends) == 0 {
		t.Fatal("no starter template could be filled")
	}

	sends := []struct {
		name string
		msg  *OutboundMessage
	}{
		{"text", NewText(to, "Olá! Seu pedido saiu para entrega 📦")},
		{"text preview", &OutboundMessage{To: to, Type: TypeText, Text: &Text{Body: "https://example.com/track", PreviewURL: true}}},
		{"reply", NewText(to, "Sure").ReplyTo(in.ID)},
		{"image by id", NewMedia(to, TypeImage, MediaObject{ID: imageID, Caption: "Your receipt"})},
		{"image by link", NewMedia(to, TypeImage, MediaObject{Link: "https://example.com/p.jpg"})},
		{"document", NewMedia(to, TypeDocument, MediaObject{Link: "https://example.com/i.pdf", Filename: "Fatura.pdf", Caption: "Invoice"})},
		{"video", NewMedia(to, TypeVideo, MediaObject{Link: "https://example.com/v.mp4"})},
		{"audio", NewMedia(to, TypeAudio, MediaObject{Link: "https://example.com/a.ogg"})},
		{"location", NewLocation(to, Location{Latitude: -23.5505, Longitude: -46.6333, Name: "Loja", Address: "Av. Paulista, 1000"})},
		{"contacts", NewContacts(to, Contact{Name: ContactName{FormattedName: "Suporte", FirstName: "Suporte"}, Phones: []ContactPhone{{Phone: "+15550783881", Type: "WORK"}}})},
		{"reaction", NewReaction(to, in.ID, "👍")},
		{"reaction removal", NewReaction(to, in.ID, "")},
		{"buttons", NewReplyButtons(to, "Confirm your order?", ReplyValue{ID: "yes", Title: "Yes"}, ReplyValue{ID: "no", Title: "No"})},
		{"list", NewList(to, "Pick a slot", "Slots", ListSection{Title: "Tomorrow", Rows: []ListRow{{ID: "am", Title: "Morning", Description: "9–12"}, {ID: "pm", Title: "Afternoon"}}})},
		{"location request", NewLocationRequest(to, "Where should we deliver?")},
		{"cta url", NewCTAURL(to, "Track your order", "Track", "https://example.com/t/1")},
	}
	for _, m := range tplSends {
		sends = append(sends, struct {
			name string
			msg  *OutboundMessage
		}{"template " + m.Template.Name, m})
	}
	var ids []string
	for _, s := range sends {
		t.Run(s.name, func(t *testing.T) {
			res, err := env.client.Send(ctx, env.pnid, s.msg)
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			if !strings.HasPrefix(res.MessageID(), "wamid.") {
				t.Fatalf("message id %q", res.MessageID())
			}
			ids = append(ids, res.MessageID())
		})
	}
	if err := env.client.MarkRead(ctx, env.pnid, in.ID, true); err != nil {
		t.Fatalf("mark read: %v", err)
	}
	env.flush(t)
	for _, id := range ids[:1] {
		testkit.Eventually(t, "sent and delivered statuses", func() bool {
			seen := map[string]bool{}
			for _, st := range env.sink.statuses(id) {
				seen[st.Status.Status] = true
				eq(t, "recipient", st.Recipient.Key(), to)
			}
			return seen[StatusSent] && seen[StatusDelivered]
		})
	}
	if err := env.client.DeleteMedia(ctx, imageID); err != nil {
		t.Errorf("delete media: %v", err)
	}
	if _, err := env.client.GetMedia(ctx, imageID); apierr.CodeOf(err) != apierr.UpstreamError {
		t.Errorf("deleted media still answers: %v", err)
	}
}

// fillTemplate builds a send of tpl with made-up values for every
// parameter, or nil when tpl needs something this test does not make.
func fillTemplate(to string, tpl Template) *OutboundMessage {
	p := tpl.Parameters()
	var comps []TemplateComponent
	param := func(name string) TemplateParameter {
		tp := TemplateParameter{Type: ParamText, Text: "value " + name}
		if p.Named {
			tp.ParameterName = name
		}
		return tp
	}
	switch {
	case p.HeaderFormat == FormatText && len(p.HeaderText) > 0:
		comps = append(comps, TemplateComponent{Type: ComponentHeader, Parameters: []TemplateParameter{param(p.HeaderText[0])}})
	case p.HeaderFormat == FormatImage:
		comps = append(comps, TemplateComponent{Type: ComponentHeader, Parameters: []TemplateParameter{{Type: ParamImage, Image: &MediaObject{Link: "https://example.com/h.jpg"}}}})
	case p.HeaderMedia():
		return nil
	}
	if len(p.Body) > 0 {
		c := TemplateComponent{Type: ComponentBody}
		for _, n := range p.Body {
			c.Parameters = append(c.Parameters, param(n))
		}
		comps = append(comps, c)
	}
	for _, b := range p.Buttons {
		if !b.Required {
			continue
		}
		c := TemplateComponent{Type: ComponentButton, SubType: b.SubType, Index: ButtonIndex(b.Index)}
		switch b.SubType {
		case ButtonSubTypeURL:
			c.Parameters = []TemplateParameter{{Type: ParamText, Text: "abc"}}
		case ButtonSubTypeCopyCode:
			c.Parameters = []TemplateParameter{{Type: ParamCouponCode, CouponCode: "SAVE10"}}
		}
		comps = append(comps, c)
	}
	return NewTemplate(to, tpl.Name, tpl.Language, comps...)
}

func TestSandboxTemplateLifecycle(t *testing.T) {
	env := newSandboxEnv(t, sandbox.Config{Seed: 3})
	ctx := context.Background()
	tpl := Template{
		Name: "delivery_window", Language: "en_US", Category: CategoryUtility,
		Components: []TemplateComponentDef{
			{Type: TemplateBody, Text: "Hi {{1}}, your delivery arrives {{2}}.", Example: &TemplateExample{BodyText: [][]string{{"Ana", "tomorrow"}}}},
		},
	}
	res, err := env.client.CreateTemplate(ctx, env.sb.WABAID(), tpl)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	eq(t, "status", res.Status, TemplatePending)
	env.flush(t)
	testkit.Eventually(t, "the template review webhook", func() bool {
		for _, te := range env.sink.templates() {
			if te.Name == tpl.Name && te.Event == TemplateApproved {
				eq(t, "template id", te.TemplateID, res.ID)
				return true
			}
		}
		return false
	})
	list, err := env.client.ListTemplates(ctx, env.sb.WABAID(), TemplateFilter{Name: tpl.Name})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Status != TemplateApproved {
		t.Fatalf("listed %+v", list)
	}
	if err := env.client.DeleteTemplate(ctx, env.sb.WABAID(), tpl.Name, ""); err != nil {
		t.Fatalf("delete: %v", err)
	}
	list, err = env.client.ListTemplates(ctx, env.sb.WABAID(), TemplateFilter{Name: tpl.Name})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "after delete", len(list), 0)
}

func TestSandboxErrors(t *testing.T) {
	clock := sandbox.NewManualClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	env := newSandboxEnv(t, sandbox.Config{Seed: 5, Clock: clock, PhoneNumbers: []sandbox.PhoneNumber{{ID: "106540352242922", DisplayNumber: "15550783881", Throughput: 2}}})
	ctx := context.Background()
	to := env.customer.WaID

	t.Run("bad token", func(t *testing.T) {
		c := NewClient(env.client.BaseURL, "not-a-token")
		_, err := c.Send(ctx, env.pnid, NewText(to, "hi"))
		eq(t, "graph code", GraphCode(err), CodeAccessTokenExpired)
		eq(t, "class", Classify(err), ClassPermanent)
	})
	t.Run("unknown template", func(t *testing.T) {
		_, err := env.client.Send(ctx, env.pnid, NewTemplate(to, "no_such_template", "en_US"))
		eq(t, "graph code", GraphCode(err), CodeTemplateMissing)
		eq(t, "api code", apierr.CodeOf(err), apierr.TemplateNotFound)
		eq(t, "class", Classify(err), ClassPermanent)
	})
	t.Run("window closed", func(t *testing.T) {
		if _, err := env.sb.CustomerSend(to, sandbox.InboundMessage{Type: "text", Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		if err := env.sb.Advance(25 * time.Hour); err != nil {
			t.Fatal(err)
		}
		res, err := env.client.Send(ctx, env.pnid, NewText(to, "are you there?"))
		if err != nil {
			t.Fatalf("the platform accepts first and fails later: %v", err)
		}
		env.flush(t)
		testkit.Eventually(t, "the failed status", func() bool {
			for _, st := range env.sink.statuses(res.MessageID()) {
				if st.Status.Status == StatusFailed {
					eq(t, "code", st.Status.Errors[0].Code, CodeReengagement)
					eq(t, "class", ClassifyCode(st.Status.Errors[0].Code), ClassNeedsTemplate)
					return true
				}
			}
			return false
		})
	})
	t.Run("throughput", func(t *testing.T) {
		var throttled error
		for i := 0; i < 20 && throttled == nil; i++ {
			_, err := env.client.Send(ctx, env.pnid, NewTemplate(to, "hello_world", "en_US"))
			if err != nil && GraphCode(err) == CodeThroughputRateLimit {
				throttled = err
			} else if err != nil && GraphCode(err) != CodeTemplateMissing {
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if throttled == nil {
			t.Fatal("20 sends at 2/s were never throttled")
		}
		eq(t, "class", Classify(throttled), ClassRetryable)
	})
}

func TestSandboxBodiesParse(t *testing.T) {
	sb, err := sandbox.New(sandbox.Config{Seed: 21})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	secret := []byte(sb.AppSecret())
	bodies := append(sb.InboundBodies(60, 3), sb.StatusBodies(30, 4)...)
	var messages, statuses int
	for i, b := range bodies {
		if err := VerifySignature(secret, b.Body, b.Signature); err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		n, err := ParseNotification(b.Body)
		if err != nil {
			t.Fatalf("body %d: %v\n%s", i, err, b.Body)
		}
		ref, err := parseNotificationStd(b.Body)
		if err != nil {
			t.Fatal(err)
		}
		if !equalNotifications(n, ref) {
			t.Fatalf("body %d decodes differently from encoding/json", i)
		}
		ev := n.Events()
		for _, im := range ev.Messages {
			if im.Message.Type != TypeSystem && !im.Sender.Matched {
				t.Errorf("body %d: message %s has no matching contact", i, im.Message.ID)
			}
		}
		messages += len(ev.Messages)
		statuses += len(ev.Statuses)
	}
	if messages < 60 || statuses != 120 {
		t.Errorf("got %d messages and %d statuses", messages, statuses)
	}
}
