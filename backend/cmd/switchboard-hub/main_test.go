package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"switchboard/backend/wire"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects the binary's stderr safely across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var tokenRE = regexp.MustCompile(`sbt_[A-Za-z0-9_-]{43}`)

// start runs the binary's run with args until the returned stop is called.
func start(t *testing.T, args ...string) (addr string, out *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	out = &syncBuffer{}
	go func() { done <- run(ctx, args, stdio{strings.NewReader(""), io.Discard, out}, ready) }()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("run returned early: %v\n%s", err, out)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("did not start:\n%s", out)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run after cancel: %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Fatal("did not shut down")
		}
	}
	t.Cleanup(stop)
	return addr, out, stop
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestSandboxHubStartsServesAndShutsDown(t *testing.T) {
	data := t.TempDir()
	addr, out, stop := start(t, "--addr", "127.0.0.1:0", "--data", data, "--sandbox", "--sandbox-rate", "0", "--log-format", "json")
	tokens := tokenRE.FindAllString(out.String(), -1)
	if len(tokens) != 1 {
		t.Fatalf("want the admin token printed once, got %d:\n%s", len(tokens), out)
	}
	if status, body := get(t, "http://"+addr+"/healthz", ""); status != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("healthz: %d %s", status, body)
	}
	if status, body := get(t, "http://"+addr+"/v1/accounts", tokens[0]); status != 200 || !strings.Contains(body, "+15550783881") {
		t.Fatalf("accounts with the admin token: %d %s", status, body)
	}
	if status, _ := get(t, "http://"+addr+"/v1/accounts", ""); status != 401 {
		t.Fatalf("accounts without a token: %d", status)
	}
	if status, body := get(t, "http://"+addr+"/metrics", ""); status != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("metrics: %d", status)
	}
	stop()
	// The token is a secret: it appears in no structured log line.
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "{") && strings.Contains(line, tokens[0]) {
			t.Fatalf("the admin token was logged: %s", line)
		}
	}

	// A second start on the same data keeps the token and prints nothing.
	addr2, out2, _ := start(t, "--addr", "127.0.0.1:0", "--data", data, "--sandbox", "--sandbox-rate", "0")
	if n := len(tokenRE.FindAllString(out2.String(), -1)); n != 0 {
		t.Fatalf("second start printed %d tokens", n)
	}
	if status, _ := get(t, "http://"+addr2+"/v1/accounts", tokens[0]); status != 200 {
		t.Fatalf("token after restart: %d", status)
	}
}

func TestConfiguredAdminTokenAndEnvironment(t *testing.T) {
	t.Setenv("SWITCHBOARD_ADMIN_TOKEN", "sbt_from-the-environment-0123456789")
	t.Setenv("SWITCHBOARD_SANDBOX", "true")
	t.Setenv("SWITCHBOARD_DATA", t.TempDir())
	addr, out, _ := start(t, "--addr", "127.0.0.1:0")
	if tokenRE.MatchString(out.String()) {
		t.Fatal("a token was generated although one is configured")
	}
	if status, _ := get(t, "http://"+addr+"/v1/me", "sbt_from-the-environment-0123456789"); status != 200 {
		t.Fatalf("configured token: %d", status)
	}
}

func TestRealNumberNeedsItsSettings(t *testing.T) {
	for _, v := range []string{"WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_WABA_ID"} {
		t.Setenv(v, "")
	}
	t.Setenv("WHATSAPP_ACCESS_TOKEN", "EAAG-secret")
	var out bytes.Buffer
	err := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, stdio{nil, io.Discard, &out}, nil)
	if err == nil || !strings.Contains(err.Error(), "WHATSAPP_APP_SECRET") || strings.Contains(err.Error(), "WHATSAPP_ACCESS_TOKEN") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "EAAG-secret") {
		t.Fatal("the error repeats a secret")
	}
	if err := run(context.Background(), []string{"--log-level", "loud", "--sandbox"}, stdio{nil, io.Discard, &out}, nil); err == nil {
		t.Fatal("bad log level accepted")
	}
}

func TestDemoHubAnnouncesItselfAndStopsWithItsInput(t *testing.T) {
	data := t.TempDir()
	in, feed := io.Pipe()
	var stdout, stderr syncBuffer
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"--demo", "--watch-stdin", "--addr", "127.0.0.1:0", "--data", data, "--sandbox-rate", "0"},
			stdio{in, &stdout, &stderr}, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("run returned early: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("demo hub did not start:\n%s", stderr.String())
	}
	var ep wire.DemoEndpoints
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout.String())), &ep); err != nil || ep.HubURL != "http://"+addr || ep.SandboxURL == "" {
		t.Fatalf("ready line %q: %+v, %v", stdout.String(), ep, err)
	}
	secret, err := os.ReadFile(filepath.Join(data, wire.DemoAdminTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(secret))
	if status, _ := get(t, ep.HubURL+"/v1/accounts", token); status != 200 {
		t.Fatalf("hub with the admin token: %d", status)
	}
	// The sandbox admin endpoints want the same secret.
	if status, _ := get(t, ep.SandboxURL+"/_sandbox/clock", ""); status != 401 {
		t.Fatalf("sandbox admin without a token: %d", status)
	}
	if status, _ := get(t, ep.SandboxURL+"/_sandbox/clock", token); status != 200 {
		t.Fatalf("sandbox admin with the token: %d", status)
	}
	if strings.Contains(stderr.String(), token) {
		t.Fatal("the admin secret was logged")
	}
	feed.Close() // the console went away
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the demo hub did not stop when its input closed")
	}
}

// The numbers a real hub serves come from the environment, several at once
// if need be, and must be Meta's ids: a placeholder copied from Meta's
// examples is refused before anything starts.
func TestPhoneNumberIDsFromTheEnvironment(t *testing.T) {
	set := func(pnid, waba string) {
		t.Setenv("WHATSAPP_ACCESS_TOKEN", "EAAG-secret")
		t.Setenv("WHATSAPP_APP_SECRET", "s")
		t.Setenv("WHATSAPP_VERIFY_TOKEN", "v")
		t.Setenv("WHATSAPP_PHONE_NUMBER_ID", pnid)
		t.Setenv("WHATSAPP_WABA_ID", waba)
	}
	set("106540352242922, 106540352242923", "102290129340398")
	c, err := parseConfig(nil, io.Discard)
	if err != nil || len(c.phoneNumberIDs) != 2 || c.phoneNumberIDs[1] != "106540352242923" {
		t.Fatalf("config %+v, %v", c.phoneNumberIDs, err)
	}
	for _, bad := range [][2]string{{"PHONE_NUMBER_ID", "102290129340398"}, {"106540352242922,<ID>", "102290129340398"}, {"106540352242922", "WABA_ID"}} {
		set(bad[0], bad[1])
		if _, err := parseConfig(nil, io.Discard); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}
