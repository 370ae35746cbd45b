package cache

import (
	"context"
	"testing"

	"switchboard/backend/desktop/internal/fixture"
	"switchboard/backend/domain"
)

// FuzzSearch checks that nothing an agent types into the search box is
// read as FTS5 query syntax: every query either finds rows or finds none,
// and never fails.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{"order", `"AND (`, "NEAR(a b)", "col:val", "*", "^start", "a OR b NOT c", "\x00", "+1 555", "кафе", "😀 emoji", `\"'`, "-"} {
		f.Add(seed)
	}
	c := openCache(f)
	ctx := context.Background()
	if err := c.ReplaceSnapshot(ctx, snapshotOf(20)); err != nil {
		f.Fatal(err)
	}
	var msgs []domain.Message
	for id := int64(1); id <= 40; id++ {
		msgs = append(msgs, fixture.Message(id%20+1, id))
	}
	if err := c.UpsertMessages(ctx, msgs); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := c.Search(ctx, q, 10); err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}
