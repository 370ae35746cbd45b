package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// SignatureHeader is the header Meta signs webhook bodies in.
const SignatureHeader = "X-Hub-Signature-256"

// Sign returns the X-Hub-Signature-256 value for body: "sha256=" followed by
// the hex HMAC-SHA256 of the exact bytes, keyed with the app secret.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// event is one notification waiting to be posted. Messages and statuses for
// the same business number can share a body; anything else goes alone.
type event struct {
	key     string // ordering key: the customer's wa_id, or "waba"
	phoneID string
	contact *wireContact
	message *wireMessage
	status  *wireStatus
	// value is a complete change value for non-batchable notifications.
	value any
	field string
}

func (e event) kind() string {
	switch {
	case e.message != nil:
		return "message"
	case e.status != nil:
		return "status"
	default:
		return "other"
	}
}

// dispatcher posts webhooks. Each ordering key hashes to one worker, and a
// worker posts one body at a time, retrying it until it succeeds or is
// dropped, so one customer's events always arrive in the order they happened.
type dispatcher struct {
	s       *Sandbox
	workers []*webhookWorker
	done    chan struct{}
	wg      sync.WaitGroup

	urlMu sync.RWMutex
	url   string

	delivered atomic.Int64 // bodies accepted by the receiver
	events    atomic.Int64 // notifications inside those bodies
	attempts  atomic.Int64 // POSTs made
	failures  atomic.Int64 // POSTs that failed (will be retried)
	dropped   atomic.Int64 // bodies given up on
}

type webhookWorker struct {
	d     *dispatcher
	mu    sync.Mutex
	cond  *sync.Cond
	queue []event
	head  int
	busy  bool
	limit int
}

func newDispatcher(s *Sandbox) *dispatcher {
	d := &dispatcher{s: s, done: make(chan struct{}), url: s.cfg.WebhookURL}
	n := s.cfg.Webhook.Workers
	for i := 0; i < n; i++ {
		w := &webhookWorker{d: d, limit: s.cfg.Webhook.QueueSize}
		w.cond = sync.NewCond(&w.mu)
		d.workers = append(d.workers, w)
	}
	for _, w := range d.workers {
		d.wg.Add(1)
		go w.run()
	}
	return d
}

func (d *dispatcher) webhookURL() string {
	d.urlMu.RLock()
	defer d.urlMu.RUnlock()
	return d.url
}

func (d *dispatcher) setURL(u string) {
	d.urlMu.Lock()
	d.url = u
	d.urlMu.Unlock()
	for _, w := range d.workers {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	}
}

func (d *dispatcher) closed() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// enqueue adds events. While the worker's queue is full it blocks (the
// receiver is slow: backpressure), or, if no webhook URL is set, drops the
// oldest queued event.
func (d *dispatcher) enqueue(evs ...event) {
	for _, e := range evs {
		h := fnv.New32a()
		h.Write([]byte(e.key))
		w := d.workers[h.Sum32()%uint32(len(d.workers))]
		w.mu.Lock()
		for len(w.queue)-w.head >= w.limit && !d.closed() {
			if d.webhookURL() == "" {
				// Nobody to deliver to: forget the oldest event rather
				// than stall the API (Meta drops notifications for apps
				// without a subscription too).
				w.queue[w.head] = event{}
				w.head++
				d.dropped.Add(1)
				continue
			}
			w.cond.Wait()
		}
		if d.closed() {
			w.mu.Unlock()
			return
		}
		w.queue = append(w.queue, e)
		w.cond.Broadcast()
		w.mu.Unlock()
	}
}

// pending counts queued and in-flight events.
func (d *dispatcher) pending() int {
	n := 0
	for _, w := range d.workers {
		w.mu.Lock()
		n += len(w.queue) - w.head
		if w.busy {
			n++
		}
		w.mu.Unlock()
	}
	return n
}

func (d *dispatcher) close() {
	select {
	case <-d.done:
		return
	default:
	}
	close(d.done)
	for _, w := range d.workers {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	}
	d.wg.Wait()
}

// take waits for work and returns the next batch: the first event plus the
// events right behind it of the same kind and number, up to BatchMax.
func (w *webhookWorker) take() ([]event, string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		if w.d.closed() {
			return nil, "", false
		}
		u := w.d.webhookURL()
		if len(w.queue)-w.head > 0 && u != "" {
			first := w.queue[w.head]
			n := 1
			if k := first.kind(); k != "other" {
				for w.head+n < len(w.queue) && n < w.d.s.cfg.Webhook.BatchMax {
					next := w.queue[w.head+n]
					if next.kind() != k || next.phoneID != first.phoneID {
						break
					}
					n++
				}
			}
			batch := make([]event, n)
			copy(batch, w.queue[w.head:w.head+n])
			for i := w.head; i < w.head+n; i++ {
				w.queue[i] = event{}
			}
			w.head += n
			if w.head == len(w.queue) {
				w.queue, w.head = w.queue[:0], 0
			} else if w.head > 4096 && w.head*2 > len(w.queue) {
				w.queue = append(w.queue[:0:0], w.queue[w.head:]...)
				w.head = 0
			}
			w.busy = true
			w.cond.Broadcast()
			return batch, u, true
		}
		w.cond.Wait()
	}
}

func (w *webhookWorker) run() {
	defer w.d.wg.Done()
	for {
		batch, u, ok := w.take()
		if !ok {
			return
		}
		body, err := w.d.s.buildBody(batch)
		if err != nil {
			w.d.s.cfg.Logger.Error("sandbox: webhook body", "err", err)
			w.d.dropped.Add(1)
		} else {
			w.d.deliver(u, body, len(batch))
		}
		w.mu.Lock()
		w.busy = false
		w.cond.Broadcast()
		w.mu.Unlock()
	}
}

// deliver posts body until the receiver answers 2xx, backing off between
// attempts like Meta does. A body is retried as is, so its signature stays
// valid; the URL is re-read before each retry in case it changed.
func (d *dispatcher) deliver(u string, body []byte, events int) {
	cfg := d.s.cfg.Webhook
	sig := Sign(d.s.cfg.AppSecret, body)
	backoff := cfg.RetryBase
	for attempt := 1; ; attempt++ {
		d.attempts.Add(1)
		err := d.post(u, body, sig)
		if err == nil {
			d.delivered.Add(1)
			d.events.Add(int64(events))
			return
		}
		d.failures.Add(1)
		if attempt >= cfg.MaxAttempts {
			d.dropped.Add(1)
			d.s.cfg.Logger.Warn("sandbox: webhook dropped", "attempts", attempt, "err", err)
			return
		}
		select {
		case <-d.done:
			return
		case <-time.After(backoff):
		}
		backoff *= 2
		if backoff > cfg.RetryMax {
			backoff = cfg.RetryMax
		}
		if nu := d.webhookURL(); nu != "" {
			u = nu
		}
	}
}

func (d *dispatcher) post(u string, body []byte, sig string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-d.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set(SignatureHeader, sig)
	resp, err := d.s.cfg.Webhook.Client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// buildBody renders a batch as one notification body.
func (s *Sandbox) buildBody(batch []event) ([]byte, error) {
	first := batch[0]
	var payload webhookPayload
	if first.kind() == "other" {
		payload = webhookPayload{
			Object: "whatsapp_business_account",
			Entry: []webhookEntry{{
				ID:      s.cfg.WABAID,
				Time:    s.clock.Now().Unix(),
				Changes: []webhookChange{{Value: first.value, Field: first.field}},
			}},
		}
	} else {
		v := &messagesValue{MessagingProduct: "whatsapp", Metadata: s.metadata(first.phoneID)}
		seen := map[string]bool{}
		for _, e := range batch {
			if e.message != nil {
				v.Messages = append(v.Messages, e.message)
				if e.contact != nil && !seen[e.contact.WaID] {
					seen[e.contact.WaID] = true
					v.Contacts = append(v.Contacts, e.contact)
				}
			}
			if e.status != nil {
				v.Statuses = append(v.Statuses, e.status)
			}
		}
		payload = webhookPayload{
			Object: "whatsapp_business_account",
			Entry:  []webhookEntry{{ID: s.cfg.WABAID, Changes: []webhookChange{{Value: v, Field: "messages"}}}},
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		return nil, err
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if s.cfg.Webhook.UTF8 {
		return body, nil
	}
	return metaEscape(body), nil
}

// metaEscape rewrites JSON the way Meta's webhook bodies are written: every
// non-ASCII character as a \uXXXX escape with lowercase hex digits
// (surrogate pairs above U+FFFF) and "/" as "\/". Meta signs these escaped
// bytes, so a receiver that re-encodes the body before checking the
// signature fails, as it would in production. Outside strings JSON has
// neither non-ASCII bytes nor slashes, so a byte-level pass is safe.
func metaEscape(b []byte) []byte {
	const hexLower = "0123456789abcdef"
	out := make([]byte, 0, len(b)+len(b)/8)
	put := func(r rune) {
		out = append(out, '\\', 'u', hexLower[r>>12&0xF], hexLower[r>>8&0xF], hexLower[r>>4&0xF], hexLower[r&0xF])
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '/':
			out = append(out, '\\', '/')
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r > 0xFFFF {
				hi, lo := utf16.EncodeRune(r)
				put(hi)
				put(lo)
			} else {
				put(r)
			}
			i += size
		}
	}
	return out
}

// metadata is the metadata block for a business number.
func (s *Sandbox) metadata(phoneID string) wireMetadata {
	if p, ok := s.numbers[phoneID]; ok {
		return wireMetadata{DisplayPhoneNumber: p.DisplayNumber, PhoneNumberID: p.ID}
	}
	return wireMetadata{PhoneNumberID: phoneID}
}

// ErrVerifyFailed is returned by SubscribeWebhook when the receiver does not
// echo the challenge.
var ErrVerifyFailed = errors.New("sandbox: webhook verification failed")

// SubscribeWebhook performs Meta's verification request against callbackURL
// (GET with hub.mode=subscribe, hub.verify_token and a random hub.challenge,
// expecting 200 and the challenge echoed as the body) and, when it passes,
// makes callbackURL the webhook URL. Like Meta's dashboard it refuses to save
// a URL that fails the check.
func (s *Sandbox) SubscribeWebhook(ctx context.Context, callbackURL string) error {
	challenge := strconv.FormatInt(time.Now().UnixNano()%1_000_000_000+1_000_000_000, 10)
	q := url.Values{}
	q.Set("hub.mode", "subscribe")
	q.Set("hub.challenge", challenge)
	q.Set("hub.verify_token", s.cfg.VerifyToken)
	u, err := url.Parse(callbackURL)
	if err != nil {
		return fmt.Errorf("sandbox: callback URL: %w", err)
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + q.Encode()
	} else {
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "facebookplatform/1.0 (+http://developers.facebook.com)")
	resp, err := s.cfg.Webhook.Client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrVerifyFailed, err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK || string(bytes.TrimSpace(got)) != challenge {
		return fmt.Errorf("%w: status %d, body %q", ErrVerifyFailed, resp.StatusCode, got)
	}
	s.SetWebhookURL(callbackURL)
	return nil
}
