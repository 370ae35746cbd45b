package desktop

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
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
// list (a reaction goes through React). Content is the Cloud API object
// for Type.
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
	case "reaction":
		// A reaction shows on its message, not as a bubble: React.
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "type", "use React for a reaction")
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

// UpdateConversation changes status, assignee, team or snooze. The change
// goes through the outbox: it shows at once (pending) and reaches the hub
// exactly once, offline or not; if the hub refuses it (someone else took
// the conversation meanwhile) it is rolled back and the agent told why
// (outbox.EventReconciled). It returns the conversation as it shows now.
func (c *Console) UpdateConversation(ctx context.Context, id int64, patch wire.ConversationPatch) (domain.Conversation, error) {
	if patch.Status != nil && !patch.Status.Valid() {
		return domain.Conversation{}, apierr.Field(apierr.ValidationFailed, "status", "unknown status %q", *patch.Status)
	}
	if patch.Status != nil && *patch.Status == domain.StatusSnoozed && patch.SnoozedUntil == nil {
		return domain.Conversation{}, apierr.Field(apierr.ValidationFailed, "snoozed_until", "say until when to snooze")
	}
	if patch.SnoozedUntil != nil && patch.Status == nil {
		st := domain.StatusSnoozed
		patch.Status = &st
	}
	if patch.Status == nil && patch.AssigneeID == nil && !patch.Unassign && patch.Team == nil {
		return domain.Conversation{}, apierr.New(apierr.InvalidRequest, "nothing to change")
	}
	if _, err := c.conversation(ctx, id); err != nil {
		return domain.Conversation{}, err
	}
	if _, err := c.write(ctx, cache.KindConversation, id, patch, c.describePatch(ctx, patch)); err != nil {
		return domain.Conversation{}, err
	}
	if s, err := c.current(); err == nil {
		c.refreshTitle(s)
	}
	return c.conversation(ctx, id)
}

// describePatch says what a change does, for the pending mark and for a
// refusal's explanation ("Close", "Assign to Maria").
func (c *Console) describePatch(ctx context.Context, p wire.ConversationPatch) string {
	var parts []string
	if p.Status != nil {
		parts = append(parts, map[domain.ConversationStatus]string{domain.StatusOpen: "Reopen", domain.StatusClosed: "Close",
			domain.StatusPending: "Mark pending", domain.StatusSnoozed: "Snooze"}[*p.Status])
	}
	switch {
	case p.Unassign:
		parts = append(parts, "Unassign")
	case p.AssigneeID != nil:
		name := "agent " + strconv.FormatInt(*p.AssigneeID, 10)
		if users, err := c.cache.Users(ctx); err == nil {
			for _, u := range users {
				if u.ID == *p.AssigneeID {
					name = u.Name
				}
			}
		}
		parts = append(parts, "Assign to "+name)
	}
	if p.Team != nil {
		parts = append(parts, "Move to team "+*p.Team)
	}
	return strings.Join(parts, ", ")
}

// AddNote adds an internal note through the outbox: it shows at once as
// pending and is saved on the hub exactly once, offline or not. A note the
// hub refuses stays, failed, with its text, until retried or discarded.
func (c *Console) AddNote(ctx context.Context, id int64, body string) (cache.OutboxItem, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "body", "the note is empty")
	}
	if n := utf8.RuneCountInString(body); n > MaxNoteLength {
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "body", "a note is at most %d characters; this one has %d", MaxNoteLength, n)
	}
	if _, err := c.conversation(ctx, id); err != nil {
		return cache.OutboxItem{}, err
	}
	return c.write(ctx, cache.KindNote, id, cache.NoteWrite{Body: body}, body)
}

// MaxNoteLength is the hub's limit on a note, in characters.
const MaxNoteLength = 10000

// MarkRead marks the conversation's latest customer message read (the hub
// sends the customer their blue ticks) through the outbox: the unread
// count clears at once. It does nothing when nothing is unread.
func (c *Console) MarkRead(ctx context.Context, id int64) error {
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
	_, err = c.write(ctx, cache.KindRead, id, cache.ReadWrite{MessageID: m.ID}, "Mark read")
	return err
}

// React reacts to a message with emoji, or removes the agent's reaction
// when emoji is empty (as WhatsApp does), through the outbox: the reaction
// shows at once as pending. Like any free-form message it needs the
// 24-hour window open.
func (c *Console) React(ctx context.Context, conversationID, messageID int64, emoji string) (cache.OutboxItem, error) {
	emoji = strings.TrimSpace(emoji)
	if utf8.RuneCountInString(emoji) > 16 {
		return cache.OutboxItem{}, apierr.Field(apierr.ValidationFailed, "emoji", "a reaction is one emoji")
	}
	m, err := c.cache.Message(ctx, messageID)
	if errors.Is(err, cache.ErrNotFound) || (err == nil && m.ConversationID != conversationID) {
		return cache.OutboxItem{}, apierr.New(apierr.NotFound, "no such message in this conversation")
	}
	if err != nil {
		return cache.OutboxItem{}, err
	}
	if err := c.checkFreeForm(ctx, conversationID); err != nil {
		return cache.OutboxItem{}, err
	}
	preview := emoji
	if emoji == "" {
		preview = "Remove reaction"
	}
	return c.write(ctx, cache.KindReaction, conversationID, cache.ReactionWrite{MessageID: messageID, Emoji: emoji}, preview)
}

// write queues a write other than a message in the current session's
// outbox.
func (c *Console) write(ctx context.Context, k cache.WriteKind, convID int64, payload any, preview string) (cache.OutboxItem, error) {
	s, err := c.current()
	if err != nil {
		return cache.OutboxItem{}, err
	}
	return s.outbox.EnqueueWrite(ctx, k, convID, payload, preview)
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
