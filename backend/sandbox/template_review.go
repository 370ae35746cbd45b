package sandbox

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// How the sandbox plays Meta's review of a new template. Meta checks a
// definition twice: at once, answering POST /{waba-id}/message_templates
// with a code 100 error for what breaks its documented rules, and later in
// review, which approves or rejects it and says so with a
// message_template_status_update webhook. Both are written here from Meta's
// documentation, apart from the hub's rules (package whatsapp): the two
// implementations check each other in the tests.
//
// The rules and their pages:
//   - names, languages, categories, parameter formats, variables and their
//     samples: developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview
//     and /supported-languages;
//   - header, body, footer and button limits and combinations:
//     .../whatsapp/templates/components;
//   - authentication templates (OTP buttons, one-tap, zero-tap):
//     .../whatsapp/templates/authentication-templates/…;
//   - limited-time offers and carousels: .../whatsapp/templates/marketing-templates/…;
//   - review outcomes (INVALID_FORMAT, ABUSIVE_CONTENT, SCAM,
//     INCORRECT_CATEGORY, TAG_CONTENT_MISMATCH): developers.facebook.com/docs/whatsapp/message-templates/guidelines
//     and the message_template_status_update webhook reference;
//   - category changes: the template_category_update webhook reference.

var (
	templateNameRe = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	variableRe     = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	namedParamRe   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	positionalRe   = regexp.MustCompile(`^[1-9][0-9]*$`)
	androidPkgRe   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`)
	appHashRe      = regexp.MustCompile(`^[A-Za-z0-9+/]{11}$`)
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

func missingField(what string) *GraphError {
	return templateError(2388043, "Message template \"components\" param is missing expected field(s)", what)
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
	comps, gerr := checkComponents(req.Components, cat, format, false)
	if gerr != nil {
		return nil, gerr
	}
	tp.Components = comps
	return tp, nil
}

// checkComponents checks (and upper-cases) a template's or a carousel
// card's components and returns them in Meta's order.
func checkComponents(in []TemplateComponent, cat, format string, card bool) ([]TemplateComponent, *GraphError) {
	auth := cat == "AUTHENTICATION" && !card
	seen := map[string]bool{}
	var out []TemplateComponent
	for i, c := range in {
		c.Type = strings.ToUpper(c.Type)
		c.Format = strings.ToUpper(c.Format)
		if seen[c.Type] {
			return nil, templateError(0, "Duplicate Component", fmt.Sprintf("Only one %s component is allowed.", c.Type))
		}
		seen[c.Type] = true
		var gerr *GraphError
		switch c.Type {
		case "BODY":
			switch {
			case auth:
				gerr = authBody(&c)
			case card:
				gerr = checkTemplateText(&c, "BODY", 160, format, true)
			default:
				gerr = checkTemplateText(&c, "BODY", 1024, format, true)
			}
		case "HEADER":
			if auth {
				return nil, templateError(0, "Invalid Component", "Authentication templates cannot have a header: URLs, media and emojis are not supported.")
			}
			gerr = checkHeader(&c, i, format, card)
		case "FOOTER":
			if auth {
				if m := c.CodeExpirationMinutes; m != nil && (*m < 1 || *m > 90) {
					return nil, errInvalidParam("Param code_expiration_minutes must be between 1 and 90.")
				}
				c.Text = ""
				if c.CodeExpirationMinutes != nil {
					c.Text = fmt.Sprintf("This code expires in %d minutes.", *c.CodeExpirationMinutes)
				}
				break
			}
			switch {
			case c.Text == "":
				gerr = errParamRequired(fmt.Sprintf("components[%d]['text']", i))
			case utf8.RuneCountInString(c.Text) > 60:
				gerr = templateError(0, "Footer Too Long", "The footer can have at most 60 characters.")
			case len(variables(c.Text)) > 0:
				gerr = templateError(0, "Variables Not Allowed", "The footer cannot contain variables.")
			}
		case "BUTTONS":
			gerr = checkTemplateButtons(c.Buttons, cat, card)
		case "CAROUSEL":
			if card {
				return nil, errInvalidParam("A carousel card cannot hold a carousel.")
			}
			if len(c.Cards) == 0 || len(c.Cards) > 10 {
				return nil, templateError(0, "Invalid Number of Cards", "A carousel has 1 to 10 cards.")
			}
			for j := range c.Cards {
				cc, gerr := checkComponents(c.Cards[j].Components, cat, format, true)
				if gerr != nil {
					return nil, gerr
				}
				c.Cards[j].Components = cc
			}
		case "LIMITED_TIME_OFFER":
			if cat != "MARKETING" {
				return nil, templateError(0, "Invalid Category", "Limited-time offers are MARKETING templates.")
			}
			if c.LimitedTimeOffer == nil || c.LimitedTimeOffer.Text == "" || utf8.RuneCountInString(c.LimitedTimeOffer.Text) > 16 {
				return nil, errInvalidParam("Param limited_time_offer['text'] must be 1 to 16 characters.")
			}
		default:
			gerr = errInvalidParam("Param components[%d]['type'] must be one of {BODY, BUTTONS, CAROUSEL, FOOTER, HEADER, LIMITED_TIME_OFFER} - got \"%s\".", i, c.Type)
		}
		if gerr != nil {
			return nil, gerr
		}
		out = append(out, c)
	}
	if !seen["BODY"] {
		return nil, missingField("A BODY component is required.")
	}
	if seen["LIMITED_TIME_OFFER"] && seen["FOOTER"] {
		return nil, templateError(0, "Invalid Component", "Limited-time offer templates cannot have a footer.")
	}
	if auth && !seen["BUTTONS"] {
		return nil, missingField("Authentication templates need a BUTTONS component with one OTP button.")
	}
	order := map[string]int{"HEADER": 0, "LIMITED_TIME_OFFER": 1, "BODY": 2, "FOOTER": 3, "BUTTONS": 4, "CAROUSEL": 5}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Type] < order[out[j].Type] })
	return out, nil
}

// authBody writes the preset text Meta uses for authentication bodies;
// text a request gives there is not used.
func authBody(c *TemplateComponent) *GraphError {
	c.Text = "*{{1}}* is your verification code."
	if c.AddSecurityRecommendation != nil && *c.AddSecurityRecommendation {
		c.Text += " For your security, do not share this code."
	}
	return nil
}

func checkHeader(c *TemplateComponent, i int, format string, card bool) *GraphError {
	if card && c.Format != "IMAGE" && c.Format != "VIDEO" {
		return templateError(0, "Invalid Card Header", "Carousel card headers are images or videos.")
	}
	switch c.Format {
	case "TEXT":
		if gerr := checkTemplateText(c, "HEADER", 60, format, false); gerr != nil {
			return gerr
		}
		if len(distinct(variables(c.Text))) > 1 {
			return templateError(0, "Too Many Variables", "A text header can contain at most one variable.")
		}
	case "IMAGE", "VIDEO", "DOCUMENT":
		if c.Example == nil || len(c.Example.HeaderHandle) == 0 || c.Example.HeaderHandle[0] == "" {
			return missingField(fmt.Sprintf("The %s header needs example.header_handle with a sample file handle.", strings.ToLower(c.Format)))
		}
	case "LOCATION":
	default:
		return errInvalidParam("Param components[%d]['format'] must be one of {DOCUMENT, IMAGE, LOCATION, TEXT, VIDEO} - got \"%s\".", i, c.Format)
	}
	return nil
}

// checkTemplateText validates a text component's length, variable syntax
// and examples.
func checkTemplateText(c *TemplateComponent, where string, max int, format string, body bool) *GraphError {
	if strings.TrimSpace(c.Text) == "" {
		return errParamRequired(fmt.Sprintf("%s text", strings.ToLower(where)))
	}
	if utf8.RuneCountInString(c.Text) > max {
		return templateError(0, "Text Too Long", fmt.Sprintf("The %s can have at most %d characters.", strings.ToLower(where), max))
	}
	if rest := variableRe.ReplaceAllString(c.Text, ""); strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
		return templateError(0, "Invalid Variable", "The text has unbalanced variable braces.")
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
		var examples []string
		if c.Example != nil {
			if body && len(c.Example.BodyText) > 0 {
				examples = c.Example.BodyText[0]
			}
			if !body {
				examples = c.Example.HeaderText
			}
		}
		if len(examples) != len(vars) {
			return missingField(fmt.Sprintf("The %s has %d variable(s) and needs as many example values (got %d).", strings.ToLower(where), len(vars), len(examples)))
		}
		for _, e := range examples {
			if strings.TrimSpace(e) == "" {
				return missingField("Example values cannot be empty.")
			}
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
		if strings.TrimSpace(e.Example) != "" {
			have[e.ParamName] = true
		}
	}
	for _, v := range vars {
		if !namedParamRe.MatchString(v) {
			return templateError(0, "Invalid Variable",
				fmt.Sprintf("Variable {{%s}} is not valid: named parameters use lowercase letters, digits and underscores, starting with a letter.", v))
		}
		if !have[v] {
			return missingField(fmt.Sprintf("The %s needs an example for parameter %q.", strings.ToLower(where), v))
		}
	}
	return nil
}

func checkTemplateButtons(buttons []TemplateButton, category string, card bool) *GraphError {
	max := 10
	if card {
		max = 2
	}
	if len(buttons) == 0 || len(buttons) > max {
		return templateError(0, "Invalid Number of Buttons", fmt.Sprintf("A BUTTONS component needs 1 to %d buttons.", max))
	}
	count := map[string]int{}
	groups, lastQR := 0, false
	for i := range buttons {
		b := &buttons[i]
		b.Type = strings.ToUpper(b.Type)
		count[b.Type]++
		if qr := b.Type == "QUICK_REPLY"; i == 0 || qr != lastQR {
			groups++
			lastQR = qr
		}
		if category == "AUTHENTICATION" && !card && b.Type != "OTP" {
			return templateError(0, "Invalid Button", "Authentication templates have one OTP button only.")
		}
		switch b.Type {
		case "QUICK_REPLY", "URL", "PHONE_NUMBER", "FLOW":
			if b.Text == "" {
				return errParamRequired(fmt.Sprintf("buttons[%d]['text']", i))
			}
		}
		if utf8.RuneCountInString(b.Text) > 25 {
			return templateError(0, "Button Text Too Long", "Button text can have at most 25 characters.")
		}
		var gerr *GraphError
		switch b.Type {
		case "QUICK_REPLY":
		case "URL":
			gerr = checkURLButton(b)
		case "PHONE_NUMBER":
			d := strings.TrimPrefix(b.PhoneNumber, "+")
			if len(d) < 5 || len(b.PhoneNumber) > 20 || strings.Trim(d, "0123456789") != "" {
				gerr = errInvalidParam("Param buttons[%d]['phone_number'] must be a phone number of at most 20 characters.", i)
			}
		case "COPY_CODE":
			var ex string
			if json.Unmarshal(b.Example, &ex) != nil || ex == "" || utf8.RuneCountInString(ex) > 15 {
				gerr = missingField("A COPY_CODE button needs an example code of 1 to 15 characters.")
			}
		case "FLOW":
			gerr = checkFlowButton(b)
		case "OTP":
			gerr = checkOTPButton(b, category)
		default:
			gerr = errInvalidParam("Param buttons[%d]['type'] must be one of {COPY_CODE, FLOW, OTP, PHONE_NUMBER, QUICK_REPLY, URL} - got \"%s\".", i, b.Type)
		}
		if gerr != nil {
			return gerr
		}
	}
	if count["QUICK_REPLY"] > 0 && groups > 2 {
		return templateError(0, "Invalid Combination of Buttons", "Quick reply buttons must be grouped together, before or after the other buttons.")
	}
	if count["URL"] > 2 || count["PHONE_NUMBER"] > 1 || count["COPY_CODE"] > 1 || count["OTP"] > 1 || count["FLOW"] > 1 {
		return templateError(0, "Too Many Buttons Of One Type", "At most 2 URL buttons, 1 phone number button, 1 copy code button, 1 flow button.")
	}
	return nil
}

func checkURLButton(b *TemplateButton) *GraphError {
	vars := variableRe.FindAllStringSubmatchIndex(b.URL, -1)
	base := b.URL
	if len(vars) > 0 {
		last := vars[len(vars)-1]
		if len(vars) > 1 || b.URL[last[2]:last[3]] != "1" || last[1] != len(b.URL) {
			return templateError(0, "Invalid URL Variable", "A URL button can have one variable, {{1}}, at the end of the URL.")
		}
		base = b.URL[:last[0]]
		var ex []string
		if json.Unmarshal(b.Example, &ex) != nil || len(ex) != 1 || ex[0] == "" {
			return missingField("A URL button with a variable needs an example URL.")
		}
	}
	u, err := url.Parse(base)
	if b.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || utf8.RuneCountInString(b.URL) > 2000 {
		return templateError(0, "Invalid URL", "URL buttons need an http(s) URL of at most 2000 characters.")
	}
	return nil
}

func checkFlowButton(b *TemplateButton) *GraphError {
	n := 0
	for _, s := range []string{b.FlowID, b.FlowName, b.FlowJSON} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return errInvalidParam("A FLOW button needs exactly one of flow_id, flow_name or flow_json.")
	}
	switch strings.ToLower(b.FlowAction) {
	case "", "navigate":
	case "data_exchange":
		if b.NavigateScreen != "" {
			return errInvalidParam("navigate_screen is only valid with flow_action navigate.")
		}
	default:
		return errInvalidParam("Param flow_action must be one of {navigate, data_exchange} - got \"%s\".", b.FlowAction)
	}
	return nil
}

func checkOTPButton(b *TemplateButton, category string) *GraphError {
	if category != "AUTHENTICATION" {
		return templateError(0, "Invalid Button", "OTP buttons are only allowed in AUTHENTICATION templates.")
	}
	b.OTPType = strings.ToUpper(b.OTPType)
	if b.Text == "" {
		b.Text = "Copy code"
	}
	switch b.OTPType {
	case "COPY_CODE":
		return nil
	case "ONE_TAP", "ZERO_TAP":
	default:
		return errInvalidParam("Param otp_type must be one of {COPY_CODE, ONE_TAP, ZERO_TAP} - got \"%s\".", b.OTPType)
	}
	apps := b.SupportedApps
	if b.PackageName != "" || b.SignatureHash != "" {
		if len(apps) > 0 {
			return errInvalidParam("Give the app in supported_apps or in package_name and signature_hash, not both.")
		}
		apps = []AndroidApp{{PackageName: b.PackageName, SignatureHash: b.SignatureHash}}
	}
	if len(apps) == 0 || len(apps) > 5 {
		return missingField(fmt.Sprintf("A %s button needs 1 to 5 supported_apps (package_name and signature_hash).", b.OTPType))
	}
	for _, a := range apps {
		if !androidPkgRe.MatchString(a.PackageName) || !appHashRe.MatchString(a.SignatureHash) {
			return errInvalidParam("Each app needs an Android package_name and an 11-character signature_hash.")
		}
	}
	if utf8.RuneCountInString(b.AutofillText) > 25 {
		return errInvalidParam("autofill_text can have at most 25 characters.")
	}
	if b.OTPType == "ZERO_TAP" && (b.ZeroTapTermsAccepted == nil || !*b.ZeroTapTermsAccepted) {
		return errInvalidParam("Zero-tap buttons need zero_tap_terms_accepted set to true.")
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
//   - its text is not written in its language's script: Arabic, Hebrew,
//     Cyrillic, Greek, Thai or CJK languages in Latin letters only, or a
//     Latin-script language in another script (TAG_CONTENT_MISMATCH);
//   - it is UTILITY or AUTHENTICATION but reads as promotional
//     (INCORRECT_CATEGORY), unless the request allowed a category change:
//     then it is approved as MARKETING and a template_category_update says
//     so, as Meta does.
var (
	scamPhrases        = []string{"you have won", "lottery", "crypto giveaway", "guaranteed income", "double your money", "wire transfer fee"}
	abusiveWords       = []string{"idiot", "stupid", "moron", "loser", "shut up"}
	promotionalPhrases = []string{"% off", "discount", "sale ", "promo code", "coupon", "limited time", "buy now", "shop now", "special offer", "free shipping"}
	adjacentVarsRe     = regexp.MustCompile(`\}\}[ \t]*\{\{`)
)

// scriptOf names the script a language is written in ("" for Latin).
func scriptOf(lang string) *unicode.RangeTable {
	base, _, _ := strings.Cut(lang, "_")
	switch base {
	case "ar", "fa", "ur", "prs", "ps":
		return unicode.Arabic
	case "he":
		return unicode.Hebrew
	case "ru", "uk", "bg", "mk", "sr", "kk", "ky", "be":
		return unicode.Cyrillic
	case "el":
		return unicode.Greek
	case "th":
		return unicode.Thai
	case "zh", "ja":
		return unicode.Han
	case "ko":
		return unicode.Hangul
	}
	return nil
}

// tagMismatch reports whether text is not in the script of lang: a
// non-Latin language written with Latin letters only, or a Latin-script
// language with most letters from another script.
func tagMismatch(lang, text string) bool {
	var latin, in, other int
	want := scriptOf(lang)
	for _, r := range variableRe.ReplaceAllString(text, "") {
		switch {
		case !unicode.IsLetter(r):
		case unicode.Is(unicode.Latin, r):
			latin++
		case want != nil && (unicode.Is(want, r) || want == unicode.Han && (unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))):
			in++
		default:
			other++
		}
	}
	if want != nil {
		return in == 0 && latin > 0
	}
	return other > latin
}

// reviewOutcome decides a template's fate: reason "" means approved;
// recategorise is set when a miscategorised template is approved as
// MARKETING instead.
func reviewOutcome(tp *Template) (reason, detail string, recategorise bool) {
	var body string
	var texts []string
	for _, c := range tp.Components {
		if c.Type == "BODY" {
			body = c.Text
		}
		texts = append(texts, c.Text)
		for _, card := range c.Cards {
			for _, cc := range card.Components {
				texts = append(texts, cc.Text)
			}
		}
	}
	all := strings.Join(texts, "\n")
	trimmed := strings.TrimSpace(body)
	vars := variables(body)
	lower := strings.ToLower(all)
	if tp.Category != "AUTHENTICATION" {
		switch {
		case len(vars) > 0 && (strings.HasPrefix(trimmed, "{{") || strings.HasSuffix(trimmed, "}}")):
			return "INVALID_FORMAT", "Variables can't be at the start or end of the template body.", false
		case adjacentVarsRe.MatchString(body):
			return "INVALID_FORMAT", "Variables can't be next to each other.", false
		case len(vars) > 0 && len(strings.Fields(variableRe.ReplaceAllString(body, " "))) < 2*len(vars):
			return "INVALID_FORMAT", "This template has too many variables for its length.", false
		}
	}
	for _, p := range scamPhrases {
		if strings.Contains(lower, p) {
			return "SCAM", "", false
		}
	}
	for _, p := range abusiveWords {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(p) + `\b`).MatchString(lower) {
			return "ABUSIVE_CONTENT", "", false
		}
	}
	if tp.Category != "AUTHENTICATION" && tagMismatch(tp.Language, all) {
		return "TAG_CONTENT_MISMATCH", "", false
	}
	if tp.Category != "MARKETING" {
		for _, p := range promotionalPhrases {
			if strings.Contains(lower+" ", p) {
				if tp.AllowCategoryChange {
					return "", "", true
				}
				return "INCORRECT_CATEGORY", "", false
			}
		}
	}
	return "", "", false
}

// rejectionAdvice is the recommendation sent with each INVALID_FORMAT
// detail, as Meta's rejection_info pairs a reason with what to change.
var rejectionAdvice = map[string]string{
	"Variables can't be at the start or end of the template body.": "Start and end the body with fixed text, e.g. \"Hi {{1}}, ... Thanks!\".",
	"Variables can't be next to each other.":                       "Put words between the variables, or merge them into one.",
	"This template has too many variables for its length.":         "Add more fixed text around the variables, or use fewer variables.",
}

// reviewTemplate runs the simulated review and posts the status update
// (and, when the review moved the template to MARKETING, the category
// update first, as Meta does).
func (s *Sandbox) reviewTemplate(id string) {
	s.mu.Lock()
	tp := s.templates.byID[id]
	if tp == nil || tp.Status != TemplatePending {
		s.mu.Unlock()
		return
	}
	reason, detail, recategorise := reviewOutcome(tp)
	var category *templateCategoryValue
	if recategorise {
		category = &templateCategoryValue{MessageTemplateName: tp.Name, MessageTemplateLanguage: tp.Language,
			PreviousCategory: tp.Category, NewCategory: "MARKETING"}
		category.MessageTemplateID, _ = strconv.ParseInt(tp.ID, 10, 64)
		tp.Category = "MARKETING"
	}
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
			v.RejectionInfo = &templateRejection{Reason: detail, Recommendation: rejectionAdvice[detail]}
		}
	}
	s.mu.Unlock()
	if category != nil {
		s.disp.enqueue(event{key: "waba", value: category, field: "template_category_update"})
	}
	s.disp.enqueue(event{key: "waba", value: v, field: "message_template_status_update"})
}

// SetTemplateCategory plays Meta's category updates. With announce, it
// posts the notice Meta sends ahead of an automatic change (the template
// stays in its category; correct_category says where it goes, and
// category_update_timestamp when, a day later on the sandbox clock);
// without, it changes the category and posts the completed change.
// templateID may be the id or "name:language".
func (s *Sandbox) SetTemplateCategory(templateID, category string, announce bool) error {
	category = strings.ToUpper(category)
	if category != "MARKETING" && category != "UTILITY" && category != "AUTHENTICATION" {
		return fmt.Errorf("sandbox: unsupported template category %q", category)
	}
	s.mu.Lock()
	tp, err := s.templates.lookup(templateID)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	v := &templateCategoryValue{MessageTemplateName: tp.Name, MessageTemplateLanguage: tp.Language}
	v.MessageTemplateID, _ = strconv.ParseInt(tp.ID, 10, 64)
	if announce {
		v.CorrectCategory, v.NewCategory = category, tp.Category
		v.CategoryUpdateTimestamp = s.clock.Now().Add(24 * time.Hour).Unix()
	} else {
		v.PreviousCategory, v.NewCategory = tp.Category, category
		tp.Category = category
	}
	s.mu.Unlock()
	s.disp.enqueue(event{key: "waba", value: v, field: "template_category_update"})
	return nil
}
