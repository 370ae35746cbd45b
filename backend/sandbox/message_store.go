package sandbox

import (
	"encoding/json"
	"time"
)

// Message directions in MessageRecord.
const (
	// DirectionInbound is a message a customer sent to the business.
	DirectionInbound = "inbound"
	// DirectionOutbound is a message the business sent through the API.
	DirectionOutbound = "outbound"
)

// MessageRecord is what the sandbox remembers about one message, as listed
// by Messages and GET /_sandbox/messages.
type MessageRecord struct {
	// ID is the wamid.
	ID string `json:"id"`
	// Direction is DirectionInbound or DirectionOutbound.
	Direction string `json:"direction"`
	// PhoneNumberID is the business number.
	PhoneNumberID string `json:"phone_number_id"`
	// WaID is the customer.
	WaID string `json:"wa_id"`
	// Type is the message type (text, image, template, interactive, ...).
	Type string `json:"type"`
	// Text is a readable summary: the body, caption, rendered template text,
	// button title or emoji.
	Text string `json:"text,omitempty"`
	// Status is the latest status: accepted, sent, delivered, read or failed
	// for outbound messages; received or read for inbound ones.
	Status string `json:"status"`
	// ErrorCode is the failure code of a failed message.
	ErrorCode int `json:"error_code,omitempty"`
	// ContextID is the wamid this message replies or reacts to.
	ContextID string `json:"context_id,omitempty"`
	// Template is the template name of a template message.
	Template string `json:"template,omitempty"`
	// Timestamp is when the message was accepted or sent by the customer.
	Timestamp time.Time `json:"timestamp"`
	// Payload is the request body (outbound) or the webhook message object
	// (inbound), as JSON.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// storedMessage is a MessageRecord plus what the simulated customer needs
// to answer it.
type storedMessage struct {
	MessageRecord
	// replies are the taps the customer can make (buttons, list rows,
	// template quick replies).
	replies []replyOption
	// wantsLocation is set for location_request_message.
	wantsLocation bool
	// outcome bookkeeping for outbound messages.
	biz      string
	pricing  *wirePricing
	conv     *wireConversation
	category string
}

// replyOption is one tappable answer to an outbound message.
type replyOption struct {
	kind        string // "button" (template quick reply), "button_reply", "list_reply"
	id          string // reply id, or template button payload
	title       string
	description string
}

// messageStore keeps the most recent messages, forgetting the oldest first.
// It is guarded by Sandbox.mu.
type messageStore struct {
	max   int
	byID  map[string]*storedMessage
	order []string // ring of ids in insertion order
	head  int
	n     int
}

func newMessageStore(max int) *messageStore {
	return &messageStore{max: max, byID: make(map[string]*storedMessage), order: make([]string, max)}
}

func (m *messageStore) add(msg *storedMessage) {
	if m.n == m.max {
		oldest := m.order[m.head]
		delete(m.byID, oldest)
		m.order[m.head] = msg.ID
		m.head = (m.head + 1) % m.max
	} else {
		m.order[(m.head+m.n)%m.max] = msg.ID
		m.n++
	}
	m.byID[msg.ID] = msg
}

func (m *messageStore) get(id string) *storedMessage { return m.byID[id] }

// each calls f from newest to oldest until f returns false.
func (m *messageStore) each(f func(*storedMessage) bool) {
	for i := m.n - 1; i >= 0; i-- {
		id := m.order[(m.head+i)%m.max]
		if msg, ok := m.byID[id]; ok {
			if !f(msg) {
				return
			}
		}
	}
}
