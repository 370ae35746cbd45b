import { Profiler } from 'react';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { setNow } from '../../stores/clock';
import { loadInbox } from '../../stores/conversations';
import { listenConversations } from '../../stores/conversations';
import { loadSession } from '../../stores/session';
import { FakeConsole } from '../../test/fakeConsole';
import { T0, iso, makeContact, makeConversation } from '../../test/fixtures';
import { resetStores } from '../../test/reset';
import { InboxPanel } from './InboxPanel';
import { WaitingTimer } from './WaitingTimer';

describe('WaitingTimer', () => {
  beforeEach(() => resetStores(T0));

  const cases: [number, string, string][] = [
    [60_000, 'ok', '1m'],
    [6 * 60_000, 'amber', '6m'],
    [16 * 60_000, 'red', '16m'],
  ];
  for (const [ago, level, text] of cases) {
    it(`is ${level} after ${text}`, () => {
      render(<WaitingTimer since={iso(T0 - ago)} />);
      const t = screen.getByTestId('waiting-timer');
      expect(t).toHaveAttribute('data-level', level);
      expect(t).toHaveTextContent(text);
      expect(t.className).toMatch(new RegExp(`wait_${level}`));
    });
  }

  it('counts seconds in the first minute, then minutes', () => {
    render(<WaitingTimer since={iso(T0)} />);
    const t = screen.getByTestId('waiting-timer');
    act(() => setNow(T0 + 42_000));
    expect(t).toHaveTextContent('42s');
    act(() => setNow(T0 + 60_000));
    expect(t).toHaveTextContent('1m');
    act(() => setNow(T0 + 119_000));
    expect(t).toHaveTextContent('1m');
    act(() => setNow(T0 + 120_000));
    expect(t).toHaveTextContent('2m');
  });

  it('re-renders when what it shows changes, not on every clock tick', () => {
    let renders = 0;
    render(
      <Profiler id="timer" onRender={() => (renders += 1)}>
        <WaitingTimer since={iso(T0 - 5 * 60_000)} />
      </Profiler>,
    );
    const before = renders;
    for (let s = 1; s < 60; s++) act(() => setNow(T0 + s * 1000));
    expect(renders).toBe(before);
    act(() => setNow(T0 + 60_000));
    expect(renders).toBe(before + 1);
    expect(screen.getByTestId('waiting-timer')).toHaveTextContent('6m');
  });

  it('says since when on hover, as toLocaleString writes it', async () => {
    const since = iso(T0 - 90_000);
    render(<WaitingTimer since={since} />);
    const t = screen.getByTestId('waiting-timer');
    await userEvent.hover(t);
    expect(t).toHaveAttribute('title', `Waiting for a reply since ${new Date(since).toLocaleString()}`);
  });

  it('turns amber, then red, as the wait grows', () => {
    render(<WaitingTimer since={iso(T0)} />);
    const t = screen.getByTestId('waiting-timer');
    expect(t).toHaveAttribute('data-level', 'ok');
    act(() => setNow(T0 + 5 * 60_000));
    expect(t).toHaveAttribute('data-level', 'amber');
    act(() => setNow(T0 + 15 * 60_000));
    expect(t).toHaveAttribute('data-level', 'red');
  });
});

describe('InboxPanel', () => {
  beforeEach(() => resetStores(T0));

  function fake() {
    return new FakeConsole({
      now: () => T0,
      conversations: [
        makeConversation({
          id: 1,
          assignee_id: 1,
          unanswered: true,
          waiting_since: iso(T0 - 7 * 60_000),
          unread_count: 3,
          contact: makeContact({ id: 1, name: 'Maria Garcia', phone: '+5511987654321' }),
          last_message: { id: 9, direction: 'inbound', type: 'image', preview: 'Photo', status: 'received', at: iso(T0) },
        }),
        makeConversation({ id: 2, assignee_id: 1, last_message: { id: 8, direction: 'outbound', type: 'text', preview: 'On its way', status: 'read', at: iso(T0) } }),
        makeConversation({ id: 3, assignee_id: null, unanswered: true, waiting_since: iso(T0 - 20 * 60_000) }),
        makeConversation({ id: 4, assignee_id: null, unanswered: true, waiting_since: iso(T0 - 60_000) }),
        makeConversation({ id: 5, assignee_id: 2, status: 'pending' }),
      ],
    });
  }

  async function mount() {
    await loadSession();
    const off = listenConversations();
    render(<InboxPanel />);
    await act(() => loadInbox());
    return off;
  }

  it('shows each tab’s unanswered count and switches tabs', async () => {
    const f = fake();
    const user = userEvent.setup();
    await mount();
    expect(screen.getByTestId('tab-count-mine')).toHaveTextContent('1');
    expect(screen.getByTestId('tab-count-unassigned')).toHaveTextContent('2');
    expect(screen.getByTestId('tab-count-all')).toHaveTextContent('3');
    expect(screen.getAllByTestId('inbox-row').map((r) => r.dataset.conversationId)).toEqual(['1', '2']);

    await user.click(screen.getByTestId('tab-unassigned'));
    expect(await screen.findAllByTestId('inbox-row')).toHaveLength(2);
    expect(f.calls.filter((c) => c.name === 'Inbox').at(-1)?.args[0]).toMatchObject({ tab: 'unassigned', status: 'open' });
  });

  it('shows name, number, preview with a type icon, unread badge and waiting timer', async () => {
    fake();
    await mount();
    const row = screen.getAllByTestId('inbox-row')[0]!;
    expect(row).toHaveTextContent('Maria Garcia');
    expect(row).toHaveTextContent('+5511987654321');
    expect(row).toHaveTextContent('Photo');
    expect(within(row).getByTestId('unread-badge')).toHaveTextContent('3');
    expect(within(row).getByTestId('waiting-timer')).toHaveAttribute('data-level', 'amber');
    const answered = screen.getAllByTestId('inbox-row')[1]!;
    expect(within(answered).queryByTestId('waiting-timer')).toBeNull();
    expect(within(answered).getByRole('img', { name: 'Read' })).toBeInTheDocument();
  });

  it('filters by status', async () => {
    const f = fake();
    const user = userEvent.setup();
    await mount();
    await user.click(screen.getByTestId('tab-all'));
    await user.click(screen.getByRole('button', { name: 'Pending' }));
    expect(await screen.findAllByTestId('inbox-row')).toHaveLength(1);
    expect(f.calls.filter((c) => c.name === 'InboxCounts').at(-1)?.args).toEqual(['pending']);
  });

  it('puts a conversation a customer just wrote in at the top, with its badge', async () => {
    const f = fake();
    await mount();
    act(() => {
      f.now = () => T0 + 1000;
      f.updateConv(2, {});
      f.customerSays(2, 'Hello again');
    });
    const rows = screen.getAllByTestId('inbox-row');
    expect(rows[0]).toHaveAttribute('data-conversation-id', '2');
    expect(within(rows[0]!).getByTestId('unread-badge')).toHaveTextContent('1');
    expect(rows[0]).toHaveTextContent('Hello again');
  });

  it('drops a conversation assigned away from Mine', async () => {
    const f = fake();
    await mount();
    act(() => void f.updateConv(1, { assignee_id: 3 }));
    expect(screen.getAllByTestId('inbox-row').map((r) => r.dataset.conversationId)).toEqual(['2']);
  });

  it('searches the local cache as the agent types', async () => {
    const f = fake();
    const user = userEvent.setup();
    await mount();
    await user.type(screen.getByRole('searchbox', { name: 'Search conversations' }), 'maria');
    const results = await screen.findByTestId('search-results');
    expect(await within(results).findByText('Maria Garcia')).toBeInTheDocument();
    expect(f.calls.find((c) => c.name === 'Search')?.args[0]).toBe('maria');
  });
});
