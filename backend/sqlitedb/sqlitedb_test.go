package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "test db.sqlite"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPragmasApplyToEveryConnection(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	checks := []struct {
		pool   *sql.DB
		pragma string
		want   string
	}{
		{db.Write, "journal_mode", "wal"},
		{db.Write, "foreign_keys", "1"},
		{db.Write, "synchronous", "2"}, // FULL
		{db.Write, "busy_timeout", "10000"},
		{db.Read, "journal_mode", "wal"},
		{db.Read, "foreign_keys", "1"},
		{db.Read, "query_only", "1"},
	}
	for _, c := range checks {
		t.Run(c.pragma, func(t *testing.T) {
			var got string
			if err := c.pool.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
			}
		})
	}
}

func TestReadPoolRefusesWrites(t *testing.T) {
	db := open(t)
	if _, err := db.Read.Exec(`CREATE TABLE x (a INTEGER)`); err == nil {
		t.Fatal("read pool accepted a write")
	}
}

var steps = []Migration{
	{Version: 1, Name: "contacts", SQL: `CREATE TABLE contacts (id INTEGER PRIMARY KEY, phone TEXT NOT NULL UNIQUE) STRICT`},
	{Version: 2, Name: "backfill", Func: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO contacts (phone) VALUES ('+15550001')`)
		return err
	}},
}

func TestMigrateIsIdempotentAndOrdered(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	for range 2 {
		if err := db.Migrate(ctx, "hub", steps); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := db.Version(ctx, "hub"); v != 2 {
		t.Fatalf("version = %d, want 2", v)
	}
	var n int
	db.Read.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&n)
	if n != 1 {
		t.Fatalf("backfill ran %d times", n)
	}
	if v, _ := db.Version(ctx, "other"); v != 0 {
		t.Fatalf("unrelated component at version %d", v)
	}
}

func TestFailedMigrationLeavesPreviousSchema(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	bad := append(steps[:1:1], Migration{Version: 2, Name: "broken", SQL: `CREATE TABLE half (a INTEGER); SELECT * FROM missing_table;`})
	if err := db.Migrate(ctx, "hub", bad); err == nil {
		t.Fatal("broken migration succeeded")
	}
	if v, _ := db.Version(ctx, "hub"); v != 1 {
		t.Fatalf("version = %d, want 1", v)
	}
	var n int
	db.Read.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'`).Scan(&n)
	if n != 0 {
		t.Fatal("a failed migration left a table behind")
	}
}

func TestMigrateRefusesNewerDatabaseAndGaps(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, "hub", steps); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, "hub", steps[:1]); err == nil || !strings.Contains(err.Error(), "older binary") {
		t.Fatalf("downgrade: err = %v", err)
	}
	gap := []Migration{{Version: 1, SQL: "SELECT 1"}, {Version: 3, SQL: "SELECT 1"}}
	if err := db.Migrate(ctx, "gap", gap); err == nil {
		t.Fatal("a gap in versions was accepted")
	}
}

func TestWriteTxRollsBackOnError(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, "hub", steps[:1]); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := db.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO contacts (phone) VALUES ('+1')`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	db.Read.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&n)
	if n != 0 {
		t.Fatal("rolled-back insert is visible")
	}
}

func TestConcurrentWritersSerialise(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, "hub", steps[:1]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.WriteTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.Exec(`INSERT INTO contacts (phone) VALUES (?)`, "+1555"+string(rune('a'+i%26))+string(rune('a'+i/26)))
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	db.Read.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&n)
	if n != 200 {
		t.Fatalf("rows = %d, want 200", n)
	}
}
