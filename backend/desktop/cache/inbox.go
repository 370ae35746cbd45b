package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
)

// Tab is one of the inbox's three views.
type Tab string

// The inbox tabs: conversations assigned to the signed-in agent, those
// nobody owns, and everything the agent may see.
const (
	TabMine       Tab = "mine"
	TabUnassigned Tab = "unassigned"
	TabAll        Tab = "all"
)

// Inbox page sizes.
const (
	DefaultInboxLimit = 100
	MaxInboxLimit     = 500
)

// InboxQuery selects one page of an inbox tab.
type InboxQuery struct {
	Tab Tab `json:"tab"`
	// Status filters by workflow status; empty means any.
	Status domain.ConversationStatus `json:"status"`
	// Cursor is the NextCursor of the previous page; empty for the first.
	Cursor string `json:"cursor"`
	// Limit is the page size (default 100, at most 500).
	Limit int `json:"limit"`
}

// InboxPage is one page of conversations, newest activity first.
type InboxPage struct {
	Conversations []domain.Conversation `json:"conversations"`
	NextCursor    string                `json:"next_cursor"`
	HasMore       bool                  `json:"has_more"`
}

// TabCount is what a tab's badge shows.
type TabCount struct {
	Total      int `json:"total"`
	Unanswered int `json:"unanswered"`
}

// TabCounts are the counts of the three tabs under one status filter.
type TabCounts struct {
	Mine       TabCount `json:"mine"`
	Unassigned TabCount `json:"unassigned"`
	All        TabCount `json:"all"`
}

// Inbox returns one page of a tab for the agent me, by keyset paging on
// (last activity, id): each page is an index range scan however deep the
// agent has scrolled, and rows that move while they scroll are neither
// skipped nor repeated within a page.
func (c *Cache) Inbox(ctx context.Context, me int64, q InboxQuery) (InboxPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultInboxLimit
	}
	limit = min(limit, MaxInboxLimit)
	var where []string
	var args []any
	switch q.Tab {
	case TabMine:
		where, args = append(where, "assignee = ?"), append(args, me)
	case TabUnassigned:
		where = append(where, "assignee = 0")
	case TabAll, "":
	default:
		return InboxPage{}, apierr.Field(apierr.InvalidRequest, "tab", "tab must be mine, unassigned or all")
	}
	if q.Status != "" {
		if !q.Status.Valid() {
			return InboxPage{}, apierr.Field(apierr.InvalidRequest, "status", "unknown status %q", q.Status)
		}
		where, args = append(where, "status = ?"), append(args, string(q.Status))
	}
	if q.Cursor != "" {
		act, id, err := parseCursor(q.Cursor)
		if err != nil {
			return InboxPage{}, apierr.Field(apierr.InvalidRequest, "cursor", "malformed cursor")
		}
		where, args = append(where, "(activity, id) < (?, ?)"), append(args, act, id)
	}
	query := `SELECT activity, id, data FROM conversations`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += ` ORDER BY activity DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := c.db.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return InboxPage{}, err
	}
	defer rows.Close()
	page := InboxPage{Conversations: make([]domain.Conversation, 0, limit)}
	var lastAct, lastID int64
	for rows.Next() {
		if len(page.Conversations) == limit {
			page.HasMore = true
			break
		}
		var data []byte
		if err := rows.Scan(&lastAct, &lastID, &data); err != nil {
			return InboxPage{}, err
		}
		var conv domain.Conversation
		if err := json.Unmarshal(data, &conv); err != nil {
			return InboxPage{}, err
		}
		page.Conversations = append(page.Conversations, conv)
	}
	if err := rows.Err(); err != nil {
		return InboxPage{}, err
	}
	if page.HasMore {
		page.NextCursor = formatCursor(lastAct, lastID)
	}
	return page, nil
}

// InboxCounts counts each tab's conversations and unanswered ones under a
// status filter (empty: any). One scan of the covering index on (assignee,
// status, unanswered), grouped, serves all three tabs and any filter.
func (c *Cache) InboxCounts(ctx context.Context, me int64, status domain.ConversationStatus) (TabCounts, error) {
	rows, err := c.db.Read.QueryContext(ctx, `SELECT assignee, status, COUNT(*), SUM(unanswered)
		FROM conversations GROUP BY assignee, status`)
	if err != nil {
		return TabCounts{}, err
	}
	defer rows.Close()
	var tc TabCounts
	for rows.Next() {
		var assignee int64
		var st string
		var n TabCount
		if err := rows.Scan(&assignee, &st, &n.Total, &n.Unanswered); err != nil {
			return TabCounts{}, err
		}
		if status != "" && st != string(status) {
			continue
		}
		add := func(t *TabCount) { t.Total += n.Total; t.Unanswered += n.Unanswered }
		add(&tc.All)
		switch assignee {
		case 0:
			add(&tc.Unassigned)
		case me:
			add(&tc.Mine)
		}
	}
	return tc, rows.Err()
}

// Conversation returns one cached conversation.
func (c *Cache) Conversation(ctx context.Context, id int64) (domain.Conversation, error) {
	var data []byte
	err := c.db.Read.QueryRowContext(ctx, `SELECT data FROM conversations WHERE id = ?`, id).Scan(&data)
	if err == sql.ErrNoRows {
		return domain.Conversation{}, ErrNotFound
	}
	if err != nil {
		return domain.Conversation{}, err
	}
	var conv domain.Conversation
	err = json.Unmarshal(data, &conv)
	return conv, err
}

// Templates are the cached templates, by name then language.
func (c *Cache) Templates(ctx context.Context) ([]domain.Template, error) {
	return readAll[domain.Template](ctx, c, `SELECT data FROM templates ORDER BY name, language`)
}

// Users are the cached users (agents, supervisors, admins), by id.
func (c *Cache) Users(ctx context.Context) ([]domain.User, error) {
	return readAll[domain.User](ctx, c, `SELECT data FROM users ORDER BY id`)
}

// Accounts are the cached business numbers.
func (c *Cache) Accounts(ctx context.Context) ([]domain.Account, error) {
	return readAll[domain.Account](ctx, c, `SELECT data FROM accounts ORDER BY id`)
}

// Counters are the hub's last pushed counters (zero before the first sync).
func (c *Cache) Counters(ctx context.Context) (domain.Counters, error) {
	var data []byte
	err := c.db.Read.QueryRowContext(ctx, `SELECT data FROM counters WHERE id = 1`).Scan(&data)
	if err == sql.ErrNoRows {
		return domain.Counters{ByAgent: map[string]int{}, ByTeam: map[string]int{}}, nil
	}
	if err != nil {
		return domain.Counters{}, err
	}
	var k domain.Counters
	err = json.Unmarshal(data, &k)
	return k, err
}

// Contact returns one cached contact.
func (c *Cache) Contact(ctx context.Context, id int64) (domain.Contact, error) {
	var data []byte
	err := c.db.Read.QueryRowContext(ctx, `SELECT data FROM contacts WHERE id = ?`, id).Scan(&data)
	if err == sql.ErrNoRows {
		return domain.Contact{}, ErrNotFound
	}
	if err != nil {
		return domain.Contact{}, err
	}
	var ct domain.Contact
	err = json.Unmarshal(data, &ct)
	return ct, err
}

func readAll[T any](ctx context.Context, c *Cache, query string, args ...any) ([]T, error) {
	rows, err := c.db.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Cursors are "<sort key>.<id>": opaque to the frontend, cheap to parse.
func formatCursor(key, id int64) string {
	return strconv.FormatInt(key, 10) + "." + strconv.FormatInt(id, 10)
}

func parseCursor(s string) (key, id int64, err error) {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return 0, 0, fmt.Errorf("cursor %q", s)
	}
	if key, err = strconv.ParseInt(a, 10, 64); err != nil {
		return 0, 0, err
	}
	id, err = strconv.ParseInt(b, 10, 64)
	return key, id, err
}
