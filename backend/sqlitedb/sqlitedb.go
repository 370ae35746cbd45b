// Package sqlitedb opens SQLite databases the way both the hub and the
// desktop cache want them: pure Go (modernc.org/sqlite, so the hub builds
// without cgo), WAL journal, busy timeout and foreign keys set in the DSN so
// every pooled connection gets them, a single writer connection beside a pool
// of readers, and numbered, append-only migrations applied in transactions.
//
// One writer connection serialises writes in Go rather than letting
// connections fight over SQLite's lock and spin on SQLITE_BUSY; readers never
// block the writer under WAL.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options tune Open. The zero value is the hub's safe default.
type Options struct {
	// Synchronous is SQLite's synchronous pragma. "FULL" (the default) makes
	// every commit durable against power loss, which the hub needs because it
	// answers 200 to Meta only after the commit; the desktop cache, which can
	// always refetch from the hub, may use "NORMAL".
	Synchronous string
	// BusyTimeout bounds how long a connection waits for a lock (default 10s).
	BusyTimeout time.Duration
	// Readers is the size of the read pool (default max(4, 2×CPUs)).
	Readers int
}

// DB is an SQLite database with one writer connection and a read pool.
type DB struct {
	// Write has exactly one connection: use it for every write transaction.
	Write *sql.DB
	// Read is a pool of query-only connections.
	Read *sql.DB
	path string
}

// Open opens (creating if needed) the database file at path.
func Open(path string, opts Options) (*DB, error) {
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	switch opts.Synchronous {
	case "OFF", "NORMAL", "FULL", "EXTRA":
	default:
		return nil, fmt.Errorf("sqlitedb: unknown synchronous mode %q", opts.Synchronous)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.Readers <= 0 {
		opts.Readers = max(4, 2*runtime.NumCPU())
	}
	pragmas := []string{
		fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()),
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(" + opts.Synchronous + ")",
	}
	write, err := sql.Open("sqlite", dsn(path, pragmas, "immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer creates the file and switches it to WAL before any reader
	// opens it, so readers never see a rollback-journal database.
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn(path, append(pragmas, "query_only(1)"), "deferred"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlitedb: open %s for reading: %w", path, err)
	}
	read.SetMaxOpenConns(opts.Readers)
	read.SetMaxIdleConns(opts.Readers)
	return &DB{Write: write, Read: read, path: path}, nil
}

func dsn(path string, pragmas []string, txlock string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock)
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.Read.Close(), db.Write.Close())
}

// WriteTx runs fn in a write transaction on the writer connection (BEGIN
// IMMEDIATE, so it never fails mid-way on a lock upgrade) and commits when fn
// returns nil; otherwise it rolls back and returns fn's error unchanged.
func (db *DB) WriteTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitedb: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitedb: commit: %w", err)
	}
	return nil
}
