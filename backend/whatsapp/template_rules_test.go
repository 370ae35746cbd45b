package whatsapp

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"switchboard/backend/apierr"
)

// Definitions as Meta's documentation writes them (lowercase types, as its
// examples do), each valid. The rule table below mutates copies of them.
const (
	// Utility, positional, with every plain component and button kind.
	defUtility = `{"name":"order_update","language":"en_US","category":"UTILITY","components":[
		{"type":"HEADER","format":"TEXT","text":"Order {{1}}","example":{"header_text":["#4521"]}},
		{"type":"BODY","text":"Hi {{1}}, your order ships on {{2}} by courier.","example":{"body_text":[["Pablo","May 3"]]}},
		{"type":"FOOTER","text":"Lucky Shrub"},
		{"type":"BUTTONS","buttons":[
			{"type":"QUICK_REPLY","text":"Stop updates"},
			{"type":"URL","text":"Track","url":"https://example.com/track/{{1}}","example":["https://example.com/track/4521"]},
			{"type":"PHONE_NUMBER","text":"Call us","phone_number":"+15550783881"}]}]}`
	// Marketing, named, image header, copy code and flow buttons.
	defMarketing = `{"name":"summer_sale","language":"pt_BR","category":"MARKETING","parameter_format":"NAMED","components":[
		{"type":"header","format":"image","example":{"header_handle":["4::aW1hZ2UvanBlZw==:ARb"]}},
		{"type":"body","text":"Olá {{first_name}}, use o código {{code}} até domingo.","example":{"body_text_named_params":[
			{"param_name":"first_name","example":"Ana"},{"param_name":"code","example":"VERAO25"}]}},
		{"type":"buttons","buttons":[
			{"type":"copy_code","example":"VERAO25"},
			{"type":"flow","text":"Ver ofertas","flow_id":"1234567890","flow_action":"navigate","navigate_screen":"WELCOME"}]}]}`
	// Authentication with a copy code button, exactly as Meta's example:
	// no body or footer text, Meta supplies it.
	defAuthCopy = `{"name":"verify_code","language":"en_US","category":"authentication","message_send_ttl_seconds":600,"components":[
		{"type":"body","add_security_recommendation":true},
		{"type":"footer","code_expiration_minutes":10},
		{"type":"buttons","buttons":[{"type":"otp","otp_type":"copy_code","text":"Copy code"}]}]}`
	// Authentication with a one-tap autofill button.
	defAuthOneTap = `{"name":"verify_one_tap","language":"en_US","category":"AUTHENTICATION","components":[
		{"type":"body","add_security_recommendation":false},
		{"type":"buttons","buttons":[{"type":"otp","otp_type":"one_tap","text":"Copy code","autofill_text":"Autofill",
			"supported_apps":[{"package_name":"com.example.luckyshrub","signature_hash":"K8a/AINcGX7"}]}]}]}`
	// Authentication with a zero-tap button (one app given inline).
	defAuthZeroTap = `{"name":"verify_zero_tap","language":"en_US","category":"AUTHENTICATION","components":[
		{"type":"body"},
		{"type":"buttons","buttons":[{"type":"otp","otp_type":"zero_tap","text":"Copy code","autofill_text":"Autofill",
			"package_name":"com.example.luckyshrub","signature_hash":"K8a/AINcGX7","zero_tap_terms_accepted":true}]}]}`
	// Limited-time offer.
	defOffer = `{"name":"limited_offer","language":"en_US","category":"MARKETING","components":[
		{"type":"header","format":"image","example":{"header_handle":["4::aW1h"]}},
		{"type":"limited_time_offer","limited_time_offer":{"text":"Expiring offer!","has_expiration":true}},
		{"type":"body","text":"Good news, {{1}}! Use code {{2}} before Friday.","example":{"body_text":[["Pablo","CARIBE25"]]}},
		{"type":"buttons","buttons":[{"type":"copy_code","example":"CARIBE25"},{"type":"url","text":"Book now!","url":"https://example.com/?code={{1}}","example":["https://example.com/?code=CARIBE25"]}]}]}`
	// Media card carousel.
	defCarousel = `{"name":"carousel_plants","language":"en_US","category":"marketing","components":[
		{"type":"body","text":"Rare succulents for sale, {{1}} and more.","example":{"body_text":[["echeverias"]]}},
		{"type":"carousel","cards":[
			{"components":[{"type":"header","format":"image","example":{"header_handle":["4::an"]}},
				{"type":"body","text":"Use code {{1}} for 15% off.","example":{"body_text":[["15OFF"]]}},
				{"type":"buttons","buttons":[{"type":"quick_reply","text":"Send more like this"},{"type":"url","text":"Buy now","url":"https://example.com/{{1}}","example":["https://example.com/ec"]}]}]},
			{"components":[{"type":"header","format":"image","example":{"header_handle":["4::bm"]}},
				{"type":"body","text":"Use code {{1}} for 20% off.","example":{"body_text":[["20OFF"]]}},
				{"type":"buttons","buttons":[{"type":"quick_reply","text":"Send more like this"}]}]}]}]}`
)

func mustTemplate(t *testing.T, s string) Template {
	t.Helper()
	var tpl Template
	if err := json.Unmarshal([]byte(s), &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

// ruleCase is one row: a definition (a base, changed by mut) and the rule
// it exercises; bad says whether a finding of that code is expected, at
// field when field is set.
type ruleCase struct {
	code  string
	name  string
	base  string
	mut   func(*Template)
	bad   bool
	field string
}

func ptr[T any](v T) *T { return &v }

func comp(tpl *Template, i int) *TemplateComponentDef { return &tpl.Components[i] }
func button(tpl *Template, ci, bi int) *TemplateButton {
	return &tpl.Components[ci].Buttons[bi]
}

// ruleCases holds, for every rule in TemplateRules, at least one definition
// that breaks it and one that keeps it. Each rule's source is in
// TemplateRules (and RULES.md); the test below checks the coverage.
var ruleCases = []ruleCase{
	// name
	{"NAME_FORMAT", "lowercase name", defUtility, nil, false, ""},
	{"NAME_FORMAT", "uppercase", defUtility, func(t *Template) { t.Name = "Order_Update" }, true, "name"},
	{"NAME_FORMAT", "space", defUtility, func(t *Template) { t.Name = "order update" }, true, "name"},
	{"NAME_FORMAT", "empty", defUtility, func(t *Template) { t.Name = "" }, true, "name"},
	{"NAME_TOO_LONG", "512 characters", defUtility, func(t *Template) { t.Name = strings.Repeat("a", 512) }, false, ""},
	{"NAME_TOO_LONG", "513 characters", defUtility, func(t *Template) { t.Name = strings.Repeat("a", 513) }, true, "name"},
	// language
	{"LANGUAGE_UNSUPPORTED", "pt_BR", defMarketing, nil, false, ""},
	{"LANGUAGE_UNSUPPORTED", "hyphen", defUtility, func(t *Template) { t.Language = "en-US" }, true, "language"},
	{"LANGUAGE_UNSUPPORTED", "unknown", defUtility, func(t *Template) { t.Language = "xx_YY" }, true, "language"},
	{"LANGUAGE_UNSUPPORTED", "missing", defUtility, func(t *Template) { t.Language = "" }, true, "language"},
	// category and format
	{"CATEGORY_INVALID", "lowercase authentication", defAuthCopy, nil, false, ""},
	{"CATEGORY_INVALID", "PROMO", defUtility, func(t *Template) { t.Category = "PROMO" }, true, "category"},
	{"PARAMETER_FORMAT_INVALID", "NAMED", defMarketing, nil, false, ""},
	{"PARAMETER_FORMAT_INVALID", "mixed", defUtility, func(t *Template) { t.ParameterFormat = "mixed" }, true, "parameter_format"},
	// components
	{"COMPONENT_TYPE_INVALID", "typed", defUtility, nil, false, ""},
	{"COMPONENT_TYPE_INVALID", "no type", defUtility, func(t *Template) { comp(t, 2).Type = "" }, true, "components[2].type"},
	{"COMPONENT_UNCHECKED", "known types", defCarousel, nil, false, ""},
	{"COMPONENT_UNCHECKED", "call permission request", defUtility, func(t *Template) {
		t.Components = append(t.Components, TemplateComponentDef{Type: "call_permission_request"})
	}, true, "components[4].type"},
	{"COMPONENT_DUPLICATE", "one of each", defUtility, nil, false, ""},
	{"COMPONENT_DUPLICATE", "two footers", defUtility, func(t *Template) {
		t.Components = append(t.Components, TemplateComponentDef{Type: "footer", Text: "Again"})
	}, true, "components[4].type"},
	{"BODY_REQUIRED", "auth body without text", defAuthCopy, nil, false, ""},
	{"BODY_REQUIRED", "no body", defUtility, func(t *Template) { t.Components = append(t.Components[:1], t.Components[2:]...) }, true, "components"},
	{"TEXT_REQUIRED", "texts present", defUtility, nil, false, ""},
	{"TEXT_REQUIRED", "empty body", defUtility, func(t *Template) { comp(t, 1).Text = " "; comp(t, 1).Example = nil }, true, "components[1].text"},
	{"TEXT_REQUIRED", "empty footer", defUtility, func(t *Template) { comp(t, 2).Text = "" }, true, "components[2].text"},
	{"TEXT_REQUIRED", "quick reply without text", defUtility, func(t *Template) { button(t, 3, 0).Text = "" }, true, "components[3].buttons[0].text"},
	// header
	{"HEADER_FORMAT_INVALID", "image", defMarketing, nil, false, ""},
	{"HEADER_FORMAT_INVALID", "no format", defUtility, func(t *Template) { comp(t, 0).Format = "" }, true, "components[0].format"},
	{"HEADER_TOO_LONG", "60 characters", defUtility, func(t *Template) { comp(t, 0).Text = strings.Repeat("é", 54) + " {{1}}" }, false, ""},
	{"HEADER_TOO_LONG", "61 characters", defUtility, func(t *Template) { comp(t, 0).Text = strings.Repeat("é", 55) + " {{1}}" }, true, "components[0].text"},
	{"HEADER_MARKDOWN", "plain", defUtility, nil, false, ""},
	{"HEADER_MARKDOWN", "bold", defUtility, func(t *Template) { comp(t, 0).Text = "*Order* {{1}}" }, true, "components[0].text"},
	{"HEADER_VAR_COUNT", "one", defUtility, nil, false, ""},
	{"HEADER_VAR_COUNT", "two", defUtility, func(t *Template) {
		comp(t, 0).Text = "Order {{1}} of {{2}}"
		comp(t, 0).Example.HeaderText = []string{"#4521", "May"}
	}, true, "components[0].text"},
	// body
	{"BODY_TOO_LONG", "1024 characters", defUtility, func(t *Template) {
		comp(t, 1).Text = "Hi {{1}}, ships {{2}} " + strings.Repeat("ü", 1024-23) + "."
	}, false, ""},
	{"BODY_TOO_LONG", "1025 characters", defUtility, func(t *Template) {
		comp(t, 1).Text = "Hi {{1}}, ships {{2}} " + strings.Repeat("ü", 1024-22) + "."
	}, true, "components[1].text"},
	{"BODY_VAR_EDGE", "inside", defUtility, nil, false, ""},
	{"BODY_VAR_EDGE", "starts", defUtility, func(t *Template) { comp(t, 1).Text = "{{1}}, your order ships on {{2}} by courier." }, true, "components[1].text"},
	{"BODY_VAR_EDGE", "ends", defUtility, func(t *Template) { comp(t, 1).Text = "Hi {{1}}, your order ships by courier on {{2}}" }, true, "components[1].text"},
	// footer
	{"FOOTER_TOO_LONG", "60", defUtility, func(t *Template) { comp(t, 2).Text = strings.Repeat("x", 60) }, false, ""},
	{"FOOTER_TOO_LONG", "61", defUtility, func(t *Template) { comp(t, 2).Text = strings.Repeat("x", 61) }, true, "components[2].text"},
	{"FOOTER_VAR", "plain", defUtility, nil, false, ""},
	{"FOOTER_VAR", "variable", defUtility, func(t *Template) { comp(t, 2).Text = "Lucky Shrub {{1}}" }, true, "components[2].text"},
	// variables
	{"VAR_SYNTAX", "well formed", defUtility, nil, false, ""},
	{"VAR_SYNTAX", "unbalanced", defUtility, func(t *Template) { comp(t, 1).Text = "Hi {{1}}, your order ships on {{2} by courier." }, true, "components[1].text"},
	{"VAR_SYNTAX", "spaces in positional", defUtility, func(t *Template) { comp(t, 1).Text = "Hi {{ 1 }}, your order ships on {{2}} by courier." }, true, "components[1].text"},
	{"VAR_SEQUENCE", "1 then 2", defUtility, nil, false, ""},
	{"VAR_SEQUENCE", "1 repeated after 2", defUtility, func(t *Template) { comp(t, 1).Text = "Hi {{1}}, your order ships on {{2}}, {{1}}, by courier." }, false, ""},
	{"VAR_SEQUENCE", "gap", defUtility, func(t *Template) { comp(t, 1).Text = "Hi {{1}}, your order ships on {{3}} by courier." }, true, "components[1].text"},
	{"VAR_SEQUENCE", "out of order", defUtility, func(t *Template) { comp(t, 1).Text = "Hi {{2}}, your order ships on {{1}} by courier." }, true, "components[1].text"},
	{"NAMED_PARAM_FORMAT", "lowercase names", defMarketing, nil, false, ""},
	{"NAMED_PARAM_FORMAT", "camel case", defMarketing, func(t *Template) {
		comp(t, 1).Text = "Olá {{firstName}}, use o código {{code}} até domingo."
	}, true, "components[1].text"},
	{"PARAM_STYLE_MIXED", "one style", defMarketing, nil, false, ""},
	{"PARAM_STYLE_MIXED", "number in a named template", defMarketing, func(t *Template) {
		comp(t, 1).Text = "Olá {{first_name}}, use o código {{1}} até domingo."
	}, true, "components[1].text"},
	{"PARAM_STYLE_MIXED", "name in a positional template", defUtility, func(t *Template) {
		comp(t, 1).Text = "Hi {{name}}, your order ships on {{2}} by courier."
	}, true, "components[1].text"},
	// samples
	{"EXAMPLE_MISSING", "all samples", defUtility, nil, false, ""},
	{"EXAMPLE_MISSING", "body without samples", defUtility, func(t *Template) { comp(t, 1).Example = nil }, true, "components[1].example.body_text"},
	{"EXAMPLE_MISSING", "named sample missing", defMarketing, func(t *Template) {
		comp(t, 1).Example.BodyTextNamedParams = comp(t, 1).Example.BodyTextNamedParams[:1]
	}, true, "components[1].example.body_text_named_params"},
	{"EXAMPLE_MISSING", "image header without handle", defMarketing, func(t *Template) { comp(t, 0).Example = nil }, true, "components[0].example.header_handle"},
	{"EXAMPLE_MISSING", "URL variable without sample", defUtility, func(t *Template) { button(t, 3, 1).Example = nil }, true, "components[3].buttons[1].example"},
	{"EXAMPLE_MISSING", "copy code without sample", defMarketing, func(t *Template) { button(t, 2, 0).Example = nil }, true, "components[2].buttons[0].example"},
	{"EXAMPLE_MISMATCH", "matching", defMarketing, nil, false, ""},
	{"EXAMPLE_MISMATCH", "sample for a missing name", defMarketing, func(t *Template) {
		comp(t, 1).Example.BodyTextNamedParams = append(comp(t, 1).Example.BodyTextNamedParams, NamedParamExample{ParamName: "city", Example: "Recife"})
	}, true, "components[1].example.body_text_named_params[2].param_name"},
	{"EXAMPLE_MISMATCH", "too many positional", defUtility, func(t *Template) { comp(t, 1).Example.BodyText = [][]string{{"a", "b", "c"}} }, true, "components[1].example.body_text"},
	// warnings on the body
	{"VAR_ADJACENT", "apart", defUtility, nil, false, ""},
	{"VAR_ADJACENT", "next to each other", defUtility, func(t *Template) { comp(t, 1).Text = "Hi {{1}} {{2}}, your order ships by courier today." }, true, "components[1].text"},
	{"VAR_DENSITY", "enough words", defUtility, nil, false, ""},
	{"VAR_DENSITY", "too many variables", defUtility, func(t *Template) { comp(t, 1).Text = "Hi {{1}}, {{2}}." }, true, "components[1].text"},
	{"CATEGORY_MISMATCH", "transactional", defUtility, nil, false, ""},
	{"CATEGORY_MISMATCH", "promotional utility", defUtility, func(t *Template) {
		comp(t, 1).Text = "Hi {{1}}, your order ships on {{2}}. Get 20% off your next order!"
	}, true, "components[1].text"},
	{"CATEGORY_MISMATCH", "promotional marketing", defMarketing, func(t *Template) {
		comp(t, 1).Text = "Olá {{first_name}}, 20% off com o código {{code}} até domingo."
	}, false, ""},
	// buttons
	{"BUTTON_TYPE_INVALID", "typed", defUtility, nil, false, ""},
	{"BUTTON_TYPE_INVALID", "no type", defUtility, func(t *Template) { button(t, 3, 0).Type = "" }, true, "components[3].buttons[0].type"},
	{"BUTTON_UNCHECKED", "known", defUtility, nil, false, ""},
	{"BUTTON_UNCHECKED", "catalog", defUtility, func(t *Template) { button(t, 3, 2).Type = "CATALOG" }, true, "components[3].buttons[2].type"},
	{"BUTTONS_TOO_MANY", "ten", defUtility, func(t *Template) {
		comp(t, 3).Buttons = make([]TemplateButton, 10)
		for i := range comp(t, 3).Buttons {
			comp(t, 3).Buttons[i] = TemplateButton{Type: "QUICK_REPLY", Text: "Option"}
		}
	}, false, ""},
	{"BUTTONS_TOO_MANY", "eleven", defUtility, func(t *Template) {
		comp(t, 3).Buttons = make([]TemplateButton, 11)
		for i := range comp(t, 3).Buttons {
			comp(t, 3).Buttons[i] = TemplateButton{Type: "QUICK_REPLY", Text: "Option"}
		}
	}, true, "components[3].buttons"},
	{"BUTTONS_TOO_MANY", "none", defUtility, func(t *Template) { comp(t, 3).Buttons = nil }, true, "components[3].buttons"},
	{"BUTTON_TYPE_COUNT", "two URLs", defUtility, func(t *Template) {
		comp(t, 3).Buttons = append(comp(t, 3).Buttons, TemplateButton{Type: "URL", Text: "Help", URL: "https://example.com/help"})
	}, false, ""},
	{"BUTTON_TYPE_COUNT", "three URLs", defUtility, func(t *Template) {
		comp(t, 3).Buttons = append(comp(t, 3).Buttons, TemplateButton{Type: "URL", Text: "Help", URL: "https://example.com/help"},
			TemplateButton{Type: "URL", Text: "FAQ", URL: "https://example.com/faq"})
	}, true, "components[3].buttons"},
	{"BUTTON_TYPE_COUNT", "two phone numbers", defUtility, func(t *Template) {
		comp(t, 3).Buttons = append(comp(t, 3).Buttons, TemplateButton{Type: "PHONE_NUMBER", Text: "Sales", PhoneNumber: "+15550783882"})
	}, true, "components[3].buttons"},
	{"BUTTON_GROUPING", "quick replies first", defUtility, nil, false, ""},
	{"BUTTON_GROUPING", "quick replies split", defUtility, func(t *Template) {
		comp(t, 3).Buttons = append(comp(t, 3).Buttons, TemplateButton{Type: "QUICK_REPLY", Text: "More"})
	}, true, "components[3].buttons"},
	{"BUTTON_TEXT_TOO_LONG", "25", defUtility, func(t *Template) { button(t, 3, 0).Text = strings.Repeat("s", 25) }, false, ""},
	{"BUTTON_TEXT_TOO_LONG", "26", defUtility, func(t *Template) { button(t, 3, 0).Text = strings.Repeat("s", 26) }, true, "components[3].buttons[0].text"},
	{"URL_INVALID", "https", defUtility, nil, false, ""},
	{"URL_INVALID", "no scheme", defUtility, func(t *Template) { button(t, 3, 1).URL = "example.com/track/{{1}}" }, true, "components[3].buttons[1].url"},
	{"URL_TOO_LONG", "2000", defUtility, func(t *Template) {
		button(t, 3, 1).URL = "https://example.com/" + strings.Repeat("a", 2000-20-5) + "{{1}}"
	}, false, ""},
	{"URL_TOO_LONG", "2001", defUtility, func(t *Template) {
		button(t, 3, 1).URL = "https://example.com/" + strings.Repeat("a", 2001-20-5) + "{{1}}"
	}, true, "components[3].buttons[1].url"},
	{"URL_VAR_POSITION", "at the end", defUtility, nil, false, ""},
	{"URL_VAR_POSITION", "in the middle", defUtility, func(t *Template) { button(t, 3, 1).URL = "https://example.com/{{1}}/track" }, true, "components[3].buttons[1].url"},
	{"URL_VAR_POSITION", "two variables", defUtility, func(t *Template) { button(t, 3, 1).URL = "https://example.com/{{1}}/{{2}}" }, true, "components[3].buttons[1].url"},
	{"PHONE_NUMBER_INVALID", "international", defUtility, nil, false, ""},
	{"PHONE_NUMBER_INVALID", "letters", defUtility, func(t *Template) { button(t, 3, 2).PhoneNumber = "call-me" }, true, "components[3].buttons[2].phone_number"},
	{"PHONE_NUMBER_INVALID", "21 characters", defUtility, func(t *Template) { button(t, 3, 2).PhoneNumber = "+" + strings.Repeat("1", 20) }, true, "components[3].buttons[2].phone_number"},
	{"COPY_CODE_INVALID", "15", defMarketing, func(t *Template) { button(t, 2, 0).Example = json.RawMessage(`"ABCDEFGHIJKLMNO"`) }, false, ""},
	{"COPY_CODE_INVALID", "16", defMarketing, func(t *Template) { button(t, 2, 0).Example = json.RawMessage(`"ABCDEFGHIJKLMNOP"`) }, true, "components[2].buttons[0].example"},
	{"FLOW_BUTTON_INVALID", "flow_id and navigate", defMarketing, nil, false, ""},
	{"FLOW_BUTTON_INVALID", "no flow", defMarketing, func(t *Template) { button(t, 2, 1).FlowID = "" }, true, "components[2].buttons[1]"},
	{"FLOW_BUTTON_INVALID", "bad action", defMarketing, func(t *Template) { button(t, 2, 1).FlowAction = "open" }, true, "components[2].buttons[1].flow_action"},
	// authentication
	{"OTP_OUTSIDE_AUTH", "OTP in authentication", defAuthCopy, nil, false, ""},
	{"OTP_OUTSIDE_AUTH", "OTP in utility", defUtility, func(t *Template) { button(t, 3, 2).Type = "OTP"; button(t, 3, 2).OTPType = "COPY_CODE" }, true, "components[3].buttons[2].type"},
	{"AUTH_OTP_BUTTON", "one OTP", defAuthCopy, nil, false, ""},
	{"AUTH_OTP_BUTTON", "no buttons", defAuthCopy, func(t *Template) { t.Components = t.Components[:2] }, true, "components"},
	{"AUTH_OTP_BUTTON", "a quick reply", defAuthCopy, func(t *Template) { button(t, 2, 0).Type = "QUICK_REPLY" }, true, "components[2].buttons[0].type"},
	{"AUTH_CONTENT", "preset text only", defAuthCopy, nil, false, ""},
	{"AUTH_CONTENT", "a header", defAuthCopy, func(t *Template) {
		t.Components = append([]TemplateComponentDef{{Type: "HEADER", Format: "IMAGE", Example: &TemplateExample{HeaderHandle: []string{"4::x"}}}}, t.Components...)
	}, true, "components[0]"},
	{"AUTH_CONTENT", "a URL in the body", defAuthCopy, func(t *Template) { comp(t, 0).Text = "Your code: see https://example.com" }, true, "components[0].text"},
	{"AUTH_CONTENT", "an emoji in the body", defAuthCopy, func(t *Template) { comp(t, 0).Text = "Your code 🔑" }, true, "components[0].text"},
	{"AUTH_PRESET_TEXT", "no text", defAuthCopy, nil, false, ""},
	{"AUTH_PRESET_TEXT", "body text", defAuthCopy, func(t *Template) { comp(t, 0).Text = "Your code is {{1}}" }, true, "components[0].text"},
	{"AUTH_ONLY_OPTION", "in authentication", defAuthCopy, nil, false, ""},
	{"AUTH_ONLY_OPTION", "in utility", defUtility, func(t *Template) { comp(t, 1).AddSecurityRecommendation = ptr(true) }, true, "components[1]"},
	{"AUTH_EXPIRATION", "90", defAuthCopy, func(t *Template) { comp(t, 1).CodeExpirationMinutes = ptr(90) }, false, ""},
	{"AUTH_EXPIRATION", "91", defAuthCopy, func(t *Template) { comp(t, 1).CodeExpirationMinutes = ptr(91) }, true, "components[1].code_expiration_minutes"},
	{"AUTH_EXPIRATION", "0", defAuthCopy, func(t *Template) { comp(t, 1).CodeExpirationMinutes = ptr(0) }, true, "components[1].code_expiration_minutes"},
	{"OTP_TYPE_INVALID", "copy_code", defAuthCopy, nil, false, ""},
	{"OTP_TYPE_INVALID", "missing", defAuthCopy, func(t *Template) { button(t, 2, 0).OTPType = "" }, true, "components[2].buttons[0].otp_type"},
	{"OTP_APP_REQUIRED", "one tap with its app", defAuthOneTap, nil, false, ""},
	{"OTP_APP_REQUIRED", "one tap without app", defAuthOneTap, func(t *Template) { button(t, 1, 0).SupportedApps = nil }, true, "components[1].buttons[0].supported_apps"},
	{"OTP_APP_INVALID", "valid apps", defAuthZeroTap, nil, false, ""},
	{"OTP_APP_INVALID", "short hash", defAuthOneTap, func(t *Template) { button(t, 1, 0).SupportedApps[0].SignatureHash = "abc" }, true, "components[1].buttons[0].supported_apps[0].signature_hash"},
	{"OTP_APP_INVALID", "bad package", defAuthZeroTap, func(t *Template) { button(t, 1, 0).PackageName = "luckyshrub" }, true, "components[1].buttons[0].package_name"},
	{"OTP_APP_INVALID", "six apps", defAuthOneTap, func(t *Template) {
		b := button(t, 1, 0)
		for len(b.SupportedApps) < 6 {
			b.SupportedApps = append(b.SupportedApps, b.SupportedApps[0])
		}
	}, true, "components[1].buttons[0].supported_apps"},
	{"ZERO_TAP_TERMS", "accepted", defAuthZeroTap, nil, false, ""},
	{"ZERO_TAP_TERMS", "not accepted", defAuthZeroTap, func(t *Template) { button(t, 1, 0).ZeroTapTermsAccepted = ptr(false) }, true, "components[1].buttons[0].zero_tap_terms_accepted"},
	// limited-time offer and carousel
	{"OFFER_INVALID", "offer", defOffer, nil, false, ""},
	{"OFFER_INVALID", "17 characters", defOffer, func(t *Template) { comp(t, 1).LimitedTimeOffer.Text = strings.Repeat("o", 17) }, true, "components[1].limited_time_offer.text"},
	{"OFFER_INVALID", "with a footer", defOffer, func(t *Template) {
		t.Components = append(t.Components, TemplateComponentDef{Type: "FOOTER", Text: "Terms apply"})
	}, true, "components"},
	{"OFFER_INVALID", "utility", defOffer, func(t *Template) { t.Category = "UTILITY" }, true, "category"},
	{"CAROUSEL_INVALID", "two cards", defCarousel, nil, false, ""},
	{"CAROUSEL_INVALID", "no cards", defCarousel, func(t *Template) { comp(t, 1).Cards = nil }, true, "components[1].cards"},
	{"CAROUSEL_INVALID", "card body 161", defCarousel, func(t *Template) {
		comp(t, 1).Cards[0].Components[1].Text = "Use code {{1}} " + strings.Repeat("x", 161-16) + "."
	}, true, "components[1].cards[0].components[1].text"},
	{"CAROUSEL_INVALID", "text header on a card", defCarousel, func(t *Template) {
		comp(t, 1).Cards[1].Components[0] = TemplateComponentDef{Type: "header", Format: "text", Text: "Card"}
	}, true, "components[1].cards[1].components[0].format"},
}

func TestTemplateRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.code+"/"+tc.name, func(t *testing.T) {
			r, ok := TemplateRuleByCode(tc.code)
			if !ok {
				t.Fatalf("no rule %s", tc.code)
			}
			tpl := mustTemplate(t, tc.base)
			if tc.mut != nil {
				tc.mut(&tpl)
			}
			fs := CheckTemplate(tpl)
			var hit *TemplateFinding
			for i := range fs {
				if fs[i].Code == tc.code && (tc.field == "" || fs[i].Field == tc.field) {
					hit = &fs[i]
					break
				}
			}
			if tc.bad && hit == nil {
				t.Fatalf("want %s at %q (%s); got %+v", tc.code, tc.field, r.Source, fs)
			}
			if !tc.bad {
				for _, f := range fs {
					if f.Code == tc.code {
						t.Fatalf("want no %s (%s); got %+v", tc.code, r.Source, f)
					}
				}
			}
			if hit != nil && (hit.Severity != r.Severity || hit.Message == "") {
				t.Errorf("finding %+v: severity should be %s and a message given", *hit, r.Severity)
			}
		})
	}
}

// TestTemplateRulesCovered checks that every rule has a row that breaks it
// and one that keeps it, a source on Meta's documentation, and a line in
// RULES.md with that source.
func TestTemplateRulesCovered(t *testing.T) {
	bad, good := map[string]bool{}, map[string]bool{}
	for _, c := range ruleCases {
		if c.bad {
			bad[c.code] = true
		} else {
			good[c.code] = true
		}
	}
	md, err := os.ReadFile("RULES.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range TemplateRules {
		if seen[r.Code] {
			t.Errorf("%s is listed twice", r.Code)
		}
		seen[r.Code] = true
		if !bad[r.Code] || !good[r.Code] {
			t.Errorf("%s needs a valid and an invalid case (valid %v, invalid %v)", r.Code, good[r.Code], bad[r.Code])
		}
		if !strings.HasPrefix(r.Source, "https://developers.facebook.com/") {
			t.Errorf("%s: the source %q is not Meta's documentation", r.Code, r.Source)
		}
		if r.Severity != apierr.SeverityError && r.Severity != apierr.SeverityWarning {
			t.Errorf("%s: severity %q", r.Code, r.Severity)
		}
		line := ""
		for _, l := range strings.Split(string(md), "\n") {
			if strings.Contains(l, "`"+r.Code+"`") {
				line = l
				break
			}
		}
		if line == "" || !strings.Contains(line, r.Source) || !strings.Contains(line, r.Severity) {
			t.Errorf("RULES.md has no line for %s with its severity and source %s", r.Code, r.Source)
		}
	}
}

// TestMetaExamplesValid checks that the definitions from Meta's documentation
// pass without an error (warnings allowed).
func TestMetaExamplesValid(t *testing.T) {
	for _, def := range []string{defUtility, defMarketing, defAuthCopy, defAuthOneTap, defAuthZeroTap, defOffer, defCarousel} {
		tpl := mustTemplate(t, def)
		if err := ValidateTemplateDefinition(tpl); err != nil {
			t.Errorf("%s: %v %+v", tpl.Name, err, apierr.As(err).Details)
		}
	}
}

// TestTemplateDefinitionRoundTrip checks that decoding and encoding again
// keeps every key, including those the types do not model and explicit
// zero values, for everything Meta documents.
func TestTemplateDefinitionRoundTrip(t *testing.T) {
	extra := `{"name":"all_keys","language":"en_US","category":"UTILITY","allow_category_change":true,"sub_category":"ORDER_DETAILS",
		"message_send_ttl_seconds":0,"library_template_name":"order_update_1","cta_url_link_tracking_opted_out":false,
		"components":[{"type":"BODY","text":"","add_security_recommendation":false,"new_key":{"nested":[1,2]}},
		{"type":"FOOTER","code_expiration_minutes":0},
		{"type":"BUTTONS","buttons":[{"type":"URL","text":"Go","url":"https://x.example/","app_deep_link":{"android":"x://"}},
			{"type":"OTP","otp_type":"ZERO_TAP","zero_tap_terms_accepted":false,"supported_apps":[{"package_name":"a.b","signature_hash":"12345678901","extra":1}]},
			{"type":"FLOW","text":"Go","flow_json":"{\"version\":\"6.0\"}","icon":"DOCUMENT"}]},
		{"type":"LIMITED_TIME_OFFER","limited_time_offer":{"text":"Soon","has_expiration":false,"x":null}},
		{"type":"CAROUSEL","cards":[{"components":[{"type":"HEADER","format":"IMAGE","example":{"header_handle":["h"],"header_url":["u"]}}],"card_key":"v"}]}]}`
	for _, def := range []string{defUtility, defMarketing, defAuthCopy, defAuthOneTap, defAuthZeroTap, defOffer, defCarousel, extra} {
		tpl := mustTemplate(t, def)
		b, err := json.Marshal(tpl)
		if err != nil {
			t.Fatal(err)
		}
		var want, got any
		if err := json.Unmarshal([]byte(def), &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v in %s", tpl.Name, err, b)
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s does not round-trip:\n got %s\nwant %s", tpl.Name, b, def)
		}
	}
	// A field set after decoding wins over the kept explicit zero.
	tpl := mustTemplate(t, extra)
	tpl.Components[0].Text = "Set later"
	b, _ := json.Marshal(tpl.Components[0])
	if strings.Count(string(b), `"text"`) != 1 || !strings.Contains(string(b), "Set later") {
		t.Errorf("got %s", b)
	}
}

func TestValidateTemplateDefinitionError(t *testing.T) {
	tpl := mustTemplate(t, defUtility)
	tpl.Name = "Bad Name"
	comp(&tpl, 3).Buttons[1].URL = "https://example.com/{{1}}/x"
	comp(&tpl, 1).Text = "Hi {{1}} {{2}}, your order ships by courier today."
	err := ValidateTemplateDefinition(tpl)
	e := apierr.As(err)
	if e.Code != apierr.ValidationFailed || e.Field != "name" {
		t.Fatalf("got %+v", e)
	}
	codes := map[string]string{}
	for _, d := range e.Details {
		codes[d.Code] = d.Severity
	}
	want := map[string]string{"NAME_FORMAT": "error", "URL_VAR_POSITION": "error", "VAR_ADJACENT": "warning"}
	for c, s := range want {
		if codes[c] != s {
			t.Errorf("%s: %q, want %q (all: %v)", c, codes[c], s, codes)
		}
	}
	// Warnings alone do not fail.
	tpl = mustTemplate(t, defUtility)
	comp(&tpl, 1).Text = "Hi {{1}} {{2}}, your order ships by courier today."
	if err := ValidateTemplateDefinition(tpl); err != nil {
		t.Fatal(err)
	}
	if fs := CheckTemplate(tpl); len(fs) != 1 || fs[0].Code != "VAR_ADJACENT" {
		t.Fatalf("got %+v", fs)
	}
}

func TestSupportedLanguages(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range SupportedLanguages {
		if seen[l.Code] || l.Name == "" {
			t.Errorf("%+v", l)
		}
		seen[l.Code] = true
	}
	for _, c := range []string{"en_US", "pt_BR", "ar", "he", "zh_TW", "prs_AF", "es_MX", "fil"} {
		if _, ok := SupportedLanguageByCode(c); !ok {
			t.Errorf("%s missing", c)
		}
	}
	if l, _ := SupportedLanguageByCode("ar"); !l.RTL {
		t.Error("Arabic is right to left")
	}
}
