package wire

import (
	"switchboard/backend/apierr"
	"switchboard/backend/domain"
)

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
