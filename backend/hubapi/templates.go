package hubapi

import (
	"net/http"
	"regexp"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// handleListTemplates is GET /v1/templates (?status=, ?name=, ?language=,
// ?account=).
func (s *Server) handleListTemplates(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	res, err := s.core.ListTemplates(r.Context(), hub.TemplateQuery{PageRequest: hub.PageRequest{Cursor: page.Cursor, Limit: page.Limit},
		Account: q.Get("account"), Name: q.Get("name"), Language: q.Get("language"), Status: strings.ToUpper(q.Get("status"))})
	if err != nil {
		return err
	}
	return s.writeList(w, res.Items, pageOf(res.NextCursor, res.HasMore))
}

// allTemplates lists every synced template of an account.
func (s *Server) allTemplates(r *http.Request, q hub.TemplateQuery) ([]domain.Template, error) {
	q.Limit = 100
	var out []domain.Template
	for {
		res, err := s.core.ListTemplates(r.Context(), q)
		if err != nil {
			return nil, err
		}
		out = append(out, res.Items...)
		if !res.HasMore {
			return out, nil
		}
		q.Cursor = res.NextCursor
	}
}

// templateNameRE is Meta's rule for template names.
var templateNameRE = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)

// handleCreateTemplate is POST /v1/templates: submits a template for
// Meta's approval; it starts PENDING and a template webhook updates it.
func (s *Server) handleCreateTemplate(w http.ResponseWriter, r *http.Request) error {
	var in wire.TemplateDraft
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	switch {
	case !templateNameRE.MatchString(in.Name):
		return apierr.Field(apierr.ValidationFailed, "name", "name must be lower-case letters, digits and underscores")
	case strings.TrimSpace(in.Language) == "":
		return apierr.Field(apierr.InvalidRequest, "language", "language is required (e.g. en_US)")
	case len(in.Components) == 0:
		return apierr.Field(apierr.InvalidRequest, "components", "components are required (HEADER, BODY, FOOTER, BUTTONS)")
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
	t, err := s.core.CreateTemplate(r.Context(), in.AccountID, whatsapp.Template{Name: in.Name, Language: in.Language,
		Category: in.Category, ParameterFormat: in.ParameterFormat, Components: in.Components})
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusCreated, t)
}

// handleSyncTemplates is POST /v1/templates/sync: reloads every template
// of the WhatsApp Business Account and answers the synced list.
func (s *Server) handleSyncTemplates(w http.ResponseWriter, r *http.Request) error {
	account := r.URL.Query().Get("account")
	if _, err := s.core.SyncTemplates(r.Context(), account); err != nil {
		return err
	}
	ts, err := s.allTemplates(r, hub.TemplateQuery{Account: account})
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
