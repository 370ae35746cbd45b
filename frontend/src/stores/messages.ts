import { toAppError, type AppError } from '../lib/errors';
import { EVENTS, on } from '../lib/events';
import { go } from '../lib/go';
import { createStore } from '../lib/store';
import type { Conversation, MediaUpload, Message, Note, OutboxItem, SendInput, TemplateRequest } from '../lib/types';
import { statusRank } from '../lib/types';

/** One conversation's history as loaded so far. */
export interface Thread {
  conversationId: number;
  /** Oldest first. */
  messages: Message[];
  notes: Note[];
  /**
   * Writes the hub has not accepted yet, in send order: messages, notes,
   * conversation changes, read marks and reactions (OutboxItem.kind).
   */
  outbox: OutboxItem[];
  cursor: string;
  hasMore: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: AppError | null;
  sendError: AppError | null;
  /** The saved draft; undefined until loaded. */
  draft?: string;
  /** False when the customer cannot be messaged (opted out); reason says why. */
  canMessage: boolean;
  reason: string;
  /** Unread customer messages when the agent opened it (the divider). */
  unreadAtOpen: number;
}

export interface MessagesState {
  threads: Record<number, Thread>;
}

export const messagesStore = createStore<MessagesState>({ threads: {} });

/** How many threads stay in memory; the least recently opened go first. */
const KEEP_THREADS = 8;
let recent: number[] = [];

function emptyThread(conversationId: number): Thread {
  return {
    conversationId,
    messages: [],
    notes: [],
    outbox: [],
    cursor: '',
    hasMore: false,
    loading: true,
    loadingOlder: false,
    error: null,
    sendError: null,
    canMessage: true,
    reason: '',
    unreadAtOpen: 0,
  };
}

function patchThread(id: number, fn: (t: Thread) => Thread): void {
  messagesStore.set((s) => {
    const t = s.threads[id];
    if (!t) return s;
    const next = fn(t);
    return next === t ? s : { threads: { ...s.threads, [id]: next } };
  });
}

/** Message order: timestamp, then id (the cache's keyset order). */
export function compareMessages(a: Message, b: Message): number {
  const ta = Date.parse(a.timestamp);
  const tb = Date.parse(b.timestamp);
  return ta !== tb ? ta - tb : a.id - b.id;
}

/** Merges messages into a sorted list, replacing ones with the same id. */
export function mergeMessages(list: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return list;
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort(compareMessages);
}

// The conversation OpenConversation returned, for the inbox store (set by
// the console wiring; keeps this store free of the inbox's).
let onConversation: ((c: Conversation) => void) | undefined;
export function onOpenedConversation(fn: (c: Conversation) => void): void {
  onConversation = fn;
}

/** Opens a conversation: loads its newest page, unsent items and draft, and marks it read. */
export async function openThread(conversationId: number): Promise<void> {
  recent = [conversationId, ...recent.filter((id) => id !== conversationId)];
  const drop = recent.slice(KEEP_THREADS);
  recent = recent.slice(0, KEEP_THREADS);
  messagesStore.set((s) => {
    const threads = { ...s.threads };
    for (const id of drop) delete threads[id];
    const existing = threads[conversationId];
    threads[conversationId] = existing ? { ...existing, loading: true, error: null } : emptyThread(conversationId);
    return { threads };
  });
  try {
    const view = await go.OpenConversation(conversationId);
    const page = { messages: view.messages ?? [], notes: view.notes ?? [], cursor: view.cursor, has_more: view.has_more };
    const outbox = view.pending ?? [];
    if (view.conversation) onConversation?.(view.conversation);
    const oldest = page.messages[0];
    patchThread(conversationId, (t) => ({
      ...t,
      // Keep what events added while the page loaded, and nothing older
      // than the page (it would leave a gap above it).
      messages: mergeMessages(
        page.messages ?? [],
        t.messages.filter((m) => !oldest || !page.has_more || compareMessages(m, oldest) >= 0),
      ),
      notes: mergeNotes(page.notes ?? [], t.notes),
      outbox,
      cursor: page.cursor,
      hasMore: page.has_more,
      loading: false,
      draft: view.draft?.body ?? '',
      canMessage: view.can_message !== false,
      reason: view.reason ?? '',
      unreadAtOpen: view.conversation?.unread_count ?? 0,
    }));
  } catch (err) {
    patchThread(conversationId, (t) => ({ ...t, loading: false, error: toAppError(err) }));
  }
  go.MarkRead(conversationId).catch(() => {});
}

/** Marks a conversation's customer messages read (the customer sees blue ticks). */
export async function markRead(conversationId: number): Promise<void> {
  await go.MarkRead(conversationId).catch(() => {});
}

/** Loads the page before the oldest loaded message. */
export async function loadOlder(conversationId: number): Promise<void> {
  const t = messagesStore.get().threads[conversationId];
  if (!t || !t.hasMore || t.loadingOlder || t.loading) return;
  patchThread(conversationId, (x) => ({ ...x, loadingOlder: true }));
  try {
    const page = await go.OlderMessages(conversationId, t.cursor);
    patchThread(conversationId, (x) => ({
      ...x,
      messages: mergeMessages(x.messages, page.messages ?? []),
      notes: mergeNotes(x.notes, page.notes ?? []),
      cursor: page.cursor,
      hasMore: page.has_more,
      loadingOlder: false,
    }));
  } catch (err) {
    patchThread(conversationId, (x) => ({ ...x, loadingOlder: false, error: toAppError(err) }));
  }
}

function mergeNotes(a: Note[], b: Note[]): Note[] {
  const byId = new Map(a.map((n) => [n.id, n]));
  for (const n of b) byId.set(n.id, n);
  return [...byId.values()].sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at) || x.id - y.id);
}

/**
 * Applies message.created / message.updated. A status never moves backwards
 * here either, whatever order events arrive in.
 */
export function applyMessage(m: Message): void {
  patchThread(m.conversation_id, (t) => {
    const old = t.messages.find((x) => x.id === m.id);
    if (old && statusRank(m.status) < statusRank(old.status)) {
      m = { ...m, status: old.status, error: old.error };
    }
    // A message older than the loaded page belongs to a page not loaded yet.
    if (!old && t.hasMore && t.messages[0] && compareMessages(m, t.messages[0]) < 0) return t;
    return { ...t, messages: mergeMessages(t.messages, [m]) };
  });
}

export function applyNote(n: Note): void {
  patchThread(n.conversation_id, (t) => ({ ...t, notes: mergeNotes(t.notes, [n]) }));
}

/** Re-reads a conversation's outbox (after outbox.updated). */
export async function refreshOutbox(conversationId: number): Promise<void> {
  if (!messagesStore.get().threads[conversationId]) return;
  try {
    const all = await go.Outbox();
    setOutbox(conversationId, (all ?? []).filter((o) => o.conversation_id === conversationId));
  } catch {
    // Keep showing the last known outbox.
  }
}

// Counts outbox.updated snapshots per conversation. A send's answer can
// arrive after the snapshot that already shows its item sent (a fast hub):
// then the snapshot is newer and the answer must not bring the item back.
const outboxSnapshots = new Map<number, number>();

/** Replaces a conversation's outbox (outbox.updated carries the items). */
export function setOutbox(conversationId: number, items: OutboxItem[]): void {
  outboxSnapshots.set(conversationId, (outboxSnapshots.get(conversationId) ?? 0) + 1);
  patchThread(conversationId, (t) => ({ ...t, outbox: items }));
}

function addOutbox(conversationId: number, item: OutboxItem | null | undefined, snapshotBefore: number): void {
  if (!item || typeof item !== 'object' || !('key' in item)) return;
  const newer = (outboxSnapshots.get(conversationId) ?? 0) !== snapshotBefore;
  patchThread(conversationId, (t) =>
    t.outbox.some((o) => o.key === item.key)
      ? { ...t, sendError: null }
      : newer
        ? { ...t, sendError: null } // a newer snapshot has it gone: already sent
        : { ...t, outbox: [...t.outbox, item], sendError: null },
  );
}

async function send(conversationId: number, fn: () => Promise<OutboxItem>): Promise<boolean> {
  patchThread(conversationId, (t) => ({ ...t, sendError: null }));
  const before = outboxSnapshots.get(conversationId) ?? 0;
  try {
    addOutbox(conversationId, await fn(), before);
    return true;
  } catch (err) {
    patchThread(conversationId, (t) => ({ ...t, sendError: toAppError(err) }));
    return false;
  }
}

export function sendText(conversationId: number, body: string, replyTo = 0): Promise<boolean> {
  return send(conversationId, () => go.SendText(conversationId, body, replyTo || null));
}

export function sendMedia(conversationId: number, media: MediaUpload): Promise<boolean> {
  return send(conversationId, () => go.SendMedia(conversationId, media));
}

/** Sends media by link (SendMessage). */
export function sendMediaLink(conversationId: number, input: SendInput): Promise<boolean> {
  return send(conversationId, () => go.SendMessage(conversationId, input));
}

export function sendTemplate(conversationId: number, template: TemplateRequest): Promise<boolean> {
  return send(conversationId, () => go.SendTemplate(conversationId, template.name, template.language, template.variables ?? {}));
}

/** Adds an internal note through the outbox: it shows at once, pending, offline or not. */
export function addNote(conversationId: number, body: string): Promise<boolean> {
  return send(conversationId, () => go.AddNote(conversationId, body));
}

/**
 * Reacts to a message ('' removes the agent's reaction) through the outbox:
 * the reaction shows at once on the message, pending.
 */
export function react(conversationId: number, messageId: number, emoji: string): Promise<boolean> {
  return send(conversationId, () => go.React(conversationId, messageId, emoji));
}

export async function retryOutbox(conversationId: number, key: string): Promise<void> {
  try {
    const item = await go.RetryOutbox(key);
    patchThread(conversationId, (t) => ({ ...t, outbox: t.outbox.map((o) => (o.key === key ? item : o)) }));
  } catch (err) {
    patchThread(conversationId, (t) => ({ ...t, sendError: toAppError(err) }));
  }
}

export async function discardOutbox(conversationId: number, key: string): Promise<void> {
  try {
    await go.DiscardOutbox(key);
    patchThread(conversationId, (t) => ({ ...t, outbox: t.outbox.filter((o) => o.key !== key) }));
  } catch (err) {
    patchThread(conversationId, (t) => ({ ...t, sendError: toAppError(err) }));
  }
}

/** Called for every new customer message (desktop notifications). */
export type InboundListener = (m: Message) => void;

export function listenMessages(onInbound?: InboundListener, onPending?: (n: number) => void): () => void {
  const offs = [
    on(EVENTS.messageCreated, (m) => {
      applyMessage(m);
      if (m.direction === 'inbound' && m.type !== 'reaction') onInbound?.(m);
    }),
    on(EVENTS.messageUpdated, applyMessage),
    on(EVENTS.noteCreated, applyNote),
    on(EVENTS.outboxUpdated, (u) => {
      if (!u || typeof u.conversation_id !== 'number') return;
      // The accepted message first, then the outbox without it, so the chat
      // never shows it twice or not at all.
      if (u.sent) applyMessage(u.sent);
      if (Array.isArray(u.items)) setOutbox(u.conversation_id, u.items);
      else void refreshOutbox(u.conversation_id);
      onPending?.(u.pending);
    }),
  ];
  return () => offs.forEach((off) => off());
}

/**
 * Reloads after cache.reset: the open conversation is read again, the
 * others are dropped and re-read when opened.
 */
export function reloadThreads(openId: number | null): void {
  recent = openId !== null ? [openId] : [];
  messagesStore.set((s) => (openId !== null && s.threads[openId] ? { threads: { [openId]: s.threads[openId]! } } : { threads: {} }));
  if (openId !== null) void openThread(openId);
}

/** Forgets every thread (sign-out, tests). */
export function resetMessages(): void {
  recent = [];
  messagesStore.set({ threads: {} });
}
