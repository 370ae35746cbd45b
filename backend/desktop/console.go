// Package desktop is the desktop console's service layer: everything the
// window needs, over the local cache, the sync engine and the outbox. The
// Wails facade in app/ binds thin methods that call a Console; nothing here
// knows about Wails. Events reach the frontend through an Emitter and the
// window title and notifications through a Window, both interfaces.
//
// Reads are served from the cache, so the inbox and every cached
// conversation work offline. Every write (sends, notes, assignments, status
// changes, read marks, reactions) goes through the outbox, so it works
// offline too, shows at once and reaches the hub exactly once.
//
// The console signs in to a hub at a URL (ModeRemote) or to its own demo
// hub (ModeDemo, demo.go): switchboard-hub --demo run as a child process
// by democlient, with its files in DataDir/demo, reached only over HTTP
// like any hub. DataDir holds cache.db (the cache, the stored session)
// and that folder.
package desktop

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/outbox"
	"switchboard/backend/desktop/remote"
	"switchboard/backend/desktop/syncer"
	"switchboard/backend/domain"
)

// Emitter sends a named event with a JSON-able payload to the frontend.
type Emitter interface {
	Emit(event string, data any)
}

// Window is what the console asks of the desktop window besides events.
type Window interface {
	SetTitle(title string)
	// Notify shows a desktop notification; an error means it was not
	// shown, which is never fatal.
	Notify(title, body string) error
}

// Events the console emits besides the sync engine's and the outbox's.
const (
	// EventSession carries a Status when the console signs in or out or
	// switches hubs.
	EventSession = "session.updated"
	// EventClock carries a Clock when the hub's clock moves relative to the
	// machine's (the demo hub's sandbox clock was advanced).
	EventClock = "clock.changed"
)

// Session modes, as stored in the cache and shown to the window.
const (
	// ModeDemo: signed in to the console's own demo hub. (Consoles before
	// it had its name stored "embedded": Open renames it.)
	ModeDemo = "demo"
	// ModeRemote: signed in to a hub at a URL.
	ModeRemote = "remote"
)

// Options configure a Console.
type Options struct {
	// DataDir holds cache.db (and the demo hub's files).
	DataDir string
	Emit    Emitter
	// Window is optional: without it there is no title or notification.
	Window Window
	Log    *slog.Logger
	// AppName starts the window title (default "Switchboard").
	AppName string
	// Connect builds the hub client for a URL and token (default: the real
	// client, remote.NewHubClient).
	Connect func(hubURL, token string) Hub
	// StartDemoHub starts the demo hub (democlient.Spawn: switchboard-hub
	// --demo in a child process); nil disables the demo mode.
	StartDemoHub StartDemoHub
	// DevControls exposes the sandbox's controls (advance the clock, make a
	// customer write) for end-to-end tests and demos.
	DevControls bool
	// Sync tunes the sync engine (zero values: its defaults).
	Sync syncer.Config
	// Outbox tunes the outbox worker (zero values: its defaults).
	Outbox outbox.Config
}

// Hub is a hub client that can also sign in.
type Hub interface {
	remote.Hub
	remote.Authenticator
}

// mediaURLer is a hub that can give the webview a URL for media.
type mediaURLer interface {
	MediaURL(mediaID string) string
}

// Status is the console's overall state, for the shell and the settings.
type Status struct {
	SignedIn bool `json:"signed_in"`
	// Mode is ModeDemo ("demo"), ModeRemote ("remote") or "" (signed
	// out).
	Mode   string       `json:"mode"`
	HubURL string       `json:"hub_url"`
	User   *domain.User `json:"user" ts_type:"domain.User | null"`
	// Sync is the sync engine's state (online, offline, syncing,
	// signed_out, stopped).
	Sync syncer.Status `json:"sync"`
	// Pending counts unsent outbox items.
	Pending int `json:"pending"`
	// DemoAvailable says the demo hub can be started (UseDemoHub).
	DemoAvailable bool `json:"demo_available"`
	// DevControls says the sandbox controls are enabled.
	DevControls bool `json:"dev_controls"`
	// ClockOffsetMS is the hub's clock minus this machine's: add it to
	// Date.now() for waiting timers and window countdowns.
	ClockOffsetMS int64 `json:"clock_offset_ms"`
}

// Clock is the payload of EventClock.
type Clock struct {
	OffsetMS int64  `json:"offset_ms"`
	Now      string `json:"now"`
}

// Console is the service the facade binds.
type Console struct {
	opts  Options
	log   *slog.Logger
	cache *cache.Cache

	// lifetime is cancelled by Close; sessions hang off it.
	lifetime context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu       sync.Mutex
	sess     *session
	demoHub  DemoHub
	switchMu sync.Mutex // serialises sign-in, sign-out and mode switches

	// focused is the window's focus as the frontend last reported it;
	// windowed is set once it reported at all, which hands the title and
	// notifications to the console (a frontend that never reports keeps
	// doing them itself, and nobody does them twice).
	focused   atomic.Bool
	windowed  atomic.Bool
	titleMu   sync.Mutex
	title     string // what the title should be
	sentTitle string // what the window was last given
	notified  map[int64]time.Time
}

// session is one signed-in connection to a hub.
type session struct {
	mode, url string
	token     string
	user      domain.User
	hub       Hub
	engine    *syncer.Engine
	outbox    *outbox.Worker
	cancel    context.CancelFunc
	done      chan struct{}
}

// Open opens the console's cache. Nothing connects until Start.
func Open(ctx context.Context, opts Options) (*Console, error) {
	if opts.DataDir == "" {
		return nil, errors.New("desktop: DataDir is required")
	}
	if opts.Emit == nil {
		opts.Emit = discard{}
	}
	if opts.AppName == "" {
		opts.AppName = "Switchboard"
	}
	if opts.Connect == nil {
		opts.Connect = func(u, token string) Hub { return remote.NewHubClient(u, token) }
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	c, err := cache.Open(ctx, filepath.Join(opts.DataDir, "cache.db"))
	if err != nil {
		return nil, err
	}
	lifetime, cancel := context.WithCancel(context.Background())
	con := &Console{opts: opts, log: log, cache: c, lifetime: lifetime, cancel: cancel, notified: map[int64]time.Time{}}
	con.focused.Store(true)
	if err := con.adoptLegacyDemo(ctx); err != nil {
		cancel()
		c.Close()
		return nil, err
	}
	return con, nil
}

type discard struct{}

func (discard) Emit(string, any) {}

// Cache is the console's cache (for benchmarks and tests).
func (c *Console) Cache() *cache.Cache { return c.cache }

// Start resumes the stored session, or, with none and the demo mode
// available, starts the demo hub and signs in to it. It returns once the
// session is connecting; the sync runs in the background.
func (c *Console) Start(ctx context.Context) error {
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	s, ok, err := c.cache.Session(ctx)
	if err != nil {
		return err
	}
	switch {
	case ok && s.Mode == ModeRemote:
		c.connect(s)
	case (ok && s.Mode == ModeDemo) || (!ok && c.opts.StartDemoHub != nil):
		if c.opts.StartDemoHub == nil {
			c.emitStatus()
			return nil
		}
		if err := c.startDemoHub(ctx, s.Token); err != nil {
			c.emitStatus()
			return err
		}
	default:
		c.emitStatus()
	}
	return nil
}

// Close stops the sync, the outbox and the demo hub, and closes the
// cache. Unsent messages stay in the outbox for the next start.
func (c *Console) Close() error {
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	c.stopSession()
	c.stopDemoHub()
	c.cancel()
	c.wg.Wait()
	return c.cache.Close()
}

// Status is the console's overall state.
func (c *Console) Status(ctx context.Context) (Status, error) {
	return c.status(ctx), nil
}

func (c *Console) status(ctx context.Context) Status {
	c.mu.Lock()
	s, emb := c.sess, c.demoHub
	c.mu.Unlock()
	st := Status{DemoAvailable: c.opts.StartDemoHub != nil, DevControls: c.opts.DevControls && emb != nil,
		ClockOffsetMS: c.clockOffset().Milliseconds(), Sync: syncer.Status{State: syncer.StateStopped}}
	if s != nil {
		u := s.user
		st.SignedIn, st.Mode, st.HubURL, st.User, st.Sync = true, s.mode, s.url, &u, s.engine.Status()
		if st.Sync.State == syncer.StateSignedOut {
			st.SignedIn = false
		}
	} else if saved, ok, _ := c.cache.Session(ctx); ok {
		st.Mode, st.HubURL = saved.Mode, saved.HubURL
	}
	if items, err := c.cache.Outbox(ctx, 0); err == nil {
		st.Pending = len(items)
	}
	return st
}

func (c *Console) emitStatus() {
	c.opts.Emit.Emit(EventSession, c.status(c.lifetime))
}

// SignIn signs in to the hub at hubURL with an agent's e-mail and
// password and starts syncing. A different hub or user than the cache
// holds empties the cache first.
func (c *Console) SignIn(ctx context.Context, hubURL, email, password string) (Status, error) {
	u, err := normaliseHubURL(hubURL)
	if err != nil {
		return Status{}, err
	}
	if strings.TrimSpace(email) == "" || password == "" {
		return Status{}, apierr.Field(apierr.ValidationFailed, "email", "e-mail and password are required")
	}
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	sess, err := c.opts.Connect(u, "").Login(ctx, strings.TrimSpace(email), password)
	if err != nil {
		return Status{}, err
	}
	return c.switchTo(ctx, cache.Session{Mode: ModeRemote, HubURL: u, Token: sess.Token, User: sess.User})
}

// SignInWithToken signs in to the hub at hubURL with an API token.
func (c *Console) SignInWithToken(ctx context.Context, hubURL, token string) (Status, error) {
	u, err := normaliseHubURL(hubURL)
	if err != nil {
		return Status{}, err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return Status{}, apierr.Field(apierr.ValidationFailed, "token", "a token is required")
	}
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	user, err := c.opts.Connect(u, token).Me(ctx)
	if err != nil {
		return Status{}, err
	}
	return c.switchTo(ctx, cache.Session{Mode: ModeRemote, HubURL: u, Token: token, User: user})
}

// UseDemoHub switches to the demo hub, starting it if needed.
func (c *Console) UseDemoHub(ctx context.Context) (Status, error) {
	if c.opts.StartDemoHub == nil {
		return Status{}, apierr.New(apierr.Unavailable, "this build has no demo hub")
	}
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	c.mu.Lock()
	already := c.sess != nil && c.sess.mode == ModeDemo
	c.mu.Unlock()
	if !already {
		if err := c.startDemoHub(ctx, ""); err != nil {
			return Status{}, err
		}
	}
	return c.status(ctx), nil
}

// SignOut stops syncing, forgets the token and empties the cache (the
// next user of this machine must not read the last one's customers).
// Unsent outbox items are dropped with it.
func (c *Console) SignOut(ctx context.Context) (Status, error) {
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	c.stopSession()
	c.stopDemoHub()
	if err := c.cache.ClearSession(ctx); err != nil {
		return Status{}, err
	}
	if err := c.cache.Reset(ctx); err != nil {
		return Status{}, err
	}
	c.removeLocalFiles()
	_ = c.cache.SetSetting(ctx, settingIdentity, "")
	c.setTitle(0)
	c.emitStatus()
	return c.status(ctx), nil
}

const settingIdentity = "identity"

// switchTo makes s the session, emptying the cache when it belongs to a
// different hub or user. The caller holds switchMu.
func (c *Console) switchTo(ctx context.Context, s cache.Session) (Status, error) {
	c.stopSession()
	if s.Mode == ModeRemote {
		c.stopDemoHub()
	}
	// The demo hub's address changes every run; it is one identity.
	identity := s.Mode + "|" + strconv.FormatInt(s.User.ID, 10)
	if s.Mode == ModeRemote {
		identity += "|" + s.HubURL
	}
	prev, _, err := c.cache.Setting(ctx, settingIdentity)
	if err != nil {
		return Status{}, err
	}
	if prev != identity {
		if err := c.cache.Reset(ctx); err != nil {
			return Status{}, err
		}
		c.removeLocalFiles()
		if err := c.cache.SetSetting(ctx, settingIdentity, identity); err != nil {
			return Status{}, err
		}
	}
	if err := c.cache.SaveSession(ctx, s); err != nil {
		return Status{}, err
	}
	c.connect(s)
	return c.status(ctx), nil
}

// connect starts the sync and the outbox for s. The caller holds switchMu.
func (c *Console) connect(s cache.Session) {
	hub := c.opts.Connect(s.HubURL, s.Token)
	ctx, cancel := context.WithCancel(c.lifetime)
	sess := &session{mode: s.Mode, url: s.HubURL, token: s.Token, user: s.User, hub: hub, cancel: cancel, done: make(chan struct{})}

	ocfg := c.opts.Outbox
	ocfg.Cache, ocfg.Hub, ocfg.Emit, ocfg.Log = c.cache, hub, c.opts.Emit, c.log.With("component", "outbox")
	ocfg.FileDir, ocfg.KeepMedia = c.outboxDir(), c.keepMedia
	sess.outbox = outbox.New(ocfg)

	scfg := c.opts.Sync
	scfg.Cache, scfg.Hub, scfg.Emit, scfg.Log = c.cache, hub, c.opts.Emit, c.log.With("component", "sync")
	scfg.OnApplied = func(events []domain.Event, live bool) { c.onApplied(sess, events, live) }
	scfg.OnState = func(st syncer.Status) {
		if st.State == syncer.StateOnline {
			sess.outbox.Wake()
		}
	}
	sess.engine = syncer.New(scfg)

	c.mu.Lock()
	c.sess = sess
	c.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); sess.outbox.Run(ctx) }()
	go func() {
		defer wg.Done()
		if err := sess.engine.Run(ctx); err != nil {
			c.log.Warn("the hub refused the session; sign in again", "err", err)
			c.emitStatus()
			if sess.mode == ModeDemo && ctx.Err() == nil {
				// The demo hub is ours: sign in to it again by ourselves.
				c.wg.Add(1)
				go func() { defer c.wg.Done(); c.reloginDemoHub(sess) }()
			}
		}
	}()
	c.wg.Add(1)
	go func() { defer c.wg.Done(); wg.Wait(); close(sess.done) }()
	c.log.Info("connecting", "mode", s.Mode, "hub", s.HubURL, "user", s.User.Email)
	c.emitStatus()
	c.refreshTitle(sess)
}

// reloginDemoHub replaces a demo session whose token the demo hub
// refused with a fresh sign-in, unless the session changed meanwhile.
func (c *Console) reloginDemoHub(old *session) {
	c.switchMu.Lock()
	defer c.switchMu.Unlock()
	c.mu.Lock()
	current := c.sess
	c.mu.Unlock()
	if current != old || c.lifetime.Err() != nil {
		return
	}
	if err := c.startDemoHub(c.lifetime, ""); err != nil {
		c.log.Warn("signing in to the demo hub again failed", "err", err)
	}
}

// stopSession stops the current session's sync and outbox and waits for
// them. The caller holds switchMu.
func (c *Console) stopSession() {
	c.mu.Lock()
	s := c.sess
	c.sess = nil
	c.mu.Unlock()
	if s != nil {
		s.cancel()
		<-s.done
	}
}

// current is the session, or NOT_SIGNED_IN.
func (c *Console) current() (*session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return nil, apierr.New(apierr.NotSignedIn, "the console is not signed in to a hub")
	}
	return c.sess, nil
}

// me is the signed-in user's id (0 when signed out or for a token that is
// not a user's).
func (c *Console) me() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return 0
	}
	return c.sess.user.ID
}

// Reconnect cuts the sync's and the outbox's backoff short.
func (c *Console) Reconnect(ctx context.Context) (Status, error) {
	s, err := c.current()
	if err != nil {
		return Status{}, err
	}
	s.engine.Kick()
	s.outbox.Wake()
	return c.status(ctx), nil
}

func normaliseHubURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw != "" && !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", apierr.Field(apierr.ValidationFailed, "hub_url", "the hub address must be an http or https URL")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// clockOffset is the hub's clock minus the machine's.
func (c *Console) clockOffset() time.Duration {
	c.mu.Lock()
	emb := c.demoHub
	c.mu.Unlock()
	if emb == nil {
		return 0
	}
	return time.Until(emb.Now()).Round(time.Millisecond)
}

// now is the hub's time, which the 24-hour window is measured by.
func (c *Console) now() time.Time { return time.Now().Add(c.clockOffset()) }
