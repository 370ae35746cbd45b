package hubapi

import "switchboard/backend/wire"

// The API's JSON bodies are defined once, in package wire, which the Go
// client shares. These aliases keep hubapi's exported names as they were.
type (
	// Pagination is wire.Pagination.
	Pagination = wire.Pagination
	// LoginResult is wire.LoginResult.
	LoginResult = wire.LoginResult
	// Me is wire.Me.
	Me = wire.Me
	// TokenInfo is wire.TokenInfo.
	TokenInfo = wire.TokenInfo
	// NewToken is wire.NewToken.
	NewToken = wire.NewToken
	// Delivery is wire.Delivery.
	Delivery = wire.Delivery
	// DeliveryProgress is wire.DeliveryProgress.
	DeliveryProgress = wire.DeliveryProgress
	// DeliveryRecipient is wire.DeliveryRecipient.
	DeliveryRecipient = wire.DeliveryRecipient
	// Webhook is wire.Webhook.
	Webhook = wire.Webhook
	// EventHead is wire.EventHead.
	EventHead = wire.EventHead
	// UploadedMedia is wire.UploadedMedia.
	UploadedMedia = wire.UploadedMedia
)
