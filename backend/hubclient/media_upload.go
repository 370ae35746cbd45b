package hubclient

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"sync"

	"switchboard/backend/apierr"
	"switchboard/backend/wire"
)

// UploadOptions tune UploadMediaWith.
type UploadOptions struct {
	// AccountID is the number whose messages will carry the file (empty:
	// the hub's only number).
	AccountID string
	// IdempotencyKey makes a retried upload answer the first one's media
	// id instead of uploading again.
	IdempotencyKey string
}

// UploadMedia uploads a file for a later message (whatsapp:write). The
// body is streamed as multipart/form-data, never held in memory; mimeType
// is the file's type (the hub refuses what WhatsApp does not accept with
// UNSUPPORTED_MEDIA_TYPE, and a file over its kind's limit with
// PAYLOAD_TOO_LARGE). The upload is bounded by ctx rather than the
// client's Timeout, since a 100 MB document may take minutes.
func (c *Client) UploadMedia(ctx context.Context, filename, mimeType string, r io.Reader) (wire.UploadedMedia, error) {
	return c.UploadMediaWith(ctx, UploadOptions{}, filename, mimeType, r)
}

// UploadMediaWith is UploadMedia for a given number and with an
// idempotency key.
func (c *Client) UploadMediaWith(ctx context.Context, o UploadOptions, filename, mimeType string, r io.Reader) (wire.UploadedMedia, error) {
	src := &sourceReader{r: r}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() { pw.CloseWithError(writeUploadForm(mw, o, filename, mimeType, src)) }()
	var hdr http.Header
	if o.IdempotencyKey != "" {
		hdr = http.Header{"Idempotency-Key": {o.IdempotencyKey}}
	}
	var env envelope[wire.UploadedMedia]
	_, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/media", stream: pr,
		contentType: mw.FormDataContentType(), header: hdr, untimed: true}, &env)
	// The hub may answer (a refusal) before reading the whole file: this
	// stops the writer.
	pr.Close()
	if serr := src.error(); serr != nil && err != nil {
		// The file could not be read here; that is not the hub's doing.
		return wire.UploadedMedia{}, apierr.Wrap(serr, apierr.InvalidRequest, "reading the file to upload failed")
	}
	return env.Data, err
}

func writeUploadForm(mw *multipart.Writer, o UploadOptions, filename, mimeType string, r io.Reader) error {
	if o.AccountID != "" {
		if err := mw.WriteField("account_id", o.AccountID); err != nil {
			return err
		}
	}
	if filename == "" {
		filename = "file"
	}
	h := textproto.MIMEHeader{}
	// FormatMediaType quotes the name, or encodes it per RFC 2231 when it
	// is not ASCII, which the hub's parser decodes.
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": filename}))
	if mimeType != "" {
		h.Set("Content-Type", mimeType)
	}
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return err
	}
	return mw.Close()
}

// sourceReader remembers a read error of the caller's reader, to tell it
// from a failure of the hub or the network.
type sourceReader struct {
	r   io.Reader
	mu  sync.Mutex
	err error
}

// Read reads from the source, keeping its first error other than EOF.
func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.mu.Lock()
		if s.err == nil {
			s.err = err
		}
		s.mu.Unlock()
	}
	return n, err
}

func (s *sourceReader) error() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
