package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/phone"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// SendRequest asks the hub to send one message: the body of POST
// /v1/messages, defined once in package wire, which the API layer decodes
// straight into (the Cloud API's object for the type sits under the
// type's name), with the sender and idempotency key it adds.
type SendRequest = wire.SendRequest

// TemplateRequest names an approved template and fills it (see
// wire.TemplateRequest).
type TemplateRequest = wire.TemplateRequest

// LanguageCode is a template language, "en_US" or {"code": "en_US"}.
type LanguageCode = wire.LanguageCode

// TemplateVariables are a template's values by placeholder.
type TemplateVariables = wire.TemplateVariables

// requestHash identifies the request's content for idempotency: the same
// key with a different request is a conflict, not a resend.
func requestHash(r *SendRequest) string {
	compact := func(b json.RawMessage) json.RawMessage {
		if len(b) == 0 {
			return nil
		}
		var buf bytes.Buffer
		if json.Compact(&buf, b) != nil {
			return b
		}
		return buf.Bytes()
	}
	c := *r
	for _, t := range wire.SendTypes {
		if p := c.Slot(t); p != nil {
			*p = compact(*p)
		}
	}
	if c.Template != nil {
		t := *c.Template
		if t.Variables != nil {
			vars := make(TemplateVariables, len(t.Variables))
			for k, v := range t.Variables {
				vars[k] = compact(v)
			}
			t.Variables = vars
		}
		c.Template = &t
	}
	b, _ := json.Marshal(&c) // map keys marshal sorted, so equal requests hash equal
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// preparedSend is a validated request ready for the committer.
type preparedSend struct {
	req       SendRequest
	hash      string
	account   domain.Account
	phone     string // canonical E.164 when sending by number
	convID    int64
	out       whatsapp.OutboundMessage
	content   json.RawMessage
	preview   string
	free      bool   // free-form: needs the service window
	reactTo   string // reaction target: our id (digits) or a wamid
	reactWith string
}

// Send validates a message, checks WhatsApp's rules and queues it durably.
// It returns the queued message (status "queued") once it is committed; the
// send workers deliver it through the Cloud API, paced to the account's
// throughput, and its status then moves on through message.updated events.
//
// Errors: INVALID_REQUEST / VALIDATION_FAILED / INVALID_PHONE for the request
// itself, ACCOUNT_REQUIRED when several numbers could send it, NOT_FOUND for an
// unknown conversation or reply target, OPTED_OUT, SESSION_EXPIRED for
// free-form messages outside the 24-hour window (templates are always
// allowed), TEMPLATE_NOT_FOUND for unknown or unapproved templates,
// TEMPLATE_PARAMS_MISMATCH, IDEMPOTENCY_CONFLICT.
func (s *Service) Send(ctx context.Context, req SendRequest) (domain.Message, error) {
	if s.closing.Load() {
		return domain.Message{}, errClosing()
	}
	p, err := s.prepareSend(ctx, req)
	if err != nil {
		return domain.Message{}, err
	}
	var out domain.Message
	err = s.submit(ctx, func(w *wtx) error {
		m, err := w.queueSend(p, s.now())
		out = m
		return err
	})
	if err != nil {
		return domain.Message{}, err
	}
	return out, nil
}

// prepareSend does every check that needs no write: the request's shape,
// the account, the recipient, Meta's limits and the template's parameters.
func (s *Service) prepareSend(ctx context.Context, req SendRequest) (*preparedSend, error) {
	p := &preparedSend{req: req, hash: requestHash(&req)}
	if req.Type == "" {
		return nil, apierr.Field(apierr.InvalidRequest, "type", "the message type is required")
	}
	// Recipient and account.
	to := ""
	switch {
	case req.ConversationID != 0:
		conv, err := s.st.GetConversation(ctx, req.ConversationID)
		if err != nil {
			return nil, storeErr(err, "conversation")
		}
		if req.AccountID != "" && req.AccountID != conv.AccountID {
			return nil, apierr.Field(apierr.ValidationFailed, "account_id", "the conversation belongs to number %s", conv.AccountID)
		}
		if req.To != "" && !phone.SamePerson(req.To, conv.Contact.Phone) {
			return nil, apierr.Field(apierr.ValidationFailed, "to", "to does not match the conversation's contact")
		}
		p.convID = conv.ID
		req.AccountID = conv.AccountID
		to = recipientOf(&conv.Contact)
		if to == "" && conv.Contact.UserID == "" {
			return nil, apierr.Field(apierr.ValidationFailed, "conversation_id", "the conversation's contact has no number to send to")
		}
	case req.To != "":
		key, err := phone.Normalize(req.To)
		if err != nil {
			return nil, withField(apierr.Wrap(err, apierr.InvalidPhone, "%s", err.Error()), "to")
		}
		p.phone = key
		to = phone.WaID(key)
	default:
		return nil, apierr.Field(apierr.InvalidRequest, "to", "say who to send to: to or conversation_id")
	}
	acct, err := s.ResolveAccount(req.AccountID)
	if err != nil {
		return nil, err
	}
	p.account = acct

	p.out = whatsapp.OutboundMessage{MessagingProduct: whatsapp.MessagingProduct,
		RecipientType: whatsapp.RecipientIndividual, To: to, Type: req.Type,
		BizOpaqueCallbackData: req.BizOpaqueCallbackData}
	if to == "" {
		p.out.To = "0" // a user known only by BSUID; set for real in the committer
	}
	if req.ReplyTo != 0 && req.Type != whatsapp.TypeReaction {
		// Validated with a stand-in; the committer puts the real wamid.
		p.out.Context = &whatsapp.ReplyContext{MessageID: "wamid.pending"}
	}
	p.free = true
	if req.Type == whatsapp.TypeTemplate {
		if err := s.prepareTemplate(ctx, p); err != nil {
			return nil, err
		}
		p.free = false
	} else {
		raw := req.Payload()
		if raw == nil {
			if (req.Type == whatsapp.TypeReaction) || isKnownType(req.Type) {
				return nil, apierr.Field(apierr.InvalidRequest, req.Type, "the %s object is required for type %q", req.Type, req.Type)
			}
			return nil, apierr.Field(apierr.ValidationFailed, "type", "unknown message type %q", req.Type)
		}
		if err := decodePayload(&p.out, req.Type, raw); err != nil {
			return nil, err
		}
		if req.Type == whatsapp.TypeReaction {
			p.reactTo, p.reactWith = p.out.Reaction.MessageID, p.out.Reaction.Emoji
			if p.reactTo == "" && req.ReplyTo != 0 {
				p.reactTo = strconv.FormatInt(req.ReplyTo, 10)
			}
			if p.reactTo == "" {
				return nil, apierr.Field(apierr.InvalidRequest, "reaction.message_id", "say which message to react to")
			}
			p.out.Reaction.MessageID = "wamid.pending"
		}
	}
	if err := whatsapp.Validate(&p.out); err != nil {
		return nil, err
	}
	content, err := json.Marshal(payloadField(&p.out))
	if err != nil {
		return nil, apierr.Wrap(err, apierr.Internal, "encode the message")
	}
	p.content = content
	if p.preview == "" {
		p.preview = outboundPreview(&p.out)
	}
	return p, nil
}

// withField sets the offending field on an error built with apierr.Wrap.
func withField(e *apierr.Error, field string) *apierr.Error {
	e.Field = field
	return e
}

// decodePayload puts the request's object for typ into m's typed field.
func decodePayload(m *whatsapp.OutboundMessage, typ string, raw json.RawMessage) error {
	mt, ok := messageTypes[typ]
	if !ok {
		return apierr.Field(apierr.ValidationFailed, "type", "unknown message type %q", typ)
	}
	if err := json.Unmarshal(raw, mt.object(m, true)); err != nil {
		return withField(apierr.Wrap(err, apierr.InvalidRequest, "the %s object is malformed", typ), typ)
	}
	return nil
}

// recipientOf is the wa_id to send a contact: the one they last wrote from
// (known to reach them), else their canonical number's.
func recipientOf(c *domain.Contact) string {
	if c.WaID != "" {
		return c.WaID
	}
	if c.Phone != "" {
		return phone.WaID(c.Phone)
	}
	return ""
}

// queueSend runs in the committer: it applies the rules that depend on
// current state (idempotency, opt-out, window, reply target), stores the
// message as queued and its queue entry, and updates the conversation.
func (w *wtx) queueSend(p *preparedSend, now time.Time) (domain.Message, error) {
	req := &p.req
	if req.IdempotencyKey != "" {
		prev, err := w.tx.MessageByIdempotencyKey(w.ctx, req.IdempotencyKey)
		switch {
		case err == nil:
			if prev.RequestHash != p.hash {
				return domain.Message{}, apierr.New(apierr.IdempotencyConflict,
					"the Idempotency-Key was already used for a different message (id %d)", prev.ID)
			}
			return prev.Message, nil
		case !errors.Is(err, store.ErrNotFound):
			return domain.Message{}, err
		}
	}
	// Recipient.
	var contact *domain.Contact
	var e *convEntry
	var err error
	if p.convID != 0 {
		if e, err = w.convByID(p.convID); err != nil {
			return domain.Message{}, err
		}
		if e == nil {
			return domain.Message{}, apierr.Field(apierr.NotFound, "conversation_id", "no such conversation")
		}
		if contact, err = w.contactByID(e.c.Contact.ID); err != nil {
			return domain.Message{}, err
		}
	} else {
		if contact, err = w.contactByPhone(p.phone); err != nil {
			return domain.Message{}, err
		}
		if contact == nil {
			contact = &domain.Contact{Phone: p.phone, CreatedAt: now, UpdatedAt: now}
			if err := w.insertContact(contact); err != nil {
				return domain.Message{}, err
			}
		}
		if e, err = w.convFor(p.account.ID, contact.ID, now); err != nil {
			return domain.Message{}, err
		}
	}
	if contact.OptedOut {
		return domain.Message{}, apierr.New(apierr.OptedOut, "%s has opted out of messages from this business", address(contact))
	}
	if p.free && !e.c.WindowOpen(now) {
		return domain.Message{}, apierr.New(apierr.SessionExpired,
			"the customer has not written in the last 24 hours: only an approved template may be sent")
	}
	out := p.out // a copy: the prepared value is reused if the batch is replayed
	if to := recipientOf(contact); to != "" {
		out.To = to
	} else {
		out.To, out.Recipient = "", contact.UserID
	}
	var replyTo *int64
	var target *store.Message
	if req.ReplyTo != 0 && req.Type != whatsapp.TypeReaction {
		t, err := w.replyTarget(strconv.FormatInt(req.ReplyTo, 10), e.c.ID, "reply_to")
		if err != nil {
			return domain.Message{}, err
		}
		out.Context = &whatsapp.ReplyContext{MessageID: t.WAMID}
		replyTo = &t.ID
	}
	if req.Type == whatsapp.TypeReaction {
		t, err := w.replyTarget(p.reactTo, e.c.ID, "reaction.message_id")
		if err != nil {
			return domain.Message{}, err
		}
		r := *out.Reaction
		r.MessageID = t.WAMID
		out.Reaction = &r
		replyTo, target = &t.ID, &t
	}
	msg := store.Message{Message: domain.Message{
		ConversationID: e.c.ID, AccountID: p.account.ID, Direction: domain.Outbound, Type: req.Type,
		Content: p.content, Preview: p.preview, From: w.accountAddress(&p.account), To: address(contact),
		ReplyTo: replyTo, Reactions: []domain.Reaction{}, Status: domain.MsgQueued, AuthorID: req.AuthorID,
		Timestamp: now, CreatedAt: now, UpdatedAt: now,
	}, IdempotencyKey: req.IdempotencyKey, RequestHash: p.hash, Hidden: req.Type == whatsapp.TypeReaction}
	if target != nil {
		msg.ContextWAMID = target.WAMID
	}
	if _, err := w.tx.InsertMessage(w.ctx, &msg); err != nil {
		return domain.Message{}, err
	}
	if out.BizOpaqueCallbackData == "" {
		out.BizOpaqueCallbackData = strconv.FormatInt(msg.ID, 10)
	}
	payload, err := json.Marshal(&out)
	if err != nil {
		return domain.Message{}, err
	}
	item := store.QueueItem{MessageID: msg.ID, AccountID: p.account.ID, Recipient: out.To + out.Recipient,
		Payload: payload, EnqueuedAt: now}
	if err := w.tx.Enqueue(w.ctx, item); err != nil {
		return domain.Message{}, err
	}
	w.countAccount(p.account.ID, 0, 1)
	w.after(func() { w.s.disp.push(item) })

	if target != nil {
		from := "business"
		if req.AuthorID != nil {
			from = strconv.FormatInt(*req.AuthorID, 10)
		}
		if setReaction(&target.Message, from, p.reactWith, now) {
			target.UpdatedAt = now
			if err := w.tx.UpdateMessage(w.ctx, target); err != nil {
				return domain.Message{}, err
			}
			if err := w.emitMessage(domain.EventMessageUpdated, target, e.c.AssigneeID); err != nil {
				return domain.Message{}, err
			}
		}
		return msg.Message, nil
	}
	w.touch(e)
	c := &e.c
	t := now
	c.LastOutboundAt = &t
	c.Unanswered, c.WaitingSince = false, nil
	w.setLastMessage(c, &msg.Message)
	c.UpdatedAt = now
	return msg.Message, w.emitMessage(domain.EventMessageCreated, &msg, c.AssigneeID)
}

// replyTarget resolves a message referred to by our id (digits) or by wamid:
// it must be in the conversation and already have a wamid.
func (w *wtx) replyTarget(ref string, convID int64, field string) (store.Message, error) {
	var t store.Message
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		t, err = w.tx.MessageByID(w.ctx, id)
	} else {
		t, err = w.tx.MessageByWAMID(w.ctx, ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return t, apierr.Field(apierr.NotFound, field, "no such message")
	}
	if err != nil {
		return t, err
	}
	if t.ConversationID != convID {
		return t, apierr.Field(apierr.ValidationFailed, field, "the message is in another conversation")
	}
	if t.WAMID == "" {
		return t, apierr.Field(apierr.ValidationFailed, field, "the message has not reached WhatsApp yet")
	}
	return t, nil
}

// ---- templates -------------------------------------------------------------------

// prepareTemplate finds the synced template, builds the components from the
// variables (or takes the given components) and validates them.
func (s *Service) prepareTemplate(ctx context.Context, p *preparedSend) error {
	tr := p.req.Template
	if tr == nil || tr.Name == "" {
		return apierr.Field(apierr.InvalidRequest, "template.name", "the template name is required")
	}
	if tr.Language == "" {
		return apierr.Field(apierr.InvalidRequest, "template.language", "the template language is required")
	}
	dt, err := s.st.GetTemplate(ctx, p.account.WABAID, tr.Name, string(tr.Language))
	if errors.Is(err, store.ErrNotFound) {
		dt, err = s.findTemplateLoosely(ctx, p.account.WABAID, tr.Name, string(tr.Language))
	}
	if errors.Is(err, store.ErrNotFound) {
		return apierr.Field(apierr.TemplateNotFound, "template.name", "no template %q in %s; sync templates if it was just created", tr.Name, tr.Language)
	}
	if err != nil {
		return storeErr(err, "template")
	}
	if !strings.EqualFold(dt.Status, whatsapp.TemplateApproved) {
		return apierr.Field(apierr.TemplateNotFound, "template.name", "the template %q (%s) is %s, not approved", dt.Name, dt.Language, dt.Status)
	}
	wt, err := toWhatsAppTemplate(dt)
	if err != nil {
		return apierr.Wrap(err, apierr.Internal, "the stored template %q cannot be read", dt.Name)
	}
	send := &whatsapp.TemplateSend{Name: wt.Name, Language: whatsapp.TemplateLanguage{Code: wt.Language}}
	switch {
	case len(tr.Components) > 0 && len(tr.Variables) > 0:
		return apierr.Field(apierr.InvalidRequest, "template", "give variables or components, not both")
	case len(tr.Components) > 0:
		send.Components = tr.Components
	default:
		comps, err := buildComponents(wt, tr.Variables)
		if err != nil {
			return err
		}
		send.Components = comps
	}
	if err := whatsapp.ValidateTemplateSend(wt, send); err != nil {
		return err
	}
	p.out.Template = send
	p.preview = truncateRunes(renderTemplateBody(wt, tr.Variables), previewLength)
	return nil
}

// findTemplateLoosely matches en-US with en_US, and a template listed under
// another WABA when the account's WABA is unknown.
func (s *Service) findTemplateLoosely(ctx context.Context, wabaID, name, lang string) (domain.Template, error) {
	f := store.TemplateFilter{Name: name, PageRequest: store.PageRequest{Limit: 100}}
	if wabaID != "" {
		f.WABAID = wabaID
	}
	page, err := s.st.ListTemplates(ctx, f)
	if err != nil {
		return domain.Template{}, err
	}
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "_")) }
	for _, t := range page.Items {
		if norm(t.Language) == norm(lang) {
			return t, nil
		}
	}
	return domain.Template{}, store.ErrNotFound
}

// toWhatsAppTemplate converts a stored template for validation.
func toWhatsAppTemplate(t domain.Template) (whatsapp.Template, error) {
	wt := whatsapp.Template{ID: t.ID, Name: t.Name, Language: t.Language, Status: t.Status,
		Category: t.Category, ParameterFormat: t.ParameterFormat, RejectedReason: t.RejectedReason}
	if len(t.Components) > 0 {
		if err := json.Unmarshal(t.Components, &wt.Components); err != nil {
			return wt, err
		}
	}
	return wt, nil
}

func fromWhatsAppTemplate(wabaID string, t whatsapp.Template, now time.Time) domain.Template {
	comps, _ := json.Marshal(t.Components)
	if t.Components == nil {
		comps = []byte("[]")
	}
	d := domain.Template{ID: t.ID, WABAID: wabaID, Name: t.Name, Language: t.Language, Category: t.Category,
		Status: t.Status, ParameterFormat: t.ParameterFormat, Components: comps, RejectedReason: t.RejectedReason,
		UpdatedAt: now}
	if t.QualityScore != nil {
		d.Quality = t.QualityScore.Score
	}
	if d.RejectedReason == "NONE" {
		d.RejectedReason = ""
	}
	return d
}

func mismatch(field, format string, args ...any) *apierr.Error {
	return apierr.Field(apierr.TemplateParamsMismatch, field, format, args...)
}

// buildComponents fills the template's parameters from the variables.
func buildComponents(t whatsapp.Template, vars TemplateVariables) ([]whatsapp.TemplateComponent, error) {
	p := t.Parameters()
	used := make(map[string]bool, len(vars))
	lookup := func(keys ...string) (string, json.RawMessage, bool) {
		for _, k := range keys {
			if v, ok := vars[k]; ok {
				used[k] = true
				return k, v, true
			}
		}
		return "", nil, false
	}
	var comps []whatsapp.TemplateComponent
	// Header.
	switch {
	case p.HeaderMedia():
		kind := strings.ToLower(p.HeaderFormat)
		key, raw, ok := lookup("header")
		if !ok {
			return nil, mismatch("template.variables.header", "the template's %s header needs a value under \"header\"", kind)
		}
		param, err := mediaParam(kind, raw)
		if err != nil {
			return nil, mismatch("template.variables."+key, "%s", err.Error())
		}
		comps = append(comps, whatsapp.TemplateComponent{Type: whatsapp.ComponentHeader, Parameters: []whatsapp.TemplateParameter{param}})
	case len(p.HeaderText) > 0:
		var params []whatsapp.TemplateParameter
		for _, name := range p.HeaderText {
			keys := []string{"header." + name, "header"}
			if p.Named && !contains(p.Body, name) {
				keys = append(keys, name)
			}
			key, raw, ok := lookup(keys...)
			if !ok {
				return nil, mismatch("template.variables.header", "the template's header needs {{%s}} (as \"header\")", name)
			}
			param, err := textParam(raw, whatsapp.ParamText)
			if err != nil {
				return nil, mismatch("template.variables."+key, "%s", err.Error())
			}
			if p.Named {
				param.ParameterName = name
			}
			params = append(params, param)
		}
		comps = append(comps, whatsapp.TemplateComponent{Type: whatsapp.ComponentHeader, Parameters: params})
	}
	// Body.
	if len(p.Body) > 0 {
		params := make([]whatsapp.TemplateParameter, 0, len(p.Body))
		var missing []string
		for _, name := range p.Body {
			key, raw, ok := lookup(name)
			if !ok {
				missing = append(missing, "{{"+name+"}}")
				continue
			}
			param, err := textParam(raw, whatsapp.ParamText)
			if err != nil {
				return nil, mismatch("template.variables."+key, "%s", err.Error())
			}
			if p.Named {
				param.ParameterName = name
			}
			params = append(params, param)
		}
		if len(missing) > 0 {
			return nil, mismatch("template.variables", "the template's body needs %s; missing %s",
				strconv.Itoa(len(p.Body))+" value(s)", strings.Join(missing, ", "))
		}
		comps = append(comps, whatsapp.TemplateComponent{Type: whatsapp.ComponentBody, Parameters: params})
	}
	// Buttons.
	for _, b := range p.Buttons {
		key := "button." + strconv.Itoa(b.Index)
		_, raw, ok := lookup(key)
		if !ok {
			if b.Required {
				return nil, mismatch("template.variables."+key, "the template's button %d (%s) needs a value", b.Index, b.SubType)
			}
			continue
		}
		ptype := map[string]string{whatsapp.ButtonSubTypeQuickReply: whatsapp.ParamPayload,
			whatsapp.ButtonSubTypeURL: whatsapp.ParamText, whatsapp.ButtonSubTypeCopyCode: whatsapp.ParamCouponCode}[b.SubType]
		param, err := textParam(raw, ptype)
		if err != nil {
			return nil, mismatch("template.variables."+key, "%s", err.Error())
		}
		comps = append(comps, whatsapp.TemplateComponent{Type: whatsapp.ComponentButton, SubType: b.SubType,
			Index: whatsapp.ButtonIndex(b.Index), Parameters: []whatsapp.TemplateParameter{param}})
	}
	var extra []string
	for k := range vars {
		if !used[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, mismatch("template.variables."+extra[0], "the template %q has no parameter %q", t.Name, extra[0])
	}
	return comps, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// textParam turns a variable into a parameter of type ptype: a string (or
// number) is the value; an object is a full Cloud API parameter.
func textParam(raw json.RawMessage, ptype string) (whatsapp.TemplateParameter, error) {
	raw = bytes.TrimSpace(raw)
	var p whatsapp.TemplateParameter
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &p); err != nil || p.Type == "" {
			return p, errors.New(`an object value must be a Cloud API parameter with a "type"`)
		}
		return p, nil
	}
	var s string
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return p, errors.New("the value is not a valid string")
		}
	} else if len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		s = string(raw)
	} else {
		return p, errors.New("the value must be a string, a number or a parameter object")
	}
	p.Type = ptype
	switch ptype {
	case whatsapp.ParamPayload:
		p.Payload = s
	case whatsapp.ParamCouponCode:
		p.CouponCode = s
	default:
		p.Text = s
	}
	return p, nil
}

// mediaParam turns a header variable into a media (or location) parameter:
// a full parameter object, a media object ({"link": …} / {"id": …}), or a
// bare link string.
func mediaParam(kind string, raw json.RawMessage) (whatsapp.TemplateParameter, error) {
	raw = bytes.TrimSpace(raw)
	p := whatsapp.TemplateParameter{Type: kind}
	if len(raw) > 0 && raw[0] == '"' {
		var link string
		if err := json.Unmarshal(raw, &link); err != nil || kind == whatsapp.ParamLocation {
			return p, fmt.Errorf("the %s header needs an object", kind)
		}
		media := &whatsapp.MediaObject{Link: link}
		switch kind {
		case whatsapp.ParamImage:
			p.Image = media
		case whatsapp.ParamVideo:
			p.Video = media
		case whatsapp.ParamDocument:
			p.Document = media
		}
		return p, nil
	}
	var probe struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return p, fmt.Errorf("the %s header value is not an object", kind)
	}
	if probe.Type != "" {
		var full whatsapp.TemplateParameter
		if err := json.Unmarshal(raw, &full); err != nil {
			return p, fmt.Errorf("the %s header parameter is malformed", kind)
		}
		return full, nil
	}
	var err error
	switch kind {
	case whatsapp.ParamImage:
		p.Image = new(whatsapp.MediaObject)
		err = json.Unmarshal(raw, p.Image)
	case whatsapp.ParamVideo:
		p.Video = new(whatsapp.MediaObject)
		err = json.Unmarshal(raw, p.Video)
	case whatsapp.ParamDocument:
		p.Document = new(whatsapp.MediaObject)
		err = json.Unmarshal(raw, p.Document)
	case whatsapp.ParamLocation:
		p.Location = new(whatsapp.Location)
		err = json.Unmarshal(raw, p.Location)
	}
	if err != nil {
		return p, fmt.Errorf("the %s header value is malformed", kind)
	}
	return p, nil
}

// renderTemplateBody fills the body text with the variables, for the inbox
// preview ("[template] name" when there is no body).
func renderTemplateBody(t whatsapp.Template, vars TemplateVariables) string {
	for _, c := range t.Components {
		if !strings.EqualFold(c.Type, whatsapp.TemplateBody) {
			continue
		}
		text := c.Text
		for k, raw := range vars {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				s = string(raw)
			}
			text = strings.ReplaceAll(text, "{{"+k+"}}", s)
		}
		return text
	}
	return "[template] " + t.Name
}
