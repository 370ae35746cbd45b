package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/wire"
)

// Tokens: every caller of the hub's API presents one. A token is 256 bits
// of randomness shown once; only its SHA-256 is stored. Sign-in tokens
// (kind login) belong to a user and follow their role; API tokens act for
// an integration (or on behalf of a user); the bootstrap token is the
// binary's admin key.

// TokenPrefix starts every token secret. It marks Switchboard tokens so secret scanners (and people)
// recognise one in a leaked log or repository.
const TokenPrefix = "sbt_"

// newTokenSecret returns a fresh token: 32 random bytes, URL-safe.
func newTokenSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("hub: crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashToken is what is stored of a secret: a token is 256 bits of
// randomness, so a plain SHA-256 (no salt, no stretching) is enough to make
// a stolen database useless for authenticating.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// displayPrefix is the part of a token shown in lists.
func displayPrefix(secret string) string {
	s := strings.TrimPrefix(secret, TokenPrefix)
	if len(s) > 6 {
		s = s[:6]
	}
	return TokenPrefix + s
}

// Credential is what a valid token stands for: the token, and the live,
// enabled user behind it (nil for integration and bootstrap tokens).
type Credential struct {
	Token domain.TokenInfo
	User  *domain.User
}

// Authenticate resolves a token secret. It refuses (UNAUTHORIZED) an
// unknown, revoked or expired token and one whose user is disabled or
// deleted. A user's role is read from their user row, so a demotion
// applies to tokens already issued, and sign-in tokens carry the scopes of
// the user's current role.
func (s *Service) Authenticate(ctx context.Context, secret string) (Credential, error) {
	t, err := s.st.FindToken(ctx, HashToken(secret))
	if errors.Is(err, store.ErrNotFound) {
		return Credential{}, apierr.New(apierr.Unauthorized, "unknown or revoked token")
	}
	if err != nil {
		return Credential{}, storeErr(err, "token")
	}
	if t.RevokedAt != nil {
		return Credential{}, apierr.New(apierr.Unauthorized, "unknown or revoked token")
	}
	if t.ExpiresAt != nil && !s.now().Before(*t.ExpiresAt) {
		return Credential{}, apierr.New(apierr.Unauthorized, "the token has expired; sign in again")
	}
	c := Credential{Token: t.TokenInfo}
	if t.UserID != nil {
		u, err := s.st.GetUser(ctx, *t.UserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
			return Credential{}, apierr.New(apierr.Unauthorized, "the user of this token is disabled or deleted")
		}
		if err != nil {
			return Credential{}, storeErr(err, "user")
		}
		c.User = &u.User
		c.Token.Role = u.Role
		if t.Kind == domain.TokenLogin {
			// Sign-in tokens follow the role: a promoted agent gets
			// supervisor scopes without signing in again, a demoted one
			// loses them.
			c.Token.Scopes = domain.ScopeStrings(domain.RoleScopes(u.Role))
		}
	}
	return c, nil
}

// TouchToken records that token id was used at at.
func (s *Service) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return s.submit(ctx, func(w *wtx) error { return w.tx.TouchToken(w.ctx, id, at.UTC()) })
}

// issueToken stores a new token inside a write and returns it with its
// secret.
func (s *Service) issueToken(w *wtx, secret, kind, name string, userID *int64, role domain.Role, scopes []domain.Scope, expires *time.Time) (domain.NewToken, error) {
	if secret == "" {
		secret = newTokenSecret()
	}
	t := store.Token{TokenInfo: domain.TokenInfo{Name: name, Kind: kind, Prefix: displayPrefix(secret), UserID: userID,
		Role: role, Scopes: domain.ScopeStrings(scopes), CreatedAt: s.now(), ExpiresAt: expires}, Hash: HashToken(secret)}
	if err := w.tx.InsertToken(w.ctx, &t); err != nil {
		return domain.NewToken{}, err
	}
	return domain.NewToken{TokenInfo: t.TokenInfo, Token: secret}, nil
}

// EnsureAdminToken makes sure a bootstrap admin token exists. With a secret
// (from --admin-token) that exact token is made valid; without one, a
// token is generated only if no bootstrap token exists yet, and returned
// so the binary can print it once. The empty string means an existing one
// was kept.
func (s *Service) EnsureAdminToken(ctx context.Context, secret string) (string, error) {
	var generated string
	err := s.submit(ctx, func(w *wtx) error {
		if secret != "" {
			t, err := w.tx.TokenByHash(w.ctx, HashToken(secret))
			if err == nil {
				t.RevokedAt, t.Role, t.Scopes = nil, domain.RoleAdmin, domain.ScopeStrings(domain.AllScopes)
				return w.tx.UpdateToken(w.ctx, &t)
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			_, err = s.issueToken(w, secret, domain.TokenBootstrap, "admin token (configured)", nil, domain.RoleAdmin, domain.AllScopes, nil)
			return err
		}
		n, err := w.tx.CountActiveTokens(w.ctx, domain.TokenBootstrap)
		if err != nil || n > 0 {
			return err
		}
		t, err := s.issueToken(w, "", domain.TokenBootstrap, "admin token (generated)", nil, domain.RoleAdmin, domain.AllScopes, nil)
		generated = t.Token
		return err
	})
	return generated, err
}

// TokenRequest asks for an API token (the body of POST /v1/tokens): for
// an integration (role supervisor, the default, or admin: it acts for the
// business) or on behalf of a user (UserID; their role applies).
type TokenRequest = wire.TokenRequest

// CreateToken issues an API token. The secret is in the answer only.
func (s *Service) CreateToken(ctx context.Context, in TokenRequest) (domain.NewToken, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		return domain.NewToken{}, apierr.Field(apierr.ValidationFailed, "name", "name must be 1 to 100 characters")
	}
	all := strings.Join(domain.ScopeStrings(domain.AllScopes), " ")
	if len(in.Scopes) == 0 {
		return domain.NewToken{}, apierr.Field(apierr.InvalidRequest, "scopes", "give at least one scope: %s", all)
	}
	scopes := make([]domain.Scope, len(in.Scopes))
	for i, sc := range in.Scopes {
		if scopes[i] = domain.Scope(sc); !scopes[i].Valid() {
			return domain.NewToken{}, apierr.Field(apierr.ValidationFailed, "scopes["+strconv.Itoa(i)+"]", "unknown scope %q; scopes are %s", sc, all)
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		return domain.NewToken{}, apierr.Field(apierr.ValidationFailed, "expires_at", "expires_at must be in the future")
	}
	role := in.Role
	if in.UserID != nil {
		u, err := s.st.GetUser(ctx, *in.UserID)
		if err != nil {
			return domain.NewToken{}, apierr.Field(apierr.ValidationFailed, "user_id", "no user %d", *in.UserID)
		}
		role = u.Role
	} else {
		switch role {
		case "":
			role = domain.RoleSupervisor
		case domain.RoleSupervisor, domain.RoleAdmin:
		default:
			return domain.NewToken{}, apierr.Field(apierr.ValidationFailed, "role", "an integration token's role is supervisor or admin; agents sign in")
		}
	}
	var t domain.NewToken
	err := s.submit(ctx, func(w *wtx) error {
		var err error
		t, err = s.issueToken(w, "", domain.TokenAPI, in.Name, in.UserID, role, scopes, in.ExpiresAt)
		return err
	})
	return t, err
}

// TokenQuery filters ListTokens.
type TokenQuery struct {
	PageRequest
	IncludeRevoked bool
}

// ListTokens lists tokens (never their secrets) in id order.
func (s *Service) ListTokens(ctx context.Context, q TokenQuery) (Page[domain.TokenInfo], error) {
	if err := checkPage(q.PageRequest); err != nil {
		return Page[domain.TokenInfo]{}, err
	}
	p, err := s.st.ListTokens(ctx, store.TokenFilter{PageRequest: q.PageRequest, IncludeRevoked: q.IncludeRevoked})
	return p, storeErr(err, "token")
}

// RevokeToken revokes one token at once; NOT_FOUND when it does not exist
// or is already revoked.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	now := s.now()
	return s.submit(ctx, func(w *wtx) error {
		ok, err := w.tx.RevokeToken(w.ctx, id, now)
		if err == nil && !ok {
			return apierr.New(apierr.NotFound, "no active token %d", id)
		}
		return err
	})
}
