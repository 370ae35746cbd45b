package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"

	"switchboard/backend/hub/store"
	"switchboard/backend/hub/store/storetest"
	"switchboard/backend/sqlitedb"
)

// TestConformance runs the storage conformance suite against SQLite files.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "hub.db"), sqlitedb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := New(db)
		t.Cleanup(func() {
			s.Close()
			db.Close()
		})
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestSchemaVersion pins the migration count so a step is never edited in
// place by accident (append a new one instead).
func TestSchemaVersion(t *testing.T) {
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "hub.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := New(db).Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, err := db.Version(context.Background(), Component)
	if err != nil || v != len(migrations) {
		t.Fatalf("version = %d, %v", v, err)
	}
}
