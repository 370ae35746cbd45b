package sandbox

import (
	"bytes"
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Sandbox is a fake-but-real WhatsApp Cloud API: an http.Handler answering
// the Graph endpoints plus a webhook sender and a simulated customer
// population. Create it with New; serve it with Start or any http.Server
// (httptest.NewServer(sb) works); stop it with Close. All methods are safe
// for concurrent use.
type Sandbox struct {
	cfg   Config
	clock Clock
	ids   *idSource

	numbers    map[string]*phoneState // the map is immutable after New; QualityRating is guarded by mu
	numberList []*phoneState
	tokens     [][]byte

	// mu guards everything below it.
	mu            sync.Mutex
	rng           *rand.Rand
	customers     map[string]*customer
	customerList  []*customer
	messages      *messageStore
	templates     *templateStore
	media         *mediaStore
	samples       sampleMedia
	undeliverable map[string]bool

	disp    *dispatcher
	traffic *trafficGen

	srvMu    sync.Mutex
	server   *http.Server
	listener net.Listener
	url      string

	closed atomic.Bool

	outboundAccepted atomic.Int64
	outboundRejected atomic.Int64
	inboundSent      atomic.Int64
	throttled        atomic.Int64
}

// phoneState is a business number and its throughput bucket.
type phoneState struct {
	PhoneNumber
	limiter *rate.Limiter
}

// New builds a sandbox from cfg (zero fields take defaults). It does not
// listen: call Start, or mount the sandbox as an http.Handler.
func New(cfg Config) (*Sandbox, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Sandbox{
		cfg:           cfg,
		clock:         cfg.Clock,
		ids:           newIDSource(cmp.Or(cfg.IDSeed, cfg.Seed)),
		numbers:       map[string]*phoneState{},
		rng:           rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		customers:     map[string]*customer{},
		messages:      newMessageStore(cfg.MaxStoredMessages),
		media:         newMediaStore(cfg.MaxMediaBytes, cfg.MaxStoredMessages),
		undeliverable: map[string]bool{},
	}
	for _, t := range cfg.AccessTokens {
		s.tokens = append(s.tokens, []byte(t))
	}
	for _, p := range cfg.PhoneNumbers {
		burst := int(p.Throughput)
		if burst < 1 {
			burst = 1
		}
		ps := &phoneState{PhoneNumber: p, limiter: rate.NewLimiter(rate.Limit(p.Throughput), burst)}
		s.numbers[p.ID] = ps
		s.numberList = append(s.numberList, ps)
	}
	for _, n := range cfg.UndeliverableNumbers {
		s.undeliverable[digitsOnly(n)] = true
	}
	s.templates = newTemplateStore()
	if !cfg.NoStarterTemplates {
		s.addStarterTemplates()
	}
	s.initSamples()
	s.buildPopulation()
	s.disp = newDispatcher(s)
	s.traffic = newTrafficGen(s)
	if cfg.Customers.Autostart && cfg.Customers.Rate > 0 {
		s.traffic.setRate(cfg.Customers.Rate)
	}
	return s, nil
}

// Start listens on addr (for example "127.0.0.1:0") and serves the sandbox
// in the background. It returns the base URL, e.g. "http://127.0.0.1:41234";
// give the hub that URL as the Graph base URL.
func (s *Sandbox) Start(addr string) (string, error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.server != nil {
		return "", errors.New("sandbox: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sandbox: listen: %w", err)
	}
	s.listener = ln
	s.url = "http://" + ln.Addr().String()
	s.server = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.server.Serve(ln) }()
	return s.url, nil
}

// URL returns the base URL after Start, or "" when the sandbox is mounted
// elsewhere.
func (s *Sandbox) URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.url
}

// Close stops the traffic generator, webhook delivery (queued webhooks are
// dropped), pending timers and, if Start was called, the HTTP server.
func (s *Sandbox) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.traffic.stop()
	s.disp.close()
	s.srvMu.Lock()
	srv := s.server
	s.srvMu.Unlock()
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			return srv.Close()
		}
	}
	return nil
}

// SetWebhookURL sets (or clears, with "") where notifications are posted.
// Events produced while no URL is set wait in the queue.
func (s *Sandbox) SetWebhookURL(u string) { s.disp.setURL(u) }

// WebhookURL returns the current webhook URL.
func (s *Sandbox) WebhookURL() string { return s.disp.webhookURL() }

// AppSecret returns the secret webhooks are signed with.
func (s *Sandbox) AppSecret() string { return s.cfg.AppSecret }

// AccessToken returns the first accepted access token.
func (s *Sandbox) AccessToken() string { return s.cfg.AccessTokens[0] }

// WABAID returns the WhatsApp Business Account id.
func (s *Sandbox) WABAID() string { return s.cfg.WABAID }

// PhoneNumbers returns the business numbers.
func (s *Sandbox) PhoneNumbers() []PhoneNumber {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PhoneNumber, len(s.numberList))
	for i, p := range s.numberList {
		out[i] = p.PhoneNumber
	}
	return out
}

// Clock returns the sandbox clock.
func (s *Sandbox) Clock() Clock { return s.clock }

// Now returns the sandbox time.
func (s *Sandbox) Now() time.Time { return s.clock.Now() }

// ErrClockFixed is returned by Advance when the configured clock cannot be
// moved.
var ErrClockFixed = errors.New("sandbox: the configured clock does not support Advance")

// Advance moves sandbox time forward by d, firing every status, reply and
// template review that became due. It needs a clock implementing Advancer
// (both clocks in this package do).
func (s *Sandbox) Advance(d time.Duration) error {
	a, ok := s.clock.(Advancer)
	if !ok {
		return ErrClockFixed
	}
	a.Advance(d)
	return nil
}

// ErrNoWebhookURL is returned by Flush when events are waiting but no
// webhook URL is set, so they cannot drain.
var ErrNoWebhookURL = errors.New("sandbox: no webhook URL set")

// Flush waits until no webhook is queued or being delivered (timers that
// have not fired yet do not count). Tests call it before asserting.
func (s *Sandbox) Flush(ctx context.Context) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for s.disp.pending() > 0 {
		if s.WebhookURL() == "" {
			return ErrNoWebhookURL
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// Stats are counters for dashboards, tests and benchmarks.
type Stats struct {
	// OutboundAccepted counts sends answered with a wamid.
	OutboundAccepted int64 `json:"outbound_accepted"`
	// OutboundRejected counts sends answered with an error (any code).
	OutboundRejected int64 `json:"outbound_rejected"`
	// Throttled counts sends refused with 130429.
	Throttled int64 `json:"throttled"`
	// InboundSent counts customer messages produced.
	InboundSent int64 `json:"inbound_sent"`
	// WebhooksDelivered counts bodies the receiver accepted.
	WebhooksDelivered int64 `json:"webhooks_delivered"`
	// WebhookEvents counts messages, statuses and updates in those bodies.
	WebhookEvents int64 `json:"webhook_events"`
	// WebhookAttempts counts POSTs, retries included.
	WebhookAttempts int64 `json:"webhook_attempts"`
	// WebhookFailures counts POSTs that failed.
	WebhookFailures int64 `json:"webhook_failures"`
	// WebhooksDropped counts bodies given up after MaxAttempts.
	WebhooksDropped int64 `json:"webhooks_dropped"`
	// WebhooksPending counts events queued or in flight.
	WebhooksPending int `json:"webhooks_pending"`
	// StoredMessages is how many messages are kept in memory.
	StoredMessages int `json:"stored_messages"`
	// Customers is the number of known customers.
	Customers int `json:"customers"`
}

// Stats returns current counters.
func (s *Sandbox) Stats() Stats {
	s.mu.Lock()
	stored, customers := len(s.messages.byID), len(s.customers)
	s.mu.Unlock()
	return Stats{
		OutboundAccepted:  s.outboundAccepted.Load(),
		OutboundRejected:  s.outboundRejected.Load(),
		Throttled:         s.throttled.Load(),
		InboundSent:       s.inboundSent.Load(),
		WebhooksDelivered: s.disp.delivered.Load(),
		WebhookEvents:     s.disp.events.Load(),
		WebhookAttempts:   s.disp.attempts.Load(),
		WebhookFailures:   s.disp.failures.Load(),
		WebhooksDropped:   s.disp.dropped.Load(),
		WebhooksPending:   s.disp.pending(),
		StoredMessages:    stored,
		Customers:         customers,
	}
}

// Messages returns stored messages, newest first, optionally only those of
// one customer (waID != "") and at most limit of them (limit <= 0: all).
func (s *Sandbox) Messages(waID string, limit int) []MessageRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []MessageRecord{}
	s.messages.each(func(m *storedMessage) bool {
		if waID == "" || m.WaID == waID {
			out = append(out, m.MessageRecord)
		}
		return limit <= 0 || len(out) < limit
	})
	return out
}

// Message returns one stored message by wamid.
func (s *Sandbox) Message(id string) (MessageRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.messages.get(id); m != nil {
		return m.MessageRecord, true
	}
	return MessageRecord{}, false
}

// after runs f once sandbox time has moved on by d; with d == 0 it runs f
// right away in the calling goroutine, which keeps zero-delay chains in order
// and cheap.
func (s *Sandbox) after(d time.Duration, f func()) {
	if d <= 0 {
		if !s.closed.Load() {
			f()
		}
		return
	}
	s.clock.AfterFunc(d, func() {
		if !s.closed.Load() {
			f()
		}
	})
}

// ServeHTTP routes Graph paths (/{version}/{id}/{edge}, the version being
// any vNN.N and optional, as on graph.facebook.com), the media download path
// and the /_sandbox admin endpoints.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	segs := strings.Split(path, "/")
	switch segs[0] {
	case "_sandbox":
		s.serveAdmin(w, r, segs[1:])
		return
	case "whatsapp_business":
		if len(segs) == 2 && segs[1] == "attachments" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.handleMediaDownload(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	if versionRe.MatchString(segs[0]) {
		segs = segs[1:]
	}
	if len(segs) == 0 || segs[0] == "" {
		s.writeGraphError(w, errUnknownPath("/"))
		return
	}
	if gerr := s.authenticate(r); gerr != nil {
		s.writeGraphError(w, gerr)
		return
	}
	id := segs[0]
	edge := ""
	if len(segs) > 1 {
		edge = segs[1]
	}
	if len(segs) > 2 {
		s.writeGraphError(w, errUnknownPath("/"+strings.Join(segs[2:], "/")))
		return
	}
	s.route(w, r, id, edge)
}

func (s *Sandbox) route(w http.ResponseWriter, r *http.Request, id, edge string) {
	if p, ok := s.numbers[id]; ok {
		switch {
		case edge == "messages" && r.Method == http.MethodPost:
			s.handleSend(w, r, p)
		case edge == "media" && r.Method == http.MethodPost:
			s.handleMediaUpload(w, r, p.ID)
		case edge == "" && r.Method == http.MethodGet:
			s.handlePhoneNumberGet(w, r, p)
		case edge == "" || edge == "messages" || edge == "media":
			s.writeGraphError(w, errUnknownObject(r.Method, id))
		default:
			s.writeGraphError(w, errUnknownPath("/"+edge))
		}
		return
	}
	if id == s.cfg.WABAID {
		switch {
		case edge == "message_templates" && r.Method == http.MethodGet:
			s.handleTemplateList(w, r)
		case edge == "message_templates" && r.Method == http.MethodPost:
			s.handleTemplateCreate(w, r)
		case edge == "message_templates" && r.Method == http.MethodDelete:
			s.handleTemplateDelete(w, r)
		case edge == "phone_numbers" && r.Method == http.MethodGet:
			s.handlePhoneNumberList(w, r)
		case edge == "" && r.Method == http.MethodGet:
			s.handleWABAGet(w, r)
		case edge == "" || edge == "message_templates" || edge == "phone_numbers":
			s.writeGraphError(w, errUnknownObject(r.Method, id))
		default:
			s.writeGraphError(w, errUnknownPath("/"+edge))
		}
		return
	}
	s.mu.Lock()
	media := s.media.items[id]
	tmpl := s.templates.byID[id]
	s.mu.Unlock()
	switch {
	case media != nil && edge == "" && r.Method == http.MethodGet:
		s.handleMediaGet(w, r, media)
	case media != nil && edge == "" && r.Method == http.MethodDelete:
		s.handleMediaDelete(w, id)
	case tmpl != nil && edge == "" && r.Method == http.MethodGet:
		s.handleTemplateGet(w, r, id)
	default:
		s.writeGraphError(w, errUnknownObject(r.Method, id))
	}
}

// authenticate checks the bearer token (or the access_token query
// parameter, which Graph also accepts) in constant time.
func (s *Sandbox) authenticate(r *http.Request) *GraphError {
	tok := ""
	if h := r.Header.Get("Authorization"); h != "" {
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			tok = strings.TrimSpace(h[7:])
		} else {
			return errInvalidToken()
		}
	} else {
		tok = r.URL.Query().Get("access_token")
	}
	if tok == "" {
		return errNoToken()
	}
	ok := 0
	for _, t := range s.tokens {
		ok |= subtle.ConstantTimeCompare(t, []byte(tok))
	}
	if ok != 1 {
		return errInvalidToken()
	}
	return nil
}

// baseURL is the scheme and host media URLs point at.
func (s *Sandbox) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// writeJSON writes v as Graph does: "/" as "\/" and non-ASCII characters as
// \u escapes, so clients see the same bytes as from graph.facebook.com.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(metaEscape(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
}

func digitsOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
