// Package cache is the desktop console's local SQLite cache: everything the
// agent reads (conversations, messages, notes, contacts, templates, users,
// counters), everything they have not sent yet (the outbox, drafts), the
// session, and the sequence number of the last hub event applied.
//
// The cache is a replica: the hub is the source of truth, and the cache can
// always be rebuilt from a snapshot. What the cache alone owns — the outbox
// and drafts — survives a resync.
//
// Rows keep the exact JSON of the domain types in a data column, beside the
// few columns the fast paths filter and sort on, so what the frontend gets
// is byte-for-byte the shape the hub sent.
package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"switchboard/backend/sqlitedb"
)

// Component is this cache's name in schema_migrations.
const Component = "desktop"

// Cache is an open cache file.
type Cache struct {
	db *sqlitedb.DB
}

// Open opens (creating if needed) the cache at path. The folder is created
// 0700 and the file 0600 before SQLite touches it — it holds the hub token —
// and SQLite gives its -wal and -shm files the same mode as the database.
func Open(ctx context.Context, path string) (*Cache, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	f.Close()
	// An existing file may have been created with a looser mode.
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	// NORMAL: the cache can always be refetched, and NORMAL under WAL still
	// never corrupts — a power cut loses at most the last commits, whose
	// events the hub replays because their seq was lost with them.
	//
	// Two readers: one window reads at a time, and every pooled connection
	// keeps its own page cache, which a desktop app pays for in memory.
	db, err := sqlitedb.Open(path, sqlitedb.Options{Synchronous: "NORMAL", Readers: 2})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, Component, migrations); err != nil {
		db.Close()
		return nil, err
	}
	return &Cache{db: db}, nil
}

// Close closes the file.
func (c *Cache) Close() error { return c.db.Close() }

// DB is the underlying database, for benchmarks that compare against raw SQL.
func (c *Cache) DB() *sqlitedb.DB { return c.db }

func (c *Cache) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return c.db.WriteTx(ctx, fn)
}

// ErrNotFound is returned for a row the cache does not hold.
var ErrNotFound = errors.New("cache: not found")
