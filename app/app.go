// Package app is the thin facade that Wails binds to the frontend.
//
// Every exported method of App becomes a JavaScript function under
// window.go.app.App (generated into frontend/wailsjs/go/app/). Bound methods
// only validate their input, call a service and return (T, error); the logic
// lives in backend/. Window-system calls go through Platform so the whole
// facade runs in tests without a window.
package app

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// AppName is the product name shown in the window title and the UI.
const AppName = "Switchboard"

// Options configures New. The zero value is usable in tests: no platform
// (events are dropped), version "dev", the real clock.
type Options struct {
	// Version is the release version, stamped into main at link time.
	Version string
	// BuildType is "production" or "dev", chosen by main's build tags.
	BuildType string
	// Platform builds the window-system bridge once Wails has started; main
	// passes NewWailsPlatform, tests pass a fake.
	Platform PlatformFactory
	// Now is the clock; tests pin it so answers are exact.
	Now func() time.Time
	// Logger receives the facade's own log lines (default: slog.Default()).
	Logger *slog.Logger
	// Console configures the agent console; the zero value runs none.
	Console ConsoleOptions
}

// App is the facade bound to the frontend. Create it with New; main.go
// passes Startup and Shutdown to Wails as lifecycle hooks, which also keeps
// Wails from exposing those two to JavaScript.
type App struct {
	opts    Options
	log     *slog.Logger
	started time.Time

	// events forwards to the Platform once Startup has run; services get it
	// as their Emitter at construction time.
	events platformSlot

	mu       sync.Mutex
	ctx      context.Context // cancelled by Shutdown; background work hangs off it
	cancel   context.CancelFunc
	shutdown bool

	pings atomic.Uint64

	// console is the agent console (backend/desktop), open from Startup to
	// Shutdown when Options.Console has a DataDir.
	console consoleSlot
}

// New builds the facade. It starts nothing: long-lived work begins in
// Startup, when the window exists.
func New(opts Options) *App {
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.BuildType == "" {
		opts.BuildType = "dev"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &App{
		opts:    opts,
		log:     log,
		started: opts.Now(),
		ctx:     ctx,
		cancel:  cancel,
	}
}

// Startup is the Wails OnStartup hook. ctx is the Wails context: it is handed
// only to the PlatformFactory, never to services (their work hangs off the
// facade's own context, cancelled by Shutdown).
func (a *App) Startup(ctx context.Context) {
	if a.opts.Platform != nil {
		a.events.set(a.opts.Platform(ctx))
	}
	a.startConsole()
	a.log.Info("switchboard started", "version", a.opts.Version, "build", a.opts.BuildType)
}

// Shutdown is the Wails OnShutdown hook: it stops background work and
// releases the platform. It is safe to call more than once.
func (a *App) Shutdown(_ context.Context) {
	a.mu.Lock()
	if a.shutdown {
		a.mu.Unlock()
		return
	}
	a.shutdown = true
	a.mu.Unlock()

	a.cancel()
	a.stopConsole()
	if c, ok := a.events.get().(interface{ Close() }); ok {
		c.Close()
	}
	a.events.set(nil)
	a.log.Info("switchboard stopped")
}

// emitter is what services get, at construction, to send events to the
// frontend; it forwards to the Platform from Startup to Shutdown and drops
// events outside that span.
func (a *App) emitter() Emitter { return &a.events }

// lifetime is the context services' background work should hang off: it is
// done once Shutdown has run.
func (a *App) lifetime() context.Context { return a.ctx }
