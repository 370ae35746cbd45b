package domain

import (
	"slices"
	"time"
)

// Scope is a permission a token carries. The hub API checks the scope each
// route needs; the hub issues tokens with them.
type Scope string

// The scopes. admin implies every other scope.
const (
	ScopeRead           Scope = "whatsapp:read"
	ScopeWrite          Scope = "whatsapp:write"
	ScopeTemplatesWrite Scope = "templates:write"
	ScopeAdmin          Scope = "admin"
)

// AllScopes lists every scope, for the bootstrap token and validation.
var AllScopes = []Scope{ScopeRead, ScopeWrite, ScopeTemplatesWrite, ScopeAdmin}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(AllScopes, s) }

// RoleScopes are the scopes a sign-in token gets for a user's role.
func RoleScopes(r Role) []Scope {
	switch r {
	case RoleAdmin:
		return AllScopes
	case RoleSupervisor:
		return []Scope{ScopeRead, ScopeWrite, ScopeTemplatesWrite}
	default:
		return []Scope{ScopeRead, ScopeWrite}
	}
}

// ScopeStrings converts scopes to the plain strings bodies carry.
func ScopeStrings(sc []Scope) []string {
	out := make([]string, len(sc))
	for i, s := range sc {
		out[i] = string(s)
	}
	return out
}

// Token kinds: a user's sign-in, an integration's API token, and the
// bootstrap admin token the binary creates.
const (
	TokenLogin     = "login"
	TokenAPI       = "api"
	TokenBootstrap = "bootstrap"
)

// TokenInfo describes a token without its secret.
type TokenInfo struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	Prefix     string     `json:"prefix"`
	UserID     *int64     `json:"user_id"`
	Role       Role       `json:"role"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// NewToken is a token as answered once at creation: the only time the
// secret is ever shown.
type NewToken struct {
	TokenInfo
	Token string `json:"token"`
}
