package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
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
	// ABUSIVE_CONTENT, SCAM, INCORRECT_CATEGORY, TAG_CONTENT_MISMATCH).
	RejectedReason string `json:"rejected_reason,omitempty"`
	// AllowCategoryChange is the create request's allow_category_change:
	// the review then moves a miscategorised template to MARKETING
	// instead of rejecting it.
	AllowCategoryChange bool `json:"allow_category_change,omitempty"`
	// Request is the create request's body exactly as it arrived, so tests
	// can check what a client sent.
	Request json.RawMessage `json:"request,omitempty"`
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
	Cards                     []TemplateCard   `json:"cards,omitempty"`                       // CAROUSEL cards
	LimitedTimeOffer          *OfferLine       `json:"limited_time_offer,omitempty"`          // LIMITED_TIME_OFFER
}

// TemplateCard is one card of a CAROUSEL component.
type TemplateCard struct {
	Components []TemplateComponent `json:"components"`
}

// OfferLine is a limited-time offer's text.
type OfferLine struct {
	Text          string `json:"text"`
	HasExpiration *bool  `json:"has_expiration,omitempty"`
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
	// One-tap and zero-tap OTP buttons: the Android app(s) given the code.
	AutofillText         string       `json:"autofill_text,omitempty"`
	PackageName          string       `json:"package_name,omitempty"`
	SignatureHash        string       `json:"signature_hash,omitempty"`
	SupportedApps        []AndroidApp `json:"supported_apps,omitempty"`
	ZeroTapTermsAccepted *bool        `json:"zero_tap_terms_accepted,omitempty"`
	// FLOW buttons.
	FlowID         string `json:"flow_id,omitempty"`
	FlowName       string `json:"flow_name,omitempty"`
	FlowJSON       string `json:"flow_json,omitempty"`
	FlowAction     string `json:"flow_action,omitempty"`
	NavigateScreen string `json:"navigate_screen,omitempty"`
}

// AndroidApp names an app by package and signing key hash.
type AndroidApp struct {
	PackageName   string `json:"package_name"`
	SignatureHash string `json:"signature_hash"`
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

// lookup finds a template by id or by "name:language".
func (t *templateStore) lookup(idOrKey string) (*Template, error) {
	if tp := t.byID[idOrKey]; tp != nil {
		return tp, nil
	}
	if name, lang, ok := strings.Cut(idOrKey, ":"); ok {
		if tp := t.find(name, lang); tp != nil {
			return tp, nil
		}
	}
	return nil, fmt.Errorf("sandbox: no template %q", idOrKey)
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
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(raw, &req)
	}
	if err != nil {
		s.writeGraphError(w, errInvalidParam("Unable to parse the request body as JSON: %v", err))
		return
	}
	tp, gerr := validateTemplateCreate(&req)
	if gerr != nil {
		s.writeGraphError(w, gerr)
		return
	}
	tp.Request = json.RawMessage(raw)
	tp.AllowCategoryChange = req.AllowCategoryChange
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
	tp, err := s.templates.lookup(templateID)
	if err != nil {
		s.mu.Unlock()
		return err
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
