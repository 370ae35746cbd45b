package whatsapp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"switchboard/backend/apierr"
)

// Meta's rules for a template definition (POST /{waba-id}/message_templates),
// checked before anything is submitted: by the hub before it calls the Cloud
// API, and by the console as the template writer types. CheckTemplate
// returns every finding at once, each naming its field, so an editor can
// show each next to its input. RULES.md beside this file lists every rule
// with the page of Meta's documentation it comes from; TemplateRules is
// the same table in code, and a test keeps the two in step.
//
// The sandbox (backend/sandbox) reviews templates with its own, separately
// written copy of these rules, so each checks the other.

// TemplateFinding is one problem with a template definition: the field (a
// JSON path into the definition, e.g. "components[1].buttons[0].url"), the
// rule's code (one of TemplateRules), the message in words, and the
// severity: apierr.SeverityError blocks a submission, apierr.SeverityWarning
// does not (Meta often rejects what it flags, but not always).
type TemplateFinding = apierr.Detail

// Meta's documentation pages the rules come from.
const (
	docTemplatesOverview = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview"
	docComponents        = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/components"
	docLanguages         = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/supported-languages"
	docAuthCopyCode      = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates/"
	docAuthOneTap        = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/autofill-button-authentication-templates"
	docAuthZeroTap       = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/zero-tap-authentication-templates"
	docGuidelines        = "https://developers.facebook.com/docs/whatsapp/message-templates/guidelines/#common-rejection-reasons"
	docCategorization    = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-categorization"
	docLTO               = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/limited-time-offer-templates"
	docCarousel          = "https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/media-card-carousel-templates"
	docFlows             = "https://developers.facebook.com/documentation/business-messaging/whatsapp/flows/guides/sendingaflow"
)

// Meta's limits on a template definition that limits.go does not already
// name, in characters (code points) or counts. Each is from the page of
// the rule that uses it (see TemplateRules).
const (
	MaxTemplateButtonText    = 25   // a button's text (quick reply, URL, phone, flow, OTP)
	MaxTemplateURL           = 2000 // a URL button's url
	MaxTemplatePhoneNumber   = 20   // a phone number button's phone_number
	MaxTemplateHeaderVars    = 1    // variables in a text header
	MaxTemplateQuickReplies  = 10   // QUICK_REPLY buttons
	MaxTemplateURLButtons    = 2    // URL buttons
	MaxTemplatePhoneButtons  = 1    // PHONE_NUMBER buttons
	MaxTemplateCopyCode      = 1    // COPY_CODE buttons
	MaxTemplateOTPButtons    = 1    // OTP buttons (authentication)
	MaxTemplateFlowButtons   = 1    // FLOW buttons
	MaxCodeExpirationMinutes = 90   // an authentication footer's code_expiration_minutes
	MaxSupportedApps         = 5    // a one-tap or zero-tap button's supported_apps
	SignatureHashLength      = 11   // an Android app signing key hash
	MaxAndroidPackageName    = 224  // an Android package name
	MaxOfferText             = 16   // a limited-time offer's text
	MaxCarouselCards         = 10   // cards of a carousel
	MaxCarouselCardBody      = 160  // a carousel card's body text
	MaxCarouselCardButtons   = 2    // buttons of a carousel card
	// MinWordsPerVariable is the heuristic behind VAR_DENSITY: Meta rejects
	// a body with "too many variables for its length" without publishing
	// the ratio; fewer than this many words of fixed text per variable is
	// where we warn.
	MinWordsPerVariable = 2
)

// TemplateRule is one rule a template definition is checked against.
type TemplateRule struct {
	// Code is the stable code findings carry, e.g. BODY_TOO_LONG.
	Code string `json:"code"`
	// Severity is apierr.SeverityError or apierr.SeverityWarning.
	Severity string `json:"severity"`
	// Rule says the rule in words.
	Rule string `json:"rule"`
	// Source is the page of Meta's documentation the rule comes from.
	Source string `json:"source"`
}

const (
	sevErr  = apierr.SeverityError
	sevWarn = apierr.SeverityWarning
)

// TemplateRules is every rule CheckTemplate applies, in the order RULES.md
// lists them.
var TemplateRules = []TemplateRule{
	{"NAME_FORMAT", sevErr, "The name is lowercase letters (a-z), digits and underscores, and not empty.", docTemplatesOverview},
	{"NAME_TOO_LONG", sevErr, fmt.Sprintf("The name is at most %d characters.", MaxTemplateName), docTemplatesOverview},
	{"LANGUAGE_UNSUPPORTED", sevErr, "The language is one of the codes Meta supports for templates (SupportedLanguages), written with an underscore (en_US).", docLanguages},
	{"CATEGORY_INVALID", sevErr, "The category is MARKETING, UTILITY or AUTHENTICATION.", docTemplatesOverview},
	{"PARAMETER_FORMAT_INVALID", sevErr, "parameter_format, when given, is POSITIONAL or NAMED.", docTemplatesOverview},
	{"COMPONENT_TYPE_INVALID", sevErr, "Every component has a type.", docComponents},
	{"COMPONENT_UNCHECKED", sevWarn, "A component type Switchboard does not model is forwarded to Meta unchecked.", docComponents},
	{"COMPONENT_DUPLICATE", sevErr, "A template has at most one header, body, footer and buttons component.", docComponents},
	{"BODY_REQUIRED", sevErr, "A template has a body; it is the only required component.", docComponents},
	{"TEXT_REQUIRED", sevErr, "A text header, a body (except in authentication templates), a footer (except in authentication templates) and a button's label have text.", docComponents},
	{"HEADER_FORMAT_INVALID", sevErr, "A header has a format: TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION.", docComponents},
	{"HEADER_TOO_LONG", sevErr, fmt.Sprintf("A text header is at most %d characters.", MaxHeaderText), docComponents},
	{"HEADER_MARKDOWN", sevWarn, "A text header has no Markdown special characters (* _ ~ `).", docComponents},
	{"HEADER_VAR_COUNT", sevErr, fmt.Sprintf("A text header has at most %d variable.", MaxTemplateHeaderVars), docComponents},
	{"BODY_TOO_LONG", sevErr, fmt.Sprintf("The body is at most %d characters.", MaxTemplateBody), docComponents},
	{"BODY_VAR_EDGE", sevErr, "The body neither starts nor ends with a variable.", docGuidelines},
	{"FOOTER_TOO_LONG", sevErr, fmt.Sprintf("The footer is at most %d characters.", MaxFooterText), docComponents},
	{"FOOTER_VAR", sevErr, "The footer has no variables.", docComponents},
	{"VAR_SYNTAX", sevErr, "Variables are written {{1}} (positional) or {{name}} (named), with nothing else between the braces, and braces are balanced.", docTemplatesOverview},
	{"VAR_SEQUENCE", sevErr, "Positional variables are numbered in order of appearance from {{1}}, without gaps, in each of the header and the body.", docTemplatesOverview},
	{"NAMED_PARAM_FORMAT", sevErr, "A named parameter's name is lowercase letters, digits and underscores, starting with a letter.", docTemplatesOverview},
	{"PARAM_STYLE_MIXED", sevErr, "A template uses one parameter style: named variables need parameter_format NAMED, numbered ones POSITIONAL (the default).", docTemplatesOverview},
	{"EXAMPLE_MISSING", sevErr, "Every variable has a sample value (example), and so does a media header (header_handle), a URL with a variable and a copy code button.", docComponents},
	{"EXAMPLE_MISMATCH", sevErr, "The samples match the variables: one value per variable, named samples for named variables, no samples for variables that are not there.", docComponents},
	{"VAR_ADJACENT", sevWarn, "Two variables are not next to each other with nothing but spaces between them.", docGuidelines},
	{"VAR_DENSITY", sevWarn, fmt.Sprintf("The body has at least %d words of fixed text per variable (Meta rejects templates with too many variables for their length).", MinWordsPerVariable), docGuidelines},
	{"CATEGORY_MISMATCH", sevWarn, "A UTILITY or AUTHENTICATION template has no promotional wording (offers, discounts, sales): Meta recategorises or rejects it.", docCategorization},
	{"BUTTON_TYPE_INVALID", sevErr, "Every button has a type.", docComponents},
	{"BUTTON_UNCHECKED", sevWarn, "A button type Switchboard does not model is forwarded to Meta unchecked.", docComponents},
	{"BUTTONS_TOO_MANY", sevErr, fmt.Sprintf("A template has 1 to %d buttons.", MaxTemplateButtons), docComponents},
	{"BUTTON_TYPE_COUNT", sevErr, fmt.Sprintf("At most %d quick replies, %d URL buttons, %d phone number button, %d copy code button, %d one-time password button and %d flow button.", MaxTemplateQuickReplies, MaxTemplateURLButtons, MaxTemplatePhoneButtons, MaxTemplateCopyCode, MaxTemplateOTPButtons, MaxTemplateFlowButtons), docComponents},
	{"BUTTON_GROUPING", sevErr, "Quick reply buttons are grouped together, before or after the other buttons, not mixed among them.", docComponents},
	{"BUTTON_TEXT_TOO_LONG", sevErr, fmt.Sprintf("A button's text is at most %d characters.", MaxTemplateButtonText), docComponents},
	{"URL_INVALID", sevErr, "A URL button's url is an absolute http(s) URL.", docComponents},
	{"URL_TOO_LONG", sevErr, fmt.Sprintf("A URL button's url is at most %d characters.", MaxTemplateURL), docComponents},
	{"URL_VAR_POSITION", sevErr, "A URL has at most one variable, {{1}}, at its very end.", docComponents},
	{"PHONE_NUMBER_INVALID", sevErr, fmt.Sprintf("A phone number button's phone_number is an international number (digits, an optional leading +), at most %d characters.", MaxTemplatePhoneNumber), docComponents},
	{"COPY_CODE_INVALID", sevErr, fmt.Sprintf("A copy code button's example code is 1 to %d characters.", MaxCouponCode), docComponents},
	{"FLOW_BUTTON_INVALID", sevErr, "A flow button names its Flow by exactly one of flow_id, flow_name or flow_json; flow_action is navigate or data_exchange; navigate_screen goes with navigate.", docFlows},
	{"OTP_OUTSIDE_AUTH", sevErr, "One-time password (OTP) buttons belong to AUTHENTICATION templates only.", docAuthCopyCode},
	{"AUTH_OTP_BUTTON", sevErr, "An authentication template has exactly one button, of type OTP.", docAuthCopyCode},
	{"AUTH_CONTENT", sevErr, "An authentication template has no header (no media) and no URLs or emojis in its text.", docAuthCopyCode},
	{"AUTH_PRESET_TEXT", sevWarn, "Meta supplies an authentication template's body and footer text; text given there is not what the customer sees.", docAuthCopyCode},
	{"AUTH_ONLY_OPTION", sevWarn, "add_security_recommendation and code_expiration_minutes apply to authentication templates only.", docAuthCopyCode},
	{"AUTH_EXPIRATION", sevErr, fmt.Sprintf("code_expiration_minutes is 1 to %d.", MaxCodeExpirationMinutes), docAuthCopyCode},
	{"OTP_TYPE_INVALID", sevErr, "An OTP button's otp_type is COPY_CODE, ONE_TAP or ZERO_TAP.", docAuthCopyCode},
	{"OTP_APP_REQUIRED", sevErr, "A ONE_TAP or ZERO_TAP button names the Android app: package_name and signature_hash, or supported_apps.", docAuthOneTap},
	{"OTP_APP_INVALID", sevErr, fmt.Sprintf("An app is a valid Android package name with an %d-character signing key hash; at most %d apps, given in supported_apps or in package_name/signature_hash but not both.", SignatureHashLength, MaxSupportedApps), docAuthOneTap},
	{"ZERO_TAP_TERMS", sevErr, "A ZERO_TAP button has zero_tap_terms_accepted set to true.", docAuthZeroTap},
	{"OFFER_INVALID", sevErr, fmt.Sprintf("A limited-time offer is a MARKETING template without a footer, and its text is 1 to %d characters.", MaxOfferText), docLTO},
	{"CAROUSEL_INVALID", sevErr, fmt.Sprintf("A carousel has 1 to %d cards, each with an image or video header (with a sample), a body of at most %d characters and at most %d buttons.", MaxCarouselCards, MaxCarouselCardBody, MaxCarouselCardButtons), docCarousel},
}

var rulesByCode = func() map[string]TemplateRule {
	m := make(map[string]TemplateRule, len(TemplateRules))
	for _, r := range TemplateRules {
		m[r.Code] = r
	}
	return m
}()

// findings collects what a check finds.
type findings []TemplateFinding

func (fs *findings) add(code, field, format string, args ...any) {
	r, ok := rulesByCode[code]
	if !ok {
		panic("whatsapp: no template rule " + code) // a programming error, caught by the tests
	}
	*fs = append(*fs, TemplateFinding{Field: field, Code: code, Message: fmt.Sprintf(format, args...), Severity: r.Severity})
}

// HasTemplateErrors reports whether any finding blocks a submission.
func HasTemplateErrors(fs []TemplateFinding) bool {
	for _, f := range fs {
		if f.Severity == apierr.SeverityError {
			return true
		}
	}
	return false
}

// ValidateTemplateDefinition checks t with CheckTemplate and returns a
// VALIDATION_FAILED *apierr.Error when a rule is broken: its Field and
// Message are the first error's, its Details every finding (warnings
// included). Warnings alone are no error.
func ValidateTemplateDefinition(t Template) error {
	fs := CheckTemplate(t)
	if !HasTemplateErrors(fs) {
		return nil
	}
	var first TemplateFinding
	n := 0
	for _, f := range fs {
		if f.Severity == apierr.SeverityError {
			if n == 0 {
				first = f
			}
			n++
		}
	}
	msg := first.Message
	if n > 1 {
		msg = fmt.Sprintf("%s (and %d more problems: see details)", msg, n-1)
	}
	return &apierr.Error{Code: apierr.ValidationFailed, Field: first.Field, Message: msg, Details: fs}
}

// CheckTemplate checks a template definition against every rule in
// TemplateRules and returns what it finds, errors and warnings, in the
// order of the definition's fields (nil when there is nothing to say).
func CheckTemplate(t Template) []TemplateFinding {
	var fs findings
	checkName(&fs, t.Name)
	checkLanguage(&fs, t.Language)
	category := strings.ToUpper(strings.TrimSpace(t.Category))
	switch category {
	case CategoryMarketing, CategoryUtility, CategoryAuthentication:
	default:
		fs.add("CATEGORY_INVALID", "category", "category must be MARKETING, UTILITY or AUTHENTICATION; %q is not", truncate(t.Category, 40))
	}
	named := false
	switch strings.ToUpper(t.ParameterFormat) {
	case "", ParameterFormatPositional:
	case ParameterFormatNamed:
		named = true
	default:
		fs.add("PARAMETER_FORMAT_INVALID", "parameter_format", "parameter_format must be POSITIONAL or NAMED; %q is not", truncate(t.ParameterFormat, 40))
	}
	c := &templateCheck{fs: &fs, category: category, named: named, auth: category == CategoryAuthentication}
	c.components(t.Components, "components", false)
	return fs
}

// templateCheck carries what the component checks share.
type templateCheck struct {
	fs       *findings
	category string
	named    bool
	auth     bool
}

func checkName(fs *findings, name string) {
	switch {
	case name == "":
		fs.add("NAME_FORMAT", "name", "a template needs a name")
	case !isTemplateName(name):
		fs.add("NAME_FORMAT", "name", "a template name is lowercase letters, digits and underscores only (%q is not)", truncate(name, 60))
	}
	if n := chars(name); n > MaxTemplateName {
		fs.add("NAME_TOO_LONG", "name", "the name is %d characters; at most %d are allowed", n, MaxTemplateName)
	}
}

// isTemplateName reports whether s is made of Meta's name characters
// (its length is NAME_TOO_LONG's business).
func isTemplateName(s string) bool { return s != "" && isLowerWord(s) }

func checkLanguage(fs *findings, code string) {
	if strings.TrimSpace(code) == "" {
		fs.add("LANGUAGE_UNSUPPORTED", "language", "a template needs a language (e.g. en_US)")
		return
	}
	if _, ok := SupportedLanguageByCode(code); ok {
		return
	}
	if l, ok := closestLanguage(code); ok {
		fs.add("LANGUAGE_UNSUPPORTED", "language", "write the language code as Meta does: %s, not %s", l.Code, code)
		return
	}
	fs.add("LANGUAGE_UNSUPPORTED", "language", "%q is not a language Meta supports for templates", truncate(code, 20))
}

// components checks a template's (or a carousel card's) components.
func (c *templateCheck) components(comps []TemplateComponentDef, path string, card bool) {
	seen := map[string]int{}
	var body *TemplateComponentDef
	var offer, footer bool
	for i := range comps {
		comp := &comps[i]
		f := fmt.Sprintf("%s[%d]", path, i)
		typ := strings.ToUpper(strings.TrimSpace(comp.Type))
		if typ == "" {
			c.fs.add("COMPONENT_TYPE_INVALID", f+".type", "the component needs a type (HEADER, BODY, FOOTER or BUTTONS)")
			continue
		}
		switch typ {
		case TemplateHeader, TemplateBody, TemplateFooter, TemplateButtons, TemplateCarousel, TemplateLimitedTimeOffer:
			if prev, dup := seen[typ]; dup {
				c.fs.add("COMPONENT_DUPLICATE", f+".type", "a template has one %s component; %s[%d] is another", strings.ToLower(typ), path, prev)
				continue
			}
			seen[typ] = i
		}
		switch typ {
		case TemplateHeader:
			c.header(comp, f, card)
		case TemplateBody:
			body = comp
			c.body(comp, f, card)
		case TemplateFooter:
			footer = true
			c.footer(comp, f)
		case TemplateButtons:
			c.buttons(comp.Buttons, f+".buttons", card)
		case TemplateCarousel:
			c.carousel(comp, f)
		case TemplateLimitedTimeOffer:
			offer = true
			c.offer(comp, f)
		default:
			c.fs.add("COMPONENT_UNCHECKED", f+".type", "%q components are forwarded to Meta unchecked", truncate(comp.Type, 40))
		}
		if !c.auth && (comp.AddSecurityRecommendation != nil || comp.CodeExpirationMinutes != nil) {
			c.fs.add("AUTH_ONLY_OPTION", f, "add_security_recommendation and code_expiration_minutes apply to authentication templates only")
		}
	}
	if body == nil {
		c.fs.add("BODY_REQUIRED", path, "a template needs a BODY component")
	}
	if offer && footer {
		c.fs.add("OFFER_INVALID", path, "a limited-time offer template cannot have a footer")
	}
	if offer && c.category != "" && c.category != CategoryMarketing {
		c.fs.add("OFFER_INVALID", "category", "a limited-time offer is a MARKETING template")
	}
	if c.auth && !card {
		if _, ok := seen[TemplateButtons]; !ok {
			c.fs.add("AUTH_OTP_BUTTON", path, "an authentication template needs a BUTTONS component with one OTP button")
		}
	}
}

// Further component types Meta documents.
const (
	TemplateCarousel         = "CAROUSEL"
	TemplateLimitedTimeOffer = "LIMITED_TIME_OFFER"
)

func (c *templateCheck) header(comp *TemplateComponentDef, f string, card bool) {
	format := strings.ToUpper(strings.TrimSpace(comp.Format))
	if c.auth {
		c.fs.add("AUTH_CONTENT", f, "an authentication template has no header: Meta supplies its text, and media are not supported")
		return
	}
	if card {
		if format != FormatImage && format != FormatVideo {
			c.fs.add("CAROUSEL_INVALID", f+".format", "a carousel card's header is an IMAGE or a VIDEO")
			return
		}
	}
	switch format {
	case FormatText:
		if strings.TrimSpace(comp.Text) == "" {
			c.fs.add("TEXT_REQUIRED", f+".text", "a text header needs text")
			return
		}
		if n := chars(comp.Text); n > MaxHeaderText {
			c.fs.add("HEADER_TOO_LONG", f+".text", "the header is %d characters; at most %d are allowed", n, MaxHeaderText)
		}
		if strings.ContainsAny(comp.Text, "*_~`") {
			c.fs.add("HEADER_MARKDOWN", f+".text", "Markdown characters (* _ ~ `) are not formatted in a header and are best left out")
		}
		vars := c.textVars(comp.Text, f+".text")
		if d := distinctNames(vars); len(d) > MaxTemplateHeaderVars {
			c.fs.add("HEADER_VAR_COUNT", f+".text", "a text header has at most %d variable; this one has %d", MaxTemplateHeaderVars, len(d))
		}
		c.examples(comp, f, vars, true)
	case FormatImage, FormatVideo, FormatDocument:
		if comp.Example == nil || len(comp.Example.HeaderHandle) == 0 || strings.TrimSpace(comp.Example.HeaderHandle[0]) == "" {
			c.fs.add("EXAMPLE_MISSING", f+".example.header_handle", "a %s header needs a sample file: upload one and give its handle in example.header_handle", strings.ToLower(format))
		}
	case FormatLocation:
	case "":
		c.fs.add("HEADER_FORMAT_INVALID", f+".format", "the header needs a format: TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION")
	default:
		c.fs.add("COMPONENT_UNCHECKED", f+".format", "%q headers are forwarded to Meta unchecked", truncate(comp.Format, 40))
	}
}

func (c *templateCheck) body(comp *TemplateComponentDef, f string, card bool) {
	if c.auth && !card {
		if comp.Text != "" {
			c.fs.add("AUTH_PRESET_TEXT", f+".text", "Meta supplies the body of an authentication template (\"<code> is your verification code.\"); this text is not what the customer sees")
			c.authText(comp.Text, f+".text")
		}
		return
	}
	if strings.TrimSpace(comp.Text) == "" {
		c.fs.add("TEXT_REQUIRED", f+".text", "the body needs text")
		return
	}
	max, code := MaxTemplateBody, "BODY_TOO_LONG"
	if card {
		max, code = MaxCarouselCardBody, "CAROUSEL_INVALID"
	}
	if n := chars(comp.Text); n > max {
		c.fs.add(code, f+".text", "the body is %d characters; at most %d are allowed", n, max)
	}
	vars := c.textVars(comp.Text, f+".text")
	c.examples(comp, f, vars, false)
	if len(vars) == 0 {
		c.categoryWords(comp.Text, f+".text")
		return
	}
	trimmed := strings.TrimSpace(comp.Text)
	if strings.HasPrefix(trimmed, "{{") {
		c.fs.add("BODY_VAR_EDGE", f+".text", "the body cannot start with a variable: begin with fixed text")
	}
	if strings.HasSuffix(trimmed, "}}") {
		c.fs.add("BODY_VAR_EDGE", f+".text", "the body cannot end with a variable: end with fixed text (a full stop will do)")
	}
	if adjacentVars.MatchString(comp.Text) {
		c.fs.add("VAR_ADJACENT", f+".text", "two variables are next to each other; Meta often rejects this: put words between them")
	}
	if words := len(strings.Fields(variableToken.ReplaceAllString(comp.Text, " "))); words < MinWordsPerVariable*len(vars) {
		c.fs.add("VAR_DENSITY", f+".text", "%d variables for %d words of fixed text: Meta often rejects a template with too many variables for its length", len(vars), words)
	}
	c.categoryWords(comp.Text, f+".text")
}

func (c *templateCheck) footer(comp *TemplateComponentDef, f string) {
	if c.auth {
		if m := comp.CodeExpirationMinutes; m != nil && (*m < 1 || *m > MaxCodeExpirationMinutes) {
			c.fs.add("AUTH_EXPIRATION", f+".code_expiration_minutes", "code_expiration_minutes must be 1 to %d; %d is not", MaxCodeExpirationMinutes, *m)
		}
		if comp.Text != "" {
			c.fs.add("AUTH_PRESET_TEXT", f+".text", "Meta supplies the footer of an authentication template (\"This code expires in N minutes.\"); this text is not what the customer sees")
			c.authText(comp.Text, f+".text")
		}
		return
	}
	if strings.TrimSpace(comp.Text) == "" {
		c.fs.add("TEXT_REQUIRED", f+".text", "the footer needs text (or leave the footer out)")
		return
	}
	if n := chars(comp.Text); n > MaxFooterText {
		c.fs.add("FOOTER_TOO_LONG", f+".text", "the footer is %d characters; at most %d are allowed", n, MaxFooterText)
	}
	if len(variableToken.FindAllString(comp.Text, -1)) > 0 {
		c.fs.add("FOOTER_VAR", f+".text", "the footer cannot have variables")
	}
}

// authText flags what authentication templates may not contain.
func (c *templateCheck) authText(s, f string) {
	if urlLike.MatchString(s) {
		c.fs.add("AUTH_CONTENT", f, "authentication templates cannot contain URLs")
	}
	if hasEmoji(s) {
		c.fs.add("AUTH_CONTENT", f, "authentication templates cannot contain emojis")
	}
}

var (
	// variableToken is one {{…}} (without nested braces).
	variableToken = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	adjacentVars  = regexp.MustCompile(`\}\}[ \t]*\{\{`)
	positionalVar = regexp.MustCompile(`^[1-9][0-9]*$`)
	namedVar      = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	urlLike       = regexp.MustCompile(`(?i)\bhttps?://|\bwww\.[a-z0-9-]+\.[a-z]`)
	promoWords    = regexp.MustCompile(`(?i)\b(discount|sale|promo(tion)? code|coupon|% off|\d+% off|buy now|shop now|special offer|limited time|free shipping|deal of|offer ends|exclusive offer)\b|\d+\s?% off`)
)

// textVars returns the variables of a text in order of appearance
// (repeats included), flagging malformed ones, the wrong style for the
// template and positional numbering out of sequence.
func (c *templateCheck) textVars(text, f string) []string {
	stripped := variableToken.ReplaceAllString(text, "")
	if strings.Contains(stripped, "{{") || strings.Contains(stripped, "}}") {
		c.fs.add("VAR_SYNTAX", f, "unbalanced braces: variables are written {{1}} or {{name}}")
	}
	var vars []string
	for _, m := range variableToken.FindAllStringSubmatch(text, -1) {
		name := m[1]
		switch {
		case positionalVar.MatchString(name):
			if c.named {
				c.fs.add("PARAM_STYLE_MIXED", f, "{{%s}} is positional but the template's parameter_format is NAMED: use a name such as {{order_id}}", name)
				continue
			}
		case namedVar.MatchString(name):
			if !c.named {
				c.fs.add("PARAM_STYLE_MIXED", f, "{{%s}} is a named variable: set parameter_format to NAMED, or number the variables {{1}}, {{2}}…", name)
				continue
			}
		case strings.TrimSpace(name) == "":
			c.fs.add("VAR_SYNTAX", f, "{{}} is empty: write {{1}} or {{name}}")
			continue
		case c.named && strings.TrimSpace(name) != name:
			c.fs.add("VAR_SYNTAX", f, "{{%s}} has spaces inside the braces", name)
			continue
		case c.named:
			c.fs.add("NAMED_PARAM_FORMAT", f, "{{%s}}: a parameter name is lowercase letters, digits and underscores, starting with a letter", truncate(name, 40))
			continue
		default:
			c.fs.add("VAR_SYNTAX", f, "{{%s}} is not a variable: write {{1}}, {{2}}… (or set parameter_format to NAMED for {{names}})", truncate(name, 40))
			continue
		}
		vars = append(vars, name)
	}
	if !c.named {
		for i, v := range distinctNames(vars) {
			if v != strconv.Itoa(i+1) {
				c.fs.add("VAR_SEQUENCE", f, "variables are numbered in order from {{1}}: {{%d}} is expected where {{%s}} is", i+1, v)
				break
			}
		}
	}
	return vars
}

// distinctNames returns the names in order of first appearance.
func distinctNames(vars []string) []string {
	seen := make(map[string]bool, len(vars))
	var out []string
	for _, v := range vars {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// examples checks a header's or body's samples against its variables.
func (c *templateCheck) examples(comp *TemplateComponentDef, f string, vars []string, header bool) {
	ex := comp.Example
	want := distinctNames(vars)
	posKey, namedKey := "body_text", "body_text_named_params"
	var pos []string
	var named []NamedParamExample
	if header {
		posKey, namedKey = "header_text", "header_text_named_params"
	}
	if ex != nil {
		if header {
			pos, named = ex.HeaderText, ex.HeaderTextNamedParams
		} else {
			named = ex.BodyTextNamedParams
			if len(ex.BodyText) > 0 {
				pos = ex.BodyText[0]
			}
			if len(ex.BodyText) > 1 {
				c.fs.add("EXAMPLE_MISMATCH", f+".example.body_text", "body_text holds one set of samples: [[\"value 1\", \"value 2\"]]")
			}
		}
	}
	if c.named {
		if len(pos) > 0 {
			c.fs.add("EXAMPLE_MISMATCH", f+".example."+posKey, "a NAMED template gives its samples in %s", namedKey)
		}
		have := make(map[string]bool, len(named))
		for i, e := range named {
			ef := fmt.Sprintf("%s.example.%s[%d]", f, namedKey, i)
			switch {
			case !slicesContains(want, e.ParamName):
				c.fs.add("EXAMPLE_MISMATCH", ef+".param_name", "there is no variable {{%s}} to give a sample for", truncate(e.ParamName, 40))
			case strings.TrimSpace(e.Example) == "":
				c.fs.add("EXAMPLE_MISSING", ef+".example", "the sample for {{%s}} is empty", e.ParamName)
			}
			have[e.ParamName] = true
		}
		for _, v := range want {
			if !have[v] {
				c.fs.add("EXAMPLE_MISSING", f+".example."+namedKey, "{{%s}} needs a sample value", v)
			}
		}
		return
	}
	if len(named) > 0 {
		c.fs.add("EXAMPLE_MISMATCH", f+".example."+namedKey, "a POSITIONAL template gives its samples in %s", posKey)
	}
	switch {
	case len(want) == 0 && len(pos) > 0:
		c.fs.add("EXAMPLE_MISMATCH", f+".example."+posKey, "there are samples but no variables")
	case len(pos) < len(want):
		for i := len(pos); i < len(want); i++ {
			c.fs.add("EXAMPLE_MISSING", f+".example."+posKey, "{{%s}} needs a sample value", want[i])
		}
	case len(pos) > len(want):
		c.fs.add("EXAMPLE_MISMATCH", f+".example."+posKey, "%d samples for %d variables", len(pos), len(want))
	}
	for i, v := range pos {
		if i < len(want) && strings.TrimSpace(v) == "" {
			idx := fmt.Sprintf("[%d]", i)
			if !header {
				idx = "[0]" + idx
			}
			c.fs.add("EXAMPLE_MISSING", f+".example."+posKey+idx, "the sample for {{%s}} is empty", want[i])
		}
	}
}

func slicesContains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// categoryWords warns when a non-marketing template reads as promotional.
func (c *templateCheck) categoryWords(text, f string) {
	if c.category != CategoryUtility && c.category != CategoryAuthentication {
		return
	}
	if m := promoWords.FindString(text); m != "" {
		c.fs.add("CATEGORY_MISMATCH", f, "%q reads as promotional: Meta moves such %s templates to MARKETING or rejects them", strings.TrimSpace(m), c.category)
	}
}

// buttons checks a BUTTONS component's buttons.
func (c *templateCheck) buttons(bs []TemplateButton, f string, card bool) {
	max := MaxTemplateButtons
	if card {
		max = MaxCarouselCardButtons
	}
	if len(bs) == 0 || len(bs) > max {
		code := "BUTTONS_TOO_MANY"
		if card {
			code = "CAROUSEL_INVALID"
		}
		c.fs.add(code, f, "%d buttons; 1 to %d are allowed", len(bs), max)
	}
	count := map[string]int{}
	var kinds []bool // quick reply or not, in order
	otps := 0
	for i := range bs {
		b := &bs[i]
		bf := fmt.Sprintf("%s[%d]", f, i)
		typ := strings.ToUpper(strings.TrimSpace(b.Type))
		count[typ]++
		kinds = append(kinds, typ == ButtonQuickReply)
		if typ == ButtonOTP {
			otps++
		}
		if c.auth && !card && typ != ButtonOTP && typ != "" {
			c.fs.add("AUTH_OTP_BUTTON", bf+".type", "an authentication template's only button is an OTP button, not %s", typ)
		}
		switch typ {
		case "":
			c.fs.add("BUTTON_TYPE_INVALID", bf+".type", "the button needs a type (QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP or FLOW)")
		case ButtonQuickReply:
			c.buttonText(b, bf, true)
		case ButtonURL:
			c.buttonText(b, bf, true)
			c.url(b, bf)
		case ButtonPhoneNumber:
			c.buttonText(b, bf, true)
			c.phone(b.PhoneNumber, bf+".phone_number")
		case ButtonCopyCode:
			c.copyCode(b, bf)
		case ButtonFlow:
			c.buttonText(b, bf, true)
			c.flow(b, bf)
		case ButtonOTP:
			c.buttonText(b, bf, false)
			c.otp(b, bf)
		default:
			c.fs.add("BUTTON_UNCHECKED", bf+".type", "%q buttons are forwarded to Meta unchecked", truncate(b.Type, 40))
		}
	}
	if c.auth && !card && otps != 1 {
		c.fs.add("AUTH_OTP_BUTTON", f, "an authentication template has exactly one OTP button; %d given", otps)
	}
	limits := []struct {
		typ string
		max int
	}{{ButtonQuickReply, MaxTemplateQuickReplies}, {ButtonURL, MaxTemplateURLButtons}, {ButtonPhoneNumber, MaxTemplatePhoneButtons},
		{ButtonCopyCode, MaxTemplateCopyCode}, {ButtonOTP, MaxTemplateOTPButtons}, {ButtonFlow, MaxTemplateFlowButtons}}
	for _, l := range limits {
		if count[l.typ] > l.max {
			c.fs.add("BUTTON_TYPE_COUNT", f, "%d %s buttons; at most %d are allowed", count[l.typ], l.typ, l.max)
		}
	}
	// Quick replies form one group: the run of quick-reply/other switches
	// at most once.
	switches := 0
	for i := 1; i < len(kinds); i++ {
		if kinds[i] != kinds[i-1] {
			switches++
		}
	}
	if switches > 1 {
		c.fs.add("BUTTON_GROUPING", f, "quick reply buttons must be together, all before or all after the other buttons")
	}
}

// buttonText checks a button's label; required says whether it must have
// one (OTP buttons default theirs).
func (c *templateCheck) buttonText(b *TemplateButton, f string, required bool) {
	if required && strings.TrimSpace(b.Text) == "" {
		c.fs.add("TEXT_REQUIRED", f+".text", "the button needs text")
		return
	}
	if n := chars(b.Text); n > MaxTemplateButtonText {
		c.fs.add("BUTTON_TEXT_TOO_LONG", f+".text", "the button text is %d characters; at most %d are allowed", n, MaxTemplateButtonText)
	}
}

func (c *templateCheck) url(b *TemplateButton, f string) {
	raw := b.URL
	if n := chars(raw); n > MaxTemplateURL {
		c.fs.add("URL_TOO_LONG", f+".url", "the URL is %d characters; at most %d are allowed", n, MaxTemplateURL)
	}
	vars := variableToken.FindAllStringSubmatchIndex(raw, -1)
	base := raw
	switch {
	case len(vars) > 1:
		c.fs.add("URL_VAR_POSITION", f+".url", "a URL has at most one variable, {{1}}, at its end")
	case len(vars) == 1:
		m := vars[0]
		name := raw[m[2]:m[3]]
		if m[1] != len(raw) || name != "1" {
			c.fs.add("URL_VAR_POSITION", f+".url", "a URL's variable is {{1}}, at the very end of the URL")
		}
		base = raw[:m[0]]
		var ex []string
		if err := json.Unmarshal(b.Example, &ex); err != nil || len(ex) != 1 || strings.TrimSpace(ex[0]) == "" {
			c.fs.add("EXAMPLE_MISSING", f+".example", "a URL with a variable needs a sample: example: [\"https://…/full-sample-url\"]")
		}
	}
	if strings.Contains(base, "{{") || strings.Contains(base, "}}") {
		c.fs.add("URL_VAR_POSITION", f+".url", "a URL's variable is {{1}}, at the very end of the URL")
	}
	u, err := url.Parse(base)
	if strings.TrimSpace(raw) == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		c.fs.add("URL_INVALID", f+".url", "the URL must be an absolute http(s) address, e.g. https://example.com/orders/{{1}}")
	}
}

func (c *templateCheck) phone(p, f string) {
	digits := strings.TrimPrefix(p, "+")
	ok := digits != "" && chars(p) <= MaxTemplatePhoneNumber && len(digits) >= 5
	for _, r := range digits {
		if r < '0' || r > '9' {
			ok = false
		}
	}
	if !ok {
		c.fs.add("PHONE_NUMBER_INVALID", f, "the phone number must be an international number with its country code (e.g. +15550783881), at most %d characters", MaxTemplatePhoneNumber)
	}
}

func (c *templateCheck) copyCode(b *TemplateButton, f string) {
	if c.auth {
		return // AUTH_OTP_BUTTON said it
	}
	var code string
	if err := json.Unmarshal(b.Example, &code); err != nil || strings.TrimSpace(code) == "" {
		c.fs.add("EXAMPLE_MISSING", f+".example", "a copy code button needs a sample code: example: \"SUMMER25\"")
		return
	}
	if n := chars(code); n > MaxCouponCode {
		c.fs.add("COPY_CODE_INVALID", f+".example", "the sample code is %d characters; at most %d are allowed", n, MaxCouponCode)
	}
}

func (c *templateCheck) flow(b *TemplateButton, f string) {
	named := 0
	for _, s := range []string{b.FlowID, b.FlowName, b.FlowJSON} {
		if strings.TrimSpace(s) != "" {
			named++
		}
	}
	if named != 1 {
		c.fs.add("FLOW_BUTTON_INVALID", f, "a flow button names its Flow by exactly one of flow_id, flow_name or flow_json")
	}
	switch strings.ToLower(b.FlowAction) {
	case "", "navigate":
	case "data_exchange":
		if b.NavigateScreen != "" {
			c.fs.add("FLOW_BUTTON_INVALID", f+".navigate_screen", "navigate_screen goes with flow_action navigate, not data_exchange")
		}
	default:
		c.fs.add("FLOW_BUTTON_INVALID", f+".flow_action", "flow_action is navigate or data_exchange; %q is not", truncate(b.FlowAction, 40))
	}
}

// Kinds of one-time password buttons.
const (
	OTPCopyCode = "COPY_CODE"
	OTPOneTap   = "ONE_TAP"
	OTPZeroTap  = "ZERO_TAP"
)

func (c *templateCheck) otp(b *TemplateButton, f string) {
	if !c.auth {
		c.fs.add("OTP_OUTSIDE_AUTH", f+".type", "OTP buttons belong to AUTHENTICATION templates")
	}
	kind := strings.ToUpper(b.OTPType)
	switch kind {
	case OTPCopyCode:
		return
	case OTPOneTap, OTPZeroTap:
	default:
		c.fs.add("OTP_TYPE_INVALID", f+".otp_type", "otp_type is COPY_CODE, ONE_TAP or ZERO_TAP")
		return
	}
	if n := chars(b.AutofillText); n > MaxTemplateButtonText {
		c.fs.add("BUTTON_TEXT_TOO_LONG", f+".autofill_text", "autofill_text is %d characters; at most %d are allowed", n, MaxTemplateButtonText)
	}
	single := b.PackageName != "" || b.SignatureHash != ""
	switch {
	case len(b.SupportedApps) == 0 && !single:
		c.fs.add("OTP_APP_REQUIRED", f+".supported_apps", "a %s button names the Android app that receives the code: supported_apps (or package_name and signature_hash)", kind)
	case len(b.SupportedApps) > 0 && single:
		c.fs.add("OTP_APP_INVALID", f, "give the apps in supported_apps or in package_name/signature_hash, not both")
	case len(b.SupportedApps) > MaxSupportedApps:
		c.fs.add("OTP_APP_INVALID", f+".supported_apps", "%d apps; at most %d are allowed", len(b.SupportedApps), MaxSupportedApps)
	}
	if single {
		checkApp(c.fs, b.PackageName, b.SignatureHash, f)
	}
	for i, a := range b.SupportedApps {
		checkApp(c.fs, a.PackageName, a.SignatureHash, fmt.Sprintf("%s.supported_apps[%d]", f, i))
	}
	if kind == OTPZeroTap && (b.ZeroTapTermsAccepted == nil || !*b.ZeroTapTermsAccepted) {
		c.fs.add("ZERO_TAP_TERMS", f+".zero_tap_terms_accepted", "a ZERO_TAP button needs zero_tap_terms_accepted: true (Meta's zero-tap terms)")
	}
}

var (
	androidPackage = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`)
	signatureHash  = regexp.MustCompile(`^[A-Za-z0-9+/]{11}$`)
)

func checkApp(fs *findings, pkg, hash, f string) {
	if !androidPackage.MatchString(pkg) || len(pkg) > MaxAndroidPackageName {
		fs.add("OTP_APP_INVALID", f+".package_name", "package_name must be an Android package name such as com.example.app")
	}
	if !signatureHash.MatchString(hash) {
		fs.add("OTP_APP_INVALID", f+".signature_hash", "signature_hash must be the app's %d-character signing key hash", SignatureHashLength)
	}
}

func (c *templateCheck) offer(comp *TemplateComponentDef, f string) {
	o := comp.LimitedTimeOffer
	if o == nil || strings.TrimSpace(o.Text) == "" {
		c.fs.add("OFFER_INVALID", f+".limited_time_offer.text", "a limited-time offer needs its text")
		return
	}
	if n := chars(o.Text); n > MaxOfferText {
		c.fs.add("OFFER_INVALID", f+".limited_time_offer.text", "the offer text is %d characters; at most %d are allowed", n, MaxOfferText)
	}
}

func (c *templateCheck) carousel(comp *TemplateComponentDef, f string) {
	if len(comp.Cards) == 0 || len(comp.Cards) > MaxCarouselCards {
		c.fs.add("CAROUSEL_INVALID", f+".cards", "%d cards; 1 to %d are allowed", len(comp.Cards), MaxCarouselCards)
	}
	for i := range comp.Cards {
		c.components(comp.Cards[i].Components, fmt.Sprintf("%s.cards[%d].components", f, i), true)
	}
}

// hasEmoji reports whether s has a pictographic character.
func hasEmoji(s string) bool {
	for _, r := range s {
		if r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || unicode.Is(unicode.So, r) && r > 0x2000 {
			return true
		}
	}
	return false
}

// TemplateRuleByCode returns the rule with the code.
func TemplateRuleByCode(code string) (TemplateRule, bool) {
	r, ok := rulesByCode[code]
	return r, ok
}
