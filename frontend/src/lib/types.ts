import type { apierr, cache, desktop, domain, remote } from '../../wailsjs/go/models';
import type { GoApp } from './go';
import type { EventPayloads } from './generated/events';

/**
 * The console's names for the shapes Go sends and takes. Every one is the
 * type Wails generates from the Go type (wailsjs/go/models.ts) or tsgen
 * generates (lib/generated), never a copy: a field added in Go is here after
 * `make bindings`. Field names are the Go json tags, snake_case; times are
 * RFC 3339 strings; int64 ids arrive as numbers (ids stay far below 2^53).
 * Only the frontend's own shapes are written by hand, at the end.
 */

export type {
  ConversationStatus,
  Direction,
  InboxTab,
  MessageStatus,
  OutboxState,
  Role,
  SyncPhase,
} from './generated/enums';
export { CONVERSATION_STATUSES } from './generated/enums';

// backend/domain: what the hub stores and streams, and the cache keeps.
export type Account = domain.Account;
export type Contact = domain.Contact;
export type Conversation = domain.Conversation;
export type MessagePreview = domain.MessagePreview;
export type Referral = domain.Referral;
export type Message = domain.Message;
export type Reaction = domain.Reaction;
export type MessageError = domain.MessageError;
export type Note = domain.Note;
export type Template = domain.Template;
export type User = domain.User;
export type Counters = domain.Counters;

/** The error body of a refused call or send (apierr.Body). */
export type ErrorBody = apierr.Body;

// backend/desktop/cache: the console's reads.
export type InboxQuery = cache.InboxQuery;
export type InboxPage = cache.InboxPage;
export type TabCount = cache.TabCount;
export type TabCounts = cache.TabCounts;
export type MessagePage = cache.MessagePage;
export type TextPart = cache.TextPart;
export type MessageHit = cache.MessageHit;
export type SearchResults = cache.SearchResults;
export type OutboxItem = cache.OutboxItem;
export type OutboxAttachment = cache.OutboxAttachment;
export type Draft = cache.Draft;
export type TemplateSend = remote.TemplateSend;

// backend/desktop: the console's own answers.
/** Who is signed in to which hub, the sync state, unsent items, the hub's clock offset (Status(), session.updated). */
export type ConsoleStatus = desktop.Status;
/** The sync engine's state with the outbox's pending count (SyncState(); sync.state carries it without pending). */
export type SyncState = desktop.SyncState;
export type SandboxClock = desktop.Clock;
export type ConversationView = desktop.ConversationView;
export type SendInput = desktop.SendInput;
export type MediaFile = desktop.MediaFile;
export type MediaUpload = desktop.MediaUpload;
export type TemplateForm = desktop.TemplateForm;
/** The changes UpdateConversation takes: status, assignee (or unassign), team, snooze. */
export type ConversationPatch = Parameters<GoApp['UpdateConversation']>[1];

// Event payloads no bound method carries.
export type CacheReset = EventPayloads['cache.reset'];
export type ConversationRemoved = EventPayloads['conversation.removed'];
export type OutboxUpdate = EventPayloads['outbox.updated'];

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
