package cache

import (
	"context"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"switchboard/backend/domain"
)

// Search result limits.
const (
	DefaultSearchLimit = 50
	MaxSearchLimit     = 200
)

// SearchResults are the matches of one query: conversations whose
// contact's name or number matches, and messages whose words match.
type SearchResults struct {
	Query         string                `json:"query"`
	Conversations []domain.Conversation `json:"conversations"`
	Messages      []MessageHit          `json:"messages"`
}

// MessageHit is a message that matched, with enough of its conversation to
// show the row and jump to it.
type MessageHit struct {
	Message      domain.Message `json:"message"`
	ContactName  string         `json:"contact_name"`
	ContactPhone string         `json:"contact_phone"`
	// Snippet is the matching stretch of the text, split into parts so the
	// UI can highlight the matched words without parsing markup.
	Snippet []TextPart `json:"snippet"`
}

// TextPart is a piece of a snippet; Match marks a matched word.
type TextPart struct {
	Text  string `json:"text"`
	Match bool   `json:"match"`
}

// Search looks the query up in the full-text indexes: contact names and
// numbers by substring (FTS5 trigram, so "4567" finds "+15551234567" and
// "ana" finds "Mariana"), message text by word prefix with diacritics
// folded (so "cafe" finds "Café"). Newest first in both lists.
func (c *Cache) Search(ctx context.Context, query string, limit int) (SearchResults, error) {
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	res := SearchResults{Query: query, Conversations: []domain.Conversation{}, Messages: []MessageHit{}}
	// Control characters (a NUL ends an FTS5 string early) and broken
	// UTF-8 cannot be part of a word anyone searches for.
	query = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(query, " "))
	terms := strings.Fields(query)
	if len(terms) == 0 {
		return res, nil
	}
	convs, err := c.searchContacts(ctx, query, terms, limit)
	if err != nil {
		return res, err
	}
	res.Conversations = convs
	hits, err := c.searchMessages(ctx, terms, limit)
	if err != nil {
		return res, err
	}
	res.Messages = hits
	return res, nil
}

func (c *Cache) searchContacts(ctx context.Context, query string, terms []string, limit int) ([]domain.Conversation, error) {
	// A phone typed with spaces or dashes ("+44 7911 123") is matched on its
	// digits, the form numbers are stored in.
	if digits, ok := phoneDigits(query); ok {
		terms = []string{digits}
	}
	short := false
	for _, t := range terms {
		if utf8.RuneCountInString(t) < 3 {
			short = true
		}
	}
	var sub string
	var args []any
	if short {
		// Trigrams need three characters; shorter terms fall back to a scan
		// of the contacts table, which is small next to messages.
		var conds []string
		for _, t := range terms {
			conds = append(conds, `(name LIKE ? ESCAPE '\' OR phone LIKE ? ESCAPE '\')`)
			p := "%" + likeEscape(t) + "%"
			args = append(args, p, p)
		}
		sub = `SELECT id FROM contacts WHERE ` + strings.Join(conds, " AND ")
	} else {
		sub = `SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?`
		args = append(args, ftsPhrases(terms, false))
	}
	args = append(args, limit)
	return readAll[domain.Conversation](ctx, c, `SELECT data FROM conversations WHERE contact_id IN (`+sub+`)
		ORDER BY activity DESC, id DESC LIMIT ?`, args...)
}

func (c *Cache) searchMessages(ctx context.Context, terms []string, limit int) ([]MessageHit, error) {
	rows, err := c.db.Read.QueryContext(ctx, `SELECT m.data, snippet(messages_fts, 0, char(2), char(3), '…', 16), coalesce(c.data, '{}')
		FROM messages_fts
		JOIN messages m ON m.id = messages_fts.rowid
		LEFT JOIN conversations c ON c.id = m.conversation_id
		WHERE messages_fts MATCH ?
		ORDER BY messages_fts.rowid DESC LIMIT ?`, ftsPhrases(terms, true), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := []MessageHit{}
	for rows.Next() {
		var mdata, cdata []byte
		var snippet string
		if err := rows.Scan(&mdata, &snippet, &cdata); err != nil {
			return nil, err
		}
		var h MessageHit
		if err := json.Unmarshal(mdata, &h.Message); err != nil {
			return nil, err
		}
		var conv domain.Conversation
		_ = json.Unmarshal(cdata, &conv)
		h.ContactName, h.ContactPhone = conv.Contact.Name, conv.Contact.Phone
		h.Snippet = splitSnippet(snippet)
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// ftsPhrases quotes each term as an FTS5 string, so nothing a user types is
// read as query syntax (AND, NEAR, a stray quote or parenthesis); terms are
// ANDed, and with prefix each matches as a word prefix.
func ftsPhrases(terms []string, prefix bool) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteByte('"')
		if prefix {
			b.WriteByte('*')
		}
	}
	return b.String()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// phoneDigits reports whether q reads as (part of) a phone number, and its
// digits.
func phoneDigits(q string) (string, bool) {
	var b strings.Builder
	for _, r := range q {
		switch {
		case unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() >= 3
}

func splitSnippet(s string) []TextPart {
	parts := []TextPart{}
	match := false
	for s != "" {
		sep := "\x02"
		if match {
			sep = "\x03"
		}
		before, after, found := strings.Cut(s, sep)
		if before != "" {
			parts = append(parts, TextPart{Text: before, Match: match})
		}
		if !found {
			break
		}
		s, match = after, !match
	}
	return parts
}
