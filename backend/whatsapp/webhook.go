package whatsapp

import (
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"switchboard/backend/apierr"
)

// MaxNotificationBytes is the largest webhook body ParseNotification
// accepts. Meta batches at most a few hundred kilobytes; anything near this
// is not a webhook. The HTTP handler should cap the body at the same size.
const MaxNotificationBytes = 4 << 20

// MaxNestingDepth is the deepest object/array nesting ParseNotification
// accepts. Meta's deepest payload (a shared contact's phone list) nests about
// twelve levels; the decoder checks the depth before each level it descends
// into, so a hostile body cannot make it recurse deeply.
const MaxNestingDepth = 32

// Bounds on what one webhook body may hold, whatever its size. Meta's
// Webhooks documentation (Graph API, "Getting started": event notifications
// are "aggregated and sent in a batch with a maximum of 1000 updates") caps
// a batch at 1,000 updates, and a WhatsApp body in practice carries one entry
// with one change holding a message or a few statuses. The bounds leave five
// times the documented maximum, so no body Meta sends comes near them, while
// a signed body of junk (a leaked app secret, a relay gone wrong) is refused
// after bounded work instead of growing the heap by hundreds of megabytes:
// eight such bodies at once stay under 300 MB of heap in the hub
// (hubapi's TestWebhookJunkMemoryBounded).
const (
	// MaxWebhookUpdates bounds each update list across the body: the
	// entries, all their changes, and all the changes' messages, statuses,
	// errors and contacts (value.contacts, one per user Meta describes).
	MaxWebhookUpdates = 5_000
	// MaxWebhookDecodedBytes bounds the structs decoding one body may
	// allocate, counting every array grown and every object pointed to
	// (strings and raw values share copies of the body and are not
	// counted). A batch of 1,000 messages takes about a megabyte; 5,000
	// messages with ordinary content fit.
	MaxWebhookDecodedBytes = 8 << 20
)

// Causes of a rejected webhook body. ParseNotification returns an
// *apierr.Error wrapping one of these, so callers can use errors.Is with
// either the code or the cause.
var (
	ErrEmptyBody       = errors.New("whatsapp: empty webhook body")
	ErrBodyTooLarge    = errors.New("whatsapp: webhook body too large")
	ErrInvalidUTF8     = errors.New("whatsapp: webhook body is not valid UTF-8")
	ErrTooDeep         = errors.New("whatsapp: webhook body nests too deeply")
	ErrInvalidJSON     = errors.New("whatsapp: webhook body is not valid JSON")
	ErrNotWhatsAppBody = errors.New("whatsapp: webhook object is not whatsapp_business_account")
	// ErrUnexpectedShape: an array of objects holds something else (an
	// entry that is a number, a message that is a string).
	ErrUnexpectedShape = errors.New("whatsapp: webhook body is not shaped like a Cloud API notification")
	// ErrTooManyElements: more than MaxWebhookUpdates elements in an update
	// list, or more than MaxWebhookDecodedBytes of structs.
	ErrTooManyElements = errors.New("whatsapp: webhook body holds more than a notification can")
)

// ParseNotification decodes a webhook body from the bytes as received.
//
// It rejects, before decoding, an empty or oversized body and invalid UTF-8
// (encoding/json would silently replace it); while decoding, nesting deeper
// than MaxNestingDepth, invalid JSON, an array of objects holding anything
// else (INVALID_REQUEST, ErrUnexpectedShape) and more than the bounds above
// allow (PAYLOAD_TOO_LARGE, ErrTooManyElements); then any object other than
// whatsapp_business_account. Every rejection is an *apierr.Error
// (INVALID_JSON, PAYLOAD_TOO_LARGE or INVALID_REQUEST) wrapping one of the
// Err* causes above.
//
// The strings of the result share one private copy of the body (decoding
// them costs no allocation each), so keeping any of them keeps that copy,
// typically a kilobyte or two, alive; copy a string (strings.Clone) before
// caching it for long.
//
// A value of the wrong JSON type in a known field (a quoted boolean, say) is
// not a rejection: that one field is left zero and everything else decodes,
// because refusing a webhook makes Meta retry it for days while the raw
// message is still kept in Message.Raw.
func ParseNotification(body []byte) (*Notification, error) {
	if err := preflight(body); err != nil {
		return nil, err
	}
	n := new(Notification)
	if err := decodeNotification(body, n); err != nil {
		if errors.Is(err, ErrTooDeep) {
			return nil, apierr.Wrap(ErrTooDeep, apierr.InvalidJSON, "the webhook body nests deeper than %d levels", MaxNestingDepth)
		}
		var le *limitError
		if errors.As(err, &le) {
			code := apierr.InvalidRequest
			if errors.Is(le, ErrTooManyElements) {
				code = apierr.PayloadTooLarge
			}
			return nil, apierr.Wrap(le.cause, code, "the webhook body is refused: %s", le.msg)
		}
		return nil, apierr.Wrap(errors.Join(ErrInvalidJSON, err), apierr.InvalidJSON, "the webhook body is not valid JSON")
	}
	if n.Object != ObjectWhatsAppBusinessAccount {
		return nil, apierr.Wrap(ErrNotWhatsAppBody, apierr.InvalidRequest, "the webhook object is %q, want %q", truncate(n.Object, 64), ObjectWhatsAppBusinessAccount)
	}
	n.dropTypedRaw()
	return n, nil
}

// preflight runs the checks that must happen before any decoding: size and
// UTF-8 (encoding/json would silently replace invalid bytes). Nesting depth
// is bounded by the decoder itself, which counts levels before it recurses.
func preflight(body []byte) error {
	if len(body) == 0 {
		return apierr.Wrap(ErrEmptyBody, apierr.InvalidJSON, "the webhook body is empty")
	}
	if len(body) > MaxNotificationBytes {
		return apierr.Wrap(ErrBodyTooLarge, apierr.PayloadTooLarge, "the webhook body is %d bytes, more than the %d accepted", len(body), MaxNotificationBytes)
	}
	if !utf8.Valid(body) {
		return apierr.Wrap(ErrInvalidUTF8, apierr.InvalidJSON, "the webhook body is not valid UTF-8")
	}
	return nil
}

// typedFields are the change fields Value types; any other is kept raw.
var typedFields = map[string]bool{
	FieldMessages:                     true,
	FieldMessageTemplateStatusUpdate:  true,
	FieldMessageTemplateQualityUpdate: true,
	FieldTemplateCategoryUpdate:       true,
	FieldPhoneNumberQualityUpdate:     true,
	FieldPhoneNumberNameUpdate:        true,
	FieldAccountUpdate:                true,
}

// dropTypedRaw clears Change.Raw, which the decoder fills for every
// change, where Value already holds the field typed: Raw is only promised
// for fields this package does not type.
func (n *Notification) dropTypedRaw() {
	for i := range n.Entry {
		for j := range n.Entry[i].Changes {
			if c := &n.Entry[i].Changes[j]; typedFields[c.Field] {
				c.Raw = nil
			}
		}
	}
}

// Events is a notification flattened into what the hub acts on. Pointers
// point into the Notification, which must outlive the Events.
type Events struct {
	Messages     []InboundMessage
	Statuses     []StatusEvent
	Templates    []TemplateEvent
	PhoneNumbers []PhoneNumberEvent
	Accounts     []AccountEvent
	// Errors are webhook-level errors (value.errors), not tied to a message.
	Errors []ErrorEvent
	// Other holds changes of fields this package does not type, raw.
	Other []OtherChange
	// Dropped counts messages and statuses without an id, which cannot be
	// stored or deduplicated; they are left out of Messages and Statuses.
	Dropped int
}

// InboundMessage is one message a user sent, with the business number that
// received it and its sender resolved from value.contacts.
type InboundMessage struct {
	WABAID             string
	PhoneNumberID      string
	DisplayPhoneNumber string
	Sender             Sender
	Message            *Message
}

// Sender is a WhatsApp user as far as one webhook tells. WaID (the phone
// number without "+") may be empty for users with a username; UserID, the
// business-scoped user id, is then the key. Matched reports whether a
// value.contacts entry was found for the message; when it is false the ids
// come from the message alone and ProfileName is empty.
type Sender struct {
	WaID            string
	UserID          string
	ParentUserID    string
	Username        string
	ProfileName     string
	CountryCode     string
	IdentityKeyHash string
	Matched         bool
}

// Key is the identifier to file the user under: the phone number when Meta
// shares it, otherwise the BSUID.
func (s Sender) Key() string {
	if s.WaID != "" {
		return s.WaID
	}
	return s.UserID
}

// StatusEvent is one delivery status, with the recipient resolved from
// value.contacts when Meta includes them.
type StatusEvent struct {
	WABAID             string
	PhoneNumberID      string
	DisplayPhoneNumber string
	Recipient          Sender
	Status             *Status
}

// TemplateEvent is a template status, quality or category update. Field
// says which; the fields that do not apply are empty.
type TemplateEvent struct {
	WABAID     string
	Field      string
	Time       time.Time
	TemplateID string
	Name       string
	Language   string
	// Status updates: Event is APPROVED, REJECTED, PENDING, PAUSED,
	// DISABLED, ... and Reason explains a rejection ("NONE" otherwise).
	Event    string
	Reason   string
	Category string
	// Quality updates: GREEN, YELLOW, RED or UNKNOWN.
	PreviousQuality string
	NewQuality      string
	// Category updates.
	PreviousCategory string
	NewCategory      string
	Value            *Value
}

// PhoneNumberEvent is a business number's quality/throughput or display
// name update.
type PhoneNumberEvent struct {
	WABAID             string
	Field              string
	Time               time.Time
	DisplayPhoneNumber string
	Event              string
	CurrentLimit       string
	OldLimit           string
	MaxDailyLimit      string
	Value              *Value
}

// AccountEvent is an account_update (verification, ban, violation,
// restriction, offboarding, ...).
type AccountEvent struct {
	WABAID      string
	Time        time.Time
	Event       string
	PhoneNumber string
	Value       *Value
}

// ErrorEvent is a webhook-level error reported for a business number.
type ErrorEvent struct {
	WABAID        string
	PhoneNumberID string
	Error         WebhookError
}

// OtherChange is a change of a field this package does not type, raw.
type OtherChange struct {
	WABAID string
	Time   time.Time
	Field  string
	Value  json.RawMessage
}

// Events flattens the notification. Messages are paired with their sender by
// matching from to contacts[].wa_id (or from_user_id to contacts[].user_id),
// never by position in the arrays.
func (n *Notification) Events() Events {
	var ev Events
	// Size the two big lists up front; they are most of every body.
	var messages, statuses int
	for i := range n.Entry {
		for j := range n.Entry[i].Changes {
			messages += len(n.Entry[i].Changes[j].Value.Messages)
			statuses += len(n.Entry[i].Changes[j].Value.Statuses)
		}
	}
	if messages > 0 {
		ev.Messages = make([]InboundMessage, 0, messages)
	}
	if statuses > 0 {
		ev.Statuses = make([]StatusEvent, 0, statuses)
	}
	for i := range n.Entry {
		e := &n.Entry[i]
		at := e.At()
		for j := range e.Changes {
			c := &e.Changes[j]
			v := &c.Value
			switch c.Field {
			case FieldMessages:
				ev.addMessages(e.ID, v)
			case FieldMessageTemplateStatusUpdate, FieldMessageTemplateQualityUpdate, FieldTemplateCategoryUpdate:
				ev.Templates = append(ev.Templates, TemplateEvent{
					WABAID: e.ID, Field: c.Field, Time: at,
					TemplateID: string(v.MessageTemplateID), Name: v.MessageTemplateName, Language: v.MessageTemplateLanguage,
					Event: v.Event, Reason: v.Reason, Category: v.MessageTemplateCategory,
					PreviousQuality: v.PreviousQualityScore, NewQuality: v.NewQualityScore,
					PreviousCategory: v.PreviousCategory, NewCategory: v.NewCategory,
					Value: v,
				})
			case FieldPhoneNumberQualityUpdate, FieldPhoneNumberNameUpdate:
				ev.PhoneNumbers = append(ev.PhoneNumbers, PhoneNumberEvent{
					WABAID: e.ID, Field: c.Field, Time: at,
					DisplayPhoneNumber: v.DisplayPhoneNumber, Event: v.Event,
					CurrentLimit: v.CurrentLimit, OldLimit: v.OldLimit, MaxDailyLimit: v.MaxDailyConversationsPerBusiness,
					Value: v,
				})
			case FieldAccountUpdate:
				ev.Accounts = append(ev.Accounts, AccountEvent{WABAID: e.ID, Time: at, Event: v.Event, PhoneNumber: v.PhoneNumber, Value: v})
			default:
				ev.Other = append(ev.Other, OtherChange{WABAID: e.ID, Time: at, Field: c.Field, Value: c.Raw})
			}
		}
	}
	return ev
}

func (ev *Events) addMessages(wabaID string, v *Value) {
	var pnid, display string
	if v.Metadata != nil {
		pnid, display = v.Metadata.PhoneNumberID, v.Metadata.DisplayPhoneNumber
	}
	users := indexContacts(v.Contacts)
	for k := range v.Messages {
		m := &v.Messages[k]
		if m.ID == "" {
			ev.Dropped++
			continue
		}
		ev.Messages = append(ev.Messages, InboundMessage{
			WABAID: wabaID, PhoneNumberID: pnid, DisplayPhoneNumber: display,
			Sender:  users.resolve(m.From, m.FromUserID, m.FromParentUserID),
			Message: m,
		})
	}
	for k := range v.Statuses {
		s := &v.Statuses[k]
		if s.ID == "" {
			ev.Dropped++
			continue
		}
		recipient := s.RecipientID
		if s.RecipientType == "group" {
			recipient = s.RecipientParticipantID
		}
		ev.Statuses = append(ev.Statuses, StatusEvent{
			WABAID: wabaID, PhoneNumberID: pnid, DisplayPhoneNumber: display,
			Recipient: users.resolve(recipient, s.RecipientUserID, s.RecipientParentUserID),
			Status:    s,
		})
	}
	for k := range v.Errors {
		ev.Errors = append(ev.Errors, ErrorEvent{WABAID: wabaID, PhoneNumberID: pnid, Error: v.Errors[k]})
	}
}

// contactIndex finds a change's value.contacts entries. Meta sends one per
// user the change mentions, so a few are scanned; a body describing many
// users is indexed once, so pairing every message with its sender is not
// quadratic.
type contactIndex struct {
	contacts []WebhookContact
	// byPhone (by wa_id digits) and byUser (by BSUID) hold each key's
	// first entry; nil when the entries are scanned.
	byPhone, byUser map[string]int
}

// contactScanMax is how many entries are scanned rather than indexed.
const contactScanMax = 8

func indexContacts(contacts []WebhookContact) contactIndex {
	ix := contactIndex{contacts: contacts}
	if len(contacts) <= contactScanMax {
		return ix
	}
	ix.byPhone, ix.byUser = make(map[string]int, len(contacts)), make(map[string]int)
	for i := range contacts {
		c := &contacts[i]
		if d := digitsOnly(c.WaID); d != "" {
			if _, ok := ix.byPhone[d]; !ok {
				ix.byPhone[d] = i
			}
		}
		if c.UserID != "" {
			if _, ok := ix.byUser[c.UserID]; !ok {
				ix.byUser[c.UserID] = i
			}
		}
	}
	return ix
}

// find returns the first entry matching the phone digits or the BSUID, or
// -1.
func (ix contactIndex) find(waDigits, userID string) int {
	if ix.byPhone == nil {
		for i := range ix.contacts {
			c := &ix.contacts[i]
			if (waDigits != "" && c.WaID != "" && digitsOnly(c.WaID) == waDigits) || (userID != "" && c.UserID == userID) {
				return i
			}
		}
		return -1
	}
	first := -1
	if i, ok := ix.byPhone[waDigits]; ok && waDigits != "" {
		first = i
	}
	if i, ok := ix.byUser[userID]; ok && userID != "" && (first < 0 || i < first) {
		first = i
	}
	return first
}

// resolve finds the contacts entry for a user known by phone number and/or
// BSUID and merges what the entry and the message each know. Phone numbers
// are compared by their digits, because Meta documents "from" both with and
// without a leading "+".
func (ix contactIndex) resolve(waID, userID, parentUserID string) Sender {
	s := Sender{WaID: digitsOnly(waID), UserID: userID, ParentUserID: parentUserID}
	if i := ix.find(s.WaID, userID); i >= 0 {
		c := &ix.contacts[i]
		s.Matched = true
		s.ProfileName = c.Profile.Name
		s.Username = c.Profile.Username
		s.CountryCode = c.CountryCode
		s.IdentityKeyHash = c.IdentityKeyHash
		if c.WaID != "" {
			s.WaID = digitsOnly(c.WaID)
		}
		if s.UserID == "" {
			s.UserID = c.UserID
		}
		if s.ParentUserID == "" {
			s.ParentUserID = c.ParentUserID
		}
	}
	return s
}

// digitsOnly drops everything but ASCII digits ("+1 650-555" → "1650555").
// It returns s unchanged, without allocating, when s is already digits.
func digitsOnly(s string) string {
	if isDigits(s) || s == "" {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
