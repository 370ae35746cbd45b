package desktop

import (
	"encoding/json"
	"strconv"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
)

// TemplateForm is what the composer's template picker shows for one
// template: the fields to fill, the message as the customer will see it
// with the values given so far, and what is still missing.
type TemplateForm struct {
	Template domain.Template `json:"template"`
	Fields   []TemplateField `json:"fields"`
	Preview  TemplatePreview `json:"preview"`
	// Missing lists the keys of required fields without a value.
	Missing []string `json:"missing"`
	// Unknown lists given keys the template has no field for.
	Unknown []string `json:"unknown"`
	// Sendable is true when the template is approved and every required
	// field has a value.
	Sendable bool `json:"sendable"`
	// Problem says why it cannot be sent ("" when Sendable).
	Problem string `json:"problem"`
}

// TemplateField is one value the template needs, under the key the hub
// expects in "variables".
type TemplateField struct {
	// Key: "1", "2"… (positional body), the name (named body), "header",
	// or "button.<index>".
	Key   string `json:"key"`
	Label string `json:"label"`
	// Component is header, body or button.
	Component string `json:"component"`
	// Kind is "text", or "link" for a media header (an https URL).
	Kind     string `json:"kind"`
	Example  string `json:"example"`
	Required bool   `json:"required"`
}

// TemplatePreview is the filled template. Placeholders without a value
// are left as {{…}}.
type TemplatePreview struct {
	// HeaderFormat is TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION or "".
	HeaderFormat string                  `json:"header_format"`
	Header       string                  `json:"header"`
	Body         string                  `json:"body"`
	Footer       string                  `json:"footer"`
	Buttons      []TemplateButtonPreview `json:"buttons"`
}

// TemplateButtonPreview is one button as shown.
type TemplateButtonPreview struct {
	Type string `json:"type"`
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

// BuildTemplateForm describes t filled with vars. It mirrors the hub's
// rules (backend/hub buildComponents), so a form that is Sendable is
// accepted by the hub, and it runs on the cache, offline.
func BuildTemplateForm(t domain.Template, vars map[string]string) TemplateForm {
	f := TemplateForm{Template: t, Fields: []TemplateField{}, Missing: []string{}, Unknown: []string{},
		Preview: TemplatePreview{Buttons: []TemplateButtonPreview{}}}
	var comps []whatsapp.TemplateComponentDef
	if err := json.Unmarshal(t.Components, &comps); err != nil {
		f.Problem = "the template's components cannot be read"
		return f
	}
	wt := whatsapp.Template{Name: t.Name, Language: t.Language, ParameterFormat: t.ParameterFormat, Components: comps}
	p := wt.Parameters()
	known := map[string]bool{}
	add := func(fd TemplateField) {
		known[fd.Key] = true
		f.Fields = append(f.Fields, fd)
		if fd.Required && strings.TrimSpace(vars[fd.Key]) == "" {
			f.Missing = append(f.Missing, fd.Key)
		}
	}
	var bodyExamples []string
	named := map[string]string{}
	for _, c := range comps {
		if c.Example == nil {
			continue
		}
		if strings.EqualFold(c.Type, whatsapp.TemplateBody) && len(c.Example.BodyText) > 0 {
			bodyExamples = c.Example.BodyText[0]
		}
		for _, n := range append(c.Example.BodyTextNamedParams, c.Example.HeaderTextNamedParams...) {
			named[n.ParamName] = n.Example
		}
	}
	for _, c := range comps {
		typ := strings.ToUpper(c.Type)
		switch typ {
		case whatsapp.TemplateHeader:
			f.Preview.HeaderFormat = p.HeaderFormat
			if p.HeaderMedia() {
				if p.HeaderFormat != whatsapp.FormatLocation {
					add(TemplateField{Key: "header", Label: "Header " + strings.ToLower(p.HeaderFormat) + " link",
						Component: "header", Kind: "link", Required: true})
				}
				f.Preview.Header = vars["header"]
			} else {
				for _, name := range p.HeaderText {
					ex := named[name]
					if c.Example != nil && len(c.Example.HeaderText) > 0 {
						ex = c.Example.HeaderText[0]
					}
					add(TemplateField{Key: "header", Label: "Header {{" + name + "}}", Component: "header", Kind: "text", Example: ex, Required: true})
				}
				f.Preview.Header = fill(c.Text, func(string) string { return vars["header"] })
			}
		case whatsapp.TemplateBody:
			for i, name := range p.Body {
				ex := named[name]
				if !p.Named && i < len(bodyExamples) {
					ex = bodyExamples[i]
				}
				add(TemplateField{Key: name, Label: "{{" + name + "}}", Component: "body", Kind: "text", Example: ex, Required: true})
			}
			f.Preview.Body = fill(c.Text, func(name string) string { return vars[name] })
		case whatsapp.TemplateFooter:
			f.Preview.Footer = c.Text
		case whatsapp.TemplateButtons:
			for i, b := range c.Buttons {
				bp := TemplateButtonPreview{Type: strings.ToUpper(b.Type), Text: b.Text, URL: b.URL}
				key := "button." + strconv.Itoa(i)
				for _, param := range p.Buttons {
					if param.Index != i || !param.Required {
						continue
					}
					ex := ""
					var exs []string
					if json.Unmarshal(b.Example, &exs) == nil && len(exs) > 0 {
						ex = exs[0]
					} else {
						_ = json.Unmarshal(b.Example, &ex)
					}
					label := "Button “" + b.Text + "”"
					if param.SubType == whatsapp.ButtonSubTypeURL {
						label += " link suffix"
					} else {
						label += " code"
					}
					add(TemplateField{Key: key, Label: label, Component: "button", Kind: "text", Example: ex, Required: true})
					if param.SubType == whatsapp.ButtonSubTypeURL {
						bp.URL = fill(b.URL, func(string) string { return vars[key] })
					}
				}
				f.Preview.Buttons = append(f.Preview.Buttons, bp)
			}
		}
	}
	for k, v := range vars {
		if !known[k] && v != "" {
			f.Unknown = append(f.Unknown, k)
		}
	}
	switch {
	case !strings.EqualFold(t.Status, whatsapp.TemplateApproved):
		f.Problem = "the template is " + strings.ToLower(t.Status) + ", not approved"
	case len(f.Missing) > 0:
		f.Problem = "fill in " + strings.Join(f.Missing, ", ")
	case len(f.Unknown) > 0:
		f.Problem = "the template has no parameter " + strings.Join(f.Unknown, ", ")
	}
	f.Sendable = f.Problem == ""
	return f
}

// fill replaces each {{name}} in s with value(name), leaving it when the
// value is empty.
func fill(s string, value func(string) string) string {
	var b strings.Builder
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
		b.WriteString(s[:i])
		if v := value(name); v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+2+j+2])
		}
		s = s[i+2+j+2:]
	}
	b.WriteString(s)
	return b.String()
}

// formError is the error a send of an unsendable form returns.
func (f TemplateForm) formError() error {
	if f.Sendable {
		return nil
	}
	if !strings.EqualFold(f.Template.Status, whatsapp.TemplateApproved) {
		return apierr.Field(apierr.TemplateNotFound, "template", "%s", f.Problem)
	}
	field := "template.variables"
	if len(f.Missing) > 0 {
		field += "." + f.Missing[0]
	} else if len(f.Unknown) > 0 {
		field += "." + f.Unknown[0]
	}
	return apierr.Field(apierr.TemplateParamsMismatch, field, "%s", f.Problem)
}
