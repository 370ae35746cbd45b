package store

import (
	"context"
	"time"

	"switchboard/backend/domain"
)

// Users, tokens and sign-in failures: who may call the hub.
//
// E-mail addresses compare case-insensitively (ASCII letters): Ana@x.com
// and ana@x.com are one person. A deleted user is kept as a tombstone
// (their notes and messages still name them) and is invisible to every
// lookup below; their e-mail may be reused by a new user.

// User is a stored user: the API shape plus its password hash.
type User struct {
	domain.User
	// PasswordHash is the bcrypt hash; empty for a user who cannot sign
	// in with a password.
	PasswordHash string
}

// Token is a stored token: the API shape plus the hash of its secret (the
// secret itself is never stored).
type Token struct {
	domain.TokenInfo
	// Hash is the hex SHA-256 of the secret; unique.
	Hash string
}

// UserFilter selects live users, in id order.
type UserFilter struct {
	PageRequest
	Role domain.Role
	// Team keeps the users in that team.
	Team string
}

// TokenFilter selects tokens, in id order.
type TokenFilter struct {
	PageRequest
	IncludeRevoked bool
}

// AccessTx is the write side of users, tokens and sign-in failures.
type AccessTx interface {
	// InsertUser stores a new user and sets u.ID. A second live user with
	// the same e-mail fails.
	InsertUser(ctx context.Context, u *User) error
	// UpdateUser writes every field of a live user (e-mail, name, role,
	// teams, disabled, password hash, updated_at).
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser turns a live user into a disabled tombstone.
	DeleteUser(ctx context.Context, id int64, at time.Time) error
	// UserByID and UserByEmail read a live user inside the transaction.
	UserByID(ctx context.Context, id int64) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	// CountEnabledAdmins counts live, enabled admins other than exceptID.
	CountEnabledAdmins(ctx context.Context, exceptID int64) (int, error)

	// InsertToken stores a new token and sets t.ID; the hash is unique.
	InsertToken(ctx context.Context, t *Token) error
	// UpdateToken writes a token's name, role, scopes, expiry and
	// revocation.
	UpdateToken(ctx context.Context, t *Token) error
	// TokenByHash finds a token (revoked or not) by the hash of its secret.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// CountActiveTokens counts the tokens of kind that are not revoked.
	CountActiveTokens(ctx context.Context, kind string) (int, error)
	// RevokeToken revokes one token; false when it does not exist or was
	// already revoked.
	RevokeToken(ctx context.Context, id int64, at time.Time) (bool, error)
	// RevokeUserTokens revokes the user's unrevoked tokens of kind (every
	// kind when kind is empty) and returns how many.
	RevokeUserTokens(ctx context.Context, userID int64, kind string, at time.Time) (int, error)
	// TouchToken records when a token was last used.
	TouchToken(ctx context.Context, id int64, at time.Time) error

	// AddLoginFailure records a failed (or not yet checked) sign-in.
	AddLoginFailure(ctx context.Context, email string, at time.Time) error
	// LoginFailuresSince returns the times of email's failures after since,
	// newest first, at most limit.
	LoginFailuresSince(ctx context.Context, email string, since time.Time, limit int) ([]time.Time, error)
	// ClearLoginFailures forgets every failure of email.
	ClearLoginFailures(ctx context.Context, email string) error
	// PruneLoginFailures deletes the failures older than before and
	// returns how many.
	PruneLoginFailures(ctx context.Context, before time.Time) (int, error)
}

// AccessReader is the read side of users and tokens.
type AccessReader interface {
	// GetUser and FindUserByEmail return a live user.
	GetUser(ctx context.Context, id int64) (User, error)
	FindUserByEmail(ctx context.Context, email string) (User, error)
	ListUsers(ctx context.Context, f UserFilter) (Page[domain.User], error)

	// FindToken finds a token (revoked or not) by the hash of its secret.
	FindToken(ctx context.Context, hash string) (Token, error)
	ListTokens(ctx context.Context, f TokenFilter) (Page[domain.TokenInfo], error)
}
