// Package sqlitestore is the hub's storage on SQLite (modernc.org/sqlite,
// opened through package sqlitedb: WAL, busy timeout and foreign keys in the
// DSN, one writer connection and a read pool).
//
// Write transactions run on the single writer connection with statements
// prepared once and reused, because the hub commits thousands of webhook
// messages a second and statement preparation would otherwise dominate.
package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/sqlitedb"
)

// Store implements store.Store on an sqlitedb.DB. It does not own the
// database: closing it is the caller's business.
type Store struct {
	db *sqlitedb.DB

	mu    sync.Mutex
	stmts map[string]*sql.Stmt // prepared on the writer connection
}

var _ store.Store = (*Store)(nil)

// New returns a Store on db. Call Migrate before use.
func New(db *sqlitedb.DB) *Store {
	return &Store{db: db, stmts: make(map[string]*sql.Stmt)}
}

// DB is the underlying database.
func (s *Store) DB() *sqlitedb.DB { return s.db }

// Migrate applies the hub's migrations and prepares the write statements.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.db.Migrate(ctx, Component, migrations); err != nil {
		return err
	}
	return s.prepare(ctx)
}

// registered lists every statement write transactions use; prepare readies
// them all on the writer connection while no transaction holds it (a
// statement cannot be prepared on the one connection while a transaction is
// using it).
var registered []string

func reg(q string) string {
	registered = append(registered, q)
	return q
}

func (s *Store) prepare(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range registered {
		if _, ok := s.stmts[q]; ok {
			continue
		}
		st, err := s.db.Write.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqlitestore: prepare %q: %w", firstLine(q), err)
		}
		s.stmts[q] = st
	}
	return nil
}

// Close releases the prepared statements (not the database).
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for k, st := range s.stmts {
		errs = append(errs, st.Close())
		delete(s.stmts, k)
	}
	return errors.Join(errs...)
}

// Update runs fn in a write transaction on the writer connection.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.db.WriteTx(ctx, func(tx *sql.Tx) error {
		t := &txn{s: s, tx: tx, ctx: ctx, local: make(map[string]*sql.Stmt, 16)}
		defer t.closeLocal()
		return fn(t)
	})
}

// txn is one write transaction.
type txn struct {
	s     *Store
	tx    *sql.Tx
	ctx   context.Context
	local map[string]*sql.Stmt // tx-bound views of the prepared statements
}

func (t *txn) closeLocal() {
	for _, st := range t.local {
		st.Close()
	}
}

// stmt returns query prepared on the writer connection and bound to this
// transaction. The writer pool has exactly one connection, so the statement
// database/sql hands back is the one prepared there once.
func (t *txn) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.local[query]; ok {
		return st, nil
	}
	t.s.mu.Lock()
	ps, ok := t.s.stmts[query]
	t.s.mu.Unlock()
	var st *sql.Stmt
	if ok {
		st = t.tx.StmtContext(t.ctx, ps)
	} else {
		// Not registered (or Migrate not called): prepare for this
		// transaction only.
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, query); err != nil {
			return nil, fmt.Errorf("sqlitestore: prepare %q: %w", firstLine(query), err)
		}
	}
	t.local[query] = st
	return st, nil
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

func (t *txn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *txn) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

func (t *txn) Savepoint() error {
	_, err := t.tx.ExecContext(t.ctx, "SAVEPOINT op")
	return err
}

func (t *txn) ReleaseSavepoint() error {
	_, err := t.tx.ExecContext(t.ctx, "RELEASE op")
	return err
}

func (t *txn) RollbackSavepoint() error {
	if _, err := t.tx.ExecContext(t.ctx, "ROLLBACK TO op"); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(t.ctx, "RELEASE op")
	return err
}

// ---- value helpers ---------------------------------------------------------

func ns(t time.Time) int64 { return t.UnixNano() }

func nsPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func fromNS(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNullNS(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNS(n.Int64)
	return &t
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func fromNullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// jsonOrNil marshals v, answering NULL for nil pointers, maps and slices.
func jsonOrNil(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case *domain.MessagePreview:
		if x == nil {
			return nil, nil
		}
	case *domain.Referral:
		if x == nil {
			return nil, nil
		}
	case *domain.MessageError:
		if x == nil {
			return nil, nil
		}
	case map[string]string:
		if x == nil {
			return nil, nil
		}
	case []domain.Reaction:
		if len(x) == 0 {
			return nil, nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func unjson[T any](s sql.NullString) (*T, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(s.String), v); err != nil {
		return nil, err
	}
	return v, nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// ---- cursors -----------------------------------------------------------------

// A cursor is the sort key of the last row of a page, base64url-encoded so
// clients treat it as opaque.
func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x00")))
}

var errBadCursor = store.ErrBadCursor

func decodeCursor(c string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, errBadCursor
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != n {
		return nil, errBadCursor
	}
	return parts, nil
}

func decodeIntCursor(c string, n int) ([]int64, error) {
	parts, err := decodeCursor(c, n)
	if err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, errBadCursor
		}
		out[i] = v
	}
	return out, nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
