package hubapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"switchboard/backend/apierr"
)

// handleListContacts is GET /v1/contacts (?phone= in any format, ?q=).
func (s *Server) handleListContacts(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	q := ContactQuery{Limit: page.Limit, Cursor: page.Cursor, Search: r.URL.Query().Get("q")}
	if ph := r.URL.Query().Get("phone"); ph != "" {
		if q.Phone, err = normalizePhone("phone", ph); err != nil {
			return err
		}
	}
	cs, next, err := s.core.Contacts(r.Context(), q)
	if err != nil {
		return err
	}
	return s.writeList(w, cs, Pagination{NextCursor: next, HasMore: next != ""})
}

// handleGetContact is GET /v1/contacts/{id}.
func (s *Server) handleGetContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.core.Contact(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, c)
}

type contactInput struct {
	ID         int64             `json:"id"`
	Phone      string            `json:"phone"`
	Name       *string           `json:"name"`
	Attributes map[string]string `json:"attributes"`
}

// handleUpsertContact is PATCH /v1/contacts: updates the contact with this
// id, or the one with this phone (created when new). Attributes are
// merged; an attribute set to "" is removed.
func (s *Server) handleUpsertContact(w http.ResponseWriter, r *http.Request) error {
	var in contactInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	up := ContactUpsert{ID: in.ID, Name: in.Name, Attributes: in.Attributes}
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
		up.Phone = p
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if utf8.RuneCountInString(n) > 256 {
			return apierr.Field(apierr.ValidationFailed, "name", "name must be at most 256 characters")
		}
		up.Name = &n
	}
	if len(in.Attributes) > 100 {
		return apierr.Field(apierr.ValidationFailed, "attributes", "at most 100 attributes")
	}
	for k, v := range in.Attributes {
		if k == "" || len(k) > 64 || len(v) > 1024 {
			return apierr.Field(apierr.ValidationFailed, "attributes."+truncate(k, 64), "attribute names are 1 to 64 bytes, values at most 1024")
		}
	}
	c, err := s.core.UpsertContact(r.Context(), up)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, c)
}

// handleDeleteContact is DELETE /v1/contacts/{id}.
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

// handleListOptOuts is GET /v1/optouts.
func (s *Server) handleListOptOuts(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	out, next, err := s.core.OptOuts(r.Context(), page.Limit, page.Cursor)
	if err != nil {
		return err
	}
	return s.writeList(w, out, Pagination{NextCursor: next, HasMore: next != ""})
}

type optOutInput struct {
	Phone  string `json:"phone"`
	Reason string `json:"reason"`
}

// handleAddOptOut is POST /v1/optouts: the number gets no more messages
// (templates and bulk included) until removed or it writes START.
func (s *Server) handleAddOptOut(w http.ResponseWriter, r *http.Request) error {
	var in optOutInput
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
	if len(in.Reason) > 256 {
		return apierr.Field(apierr.ValidationFailed, "reason", "reason must be at most 256 bytes")
	}
	if in.Reason == "" {
		in.Reason = "api"
	}
	if err := s.core.SetOptOut(r.Context(), p, true, in.Reason); err != nil {
		return err
	}
	return s.writeData(w, http.StatusCreated, OptOut{Phone: p, Reason: in.Reason, CreatedAt: s.now().UTC()})
}

// handleDeleteOptOut is DELETE /v1/optouts/{phone} (any format,
// URL-encoded): the number may be messaged again.
func (s *Server) handleDeleteOptOut(w http.ResponseWriter, r *http.Request) error {
	p, err := normalizePhone("phone", r.PathValue("phone"))
	if err != nil {
		return err
	}
	if err := s.core.SetOptOut(r.Context(), p, false, ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
