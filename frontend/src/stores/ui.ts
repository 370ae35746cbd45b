import { createStore } from '../lib/store';
import type { Message } from '../lib/types';

export type View = 'inbox' | 'supervisor' | 'settings' | 'system';
export type ComposerMode = 'reply' | 'note';

/** What the console shows and where keyboard focus should go. */
export interface UiState {
  view: View;
  helpOpen: boolean;
  composerMode: ComposerMode;
  /** Bumped to ask the composer to take focus (r, n shortcuts). */
  focusComposer: number;
  /** Bumped to ask the search box to take focus (/ shortcut). */
  focusSearch: number;
  /** The message the agent is replying to (quoted reply). */
  replyTo: Message | null;
  /** A message to bring into view and highlight (a search hit). */
  focusMessage: { conversationId: number; messageId: number } | null;
}

const VIEWS: View[] = ['inbox', 'supervisor', 'settings', 'system'];

/** The view named by the page's #hash (e.g. #system), else the inbox. */
export function viewFromHash(hash: string): View {
  const v = hash.replace(/^#\/?/, '') as View;
  return VIEWS.includes(v) ? v : 'inbox';
}

export const initialUiState: UiState = {
  view: typeof location === 'undefined' ? 'inbox' : viewFromHash(location.hash),
  helpOpen: false,
  composerMode: 'reply',
  focusComposer: 0,
  focusSearch: 0,
  replyTo: null,
  focusMessage: null,
};

export const uiStore = createStore<UiState>(initialUiState);

export function setView(view: View): void {
  uiStore.set((s) => ({ ...s, view }));
}

export function setHelp(open: boolean): void {
  uiStore.set((s) => ({ ...s, helpOpen: open }));
}

export function focusComposer(mode: ComposerMode): void {
  uiStore.set((s) => ({ ...s, view: 'inbox', composerMode: mode, focusComposer: s.focusComposer + 1 }));
}

export function setComposerMode(mode: ComposerMode): void {
  uiStore.set((s) => ({ ...s, composerMode: mode }));
}

export function focusSearch(): void {
  uiStore.set((s) => ({ ...s, view: 'inbox', focusSearch: s.focusSearch + 1 }));
}

/** Asks the chat to show a message (search hits). */
export function showMessage(conversationId: number, messageId: number): void {
  uiStore.set((s) => ({ ...s, focusMessage: { conversationId, messageId } }));
}

export function clearFocusMessage(): void {
  uiStore.set((s) => (s.focusMessage ? { ...s, focusMessage: null } : s));
}

export function setReplyTo(m: Message | null): void {
  uiStore.set((s) => ({ ...s, replyTo: m, composerMode: 'reply', focusComposer: s.focusComposer + (m ? 1 : 0) }));
}

// ---- Quick replies (canned responses), kept on this machine ----

export interface QuickReply {
  shortcut: string;
  text: string;
}

const QUICK_KEY = 'switchboard.quickReplies';

export const DEFAULT_QUICK_REPLIES: QuickReply[] = [
  { shortcut: 'hi', text: 'Hi! Thanks for reaching out. How can I help you today?' },
  { shortcut: 'wait', text: 'Thanks for your patience — I’m checking this for you now.' },
  { shortcut: 'order', text: 'Could you share your order number so I can look it up?' },
  { shortcut: 'hours', text: 'Our team is available Monday to Friday, 9:00–18:00.' },
  { shortcut: 'thanks', text: 'Glad I could help! Is there anything else I can do for you?' },
  { shortcut: 'bye', text: 'Thanks for contacting us. Have a great day!' },
];

export function loadQuickReplies(): QuickReply[] {
  try {
    const raw = localStorage.getItem(QUICK_KEY);
    if (raw) {
      const list = JSON.parse(raw) as QuickReply[];
      if (Array.isArray(list)) return list.filter((q) => q && typeof q.shortcut === 'string' && typeof q.text === 'string');
    }
  } catch {
    // A corrupt entry falls back to the defaults.
  }
  return DEFAULT_QUICK_REPLIES;
}

export function saveQuickReplies(list: QuickReply[]): void {
  try {
    localStorage.setItem(QUICK_KEY, JSON.stringify(list));
  } catch {
    // Storage full or disabled: the list lasts this session only.
  }
}
