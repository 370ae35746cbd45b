import { api, hasMethod } from '../lib/api';
import { EVENTS, hasRuntime, onEvent } from '../lib/events';
import type { CacheReset, Message } from '../lib/types';
import { listenConversations, loadInbox, conversationsStore } from './conversations';
import { countersStore, listenCounters, loadCounters, windowTitle } from './counters';
import { listenMessages, reloadThreads } from './messages';
import { listenSession, loadSession, loadUsers, sessionStore } from './session';
import { listenTemplates, loadTemplates } from './templates';
import { setView, uiStore } from './ui';

/**
 * Starts the console: loads what the cache holds and follows Go's events.
 * Returns the function that stops it. Every store can also be driven alone
 * (tests), this only wires them together.
 */
export function startConsole(): () => void {
  const offs = [
    listenSession(),
    listenConversations(),
    listenMessages(notifyInbound),
    listenTemplates(),
    listenCounters(),
    countersStore.subscribe(() => setTitle(countersStore.get().total)),
    // A snapshot or a long replay is announced once: read everything again.
    onEvent<CacheReset>(EVENTS.cacheReset, () => {
      void reloadAll();
      reloadThreads(conversationsStore.get().selectedId);
    }),
  ];
  let lastUser = sessionStore.get().session?.user?.id ?? 0;
  // Signing in as someone else (Settings) changes "Mine" and the directory.
  offs.push(
    sessionStore.subscribe(() => {
      const id = sessionStore.get().session?.user?.id ?? 0;
      if (id !== lastUser) {
        lastUser = id;
        void reloadAll();
      }
    }),
  );
  void loadSession().then(() => {
    const err = sessionStore.get().error;
    // A build without the console backend (the bare shell) can only show
    // its diagnostics.
    if (err?.code === 'UNAVAILABLE' && uiStore.get().view === 'inbox') setView('system');
    lastUser = sessionStore.get().session?.user?.id ?? 0;
    return reloadAll();
  });
  return () => offs.forEach((off) => off());
}

async function reloadAll(): Promise<void> {
  await Promise.all([loadInbox(), loadTemplates(), loadCounters(), loadUsers()]);
}

function setTitle(total: number): void {
  const title = windowTitle(total);
  if (document.title !== title) document.title = title;
  const rt = (window as { runtime?: { WindowSetTitle?: (t: string) => void } }).runtime;
  if (hasRuntime() && typeof rt?.WindowSetTitle === 'function') rt.WindowSetTitle(title);
}

/**
 * A desktop notification for a customer message, only when the window is
 * not focused: through Go's Notify when bound (a native notification),
 * else the page's Notification API.
 */
function notifyInbound(m: Message): void {
  if (typeof document !== 'undefined' && document.hasFocus() && !document.hidden) return;
  const conv =
    conversationsStore.get().rows.find((c) => c.id === m.conversation_id) ??
    (conversationsStore.get().selected?.id === m.conversation_id ? conversationsStore.get().selected : null);
  const title = conv?.contact.name || conv?.contact.phone || m.from || 'New message';
  const body = m.preview || 'New message';
  if (hasMethod('Notify')) {
    api.notify(title, body).catch(() => {});
    return;
  }
  if (typeof Notification === 'undefined') return;
  if (Notification.permission === 'granted') new Notification(title, { body });
  else if (Notification.permission === 'default') void Notification.requestPermission();
}
