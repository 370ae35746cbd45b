package store

import (
	"context"
	"time"

	"switchboard/backend/domain"
)

// Delivery is a stored bulk job: the API shape plus who started it, which
// decides who may see it but is never shown.
type Delivery struct {
	domain.Delivery
	// CreatedBy is "user:<id>" or "token:<id>".
	CreatedBy string
	// AuthorID is the user recorded as the author of the job's messages.
	AuthorID *int64
}

// PendingRecipient is a recipient waiting to be sent, with what its send
// needs from its job.
type PendingRecipient struct {
	ID        int64
	JobID     int64
	Phone     string
	Variables map[string]string
	AccountID string
	Template  string
	Language  string
	AuthorID  *int64
}

// RecipientMessage pairs an in-progress recipient with its message.
type RecipientMessage struct {
	RecipientID int64
	MessageID   int64
}

// DeliveryFilter selects jobs, newest (highest id) first.
type DeliveryFilter struct {
	PageRequest
	// Phone keeps jobs with a recipient at that E.164 number.
	Phone string
	// Since (inclusive) and Until (exclusive) bound the creation time.
	Since, Until *time.Time
	// CreatedBy keeps one starter's jobs.
	CreatedBy string
}

// RecipientFilter selects a job's recipients, in id order.
type RecipientFilter struct {
	PageRequest
	State string
}

// DeliveryTx is the write side of bulk deliveries.
type DeliveryTx interface {
	// InsertDelivery stores a job (setting d.ID; its Progress is ignored)
	// and its recipients in order (setting their IDs).
	InsertDelivery(ctx context.Context, d *Delivery, recipients []domain.DeliveryRecipient) error
	// SetRecipientState sets a recipient's state, reason, detail and
	// updated_at; messageID, when not nil, is recorded too (nil keeps the
	// one recorded).
	SetRecipientState(ctx context.Context, id int64, state, reason, detail string, messageID *int64, at time.Time) error
	// RequeueStaleRecipients puts back to pending the in-progress
	// recipients without a message last updated before before, and
	// returns how many.
	RequeueStaleRecipients(ctx context.Context, before time.Time) (int, error)
	// FinishDeliveries marks done, at at, every running job with no
	// recipient pending or in progress, and returns how many.
	FinishDeliveries(ctx context.Context, at time.Time) (int, error)
}

// DeliveryReader is the read side of bulk deliveries.
type DeliveryReader interface {
	// GetDelivery returns a job with its progress counted.
	GetDelivery(ctx context.Context, id int64) (Delivery, error)
	ListDeliveries(ctx context.Context, f DeliveryFilter) (Page[Delivery], error)
	ListRecipients(ctx context.Context, jobID int64, f RecipientFilter) (Page[domain.DeliveryRecipient], error)
	// PendingRecipients lists up to limit pending recipients, oldest first.
	PendingRecipients(ctx context.Context, limit int) ([]PendingRecipient, error)
	// InProgressWithMessage lists the in-progress recipients that have a
	// message.
	InProgressWithMessage(ctx context.Context) ([]RecipientMessage, error)
}
