// Package sqlitestore is the hub's storage on SQLite (modernc.org/sqlite,
// opened through package sqlitedb: WAL, busy timeout and foreign keys in the
// DSN, one writer connection and a read pool).
//
// Write transactions run on the single writer connection with statements
// prepared once and reused, because the hub commits thousands of webhook
// messages a second.
package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
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
//
// Write transactions talk to the driver directly (database/sql's
// Conn.Raw): database/sql would otherwise start a goroutine for every query
// inside a transaction and convert every argument through reflection, which
// costs more than SQLite itself on the hub's hot path. Reads use the
// database/sql read pool.
type Store struct {
	db    *sqlitedb.DB
	ownDB bool // made by Open: Close closes it

	// wc is the writer connection's prepared statements, valid while
	// database/sql keeps handing out the same driver connection (it does:
	// the writer pool holds exactly one, never expired).
	wc *writerConn

	// The checkpointer copies the WAL into the database file from a read
	// connection, off the writer's path (see checkpointer).
	ckptOnce    sync.Once
	ckptStarted bool
	ckptWake    chan struct{}
	ckptStop    chan struct{}
	ckptDone    chan struct{}
}

type writerConn struct {
	dc    driver.Conn
	stmts map[string]driver.Stmt
	pend  *pending // the current transaction's buffered rows
}

var _ store.Store = (*Store)(nil)

// New returns a Store on db, which it does not own. Call Migrate before
// use (hub.New does), and Close when done, before closing db.
func New(db *sqlitedb.DB) *Store {
	return &Store{db: db, ckptWake: make(chan struct{}, 1), ckptStop: make(chan struct{}), ckptDone: make(chan struct{})}
}

// Open opens (creating if needed) the database file at path and returns a
// Store that owns it: Close closes the database too.
func Open(path string, opts sqlitedb.Options) (*Store, error) {
	db, err := sqlitedb.Open(path, opts)
	if err != nil {
		return nil, err
	}
	s := New(db)
	s.ownDB = true
	return s, nil
}

// checkpointer runs WAL checkpoints in the background. SQLite's automatic
// checkpoint would run inside a commit every thousand pages, copying pages
// and syncing the database file while every webhook caller waits; here the
// writer connection has it turned off and this goroutine checkpoints
// (PASSIVE: never blocking the writer) soon after writes, at most every
// checkpointEvery, and every second regardless (for other users of the
// database).
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.ckptStop:
			return
		case <-s.ckptWake:
		case <-tick.C:
		}
		if _, err := s.db.Read.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			// Not fatal: the next round retries, and Close restores
			// automatic checkpoints.
			continue
		}
		select {
		case <-s.ckptStop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// DB is the underlying database.
func (s *Store) DB() *sqlitedb.DB { return s.db }

// Migrate applies the hub's migrations.
func (s *Store) Migrate(ctx context.Context) error {
	return s.db.Migrate(ctx, Component, migrations)
}

// reg marks a statement that write transactions run; each is prepared once
// on the writer connection, on first use, and kept.
func reg(q string) string { return q }

// Close stops the checkpointer (checkpointing once more and handing
// checkpoints back to SQLite) and finalises the prepared statements; it
// closes the database only when Open made it. Call it only when no Update
// is running (after the hub service that uses it has closed).
func (s *Store) Close() error {
	err := s.close()
	if s.ownDB {
		err = errors.Join(err, s.db.Close())
	}
	return err
}

func (s *Store) close() error {
	s.ckptOnce.Do(func() {}) // a checkpointer not started by now never will be
	if s.ckptStarted {
		close(s.ckptStop)
		<-s.ckptDone
		s.ckptStarted = false
	}
	ctx := context.Background()
	conn, err := s.db.Write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var errs []error
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 1000`); err != nil {
		errs = append(errs, err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, conn.Raw(func(dc any) error {
		if s.wc == nil {
			return nil
		}
		// Statements prepared on a driver connection that database/sql has
		// since replaced went with it: closing them again would touch a
		// closed connection.
		var errs []error
		if s.wc.dc == dc {
			for _, st := range s.wc.stmts {
				errs = append(errs, st.Close())
			}
		}
		s.wc = nil
		return errors.Join(errs...)
	}))
	return errors.Join(errs...)
}

// Update runs fn in a write transaction on the writer connection. Updates
// must not run concurrently with each other (the hub has one committer);
// other users of the writer connection simply wait for it.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	conn, err := s.db.Write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlitestore: writer connection: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dci any) error {
		dc, ok := dci.(driver.Conn)
		if !ok {
			return errors.New("sqlitestore: the driver connection is not a driver.Conn")
		}
		if s.wc == nil || s.wc.dc != dc {
			// A different driver connection means database/sql closed the
			// old one, and its prepared statements with it: drop them.
			s.wc = &writerConn{dc: dc, stmts: make(map[string]driver.Stmt, 64), pend: newPendingState()}
			if ec, ok := dc.(driver.ExecerContext); ok {
				if _, err := ec.ExecContext(context.Background(), `PRAGMA wal_autocheckpoint = 0`, nil); err != nil {
					return fmt.Errorf("sqlitestore: %w", err)
				}
				s.ckptOnce.Do(func() {
					s.ckptStarted = true
					go s.checkpointer()
				})
			}
		}
		bt, ok := dc.(driver.ConnBeginTx)
		if !ok {
			return errors.New("sqlitestore: the driver cannot begin transactions")
		}
		// A Background context: the driver starts an interrupt goroutine
		// per statement for cancellable contexts. The committer never
		// cancels a transaction half-way anyway.
		tx, err := bt.BeginTx(context.Background(), driver.TxOptions{})
		if err != nil {
			return fmt.Errorf("sqlitestore: begin: %w", err)
		}
		s.wc.pend.reset()
		t := &txn{w: s.wc}
		err = fn(t)
		if err == nil {
			err = t.flush()
		}
		if err != nil {
			s.wc.pend.reset()
			if rerr := tx.Rollback(); rerr != nil {
				return errors.Join(err, rerr)
			}
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlitestore: commit: %w", err)
		}
		select {
		case s.ckptWake <- struct{}{}:
		default:
		}
		return nil
	})
}

// txn is one write transaction.
type txn struct {
	w  *writerConn
	nv []driver.NamedValue
}

// stmt returns query prepared on the writer connection.
func (t *txn) stmt(query string) (driver.Stmt, error) {
	if st, ok := t.w.stmts[query]; ok {
		return st, nil
	}
	pc, ok := t.w.dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, errors.New("sqlitestore: the driver cannot prepare with a context")
	}
	st, err := pc.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: prepare %q: %w", firstLine(query), err)
	}
	t.w.stmts[query] = st
	return st, nil
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

// named converts arguments to the driver's form. Only the types this
// package passes are handled.
func named(nv []driver.NamedValue, args []any) []driver.NamedValue {
	nv = nv[:0]
	for i, a := range args {
		switch v := a.(type) {
		case int:
			a = int64(v)
		case int32:
			a = int64(v)
		case bool:
			a = boolInt(v)
		case json.RawMessage:
			a = string(v)
		case domain.ConversationStatus:
			a = string(v)
		case domain.Direction:
			a = string(v)
		case domain.MessageStatus:
			a = string(v)
		case store.RawState:
			a = string(v)
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	return nv
}

type execResult struct {
	affected, lastID int64
}

// exec runs a statement after writing the buffered rows (see pending.go).
func (t *txn) exec(_ context.Context, query string, args ...any) (execResult, error) {
	if !directQueries[query] {
		if err := t.flush(); err != nil {
			return execResult{}, err
		}
		if strings.HasPrefix(query, "DELETE") {
			t.w.pend.forgetIDs()
		}
	}
	return t.execDirect(query, args...)
}

// query runs a statement after writing the buffered rows and returns every
// row's values.
func (t *txn) query(query string, args ...any) ([]rowValues, error) {
	if !directQueries[query] {
		if err := t.flush(); err != nil {
			return nil, err
		}
	}
	return t.queryDirect(query, args...)
}

// queryRow returns the first row, or a scanner answering store.ErrNotFound.
func (t *txn) queryRow(_ context.Context, query string, args ...any) (scanner, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return noRow{}, nil
	}
	return rows[0], nil
}

// scanner is what the scan helpers read from: *sql.Row, *sql.Rows or a
// row of driver values.
type scanner interface{ Scan(dest ...any) error }

type noRow struct{}

func (noRow) Scan(...any) error { return sql.ErrNoRows }

// rowValues is one row read through the driver. Scan converts the values the
// driver returns (int64, float64, string, []byte, nil) into the destinations
// this package uses.
type rowValues []driver.Value

func (r rowValues) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("sqlitestore: scan %d values into %d destinations", len(r), len(dest))
	}
	for i, d := range dest {
		if err := assign(d, r[i]); err != nil {
			return fmt.Errorf("sqlitestore: column %d: %w", i, err)
		}
	}
	return nil
}

func asString(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return ""
}

func asInt(v driver.Value) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		return int64(x), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	case []byte:
		return strconv.ParseInt(string(x), 10, 64)
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("cannot read %T as an integer", v)
}

func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case *int64:
		n, err := asInt(v)
		*d = n
		return err
	case *int:
		n, err := asInt(v)
		*d = int(n)
		return err
	case *string:
		*d = asString(v)
	case *[]byte:
		switch x := v.(type) {
		case []byte:
			*d = append([]byte(nil), x...)
		case string:
			*d = []byte(x)
		case nil:
			*d = nil
		}
	case *sql.NullString:
		*d = sql.NullString{String: asString(v), Valid: v != nil}
	case *sql.NullInt64:
		n, err := asInt(v)
		*d = sql.NullInt64{Int64: n, Valid: v != nil}
		return err
	case *domain.ConversationStatus:
		*d = domain.ConversationStatus(asString(v))
	case *domain.Direction:
		*d = domain.Direction(asString(v))
	case *domain.MessageStatus:
		*d = domain.MessageStatus(asString(v))
	case *store.RawState:
		*d = store.RawState(asString(v))
	default:
		return fmt.Errorf("unsupported destination %T", dest)
	}
	return nil
}

func (t *txn) Savepoint() error {
	_, err := t.exec(context.Background(), "SAVEPOINT op")
	return err
}

func (t *txn) ReleaseSavepoint() error {
	_, err := t.exec(context.Background(), "RELEASE op")
	return err
}

func (t *txn) RollbackSavepoint() error {
	// The rows buffered since the savepoint are undone with it; ids
	// handed out since are free again.
	t.w.pend.reset()
	if _, err := t.execDirect("ROLLBACK TO op"); err != nil {
		return err
	}
	_, err := t.execDirect("RELEASE op")
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

// checkpointEvery spaces background checkpoints: each copies the pages
// changed since the previous one, so a page rewritten by many commits in
// between is copied once.
const checkpointEvery = 500 * time.Millisecond
