package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/whatsapp"
)

// TemplateQuery filters ListTemplates. Account narrows to one business
// number's WhatsApp Business Account (an account id or a WABA id).
type TemplateQuery struct {
	PageRequest
	Account  string
	Name     string
	Language string
	Status   string
}

// ListTemplates lists synced templates by name and language.
func (s *Service) ListTemplates(ctx context.Context, q TemplateQuery) (Page[domain.Template], error) {
	if err := checkPage(q.PageRequest); err != nil {
		return Page[domain.Template]{}, err
	}
	f := store.TemplateFilter{PageRequest: q.PageRequest, Name: q.Name, Language: q.Language, Status: q.Status}
	if q.Account != "" {
		waba, _, err := s.wabaOf(q.Account)
		if err != nil {
			return Page[domain.Template]{}, err
		}
		f.WABAID = waba
	}
	page, err := s.st.ListTemplates(ctx, f)
	return page, storeErr(err, "template")
}

// GetTemplate returns one template by name and language.
func (s *Service) GetTemplate(ctx context.Context, account, name, language string) (domain.Template, error) {
	waba, _, err := s.wabaOf(account)
	if err != nil {
		return domain.Template{}, err
	}
	t, err := s.st.GetTemplate(ctx, waba, name, language)
	if errNotFoundIs(err) {
		t, err = s.findTemplateLoosely(ctx, waba, name, language)
	}
	return t, storeErr(err, "template")
}

// wabaOf resolves an account id or WABA id ("" for the only configured
// account) to the WABA and a configured account id to call the Cloud API
// with. Numbers known only from webhooks are not considered.
func (s *Service) wabaOf(accountOrWABA string) (waba, accountID string, err error) {
	if accountOrWABA == "" {
		a, err := s.ResolveAccount("")
		if err != nil {
			return "", "", apierr.New(apierr.AccountRequired, "say which WhatsApp number's templates (account_id): %s", apierr.As(err).Message)
		}
		return a.WABAID, a.ID, nil
	}
	if err := whatsapp.CheckGraphID("account_id", "phone number or WhatsApp Business Account", accountOrWABA); err != nil {
		return "", "", err
	}
	s.accMu.RLock()
	defer s.accMu.RUnlock()
	if a, ok := s.accounts[accountOrWABA]; ok {
		if !a.Configured {
			return "", "", errNotConfigured(a.ID)
		}
		return a.WABAID, a.ID, nil
	}
	for _, a := range s.accounts {
		if a.WABAID == accountOrWABA && a.Configured {
			return a.WABAID, a.ID, nil
		}
	}
	return "", "", apierr.Field(apierr.NotFound, "account_id", "no configured WhatsApp number or business account %q", accountOrWABA)
}

func (s *Service) templateAPI(accountID string) (CloudAPI, error) {
	api := s.apiFor(accountID)
	if api == nil {
		return nil, apierr.New(apierr.Unavailable, "no WhatsApp Cloud API client is configured")
	}
	return api, nil
}

// SyncTemplates pulls every template (all pages, all languages) of the
// account's WhatsApp Business Account, stores them, drops the ones deleted on
// Meta's side, emits template.updated for each change and returns how many
// templates the account has.
func (s *Service) SyncTemplates(ctx context.Context, accountOrWABA string) (int, error) {
	if s.closing.Load() {
		return 0, errClosing()
	}
	waba, accountID, err := s.wabaOf(accountOrWABA)
	if err != nil {
		return 0, err
	}
	api, err := s.templateAPI(accountID)
	if err != nil {
		return 0, err
	}
	remote, err := api.ListTemplates(ctx, waba, whatsapp.TemplateFilter{})
	if err != nil {
		return 0, err
	}
	now := s.now()
	err = s.submit(ctx, func(w *wtx) error {
		local, err := w.tx.TemplatesOfWABA(w.ctx, waba)
		if err != nil {
			return err
		}
		type key struct{ name, lang string }
		byKey := make(map[key]domain.Template, len(local))
		for _, t := range local {
			byKey[key{t.Name, t.Language}] = t
		}
		for _, rt := range remote {
			t := fromWhatsAppTemplate(waba, rt, now)
			k := key{t.Name, t.Language}
			prev, had := byKey[k]
			delete(byKey, k)
			if had {
				keepReview(prev, &t)
				if templateSame(prev, t) {
					continue
				}
			}
			if err := w.tx.UpsertTemplate(w.ctx, &t); err != nil {
				return err
			}
			if err := w.emit(domain.EventTemplateUpdated, 0, nil, nil, &t); err != nil {
				return err
			}
		}
		for _, gone := range byKey {
			if err := w.removeTemplate(gone, now); err != nil {
				return err
			}
		}
		return nil
	})
	return len(remote), err
}

// keepReview carries over to a synced template what Meta's list does not
// say and the webhooks did: the rejection's details while it is still
// rejected, the pause or disabling's while the status is the same, the
// last category change, and the submission's key and hash.
func keepReview(prev domain.Template, t *domain.Template) {
	if t.Status == whatsapp.TemplateRejected && prev.Status == whatsapp.TemplateRejected {
		t.RejectionInfo = prev.RejectionInfo
	}
	if t.Status == prev.Status {
		t.StatusInfo = prev.StatusInfo
	}
	t.CategoryChange = prev.CategoryChange
	t.SubmitKey, t.SubmitHash = prev.SubmitKey, prev.SubmitHash
}

// removeTemplate deletes a template locally and emits template.updated with
// status DELETED.
func (w *wtx) removeTemplate(t domain.Template, now time.Time) error {
	if err := w.tx.DeleteTemplate(w.ctx, t.WABAID, t.Name, t.Language); err != nil {
		return err
	}
	t.Status = "DELETED"
	t.UpdatedAt = now
	return w.emit(domain.EventTemplateUpdated, 0, nil, nil, &t)
}

// TemplateSubmission is a template definition to submit for Meta's review.
type TemplateSubmission struct {
	// Account is the business number (or WABA id) whose account gets the
	// template; "" for the only one.
	Account string
	// Definition is Meta's template definition, forwarded as it is.
	Definition whatsapp.Template
	// IdempotencyKey makes a retried submission answer the first instead
	// of submitting again. The key is global: the API prefixes the
	// header's value with the caller's identity. Without one, the name and
	// language are the key.
	IdempotencyKey string
}

// TemplateSubmitted is what SubmitTemplate answers.
type TemplateSubmitted struct {
	Template domain.Template
	// Warnings are the rules' warnings: what Meta often rejects, submitted
	// anyway.
	Warnings []whatsapp.TemplateFinding
	// Replayed is true when the template had already been submitted (the
	// same Idempotency-Key, or the same name and language with the same
	// definition) and is answered as it is now, not submitted again.
	Replayed bool
}

// definitionHash identifies a definition's content, so a retry is told
// from a different template under the same key.
func definitionHash(t whatsapp.Template) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", apierr.Wrap(err, apierr.InvalidRequest, "the template definition cannot be encoded")
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// SubmitTemplate checks a template definition with Meta's rules
// (whatsapp.CheckTemplate: VALIDATION_FAILED with every finding when one
// is broken, so nothing invalid reaches Meta), submits it unchanged, stores
// it as Meta answered (usually PENDING) and emits template.updated; the
// status webhook later approves or rejects it.
//
// Submitting is idempotent. A retry with the same Idempotency-Key, or
// without one the same name and language, answers the template already
// there (Replayed) when the definition is the same, and
// IDEMPOTENCY_CONFLICT or CONFLICT when it is not. If the hub stopped
// after Meta created the template but before storing it, the retry finds
// Meta refusing a duplicate (the name exists in that language) and adopts
// Meta's template instead of failing. Submissions are serialised, so two
// concurrent retries cannot both reach Meta; templates are created rarely
// enough for that to cost nothing.
func (s *Service) SubmitTemplate(ctx context.Context, sub TemplateSubmission) (TemplateSubmitted, error) {
	if s.closing.Load() {
		return TemplateSubmitted{}, errClosing()
	}
	def := sub.Definition
	waba, accountID, err := s.wabaOf(sub.Account)
	if err != nil {
		return TemplateSubmitted{}, err
	}
	if err := whatsapp.ValidateTemplateDefinition(def); err != nil {
		return TemplateSubmitted{}, err
	}
	warnings := whatsapp.CheckTemplate(def)
	hash, err := definitionHash(def)
	if err != nil {
		return TemplateSubmitted{}, err
	}
	s.tplSubmitMu.Lock()
	defer s.tplSubmitMu.Unlock()

	if prev, found, err := s.previousSubmission(ctx, waba, sub.IdempotencyKey, def, hash); err != nil || found {
		return TemplateSubmitted{Template: prev, Warnings: warnings, Replayed: found}, err
	}
	api, err := s.templateAPI(accountID)
	if err != nil {
		return TemplateSubmitted{}, err
	}
	replayed := false
	created, err := api.CreateTemplate(ctx, waba, def)
	switch {
	case whatsapp.GraphSubcode(err) == whatsapp.SubcodeTemplateExists:
		// Meta has it: our own earlier attempt, whose answer was lost, or
		// a template made elsewhere (WhatsApp Manager). Adopt it only when
		// it is not already ours under another definition.
		if adopted, ok := s.adoptTemplate(ctx, api, waba, def); ok {
			def, replayed = adopted, true
			created = &whatsapp.TemplateCreated{ID: adopted.ID, Status: adopted.Status, Category: adopted.Category}
			break
		}
		return TemplateSubmitted{}, err
	case err != nil:
		return TemplateSubmitted{}, err
	}
	def.ID, def.Status = created.ID, created.Status
	if created.Category != "" {
		def.Category = created.Category
	}
	if def.Status == "" {
		def.Status = whatsapp.TemplatePending
	}
	d := fromWhatsAppTemplate(waba, def, s.now())
	d.SubmitKey, d.SubmitHash = sub.IdempotencyKey, hash
	err = s.submit(ctx, func(w *wtx) error {
		if err := w.tx.UpsertTemplate(w.ctx, &d); err != nil {
			return err
		}
		return w.emit(domain.EventTemplateUpdated, 0, nil, nil, &d)
	})
	return TemplateSubmitted{Template: d, Warnings: warnings, Replayed: replayed}, err
}

// previousSubmission finds a submission this one repeats: by the
// Idempotency-Key first, then by name and language. found is true for a
// repeat with the same definition; a different definition under the same
// key or name and language is an error.
func (s *Service) previousSubmission(ctx context.Context, waba, key string, def whatsapp.Template, hash string) (domain.Template, bool, error) {
	var prev domain.Template
	var found bool
	err := s.submit(ctx, func(w *wtx) error {
		if key != "" {
			t, err := w.tx.TemplateBySubmitKey(w.ctx, key)
			switch {
			case err == nil && t.SubmitHash == hash && t.WABAID == waba:
				prev, found = t, true
				return nil
			case err == nil:
				return apierr.New(apierr.IdempotencyConflict, "the Idempotency-Key was already used to submit another template (%q, %s)", t.Name, t.Language)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		t, err := w.tx.TemplateByKey(w.ctx, waba, def.Name, def.Language)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil
		case err != nil:
			return err
		case t.SubmitHash == hash:
			prev, found = t, true
			return nil
		}
		return apierr.Field(apierr.Conflict, "name", "a template named %q already exists in %s (%s): add another language, or choose another name", def.Name, def.Language, t.Status)
	})
	return prev, found, err
}

// adoptTemplate fetches the template Meta says exists under def's name and
// language.
func (s *Service) adoptTemplate(ctx context.Context, api CloudAPI, waba string, def whatsapp.Template) (whatsapp.Template, bool) {
	remote, err := api.ListTemplates(ctx, waba, whatsapp.TemplateFilter{Name: def.Name, Language: def.Language})
	if err != nil {
		s.log.Warn("template exists on Meta but cannot be listed", "name", def.Name, "language", def.Language, "err", err)
		return whatsapp.Template{}, false
	}
	for _, t := range remote {
		if t.Name == def.Name && t.Language == def.Language {
			return t, true
		}
	}
	return whatsapp.Template{}, false
}

// DeleteTemplate deletes a template on Meta's side and here, emitting
// template.updated with status DELETED for each language deleted: every
// language of the name when language is "", else that one language (by
// its id, Meta's hsm_id). Meta does not let a deleted name be used for a
// new template for 30 days.
func (s *Service) DeleteTemplate(ctx context.Context, accountOrWABA, name, language string) error {
	if s.closing.Load() {
		return errClosing()
	}
	if name == "" {
		return apierr.Field(apierr.InvalidRequest, "name", "the template name is required")
	}
	waba, accountID, err := s.wabaOf(accountOrWABA)
	if err != nil {
		return err
	}
	api, err := s.templateAPI(accountID)
	if err != nil {
		return err
	}
	hsmID := ""
	if language != "" {
		t, err := s.st.GetTemplate(ctx, waba, name, language)
		if err != nil {
			return storeErr(err, "template")
		}
		if t.ID == "" {
			return apierr.New(apierr.Conflict, "the template %q (%s) has no id from Meta yet: sync the templates first", name, language)
		}
		hsmID = t.ID
	}
	if err := api.DeleteTemplate(ctx, waba, name, hsmID); err != nil {
		return err
	}
	now := s.now()
	return s.submit(ctx, func(w *wtx) error {
		local, err := w.tx.TemplatesOfWABA(w.ctx, waba)
		if err != nil {
			return err
		}
		for _, t := range local {
			if t.Name == name && (language == "" || t.Language == language) {
				if err := w.removeTemplate(t, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
