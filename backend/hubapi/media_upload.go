package hubapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"switchboard/backend/apierr"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// mediaUploadForm documents the form fields of POST /v1/media.
type mediaUploadForm struct {
	// File is the file part; its Content-Type is the file's MIME type.
	File string `json:"file"`
	// AccountID is the number whose messages will carry the file; the only
	// one by default.
	AccountID string `json:"account_id,omitempty"`
	// Type overrides the file part's Content-Type (Meta's form has it);
	// it must come before the file.
	Type string `json:"type,omitempty"`
}

const (
	// maxUploadOverhead is what a multipart body may carry besides the
	// file: boundaries, part headers and the small fields.
	maxUploadOverhead = 64 << 10
	// maxFormField bounds account_id, type and messaging_product.
	maxFormField = 1 << 10
	// maxFilename is Meta's limit on a document's filename, in characters.
	maxFilename = 240
)

// receivedFile is an upload read into a temporary file.
type receivedFile struct {
	path      string
	filename  string
	mimeType  string
	kind      string
	size      int64
	sha256    string
	accountID string
}

// discard removes the temporary file unless it was moved into the cache.
func (f *receivedFile) discard() {
	if f.path != "" {
		os.Remove(f.path)
	}
}

// handleUploadMedia is POST /v1/media: a multipart form with a file part
// (and optional account_id). The type and size are checked against
// WhatsApp's limits before anything goes upstream, the body is streamed to
// a temporary file (never held in memory), uploaded to the Cloud API for
// the account, and kept in the media cache, so GET /v1/media/{id} serves
// the agent's own file without asking Meta. Honours Idempotency-Key: a
// retry whose answer was lost gets the first upload's media id instead of
// a second upload.
func (s *Server) handleUploadMedia(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Media == nil {
		return apierr.New(apierr.Unavailable, "media uploads are not configured on this hub")
	}
	if mediaType(r) != "multipart/form-data" {
		return apierr.New(apierr.UnsupportedMediaType, `send the file as multipart/form-data, in a part named "file"`)
	}
	key, err := idempotencyKey(r, principalFrom(r))
	if err != nil {
		return err
	}
	const maxBody = maxMediaBytes + maxUploadOverhead
	if r.ContentLength > maxBody {
		return apierr.Field(apierr.PayloadTooLarge, "file", "the upload is %d bytes; WhatsApp accepts files up to %d bytes (documents)", r.ContentLength, maxMediaBytes)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	f, err := s.receiveUpload(r)
	defer f.discard()
	if err != nil {
		return err
	}
	ctx := r.Context()
	accountID, err := s.resolveAccount(ctx, f.accountID)
	if err != nil {
		return err
	}
	if key != "" {
		prev, ok, err := s.core.CheckMediaUpload(ctx, key, accountID, f.sha256)
		if err != nil {
			return err
		}
		if ok {
			return s.writeData(w, http.StatusCreated, prev)
		}
	}
	body, err := os.Open(f.path)
	if err != nil {
		return err
	}
	id, err := s.cfg.Media.UploadMedia(ctx, accountID, whatsapp.MediaUpload{
		Filename: f.filename, MIMEType: f.mimeType, Size: f.size, Body: body})
	body.Close()
	if err != nil {
		return err
	}
	res := wire.UploadedMedia{ID: id, MimeType: f.mimeType, FileSize: f.size, SHA256: f.sha256, Filename: f.filename}
	if err := s.cacheUpload(f, id); err != nil {
		// The upload worked; only the hub's copy is missing, and GET
		// /v1/media/{id} downloads it from Meta instead.
		s.log.Warn("caching an uploaded file failed", "err", err)
	}
	if key != "" {
		if res, err = s.core.RememberMediaUpload(ctx, key, accountID, res); err != nil {
			return err
		}
	}
	return s.writeData(w, http.StatusCreated, res)
}

// receiveUpload reads the form: small fields into memory, the file into a
// temporary file, counting its bytes against its kind's limit as they
// arrive. The type is settled before the file's bytes are read, so a file
// WhatsApp would refuse is refused without reading it.
func (s *Server) receiveUpload(r *http.Request) (*receivedFile, error) {
	f := &receivedFile{}
	mr, err := r.MultipartReader()
	if err != nil {
		return f, apierr.New(apierr.InvalidRequest, "the multipart body cannot be read: %s", err.Error())
	}
	var typeField string
	gotFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return f, uploadReadError(err)
		}
		switch name := part.FormName(); name {
		case "account_id", "type", "messaging_product":
			if name == "type" && gotFile {
				return f, apierr.Field(apierr.InvalidRequest, "type", "give type before the file part")
			}
			v, err := readFormField(part, name)
			if err != nil {
				return f, err
			}
			switch name {
			case "account_id":
				f.accountID = v
			case "type":
				typeField = v
			case "messaging_product":
				// Meta's form has it; clients ported from the Cloud API send it.
				if v != whatsapp.MessagingProduct {
					return f, apierr.Field(apierr.ValidationFailed, "messaging_product", "messaging_product must be %q", whatsapp.MessagingProduct)
				}
			}
		case "file":
			if gotFile {
				return f, apierr.Field(apierr.InvalidRequest, "file", "send one file per request")
			}
			gotFile = true
			if err := s.receiveFile(f, part, typeField); err != nil {
				return f, err
			}
		default:
			return f, apierr.Field(apierr.InvalidRequest, name, "unknown form field %q (expected file, account_id, type)", truncate(name, 40))
		}
	}
	if !gotFile {
		return f, apierr.Field(apierr.ValidationFailed, "file", `attach the file as the form field "file"`)
	}
	return f, nil
}

// receiveFile checks the file part's type and copies its bytes into a
// temporary file beside the media cache (so keeping it is a rename).
func (s *Server) receiveFile(f *receivedFile, part *multipart.Part, typeField string) error {
	f.filename = cleanFilename(part.FileName())
	mimeType := typeField
	if mimeType == "" {
		mimeType = part.Header.Get("Content-Type")
	}
	if mt, _, err := mime.ParseMediaType(mimeType); err != nil || mt == "application/octet-stream" {
		// No type, or the generic one browsers and curl send for a file
		// they do not know: the extension is the best remaining hint.
		if ext := filepath.Ext(f.filename); ext != "" {
			if guess := mime.TypeByExtension(strings.ToLower(ext)); guess != "" {
				mimeType = guess
			}
		}
	}
	if mt, _, err := mime.ParseMediaType(mimeType); err == nil {
		mimeType = mt
	}
	if err := whatsapp.ValidateMediaUpload(mimeType, -1); err != nil {
		return err
	}
	f.mimeType = mimeType
	f.kind, _ = whatsapp.MediaKind(mimeType)
	limit := whatsapp.MaxMediaBytes(f.kind, true)

	dir := ""
	if s.media != nil {
		dir = s.media.dir
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return err
	}
	f.path = tmp.Name()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(part, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return uploadReadError(err)
	}
	if n > limit {
		return apierr.Field(apierr.PayloadTooLarge, "file", "the %s is larger than the %d bytes WhatsApp accepts", f.kind, limit)
	}
	if n == 0 {
		return apierr.Field(apierr.ValidationFailed, "file", "the file is empty")
	}
	f.size, f.sha256 = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// uploadReadError reports a body that ended early or went over the route's
// limit.
func uploadReadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apierr.Field(apierr.PayloadTooLarge, "file", "the upload is larger than the %d bytes WhatsApp accepts (documents)", maxMediaBytes)
	}
	if _, ok := err.(*apierr.Error); ok {
		return err
	}
	return apierr.New(apierr.InvalidRequest, "the multipart body cannot be read: %s", err.Error())
}

func readFormField(part *multipart.Part, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
	if err != nil {
		return "", uploadReadError(err)
	}
	if len(b) > maxFormField || !utf8.Valid(b) {
		return "", apierr.Field(apierr.InvalidRequest, name, "%s must be short UTF-8 text", name)
	}
	return strings.TrimSpace(string(b)), nil
}

// cleanFilename keeps the base name a client sent, without control
// characters, at most maxFilename characters.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" {
		return ""
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name))
	if utf8.RuneCountInString(name) > maxFilename {
		name = string([]rune(name)[:maxFilename])
	}
	return name
}

// cacheUpload moves the received file into the media cache under the new
// media id, with its type, so the agent's own file is served from disk.
func (s *Server) cacheUpload(f *receivedFile, id string) error {
	if s.media == nil || !validMediaID(id) {
		return nil
	}
	key := mediaKey(id)
	path := filepath.Join(s.media.dir, key)
	unlock := s.media.lock(key)
	defer unlock()
	if err := os.WriteFile(path+".type", []byte(f.mimeType), 0o600); err != nil {
		return err
	}
	if err := os.Rename(f.path, path); err != nil {
		return err
	}
	f.path = ""
	return nil
}
