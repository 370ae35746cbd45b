package desktop

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/internal/memhub"
	"switchboard/backend/testkit"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestSendMediaChecksTheFileFirst(t *testing.T) {
	hub := memhub.New()
	closed := hub.AddConversation("Closed Window", "+15550003333")
	open := hub.AddConversation("Open Window", "+15550004444")
	hub.CustomerSays(open.ID, "hi")
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()
	jpeg := b64([]byte("\xff\xd8\xff\xe0 jpeg"))

	cases := []struct {
		name  string
		conv  int64
		in    MediaUpload
		code  apierr.Code
		field string
	}{
		{"not base64", open.ID, MediaUpload{Filename: "a.jpg", MimeType: "image/jpeg", Data: "!!!"}, apierr.InvalidRequest, "data"},
		{"empty", open.ID, MediaUpload{Filename: "a.jpg", MimeType: "image/jpeg", Data: ""}, apierr.ValidationFailed, "data"},
		{"a type WhatsApp refuses", open.ID, MediaUpload{Filename: "cat.gif", MimeType: "image/gif", Data: b64([]byte("GIF89a"))}, apierr.UnsupportedMediaType, "mime_type"},
		{"an image over 5 MB", open.ID, MediaUpload{Filename: "big.png", MimeType: "image/png", Data: b64(make([]byte, 5<<20+1))}, apierr.PayloadTooLarge, "data"},
		{"a caption on a voice note", open.ID, MediaUpload{Filename: "v.ogg", MimeType: "audio/ogg", Data: b64([]byte("OggS")), Caption: "listen"}, apierr.ValidationFailed, "caption"},
		{"a caption over 1024 characters", open.ID, MediaUpload{Filename: "a.jpg", MimeType: "image/jpeg", Data: jpeg, Caption: strings.Repeat("é", 1025)}, apierr.ValidationFailed, "caption"},
		{"window closed", closed.ID, MediaUpload{Filename: "a.jpg", MimeType: "image/jpeg", Data: jpeg}, apierr.SessionExpired, ""},
		{"unknown conversation", 999999, MediaUpload{Filename: "a.jpg", MimeType: "image/jpeg", Data: jpeg}, apierr.NotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.con.SendMedia(ctx, tc.conv, tc.in)
			if e := apierr.As(err); e == nil || e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("err = %v (field %q), want %s %q", err, apierr.As(err).Field, tc.code, tc.field)
			}
		})
	}
	if items, _ := r.con.Outbox(ctx); len(items) != 0 {
		t.Fatalf("refused files were queued: %+v", items)
	}
	if n := hub.UploadCalls(); n != 0 {
		t.Fatalf("%d uploads", n)
	}
}

func TestSendMediaOfflineThenShownFromTheLocalCopy(t *testing.T) {
	hub := memhub.New()
	conv := hub.AddConversation("Ana", "+15550001111")
	hub.CustomerSays(conv.ID, "the invoice please")
	r := newRig(t, hub)
	r.signIn(t)
	ctx := context.Background()
	pdf := []byte("%PDF-1.4 invoice 42")
	photo := []byte("\xff\xd8\xff\xe0 a photo")

	hub.SetDown(true)
	doc, err := r.con.SendMedia(ctx, conv.ID, MediaUpload{Filename: "../Invoice 42.pdf", MimeType: "", Data: "data:application/pdf;base64," + b64(pdf), Caption: " your invoice "})
	if err != nil {
		t.Fatal(err)
	}
	img, err := r.con.SendMedia(ctx, conv.ID, MediaUpload{Filename: "IMG_1.JPG", MimeType: "application/octet-stream", Data: b64(photo)})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Type != "document" || doc.Preview != "📄 Document: your invoice" || doc.Attachment == nil || doc.Attachment.Filename != "Invoice 42.pdf" || doc.Attachment.MimeType != "application/pdf" {
		t.Fatalf("document item = %+v %+v", doc, doc.Attachment)
	}
	if img.Type != "image" || img.Preview != "📷 Photo" || img.Attachment.MimeType != "image/jpeg" {
		t.Fatalf("image item = %+v", img)
	}
	view, _ := r.con.OpenConversation(ctx, conv.ID)
	if len(view.Pending) != 2 {
		t.Fatalf("pending = %+v", view.Pending)
	}

	hub.SetDown(false)
	r.con.Reconnect(ctx)
	testkit.Eventually(t, "an empty outbox", func() bool { items, _ := r.con.Outbox(ctx); return len(items) == 0 })
	out := hub.Outbound()
	if len(out) != 2 || out[0].Type != "document" || out[1].Type != "image" {
		t.Fatalf("outbound = %+v", out)
	}
	var content struct{ ID, Caption, Filename string }
	_ = json.Unmarshal(out[0].Content, &content)
	if content.ID == "" || content.Caption != "your invoice" || content.Filename != "Invoice 42.pdf" {
		t.Fatalf("document content = %s", out[0].Content)
	}
	if up := hub.Uploaded(); len(up) != 2 || !bytes.Equal(up[0], pdf) || !bytes.Equal(up[1], photo) {
		t.Fatalf("uploads = %q", up)
	}
	// The agent's own file shows from the local copy, offline too (the
	// memhub would answer a download with other bytes).
	hub.SetDown(true)
	var f MediaFile
	testkit.Eventually(t, "the media to open", func() bool { f, err = r.con.Media(ctx, content.ID); return err == nil })
	if f.MimeType != "application/pdf" || f.URL != "data:application/pdf;base64,"+b64(pdf) {
		t.Fatalf("media = %+v", f)
	}
	// The copies leave the outbox folder just after their items.
	testkit.Eventually(t, "the outbox folder to empty", func() bool { entries, _ := os.ReadDir(r.con.outboxDir()); return len(entries) == 0 })

	// Signing out takes the files with the cache.
	hub.SetDown(false)
	if _, err := r.con.SendMedia(ctx, conv.ID, MediaUpload{Filename: "late.jpg", MimeType: "image/jpeg", Data: b64(photo)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.con.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{r.con.outboxDir(), filepath.Join(r.dir, "media")} {
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("%s still holds %d files after sign-out", dir, len(entries))
		}
	}
}
