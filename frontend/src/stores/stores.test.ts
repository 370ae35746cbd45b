import { beforeEach, describe, expect, it } from 'vitest';
import { FakeConsole } from '../test/fakeConsole';
import { T0, iso, makeConversation, makeMessage } from '../test/fixtures';
import { resetStores } from '../test/reset';
import { applyConversation, conversationsStore, loadInbox, matchesView } from './conversations';
import { countersStore, listenCounters, windowTitle } from './counters';
import { applyMessage, listenMessages, loadOlder, messagesStore, openThread, sendText } from './messages';
import { isOffline, listenSession, loadSession, sessionStore } from './session';
import { applyTemplate, compareCodes, templatesStore } from './templates';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('conversations store', () => {
  beforeEach(() => resetStores(T0));

  it('matches the tab and status filter', () => {
    const c = makeConversation({ id: 1, assignee_id: 5, status: 'open' });
    expect(matchesView(c, 'mine', 'open', 5)).toBe(true);
    expect(matchesView(c, 'mine', 'open', 6)).toBe(false);
    expect(matchesView(c, 'unassigned', '', 5)).toBe(false);
    expect(matchesView(c, 'all', 'closed', 5)).toBe(false);
  });

  it('keeps rows in activity order as updates arrive, and drops closed ones under the open filter', async () => {
    new FakeConsole({ conversations: [1, 2, 3].map((id) => makeConversation({ id, assignee_id: 1 })) });
    await loadSession();
    await loadInbox();
    expect(conversationsStore.get().rows.map((r) => r.id)).toEqual([1, 2, 3]);
    applyConversation(makeConversation({ id: 3, assignee_id: 1, last_activity_at: iso(T0 + 5000) }));
    expect(conversationsStore.get().rows.map((r) => r.id)).toEqual([3, 1, 2]);
    applyConversation(makeConversation({ id: 1, assignee_id: 1, status: 'closed' }));
    expect(conversationsStore.get().rows.map((r) => r.id)).toEqual([3, 2]);
  });

  it('keeps an open conversation assigned away with a notice, closes a deleted one', async () => {
    const fake = new FakeConsole({ conversations: [1, 2].map((id) => makeConversation({ id, assignee_id: 1 })) });
    const off = (await import('./conversations')).listenConversations();
    await loadSession();
    await loadInbox();
    const { select } = await import('./conversations');
    select(1);
    fake.emit('conversation.removed', { conversation_id: 1, reason: 'hidden' });
    expect(conversationsStore.get()).toMatchObject({ selectedId: 1, selectedHidden: true });
    expect(conversationsStore.get().rows.map((r) => r.id)).toEqual([2]);
    select(2);
    expect(conversationsStore.get().selectedHidden).toBe(false);
    fake.emit('conversation.removed', { conversation_id: 2, reason: 'deleted' });
    expect(conversationsStore.get().selectedId).toBeNull();
    off();
  });

  it('pages the inbox by cursor', async () => {
    new FakeConsole({ conversations: Array.from({ length: 450 }, (_, i) => makeConversation({ id: i + 1, assignee_id: 1 })) });
    await loadSession();
    await loadInbox();
    const { loadMore, INBOX_PAGE } = await import('./conversations');
    expect(conversationsStore.get().rows).toHaveLength(INBOX_PAGE);
    expect(conversationsStore.get().hasMore).toBe(true);
    // The remaining pages, one loadMore each; the last one is partial.
    for (let page = 1; page < Math.ceil(450 / INBOX_PAGE); page++) await loadMore();
    expect(conversationsStore.get().rows).toHaveLength(450);
    expect(new Set(conversationsStore.get().rows.map((r) => r.id)).size).toBe(450);
    expect(conversationsStore.get().hasMore).toBe(false);
  });
});

describe('messages store', () => {
  beforeEach(() => resetStores(T0));

  it('loads the newest page, then older pages on demand, without duplicates', async () => {
    const messages = Array.from({ length: 120 }, (_, i) => makeMessage({ conversation_id: 1, id: i + 1, timestamp: iso(T0 + i * 1000) }));
    new FakeConsole({ conversations: [makeConversation({ id: 1 })], messages });
    await openThread(1);
    let t = messagesStore.get().threads[1]!;
    expect(t.messages).toHaveLength(50);
    expect(t.messages[0]!.id).toBe(71);
    expect(t.hasMore).toBe(true);
    await loadOlder(1);
    await loadOlder(1);
    t = messagesStore.get().threads[1]!;
    expect(t.messages.map((m) => m.id)).toEqual(messages.map((m) => m.id));
    expect(t.hasMore).toBe(false);
  });

  it('never moves a status backwards, whatever order updates arrive in', async () => {
    const m = makeMessage({ conversation_id: 1, id: 7, direction: 'outbound', status: 'sent' });
    new FakeConsole({ conversations: [makeConversation({ id: 1 })], messages: [m] });
    await openThread(1);
    applyMessage({ ...m, status: 'read' });
    applyMessage({ ...m, status: 'delivered' });
    expect(messagesStore.get().threads[1]!.messages[0]!.status).toBe('read');
  });

  it('shows a send as pending in the outbox until the hub accepts it, then as a message', async () => {
    const fake = new FakeConsole({ conversations: [makeConversation({ id: 1 })], sync: { state: 'offline' }, now: () => T0 });
    const off = listenMessages();
    await openThread(1);
    expect(await sendText(1, 'hello', 0)).toBe(true);
    let t = messagesStore.get().threads[1]!;
    expect(t.outbox.map((o) => [o.preview, o.state])).toEqual([['hello', 'pending']]);
    expect(t.messages).toHaveLength(0);
    fake.setSync({ state: 'online' });
    fake.flushOutbox();
    await flush();
    t = messagesStore.get().threads[1]!;
    expect(t.outbox).toHaveLength(0);
    expect(t.messages.map((m) => [m.preview, m.status])).toEqual([['hello', 'queued']]);
    off();
  });

  it('records a refused send', async () => {
    new FakeConsole({ conversations: [makeConversation({ id: 1, window_expires_at: iso(0) })] });
    await openThread(1);
    expect(await sendText(1, 'late', 0)).toBe(false);
    expect(messagesStore.get().threads[1]!.sendError?.code).toBe('SESSION_EXPIRED');
  });
});

describe('session, counters and templates stores', () => {
  beforeEach(() => resetStores(T0));

  it('follows sync.state', async () => {
    const fake = new FakeConsole();
    const off = listenSession();
    await loadSession();
    expect(isOffline(sessionStore.get())).toBe(false);
    fake.setSync({ state: 'offline', error: { code: 'HUB_UNREACHABLE', message: 'down' } });
    expect(isOffline(sessionStore.get())).toBe(true);
    off();
  });

  it('follows counters.updated and titles the window', () => {
    const fake = new FakeConsole();
    const off = listenCounters();
    fake.emit('counters.updated', { total: 4, unassigned: 1, by_agent: null, by_team: null, oldest_waiting_since: null });
    expect(countersStore.get()).toMatchObject({ total: 4, by_agent: {}, by_team: {} });
    expect(windowTitle(4)).toBe('(4) Switchboard');
    expect(windowTitle(0)).toBe('Switchboard');
    off();
  });

  it('replaces a template on template.updated', () => {
    applyTemplate({ id: '1', waba_id: 'w', name: 'a', language: 'en', category: 'UTILITY', status: 'PENDING', quality: '', parameter_format: 'POSITIONAL', components: [], updated_at: '' });
    applyTemplate({ id: '1', waba_id: 'w', name: 'a', language: 'en', category: 'UTILITY', status: 'APPROVED', quality: '', parameter_format: 'POSITIONAL', components: [], updated_at: '' });
    expect(templatesStore.get().templates.map((t) => t.status)).toEqual(['APPROVED']);
  });
});

describe('compareCodes', () => {
  it('orders template names and languages as localeCompare does', () => {
    const names = ['order_ready', 'order2', 'order_10', 'order_9', 'Order_x', 'welcome', 'a', 'a_b', 'ab', 'en_US', 'en_GB', 'en', 'es_419', 'es_ES', 'fil', 'fi_FI', 'zh_CN', 'pt_BR', 'pt_PT', 'order ready', 'café'];
    const sign = (n: number) => Math.sign(n);
    for (const a of names) for (const b of names) expect(sign(compareCodes(a, b)), `${a} vs ${b}`).toBe(sign(a.localeCompare(b)));
  });
});
