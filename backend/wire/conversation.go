package wire

import (
	"encoding/json"
	"time"

	"switchboard/backend/domain"
)

// ConversationPatch is the body of PATCH /v1/conversations/{id}: the
// workflow fields to change; nil fields are left alone. Unassign clears
// the assignee, which the hub's body says with an explicit
// "assignee_id": null (absent means no change).
//
// It encodes as the hub expects it (MarshalJSON, Body) and decodes
// either form: the hub's null, or "unassign": true as the console's
// window sends it.
type ConversationPatch struct {
	Status       *domain.ConversationStatus `json:"status,omitempty"`
	AssigneeID   *int64                     `json:"assignee_id,omitempty"`
	Unassign     bool                       `json:"unassign,omitempty"`
	Team         *string                    `json:"team,omitempty"`
	SnoozedUntil *time.Time                 `json:"snoozed_until,omitempty" ts_type:"string"`
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

// UnmarshalJSON reads either form: "assignee_id": null and
// "unassign": true both mean unassign.
func (p *ConversationPatch) UnmarshalJSON(b []byte) error {
	type plain ConversationPatch
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if a, ok := raw["assignee_id"]; ok && string(a) == "null" {
		v.Unassign, v.AssigneeID = true, nil
	}
	*p = ConversationPatch(v)
	return nil
}
