package desktop

import (
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// The template studio's Go side: what the console's editor checks a draft
// with as the writer types. It runs Meta's rules locally (package
// whatsapp, the same rules the hub applies before it submits), so drafting
// works with no hub at all. A draft is one whatsapp.Template per language,
// exactly the definition POST /v1/templates takes; storing drafts and
// submitting them through the outbox are the studio's own services.

// CheckTemplateDraft checks one language of a draft: every finding of
// Meta's rules ({field, code, message, severity}, field a JSON path into
// the definition such as "components[1].buttons[0].url"), and Valid when
// none is an error, i.e. the hub would submit it. The answer has the same
// shape as POST /v1/templates/validate's.
func CheckTemplateDraft(def whatsapp.Template) wire.TemplateValidation {
	fs := whatsapp.CheckTemplate(def)
	if fs == nil {
		fs = []whatsapp.TemplateFinding{}
	}
	return wire.TemplateValidation{Valid: !whatsapp.HasTemplateErrors(fs), Findings: fs}
}

// TemplateStudioInfo is what the studio's editor is built from: the rules
// (each with its code, severity, words and the page of Meta's documentation
// it comes from), the languages Meta supports (with their names and
// writing direction) and the limits the editor counts characters against
// (in code points, as whatsapp.TextLength counts).
type TemplateStudioInfo struct {
	Rules     []whatsapp.TemplateRule      `json:"rules"`
	Languages []whatsapp.SupportedLanguage `json:"languages"`
	Limits    TemplateLimits               `json:"limits"`
}

// TemplateLimits are Meta's limits on a template definition.
type TemplateLimits struct {
	Name            int `json:"name"`
	HeaderText      int `json:"header_text"`
	Body            int `json:"body"`
	Footer          int `json:"footer"`
	ButtonText      int `json:"button_text"`
	URL             int `json:"url"`
	PhoneNumber     int `json:"phone_number"`
	CopyCode        int `json:"copy_code"`
	Buttons         int `json:"buttons"`
	QuickReplies    int `json:"quick_replies"`
	URLButtons      int `json:"url_buttons"`
	PhoneButtons    int `json:"phone_buttons"`
	CodeExpiration  int `json:"code_expiration_minutes"`
	OfferText       int `json:"offer_text"`
	CarouselCards   int `json:"carousel_cards"`
	CarouselBody    int `json:"carousel_card_body"`
	HeaderVariables int `json:"header_variables"`
}

// StudioInfo returns the rules, languages and limits.
func StudioInfo() TemplateStudioInfo {
	return TemplateStudioInfo{
		Rules:     whatsapp.TemplateRules,
		Languages: whatsapp.SupportedLanguages,
		Limits: TemplateLimits{
			Name: whatsapp.MaxTemplateName, HeaderText: whatsapp.MaxHeaderText, Body: whatsapp.MaxTemplateBody,
			Footer: whatsapp.MaxFooterText, ButtonText: whatsapp.MaxTemplateButtonText, URL: whatsapp.MaxTemplateURL,
			PhoneNumber: whatsapp.MaxTemplatePhoneNumber, CopyCode: whatsapp.MaxCouponCode, Buttons: whatsapp.MaxTemplateButtons,
			QuickReplies: whatsapp.MaxTemplateQuickReplies, URLButtons: whatsapp.MaxTemplateURLButtons,
			PhoneButtons: whatsapp.MaxTemplatePhoneButtons, CodeExpiration: whatsapp.MaxCodeExpirationMinutes,
			OfferText: whatsapp.MaxOfferText, CarouselCards: whatsapp.MaxCarouselCards, CarouselBody: whatsapp.MaxCarouselCardBody,
			HeaderVariables: whatsapp.MaxTemplateHeaderVars,
		},
	}
}
