package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// Users, tokens and sign-in failures.

func newUser(email string, role domain.Role, teams ...string) store.User {
	return store.User{User: domain.User{Email: email, Name: "User " + email, Role: role, Teams: teams,
		CreatedAt: t0, UpdatedAt: t0}, PasswordHash: "hash-of-" + email}
}

func insertUser(t *testing.T, s store.Store, u *store.User) {
	t.Helper()
	update(t, s, func(tx store.Tx) error { return tx.InsertUser(ctx, u) })
}

func testUsers(t *testing.T, s store.Store) {
	ana := newUser("Ana@Example.com", domain.RoleAdmin, "sales", "support")
	insertUser(t, s, &ana)
	if ana.ID == 0 {
		t.Fatal("InsertUser set no id")
	}
	got, err := s.GetUser(ctx, ana.ID)
	if err != nil || got.Email != "Ana@Example.com" || got.Role != domain.RoleAdmin || len(got.Teams) != 2 ||
		got.PasswordHash != ana.PasswordHash || got.Disabled || !got.CreatedAt.Equal(t0) {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	// E-mails compare case-insensitively, in reads and in writes.
	if u, err := s.FindUserByEmail(ctx, "ana@example.COM"); err != nil || u.ID != ana.ID {
		t.Fatalf("FindUserByEmail (other case) = %+v, %v", u, err)
	}
	update(t, s, func(tx store.Tx) error {
		u, err := tx.UserByEmail(ctx, "ANA@EXAMPLE.COM")
		if err != nil || u.ID != ana.ID {
			return fmt.Errorf("UserByEmail = %+v, %v", u, err)
		}
		if u, err := tx.UserByID(ctx, ana.ID); err != nil || u.Email != ana.Email {
			return fmt.Errorf("UserByID = %+v, %v", u, err)
		}
		return nil
	})
	dup := newUser("ana@example.com", domain.RoleAgent)
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertUser(ctx, &dup) }); err == nil {
		t.Fatal("a second live user with the same e-mail was stored")
	}
	// No teams reads back as an empty list, never nil.
	bo := newUser("bo@example.com", domain.RoleAgent)
	insertUser(t, s, &bo)
	if u, _ := s.GetUser(ctx, bo.ID); u.Teams == nil || len(u.Teams) != 0 {
		t.Fatalf("teams = %#v, want []", u.Teams)
	}

	// UpdateUser writes every field.
	bo.Email, bo.Name, bo.Role, bo.Teams, bo.Disabled, bo.PasswordHash, bo.UpdatedAt =
		"bo@example.org", "Bo B", domain.RoleSupervisor, []string{"vip"}, true, "new-hash", at(time.Hour)
	update(t, s, func(tx store.Tx) error { return tx.UpdateUser(ctx, &bo) })
	if u, err := s.GetUser(ctx, bo.ID); err != nil || u.Email != "bo@example.org" || u.Name != "Bo B" ||
		u.Role != domain.RoleSupervisor || len(u.Teams) != 1 || !u.Disabled || u.PasswordHash != "new-hash" ||
		!u.UpdatedAt.Equal(at(time.Hour)) || !u.CreatedAt.Equal(t0) {
		t.Fatalf("after UpdateUser: %+v, %v", u, err)
	}

	// Admins: enabled, live, other than the one asked about.
	cy := newUser("cy@example.com", domain.RoleAdmin)
	insertUser(t, s, &cy)
	admins := func(except int64) int {
		var n int
		update(t, s, func(tx store.Tx) error {
			var err error
			n, err = tx.CountEnabledAdmins(ctx, except)
			return err
		})
		return n
	}
	if n := admins(ana.ID); n != 1 {
		t.Fatalf("admins other than ana = %d, want 1", n)
	}
	if n := admins(0); n != 2 {
		t.Fatalf("admins = %d, want 2", n)
	}

	// A deleted user is a tombstone: invisible, their e-mail free again.
	update(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx, cy.ID, at(2*time.Hour)) })
	if _, err := s.GetUser(ctx, cy.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetUser(deleted) = %v, want ErrNotFound", err)
	}
	if _, err := s.FindUserByEmail(ctx, "cy@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FindUserByEmail(deleted) = %v, want ErrNotFound", err)
	}
	if n := admins(0); n != 1 {
		t.Fatalf("admins after deleting one = %d, want 1", n)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.UserByID(ctx, cy.ID); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("UserByID(deleted) = %v", err)
		}
		if err := tx.DeleteUser(ctx, cy.ID, at(3*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("DeleteUser twice = %v", err)
		}
		if err := tx.UpdateUser(ctx, &cy); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("UpdateUser(deleted) = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	again := newUser("cy@example.com", domain.RoleAgent)
	insertUser(t, s, &again)
	if again.ID == cy.ID {
		t.Fatal("a new user reused the tombstone's id")
	}
}

func testListUsers(t *testing.T, s store.Store) {
	var ids []int64
	for i, role := range []domain.Role{domain.RoleAgent, domain.RoleAgent, domain.RoleSupervisor, domain.RoleAgent, domain.RoleAdmin} {
		teams := []string{"support"}
		if i%2 == 0 {
			teams = []string{"sales", "support-2"}
		}
		u := newUser(fmt.Sprintf("u%d@example.com", i), role, teams...)
		insertUser(t, s, &u)
		ids = append(ids, u.ID)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx, ids[3], t0) })
	all := listAll(t, func(cursor string) (store.Page[domain.User], error) {
		return s.ListUsers(ctx, store.UserFilter{PageRequest: store.PageRequest{Limit: 2, Cursor: cursor}})
	})
	if len(all) != 4 {
		t.Fatalf("users = %d, want 4 (the deleted one hidden)", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatal("users not in id order")
		}
	}
	for name, c := range map[string]struct {
		f    store.UserFilter
		want int
	}{
		"role":                         {store.UserFilter{Role: domain.RoleAgent}, 2},
		"team":                         {store.UserFilter{Team: "support"}, 1},
		"team is a member, not a part": {store.UserFilter{Team: "sales"}, 3},
		"role and team":                {store.UserFilter{Role: domain.RoleAgent, Team: "sales"}, 1},
		"no such team":                 {store.UserFilter{Team: "sup"}, 0},
	} {
		c.f.Limit = 100
		p, err := s.ListUsers(ctx, c.f)
		if err != nil || len(p.Items) != c.want {
			t.Errorf("%s: %d, %v; want %d", name, len(p.Items), err, c.want)
		}
	}
}

func newToken(hash, kind string, user *int64) store.Token {
	return store.Token{TokenInfo: domain.TokenInfo{Name: "t " + hash, Kind: kind, Prefix: "sbt_" + hash, UserID: user,
		Role: domain.RoleAgent, Scopes: []string{string(domain.ScopeRead), string(domain.ScopeWrite)}, CreatedAt: t0}, Hash: hash}
}

func testTokens(t *testing.T, s store.Store) {
	u := newUser("ana@example.com", domain.RoleAgent)
	insertUser(t, s, &u)
	exp := at(24 * time.Hour)
	login := newToken("h-login", domain.TokenLogin, &u.ID)
	login.ExpiresAt = &exp
	login2 := newToken("h-login-2", domain.TokenLogin, &u.ID)
	api := newToken("h-api", domain.TokenAPI, &u.ID)
	boot := newToken("h-boot", domain.TokenBootstrap, nil)
	update(t, s, func(tx store.Tx) error {
		for _, tk := range []*store.Token{&login, &login2, &api, &boot} {
			if err := tx.InsertToken(ctx, tk); err != nil {
				return err
			}
		}
		return nil
	})
	if login.ID == 0 || login.ID == api.ID {
		t.Fatal("InsertToken set no distinct ids")
	}
	dup := newToken("h-api", domain.TokenAPI, nil)
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertToken(ctx, &dup) }); err == nil {
		t.Fatal("a second token with the same hash was stored")
	}
	got, err := s.FindToken(ctx, "h-login")
	if err != nil || got.ID != login.ID || got.Kind != domain.TokenLogin || got.UserID == nil || *got.UserID != u.ID ||
		got.Prefix != "sbt_h-login" || len(got.Scopes) != 2 || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) ||
		got.LastUsedAt != nil || got.RevokedAt != nil || !got.CreatedAt.Equal(t0) {
		t.Fatalf("FindToken = %+v, %v", got, err)
	}
	if b, err := s.FindToken(ctx, "h-boot"); err != nil || b.UserID != nil || b.ExpiresAt != nil {
		t.Fatalf("bootstrap token = %+v, %v", b, err)
	}
	if _, err := s.FindToken(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FindToken(unknown) = %v", err)
	}

	update(t, s, func(tx store.Tx) error {
		if err := tx.TouchToken(ctx, api.ID, at(time.Minute)); err != nil {
			return err
		}
		n, err := tx.CountActiveTokens(ctx, domain.TokenLogin)
		if err != nil || n != 2 {
			return fmt.Errorf("active login tokens = %d, %v", n, err)
		}
		// Revoking is once.
		if ok, err := tx.RevokeToken(ctx, login2.ID, at(time.Minute)); err != nil || !ok {
			return fmt.Errorf("RevokeToken = %v, %v", ok, err)
		}
		if ok, err := tx.RevokeToken(ctx, login2.ID, at(2*time.Minute)); err != nil || ok {
			return fmt.Errorf("RevokeToken again = %v, %v", ok, err)
		}
		if ok, err := tx.RevokeToken(ctx, max(login.ID, login2.ID, api.ID, boot.ID)+1, at(time.Minute)); err != nil || ok {
			return fmt.Errorf("RevokeToken(unknown) = %v, %v", ok, err)
		}
		if n, err := tx.CountActiveTokens(ctx, domain.TokenLogin); err != nil || n != 1 {
			return fmt.Errorf("active login tokens after revoking = %d, %v", n, err)
		}
		// A user's sign-ins only, then all of theirs.
		if n, err := tx.RevokeUserTokens(ctx, u.ID, domain.TokenLogin, at(3*time.Minute)); err != nil || n != 1 {
			return fmt.Errorf("RevokeUserTokens(login) = %d, %v", n, err)
		}
		tk, err := tx.TokenByHash(ctx, "h-api")
		if err != nil || tk.RevokedAt != nil {
			return fmt.Errorf("the API token was revoked with the sign-ins: %+v, %v", tk, err)
		}
		if n, err := tx.RevokeUserTokens(ctx, u.ID, "", at(4*time.Minute)); err != nil || n != 1 {
			return fmt.Errorf("RevokeUserTokens(all) = %d, %v", n, err)
		}
		if _, err := tx.TokenByHash(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("TokenByHash(unknown) = %v", err)
		}
		return nil
	})
	a, _ := s.FindToken(ctx, "h-api")
	if a.LastUsedAt == nil || !a.LastUsedAt.Equal(at(time.Minute)) || a.RevokedAt == nil || !a.RevokedAt.Equal(at(4*time.Minute)) {
		t.Fatalf("api token = %+v", a)
	}
	if l2, _ := s.FindToken(ctx, "h-login-2"); l2.RevokedAt == nil || !l2.RevokedAt.Equal(at(time.Minute)) {
		t.Fatalf("a revocation time was overwritten: %+v", l2)
	}

	// UpdateToken restores and regrants (the configured admin token).
	boot.RevokedAt = ptr(at(time.Hour))
	update(t, s, func(tx store.Tx) error { return tx.UpdateToken(ctx, &boot) })
	if b, _ := s.FindToken(ctx, "h-boot"); b.RevokedAt == nil {
		t.Fatal("UpdateToken did not revoke")
	}
	boot.RevokedAt, boot.Role, boot.Scopes, boot.Name = nil, domain.RoleAdmin, []string{string(domain.ScopeAdmin)}, "renamed"
	update(t, s, func(tx store.Tx) error { return tx.UpdateToken(ctx, &boot) })
	if b, _ := s.FindToken(ctx, "h-boot"); b.RevokedAt != nil || b.Role != domain.RoleAdmin || len(b.Scopes) != 1 || b.Name != "renamed" {
		t.Fatalf("after UpdateToken: %+v", b)
	}

	active := listAll(t, func(cursor string) (store.Page[domain.TokenInfo], error) {
		return s.ListTokens(ctx, store.TokenFilter{PageRequest: store.PageRequest{Limit: 1, Cursor: cursor}})
	})
	if len(active) != 1 || active[0].ID != boot.ID {
		t.Fatalf("active tokens = %+v, want the bootstrap one", active)
	}
	all := listAll(t, func(cursor string) (store.Page[domain.TokenInfo], error) {
		return s.ListTokens(ctx, store.TokenFilter{IncludeRevoked: true, PageRequest: store.PageRequest{Limit: 3, Cursor: cursor}})
	})
	if len(all) != 4 {
		t.Fatalf("all tokens = %d, want 4", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatal("tokens not in id order")
		}
	}
}

func testLoginFailures(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i := range 5 {
			if err := tx.AddLoginFailure(ctx, "ana@example.com", at(time.Duration(i)*10*time.Second)); err != nil {
				return err
			}
		}
		return tx.AddLoginFailure(ctx, "bo@example.com", at(time.Second))
	})
	since := func(email string, from time.Time, limit int) []time.Time {
		var out []time.Time
		update(t, s, func(tx store.Tx) error {
			var err error
			out, err = tx.LoginFailuresSince(ctx, email, from, limit)
			return err
		})
		return out
	}
	// After since (exclusive), newest first, at most limit, any case.
	got := since("ANA@example.com", at(10*time.Second), 10)
	if len(got) != 3 || !got[0].Equal(at(40*time.Second)) || !got[2].Equal(at(20*time.Second)) {
		t.Fatalf("failures since 10s = %v", got)
	}
	if got := since("ana@example.com", at(-time.Hour), 2); len(got) != 2 || !got[0].Equal(at(40*time.Second)) {
		t.Fatalf("limited = %v", got)
	}
	// Pruning drops the ones strictly older.
	update(t, s, func(tx store.Tx) error {
		n, err := tx.PruneLoginFailures(ctx, at(20*time.Second))
		if err != nil || n != 3 { // ana at 0 s and 10 s, bo at 1 s
			return fmt.Errorf("pruned %d, %v; want 3", n, err)
		}
		return nil
	})
	if got := since("ana@example.com", at(-time.Hour), 10); len(got) != 3 {
		t.Fatalf("after pruning: %v", got)
	}
	// Clearing is per e-mail, whatever its case.
	update(t, s, func(tx store.Tx) error {
		if err := tx.AddLoginFailure(ctx, "bo@example.com", at(time.Minute)); err != nil {
			return err
		}
		return tx.ClearLoginFailures(ctx, "Ana@Example.com")
	})
	if got := since("ana@example.com", at(-time.Hour), 10); len(got) != 0 {
		t.Fatalf("after clearing: %v", got)
	}
	if got := since("bo@example.com", at(-time.Hour), 10); len(got) != 1 {
		t.Fatalf("another e-mail's failures were cleared: %v", got)
	}
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}
