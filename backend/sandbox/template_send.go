package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// templateSend is the "template" object of a send request.
type templateSend struct {
	Name     string `json:"name"`
	Language *struct {
		Code   string `json:"code"`
		Policy string `json:"policy"`
	} `json:"language"`
	Components []templateSendComponent `json:"components"`
}

type templateSendComponent struct {
	Type       string          `json:"type"`
	SubType    string          `json:"sub_type"`
	Index      json.RawMessage `json:"index"`
	Parameters []templateParam `json:"parameters"`
}

type templateParam struct {
	Type          string  `json:"type"`
	ParameterName string  `json:"parameter_name"`
	Text          *string `json:"text"`
	Payload       *string `json:"payload"`
	CouponCode    *string `json:"coupon_code"`
	Currency      *struct {
		FallbackValue string `json:"fallback_value"`
		Code          string `json:"code"`
		Amount1000    int64  `json:"amount_1000"`
	} `json:"currency"`
	DateTime *struct {
		FallbackValue string `json:"fallback_value"`
	} `json:"date_time"`
	Image    *sendMedia    `json:"image"`
	Video    *sendMedia    `json:"video"`
	Document *sendMedia    `json:"document"`
	Location *sendLocation `json:"location"`
}

// Extra template error code: a parameter value breaks Meta's formatting rule.
const CodeTemplateParamIssue = 132018

func init() {
	codeTitles[CodeTemplateParamIssue] = "There was an issue with the parameters in your template."
}

// textValue renders a body/header parameter as the customer sees it.
func (p templateParam) textValue() (string, *GraphError) {
	switch p.Type {
	case "text":
		if p.Text == nil || *p.Text == "" {
			return "", errMissing("Parameter 'text' is required for parameters of type text.")
		}
		t := *p.Text
		if strings.ContainsAny(t, "\n\t") || strings.Contains(t, "     ") {
			return "", codeError(http.StatusBadRequest, CodeTemplateParamIssue,
				"Param text cannot have new-line/tab characters or more than 4 consecutive spaces")
		}
		return t, nil
	case "currency":
		if p.Currency == nil || p.Currency.FallbackValue == "" {
			return "", errMissing("Parameter 'currency.fallback_value' is required.")
		}
		return p.Currency.FallbackValue, nil
	case "date_time":
		if p.DateTime == nil || p.DateTime.FallbackValue == "" {
			return "", errMissing("Parameter 'date_time.fallback_value' is required.")
		}
		return p.DateTime.FallbackValue, nil
	case "":
		return "", errParamRequired("parameters[]['type']")
	default:
		return "", codeError(http.StatusBadRequest, CodeTemplateParamFormat,
			fmt.Sprintf("Parameter of type %s is not valid in a text component.", p.Type))
	}
}

func templateNotFound(name, lang string) *GraphError {
	return codeError(http.StatusNotFound, CodeTemplateNotFound, fmt.Sprintf("template name (%s) does not exist in %s", name, lang))
}

func countMismatch(where string, got, want int) *GraphError {
	return codeError(http.StatusBadRequest, CodeTemplateParamCount,
		fmt.Sprintf("%s: number of localizable_params (%d) does not match the expected number of params (%d)", where, got, want))
}

// validateTemplateSend checks a template message against the account's
// templates: existence in the language (132001), status (132015 paused,
// 132016 disabled), parameter counts and names (132000), parameter types
// (132012) and the rendered length (132005). It returns the rendered body
// and the quick replies the customer can tap.
func (s *Sandbox) validateTemplateSend(ts *templateSend, v *validated) *GraphError {
	if ts == nil {
		return errParamRequired("template")
	}
	if ts.Name == "" {
		return errParamRequired("template['name']")
	}
	if ts.Language == nil || ts.Language.Code == "" {
		return errParamRequired("template['language']['code']")
	}
	lang := ts.Language.Code
	s.mu.Lock()
	found := s.templates.find(ts.Name, lang)
	var tp Template
	if found != nil {
		tp = copyTemplate(found)
	}
	s.mu.Unlock()
	if found == nil {
		return templateNotFound(ts.Name, lang)
	}
	switch tp.Status {
	case TemplateApproved:
	case TemplatePaused:
		return codeError(http.StatusBadRequest, CodeTemplatePaused, "")
	case TemplateDisabled:
		return codeError(http.StatusBadRequest, CodeTemplateDisabled, "")
	default:
		// Meta treats templates that are not approved (pending, rejected)
		// as not existing in that language.
		return templateNotFound(ts.Name, lang)
	}
	given := map[string][]templateSendComponent{}
	for _, c := range ts.Components {
		t := strings.ToLower(c.Type)
		if t != "header" && t != "body" && t != "button" {
			return errInvalidParam("Param template['components'][]['type'] must be one of {BODY, BUTTON, HEADER} - got \"%s\".", c.Type)
		}
		given[t] = append(given[t], c)
	}
	if len(given["header"]) > 1 || len(given["body"]) > 1 {
		return errValue("Only one header and one body component are allowed.")
	}
	named := tp.ParameterFormat == "NAMED"
	var body string
	var header *TemplateComponent
	var tbuttons []TemplateButton
	for i := range tp.Components {
		c := &tp.Components[i]
		switch c.Type {
		case "HEADER":
			header = c
		case "BODY":
			body = c.Text
		case "BUTTONS":
			tbuttons = c.Buttons
		}
	}
	// Header.
	var hparams []templateParam
	if h := given["header"]; len(h) == 1 {
		hparams = h[0].Parameters
	}
	if header == nil && len(hparams) > 0 {
		return countMismatch("header", len(hparams), 0)
	}
	if header != nil {
		switch header.Format {
		case "TEXT":
			vars := distinct(variables(header.Text))
			if len(hparams) != len(vars) {
				return countMismatch("header", len(hparams), len(vars))
			}
			if _, gerr := renderText(header.Text, vars, hparams, named, "header"); gerr != nil {
				return gerr
			}
		case "IMAGE", "VIDEO", "DOCUMENT", "LOCATION":
			want := strings.ToLower(header.Format)
			if len(hparams) != 1 {
				got := "UNKNOWN"
				if len(hparams) > 1 {
					return countMismatch("header", len(hparams), 1)
				}
				return codeError(http.StatusBadRequest, CodeTemplateParamFormat,
					fmt.Sprintf("header: Format mismatch, expected %s, received %s", header.Format, got))
			}
			p := hparams[0]
			if p.Type != want {
				return codeError(http.StatusBadRequest, CodeTemplateParamFormat,
					fmt.Sprintf("header: Format mismatch, expected %s, received %s", header.Format, strings.ToUpper(p.Type)))
			}
			var gerr *GraphError
			switch want {
			case "image":
				gerr = s.validateMedia("image", p.Image)
			case "video":
				gerr = s.validateMedia("video", p.Video)
			case "document":
				gerr = s.validateMedia("document", p.Document)
			case "location":
				if p.Location == nil || p.Location.Latitude == nil || p.Location.Longitude == nil {
					gerr = errMissing("Parameter 'location' needs latitude and longitude.")
				}
			}
			if gerr != nil {
				return gerr
			}
		}
	}
	// Body.
	var bparams []templateParam
	if b := given["body"]; len(b) == 1 {
		bparams = b[0].Parameters
	}
	vars := distinct(variables(body))
	if len(bparams) != len(vars) {
		return countMismatch("body", len(bparams), len(vars))
	}
	rendered, gerr := renderText(body, vars, bparams, named, "body")
	if gerr != nil {
		return gerr
	}
	if runes(rendered) > 1024 {
		return codeError(http.StatusBadRequest, CodeTemplateTextTooLong,
			fmt.Sprintf("body: text is %d characters long after the parameters were filled in; the limit is 1024.", runes(rendered)))
	}
	// Buttons: URL buttons with a variable and copy-code buttons need a
	// parameter; quick replies may carry a payload.
	payloads := map[int]string{}
	seen := map[int]bool{}
	for _, bc := range given["button"] {
		idx, err := parseIndex(bc.Index)
		if err != nil || idx < 0 || idx >= len(tbuttons) {
			return errValue("Param template['components'][]['index'] must be the position of a button of the template (0 to %d).", len(tbuttons)-1)
		}
		if seen[idx] {
			return errValue("Button index %d is given twice.", idx)
		}
		seen[idx] = true
		tb := tbuttons[idx]
		sub := strings.ToLower(bc.SubType)
		switch tb.Type {
		case "QUICK_REPLY":
			if sub != "quick_reply" {
				return codeError(http.StatusBadRequest, CodeTemplateParamFormat,
					fmt.Sprintf("button %d: expected sub_type quick_reply, received %s", idx, bc.SubType))
			}
			if len(bc.Parameters) > 1 {
				return countMismatch(fmt.Sprintf("button %d", idx), len(bc.Parameters), 1)
			}
			if len(bc.Parameters) == 1 {
				p := bc.Parameters[0]
				if p.Type != "payload" || p.Payload == nil {
					return codeError(http.StatusBadRequest, CodeTemplateParamFormat, fmt.Sprintf("button %d: quick reply parameters must be of type payload", idx))
				}
				payloads[idx] = *p.Payload
			}
		case "URL":
			want := len(variables(tb.URL))
			if sub != "url" {
				return codeError(http.StatusBadRequest, CodeTemplateParamFormat,
					fmt.Sprintf("button %d: expected sub_type url, received %s", idx, bc.SubType))
			}
			if len(bc.Parameters) != want {
				return countMismatch(fmt.Sprintf("button %d", idx), len(bc.Parameters), want)
			}
			if want == 1 && (bc.Parameters[0].Type != "text" || bc.Parameters[0].Text == nil || *bc.Parameters[0].Text == "") {
				return errMissing("Parameter 'text' is required for the URL button suffix.")
			}
		case "COPY_CODE":
			if sub != "copy_code" {
				return codeError(http.StatusBadRequest, CodeTemplateParamFormat,
					fmt.Sprintf("button %d: expected sub_type copy_code, received %s", idx, bc.SubType))
			}
			if len(bc.Parameters) != 1 {
				return countMismatch(fmt.Sprintf("button %d", idx), len(bc.Parameters), 1)
			}
			p := bc.Parameters[0]
			if p.Type != "coupon_code" || p.CouponCode == nil || *p.CouponCode == "" || runes(*p.CouponCode) > 15 {
				return errValue("Param coupon_code is required, max length 15.")
			}
		default:
			return errValue("Button %d of this template takes no parameters.", idx)
		}
	}
	for i, tb := range tbuttons {
		need := (tb.Type == "URL" && len(variables(tb.URL)) > 0) || tb.Type == "COPY_CODE"
		if need && !seen[i] {
			return countMismatch(fmt.Sprintf("button %d", i), 0, 1)
		}
		if tb.Type == "QUICK_REPLY" {
			payload := payloads[i]
			if payload == "" {
				payload = tb.Text
			}
			v.replies = append(v.replies, replyOption{kind: "button", id: payload, title: tb.Text})
		}
	}
	v.summary = rendered
	v.template = &tp
	return nil
}

// renderText fills the variables of text with params: positionally, or by
// parameter_name for NAMED templates.
func renderText(text string, vars []string, params []templateParam, named bool, where string) (string, *GraphError) {
	values := map[string]string{}
	for i, p := range params {
		val, gerr := p.textValue()
		if gerr != nil {
			return "", gerr
		}
		if named {
			if p.ParameterName == "" {
				return "", errMissing("Parameter 'parameter_name' is required for templates with named parameters (%s parameter %d).", where, i)
			}
			values[p.ParameterName] = val
		} else {
			values[strconv.Itoa(i+1)] = val
		}
	}
	for _, v := range vars {
		if _, ok := values[v]; !ok {
			return "", codeError(http.StatusBadRequest, CodeTemplateParamCount,
				fmt.Sprintf("%s: parameter %q is missing; expected parameters: %s", where, v, strings.Join(vars, ", ")))
		}
	}
	out := variableRe.ReplaceAllStringFunc(text, func(m string) string {
		name := variableRe.FindStringSubmatch(m)[1]
		return values[name]
	})
	return out, nil
}

func parseIndex(raw json.RawMessage) (int, error) {
	if len(raw) == 0 {
		return 0, fmt.Errorf("missing index")
	}
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}
