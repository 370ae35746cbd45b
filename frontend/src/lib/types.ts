import type { cache, desktop, domain, wire } from '../../wailsjs/go/models';
import type { GoApp } from './go';

/**
 * The console's names for the shapes Go sends and takes. Every one is the
 * type Wails generates from the Go type (wailsjs/go/models.ts) or tsgen
 * generates (lib/generated), never a copy: a field added in Go is here after
 * `make bindings`. Event payloads are EventPayload<'name'> (lib/events.ts).
 * Field names are the Go json tags, snake_case; times are RFC 3339 strings;
 * int64 ids arrive as numbers (ids stay far below 2^53). Only the
 * frontend's own shapes are written by hand, at the end.
 */

export type { ConversationStatus, InboxTab, MessageStatus } from './generated/enums';
export { CONVERSATION_STATUSES } from './generated/enums';

// backend/domain: what the hub stores and streams, and the cache keeps.
export type Contact = domain.Contact;
export type Conversation = domain.Conversation;
export type Message = domain.Message;
export type MessageError = domain.MessageError;
export type Note = domain.Note;
export type Template = domain.Template;
export type User = domain.User;
export type Counters = domain.Counters;

// backend/desktop/cache: the console's reads.
export type TabCounts = cache.TabCounts;
export type MessagePage = cache.MessagePage;
export type SearchResults = cache.SearchResults;
export type OutboxItem = cache.OutboxItem;
export type OutboxAttachment = cache.OutboxAttachment;

// backend/wire: the hub API's bodies, as the console queues them.
export type TemplateRequest = wire.TemplateRequest;

// backend/desktop: the console's own answers.
/** Who is signed in to which hub, the sync state, unsent items, the hub's clock offset (Status(), session.updated). */
export type ConsoleStatus = desktop.Status;
/** The sync engine's state with the outbox's pending count (SyncState(); sync.state carries it without pending). */
export type SyncState = desktop.SyncState;
export type SendInput = desktop.SendInput;
export type MediaFile = desktop.MediaFile;
export type MediaUpload = desktop.MediaUpload;
/** The changes UpdateConversation takes: status, assignee (null unassigns), team, snooze. */
export type ConversationPatch = Parameters<GoApp['UpdateConversation']>[1];

/** Orders statuses like domain.MessageStatus.Rank: a late status never moves a message backwards. */
export function statusRank(s: string): number {
  switch (s) {
    case 'queued':
      return 1;
    case 'sent':
      return 2;
    case 'delivered':
      return 3;
    case 'read':
    case 'received':
      return 4;
    case 'failed':
      return 5;
  }
  return 0;
}

// ---- The frontend's own shapes ----

/** Settings' sign-in form: e-mail and password, or an API token (SignIn or SignInWithToken). */
export interface SignInRequest {
  hub_url: string;
  email?: string;
  password?: string;
  token?: string;
}
