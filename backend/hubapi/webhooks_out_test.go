package hubapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
)

// subscriber is an external system receiving the hub's webhooks on
// loopback: it checks every signature and can be told to fail.
type subscriber struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	fail   int // answer 500 to this many more requests
	got    []hub.WebhookPayload
	tries  map[int64]int
	bad    int
	srv    *httptest.Server
}

func newSubscriber(t *testing.T) *subscriber {
	s := &subscriber{t: t, tries: map[int64]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.Header.Get(hub.HeaderWebhookSignature) != hub.SignWebhook(s.secret, body) {
			s.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p hub.WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			s.bad++
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if r.Header.Get(hub.HeaderWebhookEvent) != p.Type || r.Header.Get(hub.HeaderWebhookDelivery) != strconv.FormatInt(p.Seq, 10) {
			s.bad++
		}
		s.tries[p.Seq]++
		if s.fail > 0 {
			s.fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		s.got = append(s.got, p)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *subscriber) snapshot() ([]hub.WebhookPayload, map[int64]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tries := map[int64]int{}
	for k, v := range s.tries {
		tries[k] = v
	}
	return append([]hub.WebhookPayload(nil), s.got...), tries, s.bad
}

func TestOutboundWebhooks(t *testing.T) {
	e := newEnv(t)
	sub := newSubscriber(t)
	sub.secret = "a-secret-of-sixteen-bytes-or-more"

	// A URL that does not answer 2xx is refused, and nothing is stored.
	sub.fail = 1
	res := e.do("PUT", "/v1/webhooks", e.admin, map[string]any{"url": sub.srv.URL, "secret": sub.secret})
	if res.code() != "VALIDATION_FAILED" {
		t.Fatalf("failing URL: %d %s", res.status, res.body)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if res := e.do("PUT", "/v1/webhooks", e.admin, map[string]any{"url": dead.URL}); res.code() != "VALIDATION_FAILED" {
		t.Fatalf("unreachable URL: %d %s", res.status, res.body)
	}
	for _, bad := range []map[string]any{
		{"url": "ftp://example.com/hook"},
		{"url": "http://user:pw@example.com/hook"},
		{"url": sub.srv.URL, "secret": "short"},
		{"url": sub.srv.URL, "events": []string{"message.exploded"}},
	} {
		if res := e.do("PUT", "/v1/webhooks", e.admin, bad); res.code() != "VALIDATION_FAILED" {
			t.Fatalf("%v: %d %s", bad, res.status, res.body)
		}
	}
	if got := dataOf[[]Webhook](t, e.do("GET", "/v1/webhooks", e.admin, nil)); len(got) != 0 {
		t.Fatalf("refused subscriptions were stored: %+v", got)
	}
	if res := e.do("PUT", "/v1/webhooks", e.supervisor.token, map[string]any{"url": sub.srv.URL}); res.code() != "FORBIDDEN" {
		t.Fatalf("supervisor set a webhook: %d", res.status)
	}

	// Set: the test request arrives signed.
	res = e.do("PUT", "/v1/webhooks", e.admin, map[string]any{"url": sub.srv.URL, "secret": sub.secret,
		"events": []string{domain.EventMessageCreated, domain.EventConversationUpdated}})
	if res.status != 200 {
		t.Fatalf("set: %d %s", res.status, res.body)
	}
	wh := dataOf[Webhook](t, res)
	if wh.Secret != sub.secret {
		t.Fatal("the answer does not carry the secret")
	}
	got, _, _ := sub.snapshot()
	if len(got) != 1 || got[0].Type != hub.WebhookTestEvent {
		t.Fatalf("test request: %+v", got)
	}
	if l := dataOf[[]Webhook](t, e.do("GET", "/v1/webhooks", e.admin, nil)); len(l) != 1 || l[0].Secret == sub.secret {
		t.Fatalf("list %+v", l)
	}

	// Events flow, filtered, in order; failures are retried with backoff.
	sub.mu.Lock()
	sub.fail = 3
	sub.mu.Unlock()
	e.customerWrites("14155550101", "one")
	e.customerWrites("14155550102", "two")
	e.eventually(func() bool {
		got, _, _ := sub.snapshot()
		n := 0
		for _, p := range got {
			if p.Type == domain.EventMessageCreated {
				n++
			}
		}
		return n == 2
	}, "two message.created webhooks")
	got, tries, bad := sub.snapshot()
	if bad != 0 {
		t.Fatalf("%d requests with a bad signature or headers", bad)
	}
	var last int64
	retried := false
	for _, p := range got[1:] {
		if p.Type != domain.EventMessageCreated && p.Type != domain.EventConversationUpdated {
			t.Fatalf("filtered event delivered: %s", p.Type)
		}
		if p.Seq <= last {
			t.Fatalf("out of order or duplicate: %d after %d", p.Seq, last)
		}
		last = p.Seq
		retried = retried || tries[p.Seq] > 1
		if p.ID != "evt_"+strconv.FormatInt(p.Seq, 10) || len(p.Data) == 0 {
			t.Fatalf("payload %+v", p)
		}
	}
	if !retried {
		t.Fatal("no delivery was retried although the subscriber failed three times")
	}
	var attempts int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_attempts WHERE status = 500`).Scan(&attempts)
	if attempts != 3 {
		t.Fatalf("%d failed attempts recorded, want 3", attempts)
	}

	// Removing it stops deliveries.
	if res := e.do("DELETE", "/v1/webhooks/"+itoa(int(wh.ID)), e.admin, nil); res.status != 204 {
		t.Fatalf("delete: %d", res.status)
	}
	if res := e.do("DELETE", "/v1/webhooks/"+itoa(int(wh.ID)), e.admin, nil); res.code() != "NOT_FOUND" {
		t.Fatalf("second delete: %d", res.status)
	}
}

// TestSlowSubscriberNeverBlocksIngestion: a subscriber that stops
// answering delays only its own deliveries.
func TestSlowSubscriberNeverBlocksIngestion(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	first := true
	var mu sync.Mutex
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		wasFirst := first
		first = false
		mu.Unlock()
		if !wasFirst {
			<-release // every delivery after the test request hangs
		}
		w.WriteHeader(204)
	}))
	defer hang.Close()
	defer close(release)
	if res := e.do("PUT", "/v1/webhooks", e.admin, map[string]any{"url": hang.URL}); res.status != 200 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	for i := range 5 {
		e.customerWrites("141555501"+strconv.Itoa(10+i), "still flowing "+strconv.Itoa(i))
	}
}
