package wire

import (
	"encoding/json"
	"errors"
	"strconv"

	"switchboard/backend/whatsapp"
)

// SendTypes are the message types POST /v1/messages sends, in the order
// the API lists them. The body carries the Cloud API object for its type
// under the type's name ({"type": "text", "text": {"body": "hi"}}); a
// template carries a TemplateRequest under "template". The hub's table of
// what it does per type (backend/hub) has one row for each.
var SendTypes = []string{whatsapp.TypeText, whatsapp.TypeImage, whatsapp.TypeAudio, whatsapp.TypeVideo,
	whatsapp.TypeDocument, whatsapp.TypeSticker, whatsapp.TypeLocation, whatsapp.TypeContacts,
	whatsapp.TypeInteractive, whatsapp.TypeReaction, whatsapp.TypeTemplate}

// SendRequest is the body of POST /v1/messages. The hub's core takes it
// as it is decoded (hub.SendRequest is this type), the Go client sends it,
// and the console keeps it in its outbox until the hub has it.
type SendRequest struct {
	// To is the recipient in any phone format; or ConversationID names the
	// conversation to reply in. One of them is required.
	To             string `json:"to,omitempty"`
	ConversationID int64  `json:"conversation_id,omitempty"`
	// AccountID is the business number to send from; it defaults to the
	// conversation's, or to the only number configured.
	AccountID string `json:"account_id,omitempty"`
	// Type is one of SendTypes.
	Type string `json:"type"`
	// ReplyTo is the id (the hub's) of the message this one quotes.
	ReplyTo int64 `json:"reply_to,omitempty"`

	// The Cloud API object for Type, under its name (see Slot). Only the
	// one for Type may be set.
	Text        json.RawMessage  `json:"text,omitempty"`
	Image       json.RawMessage  `json:"image,omitempty"`
	Audio       json.RawMessage  `json:"audio,omitempty"`
	Video       json.RawMessage  `json:"video,omitempty"`
	Document    json.RawMessage  `json:"document,omitempty"`
	Sticker     json.RawMessage  `json:"sticker,omitempty"`
	Location    json.RawMessage  `json:"location,omitempty"`
	Contacts    json.RawMessage  `json:"contacts,omitempty"`
	Interactive json.RawMessage  `json:"interactive,omitempty"`
	Reaction    json.RawMessage  `json:"reaction,omitempty"`
	Template    *TemplateRequest `json:"template,omitempty"`

	// BizOpaqueCallbackData is echoed by Meta in status webhooks; it
	// defaults to the hub's message id.
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data,omitempty"`

	// AuthorID and IdempotencyKey are not in the body: the hub's API
	// sets them from the caller's token and its Idempotency-Key header
	// before the core sees the request, and they are never encoded. A
	// client leaves them unset (hubclient.Send takes the key as an
	// argument and sends it as the header).
	//
	// AuthorID is the agent sending (nil for integrations and bulk).
	AuthorID *int64 `json:"-"`
	// IdempotencyKey makes a retried request return the first message
	// instead of sending again. The core's key is global: the API
	// prefixes the header's value with the caller's identity.
	IdempotencyKey string `json:"-"`
}

// Slot is where the object for typ sits in the request: nil for a
// template (see Template) or a type that cannot be sent.
func (r *SendRequest) Slot(typ string) *json.RawMessage {
	switch typ {
	case whatsapp.TypeText:
		return &r.Text
	case whatsapp.TypeImage:
		return &r.Image
	case whatsapp.TypeAudio:
		return &r.Audio
	case whatsapp.TypeVideo:
		return &r.Video
	case whatsapp.TypeDocument:
		return &r.Document
	case whatsapp.TypeSticker:
		return &r.Sticker
	case whatsapp.TypeLocation:
		return &r.Location
	case whatsapp.TypeContacts:
		return &r.Contacts
	case whatsapp.TypeInteractive:
		return &r.Interactive
	case whatsapp.TypeReaction:
		return &r.Reaction
	}
	return nil
}

// Payload is the object for the request's Type (nil for templates).
func (r *SendRequest) Payload() json.RawMessage {
	if p := r.Slot(r.Type); p != nil {
		return *p
	}
	return nil
}

// NewSend is a request to send obj, the Cloud API object for typ, in a
// conversation. A type with no slot (a template, an unknown type) gets
// no object: use Template for templates.
func NewSend(conversationID int64, typ string, obj json.RawMessage) SendRequest {
	r := SendRequest{ConversationID: conversationID, Type: typ}
	if p := r.Slot(typ); p != nil {
		*p = obj
	}
	return r
}

// NewText is a text message in a conversation.
func NewText(conversationID int64, body string) SendRequest {
	obj, _ := json.Marshal(whatsapp.Text{Body: body})
	return NewSend(conversationID, whatsapp.TypeText, obj)
}

// TemplateRequest names an approved template and fills it. Variables maps
// placeholders to values: body placeholders by name ({{first_name}}) or
// position ("1", "2", … or a JSON array), the header's text placeholder as
// "header" (or "header.<name>"), a media header as "header" with the media
// object ({"link": "https://…"} or a full parameter {"type": "image",
// "image": {…}}), and button parameters as "button.<index>". A value is
// usually a string; an object is taken as a Cloud API parameter (currency,
// date_time, …). Components, instead of Variables, is sent as given (after
// validation against the template).
type TemplateRequest struct {
	Name     string       `json:"name"`
	Language LanguageCode `json:"language"`
	// Variables' ts_type tag gives the Wails models its TypeScript type:
	// a value is any JSON.
	Variables  TemplateVariables            `json:"variables,omitempty" ts_type:"Record<string, any>"`
	Components []whatsapp.TemplateComponent `json:"components,omitempty"`
}

// LanguageCode is a template language, given as "en_US" or as the Cloud
// API's {"code": "en_US"}.
type LanguageCode string

// UnmarshalJSON accepts a string or {"code": "…"}.
func (l *LanguageCode) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = LanguageCode(s)
		return nil
	}
	var obj struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return errors.New(`language must be a string or {"code": "…"}`)
	}
	*l = LanguageCode(obj.Code)
	return nil
}

// TemplateVariables are a template's values by placeholder.
type TemplateVariables map[string]json.RawMessage

// StringVariables are text values by placeholder, as TemplateVariables.
func StringVariables(m map[string]string) TemplateVariables {
	if m == nil {
		return nil
	}
	v := make(TemplateVariables, len(m))
	for k, s := range m {
		v[k], _ = json.Marshal(s)
	}
	return v
}

// UnmarshalJSON accepts an object (named or "1", "2", … keys) or an array
// (positional, from 1).
func (v *TemplateVariables) UnmarshalJSON(b []byte) error {
	var arr []json.RawMessage
	if err := json.Unmarshal(b, &arr); err == nil {
		m := make(TemplateVariables, len(arr))
		for i, x := range arr {
			m[strconv.Itoa(i+1)] = x
		}
		*v = m
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return errors.New("variables must be an object or an array")
	}
	*v = m
	return nil
}
