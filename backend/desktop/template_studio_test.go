package desktop

import (
	"encoding/json"
	"testing"

	"switchboard/backend/whatsapp"
)

func TestCheckTemplateDraft(t *testing.T) {
	var def whatsapp.Template
	if err := json.Unmarshal([]byte(`{"name":"Order Update","language":"en_US","category":"UTILITY",
		"components":[{"type":"BODY","text":"Hi {{1}}, your order is ready."}]}`), &def); err != nil {
		t.Fatal(err)
	}
	c := CheckTemplateDraft(def)
	fields := map[string]string{}
	for _, f := range c.Findings {
		fields[f.Field] = f.Code
	}
	if c.Valid || fields["name"] != "NAME_FORMAT" || fields["components[0].example.body_text"] != "EXAMPLE_MISSING" {
		t.Fatalf("got %+v", c)
	}
	def.Name = "order_update"
	def.Components[0].Example = &whatsapp.TemplateExample{BodyText: [][]string{{"Ana"}}}
	if c := CheckTemplateDraft(def); !c.Valid || c.Findings == nil || len(c.Findings) != 0 {
		t.Fatalf("fixed: %+v", c)
	}
	info := StudioInfo()
	if len(info.Rules) == 0 || len(info.Languages) < 60 || info.Limits.Body != 1024 || info.Limits.ButtonText != 25 {
		t.Fatalf("info = %+v", info.Limits)
	}
}
