package hubapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/testkit"
	"switchboard/backend/whatsapp"
)

// testEnv is a whole hub on loopback: the sandbox playing Meta (Graph API
// and signed webhooks), the real messaging core on a real SQLite file in
// t.TempDir(), and this package's server on an httptest listener.
type testEnv struct {
	t     *testing.T
	sb    *sandbox.Sandbox
	core  *hub.Service
	srv   *Server
	ts    *httptest.Server
	url   string
	db    *sqlitedb.DB
	clock *testClock
	// graph counts the core's and the server's calls to the Cloud API.
	graph *graphCounter
	// openapi validates every answer against the served OpenAPI document.
	openapi *openapiCheck

	admin      string // bootstrap token: every scope, role admin
	adminUser  principalInfo
	supervisor principalInfo
	agent      principalInfo
	agent2     principalInfo
}

type principalInfo struct {
	id    int64
	email string
	token string
}

// testClock is the server's clock: real time (or, after Freeze, a fixed
// time) plus an offset tests move to expire lockouts without sleeping.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
	// frozen, once set by Freeze, stands in for the wall clock.
	frozen time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen.Add(c.offset)
	}
	return time.Now().Add(c.offset)
}

// Freeze stops the clock where it is: only Advance moves it after that,
// for tests whose outcome would otherwise depend on how long the
// machine takes (a budget that refills with time).
func (c *testClock) Freeze() {
	c.mu.Lock()
	if c.frozen.IsZero() {
		c.frozen = time.Now()
	}
	c.mu.Unlock()
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// envConfig is what options may change before the environment starts.
type envConfig struct {
	api *Config
	sb  *sandbox.Config
	hub *hub.Config
	// smallSocketBuffers shrinks the server side's TCP send buffer, so a
	// client that stops reading fills it after a few frames.
	smallSocketBuffers bool
	// core, when set, wraps the hub the server talks to (to hold a call
	// at a chosen moment).
	core func(*hub.Service) Core
}

type envOption func(*envConfig)

// withAPI changes the server's configuration.
func withAPI(f func(*Config)) envOption { return func(c *envConfig) { f(c.api) } }

// withSandbox changes the sandbox's configuration.
func withSandbox(f func(*sandbox.Config)) envOption { return func(c *envConfig) { f(c.sb) } }

// withHub changes the core's configuration.
func withHub(f func(*hub.Config)) envOption { return func(c *envConfig) { f(c.hub) } }

// withCore wraps the hub the server talks to.
func withCore(wrap func(*hub.Service) Core) envOption { return func(c *envConfig) { c.core = wrap } }

const testPassword = "correct horse battery"

func newEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	ctx := context.Background()
	e := &testEnv{t: t, clock: &testClock{}}
	noDelay := sandbox.StatusDelays{}
	scfg := sandbox.Config{
		Seed:         1,
		StatusDelays: &noDelay,
		VerifyToken:  "verify-me",
		Customers:    sandbox.CustomerConfig{Count: 5, ReadProbability: -1, ReplyProbability: -1},
		Webhook:      sandbox.WebhookConfig{RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond},
	}
	cfg := Config{
		Now:       e.clock.Now,
		RateLimit: 1000,
		RateBurst: 1000,
		Stream:    StreamConfig{Heartbeat: 200 * time.Millisecond, ResumeWait: 300 * time.Millisecond},
	}
	// The hub and the server share the test clock: tests move it to
	// expire lockouts and tokens without sleeping.
	hcfg := hub.Config{
		VerifyToken:    "verify-me",
		RetryBase:      10 * time.Millisecond,
		RetryMax:       50 * time.Millisecond,
		Clock:          e.clock,
		BcryptCost:     bcrypt.MinCost,
		WebhookBackoff: 10 * time.Millisecond,
	}
	ec := envConfig{api: &cfg, sb: &scfg, hub: &hcfg}
	for _, o := range opts {
		o(&ec)
	}
	sb, err := sandbox.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.sb = sb
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "hub.db"), sqlitedb.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	e.db = db
	api := whatsapp.NewClient(base, sb.AccessToken())
	e.graph = &graphCounter{next: http.DefaultTransport, calls: map[string]int{}}
	api.HTTP.Transport = e.graph
	p := sb.PhoneNumbers()[0]
	st := sqlitestore.New(db)
	hcfg.Store, hcfg.API, hcfg.AppSecret = st, api, sb.AppSecret()
	hcfg.Accounts = []domain.Account{{ID: p.ID, WABAID: sb.WABAID(), DisplayPhoneNumber: "+" + p.DisplayNumber, VerifiedName: p.VerifiedName, ThroughputMPS: 1000}}
	core, err := hub.New(ctx, hcfg)
	if err != nil {
		t.Fatal(err)
	}
	e.core = core
	cfg.Core, cfg.Media, cfg.DataDir = core, api, dir
	if ec.core != nil {
		cfg.Core = ec.core(core)
	}
	srv, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	srv.Start()
	e.openapi = newOpenAPICheck(t, srv.Handler())
	e.ts = httptest.NewUnstartedServer(e.openapi.wrap(srv.Handler()))
	if ec.smallSocketBuffers {
		e.ts.Config.ConnState = func(c net.Conn, st http.ConnState) {
			if tc, ok := c.(*net.TCPConn); ok && st == http.StateNew {
				_ = tc.SetWriteBuffer(4096)
			}
		}
	}
	e.ts.Start()
	e.url = e.ts.URL
	t.Cleanup(func() {
		e.ts.CloseClientConnections()
		srv.Close()
		e.ts.Close()
		sb.Close()
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = core.Close(cctx)
		st.Close()
		db.Close()
	})
	if err := sb.SubscribeWebhook(ctx, e.url+"/webhooks/whatsapp"); err != nil {
		t.Fatal(err)
	}
	e.admin, err = srv.EnsureAdminToken(ctx, "")
	if err != nil || e.admin == "" {
		t.Fatalf("admin token: %q %v", e.admin, err)
	}
	e.adminUser = e.user("ada@example.com", "Ada Admin", domain.RoleAdmin)
	e.supervisor = e.user("sam@example.com", "Sam Supervisor", domain.RoleSupervisor)
	e.agent = e.user("alex@example.com", "Alex Agent", domain.RoleAgent, "sales")
	e.agent2 = e.user("bo@example.com", "Bo Agent", domain.RoleAgent, "support")
	return e
}

// user creates a user and signs them in.
func (e *testEnv) user(email, name string, role domain.Role, teams ...string) principalInfo {
	e.t.Helper()
	pw := testPassword
	u, err := e.core.CreateUser(context.Background(), hub.UserInput{Email: &email, Name: &name, Role: &role, Teams: &teams, Password: &pw})
	if err != nil {
		e.t.Fatal(err)
	}
	res := e.do("POST", "/v1/login", "", map[string]string{"email": email, "password": testPassword})
	if res.status != 200 {
		e.t.Fatalf("login %s: %d %s", email, res.status, res.body)
	}
	var out struct {
		Data LoginResult `json:"data"`
	}
	res.decode(e.t, &out)
	return principalInfo{id: u.ID, email: email, token: out.Data.Token}
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// code is the error code of an error answer ("" for success).
func (r response) code() string {
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &env)
	return env.Error.Code
}

// do sends a JSON request (body may be nil, a []byte sent as is, or a
// value marshalled to JSON) with token as a bearer token.
func (e *testEnv) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// customerWrites makes a sandbox customer send a text and waits until the
// hub has the conversation; it returns the conversation.
func (e *testEnv) customerWrites(waID, text string) domain.Conversation {
	e.t.Helper()
	if _, err := e.sb.CustomerSend(waID, sandbox.InboundMessage{Type: "text", Text: text, ProfileName: "Customer " + waID[len(waID)-4:]}); err != nil {
		e.t.Fatal(err)
	}
	var conv domain.Conversation
	e.eventually(func() bool {
		res := e.do("GET", "/v1/conversations?limit=100", e.admin, nil)
		var out struct {
			Data []domain.Conversation `json:"data"`
		}
		res.decode(e.t, &out)
		for _, c := range out.Data {
			if c.Contact.WaID == waID && c.LastMessage != nil && c.LastMessage.Preview == text {
				conv = c
				return true
			}
		}
		return false
	}, "conversation with %s from %s", text, waID)
	return conv
}

// eventually polls cond until it holds (see testkit.Eventually).
func (e *testEnv) eventually(cond func() bool, what string, args ...any) {
	e.t.Helper()
	testkit.Eventually(e.t, fmt.Sprintf(what, args...), cond)
}

// graphCounter is the Cloud API client's transport in tests: it counts
// requests by method and last path segment ("POST media", "GET 1234"), so
// a test can prove what did or did not reach Meta's side.
type graphCounter struct {
	next  http.RoundTripper
	mu    sync.Mutex
	calls map[string]int
}

// RoundTrip counts and forwards.
func (g *graphCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	seg := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	g.mu.Lock()
	g.calls[r.Method+" "+seg]++
	g.mu.Unlock()
	return g.next.RoundTrip(r)
}

// count is how many requests had this method and last path segment.
func (g *graphCounter) count(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[key]
}

// total is how many requests reached the Cloud API.
func (g *graphCounter) total() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, c := range g.calls {
		n += c
	}
	return n
}
