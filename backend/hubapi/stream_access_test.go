package hubapi

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// toClose reads the stream until it ends and returns the frames it got
// and the close code. A frame leak says must not come fails the test as
// soon as it arrives (heartbeats would keep an unclosed stream going).
func (c *wsClient) toClose(leak func(wsFrame) bool) ([]wsFrame, int) {
	c.t.Helper()
	var fs []wsFrame
	for {
		f, err := c.next()
		if err != nil {
			return fs, closeCode(err)
		}
		if leak(f) {
			c.t.Fatalf("the stream carried %s %s of conversation %d", f.Kind, f.Event.Type, f.Event.ConversationID)
		}
		fs = append(fs, f)
	}
}

// eventOf matches the event frames about conversation conv.
func eventOf(conv int64) func(wsFrame) bool {
	return func(f wsFrame) bool { return f.Kind == wire.FrameEvent && f.Event.ConversationID == conv }
}

// eventsOf are the event frames among fs about conversation conv.
func eventsOf(fs []wsFrame, conv int64) []wsFrame {
	var out []wsFrame
	for _, f := range fs {
		if eventOf(conv)(f) {
			out = append(out, f)
		}
	}
	return out
}

// TestStreamEndsWhenTheUserLosesAccess: disabling, deleting or re-keying
// (a new password) an agent ends their open stream with CloseRevoked at
// once, and nothing written after the change reaches it, not even a new
// unassigned conversation they could see until then.
func TestStreamEndsWhenTheUserLosesAccess(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(e *testEnv) response
		why    string
	}{
		{"disabled", func(e *testEnv) response {
			return e.do("PATCH", "/v1/users/"+itoa(int(e.agent.id)), e.admin, map[string]any{"disabled": true})
		}, "disabled or deleted"},
		{"deleted", func(e *testEnv) response {
			return e.do("DELETE", "/v1/users/"+itoa(int(e.agent.id)), e.admin, nil)
		}, "revoked"}, // deleting a user revokes their tokens
		{"new password", func(e *testEnv) response {
			return e.do("PATCH", "/v1/users/"+itoa(int(e.agent.id)), e.admin, map[string]any{"password": "a brand new one"})
		}, "revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.mustDial(e.agent.token, "since=head")
			c.mustNextKind("live")
			before := e.customerWrites("14155550111", "before")
			c.until(func(f wsFrame) bool { return f.Kind == "event" && f.Event.ConversationID == before.ID })
			if res := tc.change(e); res.status >= 300 {
				t.Fatalf("change: %d %s", res.status, res.body)
			}
			after := e.customerWrites("14155550112", "after")
			fs, code := c.toClose(eventOf(after.ID))
			if code != wire.CloseRevoked {
				t.Fatalf("closed with %d, want %d", code, wire.CloseRevoked)
			}
			last := fs[len(fs)-1]
			if last.Kind != wire.FrameError || last.Error.Code != "UNAUTHORIZED" || !strings.Contains(last.Error.Message, tc.why) {
				t.Fatalf("last frame %+v", last)
			}
			// And it cannot come back.
			if _, res, err := e.dial(e.agent.token, "since=head", false); err == nil || res.StatusCode != 401 {
				t.Fatal("reconnected after losing access")
			}
		})
	}
}

// TestStreamOfADemotedSupervisorStopsCarryingOthersConversations: a
// supervisor demoted to agent while streaming gets a resync and
// CloseAccessChanged, never the messages of a colleague's conversation
// written after the demotion; REST refuses the same conversation.
func TestStreamOfADemotedSupervisorStopsCarryingOthersConversations(t *testing.T) {
	e := newEnv(t)
	conv := e.customerWrites("14155550121", "first")
	if res := e.do("PATCH", "/v1/conversations/"+itoa(int(conv.ID)), e.admin, map[string]any{"assignee_id": e.agent2.id}); res.status != 200 {
		t.Fatalf("assign: %d %s", res.status, res.body)
	}
	c := e.mustDial(e.supervisor.token, "since=head")
	c.mustNextKind("live")
	if res := e.do("PATCH", "/v1/users/"+itoa(int(e.supervisor.id)), e.admin, map[string]any{"role": "agent"}); res.status != 200 {
		t.Fatalf("demote: %d %s", res.status, res.body)
	}
	e.customerWrites("14155550121", "secret")
	fs, code := c.toClose(eventOf(conv.ID))
	if code != wire.CloseAccessChanged {
		t.Fatalf("closed with %d, want %d", code, wire.CloseAccessChanged)
	}
	if last := fs[len(fs)-1]; last.Kind != wire.FrameResync || last.Error == nil || last.Error.Code != "RESYNC_REQUIRED" {
		t.Fatalf("last frame %+v", last)
	}
	if res := e.do("GET", "/v1/conversations/"+itoa(int(conv.ID)), e.supervisor.token, nil); res.code() != "NOT_FOUND" {
		t.Fatalf("REST after demotion: %d", res.status)
	}
	// Reconnected, the stream filters for an agent.
	c2 := e.mustDial(e.supervisor.token, "since=head")
	c2.mustNextKind("live")
	e.customerWrites("14155550121", "again")
	mine := e.customerWrites("14155550122", "unassigned")
	fs = c2.until(func(f wsFrame) bool { return f.Kind == "event" && f.Event.ConversationID == mine.ID })
	if leaked := eventsOf(fs, conv.ID); len(leaked) > 0 {
		t.Fatalf("the reconnected stream carried the colleague's conversation")
	}
}

// TestStreamGoesOnWhenOnlyTeamsChange: a change that leaves what the user
// may see as it was (teams, name) is re-checked and the stream goes on.
func TestStreamGoesOnWhenOnlyTeamsChange(t *testing.T) {
	e := newEnv(t)
	c := e.mustDial(e.agent.token, "since=head")
	c.mustNextKind("live")
	if res := e.do("PATCH", "/v1/users/"+itoa(int(e.agent.id)), e.admin, map[string]any{"teams": []string{"support"}, "name": "Alex A."}); res.status != 200 {
		t.Fatalf("teams: %d %s", res.status, res.body)
	}
	conv := e.customerWrites("14155550131", "still here")
	c.until(func(f wsFrame) bool {
		return f.Kind == "event" && f.Event.Type == domain.EventMessageCreated && f.Event.ConversationID == conv.ID
	})
}

// TestStreamEndsWhenTheTokenExpires: no event goes out on a token past its
// expiry, on the hub's clock.
func TestStreamEndsWhenTheTokenExpires(t *testing.T) {
	e := newEnv(t)
	exp := e.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	tok := dataOf[NewToken](t, e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "short", "scopes": []string{"whatsapp:read"}, "expires_at": exp}))
	c := e.mustDial(tok.Token, "since=head")
	c.mustNextKind("live")
	e.clock.Advance(2 * time.Hour)
	conv := e.customerWrites("14155550141", "too late")
	fs, code := c.toClose(eventOf(conv.ID))
	if code != wire.CloseRevoked {
		t.Fatalf("closed with %d, want %d", code, wire.CloseRevoked)
	}
	if last := fs[len(fs)-1]; last.Kind != wire.FrameError || !strings.Contains(last.Error.Message, "expired") {
		t.Fatalf("last frame %+v", last)
	}
}

// TestAccessChangesMadeInTheHubApplyAtOnce: a change made through the hub
// itself (not this API's handlers) reaches the token cache, the stream
// and the /v1/events poll at once.
func TestAccessChangesMadeInTheHubApplyAtOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	conv := e.customerWrites("14155550151", "first")
	if res := e.do("PATCH", "/v1/conversations/"+itoa(int(conv.ID)), e.admin, map[string]any{"assignee_id": e.agent2.id}); res.status != 200 {
		t.Fatal(res.status)
	}
	head := headOf(t, e)
	// Warm the cache for both tokens.
	if res := e.do("GET", "/v1/events?since="+itoa(int(head)), e.supervisor.token, nil); res.status != 200 {
		t.Fatal(res.status)
	}
	if res := e.do("GET", "/v1/me", e.agent.token, nil); res.status != 200 {
		t.Fatal(res.status)
	}
	agent := domain.RoleAgent
	if _, err := e.core.UpdateUser(ctx, nil, e.supervisor.id, hub.UserInput{Role: &agent}); err != nil {
		t.Fatal(err)
	}
	disabled := true
	if _, err := e.core.UpdateUser(ctx, nil, e.agent.id, hub.UserInput{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if res := e.do("GET", "/v1/me", e.agent.token, nil); res.code() != "UNAUTHORIZED" {
		t.Fatalf("a disabled user's cached token: %d", res.status)
	}
	e.customerWrites("14155550151", "second")
	var out struct {
		Data []wsFrame `json:"data"`
	}
	e.do("GET", "/v1/events?since="+itoa(int(head)), e.supervisor.token, nil).decode(t, &out)
	if leaked := eventsOf(out.Data, conv.ID); len(leaked) > 0 {
		t.Fatalf("the demoted supervisor's poll carried %d event(s) of a colleague's conversation", len(leaked))
	}
}

// lookupGate is a hub whose token lookups can be held after they read the
// database and before they answer, to let a revocation land in between.
type lookupGate struct {
	*hub.Service
	hold    atomic.Bool
	reached chan struct{}
	release chan struct{}
}

// AuthenticateHash reads the token and, while held, waits to answer.
func (g *lookupGate) AuthenticateHash(ctx context.Context, hash string) (hub.Credential, error) {
	c, err := g.Service.AuthenticateHash(ctx, hash)
	if g.hold.CompareAndSwap(true, false) {
		g.reached <- struct{}{}
		<-g.release
	}
	return c, err
}

// TestTokenCacheNeverKeepsALookupThatARevocationOvertook: a lookup that
// read a token just before it was revoked does not put it back into the
// cache after the revocation cleared it.
func TestTokenCacheNeverKeepsALookupThatARevocationOvertook(t *testing.T) {
	gate := &lookupGate{reached: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, withCore(func(s *hub.Service) Core { gate.Service = s; return gate }))
	tok := dataOf[NewToken](t, e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "racy", "scopes": []string{"whatsapp:read"}}))
	gate.hold.Store(true)
	first := make(chan response, 1)
	go func() { first <- e.do("GET", "/v1/me", tok.Token, nil) }()
	<-gate.reached
	if err := e.core.RevokeToken(context.Background(), tok.ID); err != nil {
		t.Fatal(err)
	}
	close(gate.release)
	<-first // answered as it was when read; what matters is what follows
	if res := e.do("GET", "/v1/me", tok.Token, nil); res.code() != "UNAUTHORIZED" {
		t.Fatalf("revoked token after an overtaken lookup: %d", res.status)
	}
}
