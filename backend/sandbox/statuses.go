package sandbox

import (
	"strconv"
	"time"
)

var statusRank = map[string]int{"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}

// priceLocked works out the conversation and pricing objects of an accepted
// message. Per-message pricing (PMP): free-form messages inside the
// customer service window are free ("service", free_customer_service);
// utility templates inside the window are free too; anything inside a
// 72-hour free entry point window (customer came from a click-to-WhatsApp
// ad) is free_entry_point; other templates are "regular" and billable in
// their category. The older conversation-based shape (CBP) reports the
// same categories with pricing_model CBP and a conversation on every status.
func (s *Sandbox) priceLocked(c *customer, m *storedMessage, now time.Time) {
	last := c.lastInbound()
	window := !last.IsZero() && now.Sub(last) < 24*time.Hour
	entry := !c.referralAt.IsZero() && now.Sub(c.referralAt) < 72*time.Hour
	category, typ, billable := "service", "free_customer_service", false
	convLen := 24 * time.Hour
	if m.Type == "template" {
		category = m.category
		switch {
		case entry:
			typ = "free_entry_point"
		case category == "utility" && window:
			typ = "free_customer_service"
		default:
			typ, billable = "regular", true
		}
	}
	origin := category
	if entry {
		origin, convLen = "referral_conversion", 72*time.Hour
	}
	if c.convs == nil {
		c.convs, c.convExp = map[string]wireConversation{}, map[string]time.Time{}
	}
	conv, ok := c.convs[origin]
	if !ok || !now.Before(c.convExp[origin]) {
		exp := now.Add(convLen)
		conv = wireConversation{ID: s.ids.hex32(), ExpirationTimestamp: strconv.FormatInt(exp.Unix(), 10), Origin: wireOrigin{Type: origin}}
		c.convs[origin], c.convExp[origin] = conv, exp
	}
	if s.cfg.PricingModel == "CBP" {
		if entry {
			category = "referral_conversion"
		}
		m.pricing = &wirePricing{Billable: billable, PricingModel: "CBP", Category: category}
		m.conv = &conv
		return
	}
	m.pricing = &wirePricing{Billable: billable, PricingModel: "PMP", Category: category, Type: typ}
	if typ != "regular" {
		m.conv = &conv
	}
}

// statusEventLocked moves m to status (never backwards, never out of
// failed) and returns the status notification. The caller holds s.mu.
func (s *Sandbox) statusEventLocked(m *storedMessage, status string, fail *webhookError) (event, bool) {
	if m.Status == "failed" || statusRank[status] <= statusRank[m.Status] {
		return event{}, false
	}
	m.Status = status
	st := &wireStatus{
		ID: m.ID, Status: status, Timestamp: strconv.FormatInt(s.clock.Now().Unix(), 10),
		RecipientID: m.WaID, BizOpaqueCallbackData: m.biz,
	}
	switch status {
	case "failed":
		if fail != nil {
			m.ErrorCode = fail.Code
			st.Errors = []webhookError{*fail}
		}
	case "sent", "delivered":
		if m.conv != nil {
			conv := *m.conv
			if status != "sent" {
				// Meta sends the expiration only with the first status.
				conv.ExpirationTimestamp = ""
			}
			st.Conversation = &conv
		}
		if m.pricing != nil {
			p := *m.pricing
			st.Pricing = &p
		}
	}
	return event{key: m.WaID, phoneID: m.PhoneNumberID, status: st}, true
}

// emitStatus moves m to status and queues the notification.
func (s *Sandbox) emitStatus(m *storedMessage, status string, fail *webhookError) {
	s.mu.Lock()
	ev, ok := s.statusEventLocked(m, status, fail)
	s.mu.Unlock()
	if ok {
		s.disp.enqueue(ev)
	}
}

// deliverStatuses plays out an accepted message: failed after the sent
// delay, or sent, then delivered, then (if the simulated customer reads it)
// read, then maybe an answer.
func (s *Sandbox) deliverStatuses(c *customer, m *storedMessage, fail *webhookError) {
	d := s.cfg.StatusDelays
	if fail != nil {
		s.after(d.Sent, func() { s.emitStatus(m, "failed", fail) })
		return
	}
	s.after(d.Sent, func() {
		s.emitStatus(m, "sent", nil)
		s.after(d.Delivered, func() {
			s.mu.Lock()
			ev, ok := s.statusEventLocked(m, "delivered", nil)
			var plan readPlan
			if ok && m.Type != "reaction" {
				c.lastAgent = m.ID
				c.unread = append(c.unread, m.ID)
				plan = s.readPlanLocked(c)
			}
			s.mu.Unlock()
			if ok {
				s.disp.enqueue(ev)
			}
			if plan.read {
				s.scheduleRead(c, m.ID, plan)
			}
		})
	})
}

// readPlan is what a simulated customer will do with a delivered message.
type readPlan struct {
	read, reply bool
	replyDelay  time.Duration
}

func (s *Sandbox) readPlanLocked(c *customer) readPlan {
	if !c.info.Simulated {
		return readPlan{}
	}
	cc := s.cfg.Customers
	if cc.ReadProbability < 0 || c.rng.Float64() >= cc.ReadProbability {
		return readPlan{}
	}
	p := readPlan{read: true}
	if cc.ReplyProbability > 0 && c.rng.Float64() < cc.ReplyProbability {
		p.reply = true
		p.replyDelay = cc.ReplyDelay/2 + time.Duration(c.rngInt64N(int64(cc.ReplyDelay)))
	}
	return p
}

func (s *Sandbox) scheduleRead(c *customer, msgID string, plan readPlan) {
	s.after(s.cfg.StatusDelays.Read, func() {
		s.mu.Lock()
		evs := s.customerRead(c, msgID)
		s.mu.Unlock()
		s.disp.enqueue(evs...)
		if !plan.reply {
			return
		}
		s.after(plan.replyDelay, func() {
			s.mu.Lock()
			ev, err := s.customerMessageLocked(c, s.replySpec(c, msgID))
			s.mu.Unlock()
			if err == nil {
				s.disp.enqueue(ev)
			}
		})
	})
}
