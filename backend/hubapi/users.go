package hubapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub"
	"switchboard/backend/wire"
)

// Password length bounds. bcrypt reads at most 72 bytes, so longer
// passwords would be silently truncated: refuse them instead.
const (
	minPassword = 8
	maxPassword = 72
)

const userColumns = `id, email, name, role, teams, disabled, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (domain.User, error) {
	var (
		u          domain.User
		teams      string
		disabled   int64
		created    string
		updated    string
		role       string
		emailValue string
	)
	if err := row.Scan(&u.ID, &emailValue, &u.Name, &role, &teams, &disabled, &created, &updated); err != nil {
		return u, err
	}
	u.Email = emailValue
	u.Role = domain.Role(role)
	u.Disabled = disabled == 1
	u.CreatedAt = parseTime(created)
	u.UpdatedAt = parseTime(updated)
	u.Teams = []string{}
	_ = json.Unmarshal([]byte(teams), &u.Teams)
	return u, nil
}

// getUser returns a live (not deleted) user.
func (s *Server) getUser(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (domain.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apierr.New(apierr.NotFound, "no user %d", id)
	}
	return u, err
}

// userInput is the body of PUT /v1/users and PATCH /v1/users/{id}.
type userInput struct {
	Email    *string      `json:"email"`
	Name     *string      `json:"name"`
	Role     *domain.Role `json:"role"`
	Teams    *[]string    `json:"teams"`
	Password *string      `json:"password"`
	Disabled *bool        `json:"disabled"`
}

// validate checks the fields present; create additionally requires the
// ones a new user cannot do without.
func (in *userInput) validate(create bool) error {
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
		if n := len(*in.Password); n < minPassword || n > maxPassword {
			return apierr.Field(apierr.ValidationFailed, "password", "password must be %d to %d bytes", minPassword, maxPassword)
		}
	}
	return nil
}

// handleListUsers is GET /v1/users. Everyone may list users: the console
// needs names for assignees.
func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	role, err := queryEnum(r, "role", "agent", "supervisor", "admin")
	if err != nil {
		return err
	}
	team := r.URL.Query().Get("team")
	after, err := decodeIDCursor(page.Cursor)
	if err != nil {
		return err
	}
	q := `SELECT ` + userColumns + ` FROM users WHERE deleted_at IS NULL AND id > ?`
	args := []any{after}
	if role != "" {
		q += ` AND role = ?`
		args = append(args, role)
	}
	if team != "" {
		q += ` AND EXISTS (SELECT 1 FROM json_each(users.teams) WHERE value = ?)`
		args = append(args, team)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, page.Limit+1)
	rows, err := s.db.Read.QueryContext(r.Context(), q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	users := []domain.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return err
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var p Pagination
	if len(users) > page.Limit {
		users = users[:page.Limit]
		p = Pagination{HasMore: true, NextCursor: encodeIDCursor(users[len(users)-1].ID)}
	}
	return s.writeList(w, users, p)
}

// handleGetUser is GET /v1/users/{id}.
func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.getUser(r.Context(), s.db.Read, id)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, u)
}

// handleMe is GET /v1/me.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	out := wire.Me{TokenID: p.TokenID, Kind: p.Kind, Name: p.Name, Role: p.Role, Scopes: scopeStrings(p.Scopes)}
	if p.UserID != nil {
		u, err := s.getUser(r.Context(), s.db.Read, *p.UserID)
		if err != nil {
			return err
		}
		out.User = &u
	}
	return s.writeData(w, http.StatusOK, out)
}

// handlePutUser is PUT /v1/users: create the user with this e-mail, or
// replace the existing one's name, role and teams (and password, when
// given). 201 when created, 200 when updated.
func (s *Server) handlePutUser(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Email == nil {
		return apierr.Field(apierr.InvalidRequest, "email", "email is required")
	}
	if err := in.validate(false); err != nil {
		return err
	}
	ctx := r.Context()
	var existing int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ? AND deleted_at IS NULL`, *in.Email).Scan(&existing)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if existing == 0 {
		if err := in.validate(true); err != nil {
			return err
		}
		u, err := s.createUser(ctx, in)
		if err != nil {
			return err
		}
		return s.writeData(w, http.StatusCreated, u)
	}
	if in.Name == nil || in.Role == nil {
		return apierr.New(apierr.InvalidRequest, "PUT replaces a user: name and role are required (use PATCH to change some fields)")
	}
	if in.Teams == nil {
		in.Teams = &[]string{}
	}
	u, err := s.updateUser(ctx, principalFrom(r), existing, in)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, u)
}

// handlePatchUser is PATCH /v1/users/{id}.
func (s *Server) handlePatchUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in userInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.validate(false); err != nil {
		return err
	}
	u, err := s.updateUser(r.Context(), principalFrom(r), id, in)
	if err != nil {
		return err
	}
	return s.writeData(w, http.StatusOK, u)
}

// handleDeleteUser is DELETE /v1/users/{id}: the user is kept as a
// tombstone (their notes and messages still name them) and every token of
// theirs is revoked at once.
func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principalFrom(r)
	if p.UserID != nil && *p.UserID == id {
		return apierr.New(apierr.Conflict, "you cannot delete your own user")
	}
	ctx := r.Context()
	now := formatTime(s.now())
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.getUser(ctx, tx, id); err != nil {
			return err
		}
		if err := s.keepAnAdmin(ctx, tx, id, nil, nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET deleted_at = ?, updated_at = ?, disabled = 1 WHERE id = ?`, now, now, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, id)
		return err
	})
	if err != nil {
		return err
	}
	s.tokens.clear()
	// Their conversations go back to the unassigned queue, so nothing
	// waits on someone who is gone.
	if err := s.unassignAll(ctx, id); err != nil {
		s.log.Error("unassigning a deleted user's conversations", "user_id", id, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// unassignAll releases every conversation assigned to user.
func (s *Server) unassignAll(ctx context.Context, user int64) error {
	for {
		page, err := s.core.ListConversations(ctx, hub.ConversationQuery{AssigneeID: &user, PageRequest: hub.PageRequest{Limit: 100}})
		if err != nil {
			return err
		}
		if len(page.Items) == 0 {
			return nil
		}
		for _, c := range page.Items {
			if _, err := s.core.UpdateConversation(ctx, c.ID, hub.ConversationUpdate{SetAssignee: true}); err != nil {
				return err
			}
		}
	}
}

func (s *Server) hashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.cfg.BcryptCost)
	if err != nil {
		return "", apierr.Wrap(err, apierr.Internal, "hashing the password failed")
	}
	return string(h), nil
}

// CreateUser adds a user (for the binary's bootstrap and for tests). The
// password must be 8 to 72 bytes.
func (s *Server) CreateUser(ctx context.Context, email, name string, role domain.Role, teams []string, password string) (domain.User, error) {
	in := userInput{Email: &email, Name: &name, Role: &role, Teams: &teams, Password: &password}
	if err := in.validate(true); err != nil {
		return domain.User{}, err
	}
	return s.createUser(ctx, in)
}

func (s *Server) createUser(ctx context.Context, in userInput) (domain.User, error) {
	hash, err := s.hashPassword(*in.Password)
	if err != nil {
		return domain.User{}, err
	}
	teams := []string{}
	if in.Teams != nil {
		teams = *in.Teams
	}
	tj, _ := json.Marshal(teams)
	disabled := 0
	if in.Disabled != nil && *in.Disabled {
		disabled = 1
	}
	now := formatTime(s.now())
	var u domain.User
	err = s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = ? AND deleted_at IS NULL`, *in.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Field(apierr.Conflict, "email", "a user with this e-mail already exists")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, role, teams, password_hash, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, *in.Email, *in.Name, string(*in.Role), string(tj), hash, disabled, now, now)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		u, err = s.getUser(ctx, tx, id)
		return err
	})
	return u, err
}

func (s *Server) updateUser(ctx context.Context, p *Principal, id int64, in userInput) (domain.User, error) {
	var hash string
	if in.Password != nil {
		h, err := s.hashPassword(*in.Password)
		if err != nil {
			return domain.User{}, err
		}
		hash = h
	}
	if p != nil && p.UserID != nil && *p.UserID == id {
		if in.Role != nil && *in.Role != domain.RoleAdmin {
			return domain.User{}, apierr.Field(apierr.Conflict, "role", "you cannot take the admin role from yourself")
		}
		if in.Disabled != nil && *in.Disabled {
			return domain.User{}, apierr.Field(apierr.Conflict, "disabled", "you cannot disable yourself")
		}
	}
	now := formatTime(s.now())
	var u domain.User
	err := s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.getUser(ctx, tx, id); err != nil {
			return err
		}
		if err := s.keepAnAdmin(ctx, tx, id, in.Role, in.Disabled); err != nil {
			return err
		}
		sets := []string{"updated_at = ?"}
		args := []any{now}
		if in.Email != nil {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = ? AND id <> ? AND deleted_at IS NULL`, *in.Email, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apierr.Field(apierr.Conflict, "email", "another user has this e-mail")
			}
			sets, args = append(sets, "email = ?"), append(args, *in.Email)
		}
		if in.Name != nil {
			sets, args = append(sets, "name = ?"), append(args, *in.Name)
		}
		if in.Role != nil {
			sets, args = append(sets, "role = ?"), append(args, string(*in.Role))
		}
		if in.Teams != nil {
			tj, _ := json.Marshal(*in.Teams)
			sets, args = append(sets, "teams = ?"), append(args, string(tj))
		}
		if in.Disabled != nil {
			d := 0
			if *in.Disabled {
				d = 1
			}
			sets, args = append(sets, "disabled = ?"), append(args, d)
		}
		if hash != "" {
			sets, args = append(sets, "password_hash = ?"), append(args, hash)
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, `UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...); err != nil {
			return err
		}
		if hash != "" {
			// A new password signs the user out everywhere.
			if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND kind = 'login' AND revoked_at IS NULL`, now, id); err != nil {
				return err
			}
		}
		var err error
		u, err = s.getUser(ctx, tx, id)
		return err
	})
	s.tokens.clear()
	return u, err
}

// keepAnAdmin refuses a change that would leave no enabled admin user when
// there was one, so nobody can lock the business out of user management
// (the bootstrap token still works, but people should not depend on it).
func (s *Server) keepAnAdmin(ctx context.Context, tx *sql.Tx, id int64, role *domain.Role, disabled *bool) error {
	var cur string
	var dis int64
	if err := tx.QueryRowContext(ctx, `SELECT role, disabled FROM users WHERE id = ?`, id).Scan(&cur, &dis); err != nil {
		return err
	}
	if cur != string(domain.RoleAdmin) || dis == 1 {
		return nil
	}
	losing := (role == nil && disabled == nil) || // delete
		(role != nil && *role != domain.RoleAdmin) || (disabled != nil && *disabled)
	if !losing {
		return nil
	}
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND deleted_at IS NULL AND id <> ?`, id).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return apierr.New(apierr.Conflict, "this is the last enabled admin user")
	}
	return nil
}

// userExists reports whether id is a live, enabled user (for assignees).
func (s *Server) userExists(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = ? AND deleted_at IS NULL AND disabled = 0`, id).Scan(&n)
	return n > 0, err
}
