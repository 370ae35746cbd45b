package hub

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"switchboard/backend/domain"
)

// The committer encodes two events per inbound message (the message and its
// conversation). encoding/json's reflection costs more than the inserts that
// store them, so the hot types are encoded by hand here, producing exactly
// the bytes json.Marshal would (a test holds the two together, field by
// field, so a field added to a domain type is not silently dropped).

// appendMessageJSON appends m as json.Marshal would encode it.
func appendMessageJSON(b []byte, m *domain.Message) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, m.ID, 10)
	if m.WAMID != "" {
		b = append(b, `,"wamid":`...)
		b = appendString(b, m.WAMID)
	}
	b = append(b, `,"conversation_id":`...)
	b = strconv.AppendInt(b, m.ConversationID, 10)
	b = append(b, `,"account_id":`...)
	b = appendString(b, m.AccountID)
	b = append(b, `,"direction":`...)
	b = appendString(b, string(m.Direction))
	b = append(b, `,"type":`...)
	b = appendString(b, m.Type)
	b = append(b, `,"content":`...)
	b = appendRaw(b, m.Content)
	b = append(b, `,"preview":`...)
	b = appendString(b, m.Preview)
	b = append(b, `,"from":`...)
	b = appendString(b, m.From)
	b = append(b, `,"to":`...)
	b = appendString(b, m.To)
	if m.ReplyTo != nil {
		b = append(b, `,"reply_to":`...)
		b = strconv.AppendInt(b, *m.ReplyTo, 10)
	}
	if m.Forwarded {
		b = append(b, `,"forwarded":true`...)
	}
	b = append(b, `,"reactions":`...)
	if m.Reactions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range m.Reactions {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"emoji":`...)
			b = appendString(b, r.Emoji)
			b = append(b, `,"from":`...)
			b = appendString(b, r.From)
			b = append(b, `,"at":`...)
			b = appendTime(b, r.At)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"status":`...)
	b = appendString(b, string(m.Status))
	if e := m.Error; e != nil {
		b = append(b, `,"error":{"code":`...)
		b = strconv.AppendInt(b, int64(e.Code), 10)
		b = append(b, `,"title":`...)
		b = appendString(b, e.Title)
		if e.Message != "" {
			b = append(b, `,"message":`...)
			b = appendString(b, e.Message)
		}
		if e.Details != "" {
			b = append(b, `,"details":`...)
			b = appendString(b, e.Details)
		}
		b = append(b, '}')
	}
	if m.AuthorID != nil {
		b = append(b, `,"author_id":`...)
		b = strconv.AppendInt(b, *m.AuthorID, 10)
	}
	b = append(b, `,"timestamp":`...)
	b = appendTime(b, m.Timestamp)
	b = appendOptTime(b, `,"sent_at":`, m.SentAt)
	b = appendOptTime(b, `,"delivered_at":`, m.DeliveredAt)
	b = appendOptTime(b, `,"read_at":`, m.ReadAt)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, m.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, m.UpdatedAt)
	if m.AccountUnconfigured {
		b = append(b, `,"account_unconfigured":true`...)
	}
	return append(b, '}')
}

// appendConversationJSON appends c as json.Marshal would encode it.
func appendConversationJSON(b []byte, c *domain.Conversation) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"account_id":`...)
	b = appendString(b, c.AccountID)
	b = append(b, `,"contact":`...)
	b = appendContactJSON(b, &c.Contact)
	b = append(b, `,"status":`...)
	b = appendString(b, string(c.Status))
	b = append(b, `,"assignee_id":`...)
	b = appendNullInt(b, c.AssigneeID)
	b = append(b, `,"team":`...)
	b = appendString(b, c.Team)
	b = appendOptTime(b, `,"snoozed_until":`, c.SnoozedUntil)
	b = append(b, `,"window_expires_at":`...)
	b = appendNullTime(b, c.WindowExpiresAt)
	b = append(b, `,"unanswered":`...)
	b = strconv.AppendBool(b, c.Unanswered)
	b = append(b, `,"waiting_since":`...)
	b = appendNullTime(b, c.WaitingSince)
	b = append(b, `,"unread_count":`...)
	b = strconv.AppendInt(b, int64(c.UnreadCount), 10)
	b = append(b, `,"last_message":`...)
	if p := c.LastMessage; p == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, p.ID, 10)
		b = append(b, `,"direction":`...)
		b = appendString(b, string(p.Direction))
		b = append(b, `,"type":`...)
		b = appendString(b, p.Type)
		b = append(b, `,"preview":`...)
		b = appendString(b, p.Preview)
		b = append(b, `,"status":`...)
		b = appendString(b, string(p.Status))
		b = append(b, `,"at":`...)
		b = appendTime(b, p.At)
		b = append(b, '}')
	}
	b = append(b, `,"last_activity_at":`...)
	b = appendTime(b, c.LastActivityAt)
	if r := c.Referral; r != nil {
		b = append(b, `,"referral":{`...)
		n := len(b)
		for _, f := range [...]struct{ k, v string }{
			{"source_url", r.SourceURL}, {"source_id", r.SourceID}, {"source_type", r.SourceType},
			{"headline", r.Headline}, {"body", r.Body}, {"media_type", r.MediaType}, {"image_url", r.ImageURL},
			{"video_url", r.VideoURL}, {"thumbnail_url", r.ThumbnailURL}, {"ctwa_clid", r.CtwaClid},
		} {
			if f.v == "" {
				continue
			}
			if len(b) > n {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, f.k...)
			b = append(b, `":`...)
			b = appendString(b, f.v)
		}
		b = append(b, '}')
	}
	b = append(b, `,"created_at":`...)
	b = appendTime(b, c.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, c.UpdatedAt)
	if c.AccountUnconfigured {
		b = append(b, `,"account_unconfigured":true`...)
	}
	return append(b, '}')
}

// appendContactJSON appends k as json.Marshal would encode it.
func appendContactJSON(b []byte, k *domain.Contact) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, k.ID, 10)
	if k.Phone != "" {
		b = append(b, `,"phone":`...)
		b = appendString(b, k.Phone)
	}
	if k.WaID != "" {
		b = append(b, `,"wa_id":`...)
		b = appendString(b, k.WaID)
	}
	if k.UserID != "" {
		b = append(b, `,"user_id":`...)
		b = appendString(b, k.UserID)
	}
	b = append(b, `,"name":`...)
	b = appendString(b, k.Name)
	if k.ProfileName != "" {
		b = append(b, `,"profile_name":`...)
		b = appendString(b, k.ProfileName)
	}
	b = append(b, `,"opted_out":`...)
	b = strconv.AppendBool(b, k.OptedOut)
	b = appendOptTime(b, `,"opted_out_at":`, k.OptedOutAt)
	if len(k.Attributes) > 0 {
		b = append(b, `,"attributes":{`...)
		keys := make([]string, 0, len(k.Attributes))
		for key := range k.Attributes {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for i, key := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, key)
			b = append(b, ':')
			b = appendString(b, k.Attributes[key])
		}
		b = append(b, '}')
	}
	b = append(b, `,"created_at":`...)
	b = appendTime(b, k.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, k.UpdatedAt)
	return append(b, '}')
}

func appendNullInt(b []byte, p *int64) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *p, 10)
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendNullTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}

func appendOptTime(b []byte, key string, t *time.Time) []byte {
	if t == nil {
		return b
	}
	b = append(b, key...)
	return appendTime(b, *t)
}

// appendRaw appends a raw JSON value the way encoding/json does: compacted,
// with <, >, & and U+2028/2029 escaped inside strings; nil as null.
func appendRaw(b []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return append(b, "null"...)
	}
	out := bytes.NewBuffer(b)
	json.HTMLEscape(out, buf.Bytes())
	return out.Bytes()
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string exactly as encoding/json does with
// HTML escaping on (its default): <, >, & and U+2028/2029 become \u escapes,
// invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
