package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"switchboard/backend/apierr"
	"switchboard/backend/desktop"
	"switchboard/backend/desktop/cache"
	"switchboard/backend/desktop/democlient"
	"switchboard/backend/domain"
	"switchboard/backend/whatsapp"
	"switchboard/backend/wire"
)

// ConsoleOptions configure the agent console (backend/desktop) behind the
// facade. Without a DataDir there is no console and its bound methods
// answer UNAVAILABLE, which is what the shell's own tests want.
type ConsoleOptions struct {
	// DataDir holds the cache (cache.db, 0600: it keeps the hub token),
	// downloaded media and the demo hub's database.
	DataDir string
	// DemoHub starts the demo hub (the hub with the WhatsApp sandbox)
	// when no hub is configured; nil disables it.
	DemoHub desktop.StartDemoHub
	// DevControls enables the sandbox controls (Sandbox* methods).
	DevControls bool
}

// DefaultConsole is the console main.go runs: data in
// $SWITCHBOARD_DATA_DIR or the user's config folder (~/.config/switchboard),
// the demo hub as the first-run hub (switchboard-hub --demo in a child
// process, found by democlient.Locate; customers writing every
// $SWITCHBOARD_SANDBOX_RATE per second, default 0.1; 0 for none), and the
// sandbox controls in dev builds or with SWITCHBOARD_DEV_CONTROLS=1
// (SWITCHBOARD_SANDBOX_OFFLINE=1 then starts with the hub out of reach).
func DefaultConsole(buildType string) ConsoleOptions {
	dir := os.Getenv("SWITCHBOARD_DATA_DIR")
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "switchboard")
	}
	demo := democlient.Options{}
	if v, err := strconv.ParseFloat(os.Getenv("SWITCHBOARD_SANDBOX_RATE"), 64); err == nil {
		demo.TrafficRate = v
		if v == 0 {
			demo.TrafficRate = -1
		}
	}
	dev := buildType == "dev" || os.Getenv("SWITCHBOARD_DEV_CONTROLS") == "1"
	start := democlient.Spawn(demo)
	if dev && os.Getenv("SWITCHBOARD_SANDBOX_OFFLINE") == "1" {
		start = startsOffline(start)
	}
	return ConsoleOptions{DataDir: dir, DemoHub: start, DevControls: dev}
}

// startsOffline starts the demo hub with the console's link to it cut, as
// if the network were down (dev controls with SWITCHBOARD_SANDBOX_OFFLINE=1:
// the browser tests restart the console while it is still offline). The
// sandbox controls' SandboxSetHubOnline(true) restores the link.
func startsOffline(start desktop.StartDemoHub) desktop.StartDemoHub {
	return func(ctx context.Context, dir string, log *slog.Logger) (desktop.DemoHub, error) {
		h, err := start(ctx, dir, log)
		if err == nil {
			h.Sandbox().SetHubOnline(false)
		}
		return h, err
	}
}

// consoleSlot holds the console from Startup to Shutdown.
type consoleSlot struct {
	mu  sync.Mutex
	c   *desktop.Console
	err error
}

// startConsole opens the console and resumes its session in the
// background (starting the demo hub can take a moment; the frontend
// hears session.updated when it is signed in).
func (a *App) startConsole() {
	o := a.opts.Console
	if o.DataDir == "" {
		return
	}
	con, err := desktop.Open(a.ctx, desktop.Options{
		DataDir: o.DataDir, Emit: a.emitter(), Window: windowOf{&a.events}, Log: a.log.With("component", "console"),
		AppName: AppName, StartDemoHub: o.DemoHub, DevControls: o.DevControls,
	})
	a.console.mu.Lock()
	a.console.c, a.console.err = con, err
	a.console.mu.Unlock()
	if err != nil {
		a.log.Error("the console's cache could not be opened", "dir", o.DataDir, "err", err)
		return
	}
	go func() {
		if err := con.Start(a.ctx); err != nil {
			a.log.Warn("the console could not resume its session", "err", err)
		}
	}()
}

func (a *App) stopConsole() {
	a.console.mu.Lock()
	con := a.console.c
	a.console.c = nil
	a.console.mu.Unlock()
	if con != nil {
		if err := con.Close(); err != nil {
			a.log.Warn("closing the console", "err", err)
		}
	}
}

// con is the console, or UNAVAILABLE.
func (a *App) con() (*desktop.Console, error) {
	a.console.mu.Lock()
	defer a.console.mu.Unlock()
	if a.console.c == nil {
		if a.console.err != nil {
			return nil, apierr.Wrap(a.console.err, apierr.Unavailable, "the console's local data could not be opened")
		}
		return nil, apierr.New(apierr.Unavailable, "the console is not running")
	}
	return a.console.c, nil
}

// windowOf gives the console the window's title and notifications
// through the Platform.
type windowOf struct{ s *platformSlot }

func (w windowOf) SetTitle(title string) {
	if p := w.s.get(); p != nil {
		p.SetTitle(title)
	}
}

func (w windowOf) Notify(title, body string) error {
	if p := w.s.get(); p != nil {
		return p.Notify(title, body)
	}
	return nil
}

// call runs fn on the console with the facade's lifetime context.
func call[T any](a *App, fn func(*desktop.Console, context.Context) (T, error)) (T, error) {
	con, err := a.con()
	if err != nil {
		var zero T
		return zero, err
	}
	return fn(con, a.lifetime())
}

// --- Session and sync --------------------------------------------------------
//
// The bound methods carry the names and parameters of backend/desktop's
// Console methods, so the frontend (go.Name(…) from frontend/src/lib/go.ts)
// reads one API.

// Status is who the console is signed in as, to which hub, how the sync
// stands and how many messages wait in the outbox. It never carries the
// token.
func (a *App) Status() (desktop.Status, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.Status, error) { return c.Status(ctx) })
}

// SignIn signs in to a real hub with an agent's e-mail and password.
func (a *App) SignIn(hubURL, email, password string) (desktop.Status, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.Status, error) {
		return c.SignIn(ctx, hubURL, email, password)
	})
}

// SignInWithToken signs in to a real hub with an API token.
func (a *App) SignInWithToken(hubURL, token string) (desktop.Status, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.Status, error) {
		return c.SignInWithToken(ctx, hubURL, token)
	})
}

// UseDemoHub switches to the demo hub with simulated customers, starting
// it if needed.
func (a *App) UseDemoHub() (desktop.Status, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.Status, error) { return c.UseDemoHub(ctx) })
}

// SignOut signs out and empties the local cache.
func (a *App) SignOut() (desktop.Status, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.Status, error) { return c.SignOut(ctx) })
}

// SyncState is the sync engine's state and the number of unsent messages.
func (a *App) SyncState() (desktop.SyncState, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.SyncState, error) { return c.SyncState(ctx) })
}

// Reconnect retries the hub now instead of waiting for the backoff.
func (a *App) Reconnect() (desktop.Status, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.Status, error) { return c.Reconnect(ctx) })
}

// --- Inbox and reading -----------------------------------------------------------

// Inbox is one page of an inbox tab (mine, unassigned, all), newest
// activity first, from the local cache.
func (a *App) Inbox(q cache.InboxQuery) (cache.InboxPage, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.InboxPage, error) { return c.Inbox(ctx, q) })
}

// InboxCounts are each tab's total and unanswered counts under a status
// filter ("" for any).
func (a *App) InboxCounts(status string) (cache.TabCounts, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.TabCounts, error) {
		return c.InboxCounts(ctx, domain.ConversationStatus(status))
	})
}

// Search finds conversations by contact name or number and messages by
// their words, in the local cache.
func (a *App) Search(query string, limit int) (cache.SearchResults, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.SearchResults, error) {
		return c.Search(ctx, query, limit)
	})
}

// Conversation is one cached conversation.
func (a *App) Conversation(id int64) (domain.Conversation, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (domain.Conversation, error) {
		return c.Conversation(ctx, id)
	})
}

// OpenConversation is a conversation with its latest messages, its unsent
// messages and draft, and whether the 24-hour window is open.
func (a *App) OpenConversation(id int64) (desktop.ConversationView, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.ConversationView, error) {
		return c.OpenConversation(ctx, id)
	})
}

// Messages is a page of a conversation's messages before cursor (the
// latest page for ""), oldest first, with the notes of that stretch.
func (a *App) Messages(conversationID int64, cursor string, limit int) (cache.MessagePage, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.MessagePage, error) {
		return c.Messages(ctx, conversationID, cursor, limit)
	})
}

// OlderMessages is the page before cursor (from OpenConversation or the
// previous page), fetched from the hub when the cache lacks it.
func (a *App) OlderMessages(conversationID int64, cursor string) (cache.MessagePage, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.MessagePage, error) {
		return c.OlderMessages(ctx, conversationID, cursor)
	})
}

// Contact is one cached contact.
func (a *App) Contact(id int64) (domain.Contact, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (domain.Contact, error) { return c.Contact(ctx, id) })
}

// Counters are the hub's unanswered counters.
func (a *App) Counters() (domain.Counters, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (domain.Counters, error) { return c.Counters(ctx) })
}

// Users are the agents and supervisors (for assigning).
func (a *App) Users() ([]domain.User, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) ([]domain.User, error) { return c.Users(ctx) })
}

// Accounts are the hub's WhatsApp numbers.
func (a *App) Accounts() ([]domain.Account, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) ([]domain.Account, error) { return c.Accounts(ctx) })
}

// Templates are the message templates (every status; send approved ones).
func (a *App) Templates() ([]domain.Template, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) ([]domain.Template, error) { return c.Templates(ctx) })
}

// TemplateForm describes a template filled with variables: the fields to
// ask for, the preview the customer will see, what is missing.
func (a *App) TemplateForm(name, language string, variables map[string]string) (desktop.TemplateForm, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.TemplateForm, error) {
		return c.TemplateForm(ctx, name, language, variables)
	})
}

// CheckTemplateDraft checks one language of a template draft (Meta's
// template definition) against Meta's rules, locally: no hub, no
// sign-in needed. Each finding names its field (a JSON path).
func (a *App) CheckTemplateDraft(def whatsapp.Template) (wire.TemplateValidation, error) {
	return desktop.CheckTemplateDraft(def), nil
}

// TemplateStudioInfo is the template studio's reference: Meta's rules with
// their sources, the supported languages and the limits.
func (a *App) TemplateStudioInfo() (desktop.TemplateStudioInfo, error) {
	return desktop.StudioInfo(), nil
}

// Outbox lists every unsent message, oldest first (a conversation's own
// are in OpenConversation's pending and in outbox.updated).
func (a *App) Outbox() ([]cache.OutboxItem, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) ([]cache.OutboxItem, error) { return c.Outbox(ctx) })
}

// Drafts lists every saved draft.
func (a *App) Drafts() ([]cache.Draft, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) ([]cache.Draft, error) { return c.Drafts(ctx) })
}

// Draft is a conversation's saved draft.
func (a *App) Draft(conversationID int64) (cache.Draft, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.Draft, error) {
		return c.Draft(ctx, conversationID)
	})
}

// SaveDraft stores the composer's text (empty deletes it).
func (a *App) SaveDraft(conversationID int64, body string) (cache.Draft, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.Draft, error) {
		return c.SaveDraft(ctx, conversationID, body)
	})
}

// --- Sending -------------------------------------------------------------------------

// SendText queues a text reply (replyTo: the quoted message's id, or
// null). It works offline: the message waits in the outbox, shown as
// pending, and is sent exactly once when the hub is reachable.
func (a *App) SendText(conversationID int64, body string, replyTo *int64) (cache.OutboxItem, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.OutboxItem, error) {
		if replyTo != nil && *replyTo <= 0 {
			replyTo = nil
		}
		return c.SendText(ctx, conversationID, body, replyTo)
	})
}

// SendMessage queues any other free-form message: media by link, a
// location, contacts, interactive buttons or a reaction.
func (a *App) SendMessage(conversationID int64, in desktop.SendInput) (cache.OutboxItem, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.OutboxItem, error) {
		return c.SendMessage(ctx, conversationID, in)
	})
}

// SendMedia sends a file from this computer (data is base64) as an image,
// video, audio, document or sticker, by its type. Like SendText it works
// offline: the file waits in the outbox and is uploaded, then sent, once.
func (a *App) SendMedia(conversationID int64, media desktop.MediaUpload) (cache.OutboxItem, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.OutboxItem, error) {
		return c.SendMedia(ctx, conversationID, media)
	})
}

// SendTemplate queues an approved template with its variables (keys as
// TemplateForm's fields say); allowed when the 24-hour window is closed.
func (a *App) SendTemplate(conversationID int64, name, language string, variables map[string]string) (cache.OutboxItem, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.OutboxItem, error) {
		return c.SendTemplate(ctx, conversationID, name, language, variables)
	})
}

// RetryOutbox puts a failed message back in the queue.
func (a *App) RetryOutbox(key string) (cache.OutboxItem, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.OutboxItem, error) {
		return c.RetryOutbox(ctx, key)
	})
}

// DiscardOutbox deletes an unsent message that is not being sent now.
func (a *App) DiscardOutbox(key string) error {
	_, err := call(a, func(c *desktop.Console, ctx context.Context) (struct{}, error) {
		return struct{}{}, c.DiscardOutbox(ctx, key)
	})
	return err
}

// --- Conversation actions (through the outbox, so offline too) -------------------

// UpdateConversation assigns ("assignee_id": id, or null to unassign),
// moves to a team, changes status or snoozes ("status": "snoozed" with
// "snoozed_until"). It shows at once, pending, and reaches the hub when it
// can.
func (a *App) UpdateConversation(conversationID int64, patch wire.ConversationPatch) (domain.Conversation, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (domain.Conversation, error) {
		return c.UpdateConversation(ctx, conversationID, patch)
	})
}

// AddNote adds an internal note; it shows at once as a pending write.
func (a *App) AddNote(conversationID int64, body string) (cache.OutboxItem, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.OutboxItem, error) {
		return c.AddNote(ctx, conversationID, body)
	})
}

// React reacts to a message with an emoji ("" removes the agent's
// reaction); it shows at once as a pending write.
func (a *App) React(conversationID, messageID int64, emoji string) (cache.OutboxItem, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (cache.OutboxItem, error) {
		return c.React(ctx, conversationID, messageID, emoji)
	})
}

// MarkRead marks the conversation's customer messages read (blue ticks).
func (a *App) MarkRead(conversationID int64) error {
	_, err := call(a, func(c *desktop.Console, ctx context.Context) (struct{}, error) {
		return struct{}{}, c.MarkRead(ctx, conversationID)
	})
	return err
}

// --- Media ------------------------------------------------------------------------------

// Media is a message's image, video, audio or sticker as a data: URL
// (kept on disk, so it shows offline once seen).
func (a *App) Media(mediaID string) (desktop.MediaFile, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.MediaFile, error) { return c.Media(ctx, mediaID) })
}

// MediaURL is an address the webview can stream media from directly.
func (a *App) MediaURL(mediaID string) (string, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (string, error) { return c.MediaURL(ctx, mediaID) })
}

// SaveMedia saves a document or other media to ~/Downloads and returns
// the path.
func (a *App) SaveMedia(mediaID, filename string) (string, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (string, error) {
		return c.SaveMedia(ctx, mediaID, filename)
	})
}

// --- The window -----------------------------------------------------------------------

// Notify shows a desktop notification.
func (a *App) Notify(title, body string) error {
	if p := a.events.get(); p != nil {
		if err := p.Notify(title, body); err != nil {
			return apierr.Wrap(err, apierr.Unavailable, "the desktop has no notification service")
		}
	}
	return nil
}

// SetWindowFocused reports the window's focus (call it on focus and
// blur). The first call hands the window title and the new-message
// notifications to Go, which raises them only while the window is not
// focused.
func (a *App) SetWindowFocused(focused bool) error {
	con, err := a.con()
	if err != nil {
		return err
	}
	con.SetWindowFocused(focused)
	return nil
}

// --- Sandbox controls (dev builds, SWITCHBOARD_DEV_CONTROLS=1) ------------------------------

// SandboxAdvance moves the demo hub's sandbox clock (and the hub's)
// forward, e.g. 25 h to close the customer service window.
func (a *App) SandboxAdvance(seconds int64) (desktop.Clock, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.Clock, error) {
		return c.SandboxAdvance(ctx, seconds)
	})
}

// SandboxCustomerSays makes a simulated customer send a text; an unknown
// phone becomes a new customer called name.
func (a *App) SandboxCustomerSays(phone, name, text string) error {
	_, err := call(a, func(c *desktop.Console, ctx context.Context) (struct{}, error) {
		return struct{}{}, c.SandboxCustomerSays(ctx, phone, name, text)
	})
	return err
}

// SandboxSetTraffic sets the unprompted customer messages per second.
func (a *App) SandboxSetTraffic(perSecond float64) error {
	_, err := call(a, func(c *desktop.Console, ctx context.Context) (struct{}, error) {
		return struct{}{}, c.SandboxSetTraffic(ctx, perSecond)
	})
	return err
}

// SandboxCustomers lists the simulated customers.
func (a *App) SandboxCustomers() ([]desktop.SandboxCustomer, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) ([]desktop.SandboxCustomer, error) {
		return c.SandboxCustomers(ctx)
	})
}

// SandboxSetHubOnline cuts (false) or restores (true) the console's
// connection to the demo hub, as a network outage would.
func (a *App) SandboxSetHubOnline(online bool) (desktop.Status, error) {
	return call(a, func(c *desktop.Console, ctx context.Context) (desktop.Status, error) {
		return c.SandboxSetHubOnline(ctx, online)
	})
}
