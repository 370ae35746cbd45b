// Package wire holds every shape that travels between the hub and its
// clients, defined once: the answers of the REST API (wire.go), the
// bodies it reads (requests.go: sign-in, tokens, users, contacts,
// opt-outs, templates, deliveries, webhooks), the send request (send.go),
// the conversation patch, detail and note (conversation.go), the
// websocket stream's frames, kinds and close codes (stream.go), the list
// page every layer hands on (page.go), and the line the demo hub prints
// when it is ready (demo.go). The server (hubapi decodes into them and
// encodes them; the hub's services take the request types, under their
// own names by alias), the Go client (hubclient) and the console
// (backend/desktop) all use these types, so none of them can drift from
// the others field by field; TypeScript gets them through the Wails
// models. shapes_test.go holds the rest of the code to it: no other
// struct has a wire shape's fields, and hubapi and hubclient declare no
// body of their own.
//
// The package is a leaf beside domain: it imports only domain, apierr and
// whatsapp (for the Cloud API objects a body carries), so every layer may
// import it, the hub's core and its store interface included.
//
// Tags are exactly what the server answers (snake_case, RFC 3339 times);
// request fields a client leaves unset are omitted. The server decodes
// strictly (an unknown field is refused): a type with its own
// UnmarshalJSON applies that itself (ConversationPatch), since the
// decoder's DisallowUnknownFields does not reach into it.
// Scopes travel as plain strings: hubapi converts its typed Scope values
// at the edge, and the client needs no knowledge of the scope table.
// Server-only state (who created a delivery, a token's hash) never lives
// here. The one exception is marked on SendRequest: two fields the API
// fills from the request's token and header, never encoded. Shapes the
// hub's services return (tokens, deliveries, webhooks, uploaded media) are
// defined in package domain and named here by alias.
package wire

import (
	"time"

	"switchboard/backend/domain"
)

// Pagination is the cursor block on every list answer.
type Pagination struct {
	// NextCursor is passed back as ?cursor= for the next page; empty when
	// there is none.
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

// LoginResult is the answer of POST /v1/login.
type LoginResult struct {
	Token     string      `json:"token"`
	TokenID   int64       `json:"token_id"`
	ExpiresAt time.Time   `json:"expires_at"`
	User      domain.User `json:"user"`
	Scopes    []string    `json:"scopes"`
}

// Me is GET /v1/me: the calling token and its user (nil for integration
// tokens).
type Me struct {
	TokenID int64        `json:"token_id"`
	Kind    string       `json:"kind"`
	Name    string       `json:"name"`
	Role    domain.Role  `json:"role"`
	Scopes  []string     `json:"scopes"`
	User    *domain.User `json:"user"`
}

// TokenInfo describes a token without its secret (the hub's own shape).
type TokenInfo = domain.TokenInfo

// NewToken is a token as answered once at creation: the only time the
// secret is ever shown.
type NewToken = domain.NewToken

// Delivery is a bulk template job: its progress and, on GET
// /v1/deliveries/{id}, a page of its recipients.
type Delivery struct {
	domain.Delivery
	Recipients []DeliveryRecipient `json:"recipients,omitempty"`
	Pagination *Pagination         `json:"recipients_pagination,omitempty"`
}

// DeliveryProgress counts recipients by state.
type DeliveryProgress = domain.DeliveryProgress

// DeliveryRecipient is one recipient's outcome.
type DeliveryRecipient = domain.DeliveryRecipient

// Webhook is an outbound subscription.
type Webhook = domain.Webhook

// Health is GET /healthz: the hub answers, its event log can be read up
// to EventHead, and StreamClients websockets are open. (The fields are in
// the order the answer has always had them.)
type Health struct {
	EventHead     int64  `json:"event_head"`
	Status        string `json:"status"` // "ok"
	StreamClients int    `json:"stream_clients"`
}

// EventHead is GET /v1/events/head: where the hub's event log stands.
type EventHead struct {
	Head   int64 `json:"head"`
	Oldest int64 `json:"oldest"`
}

// UploadedMedia is the answer of POST /v1/media.
type UploadedMedia = domain.UploadedMedia
