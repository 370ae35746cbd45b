package desktop

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/domain"
)

// DemoHub is the console's own demo hub (with the WhatsApp sandbox and its
// simulated customers behind it) on loopback: the first-run experience.
// backend/desktop/democlient runs it as a child process
// (switchboard-hub --demo) and implements this.
type DemoHub interface {
	// URL is the hub's base URL (http://127.0.0.1:<port>).
	URL() string
	// AgentSession signs in the demo agent (created on first use).
	AgentSession(ctx context.Context) (token string, user domain.User, err error)
	// Now is the hub's clock: the sandbox clock, which tests advance.
	Now() time.Time
	// Sandbox is the simulated WhatsApp side.
	Sandbox() SandboxControls
	Close() error
}

// StartDemoHub starts a demo hub keeping its files in dir.
type StartDemoHub func(ctx context.Context, dir string, log *slog.Logger) (DemoHub, error)

// SandboxControls drive the simulated customers and clock.
type SandboxControls interface {
	// Advance moves the sandbox's (and so the hub's) clock forward.
	Advance(d time.Duration) error
	// CustomerSays makes the customer with this phone send a text (a new
	// customer when the number is unknown). A number or text the sandbox
	// refuses is an *apierr.Error with code VALIDATION_FAILED.
	CustomerSays(phone, name, text string) error
	// SetTrafficRate sets the unprompted customer messages per second.
	SetTrafficRate(perSecond float64) error
	// SetHubOnline cuts (false) or restores (true) the console's
	// connection to the demo hub, as a network outage would.
	SetHubOnline(online bool)
	// Customers lists the simulated customers.
	Customers() ([]SandboxCustomer, error)
}

// SandboxCustomer is a simulated customer.
type SandboxCustomer struct {
	Phone    string `json:"phone"`
	Name     string `json:"name"`
	Locale   string `json:"locale"`
	OptedOut bool   `json:"opted_out"`
}

// demoHubDir, in DataDir, is the demo hub's data folder.
const demoHubDir = "demo"

// legacyDemo is what consoles called the demo hub before it had its name:
// its folder in DataDir, the stored session's mode and the first part of
// the cache's identity.
const legacyDemo = "embedded"

// adoptLegacyDemo renames, once, what an older console left under the
// demo hub's old name, so an existing user keeps the demo inbox: the demo
// hub's folder (its database and media) moves from DataDir/embedded to
// DataDir/demo, and the stored session and the cache's identity say
// ModeDemo, so the console resumes them instead of starting afresh. When
// DataDir/demo already exists it is the one in use and the old folder is
// left alone. Open runs it before anything reads the session or starts
// the demo hub.
func (c *Console) adoptLegacyDemo(ctx context.Context) error {
	old, dir := filepath.Join(c.opts.DataDir, legacyDemo), filepath.Join(c.opts.DataDir, demoHubDir)
	if fi, err := os.Stat(old); err == nil && fi.IsDir() {
		switch _, err := os.Lstat(dir); {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Rename(old, dir); err != nil {
				return fmt.Errorf("moving the demo hub's folder to %s: %w", dir, err)
			}
			c.log.Info("demo hub folder renamed", "from", old, "to", dir)
		case err == nil:
			c.log.Warn("the demo hub's old folder is left as it is: its new one is in use", "old", old, "new", dir)
		default:
			return err
		}
	}
	s, ok, err := c.cache.Session(ctx)
	if err != nil {
		return err
	}
	if ok && s.Mode == legacyDemo {
		s.Mode = ModeDemo
		if err := c.cache.SaveSession(ctx, s); err != nil {
			return err
		}
	}
	id, _, err := c.cache.Setting(ctx, settingIdentity)
	if err != nil {
		return err
	}
	if rest, found := strings.CutPrefix(id, legacyDemo+"|"); found {
		return c.cache.SetSetting(ctx, settingIdentity, ModeDemo+"|"+rest)
	}
	return nil
}

// startDemoHub starts the demo hub (unless running) and signs in to it,
// trying the stored token first. The caller holds switchMu.
func (c *Console) startDemoHub(ctx context.Context, storedToken string) error {
	c.mu.Lock()
	emb := c.demoHub
	c.mu.Unlock()
	if emb == nil {
		var err error
		emb, err = c.opts.StartDemoHub(ctx, filepath.Join(c.opts.DataDir, demoHubDir), c.log.With("component", "demo-hub"))
		if err != nil {
			// The reason is the user's to act on (a missing switchboard-hub,
			// a port in use), and holds no secret.
			return apierr.Wrap(err, apierr.Unavailable, "the demo hub could not start: %v", err)
		}
		c.mu.Lock()
		c.demoHub = emb
		c.mu.Unlock()
		c.log.Info("demo hub started", "url", emb.URL())
	}
	var user domain.User
	token := storedToken
	if token != "" {
		u, err := c.opts.Connect(emb.URL(), token).Me(ctx)
		if err != nil {
			token = ""
		}
		user = u
	}
	if token == "" {
		var err error
		if token, user, err = emb.AgentSession(ctx); err != nil {
			return apierr.Wrap(err, apierr.Unavailable, "signing in to the demo hub failed")
		}
	}
	_, err := c.switchTo(ctx, cache.Session{Mode: ModeDemo, HubURL: emb.URL(), Token: token, User: user})
	return err
}

// stopDemoHub stops the demo hub if it runs. The caller holds switchMu.
func (c *Console) stopDemoHub() {
	c.mu.Lock()
	emb := c.demoHub
	c.demoHub = nil
	c.mu.Unlock()
	if emb != nil {
		if err := emb.Close(); err != nil {
			c.log.Warn("stopping the demo hub", "err", err)
		}
	}
}

func (c *Console) sandbox() (SandboxControls, error) {
	c.mu.Lock()
	emb := c.demoHub
	c.mu.Unlock()
	if !c.opts.DevControls {
		return nil, apierr.New(apierr.Forbidden, "sandbox controls are disabled in this build")
	}
	if emb == nil {
		return nil, apierr.New(apierr.Unavailable, "the console is not running the demo hub's sandbox")
	}
	return emb.Sandbox(), nil
}

// SandboxAdvance moves the demo hub's sandbox clock forward by seconds
// (dev controls only): statuses, customer replies and the 24-hour window
// follow.
func (c *Console) SandboxAdvance(ctx context.Context, seconds int64) (Clock, error) {
	sb, err := c.sandbox()
	if err != nil {
		return Clock{}, err
	}
	if seconds <= 0 || seconds > 366*24*3600 {
		return Clock{}, apierr.Field(apierr.ValidationFailed, "seconds", "seconds must be between 1 and a year")
	}
	if err := sb.Advance(time.Duration(seconds) * time.Second); err != nil {
		return Clock{}, apierr.Wrap(err, apierr.Unavailable, "the sandbox clock cannot be moved")
	}
	clk := Clock{OffsetMS: c.clockOffset().Milliseconds(), Now: c.now().UTC().Format(time.RFC3339Nano)}
	c.opts.Emit.Emit(EventClock, clk)
	return clk, nil
}

// SandboxCustomerSays makes a simulated customer send a text (dev
// controls only). An unknown phone becomes a new customer called name.
func (c *Console) SandboxCustomerSays(ctx context.Context, phone, name, text string) error {
	sb, err := c.sandbox()
	if err != nil {
		return err
	}
	if err := sb.CustomerSays(phone, name, text); err != nil {
		var e *apierr.Error
		if errors.As(err, &e) {
			return e
		}
		return apierr.Wrap(err, apierr.Unavailable, "the sandbox did not take the message")
	}
	return nil
}

// SandboxSetTraffic sets how many unprompted customer messages per second
// the sandbox generates (dev controls only; 0 stops them).
func (c *Console) SandboxSetTraffic(ctx context.Context, perSecond float64) error {
	sb, err := c.sandbox()
	if err != nil {
		return err
	}
	if perSecond < 0 || perSecond > 1000 {
		return apierr.Field(apierr.ValidationFailed, "per_second", "between 0 and 1000")
	}
	if err := sb.SetTrafficRate(perSecond); err != nil {
		return apierr.Wrap(err, apierr.Unavailable, "the sandbox did not take the new rate")
	}
	return nil
}

// SandboxCustomers lists the simulated customers (dev controls only).
func (c *Console) SandboxCustomers(ctx context.Context) ([]SandboxCustomer, error) {
	sb, err := c.sandbox()
	if err != nil {
		return nil, err
	}
	list, err := sb.Customers()
	if err != nil {
		return nil, apierr.Wrap(err, apierr.Unavailable, "the sandbox's customers cannot be listed")
	}
	return list, nil
}

// SandboxSetHubOnline takes the demo hub away from the console (false)
// or gives it back (true), as a network outage would (dev controls only):
// offline sends wait in the outbox and go out on reconnect.
func (c *Console) SandboxSetHubOnline(ctx context.Context, online bool) (Status, error) {
	sb, err := c.sandbox()
	if err != nil {
		return Status{}, err
	}
	sb.SetHubOnline(online)
	if online {
		if s, err := c.current(); err == nil {
			s.engine.Kick()
			s.outbox.Wake()
		}
	}
	return c.status(ctx), nil
}
