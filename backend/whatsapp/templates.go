package whatsapp

import (
	"context"
	"encoding/json"
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
}

// TemplateQuality is a template's quality rating.
type TemplateQuality struct {
	Score string `json:"score"`
}

// TemplateComponentDef is one component of a template definition: a HEADER
// (with Format), BODY or FOOTER with Text, or BUTTONS.
type TemplateComponentDef struct {
	Type    string           `json:"type"`
	Format  string           `json:"format,omitempty"`
	Text    string           `json:"text,omitempty"`
	Example *TemplateExample `json:"example,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
	// AddSecurityRecommendation and CodeExpirationMinutes apply to
	// authentication templates.
	AddSecurityRecommendation bool `json:"add_security_recommendation,omitempty"`
	CodeExpirationMinutes     int  `json:"code_expiration_minutes,omitempty"`
}

// TemplateExample holds the sample values Meta reviews a template with.
type TemplateExample struct {
	HeaderText            []string            `json:"header_text,omitempty"`
	HeaderTextNamedParams []NamedParamExample `json:"header_text_named_params,omitempty"`
	HeaderHandle          []string            `json:"header_handle,omitempty"`
	BodyText              [][]string          `json:"body_text,omitempty"`
	BodyTextNamedParams   []NamedParamExample `json:"body_text_named_params,omitempty"`
}

// NamedParamExample is a sample value for a named parameter.
type NamedParamExample struct {
	ParamName string `json:"param_name"`
	Example   string `json:"example"`
}

// TemplateButton is a button in a template definition. Example is kept raw
// because its shape depends on the type (a list of URLs for URL buttons, a
// string for COPY_CODE).
type TemplateButton struct {
	Type        string          `json:"type"`
	Text        string          `json:"text,omitempty"`
	URL         string          `json:"url,omitempty"`
	PhoneNumber string          `json:"phone_number,omitempty"`
	OTPType     string          `json:"otp_type,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
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

// templateCreateRequest is the create body: a Template without the
// read-only fields.
type templateCreateRequest struct {
	Name            string                 `json:"name"`
	Language        string                 `json:"language"`
	Category        string                 `json:"category"`
	ParameterFormat string                 `json:"parameter_format,omitempty"`
	Components      []TemplateComponentDef `json:"components"`
}

// CreateTemplate submits t for review on the WhatsApp Business Account. Meta
// answers with the new id and a status, usually PENDING.
func (c *Client) CreateTemplate(ctx context.Context, wabaID string, t Template) (*TemplateCreated, error) {
	if err := requireID("waba_id", wabaID); err != nil {
		return nil, err
	}
	if err := ValidateTemplateDefinition(t); err != nil {
		return nil, err
	}
	req := templateCreateRequest{
		Name: t.Name, Language: t.Language, Category: t.Category,
		ParameterFormat: strings.ToLower(t.ParameterFormat), Components: t.Components,
	}
	var res TemplateCreated
	if err := c.doJSON(ctx, http.MethodPost, c.endpoint(nil, wabaID, "message_templates"), &req, &res); err != nil {
		return nil, err
	}
	return &res, nil
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

// ValidateTemplateDefinition checks a template before it is submitted:
// Meta's name rule (lowercase letters, digits and underscores, at most
// MaxTemplateName), a language, a known category, and a body of at most
// MaxTemplateBody characters.
func ValidateTemplateDefinition(t Template) error {
	if !isTemplateName(t.Name) {
		return invalid("name", "a template name is lowercase letters, digits and underscores, at most %d characters", MaxTemplateName)
	}
	if strings.TrimSpace(t.Language) == "" {
		return invalid("language", "language is required (e.g. en_US)")
	}
	switch strings.ToUpper(t.Category) {
	case CategoryMarketing, CategoryUtility, CategoryAuthentication:
	default:
		return invalid("category", "category must be MARKETING, UTILITY or AUTHENTICATION")
	}
	switch strings.ToUpper(t.ParameterFormat) {
	case "", ParameterFormatPositional, ParameterFormatNamed:
	default:
		return invalid("parameter_format", "parameter_format must be positional or named")
	}
	bodies := 0
	for i, c := range t.Components {
		f := fmt.Sprintf("components[%d]", i)
		switch strings.ToUpper(c.Type) {
		case TemplateBody:
			bodies++
			if err := checkText(f+".text", c.Text, 1, MaxTemplateBody); err != nil {
				return err
			}
		case TemplateHeader:
			if strings.ToUpper(c.Format) == FormatText || c.Format == "" {
				if err := checkText(f+".text", c.Text, 1, MaxHeaderText); err != nil {
					return err
				}
			}
		case TemplateFooter:
			if err := checkText(f+".text", c.Text, 1, MaxFooterText); err != nil {
				return err
			}
		case TemplateButtons:
			if len(c.Buttons) == 0 || len(c.Buttons) > MaxTemplateButtons {
				return invalid(f+".buttons", "a template has 1 to %d buttons", MaxTemplateButtons)
			}
		default:
			return invalid(f+".type", "component type must be HEADER, BODY, FOOTER or BUTTONS")
		}
	}
	if bodies != 1 && !strings.EqualFold(t.Category, CategoryAuthentication) {
		return invalid("components", "a template needs exactly one BODY component")
	}
	return nil
}

// isTemplateName reports whether s follows Meta's template naming rule.
func isTemplateName(s string) bool {
	if s == "" || len(s) > MaxTemplateName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
