package hub

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// TestClientRuleArithmetic: the per-client budget allows a burst, refills
// with time, blocks a client out of budget for twice as long each time in
// a row up to the cap, forgives a quiet client, and refunds a success.
func TestClientRuleArithmetic(t *testing.T) {
	r := clientRule{burst: 3, refill: 20 * time.Second, block: 30 * time.Second, maxBlock: 100 * time.Second}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var st store.LoginThrottle
	for i := range 3 {
		if wait := r.take(&st, t0); wait != 0 {
			t.Fatalf("failure %d refused (%s) within the burst", i+1, wait)
		}
	}
	if wait := r.take(&st, t0); wait != 30*time.Second || st.Strikes != 1 {
		t.Fatalf("out of budget: wait %s, strikes %d; want 30s, 1", wait, st.Strikes)
	}
	// Blocked attempts do not extend the block.
	if wait := r.take(&st, t0.Add(20*time.Second)); wait != 10*time.Second || !st.BlockedUntil.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("during the block: wait %s, until %s", wait, st.BlockedUntil)
	}
	// 30 s refilled one failure and a half: one try now.
	now := t0.Add(30 * time.Second)
	if wait := r.take(&st, now); wait != 0 {
		t.Fatalf("after the block: %s", wait)
	}
	if wait := r.take(&st, now); wait != 60*time.Second || st.Strikes != 2 {
		t.Fatalf("second block %s (strikes %d), want 60s", wait, st.Strikes)
	}
	// Each block in a row is twice as long, up to the cap, even though a
	// long block leaves the budget whole again.
	now = st.BlockedUntil
	for _, want := range []time.Duration{100 * time.Second, 100 * time.Second} {
		wait := time.Duration(0)
		for wait == 0 {
			wait = r.take(&st, now)
		}
		if wait != want {
			t.Fatalf("block %d lasts %s, want %s", st.Strikes, wait, want)
		}
		now = st.BlockedUntil
	}
	if st.Strikes != 4 {
		t.Fatalf("strikes %d, want 4", st.Strikes)
	}
	// Quiet for a whole refill after the block: the blocks are forgiven.
	now = now.Add(time.Duration(r.burst) * r.refill)
	if wait := r.take(&st, now); wait != 0 || st.Strikes != 0 {
		t.Fatalf("after a quiet spell: wait %s strikes %d", wait, st.Strikes)
	}
	// A refund gives back exactly one failure, never more than whole.
	before := st.RefilledAt
	r.refund(&st, now)
	if !st.RefilledAt.Equal(before.Add(-r.refill)) {
		t.Fatalf("refund moved %s to %s", before, st.RefilledAt)
	}
	r.refund(&st, now)
	if !st.RefilledAt.Equal(now) {
		t.Fatalf("refund past whole: %s", st.RefilledAt)
	}
}

// users creates n agents with the password "correct horse battery".
func (e *env) users(t *testing.T, n int) []string {
	t.Helper()
	var emails []string
	role, pw := domain.RoleAgent, "correct horse battery"
	for i := range n {
		email, name := "user"+strconv.Itoa(i)+"@example.com", "User "+strconv.Itoa(i)
		if _, err := e.current().CreateUser(context.Background(), UserInput{Email: &email, Name: &name, Role: &role, Password: &pw}); err != nil {
			t.Fatal(err)
		}
		emails = append(emails, email)
	}
	return emails
}

// TestLoginThrottledPerClient: one client spraying a wrong password over
// many accounts (none of them locked) is stopped after its burst with
// RATE_LIMITED and the seconds to wait, even for a right password; other
// clients sign in meanwhile; the block survives a restart and ends on
// time.
func TestLoginThrottledPerClient(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BcryptCost = bcrypt.MinCost })
	ctx := context.Background()
	emails := e.users(t, 40)
	const attacker, office = "192.0.2.66", "198.51.100.7"
	burst := e.current().cfg.LoginClientBurst
	for i, email := range emails {
		_, err := e.current().Login(ctx, attacker, LoginRequest{Email: email, Password: "wrong password"})
		code := apierr.CodeOf(err)
		if i < burst && code != apierr.Unauthorized {
			t.Fatalf("attempt %d: %v, want UNAUTHORIZED", i+1, err)
		}
		if i >= burst {
			if code != apierr.RateLimited || apierr.As(err).RetryAfter != 30 {
				t.Fatalf("attempt %d: %v, want RATE_LIMITED after 30 s", i+1, err)
			}
		}
	}
	if _, err := e.current().Login(ctx, attacker, LoginRequest{Email: emails[0], Password: "correct horse battery"}); apierr.CodeOf(err) != apierr.RateLimited {
		t.Fatalf("a blocked client signed in: %v", err)
	}
	if _, err := e.current().Login(ctx, office, LoginRequest{Email: emails[0], Password: "correct horse battery"}); err != nil {
		t.Fatalf("another client was refused: %v", err)
	}
	e.reopen()
	if _, err := e.current().Login(ctx, attacker, LoginRequest{Email: emails[1], Password: "correct horse battery"}); apierr.CodeOf(err) != apierr.RateLimited {
		t.Fatalf("the block did not survive a restart: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	if _, err := e.current().Login(ctx, attacker, LoginRequest{Email: emails[1], Password: "correct horse battery"}); err != nil {
		t.Fatalf("after the block: %v", err)
	}
	// Without an address (in-process callers) only the account lockout applies.
	if _, err := e.current().Login(ctx, "", LoginRequest{Email: emails[2], Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
}

// TestSuccessfulLoginsGiveTheirReservationBack: a client that signs in
// right, many times, is never throttled.
func TestSuccessfulLoginsGiveTheirReservationBack(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BcryptCost = bcrypt.MinCost })
	emails := e.users(t, 1)
	for i := range 3 * e.current().cfg.LoginClientBurst {
		if _, err := e.current().Login(context.Background(), "203.0.113.9", LoginRequest{Email: emails[0], Password: "correct horse battery"}); err != nil {
			t.Fatalf("sign-in %d: %v", i+1, err)
		}
	}
}

// TestAccessChangesAreSignalled: every committed change to a user or a
// token is told to OnAccessChange before the call returns; a refused one
// is not.
func TestAccessChangesAreSignalled(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BcryptCost = bcrypt.MinCost })
	ctx := context.Background()
	s := e.current()
	var mu sync.Mutex
	var got []AccessChange
	stop := s.OnAccessChange(func(c AccessChange) {
		mu.Lock()
		got = append(got, c)
		mu.Unlock()
	})
	take := func() []AccessChange {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
	emails := e.users(t, 2)
	if c := take(); len(c) != 0 {
		t.Fatalf("creating users signalled %v", c)
	}
	u, err := s.st.FindUserByEmail(ctx, emails[0])
	if err != nil {
		t.Fatal(err)
	}
	teams := []string{"sales"}
	if _, err := s.UpdateUser(ctx, nil, u.ID, UserInput{Teams: &teams}); err != nil {
		t.Fatal(err)
	}
	if c := take(); !slices.Equal(c, []AccessChange{{UserID: u.ID}}) {
		t.Fatalf("update signalled %v", c)
	}
	bad := "no"
	if _, err := s.UpdateUser(ctx, nil, u.ID, UserInput{Password: &bad}); err == nil {
		t.Fatal("a short password was accepted")
	}
	if c := take(); len(c) != 0 {
		t.Fatalf("a refused update signalled %v", c)
	}
	tok, err := s.CreateToken(ctx, TokenRequest{Name: "crm", Scopes: []string{"whatsapp:read"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if c := take(); !slices.Equal(c, []AccessChange{{TokenID: tok.ID}}) {
		t.Fatalf("revoke signalled %v", c)
	}
	if err := s.DeleteUser(ctx, nil, u.ID); err != nil {
		t.Fatal(err)
	}
	if c := take(); len(c) == 0 || c[0] != (AccessChange{UserID: u.ID}) {
		t.Fatalf("delete signalled %v", c)
	}
	stop()
	if err := s.DeleteUser(ctx, nil, u.ID+1); err != nil {
		t.Fatal(err)
	}
	if c := take(); len(c) != 0 {
		t.Fatalf("signalled after cancel: %v", c)
	}
}
