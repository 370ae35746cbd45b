package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/phone"
	"switchboard/backend/whatsapp"
)

// windowLength is the customer service window: free-form messages may be
// sent for 24 hours after the customer's last message.
const windowLength = 24 * time.Hour

// IngestWebhook accepts one webhook body (POST /webhooks/whatsapp) exactly
// as received, with its X-Hub-Signature-256 header.
//
// It checks the size (Meta's 3 MB cap) and the signature over the raw bytes
// before anything else, then parses; a body that fails any check is answered
// with an *apierr.Error (BAD_SIGNATURE, PAYLOAD_TOO_LARGE, INVALID_JSON or
// INVALID_REQUEST, all 4xx) and nothing is stored. A good body is committed
// — the raw bytes, every effect and their events, in one transaction shared
// with other concurrent bodies — before IngestWebhook returns nil, so
// answering 200 after it is safe. Redeliveries change nothing.
//
// A body that was accepted but whose effects could not be applied (a bug, not
// the sender's fault) is still stored, as failed, and retried at the next
// start; IngestWebhook then returns nil too, because Meta resending it would
// not help. Only when nothing could be stored at all does it return
// UNAVAILABLE, so Meta retries.
func (s *Service) IngestWebhook(ctx context.Context, body []byte, signature string) error {
	if s.closing.Load() {
		return errClosing()
	}
	if len(body) > MaxWebhookBytes {
		return apierr.Wrap(whatsapp.ErrBodyTooLarge, apierr.PayloadTooLarge,
			"the webhook body is %d bytes, more than Meta's %d", len(body), MaxWebhookBytes)
	}
	if err := whatsapp.VerifySignature([]byte(s.cfg.AppSecret), body, signature); err != nil {
		return err
	}
	n, err := whatsapp.ParseNotification(body)
	if err != nil {
		return err
	}
	if err := checkShape(n); err != nil {
		return err
	}
	received := s.now()
	p := s.prepare(n, received)
	raw := store.RawWebhook{ReceivedAt: received, Body: body, Signature: signature, State: store.RawProcessed}
	op := &writeOp{bulk: true, done: make(chan error, 1)}
	op.fn = func(w *wtx) error {
		r := raw
		if err := w.tx.InsertRawWebhook(w.ctx, &r); err != nil {
			return err
		}
		return w.applyEvents(p)
	}
	op.onFail = func(w *wtx, cause error) error {
		s.log.Error("hub: a webhook body could not be applied; it is stored as failed and will be retried at the next start", "err", cause)
		r := raw
		r.State, r.Error = store.RawFailed, cause.Error()
		return w.tx.InsertRawWebhook(w.ctx, &r)
	}
	return s.enqueueOp(ctx, op)
}

// checkShape refuses bodies that parse but cannot be a Cloud API webhook,
// among them any whose WABA or phone number ids are not Meta's (digits): a
// placeholder copied from Meta's examples would otherwise become a number.
func checkShape(n *whatsapp.Notification) error {
	if len(n.Entry) == 0 {
		return apierr.Field(apierr.InvalidRequest, "entry", "the webhook has no entries")
	}
	for i := range n.Entry {
		if id := n.Entry[i].ID; id != "" {
			if err := whatsapp.CheckGraphID(fmt.Sprintf("entry[%d].id", i), "WhatsApp Business Account", id); err != nil {
				return err
			}
		}
		for j := range n.Entry[i].Changes {
			c := &n.Entry[i].Changes[j]
			field := fmt.Sprintf("entry[%d].changes[%d]", i, j)
			if c.Field == "" {
				return apierr.Field(apierr.InvalidRequest, field+".field", "a change has no field")
			}
			if c.Field != whatsapp.FieldMessages {
				continue
			}
			if c.Value.Metadata == nil || c.Value.Metadata.PhoneNumberID == "" {
				return apierr.Field(apierr.InvalidRequest, field+".value.metadata.phone_number_id",
					"a messages change does not name the business number")
			}
			if err := whatsapp.CheckGraphID(field+".value.metadata.phone_number_id", "phone number", c.Value.Metadata.PhoneNumberID); err != nil {
				return err
			}
		}
	}
	return nil
}

// reprocessFailedWebhooks retries bodies a previous run accepted but could
// not apply.
func (s *Service) reprocessFailedWebhooks(ctx context.Context) error {
	bodies, err := s.st.RawWebhooksInState(ctx, store.RawFailed, 1000)
	if err != nil {
		return err
	}
	for _, b := range bodies {
		n, err := whatsapp.ParseNotification(b.Body)
		if err != nil {
			continue
		}
		id := b.ID
		p := s.prepare(n, b.ReceivedAt)
		err = s.submit(ctx, func(w *wtx) error {
			if err := w.applyEvents(p); err != nil {
				return err
			}
			return w.tx.SetRawWebhookState(w.ctx, id, store.RawProcessed, "")
		})
		if err != nil {
			s.log.Warn("hub: a stored webhook body still fails", "id", id, "err", err)
		}
	}
	return nil
}

// applyEvents applies one parsed body.
func (w *wtx) applyEvents(p *prepared) error {
	ev, now := &p.ev, p.received
	for i := range p.inbound {
		if err := w.applyInbound(&p.inbound[i], now); err != nil {
			return err
		}
	}
	for i := range ev.Statuses {
		if err := w.applyStatus(&ev.Statuses[i], now); err != nil {
			return err
		}
	}
	for i := range ev.Templates {
		if err := w.applyTemplateEvent(&ev.Templates[i], now); err != nil {
			return err
		}
	}
	for i := range ev.PhoneNumbers {
		if err := w.applyPhoneNumberEvent(&ev.PhoneNumbers[i], now); err != nil {
			return err
		}
	}
	for i := range ev.Accounts {
		if err := w.applyAccountEvent(&ev.Accounts[i], now); err != nil {
			return err
		}
	}
	for _, e := range ev.Errors {
		w.s.log.Warn("hub: the Cloud API reported an error", "phone_number_id", e.PhoneNumberID,
			"code", e.Error.Code, "title", e.Error.Title, "details", e.Error.Details())
	}
	return nil
}

// clamp keeps a customer's timestamp from the future (a skewed clock) or
// from nowhere: the window is never opened beyond receive time.
func clamp(ts, now time.Time) time.Time {
	if ts.IsZero() || ts.After(now) {
		return now
	}
	return ts
}

// canonCache memoises wa_id → canonical E.164: resolving a number through
// libphonenumber costs tens of microseconds, and the same customers write
// again and again.
type canonCache struct {
	mu sync.RWMutex
	m  map[string]string
}

// canonical maps a wa_id (or a display number) to the contact key (E.164).
// A number the phone package finds implausible is still filed, under "+"
// and its digits, so no customer's message is dropped.
func (s *Service) canonical(waID string) string {
	s.canon.mu.RLock()
	k, ok := s.canon.m[waID]
	s.canon.mu.RUnlock()
	if ok {
		return k
	}
	k, err := phone.CanonicalKey(waID)
	if err != nil {
		k = "+" + strings.TrimPrefix(waID, "+")
	}
	s.canon.mu.Lock()
	if len(s.canon.m) >= 100_000 {
		s.canon.m = make(map[string]string)
	}
	s.canon.m[waID] = k
	s.canon.mu.Unlock()
	return k
}

func (w *wtx) canonical(waID string) string { return w.s.canonical(waID) }

// inboundPrep is the part of handling an inbound message that needs no
// database: done by the caller's goroutine, in parallel with other
// deliveries, so the single committer only does what must be serial.
type inboundPrep struct {
	im      *whatsapp.InboundMessage
	key     string // the sender's canonical number ("" without a wa_id)
	to      string // the business number, E.164
	ts      time.Time
	content json.RawMessage
	preview string
	keyword keyword
	newKey  string // a number change's new canonical number
}

// prepared is a parsed body ready for the committer.
type prepared struct {
	ev       whatsapp.Events
	inbound  []inboundPrep
	received time.Time
}

func (s *Service) prepare(n *whatsapp.Notification, received time.Time) *prepared {
	p := &prepared{ev: n.Events(), received: received}
	p.inbound = make([]inboundPrep, len(p.ev.Messages))
	for i := range p.ev.Messages {
		im := &p.ev.Messages[i]
		m := im.Message
		ip := inboundPrep{im: im, ts: clamp(m.Timestamp.Time(), received), content: contentOf(m), preview: previewOf(m)}
		if im.Sender.WaID != "" {
			ip.key = s.canonical(im.Sender.WaID)
		}
		if im.DisplayPhoneNumber != "" {
			ip.to = s.canonical(im.DisplayPhoneNumber)
		}
		if m.Text != nil {
			ip.keyword = classifyKeyword(m.Text.Body)
		}
		if m.System != nil {
			if nw := m.System.NewNumber(); nw != "" {
				ip.newKey = s.canonical(nw)
			}
		}
		p.inbound[i] = ip
	}
	return p
}

// ensureAccount returns the account a webhook is for, adding a number the
// hub was not configured with, unconfigured, so its messages are kept (for
// admins) without it becoming a number anyone sends from.
func (w *wtx) ensureAccount(id, wabaID, display string, now time.Time) (*domain.Account, error) {
	a, err := w.accountByID(id)
	if err != nil || a != nil {
		return a, err
	}
	na := domain.Account{ID: id, WABAID: wabaID, DisplayPhoneNumber: display, Status: "UNKNOWN", QualityRating: "UNKNOWN"}
	if err := w.upsertAccount(&na, now); err != nil {
		return nil, err
	}
	w.after(func() {
		w.s.log.Warn("hub: a webhook arrived for a WhatsApp number the hub is not configured for; its messages are kept for admins, and it sends nothing until configured",
			"phone_number_id", id, "display_phone_number", display)
	})
	return w.accounts[id], nil
}

// accountAddress is the business number in E.164 for message from/to.
func (w *wtx) accountAddress(a *domain.Account) string {
	if a.DisplayPhoneNumber == "" {
		return ""
	}
	return w.canonical(a.DisplayPhoneNumber)
}

// resolveSender finds or creates the contact for a webhook's user and keeps
// its profile name, wa_id and ids current.
func (w *wtx) resolveSender(s whatsapp.Sender, key string, now time.Time) (*domain.Contact, error) {
	var c *domain.Contact
	var err error
	if key != "" {
		if c, err = w.contactByPhone(key); err != nil {
			return nil, err
		}
	}
	if c == nil && s.UserID != "" {
		if c, err = w.contactByUserID(s.UserID); err != nil {
			return nil, err
		}
	}
	if c == nil {
		if key == "" && s.UserID == "" {
			return nil, nil
		}
		nc := &domain.Contact{Phone: key, WaID: s.WaID, UserID: s.UserID, Name: s.ProfileName,
			ProfileName: s.ProfileName, CreatedAt: now, UpdatedAt: now}
		return nc, w.insertContact(nc)
	}
	next := *c
	changed := false
	if s.ProfileName != "" && s.ProfileName != c.ProfileName {
		if next.Name == "" || next.Name == c.ProfileName {
			next.Name = s.ProfileName // follow the profile unless an agent renamed them
		}
		next.ProfileName = s.ProfileName
		changed = true
	}
	if s.WaID != "" && s.WaID != c.WaID {
		next.WaID = s.WaID // reply to the wa_id they last wrote from
		changed = true
	}
	if key != "" && c.Phone == "" {
		next.Phone = key // found by user id; the number was not known yet (and is free: looked up above)
		changed = true
	}
	if s.UserID != "" && c.UserID == "" {
		other, err := w.contactByUserID(s.UserID)
		if err != nil {
			return nil, err
		}
		if other == nil {
			next.UserID = s.UserID
			changed = true
		}
	}
	if !changed {
		return c, nil
	}
	next.UpdatedAt = now
	return w.setContact(c, next)
}

// address is how a contact appears in a message's from/to.
func address(c *domain.Contact) string {
	if c.Phone != "" {
		return c.Phone
	}
	return c.UserID
}

// applyInbound stores one customer message and applies the rules it
// triggers.
func (w *wtx) applyInbound(p *inboundPrep, now time.Time) error {
	im := p.im
	m := im.Message
	acct, err := w.ensureAccount(im.PhoneNumberID, im.WABAID, im.DisplayPhoneNumber, now)
	if err != nil {
		return err
	}
	contact, err := w.resolveSender(im.Sender, p.key, now)
	if err != nil {
		return err
	}
	if contact == nil {
		w.s.log.Warn("hub: a message without a sender was skipped", "wamid", m.ID)
		return nil
	}
	switch m.Type {
	case whatsapp.TypeReaction:
		return w.applyInboundReaction(acct, contact, p, now)
	case whatsapp.TypeSystem:
		return w.applySystem(acct, contact, p, now)
	}
	e, err := w.convFor(acct.ID, contact.ID, now)
	if err != nil {
		return err
	}
	ts := p.ts
	msg := store.Message{Message: domain.Message{
		WAMID: m.ID, ConversationID: e.c.ID, AccountID: acct.ID, Direction: domain.Inbound,
		Type: m.Type, Content: p.content, Preview: p.preview,
		From: address(contact), To: p.to, Status: domain.MsgReceived,
		Timestamp: ts, CreatedAt: now, UpdatedAt: now,
	}}
	if ctxt := m.Context; ctxt != nil {
		msg.Forwarded = ctxt.Forwarded || ctxt.FrequentlyForwarded
		msg.ContextWAMID = ctxt.ID
		if ctxt.ID != "" {
			if target, err := w.tx.MessageByWAMID(w.ctx, ctxt.ID); err == nil {
				msg.ReplyTo = &target.ID
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	inserted, err := w.tx.InsertMessage(w.ctx, &msg)
	if err != nil || !inserted {
		return err // a redelivery changes nothing
	}
	w.countAccount(acct.ID, 1, 0)

	w.touch(e)
	c := &e.c
	if c.Status == domain.StatusClosed || c.Status == domain.StatusSnoozed {
		c.Status = domain.StatusOpen
		c.SnoozedUntil = nil
	}
	if c.LastInboundAt == nil || ts.After(*c.LastInboundAt) {
		t, exp := ts, ts.Add(windowLength)
		c.LastInboundAt, c.WindowExpiresAt = &t, &exp
	}
	// The customer spoke last unless the business wrote after this message
	// (a late delivery of an older message does not make it unanswered).
	if !c.Unanswered && (c.LastOutboundAt == nil || !ts.Before(*c.LastOutboundAt)) {
		t := ts
		c.Unanswered, c.WaitingSince = true, &t
	}
	c.UnreadCount++
	w.setLastMessage(c, &msg.Message)
	if m.Referral != nil {
		c.Referral = referralOf(m.Referral)
	}
	c.UpdatedAt = now
	if err := w.emitMessage(domain.EventMessageCreated, &msg, c.AssigneeID); err != nil {
		return err
	}
	return w.applyKeyword(contact, p.keyword, now)
}

// setLastMessage makes m the conversation's preview when it is the newest.
func (w *wtx) setLastMessage(c *store.Conversation, m *domain.Message) {
	if c.LastMessage != nil && m.Timestamp.Before(c.LastMessage.At) {
		return
	}
	if c.LastMessage == nil || m.Timestamp.After(c.LastActivityAt) {
		c.LastActivityAt = m.Timestamp
	}
	c.LastMessage = &domain.MessagePreview{ID: m.ID, Direction: m.Direction, Type: m.Type,
		Preview: m.Preview, Status: m.Status, At: m.Timestamp}
}

// applyKeyword opts a contact out (STOP and equivalents) or back in
// (START …) when the whole message is such a keyword.
func (w *wtx) applyKeyword(c *domain.Contact, kw keyword, now time.Time) error {
	switch kw {
	case keywordOptOut:
		if c.OptedOut {
			return nil
		}
		next := *c
		next.OptedOut, next.OptedOutAt, next.UpdatedAt = true, &now, now
		_, err := w.setContact(c, next)
		return err
	case keywordOptIn:
		if !c.OptedOut {
			return nil
		}
		next := *c
		next.OptedOut, next.OptedOutAt, next.UpdatedAt = false, nil, now
		_, err := w.setContact(c, next)
		return err
	}
	return nil
}

func referralOf(r *whatsapp.Referral) *domain.Referral {
	return &domain.Referral{SourceURL: r.SourceURL, SourceID: r.SourceID, SourceType: r.SourceType,
		Headline: r.Headline, Body: r.Body, MediaType: r.MediaType, ImageURL: r.ImageURL,
		VideoURL: r.VideoURL, ThumbnailURL: r.ThumbnailURL, CtwaClid: r.CtwaClid}
}

// applyInboundReaction attaches a customer's reaction to its target. The
// reaction is also stored, hidden, under its own wamid so a redelivery is
// recognised. A reaction is a message the customer sent, so like Meta it
// opens (or refreshes) the customer service window; it does not make the
// conversation unanswered or unread, since nobody needs to reply to a 👍.
func (w *wtx) applyInboundReaction(acct *domain.Account, contact *domain.Contact, p *inboundPrep, now time.Time) error {
	m := p.im.Message
	e, err := w.convFor(acct.ID, contact.ID, now)
	if err != nil {
		return err
	}
	ts := p.ts
	var r whatsapp.Reaction
	if m.Reaction != nil {
		r = *m.Reaction
	}
	msg := store.Message{Message: domain.Message{
		WAMID: m.ID, ConversationID: e.c.ID, AccountID: acct.ID, Direction: domain.Inbound,
		Type: whatsapp.TypeReaction, Content: p.content, Preview: r.Emoji,
		From: address(contact), To: p.to, Status: domain.MsgReceived,
		Timestamp: ts, CreatedAt: now, UpdatedAt: now,
	}, ContextWAMID: r.MessageID, Hidden: true}
	var target store.Message
	found := false
	if r.MessageID != "" {
		target, err = w.tx.MessageByWAMID(w.ctx, r.MessageID)
		switch {
		case err == nil:
			found = true
			msg.ReplyTo = &target.ID
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	inserted, err := w.tx.InsertMessage(w.ctx, &msg)
	if err != nil || !inserted {
		return err
	}
	if c := &e.c; c.LastInboundAt == nil || ts.After(*c.LastInboundAt) {
		w.touch(e)
		t, exp := ts, ts.Add(windowLength)
		c.LastInboundAt, c.WindowExpiresAt = &t, &exp
		c.UpdatedAt = now
	}
	if !found || !setReaction(&target.Message, "customer", r.Emoji, ts) {
		return nil
	}
	target.UpdatedAt = now
	if err := w.tx.UpdateMessage(w.ctx, &target); err != nil {
		return err
	}
	return w.emitMessage(domain.EventMessageUpdated, &target, e.c.AssigneeID)
}

// setReaction replaces from's reaction on m (an empty emoji removes it). A
// reaction older than the one in place is ignored. It reports a change.
func setReaction(m *domain.Message, from, emoji string, at time.Time) bool {
	out := make([]domain.Reaction, 0, len(m.Reactions)+1)
	changed := false
	for _, r := range m.Reactions {
		if r.From == from {
			if at.Before(r.At) {
				return false
			}
			if r.Emoji == emoji {
				return false
			}
			changed = true
			continue
		}
		out = append(out, r)
	}
	if emoji != "" {
		out = append(out, domain.Reaction{Emoji: emoji, From: from, At: at})
		changed = true
	}
	if changed {
		m.Reactions = out
	}
	return changed
}

// applySystem stores a system message (shown in the thread; it never opens
// the window nor makes the conversation unanswered) and applies its effect on
// the contact: a number change re-keys the contact, keeping its history.
func (w *wtx) applySystem(acct *domain.Account, contact *domain.Contact, p *inboundPrep, now time.Time) error {
	m := p.im.Message
	e, err := w.convFor(acct.ID, contact.ID, now)
	if err != nil {
		return err
	}
	ts := p.ts
	msg := store.Message{Message: domain.Message{
		WAMID: m.ID, ConversationID: e.c.ID, AccountID: acct.ID, Direction: domain.Inbound,
		Type: whatsapp.TypeSystem, Content: p.content, Preview: p.preview,
		From: address(contact), To: p.to, Status: domain.MsgReceived,
		Timestamp: ts, CreatedAt: now, UpdatedAt: now,
	}}
	inserted, err := w.tx.InsertMessage(w.ctx, &msg)
	if err != nil || !inserted {
		return err
	}
	w.touch(e)
	w.setLastMessage(&e.c, &msg.Message)
	e.c.UpdatedAt = now
	if err := w.emitMessage(domain.EventMessageCreated, &msg, e.c.AssigneeID); err != nil {
		return err
	}
	sys := m.System
	if sys == nil {
		return nil
	}
	switch sys.Type {
	case whatsapp.SystemUserChangedNumber, whatsapp.SystemCustomerChangedNumber:
		if nw := sys.NewNumber(); nw != "" {
			return w.rekeyContact(contact, nw, p.newKey, now)
		}
	case whatsapp.SystemUserChangedUserID:
		if sys.UserID != "" && sys.UserID != contact.UserID {
			other, err := w.contactByUserID(sys.UserID)
			if err != nil || other != nil {
				return err
			}
			next := *contact
			next.UserID, next.UpdatedAt = sys.UserID, now
			_, err = w.setContact(contact, next)
			return err
		}
	}
	return nil
}

// rekeyContact moves a contact to a new number, recording the old one. If
// another contact already has the new number (an agent created it, or the
// customer wrote from it), the two are one person: the other is merged in.
func (w *wtx) rekeyContact(c *domain.Contact, newWaID, key string, now time.Time) error {
	if key == c.Phone {
		return nil
	}
	other, err := w.contactByPhone(key)
	if err != nil {
		return err
	}
	if other != nil && other.ID != c.ID {
		if err := w.mergeContact(c, other, now); err != nil {
			return err
		}
	}
	if c.Phone != "" {
		if err := w.tx.AddPhoneHistory(w.ctx, c.ID, c.Phone, now); err != nil {
			return err
		}
	}
	next := *c
	next.Phone, next.WaID, next.UpdatedAt = key, strings.TrimPrefix(newWaID, "+"), now
	_, err = w.setContact(c, next)
	return err
}

// mergeContact folds drop into keep: drop's conversations move to keep (a
// conversation on an account where keep already has one has its messages
// moved into keep's), and drop is deleted. An opt-out on either side stays.
func (w *wtx) mergeContact(keep, drop *domain.Contact, now time.Time) error {
	ids, err := w.tx.ConversationIDsByContact(w.ctx, drop.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		de, err := w.convByID(id)
		if err != nil {
			return err
		}
		if de == nil {
			continue
		}
		ke, err := w.findConv(de.c.AccountID, keep.ID)
		if err != nil {
			return err
		}
		if ke == nil {
			w.touch(de)
			oldPair, newPair := convPair{de.c.AccountID, drop.ID}, convPair{de.c.AccountID, keep.ID}
			delete(w.convKey, oldPair)
			w.convKey[newPair] = id
			w.undo = append(w.undo, func() {
				delete(w.convKey, newPair)
				w.convKey[oldPair] = id
			})
			de.c.Contact.ID = keep.ID
			de.c.UpdatedAt = now
			// Written now, not at flush: deleting drop below would
			// otherwise cascade to this conversation.
			if err := w.tx.UpdateConversation(w.ctx, &de.c, store.ConvParent); err != nil {
				return err
			}
			continue
		}
		if err := w.tx.MoveMessages(w.ctx, de.c.ID, ke.c.ID); err != nil {
			return err
		}
		w.touch(ke)
		mergeConversationState(&ke.c, &de.c)
		ke.c.UpdatedAt = now
		if err := w.deleteConversation(de); err != nil {
			return err
		}
	}
	if drop.OptedOut && !keep.OptedOut {
		next := *keep
		next.OptedOut, next.OptedOutAt, next.UpdatedAt = true, drop.OptedOutAt, now
		if _, err := w.setContact(keep, next); err != nil {
			return err
		}
	}
	return w.deleteContactRow(drop)
}

// mergeConversationState folds the bookkeeping of from into into.
func mergeConversationState(into, from *store.Conversation) {
	later := func(a, b *time.Time) *time.Time {
		if a == nil || (b != nil && b.After(*a)) {
			return b
		}
		return a
	}
	earlier := func(a, b *time.Time) *time.Time {
		if a == nil || (b != nil && b.Before(*a)) {
			return b
		}
		return a
	}
	into.LastInboundAt = later(into.LastInboundAt, from.LastInboundAt)
	into.WindowExpiresAt = later(into.WindowExpiresAt, from.WindowExpiresAt)
	into.LastOutboundAt = later(into.LastOutboundAt, from.LastOutboundAt)
	into.UnreadCount += from.UnreadCount
	if from.Unanswered {
		into.Unanswered = true
		into.WaitingSince = earlier(into.WaitingSince, from.WaitingSince)
	}
	if from.LastMessage != nil && (into.LastMessage == nil || from.LastMessage.At.After(into.LastMessage.At)) {
		into.LastMessage = from.LastMessage
	}
	if from.LastActivityAt.After(into.LastActivityAt) {
		into.LastActivityAt = from.LastActivityAt
	}
	if into.Referral == nil {
		into.Referral = from.Referral
	}
}

// findConv returns a contact's conversation on an account, or nil.
func (w *wtx) findConv(accountID string, contactID int64) (*convEntry, error) {
	if id, ok := w.convKey[convPair{accountID, contactID}]; ok {
		return w.convByID(id)
	}
	c, err := w.tx.ConversationByContact(w.ctx, accountID, contactID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return w.cacheConv(c), nil
}

// deleteConversation deletes a conversation (with its messages and notes),
// takes it out of the counters and emits conversation.deleted.
func (w *wtx) deleteConversation(e *convEntry) error {
	dc, err := w.domainConversation(&e.c)
	if err != nil {
		return err
	}
	if err := w.tx.DeleteConversation(w.ctx, e.c.ID); err != nil {
		return err
	}
	w.touch(e)
	id, pair := e.c.ID, convPair{e.c.AccountID, e.c.Contact.ID}
	delete(w.convs, id)
	delete(w.convKey, pair)
	w.undo = append(w.undo, func() {
		w.convs[id] = e
		w.convKey[pair] = id
	})
	e.c.ID = 0 // flush takes it out of the counters
	return w.emit(domain.EventConversationDeleted, id, dc.AssigneeID, nil, dc)
}

// deleteContactRow deletes a contact whose conversations are already gone
// and emits contact.deleted.
func (w *wtx) deleteContactRow(c *domain.Contact) error {
	if err := w.tx.DeleteContact(w.ctx, c.ID); err != nil {
		return err
	}
	snapshot := *c
	w.uncacheContact(c)
	w.undo = append(w.undo, func() { w.cacheContact(c) })
	return w.emit(domain.EventContactDeleted, 0, nil, nil, &snapshot)
}

// statusOf maps a webhook status to a message status.
func statusOf(s string) (domain.MessageStatus, bool) {
	switch s {
	case whatsapp.StatusSent:
		return domain.MsgSent, true
	case whatsapp.StatusDelivered:
		return domain.MsgDelivered, true
	case whatsapp.StatusRead, whatsapp.StatusPlayed:
		return domain.MsgRead, true
	case whatsapp.StatusFailed:
		return domain.MsgFailed, true
	}
	return "", false
}

// applyStatus applies a delivery status to the message it is about, or
// parks it when that message is not (yet) known here.
func (w *wtx) applyStatus(se *whatsapp.StatusEvent, now time.Time) error {
	st := se.Status
	status, ok := statusOf(st.Status)
	if !ok {
		return nil
	}
	ts := clamp(st.Timestamp.Time(), now)
	var merr *domain.MessageError
	if status == domain.MsgFailed {
		merr = &domain.MessageError{Title: "failed"}
		if len(st.Errors) > 0 {
			e := st.Errors[0]
			merr = &domain.MessageError{Code: e.Code, Title: e.Title, Message: e.Message, Details: e.Details()}
		}
	}
	msg, err := w.tx.MessageByWAMID(w.ctx, st.ID)
	if errors.Is(err, store.ErrNotFound) {
		raw, _ := json.Marshal(st)
		return w.tx.ParkStatus(w.ctx, store.ParkedStatus{WAMID: st.ID, Status: status, Timestamp: ts,
			Error: merr, Raw: raw, ReceivedAt: now})
	}
	if err != nil {
		return err
	}
	if msg.Direction != domain.Outbound {
		return nil
	}
	return w.advanceStatus(&msg, status, ts, merr, now)
}

// advanceStatus moves an outbound message's status forward (never back),
// keeps the conversation preview in step and emits message.updated.
func (w *wtx) advanceStatus(msg *store.Message, status domain.MessageStatus, ts time.Time, merr *domain.MessageError, now time.Time) error {
	if !advance(&msg.Message, status, ts, merr) {
		return nil
	}
	msg.UpdatedAt = now
	if err := w.tx.UpdateMessage(w.ctx, msg); err != nil {
		return err
	}
	return w.afterStatusChange(msg)
}

// advance applies a status to m if it moves it forward: sent < delivered <
// read, with read implying delivered; failed only before delivery (a
// delivered message cannot fail); nothing after failed. It reports a change.
func advance(m *domain.Message, status domain.MessageStatus, ts time.Time, merr *domain.MessageError) bool {
	cur := m.Status
	if status == domain.MsgFailed {
		if cur != domain.MsgQueued && cur != domain.MsgSent {
			return false
		}
		m.Status, m.Error = domain.MsgFailed, merr
		return true
	}
	if cur == domain.MsgFailed || status.Rank() <= cur.Rank() {
		return false
	}
	m.Status = status
	t := ts
	if m.SentAt == nil {
		m.SentAt = &t
	}
	if status.Rank() >= domain.MsgDelivered.Rank() && m.DeliveredAt == nil {
		m.DeliveredAt = &t
	}
	if status == domain.MsgRead && m.ReadAt == nil {
		m.ReadAt = &t
	}
	return true
}

// applyTemplateEvent keeps a template current from its status, quality and
// category webhooks.
func (w *wtx) applyTemplateEvent(te *whatsapp.TemplateEvent, now time.Time) error {
	t, err := w.tx.TemplateByID(w.ctx, te.TemplateID)
	if errors.Is(err, store.ErrNotFound) && te.Name != "" && te.Language != "" {
		t, err = w.tx.TemplateByKey(w.ctx, te.WABAID, te.Name, te.Language)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		if te.Name == "" || te.Language == "" {
			return nil // nothing to file it under; the next sync brings it
		}
		t = domain.Template{ID: te.TemplateID, WABAID: te.WABAID, Name: te.Name, Language: te.Language,
			Category: te.Category, Components: json.RawMessage("[]")}
	case err != nil:
		return err
	}
	before := t
	switch te.Field {
	case whatsapp.FieldMessageTemplateStatusUpdate:
		status := te.Event
		if status == "REINSTATED" {
			status = whatsapp.TemplateApproved
		}
		if status != "" {
			t.Status = status
		}
		if t.Status == whatsapp.TemplateRejected && te.Reason != "" && te.Reason != "NONE" {
			t.RejectedReason = te.Reason
		} else if t.Status != whatsapp.TemplateRejected {
			t.RejectedReason = ""
		}
		if te.Category != "" {
			t.Category = te.Category
		}
		applyStatusDetails(&t, te.Value)
	case whatsapp.FieldMessageTemplateQualityUpdate:
		if te.NewQuality != "" {
			t.Quality = te.NewQuality
		}
	case whatsapp.FieldTemplateCategoryUpdate:
		applyCategoryChange(&t, te, now)
	}
	if t.ID == "" {
		t.ID = te.TemplateID
	}
	if templateSame(before, t) && !before.UpdatedAt.IsZero() {
		return nil // a redelivery
	}
	t.UpdatedAt = now
	if err := w.tx.UpsertTemplate(w.ctx, &t); err != nil {
		return err
	}
	return w.emit(domain.EventTemplateUpdated, 0, nil, nil, &t)
}

func templateSame(a, b domain.Template) bool {
	return a.ID == b.ID && a.Status == b.Status && a.Quality == b.Quality && a.Category == b.Category &&
		a.RejectedReason == b.RejectedReason && a.ParameterFormat == b.ParameterFormat &&
		string(a.Components) == string(b.Components) &&
		sameJSON(a.RejectionInfo, b.RejectionInfo) && sameJSON(a.StatusInfo, b.StatusInfo) && sameJSON(a.CategoryChange, b.CategoryChange)
}

// sameJSON compares two optional details by their JSON.
func sameJSON[T any](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// applyStatusDetails keeps what a status update explains: Meta's
// rejection_info (reason and recommendation) for a rejection, other_info
// for a pause (or its end) and disable_info for a disabling. Details of an
// earlier status go when the status changes.
func applyStatusDetails(t *domain.Template, v *whatsapp.Value) {
	t.RejectionInfo, t.StatusInfo = nil, nil
	if v == nil {
		return
	}
	if t.Status == whatsapp.TemplateRejected && len(v.RejectionInfo) > 0 {
		var ri domain.TemplateRejection
		if json.Unmarshal(v.RejectionInfo, &ri) == nil && (ri.Reason != "" || ri.Recommendation != "") {
			t.RejectionInfo = &ri
		}
	}
	var info domain.TemplateStatusInfo
	if v.OtherInfo != nil {
		info.Title, info.Description = v.OtherInfo.Title, v.OtherInfo.Description
	}
	if v.DisableInfo != nil && v.DisableInfo.DisableDate != 0 {
		at := v.DisableInfo.DisableDate.Time()
		info.DisabledAt = &at
	}
	if info != (domain.TemplateStatusInfo{}) {
		t.StatusInfo = &info
	}
}

// applyCategoryChange records a template_category_update in either of
// Meta's shapes: a change announced ahead (correct_category, the current
// new_category and the time it takes effect), which leaves the category
// as it is, or a change made (previous_category, new_category).
func applyCategoryChange(t *domain.Template, te *whatsapp.TemplateEvent, now time.Time) {
	at := te.Time
	if at.IsZero() {
		at = now
	}
	if v := te.Value; v != nil && v.CorrectCategory != "" {
		c := &domain.TemplateCategoryChange{Pending: true, Current: te.NewCategory, Correct: v.CorrectCategory, At: at}
		if v.CategoryUpdateTimestamp != 0 {
			eff := v.CategoryUpdateTimestamp.Time()
			c.EffectiveAt = &eff
		}
		t.CategoryChange = c
		return
	}
	if te.NewCategory == "" {
		return
	}
	prev := te.PreviousCategory
	if prev == "" {
		prev = t.Category
	}
	t.CategoryChange = &domain.TemplateCategoryChange{Previous: prev, New: te.NewCategory, At: at}
	t.Category = te.NewCategory
}

// accountsMatching finds the accounts a number-level webhook is about: by
// display number, else every account of the WABA.
func (w *wtx) accountsMatching(wabaID, display string) ([]*domain.Account, error) {
	w.s.accMu.RLock()
	var ids []string
	for id, a := range w.s.accounts {
		if display != "" {
			if phone.SamePerson(a.DisplayPhoneNumber, display) {
				ids = append(ids, id)
			}
		} else if a.WABAID == wabaID {
			ids = append(ids, id)
		}
	}
	w.s.accMu.RUnlock()
	var out []*domain.Account
	for _, id := range ids {
		a, err := w.accountByID(id)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// applyPhoneNumberEvent applies quality and display-name decisions.
func (w *wtx) applyPhoneNumberEvent(pe *whatsapp.PhoneNumberEvent, now time.Time) error {
	accts, err := w.accountsMatching(pe.WABAID, pe.DisplayPhoneNumber)
	if err != nil {
		return err
	}
	for _, a := range accts {
		next := *a
		switch pe.Field {
		case whatsapp.FieldPhoneNumberQualityUpdate:
			switch pe.Event {
			case "FLAGGED":
				next.QualityRating = "RED"
			case "UNFLAGGED":
				next.QualityRating = "GREEN"
			}
		case whatsapp.FieldPhoneNumberNameUpdate:
			if v := pe.Value; v != nil && strings.EqualFold(v.Decision, "APPROVED") && v.RequestedVerifiedName != "" {
				next.VerifiedName = v.RequestedVerifiedName
			}
		}
		if next == *a {
			continue
		}
		if err := w.upsertAccount(&next, now); err != nil {
			return err
		}
	}
	return nil
}

// applyAccountEvent reflects bans, restrictions and deletions in the
// accounts' status.
func (w *wtx) applyAccountEvent(ae *whatsapp.AccountEvent, now time.Time) error {
	var status string
	switch ae.Event {
	case "ACCOUNT_RESTRICTION":
		status = "RESTRICTED"
	case "ACCOUNT_DELETED", "PARTNER_REMOVED":
		status = "DELETED"
	case "DISABLED_UPDATE":
		status = "BANNED"
		if v := ae.Value; v != nil && v.BanInfo != nil && strings.EqualFold(v.BanInfo.WabaBanState, "REINSTATE") {
			status = "CONNECTED"
		}
	case "VERIFIED_ACCOUNT":
		status = "CONNECTED"
	default:
		return nil
	}
	accts, err := w.accountsMatching(ae.WABAID, ae.PhoneNumber)
	if err != nil {
		return err
	}
	for _, a := range accts {
		if a.Status == status {
			continue
		}
		next := *a
		next.Status = status
		if err := w.upsertAccount(&next, now); err != nil {
			return err
		}
	}
	return nil
}
