import { toAppError } from './errors';
import type {
  Contact,
  Conversation,
  ConversationPatch,
  Counters,
  InboxPage,
  InboxQuery,
  MediaFile,
  MediaUpload,
  MessagePage,
  Note,
  OutboxItem,
  SearchResults,
  SessionInfo,
  SignInRequest,
  SyncState,
  TabCounts,
  Template,
  TemplateSend,
  User,
  ConversationStatus,
} from './types';

/**
 * The console's typed door to the Go facade (window.go.app.App). Stores call
 * these, never window.go directly, so every rejection arrives as an AppError
 * and a method the running build does not bind fails with a clear
 * UNAVAILABLE instead of "is not a function".
 *
 * It calls window.go.app.App[name] itself rather than importing the
 * generated wailsjs functions: those are regenerated as Go methods land, and
 * looking methods up at call time keeps this module compiling (and the UI
 * degrading gracefully) while the Go side and the bindings catch up.
 */

type Bound = Record<string, (...args: unknown[]) => Promise<unknown>>;

function boundApp(): Bound | undefined {
  const w = window as { go?: { app?: { App?: Bound } } };
  return w.go?.app?.App;
}

/** hasMethod reports whether the running build binds a Go method. */
export function hasMethod(name: string): boolean {
  return typeof boundApp()?.[name] === 'function';
}

async function call<T>(name: string, ...args: unknown[]): Promise<T> {
  const app = boundApp();
  if (!app) {
    throw { code: 'UNAVAILABLE', message: 'The Go bridge is not loaded: open Switchboard in its window or a dev build.' };
  }
  const fn = app[name];
  if (typeof fn !== 'function') {
    throw { code: 'UNAVAILABLE', message: `This build of Switchboard has no ${name}.` };
  }
  try {
    return (await fn(...args)) as T;
  } catch (err) {
    throw toAppError(err);
  }
}

/** The bound methods the console uses, by their Go names. */
export const api = {
  // Session and sync.
  session: () => call<SessionInfo>('Session'),
  signIn: (req: SignInRequest) => call<SessionInfo>('SignIn', req),
  useSandbox: () => call<SessionInfo>('UseSandbox'),
  signOut: () => call<void>('SignOut'),
  syncState: () => call<SyncState>('SyncState'),

  // Inbox.
  inbox: (q: InboxQuery) => call<InboxPage>('Inbox', q),
  inboxCounts: (status: ConversationStatus | '') => call<TabCounts>('InboxCounts', status),
  conversation: (id: number) => call<Conversation>('Conversation', id),
  search: (query: string, limit: number) => call<SearchResults>('Search', query, limit),
  counters: () => call<Counters>('Counters'),
  users: () => call<User[]>('Users'),
  templates: () => call<Template[]>('Templates'),
  contact: (id: number) => call<Contact>('Contact', id),

  // One conversation.
  messages: (conversationId: number, cursor: string, limit: number) =>
    call<MessagePage>('Messages', conversationId, cursor, limit),
  outbox: (conversationId: number) => call<OutboxItem[]>('Outbox', conversationId),
  markRead: (conversationId: number) => call<void>('MarkRead', conversationId),
  sendText: (conversationId: number, body: string, replyTo: number) =>
    call<OutboxItem>('SendText', conversationId, body, replyTo),
  sendMedia: (conversationId: number, media: MediaUpload) => call<OutboxItem>('SendMedia', conversationId, media),
  sendTemplate: (conversationId: number, template: TemplateSend) =>
    call<OutboxItem>('SendTemplate', conversationId, template),
  retryOutbox: (key: string) => call<OutboxItem>('RetryOutbox', key),
  discardOutbox: (key: string) => call<OutboxItem>('DiscardOutbox', key),
  updateConversation: (conversationId: number, patch: ConversationPatch) =>
    call<Conversation>('UpdateConversation', conversationId, patch),
  addNote: (conversationId: number, body: string) => call<Note>('AddNote', conversationId, body),
  draft: (conversationId: number) => call<{ conversation_id: number; body: string }>('Draft', conversationId),
  saveDraft: (conversationId: number, body: string) => call<unknown>('SaveDraft', conversationId, body),
  media: (mediaId: string) => call<MediaFile>('Media', mediaId),
  saveMedia: (mediaId: string, filename: string) => call<string>('SaveMedia', mediaId, filename),

  // The window.
  notify: (title: string, body: string) => call<void>('Notify', title, body),
};

export type Api = typeof api;
