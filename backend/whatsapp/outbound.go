package whatsapp

import (
	"context"
	"net/http"

	"switchboard/backend/apierr"
)

// MessagingProduct is the constant every Cloud API request carries.
const MessagingProduct = "whatsapp"

// RecipientIndividual is the recipient_type of a one-to-one message.
const RecipientIndividual = "individual"

// Interactive message types (interactive.type) this package sends.
const (
	InteractiveButton          = "button"
	InteractiveList            = "list"
	InteractiveLocationRequest = "location_request_message"
	InteractiveCTAURL          = "cta_url"
)

// Template component types and button sub-types in a send request.
const (
	ComponentHeader = "header"
	ComponentBody   = "body"
	ComponentButton = "button"

	ButtonSubTypeQuickReply = "quick_reply"
	ButtonSubTypeURL        = "url"
	ButtonSubTypeCopyCode   = "copy_code"
)

// Template parameter types in a send request.
const (
	ParamText       = "text"
	ParamCurrency   = "currency"
	ParamDateTime   = "date_time"
	ParamImage      = "image"
	ParamVideo      = "video"
	ParamDocument   = "document"
	ParamLocation   = "location"
	ParamPayload    = "payload"
	ParamCouponCode = "coupon_code"
)

// OutboundMessage is the body of POST /{phone-number-id}/messages. Set To
// (the user's phone number) or Recipient (their BSUID), Type, and the one
// payload field named by Type. MessagingProduct and RecipientType are filled
// by Client.Send when empty.
type OutboundMessage struct {
	MessagingProduct      string        `json:"messaging_product"`
	RecipientType         string        `json:"recipient_type,omitempty"`
	To                    string        `json:"to,omitempty"`
	Recipient             string        `json:"recipient,omitempty"`
	Context               *ReplyContext `json:"context,omitempty"`
	BizOpaqueCallbackData string        `json:"biz_opaque_callback_data,omitempty"`
	Type                  string        `json:"type"`

	Text        *Text         `json:"text,omitempty"`
	Image       *MediaObject  `json:"image,omitempty"`
	Audio       *MediaObject  `json:"audio,omitempty"`
	Video       *MediaObject  `json:"video,omitempty"`
	Document    *MediaObject  `json:"document,omitempty"`
	Sticker     *MediaObject  `json:"sticker,omitempty"`
	Location    *Location     `json:"location,omitempty"`
	Contacts    []Contact     `json:"contacts,omitempty"`
	Interactive *Interactive  `json:"interactive,omitempty"`
	Template    *TemplateSend `json:"template,omitempty"`
	Reaction    *Reaction     `json:"reaction,omitempty"`
}

// ReplyContext makes a message a reply to MessageID (a wamid).
type ReplyContext struct {
	MessageID string `json:"message_id"`
}

// Text is a text message's payload. PreviewURL asks WhatsApp to render a
// preview of the first link.
type Text struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url,omitempty"`
}

// MediaObject is an outbound media payload: exactly one of ID (an uploaded
// media id) or Link (an https URL Meta fetches). Caption applies to images,
// videos and documents; Filename to documents.
type MediaObject struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// Interactive is an interactive message: reply buttons, a list, a location
// request or a call-to-action URL button.
type Interactive struct {
	Type   string             `json:"type"`
	Header *InteractiveHeader `json:"header,omitempty"`
	Body   *InteractiveText   `json:"body,omitempty"`
	Footer *InteractiveText   `json:"footer,omitempty"`
	Action InteractiveAction  `json:"action"`
}

// InteractiveHeader is a text or media header. Type is text, image, video
// or document; lists accept text only.
type InteractiveHeader struct {
	Type     string       `json:"type"`
	Text     string       `json:"text,omitempty"`
	Image    *MediaObject `json:"image,omitempty"`
	Video    *MediaObject `json:"video,omitempty"`
	Document *MediaObject `json:"document,omitempty"`
}

// InteractiveText is a body or footer.
type InteractiveText struct {
	Text string `json:"text"`
}

// InteractiveAction holds what the user can do: Buttons for reply buttons;
// Button and Sections for a list; Name "send_location" for a location
// request; Name "cta_url" and Parameters for a URL button.
type InteractiveAction struct {
	Buttons    []ReplyButton  `json:"buttons,omitempty"`
	Button     string         `json:"button,omitempty"`
	Sections   []ListSection  `json:"sections,omitempty"`
	Name       string         `json:"name,omitempty"`
	Parameters *CTAParameters `json:"parameters,omitempty"`
}

// ReplyButton is one reply button; Type is always "reply".
type ReplyButton struct {
	Type  string     `json:"type"`
	Reply ReplyValue `json:"reply"`
}

// ReplyValue is a reply button's id (returned in the webhook) and label.
type ReplyValue struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ListSection is one titled group of list rows.
type ListSection struct {
	Title string    `json:"title,omitempty"`
	Rows  []ListRow `json:"rows"`
}

// ListRow is one choice in a list.
type ListRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// CTAParameters is a call-to-action URL button's label and target.
type CTAParameters struct {
	DisplayText string `json:"display_text"`
	URL         string `json:"url"`
}

// TemplateSend is the template payload of a message: which approved
// template, in which language, and the parameter values.
type TemplateSend struct {
	Name       string              `json:"name"`
	Language   TemplateLanguage    `json:"language"`
	Components []TemplateComponent `json:"components,omitempty"`
}

// TemplateLanguage selects the template translation by code (en_US, pt_BR).
type TemplateLanguage struct {
	Code   string `json:"code"`
	Policy string `json:"policy,omitempty"`
}

// TemplateComponent carries the parameters for one part of a template:
// Type header or body, or button with SubType and Index (the button's
// position in the template, from 0).
type TemplateComponent struct {
	Type       string              `json:"type"`
	SubType    string              `json:"sub_type,omitempty"`
	Index      *FlexInt            `json:"index,omitempty"`
	Parameters []TemplateParameter `json:"parameters,omitempty"`
}

// TemplateParameter is one value filled into a template. ParameterName is
// set for templates with named parameters ({{first_name}}).
type TemplateParameter struct {
	Type          string       `json:"type"`
	ParameterName string       `json:"parameter_name,omitempty"`
	Text          string       `json:"text,omitempty"`
	Payload       string       `json:"payload,omitempty"`
	CouponCode    string       `json:"coupon_code,omitempty"`
	Currency      *Currency    `json:"currency,omitempty"`
	DateTime      *DateTime    `json:"date_time,omitempty"`
	Image         *MediaObject `json:"image,omitempty"`
	Video         *MediaObject `json:"video,omitempty"`
	Document      *MediaObject `json:"document,omitempty"`
	Location      *Location    `json:"location,omitempty"`
}

// Currency is a currency parameter; Amount1000 is the amount times 1000.
type Currency struct {
	FallbackValue string `json:"fallback_value"`
	Code          string `json:"code"`
	Amount1000    int64  `json:"amount_1000"`
}

// DateTime is a date-time parameter, rendered as FallbackValue.
type DateTime struct {
	FallbackValue string `json:"fallback_value"`
}

// NewText returns a text message to a phone number.
func NewText(to, body string) *OutboundMessage {
	return &OutboundMessage{To: to, Type: TypeText, Text: &Text{Body: body}}
}

// NewMedia returns an image, audio, video, document or sticker message;
// kind is the Type* constant and media names the file by id or link.
func NewMedia(to, kind string, media MediaObject) *OutboundMessage {
	m := &OutboundMessage{To: to, Type: kind}
	p := &media
	switch kind {
	case TypeImage:
		m.Image = p
	case TypeAudio:
		m.Audio = p
	case TypeVideo:
		m.Video = p
	case TypeDocument:
		m.Document = p
	case TypeSticker:
		m.Sticker = p
	}
	return m
}

// NewLocation returns a location message.
func NewLocation(to string, loc Location) *OutboundMessage {
	return &OutboundMessage{To: to, Type: TypeLocation, Location: &loc}
}

// NewContacts returns a message sharing contact cards.
func NewContacts(to string, contacts ...Contact) *OutboundMessage {
	return &OutboundMessage{To: to, Type: TypeContacts, Contacts: contacts}
}

// NewReaction reacts to messageID with emoji; an empty emoji removes the
// business's earlier reaction.
func NewReaction(to, messageID, emoji string) *OutboundMessage {
	return &OutboundMessage{To: to, Type: TypeReaction, Reaction: &Reaction{MessageID: messageID, Emoji: emoji}}
}

// NewReplyButtons returns an interactive message with up to three reply
// buttons.
func NewReplyButtons(to, body string, buttons ...ReplyValue) *OutboundMessage {
	bs := make([]ReplyButton, len(buttons))
	for i, b := range buttons {
		bs[i] = ReplyButton{Type: "reply", Reply: b}
	}
	return &OutboundMessage{To: to, Type: TypeInteractive, Interactive: &Interactive{
		Type: InteractiveButton, Body: &InteractiveText{Text: body}, Action: InteractiveAction{Buttons: bs},
	}}
}

// NewList returns an interactive list message; button is the label that
// opens the list.
func NewList(to, body, button string, sections ...ListSection) *OutboundMessage {
	return &OutboundMessage{To: to, Type: TypeInteractive, Interactive: &Interactive{
		Type: InteractiveList, Body: &InteractiveText{Text: body}, Action: InteractiveAction{Button: button, Sections: sections},
	}}
}

// NewLocationRequest returns a message asking the user to share their
// location.
func NewLocationRequest(to, body string) *OutboundMessage {
	return &OutboundMessage{To: to, Type: TypeInteractive, Interactive: &Interactive{
		Type: InteractiveLocationRequest, Body: &InteractiveText{Text: body}, Action: InteractiveAction{Name: "send_location"},
	}}
}

// NewCTAURL returns a message with a button that opens link.
func NewCTAURL(to, body, displayText, link string) *OutboundMessage {
	return &OutboundMessage{To: to, Type: TypeInteractive, Interactive: &Interactive{
		Type: InteractiveCTAURL, Body: &InteractiveText{Text: body},
		Action: InteractiveAction{Name: "cta_url", Parameters: &CTAParameters{DisplayText: displayText, URL: link}},
	}}
}

// NewTemplate returns a template message.
func NewTemplate(to, name, languageCode string, components ...TemplateComponent) *OutboundMessage {
	return &OutboundMessage{To: to, Type: TypeTemplate, Template: &TemplateSend{
		Name: name, Language: TemplateLanguage{Code: languageCode}, Components: components,
	}}
}

// ButtonIndex returns a pointer to i, for TemplateComponent.Index.
func ButtonIndex(i int) *FlexInt {
	v := FlexInt(i)
	return &v
}

// ReplyTo makes m a reply to messageID and returns m.
func (m *OutboundMessage) ReplyTo(messageID string) *OutboundMessage {
	m.Context = &ReplyContext{MessageID: messageID}
	return m
}

// SendResult is Meta's answer to a send: the message id (wamid) and how the
// recipient was resolved.
type SendResult struct {
	MessagingProduct string          `json:"messaging_product"`
	Contacts         []SentContact   `json:"contacts,omitempty"`
	Messages         []SentMessageID `json:"messages"`
}

// SentContact maps the recipient as given (Input) to the WhatsApp id.
type SentContact struct {
	Input  string `json:"input"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

// SentMessageID is the id of an accepted message. MessageStatus is
// "accepted", or "held_for_quality_assessment" for some marketing messages.
type SentMessageID struct {
	ID            string `json:"id"`
	MessageStatus string `json:"message_status,omitempty"`
}

// MessageID is the wamid of the sent message ("" if Meta returned none).
func (r *SendResult) MessageID() string {
	if r == nil || len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[0].ID
}

// Send validates m against Meta's rules and posts it from the business
// number phoneNumberID. m is not modified. A rule broken before the wire is
// an *apierr.Error with code VALIDATION_FAILED and the offending field's
// path; an error from Meta is an *apierr.Error wrapping a *GraphError.
func (c *Client) Send(ctx context.Context, phoneNumberID string, m *OutboundMessage) (*SendResult, error) {
	if err := requireGraphID("phone_number_id", phoneNumberID); err != nil {
		return nil, err
	}
	if err := Validate(m); err != nil {
		return nil, err
	}
	wire := *m
	wire.MessagingProduct = MessagingProduct
	if wire.RecipientType == "" {
		wire.RecipientType = RecipientIndividual
	}
	var res SendResult
	if err := c.doJSON(ctx, http.MethodPost, c.endpoint(nil, phoneNumberID, "messages"), &wire, &res); err != nil {
		return nil, err
	}
	if res.MessageID() == "" {
		return nil, apierr.New(apierr.UpstreamError, "the WhatsApp Cloud API accepted the message but returned no message id")
	}
	return &res, nil
}

// markReadRequest is the body that marks a message read.
type markReadRequest struct {
	MessagingProduct string           `json:"messaging_product"`
	Status           string           `json:"status"`
	MessageID        string           `json:"message_id"`
	TypingIndicator  *TypingIndicator `json:"typing_indicator,omitempty"`
}

// TypingIndicator shows "typing…" to the user until the reply is sent (or
// 25 seconds pass).
type TypingIndicator struct {
	Type string `json:"type"`
}

// MarkRead marks the inbound message messageID (and all before it) as read;
// with typing set it also shows the typing indicator.
func (c *Client) MarkRead(ctx context.Context, phoneNumberID, messageID string, typing bool) error {
	if err := requireGraphID("phone_number_id", phoneNumberID); err != nil {
		return err
	}
	if err := requireID("message_id", messageID); err != nil {
		return err
	}
	req := markReadRequest{MessagingProduct: MessagingProduct, Status: StatusRead, MessageID: messageID}
	if typing {
		req.TypingIndicator = &TypingIndicator{Type: "text"}
	}
	var res SuccessResponse
	if err := c.doJSON(ctx, http.MethodPost, c.endpoint(nil, phoneNumberID, "messages"), &req, &res); err != nil {
		return err
	}
	if !res.Success {
		return apierr.New(apierr.UpstreamError, "the WhatsApp Cloud API did not confirm marking the message read")
	}
	return nil
}
