package hubapi

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
)

// TestLoginThrottledPerClientAddress: one client trying a password on 40
// accounts gets its burst of 401s, then 429 RATE_LIMITED with Retry-After,
// although no account is locked; a client behind the same trusted proxy
// still signs in.
func TestLoginThrottledPerClientAddress(t *testing.T) {
	e := newEnv(t, withAPI(func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }))
	// The budget refills with time: a slow machine must not see a refill
	// between the attempts.
	e.clock.Freeze()
	role, pw := domain.RoleAgent, testPassword
	var emails []string
	for i := range 40 {
		email, name := "sprayed"+strconv.Itoa(i)+"@example.com", "Sprayed "+strconv.Itoa(i)
		if _, err := e.core.CreateUser(context.Background(), hub.UserInput{Email: &email, Name: &name, Role: &role, Password: &pw}); err != nil {
			t.Fatal(err)
		}
		emails = append(emails, email)
	}
	const attacker = "203.0.113.5"
	codes := map[int]int{}
	for _, email := range emails {
		res := e.do("POST", "/v1/login", "", map[string]string{"email": email, "password": "Winter2026!"}, "X-Forwarded-For", attacker)
		codes[res.status]++
		if res.status == 429 && (res.code() != "RATE_LIMITED" || res.header.Get("Retry-After") == "") {
			t.Fatalf("429 without RATE_LIMITED and Retry-After: %s %v", res.body, res.header)
		}
	}
	if codes[401] != 10 || codes[429] != 30 {
		t.Fatalf("answers %v, want 10 × 401 then 30 × 429", codes)
	}
	// Even the right password waits out the block from that address…
	res := e.do("POST", "/v1/login", "", map[string]string{"email": emails[0], "password": testPassword}, "X-Forwarded-For", attacker)
	if res.status != 429 {
		t.Fatalf("blocked client signed in: %d", res.status)
	}
	// …while everyone else signs in, through the same proxy or not.
	for _, xff := range []string{"198.51.100.20", ""} {
		res := e.do("POST", "/v1/login", "", map[string]string{"email": emails[0], "password": testPassword}, "X-Forwarded-For", xff)
		if res.status != 200 {
			t.Fatalf("another client (X-Forwarded-For %q) refused: %d %s", xff, res.status, res.body)
		}
	}
	if v := testMetricValue(t, e, "switchboard_login_throttled_total"); v != 31 {
		t.Fatalf("throttled metric %v, want 31", v)
	}
}

// TestForwardedForIsIgnoredFromUntrustedPeers: without trusted proxies a
// client cannot dodge throttling by writing a new X-Forwarded-For each
// time.
func TestForwardedForIsIgnoredFromUntrustedPeers(t *testing.T) {
	e := newEnv(t)
	e.clock.Freeze() // no refill while the attempts run, however slowly
	limited := 0
	for i := range 20 {
		res := e.do("POST", "/v1/login", "", map[string]string{"email": "nobody" + strconv.Itoa(i) + "@example.com", "password": "guess"},
			"X-Forwarded-For", "192.0.2."+strconv.Itoa(i+1))
		if res.status == 429 {
			limited++
		}
	}
	if limited != 10 {
		t.Fatalf("%d of 20 refused, want 10", limited)
	}
}

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{TrustedProxies: proxies}}
	for _, tc := range []struct {
		remote string
		xff    []string
		want   string
	}{
		{"198.51.100.1:5000", nil, "198.51.100.1"},
		{"198.51.100.1:5000", []string{"203.0.113.9"}, "198.51.100.1"}, // untrusted peer: header ignored
		{"10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"10.1.2.3:5000", []string{"6.6.6.6, 203.0.113.9, 10.9.9.9"}, "203.0.113.9"}, // right to left, past proxies
		{"10.1.2.3:5000", []string{"6.6.6.6", "203.0.113.9"}, "203.0.113.9"},         // several headers
		{"10.1.2.3:5000", []string{"garbage, 10.2.2.2"}, "10.2.2.2"},                 // nobody's word left of a proxy
		{"10.1.2.3:5000", nil, "10.1.2.3"},
		{"[::1]:5000", []string{"[2001:db8:1:2::77]:443"}, "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:5000", []string{"198.51.100.4"}, "198.51.100.4"}, // a v4-mapped proxy
		{"[2001:db8:aa:bb:1::9]:5000", nil, "2001:db8:aa:bb::/64"},
		{"pipe", nil, ""},
	} {
		r := httptest.NewRequest("POST", "/v1/login", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientKey(s.clientAddr(r)); got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.remote, tc.xff, got, tc.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
