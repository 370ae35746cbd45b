package desktop

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"switchboard/backend/desktop/cache"
	"switchboard/backend/domain"
)

// olderConsole leaves in dir what a console from before the demo hub had
// its name left: the demo hub's folder under its old name, holding its
// database, and a cache whose session and identity say "embedded".
func olderConsole(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	if err := os.MkdirAll(filepath.Join(dir, "embedded", "media"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "embedded", "hub.db"), []byte("the demo inbox"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := cache.Open(ctx, filepath.Join(dir, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SaveSession(ctx, cache.Session{Mode: "embedded", HubURL: "http://127.0.0.1:1", Token: "sbt_old", User: domain.User{ID: 7}}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSetting(ctx, settingIdentity, "embedded|7"); err != nil {
		t.Fatal(err)
	}
}

// TestOpenRenamesTheOldDemoFolder: a console that kept its demo hub in
// DataDir/embedded finds it in DataDir/demo after the update, with the
// session and cache it had, and the demo hub starts there.
func TestOpenRenamesTheOldDemoFolder(t *testing.T) {
	dir := t.TempDir()
	olderConsole(t, dir)
	ctx := context.Background()
	var startedIn string
	errNoHub := errors.New("no hub in this test")
	opts := Options{DataDir: dir, Log: quiet, StartDemoHub: func(_ context.Context, d string, _ *slog.Logger) (DemoHub, error) {
		startedIn = d
		return nil, errNoHub
	}}
	for run := range 2 { // the second Open finds nothing left to rename
		con, err := Open(ctx, opts)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "demo", "hub.db")); err != nil || string(b) != "the demo inbox" {
			t.Fatalf("run %d: demo/hub.db = %q, %v", run, b, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "demo", "media")); err != nil {
			t.Fatalf("run %d: the folder's contents did not move: %v", run, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "embedded")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("run %d: the old folder is still there: %v", run, err)
		}
		s, ok, err := con.cache.Session(ctx)
		if err != nil || !ok || s.Mode != ModeDemo || s.Token != "sbt_old" || s.User.ID != 7 {
			t.Fatalf("run %d: session = %+v, %v, %v", run, s, ok, err)
		}
		if id, _, _ := con.cache.Setting(ctx, settingIdentity); id != "demo|7" {
			t.Fatalf("run %d: identity = %q (the cache would be emptied on the next sign-in)", run, id)
		}
		// The stored demo session resumes on the demo hub, in its new folder.
		if err := con.Start(ctx); !errors.Is(err, errNoHub) || startedIn != filepath.Join(dir, "demo") {
			t.Fatalf("run %d: Start = %v, demo hub started in %q", run, err, startedIn)
		}
		con.Close()
	}
}

// TestOpenKeepsADemoFolderInUse: when DataDir/demo exists already (a
// newer console ran), it is the demo hub's and the old folder is left
// untouched rather than merged or deleted.
func TestOpenKeepsADemoFolderInUse(t *testing.T) {
	dir := t.TempDir()
	olderConsole(t, dir)
	if err := os.MkdirAll(filepath.Join(dir, "demo"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "demo", "hub.db"), []byte("the newer inbox"), 0o600); err != nil {
		t.Fatal(err)
	}
	con, err := Open(context.Background(), Options{DataDir: dir, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer con.Close()
	if b, _ := os.ReadFile(filepath.Join(dir, "demo", "hub.db")); string(b) != "the newer inbox" {
		t.Fatalf("demo/hub.db = %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "embedded", "hub.db")); string(b) != "the demo inbox" {
		t.Fatalf("embedded/hub.db = %q", b)
	}
}

// TestOpenWithNothingOld changes nothing for a new or a remote console.
func TestOpenWithNothingOld(t *testing.T) {
	dir := t.TempDir()
	con, err := Open(context.Background(), Options{DataDir: dir, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer con.Close()
	if _, err := os.Stat(filepath.Join(dir, "demo")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a demo folder appeared: %v", err)
	}
	if _, ok, _ := con.cache.Session(context.Background()); ok {
		t.Fatal("a session appeared")
	}
}
