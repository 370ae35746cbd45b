package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"switchboard/backend/domain"
)

// Setting keys.
const (
	settingSession = "session"
)

// Session is the sign-in the console resumes on start. Token is a secret:
// it lives only in this 0600 file and is never logged or sent to the UI.
type Session struct {
	// Mode is "demo" (desktop.ModeDemo: the console's demo hub) or
	// "remote" (desktop.ModeRemote).
	Mode   string      `json:"mode"`
	HubURL string      `json:"hub_url"`
	Token  string      `json:"token"`
	User   domain.User `json:"user"`
}

// Session returns the stored session; ok is false when signed out.
func (c *Cache) Session(ctx context.Context) (s Session, ok bool, err error) {
	v, ok, err := c.Setting(ctx, settingSession)
	if err != nil || !ok {
		return Session{}, false, err
	}
	err = json.Unmarshal([]byte(v), &s)
	return s, err == nil, err
}

// SaveSession stores the session.
func (c *Cache) SaveSession(ctx context.Context, s Session) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return c.SetSetting(ctx, settingSession, string(b))
}

// ClearSession forgets the session (sign out).
func (c *Cache) ClearSession(ctx context.Context) error {
	_, err := c.db.Write.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, settingSession)
	return err
}

// Setting returns a stored setting.
func (c *Cache) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = c.db.Read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return value, err == nil, err
}

// SetSetting stores a setting.
func (c *Cache) SetSetting(ctx context.Context, key, value string) error {
	_, err := c.db.Write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Draft is the unsent text of a conversation's composer.
type Draft struct {
	ConversationID int64  `json:"conversation_id"`
	Body           string `json:"body"`
	UpdatedAt      string `json:"updated_at"`
}

// Draft returns a conversation's draft (empty Body when none).
func (c *Cache) Draft(ctx context.Context, conversationID int64) (Draft, error) {
	d := Draft{ConversationID: conversationID}
	err := c.db.Read.QueryRowContext(ctx, `SELECT body, updated_at FROM drafts WHERE conversation_id = ?`,
		conversationID).Scan(&d.Body, &d.UpdatedAt)
	if err == sql.ErrNoRows {
		return d, nil
	}
	return d, err
}

// SaveDraft stores a draft; an empty body deletes it.
func (c *Cache) SaveDraft(ctx context.Context, conversationID int64, body string) (Draft, error) {
	d := Draft{ConversationID: conversationID, Body: body}
	if body == "" {
		_, err := c.db.Write.ExecContext(ctx, `DELETE FROM drafts WHERE conversation_id = ?`, conversationID)
		return d, err
	}
	d.UpdatedAt = time.Now().UTC().Format(time.RFC3339)
	_, err := c.db.Write.ExecContext(ctx, `INSERT INTO drafts (conversation_id, body, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (conversation_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
		conversationID, body, d.UpdatedAt)
	return d, err
}

// Drafts lists every saved draft, so the inbox can mark conversations that
// have one.
func (c *Cache) Drafts(ctx context.Context) ([]Draft, error) {
	rows, err := c.db.Read.QueryContext(ctx, `SELECT conversation_id, body, updated_at FROM drafts ORDER BY conversation_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Draft{}
	for rows.Next() {
		var d Draft
		if err := rows.Scan(&d.ConversationID, &d.Body, &d.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
