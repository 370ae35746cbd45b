package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"switchboard/backend/apierr"
)

// Template statuses, categories and parameter formats as the Business
// Management API reports them.
const (
	TemplateApproved = "APPROVED"
	TemplatePending  = "PENDING"
	TemplateRejected = "REJECTED"
	TemplatePaused   = "PAUSED"
	TemplateDisabled = "DISABLED"

	CategoryMarketing      = "MARKETING"
	CategoryUtility        = "UTILITY"
	CategoryAuthentication = "AUTHENTICATION"

	ParameterFormatPositional = "POSITIONAL"
	ParameterFormatNamed      = "NAMED"
)

// Template definition component types and header formats.
const (
	TemplateHeader  = "HEADER"
	TemplateBody    = "BODY"
	TemplateFooter  = "FOOTER"
	TemplateButtons = "BUTTONS"

	FormatText     = "TEXT"
	FormatImage    = "IMAGE"
	FormatVideo    = "VIDEO"
	FormatDocument = "DOCUMENT"
	FormatLocation = "LOCATION"
)

// Template button types in a definition.
const (
	ButtonQuickReply  = "QUICK_REPLY"
	ButtonURL         = "URL"
	ButtonPhoneNumber = "PHONE_NUMBER"
	ButtonCopyCode    = "COPY_CODE"
	ButtonOTP         = "OTP"
	ButtonFlow        = "FLOW"
)

// Template is a message template as stored on the WhatsApp Business Account
// (GET /{waba-id}/message_templates) and as created
// (POST /{waba-id}/message_templates; ID and Status are then ignored).
//
// Every definition type below round-trips: decoding and encoding again
// gives JSON equivalent to what was decoded, including keys this package
// does not model (kept in Extra) and explicit zero values (an explicit
// "add_security_recommendation": false stays). So the hub forwards what
// Meta documents unchanged, whatever Switchboard's own tools edit yet.
// Keys are compared as written: Meta's examples use lowercase "body" and
// "otp" where the reference uses "BODY" and "OTP", and both are kept.
type Template struct {
	ID              string                 `json:"id,omitempty"`
	Name            string                 `json:"name"`
	Language        string                 `json:"language"`
	Status          string                 `json:"status,omitempty"`
	Category        string                 `json:"category,omitempty"`
	ParameterFormat string                 `json:"parameter_format,omitempty"`
	Components      []TemplateComponentDef `json:"components"`
	RejectedReason  string                 `json:"rejected_reason,omitempty"`
	QualityScore    *TemplateQuality       `json:"quality_score,omitempty"`
	// Extra holds the keys the fields above do not model
	// (allow_category_change, message_send_ttl_seconds, sub_category,
	// library_template_name, ...), as received.
	Extra map[string]json.RawMessage `json:"-"`
}

// TemplateQuality is a template's quality rating.
type TemplateQuality struct {
	Score string `json:"score"`
}

// TemplateComponentDef is one component of a template definition: a HEADER
// (with Format), BODY or FOOTER with Text, BUTTONS, a CAROUSEL of Cards or
// a LIMITED_TIME_OFFER.
type TemplateComponentDef struct {
	Type    string           `json:"type"`
	Format  string           `json:"format,omitempty"`
	Text    string           `json:"text,omitempty"`
	Example *TemplateExample `json:"example,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
	// AddSecurityRecommendation (BODY) and CodeExpirationMinutes (FOOTER)
	// apply to authentication templates, whose body and footer text Meta
	// supplies. Pointers: absent and false (or 0) differ.
	AddSecurityRecommendation *bool `json:"add_security_recommendation,omitempty" ts_type:"boolean | null"`
	CodeExpirationMinutes     *int  `json:"code_expiration_minutes,omitempty" ts_type:"number | null"`
	// Cards are the cards of a CAROUSEL component.
	Cards []TemplateCard `json:"cards,omitempty"`
	// LimitedTimeOffer is the offer of a LIMITED_TIME_OFFER component.
	LimitedTimeOffer *LimitedTimeOffer `json:"limited_time_offer,omitempty"`
	// Extra holds the keys the fields above do not model, as received.
	Extra map[string]json.RawMessage `json:"-"`
}

// TemplateCard is one card of a carousel template: its own header (image
// or video), body and buttons.
type TemplateCard struct {
	Components []TemplateComponentDef     `json:"components"`
	Extra      map[string]json.RawMessage `json:"-"`
}

// LimitedTimeOffer is a limited-time-offer template's offer line.
type LimitedTimeOffer struct {
	Text          string                     `json:"text"`
	HasExpiration *bool                      `json:"has_expiration,omitempty" ts_type:"boolean | null"`
	Extra         map[string]json.RawMessage `json:"-"`
}

// TemplateExample holds the sample values Meta reviews a template with.
type TemplateExample struct {
	HeaderText            []string                   `json:"header_text,omitempty"`
	HeaderTextNamedParams []NamedParamExample        `json:"header_text_named_params,omitempty"`
	HeaderHandle          []string                   `json:"header_handle,omitempty"`
	BodyText              [][]string                 `json:"body_text,omitempty"`
	BodyTextNamedParams   []NamedParamExample        `json:"body_text_named_params,omitempty"`
	Extra                 map[string]json.RawMessage `json:"-"`
}

// NamedParamExample is a sample value for a named parameter.
type NamedParamExample struct {
	ParamName string                     `json:"param_name"`
	Example   string                     `json:"example"`
	Extra     map[string]json.RawMessage `json:"-"`
}

// TemplateButton is a button in a template definition. Example is kept raw
// because its shape depends on the type (a list of URLs for URL buttons, a
// string for COPY_CODE).
type TemplateButton struct {
	Type        string          `json:"type"`
	Text        string          `json:"text,omitempty"`
	URL         string          `json:"url,omitempty"`
	PhoneNumber string          `json:"phone_number,omitempty"`
	Example     json.RawMessage `json:"example,omitempty" ts_type:"unknown"`
	// One-time-password buttons (type OTP) of authentication templates:
	// OTPType is COPY_CODE, ONE_TAP or ZERO_TAP; the one-tap and zero-tap
	// kinds name the Android app that receives the code (PackageName and
	// SignatureHash, or several in SupportedApps) and may relabel the
	// autofill button (AutofillText).
	OTPType              string         `json:"otp_type,omitempty"`
	AutofillText         string         `json:"autofill_text,omitempty"`
	PackageName          string         `json:"package_name,omitempty"`
	SignatureHash        string         `json:"signature_hash,omitempty"`
	SupportedApps        []SupportedApp `json:"supported_apps,omitempty"`
	ZeroTapTermsAccepted *bool          `json:"zero_tap_terms_accepted,omitempty" ts_type:"boolean | null"`
	// FLOW buttons open a WhatsApp Flow, named by exactly one of FlowID,
	// FlowName or FlowJSON; FlowAction is navigate (to NavigateScreen) or
	// data_exchange.
	FlowID         string `json:"flow_id,omitempty"`
	FlowName       string `json:"flow_name,omitempty"`
	FlowJSON       string `json:"flow_json,omitempty"`
	FlowAction     string `json:"flow_action,omitempty"`
	NavigateScreen string `json:"navigate_screen,omitempty"`
	// Extra holds the keys the fields above do not model, as received.
	Extra map[string]json.RawMessage `json:"-"`
}

// SupportedApp is one Android app a one-tap or zero-tap button hands the
// code to.
type SupportedApp struct {
	PackageName   string                     `json:"package_name"`
	SignatureHash string                     `json:"signature_hash"`
	Extra         map[string]json.RawMessage `json:"-"`
}

// TemplateParams describes the values a template needs when sent.
type TemplateParams struct {
	// Named is true for templates whose placeholders are {{name}}s.
	Named bool
	// HeaderFormat is the header's format ("" when there is no header).
	HeaderFormat string
	// HeaderText lists the header's text placeholders (at most one):
	// "1" for positional, the name for named.
	HeaderText []string
	// Body lists the body's placeholders in order: "1".."n" for positional
	// templates, the distinct names in order of appearance for named ones.
	Body []string
	// Buttons lists the buttons that take or may take a parameter.
	Buttons []ButtonParam
}

// ButtonParam is a template button that takes a parameter when sent.
type ButtonParam struct {
	Index    int
	SubType  string // quick_reply, url or copy_code
	Required bool
}

// HeaderMedia reports whether the header needs a media (or location)
// parameter.
func (p TemplateParams) HeaderMedia() bool {
	switch p.HeaderFormat {
	case FormatImage, FormatVideo, FormatDocument, FormatLocation:
		return true
	}
	return false
}

// Parameters describes the values t needs when sent: header text or media,
// body placeholders, and button parameters.
func (t Template) Parameters() TemplateParams {
	p := TemplateParams{Named: strings.EqualFold(t.ParameterFormat, ParameterFormatNamed)}
	for _, c := range t.Components {
		switch strings.ToUpper(c.Type) {
		case TemplateHeader:
			p.HeaderFormat = strings.ToUpper(c.Format)
			if p.HeaderFormat == "" {
				p.HeaderFormat = FormatText
			}
			if p.HeaderFormat == FormatText {
				p.HeaderText = placeholders(c.Text)
			}
		case TemplateBody:
			p.Body = placeholders(c.Text)
		case TemplateButtons:
			for i, b := range c.Buttons {
				switch strings.ToUpper(b.Type) {
				case ButtonQuickReply:
					p.Buttons = append(p.Buttons, ButtonParam{Index: i, SubType: ButtonSubTypeQuickReply})
				case ButtonURL:
					if len(placeholders(b.URL)) > 0 {
						p.Buttons = append(p.Buttons, ButtonParam{Index: i, SubType: ButtonSubTypeURL, Required: true})
					}
				case ButtonCopyCode:
					p.Buttons = append(p.Buttons, ButtonParam{Index: i, SubType: ButtonSubTypeCopyCode, Required: true})
				case ButtonOTP:
					// One-time-password buttons take the code as a url
					// parameter when sent.
					p.Buttons = append(p.Buttons, ButtonParam{Index: i, SubType: ButtonSubTypeURL, Required: true})
				}
			}
		}
	}
	if !p.Named {
		// A template declared positional may still be judged by its text;
		// names that are not numbers make it named.
		for _, n := range append(append([]string(nil), p.HeaderText...), p.Body...) {
			if !isDigits(n) {
				p.Named = true
				break
			}
		}
	}
	return p
}

// placeholders returns the distinct {{…}} placeholders of s in order of
// first appearance. Positional templates yield "1".."n" sorted by number,
// since Meta fills {{1}} from the first parameter wherever it appears.
func placeholders(s string) []string {
	var out []string
	seen := map[string]bool{}
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			break
		}
		name := strings.TrimSpace(s[i+2 : i+2+j])
		s = s[i+2+j+2:]
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	allDigits := len(out) > 0
	for _, n := range out {
		if !isDigits(n) {
			allDigits = false
			break
		}
	}
	if allDigits {
		sort.Slice(out, func(a, b int) bool {
			x, _ := strconv.Atoi(out[a])
			y, _ := strconv.Atoi(out[b])
			return x < y
		})
	}
	return out
}

// mismatch returns the TEMPLATE_PARAMS_MISMATCH error for one field.
func mismatch(field, format string, args ...any) *apierr.Error {
	return apierr.Field(apierr.TemplateParamsMismatch, field, format, args...)
}

// ValidateTemplateSend checks that send fills template t exactly: same name
// and language, the template approved, and per component the right number
// (or, for named templates, the right names) of parameters, with media of
// the header's format and every required button parameter. It returns an
// *apierr.Error: TEMPLATE_NOT_FOUND for a name, language or status problem,
// TEMPLATE_PARAMS_MISMATCH (with the field path) for the values.
func ValidateTemplateSend(t Template, send *TemplateSend) error {
	if send == nil {
		return apierr.Field(apierr.ValidationFailed, "template", "the template payload is missing")
	}
	if err := validateTemplateShape(send); err != nil {
		return err
	}
	if send.Name != t.Name || !sameLanguage(send.Language.Code, t.Language) {
		return apierr.Field(apierr.TemplateNotFound, "template.name", "the template %q (%s) is not %q (%s)", send.Name, send.Language.Code, t.Name, t.Language)
	}
	if t.Status != "" && !strings.EqualFold(t.Status, TemplateApproved) {
		return apierr.Field(apierr.TemplateNotFound, "template.name", "the template %q (%s) is %s, not approved", t.Name, t.Language, t.Status)
	}
	want := t.Parameters()
	var header, body *TemplateComponent
	headerAt, bodyAt := -1, -1
	buttons := map[int]int{} // template button index -> component position
	for i := range send.Components {
		c := &send.Components[i]
		switch c.Type {
		case ComponentHeader:
			if header != nil {
				return mismatch(fmt.Sprintf("template.components[%d]", i), "the header is given twice")
			}
			header, headerAt = c, i
		case ComponentBody:
			if body != nil {
				return mismatch(fmt.Sprintf("template.components[%d]", i), "the body is given twice")
			}
			body, bodyAt = c, i
		case ComponentButton:
			buttons[int(*c.Index)] = i
		}
	}
	if err := checkHeaderParams(want, header, headerAt); err != nil {
		return err
	}
	if err := checkTextParams("body", want.Body, want.Named, body, bodyAt); err != nil {
		return err
	}
	return checkButtonParams(want, send.Components, buttons)
}

// sameLanguage compares language codes, treating en-US and en_US alike.
func sameLanguage(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "_")) }
	return norm(a) == norm(b)
}

func checkHeaderParams(want TemplateParams, c *TemplateComponent, at int) error {
	field := fmt.Sprintf("template.components[%d].parameters", at)
	switch {
	case want.HeaderFormat == "" || (want.HeaderFormat == FormatText && len(want.HeaderText) == 0):
		if c != nil && len(c.Parameters) > 0 {
			return mismatch(field, "the template's header takes no parameters; %d given", len(c.Parameters))
		}
		return nil
	case want.HeaderFormat == FormatText:
		return checkTextParams("header", want.HeaderText, want.Named, c, at)
	}
	// A media or location header needs exactly one parameter of its kind.
	kind := strings.ToLower(want.HeaderFormat)
	if c == nil || len(c.Parameters) == 0 {
		return mismatch("template.components", "the template's %s header needs a %s parameter", kind, kind)
	}
	if len(c.Parameters) != 1 {
		return mismatch(field, "the template's header takes 1 %s parameter; %d given", kind, len(c.Parameters))
	}
	if c.Parameters[0].Type != kind {
		return mismatch(field+"[0].type", "the template's header is %s; a %s parameter was given", kind, c.Parameters[0].Type)
	}
	return nil
}

// checkTextParams compares a header or body component's parameters with the
// placeholders of its text: the same count for positional templates, the
// same set of names for named ones.
func checkTextParams(part string, want []string, named bool, c *TemplateComponent, at int) error {
	var got []TemplateParameter
	if c != nil {
		got = c.Parameters
	}
	field := "template.components"
	if at >= 0 {
		field = fmt.Sprintf("template.components[%d].parameters", at)
	}
	if len(got) != len(want) {
		if len(want) == 0 {
			return mismatch(field, "the template's %s takes no parameters; %d given", part, len(got))
		}
		return mismatch(field, "the template's %s takes %d parameter(s) (%s); %d given", part, len(want), placeholderList(want), len(got))
	}
	if !named {
		for i, p := range got {
			if p.ParameterName != "" {
				return mismatch(fmt.Sprintf("%s[%d].parameter_name", field, i), "the template uses positional parameters; parameter_name must not be set")
			}
		}
		return nil
	}
	wantSet := make(map[string]bool, len(want))
	for _, w := range want {
		wantSet[w] = true
	}
	for i, p := range got {
		if p.ParameterName == "" {
			return mismatch(fmt.Sprintf("%s[%d].parameter_name", field, i), "the template uses named parameters; parameter_name is required")
		}
		if !wantSet[p.ParameterName] {
			return mismatch(fmt.Sprintf("%s[%d].parameter_name", field, i), "the template's %s has no parameter %q (it has %s)", part, p.ParameterName, placeholderList(want))
		}
		delete(wantSet, p.ParameterName)
	}
	return nil
}

func placeholderList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "{{" + n + "}}"
	}
	return strings.Join(parts, ", ")
}

func checkButtonParams(want TemplateParams, comps []TemplateComponent, given map[int]int) error {
	byIndex := make(map[int]ButtonParam, len(want.Buttons))
	for _, b := range want.Buttons {
		byIndex[b.Index] = b
		if _, ok := given[b.Index]; b.Required && !ok {
			return mismatch("template.components", "the template's button %d (%s) needs a parameter", b.Index, b.SubType)
		}
	}
	for idx, at := range given {
		c := comps[at]
		field := fmt.Sprintf("template.components[%d]", at)
		b, ok := byIndex[idx]
		if !ok {
			return mismatch(field+".index", "the template has no button at index %d that takes a parameter", idx)
		}
		if c.SubType != b.SubType {
			return mismatch(field+".sub_type", "the template's button %d is %s, not %s", idx, b.SubType, c.SubType)
		}
		if len(c.Parameters) != 1 {
			return mismatch(field+".parameters", "a %s button takes exactly 1 parameter; %d given", b.SubType, len(c.Parameters))
		}
		p := c.Parameters[0]
		wantType := map[string]string{ButtonSubTypeQuickReply: ParamPayload, ButtonSubTypeURL: ParamText, ButtonSubTypeCopyCode: ParamCouponCode}[b.SubType]
		if p.Type != wantType {
			return mismatch(field+".parameters[0].type", "a %s button's parameter is of type %s, not %s", b.SubType, wantType, p.Type)
		}
	}
	return nil
}

// TemplatePage is one page of GET /{waba-id}/message_templates.
type TemplatePage struct {
	Data   []Template `json:"data"`
	Paging *Paging    `json:"paging,omitempty"`
}

// Paging is Graph's cursor paging block.
type Paging struct {
	Cursors  *Cursors `json:"cursors,omitempty"`
	Next     string   `json:"next,omitempty"`
	Previous string   `json:"previous,omitempty"`
}

// Cursors are the before/after cursors of a page.
type Cursors struct {
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// TemplateFilter narrows ListTemplates. Zero values mean no filter.
type TemplateFilter struct {
	Name     string
	Status   string
	Language string
	Category string
	// PageSize is the number per page (Meta's default when 0).
	PageSize int
}

// maxTemplatePages bounds ListTemplates so a server that keeps answering
// with a next page cannot loop it forever.
const maxTemplatePages = 500

// ListTemplates returns every template of the WhatsApp Business Account,
// following the paging cursors to the last page.
func (c *Client) ListTemplates(ctx context.Context, wabaID string, f TemplateFilter) ([]Template, error) {
	if err := requireID("waba_id", wabaID); err != nil {
		return nil, err
	}
	q := url.Values{}
	if f.Name != "" {
		q.Set("name", f.Name)
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.Language != "" {
		q.Set("language", f.Language)
	}
	if f.Category != "" {
		q.Set("category", f.Category)
	}
	if f.PageSize > 0 {
		q.Set("limit", strconv.Itoa(f.PageSize))
	}
	var all []Template
	after := ""
	for page := 0; page < maxTemplatePages; page++ {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		if after != "" {
			pq.Set("after", after)
		}
		var p TemplatePage
		if err := c.doJSON(ctx, http.MethodGet, c.endpoint(pq, wabaID, "message_templates"), nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Data...)
		// Meta includes "next" only when there is another page; the after
		// cursor is followed on our own URL rather than trusting the link's
		// host, so a token never leaves for an address Meta did not mean.
		if p.Paging == nil || p.Paging.Next == "" {
			return all, nil
		}
		next := nextCursor(p.Paging)
		if next == "" || next == after || len(p.Data) == 0 {
			return all, nil
		}
		after = next
	}
	return nil, apierr.New(apierr.UpstreamError, "the template list did not end after %d pages", maxTemplatePages)
}

// nextCursor is the after cursor of a page, taken from cursors.after or, when
// absent, from the next link's query.
func nextCursor(p *Paging) string {
	if p.Cursors != nil && p.Cursors.After != "" {
		return p.Cursors.After
	}
	if u, err := url.Parse(p.Next); err == nil {
		return u.Query().Get("after")
	}
	return ""
}

// TemplateCreated is Meta's answer to creating a template.
type TemplateCreated struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Category string `json:"category"`
}

// CreateTemplate submits t for review on the WhatsApp Business Account,
// after checking it with ValidateTemplateDefinition. The body is t as it
// is encoded, everything it carries forwarded unchanged (read-only fields
// such as ID and Status are empty on a new template and so left out).
// Meta answers with the new id and a status, usually PENDING.
func (c *Client) CreateTemplate(ctx context.Context, wabaID string, t Template) (*TemplateCreated, error) {
	if err := requireID("waba_id", wabaID); err != nil {
		return nil, err
	}
	if err := ValidateTemplateDefinition(t); err != nil {
		return nil, err
	}
	t.ID, t.Status, t.RejectedReason, t.QualityScore = "", "", "", nil
	var res TemplateCreated
	if err := c.doJSON(ctx, http.MethodPost, c.endpoint(nil, wabaID, "message_templates"), &t, &res); err != nil {
		return nil, templateCreateError(err, t)
	}
	return &res, nil
}

// Graph error subcodes of POST /{waba-id}/message_templates.
const (
	// SubcodeTemplateNameDeleted: the name (in this language) belongs to
	// a template deleted less than 30 days ago, and cannot be used yet.
	SubcodeTemplateNameDeleted = 2388023
	// SubcodeTemplateExists: the name already has content in this
	// language.
	SubcodeTemplateExists = 2388024
)

// GraphSubcode is the Graph error subcode in err's chain (0 when none).
func GraphSubcode(err error) int {
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge.Subcode
	}
	return 0
}

// templateCreateError explains Meta's refusals that are about the name,
// as CONFLICT: Meta keeps a deleted template's name for 30 days.
func templateCreateError(err error, t Template) error {
	switch GraphSubcode(err) {
	case SubcodeTemplateNameDeleted:
		return apierr.Wrap(err, apierr.Conflict, "the name %q (%s) belongs to a template deleted less than 30 days ago: Meta does not let a deleted name be used again for 30 days; choose another name", t.Name, t.Language)
	case SubcodeTemplateExists:
		return apierr.Wrap(err, apierr.Conflict, "a template named %q already exists in %s: add another language, or choose another name", t.Name, t.Language)
	}
	return err
}

// DeleteTemplate deletes the template called name (every language) from the
// WhatsApp Business Account; with templateID set only that one translation
// (hsm_id) is deleted.
func (c *Client) DeleteTemplate(ctx context.Context, wabaID, name, templateID string) error {
	if err := requireID("waba_id", wabaID); err != nil {
		return err
	}
	if err := requireID("name", name); err != nil {
		return err
	}
	q := url.Values{"name": {name}}
	if templateID != "" {
		q.Set("hsm_id", templateID)
	}
	var res SuccessResponse
	if err := c.doJSON(ctx, http.MethodDelete, c.endpoint(q, wabaID, "message_templates"), nil, &res); err != nil {
		return err
	}
	if !res.Success {
		return apierr.New(apierr.UpstreamError, "the WhatsApp Cloud API did not confirm deleting the template")
	}
	return nil
}
