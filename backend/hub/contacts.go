package hub

import (
	"context"
	"maps"
	"strings"
	"unicode/utf8"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/phone"
	"switchboard/backend/wire"
)

// ContactQuery filters ListContacts: Query matches the start of the phone,
// wa_id or name.
type ContactQuery struct {
	PageRequest
	Query    string
	OptedOut *bool
}

// ListContacts lists contacts, oldest first.
func (s *Service) ListContacts(ctx context.Context, q ContactQuery) (Page[domain.Contact], error) {
	if err := checkPage(q.PageRequest); err != nil {
		return Page[domain.Contact]{}, err
	}
	page, err := s.st.ListContacts(ctx, store.ContactFilter{PageRequest: q.PageRequest, Query: q.Query, OptedOut: q.OptedOut})
	return page, storeErr(err, "contact")
}

// GetContact returns one contact.
func (s *Service) GetContact(ctx context.Context, id int64) (domain.Contact, error) {
	c, err := s.st.GetContact(ctx, id)
	return c, storeErr(err, "contact")
}

// ContactInput creates or changes a contact, found by ID or else by Phone
// (any format). Nil fields are left alone; Attributes, when given, replace
// the contact's attributes.
type ContactInput = wire.ContactInput

// Contact attribute limits.
const (
	maxAttributes     = 50
	maxAttributeKey   = 64
	maxAttributeValue = 1024
)

// UpsertContact updates the contact with in.ID (changing its number when
// Phone differs: CONFLICT if another contact has it), or finds the contact by
// Phone and updates it, creating it when there is none. It reports whether
// the contact was created and emits contact.updated.
func (s *Service) UpsertContact(ctx context.Context, in ContactInput) (domain.Contact, bool, error) {
	if s.closing.Load() {
		return domain.Contact{}, false, errClosing()
	}
	var key string
	if in.Phone != "" {
		k, err := phone.Normalize(in.Phone)
		if err != nil {
			return domain.Contact{}, false, withField(apierr.Wrap(err, apierr.InvalidPhone, "%s", err.Error()), "phone")
		}
		key = k
	}
	if in.ID == 0 && key == "" {
		return domain.Contact{}, false, apierr.Field(apierr.InvalidRequest, "phone", "give the contact's id or phone")
	}
	if in.Name != nil && utf8.RuneCountInString(*in.Name) > 256 {
		return domain.Contact{}, false, apierr.Field(apierr.ValidationFailed, "name", "a name has at most 256 characters")
	}
	if len(in.Attributes) > maxAttributes {
		return domain.Contact{}, false, apierr.Field(apierr.ValidationFailed, "attributes", "at most %d attributes", maxAttributes)
	}
	for k, v := range in.Attributes {
		if k == "" || len(k) > maxAttributeKey || len(v) > maxAttributeValue || !utf8.ValidString(k) || !utf8.ValidString(v) {
			return domain.Contact{}, false, apierr.Field(apierr.ValidationFailed, "attributes."+k,
				"attribute keys have 1..%d bytes and values at most %d", maxAttributeKey, maxAttributeValue)
		}
	}
	now := s.now()
	var out domain.Contact
	var created bool
	err := s.submit(ctx, func(w *wtx) error {
		var c *domain.Contact
		var err error
		if in.ID != 0 {
			if c, err = w.contactByID(in.ID); errNotFoundIs(err) {
				return apierr.New(apierr.NotFound, "no such contact")
			} else if err != nil {
				return err
			}
		} else if c, err = w.contactByPhone(key); err != nil {
			return err
		}
		if c == nil {
			nc := &domain.Contact{Phone: key, CreatedAt: now, UpdatedAt: now}
			if in.Name != nil {
				nc.Name = *in.Name
			}
			if in.Attributes != nil {
				nc.Attributes = maps.Clone(in.Attributes)
			}
			if err := w.insertContact(nc); err != nil {
				return err
			}
			out, created = *nc, true
			return nil
		}
		next := *c
		if key != "" && key != c.Phone {
			other, err := w.contactByPhone(key)
			if err != nil {
				return err
			}
			if other != nil {
				return apierr.Field(apierr.Conflict, "phone", "another contact (id %d) has that number", other.ID)
			}
			if c.Phone != "" {
				if err := w.tx.AddPhoneHistory(w.ctx, c.ID, c.Phone, now); err != nil {
					return err
				}
			}
			next.Phone, next.WaID = key, ""
		}
		if in.Name != nil {
			next.Name = *in.Name
		}
		if in.Attributes != nil {
			next.Attributes = maps.Clone(in.Attributes)
		}
		next.UpdatedAt = now
		nc, err := w.setContact(c, next)
		if err != nil {
			return err
		}
		out = *nc
		return nil
	})
	return out, created, err
}

// DeleteContact erases a contact with its conversations, messages and notes
// (emitting conversation.deleted and contact.deleted).
func (s *Service) DeleteContact(ctx context.Context, id int64) error {
	if s.closing.Load() {
		return errClosing()
	}
	return s.submit(ctx, func(w *wtx) error {
		c, err := w.contactByID(id)
		if errNotFoundIs(err) {
			return apierr.New(apierr.NotFound, "no such contact")
		}
		if err != nil {
			return err
		}
		ids, err := w.tx.ConversationIDsByContact(w.ctx, id)
		if err != nil {
			return err
		}
		for _, cid := range ids {
			e, err := w.convByID(cid)
			if err != nil {
				return err
			}
			if e != nil {
				if err := w.deleteConversation(e); err != nil {
					return err
				}
			}
		}
		return w.deleteContactRow(c)
	})
}

// ListOptOuts lists the contacts who opted out.
func (s *Service) ListOptOuts(ctx context.Context, p PageRequest) (Page[domain.Contact], error) {
	yes := true
	return s.ListContacts(ctx, ContactQuery{PageRequest: p, OptedOut: &yes})
}

// OptOut records that the person at number (any format) wants no messages;
// every later send to them is refused with OPTED_OUT. Unknown numbers get a
// contact, so the opt-out holds when they first appear.
func (s *Service) OptOut(ctx context.Context, number string) (domain.Contact, error) {
	return s.setOptOut(ctx, number, true)
}

// OptIn lifts an opt-out.
func (s *Service) OptIn(ctx context.Context, number string) (domain.Contact, error) {
	return s.setOptOut(ctx, number, false)
}

func (s *Service) setOptOut(ctx context.Context, number string, out bool) (domain.Contact, error) {
	if s.closing.Load() {
		return domain.Contact{}, errClosing()
	}
	key, err := phone.Normalize(strings.TrimSpace(number))
	if err != nil {
		return domain.Contact{}, withField(apierr.Wrap(err, apierr.InvalidPhone, "%s", err.Error()), "phone")
	}
	now := s.now()
	var res domain.Contact
	err = s.submit(ctx, func(w *wtx) error {
		c, err := w.contactByPhone(key)
		if err != nil {
			return err
		}
		if c == nil {
			if !out {
				return apierr.New(apierr.NotFound, "no contact at %s", key)
			}
			nc := &domain.Contact{Phone: key, OptedOut: true, OptedOutAt: &now, CreatedAt: now, UpdatedAt: now}
			if err := w.insertContact(nc); err != nil {
				return err
			}
			res = *nc
			return nil
		}
		if c.OptedOut == out {
			res = *c
			return nil
		}
		next := *c
		next.OptedOut, next.UpdatedAt = out, now
		next.OptedOutAt = nil
		if out {
			next.OptedOutAt = &now
		}
		nc, err := w.setContact(c, next)
		if err != nil {
			return err
		}
		res = *nc
		return nil
	})
	return res, err
}
