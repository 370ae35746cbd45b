package hubapi

import (
	"errors"
	"net/http"
	"strconv"

	"switchboard/backend/apierr"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// handleLogin is POST /v1/login. The hub checks the password and the
// lockout (hub/sessions.go); this counts the outcomes in the metrics.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var in wire.LoginRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sess, err := s.core.Login(r.Context(), in)
	switch {
	case errors.Is(err, hub.ErrBadCredentials):
		s.metrics.loginFailures.Inc()
		return err
	case apierr.CodeOf(err) == apierr.LoginLocked:
		s.metrics.loginLocked.Inc()
		return err
	case err != nil:
		return err
	}
	t := sess.Token
	out := wire.LoginResult{Token: t.Token, TokenID: t.ID, User: sess.User, Scopes: t.Scopes}
	if t.ExpiresAt != nil {
		out.ExpiresAt = *t.ExpiresAt
	}
	return s.writeData(w, http.StatusOK, out)
}

// handleLogout is POST /v1/logout: revokes the token that made the call.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := s.revokeToken(r, p.TokenID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeToken revokes a token and forgets it at once: the cache is cleared
// and open streams authenticated by it are closed.
func (s *Server) revokeToken(r *http.Request, id int64) error {
	if err := s.core.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	s.tokens.clear()
	s.broker.dropToken(id)
	return nil
}

// handleCreateToken is POST /v1/tokens: an API token for an integration
// (role supervisor or admin: it acts for the business) or on behalf of a
// user (their role applies). The secret is in this answer only.
func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in wire.TokenRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t, err := s.core.CreateToken(r.Context(), in)
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
	p, err := s.core.ListTokens(r.Context(), hub.TokenQuery{PageRequest: hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit},
		IncludeRevoked: r.URL.Query().Get("include_revoked") == "true"})
	if err != nil {
		return err
	}
	return s.writeList(w, p.Items, pageOf(p.NextCursor, p.HasMore))
}

// handleRevokeToken is DELETE /v1/tokens/{id}: one token, at once (open
// streams authenticated by it are closed too).
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.revokeToken(r, id); err != nil {
		return err
	}
	s.log.Info("token revoked", "token_id", id, "by_token", principalFrom(r).TokenID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
