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

// handleCreateTemplate is POST /v1/templates: checks the definition
// (wire.TemplateDraft: Meta's, plus account_id) with Meta's rules (422
// VALIDATION_FAILED with every finding in error.details, before anything
// reaches Meta), submits it unchanged and answers 201 with the template
// (PENDING) and the rules' warnings; a status webhook later approves or
// rejects it. Idempotent: a repeated Idempotency-Key, or without one the
// same name and language, with the same definition answers 200 with the
// template already submitted.
func (s *Server) handleCreateTemplate(w http.ResponseWriter, r *http.Request) error {
	var in wire.TemplateDraft
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	key, err := idempotencyKey(r, principalFrom(r))
	if err != nil {
		return err
	}
	res, err := s.core.SubmitTemplate(r.Context(), hub.TemplateSubmission{Account: in.AccountID, Definition: in.Template, IdempotencyKey: key})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	warnings := res.Warnings
	if warnings == nil {
		warnings = []apierr.Detail{}
	}
	s.writeJSON(w, status, wire.TemplateSubmitted{Data: res.Template, Warnings: warnings, Replayed: res.Replayed})
	return nil
}

// handleValidateTemplate is POST /v1/templates/validate: Meta's rules on a
// definition (the same body as POST /v1/templates), answered without
// submitting anything, for clients without the Go rules package.
func (s *Server) handleValidateTemplate(w http.ResponseWriter, r *http.Request) error {
	var in wire.TemplateDraft
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	fs := whatsapp.CheckTemplate(in.Template)
	if fs == nil {
		fs = []whatsapp.TemplateFinding{}
	}
	return s.writeData(w, http.StatusOK, wire.TemplateValidation{Valid: !whatsapp.HasTemplateErrors(fs), Findings: fs})
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
// the template, as Meta deletes by name, or with ?language= only that one
// (Meta's hsm_id). Meta does not let a deleted name be used again for a
// new template for 30 days.
func (s *Server) handleDeleteTemplate(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if !templateNameRE.MatchString(name) {
		return apierr.New(apierr.NotFound, "no template %q", truncate(name, 60))
	}
	q := r.URL.Query()
	if err := s.core.DeleteTemplate(r.Context(), q.Get("account"), name, q.Get("language")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
