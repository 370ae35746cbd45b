package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
)

// ConversationDetail is GET /v1/conversations/{id}: the conversation
// with its most recent messages (newest first) and the cursor to page
// further back through /v1/conversations/{id}/messages.
type ConversationDetail struct {
	domain.Conversation
	Messages           []domain.Message `json:"messages"`
	MessagesNextCursor string           `json:"messages_next_cursor,omitempty"`
	MessagesHasMore    bool             `json:"messages_has_more"`
}

// NoteInput is the body of POST /v1/conversations/{id}/notes.
type NoteInput struct {
	Body string `json:"body"`
}

// ConversationPatch is the body of PATCH /v1/conversations/{id}: the
// workflow fields to change; nil fields are left alone. An explicit
// "assignee_id": null unassigns (Unassign; absent means no change).
//
// The server (hubapi) and the console's window (a Wails binding) both
// decode it with UnmarshalJSON, which is strict the way the API is: a
// field it does not know is refused, and an assignee that is neither a
// number nor null is refused naming the field.
type ConversationPatch struct {
	Status *domain.ConversationStatus `json:"status,omitempty"`
	// AssigneeID assigns the conversation to a user; null in the body
	// (and in TypeScript) unassigns, which Unassign says in Go.
	AssigneeID *int64 `json:"assignee_id,omitempty" ts_type:"number | null"`
	// Unassign clears the assignee: the body's "assignee_id": null.
	Unassign     bool       `json:"-"`
	Team         *string    `json:"team,omitempty"`
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty" ts_type:"string"`
}

// Body is the PATCH body the hub expects: only the fields to change, and
// an explicit null assignee when unassigning.
func (p ConversationPatch) Body() map[string]any {
	m := map[string]any{}
	if p.Status != nil {
		m["status"] = *p.Status
	}
	if p.Unassign {
		m["assignee_id"] = nil
	} else if p.AssigneeID != nil {
		m["assignee_id"] = *p.AssigneeID
	}
	if p.Team != nil {
		m["team"] = *p.Team
	}
	if p.SnoozedUntil != nil {
		m["snoozed_until"] = p.SnoozedUntil.UTC().Format(time.RFC3339Nano)
	}
	return m
}

// MarshalJSON writes Body.
func (p ConversationPatch) MarshalJSON() ([]byte, error) { return json.Marshal(p.Body()) }

// UnmarshalJSON reads the body strictly: no unknown field (the outer
// decoder's DisallowUnknownFields does not reach into a type's own
// UnmarshalJSON, so it is applied here), and assignee_id a number or
// null.
func (p *ConversationPatch) UnmarshalJSON(b []byte) error {
	type plain ConversationPatch
	var v plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "assignee_id" {
			return apierr.Field(apierr.InvalidRequest, "assignee_id", "assignee_id must be a user id or null")
		}
		return err
	}
	// Decode left AssigneeID nil for null and for absent alike.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	v.Unassign = string(keys["assignee_id"]) == "null"
	*p = ConversationPatch(v)
	return nil
}
