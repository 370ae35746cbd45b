import type { EventName, EventPayload } from '../lib/events';
import type { GoApp } from '../lib/go';
import type { ConsoleStatus, Conversation, Counters, Message, MessagePage, MessageStatus, Note, OutboxItem, Template, TemplateRequest, User } from '../lib/types';
import { COUNTERS, TEMPLATES, USERS, iso } from './fixtures';

type Listener = (...data: unknown[]) => void;

/** A stand-in for the Wails runtime (window.runtime): events, title, links. */
export interface FakeRuntime {
  emit(name: string, data: unknown): void;
  listeners(name: string): number;
  title: string;
  opened: string[];
}

export function installFakeRuntime(): FakeRuntime {
  const map = new Map<string, Set<Listener>>();
  const rt: FakeRuntime = {
    emit(name, data) {
      for (const cb of [...(map.get(name) ?? [])]) cb(data);
    },
    listeners: (name) => map.get(name)?.size ?? 0,
    title: '',
    opened: [],
  };
  (window as unknown as { runtime: unknown }).runtime = {
    EventsOnMultiple(name: string, cb: Listener) {
      let set = map.get(name);
      if (!set) map.set(name, (set = new Set()));
      set.add(cb);
      return () => set.delete(cb);
    },
    EventsOff(name: string) {
      map.delete(name);
    },
    WindowSetTitle(t: string) {
      rt.title = t;
    },
    BrowserOpenURL(u: string) {
      rt.opened.push(u);
    },
  };
  return rt;
}

export interface FakeConsoleOptions {
  me?: User;
  conversations?: Conversation[];
  messages?: Message[];
  notes?: Note[];
  templates?: Template[];
  users?: User[];
  counters?: Counters;
  /** The sync state (seq and since default to 1 and now). */
  sync?: SyncChange;
  /** Move sends through queued → sent → delivered → read on timers (the demo). */
  autoProgress?: boolean;
  /** ms between steps when autoProgress is on. */
  stepMs?: number;
  now?: () => number;
}

/** The sync engine's state, as sync.state carries it. */
type SyncStatus = EventPayload<'sync.state'>;
/** A sync state as tests write it: the state, and the fields that matter to them. */
type SyncChange = Pick<SyncStatus, 'state'> & Partial<Omit<SyncStatus, 'error'>> & { error?: { code: string; message: string } };

/** The fake's bound methods: each has the generated binding's arguments and answer. */
type Methods = { [K in keyof GoApp]?: (...args: Parameters<GoApp[K]>) => Awaited<ReturnType<GoApp[K]>> };

/**
 * An in-memory console backend behind the Go facade's bound methods (typed
 * by the generated bindings, wailsjs/go/app/App), emitting the same events
 * (typed by lib/generated/events.ts). Vitest drives the stores and
 * components through it and the real lib/go.ts; the dev demo
 * (src/dev/demo.ts) uses it to show the UI without a Go build.
 */
export class FakeConsole {
  rt: FakeRuntime;
  me: User;
  conversations = new Map<number, Conversation>();
  messages = new Map<number, Message[]>();
  notes = new Map<number, Note[]>();
  outbox: OutboxItem[] = [];
  templates: Template[];
  users: User[];
  counters: Counters;
  sync: SyncStatus;
  drafts = new Map<number, string>();
  calls: { name: string; args: unknown[] }[] = [];
  autoProgress: boolean;
  stepMs: number;
  now: () => number;
  nextId = 900_000;
  nextLocal = 1;
  failNext: Record<string, unknown> = {};

  constructor(o: FakeConsoleOptions = {}) {
    this.rt = installFakeRuntime();
    this.users = o.users ?? USERS;
    this.me = o.me ?? this.users[0]!;
    this.templates = o.templates ?? TEMPLATES;
    this.counters = o.counters ?? COUNTERS;
    this.autoProgress = o.autoProgress ?? false;
    this.stepMs = o.stepMs ?? 800;
    this.now = o.now ?? (() => Date.now());
    this.sync = this.syncStatus(o.sync ?? { state: 'online' });
    for (const c of o.conversations ?? []) this.conversations.set(c.id, c);
    for (const m of o.messages ?? []) this.pushMessage(m);
    for (const n of o.notes ?? []) this.notes.set(n.conversation_id, [...(this.notes.get(n.conversation_id) ?? []), n]);
    (window as unknown as { go: unknown }).go = { app: { App: this.bindings() } };
  }

  private pushMessage(m: Message) {
    const list = this.messages.get(m.conversation_id) ?? [];
    list.push(m);
    list.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || a.id - b.id);
    this.messages.set(m.conversation_id, list);
  }

  clockOffset = 0;

  /** The hub's time: the machine's plus the sandbox clock's advance. */
  hubNow(): number {
    return this.now() + this.clockOffset;
  }

  /** What Status() answers now. */
  status(): ConsoleStatus {
    return {
      signed_in: true,
      mode: 'demo',
      hub_url: 'http://127.0.0.1:0',
      user: this.me,
      sync: this.sync,
      pending: this.outbox.length,
      demo_available: true,
      dev_controls: true,
      clock_offset_ms: this.clockOffset,
    };
  }

  private emitOutbox(conversationId: number, sent?: Message) {
    this.emit('outbox.updated', {
      conversation_id: conversationId,
      items: this.outbox.filter((o) => o.conversation_id === conversationId),
      pending: this.outbox.length,
      sent,
    });
  }

  private sorted(): Conversation[] {
    return [...this.conversations.values()].sort(
      (a, b) => Date.parse(b.last_activity_at) - Date.parse(a.last_activity_at) || b.id - a.id,
    );
  }

  private inView(c: Conversation, tab: string, status: string): boolean {
    if (status && c.status !== status) return false;
    if (tab === 'mine') return c.assignee_id === this.me.id;
    if (tab === 'unassigned') return c.assignee_id === null;
    return true;
  }

  private fail(name: string) {
    const err = this.failNext[name];
    if (err) {
      delete this.failNext[name];
      throw err;
    }
  }

  /** Emits a Go event to the page. */
  emit<N extends EventName>(name: N, data: EventPayload<N>) {
    this.rt.emit(name, data);
  }

  /** Updates a conversation and emits conversation.updated. */
  updateConv(id: number, patch: Partial<Conversation>): Conversation {
    const c = { ...this.conversations.get(id)!, ...patch, updated_at: iso(this.hubNow()) };
    this.conversations.set(id, c);
    this.emit('conversation.updated', c);
    return c;
  }

  /**
   * The hub deletes a conversation: as Go's syncer does, the cache drops it
   * and conversation.removed says so (never conversation.deleted, which
   * the console does not forward).
   */
  deleteConversation(id: number) {
    this.conversations.delete(id);
    this.messages.delete(id);
    this.notes.delete(id);
    this.emit('conversation.removed', { conversation_id: id, reason: 'deleted' });
  }

  /** A customer writes: message.created plus the conversation's new state. */
  customerSays(conversationId: number, text: string, extra: Partial<Message> = {}): Message {
    const c = this.conversations.get(conversationId)!;
    const at = iso(this.hubNow());
    const m: Message = {
      id: this.nextId++,
      conversation_id: conversationId,
      account_id: c.account_id,
      direction: 'inbound',
      type: 'text',
      content: { body: text },
      preview: text,
      from: c.contact.phone ?? '',
      to: '+15551110000',
      reactions: [],
      status: 'received',
      timestamp: at,
      created_at: at,
      updated_at: at,
      ...extra,
    };
    this.pushMessage(m);
    this.emit('message.created', m);
    this.updateConv(conversationId, {
      last_message: { id: m.id, direction: 'inbound', type: m.type, preview: m.preview, status: 'received', at },
      last_activity_at: at,
      unread_count: c.unread_count + 1,
      unanswered: true,
      waiting_since: c.unanswered ? c.waiting_since : at,
      window_expires_at: iso(this.hubNow() + 24 * 3600_000),
      status: c.status === 'closed' || c.status === 'snoozed' ? 'open' : c.status,
    });
    return m;
  }

  /** Moves an outbound message to a status and emits message.updated. */
  setStatus(messageId: number, status: MessageStatus, error?: Message['error']): Message | undefined {
    for (const [cid, list] of this.messages) {
      const i = list.findIndex((m) => m.id === messageId);
      if (i < 0) continue;
      const m = { ...list[i]!, status, error, updated_at: iso(this.hubNow()) };
      list[i] = m;
      this.emit('message.updated', m);
      const c = this.conversations.get(cid)!;
      if (c.last_message?.id === messageId) this.updateConv(cid, { last_message: { ...c.last_message, status } });
      return m;
    }
    return undefined;
  }

  /** Sends every pending outbox item (the hub came back). */
  flushOutbox() {
    for (const it of [...this.outbox]) if (it.state !== 'failed') this.deliver(it);
  }

  /** A sync state with the fields Go always sends. */
  private syncStatus(s: SyncChange): SyncStatus {
    const { error, ...rest } = s;
    return { seq: this.sync?.seq ?? 1, since: iso(this.now()), ...rest, ...(error ? { error: { doc_url: '', ...error } } : {}) };
  }

  setSync(s: SyncChange) {
    this.sync = this.syncStatus(s);
    this.emit('sync.state', this.sync);
  }

  /** Applies a write other than a message, as the hub would, and drops its item. */
  private deliverWrite(it: OutboxItem): void {
    this.outbox = this.outbox.filter((o) => o.key !== it.key);
    const id = it.conversation_id;
    if (it.kind === 'note' && it.note) {
      const n: Note = { id: this.nextId++, conversation_id: id, author_id: this.me.id, body: it.note.body, created_at: iso(this.hubNow()) };
      this.notes.set(id, [...(this.notes.get(id) ?? []), n]);
      this.emit('note.created', n);
    }
    if (it.kind === 'reaction' && it.reaction) {
      const { message_id, emoji } = it.reaction;
      const list = this.messages.get(id) ?? [];
      const m = list.find((x) => x.id === message_id);
      if (m) {
        const mine = String(this.me.id);
        m.reactions = [...(m.reactions ?? []).filter((r) => r.from !== mine), ...(emoji ? [{ emoji, from: mine, at: iso(this.hubNow()) }] : [])];
        this.emit('message.updated', { ...m });
      }
    }
    this.emitOutbox(id);
  }

  private deliver(it: OutboxItem): Message | undefined {
    if (it.kind && it.kind !== 'message') {
      this.deliverWrite(it);
      return undefined;
    }
    this.outbox = this.outbox.filter((o) => o.key !== it.key);
    const c = this.conversations.get(it.conversation_id)!;
    const at = iso(this.hubNow());
    const m: Message = {
      id: this.nextId++,
      conversation_id: it.conversation_id,
      account_id: c.account_id,
      direction: 'outbound',
      type: it.type,
      content:
        it.type === 'template'
          ? { name: it.template?.name, language: { code: it.template?.language }, variables: it.template?.variables }
          : it.attachment
            ? { ...(it.content as object), id: it.media_id ?? `media-${it.key}` }
            : it.content,
      preview: it.preview,
      from: '+15551110000',
      to: c.contact.phone ?? '',
      reply_to: it.reply_to,
      reactions: [],
      status: 'queued',
      author_id: this.me.id,
      timestamp: at,
      created_at: at,
      updated_at: at,
    };
    this.pushMessage(m);
    this.emit('message.created', m);
    this.emitOutbox(it.conversation_id, m);
    this.updateConv(it.conversation_id, {
      last_message: { id: m.id, direction: 'outbound', type: m.type, preview: m.preview, status: 'queued', at },
      last_activity_at: at,
      unanswered: false,
      waiting_since: null,
    });
    if (this.autoProgress) {
      const steps: MessageStatus[] = ['sent', 'delivered', 'read'];
      steps.forEach((s, i) => setTimeout(() => this.setStatus(m.id, s), this.stepMs * (i + 1)));
    }
    return m;
  }

  private enqueue(conversationId: number, type: string, preview: string, extra: Partial<OutboxItem>): OutboxItem {
    const c = this.conversations.get(conversationId);
    if (!c) throw { code: 'NOT_FOUND', message: 'no such conversation' };
    if (c.contact.opted_out) throw { code: 'OPTED_OUT', message: 'The recipient has opted out of messages from this business.' };
    const at = iso(this.hubNow());
    const it: OutboxItem = {
      key: `k-${this.nextLocal}`,
      local_id: this.nextLocal++,
      kind: 'message',
      conversation_id: conversationId,
      state: 'pending',
      type,
      preview,
      attempts: 0,
      created_at: at,
      updated_at: at,
      ...extra,
    };
    this.outbox.push(it);
    queueMicrotask(() => this.emitOutbox(conversationId));
    if (this.sync.state === 'online') {
      if (this.autoProgress) setTimeout(() => this.deliver(it), 250);
      else queueMicrotask(() => this.deliver(it));
    }
    return it;
  }

  private page(id: number, cursor: string, limit: number): MessagePage {
    const list = this.messages.get(id) ?? [];
    const end = cursor ? Number(cursor) : list.length;
    const start = Math.max(0, end - limit);
    const page = list.slice(start, end);
    const lo = start > 0 ? Date.parse(page[0]!.timestamp) : -Infinity;
    const hi = cursor && list[end] ? Date.parse(list[end]!.timestamp) : Infinity;
    const notes = (this.notes.get(id) ?? []).filter((n) => Date.parse(n.created_at) >= lo && Date.parse(n.created_at) < hi);
    return { messages: page, notes, cursor: start > 0 ? String(start) : '', has_more: start > 0 };
  }

  /** The fake window.go.app.App: each method records its call, fails when failNext says so, then answers. */
  bindings(): Partial<GoApp> {
    const methods = this.methods() as Record<string, (...args: unknown[]) => unknown>;
    return Object.fromEntries(
      Object.entries(methods).map(([name, fn]) => [
        name,
        async (...args: unknown[]) => {
          this.calls.push({ name, args });
          this.fail(name);
          return fn(...args);
        },
      ]),
    ) as Partial<GoApp>;
  }

  private methods(): Methods {
    return {
      Version: () => ({ name: 'Switchboard', version: 'dev', build_type: 'dev', commit: 'fake', go_version: 'go1.26', wails_version: 'v2.12.0', os: 'linux', arch: 'amd64', started_at: iso(this.hubNow()) }),
      Ping: (note: string) => ({ reply: `pong: ${note}`, count: 1, received_at: iso(this.hubNow()), uptime_ms: 1 }),
      Status: () => this.status(),
      SignIn: () => this.status(),
      SignInWithToken: () => this.status(),
      UseDemoHub: () => this.status(),
      SignOut: () => ({ ...this.status(), signed_in: false, mode: '', user: null }),
      Reconnect: () => this.status(),
      SetWindowFocused: () => undefined,
      SandboxAdvance: (seconds: number) => {
        this.clockOffset += seconds * 1000;
        const clk = { offset_ms: this.clockOffset, now: iso(this.hubNow()) };
        this.emit('clock.changed', clk);
        return clk;
      },
      SandboxCustomerSays: (phone: string, _name: string, text: string) => {
        const c = [...this.conversations.values()].find((x) => x.contact.phone === phone);
        if (!c) throw { code: 'VALIDATION_FAILED', message: 'unknown customer' };
        this.customerSays(c.id, text);
      },
      Users: () => this.users,
      Templates: () => this.templates,
      Counters: () => this.counters,
      OpenConversation: (id) => {
        const c = this.conversations.get(id);
        if (!c) throw { code: 'NOT_FOUND', message: 'no such conversation in the cache' };
        const page = this.page(id, '', 50);
        return {
          conversation: c,
          ...page,
          pending: this.outbox.filter((o) => o.conversation_id === id),
          draft: { conversation_id: id, body: this.drafts.get(id) ?? '', updated_at: '' },
          window_open: !!c.window_expires_at && Date.parse(c.window_expires_at) > this.hubNow(),
          can_message: !c.contact.opted_out,
          reason: c.contact.opted_out ? 'The customer opted out of messages from this business.' : '',
        };
      },
      OlderMessages: (id: number, cursor: string) => this.page(id, cursor, 50),
      Inbox: (q) => {
        const all = this.sorted().filter((c) => this.inView(c, q.tab, q.status));
        const start = q.cursor ? Number(q.cursor) : 0;
        const limit = q.limit || 100;
        const page = all.slice(start, start + limit);
        const more = start + limit < all.length;
        return { conversations: page, next_cursor: more ? String(start + limit) : '', has_more: more };
      },
      InboxCounts: (status) => {
        const count = (tab: string) => {
          const list = [...this.conversations.values()].filter((c) => this.inView(c, tab, status));
          return { total: list.length, unanswered: list.filter((c) => c.unanswered).length };
        };
        return { mine: count('mine'), unassigned: count('unassigned'), all: count('all') };
      },
      Search: (query) => {
        const q = query.toLowerCase();
        const conversations = this.sorted().filter((c) => c.contact.name.toLowerCase().includes(q) || (c.contact.phone ?? '').includes(q));
        const messages = [...this.messages.values()]
          .flat()
          .filter((m) => m.preview.toLowerCase().includes(q))
          .slice(0, 50)
          .map((m) => {
            const c = this.conversations.get(m.conversation_id);
            const i = m.preview.toLowerCase().indexOf(q);
            return {
              message: m,
              contact_name: c?.contact.name ?? '',
              contact_phone: c?.contact.phone ?? '',
              snippet: [
                { text: m.preview.slice(0, i), match: false },
                { text: m.preview.slice(i, i + q.length), match: true },
                { text: m.preview.slice(i + q.length), match: false },
              ].filter((p) => p.text),
            };
          });
        return { query, conversations, messages };
      },
      Outbox: () => this.outbox,
      MarkRead: (id: number) => {
        const c = this.conversations.get(id);
        if (c && c.unread_count > 0) this.updateConv(id, { unread_count: 0 });
      },
      SendText: (id: number, body: string, replyTo: number | null) => {
        const c = this.conversations.get(id);
        if (c && (!c.window_expires_at || Date.parse(c.window_expires_at) <= this.hubNow())) {
          throw { code: 'SESSION_EXPIRED', message: 'The 24-hour customer service window is closed: only an approved template may be sent.' };
        }
        return this.enqueue(id, 'text', body, { content: { body }, reply_to: replyTo ?? undefined });
      },
      SendMessage: (id, input) => {
        const c = (input.content ?? {}) as { caption?: string; filename?: string };
        return this.enqueue(id, input.type, c.caption || c.filename || input.type, { content: input.content, reply_to: input.reply_to });
      },
      SendMedia: (id, m) => {
        // As Go: the kind follows the type, the file travels with the item
        // (name, type, size) and the content has no media id until sent.
        const kind = m.mime_type === 'image/webp' ? 'sticker' : (['image', 'video', 'audio'].find((k) => m.mime_type.startsWith(`${k}/`)) ?? 'document');
        const content: Record<string, string> = {};
        if (m.caption) content.caption = m.caption;
        if (kind === 'document') content.filename = m.filename;
        const attachment = { filename: m.filename, mime_type: m.mime_type, size: atob(m.data).length };
        return this.enqueue(id, kind, m.caption || m.filename, { content, attachment });
      },
      SendTemplate: (id: number, name: string, language: string, variables: Record<string, string>) =>
        this.enqueue(id, 'template', `Template ${name}`, { template: { name, language, variables } satisfies TemplateRequest }),
      TemplateForm: (name: string, language: string) => {
        const t = this.templates.find((x) => x.name === name && x.language === language);
        if (!t) throw { code: 'TEMPLATE_NOT_FOUND', message: 'No approved template with that name and language.' };
        const preview = { header_format: '', header: '', body: '', footer: '', buttons: [] };
        return { template: t, fields: [], preview, sendable: true, problem: '', missing: [], unknown: [] };
      },
      RetryOutbox: (key: string) => {
        const it = this.outbox.find((o) => o.key === key)!;
        it.state = 'pending';
        it.error = undefined;
        return it;
      },
      DiscardOutbox: (key: string) => {
        this.outbox = this.outbox.filter((o) => o.key !== key);
      },
      // Every write goes through the outbox, as in Go: shown at once,
      // delivered when "online".
      UpdateConversation: (id, patch) => {
        const p: Partial<Conversation> = {};
        if (patch.status) p.status = patch.status;
        if (patch.assignee_id !== undefined) p.assignee_id = patch.assignee_id;
        if (patch.team !== undefined) p.team = patch.team;
        if (patch.snoozed_until) p.snoozed_until = patch.snoozed_until;
        const c = this.updateConv(id, p);
        this.enqueue(id, '', 'Change', { kind: 'conversation', patch });
        return c;
      },
      AddNote: (id: number, body: string) => this.enqueue(id, '', body, { kind: 'note', note: { body } }),
      React: (id: number, messageId: number, emoji: string) =>
        this.enqueue(id, '', emoji || 'Remove reaction', { kind: 'reaction', reaction: { message_id: messageId, emoji } }),
      SaveDraft: (id: number, body: string) => {
        if (body) this.drafts.set(id, body);
        else this.drafts.delete(id);
        return { conversation_id: id, body, updated_at: body ? iso(this.hubNow()) : '' };
      },
      Media: (id: string) => ({ mime_type: 'image/svg+xml', filename: `${id}.svg`, url: placeholderImage(id), size: 1 }),
      SaveMedia: (_id: string, filename: string) => `/home/agent/Downloads/${filename}`,
    };
  }
}

/** A small generated picture standing in for downloaded media. */
export function placeholderImage(seed: string): string {
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320" viewBox="0 0 480 320"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${h},70%,72%)"/><stop offset="1" stop-color="hsl(${(h + 60) % 360},70%,52%)"/></linearGradient></defs><rect width="480" height="320" fill="url(#g)"/><circle cx="360" cy="90" r="40" fill="rgba(255,255,255,.7)"/><path d="M0 320 L150 150 L260 260 L330 200 L480 320Z" fill="rgba(0,0,0,.25)"/></svg>`;
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}
