import { EventsOn } from '../../wailsjs/runtime/runtime';
import type { EventName, EventPayloads } from './generated/events';

export { EVENTS, type EventName, type EventPayloads } from './generated/events';

/** The payload of event N, typed by the Go type app/events.go gives it. */
export type EventPayload<N extends EventName> = EventPayloads[N];

/** hasRuntime reports whether the Wails runtime is loaded (false in unit tests and a plain browser). */
export function hasRuntime(): boolean {
  return typeof window !== 'undefined' && typeof (window as { runtime?: unknown }).runtime === 'object';
}

/**
 * Subscribes to a Go event and returns the unsubscribe function. The name
 * is one of the generated EVENTS (app/events.go), so subscribing to a name
 * Go never emits does not compile, and the handler gets that event's
 * payload type. Outside Wails it does nothing, so components can subscribe
 * unconditionally.
 */
export function on<N extends EventName>(name: N, handler: (data: EventPayloads[N]) => void): () => void {
  if (!hasRuntime()) return () => {};
  return EventsOn(name, (data: EventPayloads[N]) => handler(data));
}
