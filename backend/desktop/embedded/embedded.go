// Package embedded runs a whole Switchboard hub inside the desktop
// console's process: the messaging core (backend/hub), its REST API and
// stream (backend/hubapi) on a random 127.0.0.1 port, and the WhatsApp
// sandbox (backend/sandbox) with simulated customers writing in at a demo
// pace. A new user's console starts it when no hub is configured and signs
// in to it as a demo agent, so the first screen is a live inbox; the same
// hub is what the console's end-to-end tests run against.
//
// The hub keeps its database in the folder it is given, so the demo inbox
// survives restarts; the sandbox is in memory and rebuilds the same
// customers from a fixed seed.
package embedded

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"switchboard/backend/desktop"
	"switchboard/backend/desktop/internal/netfault"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hubapi"
	"switchboard/backend/hubclient"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/whatsapp"
)

// Demo agent's identity.
const (
	AgentEmail = "agent@sandbox.switchboard.local"
	AgentName  = "Demo Agent"
)

// Config configures Start.
type Config struct {
	// Dir holds the hub's database, media cache and admin token.
	Dir string
	Log *slog.Logger
	// TrafficRate is how many unprompted customer messages per second the
	// sandbox sends (default 0.1: one every ten seconds; negative: none).
	TrafficRate float64
	// Seed fixes the simulated population (default 20250301).
	Seed uint64
	// FirstRunMessages are sent by random customers when the hub has no
	// conversation yet, so the first inbox is not empty (default 12;
	// negative: none).
	FirstRunMessages int
	// Sandbox tweaks the sandbox's config before it starts (tests make
	// customers always read and never answer, for instance).
	Sandbox func(*sandbox.Config)
	// FastLogin lowers the password hashing cost (tests).
	FastLogin bool
	// WrapGraph, when set, wraps the transport the hub reaches the
	// sandbox's Cloud API with (tests count what reaches "Meta").
	WrapGraph func(http.RoundTripper) http.RoundTripper
}

// Hub is a running embedded hub. It implements desktop.EmbeddedHub.
type Hub struct {
	log    *slog.Logger
	db     *sqlitedb.DB
	core   *hub.Service
	srv    *hubapi.Server
	hs     *http.Server
	sb     *sandbox.Sandbox
	clock  *sandbox.RealClock
	url    string // what the console connects to: through gate
	gate   *netfault.Proxy
	admin  *hubclient.Client
	served chan error
}

var _ desktop.EmbeddedHub = (*Hub)(nil)

// Starter is a desktop.StartEmbedded that starts a hub with cfg (its Dir
// and Log are filled in by the console).
func Starter(cfg Config) desktop.StartEmbedded {
	return func(ctx context.Context, dir string, log *slog.Logger) (desktop.EmbeddedHub, error) {
		c := cfg
		c.Dir, c.Log = dir, log
		return Start(ctx, c)
	}
}

// Start starts the sandbox, the core and the API on loopback.
func Start(ctx context.Context, cfg Config) (_ *Hub, err error) {
	if cfg.Dir == "" {
		return nil, errors.New("embedded: Dir is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.TrafficRate == 0 {
		cfg.TrafficRate = 0.1
	}
	if cfg.Seed == 0 {
		cfg.Seed = 20250301
	}
	if cfg.FirstRunMessages == 0 {
		cfg.FirstRunMessages = 12
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	h := &Hub{log: cfg.Log, clock: sandbox.NewRealClock(), served: make(chan error, 1)}
	defer func() {
		if err != nil {
			h.Close()
		}
	}()

	// The sandbox and the hub share one clock, so moving it (to close the
	// 24-hour window in a test) moves both.
	verify := randomHex(16)
	scfg := sandbox.Config{
		VerifyToken: verify,
		Clock:       h.clock,
		Seed:        cfg.Seed,
		Customers:   sandbox.CustomerConfig{Rate: max(cfg.TrafficRate, 0), Autostart: cfg.TrafficRate > 0},
		Logger:      cfg.Log.With("component", "sandbox"),
	}
	if cfg.Sandbox != nil {
		cfg.Sandbox(&scfg)
	}
	if h.sb, err = sandbox.New(scfg); err != nil {
		return nil, err
	}
	graphURL, err := h.sb.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}

	if h.db, err = sqlitedb.Open(filepath.Join(cfg.Dir, "hub.db"), sqlitedb.Options{}); err != nil {
		return nil, err
	}
	api := whatsapp.NewClient(graphURL, h.sb.AccessToken())
	if cfg.WrapGraph != nil {
		api.HTTP.Transport = cfg.WrapGraph(http.DefaultTransport)
	}
	phone := h.sb.PhoneNumbers()[0]
	account := domain.Account{ID: phone.ID, WABAID: h.sb.WABAID(), Status: "CONNECTED", QualityRating: "GREEN",
		DisplayPhoneNumber: "+" + phone.DisplayNumber, VerifiedName: phone.VerifiedName, ThroughputMPS: int(phone.Throughput)}
	if h.core, err = hub.New(ctx, hub.Config{DB: h.db, Accounts: []domain.Account{account}, API: api,
		AppSecret: h.sb.AppSecret(), VerifyToken: verify, Clock: h.clock, Logger: cfg.Log.With("component", "hub"),
		RetryBase: 200 * time.Millisecond, RetryMax: 5 * time.Second}); err != nil {
		return nil, err
	}
	acfg := hubapi.Config{Core: h.core, Media: api, DB: h.db, DataDir: cfg.Dir, Logger: cfg.Log.With("component", "api"),
		Now: h.clock.Now, RateLimit: 1000, RateBurst: 5000}
	if cfg.FastLogin {
		acfg.BcryptCost = 4
	}
	if h.srv, err = hubapi.New(ctx, acfg); err != nil {
		return nil, err
	}
	secret, err := adminSecret(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if _, err := h.srv.EnsureAdminToken(ctx, secret); err != nil {
		return nil, err
	}
	h.srv.Start()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	direct := "http://" + ln.Addr().String()
	h.hs = &http.Server{Handler: h.srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn)}
	go func() { h.served <- h.hs.Serve(ln) }()
	h.admin = hubclient.New(direct, secret)
	// The console reaches the hub through a gate it can close
	// (SetHubOnline), so a test or a demo can take the hub away from the
	// console while customers keep writing to it.
	if h.gate, err = netfault.Start(ln.Addr().String()); err != nil {
		return nil, err
	}
	h.url = h.gate.URL()

	// Meta's dashboard verifies the callback URL before it posts anything;
	// the sandbox does the same handshake.
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = h.sb.SubscribeWebhook(sctx, direct+"/webhooks/whatsapp")
	cancel()
	if err != nil {
		return nil, fmt.Errorf("embedded: sandbox webhook subscription: %w", err)
	}
	// The templates the sandbox account starts with, so the composer can
	// offer them (a real hub syncs them from Meta the same way).
	if _, err := h.admin.SyncTemplates(ctx); err != nil {
		h.log.Warn("embedded hub: template sync failed", "err", err)
	}
	if cfg.FirstRunMessages > 0 {
		page, err := h.admin.Conversations(ctx, hubclient.ConversationFilter{}, "", 1)
		if err == nil && len(page.Items) == 0 {
			h.sb.Generate(cfg.FirstRunMessages)
		}
	}
	return h, nil
}

// adminSecret is the hub's bootstrap admin token, kept in a 0600 file so a
// restart reuses it rather than piling up tokens.
func adminSecret(dir string) (string, error) {
	path := filepath.Join(dir, "admin-token")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	secret := "sbx_" + randomHex(24)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", err
	}
	return secret, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

// URL implements desktop.EmbeddedHub.
func (h *Hub) URL() string { return h.url }

// Admin is a client with the hub's admin token (tests inspect the hub
// with it).
func (h *Hub) Admin() *hubclient.Client { return h.admin }

// Raw is the sandbox itself (tests).
func (h *Hub) Raw() *sandbox.Sandbox { return h.sb }

// AgentSession implements desktop.EmbeddedHub: it (re)creates the demo
// agent with a fresh random password and signs in.
func (h *Hub) AgentSession(ctx context.Context) (string, domain.User, error) {
	email, name, role, password := AgentEmail, AgentName, domain.RoleAgent, randomHex(16)
	if _, err := h.admin.PutUser(ctx, hubclient.UserInput{Email: &email, Name: &name, Role: &role, Password: &password}); err != nil {
		return "", domain.User{}, err
	}
	r, err := hubclient.New(h.admin.BaseURL, "").Login(ctx, email, password, "Switchboard desktop (embedded)")
	if err != nil {
		return "", domain.User{}, err
	}
	return r.Token, r.User, nil
}

// Now implements desktop.EmbeddedHub.
func (h *Hub) Now() time.Time { return h.clock.Now() }

// Sandbox implements desktop.EmbeddedHub.
func (h *Hub) Sandbox() desktop.SandboxControls { return controls{h.sb, h.gate} }

// Close stops the API (stream clients are disconnected), the HTTP server,
// the core (draining its send queue briefly) and the sandbox.
func (h *Hub) Close() error {
	var errs []error
	if h.gate != nil {
		errs = append(errs, h.gate.Close())
	}
	if h.srv != nil {
		h.srv.Close()
	}
	if h.hs != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, h.hs.Shutdown(sctx))
		cancel()
	}
	if h.core != nil {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := h.core.Close(dctx); err != nil {
			h.log.Warn("embedded hub: send queue not drained", "err", err)
		}
		cancel()
	}
	if h.sb != nil {
		errs = append(errs, h.sb.Close())
	}
	if h.db != nil {
		errs = append(errs, h.db.Close())
	}
	return errors.Join(errs...)
}

type controls struct {
	sb   *sandbox.Sandbox
	gate *netfault.Proxy
}

// SetHubOnline opens or closes the console's way to the hub: closed, the
// console's connections drop and new ones are refused, as if the network
// went away; the hub itself keeps taking customer messages.
func (c controls) SetHubOnline(online bool) { c.gate.SetDown(!online) }

func (c controls) Advance(d time.Duration) error { return c.sb.Advance(d) }

// CustomerSays makes a customer write. A number the sandbox does not know
// becomes a simulated customer, so, like the demo population, it reads
// what the agent sends (the ticks turn blue) and may answer.
func (c controls) CustomerSays(phone, name, text string) error {
	if _, ok := c.sb.Customer(phone); !ok {
		if _, err := c.sb.AddCustomer(sandbox.Customer{WaID: phone, Name: name, Simulated: true}); err != nil {
			return err
		}
	}
	_, err := c.sb.CustomerSend(phone, sandbox.InboundMessage{Type: "text", Text: text, ProfileName: name})
	return err
}

func (c controls) SetTrafficRate(perSecond float64) { c.sb.SetTrafficRate(perSecond) }

func (c controls) Customers() []desktop.SandboxCustomer {
	list := c.sb.Customers()
	out := make([]desktop.SandboxCustomer, 0, len(list))
	for _, cu := range list {
		out = append(out, desktop.SandboxCustomer{Phone: "+" + cu.WaID, Name: cu.Name, Locale: cu.Locale, OptedOut: cu.OptedOut})
	}
	return out
}
