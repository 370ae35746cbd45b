package hubapi

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
)

// handleListTemplates is GET /v1/templates (?status=, ?name=, ?language=).
func (s *Server) handleListTemplates(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ts, err := s.core.Templates(r.Context(), q.Get("account"))
	if err != nil {
		return err
	}
	status, name, lang := strings.ToUpper(q.Get("status")), q.Get("name"), q.Get("language")
	out := make([]domain.Template, 0, len(ts))
	for _, t := range ts {
		if (status == "" || t.Status == status) && (name == "" || t.Name == name) && (lang == "" || t.Language == lang) {
			out = append(out, t)
		}
	}
	return s.writeList(w, out, Pagination{})
}

// templateNameRE is Meta's rule for template names.
var templateNameRE = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)

type templateCreateInput struct {
	TemplateDraft
	AccountID string `json:"account_id"`
}

// handleCreateTemplate is POST /v1/templates: submits a template for
// Meta's approval; it starts PENDING and a template webhook updates it.
func (s *Server) handleCreateTemplate(w http.ResponseWriter, r *http.Request) error {
	var in templateCreateInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	switch {
	case !templateNameRE.MatchString(in.Name):
		return apierr.Field(apierr.ValidationFailed, "name", "name must be lower-case letters, digits and underscores")
	case strings.TrimSpace(in.Language) == "":
		return apierr.Field(apierr.InvalidRequest, "language", "language is required (e.g. en_US)")
	}
	switch in.Category = strings.ToUpper(in.Category); in.Category {
	case "MARKETING", "UTILITY", "AUTHENTICATION":
	default:
		return apierr.Field(apierr.ValidationFailed, "category", "category must be MARKETING, UTILITY or AUTHENTICATION")
	}
	switch in.ParameterFormat = strings.ToUpper(in.ParameterFormat); in.ParameterFormat {
	case "", "POSITIONAL", "NAMED":
	default:
		return apierr.Field(apierr.ValidationFailed, "parameter_format", "parameter_format must be POSITIONAL or NAMED")
	}
	if c := bytes.TrimSpace(in.Components); len(c) == 0 || c[0] != '[' {
		return apierr.Field(apierr.InvalidRequest, "components", "components must be an array (HEADER, BODY, FOOTER, BUTTONS)")
	}
	t, err := s.core.CreateTemplate(r.Context(), in.AccountID, in.TemplateDraft)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusCreated, t)
}

// handleSyncTemplates is POST /v1/templates/sync: reloads every template
// of the WhatsApp Business Account.
func (s *Server) handleSyncTemplates(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.core.SyncTemplates(r.Context(), r.URL.Query().Get("account"))
	if err != nil {
		return err
	}
	return s.writeList(w, ts, Pagination{})
}

// handleDeleteTemplate is DELETE /v1/templates/{name}: every language of
// the template, as Meta deletes by name.
func (s *Server) handleDeleteTemplate(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if !templateNameRE.MatchString(name) {
		return apierr.New(apierr.NotFound, "no template %q", truncate(name, 60))
	}
	if err := s.core.DeleteTemplate(r.Context(), r.URL.Query().Get("account"), name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
