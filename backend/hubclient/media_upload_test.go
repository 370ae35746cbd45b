package hubclient_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hubclient"
	"switchboard/backend/sandbox"
	"switchboard/backend/wire"
)

// failingReader yields some bytes, then an error, like a file on a
// removed USB stick.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk gone")
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func TestUploadMedia(t *testing.T) {
	h := startHub(t, 1)
	ctx := context.Background()
	agent, _ := h.agent(t, "ana@example.com", domain.RoleAgent)

	t.Run("a document with a non-ASCII name, then sent by id", func(t *testing.T) {
		customer := h.sb.Customers()[0]
		if _, err := h.sb.CustomerSend(customer.WaID, sandbox.InboundMessage{Type: "text", Text: "the invoice please"}); err != nil {
			t.Fatal(err)
		}
		var conv domain.Conversation
		deadline := time.Now().Add(10 * time.Second)
		for conv.ID == 0 && time.Now().Before(deadline) {
			page, err := agent.Conversations(ctx, hubclient.ConversationFilter{}, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > 0 {
				conv = page.Items[0]
			}
			time.Sleep(10 * time.Millisecond)
		}
		data := []byte("%PDF-1.4 facture")
		up, err := agent.UploadMedia(ctx, "facture été.pdf", "application/pdf", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if up.ID == "" || up.Filename != "facture été.pdf" || up.MimeType != "application/pdf" || up.FileSize != int64(len(data)) || up.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("upload = %+v", up)
		}
		// The hub serves its copy.
		m, err := agent.Media(ctx, up.ID)
		if err != nil || !bytes.Equal(m.Data, data) {
			t.Fatalf("media: %v, %q", err, m.Data)
		}
		doc, _ := json.Marshal(map[string]string{"id": up.ID, "filename": up.Filename, "caption": "your invoice"})
		sent, err := agent.Send(ctx, "doc-1", wire.NewSend(conv.ID, "document", doc))
		if err != nil {
			t.Fatal(err)
		}
		for {
			got, err := agent.Message(ctx, sent.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status == domain.MsgRead {
				break
			}
			if got.Status == domain.MsgFailed || time.Now().After(deadline.Add(10*time.Second)) {
				t.Fatalf("message %+v", got)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	t.Run("idempotency key", func(t *testing.T) {
		o := hubclient.UploadOptions{IdempotencyKey: "k-1"}
		a, err := agent.UploadMediaWith(ctx, o, "a.jpg", "image/jpeg", strings.NewReader("jpeg bytes"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := agent.UploadMediaWith(ctx, o, "a.jpg", "image/jpeg", strings.NewReader("jpeg bytes"))
		if err != nil || b.ID != a.ID {
			t.Fatalf("retry: %+v %v (first %s)", b, err, a.ID)
		}
		_, err = agent.UploadMediaWith(ctx, o, "a.jpg", "image/jpeg", strings.NewReader("other bytes"))
		if apierr.CodeOf(err) != apierr.IdempotencyConflict {
			t.Fatalf("other file, same key: %v", err)
		}
	})

	t.Run("refusals keep their codes", func(t *testing.T) {
		cases := []struct {
			name, mime string
			body       io.Reader
			code       apierr.Code
		}{
			{"gif", "image/gif", strings.NewReader("GIF89a"), apierr.UnsupportedMediaType},
			{"too large", "image/png", io.LimitReader(zeroReader{}, 5<<20+1), apierr.PayloadTooLarge},
			{"empty", "application/pdf", strings.NewReader(""), apierr.ValidationFailed},
			{"unreadable source", "application/pdf", &failingReader{n: 70 << 10}, apierr.InvalidRequest},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := agent.UploadMedia(ctx, "f", c.mime, c.body)
				if apierr.CodeOf(err) != c.code {
					t.Fatalf("%v, want %s", err, c.code)
				}
			})
		}
	})

	t.Run("a read-only token", func(t *testing.T) {
		admin := hubclient.New(h.ts.URL, h.admin)
		tok, err := admin.CreateToken(ctx, wire.TokenRequest{Name: "reader", Scopes: []string{"whatsapp:read"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = hubclient.New(h.ts.URL, tok.Token).UploadMedia(ctx, "a.jpg", "image/jpeg", strings.NewReader("x"))
		if apierr.CodeOf(err) != apierr.Forbidden {
			t.Fatalf("%v", err)
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
