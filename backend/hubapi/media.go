package hubapi

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"switchboard/backend/apierr"
	"switchboard/backend/hub"
)

// maxMediaBytes is the largest file WhatsApp carries (documents, 100 MB).
const maxMediaBytes = 100 << 20

// mediaCache keeps downloaded media under DataDir/media, named by a hash
// of the media id: Meta's download URLs expire within minutes and its
// media ids after 30 days, while agents reopen old conversations.
type mediaCache struct {
	dir string
	// stripes serialise downloads of the same id (by its hash) so two
	// agents opening one image fetch it once, in bounded memory.
	stripes [64]sync.Mutex
}

func (m *mediaCache) lock(key string) func() {
	l := &m.stripes[int(key[0])%len(m.stripes)]
	l.Lock()
	return l.Unlock
}

func mediaKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// handleMedia is GET /v1/media/{id}: the hub downloads the media through
// the Cloud API once, caches it and serves it with its content type.
// Browsers may pass the token as ?access_token= for <img> and <audio>.
// Only ids the hub has seen are served (hub/media_refs.go), to callers who
// may see a message carrying one or who uploaded it: anything else is
// NOT_FOUND, cached or not, and never reaches the Cloud API.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.core.CheckMedia(r.Context(), id, mediaViewer(principalFrom(r))); err != nil {
		return err
	}
	if s.media == nil {
		return s.streamMedia(w, r, id)
	}
	key := mediaKey(id)
	path := filepath.Join(s.media.dir, key)
	unlock := s.media.lock(key)
	if _, err := os.Stat(path); err != nil {
		if err := s.downloadMedia(r, id, path); err != nil {
			unlock()
			return err
		}
	}
	unlock()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	ct, _ := os.ReadFile(path + ".type")
	st, err := f.Stat()
	if err != nil {
		return err
	}
	s.mediaHeaders(w, string(ct))
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}

// mediaViewer is who p is to the hub's media check: an agent sees the
// media of their own and unassigned conversations and their own uploads;
// everyone else all of them; only admins those of numbers the hub is not
// configured for.
func mediaViewer(p *Principal) hub.MediaViewer {
	v := hub.MediaViewer{ConfiguredOnly: !p.SeesUnconfigured(), Uploader: p.UserID, AllUploads: p.SeesAll()}
	if !p.SeesAll() {
		v.VisibleTo = p.UserID
		if v.VisibleTo == nil {
			v.VisibleTo = new(int64) // an agent token without a user sees no assigned conversation
		}
	}
	return v
}

func (s *Server) mediaHeaders(w http.ResponseWriter, ct string) {
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt == "" || strings.Contains(mt, "html") || strings.Contains(mt, "xml") || strings.Contains(mt, "javascript") {
		// Never let a customer's file run as a page on the hub's origin.
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400, immutable")
}

// downloadMedia fetches through the core into a temporary file renamed
// into place, so a failed or partial download never becomes a cache hit.
func (s *Server) downloadMedia(r *http.Request, id, path string) error {
	rc, ct, err := s.fetchMedia(r, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(s.media.dir, ".download-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(rc, maxMediaBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return apierr.Wrap(err, apierr.UpstreamUnavailable, "downloading the media failed")
	}
	if n > maxMediaBytes {
		return apierr.New(apierr.UpstreamError, "the media is larger than %d bytes", maxMediaBytes)
	}
	if err := os.WriteFile(path+".type", []byte(ct), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// streamMedia serves without a cache (no DataDir).
func (s *Server) streamMedia(w http.ResponseWriter, r *http.Request, id string) error {
	rc, ct, err := s.fetchMedia(r, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	s.mediaHeaders(w, ct)
	_, _ = io.Copy(w, io.LimitReader(rc, maxMediaBytes))
	return nil
}

// fetchMedia downloads through the Cloud API: a lookup for the
// short-lived URL, then the bytes.
func (s *Server) fetchMedia(r *http.Request, id string) (io.ReadCloser, string, error) {
	if s.cfg.Media == nil {
		return nil, "", apierr.New(apierr.Unavailable, "media downloads are not configured on this hub")
	}
	_, dl, err := s.cfg.Media.FetchMedia(r.Context(), id, maxMediaBytes)
	if err != nil {
		return nil, "", err
	}
	return dl.Body, dl.ContentType, nil
}
