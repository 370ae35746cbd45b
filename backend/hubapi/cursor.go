package hubapi

import (
	"encoding/base64"
	"strconv"
	"strings"

	"switchboard/backend/apierr"
)

// Cursors are opaque to callers: base64url of a small tagged string, so a
// client cannot come to depend on their inside and we can change it.

func encodeIDCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

// decodeIDCursor returns the id after which the next page starts (0 for
// the first page).
func decodeIDCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if s, ok := strings.CutPrefix(string(b), "id:"); ok {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
				return id, nil
			}
		}
	}
	return 0, apierr.Field(apierr.InvalidRequest, "cursor", "the cursor is not one this API issued")
}

// encodeDescCursor is for lists ordered newest first: the next page has
// ids below id.
func encodeDescCursor(id int64) string { return encodeIDCursor(id) }

func decodeDescCursor(c string) (int64, error) {
	id, err := decodeIDCursor(c)
	if err != nil || id == 0 {
		return 1 << 62, err
	}
	return id, nil
}
