package desktop

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"switchboard/backend/desktop/remote"
	"switchboard/backend/domain"
)

// maxNotificationsPerBatch caps the notifications one burst of customer
// messages raises; the inbox shows the rest.
const maxNotificationsPerBatch = 3

// notifyQuiet is how long one conversation stays quiet after a
// notification, so a customer typing in bursts raises one.
const notifyQuiet = 30 * time.Second

// SetWindowFocused tells the console whether the window has the focus:
// new customer messages raise a desktop notification only when it has not.
// The first call also hands the window title ("(3) Switchboard") and the
// notifications to the console; until then the frontend owns them.
func (c *Console) SetWindowFocused(focused bool) {
	c.focused.Store(focused)
	if !c.windowed.Swap(true) {
		c.mu.Lock()
		s := c.sess
		c.mu.Unlock()
		if s != nil {
			c.refreshTitle(s)
		}
	}
}

// onApplied runs after every batch the sync applied.
func (c *Console) onApplied(s *session, events []domain.Event, live bool) {
	changed := len(events) == 0 // a snapshot
	for _, e := range events {
		if e.Type == domain.EventConversationUpdated || e.Type == domain.EventConversationDeleted || e.Type == remote.EventConversationHidden {
			changed = true
		}
	}
	if changed {
		c.refreshTitle(s)
	}
	if live && c.windowed.Load() && !c.focused.Load() {
		c.notify(s, events)
	}
}

// refreshTitle puts the unanswered total of everything the agent sees in
// the window title: "(3) Switchboard".
func (c *Console) refreshTitle(s *session) {
	counts, err := c.cache.InboxCounts(c.lifetime, s.user.ID, "")
	if err != nil {
		return
	}
	c.setTitle(counts.All.Unanswered)
}

func (c *Console) setTitle(unanswered int) {
	title := c.opts.AppName
	if unanswered > 0 {
		title = "(" + strconv.Itoa(unanswered) + ") " + title
	}
	c.titleMu.Lock()
	c.title = title
	send := c.opts.Window != nil && c.windowed.Load() && c.sentTitle != title
	if send {
		c.sentTitle = title
	}
	c.titleMu.Unlock()
	if send {
		c.opts.Window.SetTitle(title)
	}
}

// Title is the window title the console last set.
func (c *Console) Title() string {
	c.titleMu.Lock()
	defer c.titleMu.Unlock()
	return c.title
}

// notify raises a desktop notification for new customer messages in
// conversations that are the agent's or nobody's.
func (c *Console) notify(s *session, events []domain.Event) {
	if c.opts.Window == nil {
		return
	}
	shown := 0
	now := time.Now()
	for _, e := range events {
		if e.Type != domain.EventMessageCreated || shown == maxNotificationsPerBatch {
			continue
		}
		var m domain.Message
		if json.Unmarshal(e.Data, &m) != nil || m.Direction != domain.Inbound {
			continue
		}
		conv, err := c.cache.Conversation(context.Background(), m.ConversationID)
		if err != nil || (conv.AssigneeID != nil && *conv.AssigneeID != s.user.ID) {
			continue
		}
		c.titleMu.Lock()
		last, seen := c.notified[m.ConversationID]
		quiet := seen && now.Sub(last) < notifyQuiet
		if !quiet {
			c.notified[m.ConversationID] = now
		}
		c.titleMu.Unlock()
		if quiet {
			continue
		}
		who := conv.Contact.Name
		if who == "" {
			who = conv.Contact.Phone
		}
		if err := c.opts.Window.Notify(who, m.Preview); err != nil {
			c.log.Debug("notification not shown", "err", err)
		}
		shown++
	}
}
