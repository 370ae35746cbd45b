package hubapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// handleListContacts is GET /v1/contacts (?phone= in any format, ?q= a
// prefix of the phone, wa_id or name).
func (s *Server) handleListContacts(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if ph := r.URL.Query().Get("phone"); ph != "" {
		e164, err := normalizePhone("phone", ph)
		if err != nil {
			return err
		}
		c, err := s.core.FindContact(ctx, e164)
		if apierr.CodeOf(err) == apierr.NotFound {
			return s.writeList(w, []domain.Contact{}, Pagination{})
		}
		if err != nil {
			return err
		}
		return s.writeList(w, []domain.Contact{c}, Pagination{})
	}
	res, err := s.core.ListContacts(ctx, hub.ContactQuery{PageRequest: hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit}, Query: r.URL.Query().Get("q")})
	if err != nil {
		return err
	}
	return s.writeList(w, res.Items, pageOf(res.NextCursor, res.HasMore))
}

// handleGetContact is GET /v1/contacts/{id}.
func (s *Server) handleGetContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.core.GetContact(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, c)
}

// handleUpsertContact is PATCH /v1/contacts: updates the contact with this
// id (moving it to phone when given), or the one at phone, created when
// new (201). Attributes, when given, replace the contact's.
func (s *Server) handleUpsertContact(w http.ResponseWriter, r *http.Request) error {
	var in wire.ContactInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	switch {
	case in.ID == 0 && in.Phone == "":
		return apierr.New(apierr.InvalidRequest, "give the contact's id or phone")
	case in.ID < 0:
		return apierr.Field(apierr.InvalidRequest, "id", "id must be a contact id")
	case in.Phone != "":
		p, err := normalizePhone("phone", in.Phone)
		if err != nil {
			return err
		}
		in.Phone = p
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if utf8.RuneCountInString(n) > 256 {
			return apierr.Field(apierr.ValidationFailed, "name", "name must be at most 256 characters")
		}
		in.Name = &n
	}
	c, created, err := s.core.UpsertContact(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return s.writeData(w, status, c)
}

// handleDeleteContact is DELETE /v1/contacts/{id}: the contact with its
// conversations, messages and notes (erasure requests).
func (s *Server) handleDeleteContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.core.DeleteContact(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleListOptOuts is GET /v1/optouts: the contacts who opted out.
func (s *Server) handleListOptOuts(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	res, err := s.core.ListOptOuts(r.Context(), hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit})
	if err != nil {
		return err
	}
	return s.writeList(w, res.Items, pageOf(res.NextCursor, res.HasMore))
}

// handleAddOptOut is POST /v1/optouts: the number gets no more messages
// (templates and bulk included) until removed or it writes START. An
// unknown number gets a contact, so the opt-out holds when it first
// writes.
func (s *Server) handleAddOptOut(w http.ResponseWriter, r *http.Request) error {
	var in wire.OptOutRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Phone == "" {
		return apierr.Field(apierr.InvalidRequest, "phone", "phone is required")
	}
	p, err := normalizePhone("phone", in.Phone)
	if err != nil {
		return err
	}
	c, err := s.core.OptOut(r.Context(), p)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, c)
}

// handleDeleteOptOut is DELETE /v1/optouts/{phone} (any format,
// URL-encoded): the number may be messaged again.
func (s *Server) handleDeleteOptOut(w http.ResponseWriter, r *http.Request) error {
	p, err := normalizePhone("phone", r.PathValue("phone"))
	if err != nil {
		return err
	}
	if _, err := s.core.OptIn(r.Context(), p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
