package app

import (
	"reflect"

	"switchboard/backend/desktop"
	"switchboard/backend/desktop/outbox"
	"switchboard/backend/desktop/syncer"
	"switchboard/backend/domain"
)

//go:generate go run ./internal/tsgen

// EventPinged is emitted after every Ping with the Pong as payload; the
// shell's diagnostics panel uses it to prove Go→JS events work. The other
// names are the constants of the packages that emit them.
const EventPinged = "app.pinged"

// Event is one entry of the table of events Go sends the frontend.
type Event struct {
	// Name is what the frontend subscribes to, namespaced like the hub's
	// stream events (message.created, conversation.updated, …).
	Name string
	// Payload is the Go type of the event's data; the frontend receives it
	// as JSON and types it with the TypeScript generated from this type.
	Payload reflect.Type
	// Doc says when the event is sent; it becomes the doc comment of the
	// generated TypeScript constant.
	Doc string
}

func event[T any](name, doc string) Event {
	return Event{Name: name, Payload: reflect.TypeFor[T](), Doc: doc}
}

// Events is the one table of the events Go sends the frontend: every name
// a Platform is asked to emit is here (events_test.go reads the Emit calls
// of app/ and backend/desktop/ to check it), and `go generate ./app`
// writes frontend/src/lib/generated/events.ts from it: the names as
// constants and each one's payload type, through which every subscription
// in the frontend goes, so the compiler refuses a name Go never emits.
var Events = []Event{
	event[Pong](EventPinged, "After every Ping: the diagnostics panel's proof that Go→JS events work."),

	// The hub's events, emitted once the change is in the local cache with
	// the changed object exactly as the hub sent it: the syncer forwards
	// the ones in syncer.Forwarded, and the console emits its own writes'
	// results at once (an accepted send, a note, a conversation change).
	event[domain.Message](domain.EventMessageCreated, "A message arrived, or one the agent sent was accepted by the hub."),
	event[domain.Message](domain.EventMessageUpdated, "A message's status or reactions changed."),
	event[domain.Conversation](domain.EventConversationUpdated, "A conversation changed: new activity, assignment, status, counters."),
	event[domain.Contact](domain.EventContactUpdated, "A contact's name, attributes or opt-out changed."),
	event[domain.Template](domain.EventTemplateUpdated, "A message template was created or its status or content changed."),
	event[domain.Counters](domain.EventCountersUpdated, "The unanswered counters changed."),
	event[domain.Note](domain.EventNoteCreated, "An internal note was added."),

	// The console's own events.
	event[syncer.Removed](syncer.EventConversationRemoved,
		`A conversation left the cache: deleted on the hub (reason "deleted"), or assigned away from this agent ("hidden").`),
	event[syncer.Reset](syncer.EventCacheReset,
		"Too much changed to announce one by one (a snapshot, a long replay): every view reloads."),
	event[syncer.Status](syncer.EventState, "The sync engine's connection state changed (online, offline, syncing, signed out)."),
	event[outbox.Update](outbox.EventUpdated, "A conversation's pending writes changed (messages, notes, changes, read marks, reactions): queued, failed, retried, sent or discarded."),
	event[outbox.Reconciled](outbox.EventReconciled, "The hub answered a pending write otherwise than the agent expected: the change was rolled back (or the note kept unsent); Message says so in words."),
	event[desktop.Status](desktop.EventSession, "The console signed in or out, or switched hubs."),
	event[desktop.Clock](desktop.EventClock, "The hub's clock moved relative to this machine's (the demo sandbox's clock was advanced)."),
}
