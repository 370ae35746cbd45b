package hub

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/wire"
)

// Users: the agents, supervisors and admins who sign in. A deleted user is
// kept as a tombstone (their notes and messages still name them), their
// tokens are revoked and their conversations go back to the unassigned
// queue. There is always an enabled admin once there has been one.

// Password length bounds. bcrypt reads at most 72 bytes, so longer
// passwords would be silently truncated: refuse them instead.
const (
	MinPassword = 8
	MaxPassword = 72
)

// UserInput is a user's fields as a request gives them (the body of PUT
// /v1/users and PATCH /v1/users/{id}): nil leaves a field as it is (or,
// creating, absent).
type UserInput = wire.UserInput

// validateUser checks and normalises the fields present; create
// additionally requires the ones a new user cannot do without.
func validateUser(in *UserInput, create bool) error {
	if create {
		switch {
		case in.Email == nil:
			return apierr.Field(apierr.InvalidRequest, "email", "email is required")
		case in.Name == nil:
			return apierr.Field(apierr.InvalidRequest, "name", "name is required")
		case in.Role == nil:
			return apierr.Field(apierr.InvalidRequest, "role", "role is required")
		case in.Password == nil:
			return apierr.Field(apierr.InvalidRequest, "password", "password is required for a new user")
		}
	}
	if in.Email != nil {
		e := strings.TrimSpace(*in.Email)
		addr, err := mail.ParseAddress(e)
		if err != nil || addr.Address != e || len(e) > 254 {
			return apierr.Field(apierr.ValidationFailed, "email", "email must be a plain e-mail address like agent@example.com")
		}
		*in.Email = e
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" || utf8.RuneCountInString(n) > 100 {
			return apierr.Field(apierr.ValidationFailed, "name", "name must be 1 to 100 characters")
		}
		*in.Name = n
	}
	if in.Role != nil && !slices.Contains([]domain.Role{domain.RoleAgent, domain.RoleSupervisor, domain.RoleAdmin}, *in.Role) {
		return apierr.Field(apierr.ValidationFailed, "role", "role must be agent, supervisor or admin")
	}
	if in.Teams != nil {
		seen := map[string]bool{}
		out := []string{}
		for i, t := range *in.Teams {
			t = strings.TrimSpace(t)
			if t == "" || utf8.RuneCountInString(t) > 64 {
				return apierr.Field(apierr.ValidationFailed, "teams["+strconv.Itoa(i)+"]", "a team name must be 1 to 64 characters")
			}
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
		if len(out) > 50 {
			return apierr.Field(apierr.ValidationFailed, "teams", "at most 50 teams")
		}
		*in.Teams = out
	}
	if in.Password != nil {
		if n := len(*in.Password); n < MinPassword || n > MaxPassword {
			return apierr.Field(apierr.ValidationFailed, "password", "password must be %d to %d bytes", MinPassword, MaxPassword)
		}
	}
	return nil
}

// UserQuery filters ListUsers; zero fields do not filter.
type UserQuery struct {
	PageRequest
	Role domain.Role
	Team string
}

// ListUsers lists live users in id order.
func (s *Service) ListUsers(ctx context.Context, q UserQuery) (Page[domain.User], error) {
	if err := checkPage(q.PageRequest); err != nil {
		return Page[domain.User]{}, err
	}
	p, err := s.st.ListUsers(ctx, store.UserFilter{PageRequest: q.PageRequest, Role: q.Role, Team: q.Team})
	return p, storeErr(err, "user")
}

// GetUser returns a live user, or NOT_FOUND.
func (s *Service) GetUser(ctx context.Context, id int64) (domain.User, error) {
	u, err := s.st.GetUser(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return domain.User{}, noUser(id)
	}
	return u.User, storeErr(err, "user")
}

func noUser(id int64) error { return apierr.New(apierr.NotFound, "no user %d", id) }

// liveUser reads a live user inside a write, or answers NOT_FOUND.
func liveUser(w *wtx, id int64) (store.User, error) {
	u, err := w.tx.UserByID(w.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, noUser(id)
	}
	return u, err
}

// UserActive reports whether id is a live, enabled user (for assignees).
func (s *Service) UserActive(ctx context.Context, id int64) (bool, error) {
	u, err := s.st.GetUser(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, storeErr(err, "user")
	}
	return !u.Disabled, nil
}

// CreateUser adds a user. Email, name, role and a password of 8 to 72
// bytes are required; the e-mail must not belong to another live user.
func (s *Service) CreateUser(ctx context.Context, in UserInput) (domain.User, error) {
	if err := validateUser(&in, true); err != nil {
		return domain.User{}, err
	}
	hash, err := s.hashPassword(*in.Password)
	if err != nil {
		return domain.User{}, err
	}
	now := s.now()
	u := store.User{User: domain.User{Email: *in.Email, Name: *in.Name, Role: *in.Role, Teams: []string{},
		CreatedAt: now, UpdatedAt: now}, PasswordHash: hash}
	if in.Teams != nil {
		u.Teams = *in.Teams
	}
	u.Disabled = in.Disabled != nil && *in.Disabled
	err = s.submit(ctx, func(w *wtx) error {
		if _, err := w.tx.UserByEmail(w.ctx, u.Email); err == nil {
			return apierr.Field(apierr.Conflict, "email", "a user with this e-mail already exists")
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return w.tx.InsertUser(w.ctx, &u)
	})
	return u.User, err
}

// PutUser creates the user with in's e-mail, or replaces the existing
// one's name, role and teams (and password, when given); created reports
// which. actor is the user making the change (nil for integrations).
func (s *Service) PutUser(ctx context.Context, actor *int64, in UserInput) (u domain.User, created bool, err error) {
	if in.Email == nil {
		return u, false, apierr.Field(apierr.InvalidRequest, "email", "email is required")
	}
	if err := validateUser(&in, false); err != nil {
		return u, false, err
	}
	existing, err := s.st.FindUserByEmail(ctx, *in.Email)
	if errors.Is(err, store.ErrNotFound) {
		u, err = s.CreateUser(ctx, in)
		return u, err == nil, err
	}
	if err != nil {
		return u, false, storeErr(err, "user")
	}
	if in.Name == nil || in.Role == nil {
		return u, false, apierr.New(apierr.InvalidRequest, "PUT replaces a user: name and role are required (use PATCH to change some fields)")
	}
	if in.Teams == nil {
		in.Teams = &[]string{}
	}
	u, err = s.UpdateUser(ctx, actor, existing.ID, in)
	return u, false, err
}

// UpdateUser changes the fields in gives. A new password signs the user out
// everywhere. Nobody may demote or disable themselves, nor leave the hub
// without an enabled admin.
func (s *Service) UpdateUser(ctx context.Context, actor *int64, id int64, in UserInput) (domain.User, error) {
	if err := validateUser(&in, false); err != nil {
		return domain.User{}, err
	}
	var hash string
	if in.Password != nil {
		h, err := s.hashPassword(*in.Password)
		if err != nil {
			return domain.User{}, err
		}
		hash = h
	}
	if actor != nil && *actor == id {
		if in.Role != nil && *in.Role != domain.RoleAdmin {
			return domain.User{}, apierr.Field(apierr.Conflict, "role", "you cannot take the admin role from yourself")
		}
		if in.Disabled != nil && *in.Disabled {
			return domain.User{}, apierr.Field(apierr.Conflict, "disabled", "you cannot disable yourself")
		}
	}
	now := s.now()
	var out store.User
	err := s.submit(ctx, func(w *wtx) error {
		u, err := liveUser(w, id)
		if err != nil {
			return err
		}
		if err := keepAnAdmin(w, u, in.Role, in.Disabled); err != nil {
			return err
		}
		if in.Email != nil {
			other, err := w.tx.UserByEmail(w.ctx, *in.Email)
			if err == nil && other.ID != id {
				return apierr.Field(apierr.Conflict, "email", "another user has this e-mail")
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			u.Email = *in.Email
		}
		if in.Name != nil {
			u.Name = *in.Name
		}
		if in.Role != nil {
			u.Role = *in.Role
		}
		if in.Teams != nil {
			u.Teams = *in.Teams
		}
		if in.Disabled != nil {
			u.Disabled = *in.Disabled
		}
		if hash != "" {
			u.PasswordHash = hash
		}
		u.UpdatedAt = now
		if err := w.tx.UpdateUser(w.ctx, &u); err != nil {
			return err
		}
		if hash != "" {
			// A new password signs the user out everywhere.
			if _, err := w.tx.RevokeUserTokens(w.ctx, id, domain.TokenLogin, now); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	return out.User, err
}

// DeleteUser turns a user into a tombstone, revokes every token of theirs
// and puts their conversations back in the unassigned queue. Nobody may
// delete themselves.
func (s *Service) DeleteUser(ctx context.Context, actor *int64, id int64) error {
	if actor != nil && *actor == id {
		return apierr.New(apierr.Conflict, "you cannot delete your own user")
	}
	now := s.now()
	err := s.submit(ctx, func(w *wtx) error {
		u, err := liveUser(w, id)
		if err != nil {
			return err
		}
		if err := keepAnAdmin(w, u, nil, nil); err != nil {
			return err
		}
		if err := w.tx.DeleteUser(w.ctx, id, now); err != nil {
			return err
		}
		_, err = w.tx.RevokeUserTokens(w.ctx, id, "", now)
		return err
	})
	if err != nil {
		return err
	}
	// Their conversations go back to the unassigned queue, so nothing
	// waits on someone who is gone.
	if err := s.unassignAll(ctx, id); err != nil {
		s.log.Error("hub: unassigning a deleted user's conversations", "user_id", id, "err", err)
	}
	return nil
}

// unassignAll releases every conversation assigned to user.
func (s *Service) unassignAll(ctx context.Context, user int64) error {
	for {
		page, err := s.ListConversations(ctx, ConversationQuery{AssigneeID: &user, PageRequest: PageRequest{Limit: 100}})
		if err != nil {
			return err
		}
		if len(page.Items) == 0 {
			return nil
		}
		for _, c := range page.Items {
			if _, err := s.UpdateConversation(ctx, c.ID, ConversationUpdate{Unassign: true}); err != nil {
				return err
			}
		}
	}
}

// keepAnAdmin refuses a change that would leave no enabled admin user when
// there was one, so nobody can lock the business out of user management
// (the bootstrap token still works, but people should not depend on it).
// Both role and disabled nil means the user is being deleted.
func keepAnAdmin(w *wtx, u store.User, role *domain.Role, disabled *bool) error {
	if u.Role != domain.RoleAdmin || u.Disabled {
		return nil
	}
	losing := (role == nil && disabled == nil) ||
		(role != nil && *role != domain.RoleAdmin) || (disabled != nil && *disabled)
	if !losing {
		return nil
	}
	others, err := w.tx.CountEnabledAdmins(w.ctx, u.ID)
	if err != nil {
		return err
	}
	if others == 0 {
		return apierr.New(apierr.Conflict, "this is the last enabled admin user")
	}
	return nil
}

func (s *Service) hashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.cfg.BcryptCost)
	if err != nil {
		return "", apierr.Wrap(err, apierr.Internal, "hashing the password failed")
	}
	return string(h), nil
}
