package sandbox

import (
	"slices"
	"testing"
)

// metaMediaTypes is the Cloud API's "Supported media types" table (linked
// from https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media;
// documents as on .../whatsapp/messages/document-messages), with each
// kind's size limit (stickers: the animated one). The sandbox keeps its own
// copy, independent of backend/whatsapp, so the two sides are each checked
// against Meta rather than against each other.
var metaMediaTypes = []struct {
	kind  string
	max   int64
	mimes []string
}{
	{"audio", 16 << 20, []string{"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}},
	{"document", 100 << 20, []string{"text/plain", "application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-powerpoint",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/pdf"}},
	{"image", 5 << 20, []string{"image/jpeg", "image/png"}},
	{"sticker", 500 << 10, []string{"image/webp"}},
	{"video", 16 << 20, []string{"video/3gpp", "video/mp4"}},
}

func TestMediaKindsMatchMetaDocs(t *testing.T) {
	if len(mediaKinds) != len(metaMediaTypes) {
		t.Fatalf("%d media kinds, Meta documents %d", len(mediaKinds), len(metaMediaTypes))
	}
	for _, want := range metaMediaTypes {
		t.Run(want.kind, func(t *testing.T) {
			i := slices.IndexFunc(mediaKinds, func(k mediaKind) bool { return k.name == want.kind })
			if i < 0 {
				t.Fatalf("no %s kind", want.kind)
			}
			got := mediaKinds[i]
			if got.max != want.max {
				t.Errorf("limit %d, Meta documents %d", got.max, want.max)
			}
			if !sameSet(got.mimes, want.mimes) {
				t.Errorf("types %v, Meta documents %v", got.mimes, want.mimes)
			}
		})
	}
}

// TestUploadRefusesUndocumentedTypes uploads types Meta does not list over
// HTTP, as a client would: each is refused with Graph's invalid-parameter
// error, the way backend/whatsapp.ValidateMediaUpload refuses them first.
func TestUploadRefusesUndocumentedTypes(t *testing.T) {
	e := newEnv(t, Config{})
	for _, m := range []string{"text/csv", "application/zip", "image/gif", "video/quicktime", "audio/wav"} {
		t.Run(m, func(t *testing.T) {
			status, out := e.upload(m, []byte("x"), true)
			if code, _, _ := graphErr(t, out); status != 400 || code != 100 {
				t.Errorf("%d %v", status, out)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
