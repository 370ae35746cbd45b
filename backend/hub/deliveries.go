package hub

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// Bulk template deliveries: one template, one language, many recipients
// each with their own variables. Each recipient moves
// pending → in_progress → processed_ok | processed_ko (with a reason).
// in_progress lasts until WhatsApp has delivered the message (or it
// failed): Meta accepts sends to numbers that are not on WhatsApp and
// reports the failure in a status webhook moments later, so "sent" alone
// is not success. A message still only "sent" after Config.DeliverySettle
// (the phone is off, say) counts as processed_ok: Meta took it and
// reported no error. The delivery runner (below) does the sending and the
// settling in the background.

// MaxRecipients bounds one delivery.
const MaxRecipients = 10000

// Delivery is a bulk job as the hub keeps it: its API shape plus who
// started it ("user:<id>" or "token:<id>"), which decides who may see it.
type Delivery = store.Delivery

// RecipientInput is one recipient as a request gives it: Row is its
// position (CSV line or array index), Input the phone as written, Phone
// its E.164 form or empty when Invalid says why it is not usable.
type RecipientInput struct {
	Row       int
	Input     string
	Phone     string
	Invalid   string
	Variables map[string]string
}

// DeliveryRequest starts a bulk job: Template and Language name an
// approved template of the account (already resolved by the caller).
type DeliveryRequest struct {
	AccountID  string
	Template   string
	Language   string
	Recipients []RecipientInput
	// CreatedBy is "user:<id>" or "token:<id>"; AuthorID the user recorded
	// as the messages' author (nil for integrations).
	CreatedBy string
	AuthorID  *int64
}

// Validate checks what a request needs besides its account: a template, a
// language and 1 to MaxRecipients recipients.
func (in *DeliveryRequest) Validate() error {
	switch {
	case in.Template == "":
		return apierr.Field(apierr.InvalidRequest, "template", "template is required")
	case in.Language == "":
		return apierr.Field(apierr.InvalidRequest, "language", "language is required")
	case len(in.Recipients) == 0:
		return apierr.Field(apierr.InvalidRequest, "recipients", "give at least one recipient")
	case len(in.Recipients) > MaxRecipients:
		return apierr.Field(apierr.ValidationFailed, "recipients", "at most %d recipients per delivery", MaxRecipients)
	}
	return nil
}

// CreateDelivery stores a job and wakes the runner. Recipients whose
// number is not usable are stored processed_ko (invalid_number) at once,
// so one typo in a list of thousands does not block the rest.
func (s *Service) CreateDelivery(ctx context.Context, in DeliveryRequest) (Delivery, error) {
	if err := in.Validate(); err != nil {
		return Delivery{}, err
	}
	ts, err := s.ListTemplates(ctx, TemplateQuery{Account: in.AccountID, Name: in.Template, Language: in.Language,
		Status: "APPROVED", PageRequest: PageRequest{Limit: 1}})
	if err != nil {
		return Delivery{}, err
	}
	if len(ts.Items) == 0 {
		return Delivery{}, apierr.Field(apierr.TemplateNotFound, "template", "no approved template %q in %s", in.Template, in.Language)
	}
	now := s.now()
	d := Delivery{Delivery: domain.Delivery{AccountID: in.AccountID, Template: in.Template, Language: in.Language,
		State: domain.DeliveryRunning, Progress: domain.DeliveryProgress{Total: len(in.Recipients)}, CreatedAt: now},
		CreatedBy: in.CreatedBy, AuthorID: in.AuthorID}
	recs := make([]domain.DeliveryRecipient, len(in.Recipients))
	for i, rc := range in.Recipients {
		vars := rc.Variables
		if vars == nil {
			vars = map[string]string{}
		}
		recs[i] = domain.DeliveryRecipient{Row: rc.Row, Input: rc.Input, Phone: rc.Phone, Variables: vars,
			State: domain.RecipientPending, UpdatedAt: now}
		if rc.Invalid != "" {
			recs[i].State, recs[i].Reason, recs[i].Detail = domain.RecipientProcessedKO, domain.ReasonInvalidNumber, rc.Invalid
		}
	}
	if err := s.submit(ctx, func(w *wtx) error { return w.tx.InsertDelivery(w.ctx, &d, recs) }); err != nil {
		return Delivery{}, err
	}
	s.deliveries.poke()
	return s.GetDelivery(ctx, d.ID)
}

// GetDelivery returns a job with its progress.
func (s *Service) GetDelivery(ctx context.Context, id int64) (Delivery, error) {
	d, err := s.st.GetDelivery(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, apierr.New(apierr.NotFound, "no delivery %d", id)
	}
	return d, storeErr(err, "delivery")
}

// RecipientQuery filters a job's recipients (in id order).
type RecipientQuery struct {
	PageRequest
	State string
}

// ListRecipients pages through a job's recipients.
func (s *Service) ListRecipients(ctx context.Context, jobID int64, q RecipientQuery) (Page[domain.DeliveryRecipient], error) {
	if err := checkPage(q.PageRequest); err != nil {
		return Page[domain.DeliveryRecipient]{}, err
	}
	p, err := s.st.ListRecipients(ctx, jobID, store.RecipientFilter{PageRequest: q.PageRequest, State: q.State})
	return p, storeErr(err, "recipient")
}

// DeliveryQuery filters ListDeliveries; zero fields do not filter.
type DeliveryQuery struct {
	PageRequest
	// Phone (E.164) keeps jobs with a recipient at that number.
	Phone string
	// Since (inclusive) and Until (exclusive) bound the creation time.
	Since, Until *time.Time
	// CreatedBy keeps one starter's jobs.
	CreatedBy string
}

// ListDeliveries lists jobs, newest first.
func (s *Service) ListDeliveries(ctx context.Context, q DeliveryQuery) (Page[Delivery], error) {
	if err := checkPage(q.PageRequest); err != nil {
		return Page[Delivery]{}, err
	}
	p, err := s.st.ListDeliveries(ctx, store.DeliveryFilter{PageRequest: q.PageRequest, Phone: q.Phone,
		Since: q.Since, Until: q.Until, CreatedBy: q.CreatedBy})
	return p, storeErr(err, "delivery")
}

// deliveryRunner sends pending recipients through the send queue and
// settles in-progress ones from the messages' statuses in the event log.
type deliveryRunner struct {
	s    *Service
	wake chan struct{}
	// inflight maps queued message ids to their recipient, to settle them
	// from message.updated events without a query per event.
	mu       sync.Mutex
	inflight map[int64]*inflightSend
	// dirty says a job may have finished since finishJobs last looked (a
	// recipient changed or a job was created), so idle wake-ups, which
	// come after every commit, cost no write.
	dirty atomic.Bool
}

type inflightSend struct {
	recipient int64
	// sentAt is when Meta accepted the message (zero before).
	sentAt time.Time
}

func newDeliveryRunner(s *Service) *deliveryRunner {
	return &deliveryRunner{s: s, wake: make(chan struct{}, 1), inflight: map[int64]*inflightSend{}}
}

func (d *deliveryRunner) poke() {
	d.dirty.Store(true)
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *deliveryRunner) run(ctx context.Context) {
	events, unsubscribe := d.s.Subscribe()
	defer unsubscribe()
	// Settle first what a previous run left in progress.
	cursor := d.s.LastSeq()
	if _, h, err := d.s.EventBounds(ctx); err == nil {
		cursor = h
	}
	d.reconcile(ctx)
	d.dirty.Store(true)
	for ctx.Err() == nil {
		for d.sendBatch(ctx) {
		}
		cursor = d.follow(ctx, cursor)
		d.settleQuiet(ctx)
		if d.dirty.Swap(false) {
			d.finishJobs(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-events:
		case <-time.After(5 * time.Second):
			d.reconcile(ctx)
			d.dirty.Store(true)
		}
	}
}

// sendBatch queues up to 100 pending recipients; true when there may be
// more.
func (d *deliveryRunner) sendBatch(ctx context.Context) bool {
	items, err := d.s.st.PendingRecipients(ctx, 100)
	if err != nil {
		return false
	}
	// A few sends at once: each waits for its commit, and the committer
	// commits concurrent sends together.
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d.sendOne(ctx, it)
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return false
	}
	return len(items) == 100
}

// sendOne queues one recipient's message.
func (d *deliveryRunner) sendOne(ctx context.Context, it store.PendingRecipient) {
	d.setState(ctx, it.ID, domain.RecipientInProgress, "", "", nil)
	tv := TemplateVariables{}
	for k, v := range it.Variables {
		tv[k], _ = json.Marshal(v)
	}
	req := SendRequest{AccountID: it.AccountID, To: it.Phone, Type: "template",
		Template:       &TemplateRequest{Name: it.Template, Language: LanguageCode(it.Language), Variables: tv},
		IdempotencyKey: "delivery:" + strconv.FormatInt(it.JobID, 10) + ":" + strconv.FormatInt(it.ID, 10),
		AuthorID:       it.AuthorID}
	m, err := d.s.Send(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			d.setState(context.WithoutCancel(ctx), it.ID, domain.RecipientPending, "", "", nil)
			return
		}
		e := apierr.As(err)
		d.settle(ctx, it.ID, domain.RecipientProcessedKO, reasonFor(e.Code), e.Message, nil)
		return
	}
	d.mu.Lock()
	d.inflight[m.ID] = &inflightSend{recipient: it.ID}
	d.mu.Unlock()
	d.setState(ctx, it.ID, domain.RecipientInProgress, "", "", &m.ID)
	d.settleMessage(ctx, m)
}

// reasonFor maps a refused send to the recipient's reason.
func reasonFor(c apierr.Code) string {
	switch c {
	case apierr.InvalidPhone:
		return domain.ReasonInvalidNumber
	case apierr.OptedOut:
		return domain.ReasonOptedOut
	case apierr.TemplateNotFound, apierr.TemplateParamsMismatch, apierr.ValidationFailed, apierr.InvalidRequest:
		return domain.ReasonTemplateError
	case apierr.UpstreamError, apierr.UpstreamUnavailable, apierr.SessionExpired:
		return domain.ReasonMetaError
	}
	return domain.ReasonInternalError
}

func messageErrorText(m domain.Message) string {
	if m.Error == nil {
		return "the message failed"
	}
	return strconv.Itoa(m.Error.Code) + " " + m.Error.Title
}

// follow reads message events after cursor and settles the recipients
// whose message was delivered or failed.
func (d *deliveryRunner) follow(ctx context.Context, cursor int64) int64 {
	for ctx.Err() == nil {
		d.mu.Lock()
		n := len(d.inflight)
		d.mu.Unlock()
		if n == 0 {
			// Nothing to settle: skip to the head without reading the
			// events (sends register before follow runs, in this
			// goroutine, so none can be missed).
			return max(cursor, d.s.LastSeq())
		}
		evs, err := d.s.EventsSince(ctx, cursor, 1000)
		if apierr.CodeOf(err) == apierr.ResyncRequired {
			// Events were pruned past us: settle from the messages
			// themselves instead.
			if o, _, err := d.s.EventBounds(ctx); err == nil {
				cursor = o - 1
			}
			d.reconcile(ctx)
			continue
		}
		if err != nil || len(evs) == 0 {
			return cursor
		}
		for _, ev := range evs {
			if ev.Type != domain.EventMessageUpdated && ev.Type != domain.EventMessageCreated {
				continue
			}
			var m domain.Message
			if json.Unmarshal(ev.Data, &m) != nil {
				continue
			}
			d.settleMessage(ctx, m)
		}
		cursor = evs[len(evs)-1].Seq
	}
	return cursor
}

func (d *deliveryRunner) settleMessage(ctx context.Context, m domain.Message) {
	d.mu.Lock()
	in, ok := d.inflight[m.ID]
	if ok && m.Status == domain.MsgSent && in.sentAt.IsZero() {
		in.sentAt = d.s.now()
		if m.SentAt != nil {
			in.sentAt = *m.SentAt
		}
	}
	d.mu.Unlock()
	if !ok {
		return
	}
	switch m.Status {
	case domain.MsgDelivered, domain.MsgRead:
		d.settle(ctx, in.recipient, domain.RecipientProcessedOK, "", "", &m.ID)
	case domain.MsgFailed:
		d.settle(ctx, in.recipient, domain.RecipientProcessedKO, domain.ReasonMetaError, messageErrorText(m), &m.ID)
	default:
		return
	}
	d.mu.Lock()
	delete(d.inflight, m.ID)
	d.mu.Unlock()
}

// settleQuiet marks processed_ok the messages Meta accepted longer than
// DeliverySettle ago without reporting a failure.
func (d *deliveryRunner) settleQuiet(ctx context.Context) {
	now := d.s.now()
	var done []int64
	d.mu.Lock()
	for mid, in := range d.inflight {
		if !in.sentAt.IsZero() && now.Sub(in.sentAt) >= d.s.cfg.DeliverySettle {
			done = append(done, mid)
		}
	}
	d.mu.Unlock()
	for _, mid := range done {
		d.mu.Lock()
		in := d.inflight[mid]
		delete(d.inflight, mid)
		d.mu.Unlock()
		id := mid
		d.settle(ctx, in.recipient, domain.RecipientProcessedOK, "", "accepted by WhatsApp; no delivery report yet", &id)
	}
}

// reconcile reloads in-progress recipients with a message (after a restart
// or a missed event) and settles them from the message's current status.
func (d *deliveryRunner) reconcile(ctx context.Context) {
	pairs, err := d.s.st.InProgressWithMessage(ctx)
	if err != nil {
		return
	}
	d.mu.Lock()
	for _, p := range pairs {
		if _, ok := d.inflight[p.MessageID]; !ok {
			d.inflight[p.MessageID] = &inflightSend{recipient: p.RecipientID}
		}
	}
	d.mu.Unlock()
	for _, p := range pairs {
		if m, err := d.s.GetMessage(ctx, p.MessageID); err == nil {
			d.settleMessage(ctx, m)
		}
	}
	// A recipient left in_progress without a message was interrupted
	// before its send was committed: send it again (the idempotency key
	// makes that safe).
	before := d.s.now().Add(-time.Minute)
	_ = d.s.submit(ctx, func(w *wtx) error {
		_, err := w.tx.RequeueStaleRecipients(w.ctx, before)
		return err
	})
}

func (d *deliveryRunner) setState(ctx context.Context, id int64, state, reason, detail string, msg *int64) {
	now := d.s.now()
	d.dirty.Store(true)
	_ = d.s.submit(ctx, func(w *wtx) error {
		return w.tx.SetRecipientState(w.ctx, id, state, reason, detail, msg, now)
	})
}

func (d *deliveryRunner) settle(ctx context.Context, id int64, state, reason, detail string, msg *int64) {
	d.setState(ctx, id, state, reason, detail, msg)
	d.s.stats.recipient(state, reason)
}

// finishJobs marks jobs with no recipient left to process as done.
func (d *deliveryRunner) finishJobs(ctx context.Context) {
	now := d.s.now()
	_ = d.s.submit(ctx, func(w *wtx) error {
		_, err := w.tx.FinishDeliveries(w.ctx, now)
		return err
	})
}
