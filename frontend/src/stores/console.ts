import { EVENTS, hasRuntime, on } from '../lib/events';
import { go, hasBridge } from '../lib/go';
import type { Message } from '../lib/types';
import { applyConversation, conversationsStore, listenConversations, loadCounts, loadInbox, setTab } from './conversations';
import { countersStore, listenCounters, loadCounters, windowTitle } from './counters';
import { listenMessages, onOpenedConversation, reloadThreads } from './messages';
import { listenNotices } from './notices';
import { listenSession, loadSession, loadUsers, sessionStore, setPending } from './session';
import { listenTemplates, loadTemplates } from './templates';
import { setView, uiStore } from './ui';

/**
 * Starts the console: loads what the cache holds and follows Go's events.
 * Returns the function that stops it. Every store can also be driven alone
 * (tests); this only wires them together.
 */
export function startConsole(): () => void {
  onOpenedConversation(applyConversation);
  const offs = [
    listenSession(),
    listenConversations(),
    listenMessages(notifyInbound, setPending),
    listenTemplates(),
    listenCounters(),
    listenNotices(),
    countersStore.subscribe(() => setTitle(countersStore.get().total)),
    // A snapshot or a long replay is announced once: read everything again.
    on(EVENTS.cacheReset, () => {
      void reloadAll();
      reloadThreads(conversationsStore.get().selectedId);
    }),
    followFocus(),
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
    return reloadAll().then(() => loadCounts()).then(pickFirstTab);
  });
  return () => offs.forEach((off) => off());
}

/**
 * Opens on Mine, unless nothing is assigned to the agent yet (a first run
 * on the sandbox): then on the conversations waiting for an owner, so the
 * first screen is a live inbox rather than an empty one.
 */
function pickFirstTab(): void {
  const s = conversationsStore.get();
  if (s.tab !== 'mine' || s.counts.mine.total > 0 || s.counts.all.total === 0) return;
  setTab(s.counts.unassigned.total > 0 ? 'unassigned' : 'all');
}

async function reloadAll(): Promise<void> {
  await Promise.all([loadInbox(), loadTemplates(), loadCounters(), loadUsers()]);
}

/**
 * The unanswered total in the title. Go sets the native window's title
 * itself; the page's title follows for the browser-served dev build.
 */
function setTitle(total: number): void {
  const title = windowTitle(total);
  if (document.title !== title) document.title = title;
  if (hasBridge()) return;
  const rt = (window as { runtime?: { WindowSetTitle?: (t: string) => void } }).runtime;
  if (hasRuntime() && typeof rt?.WindowSetTitle === 'function') rt.WindowSetTitle(title);
}

/** Tells Go whether the window has the focus: it notifies only when it has not. */
function followFocus(): () => void {
  const report = () => {
    if (hasBridge()) go.SetWindowFocused(document.hasFocus() && !document.hidden).catch(() => {});
  };
  window.addEventListener('focus', report);
  window.addEventListener('blur', report);
  document.addEventListener('visibilitychange', report);
  report();
  return () => {
    window.removeEventListener('focus', report);
    window.removeEventListener('blur', report);
    document.removeEventListener('visibilitychange', report);
  };
}

/**
 * A desktop notification for a customer message when the window is not
 * focused — only without Go, which raises them itself (once told the
 * focus by SetWindowFocused), through the page's Notification API.
 */
function notifyInbound(m: Message): void {
  if (hasBridge()) return;
  if (typeof document !== 'undefined' && document.hasFocus() && !document.hidden) return;
  if (typeof Notification === 'undefined') return;
  const s = conversationsStore.get();
  const conv = s.rows.find((c) => c.id === m.conversation_id) ?? (s.selected?.id === m.conversation_id ? s.selected : null);
  const title = conv?.contact.name || conv?.contact.phone || m.from || 'New message';
  const body = m.preview || 'New message';
  if (Notification.permission === 'granted') new Notification(title, { body });
  else if (Notification.permission === 'default') void Notification.requestPermission();
}
