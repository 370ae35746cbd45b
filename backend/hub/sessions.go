package hub

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/wire"
)

// Sessions: signing in with e-mail and password, with two brakes on
// guessing.
//
// Per account: after LoginMaxFailures wrong attempts within LoginWindow
// the account is locked until a window has passed since the last of them;
// a locked account is refused (LOGIN_LOCKED) before its password is even
// checked, and those refusals do not extend the lock.
//
// Per client address, whatever the accounts (one client trying one
// password on many accounts never locks any of them): each client has a
// budget of LoginClientBurst failures that refills one per
// LoginClientRefill. A client out of budget is refused (RATE_LIMITED, with
// the seconds to wait) for LoginClientBlock, twice as long at each block
// in a row up to LoginClientMaxBlock; a client quiet for as long as its
// budget takes to refill is forgiven its blocks. Refused attempts check no password and do not extend a block,
// and a successful sign-in gives back what it reserved, so other clients'
// failures never stand in anyone's way and a valid account cannot be
// used to launder a guesser's budget.
//
// Both live in the store, in the same write that reserves the attempt, so
// concurrent guesses cannot slip in under a limit, a restart forgets
// nothing, and every hub instance on one database shares them.

// ErrBadCredentials is the cause (errors.Is) of the UNAUTHORIZED answer to
// a wrong e-mail or password, so callers can count failed sign-ins apart
// from locked or disabled accounts.
var ErrBadCredentials = errors.New("hub: wrong e-mail or password")

// dummyHash is compared against when the e-mail is unknown, so a wrong
// e-mail takes as long as a wrong password and does not reveal which
// accounts exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("switchboard-no-such-user"), bcrypt.DefaultCost)

// LoginRequest is a sign-in, the body of POST /v1/login: Name labels the
// token in lists ("Ana's laptop").
type LoginRequest = wire.LoginRequest

// Session is a successful sign-in: a new login token (its secret shown
// once) and the user.
type Session struct {
	Token domain.NewToken
	User  domain.User
}

func badCredentials() error {
	return apierr.Wrap(ErrBadCredentials, apierr.Unauthorized, "wrong e-mail or password")
}

// Login checks an e-mail and password from client (the caller's address
// key, an IPv6 client's /64; empty when there is none, which skips the
// per-client budget) and issues a sign-in token with the scopes of the
// user's role, valid for LoginTokenTTL. A locked account is answered
// LOGIN_LOCKED, a client out of budget RATE_LIMITED, both with the
// seconds to wait.
func (s *Service) Login(ctx context.Context, client string, in LoginRequest) (Session, error) {
	in.Email = strings.TrimSpace(in.Email)
	if in.Email == "" || in.Password == "" {
		return Session{}, apierr.New(apierr.InvalidRequest, "email and password are required")
	}
	if len(in.Email) > 254 || len(in.Password) > 1024 {
		return Session{}, apierr.New(apierr.Unauthorized, "wrong e-mail or password")
	}
	if len(client) > maxClientKey {
		client = client[:maxClientKey]
	}
	now := s.now()
	rule := s.clientRule()
	// A blocked client is refused from the read pool, so a flood of
	// refused guesses never queues behind the writer.
	if client != "" {
		if t, err := s.st.GetLoginThrottle(ctx, client); err == nil && rule.blocked(t, now) > 0 {
			return Session{}, clientThrottled(rule.blocked(t, now))
		}
	}
	// Reserve this attempt as a failure before checking the password, in
	// the same write as the checks, so concurrent guesses cannot all slip
	// in under a limit; a success gives the reservations back.
	locked, retry := false, 0
	var throttled time.Duration
	err := s.submit(ctx, func(w *wtx) error {
		var t store.LoginThrottle
		if client != "" {
			var err error
			if t, err = w.tx.LoginThrottleByClient(w.ctx, client); errors.Is(err, store.ErrNotFound) {
				t, err = store.LoginThrottle{Client: client}, nil
			}
			if err != nil {
				return err
			}
			if throttled = rule.blocked(t, now); throttled > 0 {
				return nil
			}
		}
		times, err := w.tx.LoginFailuresSince(w.ctx, in.Email, now.Add(-s.cfg.LoginWindow), s.cfg.LoginMaxFailures)
		if err != nil {
			return err
		}
		if len(times) >= s.cfg.LoginMaxFailures {
			// Refused without a check: it costs the client nothing.
			until := times[0].Add(s.cfg.LoginWindow)
			locked, retry = true, max(1, int(math.Ceil(until.Sub(now).Seconds())))
			return nil
		}
		if client != "" {
			throttled = rule.take(&t, now)
			if err := w.tx.PutLoginThrottle(w.ctx, t); err != nil || throttled > 0 {
				return err
			}
		}
		return w.tx.AddLoginFailure(w.ctx, in.Email, now)
	})
	if err != nil {
		return Session{}, err
	}
	if throttled > 0 {
		return Session{}, clientThrottled(throttled)
	}
	if locked {
		return Session{}, &apierr.Error{Code: apierr.LoginLocked, RetryAfter: retry,
			Message: "too many failed sign-ins for this account; try again in " + strconv.Itoa(retry) + " s"}
	}

	u, err := s.st.FindUserByEmail(ctx, in.Email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.PasswordHash == "") {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(in.Password))
		return Session{}, badCredentials()
	}
	if err != nil {
		return Session{}, storeErr(err, "user")
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(in.Password)) != nil {
		s.log.Info("sign-in failed", "user_id", u.ID)
		return Session{}, badCredentials()
	}
	if u.Disabled {
		return Session{}, apierr.New(apierr.Unauthorized, "this user is disabled")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = "sign-in"
	}
	if len(name) > 100 {
		name = name[:100]
	}
	var out Session
	err = s.submit(ctx, func(w *wtx) error {
		// The password was right: forget this e-mail's failures and give
		// the client back what this attempt reserved.
		if err := w.tx.ClearLoginFailures(w.ctx, in.Email); err != nil {
			return err
		}
		if client != "" {
			t, err := w.tx.LoginThrottleByClient(w.ctx, client)
			if err == nil {
				rule.refund(&t, now)
				err = w.tx.PutLoginThrottle(w.ctx, t)
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		cur, err := liveUser(w, u.ID)
		if err != nil {
			return err
		}
		exp := now.Add(s.cfg.LoginTokenTTL)
		id := cur.ID
		t, err := s.issueToken(w, "", domain.TokenLogin, name, &id, cur.Role, domain.RoleScopes(cur.Role), &exp)
		out = Session{Token: t, User: cur.User}
		return err
	})
	if err != nil {
		return Session{}, err
	}
	s.log.Info("signed in", "user_id", u.ID, "token_id", out.Token.ID)
	return out, nil
}

// pruneLoginFailures drops failures older than any window and client
// budgets that are whole and unblocked again (the same as none), so the
// tables stay the size of recent attacks.
func (s *Service) pruneLoginFailures(ctx context.Context) error {
	now := s.now()
	return s.submit(ctx, func(w *wtx) error {
		if _, err := w.tx.PruneLoginFailures(w.ctx, now.Add(-s.cfg.LoginWindow)); err != nil {
			return err
		}
		_, err := w.tx.PruneLoginThrottles(w.ctx, now)
		return err
	})
}

// maxClientKey bounds a client key (an IPv6 /64 in text is 22 bytes).
const maxClientKey = 64

// clientRule is the per-client sign-in budget's arithmetic: a generic
// cell rate algorithm, where the budget is a time (RefilledAt) that each
// failure pushes one refill later and that may run at most burst refills
// ahead of now, plus exponential blocks for a client out of budget.
type clientRule struct {
	burst                   int
	refill, block, maxBlock time.Duration
}

func (s *Service) clientRule() clientRule {
	return clientRule{burst: s.cfg.LoginClientBurst, refill: s.cfg.LoginClientRefill,
		block: s.cfg.LoginClientBlock, maxBlock: s.cfg.LoginClientMaxBlock}
}

// blocked is how long t's client must still wait at now (0: it may try).
func (r clientRule) blocked(t store.LoginThrottle, now time.Time) time.Duration {
	return max(0, t.BlockedUntil.Sub(now))
}

// take reserves one failure of t's budget at now and returns 0, or
// returns how long the client must wait: the rest of its block, or a new
// block when the budget is spent.
func (r clientRule) take(t *store.LoginThrottle, now time.Time) time.Duration {
	if wait := r.blocked(*t, now); wait > 0 {
		return wait
	}
	window := time.Duration(r.burst) * r.refill // from spent to whole
	if !t.RefilledAt.After(now) {
		t.RefilledAt = now
		// Whole, and quiet for a whole window since the last block:
		// earlier blocks are forgiven. (Whole alone is not enough: a
		// long block refills the budget, and the next block in a row
		// must still be longer.)
		if !now.Before(t.BlockedUntil.Add(window)) {
			t.Strikes = 0
		}
	}
	next := t.RefilledAt.Add(r.refill)
	if next.Sub(now) > window {
		t.Strikes++
		block := r.maxBlock
		if shift := t.Strikes - 1; shift < 30 && r.block<<shift < r.maxBlock {
			block = r.block << shift
		}
		t.BlockedUntil = now.Add(block)
		return block
	}
	t.RefilledAt = next
	return 0
}

// refund gives back the failure a successful attempt reserved.
func (r clientRule) refund(t *store.LoginThrottle, now time.Time) {
	t.RefilledAt = t.RefilledAt.Add(-r.refill)
	if t.RefilledAt.Before(now) {
		t.RefilledAt = now
	}
}

// clientThrottled is the answer to a client out of budget.
func clientThrottled(wait time.Duration) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &apierr.Error{Code: apierr.RateLimited, RetryAfter: secs,
		Message: "too many failed sign-ins from this address; try again in " + strconv.Itoa(secs) + " s"}
}
