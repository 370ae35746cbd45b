package hubapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"switchboard/backend/apierr"
)

// Config configures a Server. Core is required; everything else has a
// default suited to production.
type Config struct {
	// Core is the messaging core (*hub.Service).
	Core Core
	// Media downloads media for GET /v1/media/{id} and uploads files for
	// POST /v1/media (the Cloud API client); nil answers UNAVAILABLE there.
	Media MediaSource
	// DataDir holds the media cache (DataDir/media). Empty disables the
	// on-disk cache.
	DataDir string
	// Logger receives structured logs; never tokens, passwords or bodies.
	Logger *slog.Logger
	// Now is the clock of the token cache and of last-use stamps; give it
	// the hub's clock (the hub decides lockouts and expiry by its own).
	Now func() time.Time
	// Registry receives the metrics; nil creates a private one, served at
	// /metrics either way.
	Registry *prometheus.Registry

	// RateLimit is each token's sustained request rate per second and
	// RateBurst its bucket size (defaults 20/s and 100).
	RateLimit float64
	RateBurst int

	// Stream tunes the websocket stream.
	Stream StreamConfig

	// WebhookBodyTimeout bounds reading a WhatsApp webhook body, at most
	// 3 MB from Meta's servers (default 20 s: 150 KB/s at the cap).
	WebhookBodyTimeout time.Duration
	// BodyMinRate is the slowest average rate, in bytes per second, at
	// which every other request body (JSON, CSV deliveries, media uploads
	// up to 100 MB) may arrive once BodyGrace has passed (defaults 32 KiB/s
	// and 10 s: a 100 MB upload may take 53 minutes, a stalled one is cut
	// 10 s after its last bytes kept it on pace). Slower bodies get 408.
	BodyMinRate int64
	BodyGrace   time.Duration
}

// StreamConfig tunes GET /v1/stream.
type StreamConfig struct {
	// Buffer is how many frames may wait for one slow client before it is
	// disconnected (default 512).
	Buffer int
	// Heartbeat is the interval of the app-level heartbeat carrying the
	// head seq (default 15 s); pings go out at the same pace.
	Heartbeat time.Duration
	// WriteTimeout bounds one frame write (default 10 s).
	WriteTimeout time.Duration
	// PongTimeout is how long a silent client is kept (default 2 × Heartbeat + 10 s).
	PongTimeout time.Duration
	// ResumeWait is how long the hub waits for a resume message when the
	// client gave no ?since= (default 5 s).
	ResumeWait time.Duration
	// RingSize is how many recent events are kept in memory for resumes
	// without a database read (default 4096), and RingBytes how many
	// bytes of frames at most (default 32 MiB): a few huge messages must
	// not pin gigabytes.
	RingSize  int
	RingBytes int
}

// Server is the hub's HTTP API.
type Server struct {
	cfg     Config
	core    Core
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	mux     *http.ServeMux
	routes  []route
	// patterns are what was registered on mux, for the OpenAPI check.
	patterns    []string
	openapiOnce sync.Once
	openapiDoc  []byte
	openapiErr  error

	tokens   tokenCache
	touchMu  sync.Mutex
	touched  map[int64]time.Time
	limiters limiterSet

	broker *broker
	media  *mediaCache

	// bg tracks background goroutines so Close waits for them.
	bg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
	closed sync.Once
}

// New builds a Server. Call Start to begin the stream broker and Close to
// stop it (the hub's own workers run with the hub).
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Core == nil {
		return nil, errors.New("hubapi: Config.Core is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = 20
	}
	if cfg.RateBurst <= 0 {
		cfg.RateBurst = 100
	}
	st := &cfg.Stream
	if st.Buffer <= 0 {
		st.Buffer = 512
	}
	if st.Heartbeat <= 0 {
		st.Heartbeat = 15 * time.Second
	}
	if st.WriteTimeout <= 0 {
		st.WriteTimeout = 10 * time.Second
	}
	if st.PongTimeout <= 0 {
		st.PongTimeout = 2*st.Heartbeat + 10*time.Second
	}
	if st.ResumeWait <= 0 {
		st.ResumeWait = 5 * time.Second
	}
	if st.RingSize <= 0 {
		st.RingSize = 4096
	}
	if st.RingBytes <= 0 {
		st.RingBytes = 32 << 20
	}
	if cfg.WebhookBodyTimeout <= 0 {
		cfg.WebhookBodyTimeout = 20 * time.Second
	}
	if cfg.BodyMinRate <= 0 {
		cfg.BodyMinRate = 32 << 10
	}
	if cfg.BodyGrace <= 0 {
		cfg.BodyGrace = 10 * time.Second
	}
	s := &Server{
		cfg:     cfg,
		core:    cfg.Core,
		log:     cfg.Logger,
		now:     cfg.Now,
		touched: map[int64]time.Time{},
		tokens:  tokenCache{entries: map[string]cachedToken{}, ttl: 30 * time.Second},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.limiters = limiterSet{m: map[int64]*limiterEntry{}, rate: cfg.RateLimit, burst: cfg.RateBurst}
	m, err := newMetrics(cfg.Registry, cfg.Core)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	if cfg.DataDir != "" {
		dir := filepath.Join(cfg.DataDir, "media")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("hubapi: media cache: %w", err)
		}
		s.media = &mediaCache{dir: dir}
	}
	s.broker = newBroker(s)
	s.buildMux()
	return s, nil
}

// Start begins the background work. It returns at once.
func (s *Server) Start() {
	s.bg.Go(func() { s.broker.run(s.ctx) })
}

// Close stops background work and disconnects stream clients (they
// resume elsewhere or later). It does not close the core, which runs the
// hub's own workers until its Close.
func (s *Server) Close() {
	s.closed.Do(func() {
		s.cancel()
		s.broker.closeAll()
		s.bg.Wait()
	})
}

// Handler is the HTTP handler serving every route.
func (s *Server) Handler() http.Handler { return s.mux }

// Registry is where the server's metrics are registered, so the binary can
// add the core's and the runtime's.
func (s *Server) Registry() *prometheus.Registry { return s.cfg.Registry }

// wrap turns a route into an http.Handler: the body's deadline,
// authentication, the route's scope, the token's rate limit, the handler,
// the one error writer and the metrics, in that order, for every route
// alike.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		body := s.limitBody(rec, r, rt.body)
		err := s.serveRoute(rec, r, rt)
		if err != nil && body != nil && body.expired {
			// However the handler described the failed read.
			err = errBodyTimeout()
		}
		if err != nil {
			if rec.status != 0 {
				// The handler already started its answer (a stream or a
				// hijacked websocket): too late for an envelope.
				s.log.Warn("error after response started", "pattern", rt.pattern, "err", err)
			} else {
				s.writeError(rec, r, err)
			}
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		took := time.Since(start)
		s.metrics.observe(rt.pattern, status, took)
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			// The route pattern, not the path: ids and phones stay out of logs.
			s.log.Debug("request", "route", rt.pattern, "status", status, "duration_ms", took.Milliseconds())
		}
	})
}

func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, rt route) error {
	if rt.scope == scopePublic {
		return rt.h(w, r)
	}
	p, err := s.authenticate(r.Context(), credentials(r, rt.queryToken))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
		return err
	}
	if !p.Has(rt.scope) {
		return apierr.New(apierr.Forbidden, "this token lacks the %s scope", rt.scope)
	}
	if err := s.limiters.allow(w, p.TokenID, time.Now()); err != nil {
		s.metrics.rateLimited.Inc()
		return err
	}
	return rt.h(w, r.WithContext(withPrincipal(r.Context(), p)))
}

// notFoundOrMethod answers requests no route pattern matched: 405 with an
// Allow header when the path exists under other methods, 404 otherwise,
// both as envelopes (the mux's own answers are plain text).
func (s *Server) notFoundOrMethod(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return apierr.New(apierr.MethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path)
	}
	return apierr.New(apierr.NotFound, "no route %s %s", r.Method, r.URL.Path)
}

// statusRecorder remembers the status for metrics and lets the websocket
// upgrade hijack the connection underneath.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status.
func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Hijack hands the connection to the websocket upgrader, wrapped so the
// stream can coalesce a burst of frames into one write; the status is
// recorded as 101 Switching Protocols.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hubapi: connection cannot be hijacked")
	}
	r.status = http.StatusSwitchingProtocols
	c, brw, err := h.Hijack()
	if err != nil {
		return nil, nil, err
	}
	return &coalescingConn{Conn: c}, brw, nil
}

// Flush lets streamed answers (media) reach the client as they go.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
