/**
 * TypeScript mirrors of the JSON the Go side sends: backend/domain's types
 * (what the hub stores and streams, and the desktop cache keeps) and the
 * desktop console's own shapes (backend/desktop/cache: inbox pages, tab
 * counts, message pages, search results, outbox items). Field names are the
 * Go json tags, snake_case; times are RFC 3339 strings; int64 ids arrive as
 * numbers (ids stay far below 2^53).
 */

/** One WhatsApp Business phone number connected to the hub. */
export interface Account {
  id: string;
  waba_id: string;
  display_phone_number: string;
  verified_name: string;
  status: string;
  quality_rating: string;
  throughput_mps: number;
  messages_in: number;
  messages_out: number;
  created_at: string;
  updated_at: string;
}

/** A customer. */
export interface Contact {
  id: number;
  phone?: string;
  wa_id?: string;
  user_id?: string;
  name: string;
  /** The name the customer set on WhatsApp; name starts as it and may be edited. */
  profile_name?: string;
  opted_out: boolean;
  opted_out_at?: string;
  attributes?: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'closed';
export const CONVERSATION_STATUSES: ConversationStatus[] = ['open', 'pending', 'snoozed', 'closed'];

export type Direction = 'inbound' | 'outbound';

export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** Orders statuses like domain.MessageStatus.Rank: a late status never moves a message backwards. */
export function statusRank(s: MessageStatus | string): number {
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

/** The one-line summary an inbox row shows. */
export interface MessagePreview {
  id: number;
  direction: Direction;
  type: string;
  preview: string;
  status: MessageStatus;
  at: string;
}

/** Click-to-WhatsApp ad attribution. */
export interface Referral {
  source_url?: string;
  source_id?: string;
  source_type?: string;
  headline?: string;
  body?: string;
  media_type?: string;
  image_url?: string;
  video_url?: string;
  thumbnail_url?: string;
  ctwa_clid?: string;
}

/** The thread between one contact and one business number. */
export interface Conversation {
  id: number;
  account_id: string;
  contact: Contact;
  status: ConversationStatus;
  assignee_id: number | null;
  team: string;
  snoozed_until?: string;
  window_expires_at: string | null;
  unanswered: boolean;
  waiting_since: string | null;
  unread_count: number;
  last_message: MessagePreview | null;
  last_activity_at: string;
  referral?: Referral;
  created_at: string;
  updated_at: string;
}

/** An emoji reaction on its target message. */
export interface Reaction {
  emoji: string;
  /** "customer" or the reacting agent's user id as a string. */
  from: string;
  at: string;
}

/** Why a message failed, in Meta's terms. */
export interface MessageError {
  code: number;
  title: string;
  message?: string;
  details?: string;
}

/** One WhatsApp message. Content is the Cloud API object for its type. */
export interface Message {
  id: number;
  wamid?: string;
  conversation_id: number;
  account_id: string;
  direction: Direction;
  type: string;
  content: unknown;
  preview: string;
  from: string;
  to: string;
  reply_to?: number;
  forwarded?: boolean;
  reactions: Reaction[] | null;
  status: MessageStatus;
  error?: MessageError;
  author_id?: number;
  timestamp: string;
  sent_at?: string;
  delivered_at?: string;
  read_at?: string;
  created_at: string;
  updated_at: string;
}

/** An internal note, never sent to the customer. */
export interface Note {
  id: number;
  conversation_id: number;
  author_id: number;
  body: string;
  created_at: string;
}

/** A message template, one per name and language. */
export interface Template {
  id: string;
  waba_id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  quality: string;
  parameter_format: 'POSITIONAL' | 'NAMED' | string;
  components: TemplateComponent[] | null;
  rejected_reason?: string;
  updated_at: string;
}

/** A template component as Meta's Graph API describes it. */
export interface TemplateComponent {
  type: string; // HEADER, BODY, FOOTER, BUTTONS
  format?: string; // TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
  text?: string;
  buttons?: TemplateButton[];
  example?: {
    header_text?: string[];
    body_text?: string[][];
    header_text_named_params?: { param_name: string; example: string }[];
    body_text_named_params?: { param_name: string; example: string }[];
    header_handle?: string[];
  };
}

export interface TemplateButton {
  type: string; // QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW
  text: string;
  url?: string;
  phone_number?: string;
  example?: unknown;
}

export type Role = 'agent' | 'supervisor' | 'admin';

/** An agent, supervisor or admin. */
export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  teams: string[] | null;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

/** Unanswered-conversation counts; map keys are user ids (decimal strings) and team names. */
export interface Counters {
  total: number;
  unassigned: number;
  by_agent: Record<string, number> | null;
  by_team: Record<string, number> | null;
  oldest_waiting_since: string | null;
}

// ---- The desktop console's own shapes (backend/desktop/cache) ----

export type InboxTab = 'mine' | 'unassigned' | 'all';

export interface InboxQuery {
  tab: InboxTab;
  /** Empty: any status. */
  status: ConversationStatus | '';
  cursor: string;
  limit: number;
}

export interface InboxPage {
  conversations: Conversation[];
  next_cursor: string;
  has_more: boolean;
}

export interface TabCount {
  total: number;
  unanswered: number;
}

export interface TabCounts {
  mine: TabCount;
  unassigned: TabCount;
  all: TabCount;
}

export interface MessagePage {
  messages: Message[];
  notes: Note[];
  cursor: string;
  has_more: boolean;
}

export interface TextPart {
  text: string;
  match: boolean;
}

export interface MessageHit {
  message: Message;
  contact_name: string;
  contact_phone: string;
  snippet: TextPart[];
}

export interface SearchResults {
  query: string;
  conversations: Conversation[];
  messages: MessageHit[];
}

export type OutboxState = 'pending' | 'sending' | 'failed';

/** The error body of a refused send (apierr.Body). */
export interface ErrorBody {
  code: string;
  message: string;
  doc_url?: string;
  field?: string;
}

export interface TemplateSend {
  name: string;
  language: string;
  variables?: Record<string, string>;
}

/** A file picked on this computer, travelling with its outbox item until the hub has it (cache.OutboxAttachment). */
export interface OutboxAttachment {
  filename: string;
  mime_type: string;
  /** Bytes. */
  size: number;
}

/** A message the agent composed that the hub has not accepted yet. */
export interface OutboxItem {
  key: string;
  local_id: number;
  conversation_id: number;
  state: OutboxState;
  type: string;
  content?: unknown;
  template?: TemplateSend;
  reply_to?: number;
  preview: string;
  /** The file to upload before the message is sent (SendMedia). */
  attachment?: OutboxAttachment;
  /** The hub's id for the attachment once uploaded; the send itself may still be waiting. */
  media_id?: string;
  attempts: number;
  error?: ErrorBody;
  created_at: string;
  updated_at: string;
}

/** Where the sync engine stands (event sync.state; backend/desktop/syncer.State). */
export type SyncPhase = 'connecting' | 'syncing' | 'online' | 'offline' | 'signed_out' | 'stopped';

/** The payload of sync.state (syncer.Status). */
export interface SyncState {
  state: SyncPhase | string;
  /** Last event applied to the cache. */
  seq?: number;
  /** Why the engine is offline or signed out. */
  error?: ErrorBody | null;
  /** When the next connection attempt starts, while offline. */
  retry_at?: string;
  /** When this state began. */
  since?: string;
  /** Outbox items waiting to be sent, when Go reports it. */
  pending?: number;
}

/** The payload of cache.reset: the cache changed too much to announce piece by piece. */
export interface CacheReset {
  reason: 'snapshot' | 'replay' | string;
  events?: number;
}

/** The payload of conversation.removed: deleted on the hub, or assigned away from this agent. */
export interface ConversationRemoved {
  conversation_id: number;
  reason: 'deleted' | 'hidden' | string;
}

export type SessionMode = 'embedded' | 'remote' | '';

/**
 * The console's overall state (backend/desktop.Status; Status() and the
 * session.changed event): who is signed in to which hub, the sync state,
 * unsent items and the hub's clock offset. Never carries the token.
 */
export interface ConsoleStatus {
  signed_in: boolean;
  mode: SessionMode | string;
  hub_url: string;
  user: User | null;
  sync?: SyncState;
  pending?: number;
  embedded_available?: boolean;
  dev_controls?: boolean;
  /** The hub's clock minus this machine's, in ms (the sandbox clock can be advanced). */
  clock_offset_ms?: number;
}

/** The payload of clock.changed and SandboxAdvance. */
export interface SandboxClock {
  offset_ms: number;
  now: string;
}

/** An opened conversation (OpenConversation): the conversation, its latest page, unsent items and draft. */
export interface ConversationView {
  conversation: Conversation;
  messages: Message[];
  notes: Note[];
  cursor: string;
  has_more: boolean;
  pending: OutboxItem[];
  draft: { conversation_id: number; body: string; updated_at?: string };
  window_open: boolean;
  can_message: boolean;
  reason: string;
}

/** A free-form message other than text (SendMessage): Content is the Cloud API object for Type. */
export interface SendInput {
  type: string;
  content: unknown;
  reply_to?: number;
}

/** The payload of outbox.updated: one conversation's unsent items after a change. */
export interface OutboxUpdate {
  conversation_id: number;
  items: OutboxItem[] | null;
  pending: number;
  /** The message the hub created, when an item left the outbox accepted. */
  sent?: Message;
}

/** A sign-in request to a real hub: email + password, or a token. */
export interface SignInRequest {
  hub_url: string;
  email?: string;
  password?: string;
  token?: string;
}

/** A downloaded media object, ready for an <img>/<video>/<audio> src or a download link. */
export interface MediaFile {
  mime_type: string;
  filename: string;
  /** A URL the page can load: data: or a local asset URL. */
  url: string;
}

/** An attachment the agent sends. */
export interface MediaUpload {
  filename: string;
  mime_type: string;
  /** The file's bytes, base64 (no data: prefix). */
  data: string;
  caption?: string;
}

/** A conversation's workflow change. assignee_id null unassigns. */
export interface ConversationPatch {
  status?: ConversationStatus;
  assignee_id?: number | null;
  team?: string;
  snoozed_until?: string;
}
