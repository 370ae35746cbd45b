package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/internal/memhub"
	"switchboard/backend/testkit"
	"switchboard/backend/wire"
)

func newHub() *memhub.Hub { return memhub.New() }

// kept records KeepMedia calls.
type kept struct {
	mu  sync.Mutex
	ids []string
}

func (k *kept) keep(id, _, path string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, err := os.Stat(path); err == nil {
		k.ids = append(k.ids, id)
	}
}

func (k *kept) all() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.ids...)
}

// fileRig is a rig whose worker has a folder for files.
func fileRig(t *testing.T) (*rig, string, *kept) {
	t.Helper()
	r := &rig{path: filepath.Join(t.TempDir(), "c.db"), hub: newHub(), rec: &recorder{}}
	dir := filepath.Join(t.TempDir(), "files")
	k := &kept{}
	r.openWith(t, func(c *Config) { c.FileDir, c.KeepMedia = dir, k.keep })
	t.Cleanup(func() { r.close() })
	return r, dir, k
}

func imageRequest(convID int64, caption string) wire.SendRequest {
	c, _ := json.Marshal(map[string]string{"caption": caption})
	return wire.NewSend(convID, "image", c)
}

func TestFilePickedOfflineIsUploadedOnceAndSent(t *testing.T) {
	r, dir, k := fileRig(t)
	ctx := context.Background()
	conv := r.openConversation()
	r.hub.SetDown(true)
	data := []byte("\xff\xd8\xff a photo")
	it, err := r.w.EnqueueFile(ctx, imageRequest(conv.ID, "the parcel"), "📷 Photo: the parcel",
		File{Filename: "parcel.jpg", MimeType: "image/jpeg", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if it.Attachment == nil || it.Attachment.Filename != "parcel.jpg" || it.Attachment.Size != int64(len(data)) || it.MediaID != "" {
		t.Fatalf("item = %+v", it)
	}
	// The copy is private to the user.
	st, err := os.Stat(filepath.Join(dir, it.Attachment.File))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("copy: %v %v", st, err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode %v", st.Mode())
	}
	testkit.Eventually(t, "a failed attempt", func() bool {
		items, _ := r.cache.Outbox(ctx, conv.ID)
		return len(items) == 1 && items[0].State == cache.OutboxPending && items[0].Attempts >= 2
	})
	if n := len(r.hub.Uploaded()); n != 0 {
		t.Fatalf("%d uploads while offline", n)
	}

	r.hub.SetDown(false)
	r.w.Wake()
	r.waitEmpty(t)
	up := r.hub.Uploaded()
	if len(up) != 1 || !bytes.Equal(up[0], data) {
		t.Fatalf("uploads = %q", up)
	}
	out := r.hub.Outbound()
	if len(out) != 1 || out[0].Type != "image" {
		t.Fatalf("outbound = %+v", out)
	}
	var content struct{ ID, Caption string }
	_ = json.Unmarshal(out[0].Content, &content)
	if content.ID == "" || content.Caption != "the parcel" {
		t.Fatalf("content = %s", out[0].Content)
	}
	// The copy went to KeepMedia, then away (just after the item left
	// the outbox).
	testkit.Eventually(t, "the copy handed over and removed", func() bool {
		entries, _ := os.ReadDir(dir)
		return len(k.all()) == 1 && len(entries) == 0
	})
	if ids := k.all(); ids[0] != content.ID {
		t.Fatalf("kept %v, want %s", ids, content.ID)
	}
}

func TestLostAnswersNeitherUploadNorSendTwice(t *testing.T) {
	r, dir, _ := fileRig(t)
	ctx := context.Background()
	conv := r.openConversation()
	// The upload's answer is lost once, then the send's twice, and the
	// console restarts in between.
	r.hub.LoseUploadResponses(1)
	r.hub.LoseSendResponses(2)
	sends := 0
	restarted := make(chan struct{})
	r.hub.OnSend(func() {
		sends++
		if sends == 2 {
			close(restarted)
		}
	})
	if _, err := r.w.EnqueueFile(ctx, imageRequest(conv.ID, "once"), "📷 Photo: once",
		File{Filename: "a.png", MimeType: "image/png", Data: []byte("png")}); err != nil {
		t.Fatal(err)
	}
	<-restarted
	r.close()
	r.openWith(t, func(c *Config) { c.FileDir = dir })
	r.waitEmpty(t)
	if n := len(r.hub.Uploaded()); n != 1 {
		t.Fatalf("%d files stored by the hub", n)
	}
	// Two upload calls: the lost one and its retry (answered from the
	// key); none after the media id was recorded.
	if n := r.hub.UploadCalls(); n != 2 {
		t.Fatalf("%d upload calls, want 2", n)
	}
	if out := r.hub.Outbound(); len(out) != 1 {
		t.Fatalf("%d messages sent", len(out))
	}
}

func TestDiscardAndSweepRemoveCopies(t *testing.T) {
	r, dir, _ := fileRig(t)
	ctx := context.Background()
	conv := r.openConversation()
	r.hub.SetDown(true)
	it, err := r.w.EnqueueFile(ctx, imageRequest(conv.ID, ""), "📷 Photo", File{Filename: "a.jpg", MimeType: "image/jpeg", Data: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "pending", func() bool {
		got, _ := r.cache.OutboxItem(ctx, it.Key)
		return got.State == cache.OutboxPending && got.Attempts >= 1
	})
	// The worker keeps retrying: an attempt in flight refuses the discard
	// (CONFLICT) until it has failed again.
	testkit.Eventually(t, "the discard", func() bool {
		err := r.w.Discard(ctx, it.Key)
		if err != nil && apierr.CodeOf(err) != apierr.Conflict {
			t.Fatal(err)
		}
		return err == nil
	})
	if _, err := os.Stat(filepath.Join(dir, it.Attachment.File)); !os.IsNotExist(err) {
		t.Fatalf("the discarded file is still there: %v", err)
	}
	// Left behind by a crash: an old orphan goes at the next start, a
	// fresh one (an enqueue in progress) and a needed one stay.
	keep, err := r.w.EnqueueFile(ctx, imageRequest(conv.ID, ""), "📷 Photo", File{Filename: "b.jpg", MimeType: "image/jpeg", Data: []byte("y")})
	if err != nil {
		t.Fatal(err)
	}
	old, fresh := filepath.Join(dir, "orphan-old"), filepath.Join(dir, "orphan-fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("z"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * sweepAge)
	_ = os.Chtimes(old, past, past)
	_ = os.Chtimes(filepath.Join(dir, keep.Attachment.File), past, past)
	r.close()
	r.openWith(t, func(c *Config) { c.FileDir = dir })
	testkit.Eventually(t, "the sweep", func() bool { _, err := os.Stat(old); return os.IsNotExist(err) })
	for _, p := range []string{fresh, filepath.Join(dir, keep.Attachment.File)} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}

func TestFileRefusedByTheHubFails(t *testing.T) {
	r, _, _ := fileRig(t)
	ctx := context.Background()
	conv := r.openConversation()
	r.hub.RefuseUploads(apierr.Field(apierr.UnsupportedMediaType, "type", "not this"))
	it, err := r.w.EnqueueFile(ctx, imageRequest(conv.ID, ""), "📷 Photo", File{Filename: "a.jpg", MimeType: "image/jpeg", Data: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "failed", func() bool {
		got, _ := r.cache.OutboxItem(ctx, it.Key)
		return got.State == cache.OutboxFailed && got.Error != nil && got.Error.Code == apierr.UnsupportedMediaType
	})
	if out := r.hub.Outbound(); len(out) != 0 {
		t.Fatalf("sent %+v", out)
	}
	// The copy stays for a retry or a discard.
	if files, _ := r.cache.OutboxFiles(ctx); !files[it.Attachment.File] {
		t.Fatal("the failed item's file is not kept")
	}
}
