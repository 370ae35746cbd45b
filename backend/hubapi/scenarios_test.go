package hubapi

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"switchboard/backend/domain"
	"switchboard/backend/sandbox"
)

// fixtures are the conversations every scenario can refer to: conv1 is
// unassigned, conv2 is the agent's, conv3 the other agent's.
type fixtures struct {
	conv1, conv2, conv3 domain.Conversation
	msg1, msg3          int64 // an inbound message of conv1 and conv3
	vars                map[string]string
}

func setupFixtures(t *testing.T, e *testEnv) *fixtures {
	t.Helper()
	if res := e.do("POST", "/v1/templates/sync", e.admin, nil); res.status != 200 {
		t.Fatalf("template sync: %d %s", res.status, res.body)
	}
	f := &fixtures{}
	f.conv1 = e.customerWrites("14155550101", "hi one")
	f.conv2 = e.customerWrites("14155550102", "hi two")
	f.conv3 = e.customerWrites("14155550103", "hi three")
	for _, a := range []struct {
		conv  int64
		agent int64
	}{{f.conv2.ID, e.agent.id}, {f.conv3.ID, e.agent2.id}} {
		res := e.do("PATCH", "/v1/conversations/"+itoa(int(a.conv)), e.supervisor.token, map[string]any{"assignee_id": a.agent})
		if res.status != 200 {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
	}
	f.msg1, f.msg3 = f.conv1.LastMessage.ID, f.conv3.LastMessage.ID
	f.vars = map[string]string{
		"{conv1}": itoa(int(f.conv1.ID)), "{conv2}": itoa(int(f.conv2.ID)), "{conv3}": itoa(int(f.conv3.ID)),
		"{msg1}": itoa(int(f.msg1)), "{msg3}": itoa(int(f.msg3)), "{agent}": itoa(int(e.agent.id)),
		"{agent2}": itoa(int(e.agent2.id)), "{contact1}": itoa(int(f.conv1.Contact.ID)),
	}
	return f
}

func (f *fixtures) expand(s string) string {
	for k, v := range f.vars {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// scenario is one request and what it must get.
type scenario struct {
	name    string
	as      string // admin, adminUser, supervisor, agent, agent2 or "" for none
	method  string
	path    string
	body    any // string bodies are sent as they are
	headers []string
	status  int
	code    string
	check   func(t *testing.T, r response)
}

func (e *testEnv) tokenOf(as string) string {
	switch as {
	case "admin":
		return e.admin
	case "adminUser":
		return e.adminUser.token
	case "supervisor":
		return e.supervisor.token
	case "agent":
		return e.agent.token
	case "agent2":
		return e.agent2.token
	}
	return ""
}

func runScenarios(t *testing.T, e *testEnv, f *fixtures, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			body := sc.body
			if s, ok := body.(string); ok {
				body = f.expand(s)
			}
			res := e.do(sc.method, f.expand(sc.path), e.tokenOf(sc.as), body, sc.headers...)
			if res.status != sc.status || (sc.code != "" && res.code() != sc.code) {
				t.Fatalf("%s %s as %q: %d %s; want %d %s", sc.method, sc.path, sc.as, res.status, res.body, sc.status, sc.code)
			}
			if sc.status >= 400 && !strings.Contains(res.header.Get("Content-Type"), "application/json") {
				t.Errorf("error without JSON content type: %q", res.header.Get("Content-Type"))
			}
			if sc.check != nil {
				sc.check(t, res)
			}
		})
	}
}

// dataOf decodes {"data": …}.
func dataOf[T any](t *testing.T, r response) T {
	t.Helper()
	var env struct {
		Data T `json:"data"`
	}
	r.decode(t, &env)
	return env.Data
}

func ids[T any](items []T, id func(T) int64) []int64 {
	out := make([]int64, len(items))
	for i, x := range items {
		out[i] = id(x)
	}
	return out
}

func TestScenarios(t *testing.T) {
	e := newEnv(t)
	f := setupFixtures(t, e)
	convIDs := func(r response, t *testing.T) []int64 {
		return ids(dataOf[[]domain.Conversation](t, r), func(c domain.Conversation) int64 { return c.ID })
	}
	hasOnly := func(want ...int64) func(t *testing.T, r response) {
		return func(t *testing.T, r response) {
			got := convIDs(r, t)
			if len(got) != len(want) {
				t.Fatalf("conversations %v, want %v", got, want)
			}
			for _, w := range want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Fatalf("conversations %v, want %v", got, want)
				}
			}
		}
	}
	signed := func(body string) []string {
		return []string{"X-Hub-Signature-256", sandbox.Sign(e.sb.AppSecret(), []byte(body))}
	}
	scenarios := []scenario{
		// Operations.
		{name: "healthz", method: "GET", path: "/healthz", status: 200},
		{name: "metrics", method: "GET", path: "/metrics", status: 200, check: func(t *testing.T, r response) {
			if !strings.Contains(string(r.body), "switchboard_http_requests_total") {
				t.Error("no request counter in /metrics")
			}
		}},
		{name: "error docs html", method: "GET", path: "/docs/errors", status: 200, check: func(t *testing.T, r response) {
			if !strings.Contains(string(r.body), `id="SESSION_EXPIRED"`) {
				t.Error("no SESSION_EXPIRED anchor")
			}
		}},
		{name: "error docs json", method: "GET", path: "/docs/errors", headers: []string{"Accept", "application/json"}, status: 200},

		// WhatsApp ingress.
		{name: "handshake", method: "GET", path: "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=4711", status: 200,
			check: func(t *testing.T, r response) {
				if string(r.body) != "4711" {
					t.Errorf("challenge = %q", r.body)
				}
			}},
		{name: "handshake wrong token", method: "GET", path: "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", status: 401, code: "BAD_SIGNATURE"},
		{name: "webhook unsigned", method: "POST", path: "/webhooks/whatsapp", body: `{"object":"whatsapp_business_account","entry":[]}`, status: 401, code: "BAD_SIGNATURE"},
		{name: "webhook bad signature", method: "POST", path: "/webhooks/whatsapp", body: `{"object":"whatsapp_business_account","entry":[]}`,
			headers: []string{"X-Hub-Signature-256", "sha256=" + strings.Repeat("0", 64)}, status: 401, code: "BAD_SIGNATURE"},
		{name: "webhook invalid JSON", method: "POST", path: "/webhooks/whatsapp", body: `{"object":`, headers: signed(`{"object":`), status: 400},
		{name: "webhook over 3 MB", method: "POST", path: "/webhooks/whatsapp", body: strings.Repeat(" ", 3<<20+1), status: 413, code: "PAYLOAD_TOO_LARGE"},
		{name: "webhook signed but no entries", method: "POST", path: "/webhooks/whatsapp", body: `{"object":"whatsapp_business_account","entry":[]}`,
			headers: signed(`{"object":"whatsapp_business_account","entry":[]}`), status: 400, code: "INVALID_REQUEST"},

		// Sign-in input handling.
		{name: "login wrong content type", method: "POST", path: "/v1/login", body: `{}`, headers: []string{"Content-Type", "text/plain"}, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "login no content type", method: "POST", path: "/v1/login", body: `{}`, headers: []string{"Content-Type", ""}, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "login invalid JSON", method: "POST", path: "/v1/login", body: `{"email":`, status: 400, code: "INVALID_JSON"},
		{name: "login trailing garbage", method: "POST", path: "/v1/login", body: `{"email":"a@b.c","password":"x"} {}`, status: 400, code: "INVALID_JSON"},
		{name: "login invalid UTF-8", method: "POST", path: "/v1/login", body: []byte("{\"email\":\"\xff\",\"password\":\"x\"}"), status: 400, code: "INVALID_JSON"},
		{name: "login unknown field", method: "POST", path: "/v1/login", body: `{"email":"a@b.c","password":"x","admin":true}`, status: 400, code: "INVALID_REQUEST"},
		{name: "login wrong type", method: "POST", path: "/v1/login", body: `{"email":5,"password":"x"}`, status: 400, code: "INVALID_REQUEST"},
		{name: "login missing password", method: "POST", path: "/v1/login", body: `{"email":"alex@example.com"}`, status: 400, code: "INVALID_REQUEST"},
		{name: "login wrong password", method: "POST", path: "/v1/login", body: `{"email":"bo@example.com","password":"wrong password"}`, status: 401, code: "UNAUTHORIZED"},
		{name: "login unknown e-mail", method: "POST", path: "/v1/login", body: `{"email":"nobody@example.com","password":"wrong password"}`, status: 401, code: "UNAUTHORIZED"},

		// Me and users.
		{name: "me as agent", as: "agent", method: "GET", path: "/v1/me", status: 200, check: func(t *testing.T, r response) {
			me := dataOf[Me](t, r)
			if me.User == nil || me.User.Email != "alex@example.com" || me.Role != domain.RoleAgent || len(me.Scopes) != 2 {
				t.Errorf("me = %+v", me)
			}
		}},
		{name: "agent lists users", as: "agent", method: "GET", path: "/v1/users", status: 200, check: func(t *testing.T, r response) {
			if n := len(dataOf[[]domain.User](t, r)); n != 4 {
				t.Errorf("%d users", n)
			}
		}},
		{name: "users by role", as: "agent", method: "GET", path: "/v1/users?role=agent", status: 200, check: func(t *testing.T, r response) {
			if n := len(dataOf[[]domain.User](t, r)); n != 2 {
				t.Errorf("%d agents", n)
			}
		}},
		{name: "users by team", as: "agent", method: "GET", path: "/v1/users?team=sales", status: 200, check: func(t *testing.T, r response) {
			if us := dataOf[[]domain.User](t, r); len(us) != 1 || us[0].ID != e.agent.id {
				t.Errorf("sales = %+v", us)
			}
		}},
		{name: "users bad role filter", as: "agent", method: "GET", path: "/v1/users?role=boss", status: 400, code: "INVALID_REQUEST"},
		{name: "get user", as: "agent", method: "GET", path: "/v1/users/{agent2}", status: 200},
		{name: "get unknown user", as: "agent", method: "GET", path: "/v1/users/999", status: 404, code: "NOT_FOUND"},
		{name: "get user bad id", as: "agent", method: "GET", path: "/v1/users/abc", status: 404, code: "NOT_FOUND"},
		{name: "agent cannot create users", as: "agent", method: "PUT", path: "/v1/users", body: `{"email":"x@example.com","name":"X","role":"agent","password":"long enough"}`, status: 403, code: "FORBIDDEN"},
		{name: "supervisor cannot create users", as: "supervisor", method: "PUT", path: "/v1/users", body: `{"email":"x@example.com","name":"X","role":"agent","password":"long enough"}`, status: 403, code: "FORBIDDEN"},
		{name: "create user", as: "adminUser", method: "PUT", path: "/v1/users", body: `{"email":"cleo@example.com","name":"Cleo","role":"agent","teams":["sales","sales"],"password":"long enough"}`, status: 201,
			check: func(t *testing.T, r response) {
				u := dataOf[domain.User](t, r)
				if u.Email != "cleo@example.com" || len(u.Teams) != 1 {
					t.Errorf("created %+v", u)
				}
				f.vars["{cleo}"] = itoa(int(u.ID))
			}},
		{name: "replace user", as: "admin", method: "PUT", path: "/v1/users", body: `{"email":"cleo@example.com","name":"Cleo B","role":"supervisor"}`, status: 200,
			check: func(t *testing.T, r response) {
				if u := dataOf[domain.User](t, r); u.Name != "Cleo B" || u.Role != domain.RoleSupervisor || len(u.Teams) != 0 {
					t.Errorf("replaced %+v", u)
				}
			}},
		{name: "create user bad e-mail", as: "admin", method: "PUT", path: "/v1/users", body: `{"email":"not an address","name":"X","role":"agent","password":"long enough"}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "create user short password", as: "admin", method: "PUT", path: "/v1/users", body: `{"email":"y@example.com","name":"Y","role":"agent","password":"short"}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "create user bad role", as: "admin", method: "PUT", path: "/v1/users", body: `{"email":"y@example.com","name":"Y","role":"king","password":"long enough"}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "create user without password", as: "admin", method: "PUT", path: "/v1/users", body: `{"email":"y@example.com","name":"Y","role":"agent"}`, status: 400, code: "INVALID_REQUEST"},
		{name: "patch user", as: "admin", method: "PATCH", path: "/v1/users/{cleo}", body: `{"teams":["vip"]}`, status: 200, check: func(t *testing.T, r response) {
			if u := dataOf[domain.User](t, r); len(u.Teams) != 1 || u.Teams[0] != "vip" || u.Name != "Cleo B" {
				t.Errorf("patched %+v", u)
			}
		}},
		{name: "patch user e-mail taken", as: "admin", method: "PATCH", path: "/v1/users/{cleo}", body: `{"email":"alex@example.com"}`, status: 409, code: "CONFLICT"},
		{name: "patch unknown user", as: "admin", method: "PATCH", path: "/v1/users/999", body: `{"name":"Z"}`, status: 404, code: "NOT_FOUND"},
		{name: "admin cannot demote self", as: "adminUser", method: "PATCH", path: "/v1/users/" + itoa(int(e.adminUser.id)), body: `{"role":"agent"}`, status: 409, code: "CONFLICT"},
		{name: "assign to the user to delete", as: "supervisor", method: "PATCH", path: "/v1/conversations/{conv1}", body: `{"assignee_id":{cleo}}`, status: 200},
		{name: "delete user", as: "admin", method: "DELETE", path: "/v1/users/{cleo}", status: 204},
		{name: "the deleted user's conversations are unassigned", as: "supervisor", method: "GET", path: "/v1/conversations/{conv1}", status: 200, check: func(t *testing.T, r response) {
			if c := dataOf[domain.Conversation](t, r); c.AssigneeID != nil {
				t.Errorf("still assigned to %d", *c.AssigneeID)
			}
		}},
		{name: "deleted user is gone", as: "admin", method: "GET", path: "/v1/users/{cleo}", status: 404, code: "NOT_FOUND"},
		{name: "admin cannot delete self", as: "adminUser", method: "DELETE", path: "/v1/users/" + itoa(int(e.adminUser.id)), status: 409, code: "CONFLICT"},

		// Accounts and conversations.
		{name: "accounts", as: "agent", method: "GET", path: "/v1/accounts", status: 200, check: func(t *testing.T, r response) {
			if as := dataOf[[]domain.Account](t, r); len(as) != 1 || as[0].MessagesIn < 3 {
				t.Errorf("accounts %+v", as)
			}
		}},
		{name: "agent sees own and unassigned", as: "agent", method: "GET", path: "/v1/conversations", status: 200, check: hasOnly(f.conv1.ID, f.conv2.ID)},
		{name: "other agent sees own and unassigned", as: "agent2", method: "GET", path: "/v1/conversations", status: 200, check: hasOnly(f.conv1.ID, f.conv3.ID)},
		{name: "supervisor sees all", as: "supervisor", method: "GET", path: "/v1/conversations", status: 200, check: hasOnly(f.conv1.ID, f.conv2.ID, f.conv3.ID)},
		{name: "agent asking for a colleague's gets nothing", as: "agent", method: "GET", path: "/v1/conversations?assignee={agent2}", status: 200, check: hasOnly()},
		{name: "assignee=me", as: "agent", method: "GET", path: "/v1/conversations?assignee=me", status: 200, check: hasOnly(f.conv2.ID)},
		{name: "assignee=none", as: "supervisor", method: "GET", path: "/v1/conversations?assignee=none", status: 200, check: hasOnly(f.conv1.ID)},
		{name: "by phone in national-ish format", as: "supervisor", method: "GET", path: "/v1/conversations?phone=" + url.QueryEscape("+1 (415) 555-0103"), status: 200, check: hasOnly(f.conv3.ID)},
		{name: "unanswered", as: "supervisor", method: "GET", path: "/v1/conversations?unanswered=true", status: 200, check: hasOnly(f.conv1.ID, f.conv2.ID, f.conv3.ID)},
		{name: "bad status filter", as: "agent", method: "GET", path: "/v1/conversations?status=lost", status: 400, code: "INVALID_REQUEST"},
		{name: "bad assignee filter", as: "agent", method: "GET", path: "/v1/conversations?assignee=someone", status: 400, code: "INVALID_REQUEST"},
		{name: "limit 0", as: "agent", method: "GET", path: "/v1/conversations?limit=0", status: 400, code: "INVALID_REQUEST"},
		{name: "limit 101", as: "agent", method: "GET", path: "/v1/conversations?limit=101", status: 400, code: "INVALID_REQUEST"},
		{name: "forged cursor", as: "agent", method: "GET", path: "/v1/conversations?cursor=bogus", status: 400, code: "INVALID_REQUEST"},
		{name: "get own conversation", as: "agent", method: "GET", path: "/v1/conversations/{conv2}", status: 200, check: func(t *testing.T, r response) {
			var d struct {
				Data struct {
					domain.Conversation
					Messages []domain.Message `json:"messages"`
				} `json:"data"`
			}
			r.decode(t, &d)
			if len(d.Data.Messages) != 1 || d.Data.Contact.Phone != "+14155550102" {
				t.Errorf("detail %+v", d.Data)
			}
		}},
		{name: "colleague's conversation is not found", as: "agent", method: "GET", path: "/v1/conversations/{conv3}", status: 404, code: "NOT_FOUND"},
		{name: "unknown conversation", as: "supervisor", method: "GET", path: "/v1/conversations/999999", status: 404, code: "NOT_FOUND"},
		{name: "conversation messages", as: "agent", method: "GET", path: "/v1/conversations/{conv1}/messages", status: 200},
		{name: "colleague's messages", as: "agent", method: "GET", path: "/v1/conversations/{conv3}/messages", status: 404, code: "NOT_FOUND"},
		{name: "patch status", as: "agent", method: "PATCH", path: "/v1/conversations/{conv1}", body: `{"status":"pending","team":"sales"}`, status: 200, check: func(t *testing.T, r response) {
			if c := dataOf[domain.Conversation](t, r); c.Status != domain.StatusPending || c.Team != "sales" {
				t.Errorf("patched %+v", c)
			}
		}},
		{name: "patch bad status", as: "agent", method: "PATCH", path: "/v1/conversations/{conv1}", body: `{"status":"lost"}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "patch nothing", as: "agent", method: "PATCH", path: "/v1/conversations/{conv1}", body: `{}`, status: 400, code: "INVALID_REQUEST"},
		{name: "patch unknown assignee", as: "agent", method: "PATCH", path: "/v1/conversations/{conv1}", body: `{"assignee_id":424242}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "patch assignee wrong type", as: "agent", method: "PATCH", path: "/v1/conversations/{conv1}", body: `{"assignee_id":"me"}`, status: 400, code: "INVALID_REQUEST"},
		{name: "patch snooze in the past", as: "agent", method: "PATCH", path: "/v1/conversations/{conv1}", body: `{"status":"snoozed","snoozed_until":"2001-01-01T00:00:00Z"}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "patch colleague's conversation", as: "agent", method: "PATCH", path: "/v1/conversations/{conv3}", body: `{"status":"closed"}`, status: 404, code: "NOT_FOUND"},
		{name: "add note", as: "agent", method: "POST", path: "/v1/conversations/{conv1}/notes", body: `{"body":"called them back"}`, status: 201, check: func(t *testing.T, r response) {
			if n := dataOf[domain.Note](t, r); n.AuthorID != e.agent.id || n.Body != "called them back" {
				t.Errorf("note %+v", n)
			}
		}},
		{name: "empty note", as: "agent", method: "POST", path: "/v1/conversations/{conv1}/notes", body: `{"body":"  "}`, status: 400, code: "INVALID_REQUEST"},
		{name: "note on colleague's conversation", as: "agent", method: "POST", path: "/v1/conversations/{conv3}/notes", body: `{"body":"x"}`, status: 404, code: "NOT_FOUND"},
		{name: "list notes", as: "supervisor", method: "GET", path: "/v1/conversations/{conv1}/notes", status: 200, check: func(t *testing.T, r response) {
			if n := len(dataOf[[]domain.Note](t, r)); n != 1 {
				t.Errorf("%d notes", n)
			}
		}},
		{name: "agent counters", as: "agent", method: "GET", path: "/v1/counters", status: 200, check: func(t *testing.T, r response) {
			c := dataOf[domain.Counters](t, r)
			if c.Total != 3 || c.Unassigned != 1 || len(c.ByAgent) != 1 || c.ByAgent[itoa(int(e.agent.id))] != 1 || len(c.ByTeam) != 0 {
				t.Errorf("agent counters %+v", c)
			}
		}},
		{name: "supervisor counters", as: "supervisor", method: "GET", path: "/v1/counters", status: 200, check: func(t *testing.T, r response) {
			c := dataOf[domain.Counters](t, r)
			if c.Total != 3 || c.ByAgent[itoa(int(e.agent2.id))] != 1 || c.OldestWaitingSince == nil {
				t.Errorf("supervisor counters %+v", c)
			}
		}},

		// Messages.
		{name: "reply in the window", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv2},"type":"text","text":{"body":"on it"}}`, status: 202,
			check: func(t *testing.T, r response) {
				if m := dataOf[domain.Message](t, r); m.Status != domain.MsgQueued || m.Direction != domain.Outbound || m.AuthorID == nil || *m.AuthorID != e.agent.id {
					t.Errorf("queued %+v", m)
				}
			}},
		{name: "send by phone in any format", as: "supervisor", method: "POST", path: "/v1/messages", body: `{"to":"+1 (415) 555-0101","type":"text","text":{"body":"hello"}}`, status: 202,
			check: func(t *testing.T, r response) {
				if m := dataOf[domain.Message](t, r); m.ConversationID != f.conv1.ID || m.To != "+14155550101" {
					t.Errorf("sent %+v", m)
				}
			}},
		{name: "free-form outside the window", as: "supervisor", method: "POST", path: "/v1/messages", body: `{"to":"+14155550199","type":"text","text":{"body":"hello"}}`, status: 422, code: "SESSION_EXPIRED"},
		{name: "template outside the window", as: "supervisor", method: "POST", path: "/v1/messages", body: `{"to":"+14155550199","type":"template","template":{"name":"hello_world","language":"en_US"}}`, status: 202},
		{name: "unknown template", as: "supervisor", method: "POST", path: "/v1/messages", body: `{"to":"+14155550199","type":"template","template":{"name":"no_such","language":"en_US"}}`, status: 422, code: "TEMPLATE_NOT_FOUND"},
		{name: "template params mismatch", as: "supervisor", method: "POST", path: "/v1/messages", body: `{"to":"+14155550199","type":"template","template":{"name":"delivery_update","language":"ar","variables":{"1":"x"}}}`, status: 422, code: "TEMPLATE_PARAMS_MISMATCH"},
		{name: "agent to a colleague's customer", as: "agent", method: "POST", path: "/v1/messages", body: `{"to":"+14155550103","type":"text","text":{"body":"hi"}}`, status: 403, code: "FORBIDDEN"},
		{name: "agent in a colleague's conversation", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv3},"type":"text","text":{"body":"hi"}}`, status: 404, code: "NOT_FOUND"},
		{name: "send without type", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv1},"text":{"body":"x"}}`, status: 400, code: "INVALID_REQUEST"},
		{name: "send unknown type", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv1},"type":"hologram"}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "send without recipient", as: "agent", method: "POST", path: "/v1/messages", body: `{"type":"text","text":{"body":"x"}}`, status: 400, code: "INVALID_REQUEST"},
		{name: "send with both recipients", as: "agent", method: "POST", path: "/v1/messages", body: `{"to":"+14155550101","conversation_id":{conv1},"type":"text","text":{"body":"x"}}`, status: 400, code: "INVALID_REQUEST"},
		{name: "send to an invalid number", as: "agent", method: "POST", path: "/v1/messages", body: `{"to":"555-CALL-NOW","type":"text","text":{"body":"x"}}`, status: 422, code: "INVALID_PHONE"},
		{name: "send without the type's object", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv1},"type":"text"}`, status: 400, code: "INVALID_REQUEST"},
		{name: "send with another type's object", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv1},"type":"text","text":{"body":"x"},"image":{"link":"https://x"}}`, status: 400, code: "INVALID_REQUEST"},
		{name: "send unknown field", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv1},"type":"text","text":{"body":"x"},"priority":1}`, status: 400, code: "INVALID_REQUEST"},
		{name: "send empty text", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv1},"type":"text","text":{"body":""}}`, status: 422},
		{name: "send bad idempotency key", as: "agent", method: "POST", path: "/v1/messages", body: `{"conversation_id":{conv1},"type":"text","text":{"body":"x"}}`, headers: []string{"Idempotency-Key", "has space"}, status: 400, code: "INVALID_REQUEST"},
		{name: "query by phone", as: "supervisor", method: "GET", path: "/v1/messages?phone=0014155550102&direction=inbound", status: 200, check: func(t *testing.T, r response) {
			ms := dataOf[[]domain.Message](t, r)
			if len(ms) != 1 || ms[0].From != "+14155550102" {
				t.Errorf("messages %+v", ms)
			}
		}},
		{name: "query by conversation", as: "agent", method: "GET", path: "/v1/messages?conversation_id={conv1}", status: 200},
		{name: "query colleague's conversation", as: "agent", method: "GET", path: "/v1/messages?conversation_id={conv3}", status: 404, code: "NOT_FOUND"},
		{name: "agent query hides colleague's messages", as: "agent", method: "GET", path: "/v1/messages?direction=inbound", status: 200, check: func(t *testing.T, r response) {
			for _, m := range dataOf[[]domain.Message](t, r) {
				if m.ConversationID == f.conv3.ID {
					t.Errorf("agent sees %+v", m)
				}
			}
		}},
		{name: "query bad direction", as: "agent", method: "GET", path: "/v1/messages?direction=sideways", status: 400, code: "INVALID_REQUEST"},
		{name: "query bad status", as: "agent", method: "GET", path: "/v1/messages?status=lost", status: 400, code: "INVALID_REQUEST"},
		{name: "query bad since", as: "agent", method: "GET", path: "/v1/messages?since=yesterday", status: 400, code: "INVALID_REQUEST"},
		{name: "query since after until", as: "agent", method: "GET", path: "/v1/messages?since=2030-01-02&until=2030-01-01", status: 400, code: "INVALID_REQUEST"},
		{name: "query bad phone", as: "agent", method: "GET", path: "/v1/messages?phone=12", status: 422, code: "INVALID_PHONE"},
		{name: "get message", as: "agent", method: "GET", path: "/v1/messages/{msg1}", status: 200},
		{name: "get colleague's message", as: "agent", method: "GET", path: "/v1/messages/{msg3}", status: 404, code: "NOT_FOUND"},
		{name: "mark read", as: "agent", method: "POST", path: "/v1/messages/{msg1}/read", status: 200, check: func(t *testing.T, r response) {
			if m := dataOf[domain.Message](t, r); m.Status != domain.MsgRead {
				t.Errorf("status %s", m.Status)
			}
		}},
		{name: "mark colleague's read", as: "agent", method: "POST", path: "/v1/messages/{msg3}/read", status: 404, code: "NOT_FOUND"},

		// Templates.
		{name: "list templates", as: "agent", method: "GET", path: "/v1/templates?limit=100", status: 200, check: func(t *testing.T, r response) {
			if n := len(dataOf[[]domain.Template](t, r)); n < 10 {
				t.Errorf("%d templates", n)
			}
		}},
		{name: "list approved templates by name", as: "agent", method: "GET", path: "/v1/templates?name=order_update&status=approved", status: 200, check: func(t *testing.T, r response) {
			if n := len(dataOf[[]domain.Template](t, r)); n != 3 {
				t.Errorf("%d order_update templates", n)
			}
		}},
		{name: "agent cannot create templates", as: "agent", method: "POST", path: "/v1/templates", body: `{"name":"x","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"hi"}]}`, status: 403, code: "FORBIDDEN"},
		{name: "create template", as: "supervisor", method: "POST", path: "/v1/templates", body: `{"name":"shipping_notice","language":"en_US","category":"utility","components":[{"type":"BODY","text":"Your parcel is on its way."}]}`, status: 201,
			check: func(t *testing.T, r response) {
				if tm := dataOf[domain.Template](t, r); tm.Status != "PENDING" || tm.Name != "shipping_notice" {
					t.Errorf("created %+v", tm)
				}
			}},
		{name: "create template bad name", as: "supervisor", method: "POST", path: "/v1/templates", body: `{"name":"Bad Name","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"x"}]}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "create template bad category", as: "supervisor", method: "POST", path: "/v1/templates", body: `{"name":"x_y","language":"en_US","category":"SPAM","components":[{"type":"BODY","text":"x"}]}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "create template without components", as: "supervisor", method: "POST", path: "/v1/templates", body: `{"name":"x_y","language":"en_US","category":"UTILITY"}`, status: 422, code: "VALIDATION_FAILED"},
		{name: "sync templates", as: "supervisor", method: "POST", path: "/v1/templates/sync", status: 200},
		{name: "delete template", as: "supervisor", method: "DELETE", path: "/v1/templates/shipping_notice", status: 204},
		{name: "delete template bad name", as: "supervisor", method: "DELETE", path: "/v1/templates/Not%20A%20Name", status: 404, code: "NOT_FOUND"},

		// Opt-outs.
		{name: "opt out", as: "agent", method: "POST", path: "/v1/optouts", body: `{"phone":"+1 415 555 0142"}`, status: 200, check: func(t *testing.T, r response) {
			if c := dataOf[domain.Contact](t, r); c.Phone != "+14155550142" || !c.OptedOut {
				t.Errorf("opted out %+v", c)
			}
		}},
		{name: "opt out bad phone", as: "agent", method: "POST", path: "/v1/optouts", body: `{"phone":"call me"}`, status: 422, code: "INVALID_PHONE"},
		{name: "list opt-outs", as: "agent", method: "GET", path: "/v1/optouts", status: 200, check: func(t *testing.T, r response) {
			if cs := dataOf[[]domain.Contact](t, r); len(cs) != 1 || cs[0].Phone != "+14155550142" {
				t.Errorf("opt-outs %+v", cs)
			}
		}},
		{name: "send to opted out", as: "supervisor", method: "POST", path: "/v1/messages", body: `{"to":"0014155550142","type":"template","template":{"name":"hello_world","language":"en_US"}}`, status: 422, code: "OPTED_OUT"},
		{name: "opt back in", as: "agent", method: "DELETE", path: "/v1/optouts/" + url.PathEscape("+1 415 555 0142"), status: 204},
		{name: "opt in unknown", as: "agent", method: "DELETE", path: "/v1/optouts/" + url.PathEscape("+14155550143"), status: 404, code: "NOT_FOUND"},

		// Contacts.
		{name: "create contact", as: "agent", method: "PATCH", path: "/v1/contacts", body: `{"phone":"+44 20 7946 0958","name":"Dana","attributes":{"crm_id":"A-1"}}`, status: 201, check: func(t *testing.T, r response) {
			c := dataOf[domain.Contact](t, r)
			if c.Phone != "+442079460958" || c.Name != "Dana" || c.Attributes["crm_id"] != "A-1" {
				t.Errorf("created %+v", c)
			}
			f.vars["{dana}"] = itoa(int(c.ID))
		}},
		{name: "update contact by phone", as: "agent", method: "PATCH", path: "/v1/contacts", body: `{"phone":"00442079460958","name":"Dana S"}`, status: 200},
		{name: "update contact by id", as: "agent", method: "PATCH", path: "/v1/contacts", body: `{"id":{dana},"attributes":{"tier":"gold"}}`, status: 200, check: func(t *testing.T, r response) {
			if c := dataOf[domain.Contact](t, r); c.Name != "Dana S" || c.Attributes["tier"] != "gold" {
				t.Errorf("updated %+v", c)
			}
		}},
		{name: "contact without key", as: "agent", method: "PATCH", path: "/v1/contacts", body: `{"name":"Nobody"}`, status: 400, code: "INVALID_REQUEST"},
		{name: "contact bad phone", as: "agent", method: "PATCH", path: "/v1/contacts", body: `{"phone":"12"}`, status: 422, code: "INVALID_PHONE"},
		{name: "find contact by phone", as: "agent", method: "GET", path: "/v1/contacts?phone=" + url.QueryEscape("+44 (0) 20 7946 0958"), status: 200, check: func(t *testing.T, r response) {
			if cs := dataOf[[]domain.Contact](t, r); len(cs) != 1 || cs[0].Name != "Dana S" {
				t.Errorf("found %+v", cs)
			}
		}},
		{name: "search contacts", as: "agent", method: "GET", path: "/v1/contacts?q=Dana", status: 200},
		{name: "get contact", as: "agent", method: "GET", path: "/v1/contacts/{dana}", status: 200},
		{name: "delete contact", as: "agent", method: "DELETE", path: "/v1/contacts/{dana}", status: 204},
		{name: "deleted contact", as: "agent", method: "GET", path: "/v1/contacts/{dana}", status: 404, code: "NOT_FOUND"},

		// Events.
		{name: "events head", as: "agent", method: "GET", path: "/v1/events/head", status: 200, check: func(t *testing.T, r response) {
			if h := dataOf[EventHead](t, r); h.Head < 10 || h.Oldest != 1 {
				t.Errorf("head %+v", h)
			}
		}},
		{name: "poll events", as: "agent", method: "GET", path: "/v1/events?since=0&limit=100", status: 200, check: func(t *testing.T, r response) {
			var body eventsBodyProbe
			r.decode(t, &body)
			hidden := false
			for _, fr := range body.Data {
				if fr.Event != nil && fr.Event.AssigneeID != nil && *fr.Event.AssigneeID != e.agent.id {
					t.Errorf("agent polled an event of a colleague's conversation: %s %d", fr.Event.Type, fr.Event.ConversationID)
				}
				hidden = hidden || (fr.Kind == "hidden" && fr.ConversationID == f.conv3.ID)
			}
			if !hidden {
				t.Error("no hidden frame when conv3 went to the colleague")
			}
		}},
		{name: "poll events bad since", as: "agent", method: "GET", path: "/v1/events?since=-4", status: 400, code: "INVALID_REQUEST"},
		{name: "poll events from the future", as: "agent", method: "GET", path: "/v1/events?since=99999999", status: 410, code: "RESYNC_REQUIRED"},
		{name: "stream without upgrade", as: "agent", method: "GET", path: "/v1/stream", status: 400, code: "INVALID_REQUEST"},
	}
	runScenarios(t, e, f, scenarios)
}

type eventsBodyProbe struct {
	Data []struct {
		Kind           string        `json:"kind"`
		Event          *domain.Event `json:"event"`
		ConversationID int64         `json:"conversation_id"`
	} `json:"data"`
	Head int64 `json:"head"`
}

var _ = json.Marshal
var _ = strconv.Itoa
