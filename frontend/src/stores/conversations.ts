import { toAppError, type AppError } from '../lib/errors';
import { EVENTS, on } from '../lib/events';
import { go } from '../lib/go';
import { createStore } from '../lib/store';
import type { Contact, Conversation, ConversationPatch, ConversationStatus, InboxTab, SearchResults, TabCounts } from '../lib/types';
import { myId } from './session';

/**
 * Rows per page read from the local cache. 100 rows are several screens
 * (the list prefetches 20 rows before the end), and a smaller page keeps the
 * Go side's JSON answer, and so its heap peak, small: 200 cost ~3.5 MB more
 * resident memory in the app process (make bench).
 */
export const INBOX_PAGE = 100;

/** The inbox: the open tab and filter, its loaded rows, tab counts, the selection and search. */
export interface ConversationsState {
  tab: InboxTab;
  status: ConversationStatus | '';
  rows: Conversation[];
  cursor: string;
  hasMore: boolean;
  loading: boolean;
  loadingMore: boolean;
  error: AppError | null;
  counts: TabCounts;
  selectedId: number | null;
  /** The selected conversation, kept even when it leaves the list (closed, reassigned). */
  selected: Conversation | null;
  query: string;
  search: SearchResults | null;
  searching: boolean;
  searchError: AppError | null;
  /** An action (assign, status, snooze) failed. */
  actionError: AppError | null;
  /** The open conversation left this agent's view (assigned to someone else). */
  selectedHidden: boolean;
}

const zeroCounts: TabCounts = {
  mine: { total: 0, unanswered: 0 },
  unassigned: { total: 0, unanswered: 0 },
  all: { total: 0, unanswered: 0 },
};

export const initialConversationsState: ConversationsState = {
  tab: 'mine',
  status: 'open',
  rows: [],
  cursor: '',
  hasMore: false,
  loading: false,
  loadingMore: false,
  error: null,
  counts: zeroCounts,
  selectedId: null,
  selected: null,
  query: '',
  search: null,
  searching: false,
  searchError: null,
  actionError: null,
  selectedHidden: false,
};

export const conversationsStore = createStore<ConversationsState>(initialConversationsState);

/** Whether c belongs in the inbox view (tab, status) for user me. */
export function matchesView(c: Conversation, tab: InboxTab, status: ConversationStatus | '', me: number): boolean {
  if (status && c.status !== status) return false;
  if (tab === 'mine') return c.assignee_id === me && me !== 0;
  if (tab === 'unassigned') return !c.assignee_id;
  return true;
}

/** The cache's order: newest activity first, then higher id. */
export function compareRows(a: Conversation, b: Conversation): number {
  const ta = Date.parse(a.last_activity_at);
  const tb = Date.parse(b.last_activity_at);
  if (ta !== tb) return tb - ta;
  return b.id - a.id;
}

// Each load carries a generation so a slow answer for an old tab or filter
// never overwrites the rows of the one the agent switched to.
let generation = 0;

export async function loadInbox(): Promise<void> {
  const gen = ++generation;
  const { tab, status } = conversationsStore.get();
  conversationsStore.set((s) => ({ ...s, loading: true, error: null }));
  try {
    const page = await go.Inbox({ tab, status, cursor: '', limit: INBOX_PAGE });
    if (gen !== generation) return;
    conversationsStore.set((s) => ({
      ...s,
      rows: page.conversations ?? [],
      cursor: page.next_cursor,
      hasMore: page.has_more,
      loading: false,
    }));
  } catch (err) {
    if (gen !== generation) return;
    conversationsStore.set((s) => ({ ...s, loading: false, error: toAppError(err) }));
  }
  void loadCounts();
}

/** Loads the next page; does nothing while one is loading or when there is none. */
export async function loadMore(): Promise<void> {
  const s0 = conversationsStore.get();
  if (!s0.hasMore || s0.loadingMore || s0.loading) return;
  const gen = generation;
  conversationsStore.set((s) => ({ ...s, loadingMore: true }));
  try {
    const page = await go.Inbox({ tab: s0.tab, status: s0.status, cursor: s0.cursor, limit: INBOX_PAGE });
    if (gen !== generation) return;
    conversationsStore.set((s) => {
      const have = new Set(s.rows.map((r) => r.id));
      const fresh = (page.conversations ?? []).filter((c) => !have.has(c.id));
      return { ...s, rows: s.rows.concat(fresh), cursor: page.next_cursor, hasMore: page.has_more, loadingMore: false };
    });
  } catch (err) {
    if (gen !== generation) return;
    conversationsStore.set((s) => ({ ...s, loadingMore: false, error: toAppError(err) }));
  }
}

let countsTimer: ReturnType<typeof setTimeout> | undefined;

export async function loadCounts(): Promise<void> {
  try {
    const counts = await go.InboxCounts(conversationsStore.get().status);
    conversationsStore.set((s) => ({ ...s, counts }));
  } catch {
    // Counts are decoration; the rows are what matter.
  }
}

/** Coalesces count refreshes during an event burst into one query. */
export function scheduleCounts(delay = 250): void {
  if (countsTimer) return;
  countsTimer = setTimeout(() => {
    countsTimer = undefined;
    void loadCounts();
  }, delay);
}

export function setTab(tab: InboxTab): void {
  if (conversationsStore.get().tab === tab) return;
  conversationsStore.set((s) => ({ ...s, tab, rows: [], cursor: '', hasMore: false }));
  void loadInbox();
}

export function setStatusFilter(status: ConversationStatus | ''): void {
  if (conversationsStore.get().status === status) return;
  conversationsStore.set((s) => ({ ...s, status, rows: [], cursor: '', hasMore: false }));
  void loadInbox();
}

export function select(id: number | null): void {
  conversationsStore.set((s) => {
    if (id === null) return { ...s, selectedId: null, selected: null, selectedHidden: false };
    const c = s.rows.find((r) => r.id === id) ?? s.search?.conversations.find((r) => r.id === id) ?? null;
    return { ...s, selectedId: id, selected: c ?? (s.selected?.id === id ? s.selected : null), selectedHidden: s.selectedId === id ? s.selectedHidden : false };
  });
  if (id !== null && !conversationsStore.get().selected) {
    go.OpenConversation(id)
      .then((v) => conversationsStore.set((s) => (s.selectedId === id ? { ...s, selected: v.conversation } : s)))
      .catch(() => {});
  }
}

/** Selects the next (+1) or previous (-1) row of the list. */
export function selectRelative(delta: 1 | -1): void {
  const s = conversationsStore.get();
  const list = s.query && s.search ? s.search.conversations : s.rows;
  if (list.length === 0) return;
  const i = list.findIndex((r) => r.id === s.selectedId);
  const next = i < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + delta));
  const target = list[next];
  if (target) select(target.id);
  if (!s.query && next >= list.length - 5) void loadMore();
}

/** Applies a conversation.updated event: update in place, move, insert or drop. */
export function applyConversation(c: Conversation): void {
  const me = myId();
  conversationsStore.set((s) => {
    const rows = s.rows.filter((r) => r.id !== c.id);
    const had = rows.length !== s.rows.length;
    if (matchesView(c, s.tab, s.status, me)) {
      // Insert in order, unless it sorts below the loaded page while more
      // pages exist: paging will bring it then.
      const at = rows.findIndex((r) => compareRows(c, r) < 0);
      if (at >= 0) rows.splice(at, 0, c);
      else if (!s.hasMore) rows.push(c);
    } else if (!had) {
      return s.selected?.id === c.id ? { ...s, selected: c } : s;
    }
    const search = s.search
      ? { ...s.search, conversations: s.search.conversations.map((r) => (r.id === c.id ? c : r)) }
      : s.search;
    return { ...s, rows, search, selected: s.selectedId === c.id ? c : s.selected };
  });
  scheduleCounts();
}

/**
 * Applies conversation.removed. A conversation assigned away from the
 * agent ("hidden") stays open with a notice, so the agent is not yanked out
 * of what they were reading; a deleted one closes.
 */
export function removeConversation(id: number, reason: 'deleted' | 'hidden' | string = 'deleted'): void {
  conversationsStore.set((s) => {
    const open = s.selectedId === id;
    const keep = open && reason === 'hidden';
    return {
      ...s,
      rows: s.rows.filter((r) => r.id !== id),
      selectedId: open && !keep ? null : s.selectedId,
      selected: open && !keep ? null : s.selected,
      selectedHidden: keep ? true : s.selectedHidden,
    };
  });
  scheduleCounts();
}

let searchGen = 0;

/** Searches the local cache; an empty query returns to the inbox. */
export async function search(query: string): Promise<void> {
  const gen = ++searchGen;
  conversationsStore.set((s) => ({ ...s, query, searching: query.trim() !== '', searchError: null, ...(query.trim() ? {} : { search: null }) }));
  if (!query.trim()) return;
  try {
    const res = await go.Search(query, 50);
    if (gen !== searchGen) return;
    conversationsStore.set((s) => ({ ...s, search: res, searching: false }));
  } catch (err) {
    if (gen !== searchGen) return;
    conversationsStore.set((s) => ({ ...s, searching: false, searchError: toAppError(err) }));
  }
}

/** Changes a conversation (assign, status, snooze); the event that follows updates the rows. */
export async function updateConversation(id: number, patch: ConversationPatch): Promise<boolean> {
  conversationsStore.set((s) => ({ ...s, actionError: null }));
  try {
    const c = await go.UpdateConversation(id, patch);
    if (c && typeof c === 'object' && 'id' in c) applyConversation(c);
    return true;
  } catch (err) {
    conversationsStore.set((s) => ({ ...s, actionError: toAppError(err) }));
    return false;
  }
}

export function clearActionError(): void {
  conversationsStore.set((s) => ({ ...s, actionError: null }));
}

export function listenConversations(): () => void {
  const offs = [
    on(EVENTS.conversationUpdated, applyConversation),
    on(EVENTS.contactUpdated, applyContact),
    on(EVENTS.conversationRemoved, (r) => removeConversation(r.conversation_id, r.reason)),
  ];
  return () => offs.forEach((off) => off());
}

/** Applies a contact.updated event to every row showing that contact (name, opt-out). */
export function applyContact(contact: Contact): void {
  conversationsStore.set((s) => {
    const patch = (c: Conversation) => (c.contact.id === contact.id ? { ...c, contact } : c);
    if (!s.rows.some((r) => r.contact.id === contact.id) && s.selected?.contact.id !== contact.id) return s;
    return { ...s, rows: s.rows.map(patch), selected: s.selected ? patch(s.selected) : s.selected };
  });
}
