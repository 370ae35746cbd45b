package wire

import (
	"encoding/json"
	"maps"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
)

// TemplateDraft is the body of POST /v1/templates and POST
// /v1/templates/validate: Meta's template definition exactly as POST
// /{waba-id}/message_templates takes it (whatsapp.Template, which keeps the
// keys it does not model, so they are forwarded unchanged) and the hub's
// own account_id, the number whose business account gets it (the only one
// when empty). Unlike the other bodies it is not decoded strictly: Meta
// adds keys over time, and the hub passes them on.
type TemplateDraft struct {
	AccountID string `json:"account_id,omitempty"`
	whatsapp.Template
}

// MarshalJSON writes the definition with account_id among its keys.
func (d TemplateDraft) MarshalJSON() ([]byte, error) {
	t := d.Template
	if d.AccountID != "" {
		t.Extra = maps.Clone(t.Extra)
		if t.Extra == nil {
			t.Extra = map[string]json.RawMessage{}
		}
		t.Extra["account_id"], _ = json.Marshal(d.AccountID)
	}
	return json.Marshal(t)
}

// UnmarshalJSON reads the definition and takes account_id out of it: it is
// the hub's, not Meta's.
func (d *TemplateDraft) UnmarshalJSON(data []byte) error {
	var t whatsapp.Template
	if err := json.Unmarshal(data, &t); err != nil {
		return err
	}
	account := ""
	if raw, ok := t.Extra["account_id"]; ok {
		if err := json.Unmarshal(raw, &account); err != nil {
			return apierr.Field(apierr.InvalidRequest, "account_id", "account_id must be a string")
		}
		delete(t.Extra, "account_id")
		if len(t.Extra) == 0 {
			t.Extra = nil
		}
	}
	*d = TemplateDraft{AccountID: account, Template: t}
	return nil
}

// TemplateSubmitted is the answer of POST /v1/templates: the template as
// stored (PENDING until Meta's review webhook), the rules' warnings (what
// Meta often rejects; they never block) and whether the answer repeats an
// earlier submission of the same template (Replayed: nothing was sent to
// Meta this time).
type TemplateSubmitted struct {
	Data     domain.Template `json:"data"`
	Warnings []apierr.Detail `json:"warnings"`
	Replayed bool            `json:"replayed"`
}

// TemplateValidation is the answer of POST /v1/templates/validate: every
// finding of Meta's rules on the definition, and Valid when none of them
// is an error (it would be submitted).
type TemplateValidation struct {
	Valid    bool            `json:"valid"`
	Findings []apierr.Detail `json:"findings"`
}
