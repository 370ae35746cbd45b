package hubapi

import (
	"net/http"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// handleListUsers is GET /v1/users. Everyone may list users: the console
// needs names for assignees.
func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	role, err := queryEnum(r, "role", "agent", "supervisor", "admin")
	if err != nil {
		return err
	}
	p, err := s.core.ListUsers(r.Context(), hub.UserQuery{PageRequest: hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit},
		Role: domain.Role(role), Team: r.URL.Query().Get("team")})
	if err != nil {
		return err
	}
	return s.writeList(w, p.Items, pageOf(p.NextCursor, p.HasMore))
}

// handleGetUser is GET /v1/users/{id}.
func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.core.GetUser(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, u)
}

// handleMe is GET /v1/me.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	out := wire.Me{TokenID: p.TokenID, Kind: p.Kind, Name: p.Name, Role: p.Role, Scopes: domain.ScopeStrings(p.Scopes)}
	if p.UserID != nil {
		u, err := s.core.GetUser(r.Context(), *p.UserID)
		if err != nil {
			return err
		}
		out.User = &u
	}
	return s.writeData(w, http.StatusOK, out)
}

// handlePutUser is PUT /v1/users: create the user with this e-mail, or
// replace the existing one's name, role and teams (and password, when
// given). 201 when created, 200 when updated.
func (s *Server) handlePutUser(w http.ResponseWriter, r *http.Request) error {
	var in wire.UserInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, created, err := s.core.PutUser(r.Context(), principalFrom(r).UserID, in)
	// A role or a disabled flag applies from the next request.
	s.tokens.clear()
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return s.writeData(w, status, u)
}

// handlePatchUser is PATCH /v1/users/{id}.
func (s *Server) handlePatchUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in wire.UserInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, err := s.core.UpdateUser(r.Context(), principalFrom(r).UserID, id, in)
	s.tokens.clear()
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, u)
}

// handleDeleteUser is DELETE /v1/users/{id}: the user is kept as a
// tombstone (their notes and messages still name them) and every token of
// theirs is revoked at once.
func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.core.DeleteUser(r.Context(), principalFrom(r).UserID, id); err != nil {
		return err
	}
	s.tokens.clear()
	w.WriteHeader(http.StatusNoContent)
	return nil
}
