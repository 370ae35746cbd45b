package app

// Event names sent to the frontend. They are namespaced like the hub's
// stream events (message.created, conversation.updated, …) so the frontend
// subscribes to one vocabulary whether an event came from the hub or the
// shell. frontend/src/lib/events.ts mirrors this list.
const (
	// EventPinged is emitted after every Ping with the Pong as payload; the
	// shell's diagnostics panel uses it to prove Go→JS events work.
	EventPinged = "app.pinged"
)
