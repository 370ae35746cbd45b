package hub

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/wire"
)

// Outbound webhooks tell external systems (CRMs, n8n, Zapier, Make) what
// happens, from the event log: each subscription has its own cursor in
// the log and its own goroutine, so a slow or failing subscriber delays
// only itself and never ingestion. Delivery is at least once, in order,
// retried with exponential backoff until the subscriber answers 2xx.
//
// Every request carries:
//
//	X-Switchboard-Event            the event type (webhook.test for the test)
//	X-Switchboard-Delivery         the event seq (the idempotency key)
//	X-Switchboard-Timestamp        Unix seconds when this attempt was signed
//	X-Switchboard-Signature-256    sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>
const (
	HeaderWebhookEvent     = "X-Switchboard-Event"
	HeaderWebhookDelivery  = "X-Switchboard-Delivery"
	HeaderWebhookTimestamp = "X-Switchboard-Timestamp"
	HeaderWebhookSignature = "X-Switchboard-Signature-256"
)

// WebhookTestEvent is the type of the request sent when a subscription is
// set.
const WebhookTestEvent = "webhook.test"

// webhookAttemptsKept is how many attempts are kept per subscription.
const webhookAttemptsKept = 200

// WebhookPayload is the body of each outbound webhook request.
type WebhookPayload struct {
	ID             string          `json:"id"`
	Seq            int64           `json:"seq"`
	Type           string          `json:"type"`
	ConversationID int64           `json:"conversation_id,omitempty"`
	At             time.Time       `json:"at"`
	Data           json.RawMessage `json:"data"`
}

// SignWebhook is the signature header value for body: what subscribers
// recompute to check a request came from this hub.
func SignWebhook(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// WebhookEventTypes are the event types a subscription may choose.
var WebhookEventTypes = []string{
	domain.EventMessageCreated, domain.EventMessageUpdated, domain.EventConversationUpdated,
	domain.EventContactUpdated, domain.EventTemplateUpdated, domain.EventCountersUpdated,
	domain.EventNoteCreated, domain.EventAccountUpdated,
}

// WebhookRequest sets the subscription for a URL, the body of PUT
// /v1/webhooks. An empty Secret has one generated; no Events means every
// event.
type WebhookRequest = wire.WebhookRequest

// SetWebhook sets the subscription for in.URL (replacing the events and
// secret of an existing one). The hub first sends a signed webhook.test
// request and refuses a URL that does not answer 2xx. Delivery starts with
// the next event. The answer carries the secret in full.
func (s *Service) SetWebhook(ctx context.Context, in WebhookRequest) (domain.Webhook, error) {
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(in.URL) > 2048 {
		return domain.Webhook{}, apierr.Field(apierr.ValidationFailed, "url", "url must be an absolute http(s) URL without credentials")
	}
	for i, e := range in.Events {
		if !slices.Contains(WebhookEventTypes, e) {
			return domain.Webhook{}, apierr.Field(apierr.ValidationFailed, "events["+strconv.Itoa(i)+"]", "unknown event %q; events are %s", e, strings.Join(WebhookEventTypes, ", "))
		}
	}
	if in.Secret == "" {
		var b [24]byte
		_, _ = rand.Read(b[:])
		in.Secret = "whsec_" + hex.EncodeToString(b[:])
	} else if len(in.Secret) < 16 || len(in.Secret) > 256 {
		return domain.Webhook{}, apierr.Field(apierr.ValidationFailed, "secret", "secret must be 16 to 256 bytes (or omitted to have one generated)")
	}
	now := s.now()
	test, _ := json.Marshal(WebhookPayload{ID: "evt_test", Type: WebhookTestEvent, At: now, Data: json.RawMessage(`{}`)})
	if status, err := s.postWebhook(ctx, in.URL, in.Secret, WebhookTestEvent, 0, test); err != nil {
		return domain.Webhook{}, apierr.Field(apierr.ValidationFailed, "url", "the test request failed: %s", err.Error())
	} else if status < 200 || status > 299 {
		return domain.Webhook{}, apierr.Field(apierr.ValidationFailed, "url", "the test request was answered %d; the URL must answer 2xx", status)
	}
	head := s.LastSeq()
	if _, h, err := s.st.EventBounds(ctx); err == nil {
		head = h
	}
	if in.Events == nil {
		in.Events = []string{}
	}
	w := domain.Webhook{URL: in.URL, Secret: in.Secret, Events: in.Events, Cursor: head, CreatedAt: now, UpdatedAt: now}
	err = s.submit(ctx, func(wt *wtx) error { return wt.tx.UpsertWebhook(wt.ctx, &w) })
	if err != nil {
		return domain.Webhook{}, err
	}
	s.webhooks.reload()
	s.log.Info("webhook subscription set", "webhook_id", w.ID, "host", u.Host)
	w.Secret = in.Secret
	return w, nil
}

// ListWebhooks lists the subscriptions in id order, secrets in full.
func (s *Service) ListWebhooks(ctx context.Context) ([]domain.Webhook, error) {
	ws, err := s.st.ListWebhooks(ctx)
	return ws, storeErr(err, "webhook")
}

// DeleteWebhook ends a subscription; NOT_FOUND when there is none.
func (s *Service) DeleteWebhook(ctx context.Context, id int64) error {
	err := s.submit(ctx, func(w *wtx) error {
		ok, err := w.tx.DeleteWebhook(w.ctx, id)
		if err == nil && !ok {
			return apierr.New(apierr.NotFound, "no webhook %d", id)
		}
		return err
	})
	if err != nil {
		return err
	}
	s.webhooks.reload()
	return nil
}

// webhookDispatcher runs one delivery goroutine per subscription.
type webhookDispatcher struct {
	s       *Service
	mu      sync.Mutex
	workers map[int64]context.CancelFunc
	changed chan struct{}
}

func newWebhookDispatcher(s *Service) *webhookDispatcher {
	return &webhookDispatcher{s: s, workers: map[int64]context.CancelFunc{}, changed: make(chan struct{}, 1)}
}

// reload asks the dispatcher to re-read the subscriptions.
func (d *webhookDispatcher) reload() {
	select {
	case d.changed <- struct{}{}:
	default:
	}
}

// run keeps one worker per subscription until ctx ends. Workers restart
// when a subscription is replaced so they pick up its new settings.
func (d *webhookDispatcher) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	running := map[int64]time.Time{} // id -> updated_at it was started with
	for {
		subs, err := d.s.st.ListWebhooks(ctx)
		if err != nil && ctx.Err() == nil {
			d.s.log.Error("webhooks: listing subscriptions", "err", err)
		}
		seen := map[int64]bool{}
		for _, sub := range subs {
			seen[sub.ID] = true
			if at, ok := running[sub.ID]; ok && at.Equal(sub.UpdatedAt) {
				continue
			}
			d.stopWorker(sub.ID)
			wctx, cancel := context.WithCancel(ctx)
			d.mu.Lock()
			d.workers[sub.ID] = cancel
			d.mu.Unlock()
			running[sub.ID] = sub.UpdatedAt
			wg.Go(func() { d.deliverLoop(wctx, sub) })
		}
		for id := range running {
			if !seen[id] {
				d.stopWorker(id)
				delete(running, id)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-d.changed:
		}
	}
}

func (d *webhookDispatcher) stopWorker(id int64) {
	d.mu.Lock()
	if cancel, ok := d.workers[id]; ok {
		cancel()
		delete(d.workers, id)
	}
	d.mu.Unlock()
}

// deliverLoop follows the log from the subscription's cursor.
func (d *webhookDispatcher) deliverLoop(ctx context.Context, sub domain.Webhook) {
	s := d.s
	wake, unsubscribe := s.Subscribe()
	defer unsubscribe()
	cursor := sub.Cursor
	failures := sub.Failures
	for ctx.Err() == nil {
		evs, err := s.EventsSince(ctx, cursor, 100)
		if apierr.CodeOf(err) == apierr.ResyncRequired {
			// The subscriber was unreachable for longer than the log
			// keeps: those events are gone; carry on from the oldest kept.
			if o, _, err := s.EventBounds(ctx); err == nil && o > cursor+1 {
				s.log.Warn("webhooks: events were pruned before delivery", "webhook_id", sub.ID, "from_seq", cursor+1, "to_seq", o-1)
				cursor = o - 1
				d.saveCursor(ctx, sub.ID, cursor)
			}
			continue
		}
		if err != nil {
			if !sleepCtx(ctx, time.Second) {
				return
			}
			continue
		}
		for _, ev := range evs {
			if len(sub.Events) > 0 && !slices.Contains(sub.Events, ev.Type) {
				cursor = ev.Seq
				continue
			}
			body, _ := json.Marshal(WebhookPayload{ID: "evt_" + strconv.FormatInt(ev.Seq, 10), Seq: ev.Seq, Type: ev.Type,
				ConversationID: ev.ConversationID, At: ev.At, Data: ev.Data})
			for {
				start := time.Now()
				status, err := s.postWebhook(ctx, sub.URL, sub.Secret, ev.Type, ev.Seq, body)
				if ctx.Err() != nil {
					return
				}
				ok := err == nil && status >= 200 && status <= 299
				msg := ""
				switch {
				case err != nil:
					msg = err.Error()
				case !ok:
					msg = "answered " + strconv.Itoa(status)
				}
				failures = d.record(ctx, sub.ID, ev.Seq, failures, status, msg, time.Since(start), ok)
				if ok {
					s.stats.webhookOK.Add(1)
					break
				}
				s.stats.webhookFailed.Add(1)
				if !sleepCtx(ctx, d.backoff(failures)) {
					return
				}
			}
			cursor = ev.Seq
			d.saveCursor(ctx, sub.ID, cursor)
		}
		if len(evs) > 0 {
			d.saveCursor(ctx, sub.ID, cursor)
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(5 * time.Second):
		}
	}
}

// backoff is the delay after the n-th consecutive failure.
func (d *webhookDispatcher) backoff(failures int) time.Duration {
	cfg := &d.s.cfg
	b := cfg.WebhookBackoff
	for i := 1; i < failures && b < cfg.WebhookMaxBackoff; i++ {
		b *= 2
	}
	return min(b, cfg.WebhookMaxBackoff)
}

// record keeps the attempt (the last webhookAttemptsKept per subscription)
// and the subscription's failure streak, returning the new streak.
func (d *webhookDispatcher) record(ctx context.Context, id, seq int64, failures, status int, msg string, took time.Duration, ok bool) int {
	if ok {
		failures = 0
	} else {
		failures++
	}
	a := store.WebhookAttempt{SubscriptionID: id, Seq: seq, Attempt: failures, Status: status, Error: msg, Duration: took, At: d.s.now()}
	_ = d.s.submit(ctx, func(w *wtx) error {
		if err := w.tx.AddWebhookAttempt(w.ctx, &a, webhookAttemptsKept); err != nil {
			return err
		}
		return w.tx.SetWebhookFailures(w.ctx, id, failures, msg)
	})
	return failures
}

func (d *webhookDispatcher) saveCursor(ctx context.Context, id, cursor int64) {
	_ = d.s.submit(ctx, func(w *wtx) error { return w.tx.AdvanceWebhookCursor(w.ctx, id, cursor) })
}

// postWebhook sends one signed request and returns the status.
func (s *Service) postWebhook(ctx context.Context, target, secret, typ string, seq int64, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Switchboard-Hub")
	h.Set(HeaderWebhookEvent, typ)
	h.Set(HeaderWebhookDelivery, strconv.FormatInt(seq, 10))
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(s.now().Unix(), 10))
	h.Set(HeaderWebhookSignature, SignWebhook(secret, body))
	resp, err := s.cfg.WebhookHTTP.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("no answer: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// sleepCtx waits d or until ctx ends (false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// OutboundStats counts what the background workers did since the start,
// for metrics.
type OutboundStats struct {
	// WebhookAttemptsOK and WebhookAttemptsFailed count outbound webhook
	// requests by outcome.
	WebhookAttemptsOK     int64
	WebhookAttemptsFailed int64
	// Recipients counts bulk delivery recipients settled, by state and
	// reason.
	Recipients map[RecipientOutcome]int64
}

// RecipientOutcome is a settled recipient's state and reason.
type RecipientOutcome struct{ State, Reason string }

// outboundStats is OutboundStats as it is kept.
type outboundStats struct {
	webhookOK, webhookFailed atomic.Int64
	mu                       sync.Mutex
	recipients               map[RecipientOutcome]int64
}

func (o *outboundStats) recipient(state, reason string) {
	o.mu.Lock()
	if o.recipients == nil {
		o.recipients = map[RecipientOutcome]int64{}
	}
	o.recipients[RecipientOutcome{state, reason}]++
	o.mu.Unlock()
}

// OutboundStats returns the workers' counts.
func (s *Service) OutboundStats() OutboundStats {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	out := OutboundStats{WebhookAttemptsOK: s.stats.webhookOK.Load(), WebhookAttemptsFailed: s.stats.webhookFailed.Load(),
		Recipients: make(map[RecipientOutcome]int64, len(s.stats.recipients))}
	for k, v := range s.stats.recipients {
		out.Recipients[k] = v
	}
	return out
}
