package hubapi

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"

	"switchboard/backend/domain"
	"switchboard/backend/sandbox"
)

// walk follows next_cursor through a list and returns every item's id.
func walk(t *testing.T, e *testEnv, path, token string, limit int) []int64 {
	t.Helper()
	var all []int64
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		u, _ := url.Parse(path)
		q := u.Query()
		q.Set("limit", strconv.Itoa(limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		u.RawQuery = q.Encode()
		res := e.do("GET", u.String(), token, nil)
		if res.status != 200 {
			t.Fatalf("%s: %d %s", u, res.status, res.body)
		}
		var body struct {
			Data       []struct{ ID int64 } `json:"data"`
			Pagination *Pagination          `json:"pagination"`
		}
		res.decode(t, &body)
		if body.Pagination == nil {
			t.Fatalf("%s: no pagination block", u)
		}
		if len(body.Data) > limit {
			t.Fatalf("%s: %d items on a page of %d", u, len(body.Data), limit)
		}
		for _, d := range body.Data {
			all = append(all, d.ID)
		}
		if !body.Pagination.HasMore {
			if body.Pagination.NextCursor != "" {
				t.Fatalf("%s: next_cursor without has_more", u)
			}
			return all
		}
		if body.Pagination.NextCursor == "" {
			t.Fatalf("%s: has_more without next_cursor", u)
		}
		cursor = body.Pagination.NextCursor
	}
}

func distinct(t *testing.T, what string, ids []int64, want int) {
	t.Helper()
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s: %d listed twice in %v", what, id, ids)
		}
		seen[id] = true
	}
	if len(ids) != want {
		t.Fatalf("%s: %d items, want %d: %v", what, len(ids), want, ids)
	}
}

func TestPaginationWalks(t *testing.T) {
	e := newEnv(t)
	for i := range 7 {
		e.customerWrites("1415555010"+strconv.Itoa(i), "hello "+strconv.Itoa(i))
	}
	for i := range 6 {
		e.sb.CustomerSend("14155550100", sandbox.InboundMessage{Type: "text", Text: "more " + strconv.Itoa(i)})
	}
	e.eventually(func() bool {
		return len(dataOf[[]json.RawMessage](t, e.do("GET", "/v1/messages?phone=%2B14155550100&limit=100", e.admin, nil))) == 7
	}, "seven messages from one customer")
	for i := range 3 {
		e.user("u"+strconv.Itoa(i)+"@example.com", "U", domain.RoleAgent)
	}
	conv := dataOf[[]domain.Conversation](t, e.do("GET", "/v1/conversations?phone=%2B14155550100", e.admin, nil))[0]
	for i := range 5 {
		e.do("POST", "/v1/conversations/"+itoa(int(conv.ID))+"/notes", e.agent.token, map[string]string{"body": "n" + strconv.Itoa(i)})
	}
	cases := []struct {
		path  string
		limit int
		want  int
	}{
		{"/v1/conversations", 2, 7},
		{"/v1/conversations", 100, 7},
		{"/v1/conversations?unanswered=true", 3, 7},
		{"/v1/conversations/" + itoa(int(conv.ID)) + "/messages", 2, 7},
		{"/v1/conversations/" + itoa(int(conv.ID)) + "/notes", 2, 5},
		{"/v1/messages?direction=inbound", 3, 13},
		{"/v1/users", 2, 7},
		{"/v1/tokens", 3, 8},
		{"/v1/contacts", 4, 7},
		{"/v1/templates", 5, -1},
	}
	for _, c := range cases {
		t.Run(c.path+"/"+strconv.Itoa(c.limit), func(t *testing.T) {
			got := walk(t, e, c.path, e.admin, c.limit)
			if c.want >= 0 {
				distinct(t, c.path, got, c.want)
			}
		})
	}
	// Newest activity first, across pages.
	var prev *domain.Conversation
	cursor := ""
	for {
		res := e.do("GET", "/v1/conversations?limit=2&cursor="+url.QueryEscape(cursor), e.admin, nil)
		var body struct {
			Data       []domain.Conversation `json:"data"`
			Pagination Pagination            `json:"pagination"`
		}
		res.decode(t, &body)
		for i := range body.Data {
			c := body.Data[i]
			if prev != nil && c.LastActivityAt.After(prev.LastActivityAt) {
				t.Fatalf("conversation %d (%s) after %d (%s)", c.ID, c.LastActivityAt, prev.ID, prev.LastActivityAt)
			}
			prev = &c
		}
		if !body.Pagination.HasMore {
			break
		}
		cursor = body.Pagination.NextCursor
	}
	// Deliveries: newest first, by id cursor.
	e.do("POST", "/v1/templates/sync", e.admin, nil)
	for range 3 {
		e.do("POST", "/v1/deliveries", e.admin, map[string]any{"template": "hello_world", "language": "en_US",
			"recipients": []map[string]any{{"phone": "+14155550101"}}})
	}
	distinct(t, "deliveries", walk(t, e, "/v1/deliveries", e.admin, 2), 3)
}
