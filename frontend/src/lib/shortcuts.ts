import { useEffect } from 'react';

/** A keyboard shortcut as the help overlay lists it. */
export interface Shortcut {
  keys: string[];
  description: string;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ['j', 'Alt+↓'], description: 'Next conversation' },
  { keys: ['k', 'Alt+↑'], description: 'Previous conversation' },
  { keys: ['r'], description: 'Reply to the customer' },
  { keys: ['n'], description: 'Write an internal note' },
  { keys: ['a'], description: 'Assign the conversation to me' },
  { keys: ['e'], description: 'Close (resolve) the conversation' },
  { keys: ['/'], description: 'Search' },
  { keys: ['?'], description: 'Show this help' },
  { keys: ['Enter'], description: 'Send (in the composer)' },
  { keys: ['Shift+Enter'], description: 'New line (in the composer)' },
  { keys: ['Esc'], description: 'Leave the composer or close a dialog' },
];

export type ShortcutAction = 'next' | 'prev' | 'reply' | 'note' | 'assign' | 'close' | 'search' | 'help' | 'escape';

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/**
 * Maps a key press to an action. Single letters only act when the agent is
 * not typing; Alt+arrows work everywhere, so an agent can move on from the
 * composer without reaching for the mouse.
 */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'target'>): ShortcutAction | null {
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    if (e.key === 'ArrowDown') return 'next';
    if (e.key === 'ArrowUp') return 'prev';
    return null;
  }
  if (e.key === 'Escape') return 'escape';
  if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return null;
  switch (e.key) {
    case 'j':
      return 'next';
    case 'k':
      return 'prev';
    case 'r':
      return 'reply';
    case 'n':
      return 'note';
    case 'a':
      return 'assign';
    case 'e':
      return 'close';
    case '/':
      return 'search';
    case '?':
      return 'help';
  }
  return null;
}

/** Listens for shortcuts on the document while mounted. */
export function useShortcuts(handler: (action: ShortcutAction, e: KeyboardEvent) => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const action = shortcutFor(e);
      if (!action) return;
      handler(action, e);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [handler]);
}
