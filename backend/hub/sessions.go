package hub

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/wire"
)

// Sessions: signing in with e-mail and password, with a lockout. After
// LoginMaxFailures wrong attempts within LoginWindow the account is locked
// until a window has passed since the last of them; a locked account is
// refused before its password is even checked, and those refusals do not
// extend the lock.

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

// Login checks an e-mail and password and issues a sign-in token with the
// scopes of the user's role, valid for LoginTokenTTL. A locked account is
// answered LOGIN_LOCKED with the seconds to wait.
func (s *Service) Login(ctx context.Context, in LoginRequest) (Session, error) {
	in.Email = strings.TrimSpace(in.Email)
	if in.Email == "" || in.Password == "" {
		return Session{}, apierr.New(apierr.InvalidRequest, "email and password are required")
	}
	if len(in.Email) > 254 || len(in.Password) > 1024 {
		return Session{}, apierr.New(apierr.Unauthorized, "wrong e-mail or password")
	}
	now := s.now()
	// Reserve this attempt as a failure before checking the password, in
	// the same write as the lockout check, so concurrent guesses cannot
	// all slip in under the limit; a success removes the reservation.
	locked, retry := false, 0
	err := s.submit(ctx, func(w *wtx) error {
		times, err := w.tx.LoginFailuresSince(w.ctx, in.Email, now.Add(-s.cfg.LoginWindow), s.cfg.LoginMaxFailures)
		if err != nil {
			return err
		}
		if len(times) >= s.cfg.LoginMaxFailures {
			until := times[0].Add(s.cfg.LoginWindow)
			locked, retry = true, max(1, int(math.Ceil(until.Sub(now).Seconds())))
			return nil
		}
		return w.tx.AddLoginFailure(w.ctx, in.Email, now)
	})
	if err != nil {
		return Session{}, err
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
		// The password was right: forget this e-mail's failures.
		if err := w.tx.ClearLoginFailures(w.ctx, in.Email); err != nil {
			return err
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

// pruneLoginFailures drops failures older than any window, so the table
// stays the size of recent attacks.
func (s *Service) pruneLoginFailures(ctx context.Context) error {
	before := s.now().Add(-s.cfg.LoginWindow)
	return s.submit(ctx, func(w *wtx) error {
		_, err := w.tx.PruneLoginFailures(w.ctx, before)
		return err
	})
}
