import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { listenConversations, select } from '../../stores/conversations';
import { listenMessages } from '../../stores/messages';
import { listenNotices, noticesStore } from '../../stores/notices';
import { loadSession, loadUsers } from '../../stores/session';
import { FakeConsole } from '../../test/fakeConsole';
import { T0, iso, makeConversation, makeMessage } from '../../test/fixtures';
import { resetStores } from '../../test/reset';
import { ChatView, snoozeOptions } from './ChatView';

async function mount() {
  const fake = new FakeConsole({
    now: () => T0,
    conversations: [makeConversation({ id: 1, assignee_id: null, unanswered: true, waiting_since: iso(T0 - 60_000) })],
    messages: [
      makeMessage({ conversation_id: 1, id: 1, timestamp: iso(T0 - 2 * 86_400_000), content: { body: 'two days ago' } }),
      makeMessage({ conversation_id: 1, id: 2, timestamp: iso(T0 - 60_000), content: { body: 'just now' }, preview: 'just now' }),
    ],
    notes: [{ id: 7, conversation_id: 1, author_id: 2, body: 'VIP', created_at: iso(T0 - 30 * 60_000) }],
  });
  await loadSession();
  await loadUsers();
  const offs = [listenConversations(), listenMessages()];
  select(1);
  const conv = fake.conversations.get(1)!;
  const utils = render(<ChatView conversation={conv} />);
  await screen.findAllByTestId('message');
  return { fake, user: userEvent.setup(), offs, ...utils };
}

describe('ChatView', () => {
  beforeEach(() => resetStores(T0));

  it('shows a file picked offline in the chat as pending, then as the sent message', async () => {
    const fake = new FakeConsole({
      now: () => T0,
      sync: { state: 'offline' },
      conversations: [makeConversation({ id: 1 })],
      messages: [makeMessage({ conversation_id: 1, id: 1, timestamp: iso(T0 - 60_000), content: { body: 'send me the invoice' } })],
    });
    await loadSession();
    const offs = [listenConversations(), listenMessages()];
    select(1);
    render(<ChatView conversation={fake.conversations.get(1)!} />);
    await screen.findAllByTestId('message');
    const user = userEvent.setup();
    await user.upload(screen.getByTestId('file-input'), new File(['%PDF-1.7 invoice'], 'invoice-42.pdf', { type: 'application/pdf' }));
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'here it is{Enter}');

    const item = await screen.findByTestId('outbox-item');
    const file = within(item).getByTestId('pending-file');
    expect(file).toHaveTextContent('invoice-42.pdf');
    expect(file).toHaveTextContent('Document · 16 B');
    expect(within(file).getByRole('img', { name: 'Document' })).toHaveTextContent('PDF');
    expect(item).toHaveTextContent('here it is');
    expect(item).toHaveTextContent('Waiting for connection');
    expect(within(item).getByRole('img', { name: 'Waiting to send' })).toBeInTheDocument();

    act(() => fake.setSync({ state: 'online' }));
    await act(async () => fake.flushOutbox());
    await waitFor(() => expect(screen.queryByTestId('outbox-item')).toBeNull());
    const sent = screen.getAllByTestId('message').at(-1)!;
    expect(sent).toHaveAttribute('data-type', 'document');
    expect(sent).toHaveTextContent('invoice-42.pdf');
    offs.forEach((off) => off());
  });

  it('shows every write made offline at once as pending, and clears the marks once the hub has them', async () => {
    const fake = new FakeConsole({
      now: () => T0,
      sync: { state: 'offline' },
      conversations: [makeConversation({ id: 1, assignee_id: null })],
      messages: [makeMessage({ conversation_id: 1, id: 1, timestamp: iso(T0 - 60_000), content: { body: 'is it in stock?' } })],
    });
    await loadSession();
    await loadUsers();
    const offs = [listenConversations(), listenMessages()];
    select(1);
    const { rerender } = render(<ChatView conversation={fake.conversations.get(1)!} />);
    await screen.findAllByTestId('message');
    const user = userEvent.setup();

    // A note: shown at once, marked as waiting.
    await user.click(screen.getByRole('tab', { name: /note/i }));
    await user.type(screen.getByRole('textbox', { name: /note/i }), 'Wants the blue one{Enter}');
    const note = await screen.findByTestId('pending-note');
    expect(note).toHaveTextContent('Wants the blue one');
    expect(note).toHaveTextContent('Waiting for connection');

    // Assign to me and close: the header shows both, each with a pending mark.
    await user.click(screen.getByTestId('assign-menu'));
    await user.click(await screen.findByRole('menuitemradio', { name: 'Assign to me' }));
    await user.click(screen.getByRole('button', { name: 'Close conversation' }));
    rerender(<ChatView conversation={fake.conversations.get(1)!} />);
    expect(screen.getByTestId('assign-menu')).toHaveTextContent('You');
    expect(await screen.findByTestId('pending-assign')).toBeInTheDocument();
    expect(screen.getByTestId('status-menu')).toHaveTextContent('Closed');
    expect(screen.getByTestId('pending-status')).toBeInTheDocument();

    // A reaction from the quick set: on the message, pending.
    await user.click(screen.getByTestId('react-button'));
    await user.click(await screen.findByRole('button', { name: 'React with 👍' }));
    expect(await screen.findByTestId('pending-reaction')).toHaveTextContent('👍');

    // Back online: everything reaches the hub once and no pending mark is left.
    act(() => fake.setSync({ state: 'online' }));
    await act(async () => fake.flushOutbox());
    await waitFor(() => expect(screen.queryByTestId('pending-note')).toBeNull());
    expect(screen.getByTestId('note')).toHaveTextContent('Wants the blue one');
    expect(screen.queryByTestId('pending-assign')).toBeNull();
    expect(screen.queryByTestId('pending-status')).toBeNull();
    expect(screen.queryByTestId('pending-reaction')).toBeNull();
    expect(within(screen.getByTestId('reactions')).getByTestId('reaction')).toHaveTextContent('👍');
    expect(fake.notes.get(1)?.map((n) => n.body)).toEqual(['Wants the blue one']);
    offs.forEach((off) => off());
  });

  it('removes the agent\'s reaction when they choose it again', async () => {
    const { fake, user, offs } = await mount();
    const target = screen.getAllByTestId('message').at(-1)!;
    await user.click(within(target).getByTestId('react-button'));
    await user.click(await screen.findByRole('button', { name: 'React with ❤️' }));
    await act(async () => fake.flushOutbox());
    await waitFor(() => expect(within(target).getByTestId('reaction')).toHaveTextContent('❤️'));
    await user.click(within(target).getByTestId('react-button'));
    await user.click(await screen.findByRole('button', { name: 'Remove your reaction ❤️' }));
    await act(async () => fake.flushOutbox());
    await waitFor(() => expect(within(target).queryByTestId('reactions')).toBeNull());
    offs.forEach((off) => off());
  });

  it('tells the agent in words when the hub kept something else', async () => {
    const fake = new FakeConsole({ now: () => T0, conversations: [makeConversation({ id: 1 })] });
    const off = listenNotices();
    const { Notices } = await import('../Notices');
    render(<Notices />);
    act(() =>
      fake.emit('outbox.reconciled', {
        conversation_id: 1,
        kind: 'conversation',
        code: 'NOT_FOUND',
        message: 'Ana’s conversation: “Close” was not applied, because it was assigned to someone else while you were offline.',
      }),
    );
    const notice = await screen.findByTestId('notice');
    expect(notice).toHaveTextContent('was assigned to someone else while you were offline');
    expect(notice).not.toHaveTextContent('NOT_FOUND');
    await userEvent.setup().click(within(notice).getByRole('button', { name: 'Dismiss' }));
    expect(noticesStore.get().notices).toEqual([]);
    off();
  });

  it('shows the history with day separators and internal notes, and marks it read', async () => {
    const { fake } = await mount();
    expect(screen.getAllByTestId('day-separator').map((d) => d.textContent)).toEqual([expect.any(String), 'Today']);
    expect(screen.getByTestId('note')).toHaveTextContent('VIP');
    expect(fake.calls.some((c) => c.name === 'MarkRead' && c.args[0] === 1)).toBe(true);
  });

  it('marks where the unread messages start', async () => {
    const fake = new FakeConsole({
      now: () => T0,
      conversations: [makeConversation({ id: 1, unread_count: 2 })],
      messages: [
        makeMessage({ conversation_id: 1, id: 1, timestamp: iso(T0 - 3000), preview: 'old', content: { body: 'old' } }),
        makeMessage({ conversation_id: 1, id: 2, timestamp: iso(T0 - 2000), preview: 'new one', content: { body: 'new one' } }),
        makeMessage({ conversation_id: 1, id: 3, timestamp: iso(T0 - 1000), preview: 'new two', content: { body: 'new two' } }),
      ],
    });
    render(<ChatView conversation={fake.conversations.get(1)!} />);
    const divider = await screen.findByTestId('unread-divider');
    expect(divider).toHaveTextContent('2 unread messages');
    const order = [...document.querySelectorAll('[data-testid=unread-divider],[data-testid=message]')].map((e) => e.textContent);
    expect(order[1]).toContain('2 unread');
    expect(order[2]).toContain('new one');
  });

  it('assigns to me, to another agent and to a team, and unassigns', async () => {
    const { fake, user } = await mount();
    const open = async () => user.click(screen.getByTestId('assign-menu'));
    await open();
    await user.click(screen.getByRole('menuitemradio', { name: 'Assign to me' }));
    await open();
    await user.click(screen.getByRole('menuitemradio', { name: /Ben Okafor/ }));
    await open();
    await user.click(screen.getByRole('menuitemradio', { name: 'Sales' }));
    await open();
    await user.click(screen.getByRole('menuitem', { name: 'Unassign' }));
    const patches = fake.calls.filter((c) => c.name === 'UpdateConversation').map((c) => c.args[1]);
    expect(patches).toEqual([{ assignee_id: 1 }, { assignee_id: 2 }, { team: 'Sales' }, { assignee_id: null }]);
  });

  it('changes status, snoozes and closes', async () => {
    const { fake, user } = await mount();
    await user.click(screen.getByTestId('status-menu'));
    await user.click(screen.getByRole('menuitemradio', { name: 'Pending' }));
    await user.click(screen.getByTestId('snooze-menu'));
    await user.click(screen.getByRole('menuitem', { name: /tomorrow/i }));
    await user.click(screen.getByRole('button', { name: 'Close conversation' }));
    const patches = fake.calls.filter((c) => c.name === 'UpdateConversation').map((c) => c.args[1] as Record<string, string>);
    expect(patches[0]).toEqual({ status: 'pending' });
    expect(patches[1]).toMatchObject({ status: 'snoozed', snoozed_until: expect.stringMatching(/T/) });
    expect(patches[2]).toEqual({ status: 'closed' });
  });

  it('adds an internal note', async () => {
    const { fake, user } = await mount();
    await user.click(screen.getByRole('tab', { name: /note/i }));
    await user.type(screen.getByRole('textbox', { name: 'Internal note' }), 'Call back at 5{Enter}');
    expect(fake.calls.find((c) => c.name === 'AddNote')?.args).toEqual([1, 'Call back at 5']);
    expect(await screen.findByText('Call back at 5')).toBeInTheDocument();
  });

  it('reads a customer message that arrives while the conversation is open', async () => {
    vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    const { fake, rerender } = await mount();
    const reads = () => fake.calls.filter((c) => c.name === 'MarkRead').length;
    const before = reads();
    act(() => void fake.customerSays(1, 'Are you there?'));
    rerender(<ChatView conversation={fake.conversations.get(1)!} />);
    await waitFor(() => expect(reads()).toBeGreaterThan(before));
  });

  it('replies to a quoted message', async () => {
    const { fake, user } = await mount();
    const msg = screen.getAllByTestId('message').find((m) => m.textContent?.includes('just now'))!;
    await user.click(within(msg).getByRole('button', { name: 'Reply to this message' }));
    expect(screen.getByTestId('reply-preview')).toHaveTextContent('just now');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'On it{Enter}');
    expect(fake.calls.find((c) => c.name === 'SendText')?.args).toEqual([1, 'On it', 2]);
  });

  it('shows a customer message arriving live, and the ticks of a reply moving to read', async () => {
    const { fake, user } = await mount();
    act(() => void fake.customerSays(1, 'Hello?'));
    expect(await screen.findByText('Hello?')).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hi there{Enter}');
    const out = await screen.findByText('Hi there');
    const bubble = out.closest('[data-testid=message]') as HTMLElement;
    expect(bubble).toHaveAttribute('data-status', 'queued');
    const id = Number(bubble.dataset.messageId);
    act(() => void fake.setStatus(id, 'delivered'));
    act(() => void fake.setStatus(id, 'read'));
    expect(within(bubble).getByRole('img', { name: 'Read' })).toBeInTheDocument();
  });
});

describe('ChatView header', () => {
  beforeEach(() => resetStores(T0));

  it('shows where a customer came from (click-to-WhatsApp ad) and an opt-out', async () => {
    const conv = makeConversation({
      id: 1,
      referral: { headline: 'Spring sale', source_url: 'https://fb.me/ad/1', source_type: 'ad' },
      contact: { id: 1, name: 'Liam', phone: '+15550001', opted_out: true, created_at: iso(T0), updated_at: iso(T0) },
    });
    new FakeConsole({ now: () => T0, conversations: [conv] });
    render(<ChatView conversation={conv} />);
    expect(screen.getByTestId('referral')).toHaveTextContent('from ad Spring sale');
    expect(within(screen.getByTestId('referral')).getByRole('link')).toHaveAttribute('href', 'https://fb.me/ad/1');
    expect(screen.getByText('opted out')).toBeInTheDocument();
    expect(await screen.findByTestId('opted-out')).toBeInTheDocument();
  });
});

describe('snoozeOptions', () => {
  it('offers an hour, this evening, tomorrow and next Monday', () => {
    const wed = new Date(2026, 2, 11, 10, 0);
    const opts = snoozeOptions(wed);
    expect(opts.map((o) => o.label)).toEqual(['For 1 hour', 'Until this evening (18:00)', 'Until tomorrow (09:00)', 'Until next Monday (09:00)']);
    expect(opts[3]!.until.getDay()).toBe(1);
    expect(snoozeOptions(new Date(2026, 2, 11, 20, 0)).map((o) => o.label)).not.toContain('Until this evening (18:00)');
  });
});
