package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"switchboard/backend/apierr"
)

// mediaKinds maps the MIME types the Cloud API accepts to the message type
// that carries them: Meta's "Supported media types" table, no more. A type
// outside it (text/csv, application/zip) may upload but is "not supported
// and may not be handled as expected" by the customer's app, so it is
// refused here, before the agent believes it was sent.
var mediaKinds = map[string]string{
	"image/jpeg":                    TypeImage,
	"image/png":                     TypeImage,
	"image/webp":                    TypeSticker,
	"video/mp4":                     TypeVideo,
	"video/3gpp":                    TypeVideo,
	"audio/aac":                     TypeAudio,
	"audio/amr":                     TypeAudio,
	"audio/mpeg":                    TypeAudio,
	"audio/mp4":                     TypeAudio,
	"audio/ogg":                     TypeAudio,
	"text/plain":                    TypeDocument,
	"application/pdf":               TypeDocument,
	"application/msword":            TypeDocument,
	"application/vnd.ms-excel":      TypeDocument,
	"application/vnd.ms-powerpoint": TypeDocument,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   TypeDocument,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         TypeDocument,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": TypeDocument,
}

// MediaKind returns the message type (image, video, audio, document,
// sticker) for a MIME type the Cloud API accepts. Parameters such as
// "; codecs=opus" are ignored.
func MediaKind(mimeType string) (string, bool) {
	mt, _, err := mime.ParseMediaType(mimeType)
	if err != nil {
		return "", false
	}
	k, ok := mediaKinds[mt]
	return k, ok
}

// MaxMediaBytes is the size limit for a media kind (0 for an unknown kind).
// Stickers get the animated limit when animated is set.
func MaxMediaBytes(kind string, animated bool) int64 {
	switch kind {
	case TypeImage:
		return MaxImageBytes
	case TypeVideo:
		return MaxVideoBytes
	case TypeAudio:
		return MaxAudioBytes
	case TypeDocument:
		return MaxDocumentBytes
	case TypeSticker:
		if animated {
			return MaxAnimatedStickerBytes
		}
		return MaxStickerBytes
	}
	return 0
}

// ValidateMediaUpload checks a file before upload: a MIME type the Cloud
// API accepts and, when size is known (>= 0), the limit for its kind. WebP
// files are checked against the animated-sticker limit, the larger one,
// because animation cannot be told from the MIME type.
func ValidateMediaUpload(mimeType string, size int64) error {
	kind, ok := MediaKind(mimeType)
	if !ok {
		return apierr.Field(apierr.UnsupportedMediaType, "type", "WhatsApp does not accept files of type %q", truncate(mimeType, 80))
	}
	if max := MaxMediaBytes(kind, true); size > max {
		return apierr.Field(apierr.PayloadTooLarge, "file", "the %s is %d bytes; WhatsApp accepts at most %d", kind, size, max)
	}
	return nil
}

// MediaUpload is a file to upload. Size is the length when known, or -1.
type MediaUpload struct {
	Filename string
	MIMEType string
	Size     int64
	Body     io.Reader
}

// mediaIDResponse is the answer to an upload.
type mediaIDResponse struct {
	ID string `json:"id"`
}

// UploadMedia uploads a file for phoneNumberID (multipart POST
// /{phone-number-id}/media with messaging_product, type and file) and
// returns its media id. The body is streamed; a body longer than the kind's
// limit stops the upload with PAYLOAD_TOO_LARGE. The upload is bounded by
// ctx and by MediaTimeout for its size, not by the HTTP client's timeout.
func (c *Client) UploadMedia(ctx context.Context, phoneNumberID string, up MediaUpload) (string, error) {
	if err := requireID("phone_number_id", phoneNumberID); err != nil {
		return "", err
	}
	if up.Body == nil {
		return "", apierr.Field(apierr.ValidationFailed, "file", "the file is empty")
	}
	if up.Size < 0 {
		up.Size = -1
	}
	if err := ValidateMediaUpload(up.MIMEType, up.Size); err != nil {
		return "", err
	}
	kind, _ := MediaKind(up.MIMEType)
	limit := MaxMediaBytes(kind, true)
	filename := up.Filename
	if filename == "" {
		filename = "file"
	}

	size := up.Size
	if size < 0 {
		size = limit
	}
	tt := newTransferTimer(ctx, c.mediaTimeout(size))
	defer tt.stop()

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	tooBig := make(chan bool, 1)
	go func() {
		err := writeUpload(mw, up, filename, limit)
		tooBig <- errors.Is(err, errUploadTooLarge)
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(tt.ctx, http.MethodPost, c.endpoint(nil, phoneNumberID, "media"), pr)
	if err != nil {
		pr.Close()
		return "", apierr.Wrap(err, apierr.Internal, "building the upload failed")
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var res mediaIDResponse
	err = c.doWith(c.mediaHTTP(), req, &res)
	pr.Close()
	if <-tooBig {
		return "", apierr.Field(apierr.PayloadTooLarge, "file", "the %s is larger than the %d bytes WhatsApp accepts", kind, limit)
	}
	if err != nil {
		return "", tt.wrap(err)
	}
	if res.ID == "" {
		return "", apierr.New(apierr.UpstreamError, "the WhatsApp Cloud API accepted the upload but returned no media id")
	}
	return res.ID, nil
}

var errUploadTooLarge = errors.New("whatsapp: upload larger than the limit")

// writeUpload writes the multipart form: messaging_product, type, then the
// file, counting bytes against limit.
func writeUpload(mw *multipart.Writer, up MediaUpload, filename string, limit int64) error {
	if err := mw.WriteField("messaging_product", MessagingProduct); err != nil {
		return err
	}
	if err := mw.WriteField("type", up.MIMEType); err != nil {
		return err
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": filename}))
	h.Set("Content-Type", up.MIMEType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	n, err := io.Copy(part, io.LimitReader(up.Body, limit+1))
	if err != nil {
		return err
	}
	if n > limit {
		return errUploadTooLarge
	}
	return mw.Close()
}

// MediaInfo is GET /{media-id}: a short-lived download URL and the file's
// type, hash and size.
type MediaInfo struct {
	MessagingProduct string  `json:"messaging_product,omitempty"`
	URL              string  `json:"url"`
	MimeType         string  `json:"mime_type"`
	SHA256           string  `json:"sha256,omitempty"`
	FileSize         FlexInt `json:"file_size,omitempty"`
	ID               string  `json:"id"`
}

// GetMedia looks up a media id (from an inbound message or an upload).
func (c *Client) GetMedia(ctx context.Context, mediaID string) (*MediaInfo, error) {
	if err := requireID("media_id", mediaID); err != nil {
		return nil, err
	}
	var info MediaInfo
	if err := c.doJSON(ctx, http.MethodGet, c.endpoint(nil, mediaID), nil, &info); err != nil {
		return nil, err
	}
	if info.URL == "" {
		return nil, apierr.New(apierr.UpstreamError, "the WhatsApp Cloud API returned no download URL for media %s", mediaID)
	}
	return &info, nil
}

// MediaDownload is an open media download; the caller closes Body.
type MediaDownload struct {
	Body          io.ReadCloser
	ContentType   string
	ContentLength int64
}

// DownloadMedia fetches the short-lived URL from GetMedia with the bearer
// token. Reading more than maxBytes (when > 0) fails with
// PAYLOAD_TOO_LARGE, so a hostile or broken server cannot fill the disk.
// The response must start within MediaTimeout(0) and the body arrive
// within MediaTimeout of its size (Content-Length, else maxBytes); the
// caller must close Body, which also releases that timer.
func (c *Client) DownloadMedia(ctx context.Context, mediaURL string, maxBytes int64) (*MediaDownload, error) {
	u, err := url.Parse(mediaURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, apierr.Field(apierr.ValidationFailed, "url", "the media URL is not an absolute http(s) URL")
	}
	tt := newTransferTimer(ctx, c.mediaTimeout(0))
	req, err := http.NewRequestWithContext(tt.ctx, http.MethodGet, mediaURL, nil)
	if err != nil {
		tt.stop()
		return nil, apierr.Wrap(err, apierr.Internal, "building the download failed")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	resp, err := c.mediaHTTP().Do(req)
	if err != nil {
		tt.stop()
		return nil, tt.wrap(transportError(err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer tt.stop()
		defer resp.Body.Close()
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, upstreamError(DecodeGraphError(resp.StatusCode, resp.Header, data))
	}
	if maxBytes > 0 && resp.ContentLength > maxBytes {
		resp.Body.Close()
		tt.stop()
		return nil, apierr.New(apierr.PayloadTooLarge, "the media is %d bytes, more than the %d allowed", resp.ContentLength, maxBytes)
	}
	// Now the size is known (or its bound): the body gets time for it.
	size := resp.ContentLength
	if size < 0 {
		size = maxBytes
	}
	if size <= 0 {
		size = MaxDocumentBytes
	}
	tt.reset(c.mediaTimeout(size))
	var body io.ReadCloser = &transferBody{ReadCloser: resp.Body, t: tt}
	if maxBytes > 0 {
		body = &limitedBody{rc: body, left: maxBytes}
	}
	return &MediaDownload{Body: body, ContentType: resp.Header.Get("Content-Type"), ContentLength: resp.ContentLength}, nil
}

// FetchMedia is GetMedia then DownloadMedia.
func (c *Client) FetchMedia(ctx context.Context, mediaID string, maxBytes int64) (*MediaInfo, *MediaDownload, error) {
	info, err := c.GetMedia(ctx, mediaID)
	if err != nil {
		return nil, nil, err
	}
	dl, err := c.DownloadMedia(ctx, info.URL, maxBytes)
	if err != nil {
		return nil, nil, err
	}
	if dl.ContentType == "" {
		dl.ContentType = info.MimeType
	}
	return info, dl, nil
}

// DeleteMedia deletes an uploaded media id.
func (c *Client) DeleteMedia(ctx context.Context, mediaID string) error {
	if err := requireID("media_id", mediaID); err != nil {
		return err
	}
	var res SuccessResponse
	if err := c.doJSON(ctx, http.MethodDelete, c.endpoint(nil, mediaID), nil, &res); err != nil {
		return err
	}
	if !res.Success {
		return apierr.New(apierr.UpstreamError, "the WhatsApp Cloud API did not confirm deleting media %s", mediaID)
	}
	return nil
}

// limitedBody fails with PAYLOAD_TOO_LARGE once more than left bytes are
// read, instead of silently truncating like io.LimitReader.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

// Read reads on until the limit is passed, then fails.
func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, apierr.New(apierr.PayloadTooLarge, "the media is larger than allowed")
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n + int(l.left), apierr.New(apierr.PayloadTooLarge, "the media is larger than allowed")
	}
	return n, err
}

// Close closes the response body.
func (l *limitedBody) Close() error { return l.rc.Close() }

// String describes the upload for logs.
func (up MediaUpload) String() string {
	return fmt.Sprintf("%s (%s, %s)", up.Filename, up.MIMEType, sizeString(up.Size))
}

func sizeString(n int64) string {
	if n < 0 {
		return "size unknown"
	}
	return strings.TrimSpace(fmt.Sprintf("%d bytes", n))
}
