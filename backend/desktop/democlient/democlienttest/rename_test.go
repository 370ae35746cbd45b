package democlienttest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/backend/desktop"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/democlient/democlienttest"
	"switchboard/backend/desktop/syncer"
	"switchboard/backend/domain"
	"switchboard/backend/testkit"
)

// TestAnOlderConsolesDemoInboxSurvives: a user of a console from before
// the demo hub had its name (its folder DataDir/embedded, its session
// mode and cache identity "embedded") updates; the console resumes the
// same demo hub, with its database, the agent's token and the cached
// inbox, without a new snapshot.
func TestAnOlderConsolesDemoInboxSurvives(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	opts := desktop.Options{StartDemoHub: democlienttest.Starter(testConfig("")), DevControls: true}
	con := openConsole(t, dir, opts)
	if err := con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := con.SandboxCustomerSays(ctx, "+35312345678", "Aoife Byrne", "Is my order on its way?"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the conversation cached", func() bool {
		res, _ := con.Search(ctx, "Aoife", 5)
		return len(res.Conversations) == 1
	})
	st, _ := con.Status(ctx)
	if err := con.Close(); err != nil {
		t.Fatal(err)
	}

	// Put the data dir back as the older console left it.
	if err := os.Rename(filepath.Join(dir, "demo"), filepath.Join(dir, "embedded")); err != nil {
		t.Fatal(err)
	}
	c, err := cache.Open(ctx, filepath.Join(dir, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, ok, err := c.Session(ctx)
	if err != nil || !ok || s.Mode != desktop.ModeDemo {
		t.Fatalf("stored session = %+v, %v, %v", s, ok, err)
	}
	s.Mode = "embedded"
	if err := c.SaveSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	id, _, _ := c.Setting(ctx, "identity") // desktop's settingIdentity
	old, found := strings.CutPrefix(id, desktop.ModeDemo+"|")
	if !found {
		t.Fatalf("identity = %q", id)
	}
	if err := c.SetSetting(ctx, "identity", "embedded|"+old); err != nil {
		t.Fatal(err)
	}
	c.Close()

	ev := &events{}
	opts.Emit = ev
	con = openConsole(t, dir, opts)
	defer con.Close()
	if _, err := os.Stat(filepath.Join(dir, "embedded")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the old folder is still there: %v", err)
	}
	// The cache was kept: the conversation is there before the console
	// even connects.
	if res, _ := con.Search(ctx, "Aoife", 5); len(res.Conversations) != 1 {
		t.Fatal("the cached inbox was emptied")
	}
	if err := con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "online again", func() bool { st, _ := con.Status(ctx); return st.Sync.State == syncer.StateOnline })
	now, _ := con.Status(ctx)
	if now.Mode != desktop.ModeDemo || now.User == nil || now.User.ID != st.User.ID {
		t.Fatalf("status = %+v, was %+v", now, st)
	}
	if n := ev.n(syncer.EventCacheReset); n != 0 {
		t.Fatalf("the console took %d new snapshots", n)
	}
	// The demo hub kept its database: a new message lands in the same
	// conversation.
	if err := con.SandboxCustomerSays(ctx, "+35312345678", "Aoife Byrne", "Any news?"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the second message in the same conversation", func() bool {
		res, _ := con.Search(ctx, "Aoife", 5)
		if len(res.Conversations) != 1 {
			return false
		}
		view, err := con.OpenConversation(ctx, res.Conversations[0].ID)
		inbound := 0
		for _, m := range view.Messages {
			if m.Direction == domain.Inbound {
				inbound++
			}
		}
		return err == nil && inbound == 2
	})
}
