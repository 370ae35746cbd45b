package hubapi

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/wire"
)

// dummyHash is compared against when the e-mail is unknown, so a wrong
// e-mail takes as long as a wrong password and does not reveal which
// accounts exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("switchboard-no-such-user"), bcrypt.DefaultCost)

type loginInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Name labels the token in lists ("Ana's laptop").
	Name string `json:"name"`
}

// handleLogin is POST /v1/login. After LoginMaxFailures wrong attempts
// within LoginWindow the account is locked until a window has passed
// since the last of them; a locked account is refused before its password
// is even checked, and those refusals do not extend the lock.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var in loginInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Email = strings.TrimSpace(in.Email)
	if in.Email == "" || in.Password == "" {
		return apierr.New(apierr.InvalidRequest, "email and password are required")
	}
	if len(in.Email) > 254 || len(in.Password) > 1024 {
		return apierr.New(apierr.Unauthorized, "wrong e-mail or password")
	}
	ctx := r.Context()
	now := s.now()

	// Reserve this attempt as a failure before checking the password, so
	// concurrent guesses cannot all slip in under the limit; a success
	// removes the reservation.
	var attempt int64
	s.loginMu.Lock()
	locked, retry, err := s.loginLocked(ctx, in.Email, now)
	if err == nil && !locked {
		var res sql.Result
		res, err = s.db.Write.ExecContext(ctx, `INSERT INTO login_failures (email, at) VALUES (?, ?)`, in.Email, formatTime(now))
		if err == nil {
			attempt, _ = res.LastInsertId()
		}
	}
	s.loginMu.Unlock()
	if err != nil {
		return err
	}
	if locked {
		s.metrics.loginLocked.Inc()
		return &apierr.Error{Code: apierr.LoginLocked, RetryAfter: retry,
			Message: "too many failed sign-ins for this account; try again in " + itoa(retry) + " s"}
	}

	var (
		id       int64
		hash     string
		disabled int64
	)
	err = s.db.Read.QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM users WHERE email = ? AND deleted_at IS NULL`, in.Email).
		Scan(&id, &hash, &disabled)
	if errors.Is(err, sql.ErrNoRows) || hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(in.Password))
		s.metrics.loginFailures.Inc()
		return apierr.New(apierr.Unauthorized, "wrong e-mail or password")
	}
	if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(in.Password)) != nil {
		s.metrics.loginFailures.Inc()
		s.log.Info("sign-in failed", "user_id", id)
		return apierr.New(apierr.Unauthorized, "wrong e-mail or password")
	}
	if disabled == 1 {
		return apierr.New(apierr.Unauthorized, "this user is disabled")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = "sign-in"
	}
	if len(name) > 100 {
		name = name[:100]
	}
	var out wire.LoginResult
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		// The password was right: forget this email's failures.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE email = ? OR rowid = ?`, in.Email, attempt); err != nil {
			return err
		}
		u, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		exp := now.Add(s.cfg.LoginTokenTTL)
		t, err := s.issueToken(ctx, tx, "login", name, &id, u.Role, roleScopes(u.Role), &exp)
		if err != nil {
			return err
		}
		out = wire.LoginResult{Token: t.Token, TokenID: t.ID, ExpiresAt: exp, User: u, Scopes: t.Scopes}
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("signed in", "user_id", id, "token_id", out.TokenID)
	return s.writeData(w, http.StatusOK, out)
}

// loginLocked reports whether email has reached the failure limit within
// the window, and for how many more seconds the lock holds.
func (s *Server) loginLocked(ctx context.Context, email string, now time.Time) (bool, int, error) {
	rows, err := s.db.Write.QueryContext(ctx,
		`SELECT at FROM login_failures WHERE email = ? AND at > ? ORDER BY at DESC LIMIT ?`,
		email, formatTime(now.Add(-s.cfg.LoginWindow)), s.cfg.LoginMaxFailures)
	if err != nil {
		return false, 0, err
	}
	defer rows.Close()
	var times []time.Time
	for rows.Next() {
		var at string
		if err := rows.Scan(&at); err != nil {
			return false, 0, err
		}
		times = append(times, parseTime(at))
	}
	if err := rows.Err(); err != nil {
		return false, 0, err
	}
	if len(times) < s.cfg.LoginMaxFailures {
		return false, 0, nil
	}
	until := times[0].Add(s.cfg.LoginWindow)
	return true, max(1, int(math.Ceil(until.Sub(now).Seconds()))), nil
}

// pruneLoginFailures drops failures older than any window, so the table
// stays the size of recent attacks.
func (s *Server) pruneLoginFailures(ctx context.Context) {
	_, _ = s.db.Write.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`, formatTime(s.now().Add(-s.cfg.LoginWindow)))
}

// handleLogout is POST /v1/logout: revokes the token that made the call.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := s.revokeToken(r.Context(), p.TokenID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) revokeToken(ctx context.Context, id int64) error {
	res, err := s.db.Write.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, formatTime(s.now()), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apierr.New(apierr.NotFound, "no active token %d", id)
	}
	s.tokens.clear()
	s.broker.dropToken(id)
	return nil
}

type tokenInput struct {
	Name      string      `json:"name"`
	Scopes    []Scope     `json:"scopes"`
	UserID    *int64      `json:"user_id"`
	Role      domain.Role `json:"role"`
	ExpiresAt *time.Time  `json:"expires_at"`
}

// handleCreateToken is POST /v1/tokens: an API token for an integration
// (role supervisor or admin: it acts for the business) or on behalf of a
// user (their role applies). The secret is in this answer only.
func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		return apierr.Field(apierr.ValidationFailed, "name", "name must be 1 to 100 characters")
	}
	if len(in.Scopes) == 0 {
		return apierr.Field(apierr.InvalidRequest, "scopes", "give at least one scope: %s", scopesString(AllScopes))
	}
	for i, sc := range in.Scopes {
		if !validScope(sc) {
			return apierr.Field(apierr.ValidationFailed, "scopes["+itoa(i)+"]", "unknown scope %q; scopes are %s", sc, scopesString(AllScopes))
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		return apierr.Field(apierr.ValidationFailed, "expires_at", "expires_at must be in the future")
	}
	ctx := r.Context()
	role := in.Role
	if in.UserID != nil {
		u, err := s.getUser(ctx, s.db.Read, *in.UserID)
		if err != nil {
			return apierr.Field(apierr.ValidationFailed, "user_id", "no user %d", *in.UserID)
		}
		role = u.Role
	} else {
		switch role {
		case "":
			role = domain.RoleSupervisor
		case domain.RoleSupervisor, domain.RoleAdmin:
		default:
			return apierr.Field(apierr.ValidationFailed, "role", "an integration token's role is supervisor or admin; agents sign in")
		}
	}
	var t wire.NewToken
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = s.issueToken(ctx, tx, "api", in.Name, in.UserID, role, in.Scopes, in.ExpiresAt)
		return err
	})
	if err != nil {
		return err
	}
	s.log.Info("token created", "token_id", t.ID, "by_token", principalFrom(r).TokenID)
	return s.writeData(w, http.StatusCreated, t)
}

// handleListTokens is GET /v1/tokens (never the secrets).
func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	after, err := decodeIDCursor(page.Cursor)
	if err != nil {
		return err
	}
	q := `SELECT id, name, kind, prefix, user_id, role, scopes, created_at, expires_at, last_used_at, revoked_at
		FROM tokens WHERE id > ?`
	if r.URL.Query().Get("include_revoked") != "true" {
		q += ` AND revoked_at IS NULL`
	}
	rows, err := s.db.Read.QueryContext(r.Context(), q+` ORDER BY id LIMIT ?`, after, page.Limit+1)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := []wire.TokenInfo{}
	for rows.Next() {
		var (
			t                         wire.TokenInfo
			uid                       sql.NullInt64
			scopes, created           string
			expires, used, revokedStr sql.NullString
		)
		if err := rows.Scan(&t.ID, &t.Name, &t.Kind, &t.Prefix, &uid, &t.Role, &scopes, &created, &expires, &used, &revokedStr); err != nil {
			return err
		}
		if uid.Valid {
			t.UserID = &uid.Int64
		}
		t.Scopes = strings.Fields(scopes)
		t.CreatedAt = parseTime(created)
		t.ExpiresAt, t.LastUsedAt, t.RevokedAt = parseNullTime(expires), parseNullTime(used), parseNullTime(revokedStr)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var p wire.Pagination
	if len(out) > page.Limit {
		out = out[:page.Limit]
		p = Pagination{HasMore: true, NextCursor: encodeIDCursor(out[len(out)-1].ID)}
	}
	return s.writeList(w, out, p)
}

// handleRevokeToken is DELETE /v1/tokens/{id}: one token, at once (open
// streams authenticated by it are closed too).
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.revokeToken(r.Context(), id); err != nil {
		return err
	}
	s.log.Info("token revoked", "token_id", id, "by_token", principalFrom(r).TokenID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
