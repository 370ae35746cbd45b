package domain

import "time"

// Bulk template deliveries: one template, one language, many recipients
// each with their own variables. Each recipient moves
// pending → in_progress → processed_ok | processed_ko (with a reason).

// Delivery job states.
const (
	DeliveryRunning = "running"
	DeliveryDone    = "done"
)

// Recipient states and failure reasons.
const (
	RecipientPending     = "pending"
	RecipientInProgress  = "in_progress"
	RecipientProcessedOK = "processed_ok"
	RecipientProcessedKO = "processed_ko"

	ReasonInvalidNumber = "invalid_number"
	ReasonOptedOut      = "opted_out"
	ReasonTemplateError = "template_error"
	ReasonMetaError     = "meta_error"
	ReasonInternalError = "internal_error"
)

// Delivery is a bulk template job and its progress.
type Delivery struct {
	ID         int64            `json:"id"`
	AccountID  string           `json:"account_id"`
	Template   string           `json:"template"`
	Language   string           `json:"language"`
	State      string           `json:"state"` // running, done
	Progress   DeliveryProgress `json:"progress"`
	CreatedAt  time.Time        `json:"created_at"`
	FinishedAt *time.Time       `json:"finished_at"`
}

// DeliveryProgress counts recipients by state.
type DeliveryProgress struct {
	Total       int `json:"total"`
	Pending     int `json:"pending"`
	InProgress  int `json:"in_progress"`
	ProcessedOK int `json:"processed_ok"`
	ProcessedKO int `json:"processed_ko"`
}

// DeliveryRecipient is one recipient's outcome.
type DeliveryRecipient struct {
	ID int64 `json:"id"`
	// Row is the recipient's position in the request (CSV line or array
	// index); Input the phone as given, Phone its E.164 form (empty when
	// it is not a usable number).
	Row       int               `json:"row"`
	Input     string            `json:"input"`
	Phone     string            `json:"phone"`
	Variables map[string]string `json:"variables"`
	State     string            `json:"state"`
	Reason    string            `json:"reason,omitempty"`
	Detail    string            `json:"detail,omitempty"`
	MessageID *int64            `json:"message_id"`
	UpdatedAt time.Time         `json:"updated_at"`
}
