package remote

import (
	"context"
	"time"

	"switchboard/backend/apierr"
	"switchboard/backend/domain"
	"switchboard/backend/hubclient"
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
func (h *HubClient) Conversations(ctx context.Context, cursor string, limit int) (Page[domain.Conversation], error) {
	p, err := h.C.Conversations(ctx, hubclient.ConversationFilter{}, cursor, limit)
	return Page[domain.Conversation](p), err
}

// Messages implements Hub.
func (h *HubClient) Messages(ctx context.Context, conversationID int64, cursor string, limit int) (Page[domain.Message], error) {
	p, err := h.C.Messages(ctx, conversationID, cursor, limit)
	return Page[domain.Message](p), err
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
func (h *HubClient) Send(ctx context.Context, key string, req SendRequest) (domain.Message, error) {
	r := hubclient.SendRequest{ConversationID: req.ConversationID, Type: req.Type, Content: req.Content, ReplyTo: req.ReplyTo}
	if req.Template != nil {
		r.Template = &hubclient.TemplateSend{Name: req.Template.Name, Language: req.Template.Language, Variables: req.Template.Variables}
	}
	return h.C.Send(ctx, key, r)
}

// PatchConversation implements Hub.
func (h *HubClient) PatchConversation(ctx context.Context, key string, id int64, p ConversationPatch) (domain.Conversation, error) {
	return h.C.PatchConversation(ctx, key, id, p.hub())
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
func (h *HubClient) UploadMedia(ctx context.Context, key string, up Upload) (UploadedMedia, error) {
	m, err := h.C.UploadMediaWith(ctx, hubclient.UploadOptions{AccountID: up.AccountID, IdempotencyKey: key},
		up.Filename, up.MimeType, up.Body)
	return UploadedMedia{ID: m.ID, MimeType: m.MimeType, Size: m.FileSize, SHA256: m.SHA256}, err
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
func (cs *clientStream) Next(ctx context.Context) (Frame, error) {
	for {
		f, err := cs.s.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return Frame{}, ctx.Err()
			}
			return Frame{}, err
		}
		switch f.Kind {
		case hubclient.KindEvent:
			if f.Event != nil {
				return Frame{Events: []domain.Event{*f.Event}}, nil
			}
		case hubclient.KindHidden:
			at := time.Now().UTC()
			if f.At != nil {
				at = *f.At
			}
			return Frame{Events: []domain.Event{{Seq: f.Seq, Type: EventConversationHidden, ConversationID: f.ConversationID, At: at}}}, nil
		case hubclient.KindLive:
			return Frame{Seq: f.Seq, CaughtUp: true}, nil
		case hubclient.KindHeartbeat:
			return Frame{Seq: f.Seq}, nil
		case hubclient.KindError:
			if f.Error != nil {
				return Frame{}, f.Error.Err()
			}
			return Frame{}, apierr.New(apierr.Internal, "the hub ended the stream")
		}
		// hello and kinds this build does not know carry nothing to apply.
	}
}

func (cs *clientStream) Close() error { return cs.s.Close() }
