package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/backend/hubclient"
	"switchboard/backend/sandbox"
	"switchboard/backend/testkit"
	"switchboard/backend/wire"
)

func start(t *testing.T, dir string, firstRun int) *Hub {
	t.Helper()
	h, err := Start(context.Background(), Config{Dir: dir, Log: slog.New(slog.DiscardHandler), TrafficRate: -1,
		FirstRunMessages: firstRun, FastLogin: true, Sandbox: func(c *sandbox.Config) {
			c.StatusDelays = &sandbox.StatusDelays{}
			c.Customers.ReplyProbability = -1
		}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// The ready line is what the console reads; the admin token is in the
// file it reads, private, and the same after a restart; the first inbox
// is written once.
func TestDemoHubAnnouncesItselfAndKeepsItsInbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	h := start(t, dir, 3)
	var out bytes.Buffer
	if err := h.WriteReady(&out); err != nil {
		t.Fatal(err)
	}
	var ep wire.DemoEndpoints
	if err := json.Unmarshal(out.Bytes(), &ep); err != nil || !strings.HasSuffix(out.String(), "\n") ||
		ep.HubURL != h.URL() || ep.SandboxURL != h.SandboxURL() || !strings.HasPrefix(ep.HubURL, "http://127.0.0.1:") {
		t.Fatalf("ready line %q: %+v %v", out.String(), ep, err)
	}
	path := filepath.Join(dir, wire.DemoAdminTokenFile)
	secret, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(secret)) != h.AdminToken() {
		t.Fatalf("admin token file: %q %v", secret, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin token file mode %v", fi.Mode())
	}
	inbound := func(h *Hub) int {
		t.Helper()
		if err := h.Raw().Flush(ctx); err != nil {
			t.Fatal(err)
		}
		p, err := h.Admin().QueryMessages(ctx, hubclient.MessageQuery{Direction: "inbound", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	testkit.Eventually(t, "the first inbox", func() bool { return inbound(h) == 3 })
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}

	again := start(t, dir, 3)
	defer again.Close()
	if again.AdminToken() != h.AdminToken() {
		t.Fatal("a restart made a new admin token")
	}
	if n := inbound(again); n != 3 {
		t.Fatalf("after a restart: %d inbound messages, want the first inbox's 3 (it is written once)", n)
	}
	// Customers write after the restart: the sandbox hands out new
	// wamids each run, so the hub takes their messages for new ones, not
	// for repeats of the first run's.
	again.Raw().Generate(2)
	testkit.Eventually(t, "the messages written after the restart", func() bool { return inbound(again) == 5 })
}
