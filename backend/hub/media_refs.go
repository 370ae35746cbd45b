package hub

import (
	"bytes"
	"context"
	"encoding/json"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hub/store"
	"switchboard/backend/whatsapp"
)

// Media ids the hub has seen. GET /v1/media/{id} downloads through the
// Cloud API with the business's token, so it must not fetch whatever id a
// caller makes up: the hub records every media id it stores in a message
// (received in a webhook or sent) and every file it uploads, and serves
// only those, to callers who may see one of the messages (or who made the
// upload).

// mediaKinds are the objects that carry a media id ({"image": {"id": …}}).
var mediaKinds = map[string]bool{
	whatsapp.TypeImage: true, whatsapp.TypeVideo: true, whatsapp.TypeAudio: true,
	whatsapp.TypeDocument: true, whatsapp.TypeSticker: true,
}

// mediaIDsOf lists the media ids in a message's content (the Cloud API
// object for typ): the object's own id for a media message, the header's
// or a parameter's for a template or an interactive message. Ids not
// shaped like Meta's are left out: nothing would serve them.
func mediaIDsOf(typ string, content json.RawMessage) []string {
	if !bytes.Contains(content, []byte(`"id"`)) {
		return nil // most messages: text, reactions, locations
	}
	var ids []string
	add := func(id string) {
		if whatsapp.ValidGraphID(id) {
			ids = append(ids, id)
		}
	}
	switch {
	case mediaKinds[typ]:
		var m struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(content, &m) == nil {
			add(m.ID)
		}
	case typ == whatsapp.TypeTemplate || typ == whatsapp.TypeInteractive:
		var v any
		if json.Unmarshal(content, &v) == nil {
			walkMedia(v, add)
		}
	}
	return ids
}

// walkMedia calls add with the id of every media object under v.
func walkMedia(v any, add func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if obj, ok := child.(map[string]any); ok && mediaKinds[k] {
				if id, ok := obj["id"].(string); ok {
					add(id)
				}
			}
			walkMedia(child, add)
		}
	case []any:
		for _, child := range x {
			walkMedia(child, add)
		}
	}
}

// noteMedia records the media ids of a message just stored.
func (w *wtx) noteMedia(m *store.Message) error {
	for _, id := range mediaIDsOf(m.Type, m.Content) {
		if err := w.tx.AddMediaRef(w.ctx, store.MediaRef{MediaID: id, MessageID: m.ID, AccountID: m.AccountID}); err != nil {
			return err
		}
	}
	return nil
}

// RecordMediaUpload records a file the hub uploaded for accountID, by the
// user uploader (nil for an integration), so GET /v1/media/{id} serves it.
func (s *Service) RecordMediaUpload(ctx context.Context, accountID string, uploader *int64, m domain.UploadedMedia) error {
	if !whatsapp.ValidGraphID(m.ID) {
		return apierr.New(apierr.UpstreamError, "the WhatsApp Cloud API answered an upload with an id that is not a media id")
	}
	return s.submit(ctx, func(w *wtx) error {
		return w.tx.AddMediaRef(w.ctx, store.MediaRef{MediaID: m.ID, AccountID: accountID, UploadedBy: uploader})
	})
}

// MediaViewer is who asks for a media file.
type MediaViewer struct {
	// VisibleTo limits an agent to the media of their own and unassigned
	// conversations (nil: every conversation).
	VisibleTo *int64
	// ConfiguredOnly leaves out the numbers the hub is not configured for.
	ConfiguredOnly bool
	// Uploader is the user asking (nil for an integration): their own
	// uploads are theirs to fetch before they are sent. AllUploads lets
	// them fetch anyone's (supervisors, admins).
	Uploader   *int64
	AllUploads bool
}

// CheckMedia answers NOT_FOUND unless mediaID is shaped like Meta's media
// ids and the hub has seen it in a message v may see or an upload v may
// fetch. Only then may it be fetched from the Cloud API.
func (s *Service) CheckMedia(ctx context.Context, mediaID string, v MediaViewer) error {
	if !whatsapp.ValidGraphID(mediaID) {
		return noMedia(mediaID)
	}
	f := store.MediaFilter{VisibleTo: v.VisibleTo, Uploads: v.AllUploads || v.Uploader != nil}
	if !v.AllUploads {
		f.UploadedBy = v.Uploader
	}
	if v.ConfiguredOnly {
		f.ExcludeAccountIDs = s.unconfiguredIDs()
	}
	seen, err := s.st.MediaSeen(ctx, mediaID, f)
	if err != nil {
		return storeErr(err, "media")
	}
	if !seen {
		return noMedia(mediaID)
	}
	return nil
}

func noMedia(id string) error {
	if len(id) > 40 {
		id = id[:40]
	}
	return apierr.New(apierr.NotFound, "no media %q", id)
}
