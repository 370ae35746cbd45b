package hub

import (
	"context"
	"errors"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
)

// Uploaded media: POST /v1/media honours Idempotency-Key, so a retry whose
// answer was lost gets the first upload's media id instead of a second
// upload. The hub remembers each keyed upload's answer for a week.

// MediaUploadKeyTTL is how long an upload's Idempotency-Key is remembered.
const MediaUploadKeyTTL = 7 * 24 * time.Hour

// MediaUpload is a remembered upload.
type MediaUpload = store.MediaUpload

func errUploadKeyReused() error {
	return apierr.New(apierr.IdempotencyConflict, "this Idempotency-Key was used for another file")
}

// mediaUploadByKey returns the upload remembered for key ("<owner>:<key>").
func (s *Service) mediaUploadByKey(ctx context.Context, key string) (MediaUpload, bool, error) {
	u, err := s.st.MediaUploadByKey(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return u, false, nil
	}
	if err != nil {
		return u, false, storeErr(err, "upload")
	}
	return u, true, nil
}

// RememberMediaUpload stores the answer m for key (dropping remembered
// uploads older than MediaUploadKeyTTL). When a concurrent request with
// the same key stored one first, that one is answered, so every retry
// hears the same media id; IDEMPOTENCY_CONFLICT when it was another file.
func (s *Service) RememberMediaUpload(ctx context.Context, key, accountID string, m domain.UploadedMedia) (domain.UploadedMedia, error) {
	now := s.now()
	err := s.submit(ctx, func(w *wtx) error {
		if _, err := w.tx.PruneMediaUploads(w.ctx, now.Add(-MediaUploadKeyTTL)); err != nil {
			return err
		}
		_, err := w.tx.InsertMediaUpload(w.ctx, MediaUpload{Key: key, AccountID: accountID, SHA256: m.SHA256, Media: m, CreatedAt: now})
		return err
	})
	if err != nil {
		return m, err
	}
	prev, ok, err := s.mediaUploadByKey(ctx, key)
	switch {
	case err != nil || !ok:
		return m, err
	case prev.SHA256 != m.SHA256:
		return m, errUploadKeyReused()
	}
	return prev.Media, nil
}

// CheckMediaUpload answers a retried upload: the remembered answer when key
// was used for the same file and account (ok true), nothing when key is
// new, IDEMPOTENCY_CONFLICT when it was used for another file.
func (s *Service) CheckMediaUpload(ctx context.Context, key, accountID, sha256 string) (domain.UploadedMedia, bool, error) {
	prev, ok, err := s.mediaUploadByKey(ctx, key)
	if err != nil || !ok {
		return domain.UploadedMedia{}, false, err
	}
	if prev.SHA256 != sha256 || prev.AccountID != accountID {
		return domain.UploadedMedia{}, false, errUploadKeyReused()
	}
	return prev.Media, true, nil
}
