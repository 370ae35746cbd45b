package whatsapp

import (
	"bytes"
	"encoding/json"
	"sort"
)

// Template definitions round-trip through these methods: each type decodes
// with encoding/json and then keeps, in Extra, every key of the object that
// encoding its fields again would not write: keys it does not model and
// known keys whose explicit zero value omitempty would drop. Encoding writes
// the fields and then the kept keys, so what was decoded is what is sent.

// decodeKeeping decodes data into v (the value, seen through a pointer to
// a plain copy of its type, so these methods do not recurse) and sets
// *extra to the keys to keep.
func decodeKeeping(data []byte, v any, extra *map[string]json.RawMessage) error {
	*extra = nil
	kept, err := keptKeys(data, v)
	*extra = kept
	return err
}

func keptKeys(data []byte, v any) (map[string]json.RawMessage, error) {
	if err := json.Unmarshal(data, v); err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	again, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var written map[string]json.RawMessage
	if err := json.Unmarshal(again, &written); err != nil {
		return nil, err
	}
	var extra map[string]json.RawMessage
	for k, val := range raw {
		if _, ok := written[k]; ok {
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[k] = val
	}
	return extra, nil
}

// encodeKeeping encodes v (a plain copy of the type) and appends the kept
// keys the fields did not write, in key order so the output is stable.
func encodeKeeping(v any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var written map[string]json.RawMessage
	if err := json.Unmarshal(b, &written); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if _, ok := written[k]; !ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return b, nil
	}
	sort.Strings(keys)
	out := bytes.NewBuffer(make([]byte, 0, len(b)+64*len(keys)))
	out.Write(b[:len(b)-1]) // without the closing brace
	first := len(written) == 0
	for _, k := range keys {
		if !first {
			out.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		out.Write(kb)
		out.WriteByte(':')
		val := extra[k]
		if len(bytes.TrimSpace(val)) == 0 {
			val = json.RawMessage("null")
		}
		out.Write(val)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// UnmarshalJSON decodes a template, keeping what the fields do not model.
func (t *Template) UnmarshalJSON(data []byte) error {
	type plain Template
	return decodeKeeping(data, (*plain)(t), &t.Extra)
}

// MarshalJSON encodes a template with the keys kept.
func (t Template) MarshalJSON() ([]byte, error) {
	type plain Template
	return encodeKeeping(plain(t), t.Extra)
}

// UnmarshalJSON decodes a component, keeping what the fields do not model.
func (c *TemplateComponentDef) UnmarshalJSON(data []byte) error {
	type plain TemplateComponentDef
	return decodeKeeping(data, (*plain)(c), &c.Extra)
}

// MarshalJSON encodes a component with the keys kept.
func (c TemplateComponentDef) MarshalJSON() ([]byte, error) {
	type plain TemplateComponentDef
	return encodeKeeping(plain(c), c.Extra)
}

// UnmarshalJSON decodes a carousel card, keeping what the fields do not model.
func (c *TemplateCard) UnmarshalJSON(data []byte) error {
	type plain TemplateCard
	return decodeKeeping(data, (*plain)(c), &c.Extra)
}

// MarshalJSON encodes a carousel card with the keys kept.
func (c TemplateCard) MarshalJSON() ([]byte, error) {
	type plain TemplateCard
	return encodeKeeping(plain(c), c.Extra)
}

// UnmarshalJSON decodes an offer, keeping what the fields do not model.
func (o *LimitedTimeOffer) UnmarshalJSON(data []byte) error {
	type plain LimitedTimeOffer
	return decodeKeeping(data, (*plain)(o), &o.Extra)
}

// MarshalJSON encodes an offer with the keys kept.
func (o LimitedTimeOffer) MarshalJSON() ([]byte, error) {
	type plain LimitedTimeOffer
	return encodeKeeping(plain(o), o.Extra)
}

// UnmarshalJSON decodes examples, keeping what the fields do not model.
func (e *TemplateExample) UnmarshalJSON(data []byte) error {
	type plain TemplateExample
	return decodeKeeping(data, (*plain)(e), &e.Extra)
}

// MarshalJSON encodes examples with the keys kept.
func (e TemplateExample) MarshalJSON() ([]byte, error) {
	type plain TemplateExample
	return encodeKeeping(plain(e), e.Extra)
}

// UnmarshalJSON decodes a named example, keeping what the fields do not model.
func (e *NamedParamExample) UnmarshalJSON(data []byte) error {
	type plain NamedParamExample
	return decodeKeeping(data, (*plain)(e), &e.Extra)
}

// MarshalJSON encodes a named example with the keys kept.
func (e NamedParamExample) MarshalJSON() ([]byte, error) {
	type plain NamedParamExample
	return encodeKeeping(plain(e), e.Extra)
}

// UnmarshalJSON decodes a button, keeping what the fields do not model.
func (b *TemplateButton) UnmarshalJSON(data []byte) error {
	type plain TemplateButton
	return decodeKeeping(data, (*plain)(b), &b.Extra)
}

// MarshalJSON encodes a button with the keys kept.
func (b TemplateButton) MarshalJSON() ([]byte, error) {
	type plain TemplateButton
	return encodeKeeping(plain(b), b.Extra)
}

// UnmarshalJSON decodes a supported app, keeping what the fields do not model.
func (a *SupportedApp) UnmarshalJSON(data []byte) error {
	type plain SupportedApp
	return decodeKeeping(data, (*plain)(a), &a.Extra)
}

// MarshalJSON encodes a supported app with the keys kept.
func (a SupportedApp) MarshalJSON() ([]byte, error) {
	type plain SupportedApp
	return encodeKeeping(plain(a), a.Extra)
}
