import { toAppError } from './errors';
import type {
  ConsoleStatus,
  Conversation,
  ConversationPatch,
  ConversationView,
  Counters,
  InboxPage,
  InboxQuery,
  MediaFile,
  MediaUpload,
  MessagePage,
  Note,
  OutboxItem,
  SandboxClock,
  SearchResults,
  SendInput,
  SignInRequest,
  TabCounts,
  Template,
  TemplateSend,
  User,
  ConversationStatus,
} from './types';

/**
 * The console's typed door to the Go facade (window.go.app.App, which binds
 * backend/desktop's Console). Stores call these, never window.go directly,
 * so every rejection arrives as an AppError and a method the running build
 * does not bind fails with a clear UNAVAILABLE instead of "is not a
 * function".
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

/** The Go side's patch: an explicit unassign flag instead of a null assignee. */
function toGoPatch(p: ConversationPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.status) out.status = p.status;
  if (p.assignee_id === null) out.unassign = true;
  else if (p.assignee_id !== undefined) out.assignee_id = p.assignee_id;
  if (p.team !== undefined) out.team = p.team;
  if (p.snoozed_until) out.snoozed_until = p.snoozed_until;
  return out;
}

/** The bound methods the console uses, by their Go names (backend/desktop Console). */
export const api = {
  // Session and sync.
  status: () => call<ConsoleStatus>('Status'),
  signIn: (req: SignInRequest) =>
    req.token
      ? call<ConsoleStatus>('SignInWithToken', req.hub_url, req.token)
      : call<ConsoleStatus>('SignIn', req.hub_url, req.email ?? '', req.password ?? ''),
  useEmbedded: () => call<ConsoleStatus>('UseEmbedded'),
  signOut: () => call<ConsoleStatus>('SignOut'),
  reconnect: () => call<ConsoleStatus>('Reconnect'),

  // Inbox.
  inbox: (q: InboxQuery) => call<InboxPage>('Inbox', q),
  inboxCounts: (status: ConversationStatus | '') => call<TabCounts>('InboxCounts', status),
  search: (query: string, limit: number) => call<SearchResults>('Search', query, limit),
  counters: () => call<Counters>('Counters'),
  users: () => call<User[]>('Users'),
  templates: () => call<Template[]>('Templates'),

  // One conversation.
  openConversation: (id: number) => call<ConversationView>('OpenConversation', id),
  olderMessages: (id: number, cursor: string) => call<MessagePage>('OlderMessages', id, cursor),
  outbox: () => call<OutboxItem[]>('Outbox'),
  markRead: (id: number) => call<void>('MarkRead', id),
  sendText: (id: number, body: string, replyTo: number | null) => call<OutboxItem>('SendText', id, body, replyTo),
  sendMessage: (id: number, input: SendInput) => call<OutboxItem>('SendMessage', id, input),
  /** Uploads a file and sends it (needs a Go upload method; see hasMethod('SendMedia')). */
  sendMedia: (id: number, media: MediaUpload) => call<OutboxItem>('SendMedia', id, media),
  sendTemplate: (id: number, t: TemplateSend) => call<OutboxItem>('SendTemplate', id, t.name, t.language, t.variables ?? {}),
  /** Go's check of a filled template (the hub's own rules): fields, preview, what is missing. */
  templateForm: (name: string, language: string, variables: Record<string, string>) =>
    call<{ sendable: boolean; problem: string; missing: string[] | null; unknown: string[] | null }>('TemplateForm', name, language, variables),
  retryOutbox: (key: string) => call<OutboxItem>('RetryOutbox', key),
  discardOutbox: (key: string) => call<void>('DiscardOutbox', key),
  updateConversation: (id: number, patch: ConversationPatch) => call<Conversation>('UpdateConversation', id, toGoPatch(patch)),
  addNote: (id: number, body: string) => call<Note>('AddNote', id, body),
  saveDraft: (id: number, body: string) => call<unknown>('SaveDraft', id, body),
  /**
   * A message's media, ready for <img>/<video>/<audio>: Go's Media (the
   * bytes as a data: URL, from its local media cache, so it shows offline)
   * when bound, else an address the hub serves it at.
   */
  media: async (mediaId: string): Promise<MediaFile> =>
    hasMethod('Media')
      ? call<MediaFile>('Media', mediaId)
      : { url: await call<string>('MediaURL', mediaId), mime_type: '', filename: '' },
  /** Saves media into the user's Downloads folder; answers the path. */
  saveMedia: (mediaId: string, filename: string) => call<string>('SaveMedia', mediaId, filename),

  // The window.
  setWindowFocused: (focused: boolean) => call<void>('SetWindowFocused', focused),

  // The embedded sandbox's controls (dev builds).
  sandboxAdvance: (seconds: number) => call<SandboxClock>('SandboxAdvance', seconds),
  sandboxCustomerSays: (phone: string, name: string, text: string) => call<void>('SandboxCustomerSays', phone, name, text),
};

export type Api = typeof api;
