// Package democlient is the console's side of its demo hub (package
// backend/demo: the hub with the WhatsApp sandbox and simulated customers
// behind it), which a new user's console runs when no hub is configured,
// so the first screen is a live inbox.
//
// Spawn runs the demo hub as a child process, `switchboard-hub --demo`:
// the very binary a business runs, not a copy of it inside the console.
// The console stays as light as when it is connected to a real hub, and
// the two processes can fail apart. Attach drives a demo hub that is
// already running, wherever it runs (tests start one in their own process
// with democlienttest): it signs in the demo agent, moves the sandbox
// clock and makes customers write through the sandbox's /_sandbox admin
// endpoints, and puts a gate between the console and the hub that can
// take the hub offline. The console reaches the demo hub only through
// the process and HTTP: nothing here imports the hub.
package democlient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop"
	"switchboard/backend/desktop/internal/netfault"
	"switchboard/backend/domain"
	"switchboard/backend/hubclient"
	"switchboard/backend/wire"
)

// The demo agent's identity.
const (
	AgentEmail = "agent@sandbox.switchboard.local"
	AgentName  = "Demo Agent"
)

// Hub is a running demo hub as the console sees it. It implements
// desktop.DemoHub and, for its Sandbox method, desktop.SandboxControls.
type Hub struct {
	ep    wire.DemoEndpoints
	token string
	gate  *netfault.Proxy
	admin *hubclient.Client
	http  *http.Client
	stop  func() error

	mu sync.Mutex
	// offset is the sandbox clock minus the machine's; it moves only
	// when Advance moves the clock, so Now needs no round trip.
	offset time.Duration
}

var (
	_ desktop.DemoHub         = (*Hub)(nil)
	_ desktop.SandboxControls = (*Hub)(nil)
)

// Attach drives the demo hub at ep, whose admin token (hub and sandbox) is
// adminToken. stop, if not nil, is called by Close after the gate is shut:
// it stops the hub.
func Attach(ctx context.Context, ep wire.DemoEndpoints, adminToken string, stop func() error) (*Hub, error) {
	u, err := url.Parse(ep.HubURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("democlient: bad hub URL %q", ep.HubURL)
	}
	h := &Hub{ep: ep, token: adminToken, admin: hubclient.New(ep.HubURL, adminToken),
		http: &http.Client{Timeout: 30 * time.Second}, stop: stop}
	var clock struct {
		Now time.Time `json:"now"`
	}
	if err := h.sandbox(ctx, http.MethodGet, "clock", nil, &clock); err != nil {
		return nil, fmt.Errorf("democlient: reading the sandbox clock: %w", err)
	}
	h.setClock(clock.Now)
	// The console reaches the hub through a gate it can close
	// (SetHubOnline), so a demo or a test can take the hub away from the
	// console while customers keep writing to it.
	if h.gate, err = netfault.Start(u.Host); err != nil {
		return nil, err
	}
	return h, nil
}

// URL implements desktop.DemoHub: the hub, through the gate.
func (h *Hub) URL() string { return h.gate.URL() }

// Endpoints are the hub's own addresses (not through the gate).
func (h *Hub) Endpoints() wire.DemoEndpoints { return h.ep }

// Admin is a client with the hub's admin token, not through the gate.
func (h *Hub) Admin() *hubclient.Client { return h.admin }

// AgentSession implements desktop.DemoHub: it (re)creates the demo
// agent with a fresh random password and signs in.
func (h *Hub) AgentSession(ctx context.Context) (string, domain.User, error) {
	return SignInAgent(ctx, h.admin)
}

// SignInAgent (re)creates the demo agent on the hub admin administers,
// with a fresh random password, and signs in as it.
func SignInAgent(ctx context.Context, admin *hubclient.Client) (string, domain.User, error) {
	email, name, role, password := AgentEmail, AgentName, domain.RoleAgent, randomHex(16)
	if _, err := admin.PutUser(ctx, wire.UserInput{Email: &email, Name: &name, Role: &role, Password: &password}); err != nil {
		return "", domain.User{}, err
	}
	r, err := hubclient.New(admin.BaseURL, "").Login(ctx, email, password, "Switchboard desktop (demo)")
	if err != nil {
		return "", domain.User{}, err
	}
	return r.Token, r.User, nil
}

// Now implements desktop.DemoHub: the sandbox clock, which the hub
// shares.
func (h *Hub) Now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return time.Now().Add(h.offset)
}

func (h *Hub) setClock(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.offset = time.Until(now)
}

// Sandbox implements desktop.DemoHub.
func (h *Hub) Sandbox() desktop.SandboxControls { return h }

// Close shuts the gate (the console's connections drop) and stops the hub.
func (h *Hub) Close() error {
	err := h.gate.Close()
	if h.stop != nil {
		if serr := h.stop(); serr != nil {
			err = serr
		}
	}
	return err
}

// SetHubOnline implements desktop.SandboxControls: closed, the console's
// connections drop and new ones are refused, as if the network went away;
// the hub itself keeps taking customer messages.
func (h *Hub) SetHubOnline(online bool) { h.gate.SetDown(!online) }

// Advance implements desktop.SandboxControls.
func (h *Hub) Advance(d time.Duration) error {
	var clock struct {
		Now time.Time `json:"now"`
	}
	if err := h.sandbox(context.Background(), http.MethodPost, "clock/advance", map[string]string{"duration": d.String()}, &clock); err != nil {
		return err
	}
	h.setClock(clock.Now)
	return nil
}

// CustomerSays implements desktop.SandboxControls. A number the sandbox
// does not know becomes a simulated customer, so, like the demo
// population, it reads what the agent sends (the ticks turn blue) and may
// answer.
func (h *Hub) CustomerSays(phone, name, text string) error {
	ctx := context.Background()
	waID := strings.TrimPrefix(strings.TrimSpace(phone), "+")
	err := h.sandbox(ctx, http.MethodGet, "customers/"+url.PathEscape(waID), nil, nil)
	if s := (*sandboxError)(nil); errors.As(err, &s) && s.status == http.StatusNotFound {
		err = h.sandbox(ctx, http.MethodPost, "customers", map[string]any{"wa_id": waID, "name": name, "simulated": true}, nil)
	}
	if err != nil {
		return err
	}
	return h.sandbox(ctx, http.MethodPost, "customers/"+url.PathEscape(waID)+"/messages",
		map[string]string{"type": "text", "text": text, "profile_name": name}, nil)
}

// SetTrafficRate implements desktop.SandboxControls.
func (h *Hub) SetTrafficRate(perSecond float64) error {
	return h.sandbox(context.Background(), http.MethodPost, "traffic", map[string]float64{"rate": perSecond}, nil)
}

// Customers implements desktop.SandboxControls.
func (h *Hub) Customers() ([]desktop.SandboxCustomer, error) {
	var list struct {
		Data []struct {
			WaID     string `json:"wa_id"`
			Name     string `json:"name"`
			Locale   string `json:"locale"`
			OptedOut bool   `json:"opted_out"`
		} `json:"data"`
	}
	if err := h.sandbox(context.Background(), http.MethodGet, "customers", nil, &list); err != nil {
		return nil, err
	}
	out := make([]desktop.SandboxCustomer, 0, len(list.Data))
	for _, c := range list.Data {
		out = append(out, desktop.SandboxCustomer{Phone: "+" + c.WaID, Name: c.Name, Locale: c.Locale, OptedOut: c.OptedOut})
	}
	return out, nil
}

// sandboxError is a refusal from the sandbox admin API: {"error": "…"}.
type sandboxError struct {
	status  int
	message string
}

func (e *sandboxError) Error() string {
	return fmt.Sprintf("sandbox: %s (HTTP %d)", e.message, e.status)
}

// sandbox calls the sandbox admin endpoint route with body (JSON, if not
// nil) and decodes the answer into out (if not nil). A refused request
// (400) is an *apierr.Error with code VALIDATION_FAILED wrapping a
// *sandboxError, so the console can show the sandbox's reason.
func (h *Hub) sandbox(ctx context.Context, method, route string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(h.ep.SandboxURL, "/")+"/_sandbox/"+route, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		if e.Error == "" {
			e.Error = http.StatusText(resp.StatusCode)
		}
		serr := &sandboxError{status: resp.StatusCode, message: e.Error}
		if resp.StatusCode == http.StatusBadRequest {
			return apierr.Wrap(serr, apierr.ValidationFailed, "%s", e.Error)
		}
		return serr
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
