package sandbox

import (
	"fmt"
	"net/http"
	"strings"
)

// formatDisplay renders a number the way Graph shows display_phone_number
// on the phone number node ("+1 555-078-3881").
func formatDisplay(d string) string {
	if len(d) == 11 && d[0] == '1' {
		return "+1 " + d[1:4] + "-" + d[4:7] + "-" + d[7:]
	}
	return "+" + d
}

// throughputLevel is Meta's name for a number's throughput tier.
func throughputLevel(mps float64) string {
	if mps > DefaultThroughput {
		return "HIGH"
	}
	return "STANDARD"
}

func (s *Sandbox) phoneNode(r *http.Request, p *phoneState) map[string]any {
	s.mu.Lock()
	quality := p.QualityRating
	s.mu.Unlock()
	node := map[string]any{
		"verified_name":            p.VerifiedName,
		"code_verification_status": "VERIFIED",
		"display_phone_number":     formatDisplay(p.DisplayNumber),
		"quality_rating":           quality,
		"platform_type":            "CLOUD_API",
		"throughput":               map[string]string{"level": throughputLevel(p.Throughput)},
		"id":                       p.ID,
	}
	if u := s.WebhookURL(); u != "" {
		node["webhook_configuration"] = map[string]string{"application": u}
	}
	extra := map[string]any{
		"name_status":                  "APPROVED",
		"status":                       "CONNECTED",
		"messaging_limit_tier":         "TIER_1K",
		"is_official_business_account": false,
	}
	return selectFields(r, node, extra)
}

// selectFields applies Graph's ?fields= selection: without it the default
// node is returned; with it only the named fields (from the default node or
// the extra, non-default ones) plus id.
func selectFields(r *http.Request, node, extra map[string]any) map[string]any {
	f := r.URL.Query().Get("fields")
	if f == "" {
		return node
	}
	out := map[string]any{"id": node["id"]}
	for _, name := range strings.Split(f, ",") {
		name = strings.TrimSpace(name)
		if i := strings.IndexAny(name, "{."); i >= 0 {
			name = name[:i]
		}
		if v, ok := node[name]; ok {
			out[name] = v
		} else if v, ok := extra[name]; ok {
			out[name] = v
		}
	}
	return out
}

// handlePhoneNumberGet serves GET /{phone-number-id}.
func (s *Sandbox) handlePhoneNumberGet(w http.ResponseWriter, r *http.Request, p *phoneState) {
	writeJSON(w, http.StatusOK, s.phoneNode(r, p))
}

// handlePhoneNumberList serves GET /{waba-id}/phone_numbers.
func (s *Sandbox) handlePhoneNumberList(w http.ResponseWriter, r *http.Request) {
	data := make([]map[string]any, 0, len(s.numberList))
	for _, p := range s.numberList {
		data = append(data, s.phoneNode(r, p))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"data":   data,
		"paging": map[string]any{"cursors": map[string]string{"before": encodeCursor(0), "after": encodeCursor(len(data) - 1)}},
	})
}

// handleWABAGet serves GET /{waba-id}.
func (s *Sandbox) handleWABAGet(w http.ResponseWriter, r *http.Request) {
	node := map[string]any{
		"id":                         s.cfg.WABAID,
		"name":                       s.cfg.WABAName,
		"timezone_id":                "1",
		"message_template_namespace": "b5f3c0d1_6e2a_4f6b_9a7e_sandbox",
	}
	extra := map[string]any{"currency": "USD", "account_review_status": "APPROVED"}
	writeJSON(w, http.StatusOK, selectFields(r, node, extra))
}

// numberVariants lists the wa_id forms WhatsApp treats as the same person:
// Mexican mobiles with and without the "1" after 52, Argentine mobiles with
// and without the "9" after 54, and Brazilian mobiles with and without the
// ninth digit after the two-digit area code.
func numberVariants(d string) []string {
	out := []string{d}
	switch {
	case strings.HasPrefix(d, "521") && len(d) == 13:
		out = append(out, "52"+d[3:])
	case strings.HasPrefix(d, "52") && len(d) == 12:
		out = append(out, "521"+d[2:])
	case strings.HasPrefix(d, "549") && len(d) == 13:
		out = append(out, "54"+d[3:])
	case strings.HasPrefix(d, "54") && len(d) == 12:
		out = append(out, "549"+d[2:])
	case strings.HasPrefix(d, "55") && len(d) == 13 && d[4] == '9':
		out = append(out, d[:4]+d[5:])
	case strings.HasPrefix(d, "55") && len(d) == 12 && d[4] >= '6':
		out = append(out, d[:4]+"9"+d[4:])
	}
	return out
}

// phoneQualityValue is the value of a phone_number_quality_update change.
type phoneQualityValue struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	Event              string `json:"event"`
	CurrentLimit       string `json:"current_limit"`
}

// SetQualityRating changes a business number's quality rating (GREEN,
// YELLOW, RED) as Meta's quality system would and posts a
// phone_number_quality_update webhook: FLAGGED when the rating drops from
// GREEN, UNFLAGGED when it returns to GREEN.
func (s *Sandbox) SetQualityRating(phoneNumberID, rating string) error {
	rating = strings.ToUpper(rating)
	if rating != "GREEN" && rating != "YELLOW" && rating != "RED" {
		return fmt.Errorf("sandbox: quality rating must be GREEN, YELLOW or RED, not %q", rating)
	}
	p := s.numbers[phoneNumberID]
	if p == nil {
		return fmt.Errorf("sandbox: unknown phone number id %q", phoneNumberID)
	}
	s.mu.Lock()
	prev := p.QualityRating
	p.QualityRating = rating
	s.mu.Unlock()
	ev := ""
	switch {
	case prev == "GREEN" && rating != "GREEN":
		ev = "FLAGGED"
	case prev != "GREEN" && rating == "GREEN":
		ev = "UNFLAGGED"
	}
	if ev == "" {
		return nil
	}
	s.disp.enqueue(event{key: "waba", field: "phone_number_quality_update",
		value: &phoneQualityValue{DisplayPhoneNumber: p.DisplayNumber, Event: ev, CurrentLimit: "TIER_1K"}})
	return nil
}
