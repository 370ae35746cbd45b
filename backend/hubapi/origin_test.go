package hubapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestStreamRefusesForeignBrowserOrigins: a browser page from another
// origin cannot open the stream, even with a valid token; the hub's own
// origin, a configured one and programs (no Origin) can.
func TestStreamRefusesForeignBrowserOrigins(t *testing.T) {
	e := newEnv(t, withAPI(func(c *Config) { c.AllowedOrigins = []string{"https://Console.Example.com:443/"} }))
	own := e.url // http://127.0.0.1:port
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{own, true},
		{strings.Replace(own, "http://", "HTTP://", 1), true},
		{"https://console.example.com", true},
		{"https://evil.example", false},
		{"https://console.example.com.evil.example", false},
		{"http://console.example.com", false}, // another scheme is another origin
		{"null", false},
		{"http://127.0.0.1:1", false},
	} {
		h := http.Header{"Authorization": {"Bearer " + e.agent.token}}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		conn, res, err := d.Dial("ws"+strings.TrimPrefix(e.url, "http")+"/v1/stream?since=head", h)
		if tc.ok {
			if err != nil {
				t.Errorf("origin %q refused: %v", tc.origin, err)
				continue
			}
			conn.Close()
			continue
		}
		if err == nil {
			conn.Close()
			t.Errorf("origin %q accepted", tc.origin)
			continue
		}
		if res == nil || res.StatusCode != 403 {
			t.Errorf("origin %q: %v, want 403", tc.origin, err)
		}
	}
}

func TestParseOrigins(t *testing.T) {
	got, err := ParseOrigins(" https://A.example.com/, http://localhost:5173,https://b.example:443 ,http://c.example:80")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://a.example.com", "http://localhost:5173", "https://b.example", "http://c.example"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%q, want %q", got, want)
	}
	for _, bad := range []string{"a.example.com", "https://a.example.com/path", "null", "https://user@a.example", "*", "https://"} {
		if _, err := ParseOrigins(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
