package hubapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hubapi/wire"
)

// Scope is a permission a token carries. Every route names the one it
// needs in the route table.
type Scope string

// The scopes. admin implies every other scope.
const (
	ScopeRead           Scope = "whatsapp:read"
	ScopeWrite          Scope = "whatsapp:write"
	ScopeTemplatesWrite Scope = "templates:write"
	ScopeAdmin          Scope = "admin"
)

// scopePublic marks the few routes that need no token (login, the
// WhatsApp webhook ingress which has its own signature, health, docs).
const scopePublic Scope = "public"

// AllScopes lists every scope, for the bootstrap token and validation.
var AllScopes = []Scope{ScopeRead, ScopeWrite, ScopeTemplatesWrite, ScopeAdmin}

func validScope(s Scope) bool { return slices.Contains(AllScopes, s) }

// roleScopes are the scopes a login token gets for the user's role.
func roleScopes(r domain.Role) []Scope {
	switch r {
	case domain.RoleAdmin:
		return AllScopes
	case domain.RoleSupervisor:
		return []Scope{ScopeRead, ScopeWrite, ScopeTemplatesWrite}
	default:
		return []Scope{ScopeRead, ScopeWrite}
	}
}

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

// tokenPrefix marks Switchboard tokens so secret scanners (and people)
// recognise one in a leaked log or repository.
const tokenPrefix = "sbt_"

// newTokenSecret returns a fresh token: 32 random bytes, URL-safe.
func newTokenSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("hubapi: crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken is what is stored: a token is 256 bits of randomness, so a
// plain SHA-256 (no salt, no stretching) is enough to make a stolen
// database useless for authenticating.
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// displayPrefix is the part of a token shown in lists.
func displayPrefix(secret string) string {
	s := strings.TrimPrefix(secret, tokenPrefix)
	if len(s) > 6 {
		s = s[:6]
	}
	return tokenPrefix + s
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

// authenticate resolves a token secret to a principal.
func (s *Server) authenticate(ctx context.Context, secret string) (*Principal, error) {
	if secret == "" {
		return nil, apierr.New(apierr.Unauthorized, "send a token as Authorization: Bearer <token> or X-API-Key")
	}
	now := s.now()
	hash := hashToken(secret)
	if p, ok := s.tokens.get(hash, now); ok {
		return p, nil
	}
	var (
		p                     Principal
		scopes                string
		userID                sql.NullInt64
		expires, revoked      sql.NullString
		userRole              sql.NullString
		userDisabled, deleted sql.NullInt64
		userName              sql.NullString
	)
	err := s.db.Read.QueryRowContext(ctx, `
		SELECT t.id, t.kind, t.user_id, t.role, t.scopes, t.name, t.expires_at, t.revoked_at,
		       u.role, u.name, u.disabled, u.deleted_at IS NOT NULL
		FROM tokens t LEFT JOIN users u ON u.id = t.user_id
		WHERE t.hash = ?`, hash).Scan(&p.TokenID, &p.Kind, &userID, &p.Role, &scopes, &p.Name, &expires, &revoked,
		&userRole, &userName, &userDisabled, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.New(apierr.Unauthorized, "unknown or revoked token")
	}
	if err != nil {
		return nil, err
	}
	if revoked.Valid {
		return nil, apierr.New(apierr.Unauthorized, "unknown or revoked token")
	}
	var exp *time.Time
	if expires.Valid {
		t := parseTime(expires.String)
		exp = &t
		if !now.Before(t) {
			return nil, apierr.New(apierr.Unauthorized, "the token has expired; sign in again")
		}
	}
	if userID.Valid {
		if !userRole.Valid || deleted.Int64 == 1 || userDisabled.Int64 == 1 {
			return nil, apierr.New(apierr.Unauthorized, "the user of this token is disabled or deleted")
		}
		id := userID.Int64
		p.UserID = &id
		// A person's role is read from their user row on every (uncached)
		// request, so a demotion applies to tokens already issued.
		p.Role = domain.Role(userRole.String)
		if p.Kind == "login" {
			p.Name = userName.String
		}
	}
	for _, sc := range strings.Fields(scopes) {
		p.Scopes = append(p.Scopes, Scope(sc))
	}
	if p.Kind == "login" && p.UserID != nil {
		// Login tokens follow the role: a promoted agent gets supervisor
		// scopes without signing in again, a demoted one loses them.
		p.Scopes = roleScopes(p.Role)
	}
	s.tokens.put(hash, &p, now, exp)
	s.touchToken(p.TokenID, now)
	return &p, nil
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
		_, _ = s.db.Write.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, formatTime(now), id)
	})
}

// issueToken stores a new token and returns it with its secret.
func (s *Server) issueToken(ctx context.Context, tx *sql.Tx, kind, name string, userID *int64, role domain.Role, scopes []Scope, expires *time.Time) (wire.NewToken, error) {
	secret := newTokenSecret()
	return s.storeToken(ctx, tx, secret, kind, name, userID, role, scopes, expires)
}

func (s *Server) storeToken(ctx context.Context, tx *sql.Tx, secret, kind, name string, userID *int64, role domain.Role, scopes []Scope, expires *time.Time) (wire.NewToken, error) {
	now := s.now()
	strs := make([]string, len(scopes))
	for i, sc := range scopes {
		strs[i] = string(sc)
	}
	var exp any
	if expires != nil {
		exp = formatTime(*expires)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, prefix, name, kind, user_id, role, scopes, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		hashToken(secret), displayPrefix(secret), name, kind, nullInt(userID), string(role), strings.Join(strs, " "), formatTime(now), exp)
	if err != nil {
		return wire.NewToken{}, err
	}
	id, _ := res.LastInsertId()
	return wire.NewToken{
		TokenInfo: wire.TokenInfo{ID: id, Name: name, Kind: kind, Prefix: displayPrefix(secret), UserID: userID, Role: role,
			Scopes: scopeStrings(scopes), CreatedAt: now, ExpiresAt: expires},
		Token: secret,
	}, nil
}

// EnsureAdminToken makes sure a bootstrap admin token exists. With a
// secret (from --admin-token) that exact token is made valid; without
// one, a token is generated only if no bootstrap token exists yet, and
// returned so the binary can print it once. The empty string means an
// existing one was kept.
func (s *Server) EnsureAdminToken(ctx context.Context, secret string) (string, error) {
	var generated string
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if secret != "" {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM tokens WHERE hash = ?`, hashToken(secret)).Scan(&id)
			if err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = NULL, role = 'admin', scopes = ? WHERE id = ?`, scopesString(AllScopes), id)
				return err
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			_, err = s.storeToken(ctx, tx, secret, "bootstrap", "admin token (configured)", nil, domain.RoleAdmin, AllScopes, nil)
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tokens WHERE kind = 'bootstrap' AND revoked_at IS NULL`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		t, err := s.issueToken(ctx, tx, "bootstrap", "admin token (generated)", nil, domain.RoleAdmin, AllScopes, nil)
		generated = t.Token
		return err
	})
	s.tokens.clear()
	return generated, err
}

func scopesString(sc []Scope) string { return strings.Join(scopeStrings(sc), " ") }

// scopeStrings converts scopes to the plain strings the wire bodies carry.
func scopeStrings(sc []Scope) []string {
	strs := make([]string, len(sc))
	for i, s := range sc {
		strs[i] = string(s)
	}
	return strs
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// timeLayout is how times are stored: fixed-width RFC 3339 in UTC so text
// order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func parseNullTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}
