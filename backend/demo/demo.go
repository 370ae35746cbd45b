// Package demo assembles the demo hub in one process: the messaging core
// (backend/hub), its REST API and stream (backend/hubapi) on a 127.0.0.1
// port, and the WhatsApp sandbox (backend/sandbox) with simulated
// customers writing in at a demo pace, the hub and the sandbox sharing
// one clock. On a first run it has the sandbox write a first inbox, and
// once it is ready it tells its parent where it answers (WriteReady).
//
// It is the hub binary's --demo mode, and lives beside the hub because it
// is made of the hub: switchboard-hub --demo runs it for a new user's
// console, which starts that process and reaches it only through it and
// the hub's HTTP API (backend/desktop/democlient). The console's
// in-process tests run it in their own process
// (backend/desktop/democlient/democlienttest); nothing in the console's
// binary imports it.
//
// The hub keeps its database in the folder it is given, so the demo inbox
// survives restarts; the sandbox is in memory and rebuilds the same
// customers from a fixed seed.
package demo

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/hubapi"
	"switchboard/backend/hubclient"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// Config configures Start.
type Config struct {
	// Dir holds the hub's database, media cache and admin token.
	Dir string
	// Addr is the API's listen address (default 127.0.0.1:0, a free port).
	Addr string
	Log  *slog.Logger
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

// Hub is a running demo hub.
type Hub struct {
	log        *slog.Logger
	st         *sqlitestore.Store
	core       *hub.Service
	srv        *hubapi.Server
	hs         *http.Server
	sb         *sandbox.Sandbox
	clock      *sandbox.RealClock
	url        string
	sandboxURL string
	secret     string
	admin      *hubclient.Client
	served     chan error
}

// Start starts the sandbox, the core and the API on loopback.
func Start(ctx context.Context, cfg Config) (_ *Hub, err error) {
	if cfg.Dir == "" {
		return nil, errors.New("demo: Dir is required")
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
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
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
	// One secret guards both admin surfaces: the hub's admin token and
	// the sandbox's /_sandbox endpoints.
	if h.secret, err = adminSecret(cfg.Dir); err != nil {
		return nil, err
	}

	// The sandbox and the hub share one clock, so moving it (to close the
	// 24-hour window in a test) moves both.
	verify := randomHex(16)
	scfg := sandbox.Config{
		VerifyToken: verify,
		Clock:       h.clock,
		Seed:        cfg.Seed,
		// The population is the same every run; the ids are new, or the
		// hub would take this run's messages for the last run's.
		IDSeed:     binary.LittleEndian.Uint64(randomBytes(8)) | 1,
		Customers:  sandbox.CustomerConfig{Rate: max(cfg.TrafficRate, 0), Autostart: cfg.TrafficRate > 0},
		AdminToken: h.secret,
		Logger:     cfg.Log.With("component", "sandbox"),
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
	h.sandboxURL = graphURL

	if h.st, err = sqlitestore.Open(filepath.Join(cfg.Dir, "hub.db"), sqlitedb.Options{}); err != nil {
		return nil, err
	}
	api := whatsapp.NewClient(graphURL, h.sb.AccessToken())
	if cfg.WrapGraph != nil {
		api.HTTP.Transport = cfg.WrapGraph(http.DefaultTransport)
	}
	phone := h.sb.PhoneNumbers()[0]
	account := domain.Account{ID: phone.ID, WABAID: h.sb.WABAID(), Status: "CONNECTED", QualityRating: "GREEN",
		DisplayPhoneNumber: "+" + phone.DisplayNumber, VerifiedName: phone.VerifiedName, ThroughputMPS: int(phone.Throughput)}
	hcfg := hub.Config{Store: h.st, Accounts: []domain.Account{account}, API: api,
		AppSecret: h.sb.AppSecret(), VerifyToken: verify, Clock: h.clock, Logger: cfg.Log.With("component", "hub"),
		RetryBase: 200 * time.Millisecond, RetryMax: 5 * time.Second}
	if cfg.FastLogin {
		hcfg.BcryptCost = 4
	}
	if h.core, err = hub.New(ctx, hcfg); err != nil {
		return nil, err
	}
	acfg := hubapi.Config{Core: h.core, Media: api, DataDir: cfg.Dir, Logger: cfg.Log.With("component", "api"),
		Now: h.clock.Now, RateLimit: 1000, RateBurst: 5000}
	if h.srv, err = hubapi.New(ctx, acfg); err != nil {
		return nil, err
	}
	if _, err := h.srv.EnsureAdminToken(ctx, h.secret); err != nil {
		return nil, err
	}
	h.srv.Start()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	h.url = "http://" + ln.Addr().String()
	h.hs = &http.Server{Handler: h.srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn)}
	go func() { h.served <- h.hs.Serve(ln) }()
	h.admin = hubclient.New(h.url, h.secret)

	// Meta's dashboard verifies the callback URL before it posts anything;
	// the sandbox does the same handshake.
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = h.sb.SubscribeWebhook(sctx, h.url+"/webhooks/whatsapp")
	cancel()
	if err != nil {
		return nil, fmt.Errorf("demo: sandbox webhook subscription: %w", err)
	}
	// The templates the sandbox account starts with, so the composer can
	// offer them (a real hub syncs them from Meta the same way).
	if _, err := h.admin.SyncTemplates(ctx); err != nil {
		h.log.Warn("demo hub: template sync failed", "err", err)
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
	path := filepath.Join(dir, wire.DemoAdminTokenFile)
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	secret := "sbx_" + randomHex(24)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", err
	}
	return secret, nil
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return b
}

// URL is the hub API's base URL (http://127.0.0.1:<port>).
func (h *Hub) URL() string { return h.url }

// SandboxURL is the sandbox's base URL: its Cloud API and, under
// /_sandbox/, its admin endpoints.
func (h *Hub) SandboxURL() string { return h.sandboxURL }

// AdminToken is the secret of both admin surfaces: the hub's bootstrap
// admin token and the sandbox admin endpoints' bearer token. It is kept in
// Dir/wire.DemoAdminTokenFile (0600), where a parent process reads it.
func (h *Hub) AdminToken() string { return h.secret }

// Admin is a client with the hub's admin token.
func (h *Hub) Admin() *hubclient.Client { return h.admin }

// Raw is the sandbox itself (tests).
func (h *Hub) Raw() *sandbox.Sandbox { return h.sb }

// Endpoints are where the hub and the sandbox answer.
func (h *Hub) Endpoints() wire.DemoEndpoints {
	return wire.DemoEndpoints{HubURL: h.url, SandboxURL: h.sandboxURL}
}

// WriteReady tells the process that started the hub that it is ready
// and where it answers: Endpoints as one JSON line (the ready line).
func (h *Hub) WriteReady(w io.Writer) error {
	line, err := json.Marshal(h.Endpoints())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return err
}

// Served reports the API server's end (an error, or http.ErrServerClosed
// after Close).
func (h *Hub) Served() <-chan error { return h.served }

// Close stops the API (stream clients are disconnected), the HTTP server,
// the core (draining its send queue briefly) and the sandbox.
func (h *Hub) Close() error {
	var errs []error
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
			h.log.Warn("demo hub: send queue not drained", "err", err)
		}
		cancel()
	}
	if h.sb != nil {
		errs = append(errs, h.sb.Close())
	}
	if h.st != nil {
		errs = append(errs, h.st.Close())
	}
	return errors.Join(errs...)
}
