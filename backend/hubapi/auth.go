package hubapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
)

// Scope is a permission a token carries (the table lives in package
// domain, where the hub issues tokens with it). Every route names the one
// it needs in the route table.
type Scope = domain.Scope

// The scopes. admin implies every other scope.
const (
	ScopeRead           = domain.ScopeRead
	ScopeWrite          = domain.ScopeWrite
	ScopeTemplatesWrite = domain.ScopeTemplatesWrite
	ScopeAdmin          = domain.ScopeAdmin
)

// scopePublic marks the few routes that need no token (login, the
// WhatsApp webhook ingress which has its own signature, health, docs).
const scopePublic Scope = "public"

// Principal is who is calling: the token, the user behind it if any, the
// role that decides what they may see, and the scopes that decide what
// they may do.
type Principal struct {
	TokenID int64
	Kind    string // login, api, bootstrap
	// UserID is the signed-in user; nil for integration tokens that act
	// for the business rather than for a person.
	UserID *int64
	Role   domain.Role
	Scopes []Scope
	Name   string
}

// Has reports whether the principal carries scope s (admin implies all).
func (p *Principal) Has(s Scope) bool {
	return slices.Contains(p.Scopes, s) || slices.Contains(p.Scopes, ScopeAdmin)
}

// SeesAll reports whether the principal sees every conversation of the
// numbers the hub is configured for. Only agents are limited (to their own
// and unassigned ones).
func (p *Principal) SeesAll() bool { return p.Role != domain.RoleAgent }

// SeesUnconfigured reports whether the principal sees the conversations
// and messages of numbers the hub is not configured for (known only from
// webhooks): admins only.
func (p *Principal) SeesUnconfigured() bool { return p.Has(ScopeAdmin) }

// CanSee reports whether a conversation with this assignee, on a number
// the hub is configured for or not, is visible.
func (p *Principal) CanSee(assignee *int64, unconfigured bool) bool {
	if unconfigured && !p.SeesUnconfigured() {
		return false
	}
	if p.SeesAll() || assignee == nil {
		return true
	}
	return p.UserID != nil && *assignee == *p.UserID
}

// AuthorID is the user recorded as the author of what this principal
// sends or writes (nil for integration tokens).
func (p *Principal) AuthorID() *int64 { return p.UserID }

type principalKey struct{}

// principalFrom returns the authenticated caller. Routes that are not
// public always have one: the route wrapper refuses the request otherwise.
func principalFrom(r *http.Request) *Principal {
	p, _ := r.Context().Value(principalKey{}).(*Principal)
	return p
}

func withPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// credentials extracts the token from Authorization: Bearer, X-API-Key, or
// (only where the route allows it) the access_token query parameter, which
// browsers need for websockets and <img> tags because they cannot set
// headers there.
func credentials(r *http.Request, allowQuery bool) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if k := r.Header.Get("X-API-Key"); k != "" {
		return strings.TrimSpace(k)
	}
	if allowQuery {
		return r.URL.Query().Get("access_token")
	}
	return ""
}

// tokenCache keeps recently seen tokens so authentication does not hit the
// database on every request. Any change to tokens or users clears it, so a
// revocation or demotion takes effect on the next request.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]cachedToken
	ttl     time.Duration
}

type cachedToken struct {
	p       *Principal
	until   time.Time
	expires *time.Time
}

func (c *tokenCache) get(hash string, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || now.After(e.until) || (e.expires != nil && !now.Before(*e.expires)) {
		return nil, false
	}
	return e.p, true
}

func (c *tokenCache) put(hash string, p *Principal, now time.Time, expires *time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10000 {
		clear(c.entries)
	}
	c.entries[hash] = cachedToken{p: p, until: now.Add(c.ttl), expires: expires}
}

func (c *tokenCache) clear() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// authenticate resolves a token secret to a principal, through the cache
// (keyed by the secret's hash, so no secret is kept) or the hub.
func (s *Server) authenticate(ctx context.Context, secret string) (*Principal, error) {
	if secret == "" {
		return nil, apierr.New(apierr.Unauthorized, "send a token as Authorization: Bearer <token> or X-API-Key")
	}
	now := s.now()
	hash := hub.HashToken(secret)
	if p, ok := s.tokens.get(hash, now); ok {
		return p, nil
	}
	c, err := s.core.Authenticate(ctx, secret)
	if err != nil {
		return nil, err
	}
	t := c.Token
	p := &Principal{TokenID: t.ID, Kind: t.Kind, UserID: t.UserID, Role: t.Role, Name: t.Name}
	if c.User != nil && t.Kind == domain.TokenLogin {
		p.Name = c.User.Name
	}
	for _, sc := range t.Scopes {
		p.Scopes = append(p.Scopes, Scope(sc))
	}
	s.tokens.put(hash, p, now, t.ExpiresAt)
	s.touchToken(p.TokenID, now)
	return p, nil
}

// touchToken records last use at most once a minute per token, off the
// request path, so authentication stays a read.
func (s *Server) touchToken(id int64, now time.Time) {
	s.touchMu.Lock()
	last, ok := s.touched[id]
	if ok && now.Sub(last) < time.Minute {
		s.touchMu.Unlock()
		return
	}
	s.touched[id] = now
	s.touchMu.Unlock()
	s.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.core.TouchToken(ctx, id, now)
	})
}

// EnsureAdminToken makes sure a bootstrap admin token exists (see
// hub.Service.EnsureAdminToken) and forgets cached tokens, so a restored
// one works at once.
func (s *Server) EnsureAdminToken(ctx context.Context, secret string) (string, error) {
	generated, err := s.core.EnsureAdminToken(ctx, secret)
	s.tokens.clear()
	return generated, err
}
