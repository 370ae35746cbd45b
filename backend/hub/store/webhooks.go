package store

import (
	"context"
	"time"

	"switchboard/backend/domain"
)

// WebhookAttempt is one try at delivering an event to a subscription.
type WebhookAttempt struct {
	ID             int64
	SubscriptionID int64
	Seq            int64
	// Attempt is the subscription's failure streak after this try (0 for
	// a success).
	Attempt int
	// Status is the HTTP status answered, 0 when there was no answer.
	Status   int
	Error    string
	Duration time.Duration // stored in milliseconds
	At       time.Time
}

// WebhookTx is the write side of outbound webhook subscriptions.
type WebhookTx interface {
	// UpsertWebhook sets the subscription for w.URL: a new one starts at
	// w.Cursor; an existing one gets w's secret and events, its failure
	// streak cleared and updated_at set, and keeps its id, cursor and
	// creation time. w is filled with the stored subscription.
	UpsertWebhook(ctx context.Context, w *domain.Webhook) error
	// DeleteWebhook deletes a subscription and its attempts; false when
	// there was none.
	DeleteWebhook(ctx context.Context, id int64) (bool, error)
	// AdvanceWebhookCursor moves the cursor forward to seq (never back).
	AdvanceWebhookCursor(ctx context.Context, id, seq int64) error
	// SetWebhookFailures records the failure streak and the last error.
	SetWebhookFailures(ctx context.Context, id int64, failures int, lastError string) error
	// AddWebhookAttempt records an attempt (setting a.ID) and keeps only
	// the subscription's newest keep attempts.
	AddWebhookAttempt(ctx context.Context, a *WebhookAttempt, keep int) error
}

// WebhookReader is the read side of outbound webhook subscriptions.
type WebhookReader interface {
	// ListWebhooks lists every subscription, in id order, secrets in full.
	ListWebhooks(ctx context.Context) ([]domain.Webhook, error)
	// WebhookAttempts lists a subscription's newest attempts, newest first.
	WebhookAttempts(ctx context.Context, subscriptionID int64, limit int) ([]WebhookAttempt, error)
}
