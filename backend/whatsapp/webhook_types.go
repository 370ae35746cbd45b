package whatsapp

import (
	"encoding/json"
	"errors"
	"time"
)

// ObjectWhatsAppBusinessAccount is the only "object" a Cloud API webhook
// carries; ParseNotification rejects any other.
const ObjectWhatsAppBusinessAccount = "whatsapp_business_account"

// Webhook fields (entry[].changes[].field) this package types. Any other
// field is kept raw (Change.Raw) and surfaced as an OtherChange.
const (
	FieldMessages                     = "messages"
	FieldMessageTemplateStatusUpdate  = "message_template_status_update"
	FieldMessageTemplateQualityUpdate = "message_template_quality_update"
	FieldTemplateCategoryUpdate       = "template_category_update"
	FieldPhoneNumberQualityUpdate     = "phone_number_quality_update"
	FieldPhoneNumberNameUpdate        = "phone_number_name_update"
	FieldAccountUpdate                = "account_update"
)

// Inbound message types (messages[].type). A type not listed here is still
// accepted; Message.Raw holds everything Meta sent.
const (
	TypeText           = "text"
	TypeImage          = "image"
	TypeAudio          = "audio"
	TypeVideo          = "video"
	TypeDocument       = "document"
	TypeSticker        = "sticker"
	TypeLocation       = "location"
	TypeContacts       = "contacts"
	TypeInteractive    = "interactive"
	TypeButton         = "button"
	TypeReaction       = "reaction"
	TypeOrder          = "order"
	TypeSystem         = "system"
	TypeUnsupported    = "unsupported"
	TypeRequestWelcome = "request_welcome"
	TypeTemplate       = "template" // outbound only
)

// Message statuses (statuses[].status).
const (
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusPlayed    = "played"
	StatusFailed    = "failed"
)

// System message types (messages[].system.type).
const (
	SystemUserChangedNumber       = "user_changed_number"
	SystemCustomerChangedNumber   = "customer_changed_number"
	SystemCustomerIdentityChanged = "customer_identity_changed"
	SystemUserChangedUserID       = "user_changed_user_id"
)

// Interactive reply types (messages[].interactive.type).
const (
	InteractiveButtonReply = "button_reply"
	InteractiveListReply   = "list_reply"
	InteractiveNFMReply    = "nfm_reply"
)

// Pricing models (statuses[].pricing.pricing_model): conversation-based
// before July 2025, per-message after.
const (
	PricingModelCBP = "CBP"
	PricingModelPMP = "PMP"
)

// Notification is one webhook body as Meta POSTs it.
type Notification struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry is one WhatsApp Business Account's batch of changes. ID is the WABA
// id. Time, a Unix time in seconds sent as a bare number, is present on
// account-level webhooks such as template updates.
type Entry struct {
	ID      string   `json:"id"`
	Time    FlexInt  `json:"time,omitempty"`
	Changes []Change `json:"changes"`
}

// At is Time as a time.Time in UTC (zero when absent).
func (e *Entry) At() time.Time { return Timestamp(e.Time).Time() }

// Change is one entry[].changes[] element. Value is decoded in one pass into
// the union of every typed field's keys; Raw holds the value's bytes only for
// fields this package does not type (Field not among the Field* constants),
// so nothing Meta adds is lost.
type Change struct {
	Field string          `json:"field"`
	Value Value           `json:"value"`
	Raw   json.RawMessage `json:"-"`
}

// changeWire is Change with the value left raw, used for marshalling a
// Change that came in untyped.
type changeWire struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// MarshalJSON writes Raw when the change was kept raw, the typed Value
// otherwise.
func (c Change) MarshalJSON() ([]byte, error) {
	if len(c.Raw) > 0 {
		return json.Marshal(changeWire{Field: c.Field, Value: c.Raw})
	}
	type plain Change
	return json.Marshal(plain(c))
}

// Value is the union of the keys of every typed webhook field's value. Which
// keys are set depends on Change.Field:
//
//   - messages: MessagingProduct, Metadata, Contacts, Messages, Statuses, Errors
//   - message_template_status_update: Event, MessageTemplate*, Reason, ...
//   - message_template_quality_update: PreviousQualityScore, NewQualityScore, MessageTemplate*
//   - template_category_update: PreviousCategory, NewCategory, MessageTemplate*
//   - phone_number_quality_update: DisplayPhoneNumber, Event, CurrentLimit, OldLimit, MaxDailyConversationsPerBusiness
//   - phone_number_name_update: DisplayPhoneNumber, Decision, RequestedVerifiedName, RejectionReason
//   - account_update: PhoneNumber, Event, BanInfo, ViolationInfo, RestrictionInfo
//
// One struct rather than one per field lets the whole body decode in a single
// pass, which is what keeps ingestion cheap.
type Value struct {
	MessagingProduct string           `json:"messaging_product,omitempty"`
	Metadata         *Metadata        `json:"metadata,omitempty"`
	Contacts         []WebhookContact `json:"contacts,omitempty"`
	Messages         []Message        `json:"messages,omitempty"`
	Statuses         []Status         `json:"statuses,omitempty"`
	Errors           []WebhookError   `json:"errors,omitempty"`

	// Shared by the template and account fields.
	Event string `json:"event,omitempty"`

	// Template status, quality and category updates.
	MessageTemplateID       NumericID       `json:"message_template_id,omitempty"`
	MessageTemplateName     string          `json:"message_template_name,omitempty"`
	MessageTemplateLanguage string          `json:"message_template_language,omitempty"`
	MessageTemplateCategory string          `json:"message_template_category,omitempty"`
	Reason                  string          `json:"reason,omitempty"`
	DisableInfo             *DisableInfo    `json:"disable_info,omitempty"`
	OtherInfo               *OtherInfo      `json:"other_info,omitempty"`
	RejectionInfo           json.RawMessage `json:"rejection_info,omitempty"`
	PreviousQualityScore    string          `json:"previous_quality_score,omitempty"`
	NewQualityScore         string          `json:"new_quality_score,omitempty"`
	PreviousCategory        string          `json:"previous_category,omitempty"`
	NewCategory             string          `json:"new_category,omitempty"`
	CorrectCategory         string          `json:"correct_category,omitempty"`
	CategoryUpdateTimestamp Timestamp       `json:"category_update_timestamp,omitempty"`

	// Phone number quality and name updates.
	DisplayPhoneNumber               string `json:"display_phone_number,omitempty"`
	CurrentLimit                     string `json:"current_limit,omitempty"`
	OldLimit                         string `json:"old_limit,omitempty"`
	MaxDailyConversationsPerBusiness string `json:"max_daily_conversations_per_business,omitempty"`
	Decision                         string `json:"decision,omitempty"`
	RequestedVerifiedName            string `json:"requested_verified_name,omitempty"`
	RejectionReason                  string `json:"rejection_reason,omitempty"`

	// Account updates.
	PhoneNumber     string          `json:"phone_number,omitempty"`
	BanInfo         *BanInfo        `json:"ban_info,omitempty"`
	ViolationInfo   *ViolationInfo  `json:"violation_info,omitempty"`
	RestrictionInfo []Restriction   `json:"restriction_info,omitempty"`
	LockInfo        json.RawMessage `json:"lock_info,omitempty"`
}

// Metadata names the business phone number a messages webhook is for.
type Metadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

// WebhookContact is one entry of value.contacts: the WhatsApp user a message
// came from (or, on statuses, went to). It is not a shared vCard (see
// Contact). WaID is absent for users who adopted a username and whose number
// Meta does not share; UserID, the business-scoped user id (BSUID), is then
// the stable key.
type WebhookContact struct {
	Profile         ContactProfile `json:"profile"`
	WaID            string         `json:"wa_id,omitempty"`
	UserID          string         `json:"user_id,omitempty"`
	ParentUserID    string         `json:"parent_user_id,omitempty"`
	CountryCode     string         `json:"country_code,omitempty"`
	IdentityKeyHash string         `json:"identity_key_hash,omitempty"`
}

// ContactProfile is a WhatsApp user's public profile.
type ContactProfile struct {
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

// Message is one inbound message (value.messages[]). Exactly one of the
// type-named fields is set, matching Type; a type this package does not know
// sets none, and Raw still holds the whole message as Meta sent it.
type Message struct {
	From             string    `json:"from,omitempty"`
	FromUserID       string    `json:"from_user_id,omitempty"`
	FromParentUserID string    `json:"from_parent_user_id,omitempty"`
	GroupID          string    `json:"group_id,omitempty"`
	ID               string    `json:"id"`
	Timestamp        Timestamp `json:"timestamp"`
	Type             string    `json:"type"`

	Context  *MessageContext `json:"context,omitempty"`
	Referral *Referral       `json:"referral,omitempty"`
	Errors   []WebhookError  `json:"errors,omitempty"`

	Text        *TextBody         `json:"text,omitempty"`
	Image       *InboundMedia     `json:"image,omitempty"`
	Audio       *InboundMedia     `json:"audio,omitempty"`
	Video       *InboundMedia     `json:"video,omitempty"`
	Document    *InboundMedia     `json:"document,omitempty"`
	Sticker     *InboundMedia     `json:"sticker,omitempty"`
	Location    *Location         `json:"location,omitempty"`
	Contacts    []Contact         `json:"contacts,omitempty"`
	Interactive *InteractiveReply `json:"interactive,omitempty"`
	Button      *ButtonReply      `json:"button,omitempty"`
	Reaction    *Reaction         `json:"reaction,omitempty"`
	Order       *Order            `json:"order,omitempty"`
	System      *System           `json:"system,omitempty"`
	Unsupported *Unsupported      `json:"unsupported,omitempty"`

	// Raw is the message exactly as received, for storage. It is filled by
	// parsing and ignored when marshalling.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the message and keeps a copy of its bytes in Raw.
// The copy is needed because encoding/json may reuse the buffer it passes.
func (m *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		// A mistyped field leaves that field zero, as at the top level.
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return err
		}
	}
	*m = Message(p)
	m.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Media returns the media object of an image, audio, video, document or
// sticker message (nil for other types).
func (m *Message) Media() *InboundMedia {
	switch {
	case m.Image != nil:
		return m.Image
	case m.Audio != nil:
		return m.Audio
	case m.Video != nil:
		return m.Video
	case m.Document != nil:
		return m.Document
	case m.Sticker != nil:
		return m.Sticker
	}
	return nil
}

// TextBody is the text of a text message.
type TextBody struct {
	Body string `json:"body"`
}

// MessageContext is present on replies (ID, From name the quoted message),
// forwards (Forwarded, FrequentlyForwarded) and product enquiries.
type MessageContext struct {
	From                string           `json:"from,omitempty"`
	ID                  string           `json:"id,omitempty"`
	Forwarded           bool             `json:"forwarded,omitempty"`
	FrequentlyForwarded bool             `json:"frequently_forwarded,omitempty"`
	ReferredProduct     *ReferredProduct `json:"referred_product,omitempty"`
}

// ReferredProduct is the catalog item a message refers to.
type ReferredProduct struct {
	CatalogID         string `json:"catalog_id"`
	ProductRetailerID string `json:"product_retailer_id"`
}

// Referral attributes a message to a click-to-WhatsApp ad or post.
type Referral struct {
	SourceURL      string          `json:"source_url,omitempty"`
	SourceID       string          `json:"source_id,omitempty"`
	SourceType     string          `json:"source_type,omitempty"`
	Headline       string          `json:"headline,omitempty"`
	Body           string          `json:"body,omitempty"`
	MediaType      string          `json:"media_type,omitempty"`
	ImageURL       string          `json:"image_url,omitempty"`
	VideoURL       string          `json:"video_url,omitempty"`
	ThumbnailURL   string          `json:"thumbnail_url,omitempty"`
	CtwaClid       string          `json:"ctwa_clid,omitempty"`
	WelcomeMessage *WelcomeMessage `json:"welcome_message,omitempty"`
}

// WelcomeMessage is the greeting configured on a click-to-WhatsApp ad.
type WelcomeMessage struct {
	Text string `json:"text"`
}

// InboundMedia is the media object of an inbound image, audio, video,
// document or sticker. ID is the media id to download it with. Filename
// (documents) is kept exactly as sent. Voice marks a voice note; Animated an
// animated sticker.
type InboundMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	URL      string `json:"url,omitempty"`
	Voice    bool   `json:"voice,omitempty"`
	Animated bool   `json:"animated,omitempty"`
}

// Location is a shared (or sent) location pin. Meta sends the coordinates as
// numbers.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// InteractiveReply is a user's answer to an interactive message: a reply
// button tap, a list row choice, or a flow/address response (nfm_reply).
type InteractiveReply struct {
	Type        string            `json:"type"`
	ButtonReply *ButtonReplyValue `json:"button_reply,omitempty"`
	ListReply   *ListReplyValue   `json:"list_reply,omitempty"`
	NFMReply    *NFMReply         `json:"nfm_reply,omitempty"`
}

// ButtonReplyValue identifies the reply button the user tapped.
type ButtonReplyValue struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ListReplyValue identifies the list row the user chose.
type ListReplyValue struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// NFMReply is a flow or address-message response; ResponseJSON is a JSON
// document encoded as a string, kept as sent.
type NFMReply struct {
	Name         string `json:"name,omitempty"`
	Body         string `json:"body,omitempty"`
	ResponseJSON string `json:"response_json"`
}

// ButtonReply is a tap on a template's quick-reply button.
type ButtonReply struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

// Reaction is an emoji reaction to MessageID. An empty or missing Emoji means
// the user removed their reaction.
type Reaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// Removed reports whether the reaction withdraws an earlier one.
func (r *Reaction) Removed() bool { return r.Emoji == "" }

// Order is a cart the user sent from a catalog.
type Order struct {
	CatalogID    string        `json:"catalog_id"`
	Text         string        `json:"text,omitempty"`
	ProductItems []ProductItem `json:"product_items"`
}

// ProductItem is one line of an Order.
type ProductItem struct {
	ProductRetailerID string  `json:"product_retailer_id"`
	Quantity          Decimal `json:"quantity"`
	ItemPrice         Decimal `json:"item_price"`
	Currency          string  `json:"currency"`
}

// System is a system message: the user changed number (WaID, or the older
// NewWaID, is the new number) or identity, or their BSUID changed.
type System struct {
	Body                 string `json:"body,omitempty"`
	Type                 string `json:"type"`
	WaID                 string `json:"wa_id,omitempty"`
	NewWaID              string `json:"new_wa_id,omitempty"`
	Customer             string `json:"customer,omitempty"`
	Identity             string `json:"identity,omitempty"`
	UserID               string `json:"user_id,omitempty"`
	ParentUserID         string `json:"parent_user_id,omitempty"`
	PreviousUserID       string `json:"previous_user_id,omitempty"`
	PreviousParentUserID string `json:"previous_parent_user_id,omitempty"`
}

// NewNumber is the user's new WhatsApp number for a number change, whichever
// field Meta used.
func (s *System) NewNumber() string {
	if s.WaID != "" {
		return s.WaID
	}
	return s.NewWaID
}

// Unsupported names the kind of a message the Cloud API could not deliver
// (a poll, an edit, ...). The message's Errors say why.
type Unsupported struct {
	Type string `json:"type"`
}

// WebhookError is an error object inside a webhook (messages[].errors,
// statuses[].errors, value.errors).
type WebhookError struct {
	Code      int               `json:"code"`
	Title     string            `json:"title,omitempty"`
	Message   string            `json:"message,omitempty"`
	ErrorData *WebhookErrorData `json:"error_data,omitempty"`
	Href      string            `json:"href,omitempty"`
}

// WebhookErrorData carries the human-readable details of a WebhookError.
type WebhookErrorData struct {
	Details string `json:"details"`
}

// Details returns error_data.details, or "" when absent.
func (e WebhookError) Details() string {
	if e.ErrorData == nil {
		return ""
	}
	return e.ErrorData.Details
}

// Status is a delivery status of a message the business sent. RecipientID is
// the phone number it was sent to (absent when sent to a BSUID);
// RecipientUserID is the user's BSUID. Conversation and Pricing come on sent
// and on delivered or read; Errors on failed.
type Status struct {
	ID                       string         `json:"id"`
	Status                   string         `json:"status"`
	Timestamp                Timestamp      `json:"timestamp"`
	RecipientID              string         `json:"recipient_id,omitempty"`
	RecipientUserID          string         `json:"recipient_user_id,omitempty"`
	RecipientParentUserID    string         `json:"recipient_parent_user_id,omitempty"`
	RecipientType            string         `json:"recipient_type,omitempty"`
	RecipientParticipantID   string         `json:"recipient_participant_id,omitempty"`
	RecipientIdentityKeyHash string         `json:"recipient_identity_key_hash,omitempty"`
	BizOpaqueCallbackData    string         `json:"biz_opaque_callback_data,omitempty"`
	Conversation             *Conversation  `json:"conversation,omitempty"`
	Pricing                  *Pricing       `json:"pricing,omitempty"`
	Errors                   []WebhookError `json:"errors,omitempty"`
}

// Conversation is the (conversation-based pricing era) conversation a
// message belongs to.
type Conversation struct {
	ID                  string              `json:"id,omitempty"`
	ExpirationTimestamp Timestamp           `json:"expiration_timestamp,omitempty"`
	Origin              *ConversationOrigin `json:"origin,omitempty"`
}

// ConversationOrigin is a conversation's category (marketing, utility,
// authentication, service, referral_conversion, ...).
type ConversationOrigin struct {
	Type string `json:"type"`
}

// Pricing describes how a message is billed. The older shape has
// PricingModel "CBP" and no Type; the per-message shape has "PMP" and a Type
// of regular, free_customer_service or free_entry_point. Billable is a
// pointer because false and absent differ and Meta is deprecating it.
type Pricing struct {
	Billable     *bool  `json:"billable,omitempty"`
	PricingModel string `json:"pricing_model,omitempty"`
	Type         string `json:"type,omitempty"`
	Category     string `json:"category,omitempty"`
}

// DisableInfo says when a template was disabled.
type DisableInfo struct {
	DisableDate Timestamp `json:"disable_date"`
}

// OtherInfo explains a template lock or unlock.
type OtherInfo struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// BanInfo is the ban state in an account_update.
type BanInfo struct {
	WabaBanState string `json:"waba_ban_state,omitempty"`
	WabaBanDate  string `json:"waba_ban_date,omitempty"`
}

// ViolationInfo names a policy violation in an account_update.
type ViolationInfo struct {
	ViolationType string `json:"violation_type"`
}

// Restriction is one restriction in an account_update.
type Restriction struct {
	RestrictionType string `json:"restriction_type"`
	Expiration      string `json:"expiration,omitempty"`
}
