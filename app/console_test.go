package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/demo"
	"switchboard/backend/desktop"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/democlient/democlienttest"
	"switchboard/backend/desktop/outbox"
	"switchboard/backend/domain"
	"switchboard/backend/sandbox"
	"switchboard/backend/testkit"
)

func TestConsoleMethodsWithoutAConsole(t *testing.T) {
	a, _ := startedApp(t, time.Now)
	if _, err := a.Inbox(cache.InboxQuery{}); apierr.CodeOf(err) != apierr.Unavailable {
		t.Fatalf("Inbox without a console: %v", err)
	}
	if err := a.SetWindowFocused(true); apierr.CodeOf(err) != apierr.Unavailable {
		t.Fatalf("SetWindowFocused without a console: %v", err)
	}
}

// TestConsoleOnTheDemoHub runs the facade as main.go does, on a real demo
// hub (in this process): the first start signs in to the demo, a customer
// writes, the agent answers through the bound methods.
func TestConsoleOnTheDemoHub(t *testing.T) {
	p := newRecordingPlatform()
	cfg := demo.Config{TrafficRate: -1, FirstRunMessages: -1, FastLogin: true, Sandbox: func(c *sandbox.Config) {
		c.StatusDelays = &sandbox.StatusDelays{}
		c.Customers.ReadProbability, c.Customers.ReplyProbability = 1, -1
	}}
	a := New(Options{Logger: quiet, Platform: func(context.Context) Platform { return p },
		Console: ConsoleOptions{DataDir: t.TempDir(), DemoHub: democlienttest.Starter(cfg), DevControls: true}})
	a.Startup(context.Background())
	defer a.Shutdown(context.Background())

	testkit.Eventually(t, "the demo sign-in", func() bool { st, err := a.Status(); return err == nil && st.SignedIn })
	if err := a.SetWindowFocused(true); err != nil {
		t.Fatal(err)
	}
	if err := a.SandboxCustomerSays("+447700900123", "Noor Haddad", "Hi! Is the blue one in stock?"); err != nil {
		t.Fatal(err)
	}
	var conv domain.Conversation
	testkit.Eventually(t, "the customer's conversation", func() bool {
		page, err := a.Inbox(cache.InboxQuery{Tab: cache.TabUnassigned})
		if err != nil || len(page.Conversations) == 0 {
			return false
		}
		conv = page.Conversations[0]
		return conv.Unanswered
	})
	testkit.Eventually(t, "the title", func() bool { return p.lastTitle() == "(1) Switchboard" })
	if _, err := a.SendText(conv.ID, "Yes, we have it.", nil); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the read ticks", func() bool {
		page, err := a.Messages(conv.ID, "", 50)
		if err != nil || len(page.Messages) < 2 {
			return false
		}
		last := page.Messages[len(page.Messages)-1]
		return last.Direction == domain.Outbound && last.Status == domain.MsgRead
	})
	testkit.Eventually(t, "the title to clear", func() bool { return p.lastTitle() == "Switchboard" })
	if p.count(domain.EventMessageCreated) < 2 || p.count(desktop.EventSession) == 0 || p.count(outbox.EventUpdated) == 0 {
		t.Fatalf("events: %v", p.names())
	}
	for _, name := range p.names() {
		if !slices.ContainsFunc(Events, func(e Event) bool { return e.Name == name }) {
			t.Errorf("the console emitted %q, which app/events.go does not list: the frontend does not know it", name)
		}
	}
}

func newRecordingPlatform() *recordingPlatform { return &recordingPlatform{} }

func (p *recordingPlatform) lastTitle() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.titles) == 0 {
		return ""
	}
	return p.titles[len(p.titles)-1]
}

func (p *recordingPlatform) count(name string) int {
	n := 0
	for _, e := range p.recorded() {
		if e.Name == name {
			n++
		}
	}
	return n
}

func (p *recordingPlatform) names() []string {
	var out []string
	for _, e := range p.recorded() {
		out = append(out, e.Name)
	}
	return out
}
