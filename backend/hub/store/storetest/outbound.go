package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// Outbound webhooks, bulk deliveries and remembered media uploads.

func testWebhooks(t *testing.T, s store.Store) {
	a := domain.Webhook{URL: "https://crm.example.com/hook", Secret: "secret-a-0123456789", Events: []string{"message.created"},
		Cursor: 40, CreatedAt: t0, UpdatedAt: t0}
	b := domain.Webhook{URL: "https://n8n.example.com/hook", Secret: "secret-b-0123456789", Cursor: 7, CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx store.Tx) error {
		if err := tx.UpsertWebhook(ctx, &a); err != nil {
			return err
		}
		return tx.UpsertWebhook(ctx, &b)
	})
	if a.ID == 0 || a.ID == b.ID || a.Cursor != 40 || len(a.Events) != 1 || b.Events == nil || len(b.Events) != 0 {
		t.Fatalf("after insert: %+v %+v", a, b)
	}
	// Progress, then a failure streak, then the subscription is set again.
	update(t, s, func(tx store.Tx) error {
		if err := tx.AdvanceWebhookCursor(ctx, a.ID, 45); err != nil {
			return err
		}
		if err := tx.AdvanceWebhookCursor(ctx, a.ID, 42); err != nil { // never back
			return err
		}
		return tx.SetWebhookFailures(ctx, a.ID, 3, "answered 500")
	})
	hooks, err := s.ListWebhooks(ctx)
	if err != nil || len(hooks) != 2 || hooks[0].ID != a.ID || hooks[0].Cursor != 45 || hooks[0].Failures != 3 ||
		hooks[0].LastError != "answered 500" || hooks[0].Secret != a.Secret {
		t.Fatalf("ListWebhooks = %+v, %v", hooks, err)
	}
	again := domain.Webhook{URL: a.URL, Secret: "secret-new-0123456789", Events: []string{"message.updated", "note.created"},
		Cursor: 99, CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	update(t, s, func(tx store.Tx) error { return tx.UpsertWebhook(ctx, &again) })
	if again.ID != a.ID || again.Cursor != 45 || again.Failures != 0 || again.LastError != "" || len(again.Events) != 2 ||
		again.Secret != "secret-new-0123456789" || !again.CreatedAt.Equal(t0) || !again.UpdatedAt.Equal(at(time.Hour)) {
		t.Fatalf("after setting again: %+v", again)
	}

	// Attempts: the newest keep, newest first.
	update(t, s, func(tx store.Tx) error {
		for i := range 5 {
			try := store.WebhookAttempt{SubscriptionID: a.ID, Seq: int64(46 + i), Attempt: i + 1, Status: 500, Error: "answered 500",
				Duration: time.Duration(i+1) * time.Millisecond, At: at(time.Duration(i) * time.Second)}
			if err := tx.AddWebhookAttempt(ctx, &try, 3); err != nil {
				return err
			}
			if try.ID == 0 {
				return errors.New("AddWebhookAttempt set no id")
			}
		}
		other := store.WebhookAttempt{SubscriptionID: b.ID, Seq: 8, Status: 200, At: t0}
		return tx.AddWebhookAttempt(ctx, &other, 3)
	})
	as, err := s.WebhookAttempts(ctx, a.ID, 10)
	if err != nil || len(as) != 3 || as[0].Seq != 50 || as[2].Seq != 48 || as[0].Attempt != 5 || as[0].Status != 500 ||
		as[0].Duration != 5*time.Millisecond || !as[0].At.Equal(at(4*time.Second)) {
		t.Fatalf("attempts = %+v, %v", as, err)
	}
	if as, _ := s.WebhookAttempts(ctx, a.ID, 1); len(as) != 1 || as[0].Seq != 50 {
		t.Fatalf("limited attempts = %+v", as)
	}

	// Deleting takes the attempts with it, once.
	update(t, s, func(tx store.Tx) error {
		if ok, err := tx.DeleteWebhook(ctx, a.ID); err != nil || !ok {
			return fmt.Errorf("DeleteWebhook = %v, %v", ok, err)
		}
		if ok, err := tx.DeleteWebhook(ctx, a.ID); err != nil || ok {
			return fmt.Errorf("DeleteWebhook again = %v, %v", ok, err)
		}
		return nil
	})
	if as, err := s.WebhookAttempts(ctx, a.ID, 10); err != nil || len(as) != 0 {
		t.Fatalf("attempts of a deleted subscription = %+v, %v", as, err)
	}
	if hooks, _ := s.ListWebhooks(ctx); len(hooks) != 1 || hooks[0].ID != b.ID {
		t.Fatalf("after delete: %+v", hooks)
	}
	if as, _ := s.WebhookAttempts(ctx, b.ID, 10); len(as) != 1 {
		t.Fatalf("another subscription's attempts went: %+v", as)
	}
}

// newDelivery stores a job whose recipients are given as phone → state.
func newDelivery(t *testing.T, s store.Store, createdBy string, created time.Time, phones []string, states []string) (store.Delivery, []domain.DeliveryRecipient) {
	t.Helper()
	author := int64(7)
	d := store.Delivery{Delivery: domain.Delivery{AccountID: "acct-1", Template: "promo", Language: "en_US", State: domain.DeliveryRunning,
		Progress: domain.DeliveryProgress{Total: len(phones)}, CreatedAt: created}, CreatedBy: createdBy, AuthorID: &author}
	recs := make([]domain.DeliveryRecipient, len(phones))
	for i, p := range phones {
		recs[i] = domain.DeliveryRecipient{Row: i + 1, Input: "in " + p, Phone: p, Variables: map[string]string{"1": fmt.Sprint("v", i)},
			State: states[i], UpdatedAt: created}
		if states[i] == domain.RecipientProcessedKO {
			recs[i].Reason, recs[i].Detail = domain.ReasonInvalidNumber, "not a number"
		}
	}
	update(t, s, func(tx store.Tx) error { return tx.InsertDelivery(ctx, &d, recs) })
	return d, recs
}

func testDeliveries(t *testing.T, s store.Store) {
	P, K := domain.RecipientPending, domain.RecipientProcessedKO
	d, recs := newDelivery(t, s, "user:7", t0, []string{"+15550000001", "+15550000002", "", "+15550000003"}, []string{P, P, K, P})
	if d.ID == 0 || recs[0].ID == 0 || recs[0].ID == recs[1].ID {
		t.Fatalf("ids not set: %+v %+v", d, recs)
	}
	got, err := s.GetDelivery(ctx, d.ID)
	if err != nil || got.CreatedBy != "user:7" || got.AuthorID == nil || *got.AuthorID != 7 || got.State != domain.DeliveryRunning ||
		got.Template != "promo" || got.Language != "en_US" || !got.CreatedAt.Equal(t0) || got.FinishedAt != nil ||
		got.Progress != (domain.DeliveryProgress{Total: 4, Pending: 3, ProcessedKO: 1}) {
		t.Fatalf("GetDelivery = %+v, %v", got, err)
	}
	if _, err := s.GetDelivery(ctx, recs[len(recs)-1].ID+d.ID+1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetDelivery(unknown) = %v", err)
	}

	// The runner's view: pending ones, oldest first, with their job.
	pend, err := s.PendingRecipients(ctx, 2)
	if err != nil || len(pend) != 2 || pend[0].ID != recs[0].ID || pend[1].ID != recs[1].ID || pend[0].JobID != d.ID ||
		pend[0].Phone != "+15550000001" || pend[0].Variables["1"] != "v0" || pend[0].AccountID != "acct-1" ||
		pend[0].Template != "promo" || pend[0].Language != "en_US" || pend[0].AuthorID == nil || *pend[0].AuthorID != 7 {
		t.Fatalf("PendingRecipients = %+v, %v", pend, err)
	}
	// pending → in_progress (no message yet) → in_progress with a message;
	// a later change without a message keeps it.
	msg := int64(555)
	update(t, s, func(tx store.Tx) error {
		if err := tx.SetRecipientState(ctx, recs[0].ID, domain.RecipientInProgress, "", "", nil, at(time.Second)); err != nil {
			return err
		}
		if err := tx.SetRecipientState(ctx, recs[0].ID, domain.RecipientInProgress, "", "", &msg, at(2*time.Second)); err != nil {
			return err
		}
		// Stuck without a message since long ago: requeued.
		return tx.SetRecipientState(ctx, recs[1].ID, domain.RecipientInProgress, "", "", nil, at(time.Second))
	})
	ip, err := s.InProgressWithMessage(ctx)
	if err != nil || len(ip) != 1 || ip[0].RecipientID != recs[0].ID || ip[0].MessageID != msg {
		t.Fatalf("InProgressWithMessage = %+v, %v", ip, err)
	}
	update(t, s, func(tx store.Tx) error {
		n, err := tx.RequeueStaleRecipients(ctx, at(time.Second)) // updated at 1 s is not before 1 s
		if err != nil || n != 0 {
			return fmt.Errorf("requeued %d, %v; want 0", n, err)
		}
		n, err = tx.RequeueStaleRecipients(ctx, at(time.Minute))
		if err != nil || n != 1 { // recs[1]; recs[0] has a message
			return fmt.Errorf("requeued %d, %v; want 1", n, err)
		}
		if n, err := tx.FinishDeliveries(ctx, at(time.Hour)); err != nil || n != 0 {
			return fmt.Errorf("finished %d, %v; want 0 (recipients left)", n, err)
		}
		return tx.SetRecipientState(ctx, recs[0].ID, domain.RecipientProcessedOK, "", "delivered", nil, at(3*time.Second))
	})
	page, err := s.ListRecipients(ctx, d.ID, store.RecipientFilter{PageRequest: store.PageRequest{Limit: 100}})
	if err != nil || len(page.Items) != 4 {
		t.Fatalf("ListRecipients = %+v, %v", page, err)
	}
	r0 := page.Items[0]
	if r0.ID != recs[0].ID || r0.State != domain.RecipientProcessedOK || r0.MessageID == nil || *r0.MessageID != msg ||
		r0.Detail != "delivered" || !r0.UpdatedAt.Equal(at(3*time.Second)) || r0.Row != 1 || r0.Input != "in +15550000001" ||
		r0.Variables["1"] != "v0" {
		t.Fatalf("recipient 0 = %+v", r0)
	}
	if r1 := page.Items[1]; r1.State != domain.RecipientPending || r1.MessageID != nil {
		t.Fatalf("recipient 1 = %+v, want pending again", r1)
	}
	if r2 := page.Items[2]; r2.State != domain.RecipientProcessedKO || r2.Reason != domain.ReasonInvalidNumber || r2.Phone != "" {
		t.Fatalf("recipient 2 = %+v", r2)
	}
	paged := listAll(t, func(cursor string) (store.Page[domain.DeliveryRecipient], error) {
		return s.ListRecipients(ctx, d.ID, store.RecipientFilter{PageRequest: store.PageRequest{Limit: 3, Cursor: cursor}})
	})
	if len(paged) != 4 || paged[3].ID != recs[3].ID {
		t.Fatalf("paged recipients = %+v", paged)
	}
	if p, err := s.ListRecipients(ctx, d.ID, store.RecipientFilter{State: domain.RecipientPending, PageRequest: store.PageRequest{Limit: 100}}); err != nil || len(p.Items) != 2 {
		t.Fatalf("pending recipients = %+v, %v", p, err)
	}
	if got, _ := s.GetDelivery(ctx, d.ID); got.Progress != (domain.DeliveryProgress{Total: 4, Pending: 2, ProcessedOK: 1, ProcessedKO: 1}) {
		t.Fatalf("progress = %+v", got.Progress)
	}

	// Done once nothing is pending or in progress.
	update(t, s, func(tx store.Tx) error {
		for _, id := range []int64{recs[1].ID, recs[3].ID} {
			if err := tx.SetRecipientState(ctx, id, domain.RecipientProcessedKO, domain.ReasonOptedOut, "", nil, at(4*time.Second)); err != nil {
				return err
			}
		}
		n, err := tx.FinishDeliveries(ctx, at(time.Hour))
		if err != nil || n != 1 {
			return fmt.Errorf("finished %d, %v; want 1", n, err)
		}
		if n, err := tx.FinishDeliveries(ctx, at(2*time.Hour)); err != nil || n != 0 {
			return fmt.Errorf("finished again %d, %v", n, err)
		}
		return nil
	})
	got, _ = s.GetDelivery(ctx, d.ID)
	if got.State != domain.DeliveryDone || got.FinishedAt == nil || !got.FinishedAt.Equal(at(time.Hour)) {
		t.Fatalf("after finishing: %+v", got)
	}
	if pend, _ := s.PendingRecipients(ctx, 100); len(pend) != 0 {
		t.Fatalf("pending after all settled: %+v", pend)
	}
}

func testListDeliveries(t *testing.T, s store.Store) {
	P := domain.RecipientPending
	var ids []int64
	for i := range 5 {
		by := "user:7"
		if i%2 == 1 {
			by = "token:3"
		}
		d, _ := newDelivery(t, s, by, at(time.Duration(i)*time.Hour), []string{"+1555000000" + fmt.Sprint(i), "+15559999999"}, []string{P, P})
		ids = append(ids, d.ID)
	}
	all := listAll(t, func(cursor string) (store.Page[store.Delivery], error) {
		return s.ListDeliveries(ctx, store.DeliveryFilter{PageRequest: store.PageRequest{Limit: 2, Cursor: cursor}})
	})
	if len(all) != 5 || all[0].ID != ids[4] || all[4].ID != ids[0] {
		t.Fatalf("deliveries not newest first: %+v", all)
	}
	if all[0].Progress.Pending != 2 || all[0].CreatedBy != "user:7" {
		t.Fatalf("listed delivery = %+v", all[0])
	}
	since, until := at(time.Hour), at(3*time.Hour)
	for name, c := range map[string]struct {
		f    store.DeliveryFilter
		want int
	}{
		"phone of one":                        {store.DeliveryFilter{Phone: "+15550000002"}, 1},
		"phone of all":                        {store.DeliveryFilter{Phone: "+15559999999"}, 5},
		"phone of none":                       {store.DeliveryFilter{Phone: "+15551111111"}, 0},
		"since (inclusive) until (exclusive)": {store.DeliveryFilter{Since: &since, Until: &until}, 2},
		"created by":                          {store.DeliveryFilter{CreatedBy: "user:7"}, 3},
		"created by and since":                {store.DeliveryFilter{CreatedBy: "token:3", Since: &since}, 2},
	} {
		c.f.Limit = 100
		p, err := s.ListDeliveries(ctx, c.f)
		if err != nil || len(p.Items) != c.want {
			t.Errorf("%s: %d, %v; want %d", name, len(p.Items), err, c.want)
		}
	}
}

func testMediaUploads(t *testing.T, s store.Store) {
	m := domain.UploadedMedia{ID: "media-1", MimeType: "image/jpeg", FileSize: 1234, SHA256: "abcd", Filename: "photo.jpg"}
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.InsertMediaUpload(ctx, store.MediaUpload{Key: "user:7:k1", AccountID: "acct-1", SHA256: "abcd", Media: m, CreatedAt: t0})
		if err != nil || !ok {
			return fmt.Errorf("InsertMediaUpload = %v, %v", ok, err)
		}
		// A second upload with the key changes nothing.
		other := m
		other.ID = "media-2"
		ok, err = tx.InsertMediaUpload(ctx, store.MediaUpload{Key: "user:7:k1", AccountID: "acct-2", SHA256: "ffff", Media: other, CreatedAt: at(time.Hour)})
		if err != nil || ok {
			return fmt.Errorf("InsertMediaUpload(same key) = %v, %v", ok, err)
		}
		_, err = tx.InsertMediaUpload(ctx, store.MediaUpload{Key: "user:7:k2", AccountID: "acct-1", SHA256: "beef", Media: m, CreatedAt: at(2 * time.Hour)})
		return err
	})
	u, err := s.MediaUploadByKey(ctx, "user:7:k1")
	if err != nil || u.AccountID != "acct-1" || u.SHA256 != "abcd" || u.Media != m || !u.CreatedAt.Equal(t0) {
		t.Fatalf("MediaUploadByKey = %+v, %v", u, err)
	}
	if _, err := s.MediaUploadByKey(ctx, "user:7:nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("MediaUploadByKey(unknown) = %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		n, err := tx.PruneMediaUploads(ctx, at(2*time.Hour)) // strictly older
		if err != nil || n != 1 {
			return fmt.Errorf("pruned %d, %v; want 1", n, err)
		}
		return nil
	})
	if _, err := s.MediaUploadByKey(ctx, "user:7:k1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after pruning: %v", err)
	}
	if _, err := s.MediaUploadByKey(ctx, "user:7:k2"); err != nil {
		t.Fatalf("a newer upload was pruned: %v", err)
	}
}

func testBadCursorOutbound(t *testing.T, s store.Store) {
	for name, fn := range map[string]func() error{
		"users": func() error {
			_, err := s.ListUsers(ctx, store.UserFilter{PageRequest: store.PageRequest{Cursor: "not-ours"}})
			return err
		},
		"tokens": func() error {
			_, err := s.ListTokens(ctx, store.TokenFilter{PageRequest: store.PageRequest{Cursor: "%%%"}})
			return err
		},
		"deliveries": func() error {
			_, err := s.ListDeliveries(ctx, store.DeliveryFilter{PageRequest: store.PageRequest{Cursor: "eA"}})
			return err
		},
		"recipients": func() error {
			_, err := s.ListRecipients(ctx, 1, store.RecipientFilter{PageRequest: store.PageRequest{Cursor: "not-ours"}})
			return err
		},
	} {
		if err := fn(); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("%s: %v, want ErrBadCursor", name, err)
		}
	}
}

func testMediaRefs(t *testing.T, s store.Store) {
	f := seed(t, s, "+15551230060")             // unassigned
	g := seed2(t, s, f.account, "+15551230061") // assigned to user 7 below
	update(t, s, func(tx store.Tx) error {
		return tx.UpsertAccount(ctx, &domain.Account{ID: "acct-2", CreatedAt: t0, UpdatedAt: t0})
	})
	h := seed2(t, s, "acct-2", "+15551230062")
	var inF, inG, inH store.Message
	update(t, s, func(tx store.Tx) error {
		g.AssigneeID = ptr(int64(7))
		if err := tx.UpdateConversation(ctx, &g, store.ConvAssignment); err != nil {
			return err
		}
		inF, inG, inH = newMsg(f.conv.ID, f.account, "wamid.m1", t0), newMsg(g.ID, f.account, "wamid.m2", t0), newMsg(h.ID, "acct-2", "wamid.m3", t0)
		for _, m := range []*store.Message{&inF, &inG, &inH} {
			if _, err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		for _, r := range []store.MediaRef{
			{MediaID: "100", MessageID: inG.ID, AccountID: f.account},
			{MediaID: "100", MessageID: inG.ID, AccountID: f.account}, // again: nothing changes
			{MediaID: "200", MessageID: inF.ID, AccountID: f.account},
			{MediaID: "200", MessageID: inG.ID, AccountID: f.account}, // one id in two messages
			{MediaID: "300", MessageID: inH.ID, AccountID: "acct-2"},
			{MediaID: "400", AccountID: f.account, UploadedBy: ptr(int64(9))},
			{MediaID: "500", AccountID: "acct-2"},
		} {
			if err := tx.AddMediaRef(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	agent7 := store.MediaFilter{VisibleTo: ptr(int64(7)), Uploads: true, UploadedBy: ptr(int64(7))}
	agent8 := store.MediaFilter{VisibleTo: ptr(int64(8)), Uploads: true, UploadedBy: ptr(int64(8))}
	agent9 := store.MediaFilter{VisibleTo: ptr(int64(9)), Uploads: true, UploadedBy: ptr(int64(9))}
	everyone := store.MediaFilter{Uploads: true}
	configured := store.MediaFilter{Uploads: true, ExcludeAccountIDs: []string{"acct-2"}}
	check := func(name, id string, f store.MediaFilter, want bool) {
		t.Helper()
		if got, err := s.MediaSeen(ctx, id, f); err != nil || got != want {
			t.Errorf("%s: MediaSeen(%s) = %v, %v; want %v", name, id, got, err, want)
		}
	}
	check("never seen", "999", everyone, false)
	check("assignee", "100", agent7, true)
	check("another agent", "100", agent8, false)
	check("unassigned to anyone", "200", agent8, true)
	check("everyone", "100", everyone, true)
	check("an excluded number", "300", configured, false)
	check("an included number", "300", everyone, true)
	check("the uploader", "400", agent9, true)
	check("another user's upload", "400", agent8, false)
	check("any upload", "400", everyone, true)
	check("uploads not asked for", "400", store.MediaFilter{}, false)
	check("an excluded number's upload", "500", configured, false)
	// A message counts where it is now: moved into g, it is user 7's.
	update(t, s, func(tx store.Tx) error { return tx.MoveMessages(ctx, f.conv.ID, g.ID) })
	check("moved to an assigned conversation", "200", agent8, false)
	check("moved to the assignee", "200", agent7, true)
	// Gone with its conversation: nobody's.
	update(t, s, func(tx store.Tx) error { return tx.DeleteConversation(ctx, h.ID) })
	check("a deleted message", "300", everyone, false)
}

func testKeyedAnswers(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if _, err := tx.KeyedAnswer(ctx, "user:7:k1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("KeyedAnswer(unknown) = %v", err)
		}
		ok, err := tx.InsertKeyedAnswer(ctx, store.KeyedAnswer{Key: "user:7:k1", RequestHash: "h1", Answer: []byte(`{"id":1}`), CreatedAt: t0})
		if err != nil || !ok {
			return fmt.Errorf("InsertKeyedAnswer = %v, %v", ok, err)
		}
		// A second answer for the key changes nothing.
		ok, err = tx.InsertKeyedAnswer(ctx, store.KeyedAnswer{Key: "user:7:k1", RequestHash: "h2", Answer: []byte(`{"id":2}`), CreatedAt: at(time.Hour)})
		if err != nil || ok {
			return fmt.Errorf("InsertKeyedAnswer(same key) = %v, %v", ok, err)
		}
		a, err := tx.KeyedAnswer(ctx, "user:7:k1")
		if err != nil || a.RequestHash != "h1" || string(a.Answer) != `{"id":1}` || !a.CreatedAt.Equal(t0) {
			return fmt.Errorf("KeyedAnswer = %+v, %v", a, err)
		}
		_, err = tx.InsertKeyedAnswer(ctx, store.KeyedAnswer{Key: "user:7:k2", RequestHash: "h", Answer: []byte(`true`), CreatedAt: at(2 * time.Hour)})
		return err
	})
	update(t, s, func(tx store.Tx) error {
		n, err := tx.PruneKeyedAnswers(ctx, at(2*time.Hour)) // strictly older
		if err != nil || n != 1 {
			return fmt.Errorf("pruned %d, %v; want 1", n, err)
		}
		if _, err := tx.KeyedAnswer(ctx, "user:7:k1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("after pruning: %v", err)
		}
		if _, err := tx.KeyedAnswer(ctx, "user:7:k2"); err != nil {
			return fmt.Errorf("a newer answer was pruned: %v", err)
		}
		return nil
	})
}
