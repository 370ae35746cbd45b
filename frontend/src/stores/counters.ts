import { EVENTS, on } from '../lib/events';
import { go } from '../lib/go';
import { createStore } from '../lib/store';
import type { Counters } from '../lib/types';

/** The hub's unanswered-conversation counters (the supervisor view and the window title). */
export const emptyCounters: Counters = { total: 0, unassigned: 0, by_agent: {}, by_team: {}, oldest_waiting_since: null };

export const countersStore = createStore<Counters>(emptyCounters);

export async function loadCounters(): Promise<void> {
  try {
    countersStore.set(normalise(await go.Counters()));
  } catch {
    // Keep the last known counters.
  }
}

function normalise(c: Counters): Counters {
  return { ...emptyCounters, ...c, by_agent: c.by_agent ?? {}, by_team: c.by_team ?? {} };
}

/** The window title for n unanswered conversations. */
export function windowTitle(n: number): string {
  return n > 0 ? `(${n}) Switchboard` : 'Switchboard';
}

export function listenCounters(): () => void {
  return on(EVENTS.countersUpdated, (c) => countersStore.set(normalise(c)));
}
