package hubapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"switchboard/backend/domain"
)

// TestOpenAPIMatchesRoutes walks the patterns registered on the mux and
// the paths of /openapi.json and fails on any difference, either way.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	res := e.do("GET", "/openapi.json", "", nil)
	if res.status != 200 {
		t.Fatalf("GET /openapi.json: %d", res.status)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	res.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, p := range e.srv.patterns {
		registered[p] = true
	}
	var missing, extra []string
	for p := range registered {
		if !documented[p] {
			missing = append(missing, p)
		}
	}
	for p := range documented {
		if !registered[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes without documentation: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("documented operations without a route: %v", extra)
	}
	if len(registered) < 40 {
		t.Errorf("only %d routes registered", len(registered))
	}
}

// TestOpenAPIDocumentIsSelfConsistent checks every $ref resolves, every
// operation declares its error answers one status at a time with the error
// envelope (500 always; 401, 403 and 429 on protected routes), not as a
// catch-all default, and protected routes name their scope.
func TestOpenAPIDocumentIsSelfConsistent(t *testing.T) {
	e := newEnv(t)
	res := e.do("GET", "/openapi.json", "", nil)
	var doc map[string]any
	res.decode(t, &doc)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(string(res.body), -1) {
		if _, ok := schemas[m[1]]; !ok {
			t.Errorf("dangling $ref %s", m[1])
		}
	}
	for _, rt := range e.srv.routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		op := doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
		responses := op["responses"].(map[string]any)
		if _, ok := responses["default"]; ok {
			t.Errorf("%s: a default response hides which errors it answers", rt.pattern)
		}
		want := []string{"500"}
		if rt.scope != scopePublic {
			want = append(want, "401", "403", "429")
		}
		for _, st := range want {
			r, ok := responses[st].(map[string]any)
			if !ok {
				t.Errorf("%s: no %s response", rt.pattern, st)
				continue
			}
			if !strings.Contains(fmt.Sprint(r["content"]), "#/components/schemas/ApierrEnvelope") {
				t.Errorf("%s: the %s response is not the error envelope: %v", rt.pattern, st, r["content"])
			}
		}
		if rt.scope != scopePublic && op["x-required-scope"] != string(rt.scope) {
			t.Errorf("%s: x-required-scope = %v, want %s", rt.pattern, op["x-required-scope"], rt.scope)
		}
	}
}

// TestEveryRouteDeclaresAScope keeps the route table honest: each row
// names a known scope or is explicitly public, and only the documented
// few are public.
func TestEveryRouteDeclaresAScope(t *testing.T) {
	e := newEnv(t)
	public := []string{"GET /healthz", "GET /metrics", "GET /openapi.json", "GET /docs/errors",
		"GET /webhooks/whatsapp", "POST /webhooks/whatsapp", "POST /v1/login"}
	for _, rt := range e.srv.routes {
		switch {
		case rt.scope == scopePublic:
			if !slices.Contains(public, rt.pattern) {
				t.Errorf("%s is public but not in the list of public routes", rt.pattern)
			}
		case !rt.scope.Valid():
			t.Errorf("%s: unknown scope %q", rt.pattern, rt.scope)
		}
		if rt.h == nil {
			t.Errorf("%s: no handler", rt.pattern)
		}
	}
}

// examplePath fills a pattern's wildcards with plausible values.
func examplePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.NewReplacer("{id}", "999999", "{name}", "hello_world", "{phone}", "+15551230001").Replace(path)
	return method, path
}

// TestAuthAndScopeMatrix sends every protected route a request with no
// token, an unknown token, a revoked token and tokens that lack exactly
// the route's scope, then one that has it: the first four are refused
// with UNAUTHORIZED or FORBIDDEN and change nothing; the last gets past
// authentication.
func TestAuthAndScopeMatrix(t *testing.T) {
	e := newEnv(t)
	mk := func(name string, scopes ...Scope) string {
		res := e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": name, "scopes": scopes})
		if res.status != 201 {
			t.Fatalf("create token: %d %s", res.status, res.body)
		}
		var out struct {
			Data NewToken `json:"data"`
		}
		res.decode(t, &out)
		return out.Data.Token
	}
	revoked := mk("revoked", domain.AllScopes...)
	var rid struct {
		Data Me `json:"data"`
	}
	e.do("GET", "/v1/me", revoked, nil).decode(t, &rid)
	if res := e.do("DELETE", "/v1/tokens/"+itoa(int(rid.Data.TokenID)), e.admin, nil); res.status != 204 {
		t.Fatalf("revoke: %d", res.status)
	}
	without := map[Scope]string{}
	with := map[Scope]string{}
	for _, sc := range domain.AllScopes {
		var others []Scope
		for _, o := range domain.AllScopes {
			if o != sc && o != ScopeAdmin {
				others = append(others, o)
			}
		}
		if len(others) > 0 {
			without[sc] = mk("without "+string(sc), others...)
		}
		with[sc] = mk("only "+string(sc), sc)
	}
	for _, rt := range e.srv.routes {
		if rt.scope == scopePublic {
			continue
		}
		method, path := examplePath(rt.pattern)
		t.Run(rt.pattern, func(t *testing.T) {
			cases := []struct {
				name, token, want string
			}{
				{"no token", "", "UNAUTHORIZED"},
				{"unknown token", "sbt_nope", "UNAUTHORIZED"},
				{"revoked token", revoked, "UNAUTHORIZED"},
				{"lacks scope", without[rt.scope], "FORBIDDEN"},
			}
			for _, c := range cases {
				if c.token == "" && c.name == "lacks scope" {
					continue
				}
				res := e.do(method, path, c.token, nil)
				if res.code() != c.want {
					t.Errorf("%s: %d %s, want %s", c.name, res.status, res.body, c.want)
				}
			}
			tok := with[rt.scope]
			if rt.pattern == "POST /v1/logout" {
				tok = mk("logout", ScopeRead) // it revokes itself
			}
			res := e.do(method, path, tok, nil)
			if res.status == http.StatusUnauthorized || res.status == http.StatusForbidden {
				t.Errorf("with scope %s: %d %s", rt.scope, res.status, res.body)
			}
		})
	}
	// X-API-Key works like a bearer token.
	if res := e.do("GET", "/v1/me", "", nil, "X-API-Key", with[ScopeRead]); res.status != 200 {
		t.Errorf("X-API-Key: %d %s", res.status, res.body)
	}
}

// TestNotFoundAndMethodNotAllowedAreEnvelopes covers the fallback.
func TestNotFoundAndMethodNotAllowedAreEnvelopes(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/v1/nope", 404, "NOT_FOUND", ""},
		{"GET", "/", 404, "NOT_FOUND", ""},
		{"POST", "/v1/accounts", 405, "METHOD_NOT_ALLOWED", "GET, HEAD"},
		{"DELETE", "/v1/messages", 405, "METHOD_NOT_ALLOWED", "GET, HEAD, POST"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			res := e.do(c.method, c.path, e.admin, nil)
			if res.status != c.status || res.code() != c.code {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if c.allow != "" && res.header.Get("Allow") != c.allow {
				t.Errorf("Allow = %q, want %q", res.header.Get("Allow"), c.allow)
			}
			var env struct {
				Error struct {
					DocURL string `json:"doc_url"`
				} `json:"error"`
			}
			res.decode(t, &env)
			if env.Error.DocURL != "/docs/errors#"+c.code {
				t.Errorf("doc_url = %q", env.Error.DocURL)
			}
		})
	}
}
