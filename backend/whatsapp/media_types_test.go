package whatsapp

import (
	"maps"
	"slices"
	"testing"

	"switchboard/backend/apierr"
)

// documentedMediaTypes is Meta's "Supported media types" table for the Cloud
// API (linked from
// https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media),
// its document rows as also listed on
// https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/document-messages
// ("Only the above listed document types are officially supported"). It is
// copied by hand so that a change to mediaKinds has to be checked against
// the docs rather than against itself.
var documentedMediaTypes = map[string][]string{
	TypeAudio: {"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"},
	TypeDocument: {"text/plain", "application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-powerpoint",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/pdf"},
	TypeImage:   {"image/jpeg", "image/png"},
	TypeSticker: {"image/webp"},
	TypeVideo:   {"video/3gpp", "video/mp4"},
}

// documentedMaxBytes is the same table's size column (stickers: animated).
var documentedMaxBytes = map[string]int64{
	TypeAudio: 16 << 20, TypeDocument: 100 << 20, TypeImage: 5 << 20, TypeSticker: 500 << 10, TypeVideo: 16 << 20,
}

func TestMediaTypesMatchMetaDocs(t *testing.T) {
	want := map[string]string{}
	for kind, types := range documentedMediaTypes {
		for _, mt := range types {
			want[mt] = kind
		}
	}
	for _, mt := range slices.Sorted(maps.Keys(want)) {
		t.Run(mt, func(t *testing.T) {
			kind, ok := MediaKind(mt)
			if !ok || kind != want[mt] {
				t.Errorf("MediaKind = %q, %v; Meta documents it as %s", kind, ok, want[mt])
			}
		})
	}
	for _, mt := range slices.Sorted(maps.Keys(mediaKinds)) {
		if _, ok := want[mt]; !ok {
			t.Errorf("%s is accepted but not in Meta's supported media types", mt)
		}
	}
	for kind, max := range documentedMaxBytes {
		if got := MaxMediaBytes(kind, true); got != max {
			t.Errorf("MaxMediaBytes(%s) = %d, Meta documents %d", kind, got, max)
		}
	}
	// Types people try that Meta does not list: refused before upload, so
	// the agent learns at once rather than from a failed delivery.
	for _, mt := range []string{"text/csv", "application/zip", "image/gif", "video/quicktime", "audio/wav", "application/rtf"} {
		t.Run("refused "+mt, func(t *testing.T) {
			if code := apierr.CodeOf(ValidateMediaUpload(mt, 10)); code != apierr.UnsupportedMediaType {
				t.Errorf("code %q, want %s", code, apierr.UnsupportedMediaType)
			}
		})
	}
}
