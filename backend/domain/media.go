package domain

// UploadedMedia is a file uploaded to the Cloud API for a number's
// messages: ID goes in an image, video, audio, document or sticker message
// ({"image": {"id": …}}).
type UploadedMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	FileSize int64  `json:"file_size"`
	// SHA256 is the hex SHA-256 of the bytes (Meta reports media the same way).
	SHA256   string `json:"sha256"`
	Filename string `json:"filename"`
}
