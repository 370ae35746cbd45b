import { freezeClock } from '../stores/clock';
import { conversationsStore, initialConversationsState } from '../stores/conversations';
import { countersStore, emptyCounters } from '../stores/counters';
import { resetMessages } from '../stores/messages';
import { initialSessionState, sessionStore } from '../stores/session';
import { initialSystemState, systemStore } from '../stores/system';
import { templatesStore } from '../stores/templates';
import { initialUiState, uiStore } from '../stores/ui';

/** Puts every store back to its initial state, so tests do not leak into each other. */
export function resetStores(now = Date.now()): void {
  conversationsStore.set(initialConversationsState);
  countersStore.set(emptyCounters);
  resetMessages();
  sessionStore.set(initialSessionState);
  systemStore.set(initialSystemState);
  templatesStore.set({ templates: [], loaded: false, error: null });
  uiStore.set({ ...initialUiState, view: 'inbox' });
  freezeClock(now);
}
