package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Migration is one schema step. Versions of a component start at 1 and rise
// by one; a released migration is never edited, only followed by a new one.
type Migration struct {
	Version int
	Name    string
	// SQL is run as one script; Func, when set, runs after it in the same
	// transaction for steps that need Go (data back-fills).
	SQL  string
	Func func(ctx context.Context, tx *sql.Tx) error
}

// Migrate applies the component's migrations that the database has not seen,
// each in its own transaction with its bookkeeping row, so a failed step
// leaves the schema exactly as the previous step left it. Components (the
// hub's store is "hub", the desktop cache "desktop") share the
// schema_migrations table layout and version their own tables
// independently.
//
// A database that has a version newer than the code knows is refused rather
// than run by an older binary that would misread it.
func (db *DB) Migrate(ctx context.Context, component string, migrations []Migration) error {
	for i, m := range migrations {
		if m.Version != i+1 {
			return fmt.Errorf("sqlitedb: %s migration #%d has version %d, want %d", component, i, m.Version, i+1)
		}
	}
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component  TEXT NOT NULL,
		version    INTEGER NOT NULL,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL,
		PRIMARY KEY (component, version)
	) STRICT`); err != nil {
		return fmt.Errorf("sqlitedb: create schema_migrations: %w", err)
	}
	var current int
	if err := db.Write.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?`, component,
	).Scan(&current); err != nil {
		return fmt.Errorf("sqlitedb: read %s schema version: %w", component, err)
	}
	if current > len(migrations) {
		return fmt.Errorf("sqlitedb: %s schema is at version %d but this build knows only %d: refusing to run an older binary on a newer database",
			component, current, len(migrations))
	}
	for _, m := range migrations[current:] {
		err := db.WriteTx(ctx, func(tx *sql.Tx) error {
			if m.SQL != "" {
				if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
					return err
				}
			}
			if m.Func != nil {
				if err := m.Func(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)`,
				component, m.Version, m.Name, time.Now().UTC().Format(time.RFC3339Nano))
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlitedb: %s migration %d (%s): %w", component, m.Version, m.Name, err)
		}
	}
	return nil
}

// Version is the component's applied schema version (0 when none).
func (db *DB) Version(ctx context.Context, component string) (int, error) {
	var v int
	err := db.Read.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?`, component).Scan(&v)
	return v, err
}
