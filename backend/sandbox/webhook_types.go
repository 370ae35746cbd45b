package sandbox

import "encoding/json"

// The types below are the JSON the sandbox posts to the webhook URL, written
// from Meta's webhook references ("messages" and
// "message_template_status_update" fields). Field order and names follow
// Meta's samples; optional parts are omitted when empty, as Meta does.

// webhookPayload is the top-level notification body.
type webhookPayload struct {
	Object string         `json:"object"`
	Entry  []webhookEntry `json:"entry"`
}

type webhookEntry struct {
	ID      string          `json:"id"`
	Time    int64           `json:"time,omitempty"`
	Changes []webhookChange `json:"changes"`
}

type webhookChange struct {
	Value any    `json:"value"`
	Field string `json:"field"`
}

// messagesValue is the value of a "messages" change.
type messagesValue struct {
	MessagingProduct string         `json:"messaging_product"`
	Metadata         wireMetadata   `json:"metadata"`
	Contacts         []*wireContact `json:"contacts,omitempty"`
	Messages         []*wireMessage `json:"messages,omitempty"`
	Statuses         []*wireStatus  `json:"statuses,omitempty"`
}

type wireMetadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

type wireContact struct {
	Profile wireProfile `json:"profile"`
	WaID    string      `json:"wa_id"`
}

type wireProfile struct {
	Name string `json:"name"`
}

// wireMessage is one inbound message (customer to business).
type wireMessage struct {
	Context     *wireContext      `json:"context,omitempty"`
	From        string            `json:"from"`
	ID          string            `json:"id"`
	Timestamp   string            `json:"timestamp"`
	Type        string            `json:"type"`
	Referral    *Referral         `json:"referral,omitempty"`
	Text        *wireText         `json:"text,omitempty"`
	Image       *wireMedia        `json:"image,omitempty"`
	Audio       *wireMedia        `json:"audio,omitempty"`
	Video       *wireMedia        `json:"video,omitempty"`
	Document    *wireMedia        `json:"document,omitempty"`
	Sticker     *wireMedia        `json:"sticker,omitempty"`
	Location    *wireLocation     `json:"location,omitempty"`
	Contacts    []json.RawMessage `json:"contacts,omitempty"`
	Interactive *wireInteractive  `json:"interactive,omitempty"`
	Button      *wireButton       `json:"button,omitempty"`
	Reaction    *wireReaction     `json:"reaction,omitempty"`
	System      *wireSystem       `json:"system,omitempty"`
	Errors      []webhookError    `json:"errors,omitempty"`
}

// wireContext marks a reply (from + id of the quoted message) or a forward.
type wireContext struct {
	Forwarded           bool   `json:"forwarded,omitempty"`
	FrequentlyForwarded bool   `json:"frequently_forwarded,omitempty"`
	From                string `json:"from,omitempty"`
	ID                  string `json:"id,omitempty"`
}

type wireText struct {
	Body string `json:"body"`
}

// wireMedia is the object of image, audio, video, document and sticker
// messages. sha256 is base64, as in Meta's webhooks.
type wireMedia struct {
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	ID       string `json:"id"`
	Voice    *bool  `json:"voice,omitempty"`
	Animated *bool  `json:"animated,omitempty"`
}

type wireLocation struct {
	Address   string  `json:"address,omitempty"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	URL       string  `json:"url,omitempty"`
}

type wireInteractive struct {
	Type        string          `json:"type"`
	ButtonReply *wireReplyItem  `json:"button_reply,omitempty"`
	ListReply   *wireReplyItem  `json:"list_reply,omitempty"`
	NFMReply    json.RawMessage `json:"nfm_reply,omitempty"`
}

type wireReplyItem struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

type wireButton struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

type wireReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji,omitempty"`
}

type wireSystem struct {
	Body  string `json:"body"`
	WaID  string `json:"wa_id,omitempty"`
	Type  string `json:"type"`
	NewID string `json:"new_wa_id,omitempty"`
}

// Referral is the click-to-WhatsApp ad attribution Meta attaches to the
// first message a customer sends from an ad.
type Referral struct {
	SourceURL    string `json:"source_url"`              // the ad or post URL
	SourceID     string `json:"source_id"`               // the ad id
	SourceType   string `json:"source_type"`             // "ad" or "post"
	Body         string `json:"body,omitempty"`          // ad text
	Headline     string `json:"headline,omitempty"`      // ad title
	MediaType    string `json:"media_type,omitempty"`    // "image" or "video"
	ImageURL     string `json:"image_url,omitempty"`     // ad image
	VideoURL     string `json:"video_url,omitempty"`     // ad video
	ThumbnailURL string `json:"thumbnail_url,omitempty"` // ad video thumbnail
	CtwaClid     string `json:"ctwa_clid,omitempty"`     // click id for conversion reporting
}

// wireStatus is one status notification for an outbound message.
type wireStatus struct {
	ID                    string            `json:"id"`
	Status                string            `json:"status"`
	Timestamp             string            `json:"timestamp"`
	RecipientID           string            `json:"recipient_id"`
	BizOpaqueCallbackData string            `json:"biz_opaque_callback_data,omitempty"`
	Conversation          *wireConversation `json:"conversation,omitempty"`
	Pricing               *wirePricing      `json:"pricing,omitempty"`
	Errors                []webhookError    `json:"errors,omitempty"`
}

type wireConversation struct {
	ID                  string     `json:"id"`
	ExpirationTimestamp string     `json:"expiration_timestamp,omitempty"`
	Origin              wireOrigin `json:"origin"`
}

type wireOrigin struct {
	Type string `json:"type"`
}

// wirePricing covers both shapes: per-message pricing (pricing_model PMP
// with type) and the older conversation-based one (CBP, no type).
type wirePricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
	Type         string `json:"type,omitempty"`
}

// templateStatusValue is the value of a message_template_status_update.
type templateStatusValue struct {
	Event                   string             `json:"event"`
	MessageTemplateID       int64              `json:"message_template_id"`
	MessageTemplateName     string             `json:"message_template_name"`
	MessageTemplateLanguage string             `json:"message_template_language"`
	Reason                  string             `json:"reason"`
	MessageTemplateCategory string             `json:"message_template_category,omitempty"`
	DisableInfo             *templateDisable   `json:"disable_info,omitempty"`
	OtherInfo               *templateOtherInfo `json:"other_info,omitempty"`
	RejectionInfo           *templateRejection `json:"rejection_info,omitempty"`
}

// templateCategoryValue is the value of a template_category_update, in
// either of Meta's two shapes: a change announced (correct_category, the
// current category as new_category and category_update_timestamp) or a
// change made (previous_category and new_category).
type templateCategoryValue struct {
	MessageTemplateID       int64  `json:"message_template_id"`
	MessageTemplateName     string `json:"message_template_name"`
	MessageTemplateLanguage string `json:"message_template_language"`
	PreviousCategory        string `json:"previous_category,omitempty"`
	CorrectCategory         string `json:"correct_category,omitempty"`
	NewCategory             string `json:"new_category"`
	CategoryUpdateTimestamp int64  `json:"category_update_timestamp,omitempty"`
}

type templateDisable struct {
	DisableDate string `json:"disable_date"`
}

type templateOtherInfo struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

type templateRejection struct {
	Reason         string `json:"reason"`
	Recommendation string `json:"recommendation"`
}
