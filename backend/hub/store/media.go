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

// MediaRef records that the hub has seen a media id: in a message it
// stored (received or sent) or in an upload it made. GET /v1/media/{id}
// serves only ids recorded here, and only to those who may see one of
// them.
type MediaRef struct {
	MediaID string
	// MessageID is the message that carries the id; 0 for an upload.
	MessageID int64
	// AccountID is the number the message or the upload belongs to.
	AccountID string
	// UploadedBy is the user who uploaded it (uploads by a person only).
	UploadedBy *int64
}

// MediaFilter says whose eyes a media lookup is for; zero fields do not
// filter.
type MediaFilter struct {
	// VisibleTo keeps the messages of conversations assigned to that user
	// or to nobody (an agent's view).
	VisibleTo *int64
	// ExcludeAccountIDs leaves out those numbers' messages and uploads.
	ExcludeAccountIDs []string
	// Uploads lets uploads count (not only messages); UploadedBy narrows
	// them to that user's.
	Uploads    bool
	UploadedBy *int64
}

// MediaTx is the write side of remembered uploads and seen media ids.
type MediaTx interface {
	// AddMediaRef records r; recording the same media id and message (or
	// upload) again changes nothing.
	AddMediaRef(ctx context.Context, r MediaRef) error

	// InsertMediaUpload stores u unless its key is taken (false then,
	// nothing changed).
	InsertMediaUpload(ctx context.Context, u MediaUpload) (bool, error)
	// PruneMediaUploads deletes the uploads created before before and
	// returns how many.
	PruneMediaUploads(ctx context.Context, before time.Time) (int, error)
}

// MediaReader is the read side of remembered uploads and seen media ids.
type MediaReader interface {
	MediaUploadByKey(ctx context.Context, key string) (MediaUpload, error)
	// MediaSeen reports whether mediaID was recorded in a message that
	// still exists or an upload, among those f keeps. A message counts in
	// the conversation it is in now.
	MediaSeen(ctx context.Context, mediaID string, f MediaFilter) (bool, error)
}
