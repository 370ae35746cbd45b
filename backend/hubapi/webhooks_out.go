package hubapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
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
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
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

// webhookTestEvent is the type of the request sent when a subscription is set.
const webhookTestEvent = "webhook.test"

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

type webhookInput struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
}

var webhookEventTypes = []string{
	domain.EventMessageCreated, domain.EventMessageUpdated, domain.EventConversationUpdated,
	domain.EventContactUpdated, domain.EventTemplateUpdated, domain.EventCountersUpdated,
	domain.EventNoteCreated, domain.EventAccountUpdated,
}

// handlePutWebhook is PUT /v1/webhooks: sets the subscription for a URL
// (replacing its events and secret). The hub first sends a signed
// webhook.test request and refuses a URL that does not answer 2xx.
// Delivery starts with the next event.
func (s *Server) handlePutWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhookInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(in.URL) > 2048 {
		return apierr.Field(apierr.ValidationFailed, "url", "url must be an absolute http(s) URL without credentials")
	}
	for i, e := range in.Events {
		if !slices.Contains(webhookEventTypes, e) {
			return apierr.Field(apierr.ValidationFailed, "events["+strconv.Itoa(i)+"]", "unknown event %q; events are %s", e, strings.Join(webhookEventTypes, ", "))
		}
	}
	if in.Secret == "" {
		var b [24]byte
		_, _ = rand.Read(b[:])
		in.Secret = "whsec_" + hex.EncodeToString(b[:])
	} else if len(in.Secret) < 16 || len(in.Secret) > 256 {
		return apierr.Field(apierr.ValidationFailed, "secret", "secret must be 16 to 256 bytes (or omitted to have one generated)")
	}
	ctx := r.Context()
	now := s.now().UTC()
	test, _ := json.Marshal(WebhookPayload{ID: "evt_test", Type: webhookTestEvent, At: now, Data: json.RawMessage(`{}`)})
	if status, err := s.webhooks.post(ctx, in.URL, in.Secret, webhookTestEvent, 0, test); err != nil {
		return apierr.Field(apierr.ValidationFailed, "url", "the test request failed: %s", err.Error())
	} else if status < 200 || status > 299 {
		return apierr.Field(apierr.ValidationFailed, "url", "the test request was answered %d; the URL must answer 2xx", status)
	}
	head := s.broker.headSeq()
	if _, h, err := s.core.EventBounds(ctx); err == nil {
		head = h
	}
	var out wire.Webhook
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		ts := formatTime(now)
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_subscriptions (url, secret, events, cursor, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET secret = excluded.secret, events = excluded.events, failures = 0, last_error = '', updated_at = excluded.updated_at`,
			in.URL, in.Secret, strings.Join(in.Events, " "), head, ts, ts)
		if err != nil {
			return err
		}
		out, err = s.webhooks.get(ctx, tx, in.URL)
		return err
	})
	if err != nil {
		return err
	}
	s.webhooks.reload()
	s.log.Info("webhook subscription set", "webhook_id", out.ID, "host", u.Host)
	out.Secret = in.Secret
	return s.writeData(w, http.StatusOK, out)
}

// handleListWebhooks is GET /v1/webhooks (secrets masked).
func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) error {
	subs, err := s.webhooks.list(r.Context())
	if err != nil {
		return err
	}
	for i := range subs {
		subs[i].Secret = maskSecret(subs[i].Secret)
	}
	return s.writeList(w, subs, Pagination{})
}

// handleDeleteWebhook is DELETE /v1/webhooks/{id}.
func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := s.db.Write.ExecContext(r.Context(), `DELETE FROM webhook_subscriptions WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apierr.New(apierr.NotFound, "no webhook %d", id)
	}
	s.webhooks.reload()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func maskSecret(s string) string {
	if len(s) <= 10 {
		return "…"
	}
	return s[:10] + "…"
}

// webhookDispatcher runs one delivery goroutine per subscription.
type webhookDispatcher struct {
	s       *Server
	mu      sync.Mutex
	workers map[int64]context.CancelFunc
	changed chan struct{}
}

func newWebhookDispatcher(s *Server) *webhookDispatcher {
	return &webhookDispatcher{s: s, workers: map[int64]context.CancelFunc{}, changed: make(chan struct{}, 1)}
}

// reload asks the dispatcher to re-read the subscriptions.
func (d *webhookDispatcher) reload() {
	select {
	case d.changed <- struct{}{}:
	default:
	}
}

const webhookColumns = `id, url, secret, events, cursor, failures, last_error, created_at, updated_at`

func scanWebhook(row interface{ Scan(...any) error }) (wire.Webhook, error) {
	var (
		w                wire.Webhook
		events           string
		created, updated string
	)
	err := row.Scan(&w.ID, &w.URL, &w.Secret, &events, &w.Cursor, &w.Failures, &w.LastError, &created, &updated)
	w.Events = strings.Fields(events)
	if w.Events == nil {
		w.Events = []string{}
	}
	w.CreatedAt, w.UpdatedAt = parseTime(created), parseTime(updated)
	return w, err
}

func (d *webhookDispatcher) get(ctx context.Context, tx *sql.Tx, u string) (wire.Webhook, error) {
	return scanWebhook(tx.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhook_subscriptions WHERE url = ?`, u))
}

func (d *webhookDispatcher) list(ctx context.Context) ([]wire.Webhook, error) {
	rows, err := d.s.db.Read.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhook_subscriptions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []wire.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// run keeps one worker per subscription until ctx ends. Workers restart
// when a subscription is replaced so they pick up its new settings.
func (d *webhookDispatcher) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	running := map[int64]string{} // id -> updated_at it was started with
	for {
		subs, err := d.list(ctx)
		if err != nil && ctx.Err() == nil {
			d.s.log.Error("webhooks: listing subscriptions", "err", err)
		}
		seen := map[int64]bool{}
		for _, sub := range subs {
			seen[sub.ID] = true
			stamp := formatTime(sub.UpdatedAt)
			if running[sub.ID] == stamp {
				continue
			}
			d.stopWorker(sub.ID)
			wctx, cancel := context.WithCancel(ctx)
			d.mu.Lock()
			d.workers[sub.ID] = cancel
			d.mu.Unlock()
			running[sub.ID] = stamp
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
func (d *webhookDispatcher) deliverLoop(ctx context.Context, sub wire.Webhook) {
	cursor := sub.Cursor
	failures := sub.Failures
	for ctx.Err() == nil {
		wake := d.s.broker.wakeChan()
		evs, err := d.s.core.EventsSince(ctx, cursor, 100)
		if apierr.CodeOf(err) == apierr.ResyncRequired {
			// The subscriber was unreachable for longer than the log
			// keeps: those events are gone; carry on from the oldest kept.
			if o, _, err := d.s.core.EventBounds(ctx); err == nil && o > cursor+1 {
				d.s.log.Warn("webhooks: events were pruned before delivery", "webhook_id", sub.ID, "from_seq", cursor+1, "to_seq", o-1)
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
				status, err := d.post(ctx, sub.URL, sub.Secret, ev.Type, ev.Seq, body)
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
					d.s.metrics.webhookAttempts.WithLabelValues("ok").Inc()
					break
				}
				d.s.metrics.webhookAttempts.WithLabelValues("failed").Inc()
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
	b := d.s.cfg.WebhookBackoff
	for i := 1; i < failures && b < d.s.cfg.WebhookMaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.s.cfg.WebhookMaxBackoff)
}

// record keeps the attempt (the last 200 per subscription) and the
// subscription's failure streak, returning the new streak.
func (d *webhookDispatcher) record(ctx context.Context, id, seq int64, failures, status int, msg string, took time.Duration, ok bool) int {
	if ok {
		failures = 0
	} else {
		failures++
	}
	now := formatTime(d.s.now())
	_ = d.s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (subscription_id, seq, attempt, status, error, duration_ms, at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, seq, failures, status, msg, took.Milliseconds(), now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_attempts WHERE subscription_id = ? AND id <= (
			SELECT id FROM webhook_attempts WHERE subscription_id = ? ORDER BY id DESC LIMIT 1 OFFSET 200)`, id, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET failures = ?, last_error = ? WHERE id = ?`, failures, msg, id)
		return err
	})
	return failures
}

func (d *webhookDispatcher) saveCursor(ctx context.Context, id, cursor int64) {
	_, _ = d.s.db.Write.ExecContext(ctx, `UPDATE webhook_subscriptions SET cursor = ? WHERE id = ? AND cursor < ?`, cursor, id, cursor)
}

// post sends one signed request and returns the status.
func (d *webhookDispatcher) post(ctx context.Context, target, secret, typ string, seq int64, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Switchboard-Hub")
	h.Set(HeaderWebhookEvent, typ)
	h.Set(HeaderWebhookDelivery, strconv.FormatInt(seq, 10))
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(d.s.now().Unix(), 10))
	h.Set(HeaderWebhookSignature, SignWebhook(secret, body))
	resp, err := d.s.cfg.WebhookHTTP.Do(req)
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
