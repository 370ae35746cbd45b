package desktop

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/outbox"
	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// SendInput is a free-form message other than text: an image, video,
// audio or document by link, a location, contacts, interactive buttons or
// list, or a reaction. Content is the Cloud API object for Type.
type SendInput struct {
	Type    string          `json:"type"`
	Content json.RawMessage `json:"content" ts_type:"unknown"`
	ReplyTo *int64          `json:"reply_to,omitempty"`
}

// SendText queues a text message. It is refused at once (nothing queued)
// when the contact opted out or the 24-hour window is closed, since the
// hub would refuse it too; otherwise it is stored in the outbox and sent
// when the hub is reachable. The draft is cleared.
func (c *Console) SendText(ctx context.Context, conversationID int64, body string, replyTo *int64) (cache.OutboxItem, error) {
	body = strings.TrimSpace(body)
	switch n := whatsapp.TextLength(body); {
	case n == 0:
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "body", "the message is empty")
	case n > whatsapp.MaxTextBody:
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "body", "a text message is at most %d characters; this one has %d", whatsapp.MaxTextBody, n)
	case !utf8.ValidString(body):
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "body", "the message is not valid UTF-8")
	}
	if err := c.checkFreeForm(ctx, conversationID); err != nil {
		return cache.OutboxItem{}, err
	}
	it, err := c.enqueue(ctx, outbox.TextRequest(conversationID, body, replyTo), body)
	if err == nil {
		_, _ = c.cache.SaveDraft(ctx, conversationID, "")
	}
	return it, err
}

// SendMessage queues a free-form message of any other type.
func (c *Console) SendMessage(ctx context.Context, conversationID int64, in SendInput) (cache.OutboxItem, error) {
	switch in.Type {
	case "", "text", "template":
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "type", "use SendText or SendTemplate for %q", in.Type)
	}
	req := wire.NewSend(conversationID, in.Type, in.Content)
	if req.Slot(in.Type) == nil {
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "type", "type %q cannot be sent; use one of %s", in.Type, strings.Join(wire.SendTypes, ", "))
	}
	if in.ReplyTo != nil {
		req.ReplyTo = *in.ReplyTo
	}
	var obj map[string]any
	if err := json.Unmarshal(in.Content, &obj); err != nil || obj == nil {
		return cache.OutboxItem{}, apierr.Field(apierr.InvalidRequest, "content", "content must be the Cloud API object for %s", in.Type)
	}
	if err := c.checkFreeForm(ctx, conversationID); err != nil {
		return cache.OutboxItem{}, err
	}
	return c.enqueue(ctx, req, previewOf(in.Type, obj))
}

// SendTemplate queues an approved template filled with variables, checked
// against the cached template first. Templates may be sent when the
// 24-hour window is closed.
func (c *Console) SendTemplate(ctx context.Context, conversationID int64, name, language string, variables map[string]string) (cache.OutboxItem, error) {
	conv, err := c.conversation(ctx, conversationID)
	if err != nil {
		return cache.OutboxItem{}, err
	}
	if conv.Contact.OptedOut {
		return cache.OutboxItem{}, apierr.New(apierr.OptedOut, "the customer opted out of messages from this business")
	}
	t, err := c.template(ctx, name, language)
	if err != nil {
		return cache.OutboxItem{}, err
	}
	form := BuildTemplateForm(t, variables)
	if err := form.formError(); err != nil {
		return cache.OutboxItem{}, err
	}
	vars := map[string]string{}
	for k, v := range variables {
		if v != "" {
			vars[k] = v
		}
	}
	req := wire.SendRequest{ConversationID: conversationID, Type: whatsapp.TypeTemplate,
		Template: &wire.TemplateRequest{Name: name, Language: wire.LanguageCode(language), Variables: wire.StringVariables(vars)}}
	preview := form.Preview.Body
	if preview == "" {
		preview = form.Preview.Header
	}
	return c.enqueue(ctx, req, preview)
}

// RetryOutbox puts a failed message back in the queue.
func (c *Console) RetryOutbox(ctx context.Context, key string) (cache.OutboxItem, error) {
	s, err := c.current()
	if err != nil {
		return cache.OutboxItem{}, err
	}
	return s.outbox.Retry(ctx, key)
}

// DiscardOutbox deletes an unsent message that is not being sent now.
func (c *Console) DiscardOutbox(ctx context.Context, key string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	return s.outbox.Discard(ctx, key)
}

func (c *Console) enqueue(ctx context.Context, req wire.SendRequest, preview string) (cache.OutboxItem, error) {
	s, err := c.current()
	if err != nil {
		return cache.OutboxItem{}, err
	}
	return s.outbox.Enqueue(ctx, req, preview)
}

func (c *Console) conversation(ctx context.Context, id int64) (domain.Conversation, error) {
	conv, err := c.cache.Conversation(ctx, id)
	if errors.Is(err, cache.ErrNotFound) {
		return conv, apierr.New(apierr.NotFound, "no such conversation in the cache")
	}
	return conv, err
}

// checkFreeForm refuses what WhatsApp would refuse for a free-form message.
func (c *Console) checkFreeForm(ctx context.Context, id int64) error {
	conv, err := c.conversation(ctx, id)
	if err != nil {
		return err
	}
	if conv.Contact.OptedOut {
		return apierr.New(apierr.OptedOut, "the customer opted out of messages from this business")
	}
	if !conv.WindowOpen(c.now()) {
		return apierr.New(apierr.SessionExpired, "the 24-hour customer service window is closed: send an approved template")
	}
	return nil
}

// UpdateConversation changes status, assignee, team or snooze on the hub
// (online only) and stores the answer.
func (c *Console) UpdateConversation(ctx context.Context, id int64, patch wire.ConversationPatch) (domain.Conversation, error) {
	s, err := c.current()
	if err != nil {
		return domain.Conversation{}, err
	}
	if patch.Status != nil && !patch.Status.Valid() {
		return domain.Conversation{}, apierr.Field(apierr.ValidationFailed, "status", "unknown status %q", *patch.Status)
	}
	if patch.Status != nil && *patch.Status == domain.StatusSnoozed && patch.SnoozedUntil == nil {
		return domain.Conversation{}, apierr.Field(apierr.ValidationFailed, "snoozed_until", "say until when to snooze")
	}
	conv, err := s.hub.PatchConversation(ctx, id, patch)
	if err != nil {
		return conv, err
	}
	if err := c.cache.UpsertConversation(ctx, conv); err != nil {
		return conv, err
	}
	c.opts.Emit.Emit(domain.EventConversationUpdated, conv)
	c.refreshTitle(s)
	return conv, nil
}

// AddNote adds an internal note on the hub (online only).
func (c *Console) AddNote(ctx context.Context, id int64, body string) (domain.Note, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return domain.Note{}, apierr.Field(apierr.ValidationFailed, "body", "the note is empty")
	}
	s, err := c.current()
	if err != nil {
		return domain.Note{}, err
	}
	n, err := s.hub.AddNote(ctx, id, body)
	if err != nil {
		return n, err
	}
	if err := c.cache.UpsertNote(ctx, n); err != nil {
		return n, err
	}
	c.opts.Emit.Emit(domain.EventNoteCreated, n)
	return n, nil
}

// MarkRead marks the conversation's latest customer message read on the
// hub, which sends the customer their blue ticks. It does nothing when
// nothing is unread.
func (c *Console) MarkRead(ctx context.Context, id int64) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	conv, err := c.conversation(ctx, id)
	if err != nil {
		return err
	}
	if conv.UnreadCount == 0 {
		return nil
	}
	m, err := c.cache.LatestInbound(ctx, id)
	if errors.Is(err, cache.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.hub.MarkRead(ctx, m.ID)
}

// MediaURL is an address the webview can load a message's media from.
func (c *Console) MediaURL(ctx context.Context, mediaID string) (string, error) {
	s, err := c.current()
	if err != nil {
		return "", err
	}
	if mediaID == "" {
		return "", apierr.Field(apierr.InvalidRequest, "media_id", "a media id is required")
	}
	if m, ok := s.hub.(mediaURLer); ok {
		return m.MediaURL(mediaID), nil
	}
	return "", apierr.New(apierr.Unavailable, "this hub client cannot link media")
}

// previewOf is the one-line summary shown for a queued message.
func previewOf(typ string, obj map[string]any) string {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	label := map[string]string{"image": "📷 Photo", "video": "🎥 Video", "audio": "🎤 Audio", "document": "📄 Document",
		"sticker": "Sticker", "location": "📍 Location", "contacts": "👤 Contact", "interactive": "Buttons",
		"reaction": "Reaction"}[typ]
	switch typ {
	case "image", "video", "document":
		if s := str("caption"); s != "" {
			return label + ": " + s
		}
		if s := str("filename"); s != "" {
			return label + ": " + s
		}
	case "location":
		if s := str("name"); s != "" {
			return label + ": " + s
		}
	case "reaction":
		return str("emoji")
	case "interactive":
		if b, ok := obj["body"].(map[string]any); ok {
			if s, _ := b["text"].(string); s != "" {
				return s
			}
		}
	}
	if label == "" {
		return typ
	}
	return label
}

// OutboxOf lists one conversation's unsent messages (every one for 0).
func (c *Console) OutboxOf(ctx context.Context, conversationID int64) ([]cache.OutboxItem, error) {
	return c.cache.Outbox(ctx, conversationID)
}

// DiscardOutboxItem deletes an unsent message and returns what it was.
func (c *Console) DiscardOutboxItem(ctx context.Context, key string) (cache.OutboxItem, error) {
	it, err := c.cache.OutboxItem(ctx, key)
	if errors.Is(err, cache.ErrNotFound) {
		return it, apierr.New(apierr.NotFound, "no such outbox item")
	}
	if err != nil {
		return it, err
	}
	return it, c.DiscardOutbox(ctx, key)
}
