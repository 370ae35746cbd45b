package hub

import (
	"context"
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
			if had && templateSame(prev, t) {
				continue
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

// CreateTemplate submits a template for Meta's review, stores it as Meta
// answered (usually PENDING) and emits template.updated; the status webhook
// later approves or rejects it.
func (s *Service) CreateTemplate(ctx context.Context, accountOrWABA string, t whatsapp.Template) (domain.Template, error) {
	if s.closing.Load() {
		return domain.Template{}, errClosing()
	}
	waba, accountID, err := s.wabaOf(accountOrWABA)
	if err != nil {
		return domain.Template{}, err
	}
	if err := whatsapp.ValidateTemplateDefinition(t); err != nil {
		return domain.Template{}, err
	}
	api, err := s.templateAPI(accountID)
	if err != nil {
		return domain.Template{}, err
	}
	created, err := api.CreateTemplate(ctx, waba, t)
	if err != nil {
		return domain.Template{}, err
	}
	t.ID, t.Status = created.ID, created.Status
	if created.Category != "" {
		t.Category = created.Category
	}
	if t.Status == "" {
		t.Status = whatsapp.TemplatePending
	}
	d := fromWhatsAppTemplate(waba, t, s.now())
	err = s.submit(ctx, func(w *wtx) error {
		if err := w.tx.UpsertTemplate(w.ctx, &d); err != nil {
			return err
		}
		return w.emit(domain.EventTemplateUpdated, 0, nil, nil, &d)
	})
	return d, err
}

// DeleteTemplate deletes a template (every language) on Meta's side and
// here, emitting template.updated with status DELETED for each language.
func (s *Service) DeleteTemplate(ctx context.Context, accountOrWABA, name string) error {
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
	if err := api.DeleteTemplate(ctx, waba, name, ""); err != nil {
		return err
	}
	now := s.now()
	return s.submit(ctx, func(w *wtx) error {
		local, err := w.tx.TemplatesOfWABA(w.ctx, waba)
		if err != nil {
			return err
		}
		for _, t := range local {
			if t.Name == name {
				if err := w.removeTemplate(t, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
