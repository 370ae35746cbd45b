package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// The tables adopted from package hubapi (schema step 2) keep the layout
// that code gave them: times as fixed-width RFC 3339 text in UTC (so text
// order is time order), teams as a JSON array, scopes and webhook events
// space-separated, and list cursors of the form base64url("id:<n>"), so
// clients holding a cursor from before the move can carry on.

// textTime is how those tables store times.
const textTime = "2006-01-02T15:04:05.000000000Z"

func fmtText(t time.Time) string { return t.UTC().Format(textTime) }

func fmtTextPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtText(*t)
}

func parseText(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func parseNullText(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseText(s.String)
	return &t
}

// idCursor is the cursor after the row with id.
func idCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

// decodeIDCursor returns the id in c (0 for the first page).
func decodeIDCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if s, ok := strings.CutPrefix(string(b), "id:"); ok {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
				return id, nil
			}
		}
	}
	return 0, errBadCursor
}

// ---- users -----------------------------------------------------------------

const userCols = `id, email, name, role, teams, disabled, created_at, updated_at, password_hash`

var (
	qInsertUser = reg(`INSERT INTO users (email, name, role, teams, password_hash, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	qUpdateUser = reg(`UPDATE users SET email = ?, name = ?, role = ?, teams = ?, disabled = ?, password_hash = ?, updated_at = ?
		WHERE id = ? AND deleted_at IS NULL`)
	qDeleteUser      = reg(`UPDATE users SET deleted_at = ?, updated_at = ?, disabled = 1 WHERE id = ? AND deleted_at IS NULL`)
	qUserByID        = reg(`SELECT ` + userCols + ` FROM users WHERE id = ? AND deleted_at IS NULL`)
	qUserByEmail     = reg(`SELECT ` + userCols + ` FROM users WHERE email = ? AND deleted_at IS NULL`)
	qCountAdminsExcl = reg(`SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND deleted_at IS NULL AND id <> ?`)
)

func scanUser(sc scanner) (store.User, error) {
	var (
		u                         store.User
		teams, role               string
		disabled                  int64
		created, updated, pwdHash string
	)
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &role, &teams, &disabled, &created, &updated, &pwdHash); err != nil {
		return u, notFound(err)
	}
	u.Role = domain.Role(role)
	u.Disabled = disabled == 1
	u.CreatedAt, u.UpdatedAt = parseText(created), parseText(updated)
	u.PasswordHash = pwdHash
	u.Teams = []string{}
	_ = json.Unmarshal([]byte(teams), &u.Teams)
	return u, nil
}

func teamsJSON(teams []string) string {
	if teams == nil {
		teams = []string{}
	}
	b, _ := json.Marshal(teams)
	return string(b)
}

func (t *txn) InsertUser(ctx context.Context, u *store.User) error {
	res, err := t.exec(ctx, qInsertUser, u.Email, u.Name, string(u.Role), teamsJSON(u.Teams), u.PasswordHash,
		boolInt(u.Disabled), fmtText(u.CreatedAt), fmtText(u.UpdatedAt))
	if err != nil {
		return err
	}
	u.ID = res.lastID
	return nil
}

func (t *txn) UpdateUser(ctx context.Context, u *store.User) error {
	res, err := t.exec(ctx, qUpdateUser, u.Email, u.Name, string(u.Role), teamsJSON(u.Teams), boolInt(u.Disabled),
		u.PasswordHash, fmtText(u.UpdatedAt), u.ID)
	if err == nil && res.affected == 0 {
		return store.ErrNotFound
	}
	return err
}

func (t *txn) DeleteUser(ctx context.Context, id int64, at time.Time) error {
	res, err := t.exec(ctx, qDeleteUser, fmtText(at), fmtText(at), id)
	if err == nil && res.affected == 0 {
		return store.ErrNotFound
	}
	return err
}

func (t *txn) UserByID(ctx context.Context, id int64) (store.User, error) {
	row, err := t.queryRow(ctx, qUserByID, id)
	if err != nil {
		return store.User{}, err
	}
	return scanUser(row)
}

func (t *txn) UserByEmail(ctx context.Context, email string) (store.User, error) {
	row, err := t.queryRow(ctx, qUserByEmail, email)
	if err != nil {
		return store.User{}, err
	}
	return scanUser(row)
}

func (t *txn) CountEnabledAdmins(ctx context.Context, exceptID int64) (int, error) {
	return t.count(ctx, qCountAdminsExcl, exceptID)
}

// count runs a SELECT COUNT(*) in the transaction.
func (t *txn) count(ctx context.Context, q string, args ...any) (int, error) {
	row, err := t.queryRow(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	var n int
	return n, row.Scan(&n)
}

func (s *Store) GetUser(ctx context.Context, id int64) (store.User, error) {
	return scanUser(s.db.Read.QueryRowContext(ctx, qUserByID, id))
}

func (s *Store) FindUserByEmail(ctx context.Context, email string) (store.User, error) {
	return scanUser(s.db.Read.QueryRowContext(ctx, qUserByEmail, email))
}

func (s *Store) ListUsers(ctx context.Context, f store.UserFilter) (store.Page[domain.User], error) {
	after, err := decodeIDCursor(f.Cursor)
	if err != nil {
		return store.Page[domain.User]{}, err
	}
	var w where
	w.add(`deleted_at IS NULL`)
	w.add(`id > ?`, after)
	if f.Role != "" {
		w.add(`role = ?`, string(f.Role))
	}
	if f.Team != "" {
		w.add(`EXISTS (SELECT 1 FROM json_each(users.teams) WHERE value = ?)`, f.Team)
	}
	return keysetPage(ctx, s.db.Read, `SELECT `+userCols+` FROM users`+w.String()+` ORDER BY id LIMIT ?`, w.args, f.Size(),
		func(sc scanner) (domain.User, error) {
			u, err := scanUser(sc)
			return u.User, err
		},
		func(last domain.User) string { return idCursor(last.ID) })
}

// ---- tokens ----------------------------------------------------------------

const tokenCols = `id, name, kind, prefix, user_id, role, scopes, created_at, expires_at, last_used_at, revoked_at, hash`

var (
	qInsertToken = reg(`INSERT INTO tokens (hash, prefix, name, kind, user_id, role, scopes, created_at, expires_at, last_used_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qUpdateToken      = reg(`UPDATE tokens SET name = ?, role = ?, scopes = ?, expires_at = ?, revoked_at = ? WHERE id = ?`)
	qTokenByHash      = reg(`SELECT ` + tokenCols + ` FROM tokens WHERE hash = ?`)
	qCountTokens      = reg(`SELECT COUNT(*) FROM tokens WHERE kind = ? AND revoked_at IS NULL`)
	qRevokeToken      = reg(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`)
	qRevokeUserTokens = reg(`UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND (? = '' OR kind = ?)`)
	qTouchToken       = reg(`UPDATE tokens SET last_used_at = ? WHERE id = ?`)
)

func scanToken(sc scanner) (store.Token, error) {
	var (
		t                      store.Token
		uid                    sql.NullInt64
		role, scopes, created  string
		expires, used, revoked sql.NullString
	)
	if err := sc.Scan(&t.ID, &t.Name, &t.Kind, &t.Prefix, &uid, &role, &scopes, &created, &expires, &used, &revoked, &t.Hash); err != nil {
		return t, notFound(err)
	}
	t.UserID = fromNullInt(uid)
	t.Role = domain.Role(role)
	t.Scopes = strings.Fields(scopes)
	if t.Scopes == nil {
		t.Scopes = []string{}
	}
	t.CreatedAt = parseText(created)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = parseNullText(expires), parseNullText(used), parseNullText(revoked)
	return t, nil
}

func (t *txn) InsertToken(ctx context.Context, tk *store.Token) error {
	res, err := t.exec(ctx, qInsertToken, tk.Hash, tk.Prefix, tk.Name, tk.Kind, nullInt(tk.UserID), string(tk.Role),
		strings.Join(tk.Scopes, " "), fmtText(tk.CreatedAt), fmtTextPtr(tk.ExpiresAt), fmtTextPtr(tk.LastUsedAt), fmtTextPtr(tk.RevokedAt))
	if err != nil {
		return err
	}
	tk.ID = res.lastID
	return nil
}

func (t *txn) UpdateToken(ctx context.Context, tk *store.Token) error {
	res, err := t.exec(ctx, qUpdateToken, tk.Name, string(tk.Role), strings.Join(tk.Scopes, " "),
		fmtTextPtr(tk.ExpiresAt), fmtTextPtr(tk.RevokedAt), tk.ID)
	if err == nil && res.affected == 0 {
		return store.ErrNotFound
	}
	return err
}

func (t *txn) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	row, err := t.queryRow(ctx, qTokenByHash, hash)
	if err != nil {
		return store.Token{}, err
	}
	return scanToken(row)
}

func (t *txn) CountActiveTokens(ctx context.Context, kind string) (int, error) {
	return t.count(ctx, qCountTokens, kind)
}

func (t *txn) RevokeToken(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := t.exec(ctx, qRevokeToken, fmtText(at), id)
	return res.affected > 0, err
}

func (t *txn) RevokeUserTokens(ctx context.Context, userID int64, kind string, at time.Time) (int, error) {
	res, err := t.exec(ctx, qRevokeUserTokens, fmtText(at), userID, kind, kind)
	return int(res.affected), err
}

func (t *txn) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := t.exec(ctx, qTouchToken, fmtText(at), id)
	return err
}

func (s *Store) FindToken(ctx context.Context, hash string) (store.Token, error) {
	return scanToken(s.db.Read.QueryRowContext(ctx, qTokenByHash, hash))
}

func (s *Store) ListTokens(ctx context.Context, f store.TokenFilter) (store.Page[domain.TokenInfo], error) {
	after, err := decodeIDCursor(f.Cursor)
	if err != nil {
		return store.Page[domain.TokenInfo]{}, err
	}
	var w where
	w.add(`id > ?`, after)
	if !f.IncludeRevoked {
		w.add(`revoked_at IS NULL`)
	}
	return keysetPage(ctx, s.db.Read, `SELECT `+tokenCols+` FROM tokens`+w.String()+` ORDER BY id LIMIT ?`, w.args, f.Size(),
		func(sc scanner) (domain.TokenInfo, error) {
			t, err := scanToken(sc)
			return t.TokenInfo, err
		},
		func(last domain.TokenInfo) string { return idCursor(last.ID) })
}

// ---- sign-in failures ------------------------------------------------------

var (
	qAddLoginFailure    = reg(`INSERT INTO login_failures (email, at) VALUES (?, ?)`)
	qLoginFailuresSince = reg(`SELECT at FROM login_failures WHERE email = ? AND at > ? ORDER BY at DESC LIMIT ?`)
	qClearLoginFailures = reg(`DELETE FROM login_failures WHERE email = ?`)
	qPruneLoginFailures = reg(`DELETE FROM login_failures WHERE at < ?`)
)

func (t *txn) AddLoginFailure(ctx context.Context, email string, at time.Time) error {
	_, err := t.exec(ctx, qAddLoginFailure, email, fmtText(at))
	return err
}

func (t *txn) LoginFailuresSince(ctx context.Context, email string, since time.Time, limit int) ([]time.Time, error) {
	rows, err := t.query(qLoginFailuresSince, email, fmtText(since), limit)
	if err != nil {
		return nil, err
	}
	out := make([]time.Time, 0, len(rows))
	for _, r := range rows {
		var at string
		if err := r.Scan(&at); err != nil {
			return nil, err
		}
		out = append(out, parseText(at))
	}
	return out, nil
}

func (t *txn) ClearLoginFailures(ctx context.Context, email string) error {
	_, err := t.exec(ctx, qClearLoginFailures, email)
	return err
}

func (t *txn) PruneLoginFailures(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, qPruneLoginFailures, fmtText(before))
	return int(res.affected), err
}
