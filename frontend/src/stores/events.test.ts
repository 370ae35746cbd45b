import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../lib/events';
import { go } from '../lib/go';
import { FakeConsole } from '../test/fakeConsole';
import { T0, iso, makeConversation, USERS } from '../test/fixtures';
import { resetStores } from '../test/reset';
import { clockStore } from './clock';
import { startConsole } from './console';
import { conversationsStore, listenConversations, loadInbox, select } from './conversations';
import { listenSession, loadSession, sessionStore } from './session';
import { listenSystemEvents } from './system';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("Go's events reach the stores", () => {
  beforeEach(() => resetStores(T0));

  it('handles every event Go emits (app/events.go)', () => {
    const fake = new FakeConsole({ now: () => T0 });
    const offs = [startConsole(), listenSystemEvents()];
    for (const name of Object.values(EVENTS)) {
      expect(fake.rt.listeners(name), `nothing in the frontend follows ${name}`).toBeGreaterThan(0);
    }
    offs.forEach((off) => off());
    for (const name of Object.values(EVENTS)) expect(fake.rt.listeners(name)).toBe(0);
  });

  it('subscribes only through on(), so the compiler checks every name', () => {
    // The app's sources: not the tests, nor the fake runtime they install.
    const sources = import.meta.glob(['../**/*.{ts,tsx}', '!../**/*.test.{ts,tsx}', '!../test/**'], { query: '?raw', import: 'default', eager: true });
    const direct = Object.entries(sources)
      .filter(([path, src]) => path !== '../lib/events.ts' && /\bEvents(On|OnMultiple|Once)\b/.test(src as string))
      .map(([path]) => path);
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    expect(direct).toEqual([]);
  });

  it('updates the session when Go says it changed (session.updated)', async () => {
    const fake = new FakeConsole({ now: () => T0 });
    const off = listenSession();
    await loadSession();
    expect(sessionStore.get().session?.user?.id).toBe(USERS[0]!.id);
    const other = USERS[1]!;
    fake.emit('session.updated', {
      signed_in: true,
      mode: 'remote',
      hub_url: 'https://hub.example.com',
      user: other,
      sync: { state: 'syncing', seq: 0, since: iso(T0) },
      pending: 3,
      demo_available: true,
      dev_controls: false,
      clock_offset_ms: 0,
    });
    expect(sessionStore.get()).toMatchObject({
      session: { mode: 'remote', hub_url: 'https://hub.example.com', user: { id: other.id } },
      sync: { state: 'syncing', pending: 3 },
      pending: 3,
    });
    fake.emit('session.updated', { ...fake.status(), signed_in: false, user: null, mode: '' });
    expect(sessionStore.get().session?.signed_in).toBe(false);
    off();
  });

  it('takes a deleted conversation out of the list (conversation.removed)', async () => {
    const fake = new FakeConsole({ now: () => T0, conversations: [1, 2, 3].map((id) => makeConversation({ id, assignee_id: 1 })) });
    const off = listenConversations();
    await loadSession();
    await loadInbox();
    select(2);
    fake.deleteConversation(3);
    expect(conversationsStore.get().rows.map((r) => r.id)).toEqual([1, 2]);
    expect(conversationsStore.get().selectedId).toBe(2);
    fake.deleteConversation(2);
    expect(conversationsStore.get().rows.map((r) => r.id)).toEqual([1]);
    expect(conversationsStore.get()).toMatchObject({ selectedId: null, selected: null });
    // The counts are read again from the cache, which no longer has them.
    await vi.waitFor(() => expect(conversationsStore.get().counts.all.total).toBe(1));
    off();
  });

  it("moves the hub's clock when Go says it moved (clock.changed)", async () => {
    new FakeConsole({ now: () => T0 });
    const off = listenSession();
    await go.SandboxAdvance(25 * 3600);
    await flush();
    expect(clockStore.get()).toBe(T0 + 25 * 3600_000);
    off();
  });
});
