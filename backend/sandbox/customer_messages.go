package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// InboundMessage describes a message a customer sends. Only Type is needed;
// everything else has realistic defaults (random text in the customer's
// language, the latest agent message as the reaction or reply target, the
// first offered button as the tap). An empty Type lets the customer decide.
type InboundMessage struct {
	// Type is text, image, audio, document, sticker, location, contacts,
	// reaction, button, interactive, unsupported or system; "" is random.
	Type string `json:"type,omitempty"`
	// Text is the body of a text message or the caption of media.
	Text string `json:"text,omitempty"`
	// Filename names a document.
	Filename string `json:"filename,omitempty"`
	// Voice marks audio as a voice note (default for audio).
	Voice bool `json:"voice,omitempty"`
	// ReplyTo quotes a message (context.id).
	ReplyTo string `json:"reply_to,omitempty"`
	// Forwarded and FrequentlyForwarded set the context forward flags.
	Forwarded           bool `json:"forwarded,omitempty"`
	FrequentlyForwarded bool `json:"frequently_forwarded,omitempty"` // see Forwarded
	// ReactTo is the wamid a reaction targets (default: latest agent message).
	ReactTo string `json:"react_to,omitempty"`
	// Emoji is the reaction; empty removes a reaction.
	Emoji string `json:"emoji,omitempty"`
	// ButtonPayload and ButtonText are a template quick-reply tap (type button).
	ButtonPayload string `json:"button_payload,omitempty"`
	ButtonText    string `json:"button_text,omitempty"` // see ButtonPayload
	// InteractiveType is button_reply or list_reply (type interactive).
	InteractiveType string `json:"interactive_type,omitempty"`
	// ReplyID, ReplyTitle and ReplyDescription are the tapped button or row.
	ReplyID          string `json:"reply_id,omitempty"`
	ReplyTitle       string `json:"reply_title,omitempty"`       // see ReplyID
	ReplyDescription string `json:"reply_description,omitempty"` // list rows only
	// Latitude, Longitude, LocationName and Address make a location.
	Latitude     *float64 `json:"latitude,omitempty"`
	Longitude    *float64 `json:"longitude,omitempty"`     // see Latitude
	LocationName string   `json:"location_name,omitempty"` // see Latitude
	Address      string   `json:"address,omitempty"`       // see Latitude
	// Referral attaches click-to-WhatsApp ad attribution.
	Referral *Referral `json:"referral,omitempty"`
	// ProfileName names a customer the sandbox does not know yet.
	ProfileName string `json:"profile_name,omitempty"`
	// PhoneNumberID picks the business number a new customer writes to.
	PhoneNumberID string `json:"phone_number_id,omitempty"`
}

// CustomerSend makes customer waID send spec now and returns the stored
// message. An unknown waID becomes a new customer (not simulated: it only
// does what it is told). The webhook is queued before CustomerSend returns.
func (s *Sandbox) CustomerSend(waID string, spec InboundMessage) (MessageRecord, error) {
	d := digitsOnly(waID)
	if len(d) < 8 || len(d) > 15 {
		return MessageRecord{}, fmt.Errorf("sandbox: wa_id %q must be 8 to 15 digits", waID)
	}
	if spec.PhoneNumberID != "" && s.numbers[spec.PhoneNumberID] == nil {
		return MessageRecord{}, fmt.Errorf("sandbox: unknown phone number id %q", spec.PhoneNumberID)
	}
	s.mu.Lock()
	c := s.lookupCustomer(d)
	if c == nil {
		phoneID := spec.PhoneNumberID
		if phoneID == "" {
			phoneID = s.numberList[0].ID
		}
		c = s.newCustomer(d, spec.ProfileName, phoneID, false)
	}
	ev, err := s.customerMessageLocked(c, spec)
	var rec MessageRecord
	if err == nil {
		rec = s.messages.get(ev.message.ID).MessageRecord
	}
	s.mu.Unlock()
	if err != nil {
		return MessageRecord{}, err
	}
	s.disp.enqueue(ev)
	return rec, nil
}

// customerMessageLocked builds, stores and returns (as an event to enqueue
// after unlocking) one message from c. The caller holds s.mu.
func (s *Sandbox) customerMessageLocked(c *customer, spec InboundMessage) (event, error) {
	if spec.Type == "" {
		spec = s.unpromptedSpec(c)
	}
	now := s.clock.Now()
	phone := s.numbers[c.info.PhoneNumberID]
	from := c.info.WaID
	m := &wireMessage{From: from, ID: s.ids.wamid(from, true), Timestamp: strconv.FormatInt(now.Unix(), 10), Type: spec.Type}
	rec := &storedMessage{MessageRecord: MessageRecord{
		ID: m.ID, Direction: DirectionInbound, PhoneNumberID: phone.ID, WaID: from, Type: spec.Type,
		Status: "received", Timestamp: now,
	}}
	if spec.ReplyTo != "" {
		m.Context = &wireContext{From: phone.DisplayNumber, ID: spec.ReplyTo}
		rec.ContextID = spec.ReplyTo
	}
	if spec.Forwarded || spec.FrequentlyForwarded {
		if m.Context == nil {
			m.Context = &wireContext{}
		}
		m.Context.Forwarded = spec.Forwarded || spec.FrequentlyForwarded
		m.Context.FrequentlyForwarded = spec.FrequentlyForwarded
	}
	r := c.rng
	opensWindow := true
	switch spec.Type {
	case "text":
		body := spec.Text
		if body == "" {
			body = fill(r, pick(r, c.loc.replies))
		}
		m.Text = &wireText{Body: body}
		rec.Text = body
		switch strings.ToUpper(strings.TrimSpace(body)) {
		case "STOP":
			c.info.OptedOut = true
		case "START":
			c.info.OptedOut = false
		}
	case "image":
		it := s.shareSample(s.samples.jpeg, phone.ID)
		m.Image = &wireMedia{Caption: spec.Text, MimeType: it.mimeType, SHA256: b64(it.sha256), ID: it.id}
		rec.Text = spec.Text
	case "audio":
		it := s.shareSample(s.samples.ogg, phone.ID)
		voice := true
		m.Audio = &wireMedia{MimeType: "audio/ogg; codecs=opus", SHA256: b64(it.sha256), ID: it.id, Voice: &voice}
	case "document":
		it := s.shareSample(s.samples.pdf, phone.ID)
		name := spec.Filename
		if name == "" {
			name = pick(r, c.loc.docNames)
		}
		m.Document = &wireMedia{Caption: spec.Text, Filename: name, MimeType: it.mimeType, SHA256: b64(it.sha256), ID: it.id}
		rec.Text = name
	case "sticker":
		it := s.shareSample(s.samples.webp, phone.ID)
		animated := false
		m.Sticker = &wireMedia{MimeType: it.mimeType, SHA256: b64(it.sha256), ID: it.id, Animated: &animated}
	case "location":
		p := pick(r, c.loc.places)
		loc := &wireLocation{Latitude: p.lat, Longitude: p.lng, Name: p.name, Address: p.address}
		if spec.Latitude != nil && spec.Longitude != nil {
			loc = &wireLocation{Latitude: *spec.Latitude, Longitude: *spec.Longitude, Name: spec.LocationName, Address: spec.Address}
		}
		m.Location = loc
		rec.Text = loc.Name
	case "contacts":
		m.Contacts = []json.RawMessage{s.sharedContact(c)}
	case "reaction":
		target := spec.ReactTo
		if target == "" {
			target = c.lastAgent
		}
		if target == "" {
			return event{}, fmt.Errorf("sandbox: customer %s has no message to react to", from)
		}
		m.Reaction = &wireReaction{MessageID: target, Emoji: spec.Emoji}
		rec.ContextID, rec.Text = target, spec.Emoji
		m.Context = nil
	case "button":
		payload, text := spec.ButtonPayload, spec.ButtonText
		target := spec.ReplyTo
		if text == "" {
			target, payload, text = s.defaultTap(c, target, "button")
		}
		if text == "" {
			return event{}, fmt.Errorf("sandbox: customer %s has no template quick reply to tap", from)
		}
		if payload == "" {
			payload = text
		}
		m.Button = &wireButton{Payload: payload, Text: text}
		if target != "" {
			m.Context = &wireContext{From: phone.DisplayNumber, ID: target}
			rec.ContextID = target
		}
		rec.Text = text
	case "interactive":
		kind := spec.InteractiveType
		if kind == "" {
			kind = "button_reply"
		}
		if kind != "button_reply" && kind != "list_reply" {
			return event{}, fmt.Errorf("sandbox: interactive_type must be button_reply or list_reply, not %q", kind)
		}
		item := &wireReplyItem{ID: spec.ReplyID, Title: spec.ReplyTitle, Description: spec.ReplyDescription}
		target := spec.ReplyTo
		if item.ID == "" {
			var opt replyOption
			target, opt = s.defaultInteractiveTap(c, target, kind)
			item = &wireReplyItem{ID: opt.id, Title: opt.title, Description: opt.description}
		}
		if item.ID == "" {
			return event{}, fmt.Errorf("sandbox: customer %s has no %s to tap", from, kind)
		}
		m.Interactive = &wireInteractive{Type: kind}
		if kind == "button_reply" {
			item.Description = ""
			m.Interactive.ButtonReply = item
		} else {
			m.Interactive.ListReply = item
		}
		if target != "" {
			m.Context = &wireContext{From: phone.DisplayNumber, ID: target}
			rec.ContextID = target
		}
		rec.Text = item.Title
	case "unsupported":
		m.Errors = []webhookError{{Code: CodeUnsupportedType, Title: "Message type unknown", Message: "Message type unknown",
			ErrorData: webhookErrorData{Details: "Message type is currently not supported."}}}
	case "system":
		opensWindow = false
		newID := from[:len(from)-4] + digits(r, 4)
		for s.customers[newID] != nil {
			newID = from[:len(from)-4] + digits(r, 4)
		}
		m.System = &wireSystem{Body: fmt.Sprintf("User %s changed from %s to %s", c.info.Name, formatDisplay(from), formatDisplay(newID)),
			NewID: newID, Type: "user_changed_number"}
		delete(s.customers, from)
		c.info.WaID = newID
		s.customers[newID] = c
		rec.Text = m.System.Body
	default:
		return event{}, fmt.Errorf("sandbox: customers cannot send %q messages", spec.Type)
	}
	if spec.Referral != nil {
		m.Referral = spec.Referral
		c.referralAt = now
	}
	c.started = true
	if opensWindow {
		t := now
		c.info.LastInboundAt = &t
	}
	rec.Payload, _ = json.Marshal(m)
	s.messages.add(rec)
	s.inboundSent.Add(1)
	return event{key: from, phoneID: phone.ID, contact: &wireContact{Profile: wireProfile{Name: c.info.Name}, WaID: from}, message: m}, nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// defaultTap finds the template quick reply the customer would tap: on the
// given message, or on the latest agent message that offers one.
func (s *Sandbox) defaultTap(c *customer, target, kind string) (string, string, string) {
	t, opt := s.defaultInteractiveTap(c, target, kind)
	return t, opt.id, opt.title
}

func (s *Sandbox) defaultInteractiveTap(c *customer, target, kind string) (string, replyOption) {
	try := func(id string) (replyOption, bool) {
		m := s.messages.get(id)
		if m == nil {
			return replyOption{}, false
		}
		for _, o := range m.replies {
			if o.kind == kind {
				return o, true
			}
		}
		return replyOption{}, false
	}
	if target != "" {
		o, _ := try(target)
		return target, o
	}
	var found string
	var opt replyOption
	s.messages.each(func(m *storedMessage) bool {
		if m.WaID == c.info.WaID && m.Direction == DirectionOutbound {
			if o, ok := try(m.ID); ok {
				found, opt = m.ID, o
				return false
			}
		}
		return true
	})
	return found, opt
}

// sharedContact makes a vCard-like contact card of a friend of c.
func (s *Sandbox) sharedContact(c *customer) json.RawMessage {
	r := c.rng
	first, last := pick(r, c.loc.first), pick(r, c.loc.last)
	ctry := c.loc.randomCountry(r)
	waID := ctry.waID(r)
	card := map[string]any{
		"name": map[string]string{"formatted_name": first + " " + last, "first_name": first, "last_name": last},
		"phones": []map[string]string{{
			"phone": formatDisplay(waID), "wa_id": waID, "type": "CELL",
		}},
	}
	if r.IntN(2) == 0 {
		card["emails"] = []map[string]string{{"email": strings.ToLower(asciiOnly(first)+"."+asciiOnly(last)) + "@example.com", "type": "HOME"}}
	}
	b, _ := json.Marshal(card)
	return b
}

func asciiOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && r != ' ' && r != '\'' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "friend"
	}
	return b.String()
}

// Generate makes n randomly chosen customers send one unprompted message
// each, now, and returns their wamids. With a fixed seed and no concurrent
// traffic the sequence is reproducible.
func (s *Sandbox) Generate(n int) []string {
	ids := make([]string, 0, n)
	evs := make([]event, 0, min(n, 256))
	flush := func() {
		s.disp.enqueue(evs...)
		evs = evs[:0]
	}
	for i := 0; i < n; i++ {
		s.mu.Lock()
		if len(s.customerList) == 0 {
			s.mu.Unlock()
			break
		}
		c := s.customerList[s.rng.IntN(len(s.customerList))]
		ev, err := s.customerMessageLocked(c, InboundMessage{})
		s.mu.Unlock()
		if err != nil {
			continue
		}
		ids = append(ids, ev.message.ID)
		evs = append(evs, ev)
		if len(evs) == cap(evs) {
			flush()
		}
	}
	flush()
	return ids
}
