package hubapi

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
)

func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	login := func(pw string) response {
		return e.do("POST", "/v1/login", "", map[string]string{"email": "alex@example.com", "password": pw})
	}
	for i := range 5 {
		if res := login("wrong password"); res.code() != "UNAUTHORIZED" {
			t.Fatalf("attempt %d: %d %s", i+1, res.status, res.body)
		}
	}
	// Locked now, even with the right password, and for the same message
	// whether the e-mail exists or not is irrelevant: the lock is on the e-mail.
	res := login(testPassword)
	if res.status != 429 || res.code() != "LOGIN_LOCKED" {
		t.Fatalf("6th attempt: %d %s", res.status, res.body)
	}
	ra, err := strconv.Atoi(res.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After = %q", res.header.Get("Retry-After"))
	}
	// Refusals while locked do not extend the lock.
	for range 3 {
		login("wrong password")
	}
	// Other accounts are not affected.
	if res := e.do("POST", "/v1/login", "", map[string]string{"email": "bo@example.com", "password": testPassword}); res.status != 200 {
		t.Fatalf("other account: %d %s", res.status, res.body)
	}
	e.clock.Advance(61 * time.Second)
	if res := login(testPassword); res.status != 200 {
		t.Fatalf("after the minute: %d %s", res.status, res.body)
	}
	// A success clears the failures: four more wrong ones do not lock.
	for range 4 {
		login("wrong password")
	}
	if res := login(testPassword); res.status != 200 {
		t.Fatalf("after 4 failures: %d %s", res.status, res.body)
	}
}

func TestLoginLockoutUnderConcurrentGuesses(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	unauthorized := 0
	for range 20 {
		wg.Go(func() {
			res := e.do("POST", "/v1/login", "", map[string]string{"email": "alex@example.com", "password": "guess guess"})
			if res.code() == "UNAUTHORIZED" {
				mu.Lock()
				unauthorized++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if unauthorized != 5 {
		t.Fatalf("%d guesses were checked, want exactly 5 before the lock", unauthorized)
	}
}

func TestTokensAreHashedAndRevocableOneAtATime(t *testing.T) {
	e := newEnv(t)
	first := e.agent.token
	second := e.user("dee@example.com", "Dee", domain.RoleAgent).token
	// A second sign-in of the same user.
	res := e.do("POST", "/v1/login", "", map[string]string{"email": "alex@example.com", "password": testPassword, "name": "phone"})
	other := dataOf[LoginResult](t, res).Token

	// No secret is stored.
	rows, err := e.db.Read.Query(`SELECT hash, prefix FROM tokens`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var hash, prefix string
		rows.Scan(&hash, &prefix)
		for _, tok := range []string{first, second, other, e.admin} {
			if strings.Contains(hash, tok) || hash == tok || len(prefix) > 10 {
				t.Fatalf("token stored in the clear: %s %s", hash, prefix)
			}
		}
		if len(hash) != 64 {
			t.Fatalf("hash %q is not hex SHA-256", hash)
		}
	}
	rows.Close()
	if !strings.HasPrefix(first, hub.TokenPrefix) || len(first) != len(hub.TokenPrefix)+43 {
		t.Fatalf("token shape %q", first)
	}

	// The admin lists tokens without secrets and revokes exactly one.
	res = e.do("GET", "/v1/tokens?limit=100", e.admin, nil)
	if strings.Contains(string(res.body), first) || strings.Contains(string(res.body), e.admin) {
		t.Fatal("token list leaks a secret")
	}
	var me Me
	me = dataOf[Me](t, e.do("GET", "/v1/me", first, nil))
	if res := e.do("DELETE", "/v1/tokens/"+itoa(int(me.TokenID)), e.admin, nil); res.status != 204 {
		t.Fatalf("revoke: %d %s", res.status, res.body)
	}
	if res := e.do("GET", "/v1/me", first, nil); res.code() != "UNAUTHORIZED" {
		t.Fatalf("revoked token: %d %s", res.status, res.body)
	}
	for _, tok := range []string{other, second} {
		if res := e.do("GET", "/v1/me", tok, nil); res.status != 200 {
			t.Fatalf("other token was affected: %d %s", res.status, res.body)
		}
	}
	if res := e.do("DELETE", "/v1/tokens/"+itoa(int(me.TokenID)), e.admin, nil); res.code() != "NOT_FOUND" {
		t.Fatalf("second revoke: %d %s", res.status, res.body)
	}
	// Logout revokes the calling token only.
	if res := e.do("POST", "/v1/logout", other, nil); res.status != 204 {
		t.Fatalf("logout: %d", res.status)
	}
	if res := e.do("GET", "/v1/me", other, nil); res.code() != "UNAUTHORIZED" {
		t.Fatal("logged-out token still works")
	}
}

func TestRoleChangesApplyToIssuedTokens(t *testing.T) {
	e := newEnv(t)
	if res := e.do("POST", "/v1/templates/sync", e.agent.token, nil); res.code() != "FORBIDDEN" {
		t.Fatalf("agent synced templates: %d", res.status)
	}
	if res := e.do("PATCH", "/v1/users/"+itoa(int(e.agent.id)), e.admin, map[string]any{"role": "supervisor"}); res.status != 200 {
		t.Fatalf("promote: %d %s", res.status, res.body)
	}
	if res := e.do("POST", "/v1/templates/sync", e.agent.token, nil); res.status != 200 {
		t.Fatalf("promoted agent: %d %s", res.status, res.body)
	}
	if res := e.do("PATCH", "/v1/users/"+itoa(int(e.agent.id)), e.admin, map[string]any{"disabled": true}); res.status != 200 {
		t.Fatalf("disable: %d %s", res.status, res.body)
	}
	if res := e.do("GET", "/v1/me", e.agent.token, nil); res.code() != "UNAUTHORIZED" {
		t.Fatalf("disabled user's token: %d", res.status)
	}
	if res := e.do("POST", "/v1/login", "", map[string]string{"email": "alex@example.com", "password": testPassword}); res.code() != "UNAUTHORIZED" {
		t.Fatalf("disabled user signed in: %d", res.status)
	}
	// A new password signs the user out everywhere.
	if res := e.do("PATCH", "/v1/users/"+itoa(int(e.agent2.id)), e.admin, map[string]any{"password": "a brand new one"}); res.status != 200 {
		t.Fatal(res.status)
	}
	if res := e.do("GET", "/v1/me", e.agent2.token, nil); res.code() != "UNAUTHORIZED" {
		t.Fatalf("old token after password change: %d", res.status)
	}
}

func TestIntegrationTokens(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name string
		body map[string]any
		code string
	}{
		{"no scopes", map[string]any{"name": "crm"}, "INVALID_REQUEST"},
		{"unknown scope", map[string]any{"name": "crm", "scopes": []string{"whatsapp:everything"}}, "VALIDATION_FAILED"},
		{"agent role", map[string]any{"name": "crm", "scopes": []string{"whatsapp:read"}, "role": "agent"}, "VALIDATION_FAILED"},
		{"no name", map[string]any{"scopes": []string{"whatsapp:read"}}, "VALIDATION_FAILED"},
		{"expired", map[string]any{"name": "crm", "scopes": []string{"whatsapp:read"}, "expires_at": "2001-01-01T00:00:00Z"}, "VALIDATION_FAILED"},
		{"unknown user", map[string]any{"name": "crm", "scopes": []string{"whatsapp:read"}, "user_id": 999}, "VALIDATION_FAILED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if res := e.do("POST", "/v1/tokens", e.admin, c.body); res.code() != c.code {
				t.Fatalf("%d %s, want %s", res.status, res.body, c.code)
			}
		})
	}
	// A token on behalf of an agent sees what the agent sees.
	res := e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "alex's script", "scopes": []string{"whatsapp:read"}, "user_id": e.agent.id})
	if res.status != 201 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	tok := dataOf[NewToken](t, res)
	if tok.Role != domain.RoleAgent {
		t.Fatalf("role %s", tok.Role)
	}
	me := dataOf[Me](t, e.do("GET", "/v1/me", tok.Token, nil))
	if me.User == nil || me.User.ID != e.agent.id || me.Role != domain.RoleAgent {
		t.Fatalf("me %+v", me)
	}
	// Expiry is enforced.
	exp := time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	res = e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "short", "scopes": []string{"whatsapp:read"}, "expires_at": exp})
	short := dataOf[NewToken](t, res).Token
	if res := e.do("GET", "/v1/me", short, nil); res.status != 200 {
		t.Fatal(res.status)
	}
	e.clock.Advance(2 * time.Minute)
	if res := e.do("GET", "/v1/me", short, nil); res.code() != "UNAUTHORIZED" {
		t.Fatalf("expired token: %d", res.status)
	}
}

func TestAdminTokenBootstrap(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	again, err := e.srv.EnsureAdminToken(ctx, "")
	if err != nil || again != "" {
		t.Fatalf("second bootstrap generated %q %v", again, err)
	}
	const fixed = "sbt_configured-admin-token-for-tests-0123456789"
	if got, err := e.srv.EnsureAdminToken(ctx, fixed); err != nil || got != "" {
		t.Fatalf("configured: %q %v", got, err)
	}
	if res := e.do("GET", "/v1/tokens", fixed, nil); res.status != 200 {
		t.Fatalf("configured admin token: %d %s", res.status, res.body)
	}
	// Configuring it again keeps one row and un-revokes it.
	me := dataOf[Me](t, e.do("GET", "/v1/me", fixed, nil))
	e.do("DELETE", "/v1/tokens/"+itoa(int(me.TokenID)), e.admin, nil)
	if _, err := e.srv.EnsureAdminToken(ctx, fixed); err != nil {
		t.Fatal(err)
	}
	if res := e.do("GET", "/v1/me", fixed, nil); res.status != 200 {
		t.Fatalf("re-configured admin token: %d", res.status)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	e := newEnv(t, withAPI(func(c *Config) { c.RateLimit, c.RateBurst = 1, 3 }))
	var last response
	for i := range 3 {
		last = e.do("GET", "/v1/me", e.agent.token, nil)
		if last.status != 200 {
			t.Fatalf("request %d: %d", i, last.status)
		}
		if got := last.header.Get("X-RateLimit-Limit"); got != "3" {
			t.Fatalf("X-RateLimit-Limit = %q", got)
		}
		if got := last.header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(2-i) {
			t.Fatalf("request %d: X-RateLimit-Remaining = %q", i, got)
		}
	}
	if reset, _ := strconv.Atoi(last.header.Get("X-RateLimit-Reset")); reset < 1 || reset > 3 {
		t.Fatalf("X-RateLimit-Reset = %q", last.header.Get("X-RateLimit-Reset"))
	}
	res := e.do("GET", "/v1/me", e.agent.token, nil)
	if res.status != 429 || res.code() != "RATE_LIMITED" {
		t.Fatalf("4th request: %d %s", res.status, res.body)
	}
	if ra, _ := strconv.Atoi(res.header.Get("Retry-After")); ra != 1 {
		t.Fatalf("Retry-After = %q", res.header.Get("Retry-After"))
	}
	if res.header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("remaining on 429: %q", res.header.Get("X-RateLimit-Remaining"))
	}
	// Buckets are per token.
	if res := e.do("GET", "/v1/me", e.agent2.token, nil); res.status != 200 {
		t.Fatalf("another token: %d", res.status)
	}
}

// TestRejectedRequestsChangeNothing sends malformed, unauthorised and
// forbidden writes and checks the event log and the API's own tables did
// not move.
func TestRejectedRequestsChangeNothing(t *testing.T) {
	e := newEnv(t)
	conv := e.customerWrites("14155550101", "hello")
	counts := func() [4]int64 {
		var out [4]int64
		_, out[0], _ = e.core.EventBounds(context.Background())
		e.db.Read.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&out[1])
		e.db.Read.QueryRow(`SELECT COUNT(*) FROM tokens`).Scan(&out[2])
		e.db.Read.QueryRow(`SELECT COUNT(*) FROM delivery_jobs`).Scan(&out[3])
		return out
	}
	before := counts()
	cid := itoa(int(conv.ID))
	bad := []struct{ method, path, token, body string }{
		{"POST", "/v1/messages", e.agent.token, `{"conversation_id":` + cid + `,"type":"text","text":{"body":"x"}} trailing`},
		{"POST", "/v1/messages", e.agent.token, `{"conversation_id":` + cid + `,"type":"text","text":{"body":"x"},"unknown":1}`},
		{"POST", "/v1/messages", "", `{"conversation_id":` + cid + `,"type":"text","text":{"body":"x"}}`},
		{"PATCH", "/v1/conversations/" + cid, e.agent.token, `{"status":"closed","bogus":true}`},
		{"PATCH", "/v1/conversations/" + cid, e.agent.token, `{"status":"closed"`},
		{"POST", "/v1/conversations/" + cid + "/notes", e.agent.token, `["not","an","object"]`},
		{"PUT", "/v1/users", e.agent.token, `{"email":"z@example.com","name":"Z","role":"admin","password":"long enough"}`},
		{"PUT", "/v1/users", e.admin, `{"email":"z@example.com","name":"Z","role":"admin","password":"short"}`},
		{"POST", "/v1/tokens", e.supervisor.token, `{"name":"x","scopes":["admin"]}`},
		{"POST", "/v1/deliveries", e.supervisor.token, `{"template":"hello_world","language":"en_US","recipients":[]}`},
		{"PATCH", "/v1/contacts", e.agent.token, `{"phone":"not a number"}`},
		{"POST", "/v1/optouts", e.agent.token, `{"phone":"+1"}`},
	}
	for _, b := range bad {
		res := e.do(b.method, b.path, b.token, b.body)
		if res.status < 400 {
			t.Errorf("%s %s %s: %d", b.method, b.path, b.body, res.status)
		}
	}
	if after := counts(); after != before {
		t.Fatalf("rejected requests changed something: %v -> %v", before, after)
	}
}
