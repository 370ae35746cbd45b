package sqlitestore

import (
	"errors"
	"testing"

	"switchboard/backend/hub/store"
)

// The id cursors of the lists adopted from hubapi (users, tokens,
// deliveries, recipients) keep the format that code gave them.
func TestIDCursorsRoundTripAndRefuseForgeries(t *testing.T) {
	for _, id := range []int64{1, 42, 1 << 40} {
		got, err := decodeIDCursor(idCursor(id))
		if err != nil || got != id {
			t.Fatalf("%d: %d %v", id, got, err)
		}
	}
	for _, bad := range []string{"x", "aWQ6", "aWQ6LTE", "aWQ6YWJj", "bm9wZTox"} {
		if _, err := decodeIDCursor(bad); !errors.Is(err, store.ErrBadCursor) {
			t.Fatalf("%q accepted", bad)
		}
	}
}
