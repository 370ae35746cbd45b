package hubapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the HTTP layer's Prometheus series. Labels are route
// patterns, never raw paths, so ids cannot blow up cardinality.
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	rateLimited   prometheus.Counter
	clientGone    prometheus.Counter
	loginFailures prometheus.Counter
	loginLocked   prometheus.Counter
	streamClients prometheus.Gauge
	streamFrames  prometheus.Counter
	streamSlow    prometheus.Counter
	streamResyncs prometheus.Counter
	ingressBodies *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry, core Core) (*metrics, error) {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_http_rate_limited_total", Help: "Requests refused by a token's rate limit.",
		}),
		clientGone: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_http_client_gone_total", Help: "Requests whose client disconnected before the answer.",
		}),
		loginFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_login_failures_total", Help: "Failed sign-ins (wrong e-mail or password).",
		}),
		loginLocked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_login_locked_total", Help: "Sign-ins refused because the account was locked.",
		}),
		streamClients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_stream_clients", Help: "Connected websocket stream clients.",
		}),
		streamFrames: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_stream_frames_total", Help: "Frames written to stream clients.",
		}),
		streamSlow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_stream_slow_disconnects_total", Help: "Stream clients disconnected for falling behind.",
		}),
		streamResyncs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_stream_resyncs_total", Help: "Stream clients told to resync from a snapshot.",
		}),
		ingressBodies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_webhook_in_bodies_total", Help: "WhatsApp webhook bodies received by answer status.",
		}, []string{"status"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.rateLimited, m.clientGone, m.loginFailures,
		m.loginLocked, m.streamClients, m.streamFrames, m.streamSlow, m.streamResyncs, m.ingressBodies,
		outboundCollector{core}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// handleMetrics serves the registry in Prometheus' text format.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}

// The hub's background workers (outbound webhooks, bulk deliveries) count
// what they do; these series read the counts at each scrape.
var (
	webhookAttemptsDesc = prometheus.NewDesc("switchboard_webhook_out_attempts_total",
		"Outbound webhook delivery attempts by result.", []string{"result"}, nil)
	bulkRecipientsDesc = prometheus.NewDesc("switchboard_bulk_recipients_total",
		"Bulk delivery recipients by final state and reason.", []string{"state", "reason"}, nil)
)

// outboundCollector exposes hub.Service.OutboundStats. Like a counter
// vector, it shows a label set once it has counted something.
type outboundCollector struct{ core Core }

func (c outboundCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- webhookAttemptsDesc
	ch <- bulkRecipientsDesc
}

func (c outboundCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.core.OutboundStats()
	for result, n := range map[string]int64{"ok": st.WebhookAttemptsOK, "failed": st.WebhookAttemptsFailed} {
		if n > 0 {
			ch <- prometheus.MustNewConstMetric(webhookAttemptsDesc, prometheus.CounterValue, float64(n), result)
		}
	}
	for o, n := range st.Recipients {
		ch <- prometheus.MustNewConstMetric(bulkRecipientsDesc, prometheus.CounterValue, float64(n), o.State, o.Reason)
	}
}
