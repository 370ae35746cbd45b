package desktop

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/outbox"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// MediaUpload is an attachment the agent picked, as the frontend sends it.
type MediaUpload struct {
	Filename string `json:"filename"`
	MimeType string `json:"mime_type"`
	// Data is the file's bytes, base64.
	Data    string `json:"data"`
	Caption string `json:"caption,omitempty"`
}

// SendMedia queues a file from the agent's machine as an image, video,
// audio, document or sticker message, the kind following from its type.
// The file is checked against WhatsApp's type and size limits at once, then
// kept in a private copy with its outbox item, so it works offline: the
// outbox uploads it when the hub is reachable (once: the media id is
// remembered with the item) and then sends the message by that id with
// the caption (and, for documents, the file name).
func (c *Console) SendMedia(ctx context.Context, conversationID int64, m MediaUpload) (cache.OutboxItem, error) {
	data, err := decodeFileData(m.Data)
	if err != nil {
		return cache.OutboxItem{}, apierr.Field(apierr.InvalidRequest, "data", "the file must be sent as base64")
	}
	if len(data) == 0 {
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "data", "the file is empty")
	}
	name := safeFilename(m.Filename)
	mimeType := uploadType(m.MimeType, name, data)
	if err := whatsapp.ValidateMediaUpload(mimeType, int64(len(data))); err != nil {
		// Named as the frontend names them.
		e := *apierr.As(err)
		e.Field = map[string]string{"type": "mime_type", "file": "data"}[e.Field]
		return cache.OutboxItem{}, &e
	}
	kind, _ := whatsapp.MediaKind(mimeType)
	caption := strings.TrimSpace(m.Caption)
	switch n := whatsapp.TextLength(caption); {
	case n > 0 && (kind == whatsapp.TypeAudio || kind == whatsapp.TypeSticker):
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "caption", "WhatsApp shows no caption on %s messages: send the text as its own message", kind)
	case n > whatsapp.MaxCaption:
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "caption", "a caption is at most %d characters; this one has %d", whatsapp.MaxCaption, n)
	}
	if err := c.checkFreeForm(ctx, conversationID); err != nil {
		return cache.OutboxItem{}, err
	}
	conv, err := c.conversation(ctx, conversationID)
	if err != nil {
		return cache.OutboxItem{}, err
	}
	s, err := c.current()
	if err != nil {
		return cache.OutboxItem{}, err
	}
	obj := map[string]any{}
	if caption != "" {
		obj["caption"] = caption
	}
	if kind == whatsapp.TypeDocument {
		if name == "" {
			name = mediaFilename("document", mimeType)
		}
		obj["filename"] = name
	}
	content, _ := json.Marshal(obj)
	req := wire.NewSend(conversationID, kind, content)
	return s.outbox.EnqueueFile(ctx, req, previewOf(kind, obj),
		outbox.File{Filename: name, MimeType: mimeType, Data: data, AccountID: conv.AccountID})
}

// decodeFileData reads the base64 the frontend sends, tolerating a data:
// URL prefix, line breaks and missing padding.
func decodeFileData(s string) ([]byte, error) {
	if strings.HasPrefix(s, "data:") {
		if _, rest, ok := strings.Cut(s, ","); ok {
			s = rest
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// typeAliases are names browsers and operating systems give types that
// WhatsApp knows under another.
var typeAliases = map[string]string{
	"image/jpg":   "image/jpeg",
	"image/pjpeg": "image/jpeg",
	"audio/mp3":   "audio/mpeg",
	"audio/x-m4a": "audio/mp4",
	"audio/m4a":   "audio/mp4",
	"audio/x-aac": "audio/aac",
	"audio/opus":  "audio/ogg",
	"video/3gp":   "video/3gpp",
}

// uploadType is the file's MIME type: the one the window gave, else (none
// or the generic octet-stream) the extension's, else the bytes'.
func uploadType(given, filename string, data []byte) string {
	mt, _, err := mime.ParseMediaType(given)
	if err != nil || mt == "application/octet-stream" {
		mt = ""
		if ext := strings.ToLower(filepath.Ext(filename)); ext != "" {
			mt, _, _ = mime.ParseMediaType(mime.TypeByExtension(ext))
		}
		if mt == "" {
			mt, _, _ = mime.ParseMediaType(http.DetectContentType(data))
		}
	}
	mt = strings.ToLower(mt)
	if alias, ok := typeAliases[mt]; ok {
		mt = alias
	}
	return mt
}

// keepMedia files an attachment the outbox sent in the local media cache
// under its media id, so the agent's own file shows at once and offline.
func (c *Console) keepMedia(mediaID, mimeType, path string) {
	dst := c.localMediaPath(mediaID)
	if os.MkdirAll(filepath.Dir(dst), 0o700) != nil {
		return
	}
	if os.WriteFile(dst+".type", []byte(mimeType), 0o600) == nil {
		_ = os.Rename(path, dst)
	}
}

// outboxDir holds the copies of files waiting in the outbox.
func (c *Console) outboxDir() string { return filepath.Join(c.opts.DataDir, "outbox-files") }

// localMediaPath is where a media id's bytes are cached on this machine
// (its type beside it, with ".type").
func (c *Console) localMediaPath(mediaID string) string {
	sum := sha256.Sum256([]byte(mediaID))
	return filepath.Join(c.opts.DataDir, "media", hex.EncodeToString(sum[:16]))
}

// removeLocalFiles deletes the files that belong with the cache's rows
// (media downloads, files waiting to be sent) when the cache is emptied
// for another user or hub: they are customers' files too.
func (c *Console) removeLocalFiles() {
	for _, dir := range []string{filepath.Join(c.opts.DataDir, "media"), c.outboxDir()} {
		if err := os.RemoveAll(dir); err != nil {
			c.log.Warn("removing cached files failed", "dir", dir, "err", err)
		}
	}
}

// MaxInlineMedia is the largest media Media returns inline as a data: URL.
const MaxInlineMedia = 25 << 20

// MediaFile is media ready for an <img>, <video> or <audio>.
type MediaFile struct {
	MimeType string `json:"mime_type"`
	Filename string `json:"filename"`
	// URL is a data: URL of the bytes.
	URL  string `json:"url"`
	Size int    `json:"size"`
}

// Media returns a message's media as a data: URL, from the local media
// cache when it was downloaded before (so it shows offline), else from the
// hub. Larger files are saved with SaveMedia instead.
func (c *Console) Media(ctx context.Context, mediaID string) (MediaFile, error) {
	data, mimeType, err := c.mediaBytes(ctx, mediaID)
	if err != nil {
		return MediaFile{}, err
	}
	if len(data) > MaxInlineMedia {
		return MediaFile{}, apierr.New(apierr.PayloadTooLarge, "the file is %d MB: save it instead of opening it inline", len(data)>>20)
	}
	return MediaFile{MimeType: mimeType, Filename: mediaFilename(mediaID, mimeType), Size: len(data),
		URL: "data:" + mimeType + ";base64," + base64.StdEncoding.EncodeToString(data)}, nil
}

// SaveMedia saves a message's media in the user's Downloads folder under
// filename (made safe and unique) and returns the path.
func (c *Console) SaveMedia(ctx context.Context, mediaID, filename string) (string, error) {
	data, mimeType, err := c.mediaBytes(ctx, mediaID)
	if err != nil {
		return "", err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", apierr.Wrap(err, apierr.Unavailable, "no home folder to save into")
	}
	dir := filepath.Join(home, "Downloads")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", apierr.Wrap(err, apierr.Unavailable, "cannot create %s", dir)
	}
	name := safeFilename(filename)
	if name == "" {
		name = mediaFilename(mediaID, mimeType)
	}
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 0; ; i++ {
		candidate := name
		if i > 0 {
			candidate = fmt.Sprintf("%s (%d)%s", base, i, ext)
		}
		path := filepath.Join(dir, candidate)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) && i < 1000 {
			continue
		}
		if err != nil {
			return "", apierr.Wrap(err, apierr.Unavailable, "cannot save the file")
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return "", apierr.Wrap(werr, apierr.Unavailable, "cannot save the file")
		}
		return path, nil
	}
}

// mediaBytes reads media from the local cache or, once, from the hub.
func (c *Console) mediaBytes(ctx context.Context, mediaID string) ([]byte, string, error) {
	if mediaID == "" {
		return nil, "", apierr.Field(apierr.InvalidRequest, "media_id", "a media id is required")
	}
	path := c.localMediaPath(mediaID)
	dir := filepath.Dir(path)
	if data, err := os.ReadFile(path); err == nil {
		if t, err := os.ReadFile(path + ".type"); err == nil {
			return data, string(t), nil
		}
	}
	s, err := c.current()
	if err != nil {
		return nil, "", err
	}
	m, err := s.hub.Media(ctx, mediaID)
	if err != nil {
		return nil, "", err
	}
	mimeType := m.MimeType
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	if mt, _, err := mime.ParseMediaType(mimeType); err == nil {
		mimeType = mt
	}
	// Best effort: a failed write only means the next view downloads again.
	if os.MkdirAll(dir, 0o700) == nil && os.WriteFile(path, m.Data, 0o600) == nil {
		_ = os.WriteFile(path+".type", []byte(mimeType), 0o600)
	}
	return m.Data, mimeType, nil
}

func mediaFilename(mediaID, mimeType string) string {
	ext := ""
	if exts, _ := mime.ExtensionsByType(mimeType); len(exts) > 0 {
		ext = exts[0]
	}
	return safeFilename("media-"+mediaID) + ext
}

// safeFilename keeps a file name's base and drops what a file system or a
// shell would trip on.
func safeFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == '/', r == ':', r == '*', r == '?', r == '"', r == '<', r == '>', r == '|':
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if len(name) > 200 {
		name = name[:200]
	}
	if name == "" || name == "." {
		return ""
	}
	return name
}
