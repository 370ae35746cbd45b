import { EventsOn } from '../../wailsjs/runtime/runtime';

/**
 * Event names Go sends to the frontend (app/events.go). A Go test
 * (app/mirror_test.go) checks every Event* constant appears here. The
 * domain events carry backend/domain's types (lib/types.ts) as payload.
 */
export const EVENTS = {
  pinged: 'app.pinged',
  messageCreated: 'message.created',
  messageUpdated: 'message.updated',
  conversationUpdated: 'conversation.updated',
  conversationDeleted: 'conversation.deleted',
  contactUpdated: 'contact.updated',
  templateUpdated: 'template.updated',
  countersUpdated: 'counters.updated',
  noteCreated: 'note.created',
  syncState: 'sync.state',
  outboxUpdated: 'outbox.updated',
  sessionChanged: 'session.changed',
  sessionUpdated: 'session.updated',
  clockChanged: 'clock.changed',
  cacheReset: 'cache.reset',
  conversationRemoved: 'conversation.removed',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** hasRuntime reports whether the Wails runtime is loaded (false in unit tests and a plain browser). */
export function hasRuntime(): boolean {
  return typeof window !== 'undefined' && typeof (window as { runtime?: unknown }).runtime === 'object';
}

/**
 * Subscribes to a Go event and returns the unsubscribe function. Outside
 * Wails it does nothing, so components can subscribe unconditionally.
 */
export function onEvent<T>(name: EventName, handler: (data: T) => void): () => void {
  if (!hasRuntime()) return () => {};
  return EventsOn(name, (data: T) => handler(data));
}
