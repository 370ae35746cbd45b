package sqlitestore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/sqlitedb"
)

func openPendingStore(t *testing.T) (*Store, *sqlitedb.DB) {
	t.Helper()
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
	return s, db
}

func appendEvents(t *testing.T, tx store.Tx, n int) []int64 {
	t.Helper()
	var seqs []int64
	for i := range n {
		e := domain.Event{Type: "message.created", At: time.Unix(int64(i), 0), Data: []byte(`{}`)}
		if err := tx.AppendEvent(context.Background(), &e); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

func storedSeqs(t *testing.T, db *sqlitedb.DB) []int64 {
	t.Helper()
	rows, err := db.Read.Query(`SELECT seq FROM events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWriteBehind checks the buffered inserts against what SQLite itself
// would have done with one INSERT per row: the ids handed out are the ids
// stored, statements see the buffered rows, and rollbacks forget them.
func TestWriteBehind(t *testing.T) {
	ctx := context.Background()
	t.Run("ids handed out are the ids stored, across chunk sizes", func(t *testing.T) {
		s, db := openPendingStore(t)
		var want []int64
		for _, n := range []int{1, 7, 33, 70} {
			if err := s.Update(ctx, func(tx store.Tx) error {
				want = append(want, appendEvents(t, tx, n)...)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		if got := storedSeqs(t, db); !equalInts(got, want) || want[0] != 1 || len(want) != 111 {
			t.Fatalf("stored %v, handed out %v", got, want)
		}
	})
	t.Run("a seq is never reused, even after the log is emptied", func(t *testing.T) {
		s, db := openPendingStore(t)
		if err := s.Update(ctx, func(tx store.Tx) error { appendEvents(t, tx, 5); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write.Exec(`DELETE FROM events`); err != nil {
			t.Fatal(err)
		}
		var got []int64
		if err := s.Update(ctx, func(tx store.Tx) error { got = appendEvents(t, tx, 2); return nil }); err != nil {
			t.Fatal(err)
		}
		if !equalInts(got, []int64{6, 7}) || !equalInts(storedSeqs(t, db), got) {
			t.Fatalf("seqs after emptying the log: %v (stored %v), want [6 7]", got, storedSeqs(t, db))
		}
	})
	t.Run("a statement on a buffered table sees the buffered rows", func(t *testing.T) {
		s, _ := openPendingStore(t)
		if err := s.Update(ctx, func(tx store.Tx) error {
			w := store.RawWebhook{ReceivedAt: time.Unix(1, 0), Body: []byte(`{}`), State: store.RawFailed}
			if err := tx.InsertRawWebhook(ctx, &w); err != nil {
				return err
			}
			// mustAffect: fails with ErrNotFound unless the row is there.
			return tx.SetRawWebhookState(ctx, w.ID, store.RawProcessed, "")
		}); err != nil {
			t.Fatal(err)
		}
		failed, err := s.RawWebhooksInState(ctx, store.RawFailed, 10)
		if err != nil || len(failed) != 0 {
			t.Fatalf("failed bodies = %v, %v; want none", failed, err)
		}
	})
	t.Run("a rolled-back savepoint takes its buffered rows and ids with it", func(t *testing.T) {
		s, db := openPendingStore(t)
		var kept []int64
		if err := s.Update(ctx, func(tx store.Tx) error {
			kept = appendEvents(t, tx, 2)
			if err := tx.Savepoint(); err != nil {
				return err
			}
			appendEvents(t, tx, 3)
			if err := tx.RollbackSavepoint(); err != nil {
				return err
			}
			kept = append(kept, appendEvents(t, tx, 1)...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !equalInts(kept, []int64{1, 2, 3}) || !equalInts(storedSeqs(t, db), kept) {
			t.Fatalf("handed out %v, stored %v; want [1 2 3]", kept, storedSeqs(t, db))
		}
	})
	t.Run("a failed transaction stores nothing and the next starts afresh", func(t *testing.T) {
		s, db := openPendingStore(t)
		boom := errors.New("boom")
		if err := s.Update(ctx, func(tx store.Tx) error { appendEvents(t, tx, 4); return boom }); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		var got []int64
		if err := s.Update(ctx, func(tx store.Tx) error { got = appendEvents(t, tx, 1); return nil }); err != nil {
			t.Fatal(err)
		}
		if !equalInts(got, []int64{1}) || !equalInts(storedSeqs(t, db), got) {
			t.Fatalf("handed out %v, stored %v; want [1]", got, storedSeqs(t, db))
		}
	})
}
