import { EVENTS, on } from '../lib/events';
import { createStore } from '../lib/store';

/** A sentence for the agent: the hub answered one of their writes otherwise than expected. */
export interface Notice {
  id: number;
  conversationId: number;
  message: string;
}

export interface NoticesState {
  notices: Notice[];
}

export const noticesStore = createStore<NoticesState>({ notices: [] });

/** How many notices stay on screen; older ones give way. */
const KEEP = 4;
let nextId = 1;

export function addNotice(conversationId: number, message: string): void {
  const n = { id: nextId++, conversationId, message };
  noticesStore.set((s) => ({ notices: [...s.notices, n].slice(-KEEP) }));
}

export function dismissNotice(id: number): void {
  noticesStore.set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

/** Shows every outbox.reconciled as a notice until the agent dismisses it. */
export function listenNotices(): () => void {
  return on(EVENTS.outboxReconciled, (r) => {
    if (r && typeof r.message === 'string') addNotice(r.conversation_id, r.message);
  });
}

export function resetNotices(): void {
  noticesStore.set({ notices: [] });
}
