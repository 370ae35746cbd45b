package wire

import (
	"time"

	"switchboard/backend/domain"
)

// The bodies the API reads, besides the send request (send.go) and the
// conversation patch and note (conversation.go). The server decodes them
// strictly (an unknown field is refused); an optional field a client
// leaves unset is omitted (omitempty), which the server reads as not
// given. Where the hub's services take the same fields they take these
// types (hub.UserInput is UserInput, and so on).

// LoginRequest is the body of POST /v1/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Name labels the token in lists ("Ana's laptop").
	Name string `json:"name"`
}

// TokenRequest is the body of POST /v1/tokens: an API token for an
// integration (Role supervisor, the default, or admin: it acts for the
// business) or on behalf of a user (UserID; their role applies). Scopes
// are the strings of the scope table (domain.AllScopes).
type TokenRequest struct {
	Name      string      `json:"name"`
	Scopes    []string    `json:"scopes"`
	UserID    *int64      `json:"user_id,omitempty"`
	Role      domain.Role `json:"role,omitempty"`
	ExpiresAt *time.Time  `json:"expires_at,omitempty"`
}

// UserInput is the body of PUT /v1/users (create or replace by e-mail)
// and PATCH /v1/users/{id}: nil leaves a field as it is (or, creating,
// absent).
type UserInput struct {
	Email    *string      `json:"email,omitempty"`
	Name     *string      `json:"name,omitempty"`
	Role     *domain.Role `json:"role,omitempty"`
	Teams    *[]string    `json:"teams,omitempty"`
	Password *string      `json:"password,omitempty"`
	Disabled *bool        `json:"disabled,omitempty"`
}

// ContactInput is the body of PATCH /v1/contacts: the contact with ID
// (moved to Phone when given), or the one at Phone, created when new.
// Attributes, when given, replace the contact's.
type ContactInput struct {
	ID         int64             `json:"id,omitempty"`
	Phone      string            `json:"phone,omitempty"`
	Name       *string           `json:"name,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

// OptOutRequest is the body of POST /v1/optouts: a number in any format.
type OptOutRequest struct {
	Phone string `json:"phone"`
}

// DeliveryRequest is the JSON body of POST /v1/deliveries: a bulk send
// of one approved template. (The route also takes the recipients as a
// CSV, with the other fields as query or form fields of the same names.)
type DeliveryRequest struct {
	AccountID  string      `json:"account_id,omitempty"`
	Template   string      `json:"template"`
	Language   string      `json:"language"`
	Recipients []Recipient `json:"recipients"`
}

// Recipient is one recipient of a bulk send: a number in any format and
// the template's values by placeholder ("1", "2", … or the named ones).
type Recipient struct {
	Phone     string            `json:"phone"`
	Variables map[string]string `json:"variables,omitempty"`
}

// WebhookRequest is the body of PUT /v1/webhooks: the subscription for
// URL. An empty Secret has one generated; Events filters the event types
// (all when empty).
type WebhookRequest struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
}
