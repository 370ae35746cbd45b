package remote

import (
	"context"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hubclient"
	"switchboard/backend/wire"
)

// HubClient is the real Hub: the hub's REST API and websocket stream
// through backend/hubclient.
type HubClient struct {
	C *hubclient.Client
	// StreamIdle ends a stream connection that sent nothing, not even a
	// heartbeat, for this long (default: hubclient's 60 s).
	StreamIdle time.Duration
}

var (
	_ Hub           = (*HubClient)(nil)
	_ Authenticator = (*HubClient)(nil)
)

// NewHubClient returns a client of the hub at baseURL, authenticated with
// token (empty before Login).
func NewHubClient(baseURL, token string) *HubClient {
	c := hubclient.New(baseURL, token)
	c.UserAgent = "Switchboard-Desktop"
	return &HubClient{C: c}
}

// Login implements Authenticator. The token is labelled so the agent can
// recognise (and revoke) it in the hub's token list.
func (h *HubClient) Login(ctx context.Context, email, password string) (Session, error) {
	r, err := h.C.Login(ctx, email, password, "Switchboard desktop")
	if err != nil {
		return Session{}, err
	}
	return Session{Token: r.Token, User: r.User}, nil
}

// Me implements Hub. A token that is not a user's (an admin or
// integration token) is answered as a user with id 0 and the token's role.
func (h *HubClient) Me(ctx context.Context) (domain.User, error) {
	me, err := h.C.Me(ctx)
	if err != nil {
		return domain.User{}, err
	}
	if me.User != nil {
		return *me.User, nil
	}
	return domain.User{Name: me.Name, Role: me.Role}, nil
}

// Head implements Hub.
func (h *HubClient) Head(ctx context.Context) (int64, error) {
	head, err := h.C.Head(ctx)
	return head.Head, err
}

// Conversations implements Hub.
func (h *HubClient) Conversations(ctx context.Context, cursor string, limit int) (wire.Page[domain.Conversation], error) {
	return h.C.Conversations(ctx, hubclient.ConversationFilter{}, cursor, limit)
}

// Messages implements Hub.
func (h *HubClient) Messages(ctx context.Context, conversationID int64, cursor string, limit int) (wire.Page[domain.Message], error) {
	return h.C.Messages(ctx, conversationID, cursor, limit)
}

// Templates implements Hub.
func (h *HubClient) Templates(ctx context.Context) ([]domain.Template, error) {
	return h.C.Templates(ctx)
}

// Users implements Hub.
func (h *HubClient) Users(ctx context.Context) ([]domain.User, error) { return h.C.Users(ctx) }

// Counters implements Hub.
func (h *HubClient) Counters(ctx context.Context) (domain.Counters, error) { return h.C.Counters(ctx) }

// Accounts implements Hub.
func (h *HubClient) Accounts(ctx context.Context) ([]domain.Account, error) { return h.C.Accounts(ctx) }

// Send implements Hub.
func (h *HubClient) Send(ctx context.Context, key string, req wire.SendRequest) (domain.Message, error) {
	return h.C.Send(ctx, key, req)
}

// PatchConversation implements Hub.
func (h *HubClient) PatchConversation(ctx context.Context, key string, id int64, p wire.ConversationPatch) (domain.Conversation, error) {
	return h.C.PatchConversation(ctx, key, id, p)
}

// AddNote implements Hub.
func (h *HubClient) AddNote(ctx context.Context, key string, conversationID int64, body string) (domain.Note, error) {
	return h.C.AddNote(ctx, key, conversationID, body)
}

// MarkRead implements Hub.
func (h *HubClient) MarkRead(ctx context.Context, key string, messageID int64) error {
	_, err := h.C.MarkRead(ctx, key, messageID)
	return err
}

// Media implements Hub.
func (h *HubClient) Media(ctx context.Context, mediaID string) (MediaFile, error) {
	m, err := h.C.Media(ctx, mediaID)
	return MediaFile{MimeType: m.ContentType, Data: m.Data}, err
}

// UploadMedia implements Hub.
func (h *HubClient) UploadMedia(ctx context.Context, key string, up Upload) (wire.UploadedMedia, error) {
	return h.C.UploadMediaWith(ctx, hubclient.UploadOptions{AccountID: up.AccountID, IdempotencyKey: key},
		up.Filename, up.MimeType, up.Body)
}

// MediaURL is an address the webview can load the media from directly
// (it carries the token, since an <img> cannot send a header).
func (h *HubClient) MediaURL(mediaID string) string { return h.C.MediaURL(mediaID) }

// Stream implements Hub. The hub client's own reconnecting is turned off:
// the sync engine reconnects, so it can show the agent it is offline.
func (h *HubClient) Stream(ctx context.Context, since int64) (Stream, error) {
	s, err := h.C.Stream(ctx, since, hubclient.StreamOptions{NoResume: true, IdleTimeout: h.StreamIdle})
	if err != nil {
		return nil, err
	}
	return &clientStream{s: s}, nil
}

type clientStream struct {
	s *hubclient.Stream
}

// Next turns the hub's frames into Frames: events as they are, "hidden"
// notices as EventConversationHidden events in their place, heartbeats as
// a bare Seq, "live" as CaughtUp.
func (cs *clientStream) Next(ctx context.Context) (Batch, error) {
	for {
		f, err := cs.s.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return Batch{}, ctx.Err()
			}
			return Batch{}, err
		}
		switch f.Kind {
		case wire.FrameEvent:
			if f.Event != nil {
				return Batch{Events: []domain.Event{*f.Event}}, nil
			}
		case wire.FrameHidden:
			at := time.Now().UTC()
			if f.At != nil {
				at = *f.At
			}
			return Batch{Events: []domain.Event{{Seq: f.Seq, Type: EventConversationHidden, ConversationID: f.ConversationID, At: at}}}, nil
		case wire.FrameLive:
			return Batch{Seq: f.Seq, CaughtUp: true}, nil
		case wire.FrameHeartbeat:
			return Batch{Seq: f.Seq}, nil
		case wire.FrameError:
			if f.Error != nil {
				return Batch{}, f.Error.Err()
			}
			return Batch{}, apierr.New(apierr.Internal, "the hub ended the stream")
		}
		// hello and kinds this build does not know carry nothing to apply.
	}
}

func (cs *clientStream) Close() error { return cs.s.Close() }
