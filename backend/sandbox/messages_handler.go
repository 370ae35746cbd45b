package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// sendResponse is the answer to an accepted send.
type sendResponse struct {
	MessagingProduct string            `json:"messaging_product"`
	Contacts         []sendRespContact `json:"contacts"`
	Messages         []sendRespMessage `json:"messages"`
}

type sendRespContact struct {
	Input string `json:"input"`
	WaID  string `json:"wa_id"`
}

type sendRespMessage struct {
	ID string `json:"id"`
	// MessageStatus is the template pacing status; Meta only includes it
	// for template messages.
	MessageStatus string `json:"message_status,omitempty"`
}

// handleSend serves POST /{phone-number-id}/messages: every outbound type
// and the mark-as-read form.
func (s *Sandbox) handleSend(w http.ResponseWriter, r *http.Request, phone *phoneState) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		s.reject(w, errInvalidParam("Unable to read the request body: %v", err))
		return
	}
	req, raw, gerr := decodeSend(raw, r.Header.Get("Content-Type"))
	if gerr != nil {
		s.reject(w, gerr)
		return
	}
	if req.MessagingProduct == "" {
		s.reject(w, errParamRequired("messaging_product"))
		return
	}
	if req.MessagingProduct != "whatsapp" {
		s.reject(w, errInvalidParam("Param messaging_product must be one of {WHATSAPP} - got \"%s\".", req.MessagingProduct))
		return
	}
	if req.Status != "" {
		s.handleMarkRead(w, req, phone)
		return
	}
	if req.RecipientType != "" && req.RecipientType != "individual" {
		s.reject(w, errInvalidParam("Param recipient_type must be one of {INDIVIDUAL} - got \"%s\".", req.RecipientType))
		return
	}
	if req.To == "" {
		s.reject(w, errParamRequired("to"))
		return
	}
	to, ok := normalizeRecipient(req.To)
	if !ok {
		s.reject(w, errInvalidParam("Param to must be a phone number in international format - got \"%s\".", req.To))
		return
	}
	if s.isBusinessNumber(to) {
		s.reject(w, codeError(http.StatusBadRequest, CodeRecipientIsSender, "Sending a message to yourself is not supported."))
		return
	}
	if req.Type == "" {
		req.Type = "text"
	}
	v, gerr := s.validateSend(req)
	if gerr == nil && req.Type == "template" {
		gerr = s.validateTemplateSend(req.Template, v)
	}
	if gerr != nil {
		s.reject(w, gerr)
		return
	}
	now := s.clock.Now()
	if !phone.limiter.AllowN(now, 1) {
		s.throttled.Add(1)
		s.reject(w, codeError(http.StatusBadRequest, CodeRateLimitHit, ""))
		return
	}

	s.mu.Lock()
	c := s.lookupCustomer(to)
	if c == nil {
		c = s.newCustomer(to, "", phone.ID, true)
	}
	if s.cfg.PairRateLimit > 0 && !c.lastSendAt.IsZero() && now.Sub(c.lastSendAt) < s.cfg.PairRateLimit {
		s.mu.Unlock()
		s.reject(w, codeError(http.StatusBadRequest, CodePairRateLimit, ""))
		return
	}
	c.lastSendAt = now
	var compact bytes.Buffer
	if json.Compact(&compact, raw) != nil {
		compact.Reset()
		compact.Write(raw)
	}
	m := &storedMessage{
		MessageRecord: MessageRecord{
			ID: s.ids.wamid(c.info.WaID, false), Direction: DirectionOutbound, PhoneNumberID: phone.ID, WaID: c.info.WaID,
			Type: req.Type, Text: v.summary, Status: "accepted", Timestamp: now, Payload: compact.Bytes(),
		},
		replies: v.replies, wantsLocation: v.wantsLocation, biz: req.BizOpaqueCallbackData,
	}
	if req.Context != nil {
		m.ContextID = req.Context.MessageID
	}
	if req.Type == "reaction" {
		m.ContextID = req.Reaction.MessageID
	}
	if v.template != nil {
		m.Template = v.template.Name
		m.category = strings.ToLower(v.template.Category)
	}
	fail := s.outcomeLocked(c, m, to, now)
	if fail == nil {
		s.priceLocked(c, m, now)
	}
	s.messages.add(m)
	s.mu.Unlock()
	s.outboundAccepted.Add(1)

	resp := sendResponse{
		MessagingProduct: "whatsapp",
		Contacts:         []sendRespContact{{Input: req.To, WaID: m.WaID}},
		Messages:         []sendRespMessage{{ID: m.ID}},
	}
	if req.Type == "template" {
		resp.Messages[0].MessageStatus = "accepted"
	}
	writeJSON(w, http.StatusOK, resp)
	s.deliverStatuses(c, m, fail)
}

// reject writes a Graph error for a send and counts it.
func (s *Sandbox) reject(w http.ResponseWriter, e *GraphError) {
	s.outboundRejected.Add(1)
	s.writeGraphError(w, e)
}

// normalizeRecipient strips the formatting Meta tolerates in "to" (+,
// spaces, dashes, dots, parentheses) and checks what is left is a plausible
// international number.
func normalizeRecipient(to string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(to); i++ {
		switch c := to[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '+' || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	if len(d) < 7 || len(d) > 15 || d[0] == '0' {
		return "", false
	}
	return d, true
}

// outcomeLocked decides whether an accepted message will fail, as the real
// platform decides after accepting it: 131026 for numbers not on WhatsApp,
// 131047 for a free-form message outside the 24-hour customer service
// window, 131050 for a marketing template to a customer who opted out.
func (s *Sandbox) outcomeLocked(c *customer, m *storedMessage, to string, now time.Time) *webhookError {
	for _, v := range numberVariants(to) {
		if s.undeliverable[v] {
			e := newWebhookError(CodeUndeliverable, "")
			return &e
		}
	}
	if m.Type != "template" {
		last := c.lastInbound()
		if last.IsZero() || now.Sub(last) >= 24*time.Hour {
			e := newWebhookError(CodeReEngagement, "")
			return &e
		}
	}
	if m.category == "marketing" && c.info.OptedOut {
		e := newWebhookError(CodeMarketingOptOut, "")
		return &e
	}
	return nil
}

// handleMarkRead serves the {"status":"read","message_id":…} form, with the
// optional typing indicator. It answers {"success": true}.
func (s *Sandbox) handleMarkRead(w http.ResponseWriter, req *sendRequest, phone *phoneState) {
	if req.Status != "read" {
		s.writeGraphError(w, errInvalidParam("Param status must be one of {READ} - got \"%s\".", req.Status))
		return
	}
	if req.MessageID == "" {
		s.writeGraphError(w, errParamRequired("message_id"))
		return
	}
	if req.TypingIndicator != nil && req.TypingIndicator.Type != "text" {
		s.writeGraphError(w, errInvalidParam("Param typing_indicator['type'] must be one of {TEXT} - got \"%s\".", req.TypingIndicator.Type))
		return
	}
	s.mu.Lock()
	m := s.messages.get(req.MessageID)
	if m == nil || m.Direction != DirectionInbound || m.PhoneNumberID != phone.ID {
		s.mu.Unlock()
		s.writeGraphError(w, errInvalidParam("Param message_id is not a valid message id received by this phone number."))
		return
	}
	// Reading a message marks everything before it in the chat as read.
	s.messages.each(func(o *storedMessage) bool {
		if o.Direction == DirectionInbound && o.WaID == m.WaID && o.PhoneNumberID == phone.ID && !o.Timestamp.After(m.Timestamp) {
			o.Status = "read"
		}
		return true
	})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}
