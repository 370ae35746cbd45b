// Package hub is Switchboard's hub: it ingests WhatsApp webhooks, keeps
// contacts, conversations, messages, templates, opt-outs and notes,
// enforces WhatsApp's rules before anything is sent, sends through a durable
// paced queue, and records every change in an event log that feeds the
// realtime stream and the desktop sync. Around that core it keeps who may
// call it and what it tells the outside world, one file per service:
// users.go (agents, supervisors, admins), tokens.go (API and bootstrap
// tokens, authentication), sessions.go (sign-in and its lockout),
// webhooks.go (outbound webhook subscriptions and their dispatcher),
// deliveries.go (bulk template jobs and their runner) and media_uploads.go
// (remembered uploads for Idempotency-Key).
//
// Every table is behind one store.Store (package store; SQLite in
// sqlitestore, opened by the caller and passed in Config.Store), and every
// background worker — the committer, the send workers, the ticker, the
// outbound webhook dispatcher, the bulk delivery runner — starts in New and
// stops in Close. The HTTP layer (package hubapi) is a thin adapter: every
// operation here is a plain method that takes a context and returns domain
// values or an *apierr.Error with a stable code. The requests it takes
// that are also API bodies (SendRequest, ConversationUpdate, UserInput,
// TokenRequest, LoginRequest, ContactInput, WebhookRequest) are package
// wire's types under the hub's names, so the API hands them on as it
// decodes them.
//
// # Writes
//
// Every write goes through one committer goroutine that applies many
// requests — webhook bodies, sends, conversation updates — in one SQLite
// transaction and then wakes every caller (group commit). A caller returns
// only after its own change is durably committed, so IngestWebhook answers
// Meta 200 only for bodies that are on disk, and Send answers only for
// messages that a restart will still send. Because the committer is the only
// writer, it keeps the conversations and contacts it touches in memory and
// derives counters from the changes it makes rather than by scanning.
package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/whatsapp"
)

// MaxWebhookBytes is Meta's cap on a webhook body (3 MB); larger bodies are
// refused with PAYLOAD_TOO_LARGE before anything is parsed or stored.
const MaxWebhookBytes = 3 << 20

// DefaultThroughput is the messages per second an account is paced at when
// its throughput is unknown: the Cloud API's standard level.
const DefaultThroughput = 80

// Clock tells the hub the time. Tests and the sandbox's controllable clock
// implement it to move time (the 24-hour window, snoozes) without waiting.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// CloudAPI is what the hub needs from the WhatsApp Cloud API;
// *whatsapp.Client implements it.
type CloudAPI interface {
	Send(ctx context.Context, phoneNumberID string, m *whatsapp.OutboundMessage) (*whatsapp.SendResult, error)
	MarkRead(ctx context.Context, phoneNumberID, messageID string, typing bool) error
	ListTemplates(ctx context.Context, wabaID string, f whatsapp.TemplateFilter) ([]whatsapp.Template, error)
	CreateTemplate(ctx context.Context, wabaID string, t whatsapp.Template) (*whatsapp.TemplateCreated, error)
	DeleteTemplate(ctx context.Context, wabaID, name, templateID string) error
}

var _ CloudAPI = (*whatsapp.Client)(nil)

// Config configures a Service. Store is required; everything else has a
// working default.
type Config struct {
	// Store is where the hub keeps its state (sqlitestore.Open for SQLite).
	// New migrates it; the Service never closes it: the caller closes it
	// after Close.
	Store store.Store

	// Accounts are the business numbers to serve (their ids and WABA ids
	// must be Meta's: digits); they are upserted at start (message counts
	// are kept) and are the only ones that send, upload and sync templates
	// (Account.Configured). A number seen only in webhooks (Meta sends them
	// for every number subscribed to the app) is added unconfigured as it
	// appears: its messages are kept and visible to admins only, and it
	// sends nothing until it is listed here.
	Accounts []domain.Account
	// API sends through the Cloud API. Nil leaves sends queued (they go out
	// once a Service with an API starts on the same database).
	API CloudAPI
	// APIFor, when set, picks the client per account (numbers under
	// different tokens); it falls back to API when it returns nil.
	APIFor func(accountID string) CloudAPI

	// AppSecret checks webhook signatures; VerifyToken answers Meta's
	// subscription handshake.
	AppSecret   string
	VerifyToken string

	// Clock defaults to the system clock.
	Clock Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	// Lanes is the number of concurrent senders per account (default 32).
	// One recipient's messages always share a lane, so they leave in order.
	Lanes int
	// RetryBase and RetryMax bound the exponential backoff between attempts
	// of a retryable send (defaults 1s and 5m); MaxAttempts fails a message
	// after that many tries (default 10).
	RetryBase   time.Duration
	RetryMax    time.Duration
	MaxAttempts int
	// SendTimeout bounds one Cloud API call (default 30s).
	SendTimeout time.Duration

	// The event log keeps at most EventRetention events (default
	// 1,000,000) and none older than EventMaxAge (default 7 days); the
	// newest event is always kept. A client behind the oldest kept event
	// must resync.
	EventRetention int
	EventMaxAge    time.Duration
	// RawWebhookMaxAge is how long processed webhook bodies are kept
	// (default 7 days).
	RawWebhookMaxAge time.Duration
	// TickInterval is how often snoozes are woken and retention applied
	// (default 1s for snoozes; retention runs every 60 ticks).
	TickInterval time.Duration
	// MaxBatch caps how many writes share one transaction (default 1024).
	MaxBatch int
	// CommitLinger is how long the committer waits for more writes before
	// committing when it is under load (the previous transaction carried
	// 32 writes or more); light traffic is committed at once. Default
	// 2ms; negative disables.
	CommitLinger time.Duration

	// BcryptCost hashes passwords (default bcrypt.DefaultCost; tests use
	// bcrypt.MinCost to stay fast).
	BcryptCost int
	// LoginTokenTTL is how long a sign-in token lives (default 30 days).
	LoginTokenTTL time.Duration
	// LoginMaxFailures wrong passwords within LoginWindow lock the account
	// for the rest of that window (defaults 5 and one minute).
	LoginMaxFailures int
	LoginWindow      time.Duration

	// DeliverySettle is how long a bulk recipient's message may stay
	// "sent" (accepted by Meta, no delivery report) before it counts as
	// processed_ok (default one minute).
	DeliverySettle time.Duration

	// WebhookHTTP sends outbound webhooks (default: 10 s timeout).
	WebhookHTTP *http.Client
	// WebhookBackoff is the first retry delay of a failed outbound
	// webhook, doubling up to WebhookMaxBackoff (defaults 1 s and 10 min).
	WebhookBackoff    time.Duration
	WebhookMaxBackoff time.Duration
}

// Service is the messaging core. Build it with New; it is safe for
// concurrent use.
type Service struct {
	cfg   Config
	st    store.Store
	clock Clock
	log   *slog.Logger

	ops       chan *writeOp
	committed chan struct{} // closed when the committer has exited
	w         *writer       // owned by the committer goroutine
	// opsMu orders sends on ops against Close closing it: a sender holds
	// it for reading while it sends, Close for writing while it sets
	// opsClosed and closes the channel, so no send ever meets a closed
	// channel (which would panic, and is a data race besides).
	opsMu     sync.RWMutex
	opsClosed bool

	accMu    sync.RWMutex
	accounts map[string]domain.Account
	// configured holds the ids of Config.Accounts; set by New, read-only
	// after.
	configured map[string]bool

	// tplSubmitMu serialises template submissions (see SubmitTemplate).
	tplSubmitMu sync.Mutex

	subMu sync.Mutex
	subs  map[chan struct{}]struct{}
	seq   atomic.Int64 // newest committed event seq

	disp  *dispatcher
	canon canonCache

	statBatches atomic.Int64 // committed write transactions
	statOps     atomic.Int64 // writes they carried

	// The background workers beside the committer and the send queue:
	// outbound webhooks and bulk deliveries (see webhooks.go and
	// deliveries.go). Close stops them first.
	webhooks    *webhookDispatcher
	deliveries  *deliveryRunner
	workers     sync.WaitGroup
	stopWorkers context.CancelFunc
	stats       outboundStats

	closing   atomic.Bool
	closeOnce sync.Once
	stopTick  chan struct{}
	tickDone  chan struct{}
}

// New opens the service: it migrates the schema, loads accounts, re-queues
// every send a previous run left queued or in flight, processes webhook
// bodies a previous run accepted but failed to apply, and starts the
// committer, the send workers, the ticker, the outbound webhook dispatcher
// and the bulk delivery runner.
func New(ctx context.Context, cfg Config) (*Service, error) {
	st := cfg.Store
	if st == nil {
		return nil, errors.New("hub: Config.Store is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Lanes <= 0 {
		cfg.Lanes = 32
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 5 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.EventRetention <= 0 {
		cfg.EventRetention = 1_000_000
	}
	if cfg.EventMaxAge <= 0 {
		cfg.EventMaxAge = 7 * 24 * time.Hour
	}
	if cfg.RawWebhookMaxAge <= 0 {
		cfg.RawWebhookMaxAge = 7 * 24 * time.Hour
	}
	if cfg.TickInterval <= 0 {
		cfg.TickInterval = time.Second
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1024
	}
	if cfg.CommitLinger == 0 {
		cfg.CommitLinger = 2 * time.Millisecond
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost
	}
	if cfg.LoginTokenTTL <= 0 {
		cfg.LoginTokenTTL = 30 * 24 * time.Hour
	}
	if cfg.LoginMaxFailures <= 0 {
		cfg.LoginMaxFailures = 5
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = time.Minute
	}
	if cfg.DeliverySettle <= 0 {
		cfg.DeliverySettle = time.Minute
	}
	if cfg.WebhookHTTP == nil {
		cfg.WebhookHTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.WebhookBackoff <= 0 {
		cfg.WebhookBackoff = time.Second
	}
	if cfg.WebhookMaxBackoff <= 0 {
		cfg.WebhookMaxBackoff = 10 * time.Minute
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("hub: migrate: %w", err)
	}
	s := &Service{
		cfg:       cfg,
		st:        st,
		clock:     cfg.Clock,
		log:       cfg.Logger,
		ops:       make(chan *writeOp, 4096),
		committed: make(chan struct{}),
		accounts:  make(map[string]domain.Account),
		subs:      make(map[chan struct{}]struct{}),
		stopTick:  make(chan struct{}),
		tickDone:  make(chan struct{}),
	}
	s.canon.m = make(map[string]string)
	s.w = newWriter(s)
	s.disp = newDispatcher(s)
	if _, newest, err := st.EventBounds(ctx); err == nil {
		s.seq.Store(newest)
	} else {
		return nil, fmt.Errorf("hub: read event log: %w", err)
	}
	go s.runCommitter()

	// Accounts: configured ones first, then whatever the database knows.
	now := s.now()
	s.configured = make(map[string]bool, len(cfg.Accounts))
	for _, a := range cfg.Accounts {
		if err := checkAccountIDs(a); err != nil {
			s.shutdownCommitter()
			return nil, fmt.Errorf("hub: a configured account: %w", err)
		}
		s.configured[a.ID] = true
	}
	for _, a := range cfg.Accounts {
		a := a
		if err := s.submit(ctx, func(w *wtx) error { return w.upsertAccount(&a, now) }); err != nil {
			s.shutdownCommitter()
			return nil, fmt.Errorf("hub: save account %s: %w", a.ID, err)
		}
	}
	accts, err := st.ListAccounts(ctx)
	if err != nil {
		s.shutdownCommitter()
		return nil, fmt.Errorf("hub: load accounts: %w", err)
	}
	s.accMu.Lock()
	for _, a := range accts {
		a.Configured = s.configured[a.ID]
		s.accounts[a.ID] = a
		if !a.Configured {
			s.log.Warn("hub: a WhatsApp number seen in webhooks is not configured; its messages are kept for admins, and it sends nothing until configured",
				"phone_number_id", a.ID, "display_phone_number", a.DisplayPhoneNumber)
		}
	}
	s.accMu.Unlock()

	if err := s.reprocessFailedWebhooks(ctx); err != nil {
		s.log.Warn("hub: reprocessing stored webhook bodies failed", "err", err)
	}

	queued, err := st.QueuedSends(ctx)
	if err != nil {
		s.shutdownCommitter()
		return nil, fmt.Errorf("hub: load send queue: %w", err)
	}
	for _, q := range queued {
		s.disp.push(q)
	}
	if len(queued) > 0 {
		s.log.Info("hub: re-queued sends from the previous run", "count", len(queued))
	}
	go s.runTicker()
	s.startWorkers()
	return s, nil
}

// startWorkers starts the outbound webhook dispatcher and the bulk delivery
// runner; Close stops them before anything else, so they never see the hub
// half closed.
func (s *Service) startWorkers() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopWorkers = cancel
	s.webhooks = newWebhookDispatcher(s)
	s.deliveries = newDeliveryRunner(s)
	s.workers.Go(func() { s.webhooks.run(ctx) })
	s.workers.Go(func() { s.deliveries.run(ctx) })
}

// Store exposes the storage for read-only tools and tests.
func (s *Service) Store() store.Store { return s.st }

// now is the clock's time in UTC without a monotonic reading, so it stores
// and compares like any time read back from the database.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Round(0) }

// Close stops the outbound webhook and bulk delivery workers, stops
// accepting work, lets the send workers drain the queue until ctx ends
// (messages still queued then are kept and sent after the next start;
// requests already on the wire are allowed to finish so their results are
// recorded), commits every pending write and stops. It returns ctx's
// error when the queue was not fully drained.
func (s *Service) Close(ctx context.Context) error {
	var err error
	s.closeOnce.Do(func() {
		// The workers first: a bulk send cut short goes back to pending
		// through the committer, which is still running.
		s.stopWorkers()
		s.workers.Wait()
		s.closing.Store(true)
		close(s.stopTick)
		<-s.tickDone
		left := s.disp.drain(ctx)
		s.shutdownCommitter()
		if left > 0 {
			cause := context.Cause(ctx)
			if cause == nil {
				cause = errors.New("no Cloud API client to send them")
			}
			err = fmt.Errorf("hub: closed with %d message(s) still queued; they will be sent after the next start: %w", left, cause)
		}
		s.subMu.Lock()
		for ch := range s.subs {
			close(ch)
			delete(s.subs, ch)
		}
		s.subMu.Unlock()
	})
	return err
}

func (s *Service) shutdownCommitter() {
	s.opsMu.Lock()
	s.opsClosed = true
	close(s.ops)
	s.opsMu.Unlock()
	<-s.committed
}

// errClosing is answered once Close has begun.
func errClosing() error {
	return apierr.New(apierr.Unavailable, "the hub is shutting down")
}

// VerifySubscription answers Meta's webhook subscription handshake (GET
// /webhooks/whatsapp): it returns the challenge to echo, or BAD_SIGNATURE
// for a wrong verify token.
func (s *Service) VerifySubscription(query url.Values) (string, error) {
	if s.cfg.VerifyToken == "" {
		return "", apierr.New(apierr.BadSignature, "no webhook verify token is configured")
	}
	return whatsapp.VerifyHandshake(query, s.cfg.VerifyToken)
}

// apiFor returns the Cloud API client for an account (nil when none).
func (s *Service) apiFor(accountID string) CloudAPI {
	if s.cfg.APIFor != nil {
		if c := s.cfg.APIFor(accountID); c != nil {
			return c
		}
	}
	return s.cfg.API
}

// account returns a known account.
func (s *Service) account(id string) (domain.Account, bool) {
	s.accMu.RLock()
	defer s.accMu.RUnlock()
	a, ok := s.accounts[id]
	return a, ok
}

// setAccount records an account change made by a committed transaction.
func (s *Service) setAccount(a domain.Account) {
	s.accMu.Lock()
	s.accounts[a.ID] = a
	s.accMu.Unlock()
	s.disp.setRate(a.ID, a.ThroughputMPS)
}

// checkAccountIDs refuses an account whose phone number id or WABA id is
// not Meta's.
func checkAccountIDs(a domain.Account) error {
	if err := whatsapp.CheckGraphID("id", "phone number", a.ID); err != nil {
		return err
	}
	if a.WABAID != "" {
		return whatsapp.CheckGraphID("waba_id", "WhatsApp Business Account", a.WABAID)
	}
	return nil
}

// isConfigured reports whether the hub was configured for the number.
func (s *Service) isConfigured(accountID string) bool { return s.configured[accountID] }

// unconfiguredIDs lists the numbers the hub knows but was not configured
// for (usually none).
func (s *Service) unconfiguredIDs() []string {
	s.accMu.RLock()
	defer s.accMu.RUnlock()
	var out []string
	for id := range s.accounts {
		if !s.configured[id] {
			out = append(out, id)
		}
	}
	return out
}

// ResolveAccount picks the number a send, upload or bulk delivery goes
// from: the one named (which must be configured), or the only configured
// one. Numbers that appeared only in webhooks never count, so they cannot
// make the default ambiguous.
func (s *Service) ResolveAccount(id string) (domain.Account, error) {
	if id != "" {
		if err := whatsapp.CheckGraphID("account_id", "phone number", id); err != nil {
			return domain.Account{}, err
		}
	}
	s.accMu.RLock()
	defer s.accMu.RUnlock()
	if id != "" {
		a, ok := s.accounts[id]
		if !ok {
			return domain.Account{}, apierr.Field(apierr.NotFound, "account_id", "no WhatsApp number with id %q", id)
		}
		if !a.Configured {
			return domain.Account{}, errNotConfigured(id)
		}
		return a, nil
	}
	var only domain.Account
	n := 0
	for _, a := range s.accounts {
		if a.Configured {
			only, n = a, n+1
		}
	}
	switch n {
	case 1:
		return only, nil
	case 0:
		return domain.Account{}, apierr.New(apierr.AccountRequired, "no WhatsApp number is configured")
	}
	return domain.Account{}, apierr.New(apierr.AccountRequired, "%d WhatsApp numbers are configured: say which one to send from (account_id)", n)
}

// errNotConfigured refuses to act for a number the hub only knows from
// webhooks.
func errNotConfigured(id string) error {
	return apierr.Field(apierr.ValidationFailed, "account_id",
		"the WhatsApp number %s is not configured on this hub: its messages are kept, but it sends nothing until an admin adds it to the hub's configuration", id)
}

// ListAccounts lists the business numbers with their message counts,
// configured ones and those seen only in webhooks (Configured false).
func (s *Service) ListAccounts(ctx context.Context) ([]domain.Account, error) {
	accts, err := s.st.ListAccounts(ctx)
	for i := range accts {
		accts[i].Configured = s.isConfigured(accts[i].ID)
	}
	return accts, storeErr(err, "account")
}

// GetAccount returns one business number.
func (s *Service) GetAccount(ctx context.Context, id string) (domain.Account, error) {
	a, err := s.st.GetAccount(ctx, id)
	a.Configured = s.isConfigured(a.ID)
	return a, storeErr(err, "account")
}

// UpsertAccount adds or updates a business number (its profile fields;
// message counts are kept) and emits account.updated. Whether it is
// configured comes from Config.Accounts, not from a.
func (s *Service) UpsertAccount(ctx context.Context, a domain.Account) (domain.Account, error) {
	if err := checkAccountIDs(a); err != nil {
		return a, err
	}
	if s.closing.Load() {
		return a, errClosing()
	}
	now := s.now()
	err := s.submit(ctx, func(w *wtx) error { return w.upsertAccount(&a, now) })
	return a, err
}

// storeErr maps storage errors to API errors.
func storeErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return apierr.New(apierr.NotFound, "no such %s", what)
	case errors.Is(err, store.ErrBadCursor):
		return apierr.Field(apierr.InvalidRequest, "cursor", "the cursor is not one this API issued")
	}
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apierr.Wrap(err, apierr.Internal, "storage error")
}

// Ping checks that the storage answers (for health checks).
func (s *Service) Ping(ctx context.Context) error { return s.st.Ping(ctx) }
