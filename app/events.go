package app

// Event names sent to the frontend. They are namespaced like the hub's
// stream events (message.created, conversation.updated, …) so the frontend
// subscribes to one vocabulary whether an event came from the hub or the
// shell. frontend/src/lib/events.ts mirrors this list.
const (
	// EventPinged is emitted after every Ping with the Pong as payload; the
	// shell's diagnostics panel uses it to prove Go→JS events work.
	EventPinged = "app.pinged"

	// The console's events (backend/desktop and its syncer and outbox
	// packages emit them; console_test.go checks the names agree).
	//
	// The hub's own events, with the changed object exactly as the hub
	// sent it (backend/domain types) as payload, emitted after the change
	// is in the local cache:
	EventMessageCreated      = "message.created"      // domain.Message
	EventMessageUpdated      = "message.updated"      // domain.Message (status, reactions)
	EventConversationUpdated = "conversation.updated" // domain.Conversation
	EventContactUpdated      = "contact.updated"      // domain.Contact
	EventTemplateUpdated     = "template.updated"     // domain.Template
	EventCountersUpdated     = "counters.updated"     // domain.Counters
	EventNoteCreated         = "note.created"         // domain.Note
	// EventConversationRemoved carries syncer.Removed {conversation_id,
	// reason: "deleted" | "hidden"}: the conversation left the cache.
	EventConversationRemoved = "conversation.removed"
	// EventCacheReset carries syncer.Reset {reason: "snapshot" | "replay",
	// events}: too much changed to announce one by one; reload the views.
	EventCacheReset = "cache.reset"
	// EventSyncState carries syncer.Status {state: online | offline |
	// syncing | signed_out | stopped, seq, error, retry_at, since}.
	EventSyncState = "sync.state"
	// EventOutboxUpdated carries outbox.Update {conversation_id, items,
	// pending, sent}: a conversation's unsent messages changed.
	EventOutboxUpdated = "outbox.updated"
	// EventSessionUpdated carries desktop.Status: signed in or out, or
	// switched hubs.
	EventSessionUpdated = "session.updated"
)
