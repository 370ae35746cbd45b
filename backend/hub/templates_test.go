package hub

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/testkit"
	"switchboard/backend/whatsapp"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../whatsapp/testdata/webhooks/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTemplateReviewDetails applies Meta's template webhooks (the fixtures
// from its reference) and checks what the template keeps of each.
func TestTemplateReviewDetails(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	get := func(name string) domain.Template {
		t.Helper()
		tp, err := e.svc.GetTemplate(ctx, testAccount, name, "en_US")
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}

	e.ingestRaw(fixture(t, "template_status_rejected_info"))
	tp := get("order_reminder")
	if tp.Status != "REJECTED" || tp.RejectedReason != "INVALID_FORMAT" || tp.RejectionInfo == nil ||
		tp.RejectionInfo.Reason != "Variables can't be next to each other." || tp.RejectionInfo.Recommendation == "" {
		t.Fatalf("rejected = %+v", tp)
	}

	e.ingestRaw(fixture(t, "template_status_approved"))
	e.ingestRaw(fixture(t, "template_status_paused"))
	tp = get("order_confirmation")
	if tp.Status != "PAUSED" || tp.StatusInfo == nil || tp.StatusInfo.Title != "FIRST_PAUSE" || tp.RejectionInfo != nil {
		t.Fatalf("paused = %+v", tp)
	}

	e.ingestRaw(fixture(t, "template_category_pending"))
	tp = get("welcome_back")
	c := tp.CategoryChange
	if c == nil || !c.Pending || c.Correct != "MARKETING" || c.Current != "UTILITY" || c.EffectiveAt == nil ||
		!c.EffectiveAt.Equal(time.Unix(1745452800, 0)) || tp.Category == "MARKETING" {
		t.Fatalf("announced = %+v (%+v)", tp, c)
	}
	seq := e.svc.LastSeq()
	e.ingestRaw(fixture(t, "template_category"))
	tp = get("welcome_back")
	c = tp.CategoryChange
	if tp.Category != "MARKETING" || c == nil || c.Pending || c.Previous != "UTILITY" || c.New != "MARKETING" {
		t.Fatalf("changed = %+v (%+v)", tp, c)
	}
	evs, _ := e.svc.EventsSince(ctx, seq, 10)
	if len(evs) != 1 || evs[0].Type != domain.EventTemplateUpdated {
		t.Fatalf("events = %+v", evs)
	}
	var streamed domain.Template
	if err := json.Unmarshal(evs[0].Data, &streamed); err != nil || streamed.CategoryChange == nil || streamed.CategoryChange.New != "MARKETING" {
		t.Fatalf("streamed = %s", evs[0].Data)
	}
	// A redelivery changes nothing and emits nothing.
	e.ingestRaw(fixture(t, "template_category"))
	if e.svc.LastSeq() != evs[0].Seq {
		t.Fatal("a redelivered category update emitted an event")
	}
}

func reminderDef() whatsapp.Template {
	return whatsapp.Template{Name: "order_reminder", Language: "en_US", Category: "UTILITY",
		Components: []whatsapp.TemplateComponentDef{{Type: "BODY",
			Text:    "Hello {{1}}, your order {{2}} is ready for pickup at the front desk.",
			Example: &whatsapp.TemplateExample{BodyText: [][]string{{"Ana", "#4521"}}}}}}
}

func TestSubmitTemplateIdempotent(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	svc := se.current()
	created := func() int { return len(se.sb.Templates()) }
	base := created()

	first, err := svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: reminderDef(), IdempotencyKey: "user:1:k1"})
	if err != nil || first.Replayed || first.Template.Status != "PENDING" || first.Template.ID == "" {
		t.Fatalf("first = %+v, %v", first, err)
	}
	// The same key: the first template, nothing sent.
	again, err := svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: reminderDef(), IdempotencyKey: "user:1:k1"})
	if err != nil || !again.Replayed || again.Template.ID != first.Template.ID {
		t.Fatalf("again = %+v, %v", again, err)
	}
	// No key: the name and language are the key.
	again, err = svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: reminderDef()})
	if err != nil || !again.Replayed || again.Template.ID != first.Template.ID {
		t.Fatalf("by name = %+v, %v", again, err)
	}
	if n := created(); n != base+1 {
		t.Fatalf("the sandbox has %d new templates, want 1", n-base)
	}
	// The same key for another template, or another definition under the
	// same name and language, is refused.
	other := reminderDef()
	other.Components[0].Text = "Hello {{1}}, your order {{2}} has shipped and arrives tomorrow."
	if _, err := svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: other, IdempotencyKey: "user:1:k1"}); apierr.CodeOf(err) != apierr.IdempotencyConflict {
		t.Fatalf("reused key: %v", err)
	}
	if _, err := svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: other}); apierr.CodeOf(err) != apierr.Conflict {
		t.Fatalf("same name, other text: %v", err)
	}
	// An invalid definition never reaches Meta.
	bad := reminderDef()
	bad.Components[0].Example = nil
	_, err = svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: bad})
	if e := apierr.As(err); e.Code != apierr.ValidationFailed || e.Field != "components[0].example.body_text" || len(e.Details) == 0 {
		t.Fatalf("invalid: %+v", e)
	}
	if n := created(); n != base+1 {
		t.Fatalf("an invalid definition reached the sandbox")
	}
}

// TestSubmitTemplateAdoptsLostAnswer: Meta created the template but the
// hub never stored the answer (it stopped, or the answer was lost); the
// retry adopts Meta's template instead of failing or creating another.
func TestSubmitTemplateAdoptsLostAnswer(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	api := whatsapp.NewClient(se.sb.URL(), se.sb.AccessToken())
	if _, err := api.CreateTemplate(ctx, testWABA, reminderDef()); err != nil {
		t.Fatal(err)
	}
	n := len(se.sb.Templates())
	res, err := se.current().SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: reminderDef(), IdempotencyKey: "user:1:lost"})
	if err != nil || !res.Replayed || res.Template.ID == "" || res.Template.Status != "PENDING" {
		t.Fatalf("adopted = %+v, %v", res, err)
	}
	if len(se.sb.Templates()) != n {
		t.Fatal("the retry created a second template")
	}
	// Stored with its key: the next retry is answered locally.
	again, err := se.current().SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: reminderDef(), IdempotencyKey: "user:1:lost"})
	if err != nil || !again.Replayed || again.Template.ID != res.Template.ID {
		t.Fatalf("again = %+v, %v", again, err)
	}
}

// TestTemplateReviewLoop: the sandbox reviews on its clock, posts the
// status webhooks, and the hub's template follows: approved, rejected with
// Meta's reason and recommendation, and moved to MARKETING when allowed.
func TestTemplateReviewLoop(t *testing.T) {
	se := newSandboxEnv(t, sbOptions{})
	ctx := context.Background()
	svc := se.current()
	good := reminderDef()
	adjacent := reminderDef()
	adjacent.Name = "order_adjacent"
	adjacent.Components[0].Text = "Hello {{1}} {{2}}, your order is ready for pickup at the front desk."
	promo := reminderDef()
	promo.Name = "order_promo"
	promo.Components[0].Text = "Hello {{1}}, your order {{2}} is ready. Get 20% off your next visit!"
	promo.Extra = map[string]json.RawMessage{"allow_category_change": json.RawMessage("true")}
	var warned []string
	for _, def := range []whatsapp.Template{good, adjacent, promo} {
		res, err := svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: def})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range res.Warnings {
			warned = append(warned, w.Code)
		}
	}
	if len(warned) != 2 || warned[0] != "VAR_ADJACENT" || warned[1] != "CATEGORY_MISMATCH" {
		t.Fatalf("warnings = %v", warned)
	}
	seq := svc.LastSeq()
	se.clock.Advance(time.Minute)
	get := func(name string) domain.Template {
		tp, _ := svc.GetTemplate(ctx, testAccount, name, "en_US")
		return tp
	}
	testkit.Eventually(t, "the sandbox's reviews to arrive", func() bool {
		se.flush()
		return get("order_reminder").Status == "APPROVED" && get("order_adjacent").Status == "REJECTED" && get("order_promo").Status == "APPROVED"
	})
	rej := get("order_adjacent")
	if rej.RejectedReason != "INVALID_FORMAT" || rej.RejectionInfo == nil || rej.RejectionInfo.Reason != "Variables can't be next to each other." || rej.RejectionInfo.Recommendation == "" {
		t.Fatalf("rejected = %+v", rej)
	}
	p := get("order_promo")
	if p.Category != "MARKETING" || p.CategoryChange == nil || p.CategoryChange.Previous != "UTILITY" {
		t.Fatalf("recategorised = %+v", p)
	}
	evs, _ := svc.EventsSince(ctx, seq, 100)
	updates := 0
	for _, ev := range evs {
		if ev.Type == domain.EventTemplateUpdated {
			updates++
		}
	}
	if updates < 3 {
		t.Fatalf("%d template.updated events, want at least 3", updates)
	}
	// Meta announces a category change ahead, then makes it.
	if err := se.sb.SetTemplateCategory("order_reminder:en_US", "MARKETING", true); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the announced category change to arrive", func() bool {
		se.flush()
		c := get("order_reminder").CategoryChange
		return c != nil && c.Pending && c.Correct == "MARKETING"
	})
	if get("order_reminder").Category != "UTILITY" {
		t.Fatal("an announced change changed the category")
	}
	// Deleting one language leaves the others.
	es := reminderDef()
	es.Language = "es"
	es.Components[0].Text = "Hola {{1}}, tu pedido {{2}} está listo para recoger en la recepción."
	if _, err := svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: es}); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteTemplate(ctx, testAccount, "order_reminder", "es"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetTemplate(ctx, testAccount, "order_reminder", "es"); apierr.CodeOf(err) != apierr.NotFound {
		t.Fatalf("es after delete: %v", err)
	}
	if get("order_reminder").Status != "APPROVED" {
		t.Fatal("deleting one language deleted another")
	}
	for _, tp := range se.sb.Templates() {
		if tp.Name == "order_reminder" && tp.Language == "es" {
			t.Fatal("the sandbox still has the deleted language")
		}
	}
	// Meta keeps a deleted name for 30 days.
	_, err := svc.SubmitTemplate(ctx, TemplateSubmission{Account: testAccount, Definition: es})
	if e := apierr.As(err); e.Code != apierr.Conflict {
		t.Fatalf("reuse a deleted name: %+v", e)
	}
}
