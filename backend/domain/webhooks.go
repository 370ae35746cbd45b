package domain

import "time"

// Webhook is an outbound webhook subscription: the hub posts the event
// log's events to URL, signed with Secret, from Cursor on.
type Webhook struct {
	ID     int64    `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	// Secret is shown in full only in the answer that set it; lists mask
	// it.
	Secret string `json:"secret"`
	// Cursor is the last event seq delivered (or skipped).
	Cursor int64 `json:"cursor"`
	// Failures counts consecutive failed attempts; LastError is the latest.
	Failures  int       `json:"failures"`
	LastError string    `json:"last_error"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}
