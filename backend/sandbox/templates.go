package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Template statuses as Graph reports them.
const (
	TemplateApproved = "APPROVED"
	TemplatePending  = "PENDING"
	TemplateRejected = "REJECTED"
	TemplatePaused   = "PAUSED"
	TemplateDisabled = "DISABLED"
)

// Template is a message template as GET /{waba-id}/message_templates
// returns it.
type Template struct {
	ID              string              `json:"id"`               // Graph id of this name+language
	Name            string              `json:"name"`             // lowercase letters, digits, underscores
	Language        string              `json:"language"`         // language code, e.g. en_US, es_MX, ar
	Category        string              `json:"category"`         // MARKETING, UTILITY or AUTHENTICATION
	Status          string              `json:"status"`           // PENDING, APPROVED, REJECTED, PAUSED or DISABLED
	ParameterFormat string              `json:"parameter_format"` // POSITIONAL ({{1}}) or NAMED ({{first_name}})
	Components      []TemplateComponent `json:"components"`       // HEADER, BODY, FOOTER, BUTTONS in that order
	// RejectedReason is set for REJECTED templates (INVALID_FORMAT,
	// ABUSIVE_CONTENT, SCAM, INCORRECT_CATEGORY).
	RejectedReason string `json:"rejected_reason,omitempty"`
}

// TemplateComponent is a HEADER, BODY, FOOTER or BUTTONS component.
type TemplateComponent struct {
	Type                      string           `json:"type"`                                  // HEADER, BODY, FOOTER or BUTTONS
	Format                    string           `json:"format,omitempty"`                      // header format: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
	Text                      string           `json:"text,omitempty"`                        // text with {{variables}}
	Example                   *TemplateExample `json:"example,omitempty"`                     // sample values for the variables
	Buttons                   []TemplateButton `json:"buttons,omitempty"`                     // buttons of a BUTTONS component
	AddSecurityRecommendation *bool            `json:"add_security_recommendation,omitempty"` // authentication BODY option
	CodeExpirationMinutes     *int             `json:"code_expiration_minutes,omitempty"`     // authentication FOOTER option
}

// TemplateExample holds the sample values Meta requires for variables.
type TemplateExample struct {
	HeaderText            []string       `json:"header_text,omitempty"`              // positional header examples
	HeaderTextNamedParams []NamedExample `json:"header_text_named_params,omitempty"` // named header examples
	HeaderHandle          []string       `json:"header_handle,omitempty"`            // uploaded sample media handle
	BodyText              [][]string     `json:"body_text,omitempty"`                // positional body examples (one set)
	BodyTextNamedParams   []NamedExample `json:"body_text_named_params,omitempty"`   // named body examples
}

// NamedExample is an example for a named parameter.
type NamedExample struct {
	ParamName string `json:"param_name"` // the variable name
	Example   string `json:"example"`    // a sample value
}

// TemplateButton is one button of a BUTTONS component. Example is kept as
// raw JSON because Meta uses an array for URL buttons and a string for
// COPY_CODE.
type TemplateButton struct {
	Type        string          `json:"type"`                   // QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE or OTP
	Text        string          `json:"text,omitempty"`         // button label
	URL         string          `json:"url,omitempty"`          // URL buttons; may end with {{1}}
	PhoneNumber string          `json:"phone_number,omitempty"` // PHONE_NUMBER buttons
	OTPType     string          `json:"otp_type,omitempty"`     // OTP buttons: COPY_CODE, ONE_TAP, ZERO_TAP
	Example     json.RawMessage `json:"example,omitempty"`      // array for URL, string for COPY_CODE
}

// templateStore is guarded by Sandbox.mu.
type templateStore struct {
	list    []*Template
	byID    map[string]*Template
	deleted map[string]time.Time // name|language -> deletion time
}

func newTemplateStore() *templateStore {
	return &templateStore{byID: map[string]*Template{}, deleted: map[string]time.Time{}}
}

func (t *templateStore) add(tp *Template) {
	t.list = append(t.list, tp)
	t.byID[tp.ID] = tp
}

func (t *templateStore) find(name, lang string) *Template {
	for _, tp := range t.list {
		if tp.Name == name && tp.Language == lang {
			return tp
		}
	}
	return nil
}

func (t *templateStore) hasName(name string) bool {
	for _, tp := range t.list {
		if tp.Name == name {
			return true
		}
	}
	return false
}

// copyTemplate deep-copies through JSON so callers cannot touch the store.
func copyTemplate(tp *Template) Template {
	var out Template
	b, _ := json.Marshal(tp)
	_ = json.Unmarshal(b, &out)
	return out
}

// Templates returns every template on the account.
func (s *Sandbox) Templates() []Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Template, 0, len(s.templates.list))
	for _, tp := range s.templates.list {
		out = append(out, copyTemplate(tp))
	}
	return out
}

// supportedLanguages are the template language codes Meta accepts.
var supportedLanguages = map[string]string{}

func init() {
	for _, c := range strings.Fields(`af sq ar ar_EG ar_AE ar_LB ar_MA ar_QA az be_BY bn bn_IN bg ca zh_CN zh_HK zh_TW hr cs da prs_AF nl nl_BE
		en en_GB en_US en_AE en_AU en_CA en_GH en_IE en_IN en_JM en_MY en_NZ en_QA en_SG en_UG en_ZA et fil fi fr fr_BE fr_CA fr_CH
		fr_CI fr_MA ka de de_AT de_CH el gu ha he hi hu id ga it ja kn kk rw_RW ko ky_KG lo lv lt mk ms ml mr nb ps_AF fa pl pt_BR
		pt_PT pa ro ru sr si_LK sk sl es es_AR es_CL es_CO es_CR es_DO es_EC es_HN es_MX es_PA es_PE es_ES es_UY sw sv ta te th tr
		uk ur uz vi zu`) {
		supportedLanguages[c] = c
	}
}

var (
	templateNameRe = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	variableRe     = regexp.MustCompile(`\{\{\s*([^{}\s]*)\s*\}\}`)
	namedParamRe   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	positionalRe   = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// variables returns the variable names in text, in order of appearance.
func variables(text string) []string {
	var out []string
	for _, m := range variableRe.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// distinct returns the distinct names in order of first appearance.
func distinct(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// templateError is the error shape of the template management endpoints:
// message "Invalid parameter", code 100, a subcode and user-facing texts.
func templateError(subcode int, title, msg string) *GraphError {
	return &GraphError{
		HTTPStatus: http.StatusBadRequest,
		Message:    "Invalid parameter",
		Type:       "OAuthException",
		Code:       CodeInvalidParameter,
		Subcode:    subcode,
		UserTitle:  title,
		UserMsg:    msg,
	}
}

// templateCreateRequest is the body of POST /{waba-id}/message_templates.
type templateCreateRequest struct {
	Name                string              `json:"name"`
	Language            string              `json:"language"`
	Category            string              `json:"category"`
	ParameterFormat     string              `json:"parameter_format"`
	AllowCategoryChange bool                `json:"allow_category_change"`
	Components          []TemplateComponent `json:"components"`
}

// handleTemplateCreate serves POST /{waba-id}/message_templates. Structural
// problems are answered at once with code 100, as Meta does; content rules
// are checked by the simulated review (see reviewTemplate), which approves
// or rejects the template after TemplateReviewDelay.
func (s *Sandbox) handleTemplateCreate(w http.ResponseWriter, r *http.Request) {
	var req templateCreateRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		s.writeGraphError(w, errInvalidParam("Unable to parse the request body as JSON: %v", err))
		return
	}
	tp, gerr := validateTemplateCreate(&req)
	if gerr != nil {
		s.writeGraphError(w, gerr)
		return
	}
	s.mu.Lock()
	if s.templates.find(tp.Name, tp.Language) != nil {
		s.mu.Unlock()
		s.writeGraphError(w, templateError(2388024, "Content in This Language Already Exists",
			fmt.Sprintf("There is already %s content for this template. You can create a new template and try again.", tp.Language)))
		return
	}
	if at, ok := s.templates.deleted[tp.Name+"|"+tp.Language]; ok && s.clock.Now().Sub(at) < 30*24*time.Hour {
		s.mu.Unlock()
		s.writeGraphError(w, templateError(2388023, "Message Template Language Is Being Deleted",
			fmt.Sprintf("New %s content can't be added while the existing %s content is being deleted. Try again in 4 weeks or consider creating a new message template.", tp.Language, tp.Language)))
		return
	}
	tp.ID = s.ids.numericID()
	tp.Status = TemplatePending
	s.templates.add(tp)
	id := tp.ID
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": id, "status": TemplatePending, "category": tp.Category})
	s.after(s.cfg.TemplateReviewDelay, func() { s.reviewTemplate(id) })
}

// validateTemplateCreate checks the request like Meta's synchronous checks
// and returns the normalised template.
func validateTemplateCreate(req *templateCreateRequest) (*Template, *GraphError) {
	if req.Name == "" {
		return nil, errParamRequired("name")
	}
	if !templateNameRe.MatchString(req.Name) {
		return nil, templateError(0, "Invalid Template Name",
			"Message template names can only contain lowercase alphanumeric characters and underscores ( _ ).")
	}
	if req.Language == "" {
		return nil, errParamRequired("language")
	}
	if _, ok := supportedLanguages[req.Language]; !ok {
		return nil, errInvalidParam("Param language must be a supported template language code - got \"%s\".", req.Language)
	}
	cat := strings.ToUpper(req.Category)
	if req.Category == "" {
		return nil, errParamRequired("category")
	}
	if cat != "MARKETING" && cat != "UTILITY" && cat != "AUTHENTICATION" {
		return nil, errInvalidParam("Param category must be one of {AUTHENTICATION, MARKETING, UTILITY} - got \"%s\".", req.Category)
	}
	format := strings.ToUpper(req.ParameterFormat)
	if format == "" {
		format = "POSITIONAL"
	}
	if format != "POSITIONAL" && format != "NAMED" {
		return nil, errInvalidParam("Param parameter_format must be one of {NAMED, POSITIONAL} - got \"%s\".", req.ParameterFormat)
	}
	if len(req.Components) == 0 {
		return nil, errParamRequired("components")
	}
	tp := &Template{Name: req.Name, Language: req.Language, Category: cat, ParameterFormat: format}
	seen := map[string]bool{}
	for i, c := range req.Components {
		c.Type = strings.ToUpper(c.Type)
		c.Format = strings.ToUpper(c.Format)
		if seen[c.Type] {
			return nil, templateError(0, "Duplicate Component", fmt.Sprintf("Only one %s component is allowed.", c.Type))
		}
		seen[c.Type] = true
		var gerr *GraphError
		switch c.Type {
		case "BODY":
			if c.Text == "" && cat == "AUTHENTICATION" {
				c.Text = "*{{1}}* is your verification code."
				if c.AddSecurityRecommendation != nil && *c.AddSecurityRecommendation {
					c.Text += " For your security, do not share this code."
				}
			}
			gerr = checkTemplateText(&c, "BODY", 1024, format, true)
		case "HEADER":
			switch c.Format {
			case "TEXT":
				gerr = checkTemplateText(&c, "HEADER", 60, format, false)
				if gerr == nil && len(distinct(variables(c.Text))) > 1 {
					gerr = templateError(0, "Too Many Variables", "A text header can contain at most one variable.")
				}
			case "IMAGE", "VIDEO", "DOCUMENT":
				if c.Example == nil || len(c.Example.HeaderHandle) == 0 {
					gerr = templateError(2388043, "Message template \"components\" param is missing expected field(s)",
						fmt.Sprintf("The %s header needs example.header_handle with a sample file handle.", strings.ToLower(c.Format)))
				}
			case "LOCATION":
			default:
				gerr = errInvalidParam("Param components[%d]['format'] must be one of {DOCUMENT, IMAGE, LOCATION, TEXT, VIDEO} - got \"%s\".", i, c.Format)
			}
		case "FOOTER":
			if c.Text == "" {
				gerr = errParamRequired(fmt.Sprintf("components[%d]['text']", i))
			} else if utf8.RuneCountInString(c.Text) > 60 {
				gerr = templateError(0, "Footer Too Long", "The footer can have at most 60 characters.")
			} else if len(variables(c.Text)) > 0 {
				gerr = templateError(0, "Variables Not Allowed", "The footer cannot contain variables.")
			}
		case "BUTTONS":
			gerr = checkTemplateButtons(c.Buttons, cat)
		default:
			gerr = errInvalidParam("Param components[%d]['type'] must be one of {BODY, BUTTONS, FOOTER, HEADER} - got \"%s\".", i, c.Type)
		}
		if gerr != nil {
			return nil, gerr
		}
		tp.Components = append(tp.Components, c)
	}
	if !seen["BODY"] {
		return nil, templateError(2388043, "Message template \"components\" param is missing expected field(s)", "A BODY component is required.")
	}
	// Meta returns components in HEADER, BODY, FOOTER, BUTTONS order.
	order := map[string]int{"HEADER": 0, "BODY": 1, "FOOTER": 2, "BUTTONS": 3}
	sort.SliceStable(tp.Components, func(i, j int) bool { return order[tp.Components[i].Type] < order[tp.Components[j].Type] })
	return tp, nil
}

// checkTemplateText validates a text component's length, variable syntax
// and examples.
func checkTemplateText(c *TemplateComponent, where string, max int, format string, body bool) *GraphError {
	if c.Text == "" {
		return errParamRequired(fmt.Sprintf("%s text", strings.ToLower(where)))
	}
	if utf8.RuneCountInString(c.Text) > max {
		return templateError(0, "Text Too Long", fmt.Sprintf("The %s can have at most %d characters.", strings.ToLower(where), max))
	}
	vars := distinct(variables(c.Text))
	if len(vars) == 0 {
		return nil
	}
	if format == "POSITIONAL" {
		for i, v := range vars {
			if !positionalRe.MatchString(v) {
				return templateError(0, "Invalid Variable",
					fmt.Sprintf("Variable {{%s}} is not valid for parameter_format POSITIONAL: use {{1}}, {{2}}, ...", v))
			}
			if n, _ := strconv.Atoi(v); n != i+1 {
				return templateError(0, "Variables Must Be Sequential",
					"Variables must be numbered in order, starting at {{1}}, without gaps or repeats out of order.")
			}
		}
		var examples int
		if c.Example != nil {
			if body && len(c.Example.BodyText) > 0 {
				examples = len(c.Example.BodyText[0])
			}
			if !body {
				examples = len(c.Example.HeaderText)
			}
		}
		if examples != len(vars) {
			return templateError(2388043, "Message template \"components\" param is missing expected field(s)",
				fmt.Sprintf("The %s has %d variable(s) and needs as many example values (got %d).", strings.ToLower(where), len(vars), examples))
		}
		return nil
	}
	var named []NamedExample
	if c.Example != nil {
		named = c.Example.HeaderTextNamedParams
		if body {
			named = c.Example.BodyTextNamedParams
		}
	}
	have := map[string]bool{}
	for _, e := range named {
		have[e.ParamName] = true
	}
	for _, v := range vars {
		if !namedParamRe.MatchString(v) {
			return templateError(0, "Invalid Variable",
				fmt.Sprintf("Variable {{%s}} is not valid: named parameters use lowercase letters, digits and underscores, starting with a letter.", v))
		}
		if !have[v] {
			return templateError(2388043, "Message template \"components\" param is missing expected field(s)",
				fmt.Sprintf("The %s needs an example for parameter %q.", strings.ToLower(where), v))
		}
	}
	return nil
}

func checkTemplateButtons(buttons []TemplateButton, category string) *GraphError {
	if len(buttons) == 0 || len(buttons) > 10 {
		return templateError(0, "Invalid Number of Buttons", "A BUTTONS component needs 1 to 10 buttons.")
	}
	count := map[string]int{}
	for i := range buttons {
		b := &buttons[i]
		b.Type = strings.ToUpper(b.Type)
		count[b.Type]++
		switch b.Type {
		case "QUICK_REPLY", "URL", "PHONE_NUMBER":
			if b.Text == "" {
				return errParamRequired(fmt.Sprintf("buttons[%d]['text']", i))
			}
			if utf8.RuneCountInString(b.Text) > 25 {
				return templateError(0, "Button Text Too Long", "Button text can have at most 25 characters.")
			}
		}
		switch b.Type {
		case "QUICK_REPLY":
		case "URL":
			u, err := url.Parse(strings.ReplaceAll(b.URL, "{{1}}", "x"))
			if b.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || len(b.URL) > 2000 {
				return templateError(0, "Invalid URL", "URL buttons need an http(s) URL of at most 2000 characters.")
			}
			if vars := variables(b.URL); len(vars) > 0 {
				if len(vars) > 1 || vars[0] != "1" || !strings.HasSuffix(b.URL, "{{1}}") {
					return templateError(0, "Invalid URL Variable", "A URL button can have one variable, {{1}}, at the end of the URL.")
				}
				var ex []string
				if json.Unmarshal(b.Example, &ex) != nil || len(ex) != 1 {
					return templateError(2388043, "Message template \"components\" param is missing expected field(s)",
						"A URL button with a variable needs an example URL.")
				}
			}
		case "PHONE_NUMBER":
			if len(digitsOnly(b.PhoneNumber)) < 7 {
				return errParamRequired(fmt.Sprintf("buttons[%d]['phone_number']", i))
			}
		case "COPY_CODE":
			var ex string
			if json.Unmarshal(b.Example, &ex) != nil || ex == "" || utf8.RuneCountInString(ex) > 15 {
				return templateError(2388043, "Message template \"components\" param is missing expected field(s)",
					"A COPY_CODE button needs an example code of 1 to 15 characters.")
			}
		case "OTP":
			if category != "AUTHENTICATION" {
				return templateError(0, "Invalid Button", "OTP buttons are only allowed in AUTHENTICATION templates.")
			}
			if b.Text == "" {
				b.Text = "Copy code"
			}
		default:
			return errInvalidParam("Param buttons[%d]['type'] must be one of {COPY_CODE, OTP, PHONE_NUMBER, QUICK_REPLY, URL} - got \"%s\".", i, b.Type)
		}
	}
	if count["URL"] > 2 || count["PHONE_NUMBER"] > 1 || count["COPY_CODE"] > 1 || count["OTP"] > 1 {
		return templateError(0, "Too Many Buttons Of One Type", "At most 2 URL buttons, 1 phone number button, 1 copy code button.")
	}
	return nil
}

// Review rules. The simulated review approves a template unless:
//   - its body starts or ends with a variable (INVALID_FORMAT);
//   - two variables are next to each other with only spaces between them
//     (INVALID_FORMAT);
//   - it has too many variables for its length: fewer than two other words
//     per variable (INVALID_FORMAT);
//   - it contains a scam phrase (SCAM) or an insult (ABUSIVE_CONTENT), from
//     the small lists below;
//   - it is UTILITY or AUTHENTICATION but reads as promotional
//     (INCORRECT_CATEGORY).
var (
	scamPhrases        = []string{"you have won", "lottery", "crypto giveaway", "guaranteed income", "double your money", "wire transfer fee"}
	abusiveWords       = []string{"idiot", "stupid", "moron"}
	promotionalPhrases = []string{"% off", "discount", "sale ", "promo code", "limited time", "buy now", "special offer"}
	adjacentVarsRe     = regexp.MustCompile(`\}\}\s*\{\{`)
)

// reviewOutcome decides a template's fate: reason "" means approved.
func reviewOutcome(tp *Template) (reason, detail string) {
	var body string
	for _, c := range tp.Components {
		if c.Type == "BODY" {
			body = c.Text
		}
	}
	trimmed := strings.TrimSpace(body)
	vars := variables(body)
	lower := strings.ToLower(body)
	switch {
	case len(vars) > 0 && (strings.HasPrefix(trimmed, "{{") || strings.HasSuffix(trimmed, "}}")):
		return "INVALID_FORMAT", "Variables can't be at the start or end of the template body."
	case adjacentVarsRe.MatchString(body):
		return "INVALID_FORMAT", "Variables can't be next to each other."
	case len(vars) > 0 && len(strings.Fields(variableRe.ReplaceAllString(body, " "))) < 2*len(vars):
		return "INVALID_FORMAT", "This template has too many variables for its length."
	}
	for _, p := range scamPhrases {
		if strings.Contains(lower, p) {
			return "SCAM", ""
		}
	}
	for _, p := range abusiveWords {
		if strings.Contains(lower, p) {
			return "ABUSIVE_CONTENT", ""
		}
	}
	if tp.Category != "MARKETING" {
		for _, p := range promotionalPhrases {
			if strings.Contains(lower+" ", p) {
				return "INCORRECT_CATEGORY", ""
			}
		}
	}
	return "", ""
}

// reviewTemplate runs the simulated review and posts the status update.
func (s *Sandbox) reviewTemplate(id string) {
	s.mu.Lock()
	tp := s.templates.byID[id]
	if tp == nil || tp.Status != TemplatePending {
		s.mu.Unlock()
		return
	}
	reason, detail := reviewOutcome(tp)
	v := &templateStatusValue{
		MessageTemplateName: tp.Name, MessageTemplateLanguage: tp.Language, MessageTemplateCategory: tp.Category,
	}
	v.MessageTemplateID, _ = strconv.ParseInt(tp.ID, 10, 64)
	if reason == "" {
		tp.Status = TemplateApproved
		v.Event, v.Reason = TemplateApproved, "NONE"
	} else {
		tp.Status = TemplateRejected
		tp.RejectedReason = reason
		v.Event, v.Reason = TemplateRejected, reason
		if reason == "INVALID_FORMAT" {
			v.RejectionInfo = &templateRejection{Reason: detail, Recommendation: "Edit the template body and submit it again."}
		}
	}
	s.mu.Unlock()
	s.disp.enqueue(event{key: "waba", value: v, field: "message_template_status_update"})
}

// SetTemplateStatus changes a template's status as Meta's quality system
// would (APPROVED, PAUSED, DISABLED, REJECTED) and posts the matching
// message_template_status_update. templateID may be the id or "name:language".
func (s *Sandbox) SetTemplateStatus(templateID, status string) error {
	status = strings.ToUpper(status)
	switch status {
	case TemplateApproved, TemplatePaused, TemplateDisabled, TemplateRejected:
	default:
		return fmt.Errorf("sandbox: unsupported template status %q", status)
	}
	s.mu.Lock()
	tp := s.templates.byID[templateID]
	if tp == nil {
		if name, lang, ok := strings.Cut(templateID, ":"); ok {
			tp = s.templates.find(name, lang)
		}
	}
	if tp == nil {
		s.mu.Unlock()
		return fmt.Errorf("sandbox: no template %q", templateID)
	}
	prev := tp.Status
	tp.Status = status
	v := &templateStatusValue{
		Event: status, MessageTemplateName: tp.Name, MessageTemplateLanguage: tp.Language,
		MessageTemplateCategory: tp.Category, Reason: "NONE",
	}
	v.MessageTemplateID, _ = strconv.ParseInt(tp.ID, 10, 64)
	switch status {
	case TemplatePaused:
		v.OtherInfo = &templateOtherInfo{Title: "FIRST_PAUSE",
			Description: "Your WhatsApp message template has been paused for 3 hours until " +
				s.clock.Now().Add(3*time.Hour).UTC().Format("Jan 2, 2006 at 3:04 PM UTC") + " due to low quality."}
	case TemplateDisabled:
		v.DisableInfo = &templateDisable{DisableDate: strconv.FormatInt(s.clock.Now().Unix(), 10)}
	case TemplateApproved:
		if prev == TemplatePaused {
			v.Event = "REINSTATED"
		}
	case TemplateRejected:
		v.Reason = "ABUSIVE_CONTENT"
		tp.RejectedReason = v.Reason
	}
	s.mu.Unlock()
	s.disp.enqueue(event{key: "waba", value: v, field: "message_template_status_update"})
	return nil
}

// templateNode renders a template for GET, honouring ?fields=.
func templateNode(r *http.Request, tp *Template) map[string]any {
	node := map[string]any{
		"name":             tp.Name,
		"parameter_format": tp.ParameterFormat,
		"components":       tp.Components,
		"language":         tp.Language,
		"status":           tp.Status,
		"category":         tp.Category,
		"id":               tp.ID,
	}
	if tp.RejectedReason != "" {
		node["rejected_reason"] = tp.RejectedReason
	}
	quality := "GREEN"
	if tp.Status != TemplateApproved {
		quality = "UNKNOWN"
	}
	extra := map[string]any{
		"quality_score":   map[string]any{"score": quality},
		"rejected_reason": "NONE",
	}
	if tp.RejectedReason != "" {
		extra["rejected_reason"] = tp.RejectedReason
	}
	return selectFields(r, node, extra)
}

func encodeCursor(i int) string { return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(i))) }

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	i, err := strconv.Atoi(string(b))
	return i, err == nil && i >= 0
}

// handleTemplateList serves GET /{waba-id}/message_templates with Graph
// cursor paging (limit, after, before) and the name, status, category and
// language filters.
func (s *Sandbox) handleTemplateList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 25
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			s.writeGraphError(w, errInvalidParam("Param limit must be a positive integer - got \"%s\".", l))
			return
		}
		limit = min(n, 1000)
	}
	s.mu.Lock()
	matched := []map[string]any{}
	for _, tp := range s.templates.list {
		if n := q.Get("name"); n != "" && !strings.Contains(tp.Name, strings.ToLower(n)) {
			continue
		}
		if st := q.Get("status"); st != "" && !strings.EqualFold(st, tp.Status) {
			continue
		}
		if c := q.Get("category"); c != "" && !strings.EqualFold(c, tp.Category) {
			continue
		}
		if l := q.Get("language"); l != "" && l != tp.Language {
			continue
		}
		matched = append(matched, templateNode(r, tp))
	}
	s.mu.Unlock()
	start, end := 0, len(matched)
	if a := q.Get("after"); a != "" {
		i, ok := decodeCursor(a)
		if !ok {
			s.writeGraphError(w, errInvalidParam("Param after is not a valid cursor."))
			return
		}
		start = i + 1
	} else if b := q.Get("before"); b != "" {
		i, ok := decodeCursor(b)
		if !ok {
			s.writeGraphError(w, errInvalidParam("Param before is not a valid cursor."))
			return
		}
		end = min(i, len(matched))
		start = max(0, end-limit)
	}
	start = min(start, len(matched))
	end = min(end, start+limit)
	resp := map[string]any{"data": matched[start:end]}
	if end > start {
		paging := map[string]any{"cursors": map[string]string{"before": encodeCursor(start), "after": encodeCursor(end - 1)}}
		base := s.baseURL(r) + r.URL.Path
		if end < len(matched) {
			nq := cloneQuery(q, "before")
			nq.Set("limit", strconv.Itoa(limit))
			nq.Set("after", encodeCursor(end-1))
			paging["next"] = base + "?" + nq.Encode()
		}
		if start > 0 {
			pq := cloneQuery(q, "after")
			pq.Set("limit", strconv.Itoa(limit))
			pq.Set("before", encodeCursor(start))
			paging["previous"] = base + "?" + pq.Encode()
		}
		resp["paging"] = paging
	}
	writeJSON(w, http.StatusOK, resp)
}

func cloneQuery(q url.Values, drop string) url.Values {
	out := url.Values{}
	for k, v := range q {
		if k != drop && k != "access_token" {
			out[k] = append([]string(nil), v...)
		}
	}
	return out
}

// handleTemplateGet serves GET /{template-id}.
func (s *Sandbox) handleTemplateGet(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	tp := s.templates.byID[id]
	var node map[string]any
	if tp != nil {
		node = templateNode(r, tp)
	}
	s.mu.Unlock()
	if node == nil {
		s.writeGraphError(w, errUnknownObject(r.Method, id))
		return
	}
	writeJSON(w, http.StatusOK, node)
}

// handleTemplateDelete serves DELETE /{waba-id}/message_templates?name=…
// (every language) or with &hsm_id=… (one template). A deleted name and
// language cannot be created again for 30 days, as on Meta.
func (s *Sandbox) handleTemplateDelete(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name, hsmID := q.Get("name"), q.Get("hsm_id")
	if name == "" {
		s.writeGraphError(w, errParamRequired("name"))
		return
	}
	s.mu.Lock()
	var kept []*Template
	removed := 0
	for _, tp := range s.templates.list {
		if tp.Name == name && (hsmID == "" || tp.ID == hsmID) {
			delete(s.templates.byID, tp.ID)
			s.templates.deleted[tp.Name+"|"+tp.Language] = s.clock.Now()
			removed++
			continue
		}
		kept = append(kept, tp)
	}
	s.templates.list = kept
	s.mu.Unlock()
	if removed == 0 {
		s.writeGraphError(w, templateError(0, "Message Template Not Found",
			fmt.Sprintf("Message template %q was not found.", name)))
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}
