package sandbox

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Admin endpoints, under /_sandbox/, for end-to-end tests and the desktop
// app's demo controls. They are not part of the Cloud API. Answers are JSON;
// errors are {"error": "..."}. If Config.AdminToken is set they need it as
// a bearer token.
//
//	GET  /_sandbox/state                          clock, webhook URL, numbers, counters
//	GET  /_sandbox/clock                          {"now": RFC 3339}
//	POST /_sandbox/clock/advance                  {"duration": "25h"}  → {"now": …}
//	PUT  /_sandbox/webhook                        {"url": "…", "verify": true}
//	GET  /_sandbox/customers                      list of customers
//	POST /_sandbox/customers                      Customer → created customer
//	GET  /_sandbox/customers/{wa_id}              one customer
//	POST /_sandbox/customers/{wa_id}/messages     InboundMessage → MessageRecord
//	POST /_sandbox/customers/{wa_id}/undeliverable  sends to it fail with 131026
//	GET  /_sandbox/messages?wa_id=&limit=         stored messages, newest first
//	GET  /_sandbox/messages/{wamid}               one message
//	POST /_sandbox/traffic                        {"rate": 0.5} (0 stops) → {"rate": …}
//	POST /_sandbox/generate                       {"count": 10} → {"ids": […]}
//	GET  /_sandbox/templates                      every template
//	POST /_sandbox/templates/{id}/status          {"status": "PAUSED"} (id or name:language)
//	POST /_sandbox/phone_numbers/{id}/quality     {"quality_rating": "YELLOW"}
//	POST /_sandbox/flush                          wait until queued webhooks are delivered
func (s *Sandbox) serveAdmin(w http.ResponseWriter, r *http.Request, segs []string) {
	if s.cfg.AdminToken != "" {
		h := r.Header.Get("Authorization")
		if subtle.ConstantTimeCompare([]byte(h), []byte("Bearer "+s.cfg.AdminToken)) != 1 {
			adminError(w, http.StatusUnauthorized, "admin token required")
			return
		}
	}
	route := strings.Join(segs, "/")
	switch {
	case route == "state" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.State())
	case route == "clock" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]string{"now": s.clock.Now().UTC().Format(time.RFC3339Nano)})
	case route == "clock/advance" && r.Method == http.MethodPost:
		var body struct {
			Duration string `json:"duration"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		d, err := time.ParseDuration(body.Duration)
		if err != nil || d < 0 {
			adminError(w, http.StatusBadRequest, "duration must be a positive Go duration such as \"25h\"")
			return
		}
		if err := s.Advance(d); err != nil {
			adminError(w, http.StatusConflict, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"now": s.clock.Now().UTC().Format(time.RFC3339Nano)})
	case route == "webhook" && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		var body struct {
			URL    string `json:"url"`
			Verify bool   `json:"verify"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if body.Verify && body.URL != "" {
			ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
			defer cancel()
			if err := s.SubscribeWebhook(ctx, body.URL); err != nil {
				adminError(w, http.StatusBadGateway, err.Error())
				return
			}
		} else {
			s.SetWebhookURL(body.URL)
		}
		writeJSON(w, http.StatusOK, map[string]string{"url": s.WebhookURL()})
	case route == "customers" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"data": s.Customers()})
	case route == "customers" && r.Method == http.MethodPost:
		var c Customer
		if !decodeAdmin(w, r, &c) {
			return
		}
		created, err := s.AddCustomer(c)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, created)
	case len(segs) == 2 && segs[0] == "customers" && r.Method == http.MethodGet:
		c, ok := s.Customer(segs[1])
		if !ok {
			adminError(w, http.StatusNotFound, "no such customer")
			return
		}
		writeJSON(w, http.StatusOK, c)
	case len(segs) == 3 && segs[0] == "customers" && segs[2] == "messages" && r.Method == http.MethodPost:
		var spec InboundMessage
		if !decodeAdmin(w, r, &spec) {
			return
		}
		rec, err := s.CustomerSend(segs[1], spec)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, rec)
	case len(segs) == 3 && segs[0] == "customers" && segs[2] == "undeliverable" && r.Method == http.MethodPost:
		s.MarkUndeliverable(segs[1])
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	case route == "messages" && r.Method == http.MethodGet:
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit <= 0 {
			limit = 100
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": s.Messages(digitsOnly(r.URL.Query().Get("wa_id")), limit)})
	case len(segs) == 2 && segs[0] == "messages" && r.Method == http.MethodGet:
		m, ok := s.Message(segs[1])
		if !ok {
			adminError(w, http.StatusNotFound, "no such message")
			return
		}
		writeJSON(w, http.StatusOK, m)
	case route == "traffic" && r.Method == http.MethodPost:
		var body struct {
			Rate float64 `json:"rate"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		s.SetTrafficRate(body.Rate)
		writeJSON(w, http.StatusOK, map[string]float64{"rate": s.TrafficRate()})
	case route == "generate" && r.Method == http.MethodPost:
		var body struct {
			Count int `json:"count"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if body.Count < 1 || body.Count > 100000 {
			adminError(w, http.StatusBadRequest, "count must be between 1 and 100000")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ids": s.Generate(body.Count)})
	case route == "templates" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"data": s.Templates()})
	case len(segs) == 3 && segs[0] == "templates" && segs[2] == "status" && r.Method == http.MethodPost:
		var body struct {
			Status string `json:"status"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if err := s.SetTemplateStatus(segs[1], body.Status); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	case len(segs) == 3 && segs[0] == "phone_numbers" && segs[2] == "quality" && r.Method == http.MethodPost:
		var body struct {
			QualityRating string `json:"quality_rating"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if err := s.SetQualityRating(segs[1], body.QualityRating); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	case route == "flush" && r.Method == http.MethodPost:
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		if err := s.Flush(ctx); err != nil {
			adminError(w, http.StatusGatewayTimeout, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	default:
		adminError(w, http.StatusNotFound, "unknown sandbox admin endpoint "+r.Method+" /_sandbox/"+route)
	}
}

// State is the sandbox overview returned by GET /_sandbox/state.
type State struct {
	Now          time.Time     `json:"now"`           // sandbox time
	WebhookURL   string        `json:"webhook_url"`   // where notifications go ("" = held)
	WABAID       string        `json:"waba_id"`       // the WhatsApp Business Account
	PhoneNumbers []PhoneNumber `json:"phone_numbers"` // business numbers
	TrafficRate  float64       `json:"traffic_rate"`  // unprompted customer messages per second
	Templates    int           `json:"templates"`     // number of templates
	Stats        Stats         `json:"stats"`         // counters
}

// State returns an overview of the sandbox.
func (s *Sandbox) State() State {
	s.mu.Lock()
	n := len(s.templates.list)
	s.mu.Unlock()
	return State{
		Now: s.clock.Now().UTC(), WebhookURL: s.WebhookURL(), WABAID: s.cfg.WABAID, PhoneNumbers: s.PhoneNumbers(),
		TrafficRate: s.TrafficRate(), Templates: n, Stats: s.Stats(),
	}
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v)
	if err != nil && !errors.Is(err, context.Canceled) && err.Error() != "EOF" {
		adminError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
