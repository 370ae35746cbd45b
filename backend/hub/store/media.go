package store

import (
	"context"
	"time"

	"switchboard/backend/domain"
)

// MediaUpload remembers the answer to an upload made with an
// Idempotency-Key, so a retry gets the same media id.
type MediaUpload struct {
	// Key is "<owner>:<Idempotency-Key>"; unique.
	Key       string
	AccountID string
	// SHA256 is the hex SHA-256 of the file, to tell a retry from a
	// different file sent with the same key.
	SHA256    string
	Media     domain.UploadedMedia
	CreatedAt time.Time
}

// MediaTx is the write side of remembered uploads.
type MediaTx interface {
	// InsertMediaUpload stores u unless its key is taken (false then,
	// nothing changed).
	InsertMediaUpload(ctx context.Context, u MediaUpload) (bool, error)
	// PruneMediaUploads deletes the uploads created before before and
	// returns how many.
	PruneMediaUploads(ctx context.Context, before time.Time) (int, error)
}

// MediaReader is the read side of remembered uploads.
type MediaReader interface {
	MediaUploadByKey(ctx context.Context, key string) (MediaUpload, error)
}
