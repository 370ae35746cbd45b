package storetest

import (
	"errors"
	"fmt"
	"testing"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// testTxLookups covers the transaction's point reads that the other cases
// do not need: an account, a conversation by id and a template by key, and
// the read side's every-conversation scan.
func testTxLookups(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551239000")
	update(t, s, func(tx store.Tx) error {
		tp := domain.Template{ID: "t1", WABAID: "waba-1", Name: "hello", Language: "en_US", Status: "APPROVED", UpdatedAt: t0}
		if err := tx.UpsertTemplate(ctx, &tp); err != nil {
			return err
		}
		if err := tx.AddAccountCounts(ctx, f.account, 2, 1); err != nil {
			return err
		}
		a, err := tx.Account(ctx, f.account)
		if err != nil || a.WABAID != "waba-1" || a.MessagesIn != 2 || a.MessagesOut != 1 {
			return fmt.Errorf("Account = %+v, %v", a, err)
		}
		if _, err := tx.Account(ctx, "no-such-account"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("Account(unknown) = %v", err)
		}
		c, err := tx.ConversationByID(ctx, f.conv.ID)
		if err != nil || c.AccountID != f.account || c.Contact.ID != f.contact.ID || c.Status != domain.StatusOpen {
			return fmt.Errorf("ConversationByID = %+v, %v", c, err)
		}
		if _, err := tx.ConversationByID(ctx, f.conv.ID+1); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("ConversationByID(unknown) = %v", err)
		}
		got, err := tx.TemplateByKey(ctx, "waba-1", "hello", "en_US")
		if err != nil || got.ID != "t1" || got.Status != "APPROVED" {
			return fmt.Errorf("TemplateByKey = %+v, %v", got, err)
		}
		if _, err := tx.TemplateByKey(ctx, "waba-1", "hello", "es"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TemplateByKey(other language) = %v", err)
		}
		return nil
	})
	states, err := s.AllConversationStates(ctx)
	if err != nil || len(states) != 1 || states[0].ID != f.conv.ID || states[0].AccountID != f.account {
		t.Fatalf("AllConversationStates = %+v, %v", states, err)
	}
}
