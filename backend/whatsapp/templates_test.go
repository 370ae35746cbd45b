package whatsapp

import (
	"encoding/json"
	"reflect"
	"testing"

	"switchboard/backend/apierr"
)

// orderUpdate is a positional template with a text header variable, two
// body variables (one used twice), a dynamic URL button, a static URL
// button, a quick reply and a phone button.
var orderUpdate = Template{
	ID: "1", Name: "order_update", Language: "en_US", Status: TemplateApproved, Category: CategoryUtility,
	Components: []TemplateComponentDef{
		{Type: TemplateHeader, Format: FormatText, Text: "Order {{1}}"},
		{Type: TemplateBody, Text: "Hi {{1}}, your order ships {{2}}. Thanks, {{1}}!"},
		{Type: TemplateFooter, Text: "Lucky Shrub"},
		{Type: TemplateButtons, Buttons: []TemplateButton{
			{Type: ButtonURL, Text: "Track", URL: "https://example.com/track/{{1}}"},
			{Type: ButtonURL, Text: "Help", URL: "https://example.com/help"},
			{Type: ButtonQuickReply, Text: "Stop updates"},
			{Type: ButtonPhoneNumber, Text: "Call us", PhoneNumber: "+15550783881"},
		}},
	},
}

var namedPromo = Template{
	Name: "seasonal_promotion", Language: "pt_BR", Status: TemplateApproved, Category: CategoryMarketing, ParameterFormat: ParameterFormatNamed,
	Components: []TemplateComponentDef{
		{Type: TemplateHeader, Format: FormatImage, Example: &TemplateExample{HeaderHandle: []string{"4::aW1h"}}},
		{Type: TemplateBody, Text: "Olá {{first_name}}! Use {{code}} até {{end_date}}, {{first_name}}."},
		{Type: TemplateButtons, Buttons: []TemplateButton{{Type: ButtonCopyCode, Example: json.RawMessage(`"VERAO25"`)}}},
	},
}

func TestTemplateParameters(t *testing.T) {
	p := orderUpdate.Parameters()
	want := TemplateParams{
		HeaderFormat: FormatText,
		HeaderText:   []string{"1"},
		Body:         []string{"1", "2"},
		Buttons: []ButtonParam{
			{Index: 0, SubType: ButtonSubTypeURL, Required: true},
			{Index: 2, SubType: ButtonSubTypeQuickReply},
		},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("positional:\n got %+v\nwant %+v", p, want)
	}
	p = namedPromo.Parameters()
	want = TemplateParams{
		Named:        true,
		HeaderFormat: FormatImage,
		Body:         []string{"first_name", "code", "end_date"},
		Buttons:      []ButtonParam{{Index: 0, SubType: ButtonSubTypeCopyCode, Required: true}},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("named:\n got %+v\nwant %+v", p, want)
	}
	eq(t, "media header", p.HeaderMedia(), true)
	// Out-of-order positional placeholders still count 1..n.
	eq(t, "order", len(placeholders("{{2}} then {{1}} and {{ 3 }}")), 3)
	eq(t, "first", placeholders("{{2}} then {{1}}")[0], "1")
	eq(t, "unclosed", len(placeholders("{{1")), 0)
}

func TestValidateTemplateSend(t *testing.T) {
	text := func(s string) TemplateParameter { return TemplateParameter{Type: ParamText, Text: s} }
	named := func(n, s string) TemplateParameter {
		return TemplateParameter{Type: ParamText, ParameterName: n, Text: s}
	}
	header := func(ps ...TemplateParameter) TemplateComponent {
		return TemplateComponent{Type: ComponentHeader, Parameters: ps}
	}
	body := func(ps ...TemplateParameter) TemplateComponent {
		return TemplateComponent{Type: ComponentBody, Parameters: ps}
	}
	button := func(sub string, i int, ps ...TemplateParameter) TemplateComponent {
		return TemplateComponent{Type: ComponentButton, SubType: sub, Index: ButtonIndex(i), Parameters: ps}
	}
	track := button(ButtonSubTypeURL, 0, text("A-4521"))
	order := func(cs ...TemplateComponent) *TemplateSend {
		return &TemplateSend{Name: "order_update", Language: TemplateLanguage{Code: "en_US"}, Components: cs}
	}
	promo := func(cs ...TemplateComponent) *TemplateSend {
		return &TemplateSend{Name: "seasonal_promotion", Language: TemplateLanguage{Code: "pt_BR"}, Components: cs}
	}
	image := TemplateParameter{Type: ParamImage, Image: &MediaObject{Link: "https://example.com/p.png"}}
	coupon := button(ButtonSubTypeCopyCode, 0, TemplateParameter{Type: ParamCouponCode, CouponCode: "VERAO25"})
	promoBody := body(named("first_name", "Ana"), named("code", "VERAO25"), named("end_date", "domingo"))

	paused := orderUpdate
	paused.Status = TemplatePaused

	tests := []struct {
		name  string
		tpl   Template
		send  *TemplateSend
		code  apierr.Code
		field string
	}{
		{"positional ok", orderUpdate, order(header(text("#4521")), body(text("Ana"), text("Friday")), track), "", ""},
		{"positional with optional quick reply", orderUpdate, order(header(text("#4521")), body(text("Ana"), text("Friday")), track,
			button(ButtonSubTypeQuickReply, 2, TemplateParameter{Type: ParamPayload, Payload: "STOP"})), "", ""},
		{"language spelled with dash", orderUpdate, &TemplateSend{Name: "order_update", Language: TemplateLanguage{Code: "en-US"},
			Components: []TemplateComponent{header(text("#1")), body(text("a"), text("b")), track}}, "", ""},
		{"too few body params", orderUpdate, order(header(text("#4521")), body(text("Ana")), track), apierr.TemplateParamsMismatch, "template.components[1].parameters"},
		{"too many body params", orderUpdate, order(header(text("#4521")), body(text("Ana"), text("Fri"), text("x")), track), apierr.TemplateParamsMismatch, "template.components[1].parameters"},
		{"body missing", orderUpdate, order(header(text("#4521")), track), apierr.TemplateParamsMismatch, "template.components"},
		{"header missing", orderUpdate, order(body(text("Ana"), text("Fri")), track), apierr.TemplateParamsMismatch, "template.components"},
		{"required url button missing", orderUpdate, order(header(text("#4521")), body(text("Ana"), text("Fri"))), apierr.TemplateParamsMismatch, "template.components"},
		{"static url button given", orderUpdate, order(header(text("#1")), body(text("a"), text("b")), track, button(ButtonSubTypeURL, 1, text("x"))), apierr.TemplateParamsMismatch, "template.components[3].index"},
		{"wrong button sub_type", orderUpdate, order(header(text("#1")), body(text("a"), text("b")), button(ButtonSubTypeQuickReply, 0, TemplateParameter{Type: ParamPayload, Payload: "x"})), apierr.TemplateParamsMismatch, "template.components[2].sub_type"},
		{"named param on positional", orderUpdate, order(header(text("#1")), body(named("first_name", "a"), named("x", "b")), track), apierr.TemplateParamsMismatch, "template.components[1].parameters[0].parameter_name"},
		{"wrong name", orderUpdate, &TemplateSend{Name: "order_updates", Language: TemplateLanguage{Code: "en_US"}}, apierr.TemplateNotFound, "template.name"},
		{"wrong language", orderUpdate, &TemplateSend{Name: "order_update", Language: TemplateLanguage{Code: "pt_BR"}}, apierr.TemplateNotFound, "template.name"},
		{"paused", paused, order(header(text("#1")), body(text("a"), text("b")), track), apierr.TemplateNotFound, "template.name"},
		{"named ok", namedPromo, promo(header(image), promoBody, coupon), "", ""},
		{"named any order", namedPromo, promo(header(image), body(named("end_date", "d"), named("first_name", "A"), named("code", "C")), coupon), "", ""},
		{"named unknown name", namedPromo, promo(header(image), body(named("first_name", "A"), named("coupon", "C"), named("end_date", "d")), coupon), apierr.TemplateParamsMismatch, "template.components[1].parameters[1].parameter_name"},
		{"named duplicate", namedPromo, promo(header(image), body(named("first_name", "A"), named("first_name", "C"), named("end_date", "d")), coupon), apierr.TemplateParamsMismatch, "template.components[1].parameters[1].parameter_name"},
		{"named without names", namedPromo, promo(header(image), body(text("A"), text("C"), text("d")), coupon), apierr.TemplateParamsMismatch, "template.components[1].parameters[0].parameter_name"},
		{"media header missing", namedPromo, promo(promoBody, coupon), apierr.TemplateParamsMismatch, "template.components"},
		{"media header wrong kind", namedPromo, promo(header(TemplateParameter{Type: ParamVideo, Video: &MediaObject{ID: "1"}}), promoBody, coupon), apierr.TemplateParamsMismatch, "template.components[0].parameters[0].type"},
		{"coupon missing", namedPromo, promo(header(image), promoBody), apierr.TemplateParamsMismatch, "template.components"},
		{"coupon as text", namedPromo, promo(header(image), promoBody, button(ButtonSubTypeCopyCode, 0, text("VERAO25"))), apierr.TemplateParamsMismatch, "template.components[2].parameters[0].type"},
		{"params for a template without any", Template{Name: "hello_world", Language: "en_US", Components: []TemplateComponentDef{{Type: TemplateBody, Text: "Hello World"}}},
			&TemplateSend{Name: "hello_world", Language: TemplateLanguage{Code: "en_US"}, Components: []TemplateComponent{body(text("x"))}}, apierr.TemplateParamsMismatch, "template.components[0].parameters"},
		{"malformed send", orderUpdate, order(TemplateComponent{Type: "footer"}), apierr.ValidationFailed, "template.components[0].type"},
		{"nil send", orderUpdate, nil, apierr.ValidationFailed, "template"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateTemplateSend(tc.tpl, tc.send)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			ae := apierr.As(err)
			if ae == nil {
				t.Fatal("accepted")
			}
			eq(t, "code", ae.Code, tc.code)
			eq(t, "field", ae.Field, tc.field)
		})
	}
}
