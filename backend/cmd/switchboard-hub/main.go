// Command switchboard-hub is the Switchboard hub: the messaging core behind
// one or more WhatsApp Business numbers, its REST API and realtime stream
// for the desktop console and external systems, and the WhatsApp webhook
// ingress.
//
//	switchboard-hub --sandbox                      # try it: simulated customers, no Meta account
//	switchboard-hub --data /var/lib/switchboard    # a real number, configured by WHATSAPP_* variables
//	switchboard-hub --demo --data DIR              # the desktop console's demo hub (it starts this itself)
//
// Flags (each also read from the environment variable in brackets):
//
//	--addr         [SWITCHBOARD_ADDR]         listen address (default 127.0.0.1:8080)
//	--data         [SWITCHBOARD_DATA]         folder for the database and the media cache (default ./switchboard-data)
//	--admin-token  [SWITCHBOARD_ADMIN_TOKEN]  a bootstrap token with every scope; when unset, one is
//	                                          generated on the first start and printed once
//	--sandbox      [SWITCHBOARD_SANDBOX]      run the WhatsApp sandbox in-process with simulated customers
//	--sandbox-rate [SWITCHBOARD_SANDBOX_RATE] unprompted customer messages per second in sandbox mode
//	--demo                                    the console's demo hub: the sandbox sharing the hub's clock,
//	                                          a fixed customer population, a first inbox; prints
//	                                          {"hub_url":…,"sandbox_url":…} on stdout when ready, and
//	                                          keeps its admin token (hub and sandbox) in DATA/admin-token
//	--watch-stdin                             stop when standard input closes (the console's pipe)
//	--log-format   [SWITCHBOARD_LOG_FORMAT]   text or json
//	--log-level    [SWITCHBOARD_LOG_LEVEL]    debug, info, warn or error
//
// A real number needs WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET,
// WHATSAPP_VERIFY_TOKEN, WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_WABA_ID;
// WHATSAPP_GRAPH_URL (default https://graph.facebook.com) and
// WHATSAPP_API_VERSION are optional. WHATSAPP_PHONE_NUMBER_ID may list
// several numbers of the business account, separated by commas: those are
// the numbers the hub serves. Webhooks for any other number subscribed to
// the app are kept for admins, and nothing is sent from it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"switchboard/backend/demo"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/hub/sqlitestore"
	"switchboard/backend/hubapi"
	"switchboard/backend/sandbox"
	"switchboard/backend/sqlitedb"
	"switchboard/backend/whatsapp"
)

// version is stamped by the Makefile: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "switchboard-hub:", err)
		os.Exit(1)
	}
}

// config is the binary's settings after flags and environment.
type config struct {
	addr, data, adminToken string
	sandbox                bool
	sandboxRate            float64
	sandboxRateSet         bool
	demo, watchStdin       bool
	logFormat, logLevel    string
	graphURL, apiVersion   string
	accessToken, appSecret string
	verifyToken            string
	phoneNumberIDs         []string
	wabaID                 string
}

// envOr is the environment variable's value, or def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("switchboard-hub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", envOr("SWITCHBOARD_ADDR", "127.0.0.1:8080"), "listen address [SWITCHBOARD_ADDR]")
	fs.StringVar(&c.data, "data", envOr("SWITCHBOARD_DATA", "switchboard-data"), "folder for the database and media cache [SWITCHBOARD_DATA]")
	// No default from the environment here: usage output would print it.
	fs.StringVar(&c.adminToken, "admin-token", "", "bootstrap admin token; generated and printed once when unset [SWITCHBOARD_ADMIN_TOKEN]")
	sb, _ := strconv.ParseBool(envOr("SWITCHBOARD_SANDBOX", "false"))
	fs.BoolVar(&c.sandbox, "sandbox", sb, "run the WhatsApp sandbox in-process with simulated customers [SWITCHBOARD_SANDBOX]")
	rate, _ := strconv.ParseFloat(envOr("SWITCHBOARD_SANDBOX_RATE", "0.2"), 64)
	fs.Float64Var(&c.sandboxRate, "sandbox-rate", rate, "unprompted simulated customer messages per second [SWITCHBOARD_SANDBOX_RATE]")
	fs.BoolVar(&c.demo, "demo", false, "run as the desktop console's demo hub (implies --sandbox)")
	fs.BoolVar(&c.watchStdin, "watch-stdin", false, "stop when standard input closes")
	fs.StringVar(&c.logFormat, "log-format", envOr("SWITCHBOARD_LOG_FORMAT", "text"), "log format: text or json [SWITCHBOARD_LOG_FORMAT]")
	fs.StringVar(&c.logLevel, "log-level", envOr("SWITCHBOARD_LOG_LEVEL", "info"), "log level: debug, info, warn, error [SWITCHBOARD_LOG_LEVEL]")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	_, c.sandboxRateSet = os.LookupEnv("SWITCHBOARD_SANDBOX_RATE")
	fs.Visit(func(f *flag.Flag) { c.sandboxRateSet = c.sandboxRateSet || f.Name == "sandbox-rate" })
	if c.demo {
		c.sandbox = true
	}
	if c.adminToken == "" {
		c.adminToken = os.Getenv("SWITCHBOARD_ADMIN_TOKEN")
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	c.graphURL = envOr("WHATSAPP_GRAPH_URL", whatsapp.DefaultBaseURL)
	c.apiVersion = envOr("WHATSAPP_API_VERSION", whatsapp.DefaultVersion)
	c.accessToken = os.Getenv("WHATSAPP_ACCESS_TOKEN")
	c.appSecret = os.Getenv("WHATSAPP_APP_SECRET")
	c.verifyToken = os.Getenv("WHATSAPP_VERIFY_TOKEN")
	for _, id := range strings.Split(os.Getenv("WHATSAPP_PHONE_NUMBER_ID"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.phoneNumberIDs = append(c.phoneNumberIDs, id)
		}
	}
	c.wabaID = os.Getenv("WHATSAPP_WABA_ID")
	if !c.sandbox {
		var missing []string
		for _, v := range []struct{ name, val string }{
			{"WHATSAPP_ACCESS_TOKEN", c.accessToken}, {"WHATSAPP_APP_SECRET", c.appSecret},
			{"WHATSAPP_VERIFY_TOKEN", c.verifyToken}, {"WHATSAPP_PHONE_NUMBER_ID", strings.Join(c.phoneNumberIDs, ",")},
			{"WHATSAPP_WABA_ID", c.wabaID},
		} {
			if v.val == "" {
				missing = append(missing, v.name)
			}
		}
		if len(missing) > 0 {
			return c, fmt.Errorf("a real WhatsApp number needs %s (or run with --sandbox to try the hub with simulated customers)", strings.Join(missing, ", "))
		}
		// Meta's ids are numbers: a placeholder copied from its examples
		// would otherwise become the number the hub serves.
		for _, id := range c.phoneNumberIDs {
			if !whatsapp.ValidGraphID(id) {
				return c, fmt.Errorf("WHATSAPP_PHONE_NUMBER_ID: %q is not a phone number id (a number of up to %d digits, from WhatsApp → API Setup)", id, whatsapp.MaxGraphIDDigits)
			}
		}
		if !whatsapp.ValidGraphID(c.wabaID) {
			return c, fmt.Errorf("WHATSAPP_WABA_ID: %q is not a WhatsApp Business Account id (a number of up to %d digits)", c.wabaID, whatsapp.MaxGraphIDDigits)
		}
	}
	return c, nil
}

func newLogger(c config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// stdio is the binary's standard streams (tests give it buffers).
type stdio struct {
	in          io.Reader
	out, stderr io.Writer
}

// run starts everything, serves until ctx ends, then shuts down in order:
// stop taking requests, close the streams, drain the send queue (up to
// 30 s; what is left is sent after the next start), stop the sandbox.
// ready, if not nil, receives the bound address once listening.
func run(ctx context.Context, args []string, std stdio, ready chan<- string) error {
	stderr := std.stderr
	c, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(c, stderr)
	if err != nil {
		return err
	}
	if c.watchStdin {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			// EOF or an error: whoever held the other end is gone.
			_, _ = io.Copy(io.Discard, std.in)
			log.Info("standard input closed; stopping")
			cancel()
		}()
	}
	if c.demo {
		return runDemo(ctx, c, log, std.out, ready)
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	// Closed last (deferred first): after the hub, which writes to it
	// until it has drained.
	st, err := sqlitestore.Open(filepath.Join(c.data, "hub.db"), sqlitedb.Options{})
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	addr := ln.Addr().String()

	var sb *sandbox.Sandbox
	if c.sandbox {
		c.verifyToken = randomHex(16)
		sd := sandbox.DefaultStatusDelays
		sb, err = sandbox.New(sandbox.Config{
			VerifyToken:  c.verifyToken,
			StatusDelays: &sd,
			Seed:         uint64(time.Now().UnixNano()),
			Customers:    sandbox.CustomerConfig{Rate: c.sandboxRate, Autostart: c.sandboxRate > 0},
			Logger:       log.With("component", "sandbox"),
		})
		if err != nil {
			return err
		}
		defer sb.Close()
		base, err := sb.Start("127.0.0.1:0")
		if err != nil {
			return err
		}
		c.graphURL, c.accessToken, c.appSecret, c.wabaID = base, sb.AccessToken(), sb.AppSecret(), sb.WABAID()
		c.phoneNumberIDs = []string{sb.PhoneNumbers()[0].ID}
		log.Info("sandbox started", "graph_url", base, "phone_number_id", c.phoneNumberIDs[0], "customers", len(sb.Customers()))
	}

	api := whatsapp.NewClient(c.graphURL, c.accessToken)
	api.Version = c.apiVersion
	api.UserAgent = "switchboard-hub/" + version
	var accounts []domain.Account
	for _, id := range c.phoneNumberIDs {
		account := domain.Account{ID: id, WABAID: c.wabaID, Status: "CONNECTED", QualityRating: "UNKNOWN"}
		if sb != nil {
			p := sb.PhoneNumbers()[0]
			account.DisplayPhoneNumber, account.VerifiedName, account.ThroughputMPS = "+"+p.DisplayNumber, p.VerifiedName, int(p.Throughput)
		} else {
			// Best effort: the number's profile; the hub runs without it.
			ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
			info, err := api.GetPhoneNumber(ictx, id)
			cancel()
			if err != nil {
				log.Warn("reading the phone number's profile from the Cloud API failed", "phone_number_id", id, "err", err)
			} else {
				account.DisplayPhoneNumber, account.VerifiedName, account.QualityRating = info.DisplayPhoneNumber, info.VerifiedName, info.QualityRating
			}
		}
		accounts = append(accounts, account)
	}

	core, err := hub.New(ctx, hub.Config{
		Store: st, Accounts: accounts, API: api,
		AppSecret: c.appSecret, VerifyToken: c.verifyToken, Logger: log.With("component", "hub"),
	})
	if err != nil {
		return err
	}
	coreClosed := false
	closeCore := func() {
		if coreClosed {
			return
		}
		coreClosed = true
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := core.Close(dctx); err != nil {
			log.Warn("send queue not fully drained", "err", err)
		}
	}
	defer closeCore()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv, err := hubapi.New(ctx, hubapi.Config{
		Core: core, Media: api, DataDir: c.data,
		Logger: log.With("component", "api"), Registry: reg,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	generated, err := srv.EnsureAdminToken(ctx, c.adminToken)
	if err != nil {
		return err
	}
	if generated != "" {
		// Printed, not logged: log pipelines keep what they see.
		fmt.Fprintf(stderr, "\n  Admin token (shown once, store it now):\n\n    %s\n\n  Use it as Authorization: Bearer <token> to create users and tokens.\n\n", generated)
	}
	srv.Start()

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// Bounds a request until its handler starts. Each route then sets
		// its own body deadline (hubapi: Config.WebhookBodyTimeout for
		// Meta's webhooks, Config.BodyMinRate for everything else, uploads
		// included); websockets clear it once upgraded.
		ReadTimeout: 2 * time.Minute,
		IdleTimeout: 120 * time.Second,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("switchboard-hub listening", "addr", addr, "version", version, "sandbox", c.sandbox, "data", c.data)

	if sb != nil {
		// Like Meta's dashboard: the sandbox verifies the callback URL
		// with the GET handshake before it posts anything.
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := sb.SubscribeWebhook(sctx, "http://"+addr+"/webhooks/whatsapp")
		cancel()
		if err != nil {
			return fmt.Errorf("sandbox webhook subscription: %w", err)
		}
	}
	// Templates are needed before the first template send; Meta's status
	// webhooks keep them current afterwards. They are the business
	// account's, shared by all its numbers.
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	if n, err := core.SyncTemplates(tctx, c.wabaID); err != nil {
		log.Warn("template sync failed; retry with POST /v1/templates/sync", "err", err)
	} else {
		log.Info("templates synced", "count", n)
	}
	cancel()
	if ready != nil {
		ready <- addr
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	srv.Close() // streams first: clients resume against the next instance
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	closeCore()
	log.Info("switchboard-hub stopped")
	return nil
}

// runDemo runs the desktop console's demo hub (backend/demo) until ctx
// ends, and tells the console where it answers with the ready line on out
// (backend/desktop/democlient reads it).
func runDemo(ctx context.Context, c config, log *slog.Logger, out io.Writer, ready chan<- string) error {
	rate := 0.1 // one unprompted customer message every ten seconds
	if c.sandboxRateSet {
		rate = c.sandboxRate
		if rate == 0 {
			rate = -1 // demo.Config: none
		}
	}
	h, err := demo.Start(ctx, demo.Config{Dir: c.data, Addr: c.addr, Log: log, TrafficRate: rate})
	if err != nil {
		return err
	}
	defer func() {
		if err := h.Close(); err != nil {
			log.Warn("demo hub shutdown", "err", err)
		}
	}()
	if err := h.WriteReady(out); err != nil {
		return err
	}
	log.Info("demo hub ready", "hub_url", h.URL(), "sandbox_url", h.SandboxURL(), "data", c.data, "version", version)
	if ready != nil {
		ready <- strings.TrimPrefix(h.URL(), "http://")
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down")
		return nil
	case err := <-h.Served():
		return err
	}
}
